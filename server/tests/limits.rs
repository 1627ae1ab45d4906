//! The public doors' limits and the server's time limits (issue #18 parts 2 and 3), on
//! real PostgreSQL: each limit answers with a sentence and `Retry-After` and writes nothing;
//! a statement or request past its time is stopped; a slow client is disconnected; password
//! hashes run a few at a time; an anonymous flood leaves staff their share of the pool.

mod common;

use app::backend::Settings;
use app::domain::access::Role;
use app::domain::doors::{Door, STREAMS_PER_VISITOR};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

fn retry_after(a: &Answer) -> u64 {
    a.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap()
}

/// Holds an exclusive lock on `table` from its own connection until the returned
/// transaction is dropped: whatever reads the table waits.
async fn lock(pool: &PgPool, table: &str) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(&format!("lock table {table} in access exclusive mode")).execute(&mut *tx).await.unwrap();
    tx
}

// A statement past the server's statement_timeout is cancelled by PostgreSQL and answered
// 503 with a sentence (never a hang, never the database's words); the reports raise it for
// themselves.
#[sqlx::test]
async fn a_statement_over_its_time_limit_is_cancelled_and_answered_with_a_sentence(pool: PgPool) {
    let limited = meridian::db::connect_with((*pool.connect_options()).clone(), 4, Some(Duration::from_millis(300))).await.unwrap();
    let app = meridian::http::router(state(&limited, Settings::default()));
    let held = lock(&pool, "kb_categories").await;
    let started = Instant::now();
    let res = page(&app, "/help", None).await;
    let took = started.elapsed();
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert!(res.body.contains("took longer than Meridian allows and was stopped"), "{}", res.body);
    assert!(!res.body.contains("cancel") && !res.body.contains("statement"), "{}", res.body);
    assert!(retry_after(&res) >= 1);
    assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(3), "{took:?}");
    drop(held);
    assert_eq!(page(&app, "/help", None).await.status, StatusCode::OK);
    // The limit is on every connection of the pool, and a transaction may raise it.
    let mut conn = limited.acquire().await.unwrap();
    let limit: String = sqlx::query_scalar("show statement_timeout").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(limit, "300ms");
    let idle: String = sqlx::query_scalar("show idle_in_transaction_session_timeout").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(idle, "1min");
    let slow = sqlx::query("select pg_sleep(0.5)").execute(&mut *conn).await.unwrap_err();
    assert_eq!(app::error::AppError::from(slow), app::error::AppError::TimedOut);
    let mut tx = limited.begin().await.unwrap();
    sqlx::query("set local statement_timeout = '2s'").execute(&mut *tx).await.unwrap();
    sqlx::query("select pg_sleep(0.5)").execute(&mut *tx).await.unwrap();
}

// A request not answered within the request timeout is answered 503, whatever it waits
// for, and its transaction rolls back.
#[sqlx::test]
async fn a_request_over_its_time_is_answered_503(pool: PgPool) {
    let app = meridian::http::router(state(&pool, Settings { request_timeout: Duration::from_millis(500), ..Settings::default() }));
    let held = lock(&pool, "kb_categories").await;
    let started = Instant::now();
    let res = page(&app, "/help", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert!(res.body.contains("took longer than Meridian allows"), "{}", res.body);
    assert!(res.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(held);
    assert_eq!(page(&app, "/help", None).await.status, StatusCode::OK);
}

// A client that opens a connection and never finishes its request's headers (slow loris)
// is disconnected; a whole request on the same server is answered.
#[sqlx::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected(pool: PgPool) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = meridian::listen::Limits { header_read: Duration::from_millis(500), open_connections: 3, drain: Duration::from_secs(1) };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(meridian::listen::serve(listener, app(&pool), limits, async {
        let _ = stopped.await;
    }));
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: meridian.test\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the half-sent request's connection stayed open");
    assert!(started.elapsed() >= Duration::from_millis(400), "{:?}", started.elapsed());
    // A whole request is answered, with the client's address known to the app.
    let mut whole = tokio::net::TcpStream::connect(addr).await.unwrap();
    whole.write_all(b"GET /healthz HTTP/1.1\r\nHost: meridian.test\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    whole.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
    // More connections than allowed at once: the extra ones are closed at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: meridian.test\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 12];
        c.read_exact(&mut buf).await.unwrap();
        held.push(c);
    }
    let mut extra = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: meridian.test\r\n\r\n").await;
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut got)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the extra connection was served: {}", String::from_utf8_lossy(&got));
    drop(held);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stops").unwrap();
}

