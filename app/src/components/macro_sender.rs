//! Sending a macro: the reply box's macro picker, and the server functions that list macros and send one to many dialogues at once (once per request key).

use crate::components::browser::{request_key};
use crate::error::AppError;
use crate::model::macros::{Macro, MassReplyResult};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "macros_list")]
pub async fn macros_list() -> Result<Vec<Macro>, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, _| async move { macros::list(&state.pool).await }).await
}

/// Sends a macro to each dialogue once; the same `request_key` twice sends once.
#[server(endpoint = "mass_reply", input = Json)]
pub async fn mass_reply(request_key: String, macro_id: i64, conversation_ids: Vec<i64>) -> Result<MassReplyResult, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, macros};
    authorized(Permission::MassReply, |state, user| async move {
        macros::mass_reply(&state.pool, &user, &request_key, macro_id, &conversation_ids).await
    })
    .await
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

#[server(endpoint = "macro_preview")]
pub async fn macro_preview(macro_id: i64, conversation_id: i64) -> Result<String, AppError> {
    use crate::domain::access::Permission;
    use crate::backend::{authorized, macros};
    authorized(Permission::WorkQueue, |state, user| async move { macros::preview(&state.pool, &user, macro_id, conversation_id).await })
        .await
}
