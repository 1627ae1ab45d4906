//! The outbox job: sends what agents' replies and resolutions queued (e-mail over SMTP,
//! webhook calls), one item per transaction. The item's row stays locked while it is
//! sent, so several server processes never send the same item at once (`SKIP LOCKED`);
//! it is marked sent in the same transaction. A failure leaves it for a later try, with
//! a growing pause, until it gives up and says so in the dialogue.

use app::backend::channels;
use app::backend::outbox::{self, OutboxItem};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

pub struct Outbox {
    pool: PgPool,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    http: Client<Https, Full<Bytes>>,
    /// Where customers open rating links, e.g. `https://help.example.com`.
    public_url: String,
    /// The sender of e-mail to staff (reset links).
    mail_from: lettre::message::Mailbox,
}

/// What one pass delivered.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

impl Outbox {
    /// `smtp_url`: see [`crate::mail::transport`]; without one, e-mail waits in the outbox.
    pub fn new(pool: PgPool, smtp_url: Option<&str>, public_url: &str) -> Result<Outbox, String> {
        let smtp = smtp_url.map(crate::mail::transport).transpose()?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new()).build(https);
        let public_url = public_url.trim_end_matches('/').to_string();
        let mail_from = default_sender(&public_url);
        Ok(Outbox { pool, smtp, http, public_url, mail_from })
    }

    /// The sender of e-mail to staff, e.g. `Meridian <helpdesk@example.com>`
    /// (`MERIDIAN_MAIL_FROM`); without one, `Meridian <no-reply@host of the public address>`.
    pub fn with_mail_from(mut self, from: Option<&str>) -> Result<Outbox, String> {
        if let Some(from) = from {
            self.mail_from = from.parse().map_err(|e| format!("MERIDIAN_MAIL_FROM is not an e-mail address: {e}"))?;
        }
        Ok(self)
    }

    /// Sends every due e-mail to staff (reset links), one per transaction, while an SMTP
    /// server is set; the link leaves the database with the mail.
    pub async fn deliver_account_mail(&self) -> Result<Pass, sqlx::Error> {
        use app::backend::account;
        let mut pass = Pass::default();
        let Some(smtp) = self.smtp.as_ref() else { return Ok(pass) };
        loop {
            let mut tx = self.pool.begin().await?;
            let Some(mail) = account::next_mail(&mut tx).await? else {
                tx.commit().await?;
                return Ok(pass);
            };
            let link = mail.link_path.as_deref().map(|p| format!("{}{p}", self.public_url)).unwrap_or_default();
            let result = match crate::mail::build_account_mail(&self.mail_from, &mail, &link) {
                Ok(message) => crate::mail::send(smtp, message).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    account::mail_sent(&mut tx, mail.id).await?;
                    pass.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(account_mail = mail.id, %error, "account e-mail failed; will retry");
                    account::mail_failed(&mut tx, &mail, &error).await?;
                    pass.failed += 1;
                }
            }
            tx.commit().await?;
        }
    }

    /// Sends everything due now; returns what it did.
    pub async fn deliver_due(&self) -> Result<Pass, sqlx::Error> {
        let kinds: &[&str] = if self.smtp.is_some() { &["email", "webhook"] } else { &["webhook"] };
        let key = channels::signing_key(&self.pool).await?;
        let mut pass = Pass::default();
        loop {
            let mut tx = self.pool.begin().await?;
            let Some(item) = outbox::next_due(&mut tx, kinds).await? else {
                tx.commit().await?;
                return Ok(pass);
            };
            let result = match item.kind.as_str() {
                "email" => self.send_email(&mut tx, &key, &item).await,
                _ => self.call_webhook(&item).await,
            };
            match result {
                Ok(()) => {
                    outbox::mark_sent(&mut tx, item.id).await?;
                    pass.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(outbox = item.id, kind = %item.kind, %error, "delivery failed; will retry");
                    outbox::mark_failed(&mut tx, &item, &error).await?;
                    pass.failed += 1;
                }
            }
            tx.commit().await?;
        }
    }

    async fn send_email(&self, tx: &mut sqlx::PgConnection, key: &[u8], item: &OutboxItem) -> Result<(), String> {
        let smtp = self.smtp.as_ref().ok_or("no SMTP server is configured")?;
        let references = outbox::thread_references(tx, item.conversation_id, &item.external_id)
            .await
            .map_err(|e| format!("database: {e}"))?;
        let rating_url = format!(
            "{}/rate/{}/{}",
            self.public_url,
            item.conversation_id,
            app::domain::signing::tag(key, "rate", item.conversation_id)
        );
        let message = crate::mail::build(item, &references, &rating_url, crate::mail::reply_address(key, item))?;
        crate::mail::send(smtp, message).await
    }

    /// POSTs the reply to the channel's callback URL, signed with the channel's secret and
    /// a timestamp (`X-Meridian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`).
    async fn call_webhook(&self, item: &OutboxItem) -> Result<(), String> {
        let body = serde_json::json!({
            "message_id": item.external_id,
            "conversation_id": item.thread,
            "text": item.body,
            "agent": item.author,
            "sent_at": item.written_at.to_rfc3339(),
        })
        .to_string();
        // Timestamped like event webhooks (`t=…,v1=…` over "t.body"), so a recorded call
        // cannot be replayed to the bridge later.
        let signature = app::domain::webhooks::signature_header(&item.channel_secret, chrono::Utc::now().timestamp(), &body);
        let request = hyper::Request::post(&item.recipient)
            .header("content-type", "application/json")
            .header("x-meridian-signature", signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("bad callback address: {e}"))?;
        let response = tokio::time::timeout(Duration::from_secs(30), self.http.request(request))
            .await
            .map_err(|_| "the callback did not answer within 30 s".to_string())?
            .map_err(|e| format!("callback: {e}"))?;
        let status = response.status();
        // Read (and drop) the body so the connection can be reused.
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the callback answered {status}"))
        }
    }
}

