//! `/qa/review?conversation={id}` (with `&sample=`, `&calibration=` or `&dispute=`): the
//! dialogue's whole timeline beside the scorecard. Criteria the data can answer come
//! pre-filled as suggestions. One keypress per criterion: `y`/`n` or the digit answers the
//! current criterion and moves on, `x` marks it not applicable, `p` goes back, `s` saves.

use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::qa::{self, Criterion, Signal};
use crate::error::AppError;
use crate::components::timeline::timeline_view;
use crate::components::timeline::CustomerAside;
use crate::components::format::csat_label;
use crate::components::format::score_text;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_query_map;
use crate::model::qa::{AnswerInput, ReviewInput, ReviewSheet};

/// The review screen's data. With `dispute_id`, the disputed review comes as `mine`, for
/// its reviewer or a manager to score again.
#[server(endpoint = "qa_review_sheet")]
pub async fn load_review_sheet(conversation_id: i64, calibration_id: Option<i64>, dispute_id: Option<i64>) -> Result<ReviewSheet, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move {
        let mut sheet = qa::review_sheet(&state.pool, conversation_id, user.id, calibration_id).await?;
        if let Some(dispute) = dispute_id {
            let review_id = qa::disputed_review(&state.pool, dispute, conversation_id).await?;
            let mut conn = state.pool.acquire().await?;
            let review = match review_id {
                Some(id) => qa::load_review(&mut conn, id).await?,
                None => None,
            }
            .ok_or_else(|| AppError::NotFound("There is no such dispute.".into()))?;
            if review.reviewer_id != user.id && !user.role.can(Permission::ManageQa) {
                return Err(AppError::Forbidden);
            }
            // The disputed review is scored again on its own version of the scorecard.
            sheet.scorecard = crate::model::qa::Scorecard {
                version_id: 0,
                version: review.scorecard_version,
                name: sheet.scorecard.name.clone(),
                criteria: review.criteria.clone(),
            };
            sheet.suggestions = review.answers.iter().map(|a| a.suggested).collect();
            sheet.mine = Some(review);
        }
        Ok(sheet)
    })
    .await
}

#[server(endpoint = "qa_submit_review", input = Json)]
pub async fn submit_qa_review(input: ReviewInput) -> Result<i64, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move { qa::submit_review(&state.pool, user.id, &input).await }).await
}

fn param(q: &leptos_router::params::ParamsMap, key: &str) -> Option<i64> {
    q.get(key).and_then(|v| v.parse().ok())
}

