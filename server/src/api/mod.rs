//! The REST API under `/api/v1` for integrations, authenticated by
//! `Authorization: Bearer <token>` (`meridian token create`). Every route is listed in
//! [`openapi`], and every handler checks its permission through
//! `app::backend::authorize`, the gate the server functions use too.

use app::model::user::CurrentUser;
use app::backend::{authorize, AppState, Principal};
use app::domain::access::Permission;
use app::error::AppError;

use axum::extract::rejection::JsonRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

mod dialogue;
mod incidents;
mod kb;
mod macros;
mod qa;
mod reports;
mod wfm;

use dialogue::*;
use incidents::*;
use kb::*;
use macros::*;
use qa::*;
use reports::*;
use wfm::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/conversations", get(list_conversations))
        .route("/conversations/{id}", get(get_conversation))
        .route("/conversations/{id}/claim", post(claim))
        .route("/conversations/{id}/messages", post(post_message))
        .route("/conversations/{id}/postpone", post(postpone))
        .route("/conversations/{id}/resolve", post(resolve))
        .route("/conversations/{id}/assign", post(assign))
        .route("/qa/scorecard", get(qa_scorecard))
        .route("/qa/samples", post(qa_sample))
        .route("/qa/reviews", post(qa_review))
        .route("/qa/scores", get(qa_scores))
        .route("/wfm/erlang-c", post(erlang_c))
        .route("/wfm/forecast", get(forecast))
        .route("/wfm/shifts", get(wfm_shifts))
        .route("/wfm/coverage", get(wfm_coverage))
        .route("/macros", get(macros_list))
        .route("/mass-replies", post(mass_reply))
        .route("/kb/search", get(kb_search))
        .route("/kb/articles", get(kb_list).post(kb_create))
        .route("/kb/articles/{id}", get(kb_get).put(kb_update))
        .route("/incidents", get(incidents_list).post(incident_declare))
        .route("/incidents/{id}", get(incident_get))
        .route("/incidents/{id}/dialogues", post(incident_link))
        .route("/incidents/{id}/updates", post(incident_update))
        .route("/metrics", get(metrics))
        .route("/metrics.csv", get(metrics_csv))
        .route("/openapi.json", get(openapi_json))
        .merge(crate::inbound::router())
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

    /// Passes with any one of `permissions` (the first refusal is the answer otherwise).
    pub fn require_any(self, permissions: &[Permission]) -> Result<CurrentUser, AppError> {
        let mut refusal = AppError::Forbidden;
        for (i, p) in permissions.iter().enumerate() {
            match authorize(self.0.clone(), *p) {
                Ok(user) => return Ok(user),
                Err(err) if i == 0 => refusal = err,
                Err(_) => {}
            }
        }
        Err(refusal)
    }
}

/// `GET /api/v1/me`: the token's user and role.
async fn me(caller: Caller) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(caller.require(Permission::UseApi)?))
}

/// A JSON body, or a 400 that says what was wrong with it.
pub(crate) fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    parsed.map(|Json(v)| v).map_err(|e| AppError::Invalid(format!("The request body is not valid: {}", e.body_text())))
}

async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

