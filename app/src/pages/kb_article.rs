//! One knowledge-base article: `/kb/article?id=` (read, mark reviewed, suggestions),
//! `/kb/edit` (write with a live preview; a conflicting save shows both versions),
//! `/kb/history?id=` (revisions, a diff between any two, restore).

use crate::auth::Auth;
use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::access::Permission;
use crate::domain::kb::{diff_lines, render_markdown, ArticleStatus, DiffLine, Visibility};
use crate::error::AppError;
use crate::model::kb::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::{use_navigate, use_query_map};
use crate::components::reply_knowledge::{kb_article};

/// Creates or updates an article (see `backend::kb::save` for who may do what).
#[server(endpoint = "kb_save", input = Json)]
pub async fn kb_save(input: ArticleInput) -> Result<Article, AppError> {
    use crate::backend::{authorized, kb};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move { kb::save(&state.pool, &user, &input).await }).await
}

/// Proposes a change to an article for an editor to apply.
#[server(endpoint = "kb_suggest", input = Json)]
pub async fn kb_suggest(id: i64, base_version: i32, title: String, body: String, note: String) -> Result<i64, AppError> {
    use crate::backend::{authorized, kb_history};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move {
        kb_history::suggest(&state.pool, &user, id, base_version, &title, &body, &note).await
    })
    .await
}

#[server(endpoint = "kb_mark_reviewed")]
pub async fn kb_mark_reviewed(id: i64) -> Result<Article, AppError> {
    use crate::backend::{authorized, kb};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move { kb::mark_reviewed(&state.pool, &user, id).await }).await
}

#[server(endpoint = "kb_decide_suggestion")]
pub async fn kb_decide_suggestion(id: i64, apply: bool) -> Result<Article, AppError> {
    use crate::backend::{authorized, kb_history};
    authorized(Permission::EditKnowledgeBase, |state, user| async move { kb_history::decide_suggestion(&state.pool, &user, id, apply).await })
        .await
}

#[server(endpoint = "kb_revisions")]
pub async fn kb_revisions(id: i64) -> Result<Vec<Revision>, AppError> {
    use crate::backend::{authorized, kb_history};
    authorized(Permission::ReadKnowledgeBase, |state, _| async move { kb_history::revisions(&state.pool, id).await }).await
}

#[server(endpoint = "kb_diff")]
pub async fn kb_diff(id: i64, from: i32, to: i32) -> Result<RevisionDiff, AppError> {
    use crate::backend::{authorized, kb_history};
    authorized(Permission::ReadKnowledgeBase, |state, _| async move { kb_history::diff(&state.pool, id, from, to).await }).await
}

#[server(endpoint = "kb_restore")]
pub async fn kb_restore(id: i64, version: i32, base_version: i32) -> Result<Article, AppError> {
    use crate::backend::{authorized, kb_history};
    authorized(Permission::EditKnowledgeBase, |state, user| async move {
        kb_history::restore(&state.pool, &user, id, version, base_version).await
    })
    .await
}

fn query_id(key: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.with(|q| q.get(key).and_then(|s| s.parse::<i64>().ok()))
}

