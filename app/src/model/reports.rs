//! What the reports and the agent performance page exchange with their server functions.

use crate::domain::performance::{PlanItem, WeekFigures};
use serde::{Deserialize, Serialize};

/// One agent's last seven days beside their schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgentWeek {
    pub id: i64,
    pub name: String,
    pub team: String,
    /// When their current shift ends (`HH:MM` in the reader's time zone), if on shift now.
    pub on_shift_until: Option<String>,
    pub scheduled_hours: f64,
    pub replies: i64,
    pub replies_on_shift: i64,
    pub resolved: i64,
}

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

/// The report's figures per day, agent, team or channel, as the REST API answers them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MetricsPage {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub group_by: String,
    pub total: crate::domain::report::MetricRow,
    pub rows: Vec<crate::domain::report::MetricRow>,
}
