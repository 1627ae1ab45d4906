//! `/schedule`: an agent's own shifts in their own time zone, a private calendar link, and
//! time off; managers also approve time off and reach the staffing plan.

use crate::components::notice::{EmptyState, ErrorNotice};
use crate::error::AppError;
use crate::model::wfm::{ScheduleOverview, TimeOff};
use leptos::prelude::*;

#[server(endpoint = "schedule_overview")]
pub async fn load_schedule() -> Result<ScheduleOverview, AppError> {
    use crate::backend::{authorized, schedule, users};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnSchedule, |state, user| async move {
        let can_plan = user.role.can(Permission::PlanShifts);
        // Every active agent, read once: planners pick from all of them, anyone offers a
        // swap to the others.
        let agents = users::agents(&state.pool).await?;
        let colleagues = agents.iter().filter(|(id, _)| *id != user.id).cloned().collect();
        Ok(ScheduleOverview {
            shifts: schedule::my_shifts(&state.pool, user.id, &user.time_zone).await?,
            my_time_off: schedule::time_off(&state.pool, Some(user.id), &user.time_zone).await?,
            pending: if can_plan { schedule::time_off(&state.pool, None, &user.time_zone).await? } else { Vec::new() },
            on_shift_now: if can_plan { schedule::team_shifts(&state.pool, &user.time_zone, true).await? } else { Vec::new() },
            upcoming: if can_plan { schedule::team_shifts(&state.pool, &user.time_zone, false).await? } else { Vec::new() },
            agents: if can_plan { agents } else { Vec::new() },
            swaps: schedule::swaps(&state.pool, Some(user.id), &user.time_zone).await?,
            pending_swaps: if can_plan { schedule::swaps(&state.pool, None, &user.time_zone).await? } else { Vec::new() },
            colleagues,
            handover: schedule::handover(&state.pool, user.id, &user.time_zone).await?,
            time_zone: user.time_zone,
            can_plan,
        })
    })
    .await
}

/// A new private calendar link (the previous one stops working).
#[server(endpoint = "calendar_link")]
pub async fn calendar_link() -> Result<String, AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnSchedule, |state, user| async move {
        let token = schedule::rotate_calendar_token(&state.pool, user.id).await?;
        let base = state.settings.public_url.clone().unwrap_or_default();
        Ok(format!("{}/calendar/{token}.ics", base.trim_end_matches('/')))
    })
    .await
}

#[server(endpoint = "request_time_off")]
pub async fn request_time_off(from: String, to: String, reason: String) -> Result<(), AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnSchedule, |state, user| async move {
        schedule::request_time_off(&state.pool, user.id, &user.time_zone, &from, &to, &reason).await.map(|_| ())
    })
    .await
}

#[server(endpoint = "decide_time_off")]
pub async fn decide_time_off(id: i64, approve: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move { schedule::decide_time_off(&state.pool, user.id, id, approve).await }).await
}

/// A manager places a shift by hand (`day`, `start` in their time zone).
#[server(endpoint = "add_shift")]
pub async fn add_shift(agent: i64, day: String, start: String, hours: f64) -> Result<i64, AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move {
        schedule::add_shift(&state.pool, user.id, agent, &user.time_zone, &day, &start, hours).await
    })
    .await
}

#[server(endpoint = "delete_shift")]
pub async fn delete_shift(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    authorized(Permission::PlanShifts, |state, user| async move {
        schedule::delete_shift(&state.pool, id).await?;
        Ok(crate::backend::audit::by(&state.pool, &user, AuditAction::Deleted, &format!("shift {id}"), "").await?)
    })
    .await
}

/// Offers one of my coming shifts to a colleague.
#[server(endpoint = "offer_swap")]
pub async fn offer_swap(shift: i64, to: i64) -> Result<i64, AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnSchedule, |state, user| async move { schedule::offer_swap(&state.pool, user.id, shift, to).await }).await
}

#[server(endpoint = "decide_swap")]
pub async fn decide_swap(id: i64, approve: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move { schedule::decide_swap(&state.pool, user.id, id, approve).await }).await
}

