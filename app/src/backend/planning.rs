//! Staffing plans from the dialogue history in PostgreSQL: the demand heatmap, weekly
//! arrival history per interval, handling times per channel, and the roster generated to
//! cover the forecast. The forecasting and staffing arithmetic is `domain::wfm`; the
//! schedule itself (shifts, time off, swaps, handovers) is `backend::schedule`.

use crate::domain::dialogue::ChannelKind;
use crate::domain::wfm;
use crate::error::AppError;
use crate::model::wfm::{BacktestWeek, Coverage, Holiday, Planning, PlanningQuery};
use sqlx::PgPool;

/// Exponential smoothing weight of the newest week in the forecast's pattern.
pub const ALPHA: f64 = 0.5;

fn channel(kind: &str) -> Result<Option<String>, AppError> {
    match kind {
        "" | "all" => Ok(None),
        k => ChannelKind::parse(k)
            .map(|k| Some(k.as_str().to_string()))
            .ok_or_else(|| AppError::Invalid("Channels are chat, email or social.".into())),
    }
}

/// The plan's inputs: the heatmap, the weekly history per interval, the forecast, its
/// back-test, and the channel's handling time and response target.
pub async fn planning(pool: &PgPool, q: &PlanningQuery) -> Result<Planning, AppError> {
    super::check_zone(pool, &q.time_zone).await?;
    let kind = channel(&q.channel)?;
    if !(2..=26).contains(&q.weeks) {
        return Err(AppError::Invalid("Plan from between 2 and 26 weeks of history.".into()));
    }
    if q.interval_minutes != 15 && q.interval_minutes != 30 {
        return Err(AppError::Invalid("Intervals are 15 or 30 minutes.".into()));
    }
    let slots_per_week = (7 * 24 * 60 / q.interval_minutes) as usize;

    // Arrivals per (week, interval of the week), in the chosen zone's wall-clock time, over
    // the complete weeks before this one. Monday 00:00 local starts a week.
    let rows: Vec<(i32, i32, i32, i32, i64)> = sqlx::query_as(
        "with b as (select date_trunc('week', now() at time zone $1) as this_week)
         select floor(extract(epoch from (c.created_at at time zone $1) - (b.this_week - make_interval(weeks => $2))) / 604800)::int as week,
                floor(extract(epoch from (c.created_at at time zone $1) - date_trunc('week', c.created_at at time zone $1)) / ($3 * 60))::int as slot,
                extract(isodow from c.created_at at time zone $1)::int as weekday,
                extract(hour from c.created_at at time zone $1)::int as hour,
                count(*)
           from conversations c
           join channels ch on ch.id = c.channel_id, b
          where c.created_at >= (b.this_week - make_interval(weeks => $2)) at time zone $1
            and c.created_at < b.this_week at time zone $1
            and ($4::text is null or ch.kind = $4)
            and ($5::bigint is null or c.team_id = $5)
          group by 1, 2, 3, 4",
    )
    .bind(&q.time_zone)
    .bind(q.weeks as i32)
    .bind(q.interval_minutes as i32)
    .bind(&kind)
    .bind(q.team_id)
    .fetch_all(pool)
    .await?;
    let mut history = vec![vec![0.0; slots_per_week]; q.weeks as usize];
    let mut heatmap = vec![vec![0i64; 24]; 7];
    for (week, slot, weekday, hour, n) in rows {
        if let (Some(w), Some(s)) = (history.get_mut(week as usize), usize::try_from(slot).ok()) {
            if let Some(cell) = w.get_mut(s) {
                *cell += n as f64;
            }
        }
        heatmap[(weekday as usize).clamp(1, 7) - 1][(hour as usize).min(23)] += n;
    }

    // Back-test: forecast each of the last (up to) three weeks from the weeks before it.
    let per_day = slots_per_week / 7;
    let backtest = (1..=3.min(history.len() - 1))
        .rev()
        .map(|back| {
            let cut = history.len() - back;
            let forecast = wfm::forecast_week(&history[..cut], 1, ALPHA);
            let actual = &history[cut];
            BacktestWeek {
                weeks_ago: back as u32,
                actual_days: wfm::sum_by(actual, per_day),
                forecast_days: wfm::sum_by(&forecast, per_day),
                mape_days: wfm::mape(&wfm::sum_by(actual, per_day), &wfm::sum_by(&forecast, per_day)),
                mape_intervals: wfm::mape(actual, &forecast),
            }
        })
        .collect();
    let mut next_week = wfm::forecast_week(&history, 2, ALPHA);
    let holidays: Vec<Holiday> = sqlx::query_as(
        "with b as (select date_trunc('week', now() at time zone $1)::date as this_week)
         select h.id, to_char(h.day, 'YYYY-MM-DD') as day, h.name, t.name as team, h.factor,
                case when h.day >= b.this_week + 7 and h.day < b.this_week + 14 then (h.day - (b.this_week + 7))::int end as next_week_day
           from holidays h left join teams t on t.id = h.team_id, b
          where h.day >= b.this_week - 7 * $2 and h.day < b.this_week + 14
            and (h.team_id is null or $3::bigint is null or h.team_id = $3)
          order by h.day, h.id",
    )
    .bind(&q.time_zone)
    .bind(q.weeks as i32)
    .bind(q.team_id)
    .fetch_all(pool)
    .await?;
    // Holidays of next week scale their day (a region's own holiday only when that team is
    // planned, or for all teams when it is every region's).
    for h in &holidays {
        if let Some(d) = h.next_week_day.filter(|_| h.team.is_none() || q.team_id.is_some()) {
            for slot in next_week.iter_mut().skip(d as usize * per_day).take(per_day) {
                *slot *= h.factor;
            }
        }
    }
    let this_week = wfm::forecast_week(&history, 1, ALPHA);

    let (aht_seconds, target_seconds, live) = handling(pool, kind.as_deref(), q.weeks).await?;
    let week_start = next_week_start(pool, &q.time_zone).await?;
    Ok(Planning {
        time_zone: q.time_zone.clone(),
        channel: kind.unwrap_or_else(|| "all".into()),
        interval_minutes: q.interval_minutes,
        weeks: q.weeks,
        heatmap,
        history_total: history.iter().flatten().sum::<f64>() as i64,
        backtest,
        this_week,
        next_week,
        next_week_start: week_start,
        aht_seconds,
        response_target_seconds: target_seconds,
        live,
        holidays,
    })
}

