//! Trending topics over the waiting dialogues, and answering one topic with a macro in one go.

use crate::components::browser::{request_key};
use crate::components::macro_sender::{macro_preview, macros_list, MassReply};
use crate::components::notice::{ErrorNotice, Loading};
use crate::domain::dialogue::format_waiting;
use crate::domain::macros::TopicKind;
use crate::error::AppError;
use crate::model::macros::{Topic, TopicDialogue};
use leptos::prelude::*;

#[server(endpoint = "queue_trending")]
pub async fn queue_trending() -> Result<Vec<Topic>, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::trending(&state.pool).await }).await
}

#[server(endpoint = "queue_topic")]
pub async fn queue_topic(kind: TopicKind, value: String) -> Result<Vec<TopicDialogue>, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::topic_dialogues(&state.pool, kind, &value).await }).await
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
                        let label = if t.kind == TopicKind::Tag { format!("#{} ({})", t.value, t.count) } else { format!("“{}” ({})", t.value, t.count) };
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
    let (kind, value) = (topic.kind, topic.value.clone());
    let dialogues = Resource::new(move || (kind, value.clone()), |(k, v)| queue_topic(k, v));
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
    let title = if topic.kind == TopicKind::Tag { format!("Mass reply: #{}", topic.value) } else { format!("Mass reply: “{}”", topic.value) };
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
