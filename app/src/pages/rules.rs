//! `/queue/rules`: rules and time-based automations, in the order they are tried. Managers
//! and owners write them (when a rule runs, what it checks, what it does) and try one with
//! a dry run before saving; agents read them, since their firings appear on dialogues.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::components::ordered_editor::{editor_state, failure, EditorOutcome, RowTools};
use crate::domain::dialogue::{ChannelKind, Priority, Topic};
use crate::domain::rules::{NotifyWho, RuleAction, RuleConditions, RuleInput, Trigger, WaitState, When};
use crate::error::AppError;
use crate::model::rules::{DryRun, RulesOverview};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "rules_overview")]
pub async fn load_rules() -> Result<RulesOverview, AppError> {
    use crate::backend::{authorized, rules};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { rules::overview(&state.pool, user.role.can(Permission::ManageRules)).await }).await
}

#[server(endpoint = "rule_save", input = Json)]
pub async fn rule_save(id: Option<i64>, input: RuleInput) -> Result<i64, AppError> {
    use crate::backend::{authorized, rules};
    use crate::domain::access::Permission;
    authorized(Permission::ManageRules, |state, user| async move { rules::save(&state.pool, &user, id, &input).await }).await
}

#[server(endpoint = "rule_dry_run", input = Json)]
pub async fn rule_dry_run(input: RuleInput) -> Result<DryRun, AppError> {
    use crate::backend::{authorized, rules};
    use crate::domain::access::Permission;
    authorized(Permission::ManageRules, |state, _| async move { rules::dry_run(&state.pool, &input).await }).await
}

#[server(endpoint = "rule_delete")]
pub async fn rule_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, rules};
    use crate::domain::access::Permission;
    authorized(Permission::ManageRules, |state, user| async move { rules::delete(&state.pool, &user, id).await }).await
}

#[server(endpoint = "rule_move")]
pub async fn rule_move(id: i64, up: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, rules};
    use crate::domain::access::Permission;
    authorized(Permission::ManageRules, |state, user| async move { rules::reorder(&state.pool, &user, id, up).await }).await
}

fn blank() -> RuleInput {
    RuleInput {
        name: String::new(),
        enabled: true,
        when: When::Event { triggers: vec![Trigger::Created] },
        conditions: RuleConditions::default(),
        actions: vec![RuleAction::SetPriority { priority: Priority::High }],
        stop: false,
    }
}

/// The kinds of action the editor offers, with a fresh action of each kind.
const ACTION_KINDS: &[(&str, &str)] = &[
    ("set_priority", "Set the priority"),
    ("add_tags", "Add tags"),
    ("remove_tags", "Remove tags"),
    ("set_team", "Move to a team"),
    ("set_topic", "Set the purpose"),
    ("assign", "Assign to"),
    ("unassign", "Hand back to the queue"),
    ("send_macro", "Send a macro"),
    ("add_note", "Add an internal note"),
    ("notify", "Notify"),
    ("call_webhook", "Call a webhook"),
    ("resolve", "Resolve"),
];

fn kind_of(a: &RuleAction) -> &'static str {
    match a {
        RuleAction::SetPriority { .. } => "set_priority",
        RuleAction::AddTags { .. } => "add_tags",
        RuleAction::RemoveTags { .. } => "remove_tags",
        RuleAction::SetTeam { .. } => "set_team",
        RuleAction::SetTopic { .. } => "set_topic",
        RuleAction::Assign { .. } => "assign",
        RuleAction::Unassign => "unassign",
        RuleAction::SendMacro { .. } => "send_macro",
        RuleAction::AddNote { .. } => "add_note",
        RuleAction::Notify { .. } => "notify",
        RuleAction::CallWebhook { .. } => "call_webhook",
        RuleAction::Resolve => "resolve",
    }
}

