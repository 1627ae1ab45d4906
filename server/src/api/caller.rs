//! What every API handler starts from: who is calling ([`Caller`], asked for a permission),
//! its JSON body or a 400 that says what is wrong ([`body`]), and the shape of every
//! refusal ([`ApiError`]).

use app::backend::{authorize, Principal};
use app::domain::access::Permission;
use app::domain::token_scope::Scopes;
use app::error::AppError;
use app::model::user::CurrentUser;
use axum::extract::rejection::JsonRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum::Json;
use utoipa::ToSchema;

/// Every refusal and failure: `error` is a sentence for people.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ApiError {
    error: String,
}

/// The caller of an API route, possibly nobody; handlers ask it for a permission. With an
/// API token, the token's scopes must also allow it: reading (GET) needs the area's read
/// scope, anything else its write scope.
pub struct Caller {
    user: Option<CurrentUser>,
    scopes: Option<Scopes>,
    writes: bool,
    /// The session's proof of the password, for sensitive routes.
    principal: Option<Principal>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = parts.extensions.get::<Principal>();
        Ok(Caller {
            user: principal.map(|p| p.user.clone()),
            scopes: principal.and_then(|p| p.token_scopes.clone()),
            writes: !matches!(parts.method, Method::GET | Method::HEAD),
            principal: principal.cloned(),
        })
    }
}

impl Caller {
    pub fn require(&self, permission: Permission) -> Result<CurrentUser, AppError> {
        let user = authorize(self.user.clone(), permission)?;
        if let Some(scopes) = &self.scopes {
            scopes.allow(permission, self.writes).map_err(|refused| AppError::OutOfScope(refused.to_string()))?;
        }
        Ok(user)
    }

    /// The session the caller came with (none for an API token or nobody).
    pub fn session_hash(&self) -> Option<Vec<u8>> {
        self.principal.as_ref().and_then(|p| p.session_hash.clone())
    }

    /// [`Caller::require`] for sensitive routes (secrets): a session must have proved its
    /// password within the last 15 minutes (`backend::gate::require_recent_sign_in`).
    pub fn require_recent(&self, permission: Permission) -> Result<CurrentUser, AppError> {
        let user = self.require(permission)?;
        app::backend::gate::require_recent_sign_in(self.principal.as_ref())?;
        Ok(user)
    }

    /// Passes with any one of `permissions` (the first refusal is the answer otherwise).
    pub fn require_any(&self, permissions: &[Permission]) -> Result<CurrentUser, AppError> {
        let mut refusal = AppError::Forbidden;
        for (i, p) in permissions.iter().enumerate() {
            match self.require(*p) {
                Ok(user) => return Ok(user),
                Err(err) if i == 0 => refusal = err,
                Err(_) => {}
            }
        }
        Err(refusal)
    }
}

/// A JSON body, or a 400 that says what was wrong with it.
pub(crate) fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    parsed.map(|Json(v)| v).map_err(|e| AppError::Invalid(format!("The request body is not valid: {}", e.body_text())))
}
