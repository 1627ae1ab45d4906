//! Planning on a real database: the heatmap and forecast come from the dialogues' own
//! history, in the chosen time zone; the Erlang C API answers the published example.

mod common;

use app::backend::{planning, schedule};
use app::domain::access::Role;
use app::model::wfm::PlanningQuery;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

const FOLLOW: app::domain::roster::SupportModel = app::domain::roster::SupportModel::FollowTheSun;

/// `n` chat dialogues created in each of the last `weeks` complete weeks (UTC), at
/// `weekday` (1 = Monday) and `hour`:`minute`.
async fn arrivals(pool: &PgPool, weeks: i32, weekday: i32, hour: i32, minute: i32, n: i32) {
    let id = dialogue(pool).await;
    let (channel, customer): (i64, i64) = sqlx::query_as("select channel_id, customer_id from conversations where id = $1").bind(id).fetch_one(pool).await.unwrap();
    sqlx::query(
        "insert into conversations (channel_id, customer_id, subject, created_at)
         select $1, $2, 'Order', date_trunc('week', now() at time zone 'UTC') at time zone 'UTC'
                - make_interval(weeks => w) + make_interval(days => $4 - 1, hours => $5, mins => $6)
           from generate_series(1, $3) w, generate_series(1, $7) k",
    )
    .bind(channel)
    .bind(customer)
    .bind(weeks)
    .bind(weekday)
    .bind(hour)
    .bind(minute)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
    // The helper's own dialogue was created now (this week): outside the history.
}

fn query(zone: &str) -> PlanningQuery {
    PlanningQuery { time_zone: zone.into(), channel: "chat".into(), team_id: None, weeks: 4, interval_minutes: 30 }
}

// Four weeks of Mondays at 10:15 (5 dialogues) and Wednesdays at 14:40 (2): the heatmap
// shows exactly that, and next week's forecast has the same shape and size.
#[sqlx::test]
async fn the_forecast_reproduces_the_weekly_pattern(pool: PgPool) {
    arrivals(&pool, 4, 1, 10, 15, 5).await;
    arrivals(&pool, 4, 3, 14, 40, 2).await;
    let p = planning::planning(&pool, &query("UTC")).await.unwrap();
    assert_eq!(p.history_total, 4 * 7);
    assert_eq!(p.heatmap[0][10], 20, "Mondays 10:00–11:00");
    assert_eq!(p.heatmap[2][14], 8, "Wednesdays 14:00–15:00");
    let monday_10 = 20; // slot of Monday 10:00–10:30 at 30-minute intervals
    let wednesday_14_30 = 2 * 48 + 29;
    assert!((p.next_week[monday_10] - 5.0).abs() < 1e-9, "{}", p.next_week[monday_10]);
    assert!((p.next_week[wednesday_14_30] - 2.0).abs() < 1e-9);
    assert!((p.next_week.iter().sum::<f64>() - 7.0).abs() < 1e-9);
    // A steady history is forecast exactly.
    assert_eq!(p.backtest.last().unwrap().mape_days, Some(0.0));
}

// The same arrivals seen from another time zone move to that zone's hours.
#[sqlx::test]
async fn hours_are_shown_in_the_chosen_time_zone(pool: PgPool) {
    arrivals(&pool, 3, 3, 12, 0, 1).await;
    // Asia/Singapore is UTC+8 all year: Wednesday 12:00 UTC is Wednesday 20:00 there.
    let p = planning::planning(&pool, &query("Asia/Singapore")).await.unwrap();
    assert!(p.heatmap[2][20] >= 2, "{:?}", p.heatmap[2]);
    assert_eq!(p.heatmap[2][12], 0);
    assert!(matches!(planning::planning(&pool, &query("Mars/Olympus")).await, Err(app::error::AppError::Invalid(_))));
    assert!(matches!(
        planning::planning(&pool, &PlanningQuery { interval_minutes: 20, ..query("UTC") }).await,
        Err(app::error::AppError::Invalid(_))
    ));
}

