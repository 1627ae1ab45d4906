//! `/api/v1/wfm`: Erlang C for one interval, the forecast, shifts and coverage.

use super::{body, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// `POST /api/v1/wfm/erlang-c`: agents needed for one interval of a live channel.
pub(super) async fn erlang_c(caller: Caller, parsed: Result<Json<app::domain::wfm::LiveInput>, JsonRejection>) -> Result<Json<app::domain::wfm::Staffing>, AppError> {
    caller.require(Permission::PlanShifts)?;
    let input = body(parsed)?;
    app::domain::wfm::check_live(&input).map_err(AppError::Invalid)?;
    Ok(Json(app::domain::wfm::staff_live(&input)))
}

#[derive(Deserialize)]
pub(super) struct ForecastQuery {
    channel: Option<String>,
    zone: Option<String>,
    team_id: Option<i64>,
    weeks: Option<u32>,
    interval: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/v1/wfm/forecast?from=&to=&channel=&zone=&weeks=&interval=`: the forecast
/// arrivals per interval of this week and the next, as `slots` (local start time in the
/// zone, arrivals) between the days `from` and `to` (both weeks when absent), with the
/// back-test error, the heatmap and the channel's handling time.
pub(super) async fn forecast(State(state): State<AppState>, caller: Caller, Query(q): Query<ForecastQuery>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let query = app::model::wfm::PlanningQuery {
        time_zone: q.zone.unwrap_or(user.time_zone),
        channel: q.channel.unwrap_or_else(|| "chat".into()),
        team_id: q.team_id,
        weeks: q.weeks.unwrap_or(6),
        interval_minutes: q.interval.unwrap_or(30),
    };
    let from = q.from.as_deref().map(|d| app::backend::parse_day(d, "from")).transpose()?;
    let to = q.to.as_deref().map(|d| app::backend::parse_day(d, "to")).transpose()?;
    let plan = app::backend::wfm::planning(&state.pool, &query).await?;
    let next_monday = chrono::NaiveDate::parse_from_str(&plan.next_week_start, "%Y-%m-%d").map_err(|_| AppError::Internal)?;
    let this_monday = next_monday - chrono::Duration::days(7);
    let step = i64::from(plan.interval_minutes);
    let slots: Vec<Value> = [(this_monday, &plan.this_week), (next_monday, &plan.next_week)]
        .into_iter()
        .flat_map(|(monday, week)| {
            week.iter().enumerate().map(move |(i, arrivals)| (monday.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i as i64 * step), *arrivals))
        })
        .filter(|(start, _)| from.is_none_or(|f| start.date() >= f) && to.is_none_or(|t| start.date() <= t))
        .map(|(start, arrivals)| json!({ "start": start.format("%Y-%m-%dT%H:%M").to_string(), "arrivals": arrivals }))
        .collect();
    let mut body = serde_json::to_value(&plan).map_err(|_| AppError::Internal)?;
    body["slots"] = Value::Array(slots);
    Ok(Json(body))
}

#[derive(Deserialize)]
pub(super) struct ShiftsQuery {
    agent: Option<i64>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/v1/wfm/shifts?agent=&from=&to=`: shifts starting in the days given (the next
/// two weeks by default). Agents may ask only for their own.
pub(super) async fn wfm_shifts(State(state): State<AppState>, caller: Caller, Query(q): Query<ShiftsQuery>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::ViewOwnSchedule)?;
    let agent = match (user.role.can(Permission::PlanShifts), q.agent) {
        (true, agent) => agent,
        (false, Some(a)) if a != user.id => return Err(AppError::Forbidden),
        (false, _) => Some(user.id),
    };
    let today = chrono::Utc::now().date_naive();
    let from = q.from.unwrap_or_else(|| today.to_string());
    let to = q.to.unwrap_or_else(|| (today + chrono::Duration::days(14)).to_string());
    let shifts = app::backend::wfm::shifts(&state.pool, agent, &from, &to).await?;
    Ok(Json(json!({ "items": shifts })))
}

#[derive(Deserialize)]
pub(super) struct CoverageQuery {
    week: Option<String>,
    zone: Option<String>,
    interval: Option<u32>,
}

/// `GET /api/v1/wfm/coverage?week=YYYY-MM-DD&zone=&interval=`: agents working per interval
/// of that week (next week by default).
pub(super) async fn wfm_coverage(State(state): State<AppState>, caller: Caller, Query(q): Query<CoverageQuery>) -> Result<Json<Value>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let zone = q.zone.unwrap_or(user.time_zone);
    let week = match q.week {
        Some(w) => w,
        None => app::backend::wfm::next_week_start(&state.pool, &zone).await?,
    };
    let interval = q.interval.unwrap_or(30);
    let (start, scheduled) = app::backend::wfm::coverage(&state.pool, &week, &zone, interval).await?;
    Ok(Json(json!({ "week": week, "starts_at": start, "interval_minutes": interval, "scheduled": scheduled })))
}
