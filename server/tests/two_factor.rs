//! Two-factor sign-in through the real router and a real database: enrolling from
//! Account settings, the sign-in's second step (the TOTP window of one step either
//! side, a code never accepted twice, recovery codes once, five wrong codes ending it,
//! "remember this browser"), the owner's policy and reset, and turning it off only after
//! proving who one is again. Codes are made with the secret the database holds.

mod common;

use app::backend::second_factor::code_at;
use app::domain::access::Role;
use app::domain::second_factor::STEP_SECONDS;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

fn form(email: &str, password: &str) -> String {
    format!("email={}&password={}", email.replace('@', "%40"), password.replace(' ', "+"))
}

/// Every `name=value` the answer set, as a browser would send them back.
fn cookies(res: &Answer) -> Vec<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .filter(|c| !c.ends_with('='))
        .collect()
}

fn cookie_named(res: &Answer, name: &str) -> Option<String> {
    cookies(res).into_iter().find(|c| c.starts_with(&format!("{name}=")))
}

async fn secret(pool: &PgPool, user_id: i64) -> Vec<u8> {
    sqlx::query_scalar("select secret from second_factors where user_id = $1").bind(user_id).fetch_one(pool).await.unwrap()
}

async fn audit_count(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("select count(*) from audit_log where action = $1").bind(action).fetch_one(pool).await.unwrap()
}

/// Turns two-factor sign-in on for `user_id` from Account settings; returns the recovery codes.
async fn enrol(app: &axum::Router, pool: &PgPool, user_id: i64) -> Vec<String> {
    let cookie = session_cookie(pool, user_id).await;
    let begun = call(app, "two_factor_begin", Some(&cookie), "").await;
    assert_eq!(begun.status, StatusCode::OK, "{}", begun.body);
    let shown = begun.json();
    assert!(shown["qr_svg"].as_str().unwrap().starts_with("<svg"), "{}", begun.body);
    assert_eq!(shown["secret"].as_str().unwrap().replace(' ', "").len(), 32, "20 bytes in base 32");
    let code = code_at(&secret(pool, user_id).await, now());
    let confirmed = call(app, "two_factor_confirm", Some(&cookie), &format!("code={code}")).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    serde_json::from_str(&confirmed.body).unwrap()
}

/// Signs in with the password; returns the answer and the cookies to send next.
async fn password_step(app: &axum::Router, email: &str, device: Option<&str>) -> (Answer, String) {
    let res = call(app, "sign_in", device, &form(email, PASSWORD)).await;
    let mut jar = cookies(&res);
    if let Some(d) = device {
        jar.push(d.to_string());
    }
    (res, jar.join("; "))
}

#[sqlx::test]
async fn enrolment_then_sign_in_needs_a_code_once_per_step(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    let codes = enrol(&app, &pool, id).await;
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'), "{codes:?}");
    let stored: i64 = sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(stored, 10);
    let plain: i64 = sqlx::query_scalar("select count(*) from recovery_codes where code_hash = convert_to($1, 'UTF8')").bind(codes[0].replace('-', "")).fetch_one(&pool).await.unwrap();
    assert_eq!(plain, 0, "recovery codes are stored hashed");
    assert_eq!(audit_count(&pool, "two_factor_enabled").await, 1);

    // The password alone no longer opens a session: a challenge cookie and the second step.
    let (res, jar) = password_step(&app, "agent@meridian.test", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.headers.get("location").unwrap(), "/sign-in/second-factor");
    assert!(cookie_named(&res, "meridian_session").is_none());
    assert!(cookie_named(&res, "meridian_challenge").is_some());
    let sessions_before = count(&pool, "sessions").await;
    let step = call(&app, "sign_in_second_step", Some(&jar), "").await;
    assert_eq!(step.json()["Verify"]["email"], "agent@meridian.test", "{}", step.body);

    // A wrong code: a sentence, a 400, no session, an audit entry.
    let wrong = call(&app, "second_factor_sign_in", Some(&jar), "code=000000").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
    assert!(wrong.body.contains("That code is not right"), "{}", wrong.body);
    assert_eq!(count(&pool, "sessions").await, sessions_before);
    // Not a code at all.
    let junk = call(&app, "second_factor_sign_in", Some(&jar), "code=hello").await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    assert!(junk.body.contains("six-digit code"), "{}", junk.body);

    // Two steps ahead is outside the window; one ahead (a code typed as it changes) is in.
    let secret = secret(&pool, id).await;
    let far = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={}", code_at(&secret, now() + 2 * STEP_SECONDS))).await;
    assert_eq!(far.status, StatusCode::BAD_REQUEST);
    let next = code_at(&secret, now() + STEP_SECONDS);
    let ok = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={next}")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.headers.get("location").unwrap(), "/queue");
    let session = cookie_named(&ok, "meridian_session").expect("a session");
    assert_eq!(call(&app, "current_user", Some(&session), "").await.json()["email"], "agent@meridian.test");
    // The challenge is used up.
    assert_eq!(call(&app, "second_factor_sign_in", Some(&jar), &format!("code={next}")).await.status, StatusCode::NOT_FOUND);

    // The same code never counts again, on a new sign-in either (nor any older one:
    // `domain::second_factor`'s property test).
    let (_, jar) = password_step(&app, "agent@meridian.test", None).await;
    let replay = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={next}")).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "a replayed code is refused");

    // A recovery code works once.
    let recovery = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={}", codes[3].to_uppercase())).await;
    assert_eq!(recovery.status, StatusCode::OK, "{}", recovery.body);
    assert_eq!(audit_count(&pool, "recovery_code_used").await, 1);
    let (_, jar) = password_step(&app, "agent@meridian.test", None).await;
    let again = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={}", codes[3])).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a used recovery code is refused");
    let left: i64 = sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(left, 9);
}

