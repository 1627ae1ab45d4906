//! Notifications: a colleague @mentioned you in an internal note, forwarded a customer's
//! message to you, or (for managers) an SLA target was missed where the policy escalates to
//! them. Written in the transaction of what caused them; read and marked read by their
//! owner only.

use crate::domain::queue::mentions;
use crate::error::AppError;
use crate::model::queue::Mention;
use sqlx::{PgConnection, PgPool};

/// Notifies every active colleague the note mentions (by the part of their e-mail address
/// before the `@`), except its author; unknown handles are ignored.
pub async fn notify_mentions(tx: &mut PgConnection, conversation_id: i64, message_id: i64, author: i64, body: &str) -> Result<(), AppError> {
    let handles = mentions(body);
    if handles.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into notifications (user_id, kind, conversation_id, message_id, actor_id)
         select u.id, 'mention', $1, $2, $3 from users u
          where u.active and u.id <> $3 and lower(split_part(u.email, '@', 1)) = any($4)
         on conflict (user_id, message_id) do nothing",
    )
    .bind(conversation_id)
    .bind(message_id)
    .bind(author)
    .bind(&handles)
    .execute(tx)
    .await?;
    Ok(())
}

/// The caller's notifications, newest first (the last 100).
pub async fn list(pool: &PgPool, user_id: i64) -> Result<Vec<Mention>, AppError> {
    let rows: Vec<(i64, i64, String, Option<String>, String, String, bool)> = sqlx::query_as(
        "select n.id, n.conversation_id, c.subject,
                case when n.kind = 'sla_breached' then 'Service level' else a.name end,
                coalesce(left(m.body, 300), n.detail, ''),
                to_char(n.created_at at time zone u.time_zone, 'YYYY-MM-DD HH24:MI'), n.read_at is null
           from notifications n
           join users u on u.id = n.user_id
           join conversations c on c.id = n.conversation_id
           left join messages m on m.id = n.message_id
           left join users a on a.id = n.actor_id
          where n.user_id = $1 order by n.id desc limit 100",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, conversation_id, subject, by, text, at, unread)| Mention { id, conversation_id, subject, by, text, at, unread })
        .collect())
}

pub async fn unread(pool: &PgPool, user_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("select count(*) from notifications where user_id = $1 and read_at is null").bind(user_id).fetch_one(pool).await?)
}

/// Marks one of the caller's notifications read, or all of them when `id` is `None`.
pub async fn mark_read(pool: &PgPool, user_id: i64, id: Option<i64>) -> Result<(), AppError> {
    sqlx::query("update notifications set read_at = now() where user_id = $1 and read_at is null and ($2::bigint is null or id = $2)")
        .bind(user_id)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
