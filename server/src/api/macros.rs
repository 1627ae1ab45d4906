//! `/api/v1/macros` and `/api/v1/mass-replies`: the team's macros, and one macro sent to many dialogues once per request key.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/v1/macros`: the team's macros.
pub(super) async fn macros_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(json!({ "items": app::backend::macros::list(&state.pool).await? })))
}

#[derive(Deserialize)]
pub(super) struct MassReplyBody {
    request_key: String,
    macro_id: i64,
    conversation_ids: Vec<i64>,
}

/// `POST /api/v1/mass-replies`: one macro to many dialogues, once per `request_key`
/// (201 the first time, 200 with the first answer when repeated).
pub(super) async fn mass_reply(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<MassReplyBody>, JsonRejection>,
) -> Result<(StatusCode, Json<app::model::macros::MassReplyResult>), AppError> {
    let user = caller.require(Permission::MassReply)?;
    let b = body(parsed)?;
    let result = app::backend::macros::mass_reply(&state.pool, &user, &b.request_key, b.macro_id, &b.conversation_ids).await?;
    Ok((if result.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(result)))
}
