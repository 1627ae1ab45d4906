//! `/admin/teams` (owners): each team's time zone and business hours (working days and a
//! daily window), which the business-hours figures in Reports count, and the holidays per
//! team or for every region (closed for those figures; the forecast scales their volume).
//! Every change is in the audit log and re-counts the dialogues it affects.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::domain::team::WEEKDAYS;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use crate::model::admin::{TeamInput, TeamSettings};

#[server(endpoint = "admin_team_settings")]
pub async fn admin_team_settings() -> Result<Vec<TeamSettings>, AppError> {
    use crate::backend::{authorized, teams};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, _| async move { teams::list(&state.pool).await }).await
}

#[server(endpoint = "admin_team_save", input = Json)]
pub async fn admin_team_save(input: TeamInput) -> Result<i64, AppError> {
    use crate::backend::{authorized, teams};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, user| async move { teams::save(&state.pool, &user, &input).await }).await
}

#[server(endpoint = "admin_holiday_add")]
pub async fn admin_holiday_add(team_id: Option<i64>, day: String, name: String, factor: f64) -> Result<i64, AppError> {
    use crate::backend::{authorized, teams};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, user| async move { teams::add_holiday(&state.pool, &user, team_id, &day, &name, factor).await })
        .await
}

#[server(endpoint = "admin_holiday_delete")]
pub async fn admin_holiday_delete(id: i64) -> Result<(), AppError> {
    use crate::backend::{authorized, teams};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, user| async move { teams::delete_holiday(&state.pool, &user, id).await }).await
}

