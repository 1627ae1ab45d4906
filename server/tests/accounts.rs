//! Accounts run by owners: an invited person sets their password from a one-time link and
//! signs in; roles and teams change; a deactivated person's sessions and API tokens stop
//! working at once; the last owner stays an owner. Every change is in the audit log.

mod common;

use app::backend::{sign_in::check_credentials, tokens};
use app::domain::access::Role;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use sqlx::PgPool;
use tower::ServiceExt;

async fn post_form(app: &axum::Router, path: &str, form: &str) -> Answer {
    let req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    answer(app.clone().oneshot(req).await.unwrap()).await
}

#[sqlx::test]
async fn an_invited_person_chooses_a_password_once_and_signs_in(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let cookie = session_cookie(&pool, owner).await;
    let app = app(&pool);
    let res = call(&app, "admin_invite_user", Some(&cookie), r#"{"input": {"name": "Jane Doe", "email": "Jane.Doe@Meridian.test", "role": "reviewer", "team_id": null}}"#).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let path: String = serde_json::from_str(&res.body).unwrap();
    assert!(path.starts_with("/invite/"));
    // Not before the password is chosen.
    assert!(check_credentials(&pool, "jane.doe@meridian.test", "!", "127.0.0.1").await.is_err());

    let shown = page(&app, &path, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Welcome, Jane Doe"));
    let mismatch = post_form(&app, &path, "password=a+long+enough+password&again=another+long+password").await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    let short = post_form(&app, &path, "password=short&again=short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let done = post_form(&app, &path, "password=a+long+enough+password&again=a+long+enough+password").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let user = check_credentials(&pool, "jane.doe@meridian.test", "a long enough password", "127.0.0.1").await.unwrap();
    assert_eq!(user.role, Role::Reviewer);
    // The link worked once.
    assert_eq!(page(&app, &path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(post_form(&app, &path, "password=another+long+password&again=another+long+password").await.status, StatusCode::NOT_FOUND);
    let invited: i64 = sqlx::query_scalar("select count(*) from audit_log where action = 'user_invited'").fetch_one(&pool).await.unwrap();
    assert_eq!(invited, 1);
    // An address in use is refused with a sentence.
    let again = call(&app, "admin_invite_user", Some(&cookie), r#"{"input": {"name": "Jane", "email": "jane.doe@meridian.test", "role": "operator", "team_id": null}}"#).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[sqlx::test]
async fn deactivation_ends_sessions_and_tokens_at_once(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let owner_cookie = session_cookie(&pool, owner).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let agent_cookie = session_cookie(&pool, agent).await;
    let (_, token) = tokens::create(&pool, agent, "script", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    assert_eq!(api_get(&app, "/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    assert_eq!(page(&app, "/queue", Some(&agent_cookie)).await.status, StatusCode::OK);

    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let promote = call(&app, "admin_update_user", Some(&owner_cookie), &format!("id={agent}&role=admin&team_id={team}&active=true")).await;
    assert_eq!(promote.status, StatusCode::OK, "{}", promote.body);
    let (role, team_id): (String, Option<i64>) = sqlx::query_as("select role, team_id from users where id = $1").bind(agent).fetch_one(&pool).await.unwrap();
    assert_eq!((role.as_str(), team_id), ("admin", Some(team)));

    let off = call(&app, "admin_update_user", Some(&owner_cookie), &format!("id={agent}&role=admin&team_id={team}&active=false")).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(api_get(&app, "/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "the token stopped working");
    assert_eq!(page(&app, "/queue", Some(&agent_cookie)).await.status, StatusCode::FOUND, "the session ended: to sign-in");
    assert!(check_credentials(&pool, "agent@meridian.test", PASSWORD, "127.0.0.1").await.is_err());
    let actions: Vec<String> = sqlx::query_scalar("select action from audit_log order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(actions, vec!["role_changed", "user_deactivated"]);

    // The last owner neither deactivates nor demotes themself.
    let me_off = call(&app, "admin_update_user", Some(&owner_cookie), &format!("id={owner}&role=super_admin&active=false")).await;
    assert_eq!(me_off.status, StatusCode::CONFLICT);
    let demote = call(&app, "admin_update_user", Some(&owner_cookie), &format!("id={owner}&role=admin&active=true")).await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert!(demote.body.contains("last active owner"), "{}", demote.body);
    // Reactivated, they can sign in again.
    assert_eq!(call(&app, "admin_update_user", Some(&owner_cookie), &format!("id={agent}&role=operator&active=true")).await.status, StatusCode::OK);
    assert!(check_credentials(&pool, "agent@meridian.test", PASSWORD, "127.0.0.1").await.is_ok());
}

// The support promise an owner sets is on everyone's home page; a channel's first-response
// target is changed from Admin and the queue's clocks follow it.
#[sqlx::test]
async fn the_promise_and_the_targets_are_the_owners_to_set(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let owner_cookie = session_cookie(&pool, owner).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let agent_cookie = session_cookie(&pool, agent).await;
    let app = app(&pool);
    assert!(!page(&app, "/queue", Some(&agent_cookie)).await.body.contains("Our promise"));
    let set = call(&app, "admin_set_promise", Some(&owner_cookie), "text=Every+chat+answered+within+2+minutes.").await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let queue = page(&app, "/queue", Some(&agent_cookie)).await;
    assert!(queue.body.contains("Every chat answered within 2 minutes."), "the agent's home page shows it");
    let long = format!("text={}", "x".repeat(501));
    assert_eq!(call(&app, "admin_set_promise", Some(&owner_cookie), &long).await.status, StatusCode::BAD_REQUEST);

    let id = dialogue(&pool).await;
    let channel: i64 = sqlx::query_scalar("select channel_id from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    let res = call(&app, "admin_channel_update", Some(&owner_cookie), &format!("id={channel}&ask_nps=false&callback_url=&target_minutes=45")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let minutes: f64 = sqlx::query_scalar("select (extract(epoch from first_response_target) / 60)::float8 from channels where id = $1")
        .bind(channel)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(minutes, 45.0);
    let zero = call(&app, "admin_channel_update", Some(&owner_cookie), &format!("id={channel}&ask_nps=false&callback_url=&target_minutes=0")).await;
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
}
