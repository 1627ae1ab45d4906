//! SLA policies and clocks on PostgreSQL: bad policies write nothing, the first matching
//! policy sets the clocks, a reply stops the first-response clock and postponing pauses
//! it, and a warning and a breach happen once even when two server processes run the job
//! at the same moment.

mod common;

use app::backend::{dialogue, sla};
use app::domain::access::Role;
use app::domain::dialogue::{ChannelKind, Priority};
use app::domain::sla::{Conditions, Escalation, Metric, Target};
use app::error::AppError;
use app::model::sla::SlaPolicyInput;
use common::*;
use sqlx::PgPool;

fn policy(name: &str, conditions: Conditions, minutes: i32) -> SlaPolicyInput {
    SlaPolicyInput {
        name: name.into(),
        conditions,
        business_hours: false,
        warn_minutes: 15,
        escalation: Escalation::RaisePriority,
        targets: vec![
            Target { priority: Priority::Normal, metric: Metric::FirstResponse, minutes },
            Target { priority: Priority::Normal, metric: Metric::Resolution, minutes: 8 * 60 },
            Target { priority: Priority::High, metric: Metric::FirstResponse, minutes: minutes / 2 },
        ],
    }
}

async fn drain(pool: &PgPool) {
    while sla::refresh_dirty(pool, 200).await.unwrap() > 0 {}
}

