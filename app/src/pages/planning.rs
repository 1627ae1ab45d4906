//! `/schedule/plan`: managers plan staffing from the team's own history: the demand
//! heatmap and weekly curve, the forecast with its measured error, and the agents each
//! interval of next week needs. The what-if panel recomputes in the browser (the same
//! `domain::wfm` code, compiled to WebAssembly) as the sliders move, and so do the checks
//! of the roster against the SLA policies on chat (`components::sla_staffing`).

use crate::components::notice::{error_fallback, Loading};
use crate::domain::roster::SupportModel;
use crate::domain::wfm::{self, LiveInput};
use crate::error::AppError;
use crate::model::wfm::Planning;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use crate::components::docs::DocsPage;
use crate::components::sla_staffing::{LeverSignals, RosterPromise, TodaysRiskView};

#[server(endpoint = "wfm_planning")]
pub async fn load_planning(
    zone: Option<String>,
    channel: Option<String>,
    team: Option<i64>,
    weeks: Option<u32>,
    interval: Option<u32>,
) -> Result<(Planning, Vec<(i64, String)>), AppError> {
    use crate::backend::{authorized, planning};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move {
        let q = crate::model::wfm::PlanningQuery {
            time_zone: zone.filter(|z| !z.trim().is_empty()).unwrap_or(user.time_zone),
            channel: channel.unwrap_or_else(|| "chat".into()),
            team_id: team,
            weeks: weeks.unwrap_or(6),
            interval_minutes: interval.unwrap_or(30),
        };
        let teams = crate::backend::teams::names(&state.pool).await?;
        Ok((planning::planning(&state.pool, &q).await?, teams))
    })
    .await
}

/// Replaces next week's generated shifts with a roster covering `required` agents per interval.
#[server(endpoint = "wfm_generate_roster", input = leptos::server_fn::codec::Json)]
pub async fn generate_roster(
    zone: String,
    interval_minutes: u32,
    required: Vec<u32>,
    model: crate::domain::roster::SupportModel,
) -> Result<crate::model::wfm::Coverage, AppError> {
    use crate::backend::{authorized, planning};
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move {
        planning::generate_roster(&state.pool, user.id, &zone, interval_minutes, &required, model).await
    })
    .await
}

