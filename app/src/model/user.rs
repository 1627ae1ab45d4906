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
