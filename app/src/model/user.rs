//! Who is signed in, as the UI, the server functions and the REST API see them.

use crate::domain::access::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI and the API see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub time_zone: String,
}

/// One of the signed-in person's sessions, as Account settings lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub created_epoch: i64,
    pub last_seen_epoch: i64,
    pub client_addr: String,
    pub user_agent: String,
    /// The session of the browser asking.
    pub this: bool,
}