#[server(endpoint = "wfm_add_holiday")]
pub async fn add_holiday(day: String, name: String, team: Option<i64>, factor: f64) -> Result<i64, AppError> {
    use crate::backend::authorized;
    use crate::domain::access::Permission;
    authorized(Permission::PlanShifts, |state, user| async move {
        crate::backend::teams::add_holiday(&state.pool, &user, team, &day, &name, factor).await
    })
    .await
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
pub fn PlanningPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                q.get("zone"),
                q.get("channel"),
                q.get("team").and_then(|t| t.parse::<i64>().ok()),
                q.get("weeks").and_then(|w| w.parse::<u32>().ok()),
                q.get("interval").and_then(|i| i.parse::<u32>().ok()),
            )
        })
    };
    let holiday = ServerAction::<AddHoliday>::new();
    let data = Resource::new(move || (params(), holiday.version().get()), |((zone, channel, team, weeks, interval), _)| {
        load_planning(zone, channel, team, weeks, interval)
    });
    let generate = ServerAction::<GenerateRoster>::new();
    view! {
        <p class="breadcrumb"><a href="/schedule">"Schedule"</a></p>
        <h1>"Staffing plan"</h1>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { data.await.map(|(p, teams)| view! { <PlanBody p teams generate holiday/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn PlanBody(p: Planning, teams: Vec<(i64, String)>, generate: ServerAction<GenerateRoster>, holiday: ServerAction<AddHoliday>) -> impl IntoView {
    let holidays = view! { <Holidays p=p.clone() teams=teams.clone() holiday/> };
    let channel_options = [("chat", "Chat"), ("email", "E-mail"), ("social", "Social"), ("all", "All channels")]
        .map(|(v, l)| view! { <option value=v selected=p.channel == v>{l}</option> })
        .into_iter()
        .collect_view();
    let team_options = teams.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view();
    let weeks_options = [4u32, 6, 8, 12].map(|w| view! { <option value=w.to_string() selected=p.weeks == w>{format!("{w} weeks")}</option> }).into_iter().collect_view();
    let interval_options = [30u32, 15].map(|i| view! { <option value=i.to_string() selected=p.interval_minutes == i>{format!("{i} minutes")}</option> }).into_iter().collect_view();
    let mape = p.backtest.last().and_then(|b| b.mape_days);
    let levers = LeverSignals {
        service_level: RwSignal::new(80.0),
        occupancy: RwSignal::new(85.0),
        concurrency: RwSignal::new(if p.channel == "chat" { 2.0 } else { 1.0 }),
        aht: RwSignal::new(p.aht_seconds.max(1.0)),
    };
    let (live, zone, interval_minutes) = (p.live, p.time_zone.clone(), p.interval_minutes);
    view! {
        <form class="inline-form" method="get" action="/schedule/plan">
            <label class="inline-field">"Time zone " <input type="text" name="zone" value=p.time_zone.clone() size="18"/></label>
            <label class="inline-field">"Channel " <select name="channel">{channel_options}</select></label>
            <label class="inline-field">"Team " <select name="team"><option value="">"All teams"</option>{team_options}</select></label>
            <label class="inline-field">"History " <select name="weeks">{weeks_options}</select></label>
            <label class="inline-field">"Intervals " <select name="interval">{interval_options}</select></label>
            <button type="submit">"Show"</button>
        </form>
        <p class="lede">{format!(
            "{} new dialogues in the last {} complete weeks, hours in {}.",
            p.history_total, p.weeks, p.time_zone
        )}</p>
        <section aria-labelledby="heatmap-title">
            <h2 id="heatmap-title">"When customers write"</h2>
            <Heatmap cells=p.heatmap.clone()/>
            <WeeklyCurve cells=p.heatmap.clone()/>
        </section>
        <section aria-labelledby="forecast-title">
            <h2 id="forecast-title">"Forecast"</h2>
            <p class="hint">
                "Each interval of the week: the exponentially smoothed average of the same weekday and time in recent weeks (newest weighted most), scaled to the weekly total's trend. "
                {mape.map(|m| format!("Last week it was off by {m:.0} % a day on average (MAPE), forecast from the weeks before it."))}
            </p>
            <Backtest p=p.clone()/>
            {holidays}
        </section>
        <section aria-labelledby="staffing-title">
            <h2 id="staffing-title">{format!("Agents needed, week of {}", p.next_week_start)}</h2>
            <WhatIf p=p.clone() levers generate/>
        </section>
        {if live {
            view! {
                <RosterPromise zone=zone.clone() interval_minutes levers refresh=generate.version()/>
                <TodaysRiskView zone interval_minutes levers refresh=generate.version()/>
            }.into_any()
        } else {
            view! { <p class="hint">"The checks against the SLA policies on chat (can the roster keep the promise, today's risk) appear with the Chat channel chosen."</p> }.into_any()
        }}
    }
}

/// The holidays in the period, next week's marked with what they do to the forecast, and a
/// form to add one.
#[component]
fn Holidays(p: Planning, teams: Vec<(i64, String)>, holiday: ServerAction<AddHoliday>) -> impl IntoView {
    let items = p
        .holidays
        .iter()
        .map(|h| {
            let region = h.team.clone().unwrap_or_else(|| "every region".into());
            let effect = h.next_week_day.map(|d| format!(" — next {}: forecast × {:.2}", DAYS[d as usize], h.factor)).unwrap_or_default();
            view! { <li>{format!("{} {} ({region}){effect}", h.day, h.name)}</li> }
        })
        .collect_view();
    let (day, name, team, factor) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new("0.5".to_string()));
    let team_options = teams.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view();
    let outcome = move || holiday.value().get().and_then(|r| r.err()).map(|e| view! { <crate::components::notice::ErrorNotice message=e.to_string()/> });
    view! {
        <h3>"Holidays"</h3>
        <ul class="plain-list" aria-label="Holidays">{items}</ul>
        <form class="inline-form" on:submit=move |e| {
            e.prevent_default();
            holiday.dispatch(AddHoliday {
                day: day.get_untracked(),
                name: name.get_untracked(),
                team: team.get_untracked().parse().ok(),
                factor: factor.get_untracked().trim().parse().unwrap_or(-1.0),
            });
        }>
            <label class="inline-field">"Day " <input type="date" prop:value=move || day.get() on:input=move |e| day.set(event_target_value(&e))/></label>
            <label class="inline-field">"Holiday " <input type="text" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/></label>
            <label class="inline-field">"Region " <select on:change=move |e| team.set(event_target_value(&e))><option value="">"Every region"</option>{team_options}</select></label>
            <label class="inline-field">"Volume × " <input type="text" inputmode="decimal" size="4" prop:value=move || factor.get() on:input=move |e| factor.set(event_target_value(&e))/></label>
            <button type="submit">"Add holiday"</button>
        </form>
        {outcome}
    }
}

/// Weekday × hour, darker where more dialogues start; numbers on hover and as a table.
#[component]
fn Heatmap(cells: Vec<Vec<i64>>) -> impl IntoView {
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let (cw, ch, left, top) = (26.0, 22.0, 40.0, 18.0);
    let hours = (0..24)
        .filter(|h| h % 3 == 0)
        .map(|h| view! { <text x=left + h as f64 * cw + cw / 2.0 y="12" text-anchor="middle" class="axis-label">{format!("{h:02}")}</text> })
        .collect_view();
    let rects = cells
        .iter()
        .enumerate()
        .flat_map(|(d, row)| {
            row.iter().enumerate().map(move |(h, n)| {
                let opacity = 0.06 + 0.94 * (*n as f64 / max);
                view! {
                    <rect x=left + h as f64 * cw y=top + d as f64 * ch width=cw - 2.0 height=ch - 2.0 rx="3" class="heat" fill-opacity=format!("{opacity:.2}")>
                        <title>{format!("{} {h:02}:00–{:02}:00: {n} dialogues", DAYS[d], h + 1)}</title>
                    </rect>
                }
            })
        })
        .collect_view();
    let days = DAYS
        .iter()
        .enumerate()
        .map(|(d, name)| view! { <text x=left - 6.0 y=top + d as f64 * ch + 15.0 text-anchor="end" class="axis-label">{*name}</text> })
        .collect_view();
    let rows = cells
        .iter()
        .enumerate()
        .map(|(d, row)| view! { <tr><th scope="row">{DAYS[d]}</th>{row.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}</tr> })
        .collect_view();
    view! {
        <svg class="chart heatmap-chart" viewBox=format!("0 0 {} {}", left + 24.0 * cw, top + 7.0 * ch) role="img"
            aria-label="New dialogues per weekday and hour">
            {hours}{days}{rects}
        </svg>
        <table class="visually-hidden" aria-label="New dialogues per weekday and hour">
            <thead><tr><th>"Day"</th>{(0..24).map(|h| view! { <th>{format!("{h:02}")}</th> }).collect_view()}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The week as one curve, Monday 00:00 to Sunday 24:00.
#[component]
fn WeeklyCurve(cells: Vec<Vec<i64>>) -> impl IntoView {
    let values: Vec<f64> = cells.iter().flatten().map(|n| *n as f64).collect();
    polyline_chart(vec![("line", values)], "New dialogues per hour across the week")
}

/// Lines over the week (Monday to Sunday), each `(css class, values)`, with day marks.
fn polyline_chart(series: Vec<(&'static str, Vec<f64>)>, label: &'static str) -> impl IntoView {
    let (w, h, pad) = (672.0, 150.0, 24.0);
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max).max(1.0);
    let lines = series
        .into_iter()
        .map(|(class, v)| {
            let n = (v.len().max(2) - 1) as f64;
            let points: Vec<String> =
                v.iter().enumerate().map(|(i, y)| format!("{:.1},{:.1}", pad + i as f64 / n * (w - 2.0 * pad), h - pad - y / max * (h - 2.0 * pad))).collect();
            view! { <polyline points=points.join(" ") class=class/> }
        })
        .collect_view();
    let marks = DAYS
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let x = pad + d as f64 / 7.0 * (w - 2.0 * pad);
            view! { <line x1=x x2=x y1=pad y2=h - pad class="grid"/><text x=x + 4.0 y=h - 8.0 class="axis-label">{*name}</text> }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=label>
            {marks}
            <text x="2" y=pad + 4.0 class="axis-label">{format!("{max:.0}")}</text>
            {lines}
        </svg>
    }
}

#[component]
fn Backtest(p: Planning) -> impl IntoView {
    let rows = p
        .backtest
        .iter()
        .map(|b| {
            let label = if b.weeks_ago == 1 { "Last week".to_string() } else { format!("{} weeks ago", b.weeks_ago) };
            let days = b
                .actual_days
                .iter()
                .zip(&b.forecast_days)
                .map(|(a, f)| view! { <td>{format!("{a:.0}")} <span class="hint">{format!(" / {f:.0}")}</span></td> })
                .collect_view();
            let pct = |m: Option<f64>| m.map(|m| format!("{m:.0} %")).unwrap_or_else(|| "–".into());
            view! { <tr><th scope="row">{label}</th>{days}<td>{pct(b.mape_days)}</td><td>{pct(b.mape_intervals)}</td></tr> }
        })
        .collect_view();
    view! {
        <table class="list" aria-label="Forecast against what arrived">
            <thead><tr><th>"Week"</th>{DAYS.map(|d| view! { <th>{d}</th> }).into_iter().collect_view()}<th>"Error per day"</th><th>"Error per interval"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="hint">"Each cell: what arrived / what was forecast. Error: mean absolute percentage error (MAPE)."</p>
    }
}

/// The what-if panel: the staffing for next week recomputed in the browser as the sliders move.
#[component]
fn WhatIf(p: Planning, levers: LeverSignals, generate: ServerAction<GenerateRoster>) -> impl IntoView {
    let forecast = StoredValue::new(p.next_week.clone());
    let interval_seconds = f64::from(p.interval_minutes * 60);
    let LeverSignals { service_level, occupancy, concurrency, aht } = levers;
    let answer_seconds = RwSignal::new(if p.live { 60.0 } else { p.response_target_seconds });
    let shrinkage = RwSignal::new(30.0_f64);
    let live = p.live;
    let per_day = (24 * 60 / p.interval_minutes) as usize;
    let interval_minutes = p.interval_minutes;
    let zone = StoredValue::new(p.time_zone.clone());
    let model = RwSignal::new(SupportModel::FollowTheSun);

    // The sliders as Erlang C inputs for an interval with `arrivals` (tracked by the caller).
    let live_input = move |arrivals: f64| LiveInput {
        arrivals,
        interval_seconds,
        aht_seconds: aht.get(),
        target_service_level: (service_level.get() / 100.0).clamp(0.01, 0.999),
        target_answer_seconds: answer_seconds.get(),
        shrinkage: (shrinkage.get() / 100.0).clamp(0.0, 0.9),
        max_occupancy: (occupancy.get() / 100.0).clamp(0.05, 1.0),
        concurrency: concurrency.get() as u32,
    };
    // Agents to schedule per interval, from the same code the server uses.
    let plan = Memo::new(move |_| {
        let f = forecast.get_value();
        if live {
            let base = live_input(0.0);
            f.iter().map(|a| wfm::staff_live(&LiveInput { arrivals: *a, ..base }).scheduled_agents as f64).collect::<Vec<_>>()
        } else {
            let work: Vec<f64> = f.iter().map(|a| a * aht.get()).collect();
            let s = (shrinkage.get() / 100.0).clamp(0.0, 0.9);
            wfm::async_requirement(&work, interval_seconds, answer_seconds.get().max(60.0), occupancy.get() / 100.0)
                .into_iter()
                .map(|n| (n / (1.0 - s)).ceil())
                .collect()
        }
    });
    let peak = move || plan.with(|v| v.iter().copied().fold(0.0, f64::max));
    // What the busiest interval's staffing achieves (chat): the Erlang C outputs.
    let busiest = move || {
        live.then(|| {
            let f = forecast.get_value();
            let arrivals = f.iter().copied().fold(0.0, f64::max);
            let s = wfm::staff_live(&live_input(arrivals));
            format!(
                "Busiest interval: {arrivals:.0} chats → {} agents on the floor, {} scheduled; {:.1} % answered in time, average answer {:.0} s, occupancy {:.0} %.",
                s.agents,
                s.scheduled_agents,
                s.service_level * 100.0,
                s.asa_seconds,
                s.occupancy * 100.0
            )
        })
    };
    let hours = move || plan.with(|v| v.iter().sum::<f64>() * interval_seconds / 3600.0);
    let day_rows = move || {
        plan.with(|v| {
            wfm::sum_by(v, per_day)
                .iter()
                .zip(v.chunks(per_day))
                .enumerate()
                .map(|(d, (total, chunk))| {
                    let day_peak = chunk.iter().copied().fold(0.0, f64::max);
                    view! { <tr><th scope="row">{DAYS[d]}</th><td>{format!("{day_peak:.0}")}</td><td>{format!("{:.0}", total * interval_seconds / 3600.0)}</td></tr> }
                })
                .collect_view()
        })
    };
    let slider = move |label: &'static str, unit: &'static str, min: f64, max: f64, step: f64, value: RwSignal<f64>| {
        view! {
            <label class="slider">
                <span>{label} ": " <strong>{move || format!("{:.0}{unit}", value.get())}</strong></span>
                <input type="range" min=min max=max step=step prop:value=move || value.get().to_string()
                    on:input=move |e| if let Ok(v) = event_target_value(&e).parse() { value.set(v) }/>
            </label>
        }
    };
    let live_sliders = live.then(|| {
        view! {
            {slider("Service level target", " %", 50.0, 99.0, 1.0, service_level)}
            {slider("Answered within", " s", 10.0, 300.0, 5.0, answer_seconds)}
            {slider("Chats per agent at once", "", 1.0, 5.0, 1.0, concurrency)}
        }
    });
    let async_sliders = (!live).then(|| slider("Response target", " s", 600.0, 86_400.0, 600.0, answer_seconds));
    let method = if live {
        "Erlang C per interval (chat): the fewest agents that answer the target share within the target time without passing the maximum occupancy, then shrinkage."
    } else {
        "E-mail and social: each interval's work (dialogues × handling time) spread over the response target, at the maximum occupancy, then shrinkage."
    };
    view! {
        <div class="whatif">
            <div class="sliders panel" role="group" aria-label="What if">
                {live_sliders}
                {async_sliders}
                {slider("Shrinkage", " %", 0.0, 60.0, 1.0, shrinkage)}
                {slider("Maximum occupancy", " %", 50.0, 100.0, 1.0, occupancy)}
                {slider("Handling time", " s", 30.0, 3600.0, 10.0, aht)}
                <p class="hint">{format!("Handling time from the data: {:.0} s.", p.aht_seconds)}</p>
            </div>
            <div>
                <p class="figures-inline">
                    "Peak: " <strong data-testid="peak-agents">{move || format!("{:.0}", peak())}</strong> " agents · "
                    "Week: " <strong data-testid="agent-hours">{move || format!("{:.0}", hours())}</strong> " agent-hours scheduled"
                </p>
                <p class="hint" data-testid="busiest">{busiest}</p>
                {move || polyline_chart(vec![("line", plan.get())], "Agents to schedule per interval, next week")}
                <table class="list compact" aria-label="Agents to schedule per day">
                    <thead><tr><th>"Day"</th><th>"Peak agents"</th><th>"Agent-hours"</th></tr></thead>
                    <tbody>{day_rows}</tbody>
                </table>
                <p class="hint">{method} " Formulas: " <a href="/schedule/docs">"how staffing is computed"</a> "."</p>
                <div class="toolbar">
                    <label class="inline-field">"Support model "
                        <select on:change=move |e| if let Some(m) = SupportModel::parse(&event_target_value(&e)) { model.set(m) }>
                            {SupportModel::ALL.map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).into_iter().collect_view()}
                        </select>
                    </label>
                    <button class="button-primary" disabled=move || generate.pending().get()
                        on:click=move |_| {
                            let required = plan.get_untracked().iter().map(|n| *n as u32).collect();
                            generate.dispatch(GenerateRoster { zone: zone.get_value(), interval_minutes, required, model: model.get_untracked() });
                        }>"Generate next week's roster"</button>
                </div>
                {move || generate.value().get().map(|r| match r {
                    Ok(c) => view! { <CoverageView c interval_minutes/> }.into_any(),
                    Err(e) => view! { <crate::components::notice::ErrorNotice message=e.to_string()/> }.into_any(),
                })}
            </div>
        </div>
    }
}

/// Required against scheduled for every interval of the week, with the gaps counted.
#[component]
fn CoverageView(c: crate::model::wfm::Coverage, interval_minutes: u32) -> impl IntoView {
    let summary = format!(
        "Proposed {} shifts for {} agents ({:.0} agent-hours). {} intervals short, {} overstaffed.",
        c.shifts, c.agents, c.agent_hours, c.short_intervals, c.over_intervals
    );
    let required: Vec<f64> = c.required.iter().map(|n| f64::from(*n)).collect();
    let scheduled: Vec<f64> = c.scheduled.iter().map(|n| f64::from(*n)).collect();
    let per_day = (24 * 60 / interval_minutes) as usize;
    let rows = (0..7)
        .map(|d| {
            let day = d * per_day..(d + 1) * per_day;
            let short = day.clone().filter(|i| c.scheduled[*i] < c.required[*i]).count();
            let over = day.filter(|i| c.scheduled[*i] > c.required[*i]).count();
            view! { <tr><th scope="row">{DAYS[d]}</th><td>{short}</td><td>{over}</td></tr> }
        })
        .collect_view();
    view! {
        <div class="notice notice-info" role="status">{summary}</div>
        {polyline_chart(vec![("line line-required", required), ("line line-scheduled", scheduled)], "Required against scheduled agents per interval")}
        <p class="hint"><span class="key key-required">"Required"</span> " " <span class="key key-scheduled">"Scheduled"</span></p>
        <table class="list compact" aria-label="Coverage per day">
            <thead><tr><th>"Day"</th><th>"Intervals short"</th><th>"Intervals overstaffed"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// How the page's figures are computed, term by term.
const STAFFING_DEFINITIONS: [(&str, &str); 7] = [
    ("Traffic", "A = arrivals × handling time ÷ interval length, in Erlangs. For chat, one agent handles several chats at once, so the handling time that occupies an agent is divided by that number."),
    ("Erlang C", "With N agents (N > A): Erlang B by recursion, B(0) = 1 and B(n) = A·B(n−1) ÷ (n + A·B(n−1)); the probability of waiting C = N·B ÷ (N − A·(1 − B)); service level = 1 − C·e^(−(N − A)·T ÷ handling time) for target answer time T; average speed of answer = C × handling time ÷ (N − A); occupancy = A ÷ N. Agents needed: the fewest N meeting the service level without passing the maximum occupancy. Agents to schedule: N ÷ (1 − shrinkage), rounded up. Sources: A. K. Erlang (1917); Call Centre Helper, “Erlang C Formula – Made Simple” (whose worked example, 100 calls in 30 minutes at 3 minutes each, 80 % in 20 s → 14 agents and 20 scheduled, is one of Meridian's tests); G. Koole, Call Center Optimization (2013)."),
    ("E-mail and social", "An interval's work (dialogues × handling time) may be done any time within the response target, so it is spread evenly over the intervals the target spans; agents = that work ÷ (interval × maximum occupancy), then shrinkage."),
    ("Handling time from the data", "Chat: the median time from the first agent reply to resolution, capped at one hour. E-mail and social: the mean number of public agent replies per resolved dialogue × 4 minutes (the time spent on an e-mail is not measured yet)."),
    ("Forecast", "Each interval of the week: the exponentially smoothed average of the same weekday and time over the history (the newest week weighs half, the one before a quarter, …), as a share of the week; times the weekly total's least-squares trend line extended to the week planned. The error shown is the mean absolute percentage error of forecasting each recent week from the weeks before it."),
    ("Can the roster keep the promise?", "For every SLA policy whose channel is Chat: its first-response target (normal priority's, else the first one set) is the answer time T, the forecast is that of the policy's team (every team when it names none), and the agents are those of the team on shift next week and not on break (no further shrinkage: the shifts are what is planned). Each interval's share answered within T follows from Erlang C with the sliders' handling time, chats at once and occupancy; an interval with chats forecast is short when that share is below the service-level target. Runs of short intervals are listed with the lowest share, the most agents missing (agents needed − on the floor) and the chats expected to wait past T (arrivals × (1 − share))."),
    ("Today's risk", "Per team, today in the plan's zone: pace = (chats so far + 5) ÷ (forecast so far + 5), kept within 20 %–500 % (the five steady a quiet morning). The rest of the day's forecast times the pace, against today's shifts of the team, gives each interval's share answered within the team's chat policy's target (the first policy in order that names chat or no channel, the team or none, and nothing narrower); expected late = the rest of the day's chats × (1 − share); intervals at risk are those below the service-level target. Late now: the team's open chats whose first- or next-response target has passed."),
];

#[component]
pub fn PlanningDocsPage() -> impl IntoView {
    view! { <DocsPage back=("/schedule/plan", "Staffing plan") title="How staffing is computed" definitions=&STAFFING_DEFINITIONS/> }
}
