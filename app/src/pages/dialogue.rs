//! `/dialogue?id={id}`: one dialogue: the customer's whole history across channels, the
//! customer card, and everything an agent does to it: claim or take over, reply, leave
//! an internal note, postpone, resolve, reopen. Live: others' changes appear at once.

use crate::auth::Auth;
use crate::components::live::use_queue_events;
use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::dialogue::{format_waiting, Priority, Status};
use crate::error::AppError;
use crate::components::format::clock_text;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos::server_fn::codec::Json;
use crate::components::reply_knowledge::ReplyKnowledge;
use crate::model::dialogue::{Assignee, Dialogue};
use crate::components::browser::{now_ms};
use crate::components::timeline::{CustomerAside, timeline_view};

#[server(endpoint = "dialogue")]
pub async fn load_dialogue(id: i64) -> Result<(Dialogue, i64), AppError> {
    use crate::backend::{authorized, dialogue_view};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        let d = dialogue_view::dialogue(&state.pool, id, user.id)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such dialogue.".into()))?;
        Ok((d, chrono::Utc::now().timestamp()))
    })
    .await
}

#[server(endpoint = "claim_dialogue")]
pub async fn claim_dialogue(id: i64, take_over: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        dialogue::claim(&state.pool, id, user.id, take_over).await.map(|_| ())
    })
    .await
}

#[server(endpoint = "send_message")]
pub async fn send_message(id: i64, body: String, internal: bool, #[server(default)] articles: Vec<i64>) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        dialogue::write_message(&state.pool, id, user.id, &body, internal, false, &articles).await.map(|_| ())
    })
    .await
}

/// Postpones until `until_epoch` (Unix seconds) or, without it, until the customer replies.
#[server(endpoint = "postpone_dialogue")]
pub async fn postpone_dialogue(id: i64, until_epoch: Option<i64>) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        dialogue::postpone(&state.pool, id, user.id, until_epoch).await
    })
    .await
}

/// Sets the priority (low, normal, high, urgent) and the outcome (converted,
/// not_converted, or empty to clear it).
#[server(endpoint = "set_dialogue_details")]
pub async fn set_dialogue_details(id: i64, priority: String, outcome: String) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    use crate::domain::dialogue::Outcome;
    authorized(Permission::WorkQueue, |state, user| async move {
        let priority = Priority::parse(&priority).ok_or_else(|| AppError::Invalid("Pick a priority: low, normal, high or urgent.".into()))?;
        let outcome = match outcome.as_str() {
            "" => None,
            o => Some(Outcome::parse(o).ok_or_else(|| AppError::Invalid("Pick an outcome: converted or not converted.".into()))?),
        };
        dialogue::set_details(&state.pool, id, user.id, priority, outcome).await
    })
    .await
}

/// "I am in this dialogue (and typing, or not)": sent every few seconds by the page.
#[server(endpoint = "dialogue_presence")]
pub async fn dialogue_presence(id: i64, typing: bool) -> Result<(), AppError> {
    use crate::backend::{authorized, presence};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        Ok(presence::heartbeat(&state.pool, id, user.id, typing).await?)
    })
    .await
}

/// Replaces the tags with those in `tags` (comma-separated, as typed).
#[server(endpoint = "tag_dialogue")]
pub async fn tag_dialogue(id: i64, tags: String) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        let tags = crate::domain::dialogue::parse_tags(&tags).map_err(AppError::Invalid)?;
        dialogue::set_tags(&state.pool, id, user.id, &tags).await
    })
    .await
}

/// Escalates to a colleague with a structured bug report (steps, expected, actual, impact).
#[server(endpoint = "escalate_dialogue", input = Json)]
pub async fn escalate_dialogue(id: i64, to: i64, report: crate::domain::dialogue::BugReport) -> Result<i64, AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::escalate(&state.pool, id, user.id, to, &report).await })
        .await
}

/// Hands the dialogue to another agent.
#[server(endpoint = "reassign_dialogue")]
pub async fn reassign_dialogue(id: i64, agent_id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::assign(&state.pool, id, user.id, agent_id).await }).await
}

#[server(endpoint = "resolve_dialogue")]
pub async fn resolve_dialogue(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::resolve(&state.pool, id, user.id).await }).await
}

#[server(endpoint = "reopen_dialogue")]
pub async fn reopen_dialogue(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::reopen(&state.pool, id, user.id).await }).await
}

