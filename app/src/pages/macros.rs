//! Macros and mass replies: `/queue/macros` (managers write the team's canned replies,
//! agents read them), the queue's trending topics with a mass reply (select, preview,
//! confirm), and sending a macro from a dialogue.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::components::shell::RequireSection;
use crate::domain::access::{Permission, Section};
use crate::domain::dialogue::format_waiting;
use crate::domain::macros::PLACEHOLDERS;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Macro {
    pub id: i64,
    pub name: String,
    /// The reply, with `{{placeholders}}`.
    pub body: String,
    /// `resolved` or `postponed` (until the customer replies), or nothing.
    pub set_status: Option<String>,
    pub add_tags: Vec<String>,
    pub set_priority: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MacroInput {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub body: String,
    #[serde(default)]
    pub set_status: Option<String>,
    /// Comma-separated, as typed.
    #[serde(default)]
    pub add_tags: String,
    #[serde(default)]
    pub set_priority: Option<String>,
}

/// Something many waiting dialogues share: a tag or a word of their subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// `tag` or `word`.
    pub kind: String,
    pub value: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicDialogue {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub waiting_seconds: i64,
}

/// What a mass reply did (or, for a repeated request, what the first one did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MassReplyResult {
    pub id: i64,
    pub macro_name: String,
    pub sent: i64,
    /// Dialogues not answered, with why (a colleague holds it, it is resolved).
    pub skipped: Vec<(i64, String)>,
    /// This request had been submitted before; nothing was sent again.
    pub repeated: bool,
}

#[server(endpoint = "macros_list")]
pub async fn macros_list() -> Result<Vec<Macro>, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::list(&state.pool).await }).await
}

#[server(endpoint = "macros_save", input = Json)]
pub async fn macros_save(input: MacroInput) -> Result<Macro, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::ManageMacros, |state, user| async move { macros::save(&state.pool, user.id, &input).await }).await
}

#[server(endpoint = "macros_delete")]
pub async fn macros_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, macros};
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageMacros, |state, user| async move {
        macros::delete(&state.pool, id).await?;
        Ok(crate::backend::audit::by(&state.pool, &user, AuditAction::Deleted, &format!("macro {id}"), "").await?)
    })
    .await
}

#[server(endpoint = "queue_trending")]
pub async fn queue_trending() -> Result<Vec<Topic>, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::trending(&state.pool).await }).await
}

#[server(endpoint = "queue_topic")]
pub async fn queue_topic(kind: String, value: String) -> Result<Vec<TopicDialogue>, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::topic_dialogues(&state.pool, &kind, &value).await }).await
}

#[server(endpoint = "macro_preview")]
pub async fn macro_preview(macro_id: i64, conversation_id: i64) -> Result<String, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, user| async move { macros::preview(&state.pool, &user, macro_id, conversation_id).await })
        .await
}

/// Sends a macro to each dialogue once; the same `request_key` twice sends once.
#[server(endpoint = "mass_reply", input = Json)]
pub async fn mass_reply(request_key: String, macro_id: i64, conversation_ids: Vec<i64>) -> Result<MassReplyResult, AppError> {
    use crate::backend::{authorized, macros};
    authorized(Permission::MassReply, |state, user| async move {
        macros::mass_reply(&state.pool, &user, &request_key, macro_id, &conversation_ids).await
    })
    .await
}

/// A fresh key for one confirmed request (the server keeps what it sent under it).
pub(crate) fn request_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        format!("{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("server-rendered")
    }
}

#[component]
pub fn MacrosPage() -> impl IntoView {
    view! {
        <RequireSection section=Section::Queue>
            <MacrosScreen/>
        </RequireSection>
    }
}

