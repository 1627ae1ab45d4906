//! What the editors of ordered lists share (SLA policies, rules): which row is open and
//! its draft, the sentence after a save or a failure, and each row's edit / move / delete
//! buttons, named after the row for screen readers.

use super::notice::ErrorNotice;
use leptos::prelude::*;

/// The row open in the editor (`None`: a new one) and its draft; both start over once
/// `saved` turns true.
pub fn editor_state<T: Clone + Send + Sync + 'static>(saved: impl Fn() -> bool + 'static, blank: fn() -> T) -> (RwSignal<Option<i64>>, RwSignal<T>) {
    let editing = RwSignal::new(None::<i64>);
    let draft = RwSignal::new(blank());
    Effect::new(move |_| {
        if saved() {
            editing.set(None);
            draft.set(blank());
        }
    });
    (editing, draft)
}

/// The first error among the editor's actions, or `message` once a save went through.
#[component]
pub fn EditorOutcome(#[prop(into)] error: Signal<Option<String>>, #[prop(into)] saved: Signal<bool>, message: &'static str) -> impl IntoView {
    move || match (error.get(), saved.get()) {
        (Some(e), _) => Some(view! { <ErrorNotice message=e/> }.into_any()),
        (None, true) => Some(view! { <div class="notice notice-info" role="status">{message}</div> }.into_any()),
        _ => None,
    }
}

/// One row's buttons: edit, move up (not on the first), move down (not on the last), delete.
#[component]
pub fn RowTools(
    name: String,
    first: bool,
    last: bool,
    #[prop(into)] edit: Callback<()>,
    #[prop(into)] shift: Callback<bool>,
    #[prop(into)] remove: Callback<()>,
) -> impl IntoView {
    let (edit_name, up_name, down_name, delete_name) = (format!("Edit {name}"), format!("Move {name} up"), format!("Move {name} down"), format!("Delete {name}"));
    view! {
        <td class="toolbar">
            <button type="button" on:click=move |_| edit.run(())>{edit_name}</button>
            <button type="button" disabled=first aria-label=up_name on:click=move |_| shift.run(true)>"↑"</button>
            <button type="button" disabled=last aria-label=down_name on:click=move |_| shift.run(false)>"↓"</button>
            <button type="button" class="danger" on:click=move |_| remove.run(())>{delete_name}</button>
        </td>
    }
}

/// The message of an action's last failure, if its last run failed.
pub fn failure<T, E: std::fmt::Display>(last: Option<Result<T, E>>) -> Option<String> {
    last.and_then(|r| r.err()).map(|e| e.to_string())
}
