//! The queue's rules on a real database: claims decided by PostgreSQL, who may write,
//! postponement and its return, keyset pages, and the events that keep browsers live.

mod common;

use app::backend::dialogue::{self, Claimed};
use app::backend::{dialogue_view, queue};
use app::domain::access::Role;
use app::domain::queue::{QueueSort, QueueView};
use app::error::AppError;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

async fn holder(pool: &PgPool, id: i64) -> Option<i64> {
    sqlx::query_scalar("select assignee_id from conversations where id = $1").bind(id).fetch_one(pool).await.unwrap()
}

async fn events(pool: &PgPool, id: i64, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from conversation_events where conversation_id = $1 and kind = $2")
        .bind(id)
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

// Fifty agents claiming one dialogue at the same moment: exactly one wins; the others are told who holds it.
#[sqlx::test]
async fn fifty_concurrent_claims_of_one_dialogue_give_exactly_one_winner(pool: PgPool) {
    let id = dialogue(&pool).await;
    let mut agents = Vec::new();
    for i in 0..50 {
        agents.push(user(&pool, &format!("agent{i}@meridian.test"), Role::Operator).await);
    }
    let claims = agents.iter().map(|&agent| {
        let pool = pool.clone();
        tokio::spawn(async move { (agent, dialogue::claim(&pool, id, agent, false).await) })
    });
    let results = futures::future::join_all(claims).await;

    let winners: Vec<i64> = results.iter().filter_map(|r| match r.as_ref().unwrap() {
        (agent, Ok(Claimed::Now)) => Some(*agent),
        _ => None,
    }).collect();
    assert_eq!(winners.len(), 1, "exactly one winner");
    for r in &results {
        match r.as_ref().unwrap() {
            (_, Ok(Claimed::Now)) => {}
            (_, Err(AppError::Conflict(msg))) => assert!(msg.ends_with("is handling this dialogue."), "{msg}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(holder(&pool, id).await, Some(winners[0]));
    assert_eq!(events(&pool, id, "claimed").await, 1);
}

// A claimed dialogue leaves Unassigned for everyone at once and shows up in the claimer's Mine.
#[sqlx::test]
async fn a_claimed_dialogue_leaves_unassigned_for_everyone(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let b = user(&pool, "b@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let ids = |rows: Vec<app::model::queue::QueueRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(queue::list(&pool, QueueView::Unassigned, QueueSort::Waiting, b, None, 50).await.unwrap().0), vec![id]);

    assert_eq!(dialogue::claim(&pool, id, a, false).await.unwrap(), Claimed::Now);

    assert!(ids(queue::list(&pool, QueueView::Unassigned, QueueSort::Waiting, b, None, 50).await.unwrap().0).is_empty());
    assert_eq!(ids(queue::list(&pool, QueueView::Mine, QueueSort::Waiting, a, None, 50).await.unwrap().0), vec![id]);
    assert!(ids(queue::list(&pool, QueueView::Mine, QueueSort::Waiting, b, None, 50).await.unwrap().0).is_empty());
}

// Agent B cannot reply in a dialogue agent A holds, and nothing is stored; taking it over explicitly works.
#[sqlx::test]
async fn agent_b_cannot_reply_in_a_dialogue_agent_a_holds(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let b = user(&pool, "b@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::claim(&pool, id, a, false).await.unwrap();
    let messages_before = count(&pool, "messages").await;

    let refused = dialogue::write_message(&pool, id, b, "I can help!", false, false, &[]).await;

    assert_eq!(refused, Err(AppError::Conflict("Test User is handling this dialogue.".into())));
    assert_eq!(count(&pool, "messages").await, messages_before);
    assert_eq!(dialogue::claim(&pool, id, b, false).await, Err(AppError::Conflict("Test User is handling this dialogue.".into())));

    assert_eq!(dialogue::claim(&pool, id, b, true).await.unwrap(), Claimed::TakenOver);
    assert_eq!(holder(&pool, id).await, Some(b));
    assert_eq!(events(&pool, id, "taken_over").await, 1);
    dialogue::write_message(&pool, id, b, "I can help!", false, false, &[]).await.unwrap();
}

// A reply on an unassigned dialogue claims it first and sets the first response once.
#[sqlx::test]
async fn replying_claims_and_sets_the_first_response_once(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;

    dialogue::write_message(&pool, id, a, "Hello!", false, false, &[]).await.unwrap();
    let first: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select first_response_at from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    dialogue::write_message(&pool, id, a, "Anything else?", false, false, &[]).await.unwrap();
    let still: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select first_response_at from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();

    assert_eq!(holder(&pool, id).await, Some(a));
    assert_eq!(first, still);
    assert_eq!(events(&pool, id, "claimed").await, 1);
    assert_eq!(events(&pool, id, "replied").await, 2);
}

// An internal note is stored as internal, needs no claim, and is not a response to the customer.
#[sqlx::test]
async fn an_internal_note_is_never_a_reply_to_the_customer(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let specialist = user(&pool, "s@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::claim(&pool, id, a, false).await.unwrap();

    let note = dialogue::write_message(&pool, id, specialist, "Known bug, see incident.", true, false, &[]).await.unwrap();

    let (visibility, author_kind): (String, String) =
        sqlx::query_as("select visibility, author_kind from messages where id = $1").bind(note).fetch_one(&pool).await.unwrap();
    assert_eq!((visibility.as_str(), author_kind.as_str()), ("internal", "agent"));
    let answered: bool = sqlx::query_scalar("select first_response_at is not null from conversations where id = $1")
        .bind(id).fetch_one(&pool).await.unwrap();
    assert!(!answered, "a note is not a first response");
    assert_eq!(holder(&pool, id).await, Some(a), "a note does not take the dialogue");
}

// Empty messages are a 400 that stores nothing.
#[sqlx::test]
async fn an_empty_reply_is_refused(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    assert!(matches!(dialogue::write_message(&pool, id, a, "   ", false, false, &[]).await, Err(AppError::Invalid(_))));
    assert_eq!(holder(&pool, id).await, None);
}

// A dialogue postponed until a time leaves the open lists and returns by itself, exactly once
// even when two server processes run the wake-up job at the same moment.
#[sqlx::test]
async fn a_postponed_dialogue_returns_at_its_time(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let in_an_hour = chrono::Utc::now().timestamp() + 3600;
    dialogue::postpone(&pool, id, a, Some(in_an_hour)).await.unwrap();
    assert!(queue::list(&pool, QueueView::Open, QueueSort::Waiting, a, None, 50).await.unwrap().0.is_empty());
    assert_eq!(queue::list(&pool, QueueView::Postponed, QueueSort::Waiting, a, None, 50).await.unwrap().0.len(), 1);
    assert_eq!(dialogue::wake_due(&pool).await.unwrap(), 0, "not yet");

    sqlx::query("update conversations set postponed_until = now() - interval '1 second'").execute(&pool).await.unwrap();
    let (x, y) = tokio::join!(dialogue::wake_due(&pool), dialogue::wake_due(&pool));

    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(queue::list(&pool, QueueView::Mine, QueueSort::Waiting, a, None, 50).await.unwrap().0.len(), 1);
    assert_eq!(events(&pool, id, "woke_up").await, 1);
}

// Postponing into the past is refused and changes nothing.
#[sqlx::test]
async fn postponing_into_the_past_is_refused(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let past = chrono::Utc::now().timestamp() - 60;
    assert!(matches!(dialogue::postpone(&pool, id, a, Some(past)).await, Err(AppError::Invalid(_))));
    assert_eq!(holder(&pool, id).await, None);
}

// Postponed until the customer replies: the reply brings it back; a reply to a resolved dialogue reopens it.
#[sqlx::test]
async fn a_customer_reply_brings_a_dialogue_back(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::postpone(&pool, id, a, None).await.unwrap();

    dialogue::record_customer_message(&pool, id, "Here is the screenshot.").await.unwrap();
    let status: String = sqlx::query_scalar("select status from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "open");

    dialogue::resolve(&pool, id, a).await.unwrap();
    dialogue::record_customer_message(&pool, id, "It broke again.").await.unwrap();
    let (status, resolved): (String, bool) =
        sqlx::query_as("select status, resolved_at is not null from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((status.as_str(), resolved), ("open", false));
    assert_eq!(events(&pool, id, "reopened").await, 1);
    assert_eq!(holder(&pool, id).await, Some(a), "it goes back to its agent");
}

// Keyset pages cover every dialogue exactly once, longest waiting first, and a forged cursor is a 400.
#[sqlx::test]
async fn pages_cover_every_dialogue_exactly_once_in_order(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let mut ids = Vec::new();
    for i in 0..23 {
        let id = dialogue(&pool).await;
        // Some share a timestamp: the id breaks the tie.
        sqlx::query("update conversations set created_at = now() - make_interval(mins => $2) where id = $1")
            .bind(id)
            .bind(100 - (i / 2))
            .execute(&pool)
            .await
            .unwrap();
        ids.push(id);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let (rows, next) = queue::list(&pool, QueueView::Unassigned, QueueSort::Waiting, a, cursor, 5).await.unwrap();
        seen.extend(rows.iter().map(|r| r.id));
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every dialogue once, oldest first");
    // Newest first: the same dialogues, each once, in the reverse order.
    let mut newest = Vec::new();
    let mut cursor = None;
    loop {
        let (rows, next) = queue::list(&pool, QueueView::Unassigned, QueueSort::Newest, a, cursor, 5).await.unwrap();
        newest.extend(rows.iter().map(|r| r.id));
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(newest, ids.iter().rev().copied().collect::<Vec<_>>(), "every dialogue once, newest first");

    let (_, token) = app::backend::tokens::create(&pool, a, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let res = api_get(&app(&pool), "/api/v1/conversations?view=unassigned&cursor=not-a-cursor", Some(&token)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = api_get(&app(&pool), "/api/v1/conversations?view=unassigned&limit=5", Some(&token)).await;
    assert_eq!(res.json()["items"].as_array().unwrap().len(), 5);
    assert!(res.json()["next_cursor"].is_string());
}

// Through the API: a claim on a held dialogue is a 409 naming the holder, and nothing changes.
#[sqlx::test]
async fn the_api_says_who_holds_a_dialogue(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let b = user(&pool, "b@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let (_, token_a) = app::backend::tokens::create(&pool, a, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let (_, token_b) = app::backend::tokens::create(&pool, b, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let app = app(&pool);

    let won = api_post(&app, &format!("/api/v1/conversations/{id}/claim"), Some(&token_a), "{}").await;
    assert_eq!(won.status, StatusCode::OK);
    assert_eq!(won.json()["holder"]["id"], a);
    let lost = api_post(&app, &format!("/api/v1/conversations/{id}/claim"), Some(&token_b), "{}").await;
    assert_eq!(lost.status, StatusCode::CONFLICT);
    assert_eq!(lost.json()["error"], "Test User is handling this dialogue.");
    let reply = api_post(&app, &format!("/api/v1/conversations/{id}/messages"), Some(&token_b), r#"{"body": "hi"}"#).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let bad = api_post(&app, &format!("/api/v1/conversations/{id}/messages"), Some(&token_a), r#"{"text": "hi"}"#).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(holder(&pool, id).await, Some(a));
}

// Every committed event is announced on the meridian_queue channel, which every server process listens to.
#[sqlx::test]
async fn committed_events_are_announced_to_every_listener(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen(meridian::live::CHANNEL).await.unwrap();

    dialogue::claim(&pool, id, a, false).await.unwrap();

    let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv()).await.unwrap().unwrap();
    let payload: serde_json::Value = serde_json::from_str(n.payload()).unwrap();
    assert_eq!(payload["conversation_id"], id);
    assert_eq!(payload["kind"], "claimed");
}

// The live event stream is for agents: others are refused, agents get text/event-stream.
#[sqlx::test]
async fn the_event_stream_is_for_agents_only(pool: PgPool) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let agent = user(&pool, "a@meridian.test", Role::Operator).await;
    let reviewer = user(&pool, "r@meridian.test", Role::Reviewer).await;
    let app = app(&pool);
    for (cookie, want) in [
        (Some(session_cookie(&pool, agent).await), StatusCode::OK),
        (Some(session_cookie(&pool, reviewer).await), StatusCode::FORBIDDEN),
        (None, StatusCode::UNAUTHORIZED),
    ] {
        let mut req = Request::get("/events/queue").header("host", HOST);
        if let Some(c) = &cookie {
            req = req.header("cookie", c);
        }
        let res = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), want);
        if want == StatusCode::OK {
            assert_eq!(res.headers()["content-type"], "text/event-stream");
        }
    }
}

// A claim is a lease: an idle agent's unanswered claims go back to the queue; an active
// agent's claims and answered dialogues stay; with two processes running the job, once.
#[sqlx::test]
async fn an_idle_agents_unanswered_claims_go_back_to_the_queue(pool: PgPool) {
    let idle = user(&pool, "idle@meridian.test", Role::Operator).await;
    let active = user(&pool, "active@meridian.test", Role::Operator).await;
    session_cookie(&pool, idle).await;
    session_cookie(&pool, active).await;
    let (unanswered, answered, kept) = (dialogue(&pool).await, dialogue(&pool).await, dialogue(&pool).await);
    dialogue::claim(&pool, unanswered, idle, false).await.unwrap();
    dialogue::write_message(&pool, answered, idle, "On it!", false, false, &[]).await.unwrap();
    dialogue::claim(&pool, kept, active, false).await.unwrap();
    let lease = std::time::Duration::from_secs(30 * 60);
    assert_eq!(dialogue::release_stale_claims(&pool, lease).await.unwrap(), 0, "fresh claims are kept");

    // An hour later; only the active agent has made requests since.
    sqlx::query("update conversations set claimed_at = now() - interval '1 hour'").execute(&pool).await.unwrap();
    sqlx::query("update sessions set last_seen_at = now() - interval '1 hour' where user_id = $1").bind(idle).execute(&pool).await.unwrap();
    let (x, y) = tokio::join!(dialogue::release_stale_claims(&pool, lease), dialogue::release_stale_claims(&pool, lease));

    assert_eq!(x.unwrap() + y.unwrap(), 1);
    assert_eq!(holder(&pool, unanswered).await, None);
    assert_eq!(events(&pool, unanswered, "released").await, 1);
    assert_eq!(holder(&pool, answered).await, Some(idle), "an answered dialogue stays with its agent");
    assert_eq!(holder(&pool, kept).await, Some(active), "an active agent keeps their claims");
}

// Priority and outcome changes are stored and recorded once; an unknown value is a 400 that changes nothing.
#[sqlx::test]
async fn priority_and_outcome_changes_are_recorded(pool: PgPool) {
    use app::domain::dialogue::{Outcome, Priority};
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;

    dialogue::set_details(&pool, id, a, Priority::Urgent, Some(Outcome::Converted)).await.unwrap();
    dialogue::set_details(&pool, id, a, Priority::Urgent, Some(Outcome::Converted)).await.unwrap();

    let (priority, outcome): (String, Option<String>) =
        sqlx::query_as("select priority, outcome from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((priority.as_str(), outcome.as_deref()), ("urgent", Some("converted")));
    assert_eq!(events(&pool, id, "priority_changed").await, 1);
    assert_eq!(events(&pool, id, "outcome_changed").await, 1);

    let cookie = session_cookie(&pool, a).await;
    let res = call(&app(&pool), "set_dialogue_details", Some(&cookie), &format!("id={id}&priority=whenever&outcome=")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let still: String = sqlx::query_scalar("select priority from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(still, "urgent");
}

// Presence: an agent in a dialogue is seen by others (never by themself), typing included,
// on the dialogue and on its queue row; a heartbeat older than 30 s no longer counts.
#[sqlx::test]
async fn agents_see_who_else_is_viewing_or_typing(pool: PgPool) {
    use app::backend::presence;
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let b = user(&pool, "b@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await.unwrap();
    listener.listen(meridian::live::CHANNEL).await.unwrap();

    presence::heartbeat(&pool, id, b, true).await.unwrap();

    let seen_by_a = dialogue_view::dialogue(&pool, id, a).await.unwrap().unwrap().viewers;
    assert_eq!(seen_by_a.len(), 1);
    assert!(seen_by_a[0].typing);
    assert!(dialogue_view::dialogue(&pool, id, b).await.unwrap().unwrap().viewers.is_empty(), "not yourself");
    let (rows, _) = queue::list(&pool, QueueView::Unassigned, QueueSort::Waiting, a, None, 50).await.unwrap();
    assert_eq!(rows[0].viewers, vec!["Test User".to_string()]);
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv()).await.unwrap().unwrap();
    assert!(n.payload().contains("presence"));

    sqlx::query("update presence set seen_at = now() - interval '31 seconds'").execute(&pool).await.unwrap();
    assert!(dialogue_view::dialogue(&pool, id, a).await.unwrap().unwrap().viewers.is_empty(), "gone after 30 s");
}

// Tags are normalised, stored and recorded; bad tags are a 400 that changes nothing.
#[sqlx::test]
async fn tags_are_normalised_stored_and_recorded(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let cookie = session_cookie(&pool, a).await;
    let app = app(&pool);

    let res = call(&app, "tag_dialogue", Some(&cookie), &format!("id={id}&tags=Billing%2C+Refund+request")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let tags: Vec<String> = sqlx::query_scalar("select tags from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(tags, vec!["billing", "refund-request"]);
    assert_eq!(events(&pool, id, "tagged").await, 1);

    let bad = call(&app, "tag_dialogue", Some(&cookie), &format!("id={id}&tags=%3Cscript%3E")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let still: Vec<String> = sqlx::query_scalar("select tags from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(still, tags);
    assert_eq!(dialogue_view::dialogue(&pool, id, a).await.unwrap().unwrap().tags, tags);
}


// The customer card shows the customer's local time, and an unknown zone name shows none
// instead of breaking the dialogue.
#[sqlx::test]
async fn the_customer_card_shows_local_time_and_survives_a_bad_zone(pool: PgPool) {
    let me = user(&pool, "agent@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let card = dialogue_view::dialogue(&pool, id, me).await.unwrap().unwrap().customer;
    assert!(card.local_time.is_some_and(|t| t.len() == 9), "Europe/Lisbon gives e.g. 'Mon 14:05'");
    sqlx::query("update customers set time_zone = 'Mars/Olympus_Mons'").execute(&pool).await.unwrap();
    let card = dialogue_view::dialogue(&pool, id, me).await.unwrap().unwrap().customer;
    assert_eq!(card.local_time, None);
}

// The reassign list puts agents on shift now first (with when their shift ends), then the
// least loaded; reassigning hands the dialogue over.
#[sqlx::test]
async fn the_reassign_list_shows_load_and_who_is_on_shift(pool: PgPool) {
    let me = user(&pool, "agent@meridian.test", Role::Operator).await;
    let busy = user(&pool, "busy@meridian.test", Role::Operator).await;
    let on_shift = user(&pool, "onshift@meridian.test", Role::Operator).await;
    for _ in 0..2 {
        let d = dialogue(&pool).await;
        dialogue::claim(&pool, d, busy, false).await.unwrap();
    }
    sqlx::query("insert into shifts (user_id, starts_at, ends_at) values ($1, now() - interval '1 hour', now() + interval '3 hours')")
        .bind(on_shift)
        .execute(&pool)
        .await
        .unwrap();
    let id = dialogue(&pool).await;
    let d = dialogue_view::dialogue(&pool, id, me).await.unwrap().unwrap();
    assert_eq!(d.assignees[0].id, on_shift, "on shift first");
    assert!(d.assignees[0].on_shift_until.is_some());
    let busy_row = d.assignees.iter().find(|a| a.id == busy).unwrap();
    assert_eq!((busy_row.open, busy_row.on_shift_until.clone()), (2, None));
    assert!(busy_row.label().ends_with("off shift · 2 open"));

    let res = call(&app(&pool), "reassign_dialogue", Some(&session_cookie(&pool, me).await), &format!("id={id}&agent_id={on_shift}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(holder(&pool, id).await, Some(on_shift));
}

// A note that @mentions a colleague notifies them once; replies, unknown handles, e-mail
// addresses and the author themselves notify nobody.
#[sqlx::test]
async fn a_mention_in_a_note_notifies_the_colleague(pool: PgPool) {
    use app::backend::mentions;
    let alex = user(&pool, "alex.novak@meridian.test", Role::Operator).await;
    let lena = user(&pool, "lena.fischer@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    dialogue::write_message(&pool, id, alex, "@lena.fischer could you check the refund? cc @nobody.here @alex.novak, see lena.fischer@meridian.test", true, false, &[])
        .await
        .unwrap();
    dialogue::write_message(&pool, id, alex, "Hi! @lena.fischer will look at it.", false, false, &[]).await.unwrap();
    assert_eq!(mentions::unread(&pool, lena).await.unwrap(), 1);
    assert_eq!(mentions::unread(&pool, alex).await.unwrap(), 0);
    let list = mentions::list(&pool, lena).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].conversation_id, id);
    assert!(list[0].text.starts_with("@lena.fischer could you check"));
    // Only its owner can mark it read.
    mentions::mark_read(&pool, alex, Some(list[0].id)).await.unwrap();
    assert_eq!(mentions::unread(&pool, lena).await.unwrap(), 1);
    mentions::mark_read(&pool, lena, Some(list[0].id)).await.unwrap();
    assert_eq!(mentions::unread(&pool, lena).await.unwrap(), 0);
}

// An escalation records the bug report, puts it in the dialogue as a note that notifies the
// colleague, and raises the priority; an incomplete report writes nothing.
#[sqlx::test]
async fn an_escalation_carries_a_bug_report_to_a_colleague(pool: PgPool) {
    use app::domain::dialogue::BugReport;
    let alex = user(&pool, "alex.novak@meridian.test", Role::Operator).await;
    let engineer = user(&pool, "sam.engineer@meridian.test", Role::Operator).await;
    let id = dialogue(&pool).await;
    let report = BugReport { steps: "Open Billing, click Download".into(), expected: "A PDF".into(), actual: "Error 500".into(), impact: "critical".into() };
    let incomplete = BugReport { actual: " ".into(), ..report.clone() };
    let before = (count(&pool, "messages").await, count(&pool, "escalations").await, count(&pool, "notifications").await);
    assert!(matches!(dialogue::escalate(&pool, id, alex, engineer, &incomplete).await, Err(AppError::Invalid(m)) if m.contains("instead")));
    assert!(matches!(dialogue::escalate(&pool, id, alex, alex, &report).await, Err(AppError::Invalid(_))));
    assert_eq!((count(&pool, "messages").await, count(&pool, "escalations").await, count(&pool, "notifications").await), before);

    dialogue::escalate(&pool, id, alex, engineer, &report).await.unwrap();
    let (steps, impact, to): (String, String, i64) =
        sqlx::query_as("select steps, impact, assigned_to from escalations where conversation_id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!((steps.as_str(), impact.as_str(), to), ("Open Billing, click Download", "critical", engineer));
    let (body, visibility): (String, String) = sqlx::query_as(
        "select body, visibility from messages where conversation_id = $1 and author_kind = 'agent'",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(visibility, "internal");
    assert!(body.starts_with("Escalated to @sam.engineer") && body.contains("Actual:\nError 500"));
    assert_eq!(app::backend::mentions::unread(&pool, engineer).await.unwrap(), 1);
    let priority: String = sqlx::query_scalar("select priority from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(priority, "urgent");
}

// A sales rep's dialogue is theirs: nobody takes it over, reassigns it or lets its lease
// run out; a colleague acknowledges the customer's message and forwards it, which tells
// the customer, notifies the rep and leaves the dialogue with the rep.
#[sqlx::test]
async fn a_sales_owned_dialogue_is_acknowledged_and_forwarded_never_taken(pool: PgPool) {
    let rep = user(&pool, "nora@meridian.test", Role::Operator).await;
    sqlx::query("update users set desk = 'sales' where id = $1").bind(rep).execute(&pool).await.unwrap();
    let agent = user(&pool, "alex@meridian.test", Role::Operator).await;
    let manager = user(&pool, "boss@meridian.test", Role::Admin).await;
    let id = dialogue(&pool).await;
    dialogue::claim(&pool, id, rep, false).await.unwrap();

    let refused = |r: Result<(), AppError>| match r {
        Err(AppError::Conflict(m)) => assert!(m.contains("(sales)"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    };
    refused(dialogue::claim(&pool, id, agent, true).await.map(|_| ()));
    refused(dialogue::assign(&pool, id, agent, agent).await);
    refused(dialogue::assign(&pool, id, manager, agent).await);
    refused(dialogue::write_message(&pool, id, agent, "Let me take this", false, true, &[]).await.map(|_| ()));
    // A note is still fine: bringing in a colleague is the point of notes.
    dialogue::write_message(&pool, id, agent, "FYI the contract is ready", true, false, &[]).await.unwrap();

    let before: i64 = count(&pool, "messages").await;
    dialogue::acknowledge(&pool, id, agent).await.unwrap();
    let (holder, first_response): (Option<i64>, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("select assignee_id, first_response_at from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(holder, Some(rep), "still the rep's");
    assert!(first_response.is_none(), "an acknowledgement is not the first response");
    let (body, visibility, author): (String, String, i64) =
        sqlx::query_as("select body, visibility, author_user_id from messages where conversation_id = $1 order by id desc limit 1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((visibility.as_str(), author), ("public", agent));
    let rep_first: String = sqlx::query_scalar("select split_part(name, ' ', 1) from users where id = $1").bind(rep).fetch_one(&pool).await.unwrap();
    assert!(body.contains(&format!("forwarded it to {rep_first}")), "{body}");
    assert_eq!(count(&pool, "messages").await, before + 1);
    let (kind, notified): (String, i64) = sqlx::query_as("select kind, user_id from notifications").fetch_one(&pool).await.unwrap();
    assert_eq!((kind.as_str(), notified), ("forwarded", rep));

    // The lease never hands a rep's dialogue back to the queue.
    sqlx::query("update conversations set claimed_at = now() - interval '2 days' where id = $1").bind(id).execute(&pool).await.unwrap();
    dialogue::release_stale_claims(&pool, std::time::Duration::from_secs(60)).await.unwrap();
    let holder: Option<i64> = sqlx::query_scalar("select assignee_id from conversations where id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(holder, Some(rep));

    // The rep hands it on themself; a support dialogue is not "acknowledged".
    dialogue::assign(&pool, id, rep, agent).await.unwrap();
    assert!(matches!(dialogue::acknowledge(&pool, id, manager).await, Err(AppError::Conflict(_))));
    let d = dialogue_view::dialogue(&pool, id, agent).await.unwrap().unwrap();
    assert!(!d.sales_owned);
}

// One queue per channel, purpose and team: each list and its count narrow to it, and the
// API takes the same filters.
#[sqlx::test]
async fn lists_narrow_to_one_channel_purpose_or_team(pool: PgPool) {
    use app::domain::dialogue::Topic;
    use app::domain::queue::QueueFilter;
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let chat_one = dialogue(&pool).await;
    let chat_two = dialogue(&pool).await;
    let mail: i64 = sqlx::query_scalar(
        "insert into channels (kind, name, address, first_response_target) values ('email', 'Billing e-mail', 'billing@meridian.test', interval '8 hours') returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let team: i64 = sqlx::query_scalar("insert into teams (name, region, time_zone) values ('Europe', 'EMEA', 'Europe/Berlin') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let billing = dialogue(&pool).await;
    sqlx::query("update conversations set channel_id = $2, topic = 'billing', team_id = $3 where id = $1")
        .bind(billing)
        .bind(mail)
        .bind(team)
        .execute(&pool)
        .await
        .unwrap();
    let ids = |filter: QueueFilter| {
        let pool = pool.clone();
        async move {
            let (rows, _) = queue::list_filtered(&pool, QueueView::Unassigned, QueueSort::Waiting, &filter, a, None, 50).await.unwrap();
            rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(QueueFilter::default()).await, vec![chat_one, chat_two, billing]);
    assert_eq!(ids(QueueFilter { channel_id: Some(mail), ..Default::default() }).await, vec![billing]);
    assert_eq!(ids(QueueFilter { topic: Some(Topic::Support), ..Default::default() }).await, vec![chat_one, chat_two]);
    assert_eq!(ids(QueueFilter { team_id: Some(team), ..Default::default() }).await, vec![billing]);
    assert!(ids(QueueFilter { topic: Some(Topic::Legal), ..Default::default() }).await.is_empty());
    let counts = queue::counts(&pool, a, &QueueFilter { topic: Some(Topic::Billing), ..Default::default() }).await.unwrap();
    assert_eq!(counts[0], (QueueView::Unassigned, 1));

    let (_, token) = app::backend::tokens::create(&pool, a, "t", &app::backend::tokens::Grant::default()).await.unwrap();
    let res = api_get(&app(&pool), &format!("/api/v1/conversations?view=unassigned&channel={mail}"), Some(&token)).await;
    let items = res.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], billing);
}

// "Most urgent first": urgent, high, normal, low, each longest waiting first, paged by a
// cursor that carries the rank, every dialogue once.
#[sqlx::test]
async fn the_most_urgent_come_first_when_asked(pool: PgPool) {
    let a = user(&pool, "a@meridian.test", Role::Operator).await;
    let mut expected: Vec<(usize, i64, i64)> = Vec::new();
    let priorities = ["low", "urgent", "normal", "high"];
    for i in 0..13i64 {
        let id = dialogue(&pool).await;
        let p = priorities[i as usize % 4];
        sqlx::query("update conversations set priority = $2, created_at = now() - make_interval(mins => $3) where id = $1")
            .bind(id)
            .bind(p)
            .bind((100 - i) as i32)
            .execute(&pool)
            .await
            .unwrap();
        let rank = ["urgent", "high", "normal", "low"].iter().position(|x| *x == p).unwrap();
        expected.push((rank, i, id));
    }
    expected.sort();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let (rows, next) = queue::list(&pool, QueueView::Open, QueueSort::Priority, a, cursor, 3).await.unwrap();
        seen.extend(rows.iter().map(|r| r.id));
        match next {
            Some(c) => cursor = Some(app::domain::queue::Cursor::decode(&c.encode()).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, expected.iter().map(|e| e.2).collect::<Vec<_>>());
}
