//! In a dialogue: the incident it is part of, and for managers a way to link it to an open one.

use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::model::incidents::{IncidentsOfDialogue, LinkResult};
use leptos::prelude::*;

#[server(endpoint = "dialogue_incidents")]
pub async fn dialogue_incidents(id: i64) -> Result<IncidentsOfDialogue, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        let may_link = user.role.can(Permission::SendMassMailings);
        incidents::of_dialogue(&state.pool, id, may_link).await
    })
    .await
}

/// Links dialogues typed as numbers (`#12, 34 56`).
#[server(endpoint = "incident_link")]
pub async fn incident_link(id: i64, numbers: String) -> Result<LinkResult, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move {
        let ids = crate::domain::incident::parse_dialogue_ids(&numbers).map_err(AppError::Invalid)?;
        incidents::link(&state.pool, &user, id, &ids).await
    })
    .await
}

/// In a dialogue: the incident it is part of (its customer gets the incident's updates, so
/// there is no need to explain the outage again), and for managers a way to link it. The
/// page owns `link`, above what live updates redraw, and loads the dialogue again when it
/// settles.
#[component]
pub fn DialogueIncident(conversation_id: i64, link: ServerAction<IncidentLink>) -> impl IntoView {
    let data = Resource::new(move || link.version().get(), move |_| dialogue_incidents(conversation_id));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let d = data.await.ok()?;
                let linked = d.linked.into_iter().map(|(id, title, status)| {
                    let text = if status == "open" { "Part of the open incident" } else { "Was part of the incident" };
                    view! { <p class="notice notice-info incident-note">{text}" "<a href=format!("/reports/incident?id={id}")>{format!("“{title}”")}</a>
                        {(status == "open").then_some(": its updates reach this customer.")}</p> }
                }).collect_view();
                let form = (d.may_link && !d.open.is_empty()).then(|| {
                    let options = d.open.into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view();
                    view! {
                        // A plain form posted to the server function: it works the same
                        // whether or not the page has hydrated yet when someone submits.
                        <ActionForm action=link attr:class="inline-form" attr:aria-label="Link to an incident">
                            <input type="hidden" name="numbers" value=conversation_id.to_string()/>
                            <label>"Incident"<select name="id" required>
                                <option value="">"Choose an open incident"</option>{options}</select></label>
                            <button type="submit" disabled=move || link.pending().get()>"Link to incident"</button>
                        </ActionForm>
                    }
                });
                Some(view! { {linked} {form} })
            })}
        </Suspense>
        {move || link.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
    }
}
