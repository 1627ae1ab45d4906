//! Report queries: the team report from the rollups (`backend::rollup`), and each
//! agent's week beside the schedule.

use super::rollup;
use crate::domain::report::{DayRows, Group, LowRating, Report, ReportQuery, SlaAchievement};
use crate::domain::sla::Metric;
use crate::domain::rollup::{format_day, parse_day, Counters, Step};
use crate::error::AppError;
use crate::model::reports::AgentWeek;
use sqlx::PgPool;

/// The team report for a query, from the rollups: two periods' day rows, the agents'
/// rows, the hourly heatmap, the contact ratio's customers and the latest low ratings.
/// SQL over a report period: `b(lo, hi)` from the day numbers `$1`, `$2` in time zone `$3`.
macro_rules! period {
    ($sql:literal) => {
        concat!(
            "with b(lo, hi) as (select (date '1970-01-01' + $1::int4)::timestamp at time zone $3,
                                      (date '1970-01-01' + $2::int4 + 1)::timestamp at time zone $3) ",
            $sql
        )
    };
}

pub async fn report(pool: &PgPool, q: &ReportQuery) -> Result<Report, AppError> {
    // One read-only transaction: the distinct-customer count hashes a period's customers
    // in memory rather than on disk.
    let mut conn = pool.begin().await?;
    sqlx::query("set local work_mem = '64MB'").execute(&mut *conn).await?;
    // A long period may take longer than a request's statement limit (db::connect).
    sqlx::query("set local statement_timeout = '20s'").execute(&mut *conn).await?;
    let (tz, today) = rollup::today(&mut conn).await?;
    let day = |s: &Option<String>, what: &str| -> Result<Option<i64>, AppError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => parse_day(s).map(Some).ok_or_else(|| AppError::Invalid(format!("The {what} date must be a day such as 2026-11-23."))),
        }
    };
    let to = day(&q.to, "end")?.unwrap_or(today);
    let from = day(&q.from, "start")?.unwrap_or(to - 29);
    if from > to {
        return Err(AppError::Invalid("The period must start before it ends.".into()));
    }
    let days = to - from + 1;
    if days > 731 {
        return Err(AppError::Invalid("Choose a period of at most two years.".into()));
    }
    let (previous_from, previous_to) = (from - days, from - 1);
    let step = match q.step.as_deref().filter(|s| !s.is_empty()) {
        None => Step::for_period(days),
        Some(s) => Step::parse(s).ok_or_else(|| AppError::Invalid("The step is day, week or month.".into()))?,
    };

    // The contact ratio's distinct customers are the slow part (an index-only scan of each
    // period's dialogues): both periods are counted on their own connections meanwhile.
    let counts = tokio::spawn({
        let (pool, tz, q) = (pool.clone(), tz.clone(), q.clone());
        async move { tokio::try_join!(customers_in(&pool, (from, to), &tz, &q), customers_in(&pool, (previous_from, previous_to), &tz, &q)) }
    });
    let channels: Vec<(i64, String)> = sqlx::query_as("select id, name from channels order by name, id").fetch_all(&mut *conn).await?;
    let teams = super::teams::names(&mut *conn).await?;
    let list = Counters::COLUMNS.join(", ");
    let rows = sqlx::query(&format!(
        "select (day - date '1970-01-01') as d, channel_id, team_id, {list}, fr_bins, res_bins from rollup_days
          where day between date '1970-01-01' + $1::int4 and date '1970-01-01' + $2::int4
            and ($3::int8 is null or team_id = $3) and ($4::int8 is null or channel_id = $4)"
    ))
    .bind(previous_from as i32)
    .bind(to as i32)
    .bind(q.team_id)
    .bind(q.channel_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(rollup::day_row)
    .collect::<Result<Vec<_>, _>>()?;
    let d = DayRows { rows: &rows, channels: &channels, teams: &teams };

    let sums = Counters::COLUMNS.iter().map(|c| format!("sum({c})::int8 as {c}")).collect::<Vec<_>>().join(", ");
    let agent_rows = sqlx::query(&format!(
        "select r.agent_id, u.name, {sums} from rollup_agent_days r join users u on u.id = r.agent_id
          where r.day between date '1970-01-01' + $1::int4 and date '1970-01-01' + $2::int4
            and ($3::int8 is null or u.team_id = $3)
          group by r.agent_id, u.name order by u.name, r.agent_id"
    ))
    .bind(from as i32)
    .bind(to as i32)
    .bind(q.team_id)
    .fetch_all(&mut *conn)
    .await?;
    let by_agent = agent_rows
        .iter()
        .map(|row| {
            use sqlx::Row;
            Ok(Group { id: row.try_get("agent_id")?, name: row.try_get("name")?, counters: rollup::counters(row, false)? })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let cells: Vec<(i32, i32, i64)> = in_period(
        period!("select (extract(isodow from hour at time zone $3)::int4 - 1), extract(hour from hour at time zone $3)::int4, sum(created)::int8
           from rollup_hours, b where hour >= b.lo and hour < b.hi
            and ($4::int8 is null or team_id = $4) and ($5::int8 is null or channel_id = $5)
          group by 1, 2"),
        (from, to),
        &tz,
        q,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut heatmap = vec![0; 7 * 24];
    for (weekday, hour, n) in cells {
        if let Some(cell) = heatmap.get_mut((weekday * 24 + hour) as usize) {
            *cell += n;
        }
    }

    let low: Vec<(i64, String, String, String, Option<String>)> = in_period(
        period!("select c.id, c.subject, cu.name, to_char(c.rated_at at time zone $3, 'YYYY-MM-DD'), c.csat_comment
           from conversations c join customers cu on cu.id = c.customer_id, b
          where c.csat = 1 and c.rated_at >= b.lo and c.rated_at < b.hi
            and ($4::int8 is null or c.team_id = $4) and ($5::int8 is null or c.channel_id = $5)
          order by c.rated_at desc limit 10"),
        (from, to),
        &tz,
        q,
    )
    .fetch_all(&mut *conn)
    .await?;

    let sla = sla_achievement(&mut conn, (from, to), q).await?;

    // Give this connection back before waiting for the counts' two: a report never holds
    // one connection while it waits for another, so a burst of reports cannot starve the
    // pool into a standstill.
    conn.commit().await?;
    let (active_customers, previous_active_customers) = counts.await.map_err(|e| {
        tracing::error!(error = %e, "report customer count failed");
        AppError::Internal
    })??;
    Ok(Report {
        time_zone: tz,
        from: format_day(from),
        to: format_day(to),
        previous_from: format_day(previous_from),
        previous_to: format_day(previous_to),
        days,
        team_id: q.team_id,
        channel_id: q.channel_id,
        current: d.total(from, to),
        previous: d.total(previous_from, previous_to),
        active_customers,
        previous_active_customers,
        by_channel: d.by_channel(from, to),
        by_team: d.by_team(from, to),
        by_agent,
        step,
        trend: d.trend(from, to, step),
        heatmap,
        low_ratings: low
            .into_iter()
            .map(|(conversation_id, subject, customer, rated_on, comment)| LowRating { conversation_id, subject, customer, rated_on, comment })
            .collect(),
        sla,
        teams,
        channels,
    })
}

/// SLA achievement per policy and target over the days `from` to `to`: met and missed from
/// the rollups, running and overdue now from the clocks (the team and channel filters apply
/// to both). In policy order, then by target; policies since deleted last.
async fn sla_achievement(conn: &mut sqlx::PgConnection, (from, to): (i64, i64), q: &ReportQuery) -> Result<Vec<SlaAchievement>, sqlx::Error> {
    // The running clocks of every team and channel need no dialogue rows (an index-only
    // scan of the running clocks); a filter joins each clock's dialogue.
    let (dialogues, filter) = if q.team_id.is_none() && q.channel_id.is_none() {
        ("", "")
    } else {
        ("join conversations c on c.id = s.conversation_id", "and ($3::int8 is null or c.team_id = $3) and ($4::int8 is null or c.channel_id = $4)")
    };
    let rows: Vec<(i64, String, Metric, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "with decided as (
             select policy_id, metric, sum(sla_met)::int8 as met, sum(sla_breached)::int8 as breached
               from rollup_sla_days
              where day between date '1970-01-01' + $1::int4 and date '1970-01-01' + $2::int4
                and ($3::int8 is null or team_id = $3) and ($4::int8 is null or channel_id = $4)
              group by policy_id, metric),
         now_running as (
             select coalesce(s.policy_id, 0) as policy_id, s.metric,
                    count(*) filter (where s.due_at is null or s.due_at > now())::int8 as running,
                    count(*) filter (where s.due_at <= now())::int8 as overdue
               from sla_clocks s {dialogues}
              where s.stopped_at is null {filter}
              group by 1, 2)
         select coalesce(d.policy_id, r.policy_id), coalesce(p.name, 'A deleted policy'), coalesce(d.metric, r.metric),
                coalesce(d.met, 0), coalesce(d.breached, 0), coalesce(r.running, 0), coalesce(r.overdue, 0)
           from decided d full join now_running r on r.policy_id = d.policy_id and r.metric = d.metric
           left join sla_policies p on p.id = coalesce(d.policy_id, r.policy_id)
          order by p.position nulls last, 1, array_position(array['first_response', 'next_response', 'resolution'], coalesce(d.metric, r.metric))"
    ))
    .bind(from as i32)
    .bind(to as i32)
    .bind(q.team_id)
    .bind(q.channel_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(policy_id, policy, metric, met, breached, running, overdue)| SlaAchievement { policy_id, policy, metric, met, breached, running, overdue })
        .collect())
}

/// How many customers opened a dialogue in the days `lo` to `hi` (the contact ratio's
/// denominator), in a read-only transaction of its own that may hash them in memory.
///
/// Over every team and channel it counts the period's dialogues whose customer's previous
/// dialogue is older than the period (`contact_chain`: one index range, nothing to sort);
/// with a filter, the distinct customers of the filtered dialogues.
async fn customers_in(pool: &PgPool, period: (i64, i64), tz: &str, q: &ReportQuery) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("set local work_mem = '64MB'").execute(&mut *tx).await?;
    let sql = if q.team_id.is_none() && q.channel_id.is_none() {
        period!("select count(*) from contact_chain, b
          where created_at >= b.lo and created_at < b.hi and (prev_at is null or prev_at < b.lo)
            and $4::int8 is null and $5::int8 is null")
    } else {
        period!("select count(distinct customer_id) from conversations, b
          where created_at >= b.lo and created_at < b.hi
            and ($4::int8 is null or team_id = $4) and ($5::int8 is null or channel_id = $5)")
    };
    let (n,): (i64,) = in_period(sql, period, tz, q).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// A query over the days `lo` to `hi` (inclusive) of the report, written with
/// [`period!`]: `b(lo, hi)` holds their bounds as instants in `tz`; `$3` is the time zone,
/// `$4` the team and `$5` the channel filter (each null for all).
fn in_period<'q, O>(
    sql: &'q str,
    (lo, hi): (i64, i64),
    tz: &'q str,
    q: &ReportQuery,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    sqlx::query_as(sql).bind(lo as i32).bind(hi as i32).bind(tz).bind(q.team_id).bind(q.channel_id)
}

/// Every active agent's last seven days beside the schedule: on shift now (from the
/// shifts table), scheduled hours (breaks excluded for shifts wholly inside the week),
/// public replies and how many were sent while on shift, dialogues resolved.
pub async fn agents_week(pool: &PgPool, time_zone: &str) -> Result<Vec<AgentWeek>, sqlx::Error> {
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
