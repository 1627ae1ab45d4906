//! `/api/v1/conversations`: the queue lists and one dialogue, and what an agent does to it
//! (claim, reply, postpone, resolve, assign). The path keeps its published name; the code
//! says dialogue.

use super::caller::{body, ApiError, Caller};
use app::backend::{dialogue, dialogue_view, queue, AppState};
use app::domain::access::Permission;
use app::domain::queue::{page_size, Cursor, QueueFilter, QueueSort, QueueView};
use app::error::AppError;
use app::model::queue::{QueueQuery};
use app::model::dialogue::{AssignBody, ClaimBody, MessageBody, PostponeBody};
use app::model::dialogue::{ClaimedBy, Created, Dialogue, Holder};
use app::model::queue::QueuePage;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation))
        .routes(routes!(claim))
        .routes(routes!(post_message))
        .routes(routes!(postpone))
        .routes(routes!(resolve))
        .routes(routes!(assign))
}

/// One keyset page of a queue list
#[utoipa::path(get, path = "/conversations", tag = "dialogues", params(QueueQuery),
    responses((status = 200, body = QueuePage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn list_conversations(State(state): State<AppState>, caller: Caller, Query(q): Query<QueueQuery>) -> Result<Json<QueuePage>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let view = QueueView::parse(q.view.as_deref().unwrap_or("unassigned"))
        .ok_or_else(|| AppError::Invalid("view must be unassigned, mine, open, postponed or resolved.".into()))?;
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| AppError::Invalid("cursor is not valid.".into()))?),
        None => None,
    };
    let sort = QueueSort::parse(q.sort.as_deref());
    let filter = QueueFilter::parse(q.channel.as_deref(), q.topic.as_deref(), q.team.as_deref());
    let (items, next) = queue::list_filtered(&state.pool, view, sort, &filter, user.id, cursor, page_size(q.limit)).await?;
    Ok(Json(QueuePage { items, next_cursor: next.map(Cursor::encode) }))
}

/// The dialogue with its timeline and customer card
#[utoipa::path(get, path = "/conversations/{id}", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    responses((status = 200, body = Dialogue), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn get_conversation(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<Dialogue>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let d = dialogue_view::dialogue(&state.pool, id, user.id).await?.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    Ok(Json(d))
}

/// Claim the dialogue: 200 with the holder, or 409 naming who holds it
#[utoipa::path(post, path = "/conversations/{id}/claim", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    request_body(content = Option<ClaimBody>, description = "Optional"),
    responses((status = 200, body = ClaimedBy), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Someone else holds it", body = ApiError)))]
pub(super) async fn claim(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Option<Json<ClaimBody>>) -> Result<Json<ClaimedBy>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let take_over = parsed.map(|Json(b)| b.take_over).unwrap_or(false);
    dialogue::claim(&state.pool, id, user.id, take_over).await?;
    Ok(Json(ClaimedBy { holder: Holder { id: user.id, name: user.name } }))
}

/// A reply (or, with `internal`, a note)
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    request_body = MessageBody,
    responses((status = 201, body = Created), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn post_message(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Result<Json<MessageBody>, JsonRejection>) -> Result<(StatusCode, Json<Created>), AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let m = body(parsed)?;
    let message_id = dialogue::write_message(&state.pool, id, user.id, &m.body, m.internal, false, &m.articles).await?;
    Ok((StatusCode::CREATED, Json(Created { id: message_id })))
}

/// Postpone until a time or until the customer replies
#[utoipa::path(post, path = "/conversations/{id}/postpone", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    request_body = PostponeBody,
    responses((status = 204, description = "Postponed"), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn postpone(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Result<Json<PostponeBody>, JsonRejection>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let p = body(parsed)?;
    let until = match (p.until, p.until_customer_reply) {
        (Some(t), false) => Some(
            chrono::DateTime::parse_from_rfc3339(&t)
                .map_err(|_| AppError::Invalid("until must be an RFC 3339 time, e.g. 2026-11-23T09:00:00Z.".into()))?
                .timestamp(),
        ),
        (None, true) => None,
        _ => return Err(AppError::Invalid("Give either until or until_customer_reply: true.".into())),
    };
    dialogue::postpone(&state.pool, id, user.id, until).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resolve the dialogue
#[utoipa::path(post, path = "/conversations/{id}/resolve", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    responses((status = 204, description = "Resolved"), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn resolve(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    dialogue::resolve(&state.pool, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hand the dialogue to another agent
#[utoipa::path(post, path = "/conversations/{id}/assign", tag = "dialogues", params(("id" = i64, Path, description = "The dialogue")),
    request_body = AssignBody,
    responses((status = 204, description = "Assigned"), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub(super) async fn assign(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Result<Json<AssignBody>, JsonRejection>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let a = body(parsed)?;
    dialogue::assign(&state.pool, id, user.id, a.agent_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