#[server(endpoint = "save_handover")]
pub async fn save_handover(body: String) -> Result<(), AppError> {
    use crate::backend::{authorized, schedule};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnSchedule, |state, user| async move { schedule::save_handover(&state.pool, user.id, &body).await }).await
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    // Actions above the reloaded content, so their outcome stays on screen.
    let ask = ServerAction::<RequestTimeOff>::new();
    let decide = ServerAction::<DecideTimeOff>::new();
    let link = ServerAction::<CalendarLink>::new();
    let place = ServerAction::<AddShift>::new();
    let remove = ServerAction::<DeleteShift>::new();
    let offer = ServerAction::<OfferSwap>::new();
    let swap = ServerAction::<DecideSwap>::new();
    let note = ServerAction::<SaveHandover>::new();
    let data = Resource::new(
        move || {
            (
                (ask.version().get(), decide.version().get(), place.version().get(), remove.version().get()),
                (offer.version().get(), swap.version().get(), note.version().get()),
            )
        },
        |_| load_schedule(),
    );
    let errors = move || {
        [
            ask.value().get().and_then(|r| r.err()),
            decide.value().get().and_then(|r| r.err()),
            place.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
            offer.value().get().and_then(|r| r.err()),
            swap.value().get().and_then(|r| r.err()),
            note.value().get().and_then(|r| r.err()),
        ]
            .into_iter()
            .flatten()
            .map(|e| view! { <ErrorNotice message=e.to_string()/> })
            .collect_view()
    };
    view! {
        <h1>"Schedule"</h1>
        {move || {
            let auth = crate::auth::Auth::expect();
            let works = auth.user.get().and_then(Result::ok).flatten().is_some_and(|u| u.role.can(crate::domain::access::Permission::WorkQueue));
            works.then(|| view! { <p class="report-links"><a href="/agent">"Your performance and this week's top 5"</a></p> })
        }}
        {errors}
        <Transition>
            {move || Suspend::new(async move {
                data.await.map(|o| {
                    let manage = o.can_plan.then(|| view! { <TeamShifts now=o.on_shift_now.clone() upcoming=o.upcoming.clone() agents=o.agents.clone() place remove/> });
                    let swaps = view! { <Swaps o=o.clone() offer swap/> };
                    let handover = o.handover.clone().map(|h| view! { <HandoverNote h note/> });
                    view! { {handover} <ScheduleBody o ask decide link/> {swaps} {manage} }
                })
            })}
        </Transition>
    }
}

