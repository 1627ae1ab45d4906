//! The axum router: pages (SSR), server functions, the REST API and health checks,
//! behind its middlewares, outermost first: `security_headers`, `time_limit` (a request's
//! whole time), `refuse_cross_site` (CSRF protection for cookie-authenticated writes),
//! `identify` (who is calling, from where) and `doors::guard` (limits for anonymous
//! requests).

use crate::api;
use app::backend::{sessions, tokens, AppState, ClientAddr, Principal};
use app::error::AppError;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::net::SocketAddr;
use std::time::Duration;

/// The whole application as one `Router`; `meridian serve` binds it to a socket and
/// tests drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();
    let doors = std::sync::Arc::new(crate::doors::Doors::new(state.pool.options().get_max_connections()));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/events/queue", get(crate::live::queue_events))
        .route("/calendar/{file}", get(calendar))
        .route("/attachments/{id}", get(attachment))
        .merge(crate::help::router())
        .merge(crate::chat::router())
        .merge(crate::invite::router())
        .merge(crate::password_reset::router())
        .nest("/api/v1", api::router())
        // Server functions are POST only; any other method under /api is an unknown route.
        .route("/api/{*fn_name}", post(server_fn).fallback(api::no_such_route))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn_with_state(doors, crate::doors::guard))
        .layer(from_fn_with_state(state.clone(), identify))
        .layer(from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), time_limit))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// `GET /calendar/{token}.ics`: an agent's shifts as iCalendar, for their calendar app. The
/// private token is the only credential (calendar apps send no cookies); unknown tokens 404.
async fn calendar(State(state): State<AppState>, axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    match app::backend::schedule::calendar_feed(&state.pool, token).await {
        Ok(Some(ics)) => ([(axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8")], ics).into_response(),
        Ok(None) => app::error::AppError::NotFound("There is no such calendar.".into()).into_response(),
        Err(err) => err.into_response(),
    }
}

/// `GET /attachments/{id}`: a file that came with a customer's message, for people who
/// read dialogues. Always a download, never rendered in our origin.
async fn attachment(State(state): State<AppState>, caller: api::caller::Caller, axum::extract::Path(id): axum::extract::Path<i64>) -> Response {
    use app::domain::access::Permission;
    let allowed = caller.require_any(&[Permission::WorkQueue, Permission::ReviewDialogues]);
    if let Err(err) = allowed {
        return err.into_response();
    }
    match app::backend::inbound::attachment(&state.pool, id).await {
        Ok(Some((filename, content_type, data))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
                (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".to_string()),
            ],
            data,
        )
            .into_response(),
        Ok(None) => app::error::AppError::NotFound("There is no such attachment.".into()).into_response(),
        Err(err) => app::error::AppError::from(err).into_response(),
    }
}

/// `GET /healthz`: the process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: PostgreSQL answers within two seconds; 503 otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(2), sqlx::query("select 1").execute(&state.pool)).await;
    match ping {
        Ok(Ok(_)) => "ready".into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out").into_response(),
    }
}

/// The REST API, the only place API tokens are accepted.
fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico" || path == "/robots.txt"
}

/// Resolves the caller once per request, from `Authorization: Bearer` (API tokens) or
/// the session cookie, and records it (and the client address) in the request's
/// extensions, where server functions, SSR and API handlers read it.
async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_static_asset(path) || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let addr = client_addr(&req, state.settings.trust_proxy);
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let cookie_token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| sessions::token_from_cookies(h, state.settings.session_cookie_name()).map(String::from));

    let principal = match (bearer, cookie_token) {
        // Tokens are for the REST API; pages and server functions are for people.
        (Some(_), _) if !is_api_path(path) => {
            return AppError::TokenRefused("API tokens are accepted only under /api/v1.".into()).into_response();
        }
        (Some(token), _) => match tokens::resolve(&state.pool, &token).await {
            Ok(tokens::Resolved::Live { user, scopes, .. }) => Ok(Some(Principal { user, session_hash: None, token_scopes: Some(scopes), authenticated_epoch: None })),
            Ok(tokens::Resolved::Expired { on }) => {
                return AppError::TokenRefused(format!("This API token expired on {on}; an owner can create a new one on Admin, API tokens.")).into_response();
            }
            Ok(tokens::Resolved::Unknown) => Ok(None),
            Err(err) => Err(err),
        },
        (None, Some(token)) => sessions::resolve(&state.pool, &state.settings, &token).await,
        (None, None) => Ok(None),
    };
    match principal {
        Ok(Some(p)) => {
            req.extensions_mut().insert(p);
        }
        Ok(None) => {}
        Err(err) => {
            tracing::error!(error = %err, "could not look up the caller's session or token");
            return AppError::from(err).into_response();
        }
    }
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

fn client_addr(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        // The last hop is the one our own proxy added; earlier entries are the client's word.
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(addr) = forwarded {
            return addr;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// CSRF protection. Leptos server functions have none built in, so every state-changing
/// request must come from our own origin: a browser sends `Origin` (or at least
/// `Sec-Fetch-Site`) with every POST, and a forged cross-site form carries another
/// site's. Requests authenticated by a bearer token carry no ambient credentials and
/// are exempt.
async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if is_api_path(req.uri().path()) && headers.get(header::AUTHORIZATION).is_some_and(|v| v.as_bytes().starts_with(b"Bearer ")) {
        return next.run(req).await;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let same_origin = match origin {
        Some(origin) => match &state.settings.public_url {
            Some(public) => origin == public,
            None => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        },
        None => !matches!(fetch_site, Some(site) if site != "same-origin" && site != "none"),
    };
    if same_origin {
        next.run(req).await
    } else {
        tracing::warn!(?origin, ?fetch_site, host, path = %req.uri().path(), "refused a cross-site request");
        (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({ "error": "This request came from another site and was refused." })),
        )
            .into_response()
    }
}

/// Answers 503 with a sentence when a request is not answered within the configured time
/// (its body's reading included): whatever the handler was doing is dropped, and an open
/// transaction with it rolls back. An event stream counts only until it starts.
async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.settings.request_timeout;
    let path = req.uri().path().to_string();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(path, ?limit, "a request ran past its time limit and was stopped");
            AppError::TimedOut.into_response()
        }
    }
}

/// The policy of every response that brings none of its own (JSON, server functions,
/// plain errors): nothing may load, run or frame it. Pages set their own (the app's with
/// its nonce, the help centre's, the chat page's, the plain account pages').
const FALLBACK_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The customer chat page is made to be embedded in a customer's site (a frame).
    let framable = req.uri().path().starts_with("/chat/");
    // Whatever answers a signed-in request (a session cookie or a token) is that person's
    // and must not be kept by the browser or any cache between.
    let credentialed = req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| sessions::token_from_cookies(c, state.settings.session_cookie_name()).is_some());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !framable {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FALLBACK_CSP));
    }
    if state.settings.is_tls() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    // Pages, JSON and event streams; the static bundle (JS, WebAssembly, CSS) stays cacheable.
    let dynamic = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json") || t.starts_with("text/event-stream"));
    if h.contains_key(header::SET_COOKIE) || (credentialed && dynamic) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
