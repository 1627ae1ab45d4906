//! Days and time zones as requests give them, checked with a sentence for the person.

use crate::error::AppError;

/// A day given as `YYYY-MM-DD` (a date-time is taken for its date); `what` names it in the
/// refusal ("the first day", "the week's Monday").
pub fn parse_day(s: &str, what: &str) -> Result<chrono::NaiveDate, AppError> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|_| AppError::Invalid(format!("Give {what} as YYYY-MM-DD.")))
}

/// Whole days `from`–`to` inclusive: in order, and at most `max_days` apart.
pub fn day_span(from: &str, to: &str, max_days: i64) -> Result<(chrono::NaiveDate, chrono::NaiveDate), AppError> {
    let (first, last) = (parse_day(from, "the first day")?, parse_day(to, "the last day")?);
    if first > last {
        return Err(AppError::Invalid("The period ends before it starts.".into()));
    }
    if (last - first).num_days() > max_days {
        return Err(AppError::Invalid(format!("Pick a period of at most {max_days} days.")));
    }
    Ok((first, last))
}

/// Checks a time-zone name against PostgreSQL's list.
pub async fn check_zone<'e, E: sqlx::PgExecutor<'e>>(db: E, zone: &str) -> Result<(), AppError> {
    let ok: bool = sqlx::query_scalar("select local_time_text($1) is not null").bind(zone).fetch_one(db).await?;
    if ok { Ok(()) } else { Err(AppError::Invalid(format!("“{zone}” is not a time zone PostgreSQL knows (e.g. Europe/Berlin)."))) }
}
