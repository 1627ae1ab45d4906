//! What the planning page, its server function and the REST API exchange.

use crate::domain::wfm::RequestStatus;
use crate::domain::sla_staffing::{check_promise, day_risk, DayRisk, Levers, PromiseCheck};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanningQuery {
    /// IANA zone the hours are shown in.
    pub time_zone: String,
    /// chat, email, social, or "all".
    pub channel: String,
    #[serde(default)]
    pub team_id: Option<i64>,
    /// Complete weeks of history to plan from.
    pub weeks: u32,
    /// 15 or 30.
    pub interval_minutes: u32,
}

/// A past week forecast from the weeks before it, against what arrived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacktestWeek {
    pub weeks_ago: u32,
    /// Monday first.
    pub actual_days: Vec<f64>,
    pub forecast_days: Vec<f64>,
    /// Mean absolute percentage error over the days, and over the intervals.
    pub mape_days: Option<f64>,
    pub mape_intervals: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Planning {
    pub time_zone: String,
    pub channel: String,
    pub interval_minutes: u32,
    pub weeks: u32,
    /// New dialogues per weekday (Monday first) × hour, over the history.
    pub heatmap: Vec<Vec<i64>>,
    pub history_total: i64,
    pub backtest: Vec<BacktestWeek>,
    /// Forecast arrivals per interval of this week and the next, Monday 00:00 first.
    pub this_week: Vec<f64>,
    pub next_week: Vec<f64>,
    /// The Monday that starts next week, `YYYY-MM-DD`.
    pub next_week_start: String,
    /// Average handling time per dialogue, from the data.
    pub aht_seconds: f64,
    /// The channel's first-response target.
    pub response_target_seconds: f64,
    /// Chat (Erlang C) or asynchronous (work within the response target).
    pub live: bool,
    /// Holidays in the history and the planned weeks (for the chosen team, or all).
    pub holidays: Vec<Holiday>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Holiday {
    pub id: i64,
    /// `YYYY-MM-DD`
    pub day: String,
    pub name: String,
    /// The region's team, or none for every region.
    pub team: Option<String>,
    pub factor: f64,
    /// Which day of next week it falls on (0 = Monday), if it does.
    pub next_week_day: Option<i32>,
}

/// A generated roster's effect on next week, interval by interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub shifts: u32,
    pub agents: u32,
    /// Agents working (not on break) per interval.
    pub scheduled: Vec<u32>,
    pub required: Vec<u32>,
    /// Intervals with fewer agents than required, and with more.
    pub short_intervals: u32,
    pub over_intervals: u32,
    pub agent_hours: f64,
}

/// One shift as its agent reads it, in their own time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MyShift {
    pub id: i64,
    /// e.g. "Mon 30 Nov 08:00"
    pub starts: String,
    /// e.g. "16:00"
    pub ends: String,
    pub hours: f64,
    pub break_minutes: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TimeOff {
    pub id: i64,
    pub agent: String,
    /// e.g. "Mon 30 Nov" – "Wed 2 Dec", in the reader's time zone.
    pub from: String,
    pub to: String,
    pub reason: String,
    pub status: RequestStatus,
}

/// The Schedule page: my shifts and time off; for managers, requests waiting for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScheduleOverview {
    pub time_zone: String,
    pub can_plan: bool,
    pub shifts: Vec<MyShift>,
    pub my_time_off: Vec<TimeOff>,
    pub pending: Vec<TimeOff>,
    /// For managers: who is on shift right now, and the coming week's shifts to edit.
    pub on_shift_now: Vec<TeamShift>,
    pub upcoming: Vec<TeamShift>,
    pub agents: Vec<(i64, String)>,
    /// Swaps: the caller's own offers, and for managers the ones waiting for a decision.
    pub swaps: Vec<Swap>,
    pub pending_swaps: Vec<Swap>,
    /// Other agents a shift can be offered to.
    pub colleagues: Vec<(i64, String)>,
    /// The caller's region's hand-over note.
    pub handover: Option<Handover>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Swap {
    pub id: i64,
    pub from_agent: String,
    pub to_agent: String,
    /// The shift's start in the reader's time zone.
    pub shift: String,
    pub status: RequestStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Handover {
    pub team: String,
    pub body: String,
    pub updated_by: Option<String>,
    pub updated: Option<String>,
}

/// A shift in a manager's list, in the manager's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TeamShift {
    pub id: i64,
    pub agent: String,
    pub starts: String,
    pub ends: String,
    pub generated: bool,
}

/// The forecast of this week and the next, as the REST API answers it: the plan's figures
/// and its arrivals per interval as dated slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Forecast {
    #[serde(flatten)]
    pub plan: Planning,
    pub slots: Vec<ForecastSlot>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForecastSlot {
    /// Local start time in the zone, `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub arrivals: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ForecastQuery {
    /// chat (default), email, social or all
    pub channel: Option<String>,
    /// IANA zone the slots are in; the caller's by default.
    pub zone: Option<String>,
    pub team_id: Option<i64>,
    /// Weeks of history, 6 by default.
    pub weeks: Option<u32>,
    /// 15 or 30 (default) minutes.
    pub interval: Option<u32>,
    /// First day of the slots (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day of the slots, inclusive.
    pub to: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ShiftsQuery {
    /// Only this agent's (agents may ask only for their own).
    pub agent: Option<i64>,
    /// First day (`YYYY-MM-DD`); today by default.
    pub from: Option<String>,
    /// Last day; two weeks from today by default.
    pub to: Option<String>,
}

#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ShiftList {
    pub items: Vec<ShiftRow>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct CoverageQuery {
    /// The Monday that starts it (`YYYY-MM-DD`); next week by default.
    pub week: Option<String>,
    /// IANA zone; the caller's by default.
    pub zone: Option<String>,
    /// 15 or 30 (default) minutes.
    pub interval: Option<u32>,
}

#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CoveragePage {
    pub week: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub interval_minutes: u32,
    /// Agents working (not on break) per interval, from `starts_at`.
    pub scheduled: Vec<u32>,
}

