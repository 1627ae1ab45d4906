//! `/queue/assignment`: how each team's dialogues reach agents, per channel (manual,
//! round-robin or balanced, and how many open dialogues an agent holds at most), and each
//! agent's skills. Managers and owners change them; agents read them, since the
//! dialogues they are given come from here.

use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::assignment::{format_skills, AssignmentMode, SkillKind};
use crate::error::AppError;
use crate::model::assignment::{AssignmentInput, AssignmentOverview};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "assignment_overview")]
pub async fn load_assignment() -> Result<AssignmentOverview, AppError> {
    use crate::backend::{assignment, authorized};
    use crate::domain::access::Permission;
    authorized(Permission::WorkQueue, |state, user| async move {
        Ok(AssignmentOverview {
            settings: assignment::settings(&state.pool).await?,
            agents: assignment::agents(&state.pool).await?,
            may_edit: user.role.can(Permission::ManageAssignment),
        })
    })
    .await
}

#[server(endpoint = "assignment_save", input = Json)]
pub async fn assignment_save(input: AssignmentInput) -> Result<(), AppError> {
    use crate::backend::{assignment, authorized};
    use crate::domain::access::Permission;
    authorized(Permission::ManageAssignment, |state, user| async move { assignment::save_setting(&state.pool, &user, &input).await }).await
}

/// Replaces an agent's skills, typed per kind ("de 5, en 3").
#[server(endpoint = "skills_save")]
pub async fn skills_save(user_id: i64, languages: String, topics: String, tags: String) -> Result<(), AppError> {
    use crate::backend::{assignment, authorized};
    use crate::domain::access::Permission;
    use crate::domain::assignment::parse_skills;
    authorized(Permission::ManageAssignment, |state, user| async move {
        let mut skills = parse_skills(SkillKind::Language, &languages).map_err(AppError::Invalid)?;
        skills.extend(parse_skills(SkillKind::Topic, &topics).map_err(AppError::Invalid)?);
        skills.extend(parse_skills(SkillKind::Tag, &tags).map_err(AppError::Invalid)?);
        assignment::set_skills(&state.pool, &user, user_id, &skills).await
    })
    .await
}

