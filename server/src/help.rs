//! The public help centre, `/help`: published public articles for customers, with no
//! sign-in and no WebAssembly — plain server-rendered HTML, readable on a phone, that
//! works without JavaScript. Searching uses the same ranked search as agents (restricted to
//! what customers may read); each article asks "Was this helpful?".

use app::backend::kb::{self, Audience};
use app::backend::{secrets, AppState, ClientAddr};
use app::error::AppError;
use app::model::kb::{public_path, ArticleSummary, SearchRequest};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::Extension;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::fmt::Write;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/help", get(home))
        .route("/help/articles/{id}", get(article))
        .route("/help/articles/{id}/vote", post(vote))
}

/// Text for HTML: every character that could open markup is escaped.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How a customer reaches a person from the help centre: the first active chat page,
/// else the first e-mail inbox. `None` without either.
async fn contact(state: &AppState) -> Result<Option<String>, AppError> {
    Ok(match app::backend::channels::first_contact(&state.pool).await? {
        Some((kind, address)) if kind == "chat" => Some(format!("/chat/{address}")),
        Some((_, address)) if address.contains('@') => Some(format!("mailto:{address}")),
        _ => None,
    })
}

/// A sentence with a link to a person, or without one when there is no inbox.
fn ask(contact: &Option<String>, text: &str) -> String {
    match contact {
        Some(href) => format!("<a href=\"{}\">{}</a>", esc(href), esc(text)),
        None => esc(text),
    }
}

/// The page around `main`: no scripts at all (the policy forbids them), our stylesheet.
fn page(title: &str, main: &str, contact: &Option<String>) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{} · Help centre</title>\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"><link rel=\"stylesheet\" href=\"/pkg/meridian.css\"></head>\
         <body class=\"help\"><header class=\"help-header\"><a class=\"brand\" href=\"/help\">Help centre</a></header>\
         <main id=\"main\" class=\"help-main\">{main}</main>\
         <footer class=\"help-footer\">Can't find an answer? {}.</footer></body></html>",
        esc(title),
        ask(contact, "Write to us")
    );
    (
        [(header::CONTENT_SECURITY_POLICY, "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")],
        Html(html),
    )
        .into_response()
}


fn search_form(q: &str) -> String {
    format!(
        "<form class=\"help-search\" role=\"search\" action=\"/help\" method=\"get\">\
         <label for=\"q\">Search the help centre</label>\
         <div class=\"help-search-row\"><input id=\"q\" type=\"search\" name=\"q\" value=\"{}\" placeholder=\"How do I…\" autocomplete=\"off\">\
         <button type=\"submit\" class=\"button-primary\">Search</button></div></form>",
        esc(q)
    )
}

fn article_items(articles: &[ArticleSummary]) -> String {
    let mut out = String::from("<ul class=\"article-list\">");
    for a in articles {
        let _ = write!(out, "<li class=\"article-row\"><a class=\"article-title\" href=\"{}\">{}</a>", public_path(a.id), esc(&a.title));
        if let Some(snippet) = &a.snippet {
            out.push_str("<p class=\"snippet\">");
            for (text, marked) in &snippet.0 {
                if *marked {
                    let _ = write!(out, "<mark>{}</mark>", esc(text));
                } else {
                    out.push_str(&esc(text));
                }
            }
            out.push_str("</p>");
        }
        let _ = write!(out, "<span class=\"meta\">{}</span></li>", esc(&a.category));
    }
    out.push_str("</ul>");
    out
}

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    q: String,
    category: Option<i64>,
}

/// `GET /help`: search, the categories, and the articles of one category or the results.
async fn home(State(state): State<AppState>, Query(query): Query<HomeQuery>) -> Result<Response, AppError> {
    let categories = kb::categories(&state.pool, Audience::Public).await?;
    let contact = contact(&state).await?;
    let mut main = format!("<h1>How can we help?</h1>{}", search_form(&query.q));
    let searching = !query.q.trim().is_empty();
    if searching || query.category.is_some() {
        let req = SearchRequest { q: query.q.clone(), category_id: query.category, limit: Some(50), ..Default::default() };
        let found = kb::search(&state.pool, Audience::Public, None, &req).await?;
        let heading = match (searching, categories.iter().find(|c| Some(c.id) == query.category)) {
            (true, _) => format!("Results for “{}”", esc(query.q.trim())),
            (false, Some(c)) => esc(&c.name),
            (false, None) => "Articles".into(),
        };
        let _ = write!(main, "<section aria-labelledby=\"results\"><h2 id=\"results\">{heading}</h2>");
        if found.articles.is_empty() {
            let _ = write!(
                main,
                "<p class=\"empty\">No articles match. Try other words, or {}.</p>",
                ask(&contact, "ask us")
            );
        } else {
            if found.near_matches {
                main.push_str("<p class=\"meta\">No exact matches; these are close (a word may be misspelt).</p>");
            }
            main.push_str(&article_items(&found.articles));
        }
        main.push_str("</section>");
    }
    main.push_str("<section aria-labelledby=\"categories\"><h2 id=\"categories\">Browse by topic</h2><ul class=\"help-categories\">");
    for c in &categories {
        let _ = write!(
            main,
            "<li><a href=\"/help?category={}\">{}</a> <span class=\"meta\">{} articles</span><p>{}</p></li>",
            c.id,
            esc(&c.name),
            c.articles,
            esc(&c.description)
        );
    }
    main.push_str("</ul></section>");
    Ok(page("How can we help?", &main, &contact))
}

