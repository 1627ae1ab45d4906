//! Teams' business hours and holidays in PostgreSQL (owners set them at `/admin/teams`).
//! A change re-counts the affected dialogues' business-hours figures: they go to the
//! rollup queue, which every server process works through in the background.

use crate::model::user::CurrentUser;
use crate::domain::audit::AuditAction;
use crate::domain::team::{self, describe_days, format_clock};
use crate::error::AppError;
use crate::model::admin::{TeamHoliday, TeamInput, TeamSettings};
use sqlx::{PgConnection, PgPool};
use crate::backend::constraints::ConstraintExt;

pub async fn list(pool: &PgPool) -> Result<Vec<TeamSettings>, AppError> {
    let rows: Vec<(i64, String, String, String, i64, i64, i16, i64)> = sqlx::query_as(
        "select t.id, t.name, t.region, t.time_zone, extract(epoch from t.work_start)::int8 / 60, extract(epoch from t.work_end)::int8 / 60,
                t.work_days, (select count(*) from users u where u.team_id = t.id and u.active)
           from teams t order by t.name",
    )
    .fetch_all(pool)
    .await?;
    let holidays: Vec<(i64, Option<i64>, String, String, f64)> = sqlx::query_as(
        "select id, team_id, to_char(day, 'YYYY-MM-DD'), name, factor from holidays
          where day >= current_date - 31 order by day, id",
    )
    .fetch_all(pool)
    .await?;
    let for_team = |team: Option<i64>| {
        holidays
            .iter()
            .filter(|h| h.1 == team)
            .map(|(id, _, day, name, factor)| TeamHoliday { id: *id, day: day.clone(), name: name.clone(), factor: *factor })
            .collect::<Vec<_>>()
    };
    let mut teams: Vec<TeamSettings> = rows
        .into_iter()
        .map(|(id, name, region, time_zone, start, end, mask, members)| TeamSettings {
            team: TeamInput {
                id: Some(id),
                name,
                region,
                time_zone,
                work_start: format_clock(start),
                work_end: format_clock(end),
                work_days: team::days_from_mask(mask),
            },
            summary: format!("{}, {}–{}", describe_days(team::days_from_mask(mask)), format_clock(start), format_clock(end)),
            members,
            holidays: for_team(Some(id)),
        })
        .collect();
    // Holidays of every region, as a pseudo-team without settings.
    let every = TeamInput { name: "Every region".into(), ..TeamInput::default() };
    teams.push(TeamSettings { team: every, holidays: for_team(None), ..TeamSettings::default() });
    Ok(teams)
}

/// Creates (no id) or changes a team's name, region, time zone and business hours.
pub async fn save(pool: &PgPool, by: &CurrentUser, input: &TeamInput) -> Result<i64, AppError> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid("Give the team a name of at most 100 characters.".into()));
    }
    let region = input.region.trim();
    if region.chars().count() > 100 {
        return Err(AppError::Invalid("Keep the region under 100 characters.".into()));
    }
    let (start, end) = team::window(&input.work_start, &input.work_end).map_err(AppError::Invalid)?;
    let zone = input.time_zone.trim();
    super::check_zone(pool, zone).await?;
    let mask = team::mask_from_days(input.work_days);
    let mut tx = pool.begin().await?;
    let saved: Option<i64> = match input.id {
        None => sqlx::query_scalar(
            "insert into teams (name, region, time_zone, work_start, work_end, work_days) values ($1, $2, $3, $4::time, $5::time, $6) returning id",
        ),
        Some(_) => sqlx::query_scalar(
            "update teams set name = $1, region = $2, time_zone = $3, work_start = $4::time, work_end = $5::time, work_days = $6
              where id = $7 returning id",
        ),
    }
    .bind(&name)
    .bind(region)
    .bind(zone)
    .bind(format_clock(start))
    .bind(format_clock(end))
    .bind(mask)
    .bind(input.id)
    .fetch_optional(&mut *tx)
    .await
    .on_unique(|| format!("There is already a team called “{name}”."))?;
    let id = saved.ok_or_else(|| AppError::NotFound("There is no such team.".into()))?;
    if input.id.is_some() {
        recount(&mut tx, Some(id), None).await?;
    }
    let detail = format!("{}, {}, {}–{} {zone}", describe_days(input.work_days), region, format_clock(start), format_clock(end));
    super::audit::record(&mut *tx, Some(by.id), &super::audit::who(by), AuditAction::SettingChanged, &format!("team “{name}”"), &detail, &super::client_addr())
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a holiday (closed for business-hours figures; the forecast scales its volume), from
/// Admin or the staffing plan: one transaction with its re-count and its audit entry.
pub async fn add_holiday(pool: &PgPool, by: &CurrentUser, team_id: Option<i64>, day: &str, name: &str, factor: f64) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let id = super::schedule::add_holiday(&mut *tx, day, name, team_id, factor).await?;
    let day: chrono::NaiveDate = sqlx::query_scalar("select day from holidays where id = $1").bind(id).fetch_one(&mut *tx).await?;
    recount(&mut tx, team_id, Some(day)).await?;
    super::audit::record(&mut *tx, Some(by.id), &super::audit::who(by), AuditAction::SettingChanged, &format!("holiday {day}"), name.trim(), &super::client_addr())
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_holiday(pool: &PgPool, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let gone: Option<(Option<i64>, chrono::NaiveDate, String)> =
        sqlx::query_as("delete from holidays where id = $1 returning team_id, day, name").bind(id).fetch_optional(&mut *tx).await?;
    let Some((team_id, day, name)) = gone else {
        return Err(AppError::NotFound("There is no such holiday.".into()));
    };
    recount(&mut tx, team_id, Some(day)).await?;
    super::audit::record(&mut *tx, Some(by.id), &super::audit::who(by), AuditAction::Deleted, &format!("holiday {day}"), &name, &super::client_addr())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the dialogues whose business-hours figures a change can move: the team's (every
/// team's for `None`), and for a holiday only those created in the month before it up to
/// the day itself (a first response waits at most that long in practice).
async fn recount(tx: &mut PgConnection, team_id: Option<i64>, day: Option<chrono::NaiveDate>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into rollup_queue (conversation_id)
         select id from conversations
          where ($1::int8 is null or team_id = $1)
            and ($2::date is null or (created_at >= $2::date - 31 and created_at < $2::date + 1))
         on conflict do nothing",
    )
    .bind(team_id)
    .bind(day)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Every team's id and name, by name: what the team pickers offer.
pub async fn names<'e, E: sqlx::PgExecutor<'e>>(db: E) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("select id, name from teams order by name, id").fetch_all(db).await
}
