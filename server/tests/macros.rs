//! Macros and mass replies on a real PostgreSQL: placeholders filled per dialogue, what a
//! macro changes, exactly one reply per dialogue however often a request is submitted,
//! colleagues' dialogues skipped, and the per-role limit.

mod common;

use app::domain::macros::TopicKind;
use app::backend::{dialogue, macros};
use app::domain::access::Role;
use app::error::AppError;
use app::model::macros::MacroInput;
use common::*;
use sqlx::PgPool;

async fn refund_macro(pool: &PgPool, by: i64) -> i64 {
    let input = MacroInput {
        id: None,
        name: "Duplicate charge refunded".into(),
        body: "Hi {{customer.first_name}}, the duplicate charge on “{{dialogue.subject}}” is refunded. {{agent.first_name}}".into(),
        set_status: Some("resolved".into()),
        add_tags: "billing, refund".into(),
        set_priority: Some("high".into()),
    };
    macros::save(pool, by, &input).await.unwrap().id
}

async fn replies(pool: &PgPool, id: i64) -> Vec<String> {
    sqlx::query_scalar("select body from messages where conversation_id = $1 and author_kind = 'agent' order by id")
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
}

// A macro's placeholders are filled for each dialogue, and its changes applied.
#[sqlx::test]
async fn a_macros_placeholders_are_filled_and_its_changes_applied(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let alex = member(&pool, "agent@meridian.test", "Alex Novak", Role::Operator).await;
    let m = refund_macro(&pool, manager.id).await;
    let id = dialogue(&pool).await;
    assert_eq!(
        macros::preview(&pool, &alex, m, id).await.unwrap(),
        "Hi Ana, the duplicate charge on “Cannot log in” is refunded. Alex"
    );
    let r = macros::mass_reply(&pool, &alex, "single-0001", m, &[id]).await.unwrap();
    assert_eq!((r.sent, r.skipped.len()), (1, 0));
    assert_eq!(replies(&pool, id).await, ["Hi Ana, the duplicate charge on “Cannot log in” is refunded. Alex"]);
    let (status, priority, tags, assignee): (String, String, Vec<String>, Option<i64>) =
        sqlx::query_as("select status, priority, tags, assignee_id from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((status.as_str(), priority.as_str(), assignee), ("resolved", "high", Some(alex.id)));
    assert_eq!(tags, ["billing", "refund"]);
    // A macro with an unknown placeholder is refused when it is saved.
    let bad = MacroInput { name: "Bad".into(), body: "Hi {{customer.age}}".into(), ..Default::default() };
    assert!(matches!(macros::save(&pool, manager.id, &bad).await, Err(AppError::Invalid(m)) if m.contains("{{customer.age}}")));
}

// The same mass reply submitted twice, even at the same moment, reaches each selected
// dialogue exactly once; dialogues a colleague holds are skipped and named.
#[sqlx::test]
async fn a_mass_reply_reaches_every_dialogue_exactly_once(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let alex = member(&pool, "agent@meridian.test", "Alex Novak", Role::Operator).await;
    let lena = member(&pool, "lena@meridian.test", "Lena Fischer", Role::Operator).await;
    let m = refund_macro(&pool, manager.id).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(dialogue(&pool).await);
    }
    dialogue::claim(&pool, ids[5], lena.id, false).await.unwrap();
    let (a, b) = tokio::join!(
        macros::mass_reply(&pool, &alex, "incident-2026-11-23", m, &ids),
        macros::mass_reply(&pool, &alex, "incident-2026-11-23", m, &ids)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.repeated, b.repeated, "one request sends, the other reports it");
    for r in [&a, &b] {
        assert_eq!(r.sent, 5);
        assert_eq!(r.skipped.len(), 1);
        assert_eq!(r.skipped[0].0, ids[5]);
        assert!(r.skipped[0].1.contains("Lena Fischer"), "{:?}", r.skipped);
    }
    for id in &ids[..5] {
        assert_eq!(replies(&pool, *id).await.len(), 1, "dialogue {id}");
    }
    assert!(replies(&pool, ids[5]).await.is_empty());
    // And once more later: still nothing new.
    let again = macros::mass_reply(&pool, &alex, "incident-2026-11-23", m, &ids).await.unwrap();
    assert!(again.repeated);
    assert_eq!(count(&pool, "messages where author_kind = 'agent'").await, 5);
    // The log says who sent what to how many.
    let (sent, skipped, by): (i32, i32, i64) =
        sqlx::query_as("select sent, skipped, sent_by from mass_replies where request_key = 'incident-2026-11-23'").fetch_one(&pool).await.unwrap();
    assert_eq!((sent, skipped, by), (5, 1, alex.id));
}

// Agents may answer at most 50 dialogues at once; managers more; reviewers none (the
// permission is checked before this, in one place).
#[sqlx::test]
async fn a_mass_reply_is_limited_by_role(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let alex = member(&pool, "agent@meridian.test", "Alex Novak", Role::Operator).await;
    let m = refund_macro(&pool, manager.id).await;
    let mut ids = Vec::new();
    for _ in 0..51 {
        ids.push(dialogue(&pool).await);
    }
    let refused = macros::mass_reply(&pool, &alex, "too-many-0001", m, &ids).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("at most 50")));
    assert_eq!(count(&pool, "mass_replies").await, 0);
    assert_eq!(macros::mass_reply(&pool, &manager, "manager-0001", m, &ids).await.unwrap().sent, 51);
}

// The queue's trending topics are what many waiting dialogues share.
#[sqlx::test]
async fn trending_topics_come_from_waiting_dialogues(pool: PgPool) {
    for _ in 0..4 {
        let id = dialogue(&pool).await;
        sqlx::query("update conversations set subject = 'Refund for duplicate charge', tags = '{billing}' where id = $1")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    dialogue(&pool).await;
    let topics = macros::trending(&pool).await.unwrap();
    let has = |kind: TopicKind, value: &str, n: i64| topics.iter().any(|t| t.kind == kind && t.value == value && t.count == n);
    assert!(has(TopicKind::Tag, "billing", 4), "{topics:?}");
    assert!(has(TopicKind::Word, "refund", 4) && has(TopicKind::Word, "duplicate", 4), "{topics:?}");
    assert_eq!(macros::topic_dialogues(&pool, TopicKind::Word, "duplicate").await.unwrap().len(), 4);
    assert_eq!(macros::topic_dialogues(&pool, TopicKind::Tag, "billing").await.unwrap().len(), 4);
}
