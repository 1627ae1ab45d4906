//! The outbox: what agents' replies and rating requests must send on their channel (an
//! e-mail, a webhook call), queued in the writer's transaction and sent by the server's outbox job.

use crate::domain::channels as rules;
use sqlx::{PgConnection, PgPool};

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
    tracing::warn!(outbox_id = item.id, conversation_id = item.conversation_id, attempts, error, "a reply could not be delivered");
    if give_up {
        sqlx::query("insert into conversation_events (conversation_id, kind, detail) values ($1, 'delivery_failed', $2)")
            .bind(item.conversation_id)
            .bind(serde_json::json!({ "text": format!("to {} after {attempts} attempts: {}", item.recipient, rules::delivery_problem(error)) }))
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// How each agent reply in a dialogue is getting on: (message id, label). A failure is
/// told in Meridian's words ([`rules::delivery_problem`]), not the server's.
pub async fn deliveries(pool: &PgPool, conversation_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows: Vec<(i64, bool, bool, i32, Option<String>)> = sqlx::query_as(
        "select message_id, sent_at is not null, failed_at is not null, attempts, last_error
           from outbox where conversation_id = $1 and message_id is not null",
    )
    .bind(conversation_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sent, failed, attempts, error)| {
            let problem = error.as_deref().map(rules::delivery_problem).unwrap_or("unknown");
            let label = match (sent, failed) {
                (true, _) => "Sent".to_string(),
                (false, true) => format!("Not delivered: {problem}"),
                (false, false) if attempts > 0 => format!("Sending (attempt {}; last time {problem})", attempts + 1),
                _ => "Sending".to_string(),
            };
            (id, label)
        })
        .collect())
}
