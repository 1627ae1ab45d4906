//! The top bar's SLA alerts: how many targets have warned or are missed on the dialogues
//! the signed-in agent holds or their team waits for, refreshed by live events (a warning
//! or a breach is one), linking to those dialogues closest to breach first.

use crate::error::AppError;
use crate::model::sla::SlaAlert;
use leptos::prelude::*;

#[server(endpoint = "sla_alerts")]
pub async fn sla_alerts() -> Result<Vec<SlaAlert>, AppError> {
    use crate::backend::{authorized, sla};
    authorized(crate::domain::access::Permission::WorkQueue, |state, user| async move { Ok(sla::alerts(&state.pool, user.id).await?) }).await
}

/// Fetched in the browser only (like the mentions link), so the server-rendered page and
/// hydration agree; nothing shows while there is no alert.
#[component]
pub fn SlaAlertsLink() -> impl IntoView {
    let events = crate::components::live::use_queue_events();
    let location = leptos_router::hooks::use_location();
    let alerts = RwSignal::new(Vec::<SlaAlert>::new());
    Effect::new(move |_| {
        events.track();
        location.pathname.track();
        leptos::task::spawn_local(async move {
            if let Ok(list) = sla_alerts().await {
                alerts.set(list);
            }
        });
    });
    move || {
        let list = alerts.get();
        (!list.is_empty()).then(|| {
            let n = list.len();
            let title = list.iter().take(5).map(|a| format!("#{} {} — {}", a.conversation_id, a.subject, a.metric.label())).collect::<Vec<_>>().join("\n");
            let label = if n == 1 { "1 service-level alert".to_string() } else { format!("{n} service-level alerts") };
            view! {
                <a class="sla-alerts" href="/queue?view=open&sort=breach" title=title aria-label=label.clone()>
                    {format!("⏱ {n}")}
                </a>
            }
        })
    }
}
