//! What the knowledge-base pages, server functions and REST API exchange. Plain data; the
//! rules are in `domain::kb`, the queries in `backend::kb`.

use crate::domain::dialogue::Status;
use crate::domain::kb::{ArticleStatus, DiffLine, Snippet, Visibility};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub review_interval_days: i32,
    /// Articles the caller can see in it.
    pub articles: i64,
    pub stale: i64,
}

/// An article in a list or a search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub category_id: i64,
    pub category: String,
    pub visibility: Visibility,
    pub status: ArticleStatus,
    pub owner: Option<String>,
    /// `YYYY-MM-DD` in UTC.
    pub reviewed_on: String,
    pub stale: bool,
    pub views: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    /// Where the search matched, with the matched words marked.
    pub snippet: Option<Snippet>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: i64,
    pub category_id: i64,
    pub category: String,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The body rendered to sanitized HTML.
    pub html: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub status: ArticleStatus,
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    pub version: i32,
    pub reviewed_on: String,
    pub reviewed_by: Option<String>,
    pub stale: bool,
    pub updated_at: String,
    pub updated_by: Option<String>,
    pub views: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    /// Edit suggestions from agents waiting for an editor.
    pub open_suggestions: i64,
}

/// A save from the editor or the API. `id` and `base_version` are absent for a new article;
/// for an existing one `base_version` is the version the editor started from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleInput {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub base_version: Option<i32>,
    pub category_id: i64,
    pub title: String,
    pub body: String,
    /// Comma-separated, as typed.
    #[serde(default)]
    pub tags: String,
    pub visibility: Visibility,
    pub status: ArticleStatus,
    /// The owner; the author when absent.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// A line for the history ("fixed the refund steps").
    #[serde(default)]
    pub note: String,
}

/// A search or a list: by words (search as you type) and filters, or, without words, the
/// articles in title order, a page at a time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchRequest {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Both when absent.
    #[serde(default)]
    pub visibility: Option<Visibility>,
    #[serde(default)]
    pub stale_only: bool,
    /// Only the caller's own articles.
    #[serde(default)]
    pub mine: bool,
    #[serde(default)]
    pub limit: Option<u32>,
    /// From the previous page's `next` (lists without words only).
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchResult {
    pub articles: Vec<ArticleSummary>,
    /// Set when full-text search found nothing and these are near matches for a misspelt query.
    pub near_matches: bool,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revision {
    pub version: i32,
    pub title: String,
    pub author: Option<String>,
    pub note: String,
    pub created_at: String,
    pub status: ArticleStatus,
    pub visibility: Visibility,
}

/// Two revisions side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RevisionDiff {
    pub from: i32,
    pub to: i32,
    pub title_from: String,
    pub title_to: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub id: i64,
    pub base_version: i32,
    pub title: String,
    pub body: String,
    pub note: String,
    pub author: Option<String>,
    pub created_at: String,
}

/// A dialogue found by its subject or messages (agents only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DialogueHit {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub status: Status,
    pub created_on: String,
}

/// Where a customer reads a published public article.
pub fn public_path(id: i64) -> String {
    format!("/help/articles/{id}")
}

/// An article as its reader may act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleView {
    pub article: Article,
    pub suggestions: Vec<Suggestion>,
    /// May change it directly (an editor, or the owner of a draft).
    pub can_edit: bool,
    /// May mark it reviewed (an editor or the owner).
    pub can_review: bool,
    pub is_editor: bool,
}

/// What the editor starts from: an existing article (and whether the caller edits it or
/// suggests an edit), a draft from a dialogue, or nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EditorStart {
    pub input: ArticleInput,
    pub suggest_only: bool,
    pub categories: Vec<Category>,
    pub is_editor: bool,
    /// Who may own an article (editors choose; active colleagues), by name.
    pub owners: Vec<(i64, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct KbQuery {
    /// The words to search for (search only).
    #[serde(default)]
    pub q: String,
    /// 1–50.
    pub limit: Option<u32>,
    /// Only this category.
    pub category: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl KbQuery {
    /// The search the query string asks for.
    pub fn request(self) -> SearchRequest {
        SearchRequest { q: self.q, limit: self.limit, category_id: self.category, cursor: self.cursor, ..Default::default() }
    }
}