/// Handling time per dialogue and response target for a channel kind (or all):
/// - chat: the median time from the first agent reply to resolution, capped at one hour
///   (a chat session; concurrency is applied in the staffing);
/// - e-mail and social: the mean number of public agent replies per resolved dialogue ×
///   4 minutes per reply (Meridian does not yet time the work on an e-mail);
/// - all channels together: the mean of those, weighted by how many of each were sampled.
/// Each from the most recently resolved 2,000 dialogues of its kind in the history.
///
/// The response target is the channel's first-response target (the median over channels of
/// that kind). Returns (AHT seconds, target seconds, whether the channel is live).
pub async fn handling(pool: &PgPool, kind: Option<&str>, weeks: u32) -> Result<(f64, f64, bool), AppError> {
    // From the most recently resolved 2,000 dialogues of each kind (read newest first on
    // the resolved index): plenty for a median or a mean, and fast on millions.
    let (chat_aht, chat_n): (Option<f64>, i64) = sqlx::query_as(
        "select percentile_cont(0.5) within group (order by least(extract(epoch from s.resolved_at - s.first_response_at), 3600)), count(*)
           from (select c.resolved_at, c.first_response_at from conversations c
                  where c.status = 'resolved' and c.first_response_at is not null
                    and c.channel_id = any(array(select id from channels where kind = 'chat'))
                    and c.resolved_at > now() - make_interval(weeks => $1)
                  order by c.resolved_at desc, c.id desc limit 2000) s",
    )
    .bind(weeks as i32)
    .fetch_one(pool)
    .await?;
    let (replies, async_n): (Option<f64>, i64) = sqlx::query_as(
        "select avg(r.n)::float8, count(*)
           from (select c.id from conversations c
                  where c.status = 'resolved'
                    and c.channel_id = any(array(select id from channels where kind <> 'chat' and ($2::text is null or kind = $2)))
                    and c.resolved_at > now() - make_interval(weeks => $1)
                  order by c.resolved_at desc, c.id desc limit 2000) s
           cross join lateral (select count(*) as n from messages m
                                where m.conversation_id = s.id and m.author_kind = 'agent' and m.visibility = 'public') r",
    )
    .bind(weeks as i32)
    .bind(kind.filter(|k| *k != "chat"))
    .fetch_one(pool)
    .await?;
    let target: Option<f64> = sqlx::query_scalar(
        "select percentile_cont(0.5) within group (order by extract(epoch from first_response_target))
           from channels where active and ($1::text is null or kind = $1)",
    )
    .bind(kind)
    .fetch_one(pool)
    .await?;
    let chat = chat_aht.filter(|a| *a > 0.0).unwrap_or(300.0);
    let email = replies.map(|r| r.max(1.0) * 240.0).unwrap_or(480.0);
    let aht = match kind {
        Some("chat") => chat,
        Some(_) => email,
        None => {
            let total = (chat_n + async_n).max(1) as f64;
            (chat * chat_n as f64 + email * async_n as f64) / total
        }
    };
    Ok((aht.round(), target.unwrap_or(3600.0), kind.is_none_or(|k| k == "chat")))
}

