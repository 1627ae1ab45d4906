//! `/reports`: the team's numbers for managers and owners, from the rollups: every figure
//! for a period beside the period before, each with its definition and what it rests on;
//! the trend, the hour × weekday heatmap, the CSAT distribution, per-agent bars, tables per
//! channel, team and agent, low ratings linked to their dialogues, CSV exports; and each
//! agent's week beside the schedule.

use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::domain::metrics::{change_percent, contact_ratio};
use crate::domain::report::{Group, Report, ReportQuery};
use crate::domain::rollup::{Counters, Figures};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use crate::model::reports::{AgentWeek};
use crate::components::format::{duration, percent};

#[server(endpoint = "reports_report")]
pub async fn load_report(
    from: Option<String>,
    to: Option<String>,
    team_id: Option<i64>,
    channel_id: Option<i64>,
    step: Option<String>,
) -> Result<Report, AppError> {
    use crate::backend::{authorized, reports};
    use crate::domain::access::Permission;
    let query = ReportQuery { from, to, team_id, channel_id, step };
    authorized(Permission::ViewReports, |state, _| async move { reports::report(&state.pool, &query).await }).await
}

#[server(endpoint = "reports_agents_week")]
pub async fn load_agents_week() -> Result<Vec<AgentWeek>, AppError> {
    use crate::backend::{authorized, reports};
    use crate::domain::access::Permission;
    authorized(Permission::ViewReports, |state, user| async move {
        Ok(reports::agents_week(&state.pool, &user.time_zone).await?)
    })
    .await
}

fn query_from_url(q: &leptos_router::params::ParamsMap) -> ReportQuery {
    let id = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    ReportQuery { from: q.get("from"), to: q.get("to"), team_id: id("team"), channel_id: id("channel"), step: q.get("step") }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let url = use_query_map();
    let query = move || url.with(query_from_url);
    let data = Resource::new(query, |q| load_report(q.from, q.to, q.team_id, q.channel_id, q.step));
    let week = Resource::new(|| (), |_| load_agents_week());
    view! {
        <h1>"Reports"</h1>
        <p class="report-links">
            <a href="#definitions">"How each figure is counted"</a>" · "
            <a href="/reports/audit">"Audit log"</a>" — who signed in and changed what · "
            <a href="/reports/incidents">"Incidents"</a>" — update every affected customer at once"
        </p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { data.await.map(|r| view! { <ReportBody r/> }) })}
            </ErrorBoundary>
        </Transition>
        <Definitions/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move { week.await.map(|agents| view! { <AgentsWeek agents/> }) })}
        </Suspense>
    }
}

fn decimal(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())
}

/// Whether a rise is good news (green), bad news (red), or neither.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
    Neither,
}

/// The export link for one grouping of the shown period and filters.
fn export_href(r: &Report, group_by: &str) -> String {
    let mut href = format!("/api/v1/metrics.csv?from={}&to={}&group_by={group_by}", r.from, r.to);
    if let Some(t) = r.team_id {
        href.push_str(&format!("&team={t}"));
    }
    if let Some(c) = r.channel_id {
        href.push_str(&format!("&channel={c}"));
    }
    href
}

