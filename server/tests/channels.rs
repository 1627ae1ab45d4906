//! Channels end to end inside the server: raw e-mail in (HTTP and `meridian mail-in`),
//! threading, dedupe, the outbox to a real SMTP server (aiosmtpd) and to a webhook
//! receiver, signatures, sanitizing, routing and ratings, on real PostgreSQL.

mod common;

use app::backend::channels;
use app::model::channels::Received;
use app::backend::{chat, dialogue_view, ratings, routing};
use app::backend::dialogue;
use app::domain::access::Role;
use app::domain::channels::{hex, Rating};
use app::error::AppError;
use app::model::dialogue::TimelineEntry;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use meridian::outbox::{Outbox, Pass};
use sqlx::PgPool;
use std::time::Duration;
use tower::ServiceExt;

async fn email_inbox(pool: &PgPool) -> (i64, String) {
    sqlx::query_as(
        "insert into channels (kind, name, address, first_response_target) values ('email', 'Support e-mail', 'support@meridian.test', interval '4 hours')
         returning id, secret",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn social_channel(pool: &PgPool, callback: Option<&str>) -> (i64, String) {
    sqlx::query_as(
        "insert into channels (kind, name, address, first_response_target, callback_url) values ('social', 'Twitter', '@meridianhelp', interval '1 hour', $1)
         returning id, secret",
    )
    .bind(callback)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&app::domain::signing::sign(secret.as_bytes(), body)))
}

async fn post_signed(app: &axum::Router, path: &str, secret: Option<&str>, body: &[u8], content_type: &str) -> Answer {
    let mut req = Request::post(path).header(header::HOST, HOST).header(header::CONTENT_TYPE, content_type);
    if let Some(secret) = secret {
        req = req.header("x-meridian-signature", signature(secret, body));
    }
    answer(app.clone().oneshot(req.body(Body::from(body.to_vec())).unwrap()).await.unwrap()).await
}

async fn deliver_email(app: &axum::Router, secret: &str, raw: &str) -> Answer {
    post_signed(app, "/api/v1/channels/email/inbound?inbox=support@meridian.test", Some(secret), raw.as_bytes(), "message/rfc822").await
}

/// A customer's HTML e-mail in ISO-8859-1 with a script, an event handler, a
/// javascript: link and a PNG attachment.
const FIRST_MAIL: &str = "From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.de>\r\n\
To: Support <support@meridian.test>\r\n\
Subject: =?ISO-8859-1?Q?R=FCckerstattung?= for my order\r\n\
Message-ID: <first-1@example.de>\r\n\
Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"inner\"\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Gr=FC=DFe, I would like a refund for order 1234.\r\n\
--inner\r\n\
Content-Type: text/html; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
<p>Gr=FC=DFe, I would like a <b>refund</b> for order 1234.</p><script>alert(1)</script><img src=3Dx onerror=3Dalert(2)><a href=3D\"javascript:alert(3)\">order</a>\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: image/png; name=\"receipt.png\"\r\n\
Content-Disposition: attachment; filename=\"receipt.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n\
--outer--\r\n";

// A raw e-mail with HTML, a non-UTF-8 charset and an attachment becomes one dialogue with a
// sanitized body and the attachment; the same message again is stored once; the
// customer's reply (In-Reply-To) lands in the same dialogue; a new mail opens a new one.
#[sqlx::test]
async fn an_email_becomes_one_dialogue_and_its_reply_threads_into_it(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let first = deliver_email(&app, &secret, FIRST_MAIL).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let received: Received = serde_json::from_str(&first.body).unwrap();
    assert!(received.opened);

    let (subject, name, email): (String, String, String) = sqlx::query_as(
        "select c.subject, cu.name, cu.email from conversations c join customers cu on cu.id = c.customer_id where c.id = $1",
    )
    .bind(received.conversation_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((subject.as_str(), name.as_str(), email.as_str()), ("Rückerstattung for my order", "Jürgen Müller", "juergen@example.de"));
    let (body, html): (String, Option<String>) = sqlx::query_as("select body, body_html from messages where id = $1")
        .bind(received.message_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(body.starts_with("Grüße, I would like a refund"), "{body}");
    let html = html.expect("the HTML part is kept, sanitized");
    assert!(html.contains("<b>refund</b>"), "{html}");
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.to_lowercase().contains(bad), "{bad} survived: {html}");
    }
    let (filename, content_type, size, data): (String, String, i32, Vec<u8>) =
        sqlx::query_as("select filename, content_type, size_bytes, data from attachments where message_id = $1")
            .bind(received.message_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((filename.as_str(), content_type.as_str(), size), ("receipt.png", "image/png", data.len() as i32));
    assert!(data.starts_with(b"\x89PNG"));

    // Delivered again (a relay retrying): one message.
    let again = deliver_email(&app, &secret, FIRST_MAIL).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(serde_json::from_str::<Received>(&again.body).unwrap().duplicate);
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await, count(&pool, "attachments").await), (1, 1, 1));

    // Resolved, then the customer answers: the same dialogue, reopened.
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    dialogue::resolve(&pool, received.conversation_id, agent).await.unwrap();
    let reply = "From: juergen@example.de\r\nTo: support@meridian.test\r\nSubject: Re: Rückerstattung\r\nMessage-ID: <second-2@example.de>\r\n\
                 In-Reply-To: <first-1@example.de>\r\nReferences: <first-1@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAny news?\r\n";
    let threaded: Received = serde_json::from_str(&deliver_email(&app, &secret, reply).await.body).unwrap();
    assert_eq!(threaded.conversation_id, received.conversation_id);
    assert!(!threaded.opened);
    let status: String = sqlx::query_scalar("select status from conversations where id = $1").bind(received.conversation_id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "open");

    let fresh = "From: someone@example.org\r\nTo: support@meridian.test\r\nSubject: Hello\r\nMessage-ID: <other@example.org>\r\n\r\nA new question.\r\n";
    let new: Received = serde_json::from_str(&deliver_email(&app, &secret, fresh).await.body).unwrap();
    assert!(new.opened);
    assert_ne!(new.conversation_id, received.conversation_id);
}