#[sqlx::test]
async fn five_wrong_codes_end_the_sign_in(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    enrol(&app, &pool, id).await;
    let (_, jar) = password_step(&app, "agent@meridian.test", None).await;
    for n in 1..=5 {
        let res = call(&app, "second_factor_sign_in", Some(&jar), "code=111111").await;
        let expected = if n < 5 { StatusCode::BAD_REQUEST } else { StatusCode::NOT_FOUND };
        assert_eq!(res.status, expected, "attempt {n}: {}", res.body);
    }
    let secret = secret(&pool, id).await;
    let late = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={}", code_at(&secret, now() + STEP_SECONDS))).await;
    assert_eq!(late.status, StatusCode::NOT_FOUND, "the right code after five wrong ones: sign in again");
    assert!(late.body.contains("Sign in again"), "{}", late.body);
    assert_eq!(count(&pool, "sessions").await, 1, "only enrol()'s session");
    assert_eq!(audit_count(&pool, "sign_in_failed").await, 5);
}

#[sqlx::test]
async fn a_remembered_browser_skips_the_second_step_for_30_days(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    enrol(&app, &pool, id).await;
    let (first, jar) = password_step(&app, "agent@meridian.test", None).await;
    let device = cookie_named(&first, "meridian_device").expect("a known-device cookie");
    let code = code_at(&secret(&pool, id).await, now() + STEP_SECONDS);
    let ok = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={code}&remember=yes")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let until: f64 = sqlx::query_scalar("select extract(epoch from second_factor_until - now())::float8 from known_devices where user_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!((until - 30.0 * 86_400.0).abs() < 60.0, "{until}");

    // The same browser: password only.
    let (again, _) = password_step(&app, "agent@meridian.test", Some(&device)).await;
    assert!(cookie_named(&again, "meridian_session").is_some(), "remembered");
    assert_eq!(again.headers.get("location").unwrap(), "/queue");
    // Another browser: still the second step.
    let (other, _) = password_step(&app, "agent@meridian.test", None).await;
    assert!(cookie_named(&other, "meridian_session").is_none());
    // An owner's reset forgets remembered browsers too.
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let owner_cookie = session_cookie(&pool, owner.id).await;
    let reset = call(&app, "admin_two_factor_reset", Some(&owner_cookie), &format!("id={id}")).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    enrol(&app, &pool, id).await;
    let (after, _) = password_step(&app, "agent@meridian.test", Some(&device)).await;
    assert!(cookie_named(&after, "meridian_session").is_none(), "a reset forgets the browser");
}

