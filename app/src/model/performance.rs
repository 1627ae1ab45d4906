//! What the agent performance page (`/agent`, for one-to-ones) exchanges with its server functions.

use crate::domain::performance::{PlanItem, WeekFigures};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgentNote {
    pub id: i64,
    pub author: String,
    pub at: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekPlan {
    /// The Monday, YYYY-MM-DD.
    pub week: String,
    /// The agent's own tasks (the fixed one is implied).
    pub items: Vec<PlanItem>,
    /// Open dialogues assigned to them, and how many of those wait for their answer.
    pub assigned_open: i64,
    pub assigned_waiting: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgentPerformance {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    /// The zone weeks are counted in.
    pub time_zone: String,
    /// Oldest first.
    pub weeks: Vec<WeekFigures>,
    pub plan: WeekPlan,
    pub notes: Vec<AgentNote>,
    pub may_write_notes: bool,
}
