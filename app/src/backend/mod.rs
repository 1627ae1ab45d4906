//! Server-only code of the app crate: shared state, the permission gate every server
//! function passes through, and the PostgreSQL repositories. Compiled with `ssr` only.

pub mod audit;
pub mod channels;
pub mod chat;
pub mod constraints;
pub mod dialogue;
pub mod dialogue_view;
pub mod inbound;
pub mod incidents;
pub mod kb;
pub mod kb_history;
pub mod macros;
pub mod mentions;
pub mod outbox;
pub mod performance;
pub mod planning;
pub mod passwords;
pub mod presence;
pub mod queue;
pub mod qa;
pub mod qa_results;
pub mod ratings;
pub mod reports;
pub mod rollup;
pub mod routing;
pub mod schedule;
pub mod sessions;
pub mod settings;
pub mod sign_in;
pub mod stored;
pub mod teams;
pub mod tokens;
pub mod users;

use crate::model::user::CurrentUser;
use crate::domain::access::{self, Permission};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Everything a request handler needs, provided to server functions as context and
/// to axum handlers as state.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    /// Every committed dialogue event (JSON from the `meridian_queue` NOTIFY channel),
    /// for the server-sent events that keep browsers live.
    pub live: tokio::sync::broadcast::Sender<String>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Settings read from the environment at start-up (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The address people use, e.g. `https://help.example.com`; decides `Secure` cookies
    /// and the origin that state-changing requests must come from.
    pub public_url: Option<String>,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, whatever happens.
    pub session_max: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you trust).
    pub trust_proxy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: None,
            session_idle: Duration::from_secs(8 * 3600),
            session_max: Duration::from_secs(7 * 24 * 3600),
            trust_proxy: false,
        }
    }
}

impl Settings {
    /// Served over TLS: cookies get `Secure` and the `__Host-` prefix.
    pub fn is_tls(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.is_tls() {
            "__Host-meridian_session"
        } else {
            "meridian_session"
        }
    }
}

/// Who is calling: set on each request by the server's session/token middleware.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: CurrentUser,
    /// The SHA-256 of the session token, when the caller came with a session cookie.
    pub session_hash: Option<Vec<u8>>,
}

/// The client's address as the server saw it (or as a trusted proxy reported it).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The principal of the current server-function request or SSR render, if any.
pub fn principal() -> Option<Principal> {
    request_parts().and_then(|p| p.extensions.get::<Principal>().cloned())
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
    }
}

/// Sends a Content-Security-Policy with this response's nonce: only our own scripts
/// (and the inline hydration scripts Leptos marks with the nonce) run, no inline styles,
/// no framing. `wasm-unsafe-eval` lets the browser compile our WebAssembly.
pub fn content_security_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; \
         object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
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

/// A day given as `YYYY-MM-DD` (a date-time is taken for its date); `what` names it in the
/// refusal ("the first day", "the week's Monday").
pub fn parse_day(s: &str, what: &str) -> Result<chrono::NaiveDate, AppError> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|_| AppError::Invalid(format!("Give {what} as YYYY-MM-DD.")))
}

/// Whole days `from`–`to` inclusive: in order, and at most `max_days` apart.
pub fn day_span(from: &str, to: &str, max_days: i64) -> Result<(chrono::NaiveDate, chrono::NaiveDate), AppError> {
    let (first, last) = (parse_day(from, "the first day")?, parse_day(to, "the last day")?);
    if first > last {
        return Err(AppError::Invalid("The period ends before it starts.".into()));
    }
    if (last - first).num_days() > max_days {
        return Err(AppError::Invalid(format!("Pick a period of at most {max_days} days.")));
    }
    Ok((first, last))
}

/// Checks a time-zone name against PostgreSQL's list.
pub async fn check_zone<'e, E: sqlx::PgExecutor<'e>>(db: E, zone: &str) -> Result<(), AppError> {
    let ok: bool = sqlx::query_scalar("select local_time_text($1) is not null").bind(zone).fetch_one(db).await?;
    if ok { Ok(()) } else { Err(AppError::Invalid(format!("“{zone}” is not a time zone PostgreSQL knows (e.g. Europe/Berlin)."))) }
}

/// 32 random bytes from the OS, URL-safe base64: session ids and API tokens.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Secrets are stored only as their SHA-256, so a database leak reveals no usable token.
pub fn sha256(secret: &str) -> Vec<u8> {
    sha256_bytes(secret.as_bytes())
}

pub fn sha256_bytes(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}
