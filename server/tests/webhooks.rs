//! Outgoing event webhooks on PostgreSQL against a real HTTP receiver: a bad subscription
//! writes nothing; events are queued in the writer's transaction for each subscription
//! that wants them, posted signed (the receiver checks the signature and the time), tried
//! again after a failure under the same delivery id, sent once when two server processes
//! run the job at the same moment, and a paused subscription gets nothing new.

mod common;

use app::backend::{dialogue, webhooks};
use app::domain::access::Role;
use app::domain::webhooks::{verify_signature, DeliveryState, WebhookEvent};
use app::error::AppError;
use app::model::webhooks::WebhookInput;
use axum::http::StatusCode;
use common::*;
use meridian::outbox::{Outbox, Pass};
use sqlx::PgPool;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// What the receiver was sent: (event header, delivery header, body).
type Got = Arc<Mutex<Vec<(String, String, serde_json::Value)>>>;

/// A receiver on a free port that checks every signature with `secret` and answers
/// `status` (changeable while it runs).
async fn receiver(secret: Arc<Mutex<String>>, status: Arc<AtomicU16>) -> (u16, Got) {
    let got: Got = Arc::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            let secret = secret.clone();
            let status = status.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let now = chrono::Utc::now().timestamp();
                let key = secret.lock().unwrap().clone();
                assert!(verify_signature(&key, &header("x-meridian-signature"), &body, now), "signed with the subscription's secret");
                keep.lock().unwrap().push((header("x-meridian-event"), header("x-meridian-delivery"), serde_json::from_str(&body).unwrap()));
                StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, got)
}

