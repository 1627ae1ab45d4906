//! Channels in PostgreSQL: every inbound message (chat, e-mail, webhook) goes through
//! [`receive`], one transaction that dedupes it by its external id, finds or opens its
//! dialogue (routing new ones), stores it sanitized with its attachments and announces
//! it. Agents' replies and rating requests leave through the `outbox` (see
//! [`enqueue_reply`]); the server's outbox job sends them.

use super::conversations;
use crate::domain::channels::{self as rules, Rating, RoutingRule, RoutingSample};
use crate::domain::dialogue::Topic;
use crate::error::AppError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use crate::backend::constraints::ConstraintExt;

type HmacSha256 = Hmac<sha2::Sha256>;

/// HMAC-SHA256 of `body` with `key`.
pub fn sign(key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `signature` is the HMAC of `body` with `key` (compared in constant time).
pub fn verify(key: &[u8], body: &[u8], signature: &[u8]) -> bool {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(signature).is_ok()
}

/// Customer HTML made safe to show: an allow-list of formatting tags and attributes; no
/// scripts, styles, event handlers, forms or `javascript:` URLs; links open safely.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto", "cid"].into_iter().collect())
        .clean(html)
        .to_string()
}

/// Customer text as stored: control characters (but newlines and tabs) removed, CRLF
/// folded, trimmed, and cut at the longest text kept.
pub fn clean_text(text: &str) -> String {
    let text: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let text = text.trim();
    if text.chars().count() > rules::MAX_TEXT_CHARS {
        let cut: String = text.chars().take(rules::MAX_TEXT_CHARS).collect();
        format!("{cut}\n[…the rest of this message was cut]")
    } else {
        text.to_string()
    }
}

/// The installation's signing key (rating links, reply addresses), from the database so
/// every server process agrees on it.
pub async fn signing_key(pool: &PgPool) -> Result<Vec<u8>, sqlx::Error> {
    let key: String = sqlx::query_scalar("select value from app_secrets where name = 'signing'").fetch_one(pool).await?;
    Ok(key.into_bytes())
}

/// A short tag proving a link or address was made by us for this dialogue and purpose.
pub fn tag(key: &[u8], purpose: &str, conversation_id: i64) -> String {
    rules::hex(&sign(key, format!("{purpose}:{conversation_id}").as_bytes()))[..24].to_string()
}

/// Whether `tag` is ours for this dialogue and purpose (constant-time enough: fixed length,
/// compared byte by byte without early exit).
pub fn tag_matches(key: &[u8], purpose: &str, conversation_id: i64, candidate: &str) -> bool {
    let expected = tag(key, purpose, conversation_id);
    expected.len() == candidate.len() && expected.bytes().zip(candidate.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A channel as inbound handlers need it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Channel {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub secret: String,
    pub callback_url: Option<String>,
    pub ask_nps: bool,
}

const CHANNEL_COLUMNS: &str = "id, kind, name, address, secret, callback_url, ask_nps";

/// An active channel by id.
pub async fn channel(pool: &PgPool, id: i64) -> Result<Option<Channel>, sqlx::Error> {
    sqlx::query_as(&format!("select {CHANNEL_COLUMNS} from channels where id = $1 and active"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// An active channel of `kind` by its name or address (case-insensitive), e.g. the chat
/// page slug `website` or the inbox `support@example.com`.
pub async fn channel_named(pool: &PgPool, kind: &str, name: &str) -> Result<Option<Channel>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {CHANNEL_COLUMNS} from channels
          where kind = $1 and active and (lower(address) = lower($2) or lower(name) = lower($2))
          order by id limit 1"
    ))
    .bind(kind)
    .bind(name.trim())
    .fetch_optional(pool)
    .await
}

/// Who wrote an inbound message.
#[derive(Clone, Debug)]
pub enum Sender {
    /// By e-mail address (e-mail, chat): one customer per address.
    Email { address: String, name: String },
    /// By the id a social network gives them, per channel.
    External { user_id: String, name: String },
}

/// Which dialogue an inbound message continues.
#[derive(Clone, Debug)]
pub enum Thread {
    /// E-mail: the Message-IDs it answers (In-Reply-To, References) and the addresses it
    /// was sent to (a reply address carries its dialogue).
    Email { references: Vec<String>, recipients: Vec<String> },
    /// Webhooks: the external conversation id.
    External(String),
    /// Chat: the visitor's dialogue, if they have one.
    Dialogue(Option<i64>),
}

/// A file that came with a message.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// One inbound message, parsed by its channel's handler.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub channel: Channel,
    /// Message-ID or webhook message id; none for chat (each submit is a new message).
    pub external_id: Option<String>,
    pub thread: Thread,
    pub sender: Sender,
    pub subject: String,
    /// Plain text (from the text part, or the HTML part turned into text).
    pub text: String,
    /// The HTML part as received; sanitized here before it is stored.
    pub html: Option<String>,
    pub attachments: Vec<NewAttachment>,
    /// Names of attachments that were too large to keep.
    pub dropped: Vec<String>,
}

/// What [`receive`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub conversation_id: i64,
    pub message_id: i64,
    /// The same external id had been received before: nothing was written.
    pub duplicate: bool,
    /// A new dialogue was opened for it.
    pub opened: bool,
}

