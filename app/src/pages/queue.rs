//! `/queue`: the lists agents work from, live. Longest waiting first (resolved: newest
//! first), keyset-paged, with capped counts per list.

use crate::components::live::use_queue_events;
use crate::components::notice::{error_fallback, EmptyState};
use crate::domain::dialogue::{format_count, format_waiting, Topic, COUNT_CAP};
use crate::domain::queue::{QueueFilter, QueueSort, QueueView};
use crate::error::AppError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use crate::model::queue::{QueueList};
use crate::components::format::{clock_text};

/// One page of a queue list. `view` is one of unassigned, mine, open, postponed,
/// resolved; `cursor` comes from the previous page's `next_cursor`.
#[server(endpoint = "queue_list")]
pub async fn load_queue(
    view: String,
    cursor: Option<String>,
    #[server(default)] sort: Option<String>,
    #[server(default)] channel: Option<String>,
    #[server(default)] topic: Option<String>,
    #[server(default)] team: Option<String>,
) -> Result<QueueList, AppError> {
    use crate::backend::{authorized, queue};
    use crate::domain::access::Permission;
    use crate::domain::queue::{page_size, Cursor};
    authorized(Permission::WorkQueue, |state, user| async move {
        let view = QueueView::parse(&view).ok_or_else(|| AppError::Invalid("There is no such list.".into()))?;
        let cursor = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(Cursor::decode(&c).ok_or_else(|| AppError::Invalid("That page link is not valid.".into()))?),
            None => None,
        };
        let sort = QueueSort::parse(sort.as_deref());
        let filter = QueueFilter::parse(channel.as_deref(), topic.as_deref(), team.as_deref());
        Ok(queue::queue_list(&state.pool, view, sort, filter, user.id, cursor, page_size(None)).await?)
    })
    .await
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let view = move || query.with(|q| q.get("view").and_then(|v| QueueView::parse(&v)).unwrap_or(QueueView::Unassigned));
    let cursor = move || query.with(|q| q.get("cursor"));
    let sort = move || query.with(|q| q.get("sort"));
    let filter = move || query.with(|q| (q.get("channel"), q.get("topic"), q.get("team")));
    let events = use_queue_events();
    let list = Resource::new(
        move || (view(), cursor(), sort(), filter(), events.get()),
        |(view, cursor, sort, (channel, topic, team), _)| load_queue(view.as_str().to_string(), cursor, sort, channel, topic, team),
    );
    view! {
        <div class="page-head">
            <h1>"Queue"</h1>
            <a class="button" href="/queue/macros">"Macros"</a>
            <a class="button" href="/queue/service-levels">"Service levels"</a>
            <a class="button" href="/queue/assignment">"Assignment"</a>
            <a class="button" href="/queue/rules">"Rules"</a>
        </div>
        <crate::components::promise::SupportPromise/>
        <crate::components::trending::Trending/>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    list.await.map(|l| view! {
                        <ViewTabs current=l.view counts=l.counts.clone() filter=l.filter.clone()/>
                        <Filters list=l.clone()/>
                        <SortLinks view=l.view current=l.sort filter=l.filter.clone()/>
                        <Rows list=l/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ViewTabs(current: QueueView, counts: Vec<(QueueView, i64)>, filter: QueueFilter) -> impl IntoView {
    let extra = filter.query();
    let tabs = counts
        .into_iter()
        .map(|(v, n)| {
            let current = (v == current).then_some("page");
            view! {
                <li>
                    <a href=format!("/queue?view={}{extra}", v.as_str()) aria-current=current>
                        {v.label()} " " <span class="tab-count">{format_count(n, COUNT_CAP)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! { <nav aria-label="Queue lists" class="tabs"><ul>{tabs}</ul></nav> }
}

/// One queue within the lists: a channel, a purpose, a team. Choosing goes to that
/// address (so it can be bookmarked and shared), keeping the list and its order.
#[component]
fn Filters(list: QueueList) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let QueueList { view, sort, filter, channels, teams, .. } = list;
    let go = move |f: QueueFilter| {
        navigate(&format!("/queue?view={}&sort={}{}", view.as_str(), sort.as_str(), f.query()), Default::default());
    };
    let options = |items: Vec<(String, String)>, selected: String| {
        items
            .into_iter()
            .map(|(value, label)| {
                let chosen = value == selected;
                view! { <option value=value selected=chosen>{label}</option> }
            })
            .collect_view()
    };
    let channel_items: Vec<(String, String)> = channels.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    let topic_items: Vec<(String, String)> = Topic::ALL.iter().map(|t| (t.as_str().to_string(), t.label().to_string())).collect();
    let team_items: Vec<(String, String)> = teams.into_iter().map(|(id, n)| (id.to_string(), n)).collect();
    let (f1, f2, f3) = (filter.clone(), filter.clone(), filter.clone());
    let (g1, g2, g3) = (go.clone(), go.clone(), go.clone());
    view! {
        <div class="queue-filters" role="group" aria-label="Queue">
            <label class="inline-field">"Channel "
                <select on:change=move |e| g1(QueueFilter { channel_id: event_target_value(&e).parse().ok(), ..f1.clone() })>
                    <option value="">"Every channel"</option>
                    {options(channel_items, filter.channel_id.map(|c| c.to_string()).unwrap_or_default())}
                </select>
            </label>
            <label class="inline-field">"Purpose "
                <select on:change=move |e| g2(QueueFilter { topic: Topic::parse(&event_target_value(&e)), ..f2.clone() })>
                    <option value="">"Every purpose"</option>
                    {options(topic_items, filter.topic.map(|t| t.as_str().to_string()).unwrap_or_default())}
                </select>
            </label>
            <label class="inline-field">"Team "
                <select on:change=move |e| g3(QueueFilter { team_id: event_target_value(&e).parse().ok(), ..f3.clone() })>
                    <option value="">"Every team"</option>
                    {options(team_items, filter.team_id.map(|t| t.to_string()).unwrap_or_default())}
                </select>
            </label>
            {(!filter.is_empty()).then(|| view! { <a href=format!("/queue?view={}&sort={}", view.as_str(), sort.as_str())>"Clear"</a> })}
        </div>
    }
}

/// The list's order, as two links (the current one marked).
#[component]
fn SortLinks(view: QueueView, current: QueueSort, filter: QueueFilter) -> impl IntoView {
    let extra = filter.query();
    let links = QueueSort::ALL
        .into_iter()
        .map(|s| {
            let here = (s == current).then_some("true");
            view! { <li><a href=format!("/queue?view={}&sort={}{extra}", view.as_str(), s.as_str()) aria-current=here>{s.label()}</a></li> }
        })
        .collect_view();
    view! { <nav aria-label="Order" class="sort-links"><ul>{links}</ul></nav> }
}

#[component]
fn Rows(list: QueueList) -> impl IntoView {
    if list.items.is_empty() {
        let detail = match list.view {
            QueueView::Unassigned => "Every open dialogue has an agent. New ones appear here first.",
            QueueView::Mine => "You hold no open dialogues. Claim one from Unassigned.",
            _ => "Nothing here right now.",
        };
        return Either::Left(view! { <EmptyState title=format!("{}: nothing here", list.view.label()) detail/> });
    }
    let view_name = list.view.as_str();
    let sort_name = list.sort.as_str();
    let extra = list.filter.query();
    let now = list.now;
    let body = list
        .items
        .into_iter()
        .map(|d| {
            let kind = d.channel_kind.label();
            let priority = d.priority.label();
            let (clock, clock_class) = clock_text(d.clock);
            view! {
                <tr>
                    <td><span class=format!("channel channel-{}", d.channel_kind.as_str()) title=d.channel.clone()>{kind}</span></td>
                    <td>{d.customer}</td>
                    <td class="subject-cell">
                        <a href=format!("/dialogue?id={}", d.id) class="row-link">{d.subject}</a>
                        <span class="preview">{d.preview}</span>
                    </td>
                    <td class=format!("priority priority-{}", d.priority.as_str())>{priority}</td>
                    <td>
                        {d.assignee.unwrap_or_else(|| "Unassigned".into())}
                        // How it came to its agent, when not by their own claim; or why it waits.
                        {d.assigned_how.filter(|h| *h != crate::domain::assignment::AssignedHow::Claimed)
                            .map(|h| view! { <span class="muted assigned-how">{h.label()}</span> })}
                        {d.assignment_note.map(|n| view! { <span class="muted assignment-note">{n}</span> })}
                        {(!d.viewers.is_empty()).then(|| view! { <span class="viewers">{format!("Viewing: {}", d.viewers.join(", "))}</span> })}
                    </td>
                    <td class="numeric">{format_waiting(d.waiting_seconds)}</td>
                    <td class=clock_class>{clock}</td>
                    <td>{match d.sla {
                        Some(due) => {
                            let (text, overdue) = due.describe(now);
                            view! { <span class=if overdue { "sla sla-overdue" } else { "sla" }>{text}</span> }.into_any()
                        }
                        None => view! { <span class="muted">"—"</span> }.into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let next = list.next_cursor.map(|c| {
        view! { <a class="button-quiet" href=format!("/queue?view={view_name}&sort={sort_name}{extra}&cursor={c}")>"Next page"</a> }
    });
    Either::Right(view! {
        <table class="data-table queue-table">
            <caption>{list.view.label()}</caption>
            <thead>
                <tr>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Subject"</th>
                    <th scope="col">"Priority"</th>
                    <th scope="col">"Agent"</th>
                    <th scope="col">"Waiting"</th>
                    <th scope="col">"First response"</th>
                    <th scope="col">"Service level"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
        <div class="pager">{next}</div>
    })
}
