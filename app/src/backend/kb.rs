//! The knowledge base in PostgreSQL: articles and their revisions, search (full text, then
//! trigram similarity for misspelt queries), freshness, suggestions, help-centre counters,
//! and which articles were sent in which dialogue. Rules live in `domain::kb`.

use crate::model::user::CurrentUser;
use crate::domain::access::Permission;
use crate::domain::dialogue::parse_tags;
use crate::domain::dialogue::Status;
use crate::domain::kb::{self, ArticleStatus, Snippet, Visibility, MARK_END, MARK_START};
use crate::error::AppError;
use crate::model::kb::*;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use crate::model::kb::{Article, ArticleInput, ArticleSummary, Category, DialogueHit, SearchRequest, SearchResult};

/// Who is reading: staff see every article (internal ones and drafts, marked as such);
/// the public help centre sees only published public articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

impl Audience {
    fn staff(self) -> bool {
        self == Audience::Staff
    }
}

/// The columns of an [`ArticleSummary`], over `kb_articles a`, `kb_categories c`, `users o`.
const SUMMARY: &str = "a.id, a.title, a.category_id, c.name, a.visibility, a.status, o.name,
    to_char(a.reviewed_at at time zone 'UTC', 'YYYY-MM-DD'),
    a.reviewed_at < now() - make_interval(days => c.review_interval_days),
    a.views, a.helpful_yes, a.helpful_no";

/// The filters every list and search applies, binding $1–$5: staff?, category, visibility,
/// stale only, owner.
const FILTERS: &str = "($1 or (a.status = 'published' and a.visibility = 'public'))
    and ($2::bigint is null or a.category_id = $2)
    and ($3::text is null or a.visibility = $3)
    and (not $4 or a.reviewed_at < now() - make_interval(days => c.review_interval_days))
    and ($5::bigint is null or a.owner_id = $5)";

type SummaryRow = (i64, String, i64, String, Visibility, ArticleStatus, Option<String>, String, bool, i64, i64, i64);

fn summary(row: SummaryRow, snippet: Option<String>) -> ArticleSummary {
    let (id, title, category_id, category, visibility, status, owner, reviewed_on, stale, views, helpful_yes, helpful_no) = row;
    ArticleSummary {
        id,
        title,
        category_id,
        category,
        visibility,
        status,
        owner,
        reviewed_on,
        stale,
        views,
        helpful_yes,
        helpful_no,
        snippet: snippet.map(|s| Snippet::parse(&s)).filter(|s| !s.0.is_empty()),
    }
}

pub const DEFAULT_LIMIT: u32 = 20;
/// At most this many articles matching outside their title are ranked per search.
const BODY_CANDIDATES: u32 = 3000;
pub const MAX_LIMIT: u32 = 100;

