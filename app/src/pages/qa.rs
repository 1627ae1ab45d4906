//! `/qa`: quality reviews. Reviewers draw fair random samples and work through their to-do
//! list; agents read the reviews of their own dialogues and dispute them; the reviewer or
//! a manager decides disputes. The review screen is `qa_review.rs`, results `qa_results.rs`.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::dialogue::{format_waiting, ChannelKind};
use crate::domain::qa::DisputeStatus;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use crate::model::qa::{QaOverview, Review, Sample, SampleRequest, TodoItem};
use crate::components::format::{csat_label, score_text};

#[server(endpoint = "qa_overview")]
pub async fn load_qa_overview() -> Result<QaOverview, AppError> {
    use crate::backend::{authorized, qa, qa_results, teams, users};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnReviews, |state, user| async move {
        let can_review = user.role.can(Permission::ReviewDialogues);
        let can_manage = user.role.can(Permission::ManageQa);
        let todo = if can_review { qa::todo(&state.pool, user.id).await? } else { Vec::new() };
        let disputes = if can_review {
            qa::reviews(&state.pool, qa::ReviewScope::OpenDisputesFor(user.id, can_manage)).await?
        } else {
            Vec::new()
        };
        let mine = qa::reviews(&state.pool, qa::ReviewScope::OfAgent(user.id)).await?;
        let (week_ago, today) = qa_results::days_up_to_today(&state.pool, &user.time_zone, 6).await?;
        let works_queue = user.role.can(Permission::WorkQueue);
        let (teams, agents, reviewers) = if can_review {
            let pool = &state.pool;
            (teams::names(pool).await?, users::agents(pool).await?, users::reviewers(pool).await?)
        } else {
            Default::default()
        };
        Ok(QaOverview { can_review, can_manage, works_queue, teams, agents, reviewers, todo, mine, disputes, today, week_ago, now: chrono::Utc::now().timestamp() })
    })
    .await
}

#[server(endpoint = "qa_draw_sample", input = Json)]
pub async fn draw_qa_sample(request: SampleRequest) -> Result<Sample, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move { qa::draw_sample(&state.pool, &user, &request).await }).await
}

#[server(endpoint = "qa_dispute")]
pub async fn dispute_qa_review(review_id: i64, reason: String) -> Result<(), AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ViewOwnReviews, |state, user| async move {
        qa::dispute(&state.pool, user.id, review_id, &reason).await.map(|_| ())
    })
    .await
}

