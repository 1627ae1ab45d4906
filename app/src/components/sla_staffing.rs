//! The staffing plan's two checks against the SLA policies on chat: "Can the roster keep
//! the promise?" (next week, interval by interval) and "Today's risk" (today's arrivals so
//! far against the forecast, and the rest of the day's breaches if nothing changes). The
//! server sends the inputs; the checks run in the browser (`model::wfm`'s `check` and
//! `risks`, the same code the REST API runs) as the plan's sliders move.

use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::domain::sla_staffing::{IntervalCheck, Levers, Shortfall};
use crate::error::AppError;
use crate::model::wfm::{SlaStaffing, TodaysRisk};
use leptos::prelude::*;

#[server(endpoint = "wfm_sla_staffing")]
pub async fn load_sla_staffing(zone: String, interval: u32) -> Result<SlaStaffing, AppError> {
    use crate::backend::{authorized, sla_staffing};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, _user| async move { sla_staffing::sla_staffing(&state.pool, &zone, interval).await }).await
}

#[server(endpoint = "wfm_todays_risk")]
pub async fn load_todays_risk(zone: String, interval: u32) -> Result<TodaysRisk, AppError> {
    use crate::backend::{authorized, sla_staffing};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, _user| async move { sla_staffing::todays_risk(&state.pool, &zone, interval).await }).await
}

/// The plan's sliders that the checks share (percentages as the sliders show them).
#[derive(Clone, Copy)]
pub struct LeverSignals {
    pub service_level: RwSignal<f64>,
    pub occupancy: RwSignal<f64>,
    pub concurrency: RwSignal<f64>,
    pub aht: RwSignal<f64>,
}