/// The OpenAPI 3.1 description of every route above.
pub fn openapi() -> Value {
    let error = json!({ "description": "Refused or failed; `error` says why.",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let metrics_params = json!([
        { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "First day (reporting time zone); 29 days before `to` when absent" },
        { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "Last day, inclusive; today when absent" },
        { "name": "group_by", "in": "query", "schema": { "type": "string", "enum": ["day", "agent", "team", "channel"], "default": "day" } },
        { "name": "team", "in": "query", "schema": { "type": "integer" }, "description": "Only this team" },
        { "name": "channel", "in": "query", "schema": { "type": "integer" }, "description": "Only this channel (agent rows ignore it)" }
    ]);
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
            "/conversations": {
                "get": {
                    "operationId": "listConversations",
                    "summary": "One page of a queue list, longest waiting first (resolved: newest first)",
                    "parameters": [
                        { "name": "view", "in": "query", "schema": { "type": "string", "enum": ["unassigned", "mine", "open", "postponed", "resolved"], "default": "unassigned" } },
                        { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["waiting", "newest", "priority"], "default": "waiting" }, "description": "Longest waiting first (resolved: newest first), newest first, or most urgent first (then longest waiting)" },
                        { "name": "channel", "in": "query", "schema": { "type": "integer" }, "description": "Only this channel's dialogues" },
                        { "name": "topic", "in": "query", "schema": { "type": "string", "enum": ["support", "billing", "legal", "partnerships", "technical"] }, "description": "Only this purpose" },
                        { "name": "team", "in": "query", "schema": { "type": "integer" }, "description": "Only this team's dialogues" },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } },
                        { "name": "cursor", "in": "query", "schema": { "type": "string" }, "description": "next_cursor of the previous page" }
                    ],
                    "responses": {
                        "200": { "description": "A page", "content": { "application/json": { "schema": {
                            "type": "object", "required": ["items", "next_cursor"],
                            "properties": { "items": { "type": "array", "items": { "type": "object" } }, "next_cursor": { "type": ["string", "null"] } } } } } },
                        "400": error, "401": error, "403": error
                    }
                }
            },
            "/conversations/{id}": {
                "get": {
                    "operationId": "getConversation",
                    "summary": "A dialogue with its messages, events and customer card",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": { "200": { "description": "The dialogue" }, "401": error, "403": error, "404": error }
                }
            },
            "/conversations/{id}/claim": {
                "post": {
                    "operationId": "claimConversation",
                    "summary": "Claim a dialogue; exactly one of simultaneous claims wins",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": false, "content": { "application/json": { "schema": { "type": "object", "properties": { "take_over": { "type": "boolean", "default": false } } } } } },
                    "responses": { "200": { "description": "The caller holds it" }, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/conversations/{id}/messages": {
                "post": {
                    "operationId": "postMessage",
                    "summary": "Reply to the customer, or with internal: true leave an internal note",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["body"],
                        "properties": { "body": { "type": "string" }, "internal": { "type": "boolean", "default": false },
                            "articles": { "type": "array", "items": { "type": "integer" }, "description": "Knowledge-base articles sent in this reply (recorded for QA)" } } } } } },
                    "responses": { "201": { "description": "Stored" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/conversations/{id}/postpone": {
                "post": {
                    "operationId": "postponeConversation",
                    "summary": "Postpone until a time or until the customer replies",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object",
                        "properties": { "until": { "type": "string", "format": "date-time" }, "until_customer_reply": { "type": "boolean" } } } } } },
                    "responses": { "204": { "description": "Postponed" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/conversations/{id}/resolve": {
                "post": {
                    "operationId": "resolveConversation",
                    "summary": "Resolve a dialogue",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": { "204": { "description": "Resolved" }, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/conversations/{id}/assign": {
                "post": {
                    "operationId": "assignConversation",
                    "summary": "Hand a dialogue to another agent",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["agent_id"],
                        "properties": { "agent_id": { "type": "integer" } } } } } },
                    "responses": { "204": { "description": "Assigned" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/qa/scorecard": {
                "get": {
                    "operationId": "qaScorecard",
                    "summary": "The scorecard version reviews are made with now: criteria in order, each with scale, weight, critical, allow_na",
                    "responses": { "200": { "description": "The scorecard" }, "401": error, "403": error }
                }
            },
            "/qa/samples": {
                "post": {
                    "operationId": "qaDrawSample",
                    "summary": "Draw a stratified random sample of resolved dialogues (per agent), reproducible by seed, assigned to a reviewer",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["per_agent", "from", "to"],
                        "properties": {
                            "per_agent": { "type": "integer", "minimum": 1, "maximum": 100 },
                            "from": { "type": "string", "format": "date", "description": "First day, in the caller's time zone" },
                            "to": { "type": "string", "format": "date", "description": "Last day, inclusive" },
                            "channels": { "type": "array", "items": { "type": "string", "enum": ["chat", "email", "social"] } },
                            "team_id": { "type": "integer" }, "agent_id": { "type": "integer" },
                            "low_csat_only": { "type": "boolean" }, "tag": { "type": "string" },
                            "seed": { "type": "integer", "description": "The same seed over the same data draws the same sample" },
                            "reviewer_id": { "type": "integer" }, "include_reviewed": { "type": "boolean" } } } } } },
                    "responses": { "201": { "description": "The sample: id, seed, and per agent the dialogue ids" }, "400": error, "401": error, "403": error, "404": error }
                }
            },
            "/qa/reviews": {
                "post": {
                    "operationId": "qaReview",
                    "summary": "Score a dialogue against the scorecard; answers in the scorecard's order, value null for not applicable",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["conversation_id", "answers"],
                        "properties": {
                            "conversation_id": { "type": "integer" },
                            "scorecard_version_id": { "type": "integer", "description": "Refused with 409 if not the current version; current when absent" },
                            "answers": { "type": "array", "items": { "type": "object", "properties": { "value": { "type": ["integer", "null"] }, "comment": { "type": "string" } } } },
                            "comment": { "type": "string" }, "sample_id": { "type": "integer" },
                            "repeat": { "type": "boolean", "description": "A second review of a dialogue the caller already reviewed" } } } } } },
                    "responses": { "201": { "description": "Stored: id and score" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/qa/scores": {
                "get": {
                    "operationId": "qaScores",
                    "summary": "Quality scores (IQS) for a period with their 95 % confidence interval and the number of reviews",
                    "parameters": [
                        { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "First day; 12 weeks ago when absent" },
                        { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "Last day, inclusive; today when absent" },
                        { "name": "group_by", "in": "query", "schema": { "type": "string", "enum": ["agent", "team", "criterion", "week"], "default": "agent" } }
                    ],
                    "responses": { "200": { "description": "overall and items" }, "400": error, "401": error, "403": error }
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "metrics",
                    "summary": "The report's figures for a period from the rollups (definitions on the Reports page), one row per day, agent, team or channel; recorded in the audit log",
                    "parameters": metrics_params,
                    "responses": { "200": { "description": "from, to, time_zone, group_by, total and rows: counts, durations in seconds, percentages (null where nothing supports a figure)" }, "400": error, "401": error, "403": error }
                }
            },
            "/metrics.csv": {
                "get": {
                    "operationId": "metricsCsv",
                    "summary": "The same rows as CSV (text/csv, one header line); recorded in the audit log",
                    "parameters": metrics_params,
                    "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } }, "400": error, "401": error, "403": error }
                }
            },
            "/wfm/erlang-c": {
                "post": {
                    "operationId": "wfmErlangC",
                    "summary": "Agents needed for one interval of a live channel (Erlang C), with the service level, ASA and occupancy they give",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["arrivals"],
                        "properties": {
                            "arrivals": { "type": "number" }, "interval_seconds": { "type": "number", "default": 1800 },
                            "aht_seconds": { "type": "number", "default": 300 }, "target_service_level": { "type": "number", "default": 0.8 },
                            "target_answer_seconds": { "type": "number", "default": 60 }, "shrinkage": { "type": "number", "default": 0.3 },
                            "max_occupancy": { "type": "number", "default": 0.85 }, "concurrency": { "type": "integer", "default": 1 } } } } } },
                    "responses": { "200": { "description": "agents, scheduled_agents, service_level, asa_seconds, occupancy, traffic" }, "400": error, "401": error, "403": error }
                }
            },
            "/wfm/forecast": {
                "get": {
                    "operationId": "wfmForecast",
                    "summary": "Arrivals forecast per interval for this week and next, with the back-test error (MAPE) and the handling time",
                    "parameters": [
                        { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "First day of `slots` (local); this week's Monday by default" },
                        { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "Last day of `slots`; next week's Sunday by default" },
                        { "name": "channel", "in": "query", "schema": { "type": "string", "enum": ["chat", "email", "social", "all"], "default": "chat" } },
                        { "name": "zone", "in": "query", "schema": { "type": "string" }, "description": "IANA time zone; the caller's by default" },
                        { "name": "team_id", "in": "query", "schema": { "type": "integer" } },
                        { "name": "weeks", "in": "query", "schema": { "type": "integer", "minimum": 2, "maximum": 26, "default": 6 } },
                        { "name": "interval", "in": "query", "schema": { "type": "integer", "enum": [15, 30], "default": 30 } }
                    ],
                    "responses": { "200": { "description": "The forecast" }, "400": error, "401": error, "403": error }
                }
            },
            "/wfm/shifts": {
                "get": {
                    "operationId": "wfmShifts",
                    "summary": "Shifts starting between two days (the next 14 by default); agents see only their own",
                    "parameters": [
                        { "name": "agent", "in": "query", "schema": { "type": "integer" } },
                        { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } },
                        { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } }
                    ],
                    "responses": { "200": { "description": "items: id, agent_id, agent, starts_at, ends_at, break_minutes, generated" }, "400": error, "401": error, "403": error }
                }
            },
            "/macros": {
                "get": {
                    "operationId": "macrosList",
                    "summary": "The team's macros: name, body with {{placeholders}}, and what each also changes (status, tags, priority)",
                    "responses": { "200": { "description": "items" }, "401": error, "403": error }
                }
            },
            "/incidents": {
                "get": {
                    "operationId": "listIncidents",
                    "summary": "Incidents, open first (managers and owners)",
                    "responses": { "200": { "description": "id, title, status, declared_at, declared_by, dialogues, customers, updates" }, "401": error, "403": error }
                },
                "post": {
                    "operationId": "declareIncident",
                    "summary": "Declare an incident",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["title"],
                        "properties": { "title": { "type": "string", "maxLength": 200 }, "summary": { "type": "string", "maxLength": 4000 } } } } } },
                    "responses": { "201": { "description": "{ id }" }, "400": error, "401": error, "403": error }
                }
            },
            "/incidents/{id}": {
                "get": {
                    "operationId": "getIncident",
                    "summary": "An incident with its linked dialogues and the updates sent",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": { "200": { "description": "summary, text, resolved_at, dialogues, updates" }, "401": error, "403": error, "404": error }
                }
            },
            "/incidents/{id}/dialogues": {
                "post": {
                    "operationId": "linkIncidentDialogues",
                    "summary": "Link dialogues to an open incident",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["conversation_ids"],
                        "properties": { "conversation_ids": { "type": "array", "items": { "type": "integer" }, "maxItems": 1000 } } } } } },
                    "responses": { "200": { "description": "linked, already, missing (numbers of no dialogue)" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/incidents/{id}/updates": {
                "post": {
                    "operationId": "sendIncidentUpdate",
                    "summary": "Send an update to every linked customer on their own channel, once per customer; the same request_key again sends nothing. With close, the closing message resolves the incident and every linked dialogue",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["request_key", "body"],
                        "properties": { "request_key": { "type": "string", "minLength": 8, "maxLength": 100 }, "body": { "type": "string", "maxLength": 10000, "description": "Markdown; the macros' placeholders such as {{customer.first_name}}" },
                            "close": { "type": "boolean", "default": false } } } } } },
                    "responses": { "201": { "description": "update_id, customers, resolved" }, "200": { "description": "A repeated request: the first one's result, repeated: true" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/mass-replies": {
                "post": {
                    "operationId": "massReply",
                    "summary": "Send a macro to many dialogues, each once; the same request_key again sends nothing and answers what the first request did",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["request_key", "macro_id", "conversation_ids"],
                        "properties": { "request_key": { "type": "string", "minLength": 8, "maxLength": 100 }, "macro_id": { "type": "integer" },
                            "conversation_ids": { "type": "array", "items": { "type": "integer" }, "description": "At most 50 for agents, 1000 for managers" } } } } } },
                    "responses": { "201": { "description": "sent, skipped (id and why)" }, "200": { "description": "A repeated request: the first one's result, repeated: true" }, "400": error, "401": error, "403": error, "404": error }
                }
            },
            "/kb/search": {
                "get": {
                    "operationId": "kbSearch",
                    "summary": "Search the knowledge base: ranked (title > tags > body, English stemming, the last word as a prefix), snippets with matches marked; near matches for misspelt words",
                    "parameters": [
                        { "name": "q", "in": "query", "required": true, "schema": { "type": "string" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 20, "maximum": 100 } },
                        { "name": "category", "in": "query", "schema": { "type": "integer" } }
                    ],
                    "responses": { "200": { "description": "articles (id, title, category, visibility, status, owner, reviewed_on, stale, snippet), near_matches" }, "400": error, "401": error, "403": error }
                }
            },
            "/kb/articles": {
                "get": {
                    "operationId": "kbList",
                    "summary": "Articles in title order, a page at a time (keyset: pass next as cursor)",
                    "parameters": [
                        { "name": "category", "in": "query", "schema": { "type": "integer" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 20, "maximum": 100 } },
                        { "name": "cursor", "in": "query", "schema": { "type": "string" } }
                    ],
                    "responses": { "200": { "description": "articles, next" }, "400": error, "401": error, "403": error }
                },
                "post": {
                    "operationId": "kbCreate",
                    "summary": "Create an article; only editors (admin, super_admin) may publish, others write drafts",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ArticleInput" } } } },
                    "responses": { "201": { "description": "The article" }, "400": error, "401": error, "403": error }
                }
            },
            "/kb/articles/{id}": {
                "get": {
                    "operationId": "kbGet",
                    "summary": "One article: Markdown body, sanitized HTML, version, owner, freshness",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": { "200": { "description": "The article" }, "401": error, "403": error, "404": error }
                },
                "put": {
                    "operationId": "kbUpdate",
                    "summary": "Save an article over base_version; 409 when someone saved a newer version in between (nothing is overwritten)",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ArticleInput" } } } },
                    "responses": { "200": { "description": "The article, version incremented" }, "400": error, "401": error, "403": error, "404": error, "409": error }
                }
            },
            "/channels/email/inbound": {
                "post": {
                    "operationId": "emailInbound",
                    "summary": "Deliver one raw RFC 5322 e-mail to an inbox (as a mail relay forwards it). Signed, not token-authenticated: X-Meridian-Signature: sha256=<hex HMAC-SHA256 of the body with the inbox's secret>. Answered after the message is committed; the same Message-ID again stores nothing",
                    "security": [],
                    "parameters": [
                        { "name": "inbox", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The inbox's address or name" },
                        { "name": "X-Meridian-Signature", "in": "header", "required": true, "schema": { "type": "string" } }
                    ],
                    "requestBody": { "required": true, "content": { "message/rfc822": { "schema": { "type": "string", "maxLength": 26214400 } } } },
                    "responses": { "201": { "description": "Stored: conversation_id, message_id, opened" }, "200": { "description": "Already stored (duplicate: true)" },
                        "400": error, "401": error, "404": error, "413": error }
                }
            },
            "/channels/{id}/inbound": {
                "post": {
                    "operationId": "webhookInbound",
                    "summary": "A social channel's message. Signed with the channel's secret (X-Meridian-Signature: sha256=<hex HMAC-SHA256 of the body>); the same message_id again stores nothing. Agents' replies are POSTed to the channel's callback URL as {message_id, conversation_id, text, agent, sent_at}, signed the same way",
                    "security": [],
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "description": "The channel" },
                        { "name": "X-Meridian-Signature", "in": "header", "required": true, "schema": { "type": "string" } }
                    ],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["message_id", "conversation_id", "user_id", "name", "text"],
                        "properties": { "message_id": { "type": "string", "maxLength": 200 }, "conversation_id": { "type": "string", "maxLength": 200, "description": "The external thread" },
                            "user_id": { "type": "string", "maxLength": 200 }, "name": { "type": "string", "maxLength": 200 }, "text": { "type": "string", "maxLength": 50000 },
                            "sent_at": { "type": "string", "format": "date-time" } } } } } },
                    "responses": { "201": { "description": "Stored: conversation_id, message_id, opened" }, "200": { "description": "Already stored (duplicate: true)" },
                        "400": error, "401": error, "404": error, "413": error }
                }
            },
            "/wfm/coverage": {
                "get": {
                    "operationId": "wfmCoverage",
                    "summary": "Agents working (not on break) per interval of a week",
                    "parameters": [
                        { "name": "week", "in": "query", "schema": { "type": "string", "format": "date" }, "description": "The Monday that starts it; next week by default" },
                        { "name": "zone", "in": "query", "schema": { "type": "string" } },
                        { "name": "interval", "in": "query", "schema": { "type": "integer", "enum": [15, 30], "default": 30 } }
                    ],
                    "responses": { "200": { "description": "week, starts_at, interval_minutes, scheduled[]" }, "400": error, "401": error, "403": error }
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
                "ArticleInput": {
                    "type": "object",
                    "required": ["category_id", "title", "body", "visibility", "status"],
                    "properties": {
                        "base_version": { "type": "integer", "description": "The version you edited (required when updating)" },
                        "category_id": { "type": "integer" },
                        "title": { "type": "string", "maxLength": 200 },
                        "body": { "type": "string", "description": "Markdown" },
                        "tags": { "type": "string", "description": "Comma-separated" },
                        "visibility": { "type": "string", "enum": ["internal", "public"] },
                        "status": { "type": "string", "enum": ["draft", "published"] },
                        "owner_id": { "type": "integer" },
                        "note": { "type": "string", "description": "A line for the history" }
                    }
                },
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
