//! `/admin/tokens` (owners): the API tokens integrations use (`Authorization: Bearer
//! mrd_…`, under /api/v1 only). Create one for a person (it acts within their role and its
//! scopes, for 7 to 365 days; the secret is shown once), see when each was last used and
//! when it expires, revoke it (it stops working at once). Every creation and
//! revocation is in the audit log; `meridian token` does the same from a shell.

use crate::components::notice::{error_fallback, EmptyState, ErrorNotice, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use crate::domain::token_scope::{Area, DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS};
use crate::model::admin::TokenInfo;

#[server(endpoint = "admin_tokens")]
pub async fn admin_tokens() -> Result<(Vec<TokenInfo>, Vec<(i64, String)>), AppError> {
    use crate::backend::{authorized, tokens, users};
    use crate::domain::access::Permission;
    authorized(Permission::ManageUsers, |state, user| async move {
        // Whom a token may act as: the Admin page's people who can sign in.
        let people = users::list(&state.pool)
            .await?
            .into_iter()
            .filter(|u| u.active && !u.invited)
            .map(|u| (u.id, format!("{} ({})", u.name, u.email)))
            .collect();
        Ok((tokens::list_all(&state.pool, &user.time_zone).await?, people))
    })
    .await
}

/// Creates a token for `user_id` with `scopes` (`queue:read,kb:write`, comma-separated)
/// living `days`; answers the secret (shown only now).
#[server(endpoint = "admin_token_create")]
pub async fn admin_token_create(user_id: i64, name: String, scopes: String, days: u32) -> Result<String, AppError> {
    use crate::backend::{audit, reauthorized, tokens};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    use crate::domain::token_scope::{check_lifetime, Scopes};
    reauthorized(Permission::ManageUsers, |state, user| async move {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid("Name the token after what uses it, e.g. “CRM sync” (at most 100 characters).".into()));
        }
        let scopes = Scopes::parse(scopes.split(',')).map_err(|e| AppError::Invalid(e.to_string()))?;
        let days = check_lifetime(days).map_err(AppError::Invalid)?;
        let owner = crate::backend::users::signed_in_email(&state.pool, user_id).await?;
        let owner = owner.ok_or_else(|| AppError::Invalid("Choose a person who can sign in for the token to act as.".into()))?;
        let grant = tokens::Grant { scopes, days, created_by: (user_id != user.id).then_some(user.id) };
        // The token and its audit line in one transaction: no token nobody recorded.
        let mut tx = state.pool.begin().await?;
        let (id, secret) = tokens::create(&mut *tx, user_id, &name, &grant).await?;
        let detail = format!("token {id} “{name}” for {owner}: {}, {days} days", grant.scopes.texts().join(" "));
        audit::record(&mut *tx, Some(user.id), &audit::who(&user), AuditAction::TokenCreated, &owner, &detail, &crate::backend::client_addr()).await?;
        tx.commit().await?;
        Ok(secret)
    })
    .await
}

#[server(endpoint = "admin_token_revoke")]
pub async fn admin_token_revoke(id: i64) -> Result<(), AppError> {
    use crate::backend::{audit, authorized, tokens};
    use crate::domain::access::Permission;
    use crate::domain::audit::AuditAction;
    authorized(Permission::ManageUsers, |state, user| async move {
        if !tokens::revoke(&state.pool, id).await? {
            return Err(AppError::NotFound("There is no live token with that number.".into()));
        }
        Ok(audit::by(&state.pool, &user, AuditAction::TokenRevoked, &format!("token {id}"), "").await?)
    })
    .await
}

