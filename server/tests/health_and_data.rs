//! Health checks, migrations and the demo data.

mod common;

use app::backend::sign_in::check_credentials;
use axum::http::StatusCode;
use common::*;
use meridian::seed::{seed_demo, SeedOptions, DEMO_PASSWORD, DEMO_SIGN_INS};
use sqlx::PgPool;

// /healthz answers while the process is up; /readyz while PostgreSQL answers.
#[sqlx::test]
async fn health_and_readiness(pool: PgPool) {
    let app = app(&pool);
    assert_eq!(api_get(&app, "/healthz", None).await.status, StatusCode::OK);
    assert_eq!(api_get(&app, "/readyz", None).await.status, StatusCode::OK);
}

// Without a database, /readyz says 503 and /healthz still says the process is up.
#[sqlx::test]
async fn readiness_fails_without_the_database(pool: PgPool) {
    let app = app(&pool);
    pool.close().await;
    assert_eq!(api_get(&app, "/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api_get(&app, "/healthz", None).await.status, StatusCode::OK);
}

// The migrations apply to an empty database, and applying them again changes nothing.
#[sqlx::test(migrations = false)]
async fn migrations_apply_cleanly_to_an_empty_database(pool: PgPool) {
    meridian::MIGRATOR.run(&pool).await.expect("migrations apply");
    meridian::MIGRATOR.run(&pool).await.expect("and are idempotent");
    for table in ["users", "sessions", "api_tokens", "teams", "customers", "channels", "conversations", "messages"] {
        assert_eq!(count(&pool, table).await, 0, "{table}");
    }
}

// The demo seed creates the four demo sign-ins (all with the demo password), customers
// in many time zones, and dialogues on every channel; seeding again adds no users.
#[sqlx::test]
async fn demo_data_has_every_role_and_a_believable_shape(pool: PgPool) {
    let options = SeedOptions { dialogues: 3_000, days: 28, rng_seed: 7, agents: 30 };
    let report = seed_demo(&pool, &options).await.unwrap();
    assert_eq!(report.dialogues, 3_000);
    assert_eq!(count(&pool, "conversations").await, 3_000);
    assert!(report.messages >= 3_000);

    for (email, role) in DEMO_SIGN_INS {
        let user = check_credentials(&pool, email, DEMO_PASSWORD, "127.0.0.1").await.unwrap();
        assert_eq!(user.role.as_str(), role);
    }
    let zones: i64 = sqlx::query_scalar("select count(distinct time_zone) from customers").fetch_one(&pool).await.unwrap();
    assert!(zones >= 8, "customers in {zones} time zones");
    let kinds: i64 = sqlx::query_scalar("select count(distinct ch.kind) from conversations c join channels ch on ch.id = c.channel_id")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(kinds, 3);

    // Weekdays are busier than weekends, in the customers' local time.
    let (weekday, weekend): (f64, f64) = sqlx::query_as(
        "select count(*) filter (where extract(isodow from c.created_at at time zone cu.time_zone) < 6)::float8 / 5.0,
                count(*) filter (where extract(isodow from c.created_at at time zone cu.time_zone) >= 6)::float8 / 2.0
           from conversations c join customers cu on cu.id = c.customer_id",
    ).fetch_one(&pool).await.unwrap();
    assert!(weekday > weekend * 1.5, "per weekday {weekday}, per weekend day {weekend}");
    // Office hours are busier than the night, in local time.
    let (day, night): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where extract(hour from c.created_at at time zone cu.time_zone) between 10 and 15),
                count(*) filter (where extract(hour from c.created_at at time zone cu.time_zone) between 1 and 6)
           from conversations c join customers cu on cu.id = c.customer_id",
    ).fetch_one(&pool).await.unwrap();
    assert!(day > night * 3, "day {day}, night {night}");
    // Nothing old waits unanswered; the resolved have their times in order.
    let stale_unanswered: i64 = sqlx::query_scalar(
        "select count(*) from conversations where status = 'open' and first_response_at is null and created_at < now() - interval '3 days'",
    ).fetch_one(&pool).await.unwrap();
    assert_eq!(stale_unanswered, 0);
    let out_of_order: i64 = sqlx::query_scalar(
        "select count(*) from conversations where resolved_at < first_response_at or first_response_at < created_at",
    ).fetch_one(&pool).await.unwrap();
    assert_eq!(out_of_order, 0);

    // Whose turn it is, written by the seed, is what the messages say (the rules'
    // time-based automations read it): the last public message's author, since the
    // customer's first unanswered message or the agent's last reply.
    let wrong_turn: i64 = sqlx::query_scalar(
        "with last as (
             select distinct on (conversation_id) conversation_id, author_kind, created_at from messages
              where visibility = 'public' and author_kind <> 'system' order by conversation_id, created_at desc, id desc)
         select count(*) from conversations c join last l on l.conversation_id = c.id
          where c.awaiting is distinct from case l.author_kind when 'customer' then 'agent' else 'customer' end
             or (l.author_kind <> 'customer' and c.awaiting_since is distinct from l.created_at)
             or (l.author_kind = 'customer' and c.awaiting_since is distinct from (
                   select min(m.created_at) from messages m where m.conversation_id = c.id and m.author_kind = 'customer'
                      and m.created_at > coalesce((select max(a.created_at) from messages a where a.conversation_id = c.id
                                                    and a.author_kind = 'agent' and a.visibility = 'public'), '-infinity')))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(wrong_turn, 0);
    // Two rules, two time-based automations and a webhook to the local test receiver.
    let (rules, automations, hooks): (i64, i64, i64) = sqlx::query_as(
        "select count(*) filter (where run_on = 'event'), count(*) filter (where run_on = 'waiting'), (select count(*) from webhook_subscriptions) from rules",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((rules, automations, hooks), (2, 2, 1));

    let again = seed_demo(&pool, &SeedOptions { dialogues: 10, days: 1, rng_seed: 8, agents: 30 }).await.unwrap();
    assert_eq!(again.users, 0);
    let agents: i64 = sqlx::query_scalar("select count(*) from users where role = 'operator' and desk = 'support'").fetch_one(&pool).await.unwrap();
    assert_eq!(agents, 30);
    // And one sales rep, who holds some open partnership dialogues.
    let (reps, held): (i64, i64) = sqlx::query_as(
        "select count(distinct u.id), count(c.id) from users u left join conversations c on c.assignee_id = u.id and c.status = 'open' where u.desk = 'sales'",
    ).fetch_one(&pool).await.unwrap();
    assert_eq!(reps, 1);
    assert!(held > 0);
    assert_eq!(count(&pool, "conversations").await, 3_010);
    // One demo incident over waiting billing dialogues, and Alex's one-to-one, however often
    // it is seeded.
    let (incidents, linked, waiting): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from incidents), count(*), count(*) filter (where c.status = 'open' and 'billing' = any(c.tags))
           from incident_dialogues d join conversations c on c.id = d.conversation_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(incidents, 1);
    assert!(linked > 0 && waiting == linked, "{linked} linked, {waiting} waiting about billing");
    assert_eq!((count(&pool, "agent_notes").await, count(&pool, "agent_plans").await), (1, 1));
}
