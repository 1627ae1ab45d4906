//! The sign-in check: throttle, verify, record the outcome.

use super::{passwords, users};
use crate::model::user::CurrentUser;
use crate::domain::email::EmailAddress;
use crate::domain::sign_in_throttle::ThrottlePolicy;
use crate::error::AppError;
use sqlx::PgPool;
use std::time::Duration;

#[derive(sqlx::FromRow)]
struct RecentFailures {
    account_failures: i64,
    account_since_last: Option<f64>,
    address_failures: i64,
    address_since_last: Option<f64>,
}

/// Returns the user whose e-mail and password these are. Refuses without checking the
/// password while the account or the client address owes a wait (HTTP 429).
pub async fn check_credentials(
    pool: &PgPool,
    email: &str,
    password: &str,
    client_addr: &str,
) -> Result<CurrentUser, AppError> {
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    if password.is_empty() {
        return Err(AppError::Invalid("Enter your password.".into()));
    }

    let recent: RecentFailures = sqlx::query_as(
        "select count(*) filter (where email = $1) as account_failures,
                extract(epoch from now() - max(failed_at) filter (where email = $1))::float8 as account_since_last,
                count(*) filter (where client_addr = $2) as address_failures,
                extract(epoch from now() - max(failed_at) filter (where client_addr = $2))::float8 as address_since_last
           from sign_in_failures
          where failed_at > now() - make_interval(secs => $3) and (email = $1 or client_addr = $2)",
    )
    .bind(email.as_str())
    .bind(client_addr)
    .bind(ThrottlePolicy::PER_ACCOUNT.window.as_secs_f64().max(ThrottlePolicy::PER_ADDRESS.window.as_secs_f64()))
    .fetch_one(pool)
    .await?;
    let wait = |policy: ThrottlePolicy, failures: i64, since: Option<f64>| {
        policy.retry_after(failures as u32, Duration::from_secs_f64(since.unwrap_or(f64::MAX).clamp(0.0, 1e9)))
    };
    let owed = wait(ThrottlePolicy::PER_ACCOUNT, recent.account_failures, recent.account_since_last)
        .max(wait(ThrottlePolicy::PER_ADDRESS, recent.address_failures, recent.address_since_last));
    if let Some(owed) = owed {
        return Err(AppError::TooManyRequests(format!(
            "Too many failed sign-ins. Try again in {} seconds.",
            owed.as_secs().max(1)
        )));
    }

    let found = users::credentials(pool, &email).await?;
    let stored = found.as_ref().map(|c| c.password_hash.clone());
    let password_ok = passwords::verify(password.to_string(), stored).await;
    match found {
        Some(c) if password_ok && c.active => {
            sqlx::query("delete from sign_in_failures where email = $1").bind(email.as_str()).execute(pool).await?;
            Ok(c.user)
        }
        _ => {
            sqlx::query("insert into sign_in_failures (email, client_addr) values ($1, $2)")
                .bind(email.as_str())
                .bind(client_addr)
                .execute(pool)
                .await?;
            tracing::info!(email = %email, client_addr, "failed sign-in");
            Err(AppError::WrongCredentials)
        }
    }
}
