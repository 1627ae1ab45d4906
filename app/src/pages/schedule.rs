//! `/schedule`: shifts. Agents will see their own shifts in their own time zone; managers
//! plan rosters from the forecast. Built by the shift-planning issue.

use crate::auth::Auth;
use crate::components::shell::RequireSection;
use crate::domain::access::Section;
use leptos::prelude::*;

#[component]
pub fn SchedulePage() -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <RequireSection section=Section::Schedule>
            <h1>"Schedule"</h1>
            <Transition>
                {move || Suspend::new(async move {
                    auth.user.await.ok().flatten().map(|u| view! {
                        <p class="lede">"Times on this page are in your time zone, " <strong>{u.time_zone}</strong> "."</p>
                    })
                })}
            </Transition>
            <div class="notice notice-info" role="status">"No shifts planned yet. Forecasts, Erlang C staffing and rosters are being built."</div>
        </RequireSection>
    }
}
