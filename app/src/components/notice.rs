//! How errors and empty states look everywhere: a sentence in a live region.

use leptos::prelude::*;

/// An error the user should read, announced to screen readers. A sensitive action refused
/// for an old password proof carries its remedy: a box to confirm the password, after
/// which the person does it again.
#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    let confirm = (message == crate::error::REAUTH_SENTENCE).then(|| view! { <ConfirmPassword/> });
    view! { <div class="notice notice-error" role="alert">{message}</div> {confirm} }
}

/// "Confirm your password" (sessions to AAL2: sensitive actions need a recent proof).
#[component]
fn ConfirmPassword() -> impl IntoView {
    let confirm = ServerAction::<crate::auth::ConfirmPassword>::new();
    view! {
        <ActionForm action=confirm attr:class="stack narrow" attr:aria-label="Confirm your password">
            <label for="confirm-password">"Your password"</label>
            <input id="confirm-password" name="password" type="password" autocomplete="current-password" required/>
            <button type="submit" disabled=move || confirm.pending().get()>"Confirm my password"</button>
        </ActionForm>
        {move || confirm.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice notice-info" role="status">"Confirmed for the next 15 minutes. Now do it again."</p> }.into_any(),
            Err(e) => view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> }.into_any(),
        })}
    }
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
