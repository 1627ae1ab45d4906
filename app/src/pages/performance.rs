//! `/agent?id=N`: one agent's page for one-to-ones. Their figures week by week (replies,
//! first response, FCR, CSAT, QA score, schedule adherence) as small charts and a table,
//! this week's "top 5" plan (the first task, answering every dialogue assigned to them, is
//! counted by Meridian), and the managers' notes. Agents open their own (`/agent`);
//! managers anyone's, from Reports.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::performance::{PlanItem, WeekFigures, FIXED_TASK, OWN_TASKS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_query_map;
use crate::model::performance::{AgentNote, AgentPerformance, WeekPlan};

/// One agent's page; without an id, the caller's own.
#[server(endpoint = "agent_performance")]
pub async fn load_agent_performance(id: Option<i64>) -> Result<AgentPerformance, AppError> {
    use crate::backend::{authorized, performance};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { performance::page(&state.pool, &user, id.unwrap_or(user.id)).await }).await
}

#[server(endpoint = "agent_plan_save", input = Json)]
pub async fn agent_plan_save(agent_id: i64, items: Vec<PlanItem>) -> Result<(), AppError> {
    use crate::backend::{authorized, performance};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { performance::save_plan(&state.pool, &user, agent_id, &items).await }).await
}

#[server(endpoint = "agent_note_add")]
pub async fn agent_note_add(agent_id: i64, body: String) -> Result<i64, AppError> {
    use crate::backend::{authorized, performance};
    use crate::domain::access::Permission;
    authorized(Permission::ViewReports, |state, user| async move { performance::add_note(&state.pool, &user, agent_id, &body).await }).await
}

