//! What the reports page and the metrics API exchange.

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

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct MetricsQuery {
    /// First day (reporting time zone); 29 days before `to` when absent.
    pub from: Option<String>,
    /// Last day, inclusive; today when absent.
    pub to: Option<String>,
    /// day (default), agent, team or channel
    pub group_by: Option<String>,
    /// Only this team.
    pub team: Option<i64>,
    /// Only this channel (agent rows ignore it).
    pub channel: Option<i64>,
}
