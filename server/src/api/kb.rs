//! `/api/v1/kb`: search, list, read, create and update knowledge-base articles.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use app::backend::kb;

#[derive(Deserialize)]
pub(super) struct KbQuery {
    #[serde(default)]
    q: String,
    limit: Option<u32>,
    category: Option<i64>,
    cursor: Option<String>,
}

impl KbQuery {
    fn request(self) -> app::model::kb::SearchRequest {
        app::model::kb::SearchRequest { q: self.q, limit: self.limit, category_id: self.category, cursor: self.cursor, ..Default::default() }
    }
}

/// `GET /api/v1/kb/search?q=&limit=`: ranked articles with highlighted snippets.
pub(super) async fn kb_search(State(state): State<AppState>, caller: Caller, Query(q): Query<KbQuery>) -> Result<Json<app::model::kb::SearchResult>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    if q.q.trim().is_empty() {
        return Err(AppError::Invalid("Give the words to search for as q.".into()));
    }
    Ok(Json(kb::search(&state.pool, kb::Audience::Staff, Some(user.id), &q.request()).await?))
}

/// `GET /api/v1/kb/articles?category=&cursor=&limit=`: articles in title order, a page at a time.
pub(super) async fn kb_list(State(state): State<AppState>, caller: Caller, Query(mut q): Query<KbQuery>) -> Result<Json<app::model::kb::SearchResult>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    q.q.clear();
    Ok(Json(kb::search(&state.pool, kb::Audience::Staff, Some(user.id), &q.request()).await?))
}

/// `GET /api/v1/kb/articles/{id}`: the article with its Markdown, rendered HTML and version.
pub(super) async fn kb_get(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<app::model::kb::Article>, AppError> {
    caller.require(Permission::ReadKnowledgeBase)?;
    Ok(Json(kb::staff_article(&state.pool, id).await?))
}

/// `POST /api/v1/kb/articles`: a new article (drafts only, unless the caller edits the knowledge base).
pub(super) async fn kb_create(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<app::model::kb::ArticleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<app::model::kb::Article>), AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    let mut input = body(parsed)?;
    input.id = None;
    Ok((StatusCode::CREATED, Json(kb::save(&state.pool, &user, &input).await?)))
}

/// `PUT /api/v1/kb/articles/{id}`: saves over `base_version`; 409 if someone saved since.
pub(super) async fn kb_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<app::model::kb::ArticleInput>, JsonRejection>,
) -> Result<Json<app::model::kb::Article>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    let mut input = body(parsed)?;
    input.id = Some(id);
    Ok(Json(kb::save(&state.pool, &user, &input).await?))
}
