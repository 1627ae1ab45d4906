//! Rules and time-based automations on PostgreSQL: bad rules write nothing, a rule fires on
//! the event it listens for when its conditions hold (on the history and in the audit log),
//! a rule is not triggered by its own change and a chain of rules stops at its depth, a
//! time-based automation fires once per wait even with two server processes, the dry run
//! writes nothing, and whose turn it is follows the messages.

mod common;

use app::backend::{dialogue, rules};
use app::domain::access::Role;
use app::domain::dialogue::Priority;
use app::domain::rules::{NotifyWho, RuleAction, RuleConditions, RuleInput, Trigger, WaitState, When};
use app::domain::sla::Conditions;
use app::error::AppError;
use common::*;
use sqlx::PgPool;

fn on(name: &str, triggers: &[Trigger], conditions: RuleConditions, actions: Vec<RuleAction>) -> RuleInput {
    RuleInput { name: name.into(), enabled: true, when: When::Event { triggers: triggers.to_vec() }, conditions, actions, stop: false }
}

fn after(name: &str, state: WaitState, minutes: i32, conditions: RuleConditions, actions: Vec<RuleAction>) -> RuleInput {
    RuleInput { name: name.into(), enabled: true, when: When::Waiting { state, minutes }, conditions, actions, stop: false }
}

async fn drain(pool: &PgPool) -> usize {
    let mut taken = 0;
    loop {
        let n = rules::run_events(pool, 200).await.unwrap();
        if n == 0 {
            return taken;
        }
        taken += n;
    }
}

