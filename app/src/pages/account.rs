//! `/account` (everyone signed in): Account settings. Change your password (the current
//! one first; every other session ends), and see the sessions you are signed in with,
//! with "Sign out everywhere else". A forgotten password is reset from the sign-in page.

use crate::components::notice::{error_fallback, ErrorNotice, Loading};
use crate::domain::dialogue::format_waiting;
use crate::domain::password_policy::MIN_LENGTH;
use crate::error::AppError;
use crate::model::user::SessionInfo;
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