/// Accepts an e-mail held apart as "from another sender" into the dialogue it answers;
/// answers that dialogue's id.
#[server(endpoint = "accept_sender")]
pub async fn accept_sender(id: i64) -> Result<i64, AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::accept_sender(&state.pool, id, user.id).await }).await
}

/// Tells a sales rep's customer their message reached the rep, and notifies the rep.
#[server(endpoint = "acknowledge_dialogue")]
pub async fn acknowledge_dialogue(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, dialogue};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move { dialogue::acknowledge(&state.pool, id, user.id).await.map(|_| ()) }).await
}

/// The dialogue's SLA clocks under its badges: "Standard: First response due in 12 min ·
/// Resolution due in 7 h 40 min".
fn sla_line(sla: &crate::model::sla::DialogueSla, now: i64) -> Option<impl IntoView> {
    let policy = sla.policy.clone()?;
    let clocks = sla
        .clocks
        .iter()
        .map(|c| {
            let overdue = c.stopped_at.is_none() && c.due_at.is_some_and(|d| d <= now);
            view! { <li class=if overdue { "sla sla-overdue" } else { "sla" }>{crate::domain::sla::describe(c, now)}</li> }
        })
        .collect_view();
    Some(view! {
        <div class="sla-clocks" role="group" aria-label="Service level">
            <span class="muted">{format!("{policy}:")}</span>
            <ul class="inline-list">{clocks}</ul>
        </div>
    })
}