/// Generates next week's roster (Monday 00:00 in `time_zone` starts it) for every active
/// agent, covering `required` agents per interval, and replaces the generated shifts of that
/// week; shifts placed by hand stay. Where agents may work depends on the support model:
/// follow-the-sun, each team's window in its own time zone; 24/7, any hour; remote, each
/// agent's own window in their own time zone. PostgreSQL converts local times,
/// daylight-saving changes included. Shifts: 8 hours with a 30-minute break, 11 hours' rest,
/// at most 5 a week, within contracted hours.
pub async fn generate_roster(
    pool: &PgPool,
    by: i64,
    time_zone: &str,
    interval_minutes: u32,
    required: &[u32],
    model: crate::domain::roster::SupportModel,
) -> Result<Coverage, AppError> {
    generate_roster_for(pool, by, time_zone, interval_minutes, required, 1, model).await
}

/// [`generate_roster`] for the week `weeks_ahead` from this one (0: this week).
pub async fn generate_roster_for(
    pool: &PgPool,
    by: i64,
    time_zone: &str,
    interval_minutes: u32,
    required: &[u32],
    weeks_ahead: u32,
    model: crate::domain::roster::SupportModel,
) -> Result<Coverage, AppError> {
    use crate::domain::roster::{self, AgentAvailability, Rules};
    super::check_zone(pool, time_zone).await?;
    if interval_minutes != 15 && interval_minutes != 30 {
        return Err(AppError::Invalid("Intervals are 15 or 30 minutes.".into()));
    }
    let n = (7 * 24 * 60 / interval_minutes) as usize;
    if required.len() != n || required.iter().any(|r| *r > 10_000) {
        return Err(AppError::Invalid(format!("Give the agents required for each of the week's {n} intervals.")));
    }
    let per_hour = 60 / interval_minutes;
    let rules = Rules { shift_intervals: 8 * per_hour, break_intervals: 30 / interval_minutes, rest_intervals: 11 * per_hour, max_shifts: 5 };

    // Per agent: availability per interval of the week from their team's window.
    let rows: Vec<(i64, i32, Vec<bool>)> = sqlx::query_as(
        "with w as (select (date_trunc('week', now() at time zone $1) + make_interval(days => 7 * $4)) at time zone $1 as start)
         select u.id, u.contract_hours,
                array_agg(case $5
                    when 'around_the_clock' then true
                    when 'remote' then
                        ((w.start + make_interval(mins => i * $2)) at time zone u.time_zone)::time >= coalesce(u.work_start, '08:00')
                        and ((w.start + make_interval(mins => i * $2)) at time zone u.time_zone)::time < coalesce(u.work_end, '20:00')
                    else
                        ((w.start + make_interval(mins => i * $2)) at time zone t.time_zone)::time >= t.work_start
                        and ((w.start + make_interval(mins => i * $2)) at time zone t.time_zone)::time < t.work_end
                    end order by i)
           from users u left join teams t on t.id = u.team_id, w, generate_series(0, $3 - 1) i
          where u.role = 'operator' and u.active and (t.id is not null or $5 <> 'follow_the_sun')
          group by u.id, u.contract_hours
          order by u.id",
    )
    .bind(time_zone)
    .bind(interval_minutes as i32)
    .bind(n as i32)
    .bind(weeks_ahead as i32)
    .bind(model.as_str())
    .fetch_all(pool)
    .await?;
    let agents: Vec<AgentAvailability> = rows
        .into_iter()
        .map(|(agent_id, hours, available)| AgentAvailability { agent_id, available, contracted_intervals: hours.max(0) as u32 * per_hour })
        .collect();
    let shifts = roster::generate(required, &agents, &rules);

    let mut tx = pool.begin().await?;
    let week_start: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select (date_trunc('week', now() at time zone $1) + make_interval(days => 7 * $2)) at time zone $1")
            .bind(time_zone)
            .bind(weeks_ahead as i32)
            .fetch_one(&mut *tx)
            .await?;
    let minutes = |k: u32| week_start + chrono::Duration::minutes(i64::from(k * interval_minutes));
    sqlx::query("delete from shifts where generated and starts_at >= $1 and starts_at < $2")
        .bind(week_start)
        .bind(minutes(n as u32))
        .execute(&mut *tx)
        .await?;
    let users: Vec<i64> = shifts.iter().map(|s| s.agent_id).collect();
    let starts: Vec<chrono::DateTime<chrono::Utc>> = shifts.iter().map(|s| minutes(s.start)).collect();
    let ends: Vec<chrono::DateTime<chrono::Utc>> = shifts.iter().map(|s| minutes(s.start + s.length)).collect();
    let breaks: Vec<chrono::DateTime<chrono::Utc>> = shifts.iter().map(|s| minutes(s.break_start)).collect();
    sqlx::query(
        "insert into shifts (user_id, starts_at, ends_at, break_starts_at, break_minutes, created_by)
         select u, s, e, b, $5, $6 from unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) as t(u, s, e, b)",
    )
    .bind(&users)
    .bind(&starts)
    .bind(&ends)
    .bind(&breaks)
    .bind((rules.break_intervals * interval_minutes) as i32)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let scheduled = roster::scheduled(&shifts, n);
    let mut agents_used = users.clone();
    agents_used.sort_unstable();
    agents_used.dedup();
    Ok(Coverage {
        shifts: shifts.len() as u32,
        agents: agents_used.len() as u32,
        short_intervals: scheduled.iter().zip(required).filter(|(s, r)| s < r).count() as u32,
        over_intervals: scheduled.iter().zip(required).filter(|(s, r)| s > r).count() as u32,
        agent_hours: shifts.iter().map(|s| f64::from(s.length * interval_minutes)).sum::<f64>() / 60.0,
        scheduled,
        required: required.to_vec(),
    })
}

/// Next week's Monday (`YYYY-MM-DD`) in `zone`.
pub async fn next_week_start(pool: &PgPool, zone: &str) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("select to_char(date_trunc('week', now() at time zone $1) + interval '7 days', 'YYYY-MM-DD')").bind(zone).fetch_one(pool).await
}
