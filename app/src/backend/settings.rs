//! Team-wide settings (`app_settings`).

use crate::error::AppError;
use sqlx::PgPool;

pub async fn support_promise(pool: &PgPool) -> Result<String, sqlx::Error> {
    Ok(sqlx::query_scalar("select value from app_settings where key = 'support_promise'").fetch_optional(pool).await?.unwrap_or_default())
}

/// Sets the promise (one paragraph, at most 500 characters; empty hides it).
pub async fn set_support_promise(pool: &PgPool, by: i64, text: &str) -> Result<String, AppError> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 500 {
        return Err(AppError::Invalid("Keep the promise under 500 characters.".into()));
    }
    sqlx::query(
        "insert into app_settings (key, value, updated_by) values ('support_promise', $1, $2)
         on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()",
    )
    .bind(&text)
    .bind(by)
    .execute(pool)
    .await?;
    Ok(text)
}
