//! `/invite/{token}`: where an invited person chooses their password (plain HTML, no
//! script). The link works once, for a week; then they sign in as usual.

use crate::help::esc;
use app::backend::{users, AppState};
use app::error::AppError;
use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(show).post(accept))
}

fn page(main: &str, status: StatusCode) -> Response {
    plain_page("Join Meridian", main, status)
}

/// A page of the account doors (invitation, forgotten password): plain HTML, no script,
/// a strict CSP of its own.
pub(crate) fn plain_page(title: &str, main: &str, status: StatusCode) -> Response {
    let title = esc(title);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{title}</title>\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"><link rel=\"stylesheet\" href=\"/pkg/meridian.css\"></head>\
         <body class=\"customer\"><main id=\"main\" class=\"customer-main\">{main}</main></body></html>"
    );
    (
        status,
        [(header::CONTENT_SECURITY_POLICY, "default-src 'self'; script-src 'none'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")],
        Html(html),
    )
        .into_response()
}

fn form(name: &str, email: &str, error: Option<&str>) -> String {
    format!(
        "<h1>Welcome, {}</h1><p>Choose a password for {}. You sign in with it from now on.</p>{}\
         <form method=\"post\" class=\"chat-start form-grid\">\
         <label for=\"password\">Password (at least 12 characters)</label><input id=\"password\" name=\"password\" type=\"password\" required minlength=\"12\" autocomplete=\"new-password\">\
         <label for=\"again\">The same password again</label><input id=\"again\" name=\"again\" type=\"password\" required autocomplete=\"new-password\">\
         <button type=\"submit\" class=\"button-primary\">Set my password</button></form>",
        esc(name),
        esc(email),
        error.map(|e| format!("<p class=\"notice notice-error\" role=\"alert\">{}</p>", esc(e))).unwrap_or_default()
    )
}

const GONE: &str = "<h1>This link has been used or has expired</h1><p>Ask the person who invited you for a new one, or <a href=\"/sign-in\">sign in</a> if you have set your password.</p>";

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    Ok(match users::invitation(&state.pool, &token).await? {
        Some((name, email)) => page(&form(&name, &email, None), StatusCode::OK),
        None => page(GONE, StatusCode::NOT_FOUND),
    })
}

#[derive(Deserialize)]
struct Passwords {
    password: String,
    again: String,
}

async fn accept(State(state): State<AppState>, Path(token): Path<String>, Form(p): Form<Passwords>) -> Result<Response, AppError> {
    let Some((name, email)) = users::invitation(&state.pool, &token).await? else {
        return Ok(page(GONE, StatusCode::NOT_FOUND));
    };
    if p.password != p.again {
        return Ok(page(&form(&name, &email, Some("The two passwords are not the same.")), StatusCode::BAD_REQUEST));
    }
    match users::accept_invitation(&state.pool, &token, &p.password).await {
        Ok(_) => Ok(Redirect::to("/sign-in").into_response()),
        Err(AppError::Invalid(message)) => Ok(page(&form(&name, &email, Some(&message)), StatusCode::BAD_REQUEST)),
        Err(AppError::NotFound(_)) => Ok(page(GONE, StatusCode::NOT_FOUND)),
        Err(err) => Err(err),
    }
}