#[component]
fn ReportBody(r: Report) -> impl IntoView {
    let (c, p) = (r.current.figures(), r.previous.figures());
    let filters = view! { <ReportFilters r=r.clone()/> };
    if r.current.is_zero() && r.previous.is_zero() {
        return view! {
            {filters}
            <EmptyState title="Nothing in this period" detail="No dialogue was created, answered, resolved or rated in these days. Choose a longer period, or another team or channel."/>
        }
        .into_any();
    }
    let figure = |label: &'static str, anchor: &'static str, value: String, change: Option<f64>, better: Better, basis: String| {
        view! { <Figure label anchor value change better basis/> }
    };
    let ch = |a: Option<f64>, b: Option<f64>| a.zip(b).and_then(|(a, b)| change_percent(a, b));
    let ratio = contact_ratio(r.current.created, r.active_customers);
    let previous_ratio = contact_ratio(r.previous.created, r.previous_active_customers);
    let per_day = r.current.converted as f64 / r.days as f64;
    let cur = &r.current;
    let figures = view! {
        <dl class="figures">
            {figure("New dialogues", "def-volume", cur.created.to_string(), change_percent(cur.created as f64, r.previous.created as f64), Better::Neither,
                format!("{} the previous period", r.previous.created))}
            {figure("First response, median", "def-frt", duration(c.first_response_median), ch(c.first_response_median, p.first_response_median), Better::Lower,
                format!("{} first responses; mean {}", cur.first_responses, duration(c.first_response_mean)))}
            {figure("First response in business hours, mean", "def-frt", duration(c.first_response_business_mean), ch(c.first_response_business_mean, p.first_response_business_mean), Better::Lower,
                format!("{} first responses", cur.first_responses))}
            {figure("Average response time", "def-art", duration(c.response_mean), ch(c.response_mean, p.response_mean), Better::Lower,
                format!("{} waits answered", cur.response_waits))}
            {figure("Resolution time, median", "def-resolution", duration(c.resolution_median), ch(c.resolution_median, p.resolution_median), Better::Lower,
                format!("{} resolved; mean {}", cur.resolutions, duration(c.resolution_mean)))}
            {figure("First contact resolution", "def-fcr", percent(c.first_contact_percent), ch(c.first_contact_percent, p.first_contact_percent), Better::Higher,
                format!("{} of {} resolved", cur.first_contact, cur.resolutions))}
            {figure("CSAT", "def-csat", percent(c.csat_percent), ch(c.csat_percent, p.csat_percent), Better::Higher,
                format!("{} rated dialogues", c.rated))}
            {figure("NPS", "def-nps", c.nps.map(|v| format!("{v:+.0}")).unwrap_or_else(|| "–".into()), ch(c.nps, p.nps), Better::Higher,
                format!("{} answers", c.nps_answers))}
            {figure("CES", "def-ces", c.ces_mean.map(|v| format!("{v:.1} / 7")).unwrap_or_else(|| "–".into()), ch(c.ces_mean, p.ces_mean), Better::Higher,
                format!("{} answers; {} easy", cur.ces_answers, percent(c.ces_easy_percent)))}
            {figure("Contact ratio", "def-contact", decimal(ratio), ch(ratio, previous_ratio), Better::Lower,
                format!("{} dialogues from {} customers", cur.created, r.active_customers))}
            {figure("Replies per dialogue", "def-replies", decimal(c.replies_per_dialogue), ch(c.replies_per_dialogue, p.replies_per_dialogue), Better::Lower,
                format!("{} resolved dialogues", cur.resolutions))}
            {figure("SLA achieved", "def-sla", percent(c.sla_achieved_percent), ch(c.sla_achieved_percent, p.sla_achieved_percent), Better::Higher,
                format!("{} of {} targets met", cur.sla_met, cur.sla_met + cur.sla_breached))}
            {figure("Conversions", "def-conversion", cur.converted.to_string(), change_percent(cur.converted as f64, r.previous.converted as f64), Better::Higher,
                format!("{per_day:.1} a day; {} reopened", cur.reopened))}
        </dl>
    };
    let step = r.step.as_str();
    view! {
        {filters}
        <p class="lede" data-testid="report-period">
            {format!("{} to {} ({} days, counted in {}), compared with {} to {}.", r.from, r.to, r.days, r.time_zone, r.previous_from, r.previous_to)}
        </p>
        {figures}
        <section aria-labelledby="trend-title">
            <h2 id="trend-title">{format!("Dialogues per {step}")}</h2>
            <TrendChart trend=r.trend.clone()/>
        </section>
        <div class="report-columns">
            <section aria-labelledby="heatmap-title">
                <h2 id="heatmap-title">"New dialogues by hour and weekday"</h2>
                <Heatmap cells=r.heatmap.clone() time_zone=r.time_zone.clone()/>
            </section>
            <section aria-labelledby="csat-title">
                <h2 id="csat-title">"Ratings"</h2>
                <CsatBars c=r.current.clone()/>
                <LowRatings r=r.clone()/>
            </section>
        </div>
        <section aria-labelledby="sla-title">
            <h2 id="sla-title">"Service levels"</h2>
            <SlaTable rows=r.sla.clone()/>
        </section>
        <section aria-labelledby="agents-title">
            <h2 id="agents-title">"Agents"</h2>
            <AgentBars agents=r.by_agent.clone()/>
            <GroupTable groups=r.by_agent.clone() label="Agents" days=r.days export=export_href(&r, "agent")/>
        </section>
        <section aria-labelledby="teams-title">
            <h2 id="teams-title">"Teams"</h2>
            <GroupTable groups=r.by_team.clone() label="Teams" days=r.days export=export_href(&r, "team")/>
        </section>
        <section aria-labelledby="channels-title">
            <h2 id="channels-title">"Channels"</h2>
            <GroupTable groups=r.by_channel.clone() label="Channels" days=r.days export=export_href(&r, "channel")/>
        </section>
        <p><a href=export_href(&r, "day") download="">"Download every day as CSV"</a></p>
    }
    .into_any()
}