impl LeverSignals {
    /// The levers now (tracked).
    pub fn get(&self) -> Levers {
        Levers {
            service_level: (self.service_level.get() / 100.0).clamp(0.01, 0.999),
            concurrency: (self.concurrency.get() as u32).max(1),
            max_occupancy: (self.occupancy.get() / 100.0).clamp(0.05, 1.0),
            aht_seconds: self.aht.get().max(1.0),
        }
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "14:30", the start of interval `i` of a day.
fn clock(i: usize, interval_minutes: u32) -> String {
    let m = (i as u32 * interval_minutes) % (24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// "Tue 14:30–16:00" for a run in a week, "14:30–16:00" in a day (`per_day` = 0).
fn span(s: &Shortfall, interval_minutes: u32, per_day: usize) -> String {
    let end = s.start + s.intervals;
    let day = |i: usize| if per_day == 0 { String::new() } else { format!("{} ", DAYS[(i / per_day).min(6)]) };
    let end_text = if end % (24 * 60 / interval_minutes as usize) == 0 { "24:00".to_string() } else { clock(end, interval_minutes) };
    format!("{}{}–{}", day(s.start), clock(s.start, interval_minutes), end_text)
}

/// A strip of the intervals: kept, missed, or quiet (nobody expected).
fn promise_strip(checks: &[IntervalCheck], goal: f64, per_day: usize, label: String) -> impl IntoView {
    let (w, h, pad) = (672.0, 46.0, 4.0);
    let n = checks.len().max(1) as f64;
    let cell = (w - 2.0 * pad) / n;
    let cells = checks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let class = if c.arrivals <= 0.0 {
                "strip strip-quiet"
            } else if c.service_level < goal {
                "strip strip-short"
            } else {
                "strip strip-kept"
            };
            view! { <rect x=pad + i as f64 * cell y=pad width=cell.max(0.5) height=24.0 class=class/> }
        })
        .collect_view();
    let marks = (per_day > 0 && checks.len() >= per_day)
        .then(|| {
            (0..checks.len() / per_day)
                .map(|d| {
                    let x = pad + (d * per_day) as f64 * cell;
                    view! { <line x1=x x2=x y1=pad y2=32.0 class="grid"/><text x=x + 3.0 y=h - 2.0 class="axis-label">{DAYS[d.min(6)]}</text> }
                })
                .collect_view()
        });
    view! {
        <svg class="chart strip-chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=label>
            {cells}
            {marks}
        </svg>
    }
}

/// For every SLA policy on chat: whether next week's roster answers its share of chats
/// within its first-response target, interval by interval, and the hours where it will not
/// (loaded again when `refresh` changes: a roster was generated).
#[component]
pub fn RosterPromise(zone: String, interval_minutes: u32, levers: LeverSignals, #[prop(into)] refresh: Signal<usize>) -> impl IntoView {
    let data = Resource::new(move || refresh.get(), move |_| load_sla_staffing(zone.clone(), interval_minutes));
    view! {
        <section aria-labelledby="promise-title">
            <h2 id="promise-title">"Can the roster keep the promise?"</h2>
            <p class="hint">"Next week's shifts against each SLA policy on chat: in every interval, the share of the forecast chats the agents on shift (not on break) answer within the policy's first-response target (Erlang C, with the sliders' handling time, chats at once and occupancy)."</p>
            <Suspense fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move { data.await.map(|s| view! { <PromiseBody s levers/> }) })}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
}

#[component]
fn PromiseBody(s: SlaStaffing, levers: LeverSignals) -> impl IntoView {
    if s.policies.is_empty() {
        return view! {
            <EmptyState title="No SLA policy on chat" detail="Add a service-level policy whose channel is Chat (Queue → Service levels) to check next week's roster against its first-response target."/>
        }
        .into_any();
    }
    let interval_minutes = s.interval_minutes;
    let per_day = (24 * 60 / interval_minutes) as usize;
    let week_start = s.week_start.clone();
    let no_roster = s.policies.iter().all(|p| p.on_floor.iter().all(|n| *n == 0));
    let s = StoredValue::new(s);
    let checked = Memo::new(move |_| s.with_value(|s| s.check(&levers.get())));
    let policies = move || {
        let goal = levers.get().service_level;
        checked.get().map(|checks| {
            s.with_value(|s| {
                s.policies
                    .iter()
                    .zip(checks)
                    .map(|(p, c)| {
                        let busy = c.checks.iter().filter(|i| i.arrivals > 0.0).count();
                        let short: usize = c.shortfalls.iter().map(|r| r.intervals).sum();
                        let late: f64 = c.shortfalls.iter().map(|r| r.expected_late).sum();
                        let who = p.team.clone().unwrap_or_else(|| "every team".into());
                        let title = format!("{} ({who}): first response within {}", p.policy, crate::components::format::duration(Some(p.target_seconds)));
                        let summary = if short == 0 {
                            format!("The roster keeps the promise in all {busy} intervals with chats forecast.")
                        } else {
                            format!(
                                "Short in {short} of {busy} intervals with chats ({:.1} hours); about {late:.0} chats expected to wait past the target.",
                                short as f64 * f64::from(interval_minutes) / 60.0
                            )
                        };
                        let rows = c
                            .shortfalls
                            .iter()
                            .map(|r| {
                                view! {
                                    <tr>
                                        <th scope="row">{span(r, interval_minutes, per_day)}</th>
                                        <td>{format!("{:.0} %", r.worst_service_level * 100.0)}</td>
                                        <td>{r.agents_short}</td>
                                        <td>{format!("{:.0}", r.arrivals)}</td>
                                        <td>{format!("{:.0}", r.expected_late)}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        let table = (!c.shortfalls.is_empty()).then(|| {
                            view! {
                                <table class="list compact" aria-label=format!("Hours short for {}", p.policy)>
                                    <thead><tr><th>"When"</th><th>"Lowest share in time"</th><th>"Agents short"</th><th>"Chats forecast"</th><th>"Expected late"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }
                        });
                        view! {
                            <article class="panel promise" aria-label=p.policy.clone()>
                                <h3>{title}</h3>
                                <p data-testid="promise-summary">{summary}</p>
                                {promise_strip(&c.checks, goal, per_day, format!("{}: intervals kept and short next week", p.policy))}
                                {table}
                            </article>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <p class="lede">{format!("Week of {week_start}.")}</p>
        {no_roster.then(|| view! { <div class="notice notice-info" role="status">"Next week has no shifts yet: every interval with chats is short until a roster is generated or shifts are added."</div> })}
        <p class="hint"><span class="key key-kept">"Kept"</span> " " <span class="key key-short">"Short"</span> " " <span class="key key-quiet">"No chats forecast"</span></p>
        {move || match policies() {
            Ok(v) => v.into_any(),
            Err(e) => view! { <crate::components::notice::ErrorNotice message=e/> }.into_any(),
        }}
    }
    .into_any()
}

/// Today, per team: chats so far against the forecast, the pace, and the rest of the day's
/// expected first-response breaches with today's roster if nothing changes.
#[component]
pub fn TodaysRiskView(zone: String, interval_minutes: u32, levers: LeverSignals, #[prop(into)] refresh: Signal<usize>) -> impl IntoView {
    let data = Resource::new(move || refresh.get(), move |_| load_todays_risk(zone.clone(), interval_minutes));
    view! {
        <section aria-labelledby="risk-title">
            <h2 id="risk-title">"Today's risk"</h2>
            <Suspense fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move { data.await.map(|r| view! { <RiskBody r levers/> }) })}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
}

#[component]
fn RiskBody(r: TodaysRisk, levers: LeverSignals) -> impl IntoView {
    if r.teams.is_empty() {
        return view! { <EmptyState title="No teams yet" detail="Today's risk is shown per team; add a team under Administration → Teams."/> }.into_any();
    }
    let interval_minutes = r.interval_minutes;
    let lede = format!("{}, {} in {}: the rest of the day at each team's pace so far, with today's shifts.", r.day, clock(r.now_interval as usize, interval_minutes), r.time_zone);
    let r = StoredValue::new(r);
    let risks = Memo::new(move |_| r.with_value(|r| r.risks(&levers.get())));
    let rows = move || {
        risks.get().map(|risks| {
            r.with_value(|r| {
                r.teams
                    .iter()
                    .zip(risks)
                    .map(|(t, d)| {
                        let p = &d.projection;
                        let at_risk = if d.at_risk.is_empty() {
                            "None".to_string()
                        } else {
                            d.at_risk.iter().map(|s| span(s, interval_minutes, 0)).collect::<Vec<_>>().join(", ")
                        };
                        let policy = match &t.policy {
                            Some(name) => format!("{name}, {}", crate::components::format::duration(Some(t.target_seconds))),
                            None => format!("Channel target, {}", crate::components::format::duration(Some(t.target_seconds))),
                        };
                        let risky = p.expected_breaches >= 1.0 || t.overdue_now > 0;
                        view! {
                            <tr class:row-risk=risky>
                                <th scope="row">{t.team.clone()}</th>
                                <td>{policy}</td>
                                <td>{format!("{:.0} / {:.0}", p.arrived, p.expected_so_far)}</td>
                                <td>{format!("{:.0} %", p.pace * 100.0)}</td>
                                <td>{format!("{:.0}", p.projected_rest)}</td>
                                <td data-testid="expected-breaches">{format!("{:.0}", p.expected_breaches)}</td>
                                <td>{t.overdue_now}</td>
                                <td>{at_risk}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <p class="lede">{lede}</p>
        {move || match rows() {
            Ok(rows) => view! {
                <table class="list" aria-label="Today's risk per team">
                    <thead><tr><th>"Team"</th><th>"Promise"</th><th>"Chats so far / forecast"</th><th>"Pace"</th><th>"Expected rest of day"</th><th>"Expected late"</th><th>"Late now"</th><th>"Intervals at risk"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any(),
            Err(e) => view! { <crate::components::notice::ErrorNotice message=e/> }.into_any(),
        }}
        <p class="hint">"Pace: chats so far ÷ the forecast so far (both plus five, so a quiet morning is not read as a trend). Expected late: of the rest of the day's chats at that pace, those Erlang C expects to wait past the target with the agents on shift. Late now: open chats whose response target has already passed. Move a break or call someone in where intervals are at risk."</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_days_and_clock_times() {
        let s = Shortfall { start: 48 + 29, intervals: 3, worst_service_level: 0.5, agents_short: 2, arrivals: 10.0, expected_late: 4.0 };
        assert_eq!(span(&s, 30, 48), "Tue 14:30–16:00");
        let end_of_day = Shortfall { start: 46, intervals: 2, ..s };
        assert_eq!(span(&end_of_day, 30, 0), "23:00–24:00");
        assert_eq!(clock(3, 15), "00:45");
    }
}
