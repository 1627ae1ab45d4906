//! `/kb`: the knowledge base for staff. Search as you type (ranked full text, near matches
//! for misspelt words), filters by category, visibility and freshness, the owner's list of
//! stale articles, and dialogues found by the same words. The article, editor and history
//! pages are in `kb_article.rs`; the public help centre is served by the server (`help.rs`).

use crate::auth::Auth;
use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::domain::access::Permission;
use crate::domain::kb::{ArticleStatus, Visibility};
use crate::error::AppError;
use leptos::prelude::*;
use crate::model::kb::{ArticleSummary, Category, DialogueHit, SearchRequest, SearchResult};
use crate::components::reply_knowledge::kb_search;

#[server(endpoint = "kb_categories")]
pub async fn kb_categories() -> Result<Vec<Category>, AppError> {
    use crate::backend::{authorized, kb};
    authorized(Permission::ReadKnowledgeBase, |state, _| async move { kb::categories(&state.pool, kb::Audience::Staff).await }).await
}

/// Dialogues whose subject or messages match, for agents.
#[server(endpoint = "kb_search_dialogues")]
pub async fn kb_search_dialogues(q: String) -> Result<Vec<DialogueHit>, AppError> {
    use crate::backend::{authorized, kb};
    authorized(Permission::WorkQueue, |state, _| async move { kb::search_dialogues(&state.pool, &q, 10).await }).await
}

