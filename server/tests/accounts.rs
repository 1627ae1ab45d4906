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

async fn reset_path(pool: &PgPool) -> String {
    sqlx::query_scalar("select link_path from account_mail where link_path is not null order by id desc limit 1").fetch_one(pool).await.unwrap()
}

// "Forgot your password?" answers the same whether or not the address has an account;
// the e-mailed link shows a form, refuses a weak password (the link still works), sets a
// good one once, ends every session, and then answers 404.
#[sqlx::test]
async fn a_forgotten_password_is_reset_once_by_the_emailed_link(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let old_session = session_cookie(&pool, id).await;
    let app = app(&pool);
    assert_eq!(page(&app, "/forgot-password", None).await.status, StatusCode::OK);

    let known = post_form(&app, "/forgot-password", "email=Agent%40meridian.test").await;
    let unknown = post_form(&app, "/forgot-password", "email=nobody%40meridian.test").await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(known.body, unknown.body, "the same answer either way");
    assert!(known.body.contains("If that address belongs to an account"));
    assert_eq!(count(&pool, "account_mail").await, 1, "one e-mail, for the known account only");
    let (recipient, body): (String, String) = sqlx::query_as("select recipient, body from account_mail").fetch_one(&pool).await.unwrap();
    assert_eq!(recipient, "agent@meridian.test");
    assert!(body.contains("{link}") && body.contains("30 minutes"), "{body}");
    let path = reset_path(&pool).await;
    assert!(path.starts_with("/reset-password/"));
    let token: String = path.trim_start_matches("/reset-password/").into();
    let stored: i64 = sqlx::query_scalar("select count(*) from password_resets where token_hash = sha256($1::bytea)").bind(token.as_bytes()).fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 1, "only the token's SHA-256 is kept");

    let form = page(&app, &path, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Choose a new password"));
    let common = post_form(&app, &path, "password=qwertyuiop123&again=qwertyuiop123").await;
    assert_eq!(common.status, StatusCode::BAD_REQUEST);
    assert!(common.body.contains("common and breached"), "{}", common.body);
    let mismatch = post_form(&app, &path, "password=a+new+long+password&again=another+new+password").await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(check_credentials(&pool, "agent@meridian.test", PASSWORD, "127.0.0.1").await.is_ok(), "a refused password changes nothing");

    let done = post_form(&app, &path, "password=a+new+long+password&again=a+new+long+password").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your new password is set"));
    assert!(check_credentials(&pool, "agent@meridian.test", "a new long password", "127.0.0.1").await.is_ok());
    assert!(check_credentials(&pool, "agent@meridian.test", PASSWORD, "127.0.0.1").await.is_err());
    assert_eq!(call(&app, "current_user", Some(&old_session), "").await.body, "null", "every session ended");
    // Once only.
    assert_eq!(page(&app, &path, None).await.status, StatusCode::NOT_FOUND);
    let again = post_form(&app, &path, "password=yet+another+password&again=yet+another+password").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = sqlx::query_scalar("select action from audit_log order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(actions, ["password_reset_requested", "password_changed"]);
    // A malformed address is a 400 that sends nothing.
    let bad = post_form(&app, "/forgot-password", "email=not-an-address").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, "account_mail").await, 1);
}

// A link works for 30 minutes; a newer one replaces it; requests for one address are
// throttled (three, then a wait), known account or not.
#[sqlx::test]
async fn reset_links_expire_and_requests_are_throttled(pool: PgPool) {
    user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    post_form(&app, "/forgot-password", "email=agent%40meridian.test").await;
    let first = reset_path(&pool).await;
    let minutes: f64 = sqlx::query_scalar("select extract(epoch from expires_at - created_at)::float8 / 60 from password_resets").fetch_one(&pool).await.unwrap();
    assert_eq!(minutes.round(), 30.0);
    post_form(&app, "/forgot-password", "email=agent%40meridian.test").await;
    let second = reset_path(&pool).await;
    assert_eq!(page(&app, &first, None).await.status, StatusCode::NOT_FOUND, "the newer link replaces the older");
    assert_eq!(page(&app, &second, None).await.status, StatusCode::OK);
    sqlx::query("update password_resets set expires_at = now() - interval '1 second'").execute(&pool).await.unwrap();
    assert_eq!(page(&app, &second, None).await.status, StatusCode::NOT_FOUND, "expired");

    post_form(&app, "/forgot-password", "email=agent%40meridian.test").await;
    let fourth = post_form(&app, "/forgot-password", "email=agent%40meridian.test").await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fourth.body.contains("Try again in"), "{}", fourth.body);
    for _ in 0..3 {
        post_form(&app, "/forgot-password", "email=nobody%40meridian.test").await;
    }
    assert_eq!(post_form(&app, "/forgot-password", "email=nobody%40meridian.test").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(count(&pool, "account_mail").await, 3);
}

