//! `/queue`: the agents' workspace. This first version shows the queue's counts and the
//! unassigned dialogues that have waited longest.

use crate::components::notice::{error_fallback, EmptyState};
use crate::components::shell::RequireSection;
use crate::domain::access::Section;
use crate::domain::dialogue::{format_count, format_waiting, ChannelKind, Priority, COUNT_CAP};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WaitingDialogue {
    pub id: i64,
    pub channel_kind: String,
    pub channel: String,
    pub customer: String,
    pub subject: String,
    pub priority: String,
    pub waiting_seconds: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub unassigned: i64,
    pub mine: i64,
    pub open: i64,
    pub postponed: i64,
    pub longest_waiting: Vec<WaitingDialogue>,
}

#[server(endpoint = "queue_summary")]
pub async fn load_queue_summary() -> Result<QueueSummary, AppError> {
    use crate::backend::{authorized, queue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        Ok(queue::summary(&state.pool, user.id).await?)
    })
    .await
}

#[component]
pub fn QueuePage() -> impl IntoView {
    view! {
        <RequireSection section=Section::Queue>
            <QueueOverview/>
        </RequireSection>
    }
}

#[component]
fn QueueOverview() -> impl IntoView {
    let summary = Resource::new(|| (), |_| load_queue_summary());
    view! {
        <h1>"Queue"</h1>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    summary.await.map(|s| view! {
                        <ul class="counters" aria-label="Queue counts">
                            <Counter label="Unassigned" value=s.unassigned/>
                            <Counter label="Mine" value=s.mine/>
                            <Counter label="All open" value=s.open/>
                            <Counter label="Postponed" value=s.postponed/>
                        </ul>
                        <WaitingList rows=s.longest_waiting/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Counter(label: &'static str, value: i64) -> impl IntoView {
    view! {
        <li class="counter">
            <span class="counter-value">{format_count(value, COUNT_CAP)}</span>
            <span class="counter-label">{label}</span>
        </li>
    }
}

#[component]
fn WaitingList(rows: Vec<WaitingDialogue>) -> impl IntoView {
    if rows.is_empty() {
        return leptos::either::Either::Left(view! {
            <EmptyState title="Nobody is waiting" detail="Every open dialogue has an agent. New ones appear here first."/>
        });
    }
    let body = rows
        .into_iter()
        .map(|d| {
            let kind = ChannelKind::parse(&d.channel_kind).map(|k| k.label()).unwrap_or("Other");
            let priority = Priority::parse(&d.priority).map(|p| p.label()).unwrap_or("Normal");
            view! {
                <tr>
                    <td><span class=format!("channel channel-{}", d.channel_kind) title=d.channel.clone()>{kind}</span></td>
                    <td>{d.customer}</td>
                    <td>{d.subject}</td>
                    <td class=format!("priority priority-{}", d.priority)>{priority}</td>
                    <td class="numeric">{format_waiting(d.waiting_seconds)}</td>
                </tr>
            }
        })
        .collect_view();
    leptos::either::Either::Right(view! {
        <table class="data-table">
            <caption>"Unassigned, longest waiting first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Subject"</th>
                    <th scope="col">"Priority"</th>
                    <th scope="col">"Waiting"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    })
}
