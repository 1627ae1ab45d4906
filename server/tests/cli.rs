//! The `meridian` command line, run as a real process against the test's database.

mod common;

use app::backend::{sign_in::check_credentials, tokens};
use common::*;
use sqlx::PgPool;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The URL of this test's own database (DATABASE_URL names the server; sqlx::test made the database).
async fn url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name: String = sqlx::query_scalar("select current_database()").fetch_one(pool).await.unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

fn meridian(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("MERIDIAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

// create-user reads the password from stdin (never the command line) and the user can sign in.
#[sqlx::test]
async fn create_user_takes_the_password_from_stdin(pool: PgPool) {
    let url = url_of(&pool).await;
    let out = meridian(&url, &["create-user", "--email", "New.Agent@Meridian.test", "--name", "New Agent", "--role", "operator"], "a long enough password\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let user = check_credentials(&pool, "new.agent@meridian.test", "a long enough password", "127.0.0.1").await.unwrap();
    assert_eq!(user.name, "New Agent");
    assert_eq!(user.role.as_str(), "operator");
}

// A short or common password, an unknown role or a duplicate address is refused with a sentence and creates nothing.
#[sqlx::test]
async fn create_user_refuses_bad_input(pool: PgPool) {
    let url = url_of(&pool).await;
    let short = meridian(&url, &["create-user", "--email", "a@meridian.test", "--name", "A", "--role", "operator"], "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let common = meridian(&url, &["create-user", "--email", "a@meridian.test", "--name", "A", "--role", "operator"], "1q2w3e4r5t6y\n");
    assert!(!common.status.success());
    assert!(String::from_utf8_lossy(&common.stderr).contains("common and breached"), "{}", String::from_utf8_lossy(&common.stderr));

    let role = meridian(&url, &["create-user", "--email", "a@meridian.test", "--name", "A", "--role", "root"], "long enough password\n");
    assert!(!role.status.success());
    assert_eq!(count(&pool, "users").await, 0);

    user(&pool, "a@meridian.test", app::domain::access::Role::Admin).await;
    let dup = meridian(&url, &["create-user", "--email", "A@meridian.test", "--name", "A", "--role", "operator"], "long enough password\n");
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    assert_eq!(count(&pool, "users").await, 1);
}

// token create prints a token that works on the API; token revoke stops it.
#[sqlx::test]
async fn token_create_prints_a_working_token(pool: PgPool) {
    let url = url_of(&pool).await;
    user(&pool, "manager@meridian.test", app::domain::access::Role::Admin).await;

    let out = meridian(&url, &["token", "create", "--email", "manager@meridian.test", "--name", "crm"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with(tokens::PREFIX));
    let me = api_get(&app(&pool), "/api/v1/me", Some(&token)).await;
    assert_eq!(me.json()["email"], "manager@meridian.test");

    let id: i64 = sqlx::query_scalar("select id from api_tokens").fetch_one(&pool).await.unwrap();
    let revoked = meridian(&url, &["token", "revoke", "--id", &id.to_string()], "");
    assert!(revoked.status.success());
    assert_eq!(api_get(&app(&pool), "/api/v1/me", Some(&token)).await.status.as_u16(), 401);
}

// Every command documents itself.
#[test]
fn every_command_has_help() {
    for args in [vec!["--help"], vec!["serve", "--help"], vec!["migrate", "--help"], vec!["seed-demo", "--help"],
                 vec!["create-user", "--help"], vec!["token", "create", "--help"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_meridian")).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: meridian"), "{args:?}");
    }
}
