//! `/forgot-password` and `/reset-password/{token}`: asking for a link to choose a new
//! password, and choosing it (plain HTML, no script, like the invitation page). The
//! rules are `app::backend::account`'s.

use crate::help::esc;
use crate::invite::plain_page;
use app::backend::{account, AppState, ClientAddr};
use app::domain::password_policy::MIN_LENGTH;
use app::error::AppError;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forgot-password", get(ask).post(send))
        .route("/reset-password/{token}", get(show).post(choose))
}

const TITLE: &str = "Reset your password";

fn notice(kind: &str, text: &str) -> String {
    format!("<p class=\"notice notice-{kind}\" role=\"{}\">{}</p>", if kind == "error" { "alert" } else { "status" }, esc(text))
}

fn ask_form(error: Option<&str>) -> String {
    format!(
        "<h1>Forgot your password?</h1><p>Type the e-mail address you sign in with. We send it a link to choose a new password.</p>{}\
         <form method=\"post\" class=\"chat-start form-grid\">\
         <label for=\"email\">E-mail</label><input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"username\" autofocus>\
         <button type=\"submit\" class=\"button-primary\">Send me a link</button></form>\
         <p><a href=\"/sign-in\">Back to sign-in</a></p>",
        error.map(|e| notice("error", e)).unwrap_or_default()
    )
}

async fn ask() -> Response {
    plain_page(TITLE, &ask_form(None), StatusCode::OK)
}

#[derive(Deserialize)]
struct Ask {
    email: String,
}

async fn send(State(state): State<AppState>, addr: Option<Extension<ClientAddr>>, Form(f): Form<Ask>) -> Result<Response, AppError> {
    let addr = addr.map(|a| a.0 .0).unwrap_or_default();
    match account::request_reset(&state.pool, &f.email, &addr).await {
        Ok(()) => Ok(plain_page(
            TITLE,
            &format!("<h1>Check your e-mail</h1>{}<p><a href=\"/sign-in\">Back to sign-in</a></p>", notice("success", account::RESET_SENT)),
            StatusCode::OK,
        )),
        Err(e @ (AppError::Invalid(_) | AppError::TooManyRequests(..))) => {
            Ok(plain_page(TITLE, &ask_form(Some(&e.to_string())), StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST)))
        }
        Err(e) => Err(e),
    }
}

const GONE: &str = "<h1>This link has been used or has expired</h1><p>A reset link works once, for 30 minutes. \
    <a href=\"/forgot-password\">Ask for a new one</a>, or <a href=\"/sign-in\">sign in</a> if you know your password.</p>";

fn choose_form(name: &str, email: &str, error: Option<&str>) -> String {
    format!(
        "<h1>Choose a new password</h1><p>For {} ({}). Every browser signed in to this account is signed out.</p>{}\
         <form method=\"post\" class=\"chat-start form-grid\">\
         <label for=\"password\">New password (at least {MIN_LENGTH} characters)</label>\
         <input id=\"password\" name=\"password\" type=\"password\" required minlength=\"{MIN_LENGTH}\" maxlength=\"128\" autocomplete=\"new-password\" autofocus>\
         <label for=\"again\">The same password again</label><input id=\"again\" name=\"again\" type=\"password\" required autocomplete=\"new-password\">\
         <button type=\"submit\" class=\"button-primary\">Set my new password</button></form>",
        esc(name),
        esc(email),
        error.map(|e| notice("error", e)).unwrap_or_default()
    )
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    Ok(match account::reset_link(&state.pool, &token).await? {
        Some((name, email)) => plain_page(TITLE, &choose_form(&name, &email, None), StatusCode::OK),
        None => plain_page(TITLE, GONE, StatusCode::NOT_FOUND),
    })
}

#[derive(Deserialize)]
struct Choose {
    password: String,
    again: String,
}

async fn choose(
    State(state): State<AppState>,
    Path(token): Path<String>,
    addr: Option<Extension<ClientAddr>>,
    Form(f): Form<Choose>,
) -> Result<Response, AppError> {
    let addr = addr.map(|a| a.0 .0).unwrap_or_default();
    let Some((name, email)) = account::reset_link(&state.pool, &token).await? else {
        return Ok(plain_page(TITLE, GONE, StatusCode::NOT_FOUND));
    };
    Ok(match account::reset_password(&state.pool, &token, &f.password, &f.again, &addr).await {
        Ok(_) => plain_page(
            TITLE,
            &format!(
                "<h1>Your new password is set</h1>{}<p><a class=\"button-primary\" href=\"/sign-in\">Sign in</a></p>",
                notice("success", "Sign in with it from now on. Every browser that was signed in to this account has been signed out.")
            ),
            StatusCode::OK,
        ),
        Err(AppError::Invalid(message)) => plain_page(TITLE, &choose_form(&name, &email, Some(&message)), StatusCode::BAD_REQUEST),
        Err(AppError::NotFound(_)) => plain_page(TITLE, GONE, StatusCode::NOT_FOUND),
        Err(err) => return Err(err),
    })
}
