//! What every request handler shares: the pool, the settings read at start-up, the live
//! event channel.

use leptos::config::LeptosOptions;
use sqlx::PgPool;
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
    /// A request not answered within this long is answered 503 (see the server's
    /// `time_limit` middleware).
    pub request_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: None,
            session_idle: Duration::from_secs(8 * 3600),
            // NIST SP 800-63B AAL2: sign in again at least every 12 hours.
            session_max: Duration::from_secs(12 * 3600),
            trust_proxy: false,
            request_timeout: Duration::from_secs(30),
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