#[component]
pub fn QaPage() -> impl IntoView {
    // The actions live here, above what a reload redraws, so their outcome stays on screen.
    let draw = ServerAction::<DrawQaSample>::new();
    let dispute = ServerAction::<DisputeQaReview>::new();
    let data = Resource::new(move || (draw.version().get(), dispute.version().get()), |_| load_qa_overview());
    view! {
        <h1>"QA"</h1>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    data.await.map(|o| {
                        let reviewer = o.can_review.then(|| view! {
                            <nav class="subnav" aria-label="QA">
                                <a href="/qa/results">"Results"</a>
                                <a href="/qa/calibration">"Calibration"</a>
                                <a href="/qa/docs">"How scores are computed"</a>
                                {o.can_manage.then(|| view! { <a href="/qa/scorecard">"Edit the scorecard"</a> })}
                            </nav>
                            <TodoList items=o.todo.clone() now=o.now/>
                            <DrawSample today=o.today.clone() week_ago=o.week_ago.clone() teams=o.teams.clone()
                                agents=o.agents.clone() reviewers=o.reviewers.clone() draw/>
                            <Disputes items=o.disputes.clone()/>
                        });
                        let mine = o.works_queue.then(|| view! { <MyReviews items=o.mine.clone() dispute/> });
                        view! {
                            {reviewer}
                            {mine}
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn TodoList(items: Vec<TodoItem>, now: i64) -> impl IntoView {
    let count = items.len();
    let body = if items.is_empty() {
        view! { <EmptyState title="Nothing to review" detail="Draw a sample below: it lands here as your to-do list."/> }.into_any()
    } else {
        let rows = items
            .into_iter()
            .map(|i| {
                let href = format!("/qa/review?conversation={}&sample={}", i.conversation_id, i.sample_id);
                let resolved = i.resolved_epoch.map(|r| format!("{} ago", format_waiting(now - r))).unwrap_or_default();
                view! {
                    <tr>
                        <td><a href=href>{i.subject}</a></td>
                        <td>{i.agent}</td>
                        <td>{i.channel_kind.label()}</td>
                        <td>{resolved}</td>
                        <td>{csat_label(i.csat)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="list" aria-label="To review">
                <thead><tr><th>"Dialogue"</th><th>"Agent"</th><th>"Channel"</th><th>"Resolved"</th><th>"Rating"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="todo-title">
            <h2 id="todo-title">"To review " <span class="count">{count}</span></h2>
            {body}
        </section>
    }
}

#[component]
fn DrawSample(
    today: String,
    week_ago: String,
    teams: Vec<(i64, String)>,
    agents: Vec<(i64, String)>,
    reviewers: Vec<(i64, String)>,
    draw: ServerAction<DrawQaSample>,
) -> impl IntoView {
    let team = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let reviewer = RwSignal::new(String::new());
    let per_agent = RwSignal::new("5".to_string());
    let from = RwSignal::new(week_ago);
    let to = RwSignal::new(today);
    let channels = [ChannelKind::Chat, ChannelKind::Email, ChannelKind::Social].map(|c| (c, RwSignal::new(true)));
    let low_only = RwSignal::new(false);
    let tag = RwSignal::new(String::new());
    let seed = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let request = SampleRequest {
            per_agent: per_agent.get_untracked().trim().parse().unwrap_or(0),
            from: from.get_untracked(),
            to: to.get_untracked(),
            channels: channels.iter().filter(|(_, on)| on.get_untracked()).map(|(c, _)| *c).collect(),
            low_csat_only: low_only.get_untracked(),
            tag: Some(tag.get_untracked()).filter(|t| !t.trim().is_empty()),
            seed: seed.get_untracked().trim().parse().ok(),
            team_id: team.get_untracked().parse().ok(),
            agent_id: agent.get_untracked().parse().ok(),
            reviewer_id: reviewer.get_untracked().parse().ok(),
            include_reviewed: false,
        };
        draw.dispatch(DrawQaSample { request });
    };
    let outcome = move || {
        draw.value().get().map(|r| match r {
            Ok(s) => {
                let n: usize = s.agents.iter().map(|a| a.conversation_ids.len()).sum();
                view! {
                    <div class="notice notice-info" role="status">
                        {format!("Drew {n} dialogues for {} agents (seed {}). They are in your to-do list.", s.agents.len(), s.seed)}
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })
    };
    let boxes = channels
        .iter()
        .map(|&(c, on)| {
            view! {
                <label class="inline-field">
                    <input type="checkbox" prop:checked=move || on.get() on:change=move |e| on.set(event_target_checked(&e))/>
                    {c.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="sample-title" class="panel">
            <h2 id="sample-title">"Draw a sample"</h2>
            <p class="hint">"Resolved dialogues, the same number for every agent who had any, picked at random. Dialogues you have already reviewed are left out. The same seed draws the same sample."</p>
            <form class="form-grid" on:submit=submit>
                <label>"Dialogues per agent"
                    <input type="number" min="1" max="100" prop:value=move || per_agent.get() on:input=move |e| per_agent.set(event_target_value(&e))/>
                </label>
                <label>"From" <input type="date" prop:value=move || from.get() on:input=move |e| from.set(event_target_value(&e))/></label>
                <label>"To" <input type="date" prop:value=move || to.get() on:input=move |e| to.set(event_target_value(&e))/></label>
                <fieldset><legend>"Channels"</legend>{boxes}</fieldset>
                <label class="inline-field">
                    <input type="checkbox" prop:checked=move || low_only.get() on:change=move |e| low_only.set(event_target_checked(&e))/>
                    "Only dialogues rated bad"
                </label>
                <Choice label="Team" any="All teams" options=teams value=team/>
                <Choice label="Agent" any="All agents" options=agents value=agent/>
                <Choice label="Reviewer" any="Me" options=reviewers value=reviewer/>
                <label>"Tag" <input type="text" placeholder="refund" prop:value=move || tag.get() on:input=move |e| tag.set(event_target_value(&e))/></label>
                <label>"Seed (optional)" <input type="text" inputmode="numeric" prop:value=move || seed.get() on:input=move |e| seed.set(event_target_value(&e))/></label>
                <button type="submit" class="button-primary" disabled=move || draw.pending().get()>"Draw sample"</button>
            </form>
            {outcome}
        </section>
    }
}

/// A select with an "any" first option; `value` holds the chosen id as text ("" for any).
#[component]
fn Choice(label: &'static str, any: &'static str, options: Vec<(i64, String)>, value: RwSignal<String>) -> impl IntoView {
    let options = options.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view();
    view! {
        <label>{label}
            <select on:change=move |e| value.set(event_target_value(&e))>
                <option value="">{any}</option>
                {options}
            </select>
        </label>
    }
}

/// One review as a card: score, each criterion's answer and comment, the overall comment.
#[component]
pub fn ReviewCard(review: Review, children: Children) -> impl IntoView {
    let lines = review
        .criteria
        .iter()
        .zip(review.answers.iter())
        .map(|(c, a)| {
            let value = a.value.map(|v| c.scale.point_label(v)).unwrap_or_else(|| "N/A".into());
            let max = if c.scale == crate::domain::qa::Scale::YesNo { String::new() } else { format!(" of {}", c.scale.max()) };
            let comment = (!a.comment.is_empty()).then(|| view! { <span class="hint">{format!(" — {}", a.comment)}</span> });
            view! { <li><span>{c.name.clone()}</span>": " <strong>{value}{max}</strong>{comment}</li> }
        })
        .collect_view();
    let revised = (review.revisions > 0).then(|| view! { <span class="badge">"Changed after a dispute"</span> });
    view! {
        <article class="review-card" aria-label=format!("Review of {}", review.subject)>
            <header>
                <h3><a href=format!("/dialogue?id={}", review.conversation_id)>{review.subject.clone()}</a></h3>
                <p class="badges">
                    <span class="badge score" data-testid="review-score">{format!("Score {}", score_text(review.score))}</span>
                    <span class="badge">{format!("Agent {}", review.agent)}</span>
                    <span class="badge">{format!("Reviewer {}", review.reviewer)}</span>
                    <span class="badge">{format!("Scorecard v{}", review.scorecard_version)}</span>
                    {revised}
                </p>
            </header>
            <ul class="criteria-list">{lines}</ul>
            {(!review.comment.is_empty()).then(|| view! { <p class="review-comment">{review.comment.clone()}</p> })}
            {children()}
        </article>
    }
}

#[component]
fn MyReviews(items: Vec<Review>, dispute: ServerAction<DisputeQaReview>) -> impl IntoView {
    let error = move || dispute.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> });
    let body = if items.is_empty() {
        view! { <EmptyState title="No reviews of your dialogues yet" detail="When a reviewer scores one of your dialogues, it appears here with every comment."/> }.into_any()
    } else {
        items
            .into_iter()
            .map(|r| {
                let id = r.id;
                let state = match &r.dispute {
                    Some(d) if d.status == DisputeStatus::Open => view! { <p class="notice notice-info">{format!("You disputed this review: “{}”. Waiting for a decision.", d.reason)}</p> }.into_any(),
                    Some(d) => view! {
                        <p class="notice notice-info">{format!("Your dispute was {}.{}", d.status.as_str(), if d.decision_note.is_empty() { String::new() } else { format!(" “{}”", d.decision_note) })}</p>
                    }.into_any(),
                    None => {
                        let reason = RwSignal::new(String::new());
                        view! {
                            <form class="dispute" on:submit=move |e| {
                                e.prevent_default();
                                dispute.dispatch(DisputeQaReview { review_id: id, reason: reason.get_untracked() });
                            }>
                                <label>"Why do you disagree?"
                                    <textarea rows="2" prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))></textarea>
                                </label>
                                <button type="submit">"Dispute this review"</button>
                            </form>
                        }.into_any()
                    }
                };
                view! { <ReviewCard review=r>{state}</ReviewCard> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section aria-labelledby="mine-title">
            <h2 id="mine-title">"Reviews of my dialogues"</h2>
            {error}
            {body}
        </section>
    }
}

#[component]
fn Disputes(items: Vec<Review>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        let cards = items
            .into_iter()
            .map(|r| {
                let d = r.dispute.clone().expect("only disputed reviews are listed");
                let href = format!("/qa/review?conversation={}&dispute={}", r.conversation_id, d.id);
                view! {
                    <ReviewCard review=r>
                        <p class="notice notice-info">{format!("Disputed: “{}”", d.reason)}</p>
                        <a class="button" href=href>"Decide the dispute"</a>
                    </ReviewCard>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="disputes-title">
                <h2 id="disputes-title">"Disputes to decide"</h2>
                {cards}
            </section>
        }
    })
}