// Password hashes (19 MiB and a core each) run at most a few at once, however many
// sign-ins arrive together; every one is still answered.
#[sqlx::test]
async fn password_hashes_run_a_few_at_a_time(_pool: PgPool) {
    let cap = app::backend::passwords::hashing_cap();
    let attempts = (0..(cap * 4)).map(|i| app::backend::passwords::verify(format!("guess {i}"), None));
    let answers = futures::future::join_all(attempts).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(false))), "{answers:?}");
    let peak = app::backend::passwords::hashing_peak();
    assert!(peak <= cap, "{peak} hashes ran at once, more than {cap}");
    assert!(peak >= 2, "the hashes ran one by one ({peak})");
}

/// A raw e-mail whose signature has the right shape (the inbox is checked before it matters).
fn signed_email(path: &str, body: Body, length: Option<usize>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "message/rfc822")
        .header("x-meridian-signature", format!("sha256={}", "ab".repeat(32)));
    if let Some(n) = length {
        req = req.header(header::CONTENT_LENGTH, n);
    }
    req.body(body).unwrap()
}

// The inbound e-mail door checks what needs no body before reading one: an unknown inbox
// is refused (like a wrong signature) without waiting for its body, and a declared length
// over 25 MB is refused unread.
#[sqlx::test]
async fn a_large_message_is_not_read_before_its_inbox_is_known(pool: PgPool) {
    sqlx::query("insert into channels (kind, name, address, first_response_target) values ('email', 'Support e-mail', 'support@meridian.test', interval '4 hours')")
        .execute(&pool)
        .await
        .unwrap();
    let app = app(&pool);
    // A body that never ends: an answer can only come before it is read.
    let endless = || Body::from_stream(futures::stream::pending::<Result<axum::body::Bytes, std::io::Error>>());
    let unknown = tokio::time::timeout(
        Duration::from_secs(5),
        send(&app, signed_email("/api/v1/channels/email/inbound?inbox=nobody%40meridian.test", endless(), None)),
    )
    .await
    .expect("answered without reading the body");
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{}", unknown.body);
    let huge = tokio::time::timeout(
        Duration::from_secs(5),
        send(&app, signed_email("/api/v1/channels/email/inbound?inbox=support%40meridian.test", endless(), Some(30 * 1024 * 1024))),
    )
    .await
    .expect("answered without reading the body");
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.body);
    assert!(huge.json()["error"].as_str().unwrap().contains("larger than 25 MB"));
    assert_eq!(count(&pool, "messages").await, 0);
}

// Each public door answers 429 past its limit, with Retry-After and a sentence (a page for
// a browser's plain form), before anything is written; signed-in people are not counted.
#[sqlx::test]
async fn each_public_door_answers_429_past_its_limit_and_writes_nothing(pool: PgPool) {
    chat_channel(&pool).await;
    let app = app(&pool);
    // Chat starts, per address.
    let burst = Door::ChatStart.per_address().burst as usize;
    let mut cookie = None;
    for i in 0..burst {
        let res = send(&app, form_post("/chat/website/start", None, &format!("name=Visitor+{i}&email=v{i}%40example.com&text=Hello"))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "start {i}: {}", res.body);
        cookie = res.set_cookie().map(|c| c.split(';').next().unwrap().to_string());
    }
    let dialogues = count(&pool, "conversations").await;
    assert_eq!(dialogues, burst as i64);
    let refused = send(&app, form_post("/chat/website/start", None, "name=Flood&email=flood%40example.com&text=Hello")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
    assert!(refused.body.contains("Too many chats started from your network. Try again in"), "{}", refused.body);
    assert!(refused.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert_eq!(count(&pool, "conversations").await, dialogues);

    // Chat messages, per visitor (by the chat cookie).
    let cookie = cookie.unwrap();
    let per_visitor = Door::ChatMessage.per_visitor().unwrap().burst as usize;
    let messages = count(&pool, "messages").await;
    for i in 0..per_visitor {
        let res = send(&app, form_post("/chat/website/messages", Some(&cookie), &format!("text=Line+{i}"))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "message {i}: {}", res.body);
    }
    let mut json = form_post("/chat/website/messages", Some(&cookie), "text=One+too+many");
    json.headers_mut().insert(header::ACCEPT, "application/json".parse().unwrap());
    let refused = send(&app, json).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.json()["error"].as_str().unwrap().starts_with("You are sending messages faster than we can read them."));
    assert_eq!(count(&pool, "messages").await, messages + per_visitor as i64);

    // Help-centre searches, per address.
    for i in 0..Door::HelpSearch.per_address().burst {
        assert_eq!(page(&app, &format!("/help?q=invoice+{i}"), None).await.status, StatusCode::OK, "search {i}");
    }
    let refused = page(&app, "/help?q=invoice", None).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("Too many searches from your network."));
    // Reading the help centre is still open.
    assert_eq!(page(&app, "/help", None).await.status, StatusCode::OK);

    // A signed-in agent is not counted at the doors.
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let session = session_cookie(&pool, agent).await;
    for _ in 0..5 {
        assert_eq!(page(&app, "/help?q=invoice", Some(&session)).await.status, StatusCode::OK);
    }
}

