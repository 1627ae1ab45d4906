//! Teams' business hours and holidays on a real PostgreSQL: what an owner saves is what the
//! business-hours figures count, bad input writes nothing, and every change re-counts the
//! dialogues it affects.

mod common;

use app::backend::{rollup, teams};
use app::domain::access::Role;
use app::error::AppError;
use app::model::admin::TeamInput;
use common::*;
use sqlx::PgPool;

async fn queued(pool: &PgPool) -> Vec<i64> {
    sqlx::query_scalar("select conversation_id from rollup_queue order by 1").fetch_all(pool).await.unwrap()
}

#[sqlx::test]
async fn an_owner_sets_business_hours_and_holidays_that_the_figures_count(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Sofia Lindqvist", Role::SuperAdmin).await;
    let input = TeamInput {
        id: None,
        name: "  Asia   Pacific ".into(),
        region: "APAC".into(),
        time_zone: "Asia/Tokyo".into(),
        work_start: "9:00".into(),
        work_end: "18:00".into(),
        work_days: [true, true, true, true, true, true, false],
    };
    let team = teams::save(&pool, &owner, &input).await.unwrap();
    let id = dialogue(&pool).await;
    sqlx::query("update conversations set team_id = $1 where id = $2").bind(team).bind(id).execute(&pool).await.unwrap();
    rollup::drain(&pool).await.unwrap();

    let listed = teams::list(&pool).await.unwrap();
    let saved = listed.iter().find(|t| t.team.id == Some(team)).unwrap();
    assert_eq!((saved.team.name.as_str(), saved.team.work_start.as_str(), saved.team.work_end.as_str()), ("Asia Pacific", "09:00", "18:00"));
    assert_eq!(saved.summary, "Mon–Sat, 09:00–18:00");
    let mut conn = pool.acquire().await.unwrap();
    let hours = rollup::records(&mut conn, &[id], "UTC").await.unwrap().remove(&id).unwrap().hours;
    assert_eq!(hours.days, [true, true, true, true, true, true, false]);
    assert_eq!((hours.open_minute, hours.close_minute, hours.utc_offset_minutes), (540, 1080, 540));

    // Around the clock, every day: the team's dialogues are counted again.
    let every = TeamInput { id: Some(team), work_start: "00:00".into(), work_end: "24:00".into(), work_days: [true; 7], ..input.clone() };
    teams::save(&pool, &owner, &every).await.unwrap();
    assert_eq!(queued(&pool).await, vec![id]);
    let hours = rollup::records(&mut conn, &[id], "UTC").await.unwrap().remove(&id).unwrap().hours;
    assert_eq!((hours.days, hours.open_minute, hours.close_minute), ([true; 7], 0, 1440));
    rollup::drain(&pool).await.unwrap();

    // A holiday today closes the day for this team; deleting it opens it again.
    let today: String = sqlx::query_scalar("select to_char(current_date, 'YYYY-MM-DD')").fetch_one(&pool).await.unwrap();
    let holiday = teams::add_holiday(&pool, &owner, Some(team), &today, "Founders' Day", 0.4).await.unwrap();
    assert_eq!(queued(&pool).await, vec![id]);
    let closed = rollup::records(&mut conn, &[id], "UTC").await.unwrap().remove(&id).unwrap().hours.holidays;
    assert_eq!(closed.len(), 1);
    rollup::drain(&pool).await.unwrap();
    teams::delete_holiday(&pool, &owner, holiday).await.unwrap();
    assert_eq!(queued(&pool).await, vec![id]);
    assert!(matches!(teams::delete_holiday(&pool, &owner, holiday).await, Err(AppError::NotFound(_))));

    // Bad input is refused with a sentence and writes nothing.
    let before = (count(&pool, "teams").await, count(&pool, "audit_log").await);
    for bad in [
        TeamInput { time_zone: "Mars/Olympus".into(), ..every.clone() },
        TeamInput { work_start: "18:00".into(), work_end: "08:00".into(), ..every.clone() },
        TeamInput { work_start: "noon".into(), ..every.clone() },
        TeamInput { name: "   ".into(), ..every.clone() },
    ] {
        assert!(matches!(teams::save(&pool, &owner, &TeamInput { id: None, ..bad }).await, Err(AppError::Invalid(_))));
    }
    assert!(matches!(teams::save(&pool, &owner, &TeamInput { id: None, ..input.clone() }).await, Err(AppError::Conflict(_))));
    assert_eq!((count(&pool, "teams").await, count(&pool, "audit_log").await), before);
    let logged: i64 = sqlx::query_scalar("select count(*) from audit_log where target like 'team “Asia Pacific”' or target like 'holiday %'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(logged, 4);
}
