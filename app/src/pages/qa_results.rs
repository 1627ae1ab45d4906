//! `/qa/results`: IQS per agent and team with 95 % intervals, the weekly trend, and where
//! each agent is weak (score per criterion). `/qa/calibration`: how far reviewers agree.
//! `/qa/docs`: how every score is computed.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::qa::Iqs;
use crate::error::AppError;
use crate::components::format::score_text;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use crate::model::qa::{Agreement, Calibration, ScoreLine, Scores};
use crate::components::docs::DocsPage;

#[server(endpoint = "qa_scores")]
pub async fn load_qa_scores(from: Option<String>, to: Option<String>, agent: Option<i64>) -> Result<Scores, AppError> {
    use crate::backend::{authorized, qa_results};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move {
        let (default_from, default_to) = qa_results::default_period(&state.pool, &user.time_zone).await?;
        let from = from.filter(|f| !f.is_empty()).unwrap_or(default_from);
        let to = to.filter(|t| !t.is_empty()).unwrap_or(default_to);
        qa_results::scores(&state.pool, &from, &to, &user.time_zone, agent).await
    })
    .await
}

#[server(endpoint = "qa_calibration")]
pub async fn load_qa_calibration() -> Result<(Vec<Calibration>, Vec<Agreement>), AppError> {
    use crate::backend::{authorized, qa_results};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move {
        Ok((qa_results::calibrations(&state.pool, user.id).await?, qa_results::agreement(&state.pool).await?))
    })
    .await
}

#[server(endpoint = "qa_create_calibration")]
pub async fn create_qa_calibration(conversation_id: i64) -> Result<i64, AppError> {
    use crate::backend::{authorized, qa_results};
    use crate::domain::access::Permission;
    authorized(Permission::ManageQa, |state, user| async move { qa_results::create_calibration(&state.pool, user.id, conversation_id).await }).await
}

