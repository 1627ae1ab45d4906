//! Incidents on a real PostgreSQL: an update reaches each linked customer exactly once (on
//! their own channel, whatever the number of their linked dialogues, however often and
//! however simultaneously it is submitted), the closing message resolves every linked
//! dialogue, and every mailing is in the audit log.

mod common;

use app::domain::incident::IncidentStatus;
use app::domain::macros::TopicKind;
use app::backend::{chat, incidents};
use app::domain::access::Role;
use app::error::AppError;
use common::*;
use sqlx::PgPool;

/// A dialogue of `customer` on `channel`.
async fn dialogue_of(pool: &PgPool, channel: i64, customer: i64, subject: &str) -> i64 {
    sqlx::query_scalar("insert into conversations (channel_id, customer_id, subject) values ($1, $2, $3) returning id")
        .bind(channel)
        .bind(customer)
        .bind(subject)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn customer(pool: &PgPool, name: &str, email: Option<&str>) -> i64 {
    sqlx::query_scalar("insert into customers (name, email, time_zone) values ($1, $2, 'UTC') returning id")
        .bind(name)
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn channel(pool: &PgPool, kind: &str, name: &str, address: &str) -> i64 {
    sqlx::query_scalar("insert into channels (kind, name, address, first_response_target) values ($1, $2, $3, interval '1 hour') returning id")
        .bind(kind)
        .bind(name)
        .bind(address)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Outbox e-mails per recipient for replies, as (recipient, count).
async fn mails(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as("select recipient, count(*) from outbox where purpose = 'reply' group by recipient order by recipient")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn an_incident_update_reaches_each_linked_customer_exactly_once(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let other = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let email = channel(&pool, "email", "Support e-mail", "support@meridian.test").await;
    let chat = channel(&pool, "chat", "Website chat", "website").await;
    let ana = customer(&pool, "Ana Lima", Some("ana@example.com")).await;
    let ben = customer(&pool, "Ben Ode", Some("ben@example.com")).await;
    let cai = customer(&pool, "Cai Wu", None).await;
    // Ana wrote twice about the outage; the later dialogue is the one she reads.
    let ana_1 = dialogue_of(&pool, email, ana, "Payment failed").await;
    let ana_2 = dialogue_of(&pool, email, ana, "Payment failed again").await;
    let ben_1 = dialogue_of(&pool, email, ben, "Card declined").await;
    let cai_1 = dialogue_of(&pool, chat, cai, "Checkout broken").await;
    let unrelated = dialogue_of(&pool, email, ben, "Change my address").await;
    sqlx::query("update conversations set updated_at = now() + interval '1 minute' where id = $1").bind(ana_2).execute(&pool).await.unwrap();

    let id = incidents::declare(&pool, &manager, "  Payments   failing ", "Card payments fail in Europe").await.unwrap();
    let linked = incidents::link(&pool, &manager, id, &[ana_1, ana_2, ben_1, cai_1, 999_999]).await.unwrap();
    assert_eq!((linked.linked, linked.already, linked.missing), (4, 0, vec![999_999]));
    assert_eq!(incidents::link(&pool, &manager, id, &[ana_1]).await.unwrap().already, 1);
    let of = incidents::of_dialogue(&pool, ana_1, true).await.unwrap();
    assert_eq!(of.linked, vec![(id, "Payments failing".to_string(), "open".to_string())]);
    assert!(of.open.is_empty(), "an incident it is part of is not offered again");
    let offered = incidents::of_dialogue(&pool, unrelated, true).await.unwrap();
    assert_eq!((offered.linked.len(), offered.open), (0, vec![(id, "Payments failing".to_string())]));

    // The preview names each customer once, in the dialogue they will get it in.
    let preview = incidents::preview(&pool, &manager, id, "Hi {{customer.first_name}}, we are on it.").await.unwrap();
    let whom: Vec<(String, i64)> = preview.recipients.iter().map(|r| (r.customer.clone(), r.dialogue_id)).collect();
    assert_eq!(whom, vec![("Ana Lima".to_string(), ana_2), ("Ben Ode".to_string(), ben_1), ("Cai Wu".to_string(), cai_1)]);
    assert_eq!(preview.first_text.as_deref(), Some("Hi Ana, we are on it."));
    assert_eq!(preview.recipients[0].how, "e-mail to ana@example.com");
    assert_eq!(preview.recipients[2].how, "their chat page");

    // The same submission three times, two of them at the same moment: sent once.
    let body = "Hi {{customer.first_name}}, payments fail for some customers. We are on it.";
    let (a, b) = tokio::join!(
        incidents::send(&pool, &manager, id, "update-key-0001", body, false),
        incidents::send(&pool, &manager, id, "update-key-0001", body, false)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.update_id, b.update_id);
    assert_eq!(a.repeated as u8 + b.repeated as u8, 1, "exactly one of the two sent");
    assert_eq!(a.customers, 3);
    let again = incidents::send(&pool, &manager, id, "update-key-0001", body, false).await.unwrap();
    assert!(again.repeated);
    assert_eq!(mails(&pool).await, vec![("ana@example.com".into(), 1), ("ben@example.com".into(), 1)]);
    let ana_mail: String = sqlx::query_scalar(
        "select m.body from outbox o join messages m on m.id = o.message_id where o.recipient = 'ana@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ana_mail, "Hi Ana, payments fail for some customers. We are on it.");
    let in_dialogue = |c: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from messages where conversation_id = $1 and author_kind = 'system' and visibility = 'public'")
                .bind(c)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!((in_dialogue(ana_1).await, in_dialogue(ana_2).await, in_dialogue(ben_1).await, in_dialogue(unrelated).await), (0, 1, 1, 0));
    // The chat customer reads it on their page.
    let state = chat::chat_state(&pool, cai_1).await.unwrap();
    assert_eq!(state.messages.iter().filter(|m| m.text.starts_with("Hi Cai, payments fail")).count(), 1);
    // An update is not an answer: the customers still wait for a person.
    let answered: i64 = sqlx::query_scalar("select count(*) from conversations where first_response_at is not null").fetch_one(&pool).await.unwrap();
    assert_eq!(answered, 0);

    // Two different updates by two managers at once: each reaches each customer once.
    let (x, y) = tokio::join!(
        incidents::send(&pool, &manager, id, "update-key-0002", "Still on it.", false),
        incidents::send(&pool, &other, id, "update-key-0003", "A fix is rolling out.", false)
    );
    assert!(!x.unwrap().repeated && !y.unwrap().repeated);
    assert_eq!(mails(&pool).await, vec![("ana@example.com".into(), 3), ("ben@example.com".into(), 3)]);
    let per_customer: Vec<i64> =
        sqlx::query_scalar("select count(*) from incident_deliveries group by customer_id order by customer_id").fetch_all(&pool).await.unwrap();
    assert_eq!(per_customer, vec![3, 3, 3]);

    // A bad update writes nothing.
    let before = count(&pool, "messages").await;
    assert!(matches!(incidents::send(&pool, &manager, id, "update-key-0004", "Hi {{customer.shoe}}", false).await, Err(AppError::Invalid(_))));
    assert!(matches!(incidents::send(&pool, &manager, id, "short", "Fine", false).await, Err(AppError::Invalid(_))));
    assert_eq!(count(&pool, "messages").await, before);

    // The closing message resolves the incident and every linked dialogue, once.
    let closing = incidents::send(&pool, &manager, id, "closing-key-0001", "Fixed. Sorry, {{customer.first_name}}.", true).await.unwrap();
    assert_eq!((closing.customers, closing.resolved), (3, 4));
    let open: Vec<i64> = sqlx::query_scalar("select id from conversations where status <> 'resolved' order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(open, vec![unrelated]);
    let again = incidents::send(&pool, &manager, id, "closing-key-0001", "Fixed. Sorry, {{customer.first_name}}.", true).await.unwrap();
    assert!(again.repeated);
    assert!(matches!(incidents::send(&pool, &manager, id, "late-key-0001", "One more thing", false).await, Err(AppError::Conflict(_))));
    assert!(matches!(incidents::link(&pool, &manager, id, &[unrelated]).await, Err(AppError::Conflict(_))));
    assert_eq!(mails(&pool).await, vec![("ana@example.com".into(), 4), ("ben@example.com".into(), 4)]);
    let incident = incidents::get(&pool, id, "UTC").await.unwrap();
    assert_eq!(incident.summary.title, "Payments failing");
    assert_eq!(incident.summary.status, IncidentStatus::Resolved);
    assert_eq!(incident.updates.len(), 4);
    assert!(incident.updates.last().unwrap().closing);

    // Declared, four mailings, resolved: all in the audit log.
    let logged: Vec<String> = sqlx::query_scalar("select action from audit_log order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(logged.iter().filter(|a| *a == "mass_mailing").count(), 4);
    assert_eq!(logged.first().map(String::as_str), Some("incident_declared"));
    assert_eq!(logged.last().map(String::as_str), Some("incident_resolved"));
}

// Linking a trending topic links every waiting dialogue that has it.
#[sqlx::test]
async fn a_trending_topic_links_its_waiting_dialogues(pool: PgPool) {
    let manager = member(&pool, "manager@meridian.test", "Marcus Webb", Role::Admin).await;
    let first = dialogue(&pool).await;
    let second = dialogue(&pool).await;
    let third = dialogue(&pool).await;
    sqlx::query("update conversations set tags = '{outage}' where id = any($1)").bind([first, second]).execute(&pool).await.unwrap();
    let id = incidents::declare(&pool, &manager, "Login outage", "").await.unwrap();
    let r = incidents::link_topic(&pool, &manager, id, TopicKind::Tag, "outage").await.unwrap();
    assert_eq!(r.linked, 2);
    let linked: Vec<i64> = incidents::get(&pool, id, "UTC").await.unwrap().dialogues.iter().map(|d| d.id).collect();
    assert_eq!(linked, vec![first, second]);
    assert!(!linked.contains(&third));
    assert!(matches!(incidents::link_topic(&pool, &manager, id, TopicKind::Tag, "nothing-here").await, Err(AppError::Invalid(_))));
    assert!(matches!(incidents::declare(&pool, &manager, "   ", "").await, Err(AppError::Invalid(_))));
}

// Through the REST API: a monitoring system declares, links and updates; a retried update
// with the same key sends nothing more.
#[sqlx::test]
async fn an_incident_runs_through_the_api(pool: PgPool) {
    let manager = user(&pool, "manager@meridian.test", Role::Admin).await;
    let (_, token) = app::backend::tokens::create(&pool, manager, "monitoring", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);
    let email = channel(&pool, "email", "Support e-mail", "support@meridian.test").await;
    let ana = customer(&pool, "Ana Lima", Some("ana@example.com")).await;
    let d = dialogue_of(&pool, email, ana, "Checkout broken").await;

    let declared = api_post(&app, "/api/v1/incidents", Some(&token), r#"{"title": "Checkout failing"}"#).await;
    assert_eq!(declared.status.as_u16(), 201, "{}", declared.body);
    let id = declared.json()["id"].as_i64().unwrap();
    let linked = api_post(&app, &format!("/api/v1/incidents/{id}/dialogues"), Some(&token), &format!(r#"{{"conversation_ids": [{d}, 999999]}}"#)).await;
    assert_eq!((linked.json()["linked"].as_i64(), linked.json()["missing"][0].as_i64()), (Some(1), Some(999_999)));
    let update = r#"{"request_key": "status-page-812", "body": "Hi {{customer.first_name}}, we are on it."}"#;
    let first = api_post(&app, &format!("/api/v1/incidents/{id}/updates"), Some(&token), update).await;
    let again = api_post(&app, &format!("/api/v1/incidents/{id}/updates"), Some(&token), update).await;
    assert_eq!((first.status.as_u16(), again.status.as_u16()), (201, 200));
    assert_eq!(again.json()["repeated"], true);
    assert_eq!(mails(&pool).await, vec![("ana@example.com".into(), 1)]);
    let bad = api_post(&app, &format!("/api/v1/incidents/{id}/updates"), Some(&token), r#"{"request_key": "status-page-813", "body": ""}"#).await;
    assert_eq!(bad.status.as_u16(), 400);
    let got = api_get(&app, &format!("/api/v1/incidents/{id}"), Some(&token)).await;
    assert_eq!(got.json()["updates"].as_array().unwrap().len(), 1);
}
