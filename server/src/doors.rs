//! Limits on the public doors (`domain::doors` names them and their quotas), for every
//! request that comes without a session or token:
//! - **rates** per client address and, on the chat's own doors, per chat visitor (by the
//!   chat cookie), kept by `governor` (GCRA, in memory, per server process); past one, a
//!   429 with `Retry-After` and a sentence, before the handler runs, so nothing is written;
//! - **open event streams** per visitor and per address;
//! - **a share of the database pool**: at most a quarter of the connections serve anonymous
//!   requests at once, so that no flood of them can starve signed-in staff; a request that
//!   waits too long for its share is answered 503 with `Retry-After`.

use app::backend::{ClientAddr, Principal};
use app::domain::doors::{Door, Quota, STREAMS_PER_ADDRESS, STREAMS_PER_VISITOR};
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota as Gcra};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long an anonymous request waits for its share of the pool before it is answered 503.
const SHARE_WAIT: Duration = Duration::from_secs(2);
/// Every this many checks, keys not seen for a while are forgotten.
const SWEEP_EVERY: u64 = 4096;

/// The counts of one server process.
pub struct Doors {
    per_address: HashMap<Door, DefaultKeyedRateLimiter<String>>,
    per_visitor: HashMap<Door, DefaultKeyedRateLimiter<u64>>,
    streams: Mutex<HashMap<StreamKey, usize>>,
    share: Arc<Semaphore>,
    hasher: RandomState,
    checks: AtomicU64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum StreamKey {
    Address(String),
    Visitor(u64),
}

fn gcra(q: Quota) -> Gcra {
    let per_minute = NonZeroU32::new(q.per_minute.max(1)).expect("at least one");
    Gcra::per_minute(per_minute).allow_burst(NonZeroU32::new(q.burst.max(1)).expect("at least one"))
}

impl Doors {
    /// Limits for a process whose pool has `max_connections`.
    pub fn new(max_connections: u32) -> Doors {
        Doors {
            per_address: Door::ALL.iter().map(|&d| (d, DefaultKeyedRateLimiter::keyed(gcra(d.per_address())))).collect(),
            per_visitor: Door::ALL.iter().filter_map(|&d| Some((d, DefaultKeyedRateLimiter::keyed(gcra(d.per_visitor()?))))).collect(),
            streams: Mutex::new(HashMap::new()),
            share: Arc::new(Semaphore::new(Doors::share_of(max_connections))),
            hasher: RandomState::new(),
            checks: AtomicU64::new(0),
        }
    }

    /// Connections anonymous requests may use at once: a quarter of the pool, at least two.
    pub fn share_of(max_connections: u32) -> usize {
        (max_connections as usize / 4).max(2)
    }

    /// Counts one use of `door` by `address` (and by the chat visitor, on the chat's own
    /// doors); the sentence and wait when it is one too many.
    fn admit(&self, door: Door, address: &str, visitor: Option<u64>) -> Result<(), AppError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        let now = DefaultClock::default().now();
        if let Err(not_until) = self.per_address[&door].check_key(&address.to_string()) {
            return Err(refused(door, not_until.wait_time_from(now), address));
        }
        if let (Some(limiter), Some(visitor)) = (self.per_visitor.get(&door), visitor) {
            if let Err(not_until) = limiter.check_key(&visitor) {
                return Err(refused(door, not_until.wait_time_from(now), address));
            }
        }
        Ok(())
    }