#[component]
pub fn DialoguePage() -> impl IntoView {
    let query = use_query_map();
    let id = move || query.with(|q| q.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let events = use_queue_events();
    let refresh = RwSignal::new(0u32);
    let dialogue = Resource::new(move || (id(), events.get(), refresh.get()), |(id, ..)| load_dialogue(id));
    let claim = ServerAction::<ClaimDialogue>::new();
    let send = ServerAction::<SendMessage>::new();
    let postpone = ServerAction::<PostponeDialogue>::new();
    let resolve = ServerAction::<ResolveDialogue>::new();
    let reopen = ServerAction::<ReopenDialogue>::new();
    let details = ServerAction::<SetDialogueDetails>::new();
    let tag = ServerAction::<TagDialogue>::new();
    let reassign = ServerAction::<ReassignDialogue>::new();
    let acknowledge = ServerAction::<AcknowledgeDialogue>::new();
    let link = ServerAction::<crate::components::incident_badge::IncidentLink>::new();
    let accept = ServerAction::<AcceptSender>::new();
    // An accepted answer lives on in the dialogue it joined: go there.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::watch(
        move || accept.value().get(),
        move |done, _, _| {
            if let Some(Ok(target)) = done {
                navigate(&format!("/dialogue?id={target}"), Default::default());
            }
        },
        false,
    );
    // Whenever any action settles, load the dialogue again.
    Effect::watch(
        move || {
            (claim.version().get(), send.version().get(), postpone.version().get(), resolve.version().get(),
             reopen.version().get(), details.version().get(), tag.version().get(), reassign.version().get(),
             acknowledge.version().get(), link.version().get())
        },
        move |_, _, _| refresh.update(|n| *n += 1),
        false,
    );
    // The outcome of the latest action: its refusal as a sentence, cleared by any success.
    let refusal = RwSignal::new(None::<String>);
    let outcomes: [Box<dyn Fn() -> Option<Option<String>> + Send + Sync>; 10] = [
        Box::new(move || accept.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || acknowledge.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || reassign.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || claim.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || send.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || postpone.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || resolve.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || reopen.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || details.value().get().map(|r| r.err().map(|e| e.to_string()))),
        Box::new(move || tag.value().get().map(|r| r.err().map(|e| e.to_string()))),
    ];
    for outcome in outcomes {
        Effect::watch(
            outcome,
            move |latest, _, _| {
                if let Some(latest) = latest {
                    refusal.set(latest.clone());
                }
            },
            false,
        );
    }
    let refusal = move || refusal.get().map(|message| view! { <ErrorNotice message/> });
    // The reply being written lives here, above the layout that live updates redraw, so a
    // colleague's change never wipes it; it is cleared once the message is stored.
    let draft = RwSignal::new(String::new());
    // Knowledge-base articles inserted into the reply, recorded as sent with it.
    let inserted = RwSignal::new(Vec::<i64>::new());
    Effect::watch(
        move || send.value().get(),
        move |sent, _, _| {
            if let Some(Ok(())) = sent {
                draft.set(String::new());
                inserted.set(Vec::new());
            }
        },
        false,
    );
    // The escalation being written, above the layout for the same reason as the draft.
    let escalation = Escalation {
        action: ServerAction::<EscalateDialogue>::new(),
        open: RwSignal::new(false),
        to: RwSignal::new(None),
        report: RwSignal::new(crate::domain::dialogue::BugReport { impact: "medium".into(), ..Default::default() }),
    };
    Effect::watch(
        move || escalation.action.value().get(),
        move |done, _, _| {
            if let Some(Ok(_)) = done {
                escalation.open.set(false);
                escalation.to.set(None);
                escalation.report.set(crate::domain::dialogue::BugReport { impact: "medium".into(), ..Default::default() });
            }
        },
        false,
    );
    let actions = Actions { claim, send, postpone, resolve, reopen, details, tag, reassign, acknowledge, accept, link, draft, inserted, escalation };
    // Presence: a heartbeat now, every 10 s, and at once when typing starts or stops.
    let typing_at = RwSignal::new(None::<f64>);
    provide_context(typing_at);
    #[cfg(feature = "hydrate")]
    {
        // Ticks every 5 s; drives the heartbeat and lets "typing" lapse.
        let tick = RwSignal::new(0u64);
        let typing = Memo::new(move |_| {
            // Re-evaluated by the ticks below: typing means a keystroke within 5 s.
            tick.get();
            typing_at.get().is_some_and(|at| now_ms() - at < 5_000.0)
        });
        Effect::new(move |_| {
            tick.track();
            let id = id();
            let typing = typing.get();
            if id > 0 {
                leptos::task::spawn_local(async move {
                    let _ = dialogue_presence(id, typing).await;
                });
            }
        });
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(5)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <p class="breadcrumb"><a href="/queue">"Queue"</a></p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    dialogue.await.map(|(d, now)| view! { <DialogueLayout d now actions refusal/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    claim: ServerAction<ClaimDialogue>,
    send: ServerAction<SendMessage>,
    postpone: ServerAction<PostponeDialogue>,
    resolve: ServerAction<ResolveDialogue>,
    reopen: ServerAction<ReopenDialogue>,
    details: ServerAction<SetDialogueDetails>,
    tag: ServerAction<TagDialogue>,
    reassign: ServerAction<ReassignDialogue>,
    acknowledge: ServerAction<AcknowledgeDialogue>,
    accept: ServerAction<AcceptSender>,
    /// Linking to an incident (above the layout, so a live redraw never loses its answer).
    link: ServerAction<crate::components::incident_badge::IncidentLink>,
    /// The reply box's text.
    draft: RwSignal<String>,
    /// Knowledge-base articles inserted into it.
    inserted: RwSignal<Vec<i64>>,
    escalation: Escalation,
}

/// The escalation form's state, kept above the layout that live updates redraw.
#[derive(Clone, Copy)]
struct Escalation {
    action: ServerAction<EscalateDialogue>,
    open: RwSignal<bool>,
    to: RwSignal<Option<i64>>,
    report: RwSignal<crate::domain::dialogue::BugReport>,
}

#[component]
fn DialogueLayout<R, V>(d: Dialogue, now: i64, actions: Actions, refusal: R) -> impl IntoView
where
    R: Fn() -> Option<V> + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = Auth::expect();
    let id = d.id;
    let status = d.status;
    let kind = d.channel_kind.label();
    let priority = d.priority.label();
    let (clock, clock_class) = clock_text(d.clock);
    let holder = d.assignee.clone().map(|n| format!("Held by {n}")).unwrap_or_else(|| "Unassigned".into());
    let postponed = (status == Status::Postponed).then(|| match d.postponed_until_epoch {
        Some(until) => format!("Postponed for {}", format_waiting(until - now)),
        None => "Postponed until the customer replies".to_string(),
    });
    let assignee_id = d.assignee_id;
    let sales_owned = d.sales_owned;
    let holder_name = d.assignee.clone().unwrap_or_default();
    let assignees = d.assignees.clone();
    let presence_text = d
        .viewers
        .iter()
        .map(|v| format!("{} is {}", v.name, if v.typing { "typing…" } else { "viewing" }))
        .collect::<Vec<_>>()
        .join(" · ");
    let me = move || auth.user.get().and_then(|u| u.ok().flatten()).map(|u| u.id);
    let timeline = timeline_view(d.timeline, id, now);
    let typing_at = use_context::<RwSignal<Option<f64>>>().unwrap_or_else(|| RwSignal::new(None));
    let until_ref = NodeRef::<leptos::html::Input>::new();

    let send = move |internal: bool| {
        let body = actions.draft.get_untracked();
        let articles = if internal { Vec::new() } else { actions.inserted.get_untracked() };
        actions.send.dispatch(SendMessage { id, body, internal, articles });
    };
    let postpone_until = move |_| {
        let value = until_ref.get().map(|i| i.value()).unwrap_or_default();
        actions.postpone.dispatch(PostponeDialogue { id, until_epoch: Some(local_datetime_to_epoch(&value)) });
    };

    view! {
        <div class="dialogue-layout">
            <article class="dialogue" aria-labelledby="dialogue-title">
                <header class="dialogue-header">
                    <h1 id="dialogue-title">{d.subject.clone()}</h1>
                    <p class="badges">
                        <span class=format!("channel channel-{}", d.channel_kind.as_str()) title=d.channel.clone()>{kind}</span>
                        <span class="badge">{status.label()}</span>
                        <span class=format!("badge priority-{}", d.priority.as_str())>{priority}</span>
                        <span class="badge" data-testid="holder">{holder}</span>
                        <span class=format!("badge {clock_class}")>{clock}</span>
                        {postponed.map(|p| view! { <span class="badge">{p}</span> })}
                        {d.assigned_how.map(|h| view! { <span class="badge" data-testid="assigned-how">{h.label()}</span> })}
                    </p>
                    {sla_line(&d.sla, now)}
                    {d.assignment_note.clone().map(|n| view! { <p class="notice notice-info" role="note">{n}</p> })}
                    {d.answers.clone().map(|a| view! {
                        <div class="notice notice-warning" role="region" aria-label="From another sender">
                            <p>"From another sender: this e-mail answers "
                                <a href=format!("/dialogue?id={}", a.id)>{format!("dialogue #{} “{}”", a.id, a.subject)}</a>
                                ", whose customer is " {a.customer.clone()} ". It was kept apart until someone accepts it there."</p>
                            <button type="button" on:click=move |_| { actions.accept.dispatch(AcceptSender { id }); }>
                                {format!("Accept into dialogue #{}", a.id)}</button>
                        </div>
                    })}
                    <p class="presence" aria-live="polite">{presence_text}</p>
                    <div class="toolbar" role="toolbar" aria-label="Dialogue actions">
                        {move || {
                            let me = me();
                            match (status, assignee_id) {
                                (Status::Resolved, _) => view! {
                                    <button on:click=move |_| { actions.reopen.dispatch(ReopenDialogue { id }); }>"Reopen"</button>
                                }.into_any(),
                                (_, None) => view! {
                                    <button class="button-primary" aria-keyshortcuts="c"
                                        on:click=move |_| { actions.claim.dispatch(ClaimDialogue { id, take_over: false }); }>"Claim"</button>
                                }.into_any(),
                                (_, Some(h)) if Some(h) != me && sales_owned => view! {
                                    <button class="button-primary" on:click=move |_| { actions.acknowledge.dispatch(AcknowledgeDialogue { id }); }>
                                        "Acknowledge and forward"
                                    </button>
                                    <span class="muted">{format!("{} (sales) looks after this customer: tell them their message reached {}, and they are notified.", holder_name.clone(), holder_name.clone())}</span>
                                }.into_any(),
                                (_, Some(h)) if Some(h) != me => view! {
                                    <button on:click=move |_| { actions.claim.dispatch(ClaimDialogue { id, take_over: true }); }>"Take over"</button>
                                }.into_any(),
                                _ => view! {
                                    <label class="inline-field">"Postpone until "
                                        <input type="datetime-local" node_ref=until_ref aria-label="Postpone until" aria-keyshortcuts="p"/>
                                    </label>
                                    <button on:click=postpone_until>"Postpone"</button>
                                    <button on:click=move |_| { actions.postpone.dispatch(PostponeDialogue { id, until_epoch: None }); }>
                                        "Until the customer replies"
                                    </button>
                                    <button class="button-primary" aria-keyshortcuts="e"
                                        on:click=move |_| { actions.resolve.dispatch(ResolveDialogue { id }); }>"Resolve"</button>
                                }.into_any(),
                            }
                        }}
                    </div>
                    {move || (!sales_owned || me() == assignee_id).then(|| view! {
                        <ReassignForm id assignees=assignees.clone() current=assignee_id action=actions.reassign/>
                    })}
                    <DetailsForm id priority=d.priority.as_str().to_string() outcome=d.outcome.map(|o| o.as_str().to_string()).unwrap_or_default() action=actions.details/>
                    <TagsForm id tags=d.tags.clone() action=actions.tag/>
                    <EscalateForm id assignees=d.assignees.clone() state=actions.escalation/>
                    {refusal}
                </header>
                {d.rating.clone().map(|r| view! {
                    <section class="rating-given" aria-label="The customer's rating">
                        <h2>"Rated " {r.csat.clone()} " by the customer"</h2>
                        {r.ces.map(|(n, label)| view! { <p>{format!("Ease: {n} of 7 ({label})")}</p> })}
                        {r.nps.map(|n| view! { <p>{format!("Would recommend us: {n} of 10")}</p> })}
                        {r.comment.map(|c| view! { <blockquote>{c}</blockquote> })}
                    </section>
                })}
                <crate::components::incident_badge::DialogueIncident conversation_id=id link=actions.link/>
                <ol class="timeline" aria-label="History with this customer">{timeline}</ol>
                <form class="composer" on:submit=move |e| { e.prevent_default(); send(false); }>
                    <label for="message">"Message"</label>
                    <textarea id="message" rows="4" aria-keyshortcuts="r n" prop:value=move || actions.draft.get()
                        placeholder="Write a reply to the customer, or an internal note for colleagues (Ctrl+Enter sends the reply)"
                        on:input=move |e| {
                            actions.draft.set(event_target_value(&e));
                            typing_at.set(Some(now_ms()));
                        }
                        on:keydown=move |e| {
                            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                                e.prevent_default();
                                send(false);
                            }
                        }></textarea>
                    <div class="composer-actions">
                        <button type="submit" class="button-primary" aria-keyshortcuts="Control+Enter">"Send reply"</button>
                        <button type="button" class="button-note" on:click=move |_| send(true)>
                            "Add internal note"
                        </button>
                        <MentionPicker assignees=d.assignees.clone() draft=actions.draft/>
                    </div>
                </form>
                <crate::components::macro_sender::MacroSend conversation_id=id/>
                <ReplyKnowledge draft=actions.draft inserted=actions.inserted conversation_id=id/>
            </article>
            <CustomerAside card=d.customer now/>
        </div>
    }
}

/// Hand the dialogue to someone else: each agent with their load and whether the schedule
/// has them on shift now (those on shift first).
#[component]
fn ReassignForm(id: i64, assignees: Vec<Assignee>, current: Option<i64>, action: ServerAction<ReassignDialogue>) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    let options = assignees
        .into_iter()
        .filter(|a| Some(a.id) != current)
        .map(|a| view! { <option value=a.id.to_string()>{a.label()}</option> })
        .collect_view();
    view! {
        <form class="inline-field reassign" on:submit=move |e| {
            e.prevent_default();
            if let Ok(agent_id) = choice.get_untracked().parse() {
                action.dispatch(ReassignDialogue { id, agent_id });
            }
        }>
            <label class="inline-field">"Reassign to "
                <select on:change=move |e| choice.set(event_target_value(&e))>
                    <option value="">"Pick an agent"</option>
                    {options}
                </select>
            </label>
            <button type="submit">"Reassign"</button>
        </form>
    }
}