#[sqlx::test]
async fn bad_subscriptions_get_a_sentence_and_write_nothing(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    for (url, events, says) in [
        ("ftp://example.com/in", vec![WebhookEvent::DialogueCreated], "http:// or https://"),
        ("hooks.example.com", vec![WebhookEvent::DialogueCreated], "http:// or https://"),
        ("https://", vec![WebhookEvent::DialogueCreated], "no host"),
        ("https://hooks.example.com/in", vec![], "at least one event"),
    ] {
        let input = WebhookInput { url: url.into(), events, description: String::new() };
        match webhooks::create(&pool, &owner, &input).await {
            Err(AppError::Invalid(sentence)) => assert!(sentence.contains(says), "{sentence}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(count(&pool, "webhook_subscriptions").await, 0);
    let app = app(&pool);
    // Subscriptions carry signing secrets: an owner signed in, never an API token.
    let (_, token) = app::backend::tokens::create(&pool, owner.id, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let good = r#"{"url": "https://hooks.example.com/in", "events": ["sla_breached"]}"#;
    let by_token = api_post(&app, "/api/v1/webhooks", Some(&token), good).await;
    assert_eq!(by_token.status, StatusCode::FORBIDDEN);
    assert!(by_token.body.contains("API tokens cannot manage users, tokens, settings or secrets"), "{}", by_token.body);
    let cookie = session_cookie(&pool, owner.id).await;
    let refused = api_send_signed_in(&app, "POST", "/api/v1/webhooks", &cookie, r#"{"url": "mailto:x@example.com", "events": ["sla_breached"]}"#).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("http://"), "{}", refused.body);
    assert_eq!(count(&pool, "webhook_subscriptions").await, 0);
    assert_eq!(api_send_signed_in(&app, "POST", "/api/v1/webhooks", &cookie, good).await.status, StatusCode::CREATED);
}

#[sqlx::test]
async fn events_are_posted_signed_retried_and_sent_once(pool: PgPool) {
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let secret = Arc::new(Mutex::new(String::new()));
    let status = Arc::new(AtomicU16::new(503));
    let (port, got) = receiver(secret.clone(), status.clone()).await;
    let made = webhooks::create(
        &pool,
        &owner,
        &WebhookInput { url: format!("http://127.0.0.1:{port}/hook"), events: vec![WebhookEvent::DialogueResolved, WebhookEvent::MessageCreated], description: "CRM".into() },
    )
    .await
    .unwrap();
    *secret.lock().unwrap() = made.secret.clone();
    assert!(made.secret.starts_with("whsec_"));

    // A dialogue the agent answers and resolves: the customer's message, the reply and the
    // resolution are queued (the internal note is not).
    let id = dialogue(&pool).await;
    dialogue::claim(&pool, id, agent, false).await.unwrap();
    dialogue::write_message(&pool, id, agent, "Fixed on our side.", false, false, &[]).await.unwrap();
    dialogue::write_message(&pool, id, agent, "A note, never sent.", true, false, &[]).await.unwrap();
    dialogue::resolve(&pool, id, agent).await.unwrap();
    let queued: Vec<(String, serde_json::Value)> = sqlx::query_as("select event, payload from webhook_deliveries order by id").fetch_all(&pool).await.unwrap();
    assert_eq!(queued.len(), 3, "{queued:?}");

    // The receiver is down: both attempts are recorded and wait for a retry.
    let outbox = Outbox::new(pool.clone(), None, "http://meridian.test").unwrap();
    assert_eq!(outbox.deliver_webhooks().await.unwrap(), Pass { sent: 0, failed: 3 });
    let shown = webhooks::deliveries(&pool, Some(made.id)).await.unwrap();
    assert!(shown.iter().all(|d| d.state == DeliveryState::Retrying && d.attempts == 1 && d.last_status == Some(503)), "{shown:?}");
    assert_eq!(outbox.deliver_webhooks().await.unwrap(), Pass::default(), "not due again yet");

    // It is back; the retries are due; two server processes run the job at once.
    status.store(200, Ordering::SeqCst);
    sqlx::query("update webhook_deliveries set next_attempt_at = now()").execute(&pool).await.unwrap();
    let second = Outbox::new(pool.clone(), None, "http://meridian.test").unwrap();
    let (a, b) = tokio::join!(outbox.deliver_webhooks(), second.deliver_webhooks());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 3);
    let got = got.lock().unwrap().clone();
    let delivered: Vec<&(String, String, serde_json::Value)> = got.iter().skip(3).collect();
    assert_eq!(delivered.len(), 3, "each delivered once");
    let mut events: Vec<&str> = delivered.iter().map(|d| d.0.as_str()).collect();
    events.sort();
    assert_eq!(events, vec!["dialogue_resolved", "message_created", "message_created"]);
    let message = delivered.iter().find(|d| d.2["message"]["author_kind"] == "agent").unwrap();
    assert_eq!(message.2["message"]["body"], "Fixed on our side.");
    assert_eq!(message.2["dialogue"]["id"], id);
    assert_eq!(message.2["dialogue"]["customer"]["name"], "Ana Customer");
    // A retry carries the delivery id of the first attempt.
    assert!(got[..3].iter().any(|first| first.1 == message.1));
    let shown = webhooks::deliveries(&pool, Some(made.id)).await.unwrap();
    assert!(shown.iter().all(|d| d.state == DeliveryState::Delivered && d.attempts == 2 && d.last_status == Some(200)), "{shown:?}");
    assert_eq!(webhooks::list(&pool).await.unwrap()[0].delivered, 3);

    // Paused: nothing new is queued.
    webhooks::set_active(&pool, &owner, made.id, false).await.unwrap();
    dialogue::reopen(&pool, id, agent).await.unwrap();
    dialogue::resolve(&pool, id, agent).await.unwrap();
    assert_eq!(count(&pool, "webhook_deliveries").await, 3);
}

// A rule's "call a webhook" action: a customer's words fire it, one `rule_fired` delivery
// goes to the subscription it names (which subscribes to other events), signed, with the
// rule's name and the dialogue; the history says so. Subscribing to `rule_fired` itself,
// or naming a subscription that does not exist, gets a sentence and writes nothing.
#[sqlx::test]
async fn a_rule_calls_the_webhook_it_names(pool: PgPool) {
    use app::backend::rules;
    use app::domain::rules::{RuleAction, RuleConditions, RuleInput, Trigger, When};
    let owner = member(&pool, "owner@meridian.test", "Olga Owner", Role::SuperAdmin).await;
    let secret = Arc::new(Mutex::new(String::new()));
    let (port, got) = receiver(secret.clone(), Arc::new(AtomicU16::new(204))).await;
    let refused = webhooks::create(
        &pool,
        &owner,
        &WebhookInput { url: format!("http://127.0.0.1:{port}/hook"), events: vec![WebhookEvent::RuleFired], description: String::new() },
    )
    .await;
    assert!(matches!(&refused, Err(AppError::Invalid(s)) if s.contains("rule_fired")), "{refused:?}");
    let made = webhooks::create(
        &pool,
        &owner,
        &WebhookInput { url: format!("http://127.0.0.1:{port}/hook"), events: vec![WebhookEvent::SlaBreached], description: "Issue tracker".into() },
    )
    .await
    .unwrap();
    *secret.lock().unwrap() = made.secret.clone();

    let rule = |webhook_id: i64| RuleInput {
        name: "Outages to the tracker".into(),
        enabled: true,
        when: When::Event { triggers: vec![Trigger::CustomerReplied] },
        conditions: RuleConditions { words: vec!["outage".into()], ..Default::default() },
        actions: vec![RuleAction::CallWebhook { webhook_id }],
        stop: false,
    };
    let unknown = rules::save(&pool, &owner, None, &rule(made.id + 100)).await;
    assert!(matches!(&unknown, Err(AppError::Invalid(s)) if s.contains("no such webhook")), "{unknown:?}");
    assert_eq!(count(&pool, "rules").await, 0);
    rules::save(&pool, &owner, None, &rule(made.id)).await.unwrap();

    let calm = dialogue(&pool).await;
    let down = dialogue(&pool).await;
    dialogue::record_customer_message(&pool, calm, "All good now.").await.unwrap();
    dialogue::record_customer_message(&pool, down, "There is an outage in Lisbon.").await.unwrap();
    while rules::run_events(&pool, 200).await.unwrap() > 0 {}
    let queued: Vec<(String, Option<i64>)> = sqlx::query_as("select event, conversation_id from webhook_deliveries").fetch_all(&pool).await.unwrap();
    assert_eq!(queued, vec![("rule_fired".to_string(), Some(down))]);
    let history: Vec<String> = sqlx::query_scalar("select detail->>'text' from conversation_events where conversation_id = $1 and kind = 'rule_fired'")
        .bind(down)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(history, vec!["“Outages to the tracker”: called the webhook “Issue tracker”"]);

    let outbox = Outbox::new(pool.clone(), None, "http://meridian.test").unwrap();
    assert_eq!(outbox.deliver_webhooks().await.unwrap(), Pass { sent: 1, failed: 0 });
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "rule_fired");
    assert_eq!(got[0].2["rule"]["name"], "Outages to the tracker");
    assert_eq!(got[0].2["dialogue"]["id"], down);
    assert_eq!(webhooks::deliveries(&pool, Some(made.id)).await.unwrap()[0].event, WebhookEvent::RuleFired);

    // Paused: the rule fires, nothing is called, and the history does not claim it was.
    webhooks::set_active(&pool, &owner, made.id, false).await.unwrap();
    dialogue::record_customer_message(&pool, down, "The outage is back.").await.unwrap();
    while rules::run_events(&pool, 200).await.unwrap() > 0 {}
    assert_eq!(count(&pool, "webhook_deliveries").await, 1);
}
