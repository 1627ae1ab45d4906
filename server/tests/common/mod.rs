//! What every integration test needs: the whole router on a fresh database (from
//! `#[sqlx::test]`), users of each role, and requests the way a browser or an
//! integration sends them.
#![allow(dead_code)]

use app::backend::{passwords, sessions, AppState, Settings};
use app::domain::access::Role;
use app::domain::email::EmailAddress;
use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";
pub const ORIGIN: &str = "http://meridian.test";
pub const HOST: &str = "meridian.test";

pub fn state(pool: &PgPool, settings: Settings) -> AppState {
    let leptos_options = LeptosOptions::builder()
        .output_name("meridian")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    AppState { pool: pool.clone(), settings: Arc::new(settings), leptos_options, live: tokio::sync::broadcast::channel(16).0 }
}

pub fn app(pool: &PgPool) -> Router {
    meridian::http::router(state(pool, Settings::default()))
}

/// Creates a user with [`PASSWORD`] and returns their id.
pub async fn user(pool: &PgPool, email: &str, role: Role) -> i64 {
    // One hash for every test user: argon2 is deliberately slow.
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH.get_or_init(|| passwords::hash_blocking(PASSWORD));
    let email = EmailAddress::parse(email).unwrap();
    app::backend::users::create(
        pool,
        app::backend::users::NewUser { email: &email, name: "Test User", role, team_id: None, time_zone: "Europe/Berlin", password_hash: hash },
    )
    .await
    .unwrap()
}

/// A signed-in session cookie for `user_id`, as the browser would send it.
/// A user as the backend functions see them, with a name.
pub async fn member(pool: &PgPool, email: &str, name: &str, role: Role) -> app::model::user::CurrentUser {
    let id = user(pool, email, role).await;
    sqlx::query("update users set name = $2 where id = $1").bind(id).bind(name).execute(pool).await.unwrap();
    app::model::user::CurrentUser { id, email: email.into(), name: name.into(), role, time_zone: "UTC".into() }
}

pub async fn session_cookie(pool: &PgPool, user_id: i64) -> String {
    let token = sessions::open(pool, &Settings::default(), user_id, "127.0.0.1", "test").await.unwrap();
    format!("meridian_session={token}")
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
    pub fn set_cookie(&self) -> Option<String> {
        self.headers.get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_string())
    }
}

pub async fn answer(res: Response<Body>) -> Answer {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// A server-function call as the app's own page makes it: POST, form-encoded (JSON when the
/// body is a JSON object), same origin.
pub async fn call(app: &Router, endpoint: &str, cookie: Option<&str>, form: &str) -> Answer {
    let mut req = Request::post(format!("/api/{endpoint}"))
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        // Server functions with JSON input get JSON; the rest a form, as the page sends them.
        .header(header::CONTENT_TYPE, if form.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" });
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    answer(app.clone().oneshot(req.body(Body::from(form.to_string())).unwrap()).await.unwrap()).await
}

/// A plain HTML form posted by a browser (the chat page, the help centre): same origin,
/// form-encoded, asking for HTML.
pub fn form_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

/// Sends one request through the router.
pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    answer(app.clone().oneshot(req).await.unwrap()).await
}

/// A page load as a browser makes it.
pub async fn page(app: &Router, path: &str, cookie: Option<&str>) -> Answer {
    let mut req = Request::get(path).header(header::HOST, HOST).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    answer(app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap()).await
}

/// A REST call with an optional bearer token.
pub async fn api_get(app: &Router, path: &str, token: Option<&str>) -> Answer {
    let mut req = Request::get(path).header(header::HOST, HOST);
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    answer(app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap()).await
}

pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}")).fetch_one(pool).await.unwrap()
}

/// A new open, unassigned dialogue with one customer message; returns its id.
/// The website chat channel (created the first time).
pub async fn chat_channel(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "insert into channels (kind, name, address, first_response_target) values ('chat', 'Website chat', 'website', interval '2 minutes')
         on conflict (name) do update set kind = excluded.kind returning id",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn dialogue(pool: &PgPool) -> i64 {
    let channel = chat_channel(pool).await;
    let customer: i64 = sqlx::query_scalar("insert into customers (name, email, time_zone) values ('Ana Customer', null, 'Europe/Lisbon') returning id")
        .fetch_one(pool)
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar(
        "insert into conversations (channel_id, customer_id, subject) values ($1, $2, 'Cannot log in') returning id",
    )
    .bind(channel)
    .bind(customer)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("insert into messages (conversation_id, author_kind, body) values ($1, 'customer', 'I cannot log in since this morning.')")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// A REST call with a JSON body.
pub async fn api_post(app: &Router, path: &str, token: Option<&str>, json: &str) -> Answer {
    api_send(app, "POST", path, token, json).await
}

/// A REST call with a JSON body and any method.
pub async fn api_send(app: &Router, method: &str, path: &str, token: Option<&str>, json: &str) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    answer(app.clone().oneshot(req.body(Body::from(json.to_string())).unwrap()).await.unwrap()).await
}

/// A REST call as a signed-in person (a session cookie), with a JSON body and any method:
/// what the owner-level routes no API token may use take.
pub async fn api_send_signed_in(app: &Router, method: &str, path: &str, cookie: &str, json: &str) -> Answer {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie);
    answer(app.clone().oneshot(req.body(Body::from(json.to_string())).unwrap()).await.unwrap()).await
}

/// A dialogue resolved just now by a new agent (for QA); returns its id.
pub async fn resolved_dialogue(pool: &PgPool) -> i64 {
    let id = dialogue(pool).await;
    let n: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(pool).await.unwrap();
    let agent = user(pool, &format!("handled.{n}@meridian.test"), Role::Operator).await;
    sqlx::query("update conversations set status = 'resolved', assignee_id = $2, resolved_at = now(), first_response_at = now() where id = $1")
        .bind(id)
        .bind(agent)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// Answers for every criterion of the default scorecard: the lowest point of each scale.
pub const LOWEST_ANSWERS: &str = r#"[{"value":0},{"value":1},{"value":1},{"value":0},{"value":1},{"value":0},{"value":1},{"value":1}]"#;

/// A category for knowledge-base tests (a fresh one each time); returns its id.
pub async fn kb_category(pool: &PgPool, review_interval_days: i32) -> i64 {
    sqlx::query_scalar("insert into kb_categories (name, review_interval_days) values ('Category ' || gen_random_uuid(), $1) returning id")
        .bind(review_interval_days)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A knowledge-base article with its first revision, owned by a new colleague; returns its id.
pub async fn kb_article(pool: &PgPool, title: &str, body: &str, visibility: &str, status: &str) -> i64 {
    let category = kb_category(pool, 90).await;
    let n: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(pool).await.unwrap();
    let owner = user(pool, &format!("kb.owner.{n}@meridian.test"), Role::Operator).await;
    let id: i64 = sqlx::query_scalar(
        "insert into kb_articles (category_id, title, body, visibility, status, owner_id, reviewed_by) values ($1, $2, $3, $4, $5, $6, $6) returning id",
    )
    .bind(category)
    .bind(title)
    .bind(body)
    .bind(visibility)
    .bind(status)
    .bind(owner)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into kb_revisions (article_id, version, title, body, tags, visibility, status, category_id, author_id)
         select id, version, title, body, tags, visibility, status, category_id, owner_id from kb_articles where id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    id
}
