//! Report queries. These read the conversations table directly for now; the reports
//! issue replaces them with per-interval rollups.

use crate::pages::reports::{AgentWeek, PeriodCounts, WeekOverWeek};
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

pub async fn week_over_week(pool: &PgPool, time_zone: &str) -> Result<WeekOverWeek, sqlx::Error> {
    Ok(WeekOverWeek { current: period(pool, 7, 0).await?, previous: period(pool, 14, 7).await?, agents: agents_week(pool, time_zone).await? })
}

/// Every active agent's last seven days beside the schedule: on shift now (from the
/// shifts table), scheduled hours (breaks excluded for shifts wholly inside the week),
/// public replies and how many were sent while on shift, dialogues resolved.
async fn agents_week(pool: &PgPool, time_zone: &str) -> Result<Vec<AgentWeek>, sqlx::Error> {
    sqlx::query_as(
        "with b as (select now() - interval '7 days' as lo, now() as hi),
         replies as (
            select m.author_user_id as id, count(*) as replies,
                   count(*) filter (where exists (select 1 from shifts s where s.user_id = m.author_user_id
                                                     and s.starts_at <= m.created_at and s.ends_at > m.created_at)) as on_shift
              from messages m, b
             where m.author_kind = 'agent' and m.visibility = 'public' and m.created_at >= b.lo and m.created_at < b.hi
             group by m.author_user_id),
         resolved as (
            select c.assignee_id as id, count(*) as resolved from conversations c, b
             where c.resolved_at >= b.lo and c.resolved_at < b.hi group by c.assignee_id),
         scheduled as (
            select s.user_id as id,
                   sum(extract(epoch from least(s.ends_at, b.hi) - greatest(s.starts_at, b.lo)) / 3600.0
                       - case when s.starts_at >= b.lo and s.ends_at <= b.hi then s.break_minutes / 60.0 else 0 end) as hours
              from shifts s, b where s.ends_at > b.lo and s.starts_at < b.hi group by s.user_id),
         now_on as (
            select s.user_id as id, max(s.ends_at) as until from shifts s
             where s.starts_at <= now() and s.ends_at > now() group by s.user_id)
         select u.id, u.name, coalesce(t.name, '') as team,
                to_char(n.until at time zone $1, 'HH24:MI') as on_shift_until,
                coalesce(sc.hours, 0)::float8 as scheduled_hours,
                coalesce(r.replies, 0) as replies, coalesce(r.on_shift, 0) as replies_on_shift,
                coalesce(rs.resolved, 0) as resolved
           from users u
           left join teams t on t.id = u.team_id
           left join replies r on r.id = u.id
           left join resolved rs on rs.id = u.id
           left join scheduled sc on sc.id = u.id
           left join now_on n on n.id = u.id
          where u.active and u.role = 'operator'
          order by n.until is null, u.name, u.id",
    )
    .bind(time_zone)
    .fetch_all(pool)
    .await
}
