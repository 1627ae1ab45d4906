//! Incidents and mass mailings (managers and owners): `/reports/incidents` lists and
//! declares them; `/reports/incident?id=N` links the dialogues an incident caused (by number
//! or a whole trending topic), previews and sends updates to every linked customer on their
//! own channel, and resolves the incident with a closing message that resolves every linked
//! dialogue. A mailing is sent once even if submitted twice, and is in the audit log.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::incident::IncidentStatus;
use crate::domain::macros::TopicKind;
use crate::error::AppError;
use crate::components::trending::queue_trending;
use crate::components::browser::request_key;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use crate::model::incidents::{Incident, IncidentSummary, LinkResult, MailingPreview, MailingResult};
use crate::components::incident_badge::{IncidentLink};

#[server(endpoint = "incidents_list")]
pub async fn incidents_list() -> Result<Vec<IncidentSummary>, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move { incidents::list(&state.pool, &user.time_zone).await }).await
}

#[server(endpoint = "incident_declare")]
pub async fn incident_declare(title: String, summary: String) -> Result<i64, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move { incidents::declare(&state.pool, &user, &title, &summary).await })
        .await
}

#[server(endpoint = "incident_get")]
pub async fn incident_get(id: i64) -> Result<Incident, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move { incidents::get(&state.pool, id, &user.time_zone).await }).await
}

/// Links every waiting dialogue of a trending topic.
#[server(endpoint = "incident_link_topic")]
pub async fn incident_link_topic(id: i64, kind: TopicKind, value: String) -> Result<LinkResult, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move { incidents::link_topic(&state.pool, &user, id, kind, &value).await })
        .await
}

#[server(endpoint = "incident_unlink")]
pub async fn incident_unlink(id: i64, conversation_id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, _| async move { incidents::unlink(&state.pool, id, conversation_id).await }).await
}

#[server(endpoint = "incident_preview")]
pub async fn incident_preview(id: i64, body: String) -> Result<MailingPreview, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move { incidents::preview(&state.pool, &user, id, &body).await }).await
}

