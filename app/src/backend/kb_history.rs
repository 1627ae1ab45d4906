//! An article's history in PostgreSQL: its revisions, the diff between two, restoring one,
//! and suggested edits with their decision. Rules live in `domain::kb`.

use crate::model::user::CurrentUser;
use crate::error::AppError;
use super::kb::{save, staff_article};
use crate::domain::kb::{self, ArticleStatus, Visibility};
use crate::model::kb::{Article, ArticleInput, Revision, RevisionDiff, Suggestion};
use sqlx::PgPool;

pub async fn revisions(pool: &PgPool, id: i64) -> Result<Vec<Revision>, AppError> {
    staff_article(pool, id).await?;
    let rows: Vec<(i32, String, Option<String>, String, String, ArticleStatus, Visibility)> = sqlx::query_as(
        "select r.version, r.title, u.name, r.note, to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), r.status, r.visibility
           from kb_revisions r left join users u on u.id = r.author_id
          where r.article_id = $1 order by r.version desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, title, author, note, created_at, status, visibility)| Revision { version, title, author, note, created_at, status, visibility })
        .collect())
}

async fn revision(pool: &PgPool, id: i64, version: i32) -> Result<(String, String, Vec<String>, Visibility, ArticleStatus, i64), AppError> {
    sqlx::query_as("select title, body, tags, visibility, status, category_id from kb_revisions where article_id = $1 and version = $2")
        .bind(id)
        .bind(version)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("This article has no version {version}.")))
}

/// What changed from one revision to another, line by line.
pub async fn diff(pool: &PgPool, id: i64, from: i32, to: i32) -> Result<RevisionDiff, AppError> {
    let (title_from, old, ..) = revision(pool, id, from).await?;
    let (title_to, new, ..) = revision(pool, id, to).await?;
    Ok(RevisionDiff { from, to, title_from, title_to, lines: kb::diff_lines(&old, &new) })
}

/// Restores an old revision as a new one (history is never rewritten).
pub async fn restore(pool: &PgPool, user: &CurrentUser, id: i64, version: i32, base_version: i32) -> Result<Article, AppError> {
    let (title, body, tags, visibility, status, category_id) = revision(pool, id, version).await?;
    let input = ArticleInput {
        id: Some(id),
        base_version: Some(base_version),
        category_id,
        title,
        body,
        tags: tags.join(", "),
        visibility,
        status,
        owner_id: None,
        note: format!("Restored version {version}"),
    };
    save(pool, user, &input).await
}

/// An agent proposes a change to an article for an editor to take or leave.
pub async fn suggest(pool: &PgPool, user: &CurrentUser, id: i64, base_version: i32, title: &str, body: &str, note: &str) -> Result<i64, AppError> {
    let (title, body) = kb::validate_article(title, body).map_err(AppError::Invalid)?;
    let note = crate::domain::qa::clean_text(note, 1000, "The note").map_err(AppError::Invalid)?;
    staff_article(pool, id).await?;
    let id: i64 = sqlx::query_scalar(
        "insert into kb_suggestions (article_id, base_version, title, body, note, author_id) values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(id)
    .bind(base_version)
    .bind(&title)
    .bind(&body)
    .bind(&note)
    .bind(user.id)
    .fetch_one(pool)
    .await?;
    Ok(id)
}

pub async fn suggestions(pool: &PgPool, id: i64) -> Result<Vec<Suggestion>, AppError> {
    let rows: Vec<(i64, i32, String, String, String, Option<String>, String)> = sqlx::query_as(
        "select s.id, s.base_version, s.title, s.body, s.note, u.name, to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI')
           from kb_suggestions s left join users u on u.id = s.author_id
          where s.article_id = $1 and s.status = 'open' order by s.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, base_version, title, body, note, author, created_at)| Suggestion { id, base_version, title, body, note, author, created_at })
        .collect())
}

/// An editor applies a suggestion (a new revision, if the article has not moved since it
/// was written) or dismisses it.
pub async fn decide_suggestion(pool: &PgPool, user: &CurrentUser, suggestion_id: i64, apply: bool) -> Result<Article, AppError> {
    let row: Option<(i64, i32, String, String, Option<String>)> = sqlx::query_as(
        "select s.article_id, s.base_version, s.title, s.body, u.name from kb_suggestions s left join users u on u.id = s.author_id
          where s.id = $1 and s.status = 'open'",
    )
    .bind(suggestion_id)
    .fetch_optional(pool)
    .await?;
    let (article_id, base_version, title, body, author) =
        row.ok_or_else(|| AppError::NotFound("That suggestion is not open any more.".into()))?;
    if apply {
        let current = staff_article(pool, article_id).await?;
        let input = ArticleInput {
            id: Some(article_id),
            base_version: Some(base_version),
            category_id: current.category_id,
            title,
            body,
            tags: current.tags.join(", "),
            visibility: current.visibility,
            status: current.status,
            owner_id: None,
            note: format!("Suggested by {}", author.unwrap_or_else(|| "a former colleague".into())),
        };
        save(pool, user, &input).await?;
    }
    sqlx::query("update kb_suggestions set status = $2, decided_by = $3, decided_at = now() where id = $1 and status = 'open'")
        .bind(suggestion_id)
        .bind(if apply { "applied" } else { "dismissed" })
        .bind(user.id)
        .execute(pool)
        .await?;
    staff_article(pool, article_id).await
}
