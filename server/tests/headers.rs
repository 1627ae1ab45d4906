//! The headers every response carries: a Content-Security-Policy on every kind of page
//! and answer (the app's with its nonce, the plain pages' own, a deny-all one for JSON),
//! `Cache-Control: no-store` on whatever answers a signed-in request or sets a cookie,
//! and HSTS when Meridian is served over TLS.

mod common;

use app::backend::Settings;
use app::domain::access::Role;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn csp(res: &Answer) -> String {
    res.headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn cache(res: &Answer) -> String {
    res.headers.get("cache-control").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[sqlx::test]
async fn every_kind_of_answer_has_a_content_security_policy(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, agent).await;
    let app = app(&pool);
    // The app's pages, for visitors and signed in, and its 404: scripts only with the nonce.
    for (path, who) in [("/sign-in", None), ("/queue", Some(cookie.as_str())), ("/no/such/page", None), ("/sign-in/second-factor", None)] {
        let res = page(&app, path, who).await;
        let policy = csp(&res);
        assert!(policy.contains("script-src 'self' 'nonce-"), "{path}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
    }
    // The plain pages: no script at all.
    for path in ["/help", "/forgot-password", "/reset-password/not-a-token", "/invite/not-a-token"] {
        let res = page(&app, path, None).await;
        assert!(csp(&res).contains("script-src 'none'"), "{path} ({}): {}", res.status, csp(&res));
    }
    // The chat page: only its own script, framable by the sites that embed it.
    sqlx::query("insert into channels (kind, name, address, first_response_target) values ('chat', 'Website chat', 'website', interval '2 minutes')")
        .execute(&pool)
        .await
        .unwrap();
    let chat = page(&app, "/chat/website", None).await;
    assert_eq!(chat.status, StatusCode::OK);
    assert!(csp(&chat).contains("script-src 'self';") && csp(&chat).contains("frame-ancestors *"), "{}", csp(&chat));
    assert!(chat.headers.get("x-frame-options").is_none());
    // JSON, server functions and plain text: nothing may load or run.
    for res in [
        api_get(&app, "/api/v1/openapi.json", None).await,
        api_get(&app, "/readyz", None).await,
        call(&app, "current_user", Some(&cookie), "").await,
        call(&app, "sign_in", None, "email=nobody%40meridian.test&password=wrong").await,
    ] {
        assert!(csp(&res).starts_with("default-src 'none'"), "{}: {}", res.status, csp(&res));
        assert_eq!(res.headers.get("x-content-type-options").unwrap(), "nosniff");
    }
}

#[sqlx::test]
async fn signed_in_answers_are_never_stored(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let cookie = session_cookie(&pool, agent).await;
    let app = app(&pool);
    let queue = page(&app, "/queue", Some(&cookie)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(cache(&queue), "no-store");
    assert_eq!(cache(&call(&app, "current_user", Some(&cookie), "").await), "no-store");
    // Setting a cookie (signing in) is never cached either.
    let signed_in = call(&app, "sign_in", None, &format!("email=agent%40meridian.test&password={}", PASSWORD.replace(' ', "+"))).await;
    assert!(signed_in.set_cookie().is_some());
    assert_eq!(cache(&signed_in), "no-store");
    // A visitor's help centre stays cacheable.
    let help = page(&app, "/help", None).await;
    assert_ne!(cache(&help), "no-store");
}

#[sqlx::test]
async fn hsts_only_over_tls(pool: PgPool) {
    let plain = page(&app(&pool), "/sign-in", None).await;
    assert!(plain.headers.get("strict-transport-security").is_none());
    let tls = meridian::http::router(state(&pool, Settings { public_url: Some("https://meridian.test".into()), ..Settings::default() }));
    let res = page(&tls, "/sign-in", None).await;
    assert_eq!(res.headers.get("strict-transport-security").unwrap(), "max-age=31536000; includeSubDomains");
}
