use crate::auth::Auth;
use crate::domain::access::Section;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/`: sends a signed-in user to the first section their role may open.
#[component]
pub fn Home() -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                auth.user.await.ok().flatten().map(|u| view! { <Redirect path=Section::home_for(u.role).path()/> })
            })}
        </Transition>
    }
}
