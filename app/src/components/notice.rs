//! How errors and empty states look everywhere: a sentence in a live region.

use leptos::prelude::*;

/// An error the user should read, announced to screen readers.
#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    view! { <div class="notice notice-error" role="alert">{message}</div> }
}

/// The fallback of every `ErrorBoundary`: each error as its sentence.
pub fn error_fallback(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            {move || errors.get().into_iter().map(|(_, e)| view! { <p>{e.to_string()}</p> }).collect_view()}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// What a list shows when it has nothing in it.
#[component]
pub fn EmptyState(#[prop(into)] title: String, #[prop(into)] detail: String) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-title">{title}</p>
            <p>{detail}</p>
        </div>
    }
}
