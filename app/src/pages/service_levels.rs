//! `/queue/service-levels`: the SLA policies in the order they are tried. Managers and
//! owners write them (what a policy matches, how it counts, its targets per priority, the
//! warning and the escalation); agents read them, since the clocks on their dialogues
//! come from here.

use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::components::ordered_editor::{editor_state, failure, EditorOutcome, RowTools};
use crate::domain::dialogue::{format_waiting, ChannelKind, Priority, Topic};
use crate::domain::sla::{Conditions, Escalation, Metric, Target};
use crate::error::AppError;
use crate::model::sla::{SlaOverview, SlaPolicy, SlaPolicyInput};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "sla_overview")]
pub async fn load_service_levels() -> Result<SlaOverview, AppError> {
    use crate::backend::{authorized, sla, teams};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        Ok(SlaOverview {
            policies: sla::policies(&state.pool).await?,
            teams: teams::names(&state.pool).await?,
            can_manage: user.role.can(Permission::ManageServiceLevels),
        })
    })
    .await
}

#[server(endpoint = "sla_save", input = Json)]
pub async fn sla_save(id: Option<i64>, input: SlaPolicyInput) -> Result<i64, AppError> {
    use crate::backend::{authorized, sla};
    use crate::domain::access::Permission;
    authorized(Permission::ManageServiceLevels, |state, user| async move { sla::save(&state.pool, &user, id, &input).await }).await
}

#[server(endpoint = "sla_delete")]
pub async fn sla_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, sla};
    use crate::domain::access::Permission;
    authorized(Permission::ManageServiceLevels, |state, user| async move { sla::delete(&state.pool, &user, id).await }).await
}

#[server(endpoint = "sla_move")]
pub async fn sla_move(id: i64, up: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, sla};
    use crate::domain::access::Permission;
    authorized(Permission::ManageServiceLevels, |state, user| async move { sla::reorder(&state.pool, &user, id, up).await }).await
}

fn blank() -> SlaPolicyInput {
    SlaPolicyInput {
        name: String::new(),
        conditions: Conditions::default(),
        business_hours: false,
        warn_minutes: 15,
        escalation: Escalation::None,
        targets: Vec::new(),
    }
}

