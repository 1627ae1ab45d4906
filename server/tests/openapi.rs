//! The OpenAPI document is derived from the code: every route the API serves is in it,
//! nothing in it is missing from the router, and it is valid OpenAPI 3.1.

mod common;

use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

// Each documented path answers exactly its documented methods: another method is 405
// (the path is served, the method is not), and a documented one is never the API's 404
// for an unknown route. With the router built from the same `routes!` registrations as
// the document, nothing can be served that the document leaves out.
#[sqlx::test]
async fn the_router_serves_exactly_what_the_document_lists(pool: PgPool) {
    let app = app(&pool);
    let doc = meridian::api::openapi();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 28, "the document lists {} paths", paths.len());
    for (path, ops) in paths {
        let concrete = format!("/api/v1{}", path.replace("{id}", "1"));
        for method in METHODS {
            let res = api_send(&app, &method.to_uppercase(), &concrete, None, "").await;
            if ops.get(method).is_some() {
                let unknown = res.status == StatusCode::NOT_FOUND && res.body.contains("There is no such API route.");
                assert!(!unknown, "{method} {path} is documented but not served");
                assert_ne!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not served");
            } else {
                assert!(
                    res.status == StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not documented, yet it answered {}: {}",
                    res.status,
                    res.body
                );
            }
        }
    }
}

// The document validates as OpenAPI 3.1 (openapi-spec-validator, installed by `make test`).
#[test]
fn the_document_is_valid_openapi_3_1() {
    let doc = meridian::api::openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    let file = std::env::temp_dir().join(format!("meridian-openapi-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&file)
        .output()
        .expect("python3 runs (make test installs openapi-spec-validator)");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
