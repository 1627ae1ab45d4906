//! The permission gate every server function passes through, and what it reads from the
//! request: who is calling (set by the server's session/token middleware) and from where.

use super::state::AppState;
use crate::domain::access::{self, Permission};
use crate::domain::token_scope::Scopes;
use crate::error::AppError;
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use std::future::Future;

/// Who is calling: set on each request by the server's session/token middleware.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: CurrentUser,
    /// The SHA-256 of the session token, when the caller came with a session cookie.
    pub session_hash: Option<Vec<u8>>,
    /// The token's scopes, when the caller came with an API token (under `/api/v1` only).
    pub token_scopes: Option<Scopes>,
    /// When the person last proved their password in this session (Unix seconds): at
    /// sign-in, or by confirming it again. `None` for API tokens.
    pub authenticated_epoch: Option<i64>,
}

/// How long a proof of the password counts for sensitive actions.
pub const REAUTH_MINUTES: i64 = 15;

/// Refuses a session whose password proof is older than [`REAUTH_MINUTES`] (and every
/// API token): the page asks for the password again.
pub fn require_recent_sign_in(principal: Option<&Principal>) -> Result<(), AppError> {
    let now = chrono::Utc::now().timestamp();
    match principal.and_then(|p| p.authenticated_epoch) {
        Some(at) if now - at <= REAUTH_MINUTES * 60 => Ok(()),
        _ => Err(AppError::ReauthRequired),
    }
}

/// The client's address as the server saw it (or as a trusted proxy reported it).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The principal of the current server-function request or SSR render, if any. Server
/// functions and pages are for people signed in: an API token is never one here (the
/// server accepts tokens under /api/v1 only; this holds it here too).
pub fn principal() -> Option<Principal> {
    request_parts()
        .and_then(|p| p.extensions.get::<Principal>().cloned())
        .filter(|p| p.token_scopes.is_none())
}

/// A cookie of the current request, by name.
pub fn request_cookie(name: &str) -> Option<String> {
    request_parts().and_then(|p| super::sessions::cookie_in(&p.headers, name))
}

/// The current request's User-Agent (empty when it sent none).
pub fn user_agent() -> String {
    request_parts()
        .and_then(|p| p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from))
        .unwrap_or_default()
}

pub fn client_addr() -> String {
    request_parts()
        .and_then(|p| p.extensions.get::<ClientAddr>().map(|a| a.0.clone()))
        .unwrap_or_else(|| "unknown".into())
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// Sets the HTTP status of the current response from an error, so that refused server
/// functions answer 401/403/4xx and SSR pages carry the right status.
pub fn set_status_for(err: &AppError) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(err.status()) {
            res.set_status(code);
        }
        if let Some(seconds) = err.retry_after() {
            res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
}

/// The gate every protected server function goes through: checks `permission` for the
/// caller, then runs `work`; any error sets the response status.
pub async fn authorized<T, F, Fut>(permission: Permission, work: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, CurrentUser) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let state = app_state()?;
        let user = authorize(principal().map(|p| p.user), permission)?;
        work(state, user).await
    }
    .await;
    if let Err(err) = &result {
        set_status_for(err);
    }
    result
}

/// [`authorized`] for sensitive actions (creating API tokens, changing roles, forcing a
/// reset, creating or rotating secrets): the session must also have proved its password
/// within [`REAUTH_MINUTES`]; otherwise the answer is [`AppError::ReauthRequired`] and the
/// page asks for the password (`confirm_password`).
pub async fn reauthorized<T, F, Fut>(permission: Permission, work: F) -> Result<T, AppError>
where
    F: FnOnce(AppState, CurrentUser) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    // Read before the work starts; the role is checked first, so someone not allowed at
    // all hears that rather than "confirm your password".
    let fresh = require_recent_sign_in(principal().as_ref());
    authorized(permission, |state, user| async move {
        fresh?;
        work(state, user).await
    })
    .await
}

/// For the few public server functions (sign-in): no permission, same error handling.
pub async fn public<T, F, Fut>(work: F) -> Result<T, AppError>
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async { work(app_state()?).await }.await;
    if let Err(err) = &result {
        set_status_for(err);
    }
    result
}

/// The permission check shared by server functions and REST handlers.
pub fn authorize(user: Option<CurrentUser>, permission: Permission) -> Result<CurrentUser, AppError> {
    match access::check(user.as_ref().map(|u| u.role), permission) {
        Ok(_) => Ok(user.expect("check passes only with a user")),
        Err(denied) => Err(denied.into()),
    }
}
