//! What the SLA policy editor, its server functions and the REST API exchange. The rules
//! are in `domain::sla`, the queries in `backend::sla`.

use crate::domain::sla::{Clock, Conditions, Escalation, Metric, Target};
use serde::{Deserialize, Serialize};

/// A policy as stored: its place in the order and its terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub id: i64,
    pub position: i32,
    #[serde(flatten)]
    pub terms: SlaPolicyInput,
}

/// What a policy matches, how it counts and its targets, as the editor and the API send
/// them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaPolicyInput {
    pub name: String,
    #[serde(default)]
    pub conditions: Conditions,
    /// Count only the team's business hours (else around the clock).
    #[serde(default)]
    pub business_hours: bool,
    /// Warn this many minutes before a target.
    pub warn_minutes: i32,
    pub escalation: Escalation,
    pub targets: Vec<Target>,
}

/// The policy editor's page: the policies in order and the teams they may name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaOverview {
    pub policies: Vec<SlaPolicy>,
    pub teams: Vec<(i64, String)>,
    pub can_manage: bool,
}

/// A dialogue's clocks and the policy they come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DialogueSla {
    pub policy: Option<String>,
    pub clocks: Vec<Clock>,
}

/// A target that has warned or is missed, on a dialogue the caller holds or their team
/// waits for: what the top bar counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaAlert {
    pub conversation_id: i64,
    pub subject: String,
    pub metric: Metric,
    pub due_epoch: i64,
    /// Nobody holds it yet (it waits in the caller's team's queue).
    pub unassigned: bool,
}
