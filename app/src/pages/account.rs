//! `/account` (everyone signed in): Account settings. Change your password (the current
//! one first; every other session ends), and see the sessions you are signed in with,
//! with "Sign out everywhere else". A forgotten password is reset from the sign-in page.

use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::dialogue::format_waiting;
use crate::domain::password_policy::MIN_LENGTH;
use crate::error::AppError;
use crate::model::user::{SessionInfo, TwoFactorEnrolment, TwoFactorStatus};
use crate::pages::sign_in::{Enrolment, RecoveryCodes};
use leptos::prelude::*;
use leptos_meta::Title;

/// The caller's open sessions, newest first, and the server's clock.
#[server(endpoint = "account_sessions")]
pub async fn account_sessions() -> Result<(Vec<SessionInfo>, i64), AppError> {
    use crate::backend::{account, authorized, principal};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move {
        let this = principal().and_then(|p| p.session_hash);
        Ok((account::sessions(&state.pool, user.id, this.as_deref()).await?, chrono::Utc::now().timestamp()))
    })
    .await
}

/// Changes the caller's password; answers how many other sessions ended.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String, again: String) -> Result<u64, AppError> {
    use crate::backend::{account, authorized, client_addr, principal};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move {
        let this = principal().and_then(|p| p.session_hash);
        account::change_password(&state.pool, &user, this.as_deref(), &current, &new, &again, &client_addr()).await
    })
    .await
}

/// Ends every session of the caller but this one; answers how many.
#[server(endpoint = "sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    use crate::backend::{account, authorized, client_addr, principal};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move {
        let this = principal().and_then(|p| p.session_hash);
        account::sign_out_elsewhere(&state.pool, &user, this.as_deref(), &client_addr()).await
    })
    .await
}

/// Whether the caller has two-factor sign-in on, and their recovery codes left.
#[server(endpoint = "two_factor")]
pub async fn two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::backend::{authorized, second_factor};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move { Ok(second_factor::status(&state.pool, &user).await?) }).await
}

/// Starts setting up an authenticator app: the QR code and key (password confirmed in
/// the last 15 minutes).
#[server(endpoint = "two_factor_begin")]
pub async fn two_factor_begin() -> Result<TwoFactorEnrolment, AppError> {
    use crate::backend::{reauthorized, second_factor};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageOwnAccount, |state, user| async move { second_factor::begin(&state.pool, &user).await }).await
}

/// Confirms the set-up with the app's first code; answers the ten recovery codes.
#[server(endpoint = "two_factor_confirm")]
pub async fn two_factor_confirm(code: String) -> Result<Vec<String>, AppError> {
    use crate::backend::{authorized, client_addr, second_factor};
    use crate::domain::access::Permission;
    authorized(Permission::ManageOwnAccount, |state, user| async move { second_factor::confirm(&state.pool, &user, &code, &client_addr()).await }).await
}

/// Ten new recovery codes; the old ones stop working.
#[server(endpoint = "two_factor_renew_codes")]
pub async fn two_factor_renew_codes() -> Result<Vec<String>, AppError> {
    use crate::backend::{client_addr, reauthorized, second_factor};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageOwnAccount, |state, user| async move { second_factor::renew_recovery_codes(&state.pool, &user, &client_addr()).await })
        .await
}

/// Turns two-factor sign-in off (refused when the caller's role requires it).
#[server(endpoint = "two_factor_disable")]
pub async fn two_factor_disable() -> Result<(), AppError> {
    use crate::backend::{client_addr, reauthorized, second_factor};
    use crate::domain::access::Permission;
    reauthorized(Permission::ManageOwnAccount, |state, user| async move { second_factor::disable(&state.pool, &user, &client_addr()).await }).await
}