#[component]
pub fn QaResultsPage() -> impl IntoView {
    let query = use_query_map();
    let period = move || query.with(|q| (q.get("from"), q.get("to"), q.get("agent").and_then(|a| a.parse::<i64>().ok())));
    let data = Resource::new(period, |(from, to, agent)| load_qa_scores(from, to, agent));
    view! {
        <p class="breadcrumb"><a href="/qa">"QA"</a></p>
        <h1>"QA results"</h1>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let agent = period().2;
                    data.await.map(|s| view! { <ResultsBody s agent/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn interval_text(q: &Iqs) -> String {
    match (q.low, q.high) {
        (Some(l), Some(h)) => format!("{l:.0}–{h:.0}"),
        _ => "too few reviews".into(),
    }
}

#[component]
fn ResultsBody(s: Scores, agent: Option<i64>) -> impl IntoView {
    // One agent's results: the same page, filtered, with the way back to the whole team.
    let focus = agent.and_then(|id| s.agents.iter().find(|a| a.id == id)).map(|a| {
        view! {
            <p class="notice notice-info">{format!("Only {}'s reviews. ", a.name)}
                <a href=format!("/qa/results?from={}&to={}", s.from, s.to)>"Show the whole team"</a>
            </p>
        }
    });
    let form = view! {
        {focus}
        <form class="inline-form" method="get" action="/qa/results">
            {agent.map(|a| view! { <input type="hidden" name="agent" value=a.to_string()/> })}
            <label class="inline-field">"From " <input type="date" name="from" value=s.from.clone()/></label>
            <label class="inline-field">"To " <input type="date" name="to" value=s.to.clone()/></label>
            <button type="submit">"Show"</button>
        </form>
    };
    let Some(overall) = s.overall else {
        return view! {
            {form}
            <EmptyState title="No reviews in this period" detail="Draw a sample on the QA page and score it; the results appear here."/>
        }
        .into_any();
    };
    let headline = format!(
        "Team IQS {:.0} (95 % interval {}), from {} reviews, {} to {}.",
        overall.mean,
        interval_text(&overall),
        overall.reviews,
        s.from,
        s.to
    );
    view! {
        {form}
        <p class="lede" data-testid="qa-headline">{headline}</p>
        <section aria-labelledby="agents-title">
            <h2 id="agents-title">"IQS per agent"</h2>
            <p class="hint">"Bars show the mean review score; the whiskers its 95 % confidence interval. A wide interval means the score rests on too few reviews to judge."</p>
            <IntervalChart lines=s.agents.clone() label="IQS per agent"/>
            <ScoreTable lines=s.agents.clone() caption="IQS per agent" who="Agent" link=Some((s.from.clone(), s.to.clone()))/>
        </section>
        <section aria-labelledby="teams-title">
            <h2 id="teams-title">"IQS per team"</h2>
            <IntervalChart lines=s.teams.clone() label="IQS per team"/>
            <ScoreTable lines=s.teams.clone() caption="IQS per team" who="Team" link=None/>
        </section>
        <section aria-labelledby="weeks-title">
            <h2 id="weeks-title">"IQS per week"</h2>
            <WeeklyChart weeks=s.weeks.clone()/>
        </section>
        <section aria-labelledby="criteria-title">
            <h2 id="criteria-title">"Where each agent is weak"</h2>
            <CriteriaHeatmap s=s.clone()/>
        </section>
    }
    .into_any()
}

/// Horizontal bars (mean) with whiskers (95 % interval), 0–100. Numbers on hover and in the table.
#[component]
fn IntervalChart(lines: Vec<ScoreLine>, label: &'static str) -> impl IntoView {
    let (left, width, row) = (160.0, 420.0, 26.0);
    let height = row * lines.len() as f64 + 24.0;
    let x = move |v: f64| left + v / 100.0 * width;
    let bars = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let y = 8.0 + i as f64 * row;
            let whisker = l.iqs.low.zip(l.iqs.high).map(|(lo, hi)| {
                view! {
                    <line x1=x(lo) x2=x(hi) y1=y + 9.0 y2=y + 9.0 class="whisker"/>
                    <line x1=x(lo) x2=x(lo) y1=y + 4.0 y2=y + 14.0 class="whisker"/>
                    <line x1=x(hi) x2=x(hi) y1=y + 4.0 y2=y + 14.0 class="whisker"/>
                }
            });
            let tip = format!("{}: {:.0} ({}), {} reviews", l.name, l.iqs.mean, interval_text(&l.iqs), l.iqs.reviews);
            view! {
                <g>
                    <title>{tip}</title>
                    <text x=left - 8.0 y=y + 13.0 text-anchor="end" class="axis-label">{l.name.clone()}</text>
                    <rect x=left y=y + 3.0 width=(x(l.iqs.mean) - left).max(1.0) height="12" class="bar"/>
                    {whisker}
                    <text x=left + width + 6.0 y=y + 13.0 class="axis-label">{format!("{:.0} · n={}", l.iqs.mean, l.iqs.reviews)}</text>
                </g>
            }
        })
        .collect_view();
    let grid = [0.0, 50.0, 100.0]
        .map(|v| view! { <line x1=x(v) x2=x(v) y1="0" y2=height - 16.0 class="grid"/><text x=x(v) y=height - 2.0 text-anchor="middle" class="axis-label">{v}</text> })
        .into_iter()
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {} {height}", left + width + 90.0) role="img" aria-label=label>
            {grid}
            {bars}
        </svg>
    }
}

#[component]
fn ScoreTable(lines: Vec<ScoreLine>, caption: &'static str, who: &'static str, link: Option<(String, String)>) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|l| {
            // Agents link to their own results: their weekly trend and criteria.
            let name = match &link {
                Some((from, to)) => view! { <a href=format!("/qa/results?from={from}&to={to}&agent={}", l.id)>{l.name}</a> }.into_any(),
                None => l.name.into_any(),
            };
            view! { <tr><td>{name}</td><td>{format!("{:.1}", l.iqs.mean)}</td><td>{interval_text(&l.iqs)}</td><td>{l.iqs.reviews}</td></tr> }
        })
        .collect_view();
    view! {
        <table class="list compact" aria-label=caption>
            <thead><tr><th>{who}</th><th>"IQS"</th><th>"95 % interval"</th><th>"Reviews"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn WeeklyChart(weeks: Vec<ScoreLine>) -> impl IntoView {
    if weeks.is_empty() {
        return ().into_any();
    }
    let (w, h, pad) = (640.0, 180.0, 30.0);
    let n = weeks.len().max(2) as f64 - 1.0;
    let px = |i: usize| pad + i as f64 / n * (w - 2.0 * pad);
    let py = |v: f64| h - pad - v / 100.0 * (h - 2.0 * pad);
    let band_top: Vec<String> = weeks.iter().enumerate().map(|(i, l)| format!("{:.1},{:.1}", px(i), py(l.iqs.high.unwrap_or(l.iqs.mean)))).collect();
    let band_bottom: Vec<String> =
        weeks.iter().enumerate().rev().map(|(i, l)| format!("{:.1},{:.1}", px(i), py(l.iqs.low.unwrap_or(l.iqs.mean)))).collect();
    let band = format!("{} {}", band_top.join(" "), band_bottom.join(" "));
    let line: Vec<String> = weeks.iter().enumerate().map(|(i, l)| format!("{:.1},{:.1}", px(i), py(l.iqs.mean))).collect();
    let dots = weeks
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let week = week_label(l.id);
            let tip = format!("Week of {week}: {:.0} ({}), {} reviews", l.iqs.mean, interval_text(&l.iqs), l.iqs.reviews);
            view! { <circle cx=px(i) cy=py(l.iqs.mean) r="4" class="dot"><title>{tip}</title></circle> }
        })
        .collect_view();
    let first = week_label(weeks[0].id);
    let last = week_label(weeks[weeks.len() - 1].id);
    let rows = weeks
        .iter()
        .map(|l| view! { <tr><td>{week_label(l.id)}</td><td>{format!("{:.1}", l.iqs.mean)}</td><td>{interval_text(&l.iqs)}</td><td>{l.iqs.reviews}</td></tr> })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label="IQS per week, with its 95 % interval as a band">
            <line x1=pad x2=w - pad y1=py(50.0) y2=py(50.0) class="grid"/>
            <text x="2" y=py(100.0) + 4.0 class="axis-label">"100"</text>
            <text x="2" y=py(50.0) + 4.0 class="axis-label">"50"</text>
            <text x="2" y=py(0.0) + 4.0 class="axis-label">"0"</text>
            <polygon points=band class="band"/>
            <polyline points=line.join(" ") class="line"/>
            {dots}
            <text x=pad y=h - 6.0 class="axis-label">{first}</text>
            <text x=w - pad y=h - 6.0 text-anchor="end" class="axis-label">{last}</text>
        </svg>
        <table class="visually-hidden" aria-label="IQS per week">
            <thead><tr><th>"Week of"</th><th>"IQS"</th><th>"95 % interval"</th><th>"Reviews"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// `2026-11-16` from Unix seconds (the week's start), without a date library in the browser.
