//! The REST API under `/api/v1` for integrations, authenticated by
//! `Authorization: Bearer <token>` (`meridian token create`). Every route is listed in
//! [`openapi`], and every handler checks its permission through
//! `app::backend::authorize`, the gate the server functions use too.

use app::auth::CurrentUser;
use app::backend::{authorize, AppState, Principal};
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/openapi.json", get(openapi_json))
        .fallback(no_such_route)
}

/// The JSON 404 of every unknown route under `/api`.
pub async fn no_such_route() -> AppError {
    AppError::NotFound("There is no such API route.".into())
}

/// The caller of an API route, possibly nobody; handlers ask it for a permission.
pub struct Caller(Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(parts.extensions.get::<Principal>().map(|p| p.user.clone())))
    }
}

impl Caller {
    pub fn require(self, permission: Permission) -> Result<CurrentUser, AppError> {
        authorize(self.0, permission)
    }
}

/// `GET /api/v1/me`: the token's user and role.
async fn me(caller: Caller) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(caller.require(Permission::UseApi)?))
}

async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

/// The OpenAPI 3.1 description of every route above.
pub fn openapi() -> Value {
    let error = json!({ "description": "Refused or failed; `error` says why.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Meridian API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The helpdesk's REST API for integrations. Authenticate with `Authorization: Bearer <token>`; create a token with `meridian token create --email <user>`. A token acts with its user's role."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearerAuth": [] }],
        "paths": {
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "The token's user and role",
                    "responses": {
                        "200": { "description": "The signed-in user",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/User" } } } },
                        "401": error
                    }
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": { "200": { "description": "The OpenAPI document" } }
                }
            }
        },
        "components": {
            "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "User": {
                    "type": "object",
                    "required": ["id", "email", "name", "role", "time_zone"],
                    "properties": {
                        "id": { "type": "integer", "format": "int64" },
                        "email": { "type": "string", "format": "email" },
                        "name": { "type": "string" },
                        "role": { "type": "string", "enum": ["super_admin", "admin", "reviewer", "operator"] },
                        "time_zone": { "type": "string", "description": "IANA time zone, e.g. Europe/Berlin" }
                    }
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "type": "string", "description": "A sentence for people" } }
                }
            }
        }
    })
}
