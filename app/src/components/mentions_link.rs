//! The top bar's link to the mentions page, with the unread count.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "mentions_unread")]
pub async fn mentions_unread() -> Result<i64, AppError> {
    use crate::backend::{authorized, mentions};
    authorized(crate::domain::access::Permission::WorkQueue, |state, user| async move { mentions::unread(&state.pool, user.id).await }).await
}

/// The top bar's link to `/mentions` with the unread count, refreshed by live events.
/// Fetched in the browser only, so the server-rendered page and hydration agree.
#[component]
pub fn MentionsLink() -> impl IntoView {
    let events = crate::components::live::use_queue_events();
    // Again on every live event and on every navigation (opening a mention reads it). An
    // effect, not a resource: it runs only in the browser and never holds up the page.
    let location = leptos_router::hooks::use_location();
    let unread = RwSignal::new(0i64);
    Effect::new(move |_| {
        events.track();
        location.pathname.track();
        location.search.track();
        leptos::task::spawn_local(async move {
            if let Ok(n) = mentions_unread().await {
                unread.set(n);
            }
        });
    });
    let count = move || unread.get();
    view! {
        <a class="mentions-link" href="/mentions"
            aria-label=move || match count() { 0 => "Mentions".to_string(), n => format!("Mentions, {n} unread") }>
            "@"
            {move || (count() > 0).then(|| view! { <span class="count" aria-hidden="true">{count()}</span> })}
        </a>
    }
}
