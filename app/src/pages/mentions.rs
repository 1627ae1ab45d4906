//! `/mentions`: where colleagues @mentioned you in internal notes, newest first, and the
//! top bar's count of unread ones, kept live.

use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use crate::model::queue::{Mention};

#[server(endpoint = "mentions_list")]
pub async fn mentions_list() -> Result<Vec<Mention>, AppError> {
    use crate::backend::{authorized, mentions};
    authorized(crate::domain::access::Permission::WorkQueue, |state, user| async move { mentions::list(&state.pool, user.id).await }).await
}

/// Marks one mention read (or all, without `id`).
#[server(endpoint = "mentions_read")]
pub async fn mentions_read(id: Option<i64>) -> Result<(), AppError> {
    use crate::backend::{authorized, mentions};
    authorized(crate::domain::access::Permission::WorkQueue, |state, user| async move { mentions::mark_read(&state.pool, user.id, id).await }).await
}

#[component]
pub fn MentionsPage() -> impl IntoView {
    let events = crate::components::live::use_queue_events();
    let read = ServerAction::<MentionsRead>::new();
    let list = Resource::new(move || (events.get(), read.version().get()), |_| mentions_list());
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <div class="page-head">
            <h1>"Mentions"</h1>
            <button type="button" on:click=move |_| { read.dispatch(MentionsRead { id: None }); }>"Mark all as read"</button>
        </div>
        <p class="lede">"Internal notes in which a colleague @mentioned you, your customers' messages a colleague acknowledged and forwarded to you, and, for managers, missed service-level targets whose policy escalates to you."</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        let items = list.await?;
                        Ok::<_, AppError>(if items.is_empty() {
                            view! { <EmptyState title="No mentions" detail="When a colleague writes @ and your name in a note, it shows here."/> }.into_any()
                        } else {
                            let rows = items.into_iter().map(|m| {
                                let (id, href) = (m.id, format!("/dialogue?id={}", m.conversation_id));
                                let navigate = navigate.clone();
                                let open = move |e: leptos::ev::MouseEvent| {
                                    e.prevent_default();
                                    let (navigate, href) = (navigate.clone(), href.clone());
                                    leptos::task::spawn_local(async move {
                                        let _ = mentions_read(Some(id)).await;
                                        navigate(&href, Default::default());
                                    });
                                };
                                view! {
                                    <li class=if m.unread { "mention unread" } else { "mention" }>
                                        <a class="row-link" href=format!("/dialogue?id={}", m.conversation_id) on:click=open>{m.subject.clone()}</a>
                                        {m.unread.then(|| view! { <span class="badge">"New"</span> })}
                                        <span class="meta">{format!("{} · {}", m.by.clone().unwrap_or_else(|| "A former colleague".into()), m.at)}</span>
                                        <p class="note-text">{m.text.clone()}</p>
                                    </li>
                                }
                            }).collect_view();
                            view! { <ul class="plain-list mentions" aria-label="Mentions">{rows}</ul> }.into_any()
                        })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}