#[component]
pub fn TokensAdminPage() -> impl IntoView {
    let create = ServerAction::<AdminTokenCreate>::new();
    let revoke = ServerAction::<AdminTokenRevoke>::new();
    let data = Resource::new(move || (create.version().get(), revoke.version().get()), |_| admin_tokens());
    let owner = RwSignal::new(None::<i64>);
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_LIFETIME_DAYS);
    // Per area: "" (no access), "read" or "write".
    let access = RwSignal::new(vec![String::new(); Area::ALL.len()]);
    let chosen_scopes = move || {
        Area::ALL
            .iter()
            .zip(access.get())
            .filter(|(_, a)| !a.is_empty())
            .map(|(area, a)| format!("{}:{a}", area.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    view! {
        <p><a href="/admin">"Admin"</a></p>
        <h1>"API tokens"</h1>
        <p class="lede">"A token acts as the person it belongs to in the REST API only (see /api/v1/openapi.json): within their role, and only in the areas its scopes name (reading, or reading and changing). No token can manage users, tokens or settings. It stops working when it expires, is revoked, or its person is deactivated."</p>
        {move || create.value().get().map(|r| match r {
            Ok(secret) => view! {
                <div class="notice notice-info" role="status">
                    <p>"Token created. Copy it now; it is not shown again:"</p>
                    <p><code class="invite-link" data-testid="new-token">{secret}</code></p>
                </div>
            }.into_any(),
            Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
        })}
        {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice message=e.to_string()/> })}
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let (tokens, people) = data.await?;
                    let table = if tokens.is_empty() {
                        view! { <EmptyState title="No API tokens yet" detail="Create one below for each integration."/> }.into_any()
                    } else {
                        let rows = tokens.into_iter().map(|t| {
                            let id = t.id;
                            let status = match (&t.revoked, t.owner_active, t.expired) {
                                (Some(at), _, _) => format!("Revoked {at}"),
                                (None, _, true) => format!("Expired {}", t.expires),
                                (None, false, false) => "Stopped (person deactivated)".to_string(),
                                (None, true, false) => format!("Live until {}", t.expires),
                            };
                            let live = t.revoked.is_none() && !t.expired;
                            let made = match t.created_by {
                                Some(by) => format!("{} by {by}", t.created),
                                None => t.created,
                            };
                            let label = format!("Revoke {}", t.name);
                            view! {
                                <tr>
                                    <th scope="row">{t.name}</th>
                                    <td><code>{format!("{}…", t.hint)}</code></td>
                                    <td>{t.owner}</td>
                                    <td>{t.scopes.join(", ")}</td>
                                    <td>{made}</td>
                                    <td>{t.last_used.unwrap_or_else(|| "never".into())}</td>
                                    <td>{status}</td>
                                    <td>{live.then(|| view! {
                                        <button type="button" aria-label=label on:click=move |_| { revoke.dispatch(AdminTokenRevoke { id }); }>"Revoke"</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <table class="data-table">
                                <caption>"Tokens, live first"</caption>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Starts with"</th><th scope="col">"Acts as"</th><th scope="col">"Scopes"</th>
                                    <th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th><th scope="col"></th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }.into_any()
                    };
                    let options = people.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view();
                    Ok::<_, AppError>(view! {
                        {table}
                        <h2>"Create a token"</h2>
                        <form class="form-grid" aria-label="Create a token" on:submit=move |e| {
                            e.prevent_default();
                            if let Some(user_id) = owner.get_untracked() {
                                create.dispatch(AdminTokenCreate { user_id, name: name.get_untracked(), scopes: chosen_scopes(), days: days.get_untracked() });
                            }
                        }>
                            <label>"Acts as"<select required on:change=move |e| owner.set(event_target_value(&e).parse().ok())>
                                <option value="">"Choose a person"</option>{options}
                            </select></label>
                            <label>"Name"<input type="text" required maxlength="100" placeholder="CRM sync" on:input=move |e| name.set(event_target_value(&e))/></label>
                            <label>"Expires after"<select on:change=move |e| days.set(event_target_value(&e).parse().unwrap_or(DEFAULT_LIFETIME_DAYS))>
                                {LIFETIMES_DAYS.iter().map(|d| view! {
                                    <option value=d.to_string() selected=*d == DEFAULT_LIFETIME_DAYS>{format!("{d} days")}</option>
                                }).collect_view()}
                            </select></label>
                            <fieldset class="scope-grid">
                                <legend>"Scopes (at least one)"</legend>
                                {Area::ALL.iter().enumerate().map(|(i, area)| view! {
                                    <label>{area.label()}
                                        <select on:change=move |e| { let v = event_target_value(&e); access.update(|a| a[i] = v); }>
                                            <option value="">"No access"</option>
                                            <option value="read">"Read"</option>
                                            <option value="write">"Read and change"</option>
                                        </select>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Create token"</button>
                        </form>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
