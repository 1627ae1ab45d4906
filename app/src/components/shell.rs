//! The signed-in frame: top bar, navigation for the user's role, sign-out, and the
//! guard that refuses a section the role may not open.

use crate::auth::{Auth, CurrentUser};
use crate::components::notice::{ErrorNotice, Loading};
use crate::domain::access::Section;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

/// Layout of every signed-in page; sends visitors to the sign-in page.
#[component]
pub fn Shell() -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => EitherOf3::A(view! { <SignedIn user/> }),
                    Ok(None) => EitherOf3::B(view! { <Redirect path="/sign-in"/> }),
                    Err(err) => EitherOf3::C(view! { <main id="main"><ErrorNotice message=err.to_string()/></main> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn SignedIn(user: CurrentUser) -> impl IntoView {
    let auth = Auth::expect();
    let sections = Section::visible_to(user.role)
        .map(|s| {
            let keys = format!("g {}", s.shortcut());
            view! { <li><A href=s.path() attr:aria-keyshortcuts=keys.clone() attr:title=format!("{} ({keys})", s.label())>{s.label()}</A></li> }
        })
        .collect_view();
    go_to_shortcuts(user.role);
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">"Meridian"</a>
            <nav aria-label="Main">
                <ul>{sections}</ul>
            </nav>
            <div class="account">
                <span class="who">
                    <span class="who-name">{user.name.clone()}</span>
                    <span class="who-role">{user.role.label()}</span>
                </span>
                <ActionForm action=auth.sign_out>
                    <button type="submit" class="button-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="main">
            <Outlet/>
        </main>
    }
}

/// `g` then a section's key navigates there, unless the person is typing in a field.
fn go_to_shortcuts(role: crate::domain::access::Role) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        use leptos_router::hooks::use_navigate;
        use wasm_bindgen::JsCast;
        let navigate = use_navigate();
        let pending_g = RwSignal::new(false);
        let handle = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
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
            } else if key == "g" {
                pending_g.set(true);
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = role;
}

/// Renders `children` only for a role that may open `section`; anyone else gets a
/// refusal (and, on the server, HTTP 403). The data behind the page is refused by its
/// server functions too: this guard is for the person, not the security.
#[component]
pub fn RequireSection(section: Section, children: ChildrenFn) -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <Title text=section.label()/>
        <Transition fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = matches!(auth.user.await, Ok(Some(u)) if u.role.can(section.permission()));
                    if allowed {
                        Either::Left(children())
                    } else {
                        #[cfg(feature = "ssr")]
                        crate::backend::set_status_for(&crate::error::AppError::Forbidden);
                        Either::Right(view! {
                            <h1>{section.label()}</h1>
                            <ErrorNotice message=format!("You do not have permission to open {}.", section.label())/>
                        })
                    }
                })
            }}
        </Transition>
    }
}