/// Searches (with words) or lists (without) the articles `audience` may read.
pub async fn search(pool: &PgPool, audience: Audience, me: Option<i64>, req: &SearchRequest) -> Result<SearchResult, AppError> {
    let limit = req.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as i64;
    let visibility = req.visibility.map(Visibility::as_str);
    // Customers see only public articles and have no "mine" or "stale" lists.
    let (visibility, stale_only, owner) = match audience {
        Audience::Staff => (visibility, req.stale_only, if req.mine { me } else { None }),
        Audience::Public => (None, false, None),
    };
    let terms = kb::search_terms(&req.q);
    let Some(query) = kb::prefix_tsquery(&terms) else {
        return list(pool, audience, req, visibility, stale_only, owner, limit).await;
    };
    let headline = format!("StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MaxWords=30, MinWords=12, MaxFragments=1");
    // Ranking: articles with every word in the title first (found on the small title
    // vectors, ranked by the title's cover density, then by views), then articles that
    // match elsewhere, by cover density over title (A), tags (B) and body (C) — of those,
    // at most BODY_CANDIDATES are ranked, which bounds the cost of a very common prefix.
    // Snippets only for the page of results.
    let rows: Vec<(i64, String, i64, String, Visibility, ArticleStatus, Option<String>, String, bool, i64, i64, i64, String)> =
        sqlx::query_as(&format!(
            "with q as (select to_tsquery('english', $6) as q),
             title_hits as (
                select a.id, 1 as tier, ts_rank_cd(a.title_search, q.q) as rank, a.views
                  from kb_articles a join kb_categories c on c.id = a.category_id, q
                 where a.title_search @@ q.q and {FILTERS}
                 order by rank desc, a.views desc, a.id
                 limit $7),
             body_hits as (
                select b.id, 0 as tier, ts_rank_cd(b.search, q.q) as rank, b.views
                  from (select a.id, a.search, a.views
                          from kb_articles a join kb_categories c on c.id = a.category_id, q
                         where (select count(*) from title_hits) < $7
                           and a.search @@ q.q and not a.title_search @@ q.q and {FILTERS}
                         limit {BODY_CANDIDATES}) b, q
                 order by rank desc, b.views desc, b.id
                 limit $7),
             hits as (select * from title_hits union all select * from body_hits)
             select {SUMMARY}, ts_headline('english', a.body, q.q, $8)
               from hits h join kb_articles a on a.id = h.id join kb_categories c on c.id = a.category_id
               left join users o on o.id = a.owner_id, q
              order by h.tier desc, h.rank desc, h.views desc, a.id
              limit $7"
        ))
        .bind(audience.staff())
        .bind(req.category_id)
        .bind(visibility)
        .bind(stale_only)
        .bind(owner)
        .bind(&query)
        .bind(limit)
        .bind(&headline)
        .fetch_all(pool)
        .await?;
    if !rows.is_empty() {
        let articles = rows.into_iter().map(|r| {
            let snippet = r.12.clone();
            summary((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11), Some(snippet))
        });
        return Ok(SearchResult { articles: articles.collect(), near_matches: false, next: None });
    }
    near_matches(pool, audience, req, visibility, stale_only, owner, &terms, limit).await
}

/// Typo tolerance: when full-text search finds nothing, the articles whose title or tags
/// contain a word like one of the query's (trigram word similarity), most similar first.
#[allow(clippy::too_many_arguments)]
async fn near_matches(
    pool: &PgPool,
    audience: Audience,
    req: &SearchRequest,
    visibility: Option<&str>,
    stale_only: bool,
    owner: Option<i64>,
    terms: &[String],
    limit: i64,
) -> Result<SearchResult, AppError> {
    let terms: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 3).collect();
    if terms.is_empty() {
        return Ok(SearchResult::default());
    }
    let mut tx = pool.begin().await?;
    // Lower than the default 0.6, so that "refnd" still finds "refunds"; local to this transaction.
    sqlx::query("select set_config('pg_trgm.word_similarity_threshold', '0.4', true)").execute(&mut *tx).await?;
    // Every word like a word of the title or tags first; failing that, any of the longer
    // words. Candidates are capped before ranking, so a short common word stays cheap.
    let long: Vec<&String> = terms.iter().copied().filter(|t| t.chars().count() >= 4).collect();
    let attempts: [(&[&String], &str, i64); 2] = [(&terms, " and ", 2000), (if long.is_empty() { &terms } else { &long }, " or ", 500)];
    let mut rows: Vec<SummaryRow> = Vec::new();
    for (words, joiner, cap) in attempts {
        if words.len() == 1 && joiner == " or " && terms.len() == 1 {
            break; // the same search as the first attempt
        }
        let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("select ");
        qb.push(SUMMARY).push(" from (select a.id from kb_articles a join kb_categories c on c.id = a.category_id where (");
        // The same filters as FILTERS, with binds numbered by the builder.
        qb.push_bind(audience.staff()).push(" or (a.status = 'published' and a.visibility = 'public')) and (");
        qb.push_bind(req.category_id).push("::bigint is null or a.category_id = ").push_bind(req.category_id).push(") and (");
        qb.push_bind(visibility).push("::text is null or a.visibility = ").push_bind(visibility).push(") and (not ");
        qb.push_bind(stale_only).push(" or a.reviewed_at < now() - make_interval(days => c.review_interval_days)) and (");
        qb.push_bind(owner).push("::bigint is null or a.owner_id = ").push_bind(owner).push(") and (");
        for (i, t) in words.iter().enumerate() {
            qb.push(if i > 0 { joiner } else { "" }).push("a.title_tags %> ").push_bind(t.to_string());
        }
        qb.push(") limit ").push_bind(cap);
        qb.push(") x join kb_articles a on a.id = x.id join kb_categories c on c.id = a.category_id left join users o on o.id = a.owner_id order by (");
        for (i, t) in words.iter().enumerate() {
            qb.push(if i > 0 { " + " } else { "" }).push("word_similarity(").push_bind(t.to_string()).push(", a.title_tags)");
        }
        qb.push(") desc, a.views desc, a.id limit ").push_bind(limit);
        rows = qb.build_query_as().fetch_all(&mut *tx).await?;
        if !rows.is_empty() {
            break;
        }
    }
    tx.commit().await?;
    let near_matches = !rows.is_empty();
    Ok(SearchResult { articles: rows.into_iter().map(|r| summary(r, None)).collect(), near_matches, next: None })
}

