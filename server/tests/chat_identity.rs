//! A chat visitor is who they prove to be (issue #18 part 1), on real PostgreSQL: typing a
//! customer's address shows the agent none of that customer's data; the e-mailed link (or
//! the embedding site's signed identity) joins the chat to that customer.

mod common;

use app::backend::dialogue_view;
use app::domain::access::Role;
use app::domain::chat_identity::sign_identity;
use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The real customer: an address with a plan and an earlier dialogue.
async fn real_customer(pool: &PgPool) -> (i64, i64) {
    let customer: i64 = sqlx::query_scalar("insert into customers (name, email, plan) values ('Cleo Ortiz', 'ceo@bigcorp.example', 'Enterprise') returning id")
        .fetch_one(pool)
        .await
        .unwrap();
    let channel = chat_channel(pool).await;
    let past: i64 = sqlx::query_scalar("insert into conversations (channel_id, customer_id, subject) values ($1, $2, 'Our contract renewal terms') returning id")
        .bind(channel)
        .bind(customer)
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("insert into messages (conversation_id, author_kind, body) values ($1, 'customer', 'Renewal at the negotiated rate, please.')")
        .bind(past)
        .execute(pool)
        .await
        .unwrap();
    (customer, past)
}

/// Starts a chat from the chat page's form; the visitor's cookie.
async fn start(app: &axum::Router, email: &str, identity: Option<&str>) -> String {
    let mut body = format!("name=Someone&email={}&text={}", enc(email), enc("Where is my invoice?"));
    if let Some(i) = identity {
        body.push_str(&format!("&identity={}", enc(i)));
    }
    let res = send(app, form_post("/chat/website/start", None, &body)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.set_cookie().unwrap().split(';').next().unwrap().to_string()
}

async fn newest_dialogue(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select max(id) from conversations").fetch_one(pool).await.unwrap()
}

async fn confirmation_link(pool: &PgPool, to: &str) -> String {
    sqlx::query_scalar("select link_path from account_mail where purpose = 'chat_confirmation' and recipient = $1 order by id desc limit 1")
        .bind(to)
        .fetch_one(pool)
        .await
        .unwrap()
}

// A visitor who types a customer's address is a new, unverified contact: the agent sees
// "says they are …" and none of that customer's history, plan or e-mail; the customer is
// e-mailed a link, and opening it (the button, not the link alone) joins the chat to them.
#[sqlx::test]
async fn a_typed_address_is_not_an_identity_until_it_is_confirmed(pool: PgPool) {
    let (customer, past) = real_customer(&pool).await;
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let app = app(&pool);
    let cookie = start(&app, "CEO@bigcorp.example", None).await;
    let chat = newest_dialogue(&pool).await;
    let seen = dialogue_view::dialogue(&pool, chat, agent).await.unwrap().unwrap();
    assert_ne!(seen.customer.id, customer);
    assert_eq!(seen.customer.email, None);
    assert_eq!(seen.customer.unverified_email.as_deref(), Some("ceo@bigcorp.example"));
    assert_eq!(seen.customer.plan, None);
    assert!(seen.customer.past.is_empty(), "{:?}", seen.customer.past);
    let text = format!("{:?}", seen.timeline);
    assert!(!text.contains("negotiated rate") && !text.contains("contract renewal"), "{text}");

    // The visitor is told, and the address gets a link.
    let page = page(&app, "/chat/website", Some(&cookie)).await;
    assert!(page.body.contains("We e-mailed a link to ceo@bigcorp.example"), "{}", page.body);
    let link = confirmation_link(&pool, "ceo@bigcorp.example").await;
    assert!(link.starts_with("/chat/website/confirm/"), "{link}");

    // Opening the link asks first and changes nothing.
    let ask = common::page(&app, &link, None).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("Is ceo@bigcorp.example your address?") && ask.body.contains("Confirm my e-mail"), "{}", ask.body);
    assert!(dialogue_view::dialogue(&pool, chat, agent).await.unwrap().unwrap().customer.unverified_email.is_some());

    // Confirming joins the chat to the customer, and the visitor goes on in the same chat.
    let done = send(&app, form_post(&link, None, "")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your e-mail is confirmed"), "{}", done.body);
    let seen = dialogue_view::dialogue(&pool, chat, agent).await.unwrap().unwrap();
    assert_eq!(seen.customer.id, customer);
    assert_eq!(seen.customer.email.as_deref(), Some("ceo@bigcorp.example"));
    assert_eq!(seen.customer.unverified_email, None);
    assert!(seen.customer.past.iter().any(|p| p.id == past));
    let more = send(&app, form_post("/chat/website/messages", Some(&cookie), "text=Thanks")).await;
    assert_eq!(more.status, StatusCode::SEE_OTHER, "{}", more.body);
    let owner: i64 = sqlx::query_scalar("select customer_id from conversations where id = $1").bind(chat).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, customer);
    assert_eq!(count(&pool, "customers").await, 1, "the unverified contact is gone");

    // The link works once.
    let again = send(&app, form_post(&link, None, "")).await;
    assert!(again.body.contains("This link no longer works"), "{}", again.body);
    assert!(common::page(&app, &link, None).await.body.contains("This link no longer works"));
}