/// Sends an update to every linked customer once; with `close`, also resolves the incident
/// and all its dialogues. The same `request_key` twice sends once.
#[server(endpoint = "incident_send")]
pub async fn incident_send(id: i64, request_key: String, body: String, close: bool) -> Result<MailingResult, AppError> {
    use crate::backend::{authorized, incidents};
    use crate::domain::access::Permission;
    authorized(Permission::SendMassMailings, |state, user| async move {
        incidents::send(&state.pool, &user, id, &request_key, &body, close).await
    })
    .await
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| incidents_list());
    let declare = ServerAction::<IncidentDeclare>::new();
    let title = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::watch(
        move || declare.value().get(),
        move |v, _, _| {
            if let Some(Ok(id)) = v {
                navigate(&format!("/reports/incident?id={id}"), Default::default());
            }
        },
        false,
    );
    view! {
        <h1>"Incidents"</h1>
        <p class="lede">"When something breaks for many customers at once: link the dialogues it caused, keep every one of those customers informed on their own channel, and close them all with one message."</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let rows = list.await?;
                    if rows.is_empty() {
                        return Ok::<_, AppError>(view! { <EmptyState title="No incidents yet" detail="Declare one below when many customers write about the same problem."/> }.into_any());
                    }
                    let body = rows.into_iter().map(|i| view! {
                        <tr>
                            <th scope="row"><a href=format!("/reports/incident?id={}", i.id)>{i.title}</a></th>
                            <td><span class=format!("badge badge-{}", i.status.as_str())>{i.status.label()}</span></td>
                            <td>{i.declared_at}" by "{i.declared_by}</td>
                            <td class="num">{i.dialogues}</td>
                            <td class="num">{i.customers}</td>
                            <td class="num">{i.updates}</td>
                        </tr>
                    }).collect_view();
                    Ok(view! {
                        <table class="data-table">
                            <caption>"Incidents, open first"</caption>
                            <thead><tr>
                                <th scope="col">"Incident"</th><th scope="col">"Status"</th><th scope="col">"Declared"</th>
                                <th scope="col">"Dialogues"</th><th scope="col">"Customers"</th><th scope="col">"Updates sent"</th>
                            </tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                    }.into_any())
                })}
            </ErrorBoundary>
        </Transition>
        <h2>"Declare an incident"</h2>
        <form class="form-stack" aria-label="Declare an incident" on:submit=move |e| {
            e.prevent_default();
            declare.dispatch(IncidentDeclare { title: title.get_untracked(), summary: summary.get_untracked() });
        }>
            <label>"Title"<input type="text" required maxlength="200" placeholder="Payments failing in Europe"
                on:input=move |e| title.set(event_target_value(&e))/></label>
            <label>"What happened (for colleagues)"<textarea rows="3" maxlength="4000" on:input=move |e| summary.set(event_target_value(&e))></textarea></label>
            <button type="submit" class="button-primary" disabled=move || declare.pending().get()>"Declare incident"</button>
        </form>
        {move || declare.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let link = ServerAction::<IncidentLink>::new();
    let link_topic = ServerAction::<IncidentLinkTopic>::new();
    let unlink = ServerAction::<IncidentUnlink>::new();
    let send = ServerAction::<IncidentSend>::new();
    let incident = Resource::new(
        move || (id(), link.version().get(), link_topic.version().get(), unlink.version().get(), send.version().get()),
        |(id, ..)| incident_get(id),
    );
    let linked_note = move |r: Option<Result<LinkResult, AppError>>| {
        r.map(|r| match r {
            Ok(r) => {
                let mut text = format!("Linked {} dialogue{}", r.linked, if r.linked == 1 { "" } else { "s" });
                if r.already > 0 {
                    text.push_str(&format!(" ({} were already linked)", r.already));
                }
                if !r.missing.is_empty() {
                    let list = r.missing.iter().map(|m| format!("#{m}")).collect::<Vec<_>>().join(", ");
                    text.push_str(&format!("; no dialogue has the number {list}"));
                }
                view! { <p role="status">{text}"."</p> }.into_any()
            }
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })
    };
    view! {
        <p><a href="/reports/incidents">"All incidents"</a></p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let i = incident.await?;
                    let open = i.summary.status == IncidentStatus::Open;
                    let incident_id = i.summary.id;
                    let status = match &i.resolved_at {
                        Some(at) => format!("Resolved {at}"),
                        None => "Open".to_string(),
                    };
                    let dialogues = if i.dialogues.is_empty() {
                        view! { <EmptyState title="No dialogues linked yet" detail="Link them by number or from a trending topic below."/> }.into_any()
                    } else {
                        let rows = i.dialogues.into_iter().map(|d| {
                            let cid = d.id;
                            view! {
                                <tr>
                                    <th scope="row"><a href=format!("/dialogue?id={cid}")>{format!("#{cid} {}", d.subject)}</a></th>
                                    <td>{d.customer}</td><td>{d.channel}</td><td>{d.status.as_str()}</td>
                                    <td>{open.then(|| view! {
                                        <button type="button" on:click=move |_| { unlink.dispatch(IncidentUnlink { id: incident_id, conversation_id: cid }); }>
                                            {format!("Unlink #{cid}")}
                                        </button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>{format!("Linked dialogues ({} customers)", i.summary.customers)}</caption>
                                <thead><tr><th scope="col">"Dialogue"</th><th scope="col">"Customer"</th><th scope="col">"Channel"</th><th scope="col">"Status"</th><th scope="col"></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    };
                    let updates = i.updates.into_iter().map(|u| view! {
                        <li>
                            <p class="message-meta"><strong>{if u.closing { "Closing message" } else { "Update" }}</strong>
                                {format!(" · {} by {} · sent to {} customers", u.at, u.by, u.customers)}
                                {(u.closing).then(|| format!(" · {} dialogues resolved", u.resolved))}</p>
                            <p class="message-body">{u.body}</p>
                        </li>
                    }).collect_view();
                    Ok::<_, AppError>(view! {
                        <h1>{i.summary.title}</h1>
                        <p class="lede">{status}{format!(" · declared {} by {}", i.summary.declared_at, i.summary.declared_by)}</p>
                        {(!i.text.is_empty()).then(|| view! { <p>{i.text}</p> })}
                        {dialogues}
                        <section aria-labelledby="updates-title">
                            <h2 id="updates-title">"Updates sent"</h2>
                            {if i.summary.updates == 0 {
                                view! { <p>"None yet."</p> }.into_any()
                            } else {
                                view! { <ol class="plain-list incident-updates">{updates}</ol> }.into_any()
                            }}
                        </section>
                        {open.then(|| view! {
                            <LinkForms id=incident_id link link_topic/>
                            <Mailing id=incident_id send/>
                        })}
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || linked_note(link.value().get())}
        {move || linked_note(link_topic.value().get())}
        {move || unlink.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
        {move || send.value().get().map(|r| match r {
                Ok(r) if r.repeated => view! { <p role="status">"This mailing was already sent; nothing was sent again."</p> }.into_any(),
                Ok(r) => view! { <p role="status">{format!("Sent to {} customers.", r.customers)}
                    {(r.resolved > 0).then(|| format!(" {} dialogues resolved.", r.resolved))}</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
    }
}

#[component]
fn LinkForms(id: i64, link: ServerAction<IncidentLink>, link_topic: ServerAction<IncidentLinkTopic>) -> impl IntoView {
    let numbers = RwSignal::new(String::new());
    let topics = Resource::new(|| (), |_| queue_trending());
    view! {
        <section aria-labelledby="link-title">
            <h2 id="link-title">"Link dialogues"</h2>
            <form class="inline-form" aria-label="Link dialogues by number" on:submit=move |e| {
                e.prevent_default();
                link.dispatch(IncidentLink { id, numbers: numbers.get_untracked() });
            }>
                <label>"Dialogue numbers"<input type="text" placeholder="#1021, 1022 1040" on:input=move |e| numbers.set(event_target_value(&e))/></label>
                <button type="submit" disabled=move || link.pending().get()>"Link dialogues"</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = topics.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p>"No trending topic in the queue right now."</p> }.into_any();
                    }
                    let items = list.into_iter().map(|t| {
                        let (kind, value) = (t.kind.clone(), t.value.clone());
                        view! {
                            <li><button type="button" disabled=move || link_topic.pending().get() on:click=move |_| {
                                link_topic.dispatch(IncidentLinkTopic { id, kind, value: value.clone() });
                            }>{format!("Link the {} waiting dialogues about “{}”", t.count, t.value)}</button></li>
                        }
                    }).collect_view();
                    view! { <h3>"From a trending topic"</h3><ul class="plain-list">{items}</ul> }.into_any()
                })}
            </Suspense>
        </section>
    }
}

/// Write, preview (recipients and the text as the first reads it), confirm, send.
#[component]
fn Mailing(id: i64, send: ServerAction<IncidentSend>) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let close = RwSignal::new(false);
    let preview = ServerAction::<IncidentPreview>::new();
    // One key per previewed mailing: sending it twice sends once.
    let key = RwSignal::new(String::new());
    let shown = move || preview.value().get().and_then(|r| r.ok());
    view! {
        <section aria-labelledby="mailing-title">
            <h2 id="mailing-title">"Update the customers"</h2>
            <form class="form-stack" aria-label="Update the customers" on:submit=move |e| {
                e.prevent_default();
                key.set(request_key());
                preview.dispatch(IncidentPreview { id, body: body.get_untracked() });
            }>
                <label>"Message to every linked customer"
                    <textarea rows="5" maxlength="10000" placeholder="Hi {{customer.first_name}}, payments are failing for some customers in Europe. We are on it and will write again within the hour."
                        on:input=move |e| { body.set(event_target_value(&e)); preview.value().set(None); }></textarea>
                </label>
                <label class="check"><input type="checkbox" on:change=move |e| { close.set(event_target_checked(&e)); preview.value().set(None); }/>
                    " Closing message: resolve the incident and every linked dialogue"</label>
                <button type="submit" disabled=move || preview.pending().get()>"Preview"</button>
            </form>
            {move || preview.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
            {move || shown().map(|p| {
                let n = p.recipients.len();
                let rows = p.recipients.into_iter().map(|r| view! {
                    <tr><th scope="row">{r.customer}</th><td><a href=format!("/dialogue?id={}", r.dialogue_id)>{format!("#{}", r.dialogue_id)}</a></td><td>{r.how}</td></tr>
                }).collect_view();
                let verb = if close.get() { "Send and resolve" } else { "Send" };
                view! {
                    <div class="macro-preview" role="region" aria-label="Preview of the mailing">
                        <p>{p.first_text.unwrap_or_default()}</p>
                    </div>
                    <table class="data-table">
                        <caption>{format!("Recipients: {n} customers, each once")}</caption>
                        <thead><tr><th scope="col">"Customer"</th><th scope="col">"In dialogue"</th><th scope="col">"Reaches them by"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <button type="button" class="button-primary" disabled=move || send.pending().get() on:click=move |_| {
                        send.dispatch(IncidentSend { id, request_key: key.get_untracked(), body: body.get_untracked(), close: close.get_untracked() });
                    }>{format!("{verb} to {n} customers")}</button>
                }
            })}
        </section>
    }
}
