//! E-mail in and out. In: one raw RFC 5322 message (from `meridian mail-in` on standard
//! input, or `POST /api/v1/channels/email/inbound`) is parsed with mail-parser (MIME,
//! charsets, attachments) into an [`Inbound`]. Out: an agent's reply or a rating request
//! becomes a threaded message (Message-ID, In-Reply-To, References, a plain-text part
//! and an HTML part) sent over SMTP by lettre.

use app::backend::channels;
use app::model::admin::Channel;
use app::backend::inbound::{self, Inbound, NewAttachment, Sender, Thread};
use app::backend::outbox::OutboxItem;
use app::domain::channels as rules;
use app::error::AppError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mail_parser::{MessageParser, MimeHeaders};

/// Parses a raw e-mail for `channel`. Malformed input (no headers, no sender) and
/// oversized messages are refused with a 4xx error; nothing is written.
pub fn parse(raw: &[u8], channel: &Channel) -> Result<Inbound, AppError> {
    if raw.len() > rules::MAX_EMAIL_BYTES {
        return Err(AppError::TooLarge(format!(
            "The message is larger than {} MB.",
            rules::MAX_EMAIL_BYTES / (1024 * 1024)
        )));
    }
    let malformed = || AppError::Invalid("This is not an e-mail message: it needs headers (From, …) and a body.".into());
    if !looks_like_headers(raw) {
        return Err(malformed());
    }
    let message = MessageParser::default().parse(raw).ok_or_else(malformed)?;
    let from = message.from().and_then(|a| a.first()).ok_or_else(malformed)?;
    let address = from.address().filter(|a| a.contains('@')).ok_or_else(malformed)?.to_string();
    let name = from.name().unwrap_or_default().to_string();

    // Without a Message-ID, the message's own bytes identify it: the same message twice
    // is still stored once.
    let external_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => format!("<{}>", id.trim()),
        _ => format!("<{}@digest.meridian>", rules::hex(&app::backend::sha256_bytes(raw))),
    };
    let mut references: Vec<String> = Vec::new();
    for header in [message.in_reply_to(), message.references()] {
        if let Some(list) = header.as_text_list() {
            references.extend(list.iter().map(|r| format!("<{}>", r.trim())));
        } else if let Some(one) = header.as_text() {
            references.push(format!("<{}>", one.trim()));
        }
    }
    let mut recipients: Vec<String> = Vec::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(list.iter().filter_map(|a| a.address()).map(str::to_string));
    }
    for header in ["Delivered-To", "X-Original-To"] {
        if let Some(value) = message.header_raw(header) {
            recipients.push(value.trim().to_string());
        }
    }

    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    // The sender's own HTML part, if any (mail-parser also offers HTML made from text).
    let html = message
        .html_body
        .first()
        .and_then(|i| message.parts.get(*i as usize))
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents())
        .map(str::to_string);
    let mut attachments = Vec::new();
    let mut dropped = Vec::new();
    for part in message.attachments() {
        let filename = part.attachment_name().unwrap_or("attachment").to_string();
        let data = part.contents();
        if data.len() > rules::MAX_ATTACHMENT_BYTES {
            dropped.push(filename);
            continue;
        }
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".into());
        attachments.push(NewAttachment { filename, content_type, data: data.to_vec() });
    }
    Ok(Inbound {
        channel: channel.clone(),
        external_id: Some(external_id),
        thread: Thread::Email { references, recipients },
        sender: Sender::Email { address, name },
        subject: message.subject().unwrap_or_default().to_string(),
        text,
        html,
        attachments,
        dropped,
    })
}

/// A message starts with header lines (`Name: value`) before its first empty line.
fn looks_like_headers(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(8192)];
    let text = String::from_utf8_lossy(head);
    let first = text.lines().next().unwrap_or_default();
    let has_colon_name = first
        .split_once(':')
        .is_some_and(|(name, _)| !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
    has_colon_name || first.starts_with("From ")
}

