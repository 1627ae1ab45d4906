//! `/api/v1/macros` and `/api/v1/mass-replies`: the team's macros, and one macro sent to
//! many dialogues once per request key.

use super::caller::{body, ApiError, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use app::model::macros::{MassReplyBody};
use app::model::macros::{MacroList, MassReplyResult};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(macros_list)).routes(routes!(mass_reply))
}

/// The team's macros
#[utoipa::path(get, path = "/macros", tag = "macros",
    responses((status = 200, body = MacroList), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn macros_list(State(state): State<AppState>, caller: Caller) -> Result<Json<MacroList>, AppError> {
    caller.require(Permission::WorkQueue)?;
    Ok(Json(MacroList { items: app::backend::macros::list(&state.pool).await? }))
}

/// One macro to many dialogues, once per `request_key`
///
/// 201 the first time, 200 with the first answer when repeated. Dialogues a colleague
/// holds, or resolved ones, are skipped and named.
#[utoipa::path(post, path = "/mass-replies", tag = "macros", request_body = MassReplyBody,
    responses((status = 201, body = MassReplyResult), (status = 200, description = "The same request key again: the first answer", body = MassReplyResult),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn mass_reply(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<MassReplyBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MassReplyResult>), AppError> {
    let user = caller.require(Permission::MassReply)?;
    let b = body(parsed)?;
    let result = app::backend::macros::mass_reply(&state.pool, &user, &b.request_key, b.macro_id, &b.conversation_ids).await?;
    Ok((if result.repeated { StatusCode::OK } else { StatusCode::CREATED }, Json(result)))
}