// A chat visitor may hold a few live event streams (tabs) at once; one more is refused
// until one closes.
#[sqlx::test]
async fn a_visitor_holds_a_few_event_streams_at_once(pool: PgPool) {
    chat_channel(&pool).await;
    let app = app(&pool);
    let started = send(&app, form_post("/chat/website/start", None, "name=Ana&email=ana%40example.com&text=Hello")).await;
    let cookie = started.set_cookie().unwrap().split(';').next().unwrap().to_string();
    let events = || Request::get("/chat/website/events").header(header::HOST, HOST).header(header::COOKIE, cookie.as_str()).body(Body::empty()).unwrap();
    let mut open = Vec::new();
    for i in 0..STREAMS_PER_VISITOR {
        let res = app.clone().oneshot(events()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "stream {i}");
        open.push(res);
    }
    let refused = answer(app.clone().oneshot(events()).await.unwrap()).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("open in too many windows"), "{}", refused.body);
    open.pop();
    assert_eq!(app.clone().oneshot(events()).await.unwrap().status(), StatusCode::OK);
}

// While anonymous requests hold their whole share of the pool (they wait on a locked table),
// more of them are answered 503 with Retry-After, and a signed-in agent is served at once.
#[sqlx::test]
async fn staff_keep_their_share_of_the_pool_during_an_anonymous_flood(pool: PgPool) {
    let small = meridian::db::connect_with((*pool.connect_options()).clone(), 8, None).await.unwrap();
    let share = meridian::doors::Doors::share_of(8);
    let app = meridian::http::router(state(&small, Settings::default()));
    let agent = user(&pool, "agent@meridian.test", Role::Operator).await;
    let session = session_cookie(&pool, agent).await;
    let held = lock(&pool, "kb_categories").await;
    let flood: Vec<_> = (0..share + 4)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { page(&app, "/help", None).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let staff = page(&app, "/queue", Some(&session)).await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert!(started.elapsed() < Duration::from_secs(1), "staff waited {:?}", started.elapsed());
    // The flood's extra requests give up after their wait, before the lock is released.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(held);
    let mut busy = 0;
    for f in flood {
        let res = f.await.unwrap();
        match res.status {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(res.body.contains("busy answering other visitors"), "{}", res.body);
                assert!(retry_after(&res) >= 1);
                busy += 1;
            }
            other => panic!("{other}: {}", res.body),
        }
    }
    assert_eq!(busy, 4, "all but the share's {share} were turned away");
}

// `meridian bench abuse` against a served router: the agent signs in, both phases run, the
// flood is refused at the doors and every staff request is answered.
#[sqlx::test]
async fn the_abuse_benchmark_measures_staff_beside_a_flood(pool: PgPool) {
    user(&pool, "bench.agent@meridian.test", Role::Operator).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let settings = Settings { public_url: Some(url.clone()), ..Settings::default() };
    let server = tokio::spawn(meridian::listen::serve(listener, meridian::http::router(state(&pool, settings)), Default::default(), async {
        let _ = stopped.await;
    }));
    let report = meridian::abuse::abuse(meridian::abuse::Abuse {
        url: url.clone(),
        email: "bench.agent@meridian.test".into(),
        password: PASSWORD.into(),
        seconds: 1,
        staff: 1,
        flood: 4,
    })
    .await
    .unwrap();
    assert!(report.contains("staff, queue page, alone (1)") && report.contains("anonymous, help search (4)"), "{report}");
    assert!(report.ends_with("0 staff requests failed."), "{report}");
    let flood = report.lines().find(|l| l.starts_with("anonymous")).unwrap();
    let refused: u64 = flood.split_whitespace().nth(9).unwrap().parse().unwrap();
    assert!(refused > 0, "{flood}");
    stop.send(()).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(15), server).await;
}
