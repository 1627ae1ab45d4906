//! API tokens for integrations: `Authorization: Bearer mrd_…`, under `/api/v1` only.
//! Stored as SHA-256, shown once at creation, scoped (`domain::token_scope`), expiring
//! and revocable; a revoked or expired token or a deactivated user stops working.

use super::{random_token, sha256};
use super::users::UserRow;
use crate::domain::token_scope::{Scopes, DEFAULT_LIFETIME_DAYS};
use crate::model::user::CurrentUser;
use serde::Serialize;
use sqlx::PgPool;

pub const PREFIX: &str = "mrd_";

/// What a new token may do and for how long, and who made it when not its own person.
#[derive(Clone, Debug)]
pub struct Grant {
    pub scopes: Scopes,
    pub days: u32,
    pub created_by: Option<i64>,
}

impl Default for Grant {
    /// Every area for the default lifetime: the command line's `meridian token create`
    /// without `--scopes`.
    fn default() -> Self {
        Grant { scopes: Scopes::everything(), days: DEFAULT_LIFETIME_DAYS, created_by: None }
    }
}

/// Creates a token for `user_id`; returns its id and the secret (shown only now).
pub async fn create<'e, E: sqlx::PgExecutor<'e>>(db: E, user_id: i64, name: &str, grant: &Grant) -> Result<(i64, String), sqlx::Error> {
    let token = format!("{PREFIX}{}", random_token());
    let id: i64 = sqlx::query_scalar(
        "insert into api_tokens (user_id, name, token_hash, hint, scopes, expires_at, created_by)
         values ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7) returning id",
    )
    .bind(user_id)
    .bind(name)
    .bind(sha256(&token))
    .bind(&token[..PREFIX.len() + 6])
    .bind(grant.scopes.texts())
    .bind(grant.days as i32)
    .bind(grant.created_by)
    .fetch_one(db)
    .await?;
    Ok((id, token))
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_id: i64,
    #[sqlx(flatten)]
    user: UserRow,
    scopes: Vec<String>,
    expired: Option<String>,
    stale: bool,
}

/// What a bearer token turned out to be.
#[derive(Clone, Debug)]
pub enum Resolved {
    Live { user: CurrentUser, token_id: i64, scopes: Scopes },
    /// A real token past its expiry (the day it expired, UTC).
    Expired { on: String },
    /// Made up, revoked, or its person deactivated.
    Unknown,
}

/// The user a live token belongs to, with its scopes. Marks the token used (at most once
/// a minute).
pub async fn resolve(pool: &PgPool, token: &str) -> Result<Resolved, sqlx::Error> {
    if !token.starts_with(PREFIX) {
        return Ok(Resolved::Unknown);
    }
    let row: Option<TokenRow> = sqlx::query_as(
        "select t.id as token_id, u.id as user_id, u.email, u.name, u.role, u.time_zone, t.scopes,
                case when t.expires_at <= now() then to_char(t.expires_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"') end as expired,
                coalesce(t.last_used_at < now() - interval '1 minute', true) as stale
           from api_tokens t join users u on u.id = t.user_id
          where t.token_hash = $1 and t.revoked_at is null and u.active",
    )
    .bind(sha256(token))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(Resolved::Unknown) };
    if let Some(on) = row.expired {
        return Ok(Resolved::Expired { on });
    }
    let Ok(scopes) = Scopes::parse(row.scopes.iter().map(String::as_str)) else {
        tracing::error!(token_id = row.token_id, "a stored token scope does not parse");
        return Ok(Resolved::Unknown);
    };
    if row.stale {
        sqlx::query("update api_tokens set last_used_at = now() where id = $1")
            .bind(row.token_id)
            .execute(pool)
            .await?;
    }
    Ok(match row.user.into_user() {
        Some(user) => Resolved::Live { user, token_id: row.token_id, scopes },
        None => Resolved::Unknown,
    })
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
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub scopes: Vec<String>,
}

pub async fn list_for_user(pool: &PgPool, user_id: i64) -> Result<Vec<TokenListItem>, sqlx::Error> {
    sqlx::query_as(
        "select id, name, hint, created_at, last_used_at, revoked_at, expires_at, scopes
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
        "select t.id, t.name, t.hint, u.name as owner, u.active as owner_active, t.scopes,
                to_char(t.created_at at time zone $1, 'YYYY-MM-DD HH24:MI') as created,
                to_char(t.expires_at at time zone $1, 'YYYY-MM-DD HH24:MI') as expires, t.expires_at <= now() as expired,
                maker.name as created_by,
                to_char(t.last_used_at at time zone $1, 'YYYY-MM-DD HH24:MI') as last_used,
                to_char(t.revoked_at at time zone $1, 'YYYY-MM-DD HH24:MI') as revoked
           from api_tokens t join users u on u.id = t.user_id left join users maker on maker.id = t.created_by
          order by t.revoked_at is not null or t.expires_at <= now(), t.id desc",
    )
    .bind(viewer_zone)
    .fetch_all(pool)
    .await
}
