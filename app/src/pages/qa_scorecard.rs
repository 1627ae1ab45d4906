//! `/qa/scorecard`: managers edit the scorecard. Saving adds a version; reviews already
//! made keep the version they were made with, so their scores keep their meaning.

use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::qa::{Criterion, Scale};
use crate::error::AppError;
use crate::model::qa::Scorecard;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "qa_scorecard")]
pub async fn load_qa_scorecard() -> Result<Scorecard, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ReviewDialogues, |state, _| async move { qa::current_scorecard(&state.pool).await }).await
}

#[server(endpoint = "qa_save_scorecard", input = Json)]
pub async fn save_qa_scorecard(criteria: Vec<Criterion>) -> Result<Scorecard, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ManageQa, |state, user| async move { qa::save_scorecard(&state.pool, user.id, &criteria).await }).await
}

/// Whether QA reviewers may open any resolved dialogue (otherwise only their samples' and
/// calibration sessions').
#[server(endpoint = "qa_reviewer_access")]
pub async fn qa_reviewer_access() -> Result<bool, AppError> {
    use crate::backend::{authorized, qa};
    use crate::domain::access::Permission;
    authorized(Permission::ManageQa, |state, _| async move { Ok(qa::reviewers_any_resolved(&state.pool).await?) }).await
}

#[server(endpoint = "qa_reviewer_access_set")]
pub async fn qa_reviewer_access_set(any_resolved: bool) -> Result<bool, AppError> {
    use crate::backend::{audit, authorized, qa};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageQa, |state, user| async move {
        qa::set_reviewers_any_resolved(&state.pool, user.id, any_resolved).await?;
        let detail = if any_resolved { "any resolved dialogue" } else { "only their samples and calibration sessions" };
        audit::by(&state.pool, &user, AuditAction::SettingChanged, "what QA reviewers may open", detail).await?;
        Ok(any_resolved)
    })
    .await
}