/// Stores one inbound message, exactly once, and commits before returning: the caller
/// answers the sender only after this succeeded.
pub async fn receive(pool: &PgPool, inbound: Inbound) -> Result<Received, AppError> {
    let text = clean_text(&inbound.text);
    let html = inbound.html.as_deref().map(sanitize_html).filter(|h| !h.trim().is_empty());
    let text = if text.is_empty() && inbound.attachments.is_empty() && html.is_none() {
        return Err(AppError::Invalid("The message is empty.".into()));
    } else if text.is_empty() {
        "(no text)".to_string()
    } else {
        text
    };
    let channel_id = inbound.channel.id;
    let mut tx = pool.begin().await?;
    if let Some(external_id) = &inbound.external_id {
        // Two deliveries of one message at once: the second waits here for the first to
        // commit, then finds its record.
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, $2))")
            .bind(external_id)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        let seen: Option<(i64, i64)> =
            sqlx::query_as("select conversation_id, message_id from message_refs where channel_id = $1 and external_id = $2")
                .bind(channel_id)
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((conversation_id, message_id)) = seen {
            return Ok(Received { conversation_id, message_id, duplicate: true, opened: false });
        }
    }
    if let Thread::External(thread) = &inbound.thread {
        // One external conversation opens one dialogue, however many arrive together.
        sqlx::query("select pg_advisory_xact_lock(hashtextextended('thread:' || $1, $2))")
            .bind(thread)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
    }
    let customer_id = customer_for(&mut tx, channel_id, &inbound.sender).await?;
    let existing = match &inbound.thread {
        Thread::Email { references, recipients } => {
            let by_reference: Option<i64> = sqlx::query_scalar(
                "select conversation_id from message_refs where channel_id = $1 and external_id = any($2)
                  order by message_id desc limit 1",
            )
            .bind(channel_id)
            .bind(references)
            .fetch_optional(&mut *tx)
            .await?;
            match by_reference {
                Some(id) => Some(id),
                None => by_reply_address(&mut tx, pool, channel_id, customer_id, recipients).await?,
            }
        }
        Thread::External(thread) => {
            sqlx::query_scalar("select conversation_id from channel_threads where channel_id = $1 and external_id = $2")
                .bind(channel_id)
                .bind(thread)
                .fetch_optional(&mut *tx)
                .await?
        }
        Thread::Dialogue(id) => *id,
    };
    let (conversation_id, message_id, opened) = match existing {
        Some(id) => {
            let message_id = conversations::record_customer_message_in(&mut tx, id, &text, html.as_deref()).await?;
            (id, message_id, false)
        }
        None => {
            let sender_address = match &inbound.sender {
                Sender::Email { address, .. } => address.clone(),
                Sender::External { .. } => String::new(),
            };
            let sample = RoutingSample {
                channel_id,
                addresses: vec![inbound.channel.address.clone(), sender_address],
                subject: inbound.subject.clone(),
                text: text.clone(),
            };
            let rules = routing_rules_in(&mut tx).await?;
            let matched = rules::route(&rules, &sample);
            let subject = subject_for(&inbound.subject, &text);
            let id: i64 = sqlx::query_scalar(
                "insert into conversations (channel_id, customer_id, team_id, subject, topic) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(channel_id)
            .bind(customer_id)
            .bind(matched.and_then(|r| r.team_id))
            .bind(&subject)
            .bind(matched.map(|r| r.topic).unwrap_or(Topic::Support).as_str())
            .fetch_one(&mut *tx)
            .await?;
            let message_id: i64 = sqlx::query_scalar(
                "insert into messages (conversation_id, author_kind, visibility, body, body_html)
                 values ($1, 'customer', 'public', $2, $3) returning id",
            )
            .bind(id)
            .bind(&text)
            .bind(&html)
            .fetch_one(&mut *tx)
            .await?;
            let how = match matched {
                Some(rule) => format!("routed by \"{}\"", rule.name),
                None => "no routing rule matched".to_string(),
            };
            sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'opened', $2)")
                .bind(id)
                .bind(serde_json::json!({ "text": how }))
                .execute(&mut *tx)
                .await?;
            if let Thread::External(thread) = &inbound.thread {
                sqlx::query("insert into channel_threads (channel_id, external_id, conversation_id) values ($1, $2, $3)")
                    .bind(channel_id)
                    .bind(thread)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            (id, message_id, true)
        }
    };
    if let Some(external_id) = &inbound.external_id {
        sqlx::query(
            "insert into message_refs (channel_id, external_id, message_id, conversation_id, inbound) values ($1, $2, $3, $4, true)",
        )
        .bind(channel_id)
        .bind(external_id)
        .bind(message_id)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    }
    for file in &inbound.attachments {
        sqlx::query(
            "insert into attachments (message_id, filename, content_type, size_bytes, data) values ($1, $2, $3, $4, $5)",
        )
        .bind(message_id)
        .bind(clean_filename(&file.filename))
        .bind(clean_content_type(&file.content_type))
        .bind(file.data.len() as i32)
        .bind(&file.data)
        .execute(&mut *tx)
        .await?;
    }
    if !inbound.dropped.is_empty() {
        let note = format!(
            "Attachments larger than {} MB were not kept: {}",
            rules::MAX_ATTACHMENT_BYTES / (1024 * 1024),
            inbound.dropped.iter().map(|n| clean_filename(n)).collect::<Vec<_>>().join(", ")
        );
        sqlx::query("insert into messages (conversation_id, author_kind, visibility, body) values ($1, 'system', 'internal', $2)")
            .bind(conversation_id)
            .bind(note)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Received { conversation_id, message_id, duplicate: false, opened })
}

