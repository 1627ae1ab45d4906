//! `/reports/audit`: the audit log for managers and owners: who signed in, changed a role
//! or a setting, exported, mass-mailed or deleted what, when, and from where. Searchable,
//! newest first, a page at a time; nothing here can change it.

use crate::components::notice::{error_fallback, EmptyState, Loading};
use crate::domain::audit::AuditAction;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::hooks::use_query_map;
use crate::model::admin::{AuditLogPage, AuditQuery};

#[server(endpoint = "audit_log", input = Json)]
pub async fn audit_log(query: AuditQuery) -> Result<AuditLogPage, AppError> {
    use crate::backend::{audit, authorized};
    use crate::domain::access::Permission;
    authorized(Permission::ViewAuditLog, |state, user| async move { Ok(audit::search(&state.pool, &user.time_zone, &query).await?) }).await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        params.with(|p| AuditQuery {
            q: p.get("q").unwrap_or_default(),
            action: p.get("action").filter(|a| !a.is_empty()),
            before: p.get("before").and_then(|b| b.parse().ok()),
            limit: None,
        })
    };
    let page = Resource::new(query, |q| audit_log(q));
    let actions = move || {
        let current = query().action.unwrap_or_default();
        AuditAction::ALL
            .into_iter()
            .map(|a| view! { <option value=a.as_str() selected=current == a.as_str()>{a.label()}</option> })
            .collect_view()
    };
    view! {
        <p class="breadcrumb"><a href="/reports">"Reports"</a></p>
        <h1>"Audit log"</h1>
        <p class="lede">"Sign-ins, account and role changes, exports, mass replies, deletions and setting changes: who, when, from where. Nobody can edit or remove an entry."</p>
        <form class="form-grid" method="get" action="/reports/audit" role="search" aria-label="Search the audit log">
            <label>"Words"<input type="search" name="q" prop:value=move || query().q placeholder="a name, an address, a rule…"/></label>
            <label>"Action"<select name="action"><option value="">"Any action"</option>{actions}</select></label>
            <button type="submit" class="button-primary">"Search"</button>
        </form>
        <Transition fallback=Loading>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    let p = page.await?;
                    let q = query();
                    Ok::<_, AppError>(if p.entries.is_empty() {
                        view! { <EmptyState title="Nothing in the log matches" detail="Try fewer words or another action."/> }.into_any()
                    } else {
                        let rows = p.entries.into_iter().map(|e| view! {
                            <tr>
                                <td class="numeric">{e.at}</td>
                                <td>{e.actor}</td>
                                <td>{e.action}</td>
                                <td>{e.target}</td>
                                <td>{e.detail}</td>
                                <td>{e.client_addr}</td>
                            </tr>
                        }).collect_view();
                        let older = p.next.map(|before| {
                            let href = format!(
                                "/reports/audit?q={}&action={}&before={before}",
                                urlencode(&q.q),
                                q.action.clone().unwrap_or_default()
                            );
                            view! { <a class="button-quiet" href=href>"Older entries"</a> }
                        });
                        view! {
                            <table class="data-table" aria-label="Audit log">
                                <thead><tr>
                                    <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                                    <th scope="col">"What"</th><th scope="col">"Detail"</th><th scope="col">"From"</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                            <div class="pager">{older}</div>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
