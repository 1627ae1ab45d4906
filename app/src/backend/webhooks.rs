//! Outgoing event webhooks in PostgreSQL: owners' subscriptions (audited), the deliveries
//! the database's triggers queue in each writer's transaction, and what the server's
//! outbox job needs to send them: the next due delivery, locked so one process sends it,
//! and the record of each attempt.

use super::audit;
use crate::domain::audit::AuditAction;
use crate::domain::webhooks::{self, DeliveryState, WebhookEvent, MAX_ATTEMPTS};
use crate::error::AppError;
use crate::model::user::CurrentUser;
use crate::model::webhooks::{WebhookCreated, WebhookDelivery, WebhookInput, WebhookSubscription};
use sqlx::{PgConnection, PgPool};

/// Every subscription, newest first, with its deliveries counted.
pub async fn list(pool: &PgPool) -> Result<Vec<WebhookSubscription>, AppError> {
    let rows: Vec<(i64, String, Vec<String>, String, bool, i64, i64, i64)> = sqlx::query_as(
        "select s.id, s.url, s.events, s.description, s.active,
                count(d.id) filter (where d.sent_at is not null),
                count(d.id) filter (where d.sent_at is null and d.failed_at is null),
                count(d.id) filter (where d.failed_at is not null)
           from webhook_subscriptions s left join webhook_deliveries d on d.subscription_id = s.id
          group by s.id order by s.id desc",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, url, events, description, active, delivered, pending, given_up)| {
            let events = events.iter().map(|e| WebhookEvent::from_stored(e)).collect::<Result<Vec<_>, _>>().map_err(|e| {
                tracing::error!(error = %e, "a stored webhook event is unknown");
                AppError::Internal
            })?;
            Ok(WebhookSubscription { id, url, events, description, active, delivered, pending, given_up })
        })
        .collect()
}

async fn audit_in(conn: &mut PgConnection, by: &CurrentUser, url: &str, what: &str) -> Result<(), sqlx::Error> {
    audit::record(conn, Some(by.id), &audit::who(by), AuditAction::SettingChanged, &format!("Webhook {url}"), what, &super::client_addr()).await
}

/// Subscribes an address to events; returns its id and the signing secret (shown once).
/// Bad input writes nothing.
pub async fn create(pool: &PgPool, by: &CurrentUser, input: &WebhookInput) -> Result<WebhookCreated, AppError> {
    let url = webhooks::validate_url(&input.url).map_err(AppError::Invalid)?;
    let events = webhooks::validate_events(&input.events).map_err(AppError::Invalid)?;
    let description: String = input.description.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if description.chars().count() > 200 {
        return Err(AppError::Invalid("A description has at most 200 characters.".into()));
    }
    let secret = format!("whsec_{}", super::random_token());
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "insert into webhook_subscriptions (url, events, description, secret, created_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(&url)
    .bind(events.iter().map(|e| e.as_str()).collect::<Vec<_>>())
    .bind(&description)
    .bind(&secret)
    .bind(by.id)
    .fetch_one(&mut *tx)
    .await?;
    audit_in(&mut tx, by, &url, &format!("subscribed to {}", events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "))).await?;
    tx.commit().await?;
    Ok(WebhookCreated { id, secret })
}

/// Pauses or resumes a subscription (paused: nothing new is queued for it).
pub async fn set_active(pool: &PgPool, by: &CurrentUser, id: i64, active: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let url: Option<String> = sqlx::query_scalar("update webhook_subscriptions set active = $2 where id = $1 returning url")
        .bind(id)
        .bind(active)
        .fetch_optional(&mut *tx)
        .await?;
    let url = url.ok_or_else(|| AppError::NotFound("There is no such webhook.".into()))?;
    audit_in(&mut tx, by, &url, if active { "resumed" } else { "paused" }).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a subscription and its deliveries.
pub async fn delete(pool: &PgPool, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let url: Option<String> = sqlx::query_scalar("delete from webhook_subscriptions where id = $1 returning url").bind(id).fetch_optional(&mut *tx).await?;
    let url = url.ok_or_else(|| AppError::NotFound("There is no such webhook.".into()))?;
    audit_in(&mut tx, by, &url, "deleted").await?;
    tx.commit().await?;
    Ok(())
}

/// The latest 50 deliveries of every subscription (or of one), newest first.
pub async fn deliveries(pool: &PgPool, subscription: Option<i64>) -> Result<Vec<WebhookDelivery>, AppError> {
    let rows: Vec<(i64, i64, String, Option<i64>, i32, bool, bool, Option<i16>, Option<String>, i64, Option<i64>)> = sqlx::query_as(
        "select id, subscription_id, event, conversation_id, attempts, sent_at is not null, failed_at is not null, last_status, last_error,
                floor(extract(epoch from created_at))::int8, floor(extract(epoch from sent_at))::int8
           from webhook_deliveries where $1::int8 is null or subscription_id = $1
          order by id desc limit 50",
    )
    .bind(subscription)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, subscription_id, event, conversation_id, attempts, sent, failed, last_status, last_error, created_epoch, sent_epoch)| {
            let event = WebhookEvent::from_stored(&event).map_err(|e| {
                tracing::error!(error = %e, "a stored webhook event is unknown");
                AppError::Internal
            })?;
            let state = DeliveryState::of(sent, failed);
            Ok(WebhookDelivery { id, subscription_id, event, conversation_id, attempts, state, last_status, last_error, created_epoch, sent_epoch })
        })
        .collect()
}

/// One delivery to send, with its address and key.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub event: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub attempts: i32,
}

/// Takes the next due delivery and locks it for this transaction (other processes skip
/// it).
pub async fn next_due(tx: &mut PgConnection) -> Result<Option<DueDelivery>, sqlx::Error> {
    sqlx::query_as(
        "select d.id, d.event, s.url, s.secret, d.payload::text as body, d.attempts
           from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id
          where d.sent_at is null and d.failed_at is null and d.next_attempt_at <= now()
          order by d.next_attempt_at, d.id limit 1
          for update of d skip locked",
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Records an attempt: delivered (`Ok(status)`), or failed with the receiver's status or a
/// short reason, tried again after a growing pause until [`MAX_ATTEMPTS`].
pub async fn record_attempt(tx: &mut PgConnection, d: &DueDelivery, outcome: Result<u16, (Option<u16>, String)>) -> Result<(), sqlx::Error> {
    let attempts = d.attempts + 1;
    match outcome {
        Ok(status) => {
            sqlx::query("update webhook_deliveries set attempts = $2, sent_at = now(), last_status = $3, last_error = null where id = $1")
                .bind(d.id)
                .bind(attempts)
                .bind(status as i16)
                .execute(&mut *tx)
                .await?;
        }
        Err((status, error)) => {
            sqlx::query(
                "update webhook_deliveries set attempts = $2, last_status = $3, last_error = $4,
                        next_attempt_at = now() + make_interval(secs => $5), failed_at = case when $6 then now() end
                  where id = $1",
            )
            .bind(d.id)
            .bind(attempts)
            .bind(status.map(|s| s as i16))
            .bind(error.chars().take(300).collect::<String>())
            .bind(crate::domain::channels::retry_delay(attempts) as f64)
            .bind(attempts >= MAX_ATTEMPTS)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}