#[component]
fn ScheduleBody(o: ScheduleOverview, ask: ServerAction<RequestTimeOff>, decide: ServerAction<DecideTimeOff>, link: ServerAction<CalendarLink>) -> impl IntoView {
    let list = if o.shifts.is_empty() {
        view! { <EmptyState title="No shifts ahead" detail="When your manager publishes a roster, your shifts appear here in your time zone."/> }.into_any()
    } else {
        let rows = o
            .shifts
            .into_iter()
            .map(|s| view! { <tr><td>{s.starts}</td><td>{s.ends}</td><td>{format!("{:.1} h", s.hours)}</td><td>{format!("{} min", s.break_minutes)}</td></tr> })
            .collect_view();
        view! {
            <table class="list compact" aria-label="My shifts">
                <thead><tr><th>"Starts"</th><th>"Ends"</th><th>"Length"</th><th>"Break"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let (from, to, reason) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let feed = move || {
        link.value().get().map(|r| match r {
            Ok(url) => view! {
                <p class="notice notice-info" role="status">"Subscribe to this address in your calendar app (it is shown once; keep it private): "
                    <code data-testid="calendar-url">{url}</code></p>
            }
            .into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })
    };
    let requests = o.my_time_off.into_iter().map(|t| view! { <li>{time_off_line(&t)}</li> }).collect_view();
    let pending = (o.can_plan && !o.pending.is_empty()).then(|| {
        let rows = o
            .pending
            .into_iter()
            .map(|t| {
                let id = t.id;
                view! {
                    <li>{time_off_line(&t)} " "
                        <button on:click=move |_| { decide.dispatch(DecideTimeOff { id, approve: true }); }>{format!("Approve {}'s time off", t.agent)}</button>
                        " "
                        <button on:click=move |_| { decide.dispatch(DecideTimeOff { id, approve: false }); }>"Reject"</button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="pending-title">
                <h2 id="pending-title">"Time off waiting for you"</h2>
                <p class="hint">"Approving removes the agent's shifts in that time; the staffing plan's coverage then shows the gap."</p>
                <ul class="plain-list">{rows}</ul>
            </section>
        }
    });
    view! {
        <p class="lede">"Times on this page are in your time zone, " <strong>{o.time_zone.clone()}</strong> "."</p>
        {o.can_plan.then(|| view! {
            <p><a class="button" href="/schedule/plan">"Plan staffing"</a>
               " — the demand heatmap, the forecast, the agents each interval needs and the roster."</p>
        })}
        {pending}
        <h2>"My shifts"</h2>
        {list}
        <p><button on:click=move |_| { link.dispatch(CalendarLink {}); }>"Get my calendar link"</button></p>
        {feed}
        <section aria-labelledby="time-off-title" class="panel">
            <h2 id="time-off-title">"Time off"</h2>
            <form class="inline-form" on:submit=move |e| {
                e.prevent_default();
                ask.dispatch(RequestTimeOff { from: from.get_untracked(), to: to.get_untracked(), reason: reason.get_untracked() });
            }>
                <label class="inline-field">"First day " <input type="date" prop:value=move || from.get() on:input=move |e| from.set(event_target_value(&e))/></label>
                <label class="inline-field">"Last day " <input type="date" prop:value=move || to.get() on:input=move |e| to.set(event_target_value(&e))/></label>
                <label class="inline-field">"Reason " <input type="text" prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/></label>
                <button type="submit">"Request time off"</button>
            </form>
            <ul class="plain-list" aria-label="My time-off requests">{requests}</ul>
        </section>
    }
}

fn time_off_line(t: &TimeOff) -> String {
    let reason = if t.reason.is_empty() { String::new() } else { format!(" ({})", t.reason) };
    format!("{}: {} – {}{} · {}", t.agent, t.from, t.to, reason, t.status.as_str())
}

/// For managers: who is on shift now, and the coming days' shifts, with a hand to add or
/// remove one.
#[component]
fn TeamShifts(
    now: Vec<crate::model::wfm::TeamShift>,
    upcoming: Vec<crate::model::wfm::TeamShift>,
    agents: Vec<(i64, String)>,
    place: ServerAction<AddShift>,
    remove: ServerAction<DeleteShift>,
) -> impl IntoView {
    let on_now = if now.is_empty() {
        "Nobody is on shift right now.".to_string()
    } else {
        now.iter().map(|s| format!("{} (until {})", s.agent, s.ends)).collect::<Vec<_>>().join(", ")
    };
    let rows = upcoming
        .into_iter()
        .map(|s| {
            let id = s.id;
            let label = format!("Remove {}'s shift on {}", s.agent, s.starts);
            view! {
                <tr>
                    <td>{s.agent.clone()}</td><td>{s.starts.clone()}</td><td>{s.ends.clone()}</td>
                    <td>{if s.generated { "generated" } else { "by hand" }}</td>
                    <td><button class="button-quiet" aria-label=label on:click=move |_| { remove.dispatch(DeleteShift { id }); }>"Remove"</button></td>
                </tr>
            }
        })
        .collect_view();
    let (agent, day, start, hours) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new("09:00".to_string()), RwSignal::new("8".to_string()));
    let options = agents.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view();
    view! {
        <section aria-labelledby="team-shifts-title" class="panel">
            <h2 id="team-shifts-title">"Team shifts"</h2>
            <p data-testid="on-shift-now"><strong>"On shift now: "</strong>{on_now}</p>
            <form class="inline-form" on:submit=move |e| {
                e.prevent_default();
                place.dispatch(AddShift {
                    agent: agent.get_untracked().parse().unwrap_or(0),
                    day: day.get_untracked(),
                    start: start.get_untracked(),
                    hours: hours.get_untracked().trim().parse().unwrap_or(0.0),
                });
            }>
                <label class="inline-field">"Agent " <select on:change=move |e| agent.set(event_target_value(&e))><option value="">"Pick one"</option>{options}</select></label>
                <label class="inline-field">"Day " <input type="date" prop:value=move || day.get() on:input=move |e| day.set(event_target_value(&e))/></label>
                <label class="inline-field">"Start " <input type="time" prop:value=move || start.get() on:input=move |e| start.set(event_target_value(&e))/></label>
                <label class="inline-field">"Hours " <input type="number" min="1" max="12" step="0.5" prop:value=move || hours.get() on:input=move |e| hours.set(event_target_value(&e))/></label>
                <button type="submit">"Add shift"</button>
            </form>
            <div class="table-scroll">
                <table class="list" aria-label="Shifts in the coming days">
                    <thead><tr><th>"Agent"</th><th>"Starts"</th><th>"Ends"</th><th>"Made"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Offering my shifts to colleagues, my offers, and for managers the swaps to decide.
#[component]
fn Swaps(o: ScheduleOverview, offer: ServerAction<OfferSwap>, swap: ServerAction<DecideSwap>) -> impl IntoView {
    let colleagues = o.colleagues.clone();
    let offers = (!o.shifts.is_empty() && !colleagues.is_empty()).then(|| {
        let to = RwSignal::new(String::new());
        let shift = RwSignal::new(String::new());
        let shift_options = o.shifts.iter().map(|s| view! { <option value=s.id.to_string()>{format!("{} – {}", s.starts, s.ends)}</option> }).collect_view();
        let people = colleagues.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view();
        view! {
            <form class="inline-form" on:submit=move |e| {
                e.prevent_default();
                offer.dispatch(OfferSwap { shift: shift.get_untracked().parse().unwrap_or(0), to: to.get_untracked().parse().unwrap_or(0) });
            }>
                <label class="inline-field">"My shift " <select on:change=move |e| shift.set(event_target_value(&e))><option value="">"Pick one"</option>{shift_options}</select></label>
                <label class="inline-field">"Offer to " <select on:change=move |e| to.set(event_target_value(&e))><option value="">"Pick a colleague"</option>{people}</select></label>
                <button type="submit">"Offer the shift"</button>
            </form>
        }
    });
    let mine = o.swaps.iter().map(|w| view! { <li>{format!("{} → {}: {} · {}", w.from_agent, w.to_agent, w.shift, w.status.as_str())}</li> }).collect_view();
    let pending = (!o.pending_swaps.is_empty()).then(|| {
        let rows = o
            .pending_swaps
            .iter()
            .map(|w| {
                let id = w.id;
                view! {
                    <li>{format!("{} → {}: {} ", w.from_agent, w.to_agent, w.shift)}
                        <button on:click=move |_| { swap.dispatch(DecideSwap { id, approve: true }); }>{format!("Approve the swap to {}", w.to_agent)}</button>
                        " " <button on:click=move |_| { swap.dispatch(DecideSwap { id, approve: false }); }>"Reject"</button>
                    </li>
                }
            })
            .collect_view();
        view! { <h3>"Swaps waiting for you"</h3><ul class="plain-list">{rows}</ul> }
    });
    view! {
        <section aria-labelledby="swaps-title" class="panel">
            <h2 id="swaps-title">"Shift swaps"</h2>
            {offers}
            <ul class="plain-list" aria-label="My swaps">{mine}</ul>
            {pending}
        </section>
    }
}

/// The region's note from the outgoing shift to the next one.
#[component]
fn HandoverNote(h: crate::model::wfm::Handover, note: ServerAction<SaveHandover>) -> impl IntoView {
    let body = RwSignal::new(h.body.clone());
    let by = h.updated_by.clone().zip(h.updated.clone()).map(|(who, when)| format!("Last written by {who}, {when}."));
    view! {
        <section aria-labelledby="handover-title" class="panel">
            <h2 id="handover-title">{format!("Hand-over note, {}", h.team)}</h2>
            <form on:submit=move |e| { e.prevent_default(); note.dispatch(SaveHandover { body: body.get_untracked() }); }>
                <textarea rows="3" aria-label="Hand-over note" placeholder="What the next shift should know: open incidents, customers waiting on a callback…"
                    prop:value=move || body.get() on:input=move |e| body.set(event_target_value(&e))></textarea>
                <p class="hint">{by}</p>
                <button type="submit">"Save the note"</button>
            </form>
        </section>
    }
}
