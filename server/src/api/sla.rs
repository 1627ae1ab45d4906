//! `/api/v1/sla/policies` and `/api/v1/conversations/{id}/sla`: the SLA policies in order
//! (managers and owners write them) and one dialogue's clocks.

use super::caller::{body, ApiError, Caller};
use app::backend::{sla, AppState};
use app::domain::access::Permission;
use app::error::AppError;
use app::model::dialogue::Created;
use app::model::sla::{DialogueSla, SlaPolicy, SlaPolicyInput};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sla_policies, sla_policy_create))
        .routes(routes!(sla_policy_update, sla_policy_delete))
        .routes(routes!(conversation_sla))
}

/// The SLA policies, in the order they are tried
#[utoipa::path(get, path = "/sla/policies", tag = "service levels",
    responses((status = 200, body = Vec<SlaPolicy>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn sla_policies(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<SlaPolicy>>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(sla::policies(&state.pool).await?))
}

/// A new policy, tried after the others
#[utoipa::path(post, path = "/sla/policies", tag = "service levels", request_body = SlaPolicyInput,
    responses((status = 201, body = Created), (status = 400, description = "A target of 0 or less, no target, no name…", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn sla_policy_create(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<SlaPolicyInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let user = caller.require(Permission::ManageServiceLevels)?;
    let id = sla::save(&state.pool, &user, None, &body(parsed)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a policy's conditions, counting, targets, warning or escalation
#[utoipa::path(put, path = "/sla/policies/{id}", tag = "service levels", params(("id" = i64, Path, description = "The policy")),
    request_body = SlaPolicyInput,
    responses((status = 204, description = "Saved"), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn sla_policy_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<SlaPolicyInput>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageServiceLevels)?;
    sla::save(&state.pool, &user, Some(id), &body(parsed)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a policy; its dialogues fall to the next matching one
#[utoipa::path(delete, path = "/sla/policies/{id}", tag = "service levels", params(("id" = i64, Path, description = "The policy")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn sla_policy_delete(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageServiceLevels)?;
    sla::delete(&state.pool, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One dialogue's SLA clocks and the policy they come from
#[utoipa::path(get, path = "/conversations/{id}/sla", tag = "service levels", params(("id" = i64, Path, description = "The dialogue")),
    responses((status = 200, body = DialogueSla), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn conversation_sla(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<DialogueSla>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(sla::dialogue_sla(&state.pool, id).await?))
}