#[component]
fn ReportFilters(r: Report) -> impl IntoView {
    let option = |(id, name): (i64, String), chosen: Option<i64>| {
        view! { <option value=id.to_string() selected=chosen == Some(id)>{name}</option> }
    };
    let teams = r.teams.into_iter().map(|t| option(t, r.team_id)).collect_view();
    let channels = r.channels.into_iter().map(|c| option(c, r.channel_id)).collect_view();
    let step = r.step.as_str();
    view! {
        <form class="inline-form report-filters" method="get" action="/reports" aria-label="Period and filters">
            <label class="inline-field">"From " <input type="date" name="from" value=r.from/></label>
            <label class="inline-field">"To " <input type="date" name="to" value=r.to/></label>
            <label class="inline-field">"Team "
                <select name="team"><option value="">"Every team"</option>{teams}</select>
            </label>
            <label class="inline-field">"Channel "
                <select name="channel"><option value="">"Every channel"</option>{channels}</select>
            </label>
            <label class="inline-field">"Trend by "
                <select name="step">
                    <option value="day" selected=step == "day">"day"</option>
                    <option value="week" selected=step == "week">"week"</option>
                    <option value="month" selected=step == "month">"month"</option>
                </select>
            </label>
            <button type="submit">"Show"</button>
        </form>
    }
}

#[component]
fn Figure(label: &'static str, anchor: &'static str, value: String, change: Option<f64>, better: Better, basis: String) -> impl IntoView {
    let (text, class) = match change {
        None => ("no previous figure".to_string(), "figure-change"),
        Some(c) => {
            let good = match better {
                Better::Higher => c > 0.0,
                Better::Lower => c < 0.0,
                Better::Neither => true,
            };
            let class = if c.abs() < 0.5 || matches!(better, Better::Neither) {
                "figure-change"
            } else if good {
                "figure-change change-good"
            } else {
                "figure-change change-bad"
            };
            (format!("{} {:.0} % on the previous period", if c >= 0.0 { "▲" } else { "▼" }, c.abs()), class)
        }
    };
    let title = definition(anchor).to_string();
    view! {
        <div class="figure" data-testid=anchor>
            <dt>{label}" "<a class="figure-help" href=format!("#{anchor}") title=title aria-label=format!("How {label} is counted")>"ⓘ"</a></dt>
            <dd class="figure-value">{value}</dd>
            <dd class=class>{text}</dd>
            <dd class="figure-definition">{basis}</dd>
        </div>
    }
}

