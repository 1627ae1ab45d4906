//! Session expiry: idle, absolute, and deactivated users.

mod common;

use app::backend::{sessions, Settings};
use app::domain::access::Role;
use common::*;
use sqlx::PgPool;

async fn token_of(pool: &PgPool, user_id: i64) -> String {
    sessions::open(pool, &Settings::default(), user_id, "127.0.0.1", "test").await.unwrap()
}

// A session used within the idle time stays valid and its clock is refreshed.
#[sqlx::test]
async fn an_active_session_stays_valid(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let token = token_of(&pool, id).await;
    sqlx::query("update sessions set last_seen_at = now() - interval '2 hours'").execute(&pool).await.unwrap();

    let p = sessions::resolve(&pool, &Settings::default(), &token).await.unwrap();

    assert_eq!(p.unwrap().user.id, id);
    let fresh: bool = sqlx::query_scalar("select last_seen_at > now() - interval '1 minute' from sessions").fetch_one(&pool).await.unwrap();
    assert!(fresh);
}

// A session idle for longer than the idle limit ends and is deleted.
#[sqlx::test]
async fn an_idle_session_expires(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let token = token_of(&pool, id).await;
    sqlx::query("update sessions set last_seen_at = now() - interval '9 hours'").execute(&pool).await.unwrap();

    assert!(sessions::resolve(&pool, &Settings::default(), &token).await.unwrap().is_none());
    assert_eq!(count(&pool, "sessions").await, 0);
}

// However active, a session ends at its absolute expiry.
#[sqlx::test]
async fn a_session_expires_absolutely(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let token = token_of(&pool, id).await;
    sqlx::query("update sessions set expires_at = now() - interval '1 second'").execute(&pool).await.unwrap();

    assert!(sessions::resolve(&pool, &Settings::default(), &token).await.unwrap().is_none());
}

// Deactivating a user ends their sessions at once.
#[sqlx::test]
async fn a_deactivated_user_is_signed_out(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let token = token_of(&pool, id).await;
    sqlx::query("update users set active = false").execute(&pool).await.unwrap();

    assert!(sessions::resolve(&pool, &Settings::default(), &token).await.unwrap().is_none());
}

// The sweeper removes expired sessions and keeps live ones.
#[sqlx::test]
async fn purging_removes_only_expired_sessions(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let live = token_of(&pool, id).await;
    token_of(&pool, id).await;
    sqlx::query("update sessions set expires_at = now() - interval '1 minute' where id_hash <> $1")
        .bind(app::backend::sha256(&live))
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(sessions::purge_expired(&pool, &Settings::default()).await.unwrap(), 1);
    assert_eq!(count(&pool, "sessions").await, 1);
}

// Only the hash of the session token is stored.
#[sqlx::test]
async fn the_token_itself_is_never_stored(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    let token = token_of(&pool, id).await;
    let stored: Vec<u8> = sqlx::query_scalar("select id_hash from sessions").fetch_one(&pool).await.unwrap();
    assert_ne!(stored, token.as_bytes());
    assert_eq!(stored, app::backend::sha256(&token));
}

// NIST AAL2: a session lasts 12 hours from sign-in by default, however active.
#[sqlx::test]
async fn a_session_lasts_twelve_hours_by_default(pool: PgPool) {
    let id = user(&pool, "a@meridian.test", Role::Operator).await;
    token_of(&pool, id).await;
    let hours: f64 = sqlx::query_scalar("select extract(epoch from expires_at - created_at)::float8 / 3600 from sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(hours.round(), 12.0);
}

// A sensitive action (here creating an API token) in a session whose password was proved
// more than 15 minutes ago is refused with a sentence (401) and writes nothing; confirming
// the password (a wrong one is a 400) lets it through. A role without the permission hears
// "no permission", not "confirm".
#[sqlx::test]
async fn a_sensitive_action_asks_for_the_password_again(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let owner_cookie = session_cookie(&pool, owner).await;
    let manager_cookie = session_cookie(&pool, manager).await;
    sqlx::query("update sessions set authenticated_at = now() - interval '20 minutes'").execute(&pool).await.unwrap();
    let app = app(&pool);
    let create = format!("user_id={owner}&name=CRM+sync&scopes=queue%3Aread&days=30");

    let refused = call(&app, "admin_token_create", Some(&owner_cookie), &create).await;
    assert_eq!(refused.status, axum::http::StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert!(refused.body.contains("ReauthRequired"), "{}", refused.body);
    assert_eq!(count(&pool, "api_tokens").await, 0);
    let not_allowed = call(&app, "admin_token_create", Some(&manager_cookie), &create).await;
    assert_eq!(not_allowed.status, axum::http::StatusCode::FORBIDDEN);
    // Other owner work goes on without asking.
    assert_eq!(call(&app, "admin_tokens", Some(&owner_cookie), "").await.status, axum::http::StatusCode::OK);

    let wrong = call(&app, "confirm_password", Some(&owner_cookie), "password=not+it").await;
    assert_eq!(wrong.status, axum::http::StatusCode::BAD_REQUEST);
    let confirmed = call(&app, "confirm_password", Some(&owner_cookie), &format!("password={}", PASSWORD.replace(' ', "+"))).await;
    assert_eq!(confirmed.status, axum::http::StatusCode::OK, "{}", confirmed.body);
    let created = call(&app, "admin_token_create", Some(&owner_cookie), &create).await;
    assert_eq!(created.status, axum::http::StatusCode::OK, "{}", created.body);
    assert_eq!(count(&pool, "api_tokens").await, 1);
    // The manager's old proof is untouched by the owner's confirmation.
    let fresh: bool = sqlx::query_scalar("select authenticated_at > now() - interval '1 minute' from sessions where user_id = $1").bind(manager).fetch_one(&pool).await.unwrap();
    assert!(!fresh);
}

// The live event stream ends when its session does (signed out elsewhere, expired, the
// person deactivated), within the stream's session check.
#[sqlx::test]
async fn the_event_stream_ends_when_the_session_does(pool: PgPool) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, id).await;
    let app = app(&pool);
    let req = axum::http::Request::get("/events/queue").header("host", HOST).header("cookie", &cookie).body(axum::body::Body::empty()).unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), axum::http::StatusCode::OK);
    let mut body = res.into_body();
    // Open: nothing ends it for a while.
    let still = tokio::time::timeout(std::time::Duration::from_millis(500), body.frame()).await;
    assert!(still.is_err(), "the stream is open");
    sqlx::query("update users set active = false where id = $1").bind(id).execute(&pool).await.unwrap();
    let ended = tokio::time::timeout(meridian::live::SESSION_CHECK * 2, async {
        while let Some(frame) = body.frame().await {
            frame.unwrap();
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream ended after the person was deactivated");
}