    fn sweep(&self) {
        for limiter in self.per_address.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        for limiter in self.per_visitor.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Opens one event stream for `address` (and the visitor), or refuses it when they
    /// hold as many as they may; the guard closes it when the stream ends.
    fn open_stream(self: &Arc<Self>, address: &str, visitor: Option<u64>) -> Result<StreamGuard, AppError> {
        let mut keys = vec![(StreamKey::Address(address.to_string()), STREAMS_PER_ADDRESS)];
        if let Some(v) = visitor {
            keys.push((StreamKey::Visitor(v), STREAMS_PER_VISITOR));
        }
        let mut open = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if keys.iter().any(|(k, most)| open.get(k).copied().unwrap_or(0) >= *most) {
            tracing::debug!(address, "refused an event stream: too many open");
            return Err(AppError::TooManyRequests("This chat is open in too many windows. Close one and reload.".into(), 30));
        }
        for (k, _) in &keys {
            *open.entry(k.clone()).or_insert(0) += 1;
        }
        Ok(StreamGuard { doors: self.clone(), keys: keys.into_iter().map(|(k, _)| k).collect() })
    }
}

fn refused(door: Door, wait: Duration, address: &str) -> AppError {
    // Debug, not info: a flood is refused thousands of times a second.
    tracing::debug!(door = door.name(), address, ?wait, "refused a request over its door's limit");
    AppError::too_many(door.sentence(), wait)
}

/// One open event stream, counted until it is dropped with the response's body.
struct StreamGuard {
    doors: Arc<Doors>,
    keys: Vec<StreamKey>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut open = self.doors.streams.lock().unwrap_or_else(|e| e.into_inner());
        for k in &self.keys {
            if let Some(n) = open.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    open.remove(k);
                }
            }
        }
    }
}

/// The chat visitor's cookie (the chat page's), hashed: the count's key.
fn visitor(req: &Request, doors: &Doors) -> Option<u64> {
    crate::chat::token(req.headers()).map(|token| doors.hasher.hash_one(token))
}

/// A refusal as the caller reads it: JSON for scripts and integrations, a short page for a
/// person whose browser posted a plain form (the chat page and help centre work without
/// JavaScript); both with `Retry-After`.
fn refusal(wants_html: bool, err: AppError) -> Response {
    if !wants_html {
        return err.into_response();
    }
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Please wait a moment</title><link rel=\"stylesheet\" href=\"/pkg/meridian.css\"></head>\
         <body class=\"customer\"><main id=\"main\" class=\"customer-main\"><h1>Please wait a moment</h1>\
         <p class=\"notice notice-error\" role=\"alert\">{}</p><p>Then go back and try again.</p></main></body></html>",
        err
    );
    let mut res = (status, [(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'")], Html(html)).into_response();
    if let Some(seconds) = err.retry_after() {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    res
}

fn wants_html(req: &Request) -> bool {
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    accept.contains("text/html") && !accept.contains("application/json")
}

/// The middleware: runs after `identify`, which has set who is calling and from where.
pub async fn guard(State(doors): State<Arc<Doors>>, req: Request, next: Next) -> Response {
    let Some(ClientAddr(address)) = req.extensions().get::<ClientAddr>().cloned() else {
        // Static files and health checks: no database, no limit here.
        return next.run(req).await;
    };
    if req.extensions().get::<Principal>().is_some() {
        return next.run(req).await;
    }
    let door = Door::of(req.method().as_str(), req.uri().path(), req.uri().query());
    let visitor = visitor(&req, &doors);
    let html = wants_html(&req);
    let admitted = doors
        .admit(Door::Visitor, &address, None)
        .and_then(|()| door.map_or(Ok(()), |d| doors.admit(d, &address, visitor)));
    if let Err(err) = admitted {
        return refusal(html, err);
    }
    let stream = match door {
        Some(Door::ChatEvents) => match doors.open_stream(&address, visitor) {
            Ok(guard) => Some(guard),
            Err(err) => return refusal(html, err),
        },
        _ => None,
    };
    let share = match tokio::time::timeout(SHARE_WAIT, doors.share.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            tracing::warn!(address, path = %req.uri().path(), "anonymous requests have their whole share of the pool; one was turned away");
            return refusal(html, AppError::Busy);
        }
    };
    let res = next.run(req).await;
    drop(share);
    match stream {
        // The stream stays counted for as long as its body is being sent.
        Some(guard) => res.map(|body| {
            Body::new(body.map_frame(move |frame| {
                let _open = &guard;
                frame
            }))
        }),
        None => res,
    }
}
