//! `/admin/webhooks` (owners): outgoing event webhooks for integrations. Subscribe an
//! address to events (a dialogue created or resolved, a message, an SLA breach, a rating);
//! each delivery is signed with the subscription's secret (shown once), retried with a
//! growing pause, and its attempts are listed here.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::dialogue::format_waiting;
use crate::domain::webhooks::WebhookEvent;
use crate::error::AppError;
use crate::model::webhooks::{WebhookCreated, WebhookDelivery, WebhookInput, WebhookSubscription};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "webhooks_overview")]
pub async fn webhooks_overview() -> Result<(Vec<WebhookSubscription>, Vec<WebhookDelivery>, i64), AppError> {
    use crate::backend::{authorized, webhooks};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, _| async move {
        Ok((webhooks::list(&state.pool).await?, webhooks::deliveries(&state.pool, None).await?, chrono::Utc::now().timestamp()))
    })
    .await
}

#[server(endpoint = "webhook_create", input = Json)]
pub async fn webhook_create(input: WebhookInput) -> Result<WebhookCreated, AppError> {
    use crate::backend::{reauthorized, webhooks};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageSettings, |state, user| async move { webhooks::create(&state.pool, &user, &input).await }).await
}

#[server(endpoint = "webhook_set_active")]
pub async fn webhook_set_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, webhooks};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, user| async move { webhooks::set_active(&state.pool, &user, id, active).await }).await
}

#[server(endpoint = "webhook_delete")]
pub async fn webhook_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, webhooks};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, user| async move { webhooks::delete(&state.pool, &user, id).await }).await
}

#[component]
pub fn WebhooksAdminPage() -> impl IntoView {
    let create = ServerAction::<WebhookCreate>::new();
    let toggle = ServerAction::<WebhookSetActive>::new();
    let delete = ServerAction::<WebhookDelete>::new();
    let data = Resource::new(move || (create.version().get(), toggle.version().get(), delete.version().get()), |_| webhooks_overview());
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let events = RwSignal::new(vec![WebhookEvent::DialogueCreated]);
    let boxes = WebhookEvent::ALL
        .iter()
        .filter(|e| e.subscribable())
        .map(|&e| {
            view! {
                <label class="inline-field"><input type="checkbox" prop:checked=move || events.with(|v| v.contains(&e))
                    on:change=move |ev| { let on = event_target_checked(&ev); events.update(|v| { v.retain(|x| *x != e); if on { v.push(e); } }); }/>
                    {format!(" {} ({})", e.label(), e.as_str())}</label>
            }
        })
        .collect_view();
    view! {
        <p><a href="/admin">"Admin"</a></p>
        <h1>"Webhooks"</h1>
        <p class="lede">"Meridian posts each event you subscribe to as JSON to your address, signed: "
            <code>"X-Meridian-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the secret>"</code>
            ". Refuse a delivery whose signature does not match or whose time is more than 5 minutes off; "
            <code>"X-Meridian-Delivery"</code>" is the same on every retry of one delivery. Failed deliveries are tried again, \
            waiting longer each time, up to 10 attempts."</p>
        {move || create.value().get().map(|r| match r {
            Ok(made) => view! {
                <div class="notice notice-info" role="status">
                    <p>"Webhook saved. Its signing secret, shown only now:"</p>
                    <p><code class="invite-link" data-testid="webhook-secret">{made.secret}</code></p>
                </div>
            }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })}
        {move || [toggle.value().get().and_then(|r| r.err()), delete.value().get().and_then(|r| r.err())].into_iter().flatten().next()
            .map(|e| view! { <ErrorNotice message=e.to_string()/> })}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (subscriptions, deliveries, now) = data.await?;
                    let list = if subscriptions.is_empty() {
                        view! { <EmptyState title="No webhooks yet" detail="Subscribe an address below to send events to Slack, an issue tracker or a CRM."/> }.into_any()
                    } else {
                        let rows = subscriptions.into_iter().map(|s| {
                            let id = s.id;
                            let active = s.active;
                            let events = s.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                            let (toggle_name, delete_name) = (format!("{} {}", if active { "Pause" } else { "Resume" }, s.url), format!("Delete {}", s.url));
                            view! {
                                <tr>
                                    <th scope="row"><code>{s.url.clone()}</code>{(!s.description.is_empty()).then(|| view! { <br/><span class="muted">{s.description.clone()}</span> })}</th>
                                    <td>{events}</td>
                                    <td>{if active { "Active" } else { "Paused" }}</td>
                                    <td>{format!("{} delivered, {} waiting, {} given up", s.delivered, s.pending, s.given_up)}</td>
                                    <td class="toolbar">
                                        <button type="button" aria-label=toggle_name on:click=move |_| { toggle.dispatch(WebhookSetActive { id, active: !active }); }>
                                            {if active { "Pause" } else { "Resume" }}</button>
                                        <button type="button" class="danger" aria-label=delete_name on:click=move |_| { delete.dispatch(WebhookDelete { id }); }>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>"Subscriptions"</caption>
                                <thead><tr><th scope="col">"Address"</th><th scope="col">"Events"</th><th scope="col">"State"</th>
                                    <th scope="col">"Deliveries"</th><th scope="col"></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    };
                    let attempts = (!deliveries.is_empty()).then(|| {
                        let rows = deliveries.into_iter().map(|d| {
                            let outcome = match (&d.last_status, &d.last_error) {
                                (_, Some(e)) => e.clone(),
                                (Some(s), None) => format!("HTTP {s}"),
                                _ => "not tried yet".to_string(),
                            };
                            let dialogue = d.conversation_id.map(|c| view! { <a href=format!("/dialogue?id={c}")>{format!("#{c}")}</a> });
                            view! {
                                <tr>
                                    <td>{d.id}</td><td>{d.event.as_str()}</td><td>{dialogue}</td><td>{d.state.label()}</td>
                                    <td>{d.attempts}</td><td>{outcome}</td><td>{format!("{} ago", format_waiting(now - d.created_epoch))}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>"Latest deliveries"</caption>
                                <thead><tr><th scope="col">"Delivery"</th><th scope="col">"Event"</th><th scope="col">"Dialogue"</th><th scope="col">"State"</th>
                                    <th scope="col">"Attempts"</th><th scope="col">"Last answer"</th><th scope="col">"Queued"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                    });
                    Ok::<_, AppError>(view! { {list} {attempts} })
                })}
            </ErrorBoundary>
        </Transition>
        <h2>"Subscribe an address"</h2>
        <form class="form-grid" aria-label="Subscribe an address" on:submit=move |e| {
            e.prevent_default();
            create.dispatch(WebhookCreate { input: WebhookInput { url: url.get_untracked(), events: events.get_untracked(), description: description.get_untracked() } });
        }>
            <label>"Address"<input type="text" required maxlength="2000" placeholder="https://hooks.example.com/meridian"
                prop:value=move || url.get() on:input=move |e| url.set(event_target_value(&e))/></label>
            <label>"Description"<input type="text" maxlength="200" placeholder="Slack #support" prop:value=move || description.get()
                on:input=move |e| description.set(event_target_value(&e))/></label>
            <div role="group" aria-label="Events">{boxes}</div>
            <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Subscribe"</button>
        </form>
    }
}