fn ended(n: u64) -> String {
    match n {
        0 => "No other session was open.".into(),
        1 => "1 other session was signed out.".into(),
        n => format!("{n} other sessions were signed out."),
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let elsewhere = ServerAction::<SignOutElsewhere>::new();
    let sessions = Resource::new(move || (change.version().get(), elsewhere.version().get()), |_| account_sessions());
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (change.value().get(), form.get()) {
            form.reset();
        }
    });
    view! {
        <Title text="Account settings"/>
        <h1>"Account settings"</h1>
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p class="muted">{format!("At least {MIN_LENGTH} characters; a few words you remember make a good one. Common and breached passwords are refused. Changing it signs you out everywhere else.")}</p>
            <ActionForm action=change node_ref=form attr:class="stack narrow" attr:aria-label="Change password">
                <label for="current">"Current password"</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
                <label for="new">"New password"</label>
                <input id="new" name="new" type="password" autocomplete="new-password" required minlength=MIN_LENGTH maxlength="128"/>
                <label for="again">"New password again"</label>
                <input id="again" name="again" type="password" autocomplete="new-password" required/>
                <button type="submit" class="button-primary" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
            {move || change.value().get().map(|r| match r {
                Ok(n) => view! { <p class="notice notice-info" role="status">{format!("Your password is changed. {}", ended(n))}</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
        </section>
        <TwoFactorSection/>
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p class="muted">"The browsers signed in as you. A session ends when you sign out, after a time without use, or at the latest after its maximum length."</p>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move {
                        let (list, now) = sessions.await?;
                        let others = list.iter().filter(|s| !s.this).count();
                        let rows = list.into_iter().map(|s| view! {
                            <tr>
                                <td>{if s.this { "This browser".to_string() } else { browser(&s.user_agent) }}</td>
                                <td>{s.client_addr.clone()}</td>
                                <td>{format!("{} ago", format_waiting(now - s.created_epoch))}</td>
                                <td>{format!("{} ago", format_waiting(now - s.last_seen_epoch))}</td>
                            </tr>
                        }).collect_view();
                        Ok::<_, AppError>(view! {
                            <table aria-label="Your sessions">
                                <thead><tr><th scope="col">"Browser"</th><th scope="col">"From"</th><th scope="col">"Signed in"</th><th scope="col">"Last used"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                            <p class="muted">{match others { 0 => "No other browser is signed in as you.".to_string(), 1 => "1 other browser is signed in as you.".to_string(), n => format!("{n} other browsers are signed in as you.") }}</p>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            <ActionForm action=elsewhere>
                <button type="submit" class="button-quiet" disabled=move || elsewhere.pending().get()>"Sign out everywhere else"</button>
            </ActionForm>
            {move || elsewhere.value().get().map(|r| match r {
                Ok(n) => view! { <p class="notice notice-info" role="status">{ended(n)}</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
        </section>
    }
}

/// Account settings' "Two-factor sign-in": set up (QR code, first code, recovery codes),
/// new recovery codes, turn off.
#[component]
fn TwoFactorSection() -> impl IntoView {
    let begin = ServerAction::<TwoFactorBegin>::new();
    let confirm = ServerAction::<TwoFactorConfirm>::new();
    let renew = ServerAction::<TwoFactorRenewCodes>::new();
    let disable = ServerAction::<TwoFactorDisable>::new();
    let status = Resource::new(move || (confirm.version().get(), disable.version().get(), renew.version().get()), |_| two_factor());
    let result = |r: Option<Result<Vec<String>, AppError>>| {
        r.map(|r| match r {
            Ok(codes) => view! { <RecoveryCodes codes=codes continue_to=false/> }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })
    };
    view! {
        <section aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            <Transition fallback=Loading>
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move {
                        let s = status.await?;
                        Ok::<_, AppError>(if s.enabled {
                            view! {
                                <p role="status">{format!("On: signing in asks for a code from your authenticator app. {} of 10 recovery codes left.", s.recovery_left)}</p>
                                <div class="actions">
                                    <ActionForm action=renew><button type="submit" class="button-quiet">"Make new recovery codes"</button></ActionForm>
                                    {if s.required {
                                        view! { <p class="muted">"Your role requires two-factor sign-in, so it cannot be turned off here."</p> }.into_any()
                                    } else {
                                        view! { <ActionForm action=disable><button type="submit" class="button-quiet">"Turn off two-factor sign-in"</button></ActionForm> }.into_any()
                                    }}
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <p>{if s.required {
                                    "Off. Your role requires it: set it up now, or you will be asked to at your next sign-in."
                                } else {
                                    "Off. With it on, signing in also asks for a six-digit code from an app on your phone, so a stolen password alone does not open your account."
                                }}</p>
                                <ActionForm action=begin><button type="submit" class="button-primary" disabled=move || begin.pending().get()>"Set up two-factor sign-in"</button></ActionForm>
                            }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || begin.value().get().map(|r| match r {
                Ok(enrolment) if confirm.value().get().is_none_or(|c| c.is_err()) => view! {
                    <div class="enrol">
                        <p>"Scan this QR code with an authenticator app (such as Aegis, Google Authenticator, 1Password or Microsoft Authenticator), then type the code it shows."</p>
                        <Enrolment enrolment=enrolment/>
                        <ActionForm action=confirm attr:class="stack narrow" attr:aria-label="Confirm two-factor sign-in">
                            <label for="two-factor-code">"Code from your app"</label>
                            <input id="two-factor-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="10"/>
                            <button type="submit" class="button-primary" disabled=move || confirm.pending().get()>"Turn on"</button>
                        </ActionForm>
                    </div>
                }.into_any(),
                Ok(_) => ().into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
            {move || result(confirm.value().get())}
            {move || result(renew.value().get())}
            {move || disable.value().get().map(|r| match r {
                Ok(()) => view! { <p class="notice notice-info" role="status">"Two-factor sign-in is off."</p> }.into_any(),
                Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
            })}
        </section>
    }
}

/// A short name for a browser from its User-Agent.
fn browser(user_agent: &str) -> String {
    let name = ["Edg/", "Firefox/", "Chrome/", "Safari/", "curl/"]
        .iter()
        .find(|k| user_agent.contains(*k))
        .map(|k| match *k {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            "Safari/" => "Safari",
            _ => "curl",
        });
    let os = ["Windows", "Mac OS", "Android", "iPhone", "Linux"].iter().find(|k| user_agent.contains(*k)).copied();
    match (name, os) {
        (Some(n), Some(o)) => format!("{n} on {}", o.replace("Mac OS", "macOS")),
        (Some(n), None) => n.to_string(),
        _ if user_agent.is_empty() => "Unknown browser".to_string(),
        _ => user_agent.chars().take(40).collect(),
    }
}