#[component]
pub fn TeamsAdminPage() -> impl IntoView {
    let save = ServerAction::<AdminTeamSave>::new();
    let add = ServerAction::<AdminHolidayAdd>::new();
    let delete = ServerAction::<AdminHolidayDelete>::new();
    let teams = Resource::new(move || (save.version().get(), add.version().get(), delete.version().get()), |_| admin_team_settings());
    let errors = move || {
        [save.value().get().and_then(|r| r.err()), add.value().get().and_then(|r| r.err()), delete.value().get().and_then(|r| r.err())]
            .into_iter()
            .flatten()
            .map(|e| view! { <ErrorNotice message=e.to_string()/> })
            .collect_view()
    };
    view! {
        <p><a href="/admin">"Admin"</a></p>
        <h1>"Teams, business hours and holidays"</h1>
        <p class="lede">"Business-hours figures in Reports count only each team's working days and window, in its own time zone, and skip its holidays. A change here re-counts the dialogues it affects in the background."</p>
        {move || save.value().get().and_then(|r| r.ok()).map(|_| view! { <p role="status">"Saved."</p> })}
        {errors}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let list = teams.await?;
                    let choices: Vec<(Option<i64>, String)> = list.iter().map(|t| (t.team.id, t.team.name.clone())).collect();
                    let cards = list.into_iter().map(|t| view! { <TeamCard t save delete/> }).collect_view();
                    Ok::<_, AppError>(view! {
                        {cards}
                        <HolidayForm choices add/>
                        <section aria-labelledby="new-team">
                            <h2 id="new-team">"New team"</h2>
                            <TeamForm t=TeamInput {
                                time_zone: "UTC".into(), work_start: "09:00".into(), work_end: "17:00".into(),
                                work_days: [true, true, true, true, true, false, false], ..TeamInput::default()
                            } save/>
                        </section>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn TeamCard(t: TeamSettings, save: ServerAction<AdminTeamSave>, delete: ServerAction<AdminHolidayDelete>) -> impl IntoView {
    let heading = match t.team.id {
        Some(_) => format!("{} · {} · {} people", t.team.name, t.summary, t.members),
        None => "Holidays of every region".to_string(),
    };
    let holidays = if t.holidays.is_empty() {
        view! { <EmptyState title="No holidays ahead" detail="Add one below."/> }.into_any()
    } else {
        let rows = t.holidays.iter().cloned().map(|h| {
            let id = h.id;
            let label = format!("Delete {} ({})", h.name, h.day);
            view! {
                <tr>
                    <th scope="row">{h.day}</th><td>{h.name}</td><td class="num">{format!("× {:.2}", h.factor)}</td>
                    <td><button type="button" aria-label=label on:click=move |_| { delete.dispatch(AdminHolidayDelete { id }); }>"Delete"</button></td>
                </tr>
            }
        }).collect_view();
        view! {
            <table class="data-table">
                <caption>{format!("Holidays: {}", t.team.name)}</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">"Name"</th><th scope="col">"Forecast volume"</th><th scope="col"></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }.into_any()
    };
    let form = t.team.id.map(|_| view! { <TeamForm t=t.team.clone() save/> });
    view! {
        <section class="card team-card" aria-label=t.team.name.clone()>
            <h2>{heading}</h2>
            {form}
            {holidays}
        </section>
    }
}

/// A team's name, region, time zone and business hours.
#[component]
fn TeamForm(t: TeamInput, save: ServerAction<AdminTeamSave>) -> impl IntoView {
    let input = RwSignal::new(t.clone());
    let label = match t.id {
        Some(_) => format!("Business hours of {}", t.name),
        None => "New team".to_string(),
    };
    let button = match t.id {
        Some(_) => format!("Save {}", t.name),
        None => "Add team".to_string(),
    };
    let days = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, day)| {
            view! {
                <label class="check"><input type="checkbox" prop:checked=move || input.with(|x| x.work_days[i])
                    on:change=move |e| { let on = event_target_checked(&e); input.update(|x| x.work_days[i] = on); }/>{*day}</label>
            }
        })
        .collect_view();
    view! {
        <form class="form-grid" aria-label=label on:submit=move |e| { e.prevent_default(); save.dispatch(AdminTeamSave { input: input.get_untracked() }); }>
            <label>"Name"<input type="text" required maxlength="100" prop:value=t.name on:input=move |e| input.update(|x| x.name = event_target_value(&e))/></label>
            <label>"Region"<input type="text" maxlength="100" prop:value=t.region on:input=move |e| input.update(|x| x.region = event_target_value(&e))/></label>
            <label>"Time zone"<input type="text" required placeholder="Europe/Berlin" prop:value=t.time_zone
                on:input=move |e| input.update(|x| x.time_zone = event_target_value(&e))/></label>
            <label>"Opens"<input type="text" required inputmode="numeric" pattern="[0-9]{1,2}:[0-9]{2}" placeholder="09:00" prop:value=t.work_start
                on:input=move |e| input.update(|x| x.work_start = event_target_value(&e))/></label>
            <label>"Closes"<input type="text" required inputmode="numeric" pattern="[0-9]{1,2}:[0-9]{2}" placeholder="17:00" prop:value=t.work_end
                on:input=move |e| input.update(|x| x.work_end = event_target_value(&e))/></label>
            <fieldset class="weekdays"><legend>"Working days"</legend>{days}</fieldset>
            <button type="submit" class="button-primary" disabled=move || save.pending().get()>{button}</button>
        </form>
    }
}

#[component]
fn HolidayForm(choices: Vec<(Option<i64>, String)>, add: ServerAction<AdminHolidayAdd>) -> impl IntoView {
    let team = RwSignal::new(None::<i64>);
    let day = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let factor = RwSignal::new(0.5f64);
    let options = choices
        .into_iter()
        .map(|(id, n)| view! { <option value=id.map(|i| i.to_string()).unwrap_or_default() selected=id.is_none()>{n}</option> })
        .collect_view();
    view! {
        <section aria-labelledby="add-holiday">
            <h2 id="add-holiday">"Add a holiday"</h2>
            <form class="form-grid" aria-label="Add a holiday" on:submit=move |e| {
                e.prevent_default();
                add.dispatch(AdminHolidayAdd { team_id: team.get_untracked(), day: day.get_untracked(), name: name.get_untracked(), factor: factor.get_untracked() });
            }>
                <label>"Team"<select on:change=move |e| team.set(event_target_value(&e).parse().ok())>{options}</select></label>
                <label>"Day"<input type="date" required on:input=move |e| day.set(event_target_value(&e))/></label>
                <label>"Name"<input type="text" required maxlength="120" placeholder="New Year's Day" on:input=move |e| name.set(event_target_value(&e))/></label>
                <label>"Forecast volume (× a usual day)"<input type="number" min="0" max="5" step="0.05" prop:value="0.5"
                    on:input=move |e| factor.set(event_target_value(&e).parse().unwrap_or(0.5))/></label>
                <button type="submit" disabled=move || add.pending().get()>"Add holiday"</button>
            </form>
        </section>
    }
}
