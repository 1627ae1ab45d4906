//! `/api/v1/qa`: the scorecard, drawing a sample, storing a review, the scores.

use super::caller::{body, ApiError, Caller};
use app::backend::{qa, qa_results, AppState};
use app::domain::access::Permission;
use app::error::AppError;
use app::model::qa::{ReviewBody, ScoresQuery};
use app::model::qa::{ReviewInput, ReviewStored, Sample, SampleRequest, Scorecard, ScoresPage};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(qa_scorecard)).routes(routes!(qa_sample)).routes(routes!(qa_review)).routes(routes!(qa_scores))
}

/// The scorecard version reviews are made with now
#[utoipa::path(get, path = "/qa/scorecard", tag = "qa",
    responses((status = 200, body = Scorecard), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn qa_scorecard(State(state): State<AppState>, caller: Caller) -> Result<Json<Scorecard>, AppError> {
    caller.require(Permission::ReviewDialogues)?;
    Ok(Json(qa::current_scorecard(&state.pool).await?))
}

/// Draw a stratified random sample for the caller (or `reviewer_id`)
#[utoipa::path(post, path = "/qa/samples", tag = "qa", request_body = SampleRequest,
    responses((status = 201, body = Sample), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn qa_sample(State(state): State<AppState>, caller: Caller, parsed: Result<Json<SampleRequest>, JsonRejection>) -> Result<(StatusCode, Json<Sample>), AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let request = body(parsed)?;
    Ok((StatusCode::CREATED, Json(qa::draw_sample(&state.pool, &user, &request).await?)))
}

/// Score a dialogue; answers in the scorecard's order
#[utoipa::path(post, path = "/qa/reviews", tag = "qa", request_body = ReviewBody,
    responses((status = 201, body = ReviewStored), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Already reviewed", body = ApiError)))]
pub(super) async fn qa_review(State(state): State<AppState>, caller: Caller, parsed: Result<Json<ReviewBody>, JsonRejection>) -> Result<(StatusCode, Json<ReviewStored>), AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let b = body(parsed)?;
    let scorecard_version_id = match b.scorecard_version_id {
        Some(v) => v,
        None => qa::current_scorecard(&state.pool).await?.version_id,
    };
    let input = ReviewInput {
        conversation_id: b.conversation_id,
        scorecard_version_id,
        answers: b.answers,
        comment: b.comment,
        sample_id: b.sample_id,
        repeat: b.repeat,
        calibration_id: None,
    };
    let id = qa::submit_review(&state.pool, user.id, &input).await?;
    let score = qa::review_score(&state.pool, id).await?;
    Ok((StatusCode::CREATED, Json(ReviewStored { id, score })))
}

/// IQS with its 95 % interval, grouped (the last 12 weeks when the period is not given)
#[utoipa::path(get, path = "/qa/scores", tag = "qa", params(ScoresQuery),
    responses((status = 200, body = ScoresPage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn qa_scores(State(state): State<AppState>, caller: Caller, Query(q): Query<ScoresQuery>) -> Result<Json<ScoresPage>, AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let (from, to) = qa_results::default_period(&state.pool, &user.time_zone).await?;
    let (from, to) = (q.from.unwrap_or(from), q.to.unwrap_or(to));
    let s = qa_results::scores(&state.pool, &from, &to, &user.time_zone, None).await?;
    let items = match q.group_by.as_deref().unwrap_or("agent") {
        "agent" => json!(s.agents),
        "team" => json!(s.teams),
        "week" => json!(s.weeks),
        "criterion" => json!(s.criteria),
        _ => return Err(AppError::Invalid("group_by is agent, team, criterion or week.".into())),
    };
    Ok(Json(ScoresPage { from: s.from, to: s.to, overall: s.overall, items }))
}