/// A dialogue named by one of our reply addresses among `recipients`, if its tag is ours
/// and it belongs to this channel and customer.
async fn by_reply_address(
    tx: &mut PgConnection,
    pool: &PgPool,
    channel_id: i64,
    customer_id: i64,
    recipients: &[String],
) -> Result<Option<i64>, sqlx::Error> {
    let candidates: Vec<(i64, String)> =
        recipients.iter().filter_map(|r| rules::parse_reply_address(r).map(|(id, t)| (id, t.to_string()))).collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let key = signing_key(pool).await?;
    for (id, candidate) in candidates {
        if !tag_matches(&key, "reply", id, &candidate) {
            continue;
        }
        let found: Option<i64> =
            sqlx::query_scalar("select id from conversations where id = $1 and channel_id = $2 and customer_id = $3")
                .bind(id)
                .bind(channel_id)
                .bind(customer_id)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The customer who wrote: by e-mail address, or by their id on this channel; created on
/// first contact.
async fn customer_for(tx: &mut PgConnection, channel_id: i64, sender: &Sender) -> Result<i64, AppError> {
    match sender {
        Sender::Email { address, name } => {
            let address = crate::domain::email::EmailAddress::parse(address)
                .map_err(|_| AppError::Invalid("The sender's e-mail address is not valid.".into()))?;
            let name = display_name(name, address.as_str());
            Ok(sqlx::query_scalar(
                "insert into customers (name, email) values ($1, $2)
                 on conflict (lower(email)) where email is not null do update set updated_at = now()
                 returning id",
            )
            .bind(name)
            .bind(address.as_str())
            .fetch_one(&mut *tx)
            .await?)
        }
        Sender::External { user_id, name } => {
            let known: Option<i64> = sqlx::query_scalar(
                "select customer_id from customer_identities where channel_id = $1 and external_user_id = $2",
            )
            .bind(channel_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = known {
                return Ok(id);
            }
            let id: i64 = sqlx::query_scalar("insert into customers (name) values ($1) returning id")
                .bind(display_name(name, user_id))
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("insert into customer_identities (channel_id, external_user_id, customer_id) values ($1, $2, $3)")
                .bind(channel_id)
                .bind(user_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Ok(id)
        }
    }
}

fn display_name(name: &str, fallback: &str) -> String {
    let name = clean_text(name);
    let name = if name.is_empty() { fallback.to_string() } else { name };
    name.chars().take(200).collect()
}

fn subject_for(subject: &str, text: &str) -> String {
    let subject = clean_text(subject).replace('\n', " ");
    let subject = if subject.is_empty() { text.lines().next().unwrap_or_default().to_string() } else { subject };
    let mut s: String = subject.chars().take(200).collect();
    if s.is_empty() {
        s = "(no subject)".into();
    }
    s
}

/// A file name safe to show and to send back in `Content-Disposition`.
pub fn clean_filename(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = name.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// A content type we can send back as it came, or `application/octet-stream`.
fn clean_content_type(ct: &str) -> String {
    let ct = ct.trim().to_ascii_lowercase();
    let ok = !ct.is_empty() && ct.len() <= 100 && ct.contains('/') && ct.chars().all(|c| c.is_ascii_alphanumeric() || "/.+-".contains(c));
    if ok {
        ct
    } else {
        "application/octet-stream".into()
    }
}

/// An attachment for a signed-in agent: (filename, content type, bytes).
pub async fn attachment(pool: &PgPool, id: i64) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("select filename, content_type, data from attachments where id = $1").bind(id).fetch_optional(pool).await
}

// ---------------------------------------------------------------------------------------
// The outbox

/// Queues what an agent's public reply must send on its dialogue's channel, in the
/// reply's transaction: an e-mail to the customer, or a webhook call. Chat needs nothing
/// (the customer's page reads the reply), nor does a channel with nowhere to send.
pub async fn enqueue_reply(tx: &mut PgConnection, conversation_id: i64, message_id: i64) -> Result<(), sqlx::Error> {
    let target: Option<(i64, String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "select ch.id, ch.kind, ch.address, ch.callback_url, cu.email
           from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
          where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((channel_id, kind, address, callback, email)) = target else { return Ok(()) };
    let (kind, recipient, external_id) = match (kind.as_str(), email, callback) {
        ("email", Some(email), _) => {
            let domain = address.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_else(|| "meridian.invalid".into());
            ("email", email, format!("<m{message_id}.{}@{domain}>", &crate::backend::random_token()[..12]))
        }
        ("social", _, Some(url)) if !url.trim().is_empty() => ("webhook", url, format!("meridian-{message_id}")),
        _ => return Ok(()),
    };
    sqlx::query(
        "insert into outbox (channel_id, conversation_id, message_id, kind, purpose, recipient, external_id)
         values ($1, $2, $3, $4, 'reply', $5, $6)",
    )
    .bind(channel_id)
    .bind(conversation_id)
    .bind(message_id)
    .bind(kind)
    .bind(&recipient)
    .bind(&external_id)
    .execute(&mut *tx)
    .await?;
    if kind == "email" {
        // The customer's answer will name this Message-ID: it threads back here.
        sqlx::query(
            "insert into message_refs (channel_id, external_id, message_id, conversation_id, inbound) values ($1, $2, $3, $4, false)
             on conflict do nothing",
        )
        .bind(channel_id)
        .bind(&external_id)
        .bind(message_id)
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Queues the request to rate a resolved e-mail dialogue (once per dialogue, ever). Chat
/// customers are asked on their page.
pub async fn enqueue_rating_request(tx: &mut PgConnection, conversation_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into outbox (channel_id, conversation_id, kind, purpose, recipient, external_id)
         select ch.id, c.id, 'email', 'rating', cu.email,
                '<rate' || c.id || '.' || substr(md5(random()::text), 1, 12) || '@' || coalesce(nullif(split_part(ch.address, '@', 2), ''), 'meridian.invalid') || '>'
           from conversations c join channels ch on ch.id = c.channel_id join customers cu on cu.id = c.customer_id
          where c.id = $1 and ch.kind = 'email' and cu.email is not null and c.rated_at is null
         on conflict (conversation_id) where purpose = 'rating' do nothing",
    )
    .bind(conversation_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One item to send, with everything the sender needs to build it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: String,
    pub purpose: String,
    pub recipient: String,
    pub external_id: String,
    pub attempts: i32,
    pub conversation_id: i64,
    pub channel_name: String,
    pub channel_address: String,
    pub channel_secret: String,
    pub subject: String,
    pub customer_name: String,
    pub body: Option<String>,
    pub author: Option<String>,
    pub written_at: chrono::DateTime<chrono::Utc>,
    /// Webhooks: the external conversation id.
    pub thread: Option<String>,
}

/// Takes the next due item and locks it for this transaction (other processes skip it).
/// Only items of `kinds` ("email", "webhook"): e-mail waits while no SMTP server is set.
pub async fn next_due(tx: &mut PgConnection, kinds: &[&str]) -> Result<Option<OutboxItem>, sqlx::Error> {
    sqlx::query_as(
        "select o.id, o.kind, o.purpose, o.recipient, o.external_id, o.attempts, o.conversation_id,
                ch.name as channel_name, ch.address as channel_address, ch.secret as channel_secret,
                c.subject, cu.name as customer_name, m.body, u.name as author,
                coalesce(m.created_at, o.created_at) as written_at,
                (select t.external_id from channel_threads t where t.conversation_id = c.id limit 1) as thread
           from outbox o
           join channels ch on ch.id = o.channel_id
           join conversations c on c.id = o.conversation_id
           join customers cu on cu.id = c.customer_id
           left join messages m on m.id = o.message_id
           left join users u on u.id = m.author_user_id
          where o.sent_at is null and o.failed_at is null and o.next_attempt_at <= now() and o.kind = any($1)
          order by o.next_attempt_at, o.id
          limit 1
          for update of o skip locked",
    )
    .bind(kinds)
    .fetch_optional(&mut *tx)
    .await
}

/// The Message-IDs an e-mail in this dialogue answers: every earlier one, oldest first
/// (References), the customer's latest last (In-Reply-To).
pub async fn thread_references(tx: &mut PgConnection, conversation_id: i64, before: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select external_id from message_refs
          where conversation_id = $1 and external_id <> $2 and external_id like '<%>'
          order by message_id, inbound desc limit 50",
    )
    .bind(conversation_id)
    .bind(before)
    .fetch_all(&mut *tx)
    .await
}

pub async fn mark_sent(tx: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update outbox set sent_at = now(), attempts = attempts + 1, last_error = null where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Records a failed attempt: tries again after a growing pause, or gives up after
/// [`rules::MAX_ATTEMPTS`] and tells the agents in the dialogue.
pub async fn mark_failed(tx: &mut PgConnection, item: &OutboxItem, error: &str) -> Result<(), sqlx::Error> {
    let attempts = item.attempts + 1;
    let give_up = attempts >= rules::MAX_ATTEMPTS;
    sqlx::query(
        "update outbox set attempts = $2, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4),
                failed_at = case when $5 then now() end
          where id = $1",
    )
    .bind(item.id)
    .bind(attempts)
    .bind(error.chars().take(500).collect::<String>())
    .bind(rules::retry_delay(attempts) as f64)
    .bind(give_up)
    .execute(&mut *tx)
    .await?;
    if give_up {
        sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'delivery_failed', $2)")
            .bind(item.conversation_id)
            .bind(serde_json::json!({ "text": format!("to {} after {attempts} attempts: {error}", item.recipient) }))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// How each agent reply in a dialogue is getting on: (message id, label).
pub async fn deliveries(pool: &PgPool, conversation_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "select message_id,
                case when sent_at is not null then 'Sent'
                     when failed_at is not null then 'Not delivered: ' || coalesce(last_error, 'unknown error')
                     when attempts > 0 then 'Sending (attempt ' || (attempts + 1) || '; last error: ' || coalesce(last_error, '') || ')'
                     else 'Sending' end
           from outbox where conversation_id = $1 and message_id is not null",
    )
    .bind(conversation_id)
    .fetch_all(pool)
    .await
}

// ---------------------------------------------------------------------------------------
// Chat visitors

/// A chat visitor, known by the token in their cookie.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Visitor {
    pub channel_id: i64,
    pub customer_id: i64,
    pub conversation_id: Option<i64>,
    pub customer_name: String,
}

pub async fn visitor(pool: &PgPool, channel_id: i64, token: &str) -> Result<Option<Visitor>, sqlx::Error> {
    sqlx::query_as(
        "update chat_visitors v set last_seen_at = now()
           from customers cu
          where v.token_hash = $1 and v.channel_id = $2 and cu.id = v.customer_id
         returning v.channel_id, v.customer_id, v.conversation_id, cu.name as customer_name",
    )
    .bind(super::sha256(token))
    .bind(channel_id)
    .fetch_optional(pool)
    .await
}

/// A new chat: the customer's details and first message. Returns the visitor's token
/// (for their cookie) and what was received.
pub async fn start_chat(pool: &PgPool, channel: &Channel, name: &str, email: &str, text: &str) -> Result<(String, Received), AppError> {
    let name = clean_text(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid("Tell us your name (up to 200 characters).".into()));
    }
    let email = crate::domain::email::EmailAddress::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    if clean_text(text).is_empty() {
        return Err(AppError::Invalid("Write your message first.".into()));
    }
    let received = receive(pool, chat_inbound(channel, None, email.as_str(), &name, text)).await?;
    let token = super::random_token();
    sqlx::query(
        "insert into chat_visitors (token_hash, channel_id, customer_id, conversation_id)
         select $1, $2, customer_id, id from conversations where id = $3",
    )
    .bind(super::sha256(&token))
    .bind(channel.id)
    .bind(received.conversation_id)
    .execute(pool)
    .await?;
    Ok((token, received))
}

/// A chat message: no external id (each submit is a new message), the visitor's dialogue.
fn chat_inbound(channel: &Channel, dialogue: Option<i64>, email: &str, name: &str, text: &str) -> Inbound {
    Inbound {
        channel: channel.clone(),
        external_id: None,
        thread: Thread::Dialogue(dialogue),
        sender: Sender::Email { address: email.to_string(), name: name.to_string() },
        subject: String::new(),
        text: text.to_string(),
        html: None,
        attachments: vec![],
        dropped: vec![],
    }
}

/// A message from a known chat visitor, in their dialogue.
pub async fn chat_message(pool: &PgPool, channel: &Channel, visitor: &Visitor, text: &str) -> Result<Received, AppError> {
    if clean_text(text).is_empty() {
        return Err(AppError::Invalid("Write your message first.".into()));
    }
    let email: Option<String> = sqlx::query_scalar("select email from customers where id = $1").bind(visitor.customer_id).fetch_one(pool).await?;
    let received =
        receive(pool, chat_inbound(channel, visitor.conversation_id, &email.unwrap_or_default(), &visitor.customer_name, text)).await?;
    Ok(received)
}

/// A message as the customer sees it: public ones only, never an internal note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PublicMessage {
    pub id: i64,
    /// "customer" or "agent".
    pub from: String,
    /// The agent's first name; the customer's own messages have none.
    pub agent: Option<String>,
    pub text: String,
    /// Agents' replies as safe HTML (their Markdown rendered).
    #[sqlx(skip)]
    pub html: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// What the customer's chat page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatState {
    pub messages: Vec<PublicMessage>,
    pub resolved: bool,
    pub agent_typing: Option<String>,
    pub rated: Option<u8>,
    pub ask_nps: bool,
}

/// The dialogue as its customer sees it.
pub async fn chat_state(pool: &PgPool, conversation_id: i64) -> Result<ChatState, sqlx::Error> {
    let mut messages: Vec<PublicMessage> = sqlx::query_as(
        "select m.id, case when m.author_kind = 'customer' then 'customer' else 'agent' end as from,
                split_part(u.name, ' ', 1) as agent, m.body as text, m.created_at as at
           from messages m left join users u on u.id = m.author_user_id
          where m.conversation_id = $1 and m.visibility = 'public' and (m.author_kind <> 'system' or m.author_user_id is not null)
          order by m.created_at, m.id",
    )
    .bind(conversation_id)
    .fetch_all(pool)
    .await?;
    for m in &mut messages {
        if m.from == "agent" {
            m.html = Some(crate::domain::kb::render_markdown(&m.text));
        }
    }
    let (status, csat, ask_nps): (String, Option<i16>, bool) = sqlx::query_as(
        "select c.status, case when c.rated_at is not null then c.csat end, ch.ask_nps
           from conversations c join channels ch on ch.id = c.channel_id where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_one(pool)
    .await?;
    let typing: Option<String> = sqlx::query_scalar(
        "select split_part(u.name, ' ', 1) from presence p join users u on u.id = p.user_id
          where p.conversation_id = $1 and p.typing and p.seen_at > now() - interval '10 seconds' limit 1",
    )
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    Ok(ChatState { messages, resolved: status == "resolved", agent_typing: typing, rated: csat.map(|c| c as u8), ask_nps })
}

// ---------------------------------------------------------------------------------------
// Satisfaction

/// Stores the customer's rating of a resolved dialogue. Once per dialogue: answering
/// again changes the answer, it does not add one.
pub async fn rate(pool: &PgPool, conversation_id: i64, rating: Rating) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, bool, bool)> = sqlx::query_as(
        "select c.status, ch.ask_nps, c.rated_at is not null from conversations c join channels ch on ch.id = c.channel_id
          where c.id = $1 for update of c",
    )
    .bind(conversation_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, ask_nps, rated_before)) = row else {
        return Err(AppError::NotFound("There is no such conversation.".into()));
    };
    if status != "resolved" {
        return Err(AppError::Conflict("This conversation is still open; you can rate it once it is resolved.".into()));
    }
    let rating = rating.check(ask_nps).map_err(AppError::Invalid)?;
    sqlx::query(
        "update conversations set csat = $2, csat_comment = nullif($3, ''), ces = $4, nps = $5, rated_at = now() where id = $1",
    )
    .bind(conversation_id)
    .bind(rating.csat as i16)
    .bind(&rating.comment)
    .bind(rating.ces.map(|c| c as i16))
    .bind(rating.nps.map(|n| n as i16))
    .execute(&mut *tx)
    .await?;
    let text = format!("{}{}", if rated_before { "changed to " } else { "" }, rules::csat_label(rating.csat));
    sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'rated', $2)")
        .bind(conversation_id)
        .bind(serde_json::json!({ "text": text }))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The dialogue a rating link names, if the link is ours: (status, channel asks NPS, csat so far).
pub async fn rating_link(pool: &PgPool, conversation_id: i64, candidate: &str) -> Result<Option<(bool, bool, Option<u8>)>, sqlx::Error> {
    let key = signing_key(pool).await?;
    if !tag_matches(&key, "rate", conversation_id, candidate) {
        return Ok(None);
    }
    let row: Option<(String, bool, Option<i16>)> = sqlx::query_as(
        "select c.status, ch.ask_nps, case when c.rated_at is not null then c.csat end
           from conversations c join channels ch on ch.id = c.channel_id where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(status, nps, csat)| (status == "resolved", nps, csat.map(|c| c as u8))))
}

// ---------------------------------------------------------------------------------------
// Routing rules

async fn routing_rules_in(tx: &mut PgConnection) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let rows: Vec<(i64, String, Option<i64>, Vec<String>, String, String, Option<i64>)> = sqlx::query_as(
        "select id, name, channel_id, keywords, address, topic, team_id from routing_rules order by position, id",
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, channel_id, keywords, address, topic, team_id)| RoutingRule {
            id,
            name,
            channel_id,
            keywords,
            address,
            topic: Topic::parse(&topic).unwrap_or(Topic::Support),
            team_id,
        })
        .collect())
}

