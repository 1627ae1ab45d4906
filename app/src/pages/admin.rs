//! `/admin`: the owner's settings. Accounts: invite someone (they choose their password
//! from a one-time link), set each person's role and team, deactivate and reactivate
//! (a deactivated person's sessions end and API tokens stop working at once). Channels and
//! routing are at `/admin/channels`; every change here is in the audit log.

use crate::components::notice::{error_fallback, ErrorNotice};
use crate::domain::access::Role;
use crate::domain::second_factor::RequiredRoles;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use crate::model::admin::{InviteInput, UserListItem};

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserListItem>, AppError> {
    use crate::backend::{authorized, users};
    use crate::domain::access::Permission;
    authorized(Permission::ManageUsers, |state, _| async move { Ok(users::list(&state.pool).await?) }).await
}

#[server(endpoint = "admin_teams")]
pub async fn admin_teams() -> Result<Vec<(i64, String)>, AppError> {
    use crate::backend::authorized;
    use crate::domain::access::Permission;
    authorized(Permission::ManageUsers, |state, _| async move {
        Ok(crate::backend::teams::names(&state.pool).await?)
    })
    .await
}

/// Invites someone; returns the path of their one-time link (`/invite/<token>`).
#[server(endpoint = "admin_invite_user", input = Json)]
pub async fn admin_invite_user(input: InviteInput) -> Result<String, AppError> {
    use crate::backend::{audit, authorized, users};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    use crate::domain::email::EmailAddress;
    authorized(Permission::ManageUsers, |state, user| async move {
        let email = EmailAddress::parse(&input.email).map_err(|e| AppError::Invalid(e.to_string()))?;
        let role = input.role;
        let (id, token) = users::invite(&state.pool, user.id, &email, &input.name, role, input.team_id).await?;
        audit::by(&state.pool, &user, AuditAction::UserInvited, &format!("{} <{email}>", input.name.trim()), &format!("role {role}, id {id}")).await?;
        Ok(format!("/invite/{token}"))
    })
    .await
}

#[server(endpoint = "admin_update_user")]
pub async fn admin_update_user(id: i64, role: Role, team_id: Option<i64>, active: bool) -> Result<(), AppError> {
    use crate::backend::{audit, reauthorized, users};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageUsers, |state, user| async move {
        let name = users::label(&state.pool, id)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such user.".into()))?;
        for (action, detail) in users::update(&state.pool, user.id, id, role, team_id, active).await? {
            audit::by(&state.pool, &user, action, &name, &detail).await?;
        }
        Ok(())
    })
    .await
}

/// Forces a password reset: the user's password stops working, their sessions end, and
/// a link to choose a new one is e-mailed to them (audited). Answers their name.
#[server(endpoint = "admin_force_password_reset")]
pub async fn admin_force_password_reset(id: i64) -> Result<String, AppError> {
    use crate::backend::{account, client_addr, reauthorized, users};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageUsers, |state, user| async move {
        let name = users::label(&state.pool, id).await?.ok_or_else(|| AppError::NotFound("There is no such user.".into()))?;
        account::force_reset(&state.pool, &user, id, &client_addr()).await?;
        Ok(name)
    })
    .await
}

/// Resets someone's two-factor sign-in (a lost phone): their authenticator, recovery
/// codes and remembered browsers are gone and their sessions end (audited). Answers their name.
#[server(endpoint = "admin_two_factor_reset")]
pub async fn admin_two_factor_reset(id: i64) -> Result<String, AppError> {
    use crate::backend::{client_addr, reauthorized, second_factor};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageUsers, |state, user| async move { second_factor::owner_reset(&state.pool, &user, id, &client_addr()).await }).await
}

/// The roles that must sign in with a second factor.
#[server(endpoint = "admin_two_factor_policy")]
pub async fn admin_two_factor_policy() -> Result<Vec<Role>, AppError> {
    use crate::backend::{authorized, second_factor};
    use crate::domain::access::Permission;
    authorized(Permission::ManageSettings, |state, _| async move { Ok(second_factor::required_roles(&state.pool).await?.0) }).await
}

/// Sets the roles that must sign in with a second factor (audited); answers them as stored.
#[server(endpoint = "admin_two_factor_policy_set", input = Json)]
pub async fn admin_two_factor_policy_set(roles: Vec<Role>) -> Result<Vec<Role>, AppError> {
    use crate::backend::{client_addr, reauthorized, second_factor};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageSettings, |state, user| async move {
        Ok(second_factor::set_required_roles(&state.pool, &user, &roles, &client_addr()).await?.0)
    })
    .await
}

