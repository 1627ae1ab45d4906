//! `/reports`: the team's numbers, for managers and owners. This first version compares
//! the last seven days with the seven before.

use crate::components::notice::error_fallback;
use crate::components::shell::RequireSection;
use crate::domain::access::Section;
use crate::domain::dialogue::format_waiting;
use crate::domain::metrics::{change_percent, csat_percent};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Raw counts for one period; the page derives the figures with `domain::metrics`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PeriodCounts {
    pub created: i64,
    pub resolved: i64,
    pub median_first_response_seconds: Option<f64>,
    pub rated: i64,
    pub satisfied: i64,
}

/// One agent's last seven days beside their schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgentWeek {
    pub id: i64,
    pub name: String,
    pub team: String,
    /// When their current shift ends (`HH:MM` in the reader's time zone), if on shift now.
    pub on_shift_until: Option<String>,
    pub scheduled_hours: f64,
    pub replies: i64,
    pub replies_on_shift: i64,
    pub resolved: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekOverWeek {
    pub current: PeriodCounts,
    pub previous: PeriodCounts,
    /// Agents, those on shift now first.
    pub agents: Vec<AgentWeek>,
}

#[server(endpoint = "reports_overview")]
pub async fn load_reports_overview() -> Result<WeekOverWeek, AppError> {
    use crate::backend::{authorized, reports};
    use crate::domain::access::Permission;
    authorized(Permission::ViewReports, |state, user| async move {
        Ok(reports::week_over_week(&state.pool, &user.time_zone).await?)
    })
    .await
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <RequireSection section=Section::Reports>
            <Overview/>
        </RequireSection>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_reports_overview());
    view! {
        <h1>"Reports"</h1>
        <p><a href="/reports/audit">"Audit log"</a>" — who signed in and changed what"</p>
        <p class="lede">"The last 7 days compared with the 7 days before, and each agent's week beside their schedule."</p>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|w| {
                        let agents = w.agents;
                        let (c, p) = (w.current, w.previous);
                        let csat = |x: &PeriodCounts| csat_percent(x.satisfied, x.rated);
                        let frt = |x: &PeriodCounts| x.median_first_response_seconds;
                        view! {
                            <dl class="figures">
                                <Figure label="New dialogues" value=c.created.to_string()
                                    change=change_percent(c.created as f64, p.created as f64)
                                    definition="Dialogues created in the period, every channel."/>
                                <Figure label="Resolved" value=c.resolved.to_string()
                                    change=change_percent(c.resolved as f64, p.resolved as f64)
                                    definition="Dialogues resolved in the period, whenever they were created."/>
                                <Figure label="Median first response"
                                    value=frt(&c).map(|s| format_waiting(s as i64)).unwrap_or_else(|| "–".into())
                                    change=frt(&c).zip(frt(&p)).and_then(|(a, b)| change_percent(a, b))
                                    definition="Creation to the first public agent reply, calendar time, for dialogues created in the period."/>
                                <Figure label="CSAT"
                                    value=csat(&c).map(|v| format!("{v:.1} %")).unwrap_or_else(|| "–".into())
                                    change=csat(&c).zip(csat(&p)).and_then(|(a, b)| change_percent(a, b))
                                    definition=format!("Good or excellent ÷ all rated ({} rated dialogues).", c.rated)/>
                            </dl>
                            <AgentsWeek agents/>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Figure(
    label: &'static str,
    value: String,
    change: Option<f64>,
    #[prop(into)] definition: String,
) -> impl IntoView {
    let change = change.map(|c| format!("{c:+.0} % on the previous period"));
    let title = definition.clone();
    view! {
        <div class="figure" title=title>
            <dt>{label}</dt>
            <dd class="figure-value">{value}</dd>
            <dd class="figure-change">{change}</dd>
            <dd class="figure-definition">{definition}</dd>
        </div>
    }
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
                    <th scope="row">{a.name}</th>
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
