//! API tokens: `Authorization: Bearer`, stored hashed, revocable.

mod common;

use app::backend::tokens;
use app::domain::access::Role;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

// A token answers /api/v1/me with its user and role.
#[sqlx::test]
async fn a_token_identifies_its_user(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm").await.unwrap();

    let res = api_get(&app(&pool), "/api/v1/me", Some(&token)).await;

    assert_eq!(res.status, StatusCode::OK);
    let me = res.json();
    assert_eq!(me["email"], "manager@meridian.test");
    assert_eq!(me["role"], "admin");
    let used: bool = sqlx::query_scalar("select last_used_at is not null from api_tokens").fetch_one(&pool).await.unwrap();
    assert!(used);
}

// A revoked token stops working at once.
#[sqlx::test]
async fn a_revoked_token_is_refused(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (token_id, token) = tokens::create(&pool, id, "crm").await.unwrap();
    assert!(tokens::revoke(&pool, token_id).await.unwrap());
    assert!(!tokens::revoke(&pool, token_id).await.unwrap(), "revoking twice reports nothing to revoke");

    let res = api_get(&app(&pool), "/api/v1/me", Some(&token)).await;

    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"], "Please sign in to continue.");
}

// Made-up and truncated tokens are refused.
#[sqlx::test]
async fn an_unknown_token_is_refused(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm").await.unwrap();
    let app = app(&pool);
    for bad in ["mrd_made-up", &token[..token.len() - 1], "not-even-prefixed"] {
        assert_eq!(api_get(&app, "/api/v1/me", Some(bad)).await.status, StatusCode::UNAUTHORIZED, "{bad}");
    }
}

// The database holds only a hash and a short hint, never the token.
#[sqlx::test]
async fn tokens_are_stored_hashed(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm").await.unwrap();
    let (hash, hint): (Vec<u8>, String) =
        sqlx::query_as("select token_hash, hint from api_tokens").fetch_one(&pool).await.unwrap();
    assert_eq!(hash, app::backend::sha256(&token));
    assert!(token.starts_with(&hint) && hint.len() < 12);
}

// A token of a deactivated user stops working.
#[sqlx::test]
async fn a_deactivated_users_token_is_refused(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm").await.unwrap();
    sqlx::query("update users set active = false").execute(&pool).await.unwrap();
    assert_eq!(api_get(&app(&pool), "/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
}

// The OpenAPI document is served, public, and describes /me with bearer authentication.
#[sqlx::test]
async fn the_openapi_document_is_served(pool: PgPool) {
    let res = api_get(&app(&pool), "/api/v1/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    assert!(doc["paths"]["/me"]["get"].is_object());
}

// An unknown API route is a JSON 404, not an HTML page.
#[sqlx::test]
async fn an_unknown_api_route_is_a_json_404(pool: PgPool) {
    let res = api_get(&app(&pool), "/api/v1/nothing-here", None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.json()["error"].is_string());
}

// An owner creates a token in Admin for a colleague (it acts as them), sees it listed, and
// revokes it; both are in the audit log, and a bad name writes nothing.
#[sqlx::test]
async fn an_owner_creates_and_revokes_a_token_in_admin(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, owner).await;
    let app = app(&pool);

    let refused = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={agent}&name=++")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, "api_tokens").await, 0);

    let made = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={agent}&name=CRM+sync")).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let secret: String = serde_json::from_str(&made.body).unwrap();
    let me = api_get(&app, "/api/v1/me", Some(&secret)).await;
    assert_eq!(me.json()["email"], "agent@meridian.test");

    let listed = call(&app, "admin_tokens", Some(&cookie), "").await;
    let (tokens, _): (Vec<app::model::admin::TokenInfo>, Vec<(i64, String)>) = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!((tokens[0].name.as_str(), tokens[0].last_used.is_some(), tokens[0].revoked.is_none()), ("CRM sync", true, true));
    assert!(secret.starts_with(&tokens[0].hint));

    let revoked = call(&app, "admin_token_revoke", Some(&cookie), &format!("id={}", tokens[0].id)).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(api_get(&app, "/api/v1/me", Some(&secret)).await.status, StatusCode::UNAUTHORIZED);
    let again = call(&app, "admin_token_revoke", Some(&cookie), &format!("id={}", tokens[0].id)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let logged: Vec<String> = sqlx::query_scalar("select action from audit_log where action like 'token%' order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(logged, ["token_created", "token_revoked"]);
}
