//! The audit log: sign-ins (and failures), setting changes and deletions are recorded with
//! who, when and from where; admins search it; nothing can change or remove an entry.

mod common;

use app::backend::audit;
use app::domain::access::Role;
use app::model::admin::AuditQuery;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn form(email: &str, password: &str) -> String {
    format!("email={}&password={}", email.replace('@', "%40"), password.replace(' ', "+"))
}

async fn entries(pool: &PgPool) -> Vec<(String, String, String, String)> {
    sqlx::query_as("select action, actor, target, client_addr from audit_log order by id").fetch_all(pool).await.unwrap()
}

#[sqlx::test]
async fn sign_ins_settings_and_deletions_are_logged_and_searchable(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let app = app(&pool);
    let failed = call(&app, "sign_in", None, &form("owner@meridian.test", "not the password")).await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    let ok = call(&app, "sign_in", None, &form("owner@meridian.test", PASSWORD)).await;
    assert!(ok.status.is_success() || ok.status.is_redirection(), "{}", ok.status);

    let cookie = session_cookie(&pool, owner).await;
    let added = call(&app, "routing_rule_add", Some(&cookie), r#"{"input": {"name": "Money", "channel_id": null, "keywords": "refund", "address": "", "topic": "billing", "team_id": null}}"#).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let rule: i64 = sqlx::query_scalar("select id from routing_rules").fetch_one(&pool).await.unwrap();
    assert_eq!(call(&app, "routing_rule_delete", Some(&cookie), &format!("id={rule}")).await.status, StatusCode::OK);

    let log = entries(&pool).await;
    let actions: Vec<&str> = log.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, vec!["sign_in_failed", "signed_in", "setting_changed", "deleted"]);
    assert_eq!(log[0].1, "owner@meridian.test");
    assert!(log[1].1.contains("<owner@meridian.test>"));
    assert!(log[2].2.contains("“Money” added"), "{}", log[2].2);
    assert_eq!(log[3].2, format!("routing rule {rule}"));
    assert!(log.iter().all(|e| !e.3.is_empty()), "every entry says where from");

    // Search: by words, by action, a page at a time.
    let found = audit::search(&pool, "UTC", &AuditQuery { q: "money".into(), ..Default::default() }).await.unwrap();
    assert_eq!(found.entries.len(), 1);
    assert_eq!(found.entries[0].action, "Setting changed");
    let failures = audit::search(&pool, "UTC", &AuditQuery { action: Some("sign_in_failed".into()), ..Default::default() }).await.unwrap();
    assert_eq!(failures.entries.len(), 1);
    let first = audit::search(&pool, "UTC", &AuditQuery { limit: Some(3), ..Default::default() }).await.unwrap();
    assert_eq!(first.entries.len(), 3);
    let rest = audit::search(&pool, "UTC", &AuditQuery { limit: Some(3), before: first.next, ..Default::default() }).await.unwrap();
    assert_eq!((rest.entries.len(), rest.next), (1, None));
    assert_eq!(rest.entries[0].action, "Sign-in failed", "newest first, the oldest last");
    // Percent signs are words, not wildcards.
    assert!(audit::search(&pool, "UTC", &AuditQuery { q: "%".into(), ..Default::default() }).await.unwrap().entries.is_empty());

    // The owner's page lists them; an agent is refused.
    let page = page(&app, "/reports/audit", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sign-in failed"));
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let agent_cookie = session_cookie(&pool, agent).await;
    assert_eq!(call(&app, "audit_log", Some(&agent_cookie), r#"{"query": {}}"#).await.status, StatusCode::FORBIDDEN);
}

// Nothing can rewrite history: updates and deletes are refused by the database itself.
#[sqlx::test]
async fn the_log_is_append_only(pool: PgPool) {
    audit::record(&pool, None, "someone", app::domain::audit::AuditAction::Exported, "report", "", "127.0.0.1").await.unwrap();
    let update = sqlx::query("update audit_log set actor = 'nobody'").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("delete from audit_log").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(count(&pool, "audit_log").await, 1);
}
