//! Workforce planning from the dialogue history in PostgreSQL: the demand heatmap, weekly
//! arrival history per interval, handling times per channel. The forecasting and staffing
//! arithmetic is `domain::wfm`.

use crate::domain::dialogue::ChannelKind;
use crate::domain::wfm;
use crate::error::AppError;
use sqlx::PgPool;
use crate::model::wfm::{BacktestWeek, Coverage, Handover, Holiday, MyShift, Planning, PlanningQuery, Swap, TeamShift, TimeOff};
use crate::backend::constraints::{ConstraintExt, ViolationKind};

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
    let week_start: String = sqlx::query_scalar("select to_char(date_trunc('week', now() at time zone $1) + interval '7 days', 'YYYY-MM-DD')")
        .bind(&q.time_zone)
        .fetch_one(pool)
        .await?;
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

/// Exponential smoothing weight of the newest week in the forecast's pattern.
pub const ALPHA: f64 = 0.5;

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

/// An agent's shifts from today on, in their own time zone.
pub async fn my_shifts(pool: &PgPool, user: i64, time_zone: &str) -> Result<Vec<MyShift>, AppError> {
    Ok(sqlx::query_as(
        "select id, to_char(starts_at at time zone $2, 'Dy DD Mon HH24:MI') as starts,
                to_char(ends_at at time zone $2, 'HH24:MI') as ends,
                (extract(epoch from ends_at - starts_at) / 3600)::float8 as hours, break_minutes
           from shifts where user_id = $1 and ends_at > now() order by starts_at limit 50",
    )
    .bind(user)
    .bind(time_zone)
    .fetch_all(pool)
    .await?)
}

/// A new private calendar-feed token for `user` (the old link stops working); only its
/// hash is stored, so the link is shown once.
pub async fn rotate_calendar_token(pool: &PgPool, user: i64) -> Result<String, AppError> {
    let token = super::random_token();
    sqlx::query(
        "insert into calendar_tokens (user_id, token_hash) values ($1, $2)
         on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now()",
    )
    .bind(user)
    .bind(super::sha256(&token))
    .execute(pool)
    .await?;
    Ok(token)
}

