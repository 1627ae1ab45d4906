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
    /// The address they typed and have not confirmed yet (None once proven).
    pub unverified_email: Option<String>,
}

pub async fn visitor(pool: &PgPool, channel_id: i64, token: &str) -> Result<Option<Visitor>, sqlx::Error> {
    sqlx::query_as(
        "update chat_visitors v set last_seen_at = now()
           from customers cu
          where v.token_hash = $1 and v.channel_id = $2 and cu.id = v.customer_id
         returning v.channel_id, v.customer_id, v.conversation_id, cu.name as customer_name, cu.unverified_email",
    )
    .bind(super::sha256(token))
    .bind(channel_id)
    .fetch_optional(pool)
    .await
}

/// A new chat: the customer's details and first message. Returns the visitor's token
/// (for their cookie) and what was received.
///
/// With `verified` (the embedding site signed the address, `domain::chat_identity`) the
/// chat joins the customer of that address. Without, the visitor is a new contact who says
/// they are that address: agents see none of that customer's history, and a confirmation
/// link is e-mailed to the address (throttled per address; the chat starts either way).
pub async fn start_chat(pool: &PgPool, channel: &Channel, name: &str, email: &str, text: &str, verified: bool) -> Result<(String, Received), AppError> {
    let name = clean_text(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid("Tell us your name (up to 200 characters).".into()));
    }
    let email = crate::domain::email::EmailAddress::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    if clean_text(text).is_empty() {
        return Err(AppError::Invalid("Write your message first.".into()));
    }
    let sender = if verified {
        Sender::Email { address: email.as_str().to_string(), name: name.clone() }
    } else {
        Sender::Unverified { claimed: email.as_str().to_string(), name: name.clone() }
    };
    let received = receive(pool, chat_inbound(channel, None, sender, text)).await?;
    let token = super::random_token();
    let customer_id: i64 = sqlx::query_scalar(
        "insert into chat_visitors (token_hash, channel_id, customer_id, conversation_id)
         select $1, $2, customer_id, id from conversations where id = $3 returning customer_id",
    )
    .bind(super::sha256(&token))
    .bind(channel.id)
    .bind(received.conversation_id)
    .fetch_one(pool)
    .await?;
    if !verified {
        ask_to_confirm(pool, channel, customer_id, &name, email.as_str()).await?;
    }
    Ok((token, received))
}

/// Queues the confirmation link for an unverified visitor's address, at most a few an hour
/// per address (a visitor cannot make Meridian mail someone without end).
async fn ask_to_confirm(pool: &PgPool, channel: &Channel, customer_id: i64, name: &str, email: &str) -> Result<(), AppError> {
    use crate::domain::chat_identity::CONFIRMATION_HOURS;
    use crate::domain::sign_in_throttle::ThrottlePolicy;
    if super::throttle::admit(pool, &[(format!("chat-confirm:{email}"), ThrottlePolicy::RESET_PER_ACCOUNT)]).await?.is_err() {
        tracing::info!(customer_id, "no confirmation e-mail: too many for this address lately");
        return Ok(());
    }
    let token = super::random_token();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "insert into chat_confirmations (token_hash, channel_id, customer_id, email, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(hours => $5))",
    )
    .bind(super::sha256(&token))
    .bind(channel.id)
    .bind(customer_id)
    .bind(email)
    .bind(CONFIRMATION_HOURS as i32)
    .execute(&mut *tx)
    .await?;
    let body = format!(
        "Hello {name},\n\nYou started a chat with {channel} and gave this address. Open this link to confirm it is yours, \
         so that our team sees your earlier conversations with us (it works once, for {CONFIRMATION_HOURS} hours):\n\n{{link}}\n\n\
         If it was not you, ignore this e-mail: nothing is shared.\n\n{channel}\n",
        channel = channel.name
    );
    sqlx::query("insert into account_mail (purpose, recipient, subject, body, link_path) values ('chat_confirmation', $1, $2, $3, $4)")
        .bind(email)
        .bind(format!("Confirm your e-mail for your chat with {}", channel.name))
        .bind(body)
        .bind(format!("/chat/{}/confirm/{token}", channel.address))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What a confirmation link names, while it still works: (the address, the channel's name).
pub async fn confirmation(pool: &PgPool, channel: &Channel, token: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select email from chat_confirmations where token_hash = $1 and channel_id = $2 and used_at is null and expires_at > now()")
        .bind(super::sha256(token))
        .bind(channel.id)
        .fetch_optional(pool)
        .await
}

/// Opens a confirmation link: the unverified contact's dialogues and chat visitors join
/// the customer of the confirmed address (created if new), and the contact is removed. One
/// transaction; the link works once. Returns the customer's id.
pub async fn confirm(pool: &PgPool, channel: &Channel, token: &str) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let found: Option<(i64, String)> = sqlx::query_as(
        "update chat_confirmations set used_at = now()
          where token_hash = $1 and channel_id = $2 and used_at is null and expires_at > now()
         returning customer_id, email",
    )
    .bind(super::sha256(token))
    .bind(channel.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((contact, email)) = found else {
        return Err(AppError::NotFound("This link has expired or was already used. Start the chat again to get a new one.".into()));
    };
    let name: String = sqlx::query_scalar("select name from customers where id = $1 for update").bind(contact).fetch_one(&mut *tx).await?;
    let customer = super::inbound::customer_for(&mut tx, channel.id, &Sender::Email { address: email.clone(), name }).await?;
    sqlx::query("update conversations set customer_id = $2 where customer_id = $1").bind(contact).bind(customer).execute(&mut *tx).await?;
    sqlx::query("update chat_visitors set customer_id = $2 where customer_id = $1").bind(contact).bind(customer).execute(&mut *tx).await?;
    // Other links to the same contact stop working with it.
    sqlx::query("delete from customers where id = $1").bind(contact).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(customer)
}

/// A chat message: no external id (each submit is a new message), the visitor's dialogue.
pub fn chat_inbound(channel: &Channel, dialogue: Option<i64>, sender: Sender, text: &str) -> Inbound {
    Inbound {
        channel: channel.clone(),
        external_id: None,
        thread: Thread::Dialogue(dialogue),
        sender,
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
    receive(pool, chat_inbound(channel, visitor.conversation_id, Sender::Customer { id: visitor.customer_id }, text)).await
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
