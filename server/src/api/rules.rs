//! `/api/v1/rules`: rules and time-based automations in the order they are tried
//! (managers and owners write them), and a dry run of one before it is saved.

use super::caller::{body, ApiError, Caller};
use app::backend::{rules, AppState};
use app::domain::access::Permission;
use app::domain::rules::RuleInput;
use app::error::AppError;
use app::model::dialogue::Created;
use app::model::rules::{DryRun, Rule};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules_list, rule_create))
        .routes(routes!(rule_update, rule_delete))
        .routes(routes!(rule_dry_run))
}

/// The rules and time-based automations, in the order they are tried, with their firings
/// in the last 7 days
#[utoipa::path(get, path = "/rules", tag = "rules",
    responses((status = 200, body = Vec<Rule>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn rules_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Rule>>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(rules::list(&state.pool).await?))
}

/// A new rule, tried after the others
#[utoipa::path(post, path = "/rules", tag = "rules", request_body = RuleInput,
    responses((status = 201, body = Created), (status = 400, description = "No action, no event, a wait of 0 minutes, an unknown team…", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn rule_create(State(state): State<AppState>, caller: Caller, parsed: Result<Json<RuleInput>, JsonRejection>) -> Result<(StatusCode, Json<Created>), AppError> {
    let user = caller.require(Permission::ManageRules)?;
    let id = rules::save(&state.pool, &user, None, &body(parsed)?).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a rule
#[utoipa::path(put, path = "/rules/{id}", tag = "rules", params(("id" = i64, Path, description = "The rule")), request_body = RuleInput,
    responses((status = 204, description = "Saved"), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn rule_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<RuleInput>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageRules)?;
    rules::save(&state.pool, &user, Some(id), &body(parsed)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a rule (the dialogues' history keeps its firings)
#[utoipa::path(delete, path = "/rules/{id}", tag = "rules", params(("id" = i64, Path, description = "The rule")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn rule_delete(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::ManageRules)?;
    rules::delete(&state.pool, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which open dialogues a rule would match now and what it would do; writes nothing
#[utoipa::path(post, path = "/rules/dry-run", tag = "rules", request_body = RuleInput,
    responses((status = 200, body = DryRun), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn rule_dry_run(State(state): State<AppState>, caller: Caller, parsed: Result<Json<RuleInput>, JsonRejection>) -> Result<Json<DryRun>, AppError> {
    caller.require(Permission::ManageRules)?;
    Ok(Json(rules::dry_run(&state.pool, &body(parsed)?).await?))
}
