//! Chat visitors: starting a chat from the public chat page, their messages, and what their page shows.

use crate::domain::sanitize::clean_text;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use crate::model::admin::Channel;
use super::inbound::{receive, Inbound, Sender, Thread};
use crate::model::channels::Received;

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
pub fn chat_inbound(channel: &Channel, dialogue: Option<i64>, email: &str, name: &str, text: &str) -> Inbound {
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
