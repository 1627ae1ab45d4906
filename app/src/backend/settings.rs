//! Team-wide settings (`app_settings`).

use crate::error::AppError;
use sqlx::PgPool;

/// One setting's stored text, if it was ever set.
pub async fn get(pool: &PgPool, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select value from app_settings where key = $1").bind(key).fetch_optional(pool).await
}

/// Stores one setting, recording who set it.
pub async fn set(pool: &PgPool, key: &str, value: &str, by: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into app_settings (key, value, updated_by) values ($1, $2, $3)
         on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .bind(by)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn support_promise(pool: &PgPool) -> Result<String, sqlx::Error> {
    Ok(get(pool, "support_promise").await?.unwrap_or_default())
}

/// Sets the promise (one paragraph, at most 500 characters; empty hides it).
pub async fn set_support_promise(pool: &PgPool, by: i64, text: &str) -> Result<String, AppError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 500 {
        return Err(AppError::Invalid("Keep the promise under 500 characters.".into()));
    }
    set(pool, "support_promise", &text, by).await?;
    Ok(text)
}
