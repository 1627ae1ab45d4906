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
    let (_, token) = tokens::create(&pool, id, "crm", &app::backend::tokens::Grant::default()).await.unwrap();

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
    let (token_id, token) = tokens::create(&pool, id, "crm", &app::backend::tokens::Grant::default()).await.unwrap();
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
    let (_, token) = tokens::create(&pool, id, "crm", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    for bad in ["mrd_made-up", &token[..token.len() - 1], "not-even-prefixed"] {
        assert_eq!(api_get(&app, "/api/v1/me", Some(bad)).await.status, StatusCode::UNAUTHORIZED, "{bad}");
    }
}

// The database holds only a hash and a short hint, never the token.
#[sqlx::test]
async fn tokens_are_stored_hashed(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm", &app::backend::tokens::Grant::default()).await.unwrap();
    let (hash, hint): (Vec<u8>, String) =
        sqlx::query_as("select token_hash, hint from api_tokens").fetch_one(&pool).await.unwrap();
    assert_eq!(hash, app::backend::sha256(&token));
    assert!(token.starts_with(&hint) && hint.len() < 12);
}

// A token of a deactivated user stops working.
#[sqlx::test]
async fn a_deactivated_users_token_is_refused(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = tokens::create(&pool, id, "crm", &app::backend::tokens::Grant::default()).await.unwrap();
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

    let refused = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={agent}&name=++&scopes=queue%3Aread&days=90")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, "api_tokens").await, 0);

    let made = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={agent}&name=CRM+sync&scopes=queue%3Aread&days=90")).await;
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

// An expired token gets a 401 that says when it expired, and is not marked used.
#[sqlx::test]
async fn an_expired_token_is_refused_with_its_date(pool: PgPool) {
    let id = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (token_id, token) = tokens::create(&pool, id, "crm", &tokens::Grant::default()).await.unwrap();
    let expires: String = sqlx::query_scalar("select to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD') from api_tokens").fetch_one(&pool).await.unwrap();
    assert_eq!(expires, (chrono::Utc::now() + chrono::Duration::days(90)).format("%Y-%m-%d").to_string(), "90 days unless chosen");
    sqlx::query("update api_tokens set expires_at = timestamptz '2026-11-30 12:00+00' where id = $1").bind(token_id).execute(&pool).await.unwrap();

    let res = api_get(&app(&pool), "/api/v1/me", Some(&token)).await;

    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"], "This API token expired on 2026-11-30 12:00 UTC; an owner can create a new one on Admin, API tokens.");
    let used: bool = sqlx::query_scalar("select last_used_at is not null from api_tokens").fetch_one(&pool).await.unwrap();
    assert!(!used);
}

// A token is for the REST API only: a page or a server function refuses it, even an
// owner's, and nothing is written.
#[sqlx::test]
async fn a_token_is_no_session(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let (_, token) = tokens::create(&pool, owner, "leaked", &tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    let bearer = format!("Bearer {token}");
    for (method, path, form) in [
        ("POST", "/api/admin_token_create", format!("user_id={agent}&name=Mine&scopes=queue%3Awrite&days=90")),
        ("POST", "/api/admin_invite_user", r#"{"input": {"name": "New Owner", "email": "new@meridian.test", "role": "super_admin", "team_id": null}}"#.to_string()),
        ("GET", "/admin/tokens", String::new()),
    ] {
        let req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header(axum::http::header::HOST, HOST)
            .header(axum::http::header::AUTHORIZATION, &bearer)
            .header(axum::http::header::CONTENT_TYPE, if form.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" })
            .body(axum::body::Body::from(form))
            .unwrap();
        let res = answer(tower::ServiceExt::oneshot(app.clone(), req).await.unwrap()).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {path}: {}", res.body);
        assert!(res.body.contains("API tokens are accepted only under /api/v1."), "{}", res.body);
    }
    assert_eq!(count(&pool, "api_tokens").await, 1);
    assert_eq!(count(&pool, "invitations").await, 0);
    assert_eq!(count(&pool, "users").await, 2);
}

// An owner makes a scoped token for a colleague from the admin page: it lives as long as
// chosen, carries the scopes, and the audit log names both people; bad scopes or a
// lifetime past a year get a sentence and write nothing.
#[sqlx::test]
async fn an_owner_makes_a_scoped_token_for_a_colleague(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = member(&pool, "agent@meridian.test", "Alex Agent", Role::Operator).await;
    let cookie = session_cookie(&pool, owner.id).await;
    let app = app(&pool);
    let made = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={}&name=CRM+sync&scopes=kb%3Aread%2Cqueue%3Awrite&days=30", agent.id)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let (scopes, days, created_by): (Vec<String>, f64, Option<i64>) = sqlx::query_as(
        "select scopes, round(extract(epoch from expires_at - created_at) / 86400)::float8, created_by from api_tokens",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((scopes, days, created_by), (vec!["queue:write".to_string(), "kb:read".to_string()], 30.0, Some(owner.id)));
    let (actor, detail): (String, String) =
        sqlx::query_as("select actor, target || ' ' || detail from audit_log where action = 'token_created'").fetch_one(&pool).await.unwrap();
    assert!(actor.contains("owner@meridian.test"), "{actor}");
    assert!(detail.contains("agent@meridian.test") && detail.contains("queue:write kb:read, 30 days"), "{detail}");

    let token: String = serde_json::from_str(&made.body).unwrap();
    assert_eq!(api_get(&app, "/api/v1/kb/articles", Some(&token)).await.status, StatusCode::OK);
    let refused = api_get(&app, "/api/v1/wfm/shifts", Some(&token)).await;
    assert_eq!((refused.status, refused.json()["error"].as_str().unwrap()), (StatusCode::FORBIDDEN, "This API token has no wfm:read scope."));

    for (form, says) in [
        ("scopes=users%3Awrite&days=30", "Unknown scope “users:write”"),
        ("scopes=&days=30", "at least one scope"),
        ("scopes=kb%3Aread&days=400", "1 to 365 days"),
    ] {
        let res = call(&app, "admin_token_create", Some(&cookie), &format!("user_id={}&name=X&{form}", agent.id)).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(res.body.contains(says), "{form}: {}", res.body);
    }
    assert_eq!(count(&pool, "api_tokens").await, 1);
}