/// A shift as the API lists it (server-only: its times are chrono values).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ShiftRow {
    pub id: i64,
    pub agent_id: i64,
    pub agent: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub break_minutes: i32,
    pub generated: bool,
}

/// One SLA policy on chat against next week's roster: what `domain::sla_staffing`
/// checks, interval by interval (Monday 00:00 in the zone first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyStaffing {
    pub policy_id: i64,
    pub policy: String,
    /// The team the policy names, or none for every team.
    pub team: Option<String>,
    /// The first-response target checked (normal priority's, else the first one set).
    pub priority: crate::domain::dialogue::Priority,
    pub target_seconds: f64,
    /// Forecast chats per interval, for the policy's team (or all).
    pub forecast: Vec<f64>,
    /// Agents of that team on shift and not on break per interval.
    pub on_floor: Vec<u32>,
}

/// Can next week's roster keep each chat policy's first-response promise?
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaStaffing {
    pub time_zone: String,
    pub interval_minutes: u32,
    /// The Monday that starts the week, `YYYY-MM-DD`.
    pub week_start: String,
    /// A chat's handling time, from the data.
    pub aht_seconds: f64,
    pub policies: Vec<PolicyStaffing>,
}

/// One team's chat today: the forecast, what has arrived, the roster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamToday {
    pub team_id: i64,
    pub team: String,
    /// The chat policy its chats fall under, and its first-response target.
    pub policy: Option<String>,
    pub target_seconds: f64,
    /// Per interval of today, midnight in the zone first.
    pub forecast: Vec<f64>,
    /// Chats arrived per interval so far (up to and including the current one).
    pub arrived: Vec<f64>,
    pub on_floor: Vec<u32>,
    /// Open chats of the team whose response target has already passed.
    pub overdue_now: i64,
}

/// Today's risk: each team's chat arrivals against the forecast, and its roster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TodaysRisk {
    pub time_zone: String,
    pub interval_minutes: u32,
    /// Today in the zone, `YYYY-MM-DD`.
    pub day: String,
    /// The current interval of the day, and how much of it has passed (0–1).
    pub now_interval: u32,
    pub elapsed: f64,
    pub aht_seconds: f64,
    pub teams: Vec<TeamToday>,
}

impl SlaStaffing {
    /// Each policy's week against the roster, in the order of `policies`.
    pub fn check(&self, levers: &Levers) -> Result<Vec<PromiseCheck>, String> {
        self.policies
            .iter()
            .map(|p| Ok(check_promise(&p.forecast, &p.on_floor, &levers.input(self.interval_minutes, p.target_seconds)?)))
            .collect()
    }
}

impl TodaysRisk {
    /// Each team's rest of the day, in the order of `teams`.
    pub fn risks(&self, levers: &Levers) -> Result<Vec<DayRisk>, String> {
        self.teams
            .iter()
            .map(|t| {
                let base = levers.input(self.interval_minutes, t.target_seconds)?;
                Ok(day_risk(&t.forecast, &t.arrived, &t.on_floor, self.now_interval as usize, self.elapsed, &base))
            })
            .collect()
    }
}

/// The levers of the staffing checks, as query parameters; each has a default.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct StaffingQuery {
    /// IANA zone; the caller's by default.
    pub zone: Option<String>,
    /// 15 or 30 (default) minutes.
    pub interval: Option<u32>,
    /// The share of chats to answer within the policy's target, above 0 and below 1 (default 0.8).
    pub service_level: Option<f64>,
    /// Chats one agent handles at once (default 2).
    pub concurrency: Option<u32>,
    /// At most 1 (default 0.85).
    pub max_occupancy: Option<f64>,
    /// A chat's handling time in seconds; the data's by default.
    pub aht_seconds: Option<f64>,
}

impl StaffingQuery {
    pub fn levers(&self, aht_from_data: f64) -> Levers {
        Levers {
            service_level: self.service_level.unwrap_or(0.8),
            concurrency: self.concurrency.unwrap_or(2),
            max_occupancy: self.max_occupancy.unwrap_or(0.85),
            aht_seconds: self.aht_seconds.unwrap_or(aht_from_data.max(1.0)),
        }
    }
}

/// Next week's roster against every chat policy, with the checks made.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SlaStaffingReport {
    pub staffing: SlaStaffing,
    pub levers: Levers,
    /// One per policy, in the same order.
    pub checks: Vec<PromiseCheck>,
}

/// Today's arrivals against the forecast, with each team's projection.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TodaysRiskReport {
    pub risk: TodaysRisk,
    pub levers: Levers,
    /// One per team, in the same order.
    pub teams: Vec<DayRisk>,
}