#[sqlx::test]
async fn the_same_code_at_once_is_accepted_only_once(pool: PgPool) {
    let id = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    enrol(&app, &pool, id).await;
    let mut jars = Vec::new();
    for _ in 0..8 {
        jars.push(password_step(&app, "agent@meridian.test", None).await.1);
    }
    let code = code_at(&secret(&pool, id).await, now() + STEP_SECONDS);
    let answers = futures::future::join_all(jars.iter().map(|jar| {
        let app = app.clone();
        let body = format!("code={code}");
        async move { call(&app, "second_factor_sign_in", Some(jar), &body).await.status }
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{answers:?}");
    // The rest were refused: the code was used (400), or the person's throttle held them
    // back (429; parallel guesses get no free tries). Never a server error.
    assert!(answers.iter().all(|s| [StatusCode::OK, StatusCode::BAD_REQUEST, StatusCode::TOO_MANY_REQUESTS].contains(s)), "{answers:?}");
}

#[sqlx::test]
async fn a_required_role_sets_it_up_at_sign_in_and_cannot_turn_it_off(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let owner_cookie = session_cookie(&pool, owner.id).await;
    let app = app(&pool);
    // Requiring it for owners before the owner has it would lock them out at their next sign-in.
    let own = call(&app, "admin_two_factor_policy_set", Some(&owner_cookie), r#"{"roles": ["super_admin"]}"#).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    // An agent may not set the policy.
    let agent_cookie = session_cookie(&pool, agent).await;
    assert_eq!(call(&app, "admin_two_factor_policy_set", Some(&agent_cookie), r#"{"roles": []}"#).await.status, StatusCode::FORBIDDEN);
    let set = call(&app, "admin_two_factor_policy_set", Some(&owner_cookie), r#"{"roles": ["operator"]}"#).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.json(), serde_json::json!(["operator"]));
    assert_eq!(call(&app, "admin_two_factor_policy", Some(&owner_cookie), "").await.json(), serde_json::json!(["operator"]));
    let detail: String = sqlx::query_scalar("select detail from audit_log where action = 'setting_changed' and target = 'two-factor sign-in'").fetch_one(&pool).await.unwrap();
    assert_eq!(detail, "required for Agent");

    // The agent's password leads to setting it up; the QR code is the same on a reload.
    let (res, jar) = password_step(&app, "agent@meridian.test", None).await;
    assert_eq!(res.headers.get("location").unwrap(), "/sign-in/second-factor");
    let step = call(&app, "sign_in_second_step", Some(&jar), "").await;
    let svg = step.json()["Enrol"]["enrolment"]["qr_svg"].as_str().unwrap().to_string();
    assert!(svg.starts_with("<svg"), "{}", step.body);
    let reload = call(&app, "sign_in_second_step", Some(&jar), "").await;
    assert_eq!(reload.json()["Enrol"]["enrolment"]["qr_svg"].as_str().unwrap(), svg);
    // A recovery code cannot set it up; the app's code does, and answers the recovery codes.
    let code = code_at(&secret(&pool, agent).await, now());
    let done = call(&app, "second_factor_sign_in", Some(&jar), &format!("code={code}")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes: Option<Vec<String>> = serde_json::from_str(&done.body).unwrap();
    assert_eq!(codes.unwrap().len(), 10);
    let session = cookie_named(&done, "meridian_session").expect("signed in");
    let status = call(&app, "two_factor", Some(&session), "").await.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["required"], true);
    // Required: it cannot be turned off.
    let off = call(&app, "two_factor_disable", Some(&session), "").await;
    assert_eq!(off.status, StatusCode::CONFLICT, "{}", off.body);
    assert!(off.body.contains("required for every Agent"), "{}", off.body);
    assert_eq!(call(&app, "two_factor", Some(&session), "").await.json()["enabled"], true);
}

#[sqlx::test]
async fn turning_it_off_needs_a_fresh_proof_and_an_owner_reset_is_audited(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = member(&pool, "agent@meridian.test", "Alex Agent", Role::Operator).await;
    let app = app(&pool);
    enrol(&app, &pool, agent.id).await;
    let session = session_cookie(&pool, agent.id).await;
    sqlx::query("update sessions set authenticated_at = now() - interval '1 hour' where user_id = $1").bind(agent.id).execute(&pool).await.unwrap();
    let stale = call(&app, "two_factor_disable", Some(&session), "").await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "{}", stale.body);
    assert_eq!(call(&app, "two_factor", Some(&session), "").await.json()["enabled"], true, "nothing changed");
    // The authenticator's code proves it again (as the password would).
    let code = code_at(&secret(&pool, agent.id).await, now() + STEP_SECONDS);
    let proved = call(&app, "confirm_password", Some(&session), &format!("password={code}")).await;
    assert_eq!(proved.status, StatusCode::OK, "{}", proved.body);
    let renewed = call(&app, "two_factor_renew_codes", Some(&session), "").await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_eq!(audit_count(&pool, "recovery_codes_renewed").await, 1);
    let off = call(&app, "two_factor_disable", Some(&session), "").await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(count(&pool, "recovery_codes").await, 0);
    assert_eq!(audit_count(&pool, "two_factor_disabled").await, 1);
    let (res, _) = password_step(&app, "agent@meridian.test", None).await;
    assert!(cookie_named(&res, "meridian_session").is_some(), "the password alone again");

    // An owner resets it for someone who lost their phone: audited with both names, their sessions end.
    enrol(&app, &pool, agent.id).await;
    let owner_cookie = session_cookie(&pool, owner.id).await;
    let listed = call(&app, "list_users", Some(&owner_cookie), "").await.json();
    let row = listed.as_array().unwrap().iter().find(|u| u["id"] == agent.id).unwrap().clone();
    assert_eq!(row["two_factor"], true);
    let agent_cookie = session_cookie(&pool, agent.id).await;
    let agent_try = call(&app, "admin_two_factor_reset", Some(&agent_cookie), &format!("id={}", owner.id)).await;
    assert_eq!(agent_try.status, StatusCode::FORBIDDEN);
    let reset = call(&app, "admin_two_factor_reset", Some(&owner_cookie), &format!("id={}", agent.id)).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let (actor, target): (String, String) =
        sqlx::query_as("select actor, target from audit_log where action = 'two_factor_reset'").fetch_one(&pool).await.unwrap();
    assert_eq!(actor, "Olga Owner <owner@meridian.test>");
    assert_eq!(target, "Alex Agent <agent@meridian.test>");
    let left: i64 = sqlx::query_scalar("select count(*) from sessions where user_id = $1").bind(agent.id).fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0, "their sessions ended");
    let nothing = call(&app, "admin_two_factor_reset", Some(&owner_cookie), &format!("id={}", agent.id)).await;
    assert_eq!(nothing.status, StatusCode::CONFLICT, "{}", nothing.body);
}
