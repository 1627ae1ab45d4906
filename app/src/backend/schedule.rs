//! The schedule in PostgreSQL: shifts (by hand or generated), time off, holidays, swaps,
//! handovers, coverage and the calendar feed. Staffing plans are `backend::planning`;
//! the arithmetic is `domain::wfm`.

use crate::error::AppError;
use sqlx::PgPool;
use crate::model::wfm::{Handover, MyShift, Swap, TeamShift, TimeOff};
use crate::backend::constraints::{ConstraintExt, ViolationKind};

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
pub async fn shifts(pool: &PgPool, agent: Option<i64>, from: &str, to: &str) -> Result<Vec<crate::model::wfm::ShiftRow>, AppError> {
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
    Ok((start, on_floor(pool, start, n as usize, interval_minutes, None).await?))
}

/// Agents on shift and not on break in each of `intervals` intervals of `interval_minutes`
/// from `start`; only the agents of `team` when one is given.
pub async fn on_floor(pool: &PgPool, start: chrono::DateTime<chrono::Utc>, intervals: usize, interval_minutes: u32, team: Option<i64>) -> Result<Vec<u32>, sqlx::Error> {
    let step = i64::from(interval_minutes);
    let rows: Vec<(i64, i64, Option<i64>, i32)> = sqlx::query_as(
        "select extract(epoch from s.starts_at - $1)::bigint / 60, extract(epoch from s.ends_at - $1)::bigint / 60,
                extract(epoch from s.break_starts_at - $1)::bigint / 60, s.break_minutes
           from shifts s join users u on u.id = s.user_id
          where s.ends_at > $1 and s.starts_at < $1 + make_interval(mins => $2)
            and ($3::bigint is null or u.team_id = $3)",
    )
    .bind(start)
    .bind((intervals as i64 * step) as i32)
    .bind(team)
    .fetch_all(pool)
    .await?;
    let mut on = vec![0u32; intervals];
    for (s, e, b, bl) in rows {
        for (i, slot) in on.iter_mut().enumerate() {
            let t = i as i64 * step;
            let on_break = b.is_some_and(|b| t >= b && t < b + i64::from(bl));
            if t >= s && t < e && !on_break {
                *slot += 1;
            }
        }
    }
    Ok(on)
}

/// Shifts under way now (`now` true), or not over yet and starting within the next 8 days
/// (the ones under way first, so a manager can also end one early), in `time_zone`.
pub async fn team_shifts(pool: &PgPool, time_zone: &str, now: bool) -> Result<Vec<TeamShift>, AppError> {
    Ok(sqlx::query_as(
        "select s.id, u.name as agent, to_char(s.starts_at at time zone $1, 'Dy DD Mon HH24:MI') as starts,
                to_char(s.ends_at at time zone $1, 'HH24:MI') as ends, s.generated
           from shifts s join users u on u.id = s.user_id
          where case when $2 then s.starts_at <= now() and s.ends_at > now()
                     else s.ends_at > now() and s.starts_at < now() + interval '8 days' end
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
    use super::constraints::require;
    let mine = "select exists (select 1 from shifts where id = $1 and user_id = $2 and starts_at > now())";
    require(pool, mine, shift, me, AppError::NotFound("There is no such coming shift of yours.".into())).await?;
    let colleague = "select exists (select 1 from users where id = $1 and role = 'operator' and active and id <> $2)";
    require(pool, colleague, to, me, AppError::Invalid("Offer the shift to another active agent.".into())).await?;
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
