//! `/api/v1/metrics`: the report's figures per day, agent, team or channel, as JSON or CSV
//! (each export is audited).

use super::caller::{ApiError, Caller};
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use app::model::reports::{MetricsQuery};
use app::model::reports::MetricsPage;
use app::model::user::CurrentUser;
use axum::extract::{Query, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics)).routes(routes!(metrics_csv))
}

/// The report's rows for an export, recorded in the audit log (exports leave the app).
pub(super) async fn metric_rows(
    state: &AppState,
    user: &CurrentUser,
    addr: &str,
    q: MetricsQuery,
    format: &str,
) -> Result<(app::domain::report::Report, String, Vec<app::domain::report::MetricRow>), AppError> {
    use app::domain::report::{metric_rows, GroupBy, ReportQuery};
    let group_by = q.group_by.unwrap_or_else(|| "day".into());
    let by = GroupBy::parse(&group_by).ok_or_else(|| AppError::Invalid("group_by is agent, team, channel or day.".into()))?;
    let query = ReportQuery { from: q.from, to: q.to, team_id: q.team, channel_id: q.channel, step: Some("day".into()) };
    let report = app::backend::reports::report(&state.pool, &query).await?;
    let rows = metric_rows(&report, by);
    let detail = format!("metrics by {group_by}, {} to {}, {} rows, {format}", report.from, report.to, rows.len());
    app::backend::audit::record(&state.pool, Some(user.id), &user.name, app::domain::audit::AuditAction::Exported, "reports", &detail, addr).await?;
    Ok((report, group_by, rows))
}

pub(super) fn caller_addr(parts: &axum::http::Extensions) -> String {
    parts.get::<app::backend::ClientAddr>().map(|a| a.0.clone()).unwrap_or_default()
}

/// The report's figures per day, agent, team or channel
#[utoipa::path(get, path = "/metrics", tag = "reports", params(MetricsQuery),
    responses((status = 200, body = MetricsPage), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    ext: axum::http::Extensions,
    Query(q): Query<MetricsQuery>,
) -> Result<Json<MetricsPage>, AppError> {
    let user = caller.require(Permission::ViewReports)?;
    let (report, group_by, rows) = metric_rows(&state, &user, &caller_addr(&ext), q, "json").await?;
    let total = app::domain::report::MetricRow::new("total".into(), "All".into(), &report.current);
    Ok(Json(MetricsPage { from: report.from, to: report.to, time_zone: report.time_zone, group_by, total, rows }))
}

/// The same rows as a CSV download (the report page links here)
#[utoipa::path(get, path = "/metrics.csv", tag = "reports", params(MetricsQuery),
    responses((status = 200, description = "One row per group, with a header line", content_type = "text/csv", body = String),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub(super) async fn metrics_csv(
    State(state): State<AppState>,
    caller: Caller,
    ext: axum::http::Extensions,
    Query(q): Query<MetricsQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let user = caller.require(Permission::ViewReports)?;
    let (report, group_by, rows) = metric_rows(&state, &user, &caller_addr(&ext), q, "csv").await?;
    let filename = format!("meridian-{group_by}-{}-{}.csv", report.from, report.to);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        app::domain::report::to_csv(&rows),
    )
        .into_response())
}