#[component]
pub fn KnowledgeBasePage() -> impl IntoView {
    let auth = Auth::expect();
    let role = move || auth.user.get().and_then(|u| u.ok().flatten()).map(|u| u.role);
    let q = RwSignal::new(String::new());
    let category = RwSignal::new(None::<i64>);
    let visibility = RwSignal::new(String::new());
    let stale_only = RwSignal::new(false);
    let mine = RwSignal::new(false);
    let categories = Resource::new(|| (), |_| kb_categories());
    // The page of the title-ordered list (keyset: the last article of the previous page);
    // any change of words or filters goes back to the first page.
    let cursor = RwSignal::new(None::<String>);
    Effect::watch(
        move || (q.get(), category.get(), visibility.get(), stale_only.get(), mine.get()),
        move |_, _, _| cursor.set(None),
        false,
    );
    let request = move || SearchRequest {
        q: q.get(),
        category_id: category.get(),
        visibility: Visibility::parse(&visibility.get()),
        stale_only: stale_only.get(),
        mine: mine.get(),
        limit: Some(30),
        cursor: cursor.get(),
    };
    let results = Resource::new(request, |req| kb_search(req));
    // Dialogues too, for those who work the queue (a refused call would set the page's status).
    let works_queue = move || role().is_some_and(|r| r.can(Permission::WorkQueue));
    let dialogues = Resource::new(move || (q.get(), works_queue()), |(q, works)| async move {
        if !works || q.trim().chars().count() < 3 { Ok(Vec::new()) } else { kb_search_dialogues(q).await }
    });
    // Under its own Suspense, so the server and the browser render the same options.
    let category_options = move || Suspend::new(async move {
        categories.await.unwrap_or_default().into_iter().map(|c| {
            let id = c.id;
            view! { <option value=id.to_string() selected=move || category.get() == Some(id)>{if c.stale > 0 { format!("{} ({}, {} stale)", c.name, c.articles, c.stale) } else { format!("{} ({})", c.name, c.articles) }}</option> }
        }).collect_view()
    });
    view! {
        <div class="page-head">
            <h1>"Knowledge base"</h1>
            <crate::components::promise::SupportPromise/>
            <a class="button button-primary" href="/kb/edit" aria-keyshortcuts="a">"New article"</a>
        </div>
        <p class="lede">"Articles agents trust: each shows its owner and when it was last reviewed; stale ones are flagged."</p>
        <form class="filters" role="search" on:submit=|e| e.prevent_default()>
            <label class="grow">"Search articles"
                <input type="search" autofocus aria-keyshortcuts="/" placeholder="Type a few words: refund, reset password…"
                    prop:value=move || q.get() on:input=move |e| q.set(event_target_value(&e))/>
            </label>
            <label>"Category"
                <select on:change=move |e| category.set(event_target_value(&e).parse().ok())>
                    <option value="">"All categories"</option>
                    <Suspense fallback=|| ()>{category_options}</Suspense>
                </select>
            </label>
            <label>"Visibility"
                <select on:change=move |e| visibility.set(event_target_value(&e))>
                    <option value="">"Internal and public"</option>
                    <option value="internal">"Internal (agents only)"</option>
                    <option value="public">"Public (help centre)"</option>
                </select>
            </label>
            <label class="check"><input type="checkbox" prop:checked=move || stale_only.get()
                on:change=move |e| stale_only.set(event_target_checked(&e))/>"Stale only"</label>
            <label class="check"><input type="checkbox" prop:checked=move || mine.get()
                on:change=move |e| mine.set(event_target_checked(&e))/>"My articles"</label>
        </form>
        <StaleForMe stale_only mine/>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let found = results.await?;
                    let hits = dialogues.await.unwrap_or_default();
                    Ok::<_, AppError>(view! {
                        <ArticleList found cursor/>
                        <DialogueHits hits/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The owner's reminder: how many of their own articles are due for review.
#[component]
fn StaleForMe(stale_only: RwSignal<bool>, mine: RwSignal<bool>) -> impl IntoView {
    let mine_stale = Resource::new(
        || (),
        |_| kb_search(SearchRequest { stale_only: true, mine: true, limit: Some(100), ..Default::default() }),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { mine_stale.await.ok().filter(|r| !r.articles.is_empty()).map(|r| {
                let n = r.articles.len();
                view! {
                    <div class="notice notice-warning" role="status">
                        {format!("{n} of your articles {} due for review. ", if n == 1 { "is" } else { "are" })}
                        <button type="button" class="link" on:click=move |_| { stale_only.set(true); mine.set(true); }>"Show my stale articles"</button>
                    </div>
                }
            }) })}
        </Suspense>
    }
}

#[component]
fn ArticleList(found: SearchResult, cursor: RwSignal<Option<String>>) -> impl IntoView {
    if found.articles.is_empty() {
        return view! { <EmptyState title="No articles found" detail="Try other words or fewer filters, or write the article that is missing."/> }.into_any();
    }
    let near = found.near_matches.then(|| view! {
        <p class="notice notice-info" role="status">"Nothing matched every word exactly; these are the nearest titles (a word may be misspelt)."</p>
    });
    let rows = found.articles.into_iter().map(|a| view! { <ArticleRow a/> }).collect_view();
    let next = found.next;
    let paged = cursor.get_untracked().is_some();
    view! {
        {near}
        <ul class="article-list" aria-label="Articles">{rows}</ul>
        <div class="pager">
            {paged.then(|| view! { <button type="button" on:click=move |_| cursor.set(None)>"First page"</button> })}
            {next.map(|n| view! { <button type="button" on:click=move |_| cursor.set(Some(n.clone()))>"Next page"</button> })}
        </div>
    }
    .into_any()
}

#[component]
pub fn ArticleRow(a: ArticleSummary) -> impl IntoView {
    let snippet = a.snippet.clone().map(|s| view! { <p class="snippet">{snippet_view(&s)}</p> });
    view! {
        <li class="article-row">
            <a class="article-title row-link" href=format!("/kb/article?id={}", a.id)>{a.title.clone()}</a>
            <span class="meta">
                {a.category.clone()}
                {(a.visibility == Visibility::Internal).then(|| view! { <span class="badge">"Internal"</span> })}
                {(a.status == ArticleStatus::Draft).then(|| view! { <span class="badge badge-draft">"Draft"</span> })}
                {a.stale.then(|| view! { <span class="badge badge-stale" title="Not reviewed within its category's review interval">"Stale"</span> })}
                {format!(" · reviewed {} · owner {}", a.reviewed_on, a.owner.clone().unwrap_or_else(|| "nobody".into()))}
            </span>
            {snippet}
        </li>
    }
}

/// A search snippet with the matched words in `<mark>`; the text itself is never HTML.
pub fn snippet_view(s: &crate::domain::kb::Snippet) -> impl IntoView {
    s.0.iter()
        .map(|(text, marked)| if *marked { view! { <mark>{text.clone()}</mark> }.into_any() } else { text.clone().into_any() })
        .collect_view()
}

#[component]
fn DialogueHits(hits: Vec<DialogueHit>) -> impl IntoView {
    (!hits.is_empty()).then(|| {
        let rows = hits
            .into_iter()
            .map(|h| view! {
                <li><a href=format!("/dialogue?id={}", h.id)>{h.subject}</a>
                    <span class="meta">{format!(" · {} · {} · {}", h.customer, h.status.as_str(), h.created_on)}</span></li>
            })
            .collect_view();
        view! {
            <section aria-labelledby="dialogue-hits">
                <h2 id="dialogue-hits">"Dialogues"</h2>
                <ul class="article-list" aria-label="Dialogues found">{rows}</ul>
            </section>
        }
    })
}
