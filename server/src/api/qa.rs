//! `/api/v1/qa`: the scorecard, drawing a sample, storing a review, the scores.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use app::backend::qa;

/// `GET /api/v1/qa/scorecard`: the scorecard version reviews are made with now.
pub(super) async fn qa_scorecard(State(state): State<AppState>, caller: Caller) -> Result<Json<app::model::qa::Scorecard>, AppError> {
    caller.require(Permission::ReviewDialogues)?;
    Ok(Json(qa::current_scorecard(&state.pool).await?))
}

/// `POST /api/v1/qa/samples`: draws a stratified random sample for the caller (or `reviewer_id`).
pub(super) async fn qa_sample(State(state): State<AppState>, caller: Caller, parsed: Result<Json<app::model::qa::SampleRequest>, JsonRejection>) -> Result<(StatusCode, Json<app::model::qa::Sample>), AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let request = body(parsed)?;
    Ok((StatusCode::CREATED, Json(qa::draw_sample(&state.pool, &user, &request).await?)))
}

#[derive(Deserialize)]
pub(super) struct ReviewBody {
    conversation_id: i64,
    /// The current version when absent.
    scorecard_version_id: Option<i64>,
    answers: Vec<app::model::qa::AnswerInput>,
    #[serde(default)]
    comment: String,
    sample_id: Option<i64>,
    #[serde(default)]
    repeat: bool,
}

/// `POST /api/v1/qa/reviews`: scores a dialogue; answers in the scorecard's order.
pub(super) async fn qa_review(State(state): State<AppState>, caller: Caller, parsed: Result<Json<ReviewBody>, JsonRejection>) -> Result<(StatusCode, Json<Value>), AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let b = body(parsed)?;
    let scorecard_version_id = match b.scorecard_version_id {
        Some(v) => v,
        None => qa::current_scorecard(&state.pool).await?.version_id,
    };
    let input = app::model::qa::ReviewInput {
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
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "score": score }))))
}

#[derive(Deserialize)]
pub(super) struct ScoresQuery {
    from: Option<String>,
    to: Option<String>,
    group_by: Option<String>,
}

/// `GET /api/v1/qa/scores?from=&to=&group_by=agent|team|criterion|week`: IQS with its 95 % interval
/// (the last 12 weeks when the period is not given).
pub(super) async fn qa_scores(State(state): State<AppState>, caller: Caller, Query(q): Query<ScoresQuery>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::ReviewDialogues)?;
    let (from, to) = qa::default_period(&state.pool, &user.time_zone).await?;
    let (from, to) = (q.from.unwrap_or(from), q.to.unwrap_or(to));
    let s = qa::scores(&state.pool, &from, &to, &user.time_zone, None).await?;
    let items = match q.group_by.as_deref().unwrap_or("agent") {
        "agent" => json!(s.agents),
        "team" => json!(s.teams),
        "week" => json!(s.weeks),
        "criterion" => json!(s.criteria),
        _ => return Err(AppError::Invalid("group_by is agent, team, criterion or week.".into())),
    };
    Ok(Json(json!({ "from": s.from, "to": s.to, "overall": s.overall, "items": items })))
}
