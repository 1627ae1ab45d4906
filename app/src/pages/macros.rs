//! Macros and mass replies: `/queue/macros` (managers write the team's canned replies,
//! agents read them), the queue's trending topics with a mass reply (select, preview,
//! confirm), and sending a macro from a dialogue.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::access::Permission;
use crate::domain::macros::PLACEHOLDERS;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use crate::model::macros::{Macro, MacroInput};
use crate::components::macro_sender::{macros_list};

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

#[component]
pub fn MacrosPage() -> impl IntoView {
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
                                id: Some(m.id), name: m.name.clone(), body: m.body.clone(), set_status: m.set_status.map(|s| s.as_str().to_string()),
                                add_tags: m.add_tags.join(", "), set_priority: m.set_priority.map(|p| p.as_str().to_string()),
                            };
                            let changes = [
                                m.set_status.map(|s| format!("sets status {}", s.as_str())),
                                (!m.add_tags.is_empty()).then(|| format!("adds tags {}", m.add_tags.join(", "))),
                                m.set_priority.map(|p| format!("priority {}", p.as_str())),
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
