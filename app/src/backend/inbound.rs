//! Every inbound message (chat, e-mail, webhook) goes through [`receive`]: one transaction
//! that dedupes it by its external id, finds or opens its dialogue (routing new ones), stores
//! it sanitized with its attachments and announces it.

use crate::domain::channels::{self as rules, RoutingSample};
use crate::domain::dialogue::Topic;
use crate::domain::sanitize::{clean_content_type, clean_filename, clean_text, display_name, sanitize_html, subject_for};
use crate::domain::signing::tag_matches;
use crate::error::AppError;
use sqlx::{PgConnection, PgPool};
use super::channels::signing_key;
use crate::model::admin::Channel;
use super::dialogue;
use super::routing::routing_rules_in;
use crate::model::channels::Received;

/// Who wrote an inbound message.
#[derive(Clone, Debug)]
pub enum Sender {
    /// By e-mail address (e-mail, chat): one customer per address.
    Email { address: String, name: String },
    /// By the id a social network gives them, per channel.
    External { user_id: String, name: String },
    /// A chat visitor who typed an address but has not proved it: a new contact of their
    /// own, the address kept as what they say (`customers.unverified_email`).
    Unverified { claimed: String, name: String },
    /// A customer already known (a chat visitor's later messages).
    Customer { id: i64 },
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
    let sender = sender_of(&mut tx, &inbound.sender, customer_id).await?;
    // The dialogue an e-mail answers by its headers, when its sender is a stranger to it.
    let mut answers = None;
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
                Some(id) if stranger_to(&mut tx, id, customer_id, &sender).await? => {
                    answers = Some(id);
                    None
                }
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
            let message_id = dialogue::record_customer_message_in(&mut tx, id, &text, html.as_deref(), Some(&sender)).await?;
            (id, message_id, false)
        }
        None => {
            // Routing by address trusts only proven addresses.
            let sender_address = match &inbound.sender {
                Sender::Email { address, .. } => address.clone(),
                Sender::External { .. } | Sender::Unverified { .. } | Sender::Customer { .. } => String::new(),
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
                "insert into messages (conversation_id, author_kind, visibility, body, body_html, sender)
                 values ($1, 'customer', 'public', $2, $3, $4) returning id",
            )
            .bind(id)
            .bind(&text)
            .bind(&html)
            .bind(&sender)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(answered) = answers {
                hold_apart(&mut tx, id, answered, &sender).await?;
            }
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
pub async fn by_reply_address(
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

/// The address or handle a message came from, as agents read it beside the message.
async fn sender_of(tx: &mut PgConnection, sender: &Sender, customer_id: i64) -> Result<String, sqlx::Error> {
    Ok(match sender {
        Sender::Email { address, .. } => address.trim().to_lowercase(),
        Sender::External { user_id, .. } => user_id.trim().to_string(),
        Sender::Unverified { claimed, .. } => claimed.trim().to_lowercase(),
        Sender::Customer { .. } => {
            sqlx::query_scalar("select coalesce(email, unverified_email, '') from customers where id = $1")
                .bind(customer_id)
                .fetch_one(&mut *tx)
                .await?
        }
    })
}

/// Whether an e-mail threaded by its headers into dialogue `id` comes from someone other
/// than its customer who has not written in it before (a colleague accepted once is known).
async fn stranger_to(tx: &mut PgConnection, id: i64, customer_id: i64, sender: &str) -> Result<bool, sqlx::Error> {
    let known: bool = sqlx::query_scalar(
        "select c.customer_id = $2
             or exists (select 1 from messages m where m.conversation_id = c.id and m.author_kind = 'customer' and lower(m.sender) = $3)
           from conversations c where c.id = $1",
    )
    .bind(id)
    .bind(customer_id)
    .bind(sender)
    .fetch_one(&mut *tx)
    .await?;
    Ok(!known)
}

/// Marks a new dialogue as an answer to `answered` from another sender, on both histories.
async fn hold_apart(tx: &mut PgConnection, id: i64, answered: i64, sender: &str) -> Result<(), sqlx::Error> {
    sqlx::query("update conversations set answers_dialogue_id = $2 where id = $1").bind(id).bind(answered).execute(&mut *tx).await?;
    sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'held_apart', $2), ($3, 'held_apart', $4)")
        .bind(id)
        .bind(serde_json::json!({ "text": format!("this e-mail from {sender} answers dialogue #{answered}, whose customer is someone else") }))
        .bind(answered)
        .bind(serde_json::json!({ "text": format!("an answer from another sender, {sender}, in dialogue #{id}") }))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The customer who wrote: by e-mail address, or by their id on this channel; created on
/// first contact.
pub async fn customer_for(tx: &mut PgConnection, channel_id: i64, sender: &Sender) -> Result<i64, AppError> {
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
        Sender::Unverified { claimed, name } => {
            let claimed = crate::domain::email::EmailAddress::parse(claimed)
                .map_err(|_| AppError::Invalid("The sender's e-mail address is not valid.".into()))?;
            Ok(sqlx::query_scalar("insert into customers (name, unverified_email) values ($1, $2) returning id")
                .bind(display_name(name, claimed.as_str()))
                .bind(claimed.as_str())
                .fetch_one(&mut *tx)
                .await?)
        }
        Sender::Customer { id } => Ok(*id),
    }
}

/// An attachment for a signed-in agent: (filename, content type, bytes).
pub async fn attachment(pool: &PgPool, id: i64) -> Result<Option<(String, String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("select filename, content_type, data from attachments where id = $1").bind(id).fetch_optional(pool).await
}