const DEFINITIONS: [(&str, &str, &str); 11] = [
    ("def-volume", "New dialogues", "Dialogues created in the period, on every channel, counted on the day they were created. The trend and the heatmap count the same."),
    ("def-frt", "First response time", "From the dialogue's creation to the first public reply by a person: internal notes and automatic messages never count, and a reopened dialogue keeps its first response. Counted on the day the reply was sent. Business hours count only the team's working days and window, in the team's time zone, holidays excluded (owners set them under Admin, Teams). The median is read from duration bins, exact to within one bin."),
    ("def-art", "Average response time", "The mean wait for an answer: from a customer message that follows a reply (or opens the dialogue) to the next public reply by a person. Counted on the day of the reply."),
    ("def-resolution", "Resolution time", "From creation to the final resolution, for dialogues that are resolved now; counted on the day of that resolution. A dialogue reopened later leaves the figure until it is resolved again. The median is read from duration bins."),
    ("def-fcr", "First contact resolution", "The share of resolved dialogues that took exactly one public reply by a person."),
    ("def-csat", "CSAT", "Good and excellent ratings ÷ all ratings, counted on the day the customer rated (a changed rating counts once, as it is now)."),
    ("def-nps", "NPS", "The percentage of promoters (9–10) minus the percentage of detractors (0–6), from −100 to +100, for inboxes that ask it."),
    ("def-ces", "CES", "The mean answer to “How easy was it to get your issue handled?” on its 1 (very difficult) to 7 (very easy) scale, and the share of easy answers (5–7)."),
    ("def-contact", "Contact ratio", "Dialogues created ÷ distinct customers who opened a dialogue in the period. Meridian has no count of the product's active users, so this measures how often a customer who writes has to write again."),
    ("def-replies", "Replies per dialogue", "Public replies by people in the resolved dialogues ÷ those dialogues."),
    ("def-sla", "SLA achievement", "SLA targets met ÷ targets decided. A target is met when its clock stopped within the target (the reply came, or the dialogue was resolved), counted on the day it stopped; it is missed when its due time passed first, counted on the day it fell due. Each wait for a next response is a target of its own. Targets still running are not in the share; the service-level table shows them beside it, as they are now. Agents' rows count the targets of the dialogues assigned to them; the policy is the one that applied when the clock ran."),
];

fn definition(anchor: &str) -> &'static str {
    match anchor {
        "def-conversion" => CONVERSION,
        _ => DEFINITIONS.iter().find(|(a, _, _)| *a == anchor).map(|(_, _, d)| *d).unwrap_or(""),
    }
}

const CONVERSION: &str = "Dialogues whose outcome is “converted”, for the agent who marked it, on the day they did; per day is the total ÷ the days of the period.";

#[component]
fn Definitions() -> impl IntoView {
    let items = DEFINITIONS
        .iter()
        .chain(std::iter::once(&("def-conversion", "Conversions", CONVERSION)))
        .map(|(anchor, term, text)| view! { <dt id=*anchor>{*term}</dt><dd>{*text}</dd> })
        .collect_view();
    view! {
        <section aria-labelledby="definitions" class="definitions">
            <h2 id="definitions">"How each figure is counted"</h2>
            <p class="hint">"Every figure counts on the day its event happened, in the reporting time zone, under the dialogue's current team and channel. Agents' rows count what the agent did: their replies, the first responses and resolutions they sent, the ratings of dialogues they resolved and the conversions they marked."</p>
            <dl>{items}</dl>
        </section>
    }
}

/// Created and resolved per step: two lines, each point's numbers on hover, and the table
/// for screen readers.
#[component]
fn TrendChart(trend: Vec<Group>) -> impl IntoView {
    let (w, h, pad, left) = (720.0, 200.0, 24.0, 40.0);
    let max = trend.iter().map(|g| g.counters.created.max(g.counters.resolutions)).max().unwrap_or(0).max(1) as f64;
    let n = trend.len().max(2) as f64 - 1.0;
    let x = move |i: usize| left + (w - left - pad) * i as f64 / n;
    let y = move |v: i64| h - pad - (h - 2.0 * pad) * v as f64 / max;
    let line = |f: fn(&Counters) -> i64| trend.iter().enumerate().map(|(i, g)| format!("{:.1},{:.1}", x(i), y(f(&g.counters)))).collect::<Vec<_>>().join(" ");
    let created = line(|c| c.created);
    let resolved = line(|c| c.resolutions);
    let dots = trend
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let tip = format!("{}: {} new, {} resolved", g.name, g.counters.created, g.counters.resolutions);
            view! { <circle cx=x(i) cy=y(g.counters.created) r="3" class="dot"><title>{tip}</title></circle> }
        })
        .collect_view();
    let rows = trend
        .iter()
        .map(|g| view! { <tr><th scope="row">{g.name.clone()}</th><td>{g.counters.created}</td><td>{g.counters.resolutions}</td><td>{duration(g.counters.figures().first_response_median)}</td></tr> })
        .collect_view();
    let (first, last) = (trend.first().map(|g| g.name.clone()).unwrap_or_default(), trend.last().map(|g| g.name.clone()).unwrap_or_default());
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label="New and resolved dialogues per step of the period">
            <line x1=left x2=w - pad y1=y(0) y2=y(0) class="grid"/>
            <line x1=left x2=w - pad y1=y(max as i64) y2=y(max as i64) class="grid"/>
            <text x="2" y=y(max as i64) + 4.0 class="axis-label">{max as i64}</text>
            <text x="2" y=y(0) + 4.0 class="axis-label">"0"</text>
            <polyline points=resolved class="line line-secondary"/>
            <polyline points=created class="line"/>
            {dots}
            <text x=left y=h - 4.0 class="axis-label">{first}</text>
            <text x=w - pad y=h - 4.0 text-anchor="end" class="axis-label">{last}</text>
        </svg>
        <p class="chart-legend"><span class="legend-line"></span>" new "<span class="legend-line legend-secondary"></span>" resolved"</p>
        <table class="visually-hidden" aria-label="Dialogues per step">
            <thead><tr><th>"From"</th><th>"New"</th><th>"Resolved"</th><th>"Median first response"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[component]