#[component]
pub fn QaReviewPage() -> impl IntoView {
    let query = use_query_map();
    let ids = move || query.with(|q| (param(q, "conversation").unwrap_or(0), param(q, "sample"), param(q, "calibration"), param(q, "dispute")));
    let sheet = Resource::new(ids, |(c, _, cal, d)| load_review_sheet(c, cal, d));
    view! {
        <p class="breadcrumb"><a href="/qa">"QA"</a></p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (_, sample, calibration, dispute) = ids();
                    sheet.await.map(|s| view! { <ReviewLayout sheet=s sample calibration dispute/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// A criterion's state in the form: not yet answered, not applicable, or a point.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pick {
    Unset,
    NotApplicable,
    Point(u8),
}

fn signal_source(signal: Signal) -> &'static str {
    match signal {
        Signal::TaskCompleted => "not reopened within 7 days",
        Signal::CustomerHappy => "the customer's rating",
        Signal::ClosedQuickly => "resolution time against the channel's target",
        Signal::UsedKnowledgeBase => "articles sent",
    }
}

#[component]
fn ReviewLayout(sheet: ReviewSheet, sample: Option<i64>, calibration: Option<i64>, dispute: Option<i64>) -> impl IntoView {
    let ReviewSheet { dialogue, now, agent, scorecard, facts, suggestions, mine } = sheet;
    let criteria = StoredValue::new(scorecard.criteria.clone());
    let n = scorecard.criteria.len();
    // Start from the earlier review when re-scoring a dispute, else from the suggestions.
    let start: Vec<Pick> = match (&mine, dispute) {
        (Some(r), Some(_)) => r.answers.iter().map(|a| a.value.map_or(Pick::NotApplicable, Pick::Point)).collect(),
        _ => suggestions.iter().map(|s| s.map_or(Pick::Unset, Pick::Point)).collect(),
    };
    let picks = RwSignal::new(start);
    let comments: Vec<RwSignal<String>> = (0..n)
        .map(|i| RwSignal::new(match (&mine, dispute) {
            (Some(r), Some(_)) => r.answers.get(i).map(|a| a.comment.clone()).unwrap_or_default(),
            _ => String::new(),
        }))
        .collect();
    let comments = StoredValue::new(comments);
    let overall = RwSignal::new(String::new());
    let current = RwSignal::new(0usize);
    let submit = ServerAction::<SubmitQaReview>::new();
    let decide = ServerAction::<DecideQaDispute>::new();
    let already = mine.is_some() && dispute.is_none() && calibration.is_none();

    let live_score = move || {
        let ps = picks.get();
        if ps.contains(&Pick::Unset) {
            return None;
        }
        let values: Vec<Option<u8>> = ps.iter().map(|p| if let Pick::Point(v) = p { Some(*v) } else { None }).collect();
        criteria.with_value(|cs| qa::review_score(cs, &values))
    };
    let answers = move || -> Vec<AnswerInput> {
        let ps = picks.get_untracked();
        comments.with_value(|cs| {
            ps.iter()
                .zip(cs)
                .map(|(p, c)| AnswerInput { value: if let Pick::Point(v) = p { Some(*v) } else { None }, comment: c.get_untracked() })
                .collect()
        })
    };
    let version_id = scorecard.version_id;
    let conversation_id = dialogue.id;
    let save = move || {
        if let Some(missing) = picks.get_untracked().iter().position(|p| *p == Pick::Unset) {
            current.set(missing);
            return;
        }
        match dispute {
            Some(dispute_id) => {
                decide.dispatch(DecideQaDispute { dispute_id, accept: true, answers: answers(), note: overall.get_untracked() });
            }
            None => {
                submit.dispatch(SubmitQaReview {
                    input: ReviewInput {
                        conversation_id,
                        scorecard_version_id: version_id,
                        answers: answers(),
                        comment: overall.get_untracked(),
                        sample_id: sample,
                        repeat: already,
                        calibration_id: calibration,
                    },
                });
            }
        }
    };
    let reject = move |_| {
        if let Some(dispute_id) = dispute {
            decide.dispatch(DecideQaDispute { dispute_id, accept: false, answers: Vec::new(), note: overall.get_untracked() });
        }
    };
    let outcome = move || {
        let done = |text: String| view! { <div class="notice notice-info" role="status">{text} " " <a href="/qa">"Back to the to-do list"</a></div> }.into_any();
        match (submit.value().get(), decide.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(view! { <ErrorNotice message=e.to_string()/> }.into_any()),
            (Some(Ok(_)), _) => Some(done("Review saved.".into())),
            (_, Some(Ok(()))) => Some(done("Dispute decided.".into())),
            _ => None,
        }
    };
    let missing = move || {
        let ps = picks.get();
        let left = ps.iter().filter(|p| **p == Pick::Unset).count();
        (left > 0).then(|| format!("{left} criteria left to answer"))
    };

    let rows = scorecard
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| criterion_row(i, c.clone(), suggestions.get(i).copied().flatten(), picks, current, comments.with_value(|cs| cs[i])))
        .collect_view();
    let title = match (calibration, dispute) {
        (Some(_), _) => "Calibration review",
        (_, Some(_)) => "Decide the dispute",
        _ => "Review",
    };
    let disputed = mine.as_ref().and_then(|r| r.dispute.clone()).filter(|_| dispute.is_some());
    let rating = csat_label(facts.csat);

    view! {
        <div class="review-layout">
            <article class="dialogue" aria-labelledby="dialogue-title">
                <header class="dialogue-header">
                    <h1 id="dialogue-title">{dialogue.subject.clone()}</h1>
                    <p class="badges">
                        <span class="badge">{format!("Agent {}", agent.unwrap_or_else(|| "none".into()))}</span>
                        <span class="badge">{format!("Customer rating: {rating}")}</span>
                        <span class="badge">{dialogue.status.as_str()}</span>
                    </p>
                </header>
                <ol class="timeline" aria-label="History with this customer">{timeline_view(dialogue.timeline, dialogue.id, now)}</ol>
                <CustomerAside card=dialogue.customer now/>
            </article>
            <section class="scorecard panel" aria-labelledby="scorecard-title">
                <h2 id="scorecard-title">{title} " · " {format!("{} v{}", scorecard.name, scorecard.version)}</h2>
                {disputed.map(|d| view! { <p class="notice notice-info">{format!("The agent disputes this review: “{}”", d.reason)}</p> })}
                {already.then(|| view! { <p class="notice notice-info">"You have reviewed this dialogue before; saving records a second review."</p> })}
                <p class="hint">"Keys: y / n or 1–5 answer the highlighted criterion, x not applicable, p previous, s save. Suggestions from the data are pre-filled; change them freely."</p>
                <ol class="criteria">{rows}</ol>
                <label class="block">{if dispute.is_some() { "Note to the agent" } else { "Overall comment" }}
                    <textarea rows="3" prop:value=move || overall.get() on:input=move |e| overall.set(event_target_value(&e))></textarea>
                </label>
                <p class="live-score" aria-live="polite">
                    "Score: " <strong data-testid="live-score">{move || score_text(live_score())}</strong>
                    " " <span class="hint">{missing}</span>
                </p>
                <div class="toolbar">
                    <button class="button-primary" aria-keyshortcuts="s" on:click=move |_| save()
                        disabled=move || submit.pending().get() || decide.pending().get()>
                        {if dispute.is_some() { "Accept and save the new score" } else { "Save review" }}
                    </button>
                    {dispute.map(|_| view! { <button on:click=reject>"Reject the dispute"</button> })}
                </div>
                {outcome}
            </section>
        </div>
    }
}

fn criterion_row(
    i: usize,
    c: Criterion,
    suggested: Option<u8>,
    picks: RwSignal<Vec<Pick>>,
    current: RwSignal<usize>,
    comment: RwSignal<String>,
) -> impl IntoView {
    let is_current = move || current.get() == i;
    let choose = move |pick: Pick| {
        picks.update(|ps| ps[i] = pick);
        let len = picks.with_untracked(|ps| ps.len());
        current.set((i + 1).min(len - 1));
    };
    let scale = c.scale;
    let buttons = scale
        .points()
        .map(|p| {
            let key = scale.key_for(p).to_string();
            view! {
                <button type="button" role="radio"
                    aria-checked=move || (picks.with(|ps| ps[i] == Pick::Point(p))).to_string()
                    aria-keyshortcuts=move || is_current().then(|| key.clone())
                    on:click=move |e| { e.stop_propagation(); choose(Pick::Point(p)) }>
                    {scale.point_label(p)}
                </button>
            }
        })
        .collect_view();
    let na = c.allow_na.then(|| view! {
        <button type="button" role="radio"
            aria-checked=move || (picks.with(|ps| ps[i] == Pick::NotApplicable)).to_string()
            aria-keyshortcuts=move || is_current().then(|| "x".to_string())
            on:click=move |e| { e.stop_propagation(); choose(Pick::NotApplicable) }>"N/A"</button>
    });
    let back = move || (is_current() && i > 0).then(|| view! {
        <button type="button" class="visually-hidden" aria-keyshortcuts="p" on:click=move |e| { e.stop_propagation(); current.set(i - 1) }>"Previous criterion"</button>
    });
    let hint = suggested.map(|s| {
        let from = c.signal.map(signal_source).unwrap_or("the data");
        view! { <span class="suggestion">{format!("Suggested: {} (from {from})", scale.point_label(s))}</span> }
    });
    let changed = move || {
        let pick = picks.with(|ps| ps[i]);
        (suggested.is_some() && pick != Pick::Unset && pick != suggested.map_or(Pick::Unset, Pick::Point))
            .then(|| view! { <span class="badge">"Changed from the suggestion"</span> })
    };
    let name = c.name.clone();
    let flags = format!(
        "{}{}",
        if c.critical { "Critical · " } else { "" },
        format!("weight {} · {}", c.weight, c.scale.label())
    );
    view! {
        <li class="criterion" class:current=is_current aria-current=move || is_current().then_some("step") on:click=move |_| current.set(i)>
            <div class="criterion-head">
                <strong>{name.clone()}</strong>
                <span class="hint">{flags}</span>
            </div>
            <p class="hint">{c.description.clone()}</p>
            <div role="radiogroup" aria-label=name class="points">{buttons}{na}{back}</div>
            {hint}
            {changed}
            <input type="text" class="criterion-comment" aria-label=format!("Comment on {}", c.name) placeholder="Comment (optional)"
                prop:value=move || comment.get() on:input=move |e| comment.set(event_target_value(&e))/>
        </li>
    }
}

/// Rejects a dispute (`answers` empty) or accepts it with the review scored again.
#[server(endpoint = "qa_decide_dispute", input = Json)]
pub async fn decide_qa_dispute(dispute_id: i64, accept: bool, answers: Vec<AnswerInput>, note: String) -> Result<(), AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, user| async move {
        let answers = accept.then_some(answers.as_slice());
        qa::decide_dispute(&state.pool, &user, dispute_id, accept, answers, &note).await
    })
    .await
}
