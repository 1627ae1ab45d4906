//! `/schedule`: shifts. Agents will see their own shifts in their own time zone; managers
//! plan rosters from the forecast. Built by the shift-planning issue.

use crate::auth::Auth;
use crate::components::shell::RequireSection;
use crate::domain::access::{Permission, Section};
use leptos::prelude::*;

#[component]
pub fn SchedulePage() -> impl IntoView {
    let auth = Auth::expect();
    view! {
        <RequireSection section=Section::Schedule>
            <h1>"Schedule"</h1>
            <Transition>
                {move || Suspend::new(async move {
                    auth.user.await.ok().flatten().map(|u| {
                        let plans = u.role.can(Permission::PlanShifts);
                        view! {
                            <p class="lede">"Times on this page are in your time zone, " <strong>{u.time_zone}</strong> "."</p>
                            {plans.then(|| view! {
                                <p><a class="button" href="/schedule/plan">"Plan staffing"</a>
                                   " — the demand heatmap, the forecast and the agents each interval needs."</p>
                            })}
                        }
                    })
                })}
            </Transition>
            <div class="notice notice-info" role="status">"No shifts yet: rosters, shift swaps and time off are not built yet."</div>
        </RequireSection>
    }
}
