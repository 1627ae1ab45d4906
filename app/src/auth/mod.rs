//! Signing in and out, and who is signed in. The server functions here are the only
//! public ones besides the help centre; everything else goes through
//! `backend::authorized`.

use crate::error::AppError;
use leptos::prelude::*;
use crate::model::user::{CurrentUser, SecondStep};

/// Who is signed in, or `None`. Never fails for a visitor.
#[server(endpoint = "current_user")]
pub async fn who_is_signed_in() -> Result<Option<CurrentUser>, AppError> {
    use crate::backend::{principal, public};
    public(|_| async move { Ok(principal().map(|p| p.user)) }).await
}

/// Checks the e-mail and password. Without a second factor to ask for, opens a new
/// server-side session, sets its cookie and sends the browser to the first section the
/// user's role may open; with one (two-factor sign-in on and this browser not remembered,
/// or required for the role and not set up), sets a five-minute challenge cookie and
/// sends the browser to `/sign-in/second-factor`.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use crate::backend::{audit, client_addr, public, request_cookie, second_factor, sign_in, user_agent};
    use crate::domain::audit::AuditAction;
    public(|state| async move {
        let addr = client_addr();
        let device = request_cookie(sign_in::device_cookie_name(&state.settings));
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
        match second_factor::after_password(&state.pool, &user, Some(signed_in.device_id), &addr, &user_agent()).await? {
            second_factor::AfterPassword::SignedIn => {
                open_session(&state, &user, "").await?;
                leptos_axum::redirect(crate::domain::access::Section::home_for(user.role).path());
            }
            second_factor::AfterPassword::Challenge(token) => {
                set_cookie(&second_factor::challenge_cookie(&state.settings, Some(&token)))?;
                leptos_axum::redirect("/sign-in/second-factor");
            }
        }
        if let Some(device) = &signed_in.new_device {
            set_cookie(&sign_in::device_cookie(&state.settings, device))?;
        }
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) -> Result<(), AppError> {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.append_header(http::header::SET_COOKIE, http::HeaderValue::from_str(cookie).map_err(|_| AppError::Internal)?);
    Ok(())
}

/// Opens the session of a person who proved who they are (audited), ending any session
/// the browser had before (session fixation), and sets its cookie.
#[cfg(feature = "ssr")]
async fn open_session(state: &crate::backend::AppState, user: &CurrentUser, how: &str) -> Result<(), AppError> {
    use crate::backend::{audit, client_addr, principal, sessions, user_agent};
    use crate::domain::audit::AuditAction;
    let addr = client_addr();
    audit::record(&state.pool, Some(user.id), &audit::who(user), AuditAction::SignedIn, "", how, &addr).await?;
    if let Some(old) = principal().and_then(|p| p.session_hash) {
        sessions::close(&state.pool, &old).await?;
    }
    let token = sessions::open(&state.pool, &state.settings, user.id, &addr, &user_agent()).await?;
    set_cookie(&sessions::cookie(&state.settings, &token))?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(())
}

/// What the second step of this browser's sign-in asks for (a code, or setting up an
/// authenticator app); an expired or missing one is a 404 with a sentence.
#[server(endpoint = "sign_in_second_step")]
pub async fn sign_in_second_step() -> Result<SecondStep, AppError> {
    use crate::backend::{public, request_cookie, second_factor};
    public(|state| async move {
        let token = request_cookie(second_factor::challenge_cookie_name(&state.settings))
            .ok_or_else(|| AppError::NotFound(second_factor::CHALLENGE_GONE.into()))?;
        second_factor::second_step(&state.pool, &token).await
    })
    .await
}

/// Answers the second step: a right code opens the session. After setting up an
/// authenticator at sign-in, answers the ten recovery codes to show once (the page
/// then offers to continue); otherwise sends the browser on to its start page.
#[server(endpoint = "second_factor_sign_in")]
pub async fn second_factor_sign_in(code: String, remember: Option<String>) -> Result<Option<Vec<String>>, AppError> {
    use crate::backend::{client_addr, public, request_cookie, second_factor};
    public(|state| async move {
        let token = request_cookie(second_factor::challenge_cookie_name(&state.settings))
            .ok_or_else(|| AppError::NotFound(second_factor::CHALLENGE_GONE.into()))?;
        let answered = second_factor::answer(&state.pool, &token, &code, remember.is_some(), &client_addr()).await?;
        set_cookie(&second_factor::challenge_cookie(&state.settings, None))?;
        open_session(&state, &answered.user, "with a second factor").await?;
        if answered.recovery_codes.is_none() {
            leptos_axum::redirect(crate::domain::access::Section::home_for(answered.user.role).path());
        }
        Ok(answered.recovery_codes)
    })
    .await
}

/// Proves who one is again in this session, for sensitive actions: the password, or a
/// code from one's authenticator app when two-factor sign-in is on (throttled like
/// sign-in; a wrong one is a 400 and changes nothing).
#[server(endpoint = "confirm_password")]
pub async fn confirm_password(password: String) -> Result<(), AppError> {
    use crate::backend::{account, authorized, client_addr, principal, second_factor, sessions};
    use crate::domain::access::Permission;
    use crate::domain::second_factor::Entered;
    authorized(Permission::ManageOwnAccount, |state, user| async move {
        let Some(hash) = principal().and_then(|p| p.session_hash) else { return Err(AppError::NotSignedIn) };
        let is_code = Entered::parse(&password).is_ok() && second_factor::status(&state.pool, &user).await?.enabled;
        if is_code {
            second_factor::check(&state.pool, &user, &password).await?;
        } else {
            account::check_password(&state.pool, &user, &password, &client_addr()).await?;
        }
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
    pub second_factor: ServerAction<SecondFactorSignIn>,
}

impl Auth {
    pub fn provide() -> Auth {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let second_factor = ServerAction::<SecondFactorSignIn>::new();
        let user = Resource::new(
            move || (sign_in.version().get(), sign_out.version().get(), second_factor.version().get()),
            |_| who_is_signed_in(),
        );
        let auth = Auth { user, sign_in, sign_out, second_factor };
        provide_context(auth);
        auth
    }

    pub fn expect() -> Auth {
        expect_context::<Auth>()
    }
}
