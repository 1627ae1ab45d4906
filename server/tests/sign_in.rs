//! Signing in and out through the real router and a real database.

mod common;

use app::domain::access::Role;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn form(email: &str, password: &str) -> String {
    format!("email={}&password={}", email.replace('@', "%40"), password.replace(' ', "+"))
}

// The right password opens a server-side session and sets an HttpOnly, SameSite=Lax cookie.
#[sqlx::test]
async fn the_right_password_opens_a_session(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);

    let res = call(&app, "sign_in", None, &form("Agent@Meridian.test", PASSWORD)).await;

    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let cookie = res.set_cookie().expect("a session cookie");
    assert!(cookie.starts_with("meridian_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert_eq!(res.headers.get("location").unwrap(), "/queue");
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions where user_id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(sessions, 1);
    // The cookie works for the next request.
    let token = cookie.split(';').next().unwrap();
    let me = call(&app, "current_user", Some(token), "").await;
    assert_eq!(me.json()["email"], "agent@meridian.test");
}

// A wrong password gets a 401 with a sentence, no cookie, no session, one recorded failure.
#[sqlx::test]
async fn a_wrong_password_opens_nothing(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);

    let res = call(&app, "sign_in", None, &form("agent@meridian.test", "not the password")).await;

    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("WrongCredentials"), "{}", res.body);
    assert!(res.set_cookie().is_none());
    assert_eq!(count(&pool, "sessions").await, 0);
    assert_eq!(count(&pool, "sign_in_failures").await, 1);
}

// An unknown account is answered exactly like a wrong password.
#[sqlx::test]
async fn an_unknown_account_looks_like_a_wrong_password(pool: PgPool) {
    let app = app(&pool);
    let res = call(&app, "sign_in", None, &form("nobody@meridian.test", PASSWORD)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("WrongCredentials"));
}

// Malformed input is a 400 that writes nothing.
#[sqlx::test]
async fn a_malformed_address_is_a_400(pool: PgPool) {
    let app = app(&pool);
    let res = call(&app, "sign_in", None, &form("not-an-address", PASSWORD)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, "sign_in_failures").await, 0);
}

// After five failures the account must wait, even with the right password, and is told how long.
#[sqlx::test]
async fn repeated_failures_slow_the_account_down(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    for _ in 0..5 {
        let res = call(&app, "sign_in", None, &form("agent@meridian.test", "guess")).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }

    let res = call(&app, "sign_in", None, &form("agent@meridian.test", PASSWORD)).await;

    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.body.contains("Try again in"), "{}", res.body);
    assert_eq!(count(&pool, "sessions").await, 0);
}

// Many failures from one address against different accounts slow that address down.
#[sqlx::test]
async fn repeated_failures_slow_the_address_down(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    for i in 0..20 {
        call(&app, "sign_in", None, &form(&format!("guess{i}@meridian.test"), "guess")).await;
    }
    let res = call(&app, "sign_in", None, &form("agent@meridian.test", PASSWORD)).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

// Signing in again replaces the old session instead of upgrading it (no fixation).
#[sqlx::test]
async fn signing_in_ends_the_session_the_browser_had(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let old = session_cookie(&pool, id).await;
    let app = app(&pool);

    let res = call(&app, "sign_in", Some(&old), &form("agent@meridian.test", PASSWORD)).await;

    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.set_cookie().unwrap().contains(old.split('=').nth(1).unwrap()));
    let gone = call(&app, "current_user", Some(&old), "").await;
    assert_eq!(gone.body, "null");
}

// Signing out deletes the session on the server and clears the cookie.
#[sqlx::test]
async fn signing_out_ends_the_session_on_the_server(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, id).await;
    let app = app(&pool);

    let res = call(&app, "sign_out", Some(&cookie), "").await;

    assert_eq!(res.status, StatusCode::OK);
    assert!(res.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(count(&pool, "sessions").await, 0);
    assert_eq!(call(&app, "current_user", Some(&cookie), "").await.body, "null");
}

// A cross-site form post (CSRF) is refused before any server function runs.
#[sqlx::test]
async fn a_cross_site_post_is_refused(pool: PgPool) {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, id).await;
    let app = app(&pool);
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let req = Request::post("/api/sign_out")
            .header(header::HOST, HOST)
            .header(header::COOKIE, &cookie)
            .header(name, value)
            .body(Body::empty())
            .unwrap();
        let res = answer(app.clone().oneshot(req).await.unwrap()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{name}");
    }
    assert_eq!(count(&pool, "sessions").await, 1);
}

// Behind TLS the cookie is Secure and __Host- prefixed.
#[sqlx::test]
async fn behind_tls_the_cookie_is_secure(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let settings = app::backend::Settings { public_url: Some(ORIGIN.replace("http:", "https:")), ..Default::default() };
    let app = meridian::http::router(state(&pool, settings));
    let req = axum::http::Request::post("/api/sign_in")
        .header("host", HOST)
        .header("origin", ORIGIN.replace("http:", "https:"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form("agent@meridian.test", PASSWORD)))
        .unwrap();
    let res = answer(tower::ServiceExt::oneshot(app, req).await.unwrap()).await;
    let cookie = res.set_cookie().unwrap();
    assert!(cookie.starts_with("__Host-meridian_session=") && cookie.contains("; Secure"), "{cookie}");
}