/// Without words: the articles in title order, a page at a time (keyset on title, id).
async fn list(
    pool: &PgPool,
    audience: Audience,
    req: &SearchRequest,
    visibility: Option<&str>,
    stale_only: bool,
    owner: Option<i64>,
    limit: i64,
) -> Result<SearchResult, AppError> {
    let after = match req.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| AppError::Invalid("That page cursor is not valid.".into()))?),
    };
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "select {SUMMARY} from kb_articles a join kb_categories c on c.id = a.category_id left join users o on o.id = a.owner_id
          where {FILTERS}
            and ($6::bigint is null or (a.title, a.id) > (select title, id from kb_articles where id = $6))
          order by a.title, a.id limit $7"
    ))
    .bind(audience.staff())
    .bind(req.category_id)
    .bind(visibility)
    .bind(stale_only)
    .bind(owner)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let mut articles: Vec<ArticleSummary> = rows.into_iter().map(|r| summary(r, None)).collect();
    let next = (articles.len() as i64 > limit).then(|| {
        articles.truncate(limit as usize);
        articles.last().map(|a| a.id.to_string()).unwrap_or_default()
    });
    Ok(SearchResult { articles, near_matches: false, next })
}

/// The categories with how many articles `audience` sees in each, and how many are stale.
pub async fn categories(pool: &PgPool, audience: Audience) -> Result<Vec<Category>, AppError> {
    let rows: Vec<(i64, String, String, i32, i64, i64)> = sqlx::query_as(
        "select c.id, c.name, c.description, c.review_interval_days,
                count(a.id),
                count(a.id) filter (where a.reviewed_at < now() - make_interval(days => c.review_interval_days))
           from kb_categories c
           left join kb_articles a on a.category_id = c.id and ($1 or (a.status = 'published' and a.visibility = 'public'))
          group by c.id
         having $1 or count(a.id) > 0
          order by c.position, c.name",
    )
    .bind(audience.staff())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, description, review_interval_days, articles, stale)| Category {
            id,
            name,
            description,
            review_interval_days,
            articles,
            stale: if audience.staff() { stale } else { 0 },
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    category_id: i64,
    category: String,
    title: String,
    body: String,
    tags: Vec<String>,
    visibility: Visibility,
    status: ArticleStatus,
    owner_id: Option<i64>,
    owner: Option<String>,
    version: i32,
    reviewed_on: String,
    reviewed_by: Option<String>,
    stale: bool,
    updated_at: String,
    updated_by: Option<String>,
    views: i64,
    helpful_yes: i64,
    helpful_no: i64,
    open_suggestions: i64,
}

