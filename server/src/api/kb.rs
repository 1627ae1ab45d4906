//! `/api/v1/kb`: search, list, read, create and update knowledge-base articles.

use super::caller::{body, ApiError, Caller};
use app::backend::{kb, AppState};
use app::domain::access::Permission;
use app::error::AppError;
use app::model::kb::{KbQuery};
use app::model::kb::{Article, ArticleInput, SearchResult};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(kb_search)).routes(routes!(kb_list, kb_create)).routes(routes!(kb_get, kb_update))
}

/// Ranked articles with highlighted snippets
#[utoipa::path(get, path = "/kb/search", tag = "knowledge base", params(KbQuery),
    responses((status = 200, body = SearchResult), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn kb_search(State(state): State<AppState>, caller: Caller, Query(q): Query<KbQuery>) -> Result<Json<SearchResult>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    if q.q.trim().is_empty() {
        return Err(AppError::Invalid("Give the words to search for as q.".into()));
    }
    Ok(Json(kb::search(&state.pool, kb::Audience::Staff, Some(user.id), &q.request()).await?))
}

/// Articles in title order, a page at a time
#[utoipa::path(get, path = "/kb/articles", tag = "knowledge base", params(KbQuery),
    responses((status = 200, body = SearchResult), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn kb_list(State(state): State<AppState>, caller: Caller, Query(mut q): Query<KbQuery>) -> Result<Json<SearchResult>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    q.q.clear();
    Ok(Json(kb::search(&state.pool, kb::Audience::Staff, Some(user.id), &q.request()).await?))
}

/// The article with its Markdown, rendered HTML and version
#[utoipa::path(get, path = "/kb/articles/{id}", tag = "knowledge base", params(("id" = i64, Path, description = "The article")),
    responses((status = 200, body = Article), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub(super) async fn kb_get(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<Article>, AppError> {
    caller.require(Permission::ReadKnowledgeBase)?;
    Ok(Json(kb::staff_article(&state.pool, id).await?))
}

/// A new article (drafts only, unless the caller edits the knowledge base)
#[utoipa::path(post, path = "/kb/articles", tag = "knowledge base", request_body = ArticleInput,
    responses((status = 201, body = Article), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn kb_create(
    State(state): State<AppState>,
    caller: Caller,
    parsed: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Article>), AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    let mut input = body(parsed)?;
    input.id = None;
    Ok((StatusCode::CREATED, Json(kb::save(&state.pool, &user, &input).await?)))
}

/// Save the article over `base_version`; 409 if someone saved since
#[utoipa::path(put, path = "/kb/articles/{id}", tag = "knowledge base", params(("id" = i64, Path, description = "The article")),
    request_body = ArticleInput,
    responses((status = 200, body = Article), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, description = "Someone saved since base_version", body = ApiError)))]
pub(super) async fn kb_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    parsed: Result<Json<ArticleInput>, JsonRejection>,
) -> Result<Json<Article>, AppError> {
    let user = caller.require(Permission::ReadKnowledgeBase)?;
    let mut input = body(parsed)?;
    input.id = Some(id);
    Ok(Json(kb::save(&state.pool, &user, &input).await?))
}
