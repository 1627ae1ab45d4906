//! Channels in PostgreSQL: the e-mail inboxes, chat pages and social accounts an owner
//! adds, pauses and configures, and the installation's signing key. What arrives on them
//! is in `inbound`, what leaves in `outbox`; chat visitors, ratings and routing rules have
//! their own modules.

use crate::backend::constraints::ConstraintExt;
use crate::domain::channels as rules;
use crate::error::AppError;
use crate::model::admin::{Channel, ChannelInfo};
use sqlx::PgPool;

/// The installation's signing key (rating links, reply addresses), from the database so
/// every server process agrees on it.
pub async fn signing_key(pool: &PgPool) -> Result<Vec<u8>, sqlx::Error> {
    let key: String = sqlx::query_scalar("select value from app_secrets where name = 'signing'").fetch_one(pool).await?;
    Ok(key.into_bytes())
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
pub async fn admin_channels(pool: &PgPool) -> Result<Vec<ChannelInfo>, sqlx::Error> {
    sqlx::query_as(
        "select id, kind, name, address, secret, callback_url, ask_nps, active,
                extract(epoch from first_response_target)::bigint / 60 as target_minutes
           from channels order by kind, name",
    )
    .fetch_all(pool)
    .await
}

/// The door a customer finds a person through: the first active chat page, else the first
/// e-mail inbox, as (kind, address).
pub async fn first_contact(pool: &PgPool) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("select kind, address from channels where active and kind in ('chat', 'email') order by kind = 'chat' desc, id limit 1")
        .fetch_optional(pool)
        .await
}