/// The iCalendar feed behind a calendar token: the agent's shifts from 30 days ago on.
/// `None` for an unknown token or an inactive user.
pub async fn calendar_feed(pool: &PgPool, token: &str) -> Result<Option<String>, AppError> {
    let user: Option<(i64, String)> = sqlx::query_as(
        "select u.id, u.name from calendar_tokens c join users u on u.id = c.user_id where c.token_hash = $1 and u.active",
    )
    .bind(super::sha256(token))
    .fetch_optional(pool)
    .await?;
    let Some((user, name)) = user else { return Ok(None) };
    let rows: Vec<(i64, String, String, i32)> = sqlx::query_as(
        "select id, to_char(starts_at at time zone 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), to_char(ends_at at time zone 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), break_minutes
           from shifts where user_id = $1 and ends_at > now() - interval '30 days' order by starts_at limit 500",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    let uids: Vec<String> = rows.iter().map(|r| format!("shift-{}@meridian", r.0)).collect();
    let summaries: Vec<String> = rows.iter().map(|r| format!("Meridian shift ({} min break)", r.3)).collect();
    let events: Vec<crate::domain::ical::Event> = rows
        .iter()
        .zip(uids.iter().zip(&summaries))
        .map(|(r, (uid, summary))| crate::domain::ical::Event { uid, starts_utc: &r.1, ends_utc: &r.2, summary })
        .collect();
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    Ok(Some(crate::domain::ical::calendar(&format!("{name} – shifts"), &now, &events)))
}

/// An agent asks for whole days off, `from`–`to` inclusive, in their time zone.
pub async fn request_time_off(pool: &PgPool, user: i64, time_zone: &str, from: &str, to: &str, reason: &str) -> Result<i64, AppError> {
    let (first, last) = super::day_span(from, to, 60)?;
    let reason = crate::domain::qa::clean_text(reason, 500, "The reason").map_err(AppError::Invalid)?;
    Ok(sqlx::query_scalar(
        "insert into time_off (user_id, starts_at, ends_at, reason)
         values ($1, $2::date::timestamp at time zone $4, ($3::date + 1)::timestamp at time zone $4, $5) returning id",
    )
    .bind(user)
    .bind(first)
    .bind(last)
    .bind(time_zone)
    .bind(&reason)
    .fetch_one(pool)
    .await?)
}

/// Time-off requests: an agent's own (`user`), or all pending ones (`None`), shown in `time_zone`.
pub async fn time_off(pool: &PgPool, user: Option<i64>, time_zone: &str) -> Result<Vec<TimeOff>, AppError> {
    Ok(sqlx::query_as(
        "select t.id, u.name as agent, to_char(t.starts_at at time zone $2, 'Dy DD Mon') as from,
                to_char(t.ends_at at time zone $2 - interval '1 second', 'Dy DD Mon') as to, t.reason, t.status
           from time_off t join users u on u.id = t.user_id
          where case when $1::bigint is null then t.status = 'pending' else t.user_id = $1 end
          order by t.starts_at limit 100",
    )
    .bind(user)
    .bind(time_zone)
    .fetch_all(pool)
    .await?)
}

/// A manager approves or rejects a pending request. Approval removes the agent's shifts in
/// that time, so the coverage shows the gap.
pub async fn decide_time_off(pool: &PgPool, by: i64, id: i64, approve: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let decided: Option<(i64, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "update time_off set status = $2, decided_by = $3, decided_at = now() where id = $1 and status = 'pending'
         returning user_id, starts_at, ends_at",
    )
    .bind(id)
    .bind(if approve { "approved" } else { "rejected" })
    .bind(by)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user, starts, ends)) = decided else {
        return Err(AppError::Conflict("That request is not waiting for a decision.".into()));
    };
    if approve {
        sqlx::query("delete from shifts where user_id = $1 and starts_at < $3 and ends_at > $2")
            .bind(user)
            .bind(starts)
            .bind(ends)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A manager adds a holiday (for one region's team, or every region with `team_id` none).
pub async fn add_holiday<'e, E: sqlx::PgExecutor<'e>>(db: E, day: &str, name: &str, team_id: Option<i64>, factor: f64) -> Result<i64, AppError> {
    let day = super::parse_day(day, "the day")?;
    let name = crate::domain::qa::clean_text(name, 120, "The name").map_err(AppError::Invalid)?;
    if name.is_empty() {
        return Err(AppError::Invalid("Name the holiday.".into()));
    }
    if !(0.0..=5.0).contains(&factor) || !factor.is_finite() {
        return Err(AppError::Invalid("The volume factor must be between 0 and 5 (0.5 = half the usual volume).".into()));
    }
    sqlx::query_scalar("insert into holidays (team_id, day, name, factor) values ($1, $2, $3, $4) returning id")
        .bind(team_id)
        .bind(day)
        .bind(&name)
        .bind(factor)
        .fetch_one(db)
        .await
        .on_violation(|v| {
            Some(match v.kind {
                ViolationKind::Unique => AppError::Conflict("That region already has a holiday on that day.".into()),
                ViolationKind::ForeignKey => AppError::Invalid("There is no such team.".into()),
            })
        })
}

/// Shifts starting in `[from, to)` (days, UTC), of one agent or all.
pub async fn shifts(pool: &PgPool, agent: Option<i64>, from: &str, to: &str) -> Result<Vec<ShiftRow>, AppError> {
    let (first, last) = super::day_span(from, to, 62)?;
    Ok(sqlx::query_as(
        "select s.id, s.user_id as agent_id, u.name as agent, s.starts_at, s.ends_at, s.break_minutes, s.generated
           from shifts s join users u on u.id = s.user_id
          where s.starts_at >= $1::date and s.starts_at < ($2::date + 1) and ($3::bigint is null or s.user_id = $3)
          order by s.starts_at, s.id limit 5000",
    )
    .bind(first)
    .bind(last)
    .bind(agent)
    .fetch_all(pool)
    .await?)
}

/// Agents working (on shift, not on break) per interval of the week that starts on the
/// Monday `week` (`YYYY-MM-DD`) in `time_zone`.
pub async fn coverage(pool: &PgPool, week: &str, time_zone: &str, interval_minutes: u32) -> Result<(chrono::DateTime<chrono::Utc>, Vec<u32>), AppError> {
    super::check_zone(pool, time_zone).await?;
    let monday = super::parse_day(week, "the week as the date of its Monday")?;
    if monday.format("%u").to_string() != "1" {
        return Err(AppError::Invalid("A week starts on a Monday.".into()));
    }
    if interval_minutes != 15 && interval_minutes != 30 {
        return Err(AppError::Invalid("Intervals are 15 or 30 minutes.".into()));
    }
    let n = 7 * 24 * 60 / interval_minutes as i64;
    let start: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select $1::date::timestamp at time zone $2").bind(monday).bind(time_zone).fetch_one(pool).await?;
    let rows: Vec<(i64, i64, Option<i64>, i32)> = sqlx::query_as(
        "select extract(epoch from starts_at - $1)::bigint / 60, extract(epoch from ends_at - $1)::bigint / 60,
                extract(epoch from break_starts_at - $1)::bigint / 60, break_minutes
           from shifts where ends_at > $1 and starts_at < $1 + make_interval(days => 7)",
    )
    .bind(start)
    .fetch_all(pool)
    .await?;
    let step = i64::from(interval_minutes);
    let mut on = vec![0u32; n as usize];
    for (s, e, b, bl) in rows {
        for (i, slot) in on.iter_mut().enumerate() {
            let t = i as i64 * step;
            let on_break = b.is_some_and(|b| t >= b && t < b + i64::from(bl));
            if t >= s && t < e && !on_break {
                *slot += 1;
            }
        }
    }
    Ok((start, on))
}

/// Shifts under way now (`now` true) or starting within the next 8 days, in `time_zone`.
pub async fn team_shifts(pool: &PgPool, time_zone: &str, now: bool) -> Result<Vec<TeamShift>, AppError> {
    Ok(sqlx::query_as(
        "select s.id, u.name as agent, to_char(s.starts_at at time zone $1, 'Dy DD Mon HH24:MI') as starts,
                to_char(s.ends_at at time zone $1, 'HH24:MI') as ends, s.generated
           from shifts s join users u on u.id = s.user_id
          where case when $2 then s.starts_at <= now() and s.ends_at > now()
                     else s.starts_at > now() and s.starts_at < now() + interval '8 days' end
          order by s.starts_at, u.name limit 1000",
    )
    .bind(time_zone)
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// A manager places a shift by hand: `day` and `start` (`HH:MM`) in `time_zone`, `hours` long
/// with a 30-minute break in the middle. Refused if it overlaps the agent's other shifts.
pub async fn add_shift(pool: &PgPool, by: i64, agent: i64, time_zone: &str, day: &str, start: &str, hours: f64) -> Result<i64, AppError> {
    let day = super::parse_day(day, "the day")?;
    let start = chrono::NaiveTime::parse_from_str(start.trim(), "%H:%M").map_err(|_| AppError::Invalid("Give the start as HH:MM.".into()))?;
    if !(1.0..=12.0).contains(&hours) {
        return Err(AppError::Invalid("A shift lasts between 1 and 12 hours.".into()));
    }
    let mut tx = pool.begin().await?;
    // The agent's row is the lock: two managers placing shifts for one agent take turns.
    let found: Option<i64> = sqlx::query_scalar("select id from users where id = $1 and role = 'operator' and active for update")
        .bind(agent)
        .fetch_optional(&mut *tx)
        .await?;
    found.ok_or_else(|| AppError::Invalid("Pick an active agent.".into()))?;
    let (starts, ends): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "select ($1::date + $2::time)::timestamp at time zone $3, ($1::date + $2::time)::timestamp at time zone $3 + make_interval(secs => $4)",
    )
    .bind(day)
    .bind(start)
    .bind(time_zone)
    .bind(hours * 3600.0)
    .fetch_one(&mut *tx)
    .await?;
    let overlaps: bool = sqlx::query_scalar("select exists (select 1 from shifts where user_id = $1 and starts_at < $3 and ends_at > $2)")
        .bind(agent)
        .bind(starts)
        .bind(ends)
        .fetch_one(&mut *tx)
        .await?;
    if overlaps {
        return Err(AppError::Conflict("That agent already has a shift then.".into()));
    }
    let break_minutes = if hours > 6.0 { 30 } else { 0 };
    let id = sqlx::query_scalar(
        "insert into shifts (user_id, starts_at, ends_at, break_starts_at, break_minutes, generated, created_by)
         values ($1, $2, $3, $2 + ($3 - $2) / 2 - make_interval(mins => $4 / 2), $4, false, $5) returning id",
    )
    .bind(agent)
    .bind(starts)
    .bind(ends)
    .bind(break_minutes)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_shift(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let done = sqlx::query("delete from shifts where id = $1").bind(id).execute(pool).await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("There is no such shift.".into()));
    }
    Ok(())
}

/// An agent offers one of their coming shifts to a colleague; a manager decides.
pub async fn offer_swap(pool: &PgPool, me: i64, shift: i64, to: i64) -> Result<i64, AppError> {
    let mine: bool = sqlx::query_scalar("select exists (select 1 from shifts where id = $1 and user_id = $2 and starts_at > now())")
        .bind(shift)
        .bind(me)
        .fetch_one(pool)
        .await?;
    if !mine {
        return Err(AppError::NotFound("There is no such coming shift of yours.".into()));
    }
    let colleague: bool = sqlx::query_scalar("select exists (select 1 from users where id = $1 and role = 'operator' and active and id <> $2)")
        .bind(to)
        .bind(me)
        .fetch_one(pool)
        .await?;
    if !colleague {
        return Err(AppError::Invalid("Offer the shift to another active agent.".into()));
    }
    sqlx::query_scalar("insert into shift_swaps (shift_id, from_user, to_user) values ($1, $2, $3) returning id")
        .bind(shift)
        .bind(me)
        .bind(to)
        .fetch_one(pool)
        .await
        .on_unique(|| "That shift is already offered.".into())
}

/// A manager approves (the shift changes hands, kept as placed by hand so a new roster
/// does not undo it) or rejects a swap. Refused if the colleague is busy then.
pub async fn decide_swap(pool: &PgPool, by: i64, id: i64, approve: bool) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let swap: Option<(i64, i64)> = sqlx::query_as(
        "update shift_swaps set status = $2, decided_by = $3, decided_at = now() where id = $1 and status = 'pending' returning shift_id, to_user",
    )
    .bind(id)
    .bind(if approve { "approved" } else { "rejected" })
    .bind(by)
    .fetch_optional(&mut *tx)
    .await?;
    let (shift, to) = swap.ok_or_else(|| AppError::Conflict("That swap is not waiting for a decision.".into()))?;
    if approve {
        // The colleague's row is the lock, as when a shift is placed by hand.
        sqlx::query("select id from users where id = $1 for update").bind(to).execute(&mut *tx).await?;
        let busy: bool = sqlx::query_scalar(
            "select exists (select 1 from shifts o join shifts s on s.id = $1
                             where o.user_id = $2 and o.starts_at < s.ends_at and o.ends_at > s.starts_at)",
        )
        .bind(shift)
        .bind(to)
        .fetch_one(&mut *tx)
        .await?;
        if busy {
            return Err(AppError::Conflict("The colleague already has a shift then.".into()));
        }
        sqlx::query("update shifts set user_id = $2, generated = false where id = $1").bind(shift).bind(to).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Swaps offered by `user` (or, with `None`, all pending ones), shifts shown in `time_zone`.
pub async fn swaps(pool: &PgPool, user: Option<i64>, time_zone: &str) -> Result<Vec<Swap>, AppError> {
    Ok(sqlx::query_as(
        "select w.id, f.name as from_agent, t.name as to_agent, to_char(s.starts_at at time zone $2, 'Dy DD Mon HH24:MI') as shift, w.status
           from shift_swaps w join shifts s on s.id = w.shift_id join users f on f.id = w.from_user join users t on t.id = w.to_user
          where case when $1::bigint is null then w.status = 'pending' else w.from_user = $1 or w.to_user = $1 end
          order by w.created_at desc limit 50",
    )
    .bind(user)
    .bind(time_zone)
    .fetch_all(pool)
    .await?)
}

/// The hand-over note of `user`'s region (team), if they have one.
pub async fn handover(pool: &PgPool, user: i64, time_zone: &str) -> Result<Option<Handover>, AppError> {
    Ok(sqlx::query_as(
        "select t.name as team, coalesce(h.body, '') as body, w.name as updated_by,
                to_char(h.updated_at at time zone $2, 'Dy DD Mon HH24:MI') as updated
           from users u join teams t on t.id = u.team_id
           left join handover_notes h on h.team_id = t.id left join users w on w.id = h.updated_by
          where u.id = $1",
    )
    .bind(user)
    .bind(time_zone)
    .fetch_optional(pool)
    .await?)
}

/// Anyone in a region writes its hand-over note for the next shift.
pub async fn save_handover(pool: &PgPool, user: i64, body: &str) -> Result<(), AppError> {
    let body = crate::domain::qa::clean_text(body, 4000, "The note").map_err(AppError::Invalid)?;
    let done = sqlx::query(
        "insert into handover_notes (team_id, body, updated_by)
         select team_id, $2, id from users where id = $1 and team_id is not null
         on conflict (team_id) do update set body = excluded.body, updated_by = excluded.updated_by, updated_at = now()",
    )
    .bind(user)
    .bind(&body)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Invalid("You are not in a region with a hand-over note.".into()));
    }
    Ok(())
}

/// Next week's Monday (`YYYY-MM-DD`) in `zone`.
pub async fn next_week_start(pool: &PgPool, zone: &str) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("select to_char(date_trunc('week', now() at time zone $1) + interval '7 days', 'YYYY-MM-DD')").bind(zone).fetch_one(pool).await
}


/// A shift as the API lists it (server-only: its times are chrono values).
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