/// The SMTP server, from `MERIDIAN_SMTP_URL`: `smtp://host:port` (plain, for a local
/// relay), `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`.
pub fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|b| b.timeout(Some(std::time::Duration::from_secs(30))).build())
        .map_err(|e| format!("MERIDIAN_SMTP_URL is not a valid SMTP address: {e}"))
}

/// Builds the e-mail for an outbox item: a reply, or the request to rate a dialogue.
pub fn build(item: &OutboxItem, references: &[String], rating_url: &str, reply_to: Option<String>) -> Result<lettre::Message, String> {
    let from_address = item.channel_address.parse().map_err(|e| format!("the inbox address is not an e-mail address: {e}"))?;
    let from = Mailbox::new(Some(item.channel_name.clone()), from_address);
    let to_address = item.recipient.parse().map_err(|e| format!("the customer's address is not valid: {e}"))?;
    let to = Mailbox::new(Some(item.customer_name.clone()), to_address);
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(rules::reply_subject(&item.subject))
        .message_id(Some(item.external_id.clone()))
        .date(item.written_at.into());
    if let Some(reply_to) = reply_to.and_then(|r| r.parse().ok()) {
        builder = builder.reply_to(Mailbox::new(Some(item.channel_name.clone()), reply_to));
    }
    if let Some(last) = references.last() {
        builder = builder.in_reply_to(last.clone()).references(references.join(" "));
    }
    let (text, html) = match item.purpose.as_str() {
        "rating" => (
            format!(
                "Hello {},\n\nYour conversation \"{}\" is resolved. How did we do?\n\nRate it here: {rating_url}\n\n— {}\n",
                item.customer_name, item.subject, item.channel_name
            ),
            format!(
                "<p>Hello {},</p><p>Your conversation “{}” is resolved. How did we do?</p>\
                 <p><a href=\"{rating_url}\">Rate it: bad, good or excellent</a></p><p>— {}</p>",
                crate::help::esc(&item.customer_name),
                crate::help::esc(&item.subject),
                crate::help::esc(&item.channel_name)
            ),
        ),
        _ => {
            let body = item.body.clone().unwrap_or_default();
            let signature = item.author.clone().map(|a| format!("\n\n— {a}, {}", item.channel_name)).unwrap_or_default();
            let html = format!(
                "{}<p>{}</p>",
                app::domain::kb::render_markdown(&body),
                crate::help::esc(signature.trim_start_matches('\n').trim_start_matches('\n'))
            );
            (format!("{body}{signature}\n"), html)
        }
    };
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )
        .map_err(|e| format!("could not build the e-mail: {e}"))
}

/// Builds an e-mail to staff (a reset link): plain text, the link put where `{link}` is.
pub fn build_account_mail(from: &Mailbox, mail: &app::backend::account::DueMail, link: &str) -> Result<lettre::Message, String> {
    let to: Mailbox = mail.recipient.parse().map_err(|e| format!("the address is not valid: {e}"))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.replace("{link}", link))
        .map_err(|e| format!("could not build the e-mail: {e}"))
}

/// Sends one built message.
pub async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, message: lettre::Message) -> Result<(), String> {
    transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

/// The reply address of a dialogue on an inbox: replies to it find the dialogue even if
/// the customer's mail program drops In-Reply-To.
pub fn reply_address(key: &[u8], item: &OutboxItem) -> Option<String> {
    rules::reply_address(&item.channel_address, item.conversation_id, &app::domain::signing::tag(key, "reply", item.conversation_id))
}

/// Delivers one raw e-mail to the inbox named `inbox` (its address or name): parsed,
/// stored once, committed. Shared by `meridian mail-in` and the inbound HTTP route.
pub async fn deliver(pool: &sqlx::PgPool, inbox: &str, raw: &[u8]) -> Result<app::model::channels::Received, AppError> {
    let channel = channels::channel_named(pool, "email", inbox)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no e-mail inbox named '{inbox}'.")))?;
    let inbound = parse(raw, &channel)?;
    inbound::receive(pool, inbound).await
}
