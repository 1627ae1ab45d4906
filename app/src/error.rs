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
    #[error("{0}")]
    TooManyRequests(String),
    /// A sensitive action in a session whose password proof is too old (HTTP 401): the
    /// page asks for the password again.
    #[error("{}", REAUTH_SENTENCE)]
    ReauthRequired,
    #[error("Meridian cannot reach its database right now. Try again in a moment.")]
    Unavailable,
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
            AppError::TooManyRequests(_) => 429,
            AppError::ReauthRequired => 401,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
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
        (status, axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}
