//! Signing in and out, and who is signed in. The server functions here are the only
//! public ones besides the help centre; everything else goes through
//! `backend::authorized`.

use crate::error::AppError;
use leptos::prelude::*;
use crate::model::user::{CurrentUser};

/// Who is signed in, or `None`. Never fails for a visitor.
#[server(endpoint = "current_user")]
pub async fn who_is_signed_in() -> Result<Option<CurrentUser>, AppError> {
    use crate::backend::{principal, public};
    public(|_| async move { Ok(principal().map(|p| p.user)) }).await
}

/// Checks the e-mail and password, opens a new server-side session, sets its cookie and
/// sends the browser to the first section the user's role may open.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::backend::{client_addr, principal, public, sessions, sign_in};
    public(|state| async move {
        let addr = client_addr();
        use crate::backend::audit;
        use crate::domain::audit::AuditAction;
        let parts = use_context::<http::request::Parts>();
        let device = parts.as_ref().and_then(|p| {
            p.headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|h| h.to_str().ok())
                .find_map(|h| sessions::token_from_cookies(h, sign_in::device_cookie_name(&state.settings)).map(String::from))
        });
        let signed_in = match sign_in::check_sign_in(&state.pool, &email, &password, &addr, device.as_deref()).await {
            Ok(signed_in) => signed_in,
            Err(err) => {
                if matches!(err, AppError::WrongCredentials) {
                    audit::record(&state.pool, None, email.trim(), AuditAction::SignInFailed, email.trim(), "wrong e-mail or password", &addr).await?;
                }
                return Err(err);
            }
        };
        let user = signed_in.user;
        audit::record(&state.pool, Some(user.id), &audit::who(&user), AuditAction::SignedIn, "", "", &addr).await?;
        // A session the browser had before is ended, not upgraded (session fixation).
        if let Some(old) = principal().and_then(|p| p.session_hash) {
            sessions::close(&state.pool, &old).await?;
        }
        let user_agent = parts
            .and_then(|p| p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from))
            .unwrap_or_default();
        let token = sessions::open(&state.pool, &state.settings, user.id, &addr, &user_agent).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&sessions::cookie(&state.settings, &token)).map_err(|_| AppError::Internal)?,
        );
        if let Some(device) = signed_in.new_device {
            response.append_header(
                http::header::SET_COOKIE,
                http::HeaderValue::from_str(&sign_in::device_cookie(&state.settings, &device)).map_err(|_| AppError::Internal)?,
            );
        }
        tracing::info!(user_id = user.id, "signed in");
        leptos_axum::redirect(crate::domain::access::Section::home_for(user.role).path());
        Ok(())
    })
    .await
}

/// Proves the password again in this session, for sensitive actions (throttled like
/// sign-in; a wrong one is a 400 and changes nothing).
#[server(endpoint = "confirm_password")]
pub async fn confirm_password(password: String) -> Result<(), AppError> {
    use crate::backend::{account, authorized, client_addr, principal, sessions};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move {
        let Some(hash) = principal().and_then(|p| p.session_hash) else { return Err(AppError::NotSignedIn) };
        account::check_password(&state.pool, &user, &password, &client_addr()).await?;
        sessions::reauthenticated(&state.pool, &hash).await?;
        Ok(())
    })
    .await
}

/// Ends the session on the server and clears the cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::backend::{principal, public, sessions};
    public(|state| async move {
        if let Some(hash) = principal().and_then(|p| p.session_hash) {
            sessions::close(&state.pool, &hash).await?;
        }
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.append_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&sessions::clearing_cookie(&state.settings)).map_err(|_| AppError::Internal)?,
        );
        leptos_axum::redirect("/sign-in");
        Ok(())
    })
    .await
}

/// The app-wide authentication context: the current user, refreshed after sign-in and
/// sign-out.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
}

impl Auth {
    pub fn provide() -> Auth {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let user = Resource::new(
            move || (sign_in.version().get(), sign_out.version().get()),
            |_| who_is_signed_in(),
        );
        let auth = Auth { user, sign_in, sign_out };
        provide_context(auth);
        auth
    }

    pub fn expect() -> Auth {
        expect_context::<Auth>()
    }
}