#[component]
pub fn AgentPage() -> impl IntoView {
    let params = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let save = ServerAction::<AgentPlanSave>::new();
    let note = ServerAction::<AgentNoteAdd>::new();
    let data = Resource::new(move || (id(), save.version().get(), note.version().get()), |(id, ..)| load_agent_performance(id));
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { data.await.map(|p| view! { <AgentBody p save note/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn AgentBody(p: AgentPerformance, save: ServerAction<AgentPlanSave>, note: ServerAction<AgentNoteAdd>) -> impl IntoView {
    let title = format!("{} — performance", p.name);
    let sub = format!("{} · weeks from Monday, in {}", p.team.clone().unwrap_or_else(|| "No team".into()), p.time_zone);
    let series: [(&str, &str, fn(&WeekFigures) -> Option<f64>); 5] = [
        ("Public replies", "", |w| Some(w.replies as f64)),
        ("First response, mean", " min", |w| w.first_response_mean.map(|s| s / 60.0)),
        ("CSAT", " %", |w| w.csat_percent),
        ("QA score", "", |w| w.qa_score),
        ("Schedule adherence", " %", |w| w.adherence),
    ];
    let charts = series.into_iter().map(|(name, unit, f)| view! { <Spark name unit weeks=p.weeks.clone() value=f/> }).collect_view();
    use crate::components::format::duration;
use crate::components::format::percent;
    let rows = p.weeks.iter().rev().map(|w| view! {
        <tr>
            <th scope="row">{w.week.clone()}</th>
            <td class="num">{w.replies}</td>
            <td class="num">{w.resolutions}</td>
            <td class="num">{duration(w.first_response_mean)}</td>
            <td class="num">{percent(w.first_contact_percent)}</td>
            <td class="num">{format!("{} ({})", percent(w.csat_percent), w.rated)}</td>
            <td class="num">{format!("{} ({})", w.qa_score.map(|q| format!("{q:.0}")).unwrap_or_else(|| "–".into()), w.reviews)}</td>
            <td class="num">{percent(w.adherence)}</td>
            <td class="num">{w.converted}</td>
        </tr>
    }).collect_view();
    view! {
        <h1>{title}</h1>
        <p class="lede">{sub}</p>
        <div class="spark-grid">{charts}</div>
        <table class="data-table">
            <caption>"Week by week, newest first"</caption>
            <thead><tr>
                <th scope="col">"Week of"</th><th scope="col">"Replies"</th><th scope="col">"Resolved"</th><th scope="col">"First response"</th>
                <th scope="col">"FCR"</th><th scope="col">"CSAT (rated)"</th><th scope="col">"QA (reviews)"</th><th scope="col">"Adherence"</th><th scope="col">"Converted"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="report-links"><a href="/reports#definitions">"How each figure is counted"</a>" · adherence is the share of public replies sent while the schedule had them on shift"</p>
        <Plan agent_id=p.id plan=p.plan save/>
        <Notes agent_id=p.id notes=p.notes may_write=p.may_write_notes note/>
    }
}

/// A small line chart of one figure over the weeks, each point's value on hover; the table
/// below holds every number for screen readers.
#[component]
fn Spark(name: &'static str, unit: &'static str, weeks: Vec<WeekFigures>, value: fn(&WeekFigures) -> Option<f64>) -> impl IntoView {
    let (w, h, pad) = (220.0, 60.0, 6.0);
    let values: Vec<Option<f64>> = weeks.iter().map(value).collect();
    let max = values.iter().flatten().copied().fold(0.0f64, f64::max).max(1.0);
    let n = values.len().max(2) as f64 - 1.0;
    let x = move |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = move |v: f64| h - pad - (h - 2.0 * pad) * v / max;
    let points = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect::<Vec<_>>().join(" ");
    let dots = values
        .iter()
        .zip(&weeks)
        .enumerate()
        .filter_map(|(i, (v, wk))| v.map(|v| view! { <circle cx=x(i) cy=y(v) r="2.5" class="dot"><title>{format!("Week of {}: {v:.0}{unit}", wk.week)}</title></circle> }))
        .collect_view();
    let latest = values.iter().rev().flatten().next().map(|v| format!("{v:.0}{unit}")).unwrap_or_else(|| "–".into());
    view! {
        <figure class="card spark">
            <figcaption><strong>{name}</strong>" · latest "{latest}</figcaption>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=format!("{name} per week, last {} weeks", weeks.len())>
                <line x1=pad x2=w - pad y1=y(0.0) y2=y(0.0) class="grid"/>
                <polyline points=points class="line"/>
                {dots}
            </svg>
        </figure>
    }
}

#[component]
fn Plan(agent_id: i64, plan: WeekPlan, save: ServerAction<AgentPlanSave>) -> impl IntoView {
    let mut items = plan.items.clone();
    items.resize(OWN_TASKS, PlanItem::default());
    let items = RwSignal::new(items);
    let fixed = if plan.assigned_waiting == 0 {
        format!("Done for now: none of your {} open dialogues waits for you.", plan.assigned_open)
    } else {
        format!("{} of your {} open dialogues wait for your answer.", plan.assigned_waiting, plan.assigned_open)
    };
    let rows = (0..OWN_TASKS)
        .map(|i| {
            view! {
                <li class="plan-task">
                    <input type="checkbox" aria-label=format!("Task {} done", i + 2) prop:checked=move || items.with(|v| v[i].done)
                        on:change=move |e| { let on = event_target_checked(&e); items.update(|v| v[i].done = on); }/>
                    <input type="text" maxlength="200" aria-label=format!("Task {}", i + 2) placeholder="A goal for this week"
                        prop:value=move || items.with(|v| v[i].text.clone()) on:input=move |e| { let t = event_target_value(&e); items.update(|v| v[i].text = t); }/>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="plan-title">
            <h2 id="plan-title">{format!("Top 5 for the week of {}", plan.week)}</h2>
            <form aria-label="Weekly plan" on:submit=move |e| { e.prevent_default(); save.dispatch(AgentPlanSave { agent_id, items: items.get_untracked() }); }>
                <ol class="plain-list plan">
                    <li class="plan-task plan-fixed">
                        <input type="checkbox" disabled=true prop:checked=plan.assigned_waiting == 0 aria-label="Task 1 done"/>
                        <span>{FIXED_TASK}</span>" — "<span data-testid="fixed-task">{fixed}</span>
                    </li>
                    {rows}
                </ol>
                <button type="submit" disabled=move || save.pending().get()>"Save plan"</button>
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <span role="status">" Plan saved."</span> }.into_any(),
                    Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                })}
            </form>
        </section>
    }
}

#[component]
fn Notes(agent_id: i64, notes: Vec<AgentNote>, may_write: bool, note: ServerAction<AgentNoteAdd>) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let list = if notes.is_empty() {
        view! { <EmptyState title="No notes yet" detail="Managers write what was agreed in each one-to-one here."/> }.into_any()
    } else {
        let items = notes.into_iter().map(|n| view! {
            <li><p class="message-meta"><strong>{n.author}</strong>{format!(" · {}", n.at)}</p><p class="message-body">{n.body}</p></li>
        }).collect_view();
        view! { <ol class="plain-list notes">{items}</ol> }.into_any()
    };
    view! {
        <section aria-labelledby="notes-title">
            <h2 id="notes-title">"One-to-one notes"</h2>
            {may_write.then(|| view! {
                <form class="form-stack" aria-label="Add a note" on:submit=move |e| {
                    e.prevent_default();
                    note.dispatch(AgentNoteAdd { agent_id, body: body.get_untracked() });
                }>
                    <label>"Note"<textarea rows="3" maxlength="4000" on:input=move |e| body.set(event_target_value(&e))></textarea></label>
                    <button type="submit" disabled=move || note.pending().get()>"Add note"</button>
                </form>
                {move || note.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
            })}
            {list}
        </section>
    }
}