fn targets_text(targets: &[Target]) -> String {
    Priority::ALL
        .iter()
        .filter_map(|p| {
            let mine: Vec<String> = Metric::ALL
                .iter()
                .filter_map(|m| targets.iter().find(|t| t.priority == *p && t.metric == *m))
                .map(|t| format!("{} {}", t.metric.label().to_lowercase(), format_waiting(t.minutes as i64 * 60)))
                .collect();
            (!mine.is_empty()).then(|| format!("{}: {}", p.label(), mine.join(", ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn ServiceLevelsPage() -> impl IntoView {
    let save = ServerAction::<SlaSave>::new();
    let delete = ServerAction::<SlaDelete>::new();
    let reorder = ServerAction::<SlaMove>::new();
    let data = Resource::new(move || (save.version().get(), delete.version().get(), reorder.version().get()), |_| load_service_levels());
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || [failure(save.value().get()), failure(delete.value().get()), failure(reorder.value().get())].into_iter().flatten().next());
    let (editing, draft) = editor_state(move || saved.get(), blank);
    view! {
        <p class="breadcrumb"><a href="/queue">"Queue"</a></p>
        <h1>"Service levels"</h1>
        <p class="lede">"Policies are tried in order; the first whose conditions a dialogue meets sets its targets. \
            Clocks pause while a dialogue is postponed and count business hours when the policy says so."</p>
        <EditorOutcome error saved message="Policy saved. Open dialogues' clocks follow it within a second."/>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let o = data.await?;
                    let teams = o.teams.clone();
                    let team_name = move |id: i64| teams.iter().find(|t| t.0 == id).map(|t| t.1.clone());
                    let can = o.can_manage;
                    let count = o.policies.len();
                    let list = if o.policies.is_empty() {
                        view! { <EmptyState title="No service levels yet" detail="Without a policy, dialogues show only their channel's first-response target."/> }.into_any()
                    } else {
                        let rows = o.policies.into_iter().enumerate().map(|(i, p)| {
                            let SlaPolicy { id, position: _, terms } = p;
                            let applies = terms.conditions.describe(&team_name);
                            let counts = if terms.business_hours { "Business hours" } else { "Around the clock" };
                            let targets = targets_text(&terms.targets);
                            let name = terms.name.clone();
                            let actions = can.then(|| {
                                let terms = terms.clone();
                                let edit = move |_: ()| { editing.set(Some(id)); draft.set(terms.clone()); };
                                let shift = move |up: bool| { reorder.dispatch(SlaMove { id, up }); };
                                let remove = move |_: ()| { delete.dispatch(SlaDelete { id }); };
                                view! { <RowTools name=name.clone() first=i == 0 last=i + 1 == count edit shift remove/> }
                            });
                            view! {
                                <tr>
                                    <td>{i + 1}</td>
                                    <th scope="row">{terms.name.clone()}</th>
                                    <td>{applies}</td>
                                    <td>{counts}</td>
                                    <td>{targets}</td>
                                    <td>{format!("{} min before", terms.warn_minutes)}</td>
                                    <td>{terms.escalation.label()}</td>
                                    {actions}
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>"Policies, in the order they are tried"</caption>
                                <thead><tr><th scope="col">"#"</th><th scope="col">"Policy"</th><th scope="col">"Applies to"</th><th scope="col">"Counts"</th>
                                    <th scope="col">"Targets"</th><th scope="col">"Warning"</th><th scope="col">"On breach"</th>{can.then(|| view! { <th scope="col">"Change"</th> })}</tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    };
                    let editor = can.then(|| view! { <PolicyEditor teams=o.teams.clone() editing draft save/> });
                    Ok::<_, AppError>(view! { {list} {editor} })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The form: a new policy, or the one being edited.
#[component]
fn PolicyEditor(teams: Vec<(i64, String)>, editing: RwSignal<Option<i64>>, draft: RwSignal<SlaPolicyInput>, save: ServerAction<SlaSave>) -> impl IntoView {
    let title = move || if editing.get().is_some() { "Edit the policy" } else { "New policy" };
    let cond = move |f: fn(&mut Conditions, String)| move |e: leptos::ev::Event| draft.update(|d| f(&mut d.conditions, event_target_value(&e)));
    let team_options = teams
        .into_iter()
        .map(|(id, name)| view! { <option value=id.to_string() selected=move || draft.with(|d| d.conditions.team_id == Some(id))>{name}</option> })
        .collect_view();
    let priority_boxes = Priority::ALL
        .iter()
        .map(|&p| {
            view! {
                <label class="inline-field"><input type="checkbox"
                    prop:checked=move || draft.with(|d| d.conditions.priorities.contains(&p))
                    on:change=move |e| { let on = event_target_checked(&e); draft.update(|d| { d.conditions.priorities.retain(|x| *x != p); if on { d.conditions.priorities.push(p); } }); }/>
                    {format!(" {}", p.label())}</label>
            }
        })
        .collect_view();
    let grid = Priority::ALL
        .iter()
        .map(|&p| {
            let cells = Metric::ALL
                .iter()
                .map(|&m| {
                    let label = format!("{} target for {} priority (minutes)", m.label(), p.label().to_lowercase());
                    let value = move || draft.with(|d| d.targets.iter().find(|t| t.priority == p && t.metric == m).map(|t| t.minutes.to_string()).unwrap_or_default());
                    view! {
                        <td><input type="number" step="1" aria-label=label prop:value=value on:input=move |e| {
                            let text = event_target_value(&e);
                            draft.update(|d| {
                                d.targets.retain(|t| !(t.priority == p && t.metric == m));
                                if let Ok(minutes) = text.trim().parse::<i32>() {
                                    d.targets.push(Target { priority: p, metric: m, minutes });
                                }
                            });
                        }/></td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{p.label()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <h2>{title}</h2>
        <form class="form-grid" aria-label="SLA policy" on:submit=move |e| { e.prevent_default(); save.dispatch(SlaSave { id: editing.get_untracked(), input: draft.get_untracked() }); }>
            <label>"Name"<input type="text" required maxlength="120" prop:value=move || draft.with(|d| d.name.clone())
                on:input=move |e| draft.update(|d| d.name = event_target_value(&e))/></label>
            <fieldset>
                <legend>"Applies to (empty: every dialogue)"</legend>
                <label>"Channel"<select on:change=cond(|c, v| c.channel_kind = ChannelKind::parse(&v))>
                    <option value="" selected=move || draft.with(|d| d.conditions.channel_kind.is_none())>"Any channel"</option>
                    {ChannelKind::ALL.iter().map(|&k| view! { <option value=k.as_str() selected=move || draft.with(|d| d.conditions.channel_kind == Some(k))>{k.label()}</option> }).collect_view()}
                </select></label>
                <label>"Purpose"<select on:change=cond(|c, v| c.topic = Topic::parse(&v))>
                    <option value="" selected=move || draft.with(|d| d.conditions.topic.is_none())>"Any purpose"</option>
                    {Topic::ALL.iter().map(|&t| view! { <option value=t.as_str() selected=move || draft.with(|d| d.conditions.topic == Some(t))>{t.label()}</option> }).collect_view()}
                </select></label>
                <label>"Team"<select on:change=cond(|c, v| c.team_id = v.parse().ok())>
                    <option value="" selected=move || draft.with(|d| d.conditions.team_id.is_none())>"Any team"</option>
                    {team_options}
                </select></label>
                <div role="group" aria-label="Priorities">"Priorities " {priority_boxes}</div>
                <label>"Tags (any of them, comma-separated)"<input type="text" prop:value=move || draft.with(|d| d.conditions.tags.join(", "))
                    on:change=cond(|c, v| c.tags = v.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect())/></label>
                <label>"Customer plan"<input type="text" maxlength="60" prop:value=move || draft.with(|d| d.conditions.customer_plan.clone().unwrap_or_default())
                    on:input=cond(|c, v| c.customer_plan = Some(v.trim().to_string()).filter(|v| !v.is_empty()))/></label>
            </fieldset>
            <table class="data-table">
                <caption>"Targets in minutes (empty: none)"</caption>
                <thead><tr><th scope="col">"Priority"</th>{Metric::ALL.iter().map(|m| view! { <th scope="col">{m.label()}</th> }).collect_view()}</tr></thead>
                <tbody>{grid}</tbody>
            </table>
            <label class="inline-field"><input type="checkbox" prop:checked=move || draft.with(|d| d.business_hours)
                on:change=move |e| draft.update(|d| d.business_hours = event_target_checked(&e))/>" Count only the team's business hours"</label>
            <label>"Warn this many minutes before a target"<input type="number" step="1" prop:value=move || draft.with(|d| d.warn_minutes.to_string())
                on:input=move |e| draft.update(|d| d.warn_minutes = event_target_value(&e).trim().parse().unwrap_or(-1))/></label>
            <label>"On breach"<select on:change=move |e| draft.update(|d| d.escalation = Escalation::parse(&event_target_value(&e)).unwrap_or(d.escalation))>
                {Escalation::ALL.iter().map(|&x| view! { <option value=x.as_str() selected=move || draft.with(|d| d.escalation == x)>{x.label()}</option> }).collect_view()}
            </select></label>
            <div class="toolbar">
                <button type="submit" disabled=move || save.pending().get()>"Save policy"</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" on:click=move |_| { editing.set(None); draft.set(blank()); }>"Cancel"</button>
                })}
            </div>
        </form>
    }
}
