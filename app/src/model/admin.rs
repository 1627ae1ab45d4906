//! What the administration pages (people, channels and routing, teams, API tokens, the
//! audit log), their server functions and the REST API exchange.

use crate::domain::access::Role;
use crate::domain::channels::RoutingRule;
use crate::domain::dialogue::ChannelKind;
use serde::{Deserialize, Serialize};

/// A row of the Admin page's user list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserListItem {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team: Option<String>,
    pub team_id: Option<i64>,
    pub time_zone: String,
    pub active: bool,
    /// Invited and not yet signed up.
    pub invited: bool,
    /// Has two-factor sign-in on.
    pub two_factor: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteInput {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChannelInfo {
    #[serde(flatten)]
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub channel: Channel,
    pub active: bool,
    pub target_minutes: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoutingView {
    pub rules: Vec<RoutingRule>,
    pub channels: Vec<(i64, String)>,
    pub teams: Vec<(i64, String)>,
}

/// A rule as the form sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RuleInput {
    pub name: String,
    pub channel_id: Option<i64>,
    /// Comma-separated, as typed.
    pub keywords: String,
    pub address: String,
    pub topic: String,
    pub team_id: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamHoliday {
    pub id: i64,
    /// YYYY-MM-DD.
    pub day: String,
    pub name: String,
    /// What the forecast multiplies the day's volume by.
    pub factor: f64,
}

/// A team as the page shows it; `team.id` none is the row of holidays for every region.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamSettings {
    pub team: TeamInput,
    /// "Mon–Fri, 08:00–20:00".
    pub summary: String,
    pub members: i64,
    /// From a month ago on.
    pub holidays: Vec<TeamHoliday>,
}

/// A team's settings as stored and as the form sends them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamInput {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub region: String,
    pub time_zone: String,
    /// "HH:MM" in the team's time zone; the end may be "24:00".
    pub work_start: String,
    pub work_end: String,
    /// Monday first.
    pub work_days: [bool; 7],
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise it by.
    pub hint: String,
    pub owner: String,
    pub owner_active: bool,
    pub created: String,
    /// Who made it for its person, when that was someone else.
    pub created_by: Option<String>,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
    pub expires: String,
    pub expired: bool,
    /// `queue:read`, `kb:write`, …
    pub scopes: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditQuery {
    /// Words in who, what, the detail or the address.
    #[serde(default)]
    pub q: String,
    /// One kind of action (its stored name).
    #[serde(default)]
    pub action: Option<String>,
    /// The last id of the previous page.
    #[serde(default)]
    pub before: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// In the viewer's time zone.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub client_addr: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditLogPage {
    pub entries: Vec<AuditEntry>,
    /// `before` for the next (older) page.
    pub next: Option<i64>,
}

/// A channel as inbound handlers and the channel settings need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Channel {
    pub id: i64,
    pub kind: ChannelKind,
    pub name: String,
    pub address: String,
    pub secret: String,
    pub callback_url: Option<String>,
    pub ask_nps: bool,
}