async fn lines(pool: &PgPool, id: i64, kind: &str) -> Vec<String> {
    sqlx::query_scalar("select detail->>'text' from conversation_events where conversation_id = $1 and kind = $2 order by id")
        .bind(id)
        .bind(kind)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn bad_rules_get_a_sentence_and_write_nothing(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let tag = || vec![RuleAction::AddTags { tags: vec!["vip".into()] }];
    for (bad, says) in [
        (on("Nothing", &[Trigger::Created], RuleConditions::default(), vec![]), "at least one action"),
        (on("Never", &[], RuleConditions::default(), tag()), "at least one event"),
        (after("Zero", WaitState::Unanswered, 0, RuleConditions::default(), tag()), "more than 0 minutes"),
        (after("Negative", WaitState::Unanswered, -5, RuleConditions::default(), tag()), "more than 0 minutes"),
        (on("", &[Trigger::Created], RuleConditions::default(), tag()), "name"),
        (on("Team", &[Trigger::Created], RuleConditions::default(), vec![RuleAction::SetTeam { team_id: 999 }]), "no such team"),
        (on("Macro", &[Trigger::Created], RuleConditions::default(), vec![RuleAction::SendMacro { macro_id: 999 }]), "no such macro"),
        (on("Tags", &[Trigger::Created], RuleConditions::default(), vec![RuleAction::AddTags { tags: vec!["not a tag!".into()] }]), "is not a tag"),
        (on("Half", &[Trigger::Created], RuleConditions { from_hour: Some(22), ..Default::default() }, tag()), "both hours"),
    ] {
        match rules::save(&pool, &owner, None, &bad).await {
            Err(AppError::Invalid(sentence)) => assert!(sentence.contains(says), "{sentence}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(rules::dry_run(&pool, &bad).await, Err(AppError::Invalid(_))));
    }
    assert_eq!(count(&pool, "rules").await, 0);
    rules::save(&pool, &owner, None, &on("Tag VIPs", &[Trigger::Created], RuleConditions::default(), tag())).await.unwrap();
    let again = rules::save(&pool, &owner, None, &on("Tag VIPs", &[Trigger::Created], RuleConditions::default(), tag())).await;
    assert!(matches!(&again, Err(AppError::Conflict(s)) if s.contains("exists already")), "{again:?}");
    assert_eq!(count(&pool, "rules").await, 1);
}

#[sqlx::test]
async fn a_rule_fires_when_the_customer_writes_the_words_it_looks_for(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let refunds = on(
        "Refunds are urgent",
        &[Trigger::CustomerReplied],
        RuleConditions { words: vec!["refund".into(), "charged twice".into()], ..Default::default() },
        vec![
            RuleAction::SetPriority { priority: Priority::Urgent },
            RuleAction::AddTags { tags: vec!["refund".into()] },
            RuleAction::Notify { who: NotifyWho::Managers, text: "A refund is asked for".into() },
        ],
    );
    let rule = rules::save(&pool, &owner, None, &refunds).await.unwrap();
    let calm = dialogue(&pool).await;
    let angry = dialogue(&pool).await;
    dialogue::record_customer_message(&pool, calm, "Thanks, that fixed it.").await.unwrap();
    dialogue::record_customer_message(&pool, angry, "I was CHARGED twice and want my money back.").await.unwrap();
    // Both messages, then the rule's own two changes (the priority and the tags), which
    // fire nothing more: the rule is not triggered by itself.
    assert_eq!(drain(&pool).await, 4);

    let state = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, Vec<String>)>("select priority, tags from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap()
        }
    };
    assert_eq!(state(calm).await, ("normal".to_string(), vec![]));
    assert_eq!(state(angry).await, ("urgent".to_string(), vec!["refund".to_string()]));
    assert_eq!(lines(&pool, angry, "rule_fired").await, vec!["“Refunds are urgent”: priority set to Urgent; tagged refund; notified 2 people"]);
    assert!(lines(&pool, calm, "rule_fired").await.is_empty());
    // The dialogue has no team: every manager and owner is told.
    let notified: Vec<(i64, String)> = sqlx::query_as("select user_id, detail from notifications where kind = 'rule' order by user_id").fetch_all(&pool).await.unwrap();
    let told = "Refunds are urgent: A refund is asked for".to_string();
    let mut expected = vec![(owner.id, told.clone()), (manager, told)];
    expected.sort();
    assert_eq!(notified, expected);
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_log where action = 'rule_fired'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
    let listed = rules::list(&pool).await.unwrap();
    assert_eq!((listed[0].id, listed[0].fired_last_week), (rule, 1));
    assert_eq!(count(&pool, "rule_firings").await, 1);
}

#[sqlx::test]
async fn a_rule_is_not_triggered_by_itself_and_a_chain_of_rules_stops(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    // A: tagged "x" → remove "x" and raise the priority. B: raised → add "x" back and lower
    // it. Each wakes the other for ever, but for the chain's depth.
    let tagged_x = RuleConditions { dialogue: Conditions { tags: vec!["x".into()], ..Default::default() }, ..Default::default() };
    let high = RuleConditions { dialogue: Conditions { priorities: vec![Priority::High], ..Default::default() }, ..Default::default() };
    rules::save(
        &pool,
        &owner,
        None,
        &on("A", &[Trigger::TagsChanged], tagged_x, vec![RuleAction::RemoveTags { tags: vec!["x".into()] }, RuleAction::SetPriority { priority: Priority::High }]),
    )
    .await
    .unwrap();
    rules::save(
        &pool,
        &owner,
        None,
        &on("B", &[Trigger::PriorityChanged], high, vec![RuleAction::AddTags { tags: vec!["x".into()] }, RuleAction::SetPriority { priority: Priority::Normal }]),
    )
    .await
    .unwrap();
    let id = dialogue(&pool).await;
    dialogue::set_tags(&pool, id, agent, &["x".to_string()]).await.unwrap();
    drain(&pool).await;
    let fired: Vec<String> = sqlx::query_scalar("select r.name from rule_firings f join rules r on r.id = f.rule_id order by f.id").fetch_all(&pool).await.unwrap();
    assert_eq!(fired, vec!["A", "B", "A"]);
    let stopped = lines(&pool, id, "rule_fired").await.into_iter().filter(|l| l.contains("loop protection")).count();
    assert_eq!(stopped, 2, "the two changes at the depth limit are not followed");
    assert_eq!(count(&pool, "rule_events").await, 0);
}

#[sqlx::test]
async fn a_time_based_automation_fires_once_per_wait_across_two_processes(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    rules::save(
        &pool,
        &owner,
        None,
        &after("Remind after an hour", WaitState::WaitingForCustomer, 60, RuleConditions::default(), vec![
            RuleAction::AddNote { text: "Reminder due".into() },
            RuleAction::AddTags { tags: vec!["reminded".into()] },
        ]),
    )
    .await
    .unwrap();
    rules::save(
        &pool,
        &owner,
        None,
        &after(
            "Unanswered urgent",
            WaitState::Unanswered,
            30,
            RuleConditions { dialogue: Conditions { priorities: vec![Priority::Urgent], ..Default::default() }, ..Default::default() },
            vec![RuleAction::Notify { who: NotifyWho::Managers, text: "Unanswered for 30 minutes".into() }],
        ),
    )
    .await
    .unwrap();
    let mut answered = Vec::new();
    for _ in 0..12 {
        let id = dialogue(&pool).await;
        dialogue::claim(&pool, id, agent, false).await.unwrap();
        dialogue::write_message(&pool, id, agent, "Could you send a screenshot?", false, false, &[]).await.unwrap();
        answered.push(id);
    }
    let waiting = dialogue(&pool).await;
    let urgent = dialogue(&pool).await;
    sqlx::query("update conversations set priority = 'urgent' where id = $1").bind(urgent).execute(&pool).await.unwrap();
    // Ten have waited two hours for the customer, two only ten minutes; both unanswered
    // ones for an hour.
    sqlx::query("update conversations set awaiting_since = now() - interval '2 hours' where id = any($1)").bind(&answered[..10]).execute(&pool).await.unwrap();
    sqlx::query("update conversations set awaiting_since = now() - interval '10 minutes' where id = any($1)").bind(&answered[10..]).execute(&pool).await.unwrap();
    sqlx::query("update conversations set awaiting_since = now() - interval '1 hour' where id = any($1)").bind([waiting, urgent]).execute(&pool).await.unwrap();

    let (a, b) = tokio::join!(rules::run_waiting(&pool), rules::run_waiting(&pool));
    let (c, d) = tokio::join!(rules::run_waiting(&pool), rules::run_waiting(&pool));
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap() + d.unwrap(), 11);
    let notes: i64 = sqlx::query_scalar("select count(*) from messages where author_kind = 'system' and visibility = 'internal' and body = 'Reminder due'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(notes, 10);
    let reminded: Vec<i64> = sqlx::query_scalar("select id from conversations where 'reminded' = any(tags) order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(reminded, answered[..10].to_vec());
    let notified: Vec<Option<i64>> = sqlx::query_scalar("select conversation_id from notifications where kind = 'rule'").fetch_all(&pool).await.unwrap();
    assert_eq!(notified, vec![Some(urgent)]);

    // The customer answers and the agent asks again: a new wait, and a new reminder.
    dialogue::record_customer_message(&pool, answered[0], "Here it is.").await.unwrap();
    dialogue::write_message(&pool, answered[0], agent, "Thanks, and the version?", false, false, &[]).await.unwrap();
    assert_eq!(rules::run_waiting(&pool).await.unwrap(), 0, "the new wait is young");
    sqlx::query("update conversations set awaiting_since = now() - interval '90 minutes' where id = $1").bind(answered[0]).execute(&pool).await.unwrap();
    assert_eq!(rules::run_waiting(&pool).await.unwrap(), 1);
    assert_eq!(rules::run_waiting(&pool).await.unwrap(), 0);
}

#[sqlx::test]
async fn whose_turn_it_is_follows_the_messages(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let turn = || {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (Option<String>, Option<i64>)>(
                "select awaiting, (select count(*) from messages m where m.conversation_id = c.id and m.created_at <= c.awaiting_since)
                   from conversations c where id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(turn().await, (Some("agent".into()), Some(1)), "unanswered since the first message");
    dialogue::record_customer_message(&pool, id, "Hello?").await.unwrap();
    assert_eq!(turn().await, (Some("agent".into()), Some(1)), "a second message does not restart the wait");
    dialogue::claim(&pool, id, agent, false).await.unwrap();
    dialogue::write_message(&pool, id, agent, "Looking now.", false, false, &[]).await.unwrap();
    assert_eq!(turn().await.0.as_deref(), Some("customer"));
    // An internal note is nobody's turn.
    dialogue::write_message(&pool, id, agent, "Checked the logs.", true, false, &[]).await.unwrap();
    assert_eq!(turn().await.0.as_deref(), Some("customer"));
}

#[sqlx::test]
async fn a_dry_run_names_the_open_dialogues_a_rule_matches_and_writes_nothing(pool: PgPool) {
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let a = dialogue(&pool).await;
    let b = dialogue(&pool).await;
    let resolved = dialogue(&pool).await;
    dialogue::record_customer_message(&pool, a, "Where is my refund?").await.unwrap();
    dialogue::record_customer_message(&pool, resolved, "Refund please").await.unwrap();
    dialogue::claim(&pool, resolved, agent, false).await.unwrap();
    dialogue::resolve(&pool, resolved, agent).await.unwrap();
    let _ = b;
    let before = count(&pool, "conversation_events").await;
    let rule = on(
        "Refunds",
        &[Trigger::CustomerReplied],
        RuleConditions { words: vec!["refund".into()], ..Default::default() },
        vec![RuleAction::SetPriority { priority: Priority::High }],
    );
    let run = rules::dry_run(&pool, &rule).await.unwrap();
    assert_eq!((run.examined, run.matched), (2, 1));
    assert_eq!(run.dialogues[0].conversation_id, a);
    assert_eq!(run.would, vec!["set the priority to High"]);
    assert_eq!(count(&pool, "conversation_events").await, before);
    let priority: String = sqlx::query_scalar("select priority from conversations where id = $1").bind(a).fetch_one(&pool).await.unwrap();
    assert_eq!(priority, "normal");
}
