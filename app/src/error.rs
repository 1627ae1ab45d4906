//! The one error type of server functions and API handlers. Each variant is a sentence
//! the user may read; the cause of an unexpected failure goes to the log, never here.

use serde::{Deserialize, Serialize};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// What a sensitive action answers when the password was proved too long ago; the error
/// notice shows a password box beside it.
pub const REAUTH_SENTENCE: &str = "For this, confirm your password first: it has been more than 15 minutes since you last entered it.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("That e-mail address and password do not match an account.")]
    WrongCredentials,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A signed request whose signature does not match (HTTP 401).
    #[error("{0}")]
    BadSignature(String),
    /// An API token that cannot be used here or any more (HTTP 401): expired, or sent to
    /// a page or server function.
    #[error("{0}")]
    TokenRefused(String),
    /// An API token without the scope for this (HTTP 403).
    #[error("{0}")]
    OutOfScope(String),
    #[error("{0}")]
    TooLarge(String),
    /// A throttled or rate-limited door (HTTP 429): the sentence says when to try again,
    /// and the number (seconds) goes out as `Retry-After`.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// A sensitive action in a session whose password proof is too old (HTTP 401): the
    /// page asks for the password again.
    #[error("{}", REAUTH_SENTENCE)]
    ReauthRequired,
    #[error("Meridian cannot reach its database right now. Try again in a moment.")]
    Unavailable,
    /// A statement or request ran past its time limit and was stopped (HTTP 503).
    #[error("This took longer than Meridian allows and was stopped. Try a narrower search or a shorter period, or try again in a moment.")]
    TimedOut,
    /// More visitors than this server's share for them are being served (HTTP 503).
    #[error("Meridian is busy answering other visitors right now. Try again in a few seconds.")]
    Busy,
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The request itself could not be read or sent (network, encoding).
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::WrongCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) | AppError::Request(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::BadSignature(_) | AppError::TokenRefused(_) => 401,
            AppError::OutOfScope(_) => 403,
            AppError::TooLarge(_) => 413,
            AppError::TooManyRequests(..) => 429,
            AppError::ReauthRequired => 401,
            AppError::Unavailable | AppError::TimedOut | AppError::Busy => 503,
            AppError::Internal => 500,
        }
    }

    /// A refused attempt at a throttled door: `what` and when to try again, rounded up to
    /// whole seconds or minutes.
    pub fn too_many(what: &str, wait: std::time::Duration) -> AppError {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let sentence = if secs > 120 {
            format!("{what} Try again in {} minutes.", secs.div_ceil(60))
        } else {
            format!("{what} Try again in {secs} seconds.")
        };
        AppError::TooManyRequests(sentence, secs)
    }

    /// The seconds a client should wait before trying again (`Retry-After`), for the
    /// answers that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests(_, seconds) => Some((*seconds).max(1)),
            AppError::Unavailable | AppError::TimedOut | AppError::Busy => Some(5),
            _ => None,
        }
    }
}

impl From<crate::domain::access::Denied> for AppError {
    fn from(denied: crate::domain::access::Denied) -> Self {
        match denied {
            crate::domain::access::Denied::NotSignedIn => AppError::NotSignedIn,
            crate::domain::access::Denied::Forbidden => AppError::Forbidden,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Database errors are logged with their cause and shown as a plain sentence.
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            // query_canceled: the connection's statement_timeout stopped it.
            sqlx::Error::Database(ref db) if db.code().as_deref() == Some("57014") => {
                tracing::warn!(error = %err, "a statement ran past its time limit and was cancelled");
                AppError::TimedOut
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response();
        if let Some(seconds) = self.retry_after() {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        res
    }
}