pub async fn routing_rules(pool: &PgPool) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    routing_rules_in(&mut conn).await
}

/// Adds a rule at the end of the list.
pub async fn add_rule(pool: &PgPool, rule: &RoutingRule) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "insert into routing_rules (position, name, channel_id, keywords, address, topic, team_id)
         values ((select coalesce(max(position), 0) + 1 from routing_rules), $1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(&rule.name)
    .bind(rule.channel_id)
    .bind(&rule.keywords)
    .bind(&rule.address)
    .bind(rule.topic.as_str())
    .bind(rule.team_id)
    .fetch_one(pool)
    .await?)
}

pub async fn delete_rule(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let gone = sqlx::query("delete from routing_rules where id = $1").bind(id).execute(pool).await?.rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound("There is no such rule.".into()));
    }
    Ok(())
}

/// Moves a rule one place up (earlier) or down, renumbering the list in one transaction.
pub async fn move_rule(pool: &PgPool, id: i64, up: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("lock table routing_rules in share row exclusive mode").execute(&mut *tx).await?;
    let mut ids: Vec<i64> = sqlx::query_scalar("select id from routing_rules order by position, id").fetch_all(&mut *tx).await?;
    let Some(at) = ids.iter().position(|r| *r == id) else {
        return Err(AppError::NotFound("There is no such rule.".into()));
    };
    let to = if up { at.checked_sub(1) } else { (at + 1 < ids.len()).then_some(at + 1) };
    if let Some(to) = to {
        ids.swap(at, to);
        sqlx::query("update routing_rules r set position = o.n from unnest($1::bigint[]) with ordinality o(id, n) where r.id = o.id")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Where a sample message would go: the matching rule, if any.
pub async fn test_route(pool: &PgPool, sample: &RoutingSample) -> Result<Option<RoutingRule>, sqlx::Error> {
    let rules = routing_rules(pool).await?;
    Ok(rules::route(&rules, sample).cloned())
}

/// Turns the NPS question on or off and sets the webhook callback of a channel.
pub async fn update_channel(pool: &PgPool, id: i64, ask_nps: bool, callback_url: Option<&str>, target_minutes: i64) -> Result<(), AppError> {
    if !(1..=7 * 24 * 60).contains(&target_minutes) {
        return Err(AppError::Invalid("The first-response target runs from 1 minute to 7 days (10,080 minutes).".into()));
    }
    if let Some(url) = callback_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 500 {
            return Err(AppError::Invalid("The callback must be an http:// or https:// address.".into()));
        }
    }
    let done = sqlx::query("update channels set ask_nps = $2, callback_url = $3, first_response_target = make_interval(mins => $4) where id = $1")
        .bind(id)
        .bind(ask_nps)
        .bind(callback_url)
        .bind(target_minutes as i32)
        .execute(pool)
        .await?
        .rows_affected();
    if done == 0 {
        return Err(AppError::NotFound("There is no such channel.".into()));
    }
    Ok(())
}

/// Adds a channel (an inbox, a chat page, a social account); its name and address are
/// unique among channels of its kind.
pub async fn add_channel(pool: &PgPool, kind: &str, name: &str, address: &str, target_minutes: i64) -> Result<i64, AppError> {
    let (kind, name, address) = rules::new_channel(kind, name, address).map_err(AppError::Invalid)?;
    if !(1..=7 * 24 * 60).contains(&target_minutes) {
        return Err(AppError::Invalid("The first-response target runs from 1 minute to 7 days (10,080 minutes).".into()));
    }
    let taken: bool = sqlx::query_scalar("select exists (select 1 from channels where kind = $1 and lower(address) = lower($2))")
        .bind(&kind)
        .bind(&address)
        .fetch_one(pool)
        .await?;
    if taken {
        return Err(AppError::Conflict(format!("A channel already receives “{address}”.")));
    }
    sqlx::query_scalar("insert into channels (kind, name, address, first_response_target) values ($1, $2, $3, make_interval(mins => $4)) returning id")
        .bind(&kind)
        .bind(&name)
        .bind(&address)
        .bind(target_minutes as i32)
        .fetch_one(pool)
        .await
        .on_unique(|| format!("There is already a channel called “{name}”."))
}

/// Pauses (nothing new arrives on it; its dialogues stay) or resumes a channel.
pub async fn set_active(pool: &PgPool, id: i64, active: bool) -> Result<(), AppError> {
    let done = sqlx::query("update channels set active = $2 where id = $1").bind(id).bind(active).execute(pool).await?.rows_affected();
    if done == 0 {
        return Err(AppError::NotFound("There is no such channel.".into()));
    }
    Ok(())
}

/// A new random webhook secret for a channel; the old one stops working at once.
pub async fn rotate_secret(pool: &PgPool, id: i64) -> Result<String, AppError> {
    let secret = rules::hex(&super::sha256(&super::random_token()));
    let done = sqlx::query("update channels set secret = $2 where id = $1").bind(id).bind(&secret).execute(pool).await?.rows_affected();
    if done == 0 {
        return Err(AppError::NotFound("There is no such channel.".into()));
    }
    Ok(secret)
}

/// Every channel, for the owner's channel settings.
pub async fn admin_channels(pool: &PgPool) -> Result<Vec<crate::model::admin::ChannelInfo>, sqlx::Error> {
    sqlx::query_as(
        "select id, kind, name, address, secret, callback_url, ask_nps, active,
                extract(epoch from first_response_target)::bigint / 60 as target_minutes
           from channels order by kind, name",
    )
    .fetch_all(pool)
    .await
}

/// The rules in order, with the names of their channel and team, and what a rule may name.
pub async fn routing_view(pool: &PgPool) -> Result<crate::model::admin::RoutingView, sqlx::Error> {
    let channels: Vec<(i64, String)> = sqlx::query_as("select id, name from channels order by name").fetch_all(pool).await?;
    let teams = super::teams::names(pool).await?;
    Ok(crate::model::admin::RoutingView { rules: routing_rules(pool).await?, channels, teams })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_their_body_and_key() {
        let sig = sign(b"key", b"body");
        assert!(verify(b"key", b"body", &sig));
        assert!(!verify(b"key", b"body!", &sig));
        assert!(!verify(b"other", b"body", &sig));
        // RFC 4231 test case 2.
        assert_eq!(
            rules::hex(&sign(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tags_are_per_dialogue_and_purpose() {
        let t = tag(b"k", "rate", 7);
        assert!(tag_matches(b"k", "rate", 7, &t));
        assert!(!tag_matches(b"k", "rate", 8, &t));
        assert!(!tag_matches(b"k", "reply", 7, &t));
        assert!(!tag_matches(b"k", "rate", 7, &t[..10]));
    }

    #[test]
    fn sanitizing_removes_everything_that_runs() {
        for payload in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://evil\"></iframe>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<body onload=alert(1)>",
            "<style>*{}</style><form action=x><input></form>",
        ] {
            let clean = sanitize_html(payload).to_lowercase();
            assert!(!clean.contains("<script"), "{payload} → {clean}");
            assert!(!clean.contains("onerror") && !clean.contains("onload"), "{payload} → {clean}");
            assert!(!clean.contains("javascript:"), "{payload} → {clean}");
            assert!(!clean.contains("<iframe") && !clean.contains("<form") && !clean.contains("<style"), "{payload} → {clean}");
        }
        assert_eq!(sanitize_html("<p>Hi <b>there</b></p>"), "<p>Hi <b>there</b></p>");
    }

    #[test]
    fn text_is_cleaned() {
        assert_eq!(clean_text(" a\r\nb\u{0}\u{7} "), "a\nb");
        assert!(clean_text(&"x".repeat(rules::MAX_TEXT_CHARS + 5)).ends_with("cut]"));
        assert_eq!(clean_filename("../../etc/pa\"ss<wd>"), "passwd");
        assert_eq!(clean_filename(""), "attachment");
        assert_eq!(clean_content_type("image/png"), "image/png");
        assert_eq!(clean_content_type("text/html; charset=x"), "application/octet-stream");
    }
}
