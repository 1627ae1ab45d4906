//! Signing in and out through the real router and a real database.

mod common;

use app::domain::access::Role;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

async fn attempts(pool: &PgPool, key: &str) -> i32 {
    sqlx::query_scalar("select attempts from throttle_counters where key = $1").bind(key).fetch_optional(pool).await.unwrap().unwrap_or(0)
}

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

// A wrong password gets a 401 with a sentence, no cookie, no session, one counted attempt.
#[sqlx::test]
async fn a_wrong_password_opens_nothing(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);

    let res = call(&app, "sign_in", None, &form("agent@meridian.test", "not the password")).await;

    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("WrongCredentials"), "{}", res.body);
    assert!(res.set_cookie().is_none());
    assert_eq!(count(&pool, "sessions").await, 0);
    assert_eq!(attempts(&pool, "account:agent@meridian.test").await, 1);
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
    assert_eq!(count(&pool, "throttle_counters").await, 0);
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
    // The wait in the sentence is the one in Retry-After.
    let wait: u64 = res.headers[axum::http::header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1 && (res.body.contains(&format!("in {wait} seconds")) || res.body.contains("minutes")), "{wait}: {}", res.body);
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

/// The cookies a response sets, as `name=value` pairs for the next request.
fn cookies(res: &Answer) -> Vec<String> {
    res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string()).collect()
}

// Twenty guesses at once get the five free tries and no more: each attempt is decided and
// counted under the counter's row lock before the password is checked.
#[sqlx::test]
async fn twenty_guesses_at_once_get_only_the_free_tries(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    let guesses = (0..20).map(|i| {
        let app = app.clone();
        async move { call(&app, "sign_in", None, &form("agent@meridian.test", &format!("guess number {i}"))).await.status }
    });
    let statuses = futures::future::join_all(guesses.map(tokio::spawn)).await;
    let statuses: Vec<StatusCode> = statuses.into_iter().map(Result::unwrap).collect();
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let slowed = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((wrong, slowed), (5, 15), "{statuses:?}");
    assert_eq!(attempts(&pool, "account:agent@meridian.test").await, 5);
}

// Someone who trips an account's throttle on purpose does not lock its owner out: the
// browser the owner signed in with before is counted on its own and still gets in.
#[sqlx::test]
async fn a_known_browser_still_signs_in_while_the_account_is_throttled(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = meridian::http::router(state(&pool, app::backend::Settings { trust_proxy: true, ..Default::default() }));
    let first = call(&app, "sign_in", None, &form("agent@meridian.test", PASSWORD)).await;
    assert_eq!(first.status, StatusCode::OK);
    let device = cookies(&first).into_iter().find(|c| c.starts_with("meridian_device=")).expect("a known-device cookie");
    assert!(first.headers.get_all("set-cookie").iter().any(|v| v.to_str().unwrap().contains("meridian_device=") && v.to_str().unwrap().contains("HttpOnly")));

    // An attacker (another address, no device cookie) guesses until the account is slowed.
    for i in 0..6 {
        call_from(&app, "203.0.113.9", None, &form("agent@meridian.test", &format!("guess {i}"))).await;
    }
    let attacker = call_from(&app, "203.0.113.9", None, &form("agent@meridian.test", PASSWORD)).await;
    assert_eq!(attacker.status, StatusCode::TOO_MANY_REQUESTS, "the right password from an unknown browser waits");

    let owner = call(&app, "sign_in", Some(&device), &form("agent@meridian.test", PASSWORD)).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
    // The known browser is not given a second device cookie.
    assert!(cookies(&owner).iter().all(|c| !c.starts_with("meridian_device=")));
    // Another account's device cookie does not help with this one.
    user(&pool, "other@meridian.test", Role::Operator).await;
    let other = call(&app, "sign_in", Some(&device), &form("other@meridian.test", "wrong password")).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    assert_eq!(attempts(&pool, "account:other@meridian.test").await, 1);
}

// Signing in successfully does not count against the address: a whole office can sign in.
#[sqlx::test]
async fn successful_sign_ins_do_not_slow_the_address(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    for _ in 0..25 {
        let res = call(&app, "sign_in", None, &form("agent@meridian.test", PASSWORD)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
}

/// A server-function call from another client address (as a trusted proxy would report it).
async fn call_from(app: &axum::Router, addr: &str, cookie: Option<&str>, body: &str) -> Answer {
    let mut req = axum::http::Request::post("/api/sign_in")
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("x-forwarded-for", addr)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    answer(tower::ServiceExt::oneshot(app.clone(), req.body(axum::body::Body::from(body.to_string())).unwrap()).await.unwrap()).await
}