/// "Escalate": to whom, and the bug report. On success the report appears in the timeline
/// as an internal note (the live update redraws the dialogue).
#[component]
fn EscalateForm(id: i64, assignees: Vec<Assignee>, state: Escalation) -> impl IntoView {
    use crate::domain::dialogue::{BugReport, Impact};
    let Escalation { action: escalate, open, to, report } = state;
    let options = assignees.into_iter().map(|a| {
        let aid = a.id;
        view! { <option value=aid.to_string() selected=move || to.get() == Some(aid)>{a.name}</option> }
    }).collect_view();
    let impacts = Impact::ALL.iter().map(|i| view! {
        <option value=i.as_str() selected=move || report.with(|r| r.impact == i.as_str())>{i.label()}</option>
    }).collect_view();
    let field = move |label: &'static str, get: fn(&BugReport) -> String, set: fn(&mut BugReport, String)| view! {
        <label>{label}<textarea rows="3" prop:value=move || report.with(get) on:input=move |e| report.update(|r| set(r, event_target_value(&e)))></textarea></label>
    };
    view! {
        <details class="escalate" prop:open=move || open.get()>
            <summary on:click=move |e| { e.prevent_default(); open.update(|o| *o = !*o); }>"Escalate"</summary>
            <form class="form-grid" on:submit=move |e| {
                e.prevent_default();
                match to.get_untracked() {
                    Some(to) => { escalate.dispatch(EscalateDialogue { id, to, report: report.get_untracked() }); }
                    None => {}
                }
            }>
                <label>"Escalate to"<select required on:change=move |e| to.set(event_target_value(&e).parse().ok())>
                    <option value="">"A support engineer or manager"</option>{options}
                </select></label>
                {field("Steps to reproduce", |r| r.steps.clone(), |r, v| r.steps = v)}
                {field("Expected", |r| r.expected.clone(), |r, v| r.expected = v)}
                {field("Actual", |r| r.actual.clone(), |r, v| r.actual = v)}
                <label>"Customer impact"<select on:change=move |e| report.update(|r| r.impact = event_target_value(&e))>{impacts}</select></label>
                <button type="submit" class="button-primary" disabled=move || escalate.pending().get()>"Send the escalation"</button>
                {move || escalate.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
            </form>
        </details>
    }
}