#[derive(Deserialize)]
struct ArticleQuery {
    voted: Option<String>,
}

/// `GET /help/articles/{id}`: a published public article (anything else is a 404, exactly
/// as if it did not exist), counted as a view.
async fn article(State(state): State<AppState>, Path(id): Path<i64>, Query(query): Query<ArticleQuery>, headers: HeaderMap) -> Result<Response, AppError> {
    let a = kb::article(&state.pool, Audience::Public, id).await?.ok_or_else(|| AppError::NotFound("There is no such article.".into()))?;
    if query.voted.is_none() {
        kb::count_view(&state.pool, id).await?;
    }
    let contact = contact(&state).await?;
    let feedback = match query.voted.as_deref() {
        Some("yes") => "<p class=\"notice notice-info\" role=\"status\">Thanks for your feedback!</p>".to_string(),
        Some(_) => format!(
            "<p class=\"notice notice-info\" role=\"status\">Sorry this did not help. {} and we will answer you.</p>",
            ask(&contact, "Write to us")
        ),
        None => format!(
            "<form class=\"help-vote\" method=\"post\" action=\"{}/vote\"><fieldset><legend>Was this helpful?</legend>\
             <button type=\"submit\" name=\"helpful\" value=\"yes\">Yes</button> \
             <button type=\"submit\" name=\"helpful\" value=\"no\">No</button></fieldset></form>",
            public_path(id)
        ),
    };
    let main = format!(
        "<p class=\"breadcrumb\"><a href=\"/help\">Help centre</a> › <a href=\"/help?category={}\">{}</a></p>\
         <article class=\"kb-article\"><h1>{}</h1><p class=\"meta\">Updated {}</p><div class=\"markdown\">{}</div></article>{feedback}",
        a.category_id,
        esc(&a.category),
        esc(&a.title),
        esc(&a.reviewed_on),
        a.html
    );
    let mut res = page(&a.title, &main, &contact);
    // The visitor gets their cookie with the article, so that their answer counts once.
    if visitor_token(&headers).is_none() {
        res.headers_mut().insert(header::SET_COOKIE, visitor_cookie(&state, &secrets::random_token()).parse().expect("a cookie is a header value"));
    }
    Ok(res)
}

#[derive(Deserialize)]
struct Vote {
    helpful: String,
}

/// The help centre's visitor cookie: who answered "Was this helpful?" (one answer each).
const VISITOR_COOKIE: &str = "meridian_help";

fn visitor_token(headers: &HeaderMap) -> Option<String> {
    app::backend::sessions::cookie_in(headers, VISITOR_COOKIE).filter(|t| t.len() <= 64)
}

fn visitor_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.settings.is_tls() { "; Secure" } else { "" };
    format!("{VISITOR_COOKIE}={token}; Path=/help; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}")
}

/// `POST /help/articles/{id}/vote`: counts the answer (once per visitor and article: the
/// help centre's cookie, or the client address for a client without cookies), then shows
/// the article again.
async fn vote(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Extension(ClientAddr(address)): Extension<ClientAddr>,
    headers: HeaderMap,
    Form(v): Form<Vote>,
) -> Result<Response, AppError> {
    let helpful = match v.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::Invalid("Answer yes or no.".into())),
    };
    let (voter, new_token) = match visitor_token(&headers) {
        Some(token) => (secrets::sha256(&format!("visitor:{token}")), None),
        None => (secrets::sha256(&format!("address:{address}")), Some(secrets::random_token())),
    };
    kb::vote(&state.pool, id, &voter, helpful).await?;
    let mut res = Redirect::to(&format!("{}?voted={}", public_path(id), v.helpful)).into_response();
    if let Some(token) = new_token {
        res.headers_mut().insert(header::SET_COOKIE, visitor_cookie(&state, &token).parse().expect("a cookie is a header value"));
    }
    Ok(res)
}