// The embedding site's signed identity joins the chat to the customer at once; a signature
// for another address, an expired one or a made-up one leaves the visitor unverified.
#[sqlx::test]
async fn a_signed_identity_from_the_embedding_site_is_trusted(pool: PgPool) {
    let (customer, _) = real_customer(&pool).await;
    let secret: String = sqlx::query_scalar("select secret from channels where address = 'website'").fetch_one(&pool).await.unwrap();
    let app = app(&pool);
    let now = chrono::Utc::now().timestamp();

    // The chat page shows the vouched address read-only and carries the identity.
    let identity = sign_identity(&secret, "ceo@bigcorp.example", now + 600);
    let shown = page(&app, &format!("/chat/website?name=Cleo&email=ceo%40bigcorp.example&identity={}", enc(&identity)), None).await;
    assert!(shown.body.contains("Signed in on our site as this address."), "{}", shown.body);
    assert!(shown.body.contains("readonly value=\"ceo@bigcorp.example\""));

    start(&app, "ceo@bigcorp.example", Some(&identity)).await;
    let owner: i64 = sqlx::query_scalar("select customer_id from conversations where id = $1").bind(newest_dialogue(&pool).await).fetch_one(&pool).await.unwrap();
    assert_eq!(owner, customer);
    assert_eq!(count(&pool, "account_mail").await, 0, "no confirmation needed");

    for bad in [
        sign_identity(&secret, "someone.else@bigcorp.example", now + 600),
        sign_identity(&secret, "ceo@bigcorp.example", now - 1),
        sign_identity("a guessed secret", "ceo@bigcorp.example", now + 600),
        "t=9999999999,v1=00".to_string(),
    ] {
        start(&app, "ceo@bigcorp.example", Some(&bad)).await;
        let owner: i64 = sqlx::query_scalar("select customer_id from conversations where id = $1").bind(newest_dialogue(&pool).await).fetch_one(&pool).await.unwrap();
        assert_ne!(owner, customer, "{bad}");
        let unverified: Option<String> = sqlx::query_scalar("select unverified_email from customers where id = $1").bind(owner).fetch_one(&pool).await.unwrap();
        assert_eq!(unverified.as_deref(), Some("ceo@bigcorp.example"));
    }
    let page = page(&app, "/chat/website?email=ceo%40bigcorp.example&identity=t%3D1%2Cv1%3D00", None).await;
    assert!(!page.body.contains("Signed in on our site"), "a bad identity is not shown as one");
}

// Nobody can make Meridian mail an address without end: a few confirmation e-mails an hour
// per address, however many chats are started with it (the chats still start).
#[sqlx::test]
async fn confirmation_mails_to_one_address_are_few(pool: PgPool) {
    chat_channel(&pool).await;
    let app = app(&pool);
    for _ in 0..6 {
        start(&app, "victim@example.com", None).await;
    }
    assert_eq!(count(&pool, "conversations").await, 6);
    let mails: i64 = sqlx::query_scalar("select count(*) from account_mail where recipient = 'victim@example.com'").fetch_one(&pool).await.unwrap();
    assert!((1..=3).contains(&mails), "{mails} mails");
}