#[component]
pub fn KbArticlePage() -> impl IntoView {
    let id = query_id("id");
    let review = ServerAction::<KbMarkReviewed>::new();
    let decide = ServerAction::<KbDecideSuggestion>::new();
    let data = Resource::new(
        move || (id(), review.version().get(), decide.version().get()),
        |(id, ..)| kb_article(id.unwrap_or(0)),
    );
    let outcome = move || {
        let failed = review.value().get().and_then(|r| r.err()).or_else(|| decide.value().get().and_then(|r| r.err()));
        failed.map(|e| view! { <ErrorNotice message=e.to_string()/> })
    };
    view! {
        <p class="breadcrumb"><a href="/kb">"Knowledge base"</a></p>
        {outcome}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { data.await.map(|v| view! { <ArticleBody v review decide/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ArticleBody(v: ArticleView, review: ServerAction<KbMarkReviewed>, decide: ServerAction<KbDecideSuggestion>) -> impl IntoView {
    let a = v.article;
    let id = a.id;
    let public = (a.visibility == Visibility::Public && a.status == ArticleStatus::Published).then(|| {
        view! { <a href=public_path(id)>"Open in the help centre"</a> }
    });
    let suggestions = v.suggestions.into_iter().map(|s| {
        let sid = s.id;
        view! {
            <li class="kb-suggestion">
                <p><strong>{format!("{} suggests (on version {}), {}", s.author.clone().unwrap_or_else(|| "Someone".into()), s.base_version, s.created_at)}</strong></p>
                {(!s.note.is_empty()).then(|| view! { <p>{s.note.clone()}</p> })}
                <details><summary>"Suggested text"</summary><pre class="markdown-source">{s.body.clone()}</pre></details>
                <div class="toolbar">
                    <button class="button-primary" on:click=move |_| { decide.dispatch(KbDecideSuggestion { id: sid, apply: true }); }>"Apply suggestion"</button>
                    <button on:click=move |_| { decide.dispatch(KbDecideSuggestion { id: sid, apply: false }); }>"Dismiss"</button>
                </div>
            </li>
        }
    }).collect_view();
    let has_suggestions = a.open_suggestions > 0 && v.is_editor;
    view! {
        <article class="kb-article" aria-labelledby="article-title">
            <header>
                <h1 id="article-title">{a.title.clone()}</h1>
                <p class="badges">
                    <span class="badge">{a.category.clone()}</span>
                    <span class="badge">{a.visibility.label()}</span>
                    <span class=if a.status == ArticleStatus::Draft { "badge badge-draft" } else { "badge" }>{a.status.label()}</span>
                    {a.stale.then(|| view! { <span class="badge badge-stale">"Stale: due for review"</span> })}
                    {a.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                </p>
                <p class="meta" data-testid="freshness">
                    {format!("Owner {} · last reviewed {} by {} · version {}, saved {} by {}",
                        a.owner.clone().unwrap_or_else(|| "nobody".into()), a.reviewed_on,
                        a.reviewed_by.clone().unwrap_or_else(|| "nobody".into()), a.version, a.updated_at,
                        a.updated_by.clone().unwrap_or_else(|| "nobody".into()))}
                </p>
                <p class="meta" data-testid="feedback">
                    {format!("{} in the help centre · helpful: {} yes, {} no",
                        if a.views == 1 { "1 view".to_string() } else { format!("{} views", a.views) }, a.helpful_yes, a.helpful_no)}
                </p>
                <div class="toolbar" role="toolbar" aria-label="Article actions">
                    {if v.can_edit {
                        view! { <a class="button button-primary" href=format!("/kb/edit?id={id}") aria-keyshortcuts="e">"Edit"</a> }.into_any()
                    } else {
                        view! { <a class="button" href=format!("/kb/edit?id={id}") aria-keyshortcuts="e">"Suggest an edit"</a> }.into_any()
                    }}
                    {v.can_review.then(|| view! {
                        <button on:click=move |_| { review.dispatch(KbMarkReviewed { id }); }>"Mark reviewed"</button>
                    })}
                    <a class="button" href=format!("/kb/history?id={id}")>"History"</a>
                    {public}
                </div>
            </header>
            <div class="markdown" inner_html=a.html.clone()></div>
        </article>
        {has_suggestions.then(|| view! {
            <section aria-labelledby="suggestions-title">
                <h2 id="suggestions-title">"Suggested edits"</h2>
                <ul class="suggestions">{suggestions}</ul>
            </section>
        })}
    }
}

#[server(endpoint = "kb_editor_start")]
pub async fn kb_editor_start(id: Option<i64>, from_dialogue: Option<i64>) -> Result<EditorStart, AppError> {
    use crate::backend::{authorized, kb};
    authorized(Permission::ReadKnowledgeBase, |state, user| async move {
        let is_editor = user.role.can(Permission::EditKnowledgeBase);
        let categories = kb::categories(&state.pool, kb::Audience::Staff).await?;
        let first_category = categories.first().map(|c| c.id).unwrap_or(0);
        let (input, suggest_only) = match (id, from_dialogue) {
            (Some(id), _) => {
                let a = kb::staff_article(&state.pool, id).await?;
                let suggest_only = !(is_editor || (a.owner_id == Some(user.id) && a.status == ArticleStatus::Draft));
                (
                    ArticleInput {
                        id: Some(a.id),
                        base_version: Some(a.version),
                        category_id: a.category_id,
                        title: a.title,
                        body: a.body,
                        tags: a.tags.join(", "),
                        visibility: a.visibility,
                        status: a.status,
                        owner_id: a.owner_id,
                        note: String::new(),
                    },
                    suggest_only,
                )
            }
            (None, Some(conversation)) => {
                crate::backend::authorize(Some(user.clone()), Permission::WorkQueue)?;
                let mut input = kb::draft_from_dialogue(&state.pool, conversation).await?;
                input.category_id = first_category;
                (input, false)
            }
            (None, None) => (
                ArticleInput {
                    category_id: first_category,
                    visibility: Visibility::Internal,
                    status: ArticleStatus::Draft,
                    ..Default::default()
                },
                false,
            ),
        };
        let owners = if is_editor { kb::possible_owners(&state.pool).await? } else { Vec::new() };
        Ok(EditorStart { input, suggest_only, categories, is_editor, owners })
    })
    .await
}

#[component]
pub fn KbEditPage() -> impl IntoView {
    let id = query_id("id");
    let from_dialogue = query_id("from_dialogue");
    let start = Resource::new(move || (id(), from_dialogue()), |(id, from)| kb_editor_start(id, from));
    // The actions live above the form the resource redraws, so their outcome stays visible.
    let save = ServerAction::<KbSave>::new();
    let suggest = ServerAction::<KbSuggest>::new();
    view! {
        <p class="breadcrumb"><a href="/kb">"Knowledge base"</a></p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { start.await.map(|s| view! { <Editor start=s save suggest/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Editor(start: EditorStart, save: ServerAction<KbSave>, suggest: ServerAction<KbSuggest>) -> impl IntoView {
    let input = RwSignal::new(start.input.clone());
    let suggest_only = start.suggest_only;
    let is_editor = start.is_editor;
    let navigate = use_navigate();
    // A refused save because someone else saved first: their article, to compare with ours.
    let theirs = RwSignal::new(None::<Article>);
    Effect::watch(
        move || save.value().get(),
        move |result, _, _| match result {
            Some(Ok(article)) => navigate(&format!("/kb/article?id={}", article.id), Default::default()),
            Some(Err(AppError::Conflict(_))) => {
                if let Some(id) = input.with_untracked(|i| i.id) {
                    leptos::task::spawn_local(async move {
                        if let Ok(v) = kb_article(id).await {
                            theirs.set(Some(v.article));
                        }
                    });
                }
            }
            _ => {}
        },
        false,
    );
    let outcome = move || {
        let err = save.value().get().and_then(|r| r.err()).or_else(|| suggest.value().get().and_then(|r| r.err()));
        let sent = suggest.value().get().is_some_and(|r| r.is_ok());
        match (err, sent) {
            (Some(e), _) => Some(view! { <ErrorNotice message=e.to_string()/> }.into_any()),
            (None, true) => Some(view! { <div class="notice notice-info" role="status">"Thank you: your suggestion is waiting for an editor."</div> }.into_any()),
            _ => None,
        }
    };
    let categories = start.categories.clone();
    let category_options = categories
        .into_iter()
        .map(|c| {
            let cid = c.id;
            view! { <option value=cid.to_string() selected=move || input.with(|i| i.category_id == cid)>{c.name}</option> }
        })
        .collect_view();
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let i = input.get_untracked();
        if suggest_only {
            suggest.dispatch(KbSuggest { id: i.id.unwrap_or(0), base_version: i.base_version.unwrap_or(0), title: i.title, body: i.body, note: i.note });
        } else {
            save.dispatch(KbSave { input: i });
        }
    };
    let preview = move || input.with(|i| render_markdown(&i.body));
    let heading = match (start.input.id, suggest_only) {
        (None, _) => "New article",
        (Some(_), false) => "Edit article",
        (Some(_), true) => "Suggest an edit",
    };
    view! {
        <h1>{heading}</h1>
        {suggest_only.then(|| view! { <p class="lede">"Only managers change published articles. Write your change; an editor applies it or explains why not."</p> })}
        {(!is_editor && !suggest_only).then(|| view! { <p class="lede">"You are writing a draft; a manager reviews and publishes it."</p> })}
        <form class="kb-editor" on:submit=submit>
            <div class="fields">
                <label>"Title"<input type="text" required maxlength="200" prop:value=move || input.with(|i| i.title.clone())
                    on:input=move |e| input.update(|i| i.title = event_target_value(&e))/></label>
                <label>"Category"<select disabled=suggest_only
                    on:change=move |e| if let Ok(c) = event_target_value(&e).parse() { input.update(|i| i.category_id = c) }>{category_options}</select></label>
                <label>"Tags"<input type="text" placeholder="billing, refund" disabled=suggest_only prop:value=move || input.with(|i| i.tags.clone())
                    on:input=move |e| input.update(|i| i.tags = event_target_value(&e))/></label>
                <label>"Visibility"<select disabled=suggest_only on:change=move |e| input.update(|i| i.visibility = Visibility::parse(&event_target_value(&e)).unwrap_or(i.visibility))>
                    <option value="internal" selected=move || input.with(|i| i.visibility == Visibility::Internal)>"Internal (agents only)"</option>
                    <option value="public" selected=move || input.with(|i| i.visibility == Visibility::Public)>"Public (help centre)"</option>
                </select></label>
                {(!start.owners.is_empty()).then(|| {
                    let options = start.owners.iter().map(|(oid, name)| {
                        let oid = *oid;
                        view! { <option value=oid.to_string() selected=move || input.with(|i| i.owner_id == Some(oid))>{name.clone()}</option> }
                    }).collect_view();
                    view! {
                        <label>"Owner"<select on:change=move |e| input.update(|i| i.owner_id = event_target_value(&e).parse().ok())>
                            <option value="" selected=move || input.with(|i| i.owner_id.is_none())>"Me"</option>
                            {options}
                        </select></label>
                    }
                })}
                <label>"Status"<select disabled=!is_editor on:change=move |e| input.update(|i| i.status = ArticleStatus::parse(&event_target_value(&e)).unwrap_or(i.status))>
                    <option value="draft" selected=move || input.with(|i| i.status == ArticleStatus::Draft)>"Draft"</option>
                    <option value="published" selected=move || input.with(|i| i.status == ArticleStatus::Published)>"Published"</option>
                </select></label>
            </div>
            <div class="editor-panes">
                <label class="grow">"Text (Markdown)"
                    <textarea rows="22" class="markdown-source" prop:value=move || input.with(|i| i.body.clone())
                        on:input=move |e| input.update(|i| i.body = event_target_value(&e))></textarea>
                </label>
                <section class="md-preview" aria-label="Preview">
                    <h2 class="preview-title">"Preview"</h2>
                    <div class="markdown" inner_html=preview></div>
                </section>
            </div>
            <label>{if suggest_only { "Why (for the editor)" } else { "What changed (for the history)" }}
                <input type="text" maxlength="300" prop:value=move || input.with(|i| i.note.clone())
                    on:input=move |e| input.update(|i| i.note = event_target_value(&e))/></label>
            <div class="toolbar">
                <button type="submit" class="button-primary" aria-keyshortcuts="Control+s"
                    disabled=move || save.pending().get() || suggest.pending().get()>
                    {if suggest_only { "Send suggestion" } else { "Save" }}
                </button>
            </div>
        </form>
        {outcome}
        <Conflict theirs input/>
    }
}

/// After a refused save: the version someone else saved beside ours, line by line, and a
/// choice — keep ours (save it on top of theirs) or take theirs.
#[component]
fn Conflict(theirs: RwSignal<Option<Article>>, input: RwSignal<ArticleInput>) -> impl IntoView {
    move || {
        theirs.get().map(|t| {
            let lines = input.with_untracked(|i| diff_lines(&t.body, &i.body));
            let version = t.version;
            let keep = move |_| {
                input.update(|i| i.base_version = Some(version));
                theirs.set(None);
            };
            let take = {
                let t = t.clone();
                move |_| {
                    input.update(|i| {
                        i.base_version = Some(t.version);
                        i.title = t.title.clone();
                        i.body = t.body.clone();
                        i.tags = t.tags.join(", ");
                    });
                    theirs.set(None);
                }
            };
            view! {
                <section class="conflict" aria-labelledby="conflict-title">
                    <h2 id="conflict-title">{format!("Version {version}, saved by {}, beside yours", t.updated_by.clone().unwrap_or_else(|| "someone".into()))}</h2>
                    <p>"Lines marked − are only in their version, lines marked + only in yours."</p>
                    <DiffView lines/>
                    <div class="toolbar">
                        <button class="button-primary" on:click=keep>"Keep mine (then save again)"</button>
                        <button on:click=take>"Take theirs"</button>
                    </div>
                </section>
            }
        })
    }
}

#[component]
pub fn DiffView(lines: Vec<DiffLine>) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|l| match l {
            DiffLine::Same(t) => view! { <li class="diff-same"><span aria-hidden="true">"  "</span>{t}</li> }.into_any(),
            DiffLine::Added(t) => view! { <li class="diff-added"><span class="visually-hidden">"added: "</span><span aria-hidden="true">"+ "</span>{t}</li> }.into_any(),
            DiffLine::Removed(t) => view! { <li class="diff-removed"><span class="visually-hidden">"removed: "</span><span aria-hidden="true">"− "</span>{t}</li> }.into_any(),
        })
        .collect_view();
    view! { <ol class="diff" aria-label="Differences">{rows}</ol> }
}

#[component]
pub fn KbHistoryPage() -> impl IntoView {
    let id = query_id("id");
    let auth = Auth::expect();
    let is_editor = move || auth.user.get().and_then(|u| u.ok().flatten()).is_some_and(|u| u.role.can(Permission::EditKnowledgeBase));
    let restore = ServerAction::<KbRestore>::new();
    let revisions = Resource::new(move || (id(), restore.version().get()), |(id, _)| kb_revisions(id.unwrap_or(0)));
    // The two versions compared; the newest against the one before it until chosen.
    let from = RwSignal::new(None::<i32>);
    let to = RwSignal::new(None::<i32>);
    let diff = Resource::new(
        move || (id(), from.get(), to.get()),
        |(id, from, to)| async move {
            match (id, from, to) {
                (Some(id), Some(f), Some(t)) => kb_diff(id, f, t).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let outcome = move || restore.value().get().map(|r| match r {
        Ok(a) => view! { <div class="notice notice-info" role="status">{format!("Restored as version {}.", a.version)}</div> }.into_any(),
        Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
    });
    view! {
        <p class="breadcrumb"><a href="/kb">"Knowledge base"</a>" › "<a href=move || format!("/kb/article?id={}", id().unwrap_or(0))>"Article"</a></p>
        <h1>"History"</h1>
        {outcome}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let revs = revisions.await?;
                    let latest = revs.first().map(|r| r.version).unwrap_or(1);
                    if from.get_untracked().is_none() && revs.len() > 1 {
                        from.set(Some(revs[1].version));
                        to.set(Some(latest));
                    }
                    let editor = is_editor();
                    let rows = revs.into_iter().map(|r| {
                        let v = r.version;
                        view! {
                            <tr>
                                <td>{v}</td>
                                <td>{r.created_at}</td>
                                <td>{r.author.unwrap_or_else(|| "—".into())}</td>
                                <td>{r.title}</td>
                                <td>{r.note}</td>
                                <td>
                                    <button type="button" on:click=move |_| from.set(Some(v))>{format!("Compare from {v}")}</button>
                                    <button type="button" on:click=move |_| to.set(Some(v))>{format!("Compare to {v}")}</button>
                                    {(editor && v != latest).then(|| view! {
                                        <button type="button" on:click=move |_| {
                                            restore.dispatch(KbRestore { id: id().unwrap_or(0), version: v, base_version: latest });
                                        }>{format!("Restore version {v}")}</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view();
                    Ok::<_, AppError>(view! {
                        <table class="list" aria-label="Revisions">
                            <thead><tr><th>"Version"</th><th>"Saved"</th><th>"By"</th><th>"Title"</th><th>"Note"</th><th></th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                        {move || diff.get().and_then(|r| r.ok()).flatten().map(|d| view! {
                            <section aria-labelledby="diff-title">
                                <h2 id="diff-title">{format!("Changes from version {} to version {}", d.from, d.to)}</h2>
                                {(d.title_from != d.title_to).then(|| view! { <p>{format!("Title: “{}” → “{}”", d.title_from, d.title_to)}</p> })}
                                <DiffView lines=d.lines/>
                            </section>
                        })}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