impl Outbox {
    /// Posts every due event webhook delivery, one per transaction (the row stays locked
    /// while it is sent, so two processes never send one at once); returns what it did.
    /// Each carries `X-Meridian-Event`, `X-Meridian-Delivery` (the same on a retry, so a
    /// receiver can drop a repeat) and `X-Meridian-Signature: t=…,v1=…`.
    pub async fn deliver_webhooks(&self) -> Result<Pass, sqlx::Error> {
        use app::backend::webhooks;
        let mut pass = Pass::default();
        loop {
            let mut tx = self.pool.begin().await?;
            let Some(d) = webhooks::next_due(&mut tx).await? else {
                tx.commit().await?;
                return Ok(pass);
            };
            let outcome = self.post_event(&d).await;
            if outcome.is_ok() {
                pass.sent += 1;
            } else {
                pass.failed += 1;
            }
            webhooks::record_attempt(&mut tx, &d, outcome).await?;
            tx.commit().await?;
        }
    }

    async fn post_event(&self, d: &app::backend::webhooks::DueDelivery) -> Result<u16, (Option<u16>, String)> {
        let now = chrono::Utc::now().timestamp();
        let request = hyper::Request::post(&d.url)
            .header("content-type", "application/json")
            .header("user-agent", "Meridian-Webhooks/1")
            .header("x-meridian-event", &d.event)
            .header("x-meridian-delivery", d.id.to_string())
            .header("x-meridian-signature", app::domain::webhooks::signature_header(&d.secret, now, &d.body))
            .body(Full::new(Bytes::from(d.body.clone())))
            .map_err(|_| (None, "the address cannot be called".to_string()))?;
        let response = tokio::time::timeout(Duration::from_secs(10), self.http.request(request))
            .await
            .map_err(|_| (None, "no answer within 10 s".to_string()))?
            .map_err(|e| {
                tracing::info!(delivery = d.id, error = %e, "webhook delivery failed");
                (None, "could not connect".to_string())
            })?;
        let status = response.status();
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err((Some(status.as_u16()), format!("the receiver answered {status}")))
        }
    }
}

/// `Meridian <no-reply@host>` for the host of the public address (`localhost` when it is
/// an IP address, which an e-mail address cannot carry bare).
fn default_sender(public_url: &str) -> lettre::message::Mailbox {
    let host = public_url.split("://").nth(1).unwrap_or_default().split(['/', ':']).next().unwrap_or_default();
    let host = if host.contains('.') && host.chars().any(|c| c.is_ascii_alphabetic()) { host } else { "localhost" };
    format!("Meridian <no-reply@{host}>").parse().unwrap_or_else(|_| "Meridian <no-reply@localhost>".parse().expect("a valid address"))
}

/// Runs the outbox every two seconds for the life of the process.
pub fn spawn(outbox: Outbox) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            match outbox.deliver_due().await {
                Ok(Pass { sent: 0, failed: 0 }) => {}
                Ok(pass) => tracing::info!(sent = pass.sent, failed = pass.failed, "outbox"),
                Err(err) => tracing::warn!(error = %err, "outbox job failed"),
            }
            match outbox.deliver_account_mail().await {
                Ok(Pass { sent: 0, failed: 0 }) => {}
                Ok(pass) => tracing::info!(sent = pass.sent, failed = pass.failed, "account e-mail"),
                Err(err) => tracing::warn!(error = %err, "account e-mail job failed"),
            }
            match outbox.deliver_webhooks().await {
                Ok(Pass { sent: 0, failed: 0 }) => {}
                Ok(pass) => tracing::info!(sent = pass.sent, failed = pass.failed, "event webhooks"),
                Err(err) => tracing::warn!(error = %err, "event webhook job failed"),
            }
        }
    });
}
