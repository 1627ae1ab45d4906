//! `/api/v1/wfm`: Erlang C for one interval, the forecast, shifts and coverage.

use super::caller::{body, ApiError, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::domain::wfm::{LiveInput, Staffing};
use app::error::AppError;
use app::model::wfm::{CoveragePage, CoverageQuery, ForecastQuery, ShiftList, ShiftsQuery};
use app::model::wfm::{Forecast, ForecastSlot, PlanningQuery, SlaStaffingReport, StaffingQuery, TodaysRiskReport};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(erlang_c)).routes(routes!(forecast)).routes(routes!(wfm_shifts)).routes(routes!(wfm_coverage))
        .routes(routes!(wfm_sla_staffing))
        .routes(routes!(wfm_todays_risk))
}

/// Agents needed for one interval of a live channel (Erlang C)
#[utoipa::path(post, path = "/wfm/erlang-c", tag = "wfm", request_body = LiveInput,
    responses((status = 200, body = Staffing), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn erlang_c(caller: Caller, parsed: Result<Json<LiveInput>, JsonRejection>) -> Result<Json<Staffing>, AppError> {
    caller.require(Permission::PlanShifts)?;
    let input = body(parsed)?;
    app::domain::wfm::check_live(&input).map_err(AppError::Invalid)?;
    Ok(Json(app::domain::wfm::staff_live(&input)))
}

/// Forecast arrivals per interval of this week and the next
///
/// As `slots` (local start time in the zone, arrivals) between the days `from` and `to`
/// (both weeks when absent), with the back-test error, the heatmap and the channel's
/// handling time.
#[utoipa::path(get, path = "/wfm/forecast", tag = "wfm", params(ForecastQuery),
    responses((status = 200, body = Forecast), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn forecast(State(state): State<AppState>, caller: Caller, Query(q): Query<ForecastQuery>) -> Result<Json<Forecast>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let query = PlanningQuery {
        time_zone: q.zone.unwrap_or(user.time_zone),
        channel: q.channel.unwrap_or_else(|| "chat".into()),
        team_id: q.team_id,
        weeks: q.weeks.unwrap_or(6),
        interval_minutes: q.interval.unwrap_or(30),
    };
    let from = q.from.as_deref().map(|d| app::backend::parse_day(d, "from")).transpose()?;
    let to = q.to.as_deref().map(|d| app::backend::parse_day(d, "to")).transpose()?;
    let plan = app::backend::planning::planning(&state.pool, &query).await?;
    let next_monday = chrono::NaiveDate::parse_from_str(&plan.next_week_start, "%Y-%m-%d").map_err(|_| AppError::Internal)?;
    let this_monday = next_monday - chrono::Duration::days(7);
    let step = i64::from(plan.interval_minutes);
    let slots = [(this_monday, &plan.this_week), (next_monday, &plan.next_week)]
        .into_iter()
        .flat_map(|(monday, week)| {
            week.iter().enumerate().map(move |(i, arrivals)| (monday.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i as i64 * step), *arrivals))
        })
        .filter(|(start, _)| from.is_none_or(|f| start.date() >= f) && to.is_none_or(|t| start.date() <= t))
        .map(|(start, arrivals)| ForecastSlot { start: start.format("%Y-%m-%dT%H:%M").to_string(), arrivals })
        .collect();
    Ok(Json(Forecast { plan, slots }))
}

/// Shifts starting in the days given (the next two weeks by default)
#[utoipa::path(get, path = "/wfm/shifts", tag = "wfm", params(ShiftsQuery),
    responses((status = 200, body = ShiftList), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn wfm_shifts(State(state): State<AppState>, caller: Caller, Query(q): Query<ShiftsQuery>) -> Result<Json<ShiftList>, AppError> {
    let user = caller.require(Permission::ViewOwnSchedule)?;
    let agent = match (user.role.can(Permission::PlanShifts), q.agent) {
        (true, agent) => agent,
        (false, Some(a)) if a != user.id => return Err(AppError::Forbidden),
        (false, _) => Some(user.id),
    };
    let today = chrono::Utc::now().date_naive();
    let from = q.from.unwrap_or_else(|| today.to_string());
    let to = q.to.unwrap_or_else(|| (today + chrono::Duration::days(14)).to_string());
    let items = app::backend::schedule::shifts(&state.pool, agent, &from, &to).await?;
    Ok(Json(ShiftList { items }))
}

/// Agents working (not on break) per interval of a week
#[utoipa::path(get, path = "/wfm/coverage", tag = "wfm", params(CoverageQuery),
    responses((status = 200, body = CoveragePage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn wfm_coverage(State(state): State<AppState>, caller: Caller, Query(q): Query<CoverageQuery>) -> Result<Json<CoveragePage>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let zone = q.zone.unwrap_or(user.time_zone);
    let week = match q.week {
        Some(w) => w,
        None => app::backend::planning::next_week_start(&state.pool, &zone).await?,
    };
    let interval = q.interval.unwrap_or(30);
    let (starts_at, scheduled) = app::backend::schedule::coverage(&state.pool, &week, &zone, interval).await?;
    Ok(Json(CoveragePage { week, starts_at, interval_minutes: interval, scheduled }))
}

/// Can next week's roster keep each chat SLA policy's first-response promise?
///
/// For every SLA policy that names the chat channel: its team's forecast chats and the
/// roster's agents on the floor per interval of next week, each interval's Erlang C share
/// answered within the policy's target, and the runs of intervals below `service_level`.
#[utoipa::path(get, path = "/wfm/sla-staffing", tag = "wfm", params(StaffingQuery),
    responses((status = 200, body = SlaStaffingReport), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn wfm_sla_staffing(State(state): State<AppState>, caller: Caller, Query(q): Query<StaffingQuery>) -> Result<Json<SlaStaffingReport>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let zone = q.zone.clone().unwrap_or(user.time_zone);
    let staffing = app::backend::sla_staffing::sla_staffing(&state.pool, &zone, q.interval.unwrap_or(30)).await?;
    let levers = q.levers(staffing.aht_seconds);
    let checks = staffing.check(&levers).map_err(AppError::Invalid)?;
    Ok(Json(SlaStaffingReport { staffing, levers, checks }))
}

/// Today's risk: each team's chats so far against the forecast, and the rest of the day's
/// expected first-response breaches with today's roster if nothing changes
#[utoipa::path(get, path = "/wfm/todays-risk", tag = "wfm", params(StaffingQuery),
    responses((status = 200, body = TodaysRiskReport), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn wfm_todays_risk(State(state): State<AppState>, caller: Caller, Query(q): Query<StaffingQuery>) -> Result<Json<TodaysRiskReport>, AppError> {
    let user = caller.require(Permission::PlanShifts)?;
    let zone = q.zone.clone().unwrap_or(user.time_zone);
    let risk = app::backend::sla_staffing::todays_risk(&state.pool, &zone, q.interval.unwrap_or(30)).await?;
    let levers = q.levers(risk.aht_seconds);
    let teams = risk.risks(&levers).map_err(AppError::Invalid)?;
    Ok(Json(TodaysRiskReport { risk, levers, teams }))
}
