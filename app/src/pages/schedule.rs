//! `/schedule`: an agent's own shifts in their own time zone; managers also get the way
//! to the staffing plan and the roster generator.

use crate::auth::Auth;
use crate::components::notice::EmptyState;
use crate::components::shell::RequireSection;
use crate::domain::access::{Permission, Section};
use crate::error::AppError;
use crate::wfm_model::MyShift;
use leptos::prelude::*;

#[server(endpoint = "my_shifts")]
pub async fn load_my_shifts() -> Result<Vec<MyShift>, AppError> {
    use crate::backend::{authorized, wfm};
    authorized(Permission::ViewOwnSchedule, |state, user| async move { wfm::my_shifts(&state.pool, user.id, &user.time_zone).await }).await
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    let auth = Auth::expect();
    let shifts = Resource::new(|| (), |_| load_my_shifts());
    view! {
        <RequireSection section=Section::Schedule>
            <h1>"Schedule"</h1>
            <Transition>
                {move || Suspend::new(async move {
                    let user = auth.user.await.ok().flatten();
                    let shifts = shifts.await.unwrap_or_default();
                    user.map(|u| {
                        let plans = u.role.can(Permission::PlanShifts);
                        let list = if shifts.is_empty() {
                            view! { <EmptyState title="No shifts ahead" detail="When your manager publishes a roster, your shifts appear here in your time zone."/> }.into_any()
                        } else {
                            let rows = shifts.into_iter().map(|s| view! {
                                <tr><td>{s.starts}</td><td>{s.ends}</td><td>{format!("{:.1} h", s.hours)}</td><td>{format!("{} min", s.break_minutes)}</td></tr>
                            }).collect_view();
                            view! {
                                <table class="list compact" aria-label="My shifts">
                                    <thead><tr><th>"Starts"</th><th>"Ends"</th><th>"Length"</th><th>"Break"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }.into_any()
                        };
                        view! {
                            <p class="lede">"Times on this page are in your time zone, " <strong>{u.time_zone}</strong> "."</p>
                            {plans.then(|| view! {
                                <p><a class="button" href="/schedule/plan">"Plan staffing"</a>
                                   " — the demand heatmap, the forecast, the agents each interval needs and the roster."</p>
                            })}
                            <h2>"My shifts"</h2>
                            {list}
                        }
                    })
                })}
            </Transition>
        </RequireSection>
    }
}
