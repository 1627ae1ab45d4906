//! The signed-in frame: top bar, navigation for the user's role, sign-out, and the
//! guard that refuses a section the role may not open.

use crate::auth::Auth;
use crate::components::notice::ErrorNotice;
use crate::domain::access::Section;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};
use crate::model::user::{CurrentUser};

/// Layout of every signed-in page; sends visitors to the sign-in page. Only the top bar
/// waits for the user: the page (`<Outlet/>`) stays outside any Suspense, because a
/// suspending parent route around a suspending page breaks hydration in Leptos 0.8
/// (leptos-rs/leptos#3726).
#[component]
pub fn Shell() -> impl IntoView {
    let auth = Auth::expect();
    crate::components::live::provide_queue_events();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Transition fallback=|| view! { <header class="topbar"><span class="brand">"Meridian"</span></header> }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => EitherOf3::A(view! { <TopBar user/> }),
                    Ok(None) => EitherOf3::B(view! { <Redirect path="/sign-in"/> }),
                    Err(err) => EitherOf3::C(view! { <ErrorNotice message=err.to_string()/> }),
                }
            })}
        </Transition>
        <main id="main">
            <Outlet/>
        </main>
    }
}

#[component]
fn TopBar(user: CurrentUser) -> impl IntoView {
    let auth = Auth::expect();
    let sections = Section::visible_to(user.role)
        .map(|s| {
            let keys = format!("g {}", s.shortcut());
            // No aria-keyshortcuts here: ARIA has no key sequences, and "g s" would read as
            // "g or s", letting a page's own single-key shortcut land on the navigation.
            view! { <li><A href=s.path() attr:title=format!("{} ({keys})", s.label())>{s.label()}</A></li> }
        })
        .collect_view();
    let help_open = RwSignal::new(false);
    keyboard_shortcuts(user.role, help_open);
    view! {
        <ShortcutHelp open=help_open role=user.role/>
        <header class="topbar">
            <a class="brand" href="/">"Meridian"</a>
            <nav aria-label="Main">
                <ul>{sections}</ul>
            </nav>
            <div class="account">
                {user.role.can(crate::domain::access::Permission::WorkQueue).then(|| view! { <crate::components::sla_alerts::SlaAlertsLink/> <crate::components::mentions_link::MentionsLink/> })}
                <a class="who" href="/account" title="Account settings">
                    <span class="who-name">{user.name.clone()}</span>
                    <span class="who-role">{user.role.label()}</span>
                </a>
                <ActionForm action=auth.sign_out>
                    <button type="submit" class="button-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}

/// The keyboard, for people who live in the app:
/// - `g` then a section's key navigates there (`g q` → Queue);
/// - `j` / `k` move between the rows of a list (Enter opens the focused one);
/// - any other key activates the element on the page that declares it in
///   `aria-keyshortcuts` (a button is clicked, a field focused), e.g. `c` Claim;
/// - `?` shows them all. Nothing fires while the person is typing in a field.
fn keyboard_shortcuts(role: crate::domain::access::Role, help_open: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        use leptos::web_sys::{Element, HtmlElement};
        use leptos_router::hooks::use_navigate;
        use wasm_bindgen::JsCast;
        let navigate = use_navigate();
        let pending_g = RwSignal::new(false);
        let handle = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let typing = target
                .as_ref()
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"));
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let key = e.key();
            if pending_g.get_untracked() {
                pending_g.set(false);
                if let Some(section) = key.chars().next().and_then(|c| Section::from_shortcut(role, c)) {
                    e.prevent_default();
                    navigate(section.path(), Default::default());
                }
                return;
            }
            let doc = document();
            match key.as_str() {
                "g" => pending_g.set(true),
                "?" => help_open.update(|open| *open = !*open),
                "Escape" => help_open.set(false),
                "j" | "k" => {
                    let Ok(links) = doc.query_selector_all(".row-link") else { return };
                    let count: u32 = links.length();
                    if count == 0 {
                        return;
                    }
                    let active = doc.active_element();
                    let current = (0..count).find(|i| {
                        links.item(*i).zip(active.clone()).is_some_and(|(l, a)| l.is_same_node(Some(&a)))
                    });
                    let next = match (current, key.as_str()) {
                        (None, _) => 0,
                        (Some(i), "j") => (i + 1).min(count - 1),
                        (Some(i), _) => i.saturating_sub(1),
                    };
                    if let Some(link) = links.item(next).and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
                        e.prevent_default();
                        let _ = link.focus();
                    }
                }
                other => {
                    let Ok(Some(el)) = doc.query_selector(&format!("[aria-keyshortcuts~=\"{other}\"]")) else { return };
                    let Ok(el) = el.dyn_into::<HtmlElement>() else { return };
                    e.prevent_default();
                    if matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
                        let _ = el.focus();
                    } else {
                        el.click();
                    }
                }
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (role, help_open);
}

/// The list `?` opens.
#[component]
fn ShortcutHelp(open: RwSignal<bool>, role: crate::domain::access::Role) -> impl IntoView {
    let sections = move || {
        Section::visible_to(role)
            .map(|s| view! { <tr><td><kbd>"g"</kbd> " " <kbd>{s.shortcut().to_string()}</kbd></td><td>{format!("Go to {}", s.label())}</td></tr> })
            .collect_view()
    };
    view! {
        <Show when=move || open.get()>
            <div class="shortcut-help" role="dialog" aria-modal="false" aria-label="Keyboard shortcuts">
                <h2>"Keyboard shortcuts"</h2>
                <table class="data-table">
                    <tbody>
                        {sections()}
                        <tr><td><kbd>"j"</kbd> " / " <kbd>"k"</kbd></td><td>"Next / previous dialogue in a list"</td></tr>
                        <tr><td><kbd>"Enter"</kbd></td><td>"Open the selected dialogue"</td></tr>
                        <tr><td><kbd>"c"</kbd></td><td>"Claim the dialogue"</td></tr>
                        <tr><td><kbd>"r"</kbd></td><td>"Write a reply (Ctrl+Enter sends)"</td></tr>
                        <tr><td><kbd>"n"</kbd></td><td>"Write an internal note"</td></tr>
                        <tr><td><kbd>"p"</kbd></td><td>"Postpone"</td></tr>
                        <tr><td><kbd>"e"</kbd></td><td>"Resolve"</td></tr>
                        <tr><td><kbd>"?"</kbd></td><td>"Show or hide this list"</td></tr>
                    </tbody>
                </table>
                <button on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </Show>
    }
}

/// Renders `children` only for a role that may open `section`; anyone else gets a
/// refusal (and, on the server, HTTP 403). The data behind the page is refused by its
/// server functions too: this guard is for the person, not the security.
///
/// It reads the user without suspending: the shell's top bar already waits for it, and
/// a Suspense here around the page's own would break hydration (leptos-rs/leptos#3726).
#[component]
pub fn RequireSection(section: Section, children: ChildrenFn) -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <Title text=section.label()/>
        {move || {
            let user = auth.user.get().and_then(Result::ok).flatten();
            match user {
                Some(u) if u.role.can(section.permission()) => EitherOf3::A(children()),
                Some(_) => {
                    #[cfg(feature = "ssr")]
                    crate::backend::set_status_for(&crate::error::AppError::Forbidden);
                    EitherOf3::B(view! {
                        <h1>{section.label()}</h1>
                        <ErrorNotice message=format!("You do not have permission to open {}.", section.label())/>
                    })
                }
                // Visitors: the shell sends them to the sign-in page.
                None => EitherOf3::C(()),
            }
        }}
    }
}
