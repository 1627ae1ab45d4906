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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekOverWeek {
    pub current: PeriodCounts,
    pub previous: PeriodCounts,
}

#[server(endpoint = "reports_overview")]
pub async fn load_reports_overview() -> Result<WeekOverWeek, AppError> {
    use crate::backend::{authorized, reports};
    use crate::domain::access::Permission;
    authorized(Permission::ViewReports, |state, _| async move {
        Ok(reports::week_over_week(&state.pool).await?)
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
        <p class="lede">"The last 7 days compared with the 7 days before."</p>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|w| {
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