fn fresh(kind: &str, o: &RulesOverview) -> RuleAction {
    let first = |v: &[(i64, String)]| v.first().map_or(0, |x| x.0);
    match kind {
        "add_tags" => RuleAction::AddTags { tags: Vec::new() },
        "remove_tags" => RuleAction::RemoveTags { tags: Vec::new() },
        "set_team" => RuleAction::SetTeam { team_id: first(&o.teams) },
        "set_topic" => RuleAction::SetTopic { topic: Topic::Support },
        "assign" => RuleAction::Assign { user_id: first(&o.agents) },
        "unassign" => RuleAction::Unassign,
        "send_macro" => RuleAction::SendMacro { macro_id: first(&o.macros) },
        "add_note" => RuleAction::AddNote { text: String::new() },
        "notify" => RuleAction::Notify { who: NotifyWho::Managers, text: String::new() },
        "call_webhook" => RuleAction::CallWebhook { webhook_id: first(&o.webhooks) },
        "resolve" => RuleAction::Resolve,
        _ => RuleAction::SetPriority { priority: Priority::High },
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let save = ServerAction::<RuleSave>::new();
    let delete = ServerAction::<RuleDelete>::new();
    let reorder = ServerAction::<RuleMove>::new();
    let dry = ServerAction::<RuleDryRun>::new();
    let data = Resource::new(move || (save.version().get(), delete.version().get(), reorder.version().get()), |_| load_rules());
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(_))));
    let error = Signal::derive(move || [failure(save.value().get()), failure(delete.value().get()), failure(reorder.value().get())].into_iter().flatten().next());
    let (editing, draft) = editor_state(move || saved.get(), blank);
    view! {
        <p class="breadcrumb"><a href="/queue">"Queue"</a></p>
        <h1>"Rules"</h1>
        <p class="lede">"Rules run when something happens to a dialogue; time-based automations once a dialogue has waited long enough. \
            They are tried in order, and a rule marked “stop” ends the run when it fires. Every firing is on the dialogue's history."</p>
        <EditorOutcome error saved message="Rule saved. It runs from the next event (time-based: within a second)."/>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let o = data.await?;
                    let teams = o.teams.clone();
                    let names = o.clone();
                    let name_of = move |what: &str, id: i64| {
                        let list = match what { "team" => &names.teams, "user" => &names.agents, "webhook" => &names.webhooks, _ => &names.macros };
                        list.iter().find(|x| x.0 == id).map(|x| x.1.clone())
                    };
                    let can = o.can_manage;
                    let count = o.rules.len();
                    let list = if o.rules.is_empty() {
                        view! { <EmptyState title="No rules yet" detail="Nothing happens to a dialogue on its own until a rule says so."/> }.into_any()
                    } else {
                        let rows = o.rules.iter().cloned().enumerate().map(|(i, r)| {
                            let id = r.id;
                            let terms = r.terms.clone();
                            let name = terms.name.clone();
                            let checks = terms.conditions.describe(|t| teams.iter().find(|x| x.0 == t).map(|x| x.1.clone()));
                            let does = terms.actions.iter().map(|a| a.describe(&name_of)).collect::<Vec<_>>().join("; ");
                            let fired = match r.last_fired_epoch {
                                Some(_) => format!("{} in 7 days", r.fired_last_week),
                                None => "Never".to_string(),
                            };
                            let actions = can.then(|| {
                                let terms = terms.clone();
                                let edit = move |_: ()| { editing.set(Some(id)); draft.set(terms.clone()); };
                                let shift = move |up: bool| { reorder.dispatch(RuleMove { id, up }); };
                                let remove = move |_: ()| { delete.dispatch(RuleDelete { id }); };
                                view! { <RowTools name=name.clone() first=i == 0 last=i + 1 == count edit shift remove/> }
                            });
                            view! {
                                <tr>
                                    <td>{i + 1}</td>
                                    <th scope="row">{terms.name.clone()}{(!terms.enabled).then(|| view! { " " <span class="badge">"Off"</span> })}</th>
                                    <td>{terms.when.describe()}</td>
                                    <td>{checks}</td>
                                    <td>{does}{terms.stop.then_some(" · then stop")}</td>
                                    <td>{fired}</td>
                                    {actions}
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>"Rules, in the order they are tried"</caption>
                                <thead><tr><th scope="col">"#"</th><th scope="col">"Rule"</th><th scope="col">"When"</th><th scope="col">"If"</th>
                                    <th scope="col">"Then"</th><th scope="col">"Fired"</th>{can.then(|| view! { <th scope="col">"Change"</th> })}</tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    };
                    let editor = can.then(|| view! { <RuleEditor overview=o.clone() editing draft save dry/> });
                    Ok::<_, AppError>(view! { {list} {editor} })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The form: a new rule, or the one being edited, with its dry run.
#[component]
fn RuleEditor(overview: RulesOverview, editing: RwSignal<Option<i64>>, draft: RwSignal<RuleInput>, save: ServerAction<RuleSave>, dry: ServerAction<RuleDryRun>) -> impl IntoView {
    let title = move || if editing.get().is_some() { "Edit the rule" } else { "New rule" };
    let cond = move |f: fn(&mut RuleConditions, String)| move |e: leptos::ev::Event| draft.update(|d| f(&mut d.conditions, event_target_value(&e)));
    let timed = move || draft.with(|d| matches!(d.when, When::Waiting { .. }));
    let team_options = {
        let teams = overview.teams.clone();
        move || {
            teams
                .iter()
                .cloned()
                .map(|(id, name)| view! { <option value=id.to_string() selected=move || draft.with(|d| d.conditions.dialogue.team_id == Some(id))>{name}</option> })
                .collect_view()
        }
    };
    let trigger_boxes = Trigger::ALL
        .iter()
        .map(|&t| {
            view! {
                <label class="inline-field"><input type="checkbox"
                    prop:checked=move || draft.with(|d| matches!(&d.when, When::Event { triggers } if triggers.contains(&t)))
                    on:change=move |e| { let on = event_target_checked(&e); draft.update(|d| if let When::Event { triggers } = &mut d.when {
                        triggers.retain(|x| *x != t); if on { triggers.push(t); } }); }/>
                    {format!(" {}", t.label())}</label>
            }
        })
        .collect_view();
    let priority_boxes = Priority::ALL
        .iter()
        .map(|&p| {
            view! {
                <label class="inline-field"><input type="checkbox"
                    prop:checked=move || draft.with(|d| d.conditions.dialogue.priorities.contains(&p))
                    on:change=move |e| { let on = event_target_checked(&e); draft.update(|d| { let ps = &mut d.conditions.dialogue.priorities; ps.retain(|x| *x != p); if on { ps.push(p); } }); }/>
                    {format!(" {}", p.label())}</label>
            }
        })
        .collect_view();
    let hour = move |get: fn(&RuleConditions) -> Option<u8>| move || draft.with(|d| get(&d.conditions).map(|h| h.to_string()).unwrap_or_default());
    let o = overview.clone();
    let action_rows = move || {
        let o = o.clone();
        let n = draft.with(|d| d.actions.len());
        (0..n).map(move |i| view! { <ActionRow i overview=o.clone() draft/> }).collect_view()
    };
    let o = overview.clone();
    view! {
        <h2>{title}</h2>
        <form class="form-grid" aria-label="Rule" on:submit=move |e| { e.prevent_default(); save.dispatch(RuleSave { id: editing.get_untracked(), input: draft.get_untracked() }); }>
            <label>"Name"<input type="text" required maxlength="120" prop:value=move || draft.with(|d| d.name.clone())
                on:input=move |e| draft.update(|d| d.name = event_target_value(&e))/></label>
            <fieldset>
                <legend>"When"</legend>
                <label>"Runs"<select on:change=move |e| draft.update(|d| d.when = if event_target_value(&e) == "waiting" {
                        When::Waiting { state: WaitState::WaitingForCustomer, minutes: 4320 } } else { When::Event { triggers: vec![Trigger::Created] } })>
                    <option value="event" selected=move || !timed()>"When something happens"</option>
                    <option value="waiting" selected=timed>"After a dialogue waits (time-based)"</option>
                </select></label>
                {move || if timed() {
                    view! {
                        <label>"Waiting"<select on:change=move |e| draft.update(|d| if let When::Waiting { state, .. } = &mut d.when {
                                *state = WaitState::parse(&event_target_value(&e)).unwrap_or(*state); })>
                            {WaitState::ALL.iter().map(|&s| view! { <option value=s.as_str()
                                selected=move || draft.with(|d| matches!(d.when, When::Waiting { state, .. } if state == s))>{s.label()}</option> }).collect_view()}
                        </select></label>
                        <label>"For at least (minutes)"<input type="number" step="1"
                            prop:value=move || draft.with(|d| match d.when { When::Waiting { minutes, .. } => minutes.to_string(), _ => String::new() })
                            on:input=move |e| draft.update(|d| if let When::Waiting { minutes, .. } = &mut d.when {
                                *minutes = event_target_value(&e).trim().parse().unwrap_or(0); })/></label>
                    }.into_any()
                } else {
                    view! { <div role="group" aria-label="Events">{trigger_boxes.clone()}</div> }.into_any()
                }}
            </fieldset>
            <fieldset>
                <legend>"If (empty: every dialogue)"</legend>
                <label>"Channel"<select on:change=cond(|c, v| c.dialogue.channel_kind = ChannelKind::parse(&v))>
                    <option value="" selected=move || draft.with(|d| d.conditions.dialogue.channel_kind.is_none())>"Any channel"</option>
                    {ChannelKind::ALL.iter().map(|&k| view! { <option value=k.as_str() selected=move || draft.with(|d| d.conditions.dialogue.channel_kind == Some(k))>{k.label()}</option> }).collect_view()}
                </select></label>
                <label>"Purpose"<select on:change=cond(|c, v| c.dialogue.topic = Topic::parse(&v))>
                    <option value="" selected=move || draft.with(|d| d.conditions.dialogue.topic.is_none())>"Any purpose"</option>
                    {Topic::ALL.iter().map(|&t| view! { <option value=t.as_str() selected=move || draft.with(|d| d.conditions.dialogue.topic == Some(t))>{t.label()}</option> }).collect_view()}
                </select></label>
                <label>"Team"<select on:change=cond(|c, v| c.dialogue.team_id = v.parse().ok())>
                    <option value="" selected=move || draft.with(|d| d.conditions.dialogue.team_id.is_none())>"Any team"</option>
                    {team_options}
                </select></label>
                <div role="group" aria-label="Priorities">"Priorities " {priority_boxes}</div>
                <label>"Tags (any of them, comma-separated)"<input type="text" prop:value=move || draft.with(|d| d.conditions.dialogue.tags.join(", "))
                    on:change=cond(|c, v| c.dialogue.tags = split_list(&v))/></label>
                <label>"Customer plan"<input type="text" maxlength="60" prop:value=move || draft.with(|d| d.conditions.dialogue.customer_plan.clone().unwrap_or_default())
                    on:input=cond(|c, v| c.dialogue.customer_plan = Some(v.trim().to_string()).filter(|v| !v.is_empty()))/></label>
                <label>"Words or phrases in the subject or the customer's message (any, comma-separated)"<input type="text"
                    prop:value=move || draft.with(|d| d.conditions.words.join(", ")) on:change=cond(|c, v| c.words = split_list(&v))/></label>
                <label>"From hour (team time, 0–23)"<input type="number" min="0" max="23" prop:value=hour(|c| c.from_hour)
                    on:input=cond(|c, v| c.from_hour = v.trim().parse().ok())/></label>
                <label>"Until hour"<input type="number" min="0" max="23" prop:value=hour(|c| c.until_hour)
                    on:input=cond(|c, v| c.until_hour = v.trim().parse().ok())/></label>
                <label>"Holder"<select on:change=cond(|c, v| c.on_shift = match v.as_str() { "on" => Some(true), "off" => Some(false), _ => None })>
                    <option value="" selected=move || draft.with(|d| d.conditions.on_shift.is_none())>"Anyone or nobody"</option>
                    <option value="on" selected=move || draft.with(|d| d.conditions.on_shift == Some(true))>"On shift now"</option>
                    <option value="off" selected=move || draft.with(|d| d.conditions.on_shift == Some(false))>"Off shift, or nobody holds it"</option>
                </select></label>
            </fieldset>
            <fieldset>
                <legend>"Then"</legend>
                <ol class="rule-actions">{action_rows}</ol>
                <button type="button" on:click=move |_| draft.update(|d| d.actions.push(fresh("set_priority", &o)))>"Add an action"</button>
            </fieldset>
            <label class="inline-field"><input type="checkbox" prop:checked=move || draft.with(|d| d.stop)
                on:change=move |e| draft.update(|d| d.stop = event_target_checked(&e))/>" Stop: try no later rule when this one fires"</label>
            <label class="inline-field"><input type="checkbox" prop:checked=move || draft.with(|d| d.enabled)
                on:change=move |e| draft.update(|d| d.enabled = event_target_checked(&e))/>" On"</label>
            <div class="toolbar">
                <button type="submit" disabled=move || save.pending().get()>"Save rule"</button>
                <button type="button" disabled=move || dry.pending().get() on:click=move |_| { dry.dispatch(RuleDryRun { input: draft.get_untracked() }); }>"Dry run"</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" on:click=move |_| { editing.set(None); draft.set(blank()); }>"Cancel"</button>
                })}
            </div>
        </form>
        {move || dry.value().get().map(|r| match r {
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            Ok(d) => view! { <DryRunResult result=d/> }.into_any(),
        })}
    }
}

/// One action of the draft: its kind and what it needs.
#[component]
fn ActionRow(i: usize, overview: RulesOverview, draft: RwSignal<RuleInput>) -> impl IntoView {
    let n = i + 1;
    let current = move || draft.with(|d| d.actions.get(i).cloned());
    let set = move |a: RuleAction| draft.update(|d| if let Some(x) = d.actions.get_mut(i) { *x = a; });
    let o = overview.clone();
    let kind_select = view! {
        <select aria-label=format!("Action {n}") on:change=move |e| set(fresh(&event_target_value(&e), &o))>
            {ACTION_KINDS.iter().map(|&(k, label)| view! { <option value=k selected=move || current().is_some_and(|a| kind_of(&a) == k)>{label}</option> }).collect_view()}
        </select>
    };
    let options = |list: Vec<(i64, String)>, chosen: i64| list.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=id == chosen>{name}</option> }).collect_view();
    let detail = move || {
        let o = overview.clone();
        match current() {
            Some(RuleAction::SetPriority { priority }) => view! {
                <select aria-label=format!("Priority for action {n}") on:change=move |e| set(RuleAction::SetPriority { priority: Priority::parse(&event_target_value(&e)).unwrap_or(priority) })>
                    {Priority::ALL.iter().map(|&p| view! { <option value=p.as_str() selected=p == priority>{p.label()}</option> }).collect_view()}
                </select>
            }.into_any(),
            Some(RuleAction::AddTags { tags }) => view! {
                <input type="text" aria-label=format!("Tags for action {n}") prop:value=tags.join(", ")
                    on:change=move |e| set(RuleAction::AddTags { tags: split_list(&event_target_value(&e)) })/>
            }.into_any(),
            Some(RuleAction::RemoveTags { tags }) => view! {
                <input type="text" aria-label=format!("Tags for action {n}") prop:value=tags.join(", ")
                    on:change=move |e| set(RuleAction::RemoveTags { tags: split_list(&event_target_value(&e)) })/>
            }.into_any(),
            Some(RuleAction::SetTeam { team_id }) => view! {
                <select aria-label=format!("Team for action {n}") on:change=move |e| set(RuleAction::SetTeam { team_id: event_target_value(&e).parse().unwrap_or(team_id) })>
                    {options(o.teams.clone(), team_id)}
                </select>
            }.into_any(),
            Some(RuleAction::SetTopic { topic }) => view! {
                <select aria-label=format!("Purpose for action {n}") on:change=move |e| set(RuleAction::SetTopic { topic: Topic::parse(&event_target_value(&e)).unwrap_or(topic) })>
                    {Topic::ALL.iter().map(|&t| view! { <option value=t.as_str() selected=t == topic>{t.label()}</option> }).collect_view()}
                </select>
            }.into_any(),
            Some(RuleAction::Assign { user_id }) => view! {
                <select aria-label=format!("Agent for action {n}") on:change=move |e| set(RuleAction::Assign { user_id: event_target_value(&e).parse().unwrap_or(user_id) })>
                    {options(o.agents.clone(), user_id)}
                </select>
            }.into_any(),
            Some(RuleAction::SendMacro { macro_id }) => view! {
                <select aria-label=format!("Macro for action {n}") on:change=move |e| set(RuleAction::SendMacro { macro_id: event_target_value(&e).parse().unwrap_or(macro_id) })>
                    {options(o.macros.clone(), macro_id)}
                </select>
            }.into_any(),
            Some(RuleAction::CallWebhook { webhook_id }) => view! {
                <select aria-label=format!("Webhook for action {n}") on:change=move |e| set(RuleAction::CallWebhook { webhook_id: event_target_value(&e).parse().unwrap_or(webhook_id) })>
                    {options(o.webhooks.clone(), webhook_id)}
                </select>
            }.into_any(),
            Some(RuleAction::AddNote { text }) => view! {
                <textarea aria-label=format!("Note for action {n}") prop:value=text on:change=move |e| set(RuleAction::AddNote { text: event_target_value(&e) })></textarea>
            }.into_any(),
            Some(RuleAction::Notify { who, text }) => {
                let text2 = text.clone();
                view! {
                    <select aria-label=format!("Who action {n} notifies") on:change=move |e| set(RuleAction::Notify { who: NotifyWho::parse(&event_target_value(&e)).unwrap_or(who), text: text2.clone() })>
                        {NotifyWho::ALL.iter().map(|&w| view! { <option value=w.as_str() selected=w == who>{w.label()}</option> }).collect_view()}
                    </select>
                    <input type="text" maxlength="300" aria-label=format!("Message for action {n}") prop:value=text
                        on:change=move |e| set(RuleAction::Notify { who, text: event_target_value(&e) })/>
                }.into_any()
            }
            _ => ().into_any(),
        }
    };
    view! {
        <li class="toolbar">
            {kind_select}
            {detail}
            <button type="button" aria-label=format!("Remove action {n}") on:click=move |_| draft.update(|d| { if i < d.actions.len() { d.actions.remove(i); } })>"✕"</button>
        </li>
    }
}

#[component]
fn DryRunResult(result: DryRun) -> impl IntoView {
    let heading = format!("Dry run: {} of {} open dialogues match now", result.matched, result.examined);
    let would = if result.would.is_empty() { String::new() } else { format!("On each it would {}.", result.would.join(", then ")) };
    let body = if result.dialogues.is_empty() {
        view! { <p class="hint">"No open dialogue matches it now; nothing would happen."</p> }.into_any()
    } else {
        let rows = result
            .dialogues
            .into_iter()
            .map(|d| {
                let href = format!("/dialogue?id={}", d.conversation_id);
                view! { <tr><td><a href=href>{d.subject}</a></td><td>{d.customer}</td><td>{d.note}</td></tr> }
            })
            .collect_view();
        view! {
            <table class="data-table">
                <caption>"Dialogues the rule matches now (the first 50)"</caption>
                <thead><tr><th scope="col">"Dialogue"</th><th scope="col">"Customer"</th><th scope="col">"Waiting"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }.into_any()
    };
    view! {
        <section aria-label="Dry run" role="region">
            <h3>{heading}</h3>
            <p>{would}</p>
            {body}
        </section>
    }
}