/// One article, if `audience` may read it (otherwise `None`, exactly as if it did not exist).
pub async fn article(pool: &PgPool, audience: Audience, id: i64) -> Result<Option<Article>, AppError> {
    let row: Option<ArticleRow> = sqlx::query_as(
        "select a.id, a.category_id, c.name as category, a.title, a.body, a.tags, a.visibility, a.status, a.owner_id,
                o.name as owner, a.version,
                to_char(a.reviewed_at at time zone 'UTC', 'YYYY-MM-DD') as reviewed_on, r.name as reviewed_by,
                a.reviewed_at < now() - make_interval(days => c.review_interval_days) as stale,
                to_char(a.updated_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as updated_at, u.name as updated_by,
                a.views, a.helpful_yes, a.helpful_no,
                (select count(*) from kb_suggestions s where s.article_id = a.id and s.status = 'open') as open_suggestions
           from kb_articles a join kb_categories c on c.id = a.category_id
           left join users o on o.id = a.owner_id
           left join users r on r.id = a.reviewed_by
           left join users u on u.id = a.updated_by
          where a.id = $1 and ($2 or (a.status = 'published' and a.visibility = 'public'))",
    )
    .bind(id)
    .bind(audience.staff())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Article {
        html: kb::render_markdown(&r.body),
        id: r.id,
        category_id: r.category_id,
        category: r.category,
        title: r.title,
        body: r.body,
        tags: r.tags,
        visibility: r.visibility,
        status: r.status,
        owner_id: r.owner_id,
        owner: r.owner,
        version: r.version,
        reviewed_on: r.reviewed_on,
        reviewed_by: r.reviewed_by,
        stale: r.stale,
        updated_at: r.updated_at,
        updated_by: r.updated_by,
        views: r.views,
        helpful_yes: r.helpful_yes,
        helpful_no: r.helpful_no,
        open_suggestions: if audience.staff() { r.open_suggestions } else { 0 },
    }))
}

pub async fn staff_article(pool: &PgPool, id: i64) -> Result<Article, AppError> {
    article(pool, Audience::Staff, id).await?.ok_or_else(|| AppError::NotFound("There is no such article.".into()))
}

struct Checked {
    title: String,
    body: String,
    tags: Vec<String>,
    visibility: Visibility,
    status: ArticleStatus,
}

fn check_input(input: &ArticleInput) -> Result<Checked, AppError> {
    let (title, body) = kb::validate_article(&input.title, &input.body).map_err(AppError::Invalid)?;
    let tags = parse_tags(&input.tags).map_err(|e| AppError::Invalid(e.replace("A dialogue", "An article")))?;
    Ok(Checked { title, body, tags, visibility: input.visibility, status: input.status })
}

async fn check_category(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    let found: Option<i64> = sqlx::query_scalar("select id from kb_categories where id = $1").bind(id).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or_else(|| AppError::Invalid("Pick a category.".into()))
}

async fn check_owner(conn: &mut PgConnection, id: i64) -> Result<(), AppError> {
    let found: Option<i64> = sqlx::query_scalar("select id from users where id = $1 and active").bind(id).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or_else(|| AppError::Invalid("The owner must be an active colleague.".into()))
}