/// Sets the support promise everyone sees on their home page; returns it as stored.
#[server(endpoint = "admin_set_promise")]
pub async fn admin_set_promise(text: String) -> Result<String, AppError> {
    use crate::backend::{audit, authorized, settings};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageSettings, |state, user| async move {
        let stored = settings::set_support_promise(&state.pool, user.id, &text).await?;
        audit::by(&state.pool, &user, AuditAction::SettingChanged, "support promise", &stored).await?;
        Ok(stored)
    })
    .await
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let invite = ServerAction::<AdminInviteUser>::new();
    let update = ServerAction::<AdminUpdateUser>::new();
    let force = ServerAction::<AdminForcePasswordReset>::new();
    let reset_two_factor = ServerAction::<AdminTwoFactorReset>::new();
    let data = Resource::new(
        move || (invite.version().get(), update.version().get(), reset_two_factor.version().get()),
        |_| async move { Ok::<_, AppError>((list_users().await?, admin_teams().await?)) },
    );
    let draft = RwSignal::new(InviteInput::default());
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Ok(o) = window().location().origin() {
            origin.set(o);
        }
    });
    let role_options = move |selected: Role| {
        Role::ALL
            .into_iter()
            .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> })
            .collect_view()
    };
    view! {
        <h1>"Admin"</h1>
        <nav aria-label="Settings"><ul class="plain-list">
            <li><a href="/admin/channels">"Channels and routing"</a>" — how customers reach you, and where their dialogues go"</li>
            <li><a href="/admin/teams">"Teams, business hours and holidays"</a>" — what the business-hours figures count"</li>
            <li><a href="/admin/tokens">"API tokens"</a>" — for integrations with the REST API"</li>
            <li><a href="/admin/webhooks">"Webhooks"</a>" — events posted to Slack, an issue tracker or a CRM"</li>
            <li><a href="/reports/audit">"Audit log"</a>" — who signed in and changed what"</li>
        </ul></nav>
        <PromiseForm/>
        <TwoFactorPolicy/>
        {move || update.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
        {move || force.value().get().map(|r| match r {
            Ok(name) => view! { <p class="notice notice-info" role="status">{format!("The password of {name} no longer signs in; a link to choose a new one (valid 30 minutes) is on its way to them, and their sessions have ended.")}</p> }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })}
        {move || reset_two_factor.value().get().map(|r| match r {
            Ok(name) => view! { <p class="notice notice-info" role="status">{format!("Two-factor sign-in of {name} is reset and their sessions have ended: they sign in with their password and set it up again.")}</p> }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })}
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (rows, teams) = data.await?;
                    let body = rows
                        .into_iter()
                        .map(|u| {
                            let id = u.id;
                            let role = RwSignal::new(u.role);
                            let team = RwSignal::new(u.team_id);
                            let active = RwSignal::new(u.active);
                            let team_options = teams
                                .iter()
                                .map(|(tid, name)| {
                                    let tid = *tid;
                                    view! { <option value=tid.to_string() selected=u.team_id == Some(tid)>{name.clone()}</option> }
                                })
                                .collect_view();
                            let status = match (u.active, u.invited) {
                                (false, _) => "Deactivated",
                                (true, true) => "Invited",
                                (true, false) => "Active",
                            };
                            let name = u.name.clone();
                            view! {
                                <tr>
                                    <th scope="row">{u.name.clone()}</th>
                                    <td>{u.email}</td>
                                    <td><select aria-label=format!("Role of {name}") on:change=move |e| role.update(|r| *r = event_target_value(&e).parse().unwrap_or(*r))>{role_options(u.role)}</select></td>
                                    <td><select aria-label=format!("Team of {name}") on:change=move |e| team.set(event_target_value(&e).parse().ok())>
                                        <option value="" selected=u.team_id.is_none()>"No team"</option>{team_options}
                                    </select></td>
                                    <td>{u.time_zone}</td>
                                    <td>{status}</td>
                                    <td><label class="inline-field"><input type="checkbox" prop:checked=move || active.get()
                                        on:change=move |e| active.set(event_target_checked(&e))/>" May sign in"</label></td>
                                    <td><button type="button" on:click=move |_| {
                                        update.dispatch(AdminUpdateUser { id, role: role.get_untracked(), team_id: team.get_untracked(), active: active.get_untracked() });
                                    }>{format!("Save {name}")}</button></td>
                                    <td>{(u.active && !u.invited).then(|| {
                                        let label = format!("Force a password reset for {name}");
                                        view! { <button type="button" class="button-quiet" aria-label=label.clone() title=label on:click=move |_| {
                                            force.dispatch(AdminForcePasswordReset { id });
                                        }>"Force reset"</button> }
                                    })}</td>
                                    <td>{if u.two_factor {
                                        let label = format!("Reset two-factor sign-in for {name}");
                                        view! { "On " <button type="button" class="button-quiet" aria-label=label.clone() title=label on:click=move |_| {
                                            reset_two_factor.dispatch(AdminTwoFactorReset { id });
                                        }>"Reset"</button> }.into_any()
                                    } else {
                                        "Off".into_any()
                                    }}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    let team_choices = teams.into_iter().map(|(tid, name)| view! { <option value=tid.to_string()>{name}</option> }).collect_view();
                    Ok::<_, AppError>(view! {
                        <table class="data-table">
                            <caption>"Users"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"E-mail"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Team"</th>
                                    <th scope="col">"Time zone"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Access"</th>
                                    <th scope="col"></th>
                                    <th scope="col">"Password"</th>
                                    <th scope="col">"Two-factor"</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                        <h2>"Invite someone"</h2>
                        <form class="form-grid" aria-label="Invite someone" on:submit=move |e| { e.prevent_default(); invite.dispatch(AdminInviteUser { input: draft.get_untracked() }); }>
                            <label>"Name"<input type="text" required maxlength="200" on:input=move |e| draft.update(|d| d.name = event_target_value(&e))/></label>
                            <label>"E-mail"<input type="email" required on:input=move |e| draft.update(|d| d.email = event_target_value(&e))/></label>
                            <label>"Role"<select on:change=move |e| draft.update(|d| d.role = event_target_value(&e).parse().unwrap_or(d.role))>{role_options(Role::default())}</select></label>
                            <label>"Team"<select on:change=move |e| draft.update(|d| d.team_id = event_target_value(&e).parse().ok())>
                                <option value="">"No team"</option>{team_choices}</select></label>
                            <button type="submit" class="button-primary" disabled=move || invite.pending().get()>"Invite"</button>
                        </form>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || invite.value().get().map(|r| match r {
            Ok(path) => view! {
                <div class="notice notice-info" role="status">
                    <p>"Invited. Send them this link; it works once, for 7 days, and lets them choose their password:"</p>
                    <p><code class="invite-link">{format!("{}{path}", origin.get())}</code></p>
                </div>
            }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })}
    }
}

/// Which roles must sign in with a second factor.
#[component]
fn TwoFactorPolicy() -> impl IntoView {
    let save = ServerAction::<AdminTwoFactorPolicySet>::new();
    let current = Resource::new(move || save.version().get(), |_| admin_two_factor_policy());
    let chosen = RwSignal::new(Vec::<Role>::new());
    view! {
        <section aria-labelledby="two-factor-policy-heading">
            <h2 id="two-factor-policy-heading">"Two-factor sign-in"</h2>
            <p class="muted">"People of the roles ticked here must sign in with a code from an authenticator app too; those who have not set one up are asked to at their next sign-in, and cannot turn it off."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let roles = current.await.unwrap_or_default();
                    chosen.set(roles.clone());
                    view! {
                        <form class="stack narrow" aria-label="Two-factor sign-in policy" on:submit=move |e| {
                            e.prevent_default();
                            save.dispatch(AdminTwoFactorPolicySet { roles: chosen.get_untracked() });
                        }>
                            <fieldset>
                                <legend>"Required for"</legend>
                                {Role::ALL.into_iter().map(|r| view! {
                                    <label class="check"><input type="checkbox" checked=roles.contains(&r) on:change=move |e| {
                                        let on = event_target_checked(&e);
                                        chosen.update(|c| { c.retain(|x| *x != r); if on { c.push(r); } });
                                    }/>{format!(" {}", r.label())}</label>
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button-primary" disabled=move || save.pending().get()>"Save two-factor policy"</button>
                        </form>
                    }
                })}
            </Suspense>
            {move || save.value().get().map(|r| match r {
                Ok(roles) => view! { <p class="notice notice-info" role="status">{format!("Two-factor sign-in is now required for {}.", RequiredRoles(roles).describe())}</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
        </section>
    }
}

/// The support promise: what the team commits to, shown on everyone's home page.
#[component]
fn PromiseForm() -> impl IntoView {
    let save = ServerAction::<AdminSetPromise>::new();
    let current = Resource::new(|| (), |_| crate::components::promise::support_promise());
    let text = RwSignal::new(String::new());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                text.set(current.await.unwrap_or_default());
                view! {
                    <form class="promise-form" aria-label="Support promise" on:submit=move |e| { e.prevent_default(); save.dispatch(AdminSetPromise { text: text.get_untracked() }); }>
                        <label for="promise">"Support promise (shown on everyone's home page; empty hides it)"</label>
                        <textarea id="promise" rows="2" maxlength="500" placeholder="Every chat answered within 2 minutes, every e-mail within 4 hours, around the clock."
                            prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
                        <button type="submit" disabled=move || save.pending().get()>"Save promise"</button>
                        {move || save.value().get().map(|r| match r {
                            Ok(_) => view! { <span role="status">" Saved."</span> }.into_any(),
                            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                        })}
                    </form>
                }
            })}
        </Suspense>
    }
}
