//! `/admin`: the owner's settings: the accounts and their roles (`meridian create-user`
//! adds accounts), and a link to channels and routing (`/admin/channels`).

use serde::{Deserialize, Serialize};
use crate::components::notice::error_fallback;
use crate::components::shell::RequireSection;
use crate::domain::access::{Role, Section};
use crate::error::AppError;
use leptos::prelude::*;

/// A row of the Admin page's user list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserListItem {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub team: Option<String>,
    pub time_zone: String,
    pub active: bool,
}

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserListItem>, AppError> {
    use crate::backend::{authorized, users};
    use crate::domain::access::Permission;
    authorized(Permission::ManageUsers, |state, _| async move { Ok(users::list(&state.pool).await?) }).await
}

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <RequireSection section=Section::Admin>
            <Users/>
        </RequireSection>
    }
}

#[component]
fn Users() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <h1>"Admin"</h1>
        <nav aria-label="Settings"><ul class="plain-list"><li><a href="/admin/channels">"Channels and routing"</a>" — how customers reach you, and where their dialogues go"</li></ul></nav>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=error_fallback>
                {move || Suspend::new(async move {
                    users.await.map(|rows| {
                        let body = rows
                            .into_iter()
                            .map(|u| {
                                let role = u.role.parse::<Role>().map(Role::label).unwrap_or("Unknown");
                                view! {
                                    <tr>
                                        <td>{u.name}</td>
                                        <td>{u.email}</td>
                                        <td>{role}</td>
                                        <td>{u.team.unwrap_or_default()}</td>
                                        <td>{u.time_zone}</td>
                                        <td>{if u.active { "Active" } else { "Deactivated" }}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
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
                                    </tr>
                                </thead>
                                <tbody>{body}</tbody>
                            </table>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
