//! Reports: the rollups kept up to date change by change equal a computation from scratch;
//! the report, its exports and the metrics API are for admins and owners only, and exports
//! are in the audit log.

mod common;

use app::backend::{dialogue, ratings, rollup};
use app::domain::access::Role;
use app::domain::channels::Rating;
use app::domain::dialogue::{Outcome, Priority};
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

/// A small deterministic generator (the same sequence on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[sqlx::test]
async fn rollups_kept_up_to_date_equal_a_rebuild_after_random_events(pool: PgPool) {
    let agents = [
        user(&pool, "ana@meridian.test", Role::Operator).await,
        user(&pool, "ben@meridian.test", Role::Operator).await,
        user(&pool, "cleo@meridian.test", Role::Admin).await,
    ];
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('EMEA', 'Europe', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut dialogues = Vec::new();
    for i in 0..8 {
        let id = dialogue(&pool).await;
        if i % 2 == 0 {
            sqlx::query("update conversations set team_id = $2 where id = $1").bind(id).bind(team).execute(&pool).await.unwrap();
        }
        dialogues.push(id);
    }
    let mut rng = Lcg(7);
    let mut applied = 0;
    for step in 0..160 {
        let id = dialogues[rng.below(dialogues.len())];
        let me = agents[rng.below(agents.len())];
        // Refusals (someone else holds it, it is resolved) are part of a real morning.
        let _ = match rng.below(10) {
            0 => dialogue::claim(&pool, id, me, rng.below(2) == 0).await.map(|_| ()),
            1 | 2 => dialogue::write_message(&pool, id, me, "Here is what to do.", false, true, &[]).await.map(|_| ()),
            3 => dialogue::write_message(&pool, id, me, "Internal: checked the logs.", true, false, &[]).await.map(|_| ()),
            4 => dialogue::resolve(&pool, id, me).await,
            5 => dialogue::reopen(&pool, id, me).await,
            6 => dialogue::record_customer_message(&pool, id, "Still broken.").await.map(|_| ()),
            7 => {
                let rating = Rating { csat: 1 + rng.below(3) as u8, comment: String::new(), ces: Some(1 + rng.below(7) as u8), nps: None };
                ratings::rate(&pool, id, rating).await
            }
            8 => {
                let outcome = if rng.below(2) == 0 { Some(Outcome::Converted) } else { None };
                dialogue::set_details(&pool, id, me, Priority::Normal, outcome).await
            }
            _ => dialogue::assign(&pool, id, me, agents[rng.below(agents.len())]).await,
        };
        // The background job runs now and then, between changes.
        if step % 7 == 0 {
            applied += rollup::process_queue(&pool, 3).await.unwrap();
        }
    }
    applied += rollup::drain(&pool).await.unwrap();
    assert!(applied > 0);
    let kept = rollup::tables(&pool).await.unwrap();

    rollup::rebuild(&pool, None, |_, _| {}).await.unwrap();
    let rebuilt = rollup::tables(&pool).await.unwrap();
    assert_eq!(kept, rebuilt, "the rollups kept change by change differ from a rebuild");

    // And they count what happened.
    let days: Vec<(i64, i64)> = sqlx::query_as("select sum(created)::int8, sum(replies)::int8 from rollup_days").fetch_all(&pool).await.unwrap();
    let replies: i64 =
        sqlx::query_scalar("select count(*) from messages where author_kind = 'agent' and visibility = 'public'").fetch_one(&pool).await.unwrap();
    assert_eq!(days, vec![(8, replies)]);
    assert!(replies > 0, "the sequence replied at least once");
}

#[sqlx::test]
async fn a_resolved_and_rated_dialogue_shows_in_the_report_and_its_export(pool: PgPool) {
    let owner = user(&pool, "owner@meridian.test", Role::SuperAdmin).await;
    let agent = user(&pool, "ana@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::claim(&pool, id, agent, false).await.unwrap();
    dialogue::write_message(&pool, id, agent, "Fixed it.", false, false, &[]).await.unwrap();
    dialogue::resolve(&pool, id, agent).await.unwrap();
    ratings::rate(&pool, id, Rating { csat: 1, comment: "Too slow".into(), ces: Some(3), nps: None }).await.unwrap();
    rollup::drain(&pool).await.unwrap();

    let app = app(&pool);
    let cookie = session_cookie(&pool, owner).await;
    let report = call(&app, "reports_report", Some(&cookie), r#"{"query": {}}"#).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let r = report.json();
    assert_eq!(r["current"]["created"], 1);
    assert_eq!(r["current"]["resolutions"], 1);
    assert_eq!(r["current"]["first_contact"], 1);
    assert_eq!(r["current"]["csat_bad"], 1);
    assert_eq!(r["active_customers"], 1);
    assert_eq!(r["low_ratings"][0]["conversation_id"], id, "the bad rating links to its dialogue");
    assert_eq!(r["by_agent"][0]["counters"]["replies"], 1);

    let csv = page(&app, "/api/v1/metrics.csv?group_by=agent", Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("key,name,dialogues,"));
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[1].starts_with(&format!("{agent},Test User,")), "{}", lines[1]);
    let json = page(&app, "/api/v1/metrics?group_by=channel", Some(&cookie)).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.json()["rows"][0]["csat_percent"], 0.0);
    assert_eq!(json.json()["rows"][0]["first_contact_resolution_percent"], 100.0);
    let bad = page(&app, "/api/v1/metrics?group_by=planet", Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let backwards = page(&app, "/api/v1/metrics?from=2026-11-20&to=2026-11-01", Some(&cookie)).await;
    assert_eq!(backwards.status, StatusCode::BAD_REQUEST);

    let exports: Vec<String> = sqlx::query_scalar("select detail from audit_log where action = 'exported' order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(exports[0].contains("by agent") && exports[0].ends_with("csv"));
}

#[sqlx::test]
async fn operators_and_reviewers_are_refused_every_report_and_export(pool: PgPool) {
    let app = app(&pool);
    for role in [Role::Operator, Role::Reviewer] {
        let who = user(&pool, &format!("{}@meridian.test", role.as_str()), role).await;
        let cookie = session_cookie(&pool, who).await;
        assert_eq!(call(&app, "reports_report", Some(&cookie), r#"{"query": {}}"#).await.status, StatusCode::FORBIDDEN);
        assert_eq!(call(&app, "reports_agents_week", Some(&cookie), "").await.status, StatusCode::FORBIDDEN);
        for path in ["/api/v1/metrics", "/api/v1/metrics.csv"] {
            assert_eq!(page(&app, path, Some(&cookie)).await.status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(count(&pool, "audit_log").await, 0, "a refused export is no export");
}

/// The contact ratio's chain (each dialogue with its customer's previous one) counts the
/// same customers as `count(distinct customer_id)` for every period, however dialogues
/// arrive (one at a time, many per statement, back-dated), leave or move to another customer.
#[sqlx::test]
async fn the_contact_chain_counts_the_distinct_customers_of_every_period(pool: PgPool) {
    let channel = chat_channel(&pool).await;
    let customers: Vec<i64> = sqlx::query_scalar(
        "insert into customers (name, time_zone) select 'Customer ' || n, 'Europe/Lisbon' from generate_series(1, 7) n returning id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut rng = Lcg(7);
    let insert = "insert into conversations (channel_id, customer_id, subject, created_at)
                  select $1, c, 'Help', now() - make_interval(hours => h)
                    from unnest($2::int8[], $3::int4[]) as x(c, h)";
    for round in 0..40 {
        // One dialogue, or a handful in one statement; some back-dated before older ones.
        let n = if round % 3 == 0 { 1 + rng.below(6) } else { 1 };
        let who: Vec<i64> = (0..n).map(|_| customers[rng.below(customers.len())]).collect();
        let hours: Vec<i32> = (0..n).map(|_| rng.below(60 * 24) as i32).collect();
        sqlx::query(insert).bind(channel).bind(&who).bind(&hours).execute(&pool).await.unwrap();
        if round % 7 == 6 {
            sqlx::query("delete from conversations where id = (select id from conversations order by md5(id::text) limit 1)")
                .execute(&pool)
                .await
                .unwrap();
        }
        if round % 5 == 4 {
            sqlx::query("update conversations set customer_id = $1 where id = (select id from conversations order by md5(id::text || 'x') limit 1)")
                .bind(customers[rng.below(customers.len())])
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    // Two dialogues of one customer at the same instant count the customer once.
    sqlx::query("insert into conversations (channel_id, customer_id, subject, created_at) values ($1, $2, 'Twin', now() - interval '2 days'), ($1, $2, 'Twin', now() - interval '2 days')")
        .bind(channel)
        .bind(customers[0])
        .execute(&pool)
        .await
        .unwrap();

    let stored: Vec<(i64, Option<chrono::DateTime<chrono::Utc>>)> =
        sqlx::query_as("select conversation_id, prev_at from contact_chain order by 1").fetch_all(&pool).await.unwrap();
    let scratch: Vec<(i64, Option<chrono::DateTime<chrono::Utc>>)> = sqlx::query_as(
        "select id, lag(created_at) over (partition by customer_id order by created_at, id) from conversations order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored, scratch, "the chain kept change by change differs from one computed from scratch");

    for (from, to) in [(0, 1), (0, 7), (3, 10), (0, 30), (20, 50), (0, 60), (59, 61)] {
        let (chain, distinct): (i64, i64) = sqlx::query_as(
            "with b(lo, hi) as (select now() - make_interval(days => $2), now() - make_interval(days => $1))
             select (select count(*) from contact_chain, b where created_at >= b.lo and created_at < b.hi and (prev_at is null or prev_at < b.lo)),
                    (select count(distinct customer_id) from conversations, b where created_at >= b.lo and created_at < b.hi)",
        )
        .bind(from)
        .bind(to)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(chain, distinct, "days {from} to {to} ago");
    }
}
