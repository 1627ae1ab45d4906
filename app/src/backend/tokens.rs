//! API tokens for integrations: `Authorization: Bearer mrd_…`. Stored as SHA-256,
//! shown once at creation, revocable; a revoked token or deactivated user stops working.

use super::{random_token, sha256};
use super::users::UserRow;
use crate::model::user::CurrentUser;
use serde::Serialize;
use sqlx::PgPool;

pub const PREFIX: &str = "mrd_";

/// Creates a token for `user_id`; returns its id and the secret (shown only now).
pub async fn create(pool: &PgPool, user_id: i64, name: &str) -> Result<(i64, String), sqlx::Error> {
    let token = format!("{PREFIX}{}", random_token());
    let id: i64 = sqlx::query_scalar(
        "insert into api_tokens (user_id, name, token_hash, hint) values ($1, $2, $3, $4) returning id",
    )
    .bind(user_id)
    .bind(name)
    .bind(sha256(&token))
    .bind(&token[..PREFIX.len() + 6])
    .fetch_one(pool)
    .await?;
    Ok((id, token))
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_id: i64,
    #[sqlx(flatten)]
    user: UserRow,
    stale: bool,
}

/// The user a live token belongs to. Marks the token used (at most once a minute).
pub async fn resolve(pool: &PgPool, token: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let row: Option<TokenRow> = sqlx::query_as(
        "select t.id as token_id, u.id as user_id, u.email, u.name, u.role, u.time_zone,
                coalesce(t.last_used_at < now() - interval '1 minute', true) as stale
           from api_tokens t join users u on u.id = t.user_id
          where t.token_hash = $1 and t.revoked_at is null and u.active",
    )
    .bind(sha256(token))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.stale {
        sqlx::query("update api_tokens set last_used_at = now() where id = $1")
            .bind(row.token_id)
            .execute(pool)
            .await?;
    }
    Ok(row.user.into_user())
}

/// Revokes a token; `false` if there was no live token with that id.
pub async fn revoke(pool: &PgPool, token_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("update api_tokens set revoked_at = now() where id = $1 and revoked_at is null")
        .bind(token_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TokenListItem {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list_for_user(pool: &PgPool, user_id: i64) -> Result<Vec<TokenListItem>, sqlx::Error> {
    sqlx::query_as(
        "select id, name, hint, created_at, last_used_at, revoked_at
           from api_tokens where user_id = $1 order by id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Every token with its owner, live ones first, for the owners' admin page; times in
/// `viewer_zone`.
pub async fn list_all(pool: &PgPool, viewer_zone: &str) -> Result<Vec<crate::model::admin::TokenInfo>, sqlx::Error> {
    sqlx::query_as(
        "select t.id, t.name, t.hint, u.name as owner, u.active as owner_active,
                to_char(t.created_at at time zone $1, 'YYYY-MM-DD HH24:MI') as created,
                to_char(t.last_used_at at time zone $1, 'YYYY-MM-DD HH24:MI') as last_used,
                to_char(t.revoked_at at time zone $1, 'YYYY-MM-DD HH24:MI') as revoked
           from api_tokens t join users u on u.id = t.user_id
          order by t.revoked_at is not null, t.id desc",
    )
    .bind(viewer_zone)
    .fetch_all(pool)
    .await
}
