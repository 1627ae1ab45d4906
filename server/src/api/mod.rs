//! The REST API under `/api/v1` for integrations, authenticated by
//! `Authorization: Bearer <token>` (`meridian token create`). One file per area; each
//! registers its handlers with `routes!`, so a route is served only if it is in the
//! OpenAPI document, which utoipa derives from the handlers' `#[utoipa::path]` and the
//! types they exchange. Every handler checks its permission through
//! `app::backend::authorize`, the gate the server functions use too.

use app::model::user::CurrentUser;
use app::backend::AppState;
use caller::{ApiError, Caller};
use app::domain::access::Permission;
use app::error::AppError;

use axum::{Json, Router};
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod caller;
mod assignment;
mod dialogue;
mod incidents;
mod kb;
mod macros;
mod qa;
mod reports;
mod rules;
mod sla;
mod webhooks;
mod wfm;




/// The API's routes, each with its place in the OpenAPI document.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .merge(dialogue::routes())
        .merge(qa::routes())
        .merge(reports::routes())
        .merge(wfm::routes())
        .merge(macros::routes())
        .merge(incidents::routes())
        .merge(kb::routes())
        .merge(sla::routes())
        .merge(assignment::routes())
        .merge(rules::routes())
        .merge(webhooks::routes())
        .merge(crate::inbound::routes())
        .routes(routes!(openapi_json))
}

pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router.fallback(no_such_route)
}

/// The OpenAPI 3.1 document of every route [`router`] serves, derived from the code.
pub fn openapi() -> Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(routes().split_for_parts().1).expect("the OpenAPI document serializes")).clone()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Meridian API",
        description = "The helpdesk's REST API for integrations. Authenticate with `Authorization: Bearer <token>`; create a token with `meridian token create --email <user>`, or an owner creates one at /admin/tokens. A token acts with its user's role."
    ),
    servers((url = "/api/v1")),
    security(("bearerAuth" = [])),
    modifiers(&BearerAuth),
    components(schemas(ApiError, webhooks::WebhookPayload))
)]
struct ApiDoc;

/// The `bearerAuth` scheme every route but the public ones requires.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearerAuth", SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`mrd_…`, Admin → API tokens or `meridian token create`). It acts within its \
                         person's role and its scopes: read or write per area (queue, kb, qa, wfm, reports, incidents, \
                         admin); a GET needs the area's read scope, anything else its write scope (403 otherwise). It \
                         expires (401 saying when) and never manages users, tokens, settings or secrets.",
                    ))
                    .build(),
            ));
        }
    }
}

/// The JSON 404 of every unknown route under `/api`.
pub async fn no_such_route() -> AppError {
    AppError::NotFound("There is no such API route.".into())
}

/// The token's user and role
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, description = "The signed-in user", body = CurrentUser), (status = 401, body = ApiError)))]
async fn me(caller: Caller) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(caller.require(Permission::UseApi)?))
}

/// This document
#[utoipa::path(get, path = "/openapi.json", tag = "account", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
async fn openapi_json() -> Json<Value> {
    Json(openapi())
}
