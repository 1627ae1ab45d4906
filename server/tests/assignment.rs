//! Automatic assignment on PostgreSQL: round-robin is fair over 1,000 arrivals, 64
//! arrivals handled at once by concurrent runs never push an agent past capacity nor give a
//! dialogue twice, only agents on shift and present are given dialogues (with the reason
//! when nobody fits), language skills decide, a shift's end hands unanswered dialogues to
//! a colleague on shift, and bad settings write nothing.

mod common;

use app::backend::assignment;
use app::domain::access::Role;
use app::domain::assignment::{AssignedHow, AssignmentMode, Skill, SkillKind};
use app::domain::dialogue::ChannelKind;
use app::error::AppError;
use app::model::assignment::AssignmentInput;
use common::*;
use sqlx::PgPool;

async fn team(pool: &PgPool) -> i64 {
    sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id").fetch_one(pool).await.unwrap()
}

/// An agent of `team`, on shift now and signed in (a fresh session).
async fn agent(pool: &PgPool, team: i64, n: usize) -> i64 {
    let id = user(pool, &format!("agent{n}@meridian.test"), Role::Operator).await;
    sqlx::query("update users set team_id = $2, name = $3 where id = $1").bind(id).bind(team).bind(format!("Agent {n}")).execute(pool).await.unwrap();
    sqlx::query("insert into shifts (user_id, starts_at, ends_at) values ($1, now() - interval '2 hours', now() + interval '6 hours')")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("insert into sessions (id_hash, user_id, expires_at) values (decode(md5(random()::text || $1::text), 'hex'), $1, now() + interval '1 day')")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// `n` new chat dialogues waiting in `team`, each with the customer's first message.
async fn arrivals(pool: &PgPool, team: i64, n: i64) -> Vec<i64> {
    let channel = chat_channel(pool).await;
    let customer: i64 = sqlx::query_scalar("insert into customers (name, time_zone) values ('Ana Customer', 'Europe/Lisbon') returning id").fetch_one(pool).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar(
        "insert into conversations (channel_id, customer_id, team_id, subject, created_at)
         select $1, $2, $3, 'Question ' || g, now() - make_interval(secs => $4 - g) from generate_series(1, $4) g returning id",
    )
    .bind(channel)
    .bind(customer)
    .bind(team)
    .bind(n)
    .fetch_all(pool)
    .await
    .unwrap();
    sqlx::query("insert into messages (conversation_id, author_kind, body) select unnest($1::int8[]), 'customer', 'Hello?'")
        .bind(&ids)
        .execute(pool)
        .await
        .unwrap();
    ids
}

async fn set(pool: &PgPool, team: i64, mode: AssignmentMode, capacity: i32) {
    let owner = member(pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    assignment::save_setting(pool, &owner, &AssignmentInput { team_id: team, channel_kind: ChannelKind::Chat, mode, capacity }).await.unwrap();
}

async fn held(pool: &PgPool, agent: i64) -> i64 {
    sqlx::query_scalar("select count(*) from conversations where assignee_id = $1").bind(agent).fetch_one(pool).await.unwrap()
}

async fn run_until_done(pool: &PgPool) {
    while assignment::run(pool).await.unwrap() > 0 {}
}

#[sqlx::test]
async fn round_robin_is_fair_over_a_thousand_arrivals(pool: PgPool) {
    let t = team(&pool).await;
    let mut agents = Vec::new();
    for n in 0..10 {
        agents.push(agent(&pool, t, n).await);
    }
    set(&pool, t, AssignmentMode::RoundRobin, 100).await;
    arrivals(&pool, t, 1000).await;
    run_until_done(&pool).await;
    for a in &agents {
        let n = held(&pool, *a).await;
        assert!((99..=101).contains(&n), "agent {a} holds {n}");
    }
    let how: Vec<(Option<AssignedHow>, i64)> =
        sqlx::query_as("select assigned_how, count(*) from conversations group by 1").fetch_all(&pool).await.unwrap();
    assert_eq!(how, vec![(Some(AssignedHow::RoundRobin), 1000)]);
}

#[sqlx::test]
async fn concurrent_arrivals_never_pass_capacity_nor_assign_twice(pool: PgPool) {
    let t = team(&pool).await;
    let mut agents = Vec::new();
    for n in 0..20 {
        agents.push(agent(&pool, t, n).await);
    }
    set(&pool, t, AssignmentMode::Balanced, 3).await;
    let ids = arrivals(&pool, t, 64).await;
    // 64 arrivals, each handled at once by its own run (as each server process would).
    let runs: Vec<_> = (0..64).map(|_| tokio::spawn({
        let pool = pool.clone();
        async move { assignment::assign_team(&pool, t, ChannelKind::Chat).await.unwrap() }
    })).collect();
    for r in runs {
        r.await.unwrap();
    }
    run_until_done(&pool).await;
    for a in &agents {
        assert_eq!(held(&pool, *a).await, 3, "balanced fills everyone to capacity, no further");
    }
    let twice: i64 = sqlx::query_scalar(
        "select count(*) from (select conversation_id from conversation_events where kind = 'assigned' group by 1 having count(*) > 1) x",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(twice, 0);
    let waiting: Vec<Option<String>> =
        sqlx::query_scalar("select assignment_note from conversations where id = any($1) and assignee_id is null").bind(&ids).fetch_all(&pool).await.unwrap();
    assert_eq!(waiting.len(), 4);
    assert!(waiting.iter().all(|w| w.as_deref() == Some("Waiting: everyone on shift holds 3 open chat dialogues already.")), "{waiting:?}");
}

#[sqlx::test]
async fn only_the_shift_is_given_dialogues_skills_decide_and_a_shift_end_hands_over(pool: PgPool) {
    let t = team(&pool).await;
    let anna = agent(&pool, t, 1).await;
    let ben = agent(&pool, t, 2).await;
    // Ben is off shift: his shift ended an hour ago.
    sqlx::query("update shifts set starts_at = now() - interval '9 hours', ends_at = now() - interval '1 hour' where user_id = $1").bind(ben).execute(&pool).await.unwrap();
    set(&pool, t, AssignmentMode::RoundRobin, 5).await;
    let owner = member(&pool, "boss@meridian.test", "Boss", Role::SuperAdmin).await;
    assignment::set_skills(&pool, &owner, ben, &[Skill { kind: SkillKind::Language, value: "de".into(), level: 5 }]).await.unwrap();
    let ids = arrivals(&pool, t, 2).await;
    sqlx::query("update customers set language = 'de'").execute(&pool).await.unwrap();
    run_until_done(&pool).await;
    // Only Ben speaks German, and he is off shift: both wait, saying why.
    let note: Option<String> = sqlx::query_scalar("select assignment_note from conversations where id = $1").bind(ids[0]).fetch_one(&pool).await.unwrap();
    assert_eq!(note.as_deref(), Some("Waiting: nobody available speaks de."));
    assert_eq!(held(&pool, anna).await, 0);

    // Ben starts a shift: he gets both, by skill.
    sqlx::query("update shifts set starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' where user_id = $1").bind(ben).execute(&pool).await.unwrap();
    run_until_done(&pool).await;
    assert_eq!(held(&pool, ben).await, 2);
    let how: Option<AssignedHow> = sqlx::query_scalar("select assigned_how from conversations where id = $1").bind(ids[0]).fetch_one(&pool).await.unwrap();
    assert_eq!(how, Some(AssignedHow::Skill));

    // His shift ends with both unanswered; Anna learns German and takes them over.
    assignment::set_skills(&pool, &owner, anna, &[Skill { kind: SkillKind::Language, value: "de".into(), level: 2 }]).await.unwrap();
    sqlx::query("update conversations set claimed_at = now() - interval '10 minutes' where assignee_id = $1").bind(ben).execute(&pool).await.unwrap();
    sqlx::query("update shifts set ends_at = now() - interval '1 minute' where user_id = $1").bind(ben).execute(&pool).await.unwrap();
    run_until_done(&pool).await;
    assert_eq!((held(&pool, ben).await, held(&pool, anna).await), (0, 2));
    let how: Option<AssignedHow> = sqlx::query_scalar("select assigned_how from conversations where id = $1").bind(ids[1]).fetch_one(&pool).await.unwrap();
    assert_eq!(how, Some(AssignedHow::ShiftHandover));
    let released: i64 = sqlx::query_scalar("select count(*) from conversation_events where kind = 'released'").fetch_one(&pool).await.unwrap();
    assert_eq!(released, 2);

    // A dialogue Anna answered stays hers when she goes: it is not unanswered.
    app::backend::dialogue::write_message(&pool, ids[0], anna, "Hallo!", false, false, &[]).await.unwrap();
    sqlx::query("delete from sessions where user_id = $1").bind(anna).execute(&pool).await.unwrap();
    assignment::hand_back(&pool).await.unwrap();
    let holder: Option<i64> = sqlx::query_scalar("select assignee_id from conversations where id = $1").bind(ids[0]).fetch_one(&pool).await.unwrap();
    assert_eq!(holder, Some(anna));

    // Carl, off shift since yesterday but here, claims one himself: it stays his.
    let carl = agent(&pool, t, 3).await;
    sqlx::query("update shifts set starts_at = now() - interval '30 hours', ends_at = now() - interval '22 hours' where user_id = $1").bind(carl).execute(&pool).await.unwrap();
    let extra = arrivals(&pool, t, 1).await[0];
    app::backend::dialogue::claim(&pool, extra, carl, false).await.unwrap();
    assignment::hand_back(&pool).await.unwrap();
    assert_eq!(held(&pool, carl).await, 1, "a claim off shift is not undone");
}

#[sqlx::test]
async fn bad_settings_get_a_sentence_and_write_nothing(pool: PgPool) {
    let t = team(&pool).await;
    let a = agent(&pool, t, 1).await;
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    for capacity in [0, -1, 101] {
        let r = assignment::save_setting(&pool, &owner, &AssignmentInput { team_id: t, channel_kind: ChannelKind::Chat, mode: AssignmentMode::RoundRobin, capacity }).await;
        assert!(matches!(&r, Err(AppError::Invalid(s)) if s.contains("capacity")), "{r:?}");
    }
    let r = assignment::save_setting(&pool, &owner, &AssignmentInput { team_id: 999, channel_kind: ChannelKind::Chat, mode: AssignmentMode::RoundRobin, capacity: 3 }).await;
    assert!(matches!(r, Err(AppError::Invalid(_))));
    assert_eq!(count(&pool, "assignment_settings").await, 0);
    let bad = [Skill { kind: SkillKind::Language, value: "de".into(), level: 4 }, Skill { kind: SkillKind::Topic, value: "cooking".into(), level: 3 }];
    assert!(matches!(assignment::set_skills(&pool, &owner, a, &bad).await, Err(AppError::Invalid(s)) if s.contains("not a purpose")));
    assert_eq!(count(&pool, "agent_skills").await, 0);
    // Manual is the default: nothing is assigned.
    arrivals(&pool, t, 3).await;
    assert_eq!(assignment::run(&pool).await.unwrap(), 0);
}
