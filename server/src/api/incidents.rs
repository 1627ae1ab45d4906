//! `/api/v1/incidents`: declare, read, link dialogues, and send an update or the closing
//! message once per request key.

use super::caller::{body, ApiError, Caller};
use app::backend::{incidents, AppState};
use app::domain::access::Permission;
use app::error::AppError;
use app::model::incidents::{DeclareBody, LinkBody, UpdateBody};
use app::model::dialogue::Created;
use app::model::incidents::{Incident, IncidentSummary, LinkResult, MailingResult};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(incidents_list, incident_declare))
        .routes(routes!(incident_get))
        .routes(routes!(incident_link))
        .routes(routes!(incident_update))
}

/// Open incidents first, then the latest resolved ones
#[utoipa::path(get, path = "/incidents", tag = "incidents",
    responses((status = 200, body = Vec<IncidentSummary>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn incidents_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<IncidentSummary>>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    Ok(Json(incidents::list(&state.pool, &user.time_zone).await?))
}

/// Declare an incident (a monitoring system may, when something breaks)
#[utoipa::path(post, path = "/incidents", tag = "incidents", request_body = DeclareBody,
    responses((status = 201, body = Created), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn incident_declare(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<DeclareBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    let id = incidents::declare(&state.pool, &user, &b.title, &b.summary).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The incident with its linked dialogues and its updates
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents", params(("id" = i64, Path, description = "The incident")),
    responses((status = 200, body = Incident), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn incident_get(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<Incident>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    Ok(Json(incidents::get(&state.pool, id, &user.time_zone).await?))
}

/// Link dialogues to the incident (unknown numbers are named)
#[utoipa::path(post, path = "/incidents/{id}/dialogues", tag = "incidents", params(("id" = i64, Path, description = "The incident")),
    request_body = LinkBody,
    responses((status = 200, body = LinkResult), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn incident_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<LinkBody>, JsonRejection>,
) -> Result<Json<LinkResult>, AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    Ok(Json(incidents::link(&state.pool, &user, id, &b.conversation_ids).await?))
}

/// An update to every linked customer, once per `request_key`
///
/// With `close`, the closing message that resolves everything. 201 the first time, 200
/// with the first answer when repeated.
#[utoipa::path(post, path = "/incidents/{id}/updates", tag = "incidents", params(("id" = i64, Path, description = "The incident")),
    request_body = UpdateBody,
    responses((status = 201, body = MailingResult), (status = 200, description = "The same request key again: the first answer", body = MailingResult),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn incident_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<UpdateBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MailingResult>), AppError> {
    let user = caller.require(Permission::SendMassMailings)?;
    let b = body(parsed)?;
    let result = incidents::send(&state.pool, &user, id, &b.request_key, &b.body, b.close).await?;
    Ok((if result.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(result)))
}
