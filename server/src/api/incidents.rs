//! `/api/v1/incidents`: declare, read, link dialogues, and send an update or the closing message once per request key.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/v1/incidents`: open incidents first, then the latest resolved ones.
pub(super) async fn incidents_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<app::model::incidents::IncidentSummary>>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    Ok(Json(app::backend::incidents::list(&state.pool, &user.time_zone).await?))
}

#[derive(Deserialize)]
pub(super) struct DeclareBody {
    title: String,
    #[serde(default)]
    summary: String,
}

/// `POST /api/v1/incidents`: declare one (a monitoring system may, when something breaks).
pub(super) async fn incident_declare(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<DeclareBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    let id = app::backend::incidents::declare(&state.pool, &user, &b.title, &b.summary).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

pub(super) async fn incident_get(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<app::model::incidents::Incident>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    Ok(Json(app::backend::incidents::get(&state.pool, id, &user.time_zone).await?))
}

#[derive(Deserialize)]
pub(super) struct LinkBody {
    conversation_ids: Vec<i64>,
}

/// `POST /api/v1/incidents/{id}/dialogues`: link dialogues (unknown numbers are named).
pub(super) async fn incident_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<LinkBody>, JsonRejection>,
) -> Result<Json<app::model::incidents::LinkResult>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    Ok(Json(app::backend::incidents::link(&state.pool, &user, id, &b.conversation_ids).await?))
}

#[derive(Deserialize)]
pub(super) struct UpdateBody {
    request_key: String,
    body: String,
    #[serde(default)]
    close: bool,
}

/// `POST /api/v1/incidents/{id}/updates`: an update to every linked customer, once per
/// `request_key`; with `close`, the closing message that resolves everything.
pub(super) async fn incident_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<UpdateBody>, JsonRejection>,
) -> Result<(StatusCode, Json<app::model::incidents::MailingResult>), AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    let result = app::backend::incidents::send(&state.pool, &user, id, &b.request_key, &b.body, b.close).await?;
    Ok((if result.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(result)))
}
