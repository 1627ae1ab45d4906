//! The team's support promise, set by an owner in Admin, shown at the top of everyone's
//! home page (the queue for agents and managers, the knowledge base for reviewers).

use crate::error::AppError;
use leptos::prelude::*;

/// The promise, or an empty string when none is set.
#[server(endpoint = "support_promise")]
pub async fn support_promise() -> Result<String, AppError> {
    use crate::backend::{authorized, settings};
    use crate::domain::access::Permission;
    authorized(Permission::ReadKnowledgeBase, |state, _| async move { Ok(settings::support_promise(&state.pool).await?) }).await
}

#[component]
pub fn SupportPromise() -> impl IntoView {
    let promise = Resource::new(|| (), |_| support_promise());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let text = promise.await.unwrap_or_default();
                (!text.is_empty()).then(|| view! {
                    <aside class="support-promise" aria-label="Our support promise"><strong>"Our promise: "</strong>{text}</aside>
                })
            })}
        </Suspense>
    }
}
