//! Report queries. These read the conversations table directly for now; the reports
//! issue replaces them with per-interval rollups.

use crate::pages::reports::{PeriodCounts, WeekOverWeek};
use sqlx::PgPool;

async fn period(pool: &PgPool, days_ago_from: i32, days_ago_to: i32) -> Result<PeriodCounts, sqlx::Error> {
    sqlx::query_as(
        "with bounds as (
             select now() - make_interval(days => $1) as lo, now() - make_interval(days => $2) as hi
         )
         select
           (select count(*) from conversations, bounds where created_at >= lo and created_at < hi) as created,
           (select count(*) from conversations, bounds where resolved_at >= lo and resolved_at < hi) as resolved,
           (select percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at))
              from conversations, bounds where created_at >= lo and created_at < hi and first_response_at is not null)
              as median_first_response_seconds,
           (select count(*) from conversations, bounds where resolved_at >= lo and resolved_at < hi and csat is not null) as rated,
           (select count(*) from conversations, bounds where resolved_at >= lo and resolved_at < hi and csat >= 2) as satisfied",
    )
    .bind(days_ago_from)
    .bind(days_ago_to)
    .fetch_one(pool)
    .await
}

pub async fn week_over_week(pool: &PgPool) -> Result<WeekOverWeek, sqlx::Error> {
    Ok(WeekOverWeek { current: period(pool, 7, 0).await?, previous: period(pool, 14, 7).await? })
}