// Every customer message records who sent it, and a reply threaded by its headers from an
// address that is not the dialogue's customer (nor has written in it) opens apart, "from
// another sender", until an agent accepts it: then it joins, and that sender is known there.
#[sqlx::test]
async fn a_threaded_reply_from_a_stranger_is_held_apart_until_accepted(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let first: Received = serde_json::from_str(&deliver_email(&app, &secret, FIRST_MAIL).await.body).unwrap();
    let sender: Option<String> = sqlx::query_scalar("select sender from messages where id = $1").bind(first.message_id).fetch_one(&pool).await.unwrap();
    assert_eq!(sender.as_deref(), Some("juergen@example.de"));

    let stranger = "From: Mallory <mallory@evil.example>\r\nTo: support@meridian.test\r\nSubject: Re: refund\r\nMessage-ID: <m-1@evil.example>\r\n\
                    In-Reply-To: <first-1@example.de>\r\nReferences: <first-1@example.de>\r\n\r\nPlease send the refund to my account instead.\r\n";
    let held: Received = serde_json::from_str(&deliver_email(&app, &secret, stranger).await.body).unwrap();
    assert!(held.opened, "a stranger's reply does not join silently");
    assert_ne!(held.conversation_id, first.conversation_id);
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let original = dialogue_view::dialogue(&pool, first.conversation_id, agent).await.unwrap().unwrap();
    assert!(!format!("{:?}", original.timeline).contains("refund to my account"));
    assert!(format!("{:?}", original.timeline).contains("an answer from another sender, mallory@evil.example"));
    let apart = dialogue_view::dialogue(&pool, held.conversation_id, agent).await.unwrap().unwrap();
    let answers = apart.answers.clone().expect("it names the dialogue it answers");
    assert_eq!((answers.id, answers.customer.as_str()), (first.conversation_id, "Jürgen Müller"));
    assert_eq!(apart.customer.email.as_deref(), Some("mallory@evil.example"));
    assert!(matches!(&apart.timeline[..], [TimelineEntry::Message { sender: Some(s), .. }, ..] if s == "mallory@evil.example"), "{:?}", apart.timeline);

    // The customer's own reply still threads as before.
    let own = "From: juergen@example.de\r\nTo: support@meridian.test\r\nSubject: Re: refund\r\nMessage-ID: <second-2@example.de>\r\n\
               In-Reply-To: <first-1@example.de>\r\n\r\nAny news?\r\n";
    let threaded: Received = serde_json::from_str(&deliver_email(&app, &secret, own).await.body).unwrap();
    assert_eq!(threaded.conversation_id, first.conversation_id);

    // Accepted by an agent (through the server function, as the page does): it joins.
    let cookie = session_cookie(&pool, agent).await;
    let res = call(&app, "accept_sender", Some(&cookie), &format!("id={}", held.conversation_id)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body.trim(), first.conversation_id.to_string());
    let joined = dialogue_view::dialogue(&pool, first.conversation_id, agent).await.unwrap().unwrap();
    assert!(format!("{:?}", joined.timeline).contains("refund to my account"));
    let emptied: (String, i64) = sqlx::query_as("select c.status, (select count(*) from messages m where m.conversation_id = c.id) from conversations c where c.id = $1")
        .bind(held.conversation_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(emptied, ("resolved".to_string(), 0));
    let again = call(&app, "accept_sender", Some(&cookie), &format!("id={}", held.conversation_id)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // Mallory is known to that dialogue now: her next threaded reply joins it.
    let next = "From: mallory@evil.example\r\nTo: support@meridian.test\r\nSubject: Re: refund\r\nMessage-ID: <m-2@evil.example>\r\n\
                In-Reply-To: <first-1@example.de>\r\n\r\nThanks.\r\n";
    let joins: Received = serde_json::from_str(&deliver_email(&app, &secret, next).await.body).unwrap();
    assert_eq!(joins.conversation_id, first.conversation_id);
}

// Malformed MIME, a missing or wrong signature, an unknown inbox: a 4xx with a sentence, nothing written.
#[sqlx::test]
async fn bad_email_deliveries_write_nothing(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let not_mail = deliver_email(&app, &secret, "this is not an e-mail at all").await;
    assert_eq!(not_mail.status, StatusCode::BAD_REQUEST, "{}", not_mail.body);
    let no_from = deliver_email(&app, &secret, "Subject: hi\r\n\r\nbody\r\n").await;
    assert_eq!(no_from.status, StatusCode::BAD_REQUEST);
    let unsigned = post_signed(&app, "/api/v1/channels/email/inbound?inbox=support@meridian.test", None, FIRST_MAIL.as_bytes(), "message/rfc822").await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    let wrong = post_signed(&app, "/api/v1/channels/email/inbound?inbox=support@meridian.test", Some("not the secret"), FIRST_MAIL.as_bytes(), "message/rfc822").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.json()["error"].as_str().unwrap().contains("signature"));
    // An unknown inbox is answered exactly like a wrong signature: names cannot be probed.
    let unknown = post_signed(&app, "/api/v1/channels/email/inbound?inbox=nobody@meridian.test", Some(&secret), FIRST_MAIL.as_bytes(), "message/rfc822").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body, wrong.body);
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await, count(&pool, "customers").await), (0, 0, 0));
}