async fn clock(pool: &PgPool, id: i64, metric: &str) -> (i64, Option<i64>, Option<i64>, Option<bool>) {
    sqlx::query_as(
        "select extract(epoch from started_at)::int8, extract(epoch from due_at)::int8, extract(epoch from stopped_at)::int8, met
           from sla_clocks where conversation_id = $1 and metric = $2",
    )
    .bind(id)
    .bind(metric)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn bad_policies_get_a_sentence_and_write_nothing(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    for (bad, says) in [
        (policy("Zero", Conditions::default(), 0), "more than 0 minutes"),
        (policy("Negative", Conditions::default(), -30), "more than 0 minutes"),
        (SlaPolicyInput { targets: vec![], ..policy("Empty", Conditions::default(), 60) }, "at least one target"),
        (policy("", Conditions::default(), 60), "name"),
        (policy("Nobody's", Conditions { team_id: Some(999), ..Default::default() }, 60), "no such team"),
        (SlaPolicyInput { warn_minutes: 5000, ..policy("Late", Conditions::default(), 60) }, "1,440"),
    ] {
        match sla::save(&pool, &owner, None, &bad).await {
            Err(AppError::Invalid(sentence)) => assert!(sentence.contains(says), "{sentence}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(count(&pool, "sla_policies").await, 0);
    assert_eq!(count(&pool, "sla_targets").await, 0);
    sla::save(&pool, &owner, None, &policy("Standard", Conditions::default(), 60)).await.unwrap();
    let again = sla::save(&pool, &owner, None, &policy("Standard", Conditions::default(), 30)).await;
    assert!(matches!(&again, Err(AppError::Conflict(s)) if s.contains("exists already")), "{again:?}");
    assert_eq!(count(&pool, "sla_policies").await, 1);
}

#[sqlx::test]
async fn the_first_matching_policy_sets_the_clocks_and_a_reply_stops_them(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let email_only = Conditions { channel_kind: Some(ChannelKind::Email), ..Default::default() };
    sla::save(&pool, &owner, None, &policy("E-mail", email_only, 600)).await.unwrap();
    let chat = sla::save(&pool, &owner, None, &policy("Chat", Conditions::default(), 60)).await.unwrap();
    // Order: the catch-all goes first, then back.
    sla::reorder(&pool, &owner, chat, true).await.unwrap();
    assert_eq!(sla::policies(&pool).await.unwrap()[0].terms.name, "Chat");
    sla::reorder(&pool, &owner, chat, false).await.unwrap();

    let id = dialogue(&pool).await;
    drain(&pool).await;
    let (started, due, stopped, _) = clock(&pool, id, "first_response").await;
    assert_eq!((due, stopped), (Some(started + 3600), None));
    let shown = sla::dialogue_sla(&pool, id).await.unwrap();
    assert_eq!(shown.policy.as_deref(), Some("Chat"));
    assert_eq!(shown.clocks.len(), 2);
    let queue_due: Option<i64> = sqlx::query_scalar("select extract(epoch from sla_due_at)::int8 from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(queue_due, Some(started + 3600));

    // Raising the priority applies the high target (30 minutes) from the same start.
    sqlx::query("update conversations set priority = 'high' where id = $1").bind(id).execute(&pool).await.unwrap();
    drain(&pool).await;
    assert_eq!(clock(&pool, id, "first_response").await.1, Some(started + 1800));

    // Postponing pauses the clock; the agent's reply stops it within the target.
    sqlx::query("update conversations set priority = 'normal' where id = $1").bind(id).execute(&pool).await.unwrap();
    dialogue::claim(&pool, id, agent, false).await.unwrap();
    dialogue::postpone(&pool, id, agent, None).await.unwrap();
    drain(&pool).await;
    assert_eq!(clock(&pool, id, "first_response").await.1, None, "paused");
    dialogue::record_customer_message(&pool, id, "Any news?").await.unwrap();
    dialogue::write_message(&pool, id, agent, "Let me look.", false, false, &[]).await.unwrap();
    drain(&pool).await;
    let (_, _, stopped, met) = clock(&pool, id, "first_response").await;
    assert!(stopped.is_some());
    assert_eq!(met, Some(true));
}

#[sqlx::test]
async fn a_warning_and_a_breach_happen_once_across_two_processes(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    sla::save(&pool, &owner, None, &policy("Chat", Conditions::default(), 60)).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..20 {
        let id = dialogue(&pool).await;
        ids.push(id);
    }
    // Ten of them arrived 50 minutes ago (inside the warning), ten 2 hours ago (breached).
    sqlx::query("update conversations set created_at = now() - case when id % 2 = 0 then interval '50 minutes' else interval '2 hours' end where id = any($1)")
        .bind(&ids)
        .execute(&pool)
        .await
        .unwrap();
    drain(&pool).await;
    // Two server processes run the job at the same moment, twice.
    let (a, b) = tokio::join!(sla::fire_due(&pool), sla::fire_due(&pool));
    let (c, d) = tokio::join!(sla::fire_due(&pool), sla::fire_due(&pool));
    let breaches = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()].iter().map(|r| r.1).sum::<u64>();
    let warned = count_events(&pool, "sla_warning").await;
    assert_eq!(breaches, 10);
    assert_eq!(count_events(&pool, "sla_breached").await, 10);
    assert_eq!(warned, 10, "the breached ones are not warned after the fact");
    // The escalation raised each breached dialogue's priority once.
    let high: i64 = sqlx::query_scalar("select count(*) from conversations where id = any($1) and priority = 'high'").bind(&ids).fetch_one(&pool).await.unwrap();
    assert_eq!(high, 10);
    // The raised priority moves the clocks (the high target), and nothing fires again.
    drain(&pool).await;
    assert_eq!(sla::fire_due(&pool).await.unwrap(), (0, 0));

    // The holder's top bar counts the alerts of what they hold, not their colleagues'.
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let other = user(&pool, "other@meridian.test", Role::Operator).await;
    sqlx::query("update conversations set assignee_id = $2 where id = $1").bind(ids[0]).bind(agent).execute(&pool).await.unwrap();
    sqlx::query("update conversations set assignee_id = $2 where id = $1").bind(ids[1]).bind(other).execute(&pool).await.unwrap();
    let mine = sla::alerts(&pool, agent).await.unwrap();
    assert_eq!(mine.iter().map(|a| a.conversation_id).collect::<Vec<_>>(), vec![ids[0]]);
    assert_eq!(mine[0].metric, Metric::FirstResponse);
}

async fn count_events(pool: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from conversation_events where kind = $1").bind(kind).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn the_api_lists_and_writes_policies_for_managers_only(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let (_, manager_token) = app::backend::tokens::create(&pool, manager, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let (_, agent_token) = app::backend::tokens::create(&pool, agent, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    let good = r#"{"name": "Chat", "conditions": {"channel_kind": "chat"}, "warn_minutes": 2, "escalation": "raise_priority",
                   "targets": [{"priority": "normal", "metric": "first_response", "minutes": 5}]}"#;
    assert_eq!(api_post(&app, "/api/v1/sla/policies", Some(&agent_token), good).await.status, axum::http::StatusCode::FORBIDDEN);
    let zero = good.replace(r#""minutes": 5"#, r#""minutes": 0"#);
    let refused = api_post(&app, "/api/v1/sla/policies", Some(&manager_token), &zero).await;
    assert_eq!(refused.status, axum::http::StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("more than 0 minutes"), "{}", refused.body);
    let created = api_post(&app, "/api/v1/sla/policies", Some(&manager_token), good).await;
    assert_eq!(created.status, axum::http::StatusCode::CREATED, "{}", created.body);
    let listed = api_get(&app, "/api/v1/sla/policies", Some(&agent_token)).await;
    assert_eq!(listed.json()[0]["name"], "Chat");
    assert_eq!(listed.json()[0]["targets"][0]["minutes"], 5);
    let id = created.json()["id"].as_i64().unwrap();
    let gone = api_send(&app, "DELETE", &format!("/api/v1/sla/policies/{id}"), Some(&manager_token), "").await;
    assert_eq!(gone.status, axum::http::StatusCode::NO_CONTENT);
    assert_eq!(count(&pool, "sla_policies").await, 0);
}

#[sqlx::test]
async fn closest_to_breach_first_is_keyset_paged(pool: PgPool) {
    use app::backend::queue;
    use app::domain::queue::{QueueSort, QueueView};
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    sla::save(&pool, &owner, None, &policy("Chat", Conditions::default(), 60)).await.unwrap();
    let mut ids = Vec::new();
    for minutes_ago in [10, 50, 30, 5, 40] {
        let id = dialogue(&pool).await;
        sqlx::query("update conversations set created_at = now() - make_interval(mins => $2) where id = $1")
            .bind(id)
            .bind(minutes_ago)
            .execute(&pool)
            .await
            .unwrap();
        ids.push(id);
    }
    // One is postponed: its clock is paused, so it goes last.
    dialogue::claim(&pool, ids[1], agent, false).await.unwrap();
    dialogue::postpone(&pool, ids[1], agent, None).await.unwrap();
    sqlx::query("update conversations set status = 'open', assignee_id = null where id = $1").bind(ids[1]).execute(&pool).await.unwrap();
    drain(&pool).await;
    let (first, next) = queue::list(&pool, QueueView::Open, QueueSort::Breach, agent, None, 2).await.unwrap();
    let (second, _) = queue::list(&pool, QueueView::Open, QueueSort::Breach, agent, next, 10).await.unwrap();
    let order: Vec<i64> = first.iter().chain(second.iter()).map(|r| r.id).collect();
    assert_eq!(order, vec![ids[4], ids[2], ids[0], ids[3], ids[1]]);
    assert_eq!(first[0].sla.map(|s| s.metric), Some(Metric::FirstResponse));
}

/// Achievement: each decided target counts once (each wait for a next response on its
/// own), the report shows met, missed and running per policy and target, and the rollups
/// kept up to date equal a rebuild. A breach whose policy notifies managers reaches the
/// dialogue team's manager once, even with two processes, and not another team's.
#[sqlx::test]
async fn achievement_counts_each_target_once_and_a_breach_notifies_the_teams_manager(pool: PgPool) {
    use app::backend::{mentions, reports, rollup};
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let other_team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Americas', 'AMER', 'America/New_York') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let elsewhere = user(&pool, "manager2@meridian.test", Role::Admin).await;
    sqlx::query("update users set team_id = $2 where id = $1").bind(manager).bind(team).execute(&pool).await.unwrap();
    sqlx::query("update users set team_id = $2 where id = $1").bind(elsewhere).bind(other_team).execute(&pool).await.unwrap();
    let mut terms = policy("Escalating", Conditions::default(), 60);
    terms.escalation = Escalation::NotifyManager;
    terms.targets.push(Target { priority: Priority::Normal, metric: Metric::NextResponse, minutes: 30 });
    sla::save(&pool, &owner, None, &terms).await.unwrap();

    // Late: its first response breaches (it arrived two hours ago).
    let late = dialogue(&pool).await;
    sqlx::query("update conversations set team_id = $2, created_at = now() - interval '2 hours' where id = $1").bind(late).bind(team).execute(&pool).await.unwrap();
    sqlx::query("update messages set created_at = now() - interval '2 hours' where conversation_id = $1").bind(late).execute(&pool).await.unwrap();
    // Quick: answered at once, twice (first response, then one next response).
    let quick = dialogue(&pool).await;
    dialogue::claim(&pool, quick, agent, false).await.unwrap();
    dialogue::write_message(&pool, quick, agent, "Hello, looking now.", false, false, &[]).await.unwrap();
    dialogue::record_customer_message(&pool, quick, "Thanks, and one more thing.").await.unwrap();
    dialogue::write_message(&pool, quick, agent, "Done as well.", false, false, &[]).await.unwrap();
    // A minute apart, as people write (the clocks count whole seconds).
    sqlx::query(
        "update messages m set created_at = now() - interval '10 minutes' + (n.i * interval '1 minute')
           from (select id, row_number() over (order by id) as i from messages where conversation_id = $1) n
          where m.id = n.id",
    )
    .bind(quick)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("update conversations set created_at = now() - interval '10 minutes' where id = $1").bind(quick).execute(&pool).await.unwrap();
    drain(&pool).await;
    let (a, b) = tokio::join!(sla::fire_due(&pool), sla::fire_due(&pool));
    assert_eq!(a.unwrap().1 + b.unwrap().1, 1);
    drain(&pool).await;
    rollup::drain(&pool).await.unwrap();

    let report = reports::report(&pool, &Default::default()).await.unwrap();
    let row = |m: Metric| report.sla.iter().find(|r| r.metric == m).cloned().unwrap();
    let first = row(Metric::FirstResponse);
    assert_eq!((first.policy.as_str(), first.met, first.breached, first.running, first.overdue), ("Escalating", 1, 1, 0, 1));
    assert_eq!(first.achieved_percent(), Some(50.0));
    let next = row(Metric::NextResponse);
    assert_eq!((next.met, next.breached), (1, 0));
    assert_eq!((row(Metric::Resolution).running, row(Metric::Resolution).met), (2, 0));
    assert_eq!((report.current.sla_met, report.current.sla_breached), (2, 1));
    let agent_row = report.by_agent.iter().find(|g| g.id == agent).unwrap();
    assert_eq!((agent_row.counters.sla_met, agent_row.counters.sla_breached), (2, 0));
    let csv = app::domain::report::to_csv(&app::domain::report::metric_rows(&report, app::domain::report::GroupBy::Team));
    assert!(csv.lines().next().unwrap().ends_with("sla_met,sla_breached,sla_achieved_percent"), "{csv}");

    // Kept up to date one change at a time = computed from scratch.
    let kept = rollup::tables(&pool).await.unwrap();
    rollup::rebuild(&pool, None, |_, _| {}).await.unwrap();
    assert_eq!(rollup::tables(&pool).await.unwrap(), kept);

    let told = mentions::list(&pool, manager).await.unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!((told[0].conversation_id, told[0].text.as_str(), told[0].by.as_deref()), (late, "First response target missed (Escalating)", Some("Service level")));
    assert!(mentions::list(&pool, elsewhere).await.unwrap().is_empty(), "another team's manager is not told");
    assert!(mentions::list(&pool, owner.id).await.unwrap().is_empty(), "the team has a manager of its own");
}

/// A dialogue that a writer holds (a reply claiming it, in its transaction) is skipped by
/// the SLA job instead of waited for: the job took the dialogue's mark first and the
/// dialogue second while the writer took the dialogue first and then marked it, which
/// deadlocked in the end-to-end run. The skipped dialogue stays marked and is computed on
/// the next run, after the writer commits.
#[sqlx::test]
async fn the_sla_job_skips_a_dialogue_a_writer_holds_and_takes_it_next_time(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    sla::save(&pool, &owner, None, &policy("Everything", Conditions::default(), 60)).await.unwrap();
    let held = dialogue(&pool).await;
    let other = dialogue(&pool).await;
    drain(&pool).await;

    // The writer: claims `held` and queues its marks, and has not committed yet.
    let mut writer = pool.begin().await.unwrap();
    sqlx::query("update conversations set assignee_id = $2, claimed_at = now() where id = $1")
        .bind(held)
        .bind(agent)
        .execute(&mut *writer)
        .await
        .unwrap();
    // Meanwhile both dialogues are marked again (a policy change, say).
    sqlx::query("insert into sla_dirty (conversation_id) values ($1), ($2) on conflict do nothing")
        .bind(held)
        .bind(other)
        .execute(&pool)
        .await
        .unwrap();
    let job = tokio::time::timeout(std::time::Duration::from_secs(5), sla::refresh_dirty(&pool, 200)).await;
    assert_eq!(job.expect("the job must not wait for the writer").unwrap(), 1, "only the free dialogue");
    let still: Vec<i64> = sqlx::query_scalar("select conversation_id from sla_dirty").fetch_all(&pool).await.unwrap();
    assert_eq!(still, vec![held]);
    // The writer finishes the way a reply does, marking its dialogue, and commits.
    sqlx::query("insert into sla_dirty (conversation_id) values ($1) on conflict do nothing")
        .bind(held)
        .execute(&mut *writer)
        .await
        .unwrap();
    writer.commit().await.unwrap();
    assert_eq!(sla::refresh_dirty(&pool, 200).await.unwrap(), 1);
    let left: i64 = sqlx::query_scalar("select count(*) from sla_dirty").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0);
    // The warnings and breaches job skips a held dialogue the same way.
    sqlx::query("update sla_clocks set warn_at = now() - interval '1 minute', due_at = now() - interval '1 second' where conversation_id in ($1, $2)")
        .bind(held)
        .bind(other)
        .execute(&pool)
        .await
        .unwrap();
    let mut writer = pool.begin().await.unwrap();
    sqlx::query("update conversations set priority = 'low' where id = $1").bind(held).execute(&mut *writer).await.unwrap();
    let fired = tokio::time::timeout(std::time::Duration::from_secs(5), sla::fire_due(&pool)).await;
    let (_, breaches) = fired.expect("the job must not wait for the writer").unwrap();
    assert!(breaches >= 1);
    let held_breached: bool = sqlx::query_scalar("select bool_or(breached_at is not null) from sla_clocks where conversation_id = $1")
        .bind(held)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!held_breached, "the held dialogue waits for the next run");
    writer.commit().await.unwrap();
    sla::fire_due(&pool).await.unwrap();
    let held_breached: bool = sqlx::query_scalar("select bool_or(breached_at is not null) from sla_clocks where conversation_id = $1")
        .bind(held)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(held_breached);
}
