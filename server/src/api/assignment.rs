//! `/api/v1/assignment`: each team's assignment mode and capacity per channel (managers
//! and owners set them), and each agent's skills.

use super::caller::{body, ApiError, Caller};
use app::backend::{assignment, AppState};
use app::domain::access::Permission;
use app::domain::assignment::Skill;
use app::error::AppError;
use app::model::assignment::{AgentSkills, AssignmentInput, AssignmentSetting};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assignment_settings, assignment_setting_update))
        .routes(routes!(agent_skills))
        .routes(routes!(agent_skills_update))
}

/// Every team's assignment per channel kind (manual, capacity 3, where nothing is set)
#[utoipa::path(get, path = "/assignment/settings", tag = "assignment",
    responses((status = 200, body = Vec<AssignmentSetting>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn assignment_settings(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AssignmentSetting>>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(assignment::settings(&state.pool).await?))
}

/// Set one team's mode and capacity on one channel kind
#[utoipa::path(put, path = "/assignment/settings", tag = "assignment", request_body = AssignmentInput,
    responses((status = 204, description = "Saved"), (status = 400, description = "A capacity outside 1–100, an unknown team", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn assignment_setting_update(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<AssignmentInput>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageAssignment)?;
    assignment::save_setting(&state.pool, &user, &body(parsed)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every agent and their skills
#[utoipa::path(get, path = "/assignment/skills", tag = "assignment",
    responses((status = 200, body = Vec<AgentSkills>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn agent_skills(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<AgentSkills>>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(assignment::agents(&state.pool).await?))
}

/// Replace one agent's skills
#[utoipa::path(put, path = "/assignment/skills/{user_id}", tag = "assignment", params(("user_id" = i64, Path, description = "The agent")),
    request_body = Vec<Skill>,
    responses((status = 204, description = "Saved"), (status = 400, description = "A level outside 1–5, an unknown purpose, not an agent", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn agent_skills_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<i64>,
    parsed: Result<Json<Vec<Skill>>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageAssignment)?;
    assignment::set_skills(&state.pool, &user, user_id, &body(parsed)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
