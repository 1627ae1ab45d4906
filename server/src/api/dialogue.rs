//! `/api/v1/conversations`: the queue lists and one dialogue, and what an agent does to it (claim, reply, postpone, resolve, assign). The path keeps its published name; the code says dialogue.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use app::backend::dialogue;
use app::domain::queue::{page_size, Cursor, QueueFilter, QueueSort, QueueView};

#[derive(Deserialize)]
pub(super) struct ListQuery {
    view: Option<String>,
    /// `waiting` (default) or `newest`.
    sort: Option<String>,
    /// One queue: a channel id, a purpose, a team id.
    channel: Option<String>,
    topic: Option<String>,
    team: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/conversations?view=&limit=&cursor=`: one keyset page of a queue list.
pub(super) async fn list_conversations(State(state): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let view = QueueView::parse(q.view.as_deref().unwrap_or("unassigned"))
        .ok_or_else(|| AppError::Invalid("view must be unassigned, mine, open, postponed or resolved.".into()))?;
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| AppError::Invalid("cursor is not valid.".into()))?),
        None => None,
    };
    let sort = QueueSort::parse(q.sort.as_deref());
    let filter = QueueFilter::parse(q.channel.as_deref(), q.topic.as_deref(), q.team.as_deref());
    let (items, next) = dialogue::list_filtered(&state.pool, view, sort, &filter, user.id, cursor, page_size(q.limit)).await?;
    Ok(Json(json!({ "items": items, "next_cursor": next.map(Cursor::encode) })))
}

/// `GET /api/v1/conversations/{id}`: the dialogue with its timeline and customer card.
pub(super) async fn get_conversation(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let d = dialogue::dialogue(&state.pool, id, user.id).await?.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    Ok(Json(json!(d)))
}

#[derive(Deserialize, Default)]
pub(super) struct ClaimBody {
    #[serde(default)]
    take_over: bool,
}

/// `POST /api/v1/conversations/{id}/claim`: 200 with the holder, or 409 naming who holds it.
pub(super) async fn claim(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Option<Json<ClaimBody>>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let take_over = parsed.map(|Json(b)| b.take_over).unwrap_or(false);
    dialogue::claim(&state.pool, id, user.id, take_over).await?;
    Ok(Json(json!({ "holder": { "id": user.id, "name": user.name } })))
}

#[derive(Deserialize)]
pub(super) struct MessageBody {
    body: String,
    #[serde(default)]
    internal: bool,
    /// Knowledge-base articles sent in this reply.
    #[serde(default)]
    articles: Vec<i64>,
}

/// `POST /api/v1/conversations/{id}/messages`: a reply (or, with `internal`, a note).
pub(super) async fn post_message(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Result<Json<MessageBody>, JsonRejection>) -> Result<(StatusCode, Json<Value>), AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let m = body(parsed)?;
    let message_id = dialogue::write_message(&state.pool, id, user.id, &m.body, m.internal, false, &m.articles).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": message_id }))))
}

#[derive(Deserialize)]
pub(super) struct PostponeBody {
    until: Option<String>,
    #[serde(default)]
    until_customer_reply: bool,
}

/// `POST /api/v1/conversations/{id}/postpone`: `{"until": RFC 3339}` or `{"until_customer_reply": true}`.
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

/// `POST /api/v1/conversations/{id}/resolve`
pub(super) async fn resolve(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    dialogue::resolve(&state.pool, id, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(super) struct AssignBody {
    agent_id: i64,
}

/// `POST /api/v1/conversations/{id}/assign`: hand the dialogue to another agent.
pub(super) async fn assign(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, parsed: Result<Json<AssignBody>, JsonRejection>) -> Result<StatusCode, AppError> {
    let user = caller.require(Permission::WorkQueue)?;
    let a = body(parsed)?;
    dialogue::assign(&state.pool, id, user.id, a.agent_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