fn Heatmap(cells: Vec<i64>, time_zone: String) -> impl IntoView {
    let max = cells.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (cw, ch, left, top) = (24.0, 20.0, 36.0, 16.0);
    let rects = cells
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (day, hour) = (i / 24, i % 24);
            let tip = format!("{} {hour:02}:00–{:02}:00: {n} new", WEEKDAYS[day], (hour + 1) % 24);
            let opacity = if *n == 0 { 0.04 } else { 0.15 + 0.85 * *n as f64 / max };
            view! {
                <rect x=left + hour as f64 * cw y=top + day as f64 * ch width=cw - 2.0 height=ch - 2.0 class="heat" fill-opacity=format!("{opacity:.2}")>
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    let day_labels = WEEKDAYS.iter().enumerate().map(|(d, name)| view! { <text x="0" y=top + d as f64 * ch + 14.0 class="axis-label">{*name}</text> }).collect_view();
    let hour_labels = (0..24).step_by(3).map(|hr| view! { <text x=left + hr as f64 * cw y="11" class="axis-label">{format!("{hr:02}")}</text> }).collect_view();
    let rows = (0..7)
        .map(|d| {
            let tds = (0..24).map(|hr| view! { <td>{cells.get(d * 24 + hr).copied().unwrap_or(0)}</td> }).collect_view();
            view! { <tr><th scope="row">{WEEKDAYS[d]}</th>{tds}</tr> }
        })
        .collect_view();
    let hours_head = (0..24).map(|hr| view! { <th scope="col">{format!("{hr:02}")}</th> }).collect_view();
    view! {
        <svg class="chart heatmap-chart" viewBox=format!("0 0 {} {}", left + 24.0 * cw, top + 7.0 * ch) role="img"
            aria-label=format!("New dialogues by weekday and hour, {time_zone}")>
            {hour_labels}{day_labels}{rects}
        </svg>
        <p class="hint">{format!("Hours in {time_zone}. Darker is busier.")}</p>
        <table class="visually-hidden" aria-label="New dialogues by weekday and hour">
            <thead><tr><th>"Day"</th>{hours_head}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn CsatBars(c: Counters) -> impl IntoView {
    let rated = c.csat_bad + c.csat_good + c.csat_excellent;
    if rated == 0 {
        return view! { <p class="hint">"No ratings in this period."</p> }.into_any();
    }
    let parts = [("Bad", c.csat_bad, "csat-bad"), ("Good", c.csat_good, "csat-good"), ("Excellent", c.csat_excellent, "csat-excellent")];
    let (w, bar) = (560.0, 28.0);
    let mut x = 0.0;
    let rects = parts
        .iter()
        .map(|(label, n, class)| {
            let width = w * *n as f64 / rated as f64;
            let share = 100.0 * *n as f64 / rated as f64;
            let rect = view! { <rect x=x y="0" width=width height=bar class=*class><title>{format!("{label}: {n} ({share:.0} %)")}</title></rect> };
            x += width;
            rect
        })
        .collect_view();
    let legend = parts
        .iter()
        .map(|(label, n, class)| view! { <li><span class=format!("swatch {class}")></span>{format!("{label}: {n} ({:.0} %)", 100.0 * *n as f64 / rated as f64)}</li> })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {bar}") role="img" aria-label=format!("Ratings: {} bad, {} good, {} excellent", c.csat_bad, c.csat_good, c.csat_excellent)>
            {rects}
        </svg>
        <ul class="chart-legend csat-legend">{legend}</ul>
    }
    .into_any()
}

#[component]
fn LowRatings(r: Report) -> impl IntoView {
    if r.low_ratings.is_empty() {
        return view! { <p class="hint">"No bad ratings in this period."</p> }.into_any();
    }
    let items = r
        .low_ratings
        .into_iter()
        .map(|l| {
            let subject = if l.subject.is_empty() { "(no subject)".to_string() } else { l.subject };
            view! {
                <li>
                    <a href=format!("/dialogue?id={}", l.conversation_id)>{subject}</a>
                    {format!(" — {}, rated bad on {}", l.customer, l.rated_on)}
                    {l.comment.map(|c| view! { <q class="rating-comment">{c}</q> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h3>"Latest bad ratings"</h3>
        <ul class="low-ratings">{items}</ul>
    }
    .into_any()
}

/// Replies per agent as horizontal bars (the busiest 20).
#[component]
fn AgentBars(agents: Vec<Group>) -> impl IntoView {
    let mut top: Vec<&Group> = agents.iter().filter(|a| a.counters.replies > 0).collect();
    if top.is_empty() {
        return view! { <p class="hint">"No agent replied in this period."</p> }.into_any();
    }
    top.sort_by_key(|a| std::cmp::Reverse(a.counters.replies));
    top.truncate(20);
    let max = top[0].counters.replies as f64;
    let (left, width, row) = (150.0, 480.0, 20.0);
    let bars = top
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let y = i as f64 * row;
            let w = width * a.counters.replies as f64 / max;
            let tip = format!("{}: {} replies, {} resolved", a.name, a.counters.replies, a.counters.resolutions);
            view! {
                <text x=left - 6.0 y=y + 14.0 text-anchor="end" class="axis-label">{a.name.clone()}</text>
                <rect x=left y=y + 3.0 width=w height=row - 6.0 class="bar"><title>{tip}</title></rect>
                <text x=left + w + 4.0 y=y + 14.0 class="axis-label">{a.counters.replies}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {} {}", left + width + 50.0, top.len() as f64 * row) role="img" aria-label="Public replies per agent, the busiest first">
            {bars}
        </svg>
    }
    .into_any()
}

#[component]
fn GroupTable(groups: Vec<Group>, label: &'static str, days: i64, export: String) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="hint">"Nothing in this period."</p> }.into_any();
    }
    let agents = label == "Agents";
    let rows = groups
        .into_iter()
        .map(|g| {
            let f: Figures = g.counters.figures();
            let c = g.counters;
            let name = g.name;
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td class="numeric">{if agents { c.replies } else { c.created }}</td>
                    <td class="numeric">{duration(f.first_response_mean)}</td>
                    <td class="numeric">{duration(f.response_mean)}</td>
                    <td class="numeric">{c.resolutions}</td>
                    <td class="numeric">{duration(f.resolution_mean)}</td>
                    <td class="numeric">{percent(f.first_contact_percent)}</td>
                    <td class="numeric">{percent(f.csat_percent)}" "<span class="muted">{format!("({})", f.rated)}</span></td>
                    <td class="numeric">{c.converted}" "<span class="muted">{format!("({:.1}/day)", c.converted as f64 / days as f64)}</span></td>
                    <td class="numeric">{percent(f.sla_achieved_percent)}" "<span class="muted">{format!("({})", c.sla_met + c.sla_breached)}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" aria-label=label>
                <thead><tr>
                    <th scope="col">{label.trim_end_matches('s').to_string()}</th>
                    <th scope="col" class="numeric">{if agents { "Replies" } else { "New" }}</th>
                    <th scope="col" class="numeric" title=definition("def-frt")>"First response, mean"</th>
                    <th scope="col" class="numeric" title=definition("def-art")>"Average response"</th>
                    <th scope="col" class="numeric">"Resolved"</th>
                    <th scope="col" class="numeric" title=definition("def-resolution")>"Resolution, mean"</th>
                    <th scope="col" class="numeric" title=definition("def-fcr")>"FCR"</th>
                    <th scope="col" class="numeric" title=definition("def-csat")>"CSAT (rated)"</th>
                    <th scope="col" class="numeric" title=CONVERSION>"Conversions"</th>
                    <th scope="col" class="numeric" title=definition("def-sla")>"SLA met (decided)"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p><a href=export download="">{format!("Download {} as CSV", label.to_lowercase())}</a></p>
    }
    .into_any()
}

/// Per policy and target: met and missed in the period with the achieved share as a bar,
/// and what runs now.
#[component]
fn SlaTable(rows: Vec<crate::domain::report::SlaAchievement>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="hint">"No service-level target was decided in this period and none is running. Policies are set under "<a href="/queue/service-levels">"Service levels"</a>"."</p>
        }
        .into_any();
    }
    let body = rows
        .into_iter()
        .map(|r| {
            let share = r.achieved_percent();
            let width = share.unwrap_or(0.0).clamp(0.0, 100.0);
            view! {
                <tr>
                    <th scope="row">{r.policy.clone()}</th>
                    <td>{r.metric.label()}</td>
                    <td class="numeric">{r.met}</td>
                    <td class="numeric">{r.breached}</td>
                    <td class="numeric">
                        <svg class="bar" viewBox="0 0 100 8" width="100" height="8" aria-hidden="true">
                            <rect x="0" y="0" width="100" height="8" class="bar-track"/>
                            <rect x="0" y="0" width=width height="8" class="bar-fill"/>
                        </svg>
                        " "{percent(share)}
                    </td>
                    <td class="numeric">{r.running}</td>
                    <td class="numeric">{r.overdue}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" aria-label="SLA achievement by policy and target">
                <thead><tr>
                    <th scope="col">"Policy"</th>
                    <th scope="col">"Target"</th>
                    <th scope="col" class="numeric">"Met"</th>
                    <th scope="col" class="numeric">"Missed"</th>
                    <th scope="col" class="numeric" title=definition("def-sla")>"Achieved"</th>
                    <th scope="col" class="numeric">"Running now"</th>
                    <th scope="col" class="numeric">"Overdue now"</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Each agent's week: who is on shift now, scheduled hours, replies (and how many were sent
/// on shift), resolutions. The schedule is the planning page's shifts.
#[component]
fn AgentsWeek(agents: Vec<AgentWeek>) -> impl IntoView {
    use crate::domain::metrics::{on_shift_percent, per_scheduled_hour};
    let on_now = agents.iter().filter(|a| a.on_shift_until.is_some()).count();
    let rows = agents
        .into_iter()
        .map(|a| {
            let adherence = on_shift_percent(a.replies_on_shift, a.replies).map(|v| format!("{v:.0} %")).unwrap_or_else(|| "–".into());
            let rate = per_scheduled_hour(a.replies, a.scheduled_hours).map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into());
            view! {
                <tr>
                    <th scope="row"><a href=format!("/agent?id={}", a.id)>{a.name}</a></th>
                    <td>{a.team}</td>
                    <td>{a.on_shift_until.map(|t| format!("On shift until {t}")).unwrap_or_else(|| "Off shift".into())}</td>
                    <td class="numeric">{format!("{:.1}", a.scheduled_hours)}</td>
                    <td class="numeric">{a.replies}</td>
                    <td class="numeric">{adherence}</td>
                    <td class="numeric">{rate}</td>
                    <td class="numeric">{a.resolved}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="agents-week">
            <h2 id="agents-week">{format!("Agents, last 7 days ({on_now} on shift now)")}</h2>
            <div class="table-scroll">
                <table class="data-table" aria-label="Agents, last 7 days">
                    <thead><tr>
                        <th scope="col">"Agent"</th><th scope="col">"Team"</th><th scope="col">"Now"</th>
                        <th scope="col" class="numeric" title="Shift time in the last 7 days, breaks excluded">"Scheduled hours"</th>
                        <th scope="col" class="numeric">"Replies"</th>
                        <th scope="col" class="numeric" title="Share of public replies sent while the schedule had the agent on shift">"Sent on shift"</th>
                        <th scope="col" class="numeric" title="Public replies ÷ scheduled hours">"Replies per scheduled hour"</th>
                        <th scope="col" class="numeric">"Resolved"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
