//! The sign-in check: throttle, verify, record the outcome.
//!
//! Attempts are counted per account and per client address before the password is
//! checked (`backend::throttle`, decided under row locks, so parallel guesses get no
//! free tries); a successful sign-in starts the account's count again. A browser that
//! signed in to this account before carries a known-device cookie: its attempts are
//! counted against that device instead of the account, so someone who trips the
//! account's throttle on purpose does not lock its owner out.

use super::{passwords, random_token, sha256, throttle, users, Settings};
use crate::domain::email::EmailAddress;
use crate::domain::sign_in_throttle::ThrottlePolicy;
use crate::error::AppError;
use crate::model::user::CurrentUser;
use sqlx::PgPool;

/// What a successful sign-in gives: the user, and a new known-device token for the
/// cookie when the browser did not bring a valid one for this account.
pub struct SignedIn {
    pub user: CurrentUser,
    pub new_device: Option<String>,
    /// The known device this browser is (the one just made, when `new_device` is set).
    pub device_id: i64,
}

/// Returns the user whose e-mail and password these are (no known device).
pub async fn check_credentials(pool: &PgPool, email: &str, password: &str, client_addr: &str) -> Result<CurrentUser, AppError> {
    check_sign_in(pool, email, password, client_addr, None).await.map(|s| s.user)
}

/// Checks an e-mail and password from `client_addr`, with the browser's known-device
/// token if it has one. Refuses without checking the password while a door owes a wait
/// (HTTP 429); refuses an account whose owner forced a password reset (HTTP 409) only
/// after the right password, so the answer reveals nothing to a guesser.
pub async fn check_sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    client_addr: &str,
    device: Option<&str>,
) -> Result<SignedIn, AppError> {
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(e.to_string()))?;
    if password.is_empty() {
        return Err(AppError::Invalid("Enter your password.".into()));
    }
    let known: Option<i64> = match device {
        Some(token) => sqlx::query_scalar(
            "select d.id from known_devices d join users u on u.id = d.user_id where d.token_hash = $1 and lower(u.email) = $2",
        )
        .bind(sha256(token))
        .bind(email.as_str())
        .fetch_optional(pool)
        .await?,
        None => None,
    };
    let account_key = match known {
        Some(id) => format!("device:{id}"),
        None => format!("account:{}", email.as_str()),
    };
    let address_key = format!("address:{client_addr}");
    let doors = [(account_key.clone(), ThrottlePolicy::PER_ACCOUNT), (address_key.clone(), ThrottlePolicy::PER_ADDRESS)];
    if let Err(wait) = throttle::admit(pool, &doors).await? {
        return Err(AppError::too_many("Too many failed sign-ins.", wait));
    }

    let found = users::credentials(pool, &email).await?;
    let stored = found.as_ref().map(|c| c.password_hash.clone());
    let password_ok = passwords::verify(password.to_string(), stored).await?;
    match found {
        Some(c) if password_ok && c.active => {
            throttle::forget(pool, &account_key).await?;
            throttle::refund(pool, &address_key).await?;
            if c.reset_required {
                return Err(AppError::Conflict(
                    "An owner asked you to choose a new password. Use the link in the e-mail we sent, or ask for a new one with “Forgot your password?”.".into(),
                ));
            }
            let (device_id, new_device) = match known {
                Some(id) => {
                    sqlx::query("update known_devices set last_used_at = now() where id = $1").bind(id).execute(pool).await?;
                    (id, None)
                }
                None => {
                    let token = random_token();
                    let id: i64 = sqlx::query_scalar("insert into known_devices (user_id, token_hash) values ($1, $2) returning id")
                        .bind(c.user.id)
                        .bind(sha256(&token))
                        .fetch_one(pool)
                        .await?;
                    (id, Some(token))
                }
            };
            Ok(SignedIn { user: c.user, new_device, device_id })
        }
        _ => {
            tracing::info!(email = %email, client_addr, "failed sign-in");
            Err(AppError::WrongCredentials)
        }
    }
}

/// How long a browser stays known without signing in again.
pub const DEVICE_DAYS: u64 = 180;

pub fn device_cookie_name(settings: &Settings) -> &'static str {
    if settings.is_tls() {
        "__Host-meridian_device"
    } else {
        "meridian_device"
    }
}

/// `Set-Cookie` for a known device: HttpOnly, SameSite=Lax, for 180 days.
pub fn device_cookie(settings: &Settings, token: &str) -> String {
    let secure = if settings.is_tls() { "; Secure" } else { "" };
    format!("{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", device_cookie_name(settings), DEVICE_DAYS * 86_400)
}