/// Managers choose what QA reviewers may open.
#[component]
fn ReviewerAccess() -> impl IntoView {
    let set = ServerAction::<QaReviewerAccessSet>::new();
    let current = Resource::new(move || set.version().get(), |_| qa_reviewer_access());
    view! {
        <section aria-labelledby="reviewer-access">
            <h2 id="reviewer-access">"What QA reviewers may open"</h2>
            <p class="muted">"Reviewers score resolved dialogues only, never one still being answered. By default they open the dialogues of their own samples and of calibration sessions."</p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move {
                        let any = current.await?;
                        Ok::<_, AppError>(view! {
                            <label class="inline-field">
                                <input type="checkbox" prop:checked=any on:change=move |e| {
                                    set.dispatch(QaReviewerAccessSet { any_resolved: event_target_checked(&e) });
                                }/>
                                " Reviewers may open any resolved dialogue"
                            </label>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || set.value().get().map(|r| match r {
                Ok(true) => view! { <p class="notice notice-info" role="status">"Reviewers may now open any resolved dialogue."</p> }.into_any(),
                Ok(false) => view! { <p class="notice notice-info" role="status">"Reviewers open only their samples and calibration sessions."</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
        </section>
    }
}

#[component]
pub fn QaScorecardPage() -> impl IntoView {
    let save = ServerAction::<SaveQaScorecard>::new();
    let auth = crate::auth::Auth::expect();
    // Loaded once: after a save the form already shows what was saved (and a refused save
    // must not wipe what the manager typed).
    let data = Resource::new(|| (), |_| load_qa_scorecard());
    view! {
        <p class="breadcrumb"><a href="/qa">"QA"</a></p>
        <h1>"Scorecard"</h1>
        <p class="lede">"Saving creates a new version. Reviews already made keep the version they were made with, so their scores never change meaning."</p>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move { data.await.map(|s| view! { <Form scorecard=s save/> }) })}
            </ErrorBoundary>
        </Transition>
        {move || {
            let manages = auth.user.get().and_then(Result::ok).flatten().is_some_and(|u| u.role.can(crate::domain::access::Permission::ManageQa));
            manages.then(|| view! { <ReviewerAccess/> })
        }}
    }
}

#[component]
fn Form(scorecard: Scorecard, save: ServerAction<SaveQaScorecard>) -> impl IntoView {
    let rows = RwSignal::new(scorecard.criteria.into_iter().map(RwSignal::new).collect::<Vec<_>>());
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(s) => view! { <div class="notice notice-info" role="status">{format!("Saved as version {}.", s.version)}</div> }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })
    };
    let add = move |_| {
        rows.update(|r| {
            r.push(RwSignal::new(Criterion {
                name: String::new(),
                description: String::new(),
                scale: Scale::YesNo,
                weight: 10,
                critical: false,
                allow_na: true,
                signal: None,
            }))
        })
    };
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let criteria = rows.get_untracked().iter().map(|c| c.get_untracked()).collect();
        save.dispatch(SaveQaScorecard { criteria });
    };
    view! {
        <p>{scorecard.name.clone()} ", version "
            {move || save.value().get().and_then(|r| r.ok()).map_or(scorecard.version, |s| s.version)}</p>
        <form on:submit=submit>
            <table class="list" aria-label="Criteria">
                <thead><tr><th>"Criterion"</th><th>"Description"</th><th>"Scale"</th><th>"Weight"</th><th>"Critical"</th><th>"N/A allowed"</th><th></th></tr></thead>
                <tbody>
                    // Redrawn when a row is added or removed; typing only touches the row's own signal.
                    {move || rows.get().into_iter().enumerate().map(|(i, c)| view! { <CriterionRow i c rows/> }).collect_view()}
                </tbody>
            </table>
            <div class="toolbar">
                <button type="button" on:click=add>"Add a criterion"</button>
                <button type="submit" class="button-primary" disabled=move || save.pending().get()>"Save as a new version"</button>
            </div>
        </form>
        {outcome}
    }
}

#[component]
fn CriterionRow(i: usize, c: RwSignal<Criterion>, rows: RwSignal<Vec<RwSignal<Criterion>>>) -> impl IntoView {
    let n = i + 1;
    let scales = Scale::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str() selected=move || c.with(|c| c.scale == *s)>{s.label()}</option> })
        .collect_view();
    view! {
        <tr>
            <td><input type="text" aria-label=format!("Name of criterion {n}") prop:value=move || c.with(|c| c.name.clone())
                on:input=move |e| c.update(|c| c.name = event_target_value(&e))/></td>
            <td><input type="text" aria-label=format!("Description of criterion {n}") prop:value=move || c.with(|c| c.description.clone())
                on:input=move |e| c.update(|c| c.description = event_target_value(&e))/></td>
            <td><select aria-label=format!("Scale of criterion {n}")
                on:change=move |e| if let Some(s) = Scale::parse(&event_target_value(&e)) { c.update(|c| c.scale = s) }>{scales}</select></td>
            <td><input type="number" min="0" max="100" aria-label=format!("Weight of criterion {n}") prop:value=move || c.with(|c| c.weight.to_string())
                on:input=move |e| c.update(|c| c.weight = event_target_value(&e).parse().unwrap_or(101))/></td>
            <td><input type="checkbox" aria-label=format!("Criterion {n} is critical") prop:checked=move || c.with(|c| c.critical)
                on:change=move |e| c.update(|c| c.critical = event_target_checked(&e))/></td>
            <td><input type="checkbox" aria-label=format!("Criterion {n} may be not applicable") prop:checked=move || c.with(|c| c.allow_na)
                on:change=move |e| c.update(|c| c.allow_na = event_target_checked(&e))/></td>
            <td><button type="button" on:click=move |_| rows.update(|r| { r.remove(i); })>{format!("Remove criterion {n}")}</button></td>
        </tr>
    }
}