fn week_label(epoch: i64) -> String {
    crate::domain::rollup::format_day(epoch.div_euclid(86_400))
}

/// Agents × criteria, each cell the mean criterion score, coloured from weak to strong.
#[component]
fn CriteriaHeatmap(s: Scores) -> impl IntoView {
    let head = s.criteria.iter().map(|c| view! { <th scope="col" title=format!("Team: {:.0} over {} reviews", c.mean, c.reviews)>{c.name.clone()}</th> }).collect_view();
    let team = s.criteria.iter().map(|c| view! { <td class=heat_class(Some(c.mean))>{format!("{:.0}", c.mean)}</td> }).collect_view();
    let rows = s
        .agents
        .iter()
        .zip(s.agent_criteria.iter())
        .map(|(a, cells)| {
            let cells = cells
                .iter()
                .map(|v| view! { <td class=heat_class(*v)>{score_text(*v)}</td> })
                .collect_view();
            view! { <tr><th scope="row">{a.name.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="heatmap" aria-label="Score per criterion and agent">
                <thead><tr><th>"Agent"</th>{head}</tr></thead>
                <tbody>
                    <tr class="team-row"><th scope="row">"Whole team"</th>{team}</tr>
                    {rows}
                </tbody>
            </table>
        </div>
    }
}

fn heat_class(v: Option<f64>) -> &'static str {
    match v {
        None => "heat-none",
        Some(v) if v < 50.0 => "heat-1",
        Some(v) if v < 70.0 => "heat-2",
        Some(v) if v < 85.0 => "heat-3",
        Some(_) => "heat-4",
    }
}

#[component]
pub fn QaCalibrationPage() -> impl IntoView {
    let create = ServerAction::<CreateQaCalibration>::new();
    let data = Resource::new(move || create.version().get(), |_| load_qa_calibration());
    let dialogue = RwSignal::new(String::new());
    let error = move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> });
    view! {
        <p class="breadcrumb"><a href="/qa">"QA"</a></p>
        <h1>"Calibration"</h1>
        <p class="lede">"Several reviewers score the same dialogue without seeing each other's scores; the table shows how far they agree per criterion. Calibration reviews never count towards agents' scores."</p>
        <form class="inline-form" on:submit=move |e| {
            e.prevent_default();
            if let Ok(id) = dialogue.get_untracked().trim().parse() {
                create.dispatch(CreateQaCalibration { conversation_id: id });
            }
        }>
            <label class="inline-field">"Dialogue number "
                <input type="text" inputmode="numeric" prop:value=move || dialogue.get() on:input=move |e| dialogue.set(event_target_value(&e))/>
            </label>
            <button type="submit">"Start a calibration session"</button>
            <span class="hint">"(managers)"</span>
        </form>
        {error}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|(sessions, agreement)| {
                        let list = if sessions.is_empty() {
                            view! { <EmptyState title="No calibration sessions yet" detail="A manager starts one on a dialogue; every reviewer then scores it."/> }.into_any()
                        } else {
                            sessions.into_iter().map(|k| {
                                let href = format!("/qa/review?conversation={}&calibration={}", k.conversation_id, k.id);
                                let who = if k.reviewers.is_empty() { "nobody yet".to_string() } else { k.reviewers.join(", ") };
                                view! {
                                    <li>
                                        <a href=href>{k.subject}</a>
                                        <span class="hint">{format!(" · scored by {who}")}</span>
                                        {k.done_by_me.then(|| view! { <span class="badge">"Done"</span> })}
                                    </li>
                                }
                            }).collect_view().into_any()
                        };
                        let rows = agreement.into_iter().map(|a| view! {
                            <tr>
                                <td>{a.criterion}</td>
                                <td>{a.alpha.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into())}</td>
                                <td>{a.mean_spread.map(|x| format!("{x:.0} points")).unwrap_or_else(|| "–".into())}</td>
                                <td>{a.ratings}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <h2>"Sessions"</h2>
                            <ul class="plain-list">{list}</ul>
                            <h2>"Agreement per criterion"</h2>
                            <p class="hint">"Krippendorff's alpha (interval): 1 is perfect agreement, 0 no better than chance; 0.8 and above is usually taken as reliable. Spread: the mean gap between the highest and lowest score a dialogue got."</p>
                            <table class="list compact" aria-label="Agreement per criterion">
                                <thead><tr><th>"Criterion"</th><th>"Alpha"</th><th>"Mean spread"</th><th>"Scores"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// How the page's figures are computed, term by term.
const QA_DEFINITIONS: [(&str, &str); 7] = [
    ("Criterion score", "(chosen − scale minimum) ÷ (scale maximum − scale minimum) × 100. Yes/no counts no as 0 and yes as 1; the 1–4 and 1–5 scales start at 1. So 3 on a 1–4 scale is 67."),
    ("Review score", "The weighted mean of the applicable criteria's scores, each weighted by its weight (0–100). Criteria marked N/A drop out. If an applicable critical criterion scores below 50, the review scores 0. A review where nothing applicable carries weight has no score."),
    ("IQS (internal quality score)", "The mean of an agent's (or team's) review scores over the period. Calibration reviews do not count."),
    ("95 % interval", "mean ± t × s ÷ √n, with s the standard deviation of the review scores, n their number and t Student's t quantile for n − 1 degrees of freedom; clipped to 0–100. One review has no interval. The fewer the reviews, the wider it is."),
    ("Samples", "Every agent with resolved dialogues in the period gets the same number drawn (or all they have). The draw is random but reproducible: each dialogue gets a rank from the sample's seed and its number, and each agent's lowest-ranked dialogues are taken."),
    ("Suggestions", "Task completed: yes unless the dialogue was reopened within 7 days of being resolved. Customer happy: from the rating (bad lowest, excellent highest). Closed quickly: best within the channel's resolution target, worst at twice the target. Used the knowledge base: from the articles sent, once the knowledge base records them. The reviewer confirms or changes each; the review records which were changed."),
    ("Agreement", "Krippendorff's alpha for interval data over the calibration sessions: 1 − observed disagreement ÷ disagreement expected by chance."),
];

#[component]
pub fn QaDocsPage() -> impl IntoView {
    view! { <DocsPage back=("/qa", "QA") title="How QA scores are computed" definitions=&QA_DEFINITIONS/> }
}

#[cfg(test)]
mod tests {
    #[test]
    fn week_labels_are_civil_dates() {
        assert_eq!(super::week_label(0), "1970-01-01");
        assert_eq!(super::week_label(1_763_337_600), "2025-11-17");
    }
}