/// Puts `@handle` of a colleague into the note being written; the note notifies them.
#[component]
fn MentionPicker(assignees: Vec<Assignee>, draft: RwSignal<String>) -> impl IntoView {
    let options = assignees
        .into_iter()
        .map(|a| view! { <option value=a.handle.clone()>{format!("{} (@{})", a.name, a.handle)}</option> })
        .collect_view();
    // The select goes back to its prompt after each pick.
    let picked = RwSignal::new(String::new());
    view! {
        <label class="inline-field">"Mention "
            <select prop:value=move || picked.get() on:change=move |e| {
                let handle = event_target_value(&e);
                if !handle.is_empty() {
                    draft.update(|d| {
                        if !d.is_empty() && !d.ends_with([' ', '\n']) {
                            d.push(' ');
                        }
                        d.push_str(&format!("@{handle} "));
                    });
                }
                picked.set(handle);
                picked.set(String::new());
            }>
                <option value="">"a colleague in a note"</option>
                {options}
            </select>
        </label>
    }
}

/// Priority and outcome, changed as soon as a choice is made.
#[component]
fn DetailsForm(id: i64, priority: String, outcome: String, action: ServerAction<SetDialogueDetails>) -> impl IntoView {
    let priority_ref = NodeRef::<leptos::html::Select>::new();
    let outcome_ref = NodeRef::<leptos::html::Select>::new();
    let save = move |_| {
        let priority = priority_ref.get().map(|s| s.value()).unwrap_or_default();
        let outcome = outcome_ref.get().map(|s| s.value()).unwrap_or_default();
        action.dispatch(SetDialogueDetails { id, priority, outcome });
    };
    let priorities = Priority::ALL
        .iter()
        .map(|p| view! { <option value=p.as_str() selected=p.as_str() == priority>{p.label()}</option> })
        .collect_view();
    let outcomes = crate::domain::dialogue::Outcome::ALL
        .iter()
        .map(|o| view! { <option value=o.as_str() selected=o.as_str() == outcome>{o.label()}</option> })
        .collect_view();
    view! {
        <div class="details">
            <label class="inline-field">"Priority "
                <select node_ref=priority_ref on:change=save>{priorities}</select>
            </label>
            <label class="inline-field">"Outcome "
                <select node_ref=outcome_ref on:change=save>
                    <option value="" selected=outcome.is_empty()>"Not set"</option>
                    {outcomes}
                </select>
            </label>
        </div>
    }
}

/// The tags as badges, and a field to change them (comma-separated).
#[component]
fn TagsForm(id: i64, tags: Vec<String>, action: ServerAction<TagDialogue>) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let current = tags.join(", ");
    let badges = tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view();
    view! {
        <ul class="tags" aria-label="Dialogue tags">{badges}</ul>
        <form class="inline-field" on:submit=move |e| {
            e.prevent_default();
            let tags = input.get().map(|i| i.value()).unwrap_or_default();
            action.dispatch(TagDialogue { id, tags });
        }>
            <label for="tags">"Tags"</label>
            <input id="tags" node_ref=input value=current placeholder="billing, refund"/>
            <button type="submit">"Save tags"</button>
        </form>
    }
}

/// `2026-11-23T09:30` from a datetime-local input, in the browser's time zone, to Unix
/// seconds; 0 when empty or unparsable, which the server refuses with a sentence.
fn local_datetime_to_epoch(value: &str) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
        if value.is_empty() || ms.is_nan() { 0 } else { (ms / 1000.0) as i64 }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = value;
        0
    }
}
