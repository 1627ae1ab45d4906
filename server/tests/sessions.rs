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