#[component]
pub fn AssignmentPage() -> impl IntoView {
    let save = ServerAction::<AssignmentSave>::new();
    let skills = ServerAction::<SkillsSave>::new();
    let data = Resource::new(move || (save.version().get(), skills.version().get()), |_| load_assignment());
    // The answer to whichever action settled last: its refusal, or what it saved.
    let latest = RwSignal::new(None::<Result<&'static str, String>>);
    let answer = |r: Option<Result<(), AppError>>, saved: &'static str| r.map(|r| r.map(|_| saved).map_err(|e| e.to_string()));
    Effect::watch(move || save.value().get(), move |r, _, _| latest.set(answer(r.clone(), "Assignment saved. Waiting dialogues follow it within a second.")), false);
    Effect::watch(move || skills.value().get(), move |r, _, _| latest.set(answer(r.clone(), "Skills saved.")), false);
    let outcome = move || {
        latest.get().map(|r| match r {
            Err(message) => view! { <ErrorNotice message/> }.into_any(),
            Ok(text) => view! { <div class="notice notice-info" role="status">{text}</div> }.into_any(),
        })
    };
    view! {
        <p class="breadcrumb"><a href="/queue">"Queue"</a></p>
        <h1>"Assignment"</h1>
        <p class="lede">"Round-robin gives each waiting dialogue to the agent given one longest ago; balanced to the one holding the fewest. \
            Only agents on shift now (the schedule), signed in and under their capacity are given dialogues; when an agent's shift \
            ends or they go away, their unanswered dialogues go to someone on shift. Skills narrow the choice: once anyone in a team \
            has a language or purpose skill, dialogues that need it go only to agents who have it, the best level first."</p>
        {outcome}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let o = data.await?;
                    let edit = o.may_edit;
                    let rows = o.settings.into_iter().map(|s| {
                        let mode = RwSignal::new(s.mode);
                        let capacity = RwSignal::new(s.capacity.to_string());
                        let (team_id, kind) = (s.team_id, s.channel_kind);
                        let label = format!("{} {}", s.team, kind.label());
                        let submit = move |e: leptos::ev::SubmitEvent| {
                            e.prevent_default();
                            save.dispatch(AssignmentSave { input: AssignmentInput {
                                team_id, channel_kind: kind, mode: mode.get_untracked(),
                                capacity: capacity.get_untracked().trim().parse().unwrap_or(0),
                            } });
                        };
                        view! {
                            <tr>
                                <th scope="row">{s.team.clone()}</th>
                                <td>{kind.label()}</td>
                                {if edit {
                                    view! {
                                        <td colspan="2">
                                            <form class="inline-form" aria-label=format!("Assignment of {label}") on:submit=submit>
                                                <select aria-label=format!("Mode for {label}") on:change=move |e| { if let Some(m) = AssignmentMode::parse(&event_target_value(&e)) { mode.set(m) } }>
                                                    {AssignmentMode::ALL.iter().map(|&m| view! { <option value=m.as_str() selected=s.mode == m>{m.label()}</option> }).collect_view()}
                                                </select>
                                                <input type="number" step="1" aria-label=format!("Capacity for {label}") prop:value=move || capacity.get()
                                                    on:input=move |e| capacity.set(event_target_value(&e))/>
                                                <button type="submit" disabled=move || save.pending().get()>{format!("Save {label}")}</button>
                                            </form>
                                        </td>
                                    }.into_any()
                                } else {
                                    view! { <td>{s.mode.label()}</td><td class="numeric">{s.capacity}</td> }.into_any()
                                }}
                            </tr>
                        }
                    }).collect_view();
                    let agents = o.agents.into_iter().map(|a| {
                        let (languages, topics, tags) = (format_skills(&a.skills, SkillKind::Language), format_skills(&a.skills, SkillKind::Topic), format_skills(&a.skills, SkillKind::Tag));
                        let name = a.name.clone();
                        let labels = [format!("Skills of {name}"), format!("Languages of {name}"), format!("Purposes of {name}"), format!("Tags of {name}"), format!("Save skills of {name}")];
                        let [form_label, languages_label, topics_label, tags_label, save_label] = labels;
                        let cells = if edit {
                            view! {
                                <td colspan="3">
                                    <ActionForm action=skills attr:class="inline-form" attr:aria-label=form_label>
                                        <input type="hidden" name="user_id" value=a.user_id.to_string()/>
                                        <input type="text" name="languages" value=languages placeholder="de 5, en 3" aria-label=languages_label/>
                                        <input type="text" name="topics" value=topics placeholder="billing 4" aria-label=topics_label/>
                                        <input type="text" name="tags" value=tags placeholder="vip 2" aria-label=tags_label/>
                                        <button type="submit">{save_label}</button>
                                    </ActionForm>
                                </td>
                            }.into_any()
                        } else {
                            view! { <td>{languages}</td><td>{topics}</td><td>{tags}</td> }.into_any()
                        };
                        view! { <tr><th scope="row">{a.name}</th><td>{a.team.unwrap_or_default()}</td>{cells}</tr> }
                    }).collect_view();
                    Ok::<_, AppError>(view! {
                        <section aria-labelledby="modes-title">
                            <h2 id="modes-title">"Teams"</h2>
                            <div class="table-scroll">
                                <table class="data-table" aria-label="Assignment per team and channel">
                                    <thead><tr><th scope="col">"Team"</th><th scope="col">"Channel"</th><th scope="col">"Mode"</th><th scope="col">"Capacity per agent"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                        </section>
                        <section aria-labelledby="skills-title">
                            <h2 id="skills-title">"Skills"</h2>
                            <p class="hint">"Per kind, comma-separated, each with a level from 1 (can) to 5 (expert): “de 5, en 3”. Purposes are support, billing, legal, partnerships and technical."</p>
                            <div class="table-scroll">
                                <table class="data-table" aria-label="Agents' skills">
                                    <thead><tr><th scope="col">"Agent"</th><th scope="col">"Team"</th><th scope="col">"Languages"</th><th scope="col">"Purposes"</th><th scope="col">"Tags"</th></tr></thead>
                                    <tbody>{agents}</tbody>
                                </table>
                            </div>
                        </section>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