async fn add_revision(conn: &mut PgConnection, article_id: i64, author: i64, note: &str) -> Result<(), AppError> {
    sqlx::query(
        "insert into kb_revisions (article_id, version, title, body, tags, visibility, status, category_id, author_id, note)
         select id, version, title, body, tags, visibility, status, category_id, $2, $3 from kb_articles where id = $1",
    )
    .bind(article_id)
    .bind(author)
    .bind(note.chars().take(300).collect::<String>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates or updates an article and records the revision, in one transaction.
///
/// Editors (`EditKnowledgeBase`) may change anything. Everyone else who reads the knowledge
/// base may write drafts and edit their own drafts; published articles take suggestions.
/// An update names the version it started from: if someone saved in between, it is refused
/// with a conflict and nothing is written (the database decides, by a conditional update).
pub async fn save(pool: &PgPool, user: &CurrentUser, input: &ArticleInput) -> Result<Article, AppError> {
    let c = check_input(input)?;
    let editor = user.role.can(Permission::EditKnowledgeBase);
    if !editor && c.status == ArticleStatus::Published {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    check_category(&mut tx, input.category_id).await?;
    let owner = input.owner_id.unwrap_or(user.id);
    if owner != user.id {
        if !editor {
            return Err(AppError::Forbidden);
        }
        check_owner(&mut tx, owner).await?;
    }
    let id = match input.id {
        None => {
            sqlx::query_scalar(
                "insert into kb_articles (category_id, title, body, tags, visibility, status, owner_id, reviewed_by, updated_by)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
            )
            .bind(input.category_id)
            .bind(&c.title)
            .bind(&c.body)
            .bind(&c.tags)
            .bind(c.visibility.as_str())
            .bind(c.status.as_str())
            .bind(owner)
            .bind(user.id)
            .fetch_one(&mut *tx)
            .await?
        }
        Some(id) => {
            let current: Option<(String, Option<i64>)> =
                sqlx::query_as("select status, owner_id from kb_articles where id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let (status, current_owner) = current.ok_or_else(|| AppError::NotFound("There is no such article.".into()))?;
            if !editor && !(status == "draft" && current_owner == Some(user.id)) {
                return Err(AppError::Forbidden);
            }
            let base = input.base_version.ok_or_else(|| AppError::Invalid("Say which version you edited (base_version).".into()))?;
            let owner = if editor { input.owner_id.or(current_owner) } else { current_owner };
            let updated: Option<i64> = sqlx::query_scalar(
                "update kb_articles set category_id = $3, title = $4, body = $5, tags = $6, visibility = $7, status = $8,
                        owner_id = $9, version = version + 1, updated_at = now(), updated_by = $10
                  where id = $1 and version = $2 returning id",
            )
            .bind(id)
            .bind(base)
            .bind(input.category_id)
            .bind(&c.title)
            .bind(&c.body)
            .bind(&c.tags)
            .bind(c.visibility.as_str())
            .bind(c.status.as_str())
            .bind(owner)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
            if updated.is_none() {
                // Read again: the version that won may be newer than the one read above.
                let (version, who): (i32, Option<String>) = sqlx::query_as(
                    "select a.version, u.name from kb_articles a left join users u on u.id = a.updated_by where a.id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                return Err(AppError::Conflict(format!(
                    "{} saved version {version} of this article while you were editing version {base}. Nothing was overwritten: compare the two below, then save again.",
                    who.unwrap_or_else(|| "Someone".into())
                )));
            }
            id
        }
    };
    add_revision(&mut tx, id, user.id, &input.note).await?;
    tx.commit().await?;
    staff_article(pool, id).await
}

/// "Mark reviewed": the article's content is confirmed as current by an editor or its owner.
pub async fn mark_reviewed(pool: &PgPool, user: &CurrentUser, id: i64) -> Result<Article, AppError> {
    let owner: Option<Option<i64>> =
        sqlx::query_scalar("select owner_id from kb_articles where id = $1").bind(id).fetch_optional(pool).await?;
    let owner = owner.ok_or_else(|| AppError::NotFound("There is no such article.".into()))?;
    if !user.role.can(Permission::EditKnowledgeBase) && owner != Some(user.id) {
        return Err(AppError::Forbidden);
    }
    sqlx::query("update kb_articles set reviewed_at = now(), reviewed_by = $2 where id = $1").bind(id).bind(user.id).execute(pool).await?;
    staff_article(pool, id).await
}

/// A help-centre reader opened the article.
pub async fn count_view(pool: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query("update kb_articles set views = views + 1 where id = $1 and status = 'published' and visibility = 'public'")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// "Was this helpful?" from the help centre: one answer per `voter` (the SHA-256 of the
/// visitor's cookie or address) and article, a second one replacing the first. Only
/// published public articles take votes.
pub async fn vote(pool: &PgPool, id: i64, voter: &[u8], helpful: bool) -> Result<(), AppError> {
    // The article's row lock orders one visitor's answers (two tabs at once count once).
    let mut tx = pool.begin().await?;
    let public: Option<i64> = sqlx::query_scalar("select id from kb_articles where id = $1 and status = 'published' and visibility = 'public' for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if public.is_none() {
        return Err(AppError::NotFound("There is no such article.".into()));
    }
    let before: Option<bool> = sqlx::query_scalar("select helpful from kb_votes where article_id = $1 and voter = $2")
        .bind(id)
        .bind(voter)
        .fetch_optional(&mut *tx)
        .await?;
    if before == Some(helpful) {
        return Ok(());
    }
    sqlx::query(
        "insert into kb_votes (article_id, voter, helpful) values ($1, $2, $3)
         on conflict (article_id, voter) do update set helpful = excluded.helpful, voted_at = now()",
    )
    .bind(id)
    .bind(voter)
    .bind(helpful)
    .execute(&mut *tx)
    .await?;
    // A changed answer moves one count from the old answer to the new one.
    let taken_back = before.is_some() as i32;
    sqlx::query(
        "update kb_articles set helpful_yes = helpful_yes + case when $2 then 1 else -$3 end,
                                helpful_no = helpful_no + case when $2 then -$3 else 1 end
          where id = $1",
    )
    .bind(id)
    .bind(helpful)
    .bind(taken_back)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Dialogues whose subject or messages match (agents): newest first. The newest 50,000
/// dialogues are searched first and all of them only when those give too few, so that a
/// common word costs a small slice of the history rather than all of it.
pub async fn search_dialogues(pool: &PgPool, q: &str, limit: u32) -> Result<Vec<DialogueHit>, AppError> {
    let Some(query) = kb::prefix_tsquery(&kb::search_terms(q)) else {
        return Ok(Vec::new());
    };
    let limit = limit.clamp(1, 50) as i64;
    let newest: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from conversations").fetch_one(pool).await?;
    let mut hits = Vec::new();
    for after in [newest - 50_000, 0] {
        let rows: Vec<(i64, String, String, Status, String)> = sqlx::query_as(
            "with q as (select to_tsquery('english', $1) as q),
             hits as (
                (select c.id from conversations c, q
                  where c.id > $3 and c.subject_search @@ q.q order by c.id desc limit $2)
                union
                (select m.conversation_id from messages m, q
                  where m.conversation_id > $3 and m.body_search @@ q.q order by m.conversation_id desc limit $2))
             select c.id, c.subject, cu.name, c.status, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD')
               from hits h join conversations c on c.id = h.id join customers cu on cu.id = c.customer_id
              order by c.id desc limit $2",
        )
        .bind(&query)
        .bind(limit)
        .bind(after.max(0))
        .fetch_all(pool)
        .await?;
        hits = rows;
        if hits.len() as i64 >= limit || after <= 0 {
            break;
        }
    }
    Ok(hits.into_iter().map(|(id, subject, customer, status, created_on)| DialogueHit { id, subject, customer, status, created_on }).collect())
}

/// Records the articles sent in a public reply: as a link when the reply carries the
/// article's help-centre address, otherwise as text. Runs in the reply's transaction.
pub async fn record_uses(conn: &mut PgConnection, conversation_id: i64, user_id: i64, body: &str, articles: &[i64]) -> Result<(), AppError> {
    for &article in articles {
        let how = if body.contains(&public_path(article)) { "link" } else { "text" };
        sqlx::query(
            "insert into kb_article_uses (article_id, conversation_id, user_id, how)
             select id, $2, $3, $4 from kb_articles where id = $1",
        )
        .bind(article)
        .bind(conversation_id)
        .bind(user_id)
        .bind(how)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The articles sent in a dialogue, oldest first: (article id, title, how).
pub async fn uses(pool: &PgPool, conversation_id: i64) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "select a.id, a.title, u.how from kb_article_uses u join kb_articles a on a.id = u.article_id
          where u.conversation_id = $1 order by u.id",
    )
    .bind(conversation_id)
    .fetch_all(pool)
    .await?)
}

/// A new draft from a dialogue: its subject as the title, the customer's first message as
/// the question and the agent's last public reply as the answer (internal article, draft).
pub async fn draft_from_dialogue(pool: &PgPool, conversation_id: i64) -> Result<ArticleInput, AppError> {
    let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select c.subject,
                (select m.body from messages m where m.conversation_id = c.id and m.author_kind = 'customer' order by m.created_at, m.id limit 1),
                (select m.body from messages m where m.conversation_id = c.id and m.author_kind = 'agent' and m.visibility = 'public'
                  order by m.created_at desc, m.id desc limit 1)
           from conversations c where c.id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    let (subject, question, answer) = row.ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
    Ok(ArticleInput {
        title: if subject.trim().is_empty() { "New article".into() } else { subject },
        body: kb::draft_from_dialogue(&question.unwrap_or_default(), &answer.unwrap_or_default()),
        visibility: Visibility::Internal,
        status: ArticleStatus::Draft,
        note: format!("Started from dialogue {conversation_id}"),
        ..Default::default()
    })
}

/// Colleagues who may own an article: everyone active, by name.
pub async fn possible_owners(pool: &PgPool) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select id, name from users where active order by name, id").fetch_all(pool).await?)
}