#[component]
fn MacrosScreen() -> impl IntoView {
    let auth = crate::auth::Auth::expect();
    let manager = move || auth.user.get().and_then(|u| u.ok().flatten()).is_some_and(|u| u.role.can(Permission::ManageMacros));
    let save = ServerAction::<MacrosSave>::new();
    let delete = ServerAction::<MacrosDelete>::new();
    let list = Resource::new(move || (save.version().get(), delete.version().get()), |_| macros_list());
    let editing = RwSignal::new(MacroInput::default());
    let outcome = move || {
        let err = save.value().get().and_then(|r| r.err()).or_else(|| delete.value().get().and_then(|r| r.err()));
        match (err, save.value().get()) {
            (Some(e), _) => Some(view! { <ErrorNotice message=e.to_string()/> }.into_any()),
            (None, Some(Ok(m))) => Some(view! { <div class="notice notice-info" role="status">{format!("Saved “{}”.", m.name)}</div> }.into_any()),
            _ => None,
        }
    };
    let help = || PLACEHOLDERS.iter().map(|(k, what)| view! { <li><code>{format!("{{{{{k}}}}}")}</code>" — "{*what}</li> }).collect_view();
    view! {
        <p class="breadcrumb"><a href="/queue">"Queue"</a></p>
        <h1>"Macros"</h1>
        <p class="lede">"Canned replies with placeholders, filled for each dialogue. A macro may also add tags, set the priority, and resolve or postpone."</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let macros = list.await?;
                    let can_edit = manager();
                    Ok::<_, AppError>(if macros.is_empty() {
                        view! { <EmptyState title="No macros yet" detail="Managers write the team's canned replies here."/> }.into_any()
                    } else {
                        let rows = macros.into_iter().map(|m| {
                            let id = m.id;
                            let input = MacroInput {
                                id: Some(m.id), name: m.name.clone(), body: m.body.clone(), set_status: m.set_status.clone(),
                                add_tags: m.add_tags.join(", "), set_priority: m.set_priority.clone(),
                            };
                            let changes = [
                                m.set_status.clone().map(|s| format!("sets status {s}")),
                                (!m.add_tags.is_empty()).then(|| format!("adds tags {}", m.add_tags.join(", "))),
                                m.set_priority.clone().map(|p| format!("priority {p}")),
                            ].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                            view! {
                                <tr>
                                    <th scope="row">{m.name.clone()}</th>
                                    <td class="macro-body">{m.body.clone()}</td>
                                    <td>{changes}</td>
                                    <td>{can_edit.then(|| view! {
                                        <button type="button" on:click=move |_| editing.set(input.clone())>{format!("Edit {}", m.name)}</button>
                                        <button type="button" on:click=move |_| { delete.dispatch(MacrosDelete { id }); }>{format!("Delete {}", m.name)}</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table" aria-label="Macros">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Reply"</th><th scope="col">"Also"</th><th scope="col"></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || manager().then(|| view! {
            <form class="form-grid macro-form" on:submit=move |e| { e.prevent_default(); save.dispatch(MacrosSave { input: editing.get_untracked() }); }>
                <h2>{move || if editing.with(|m| m.id.is_some()) { "Edit the macro" } else { "New macro" }}</h2>
                <label>"Name"<input type="text" required maxlength="100" prop:value=move || editing.with(|m| m.name.clone())
                    on:input=move |e| editing.update(|m| m.name = event_target_value(&e))/></label>
                <label>"Reply"<textarea rows="6" required prop:value=move || editing.with(|m| m.body.clone())
                    on:input=move |e| editing.update(|m| m.body = event_target_value(&e))></textarea></label>
                <details><summary>"Placeholders"</summary><ul class="plain-list">{help()}</ul></details>
                <label>"Then"<select on:change=move |e| editing.update(|m| m.set_status = Some(event_target_value(&e)).filter(|s| !s.is_empty()))>
                    <option value="" selected=move || editing.with(|m| m.set_status.is_none())>"Leave the status"</option>
                    <option value="resolved" selected=move || editing.with(|m| m.set_status.as_deref() == Some("resolved"))>"Resolve"</option>
                    <option value="postponed" selected=move || editing.with(|m| m.set_status.as_deref() == Some("postponed"))>"Postpone until the customer replies"</option>
                </select></label>
                <label>"Add tags"<input type="text" placeholder="incident, billing" prop:value=move || editing.with(|m| m.add_tags.clone())
                    on:input=move |e| editing.update(|m| m.add_tags = event_target_value(&e))/></label>
                <label>"Set priority"<select on:change=move |e| editing.update(|m| m.set_priority = Some(event_target_value(&e)).filter(|s| !s.is_empty()))>
                    <option value="" selected=move || editing.with(|m| m.set_priority.is_none())>"Leave the priority"</option>
                    {["low", "normal", "high", "urgent"].into_iter().map(|p| view! {
                        <option value=p selected=move || editing.with(|m| m.set_priority.as_deref() == Some(p))>{p}</option>
                    }).collect_view()}
                </select></label>
                <div class="toolbar">
                    <button type="submit" class="button-primary" disabled=move || save.pending().get()>"Save macro"</button>
                    <button type="button" on:click=move |_| editing.set(MacroInput::default())>"New"</button>
                </div>
            </form>
        })}
        {outcome}
    }
}

/// The queue's trending topics; choosing one opens the mass reply for its dialogues.
#[component]
pub fn Trending() -> impl IntoView {
    let topics = Resource::new(|| (), |_| queue_trending());
    let chosen = RwSignal::new(None::<Topic>);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let topics = topics.await.unwrap_or_default();
                (!topics.is_empty()).then(|| {
                    let chips = topics.into_iter().map(|t| {
                        let label = if t.kind == "tag" { format!("#{} ({})", t.value, t.count) } else { format!("“{}” ({})", t.value, t.count) };
                        let topic = t.clone();
                        view! {
                            <li><button type="button" class="chip" aria-pressed=move || chosen.with(|c| c.as_ref() == Some(&topic)).to_string()
                                on:click=move |_| chosen.set(Some(t.clone()))>{label}</button></li>
                        }
                    }).collect_view();
                    view! {
                        <section class="trending" aria-labelledby="trending-title">
                            <h2 id="trending-title">"Trending in waiting dialogues"</h2>
                            <ul class="chips" aria-label="Trending topics">{chips}</ul>
                        </section>
                    }
                })
            })}
        </Suspense>
        {move || chosen.get().map(|topic| view! { <MassReply topic on_close=move || chosen.set(None)/> })}
    }
}

#[component]
fn MassReply(topic: Topic, on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (kind, value) = (topic.kind.clone(), topic.value.clone());
    let dialogues = Resource::new(move || (kind.clone(), value.clone()), |(k, v)| queue_topic(k, v));
    let macros = Resource::new(|| (), |_| macros_list());
    let selected = RwSignal::new(Vec::<i64>::new());
    let macro_id = RwSignal::new(None::<i64>);
    let confirming = RwSignal::new(false);
    let key = RwSignal::new(String::new());
    let send = ServerAction::<MassReply>::new();
    let preview = Resource::new(
        move || (macro_id.get(), selected.with(|s| s.first().copied())),
        |(m, first)| async move {
            match (m, first) {
                (Some(m), Some(c)) => macro_preview(m, c).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let title = if topic.kind == "tag" { format!("Mass reply: #{}", topic.value) } else { format!("Mass reply: “{}”", topic.value) };
    let outcome = move || send.value().get().map(|r| match r {
        Ok(r) => {
            let skipped = (!r.skipped.is_empty()).then(|| format!(" {} skipped: {}.", r.skipped.len(),
                r.skipped.iter().map(|(id, why)| format!("#{id} ({why})")).collect::<Vec<_>>().join(", ")));
            let again = r.repeated.then_some(" (already sent; nothing was sent twice)");
            view! { <div class="notice notice-info" role="status">{format!("“{}” sent to {} dialogues.", r.macro_name, r.sent)}{skipped}{again}</div> }.into_any()
        }
        Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
    });
    view! {
        <section class="mass-reply" aria-labelledby="mass-reply-title">
            <div class="page-head">
                <h2 id="mass-reply-title">{title}</h2>
                <button type="button" on:click=move |_| on_close()>"Close"</button>
            </div>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let list = dialogues.await?;
                    let all: Vec<i64> = list.iter().map(|d| d.id).collect();
                    if selected.get_untracked().is_empty() && !send.pending().get_untracked() && send.value().get_untracked().is_none() {
                        selected.set(all.clone());
                    }
                    let rows = list.into_iter().map(|d| {
                        let id = d.id;
                        view! {
                            <li>
                                <label class="check">
                                    <input type="checkbox" prop:checked=move || selected.with(|s| s.contains(&id))
                                        on:change=move |e| {
                                            let on = event_target_checked(&e);
                                            selected.update(|s| { s.retain(|x| *x != id); if on { s.push(id); } });
                                            confirming.set(false);
                                        }/>
                                    {format!("{} — {} (waiting {})", d.subject, d.customer, format_waiting(d.waiting_seconds))}
                                </label>
                            </li>
                        }
                    }).collect_view();
                    Ok::<_, AppError>(view! {
                        <div class="toolbar">
                            <button type="button" on:click=move |_| { selected.set(all.clone()); confirming.set(false); }>"Select all"</button>
                            <button type="button" on:click=move |_| { selected.set(Vec::new()); confirming.set(false); }>"Select none"</button>
                        </div>
                        <ul class="plain-list" aria-label="Dialogues to answer">{rows}</ul>
                    })
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let options = macros.await.unwrap_or_default().into_iter()
                        .map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view();
                    view! {
                        <label>"Macro"
                            <select on:change=move |e| { macro_id.set(event_target_value(&e).parse().ok()); confirming.set(false); }>
                                <option value="">"Choose a macro"</option>
                                {options}
                            </select>
                        </label>
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    preview.await.ok().flatten().map(|text| view! {
                        <div class="macro-preview" role="region" aria-label="Preview for the first dialogue"><p>{text}</p></div>
                    })
                })}
            </Suspense>
            <div class="toolbar">
                {move || {
                    let n = selected.with(|s| s.len());
                    if confirming.get() {
                        view! {
                            <strong>{format!("Send to {n} customers now? This cannot be undone.")}</strong>
                            <button type="button" class="button-primary" disabled=move || send.pending().get() on:click=move |_| {
                                if let Some(m) = macro_id.get_untracked() {
                                    send.dispatch(MassReply { request_key: key.get_untracked(), macro_id: m, conversation_ids: selected.get_untracked() });
                                }
                            }>"Send now"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button-primary" disabled=move || macro_id.with(|m| m.is_none()) || selected.with(|s| s.is_empty())
                                on:click=move |_| { key.set(request_key()); confirming.set(true); }>{format!("Reply to {n} dialogues")}</button>
                        }.into_any()
                    }
                }}
            </div>
            {outcome}
        </section>
    }
}

/// In the dialogue view: send one of the team's macros to this dialogue (the dialogue
/// reloads from the live event its reply causes).
#[component]
pub fn MacroSend(conversation_id: i64) -> impl IntoView {
    let macros = Resource::new(|| (), |_| macros_list());
    let chosen = RwSignal::new(None::<i64>);
    let send = ServerAction::<MassReply>::new();
    let outcome = move || send.value().get().and_then(|r| match r {
        Ok(r) if r.sent == 0 => Some(view! { <p class="error" role="alert">{r.skipped.first().map(|(_, why)| why.clone()).unwrap_or_default()}</p> }.into_any()),
        Err(e) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()),
        _ => None,
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = macros.await.unwrap_or_default();
                (!list.is_empty()).then(|| {
                    let options = list.into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view();
                    view! {
                        <div class="inline-form macro-send">
                            <label>"Macro"<select on:change=move |e| chosen.set(event_target_value(&e).parse().ok())>
                                <option value="">"Choose a macro"</option>{options}
                            </select></label>
                            <button type="button" disabled=move || chosen.with(|c| c.is_none()) || send.pending().get() on:click=move |_| {
                                if let Some(m) = chosen.get_untracked() {
                                    send.dispatch(MassReply { request_key: request_key(), macro_id: m, conversation_ids: vec![conversation_id] });
                                }
                            }>"Send macro"</button>
                        </div>
                    }
                })
            })}
        </Suspense>
        {outcome}
    }
}
