//! The knowledge base inside the reply box: search, preview, insert a link or the text. Its two server functions (search and one article) serve the knowledge-base pages too.

use crate::components::browser::origin;
use crate::domain::kb::{ArticleStatus, Visibility};
use crate::error::AppError;
use crate::model::kb::{public_path, Article, ArticleSummary, ArticleView, SearchRequest, SearchResult};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "kb_search", input = Json)]
pub async fn kb_search(req: SearchRequest) -> Result<SearchResult, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, kb};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move {
        kb::search(&state.pool, kb::Audience::Staff, Some(user.id), &req).await
    })
    .await
}

/// The knowledge base inside the dialogue's reply box: search without leaving the dialogue,
/// preview an article, insert its public link or its text into the reply. Inserted articles
/// are remembered in `inserted` and recorded as sent with the reply.
#[component]
pub fn ReplyKnowledge(draft: RwSignal<String>, inserted: RwSignal<Vec<i64>>, conversation_id: i64) -> impl IntoView {
    let q = RwSignal::new(String::new());
    let results = Resource::new(move || q.get(), |q| async move {
        if q.trim().is_empty() {
            Ok(SearchResult::default())
        } else {
            kb_search(SearchRequest { q, limit: Some(5), ..Default::default() }).await
        }
    });
    let preview = RwSignal::new(None::<Article>);
    let failure = RwSignal::new(None::<String>);
    let append = move |text: String, id: i64| {
        draft.update(|d| {
            if !d.trim().is_empty() {
                d.push_str(if d.ends_with('\n') { "\n" } else { "\n\n" });
            }
            d.push_str(&text);
        });
        inserted.update(|ids| if !ids.contains(&id) { ids.push(id) });
    };
    // Fetches the whole article, then hands it to `then` (preview or insert as text).
    let with_article = move |id: i64, then: fn(Article, RwSignal<Option<Article>>) -> Option<(String, i64)>| {
        leptos::task::spawn_local(async move {
            match crate::components::reply_knowledge::kb_article(id).await {
                Ok(v) => {
                    failure.set(None);
                    if let Some((text, id)) = then(v.article, preview) {
                        append(text, id);
                    }
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    let link = move |a: &ArticleSummary| {
        let origin = origin();
        format!("{}: {origin}{}", a.title, public_path(a.id))
    };
    view! {
        <section class="reply-kb" aria-labelledby="reply-kb-title">
            <h2 id="reply-kb-title" class="visually-hidden">"Knowledge base"</h2>
            <label>"Search the knowledge base"
                <input type="search" aria-keyshortcuts="/" placeholder="Find an article to send…"
                    prop:value=move || q.get() on:input=move |e| q.set(event_target_value(&e))/>
            </label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { match results.await {
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Ok(r) => {
                        let near = r.near_matches.then(|| view! { <p class="meta">"Near matches (a word may be misspelt):"</p> });
                        let rows = r.articles.into_iter().map(|a| {
                            let id = a.id;
                            let public = a.visibility == Visibility::Public && a.status == ArticleStatus::Published;
                            let text = link(&a);
                            view! {
                                <li>
                                    <span class="article-title">{a.title.clone()}</span>
                                    {a.stale.then(|| view! { <span class="badge badge-stale">"Stale"</span> })}
                                    {(!public).then(|| view! { <span class="badge">"Internal"</span> })}
                                    <span class="toolbar">
                                        <button type="button" aria-label=format!("Preview {}", a.title)
                                            on:click=move |_| with_article(id, |a, p| { p.set(Some(a)); None })>"Preview"</button>
                                        {public.then(|| view! {
                                            <button type="button" aria-label=format!("Insert link to {}", a.title)
                                                on:click=move |_| append(text.clone(), id)>"Insert link"</button>
                                        })}
                                        <button type="button" aria-label=format!("Insert text of {}", a.title)
                                            on:click=move |_| with_article(id, |a, _| Some((crate::domain::kb::plain_text(&a.body), a.id)))>"Insert text"</button>
                                    </span>
                                </li>
                            }
                        }).collect_view();
                        view! { {near}<ul class="reply-kb-results" aria-label="Articles found">{rows}</ul> }.into_any()
                    }
                } })}
            </Suspense>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || preview.get().map(|a| view! {
                <div class="reply-kb-preview" role="region" aria-label=format!("Preview of {}", a.title)>
                    <h3>{a.title.clone()}</h3>
                    <div class="markdown" inner_html=a.html.clone()></div>
                    <button type="button" on:click=move |_| preview.set(None)>"Close preview"</button>
                </div>
            })}
            <p class="meta"><a href=format!("/kb/edit?from_dialogue={conversation_id}")>"Start an article from this dialogue"</a></p>
        </section>
    }
}

#[server(endpoint = "kb_article")]
pub async fn kb_article(id: i64) -> Result<ArticleView, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, kb, kb_history};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move {
        let article = kb::staff_article(&state.pool, id).await?;
        let is_editor = user.role.can(Permission::EditKnowledgeBase);
        let owns = article.owner_id == Some(user.id);
        let suggestions = if is_editor { kb_history::suggestions(&state.pool, id).await? } else { Vec::new() };
        Ok(ArticleView {
            can_edit: is_editor || (owns && article.status == ArticleStatus::Draft),
            can_review: is_editor || owns,
            is_editor,
            article,
            suggestions,
        })
    })
    .await
}