// The API answers the published Erlang C example and refuses nonsense with a sentence.
#[sqlx::test]
async fn the_erlang_c_api_answers_the_worked_example(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = app::backend::tokens::create(&pool, manager, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    let body = r#"{"arrivals": 100, "interval_seconds": 1800, "aht_seconds": 180, "target_service_level": 0.8,
                   "target_answer_seconds": 20, "shrinkage": 0.3, "max_occupancy": 1.0, "concurrency": 1}"#;
    let res = api_post(&app, "/api/v1/wfm/erlang-c", Some(&token), body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let s = res.json();
    assert_eq!(s["agents"], 14);
    assert_eq!(s["scheduled_agents"], 20);
    assert!((s["service_level"].as_f64().unwrap() - 0.8884).abs() < 1e-3);
    for bad in [r#"{"arrivals": -1}"#, r#"{"arrivals": 10, "shrinkage": 1.5}"#, r#"{"arrivals": 10, "concurrency": 0}"#, "nope"] {
        let res = api_post(&app, "/api/v1/wfm/erlang-c", Some(&token), bad).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.json()["error"].is_string());
    }
    let res = api_get(&app, "/api/v1/wfm/forecast?channel=chat&weeks=4", Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = res.json();
    assert_eq!(body["next_week"].as_array().unwrap().len(), 336);
    assert_eq!(body["slots"].as_array().unwrap().len(), 672, "this week and next");
    // One day of slots: next Monday's 48 half-hours.
    let monday = body["next_week_start"].as_str().unwrap().to_string();
    let res = api_get(&app, &format!("/api/v1/wfm/forecast?from={monday}&to={monday}"), Some(&token)).await;
    let slots = res.json()["slots"].as_array().unwrap().clone();
    assert_eq!(slots.len(), 48);
    assert_eq!(slots[0]["start"], format!("{monday}T00:00"));
    assert_eq!(api_get(&app, "/api/v1/wfm/forecast?from=soon", Some(&token)).await.status, StatusCode::BAD_REQUEST);
}

// A follow-the-sun roster: each region's agents work inside its own daytime, within their
// contracts and rest rules; what no region can cover shows as a gap; agents read their
// shifts in their own time zone.
#[sqlx::test]
async fn a_generated_roster_respects_regions_contracts_and_rest(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    for (team, zone) in [("Europe", "Europe/Berlin"), ("Asia-Pacific", "Asia/Singapore")] {
        let team_id: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ($1, $1, $2) returning id")
            .bind(team)
            .bind(zone)
            .fetch_one(&pool)
            .await
            .unwrap();
        for k in 0..3 {
            let id = user(&pool, &format!("{k}.{team}@meridian.test").to_lowercase(), Role::Operator).await;
            sqlx::query("update users set team_id = $2, time_zone = $3, contract_hours = 32 where id = $1")
                .bind(id)
                .bind(team_id)
                .bind(zone)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    let required = vec![1u32; 336];
    let c = planning::generate_roster(&pool, manager, "UTC", 30, &required, FOLLOW).await.unwrap();
    assert!(c.shifts > 0);
    assert!(c.short_intervals > 0, "nobody covers the hours between the regions' windows");

    // Every shift: 8 real hours, inside its team's 08:00–20:00 local window.
    let outside: i64 = sqlx::query_scalar(
        "select count(*) from shifts s join users u on u.id = s.user_id join teams t on t.id = u.team_id
          where (s.starts_at at time zone t.time_zone)::time < t.work_start
             or (s.ends_at at time zone t.time_zone)::time > t.work_end
             or s.ends_at - s.starts_at <> interval '8 hours'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(outside, 0);
    // Within contracts (32 h = 4 shifts) and with 11 hours' rest between shifts.
    let over: i64 = sqlx::query_scalar("select count(*) from (select user_id from shifts group by user_id having count(*) > 4) x")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(over, 0);
    let unrested: i64 = sqlx::query_scalar(
        "select count(*) from shifts a join shifts b on a.user_id = b.user_id and a.id <> b.id
          where b.starts_at >= a.starts_at and b.starts_at < a.ends_at + interval '11 hours'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unrested, 0);

    // Running it again replaces the generated shifts rather than adding to them.
    let again = planning::generate_roster(&pool, manager, "UTC", 30, &required, FOLLOW).await.unwrap();
    assert_eq!(count(&pool, "shifts").await, i64::from(again.shifts));

    // An agent in Singapore reads a shift starting at 08:00 or later, their time.
    let agent: i64 = sqlx::query_scalar("select user_id from shifts s join users u on u.id = s.user_id where u.time_zone = 'Asia/Singapore' limit 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mine = schedule::my_shifts(&pool, agent, "Asia/Singapore").await.unwrap();
    assert!(!mine.is_empty());
    let hour: u32 = mine[0].starts[11..13].parse().unwrap();
    assert!((8..=12).contains(&hour), "{}", mine[0].starts);
    assert_eq!(mine[0].hours, 8.0);

    assert!(matches!(planning::generate_roster(&pool, manager, "UTC", 30, &[1; 10], FOLLOW).await, Err(app::error::AppError::Invalid(_))));
}

async fn agent_with_shift(pool: &PgPool) -> (i64, i64) {
    let agent = user(pool, "agent@meridian.test", Role::Operator).await;
    let shift: i64 = sqlx::query_scalar(
        "insert into shifts (user_id, starts_at, ends_at, break_minutes)
         values ($1, date_trunc('day', now()) + interval '2 days 8 hours', date_trunc('day', now()) + interval '2 days 16 hours', 30) returning id",
    )
    .bind(agent)
    .fetch_one(pool)
    .await
    .unwrap();
    (agent, shift)
}

// The calendar feed serves the agent's shifts to whoever holds the private link, and
// stops when the link is replaced.
#[sqlx::test]
async fn the_calendar_feed_follows_its_private_link(pool: PgPool) {
    let (agent, shift) = agent_with_shift(&pool).await;
    let app = app(&pool);
    let token = schedule::rotate_calendar_token(&pool, agent).await.unwrap();
    let res = page(&app, &format!("/calendar/{token}.ics"), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert!(res.body.contains(&format!("UID:shift-{shift}@meridian")), "{}", res.body);
    assert!(res.body.contains("T080000Z\r\nDTEND:") || res.body.contains("DTSTART:"));

    let newer = schedule::rotate_calendar_token(&pool, agent).await.unwrap();
    assert_eq!(page(&app, &format!("/calendar/{token}.ics"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(page(&app, &format!("/calendar/{newer}.ics"), None).await.status, StatusCode::OK);
    assert_eq!(page(&app, "/calendar/made-up.ics", None).await.status, StatusCode::NOT_FOUND);
}

// Approved time off takes the agent's shifts in that time out of the roster (a gap the
// coverage shows); a rejected request changes nothing; a request is decided once.
#[sqlx::test]
async fn approved_time_off_shows_as_a_gap(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (agent, _) = agent_with_shift(&pool).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let rejected = schedule::request_time_off(&pool, agent, "UTC", &day, &day, "Dentist").await.unwrap();
    schedule::decide_time_off(&pool, manager, rejected, false).await.unwrap();
    assert_eq!(count(&pool, "shifts").await, 1);
    let approved = schedule::request_time_off(&pool, agent, "UTC", &day, &day, "Dentist").await.unwrap();
    assert_eq!(schedule::time_off(&pool, None, "UTC").await.unwrap().len(), 1, "one request waits");
    schedule::decide_time_off(&pool, manager, approved, true).await.unwrap();
    assert_eq!(count(&pool, "shifts").await, 0, "the shift that day is gone");
    assert!(matches!(schedule::decide_time_off(&pool, manager, approved, false).await, Err(app::error::AppError::Conflict(_))));
    assert!(matches!(schedule::request_time_off(&pool, agent, "UTC", &day, "2000-01-01", "").await, Err(app::error::AppError::Invalid(_))));
}

// The shifts and coverage routes: an agent reads only their own shifts; coverage counts
// who works each interval, breaks excluded.
#[sqlx::test]
async fn the_shifts_and_coverage_api(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (agent, shift) = agent_with_shift(&pool).await;
    let other = user(&pool, "other@meridian.test", Role::Operator).await;
    let app = app(&pool);
    let (_, agent_token) = app::backend::tokens::create(&pool, agent, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let (_, manager_token) = app::backend::tokens::create(&pool, manager, "t", &app::backend::tokens::Grant::default()).await.unwrap();

    let mine = api_get(&app, "/api/v1/wfm/shifts", Some(&agent_token)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.json()["items"][0]["id"], shift);
    assert_eq!(api_get(&app, &format!("/api/v1/wfm/shifts?agent={other}"), Some(&agent_token)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api_get(&app, "/api/v1/wfm/shifts?from=someday", Some(&manager_token)).await.status, StatusCode::BAD_REQUEST);

    // The shift: 8 hours in two days' time, its 30-minute break four hours in.
    sqlx::query("update shifts set break_starts_at = starts_at + interval '4 hours'").execute(&pool).await.unwrap();
    let monday: String = sqlx::query_scalar("select to_char(date_trunc('week', date_trunc('day', now()) + interval '2 days'), 'YYYY-MM-DD')")
        .fetch_one(&pool)
        .await
        .unwrap();
    let res = api_get(&app, &format!("/api/v1/wfm/coverage?week={monday}&zone=UTC&interval=30"), Some(&manager_token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let working: u64 = res.json()["scheduled"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(working, 15, "16 half-hours on shift, one of them on break");
    let tuesday = api_get(&app, "/api/v1/wfm/coverage?week=2026-11-24", Some(&manager_token)).await;
    assert_eq!(tuesday.status, StatusCode::BAD_REQUEST);
}

// A holiday next week scales its day's forecast; other regions' holidays do not touch the
// all-teams plan.
#[sqlx::test]
async fn a_holiday_lowers_its_days_forecast(pool: PgPool) {
    arrivals(&pool, 4, 1, 10, 15, 4).await;
    let before = planning::planning(&pool, &query("UTC")).await.unwrap().next_week[20];
    assert!((before - 4.0).abs() < 1e-9);
    let monday: String = sqlx::query_scalar("select to_char(date_trunc('week', now() at time zone 'UTC') + interval '7 days', 'YYYY-MM-DD')")
        .fetch_one(&pool)
        .await
        .unwrap();
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Americas', 'AMER', 'America/New_York') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    schedule::add_holiday(&pool, &monday, "Regional day", Some(team), 0.1).await.unwrap();
    assert_eq!(planning::planning(&pool, &query("UTC")).await.unwrap().next_week[20], before, "another region's holiday");
    schedule::add_holiday(&pool, &monday, "Founders' Day", None, 0.5).await.unwrap();
    let p = planning::planning(&pool, &query("UTC")).await.unwrap();
    assert!((p.next_week[20] - 2.0).abs() < 1e-9);
    assert!(p.holidays.iter().any(|h| h.name == "Founders' Day" && h.next_week_day == Some(0)));
    assert!(matches!(schedule::add_holiday(&pool, &monday, "Again", None, 0.5).await, Err(app::error::AppError::Conflict(_))));
    assert!(matches!(schedule::add_holiday(&pool, &monday, "Too much", Some(team), 9.0).await, Err(app::error::AppError::Invalid(_))));
}

// 24/7 covers the night that follow-the-sun leaves open; remote agents work their own hours.
#[sqlx::test]
async fn the_support_models_decide_where_shifts_may_fall(pool: PgPool) {
    use app::domain::roster::SupportModel;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'UTC') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    for k in 0..6 {
        let id = user(&pool, &format!("night{k}@meridian.test"), Role::Operator).await;
        sqlx::query("update users set team_id = $2, time_zone = 'UTC' where id = $1").bind(id).bind(team).execute(&pool).await.unwrap();
    }
    // One agent needed at 03:00–04:00 UTC every day, nothing else.
    let required: Vec<u32> = (0..336).map(|i| u32::from(i % 48 == 6 || i % 48 == 7)).collect();
    let sun = planning::generate_roster(&pool, manager, "UTC", 30, &required, SupportModel::FollowTheSun).await.unwrap();
    assert_eq!((sun.shifts, sun.short_intervals), (0, 14), "08:00–20:00 windows cannot cover 03:00");
    let clock = planning::generate_roster(&pool, manager, "UTC", 30, &required, SupportModel::AroundTheClock).await.unwrap();
    assert_eq!(clock.short_intervals, 0);
    assert_eq!(clock.shifts, 7, "one shift a night");
    // Remote: one agent works nights by their own hours.
    sqlx::query("update users set work_start = '00:00', work_end = '12:00' where email = 'night0@meridian.test'").execute(&pool).await.unwrap();
    let remote = planning::generate_roster(&pool, manager, "UTC", 30, &required, SupportModel::Remote).await.unwrap();
    assert_eq!(remote.agents, 1);
    assert_eq!(remote.short_intervals, 4, "one agent, five shifts a week: two nights stay open");
}

// A manager places a shift by hand in their own time zone; overlaps are refused; "on shift
// now" lists whoever is working at this moment.
#[sqlx::test]
async fn shifts_placed_by_hand_and_who_is_on_shift_now(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (agent, _) = agent_with_shift(&pool).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
    let id = schedule::add_shift(&pool, manager, agent, "Asia/Singapore", &day, "09:00", 8.0).await.unwrap();
    let (starts_utc, length): (String, f64) = sqlx::query_as(
        "select to_char(starts_at at time zone 'UTC', 'HH24:MI'), (extract(epoch from ends_at - starts_at) / 3600)::float8 from shifts where id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((starts_utc.as_str(), length), ("01:00", 8.0), "09:00 in Singapore is 01:00 UTC");
    assert!(matches!(
        schedule::add_shift(&pool, manager, agent, "Asia/Singapore", &day, "12:00", 4.0).await,
        Err(app::error::AppError::Conflict(_))
    ));
    assert!(matches!(schedule::add_shift(&pool, manager, agent, "UTC", &day, "25:00", 4.0).await, Err(app::error::AppError::Invalid(_))));

    assert!(schedule::team_shifts(&pool, "UTC", true).await.unwrap().is_empty());
    sqlx::query("insert into shifts (user_id, starts_at, ends_at) values ($1, now() - interval '1 hour', now() + interval '7 hours')")
        .bind(agent)
        .execute(&pool)
        .await
        .unwrap();
    let now = schedule::team_shifts(&pool, "UTC", true).await.unwrap();
    assert_eq!(now.len(), 1);
    schedule::delete_shift(&pool, now[0].id).await.unwrap();
    assert!(schedule::team_shifts(&pool, "UTC", true).await.unwrap().is_empty());
}

// A shift across a daylight-saving change keeps its real length: 8 hours from midnight in
// Berlin on the night clocks go forward end at 09:00 local, not 08:00.
#[sqlx::test]
async fn a_shift_across_a_dst_change_has_the_right_length(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = schedule::add_shift(&pool, manager, agent, "Europe/Berlin", "2027-03-28", "00:00", 8.0).await.unwrap();
    let (hours, local_end): (f64, String) = sqlx::query_as(
        "select (extract(epoch from ends_at - starts_at) / 3600)::float8, to_char(ends_at at time zone 'Europe/Berlin', 'HH24:MI')
           from shifts where id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((hours, local_end.as_str()), (8.0, "09:00"));
    // And in autumn, when clocks go back, it ends at 07:00 local.
    let id = schedule::add_shift(&pool, manager, agent, "Europe/Berlin", "2027-10-31", "00:00", 8.0).await.unwrap();
    let local_end: String = sqlx::query_scalar("select to_char(ends_at at time zone 'Europe/Berlin', 'HH24:MI') from shifts where id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(local_end, "07:00");
}

// An agent offers a shift to a colleague; the manager approves and the shift changes hands,
// unless the colleague is busy then. A region's hand-over note is shared by its agents.
#[sqlx::test]
async fn swaps_change_hands_with_approval_and_regions_share_a_hand_over_note(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (alex, shift) = agent_with_shift(&pool).await;
    let lena = user(&pool, "lena@meridian.test", Role::Operator).await;
    assert!(matches!(schedule::offer_swap(&pool, lena, shift, alex).await, Err(app::error::AppError::NotFound(_))), "not Lena's shift");
    let swap = schedule::offer_swap(&pool, alex, shift, lena).await.unwrap();
    assert!(matches!(schedule::offer_swap(&pool, alex, shift, lena).await, Err(app::error::AppError::Conflict(_))));
    schedule::decide_swap(&pool, manager, swap, true).await.unwrap();
    let owner: i64 = sqlx::query_scalar("select user_id from shifts where id = $1").bind(shift).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, lena);

    // Back to Alex, but Alex now has another shift at that time: refused, nothing changes.
    sqlx::query("insert into shifts (user_id, starts_at, ends_at) select $1, starts_at + interval '1 hour', ends_at from shifts where id = $2")
        .bind(alex)
        .bind(shift)
        .execute(&pool)
        .await
        .unwrap();
    let back = schedule::offer_swap(&pool, lena, shift, alex).await.unwrap();
    assert!(matches!(schedule::decide_swap(&pool, manager, back, true).await, Err(app::error::AppError::Conflict(_))));
    let owner: i64 = sqlx::query_scalar("select user_id from shifts where id = $1").bind(shift).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, lena);

    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("update users set team_id = $1 where id = any($2)").bind(team).bind(vec![alex, lena]).execute(&pool).await.unwrap();
    schedule::save_handover(&pool, alex, "Outage on card payments; ticket 4711 waits for a callback.").await.unwrap();
    let note = schedule::handover(&pool, lena, "UTC").await.unwrap().unwrap();
    assert!(note.body.contains("ticket 4711"));
    assert_eq!(note.updated_by.as_deref(), Some("Test User"));
    assert!(matches!(schedule::save_handover(&pool, manager, "x").await, Err(app::error::AppError::Invalid(_))), "the manager is in no region here");
}

// Reports read the schedule: who is on shift now, hours scheduled in the last week, and
// how many of an agent's replies were sent while on shift.
#[sqlx::test]
async fn reports_show_each_agent_beside_their_schedule(pool: PgPool) {
    let on = user(&pool, "on.shift@meridian.test", Role::Operator).await;
    let off = user(&pool, "off.shift@meridian.test", Role::Operator).await;
    // On shift from two hours ago for eight hours (30-minute break); a finished 8-hour shift two days ago.
    sqlx::query(
        "insert into shifts (user_id, starts_at, ends_at, break_minutes, generated) values
            ($1, now() - interval '2 hours', now() + interval '6 hours', 30, false),
            ($1, now() - interval '50 hours', now() - interval '42 hours', 30, false)",
    )
    .bind(on)
    .execute(&pool)
    .await
    .unwrap();
    let id = dialogue(&pool).await;
    // Two replies on shift, one off shift (a day ago); the other agent has no shifts.
    sqlx::query(
        "insert into messages (conversation_id, author_kind, author_user_id, body, created_at) values
            ($1, 'agent', $2, 'a', now() - interval '1 hour'), ($1, 'agent', $2, 'b', now() - interval '45 hours'),
            ($1, 'agent', $2, 'c', now() - interval '24 hours'), ($1, 'agent', $3, 'd', now() - interval '3 hours')",
    )
    .bind(id)
    .bind(on)
    .bind(off)
    .execute(&pool)
    .await
    .unwrap();
    let agents = app::backend::reports::agents_week(&pool, "UTC").await.unwrap();
    let row = |uid: i64| agents.iter().find(|a| a.id == uid).unwrap().clone();
    let (a, b) = (row(on), row(off));
    assert!(a.on_shift_until.is_some());
    assert_eq!(b.on_shift_until, None);
    // 7.5 h of the finished shift (break inside the week) + 2 h of the current one so far.
    assert!((a.scheduled_hours - 9.5).abs() < 0.01, "{}", a.scheduled_hours);
    assert_eq!((a.replies, a.replies_on_shift), (3, 2));
    assert_eq!((b.replies, b.replies_on_shift, b.scheduled_hours), (1, 0, 0.0));
    // Those on shift now come first.
    assert_eq!(agents.first().map(|x| x.id), Some(on));
}

/// A team, its chat policy (first response within 2 minutes) and `agents` agents in it.
async fn chat_team(pool: &PgPool, agents: usize) -> (i64, Vec<i64>) {
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(pool)
        .await
        .unwrap();
    let owner = member(pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let conditions = app::domain::sla::Conditions { channel_kind: Some(app::domain::dialogue::ChannelKind::Chat), team_id: Some(team), ..Default::default() };
    let input = app::model::sla::SlaPolicyInput {
        name: "Europe chat".into(),
        conditions,
        business_hours: false,
        warn_minutes: 1,
        escalation: app::domain::sla::Escalation::RaisePriority,
        targets: vec![app::domain::sla::Target { priority: app::domain::dialogue::Priority::Normal, metric: app::domain::sla::Metric::FirstResponse, minutes: 2 }],
    };
    app::backend::sla::save(pool, &owner, None, &input).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..agents {
        let id = user(pool, &format!("agent{i}@meridian.test"), Role::Operator).await;
        sqlx::query("update users set team_id = $1 where id = $2").bind(team).bind(id).execute(pool).await.unwrap();
        ids.push(id);
    }
    (team, ids)
}

/// `n` chats of `team` at `local` (e.g. '12:15') on today's weekday in each of the last
/// `weeks` weeks, in `zone`.
async fn team_history(pool: &PgPool, team: i64, zone: &str, weeks: i32, local: &str, n: i32) {
    let (channel, customer): (i64, i64) = {
        let id = dialogue(pool).await;
        sqlx::query("update conversations set team_id = $2, created_at = now() - interval '60 days' where id = $1").bind(id).bind(team).execute(pool).await.unwrap();
        sqlx::query_as("select channel_id, customer_id from conversations where id = $1").bind(id).fetch_one(pool).await.unwrap()
    };
    sqlx::query(
        "insert into conversations (channel_id, customer_id, team_id, subject, created_at)
         select $1, $2, $3, 'Order', (date_trunc('day', now() at time zone $4) - make_interval(weeks => w) + $5::time) at time zone $4
           from generate_series(1, $6) w, generate_series(1, $7) k",
    )
    .bind(channel)
    .bind(customer)
    .bind(team)
    .bind(zone)
    .bind(local)
    .bind(weeks)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
}

// Next week's roster against the chat policy: 20 chats forecast on Monday 10:00–10:30 are
// short with one agent on shift and kept with five; the quiet intervals keep the promise.
#[sqlx::test]
async fn the_roster_is_checked_against_each_chat_policy(pool: PgPool) {
    let (team, agents) = chat_team(&pool, 5).await;
    let id = dialogue(&pool).await;
    sqlx::query("update conversations set team_id = $2, created_at = now() - interval '60 days' where id = $1").bind(id).bind(team).execute(&pool).await.unwrap();
    sqlx::query(
        "insert into conversations (channel_id, customer_id, team_id, subject, created_at)
         select c.channel_id, c.customer_id, $1, 'Order', date_trunc('week', now() at time zone 'UTC') at time zone 'UTC'
                - make_interval(weeks => w) + interval '10 hours 10 minutes'
           from (select channel_id, customer_id from conversations limit 1) c, generate_series(1, 6) w, generate_series(1, 20) k",
    )
    .bind(team)
    .execute(&pool)
    .await
    .unwrap();
    let shift = |agent: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "insert into shifts (user_id, starts_at, ends_at)
                 values ($1, date_trunc('week', now() at time zone 'UTC') at time zone 'UTC' + interval '7 days 8 hours',
                             date_trunc('week', now() at time zone 'UTC') at time zone 'UTC' + interval '7 days 16 hours')",
            )
            .bind(agent)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    shift(agents[0]).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let operator = user(&pool, "operator@meridian.test", Role::Operator).await;
    let app = app(&pool);
    let (_, token) = app::backend::tokens::create(&pool, manager, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let (_, operator_token) = app::backend::tokens::create(&pool, operator, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let path = "/api/v1/wfm/sla-staffing?zone=UTC&interval=30&aht_seconds=300&concurrency=2&service_level=0.8";
    assert_eq!(api_get(&app, path, Some(&operator_token)).await.status, StatusCode::FORBIDDEN);

    let res = api_get(&app, path, Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = res.json();
    assert_eq!(body["staffing"]["policies"].as_array().unwrap().len(), 1);
    assert_eq!(body["staffing"]["policies"][0]["team"], "Europe");
    assert_eq!(body["staffing"]["policies"][0]["target_seconds"], 120.0);
    let forecast = body["staffing"]["policies"][0]["forecast"][20].as_f64().unwrap();
    assert!((forecast - 20.0).abs() < 1e-6, "Monday 10:00: {forecast}");
    let runs = body["checks"][0]["shortfalls"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["start"].as_u64(), runs[0]["intervals"].as_u64()), (Some(20), Some(1)));
    assert!(runs[0]["agents_short"].as_u64().unwrap() >= 1);
    assert_eq!(body["checks"][0]["checks"][20]["on_floor"], 1);

    for a in &agents[1..] {
        shift(*a).await;
    }
    let kept = api_get(&app, path, Some(&token)).await.json();
    assert_eq!(kept["checks"][0]["checks"][20]["on_floor"], 5);
    assert!(kept["checks"][0]["shortfalls"].as_array().unwrap().is_empty(), "{}", kept["checks"][0]["shortfalls"]);

    // Bad levers get a sentence.
    let bad = api_get(&app, "/api/v1/wfm/sla-staffing?zone=UTC&service_level=1.5", Some(&token)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("service-level"), "{}", bad.body);
    assert_eq!(api_get(&app, "/api/v1/wfm/sla-staffing?zone=Mars/Olympus", Some(&token)).await.status, StatusCode::BAD_REQUEST);
}

// Today, at 10:xx in a zone chosen so: 10 chats a week at 12:15 for six weeks, nobody on
// shift, so about ten are expected late and 12:00 is at risk; six agents on shift from
// 11:00 to 14:00 keep it. A running first-response clock already past due counts as late now.
#[sqlx::test]
async fn todays_risk_projects_the_rest_of_the_day_per_team(pool: PgPool) {
    let hour: i32 = sqlx::query_scalar("select extract(hour from now() at time zone 'UTC')::int").fetch_one(&pool).await.unwrap();
    let offset = if 10 - hour < -12 { 10 - hour + 24 } else { 10 - hour };
    // POSIX-style names: Etc/GMT-3 is three hours ahead of UTC.
    let zone = if offset >= 0 { format!("Etc/GMT-{offset}") } else { format!("Etc/GMT+{}", -offset) };
    let (team, agents) = chat_team(&pool, 6).await;
    team_history(&pool, team, &zone, 6, "12:15", 10).await;

    let late = dialogue(&pool).await;
    // Opened long ago (outside the history and today), still waiting past its target.
    sqlx::query("update conversations set team_id = $2, created_at = now() - interval '60 days' where id = $1").bind(late).bind(team).execute(&pool).await.unwrap();
    sqlx::query("delete from sla_clocks where conversation_id = $1").bind(late).execute(&pool).await.unwrap();
    sqlx::query(
        "insert into sla_clocks (conversation_id, metric, target_seconds, started_at, due_at)
         values ($1, 'first_response', 120, now() - interval '10 minutes', now() - interval '8 minutes')",
    )
    .bind(late)
    .execute(&pool)
    .await
    .unwrap();

    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let app = app(&pool);
    let (_, token) = app::backend::tokens::create(&pool, manager, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let path = format!("/api/v1/wfm/todays-risk?zone={zone}&interval=30&aht_seconds=300&concurrency=2");
    let res = api_get(&app, &path, Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = res.json();
    // 10:00 or 10:30 by the minute the test runs at (11:00 if the hour turned since).
    let now_interval = body["risk"]["now_interval"].as_u64().unwrap();
    assert!((20..=22).contains(&now_interval), "10:xx in {zone}: {now_interval}");
    let europe = body["risk"]["teams"].as_array().unwrap().iter().position(|t| t["team"] == "Europe").unwrap();
    assert_eq!(body["risk"]["teams"][europe]["policy"], "Europe chat");
    assert_eq!(body["risk"]["teams"][europe]["overdue_now"], 1);
    let day = &body["teams"][europe];
    let (rest, breaches) = (day["projection"]["projected_rest"].as_f64().unwrap(), day["projection"]["expected_breaches"].as_f64().unwrap());
    assert!((9.0..=11.0).contains(&rest), "{rest}");
    assert!((breaches - rest).abs() < 1e-6, "nobody on shift: every chat late ({breaches} of {rest})");
    assert_eq!(day["at_risk"][0]["start"], 24, "12:00 at risk: {}", day["at_risk"]);

    for a in &agents {
        sqlx::query(
            "insert into shifts (user_id, starts_at, ends_at)
             values ($1, (date_trunc('day', now() at time zone $2) + interval '11 hours') at time zone $2,
                         (date_trunc('day', now() at time zone $2) + interval '14 hours') at time zone $2)",
        )
        .bind(a)
        .bind(&zone)
        .execute(&pool)
        .await
        .unwrap();
    }
    let kept = api_get(&app, &path, Some(&token)).await.json();
    let day = &kept["teams"][europe];
    assert!(day["at_risk"].as_array().unwrap().is_empty(), "{}", day["at_risk"]);
    assert!(day["projection"]["expected_breaches"].as_f64().unwrap() < 1.0, "{}", day["projection"]);
}