// Changing one's password needs the current one, follows the policy with its reason, and
// ends every other session of the person (this one stays).
#[sqlx::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let here = session_cookie(&pool, id).await;
    let elsewhere = session_cookie(&pool, id).await;
    let app = app(&pool);
    let form = |current: &str, new: &str| format!("current={}&new={}&again={}", current.replace(' ', "+"), new.replace(' ', "+"), new.replace(' ', "+"));

    let wrong = call(&app, "change_password", Some(&here), &form("not my password", "a brand new password")).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("current password is not right"), "{}", wrong.body);
    let short = call(&app, "change_password", Some(&here), &form(PASSWORD, "too short")).await;
    assert!(short.body.contains("at least 12 characters"), "{}", short.body);
    let common = call(&app, "change_password", Some(&here), &form(PASSWORD, "1q2w3e4r5t6y")).await;
    assert_eq!(common.status, StatusCode::BAD_REQUEST);
    assert!(common.body.contains("common and breached"), "{}", common.body);
    assert_eq!(count(&pool, "audit_log").await, 0, "refusals write nothing");

    let sessions = call(&app, "account_sessions", Some(&here), "").await;
    assert_eq!(sessions.json()[0].as_array().unwrap().len(), 2);
    let done = call(&app, "change_password", Some(&here), &form(PASSWORD, "a brand new password")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body, "1", "one other session ended");
    assert_eq!(call(&app, "current_user", Some(&elsewhere), "").await.body, "null");
    assert_eq!(call(&app, "current_user", Some(&here), "").await.json()["email"], "agent@meridian.test");
    assert!(check_credentials(&pool, "agent@meridian.test", "a brand new password", "127.0.0.1").await.is_ok());
    let action: String = sqlx::query_scalar("select action from audit_log").fetch_one(&pool).await.unwrap();
    assert_eq!(action, "password_changed");

    // Sign out everywhere else.
    let third = session_cookie(&pool, id).await;
    let out = call(&app, "sign_out_elsewhere", Some(&here), "").await;
    assert_eq!(out.body, "1");
    assert_eq!(call(&app, "current_user", Some(&third), "").await.body, "null");
    // Nobody signed in gets a 401.
    assert_eq!(call(&app, "change_password", None, &form(PASSWORD, "a brand new password")).await.status, StatusCode::UNAUTHORIZED);
}

// An owner forces a reset: the password stops working (the right one is told why), the
// sessions end, a link is queued; the user resets and signs in. Nobody but an owner may.
#[sqlx::test]
async fn an_owner_forces_a_password_reset(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let owner_cookie = session_cookie(&pool, owner).await;
    let agent_cookie = session_cookie(&pool, agent).await;
    let app = app(&pool);

    let refused = call(&app, "admin_force_password_reset", Some(&session_cookie(&pool, manager).await), &format!("id={agent}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let res = call(&app, "admin_force_password_reset", Some(&owner_cookie), &format!("id={agent}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(call(&app, "current_user", Some(&agent_cookie), "").await.body, "null", "their sessions ended");
    let told = check_credentials(&pool, "agent@meridian.test", PASSWORD, "127.0.0.1").await.err().unwrap();
    assert!(told.to_string().contains("An owner asked you to choose a new password"), "{told}");
    assert!(matches!(check_credentials(&pool, "agent@meridian.test", "a wrong password", "127.0.0.1").await, Err(app::error::AppError::WrongCredentials)));
    let body: String = sqlx::query_scalar("select body from account_mail").fetch_one(&pool).await.unwrap();
    assert!(body.contains("asked everyone who uses this account to choose a new password"), "{body}");
    let (action, target): (String, String) = sqlx::query_as("select action, target from audit_log").fetch_one(&pool).await.unwrap();
    assert_eq!((action.as_str(), target.contains("agent@meridian.test")), ("password_reset_forced", true));

    let path = reset_path(&pool).await;
    let done = post_form(&app, &path, "password=my+fresh+start+now&again=my+fresh+start+now").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(check_credentials(&pool, "agent@meridian.test", "my fresh start now", "127.0.0.1").await.is_ok());
    // An unknown id is a 404 that writes nothing.
    assert_eq!(call(&app, "admin_force_password_reset", Some(&owner_cookie), "id=999999").await.status, StatusCode::NOT_FOUND);
}