// Two deliveries of one message at the same moment (two relays, two server processes): one message.
#[sqlx::test]
async fn simultaneous_deliveries_of_one_message_store_it_once(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let (a, b, c) = tokio::join!(
        deliver_email(&app, &secret, FIRST_MAIL),
        deliver_email(&app, &secret, FIRST_MAIL),
        deliver_email(&app, &secret, FIRST_MAIL)
    );
    let mut statuses = vec![a.status, b.status, c.status];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::OK, StatusCode::OK, StatusCode::CREATED]);
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await), (1, 1));
}

/// Starts aiosmtpd (Debian's, a real SMTP server) writing what it receives into a
/// maildir; returns the process and the maildir.
fn start_smtp(port: u16) -> (std::process::Child, tempdir::Dir) {
    let dir = tempdir::Dir::new("smtp");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(format!("{}/{sub}", dir.path())).unwrap();
    }
    let child = std::process::Command::new(std::env::var("MERIDIAN_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into()))
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox", dir.path()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("aiosmtpd (apt-get install python3-aiosmtpd)");
    (child, dir)
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new(prefix: &str) -> Dir {
            let path = std::env::temp_dir().join(format!("meridian-{prefix}-{}-{}", std::process::id(), rand::random::<u32>()));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
        pub fn path(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Every message file aiosmtpd wrote.
fn delivered(maildir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(format!("{maildir}/{sub}")) {
            for e in entries.flatten() {
                out.push(std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out
}

// The agent's reply leaves through the outbox: while the SMTP server is down it is kept
// and retried with a pause; when the server is back it is delivered exactly once, threaded
// (Message-ID, In-Reply-To, References) with a plain-text part. An internal note is never
// sent. The customer's answer to our reply threads back into the dialogue.
#[sqlx::test]
async fn replies_leave_through_the_outbox_exactly_once(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let received: Received = serde_json::from_str(&deliver_email(&app, &secret, FIRST_MAIL).await.body).unwrap();
    let id = received.conversation_id;
    let agent = user(&pool, "ines@meridian.test", Role::Operator).await;
    dialogue::write_message(&pool, id, agent, "Internal: check the **order** first.", true, false, &[]).await.unwrap();
    let reply_id = dialogue::write_message(&pool, id, agent, "Hello Jürgen, the refund is **on its way**.", false, false, &[]).await.unwrap();
    let queued: Vec<(Option<i64>, String)> = sqlx::query_as("select message_id, kind from outbox").fetch_all(&pool).await.unwrap();
    assert_eq!(queued, vec![(Some(reply_id), "email".to_string())], "one reply queued, the note never");

    let port = free_port();
    let outbox = Outbox::new(pool.clone(), Some(&format!("smtp://127.0.0.1:{port}")), "http://meridian.test").unwrap();
    // Down: the attempt fails and is kept for later.
    assert_eq!(outbox.deliver_due().await.unwrap(), Pass { sent: 0, failed: 1 });
    let (attempts, waits, sent): (i32, bool, bool) =
        sqlx::query_as("select attempts, next_attempt_at > now(), sent_at is not null from outbox").fetch_one(&pool).await.unwrap();
    assert_eq!((attempts, waits, sent), (1, true, false));
    // Not due yet: nothing is tried.
    assert_eq!(outbox.deliver_due().await.unwrap(), Pass::default());

    let (mut smtp, maildir) = start_smtp(port);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sqlx::query("update outbox set next_attempt_at = now()").execute(&pool).await.unwrap();
    let pass = outbox.deliver_due().await.unwrap();
    let again = outbox.deliver_due().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = delivered(maildir.path());
    let _ = smtp.kill();
    let error: Option<String> = sqlx::query_scalar("select last_error from outbox").fetch_one(&pool).await.unwrap();
    assert_eq!(pass, Pass { sent: 1, failed: 0 }, "{error:?}");
    assert_eq!(again, Pass::default());
    assert_eq!(mails.len(), 1, "exactly one e-mail");
    let mail = &mails[0];
    let message_id: String = sqlx::query_scalar("select external_id from outbox").fetch_one(&pool).await.unwrap();
    assert!(mail.contains(&format!("Message-ID: {message_id}")), "{mail}");
    assert!(mail.contains("In-Reply-To: <first-1@example.de>"), "{mail}");
    assert!(mail.contains("References: <first-1@example.de>"), "{mail}");
    assert!(mail.contains("Content-Type: text/plain"), "{mail}");
    assert!(mail.contains("juergen@example.de"));
    assert!(!mail.contains("Internal: check"), "a note never leaves");
    assert!(mail.contains("Reply-To:") && mail.contains(&format!("support+c{id}.")), "{mail}");

    // The customer answers our reply (their program quotes our Message-ID only).
    let answer_mail = format!(
        "From: juergen@example.de\r\nTo: support@meridian.test\r\nSubject: Re: refund\r\nMessage-ID: <third-3@example.de>\r\nIn-Reply-To: {message_id}\r\n\r\nThank you!\r\n"
    );
    let threaded: Received = serde_json::from_str(&deliver_email(&app, &secret, &answer_mail).await.body).unwrap();
    assert_eq!(threaded.conversation_id, id);
}

// A reply whose mail program dropped In-Reply-To still finds its dialogue by the signed
// reply address; a forged one does not.
#[sqlx::test]
async fn the_reply_address_carries_its_dialogue(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let received: Received = serde_json::from_str(&deliver_email(&app, &secret, FIRST_MAIL).await.body).unwrap();
    let id = received.conversation_id;
    let key = channels::signing_key(&pool).await.unwrap();
    let tag = app::domain::signing::tag(&key, "reply", id);
    let mail = |to: String, mid: &str| {
        format!("From: juergen@example.de\r\nTo: {to}\r\nSubject: no threading headers\r\nMessage-ID: <{mid}@example.de>\r\n\r\nHello again\r\n")
    };
    let good: Received = serde_json::from_str(&deliver_email(&app, &secret, &mail(format!("support+c{id}.{tag}@meridian.test"), "a")).await.body).unwrap();
    assert_eq!(good.conversation_id, id);
    let forged: Received =
        serde_json::from_str(&deliver_email(&app, &secret, &mail(format!("support+c{id}.0000000000000000deadbeef@meridian.test"), "b")).await.body).unwrap();
    assert!(forged.opened, "a forged tag opens a new dialogue");
}

/// A webhook receiver on a local port: answers `status` and keeps what it got, verified.
async fn receiver(secret: String, status: StatusCode) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    use axum::routing::post;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let keep = keep.clone();
            let secret = secret.clone();
            async move {
                let sig = headers.get("x-meridian-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let body_text = String::from_utf8(body.to_vec()).unwrap();
                let now = chrono::Utc::now().timestamp();
                assert!(app::domain::webhooks::verify_signature(&secret, &sig, &body_text, now), "signed with the channel's secret and a timestamp: {sig}");
                assert!(!app::domain::webhooks::verify_signature(&secret, &sig, &body_text, now + 3600), "a replay an hour later is refused");
                keep.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, got)
}

// Webhooks: a bad signature is refused and writes nothing; a good message opens a dialogue
// once however often it is delivered; the agent's reply goes to the callback, signed,
// through the outbox (retried after the callback fails).
#[sqlx::test]
async fn webhook_messages_in_and_replies_out(pool: PgPool) {
    let (channel, secret) = social_channel(&pool, None).await;
    let app = app(&pool);
    let path = format!("/api/v1/channels/{channel}/inbound");
    let msg = br#"{"message_id":"tw-1","conversation_id":"thread-9","user_id":"u-77","name":"Kim","text":"My order is late","sent_at":"2026-11-23T08:00:00Z"}"#;

    let bad = post_signed(&app, &path, Some("wrong secret"), msg, "application/json").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let none = post_signed(&app, &path, None, msg, "application/json").await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let junk = post_signed(&app, &path, Some(&secret), b"{\"message_id\": 1", "application/json").await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    let empty = post_signed(&app, &path, Some(&secret), br#"{"message_id":"x","conversation_id":"t","user_id":"u","name":"K","text":"  "}"#, "application/json").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await, count(&pool, "customers").await), (0, 0, 0));

    let first = post_signed(&app, &path, Some(&secret), msg, "application/json").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = post_signed(&app, &path, Some(&secret), msg, "application/json").await;
    assert_eq!(again.status, StatusCode::OK);
    let next = br#"{"message_id":"tw-2","conversation_id":"thread-9","user_id":"u-77","name":"Kim","text":"Hello?"}"#;
    let second: Received = serde_json::from_str(&post_signed(&app, &path, Some(&secret), next, "application/json").await.body).unwrap();
    let first: Received = serde_json::from_str(&first.body).unwrap();
    assert_eq!(second.conversation_id, first.conversation_id, "one external thread, one dialogue");
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await, count(&pool, "customers").await), (1, 2, 1));

    let (port, got) = receiver(secret.clone(), StatusCode::SERVICE_UNAVAILABLE).await;
    sqlx::query("update channels set callback_url = $2 where id = $1").bind(channel).bind(format!("http://127.0.0.1:{port}/hook")).execute(&pool).await.unwrap();
    let agent = user(&pool, "kai@meridian.test", Role::Operator).await;
    dialogue::write_message(&pool, first.conversation_id, agent, "It ships today.", false, false, &[]).await.unwrap();
    let outbox = Outbox::new(pool.clone(), None, "http://meridian.test").unwrap();
    assert_eq!(outbox.deliver_due().await.unwrap(), Pass { sent: 0, failed: 1 }, "the callback answered 503");
    // Agents read what happened in Meridian's words, not the bridge's.
    let shown = app::backend::outbox::deliveries(&pool, first.conversation_id).await.unwrap();
    assert_eq!(shown[0].1, "Sending (attempt 2; last time the channel's callback refused it)");

    let (port2, got2) = receiver(secret.clone(), StatusCode::OK).await;
    sqlx::query("update outbox set recipient = $1, next_attempt_at = now()").bind(format!("http://127.0.0.1:{port2}/hook")).execute(&pool).await.unwrap();
    assert_eq!(outbox.deliver_due().await.unwrap(), Pass { sent: 1, failed: 0 });
    assert_eq!(outbox.deliver_due().await.unwrap(), Pass::default());
    assert_eq!(got.lock().unwrap().len(), 1);
    let delivered = got2.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["conversation_id"], "thread-9");
    assert_eq!(delivered[0]["text"], "It ships today.");
}

const XSS: [&str; 8] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onpageshow=alert(1)>",
    "<a href=\"jAvAsCrIpT:alert(1)\">x</a>",
    "\"><script>alert(document.cookie)</script>",
];

// Known XSS payloads sent by e-mail (text and HTML), chat and webhook never produce a
// script, an event handler or a javascript: URL in what agents see.
#[sqlx::test]
async fn xss_payloads_never_reach_agents_as_markup(pool: PgPool) {
    let (_, mail_secret) = email_inbox(&pool).await;
    let (social, social_secret) = social_channel(&pool, None).await;
    let chat = channels::channel(&pool, {
        let id: i64 = sqlx::query_scalar("insert into channels (kind, name, address, first_response_target) values ('chat', 'Website chat', 'website', interval '2 minutes') returning id")
            .fetch_one(&pool)
            .await
            .unwrap();
        id
    })
    .await
    .unwrap()
    .unwrap();
    let app = app(&pool);
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, agent).await;
    let mut ids = Vec::new();
    for (i, payload) in XSS.iter().enumerate() {
        let mail = format!(
            "From: x{i}@example.com\r\nTo: support@meridian.test\r\nSubject: {payload}\r\nMessage-ID: <x{i}@example.com>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n{payload}\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>{payload}</p>\r\n--b--\r\n"
        );
        let r = deliver_email(&app, &mail_secret, &mail).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(serde_json::from_str::<Received>(&r.body).unwrap().conversation_id);
        let hook = serde_json::json!({ "message_id": format!("m{i}"), "conversation_id": format!("t{i}"), "user_id": format!("u{i}"), "name": payload, "text": payload }).to_string();
        let r = post_signed(&app, &format!("/api/v1/channels/{social}/inbound"), Some(&social_secret), hook.as_bytes(), "application/json").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(serde_json::from_str::<Received>(&r.body).unwrap().conversation_id);
        let (_, r) = chat::start_chat(&pool, &chat, payload, &format!("c{i}@example.com"), payload, true).await.unwrap();
        ids.push(r.conversation_id);
    }
    for id in ids {
        let d = dialogue_view::dialogue(&pool, id, agent).await.unwrap().unwrap();
        for entry in &d.timeline {
            if let app::model::dialogue::TimelineEntry::Message { html: Some(html), .. } = entry {
                let html = html.to_lowercase();
                assert!(!html.contains("<script") && !html.contains("javascript:") && !html.contains("<iframe"), "{html}");
                assert!(!regex_like_handler(&html), "an event handler: {html}");
            }
        }
        // The page agents open: no payload appears as markup.
        let page = page(&app, &format!("/dialogue?id={id}"), Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        for payload in XSS {
            assert!(!page.body.contains(payload), "{payload} appears verbatim in the dialogue page");
        }
        let lower = page.body.to_lowercase();
        for (at, _) in lower.match_indices("javascript:") {
            // Inside a tag when the nearest angle bracket before it opens one.
            let open = lower[..at].rfind('<');
            let close = lower[..at].rfind('>');
            assert!(close >= open, "a javascript: URL inside a tag: {}", &page.body[at.saturating_sub(200)..at + 40]);
        }
    }
}

/// An HTML attribute named on…= (an event handler).
fn regex_like_handler(html: &str) -> bool {
    let bytes = html.as_bytes();
    (0..bytes.len().saturating_sub(3)).any(|i| {
        (bytes[i] == b' ' || bytes[i] == b'\t' || bytes[i] == b'/')
            && bytes[i + 1] == b'o'
            && bytes[i + 2] == b'n'
            && html[i + 3..].chars().take_while(|c| c.is_ascii_alphabetic()).count() > 0
            && html[i + 3..].trim_start_matches(|c: char| c.is_ascii_alphabetic()).starts_with('=')
    })
}

// Routing: in order, the first matching rule sets the purpose and team of a new dialogue.
#[sqlx::test]
async fn routing_rules_place_new_dialogues(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Billing desk', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    use app::domain::channels::RoutingRule;
    use app::domain::dialogue::Topic;
    let rule = |name: &str, keywords: &[&str], topic, team_id| RoutingRule {
        id: 0,
        name: name.into(),
        channel_id: None,
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        address: String::new(),
        topic,
        team_id,
    };
    let legal = routing::add_rule(&pool, &rule("Legal", &["gdpr"], Topic::Legal, None)).await.unwrap();
    routing::add_rule(&pool, &rule("Money", &["refund", "invoice"], Topic::Billing, Some(team))).await.unwrap();
    let app = app(&pool);
    let r: Received = serde_json::from_str(&deliver_email(&app, &secret, FIRST_MAIL).await.body).unwrap();
    let (topic, team_id): (String, Option<i64>) =
        sqlx::query_as("select topic, team_id from conversations where id = $1").bind(r.conversation_id).fetch_one(&pool).await.unwrap();
    assert_eq!((topic.as_str(), team_id), ("billing", Some(team)));
    let detail: serde_json::Value = sqlx::query_scalar("select detail from conversation_events where conversation_id = $1 and kind = 'opened'")
        .bind(r.conversation_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(detail["text"], "routed by \"Money\"");
    // Moving "Money" above "Legal" changes who wins a message naming both.
    let sample = app::domain::channels::RoutingSample { channel_id: 1, addresses: vec![], subject: "GDPR and a refund".into(), text: String::new() };
    assert_eq!(routing::test_route(&pool, &sample).await.unwrap().unwrap().name, "Legal");
    routing::move_rule(&pool, legal, false).await.unwrap();
    assert_eq!(routing::test_route(&pool, &sample).await.unwrap().unwrap().name, "Money");
}

fn chat_form(app: &axum::Router, path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let _ = app;
    form_post(path, cookie, form)
}

// The chat page: a customer starts a chat (a cookie brings them back to it), sees the
// agent's reply but never a note, and rates the resolved dialogue once: a second answer
// changes the first.
#[sqlx::test]
async fn a_chat_customer_talks_sees_replies_not_notes_and_rates_once(pool: PgPool) {
    sqlx::query("insert into channels (kind, name, address, first_response_target, ask_nps) values ('chat', 'Website chat', 'website', interval '2 minutes', true)")
        .execute(&pool)
        .await
        .unwrap();
    let app = app(&pool);
    let bad = answer(app.clone().oneshot(chat_form(&app, "/chat/website/start", None, "name=Ana&email=not-an-address&text=Hi")).await.unwrap()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("e-mail address"), "{}", bad.body);
    assert_eq!(count(&pool, "conversations").await, 0);

    let started = answer(app.clone().oneshot(chat_form(&app, "/chat/website/start", None, "name=Ana+Lima&email=ana%40example.com&text=Where+is+my+parcel%3F")).await.unwrap()).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let set_cookie = started.set_cookie().expect("a visitor cookie");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("Path=/chat/website"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let id: i64 = sqlx::query_scalar("select id from conversations").fetch_one(&pool).await.unwrap();

    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    dialogue::write_message(&pool, id, agent, "SECRET NOTE about Ana", true, false, &[]).await.unwrap();
    dialogue::write_message(&pool, id, agent, "It arrives **tomorrow**.", false, false, &[]).await.unwrap();
    assert_eq!(count(&pool, "outbox").await, 0, "chat replies are read on the page, not sent");
    let shown = page(&app, "/chat/website", Some(&cookie)).await;
    assert!(shown.body.contains("Where is my parcel?") && shown.body.contains("<strong>tomorrow</strong>"), "{}", shown.body);
    assert!(!shown.body.contains("SECRET NOTE"), "an internal note reached the customer");
    let state = page(&app, "/chat/website/state", Some(&cookie)).await;
    assert!(!state.body.contains("SECRET NOTE"));
    // Someone else's cookie (or none) sees the start form, not this conversation.
    assert!(!page(&app, "/chat/website", None).await.body.contains("parcel"));
    assert_eq!(page(&app, "/chat/website/state", Some("meridian_chat=forged")).await.status, StatusCode::UNAUTHORIZED);

    let more = answer(app.clone().oneshot(chat_form(&app, "/chat/website/messages", Some(&cookie), "text=Thanks!")).await.unwrap()).await;
    assert_eq!(more.status, StatusCode::SEE_OTHER);
    // Too early to rate.
    let early = answer(app.clone().oneshot(chat_form(&app, "/chat/website/rating", Some(&cookie), "csat=3")).await.unwrap()).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);

    dialogue::resolve(&pool, id, agent).await.unwrap();
    let rated = answer(app.clone().oneshot(chat_form(&app, "/chat/website/rating", Some(&cookie), "csat=3&ces=6&nps=9&comment=Quick+and+kind")).await.unwrap()).await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let changed = answer(app.clone().oneshot(chat_form(&app, "/chat/website/rating", Some(&cookie), "csat=2")).await.unwrap()).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let (csat, ces, nps, comment): (i16, Option<i16>, Option<i16>, Option<String>) =
        sqlx::query_as("select csat, ces, nps, csat_comment from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((csat, ces, nps, comment), (2, None, None, None), "the second answer replaced the first");
    let out_of_range = answer(app.clone().oneshot(chat_form(&app, "/chat/website/rating", Some(&cookie), "csat=3&ces=9")).await.unwrap()).await;
    assert_eq!(out_of_range.status, StatusCode::BAD_REQUEST);
    let d = dialogue_view::dialogue(&pool, id, agent).await.unwrap().unwrap();
    assert_eq!(d.rating.unwrap().csat, "Good");
}

// A resolved e-mail dialogue asks for a rating once by e-mail; its link rates that dialogue
// only.
#[sqlx::test]
async fn rating_links_rate_only_their_dialogue(pool: PgPool) {
    let (_, secret) = email_inbox(&pool).await;
    let app = app(&pool);
    let a: Received = serde_json::from_str(&deliver_email(&app, &secret, FIRST_MAIL).await.body).unwrap();
    let other = "From: b@example.org\r\nTo: support@meridian.test\r\nSubject: B\r\nMessage-ID: <b@example.org>\r\n\r\nB\r\n";
    let b: Received = serde_json::from_str(&deliver_email(&app, &secret, other).await.body).unwrap();
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    for id in [a.conversation_id, b.conversation_id] {
        dialogue::resolve(&pool, id, agent).await.unwrap();
    }
    dialogue::reopen(&pool, a.conversation_id, agent).await.unwrap();
    dialogue::resolve(&pool, a.conversation_id, agent).await.unwrap();
    let requests: i64 = sqlx::query_scalar("select count(*) from outbox where purpose = 'rating' and conversation_id = $1")
        .bind(a.conversation_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(requests, 1, "asked once, however often it is resolved");

    let key = channels::signing_key(&pool).await.unwrap();
    let tag_a = app::domain::signing::tag(&key, "rate", a.conversation_id);
    let form = |path: String| chat_form(&app, &path, None, "csat=1&comment=Slow");
    assert_eq!(page(&app, &format!("/rate/{}/{tag_a}", a.conversation_id), None).await.status, StatusCode::OK);
    let wrong = answer(app.clone().oneshot(form(format!("/rate/{}/{tag_a}", b.conversation_id))).await.unwrap()).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "a's link does not rate b");
    let right = answer(app.clone().oneshot(form(format!("/rate/{}/{tag_a}", a.conversation_id))).await.unwrap()).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    let rated: Vec<(i64, Option<i16>)> = sqlx::query_as("select id, csat from conversations order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(rated, vec![(a.conversation_id, Some(1)), (b.conversation_id, None)]);
    ratings::rate(&pool, a.conversation_id, Rating { csat: 3, ..Default::default() }).await.unwrap();
    let events: i64 = sqlx::query_scalar("select count(*) from conversation_events where kind = 'rated'").fetch_one(&pool).await.unwrap();
    assert_eq!(events, 2);
}

/// The URL of this test's own database.
async fn url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name: String = sqlx::query_scalar("select current_database()").fetch_one(pool).await.unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

// `meridian mail-in` reads one message on standard input, the way Postfix pipes it: exit 0
// when stored (and again for a redelivery), 65 for a non-message, 67 for an unknown inbox.
#[sqlx::test]
async fn mail_in_stores_a_piped_message(pool: PgPool) {
    use std::io::Write;
    email_inbox(&pool).await;
    let url = url_of(&pool).await;
    let run = |inbox: &str, input: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
            .args(["mail-in", "--inbox", inbox])
            .env("DATABASE_URL", &url)
            .env("MERIDIAN_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let first = run("support@meridian.test", FIRST_MAIL);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("new dialogue"));
    assert_eq!(run("Support e-mail", FIRST_MAIL).status.code(), Some(0));
    assert_eq!(run("support@meridian.test", "garbage").status.code(), Some(65));
    assert_eq!(run("nobody@meridian.test", FIRST_MAIL).status.code(), Some(67));
    assert_eq!((count(&pool, "conversations").await, count(&pool, "messages").await), (1, 1));
}

// An owner adds an inbox (checked, unique), and pausing it stops what arrives on it at once.
#[sqlx::test]
async fn an_owner_adds_an_inbox_and_pauses_it(pool: PgPool) {
    let id = channels::add_channel(&pool, "email", " Billing  e-mail ", "Billing@Example.com", 240).await.unwrap();
    let found = channels::channel_named(&pool, "email", "billing@example.com").await.unwrap().unwrap();
    assert_eq!((found.id, found.name.as_str()), (id, "Billing e-mail"));
    assert!(matches!(channels::add_channel(&pool, "email", "Other", "billing@example.com", 60).await, Err(AppError::Conflict(_))));
    assert!(matches!(channels::add_channel(&pool, "email", "Bad", "billing", 60).await, Err(AppError::Invalid(_))));
    assert!(matches!(channels::add_channel(&pool, "chat", "Slow", "pricing", 0).await, Err(AppError::Invalid(_))));
    let chat = channels::add_channel(&pool, "chat", "Pricing chat", "Pricing", 2).await.unwrap();
    assert!(channels::channel_named(&pool, "chat", "pricing").await.unwrap().is_some());

    channels::set_active(&pool, chat, false).await.unwrap();
    assert!(channels::channel_named(&pool, "chat", "pricing").await.unwrap().is_none());
    assert_eq!(page_status(&pool, "/chat/pricing").await, StatusCode::NOT_FOUND);
    channels::set_active(&pool, chat, true).await.unwrap();
    assert_eq!(page_status(&pool, "/chat/pricing").await, StatusCode::OK);
    assert!(matches!(channels::set_active(&pool, 999_999, false).await, Err(AppError::NotFound(_))));
}

async fn page_status(pool: &PgPool, path: &str) -> StatusCode {
    page(&app(pool), path, None).await.status
}

// A reset link leaves by SMTP through the outbox job (once), with the link under the
// public address; the stored copy loses the link once it is sent.
#[sqlx::test]
async fn a_reset_link_leaves_by_smtp_once_and_is_not_kept(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    app::backend::account::request_reset(&pool, "agent@meridian.test", "127.0.0.1").await.unwrap();
    let path: String = sqlx::query_scalar("select link_path from account_mail").fetch_one(&pool).await.unwrap();
    let port = free_port();
    let (mut smtp, maildir) = start_smtp(port);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outbox = Outbox::new(pool.clone(), Some(&format!("smtp://127.0.0.1:{port}")), "https://help.example.com").unwrap();
    let pass = outbox.deliver_account_mail().await.unwrap();
    let again = outbox.deliver_account_mail().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = delivered(maildir.path());
    let _ = smtp.kill();
    assert_eq!((pass, again), (Pass { sent: 1, failed: 0 }, Pass::default()));
    assert_eq!(mails.len(), 1);
    let mail = &quoted_printable(&mails[0]);
    assert!(mail.contains("To: agent@meridian.test"), "{mail}");
    assert!(mail.contains("From: Meridian <no-reply@help.example.com>"), "{mail}");
    assert!(mail.contains("Subject: Choose a new Meridian password"), "{mail}");
    assert!(mail.contains(&format!("https://help.example.com{path}")), "{mail}");
    let (kept, sent): (Option<String>, bool) = sqlx::query_as("select link_path, sent_at is not null from account_mail").fetch_one(&pool).await.unwrap();
    assert_eq!((kept, sent), (None, true));
}

/// The text of a quoted-printable body, as a mail reader shows it.
fn quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
