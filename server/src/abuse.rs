//! `meridian bench abuse`: whether signed-in staff keep their speed while anonymous
//! clients flood the public doors (issue #18). Against a running server: an agent signs in,
//! then `staff` clients load the queue page back to back, first alone and then while `flood`
//! anonymous clients search the help centre as fast as they can (most of them answered 429
//! by the doors). Reported from the client side: each phase's requests per second and
//! median, 95th and 99th percentile, and how the flood was answered.

use axum::body::Bytes;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Http = Client<HttpConnector, Full<Bytes>>;

/// What one run measures.
pub struct Abuse {
    pub url: String,
    pub email: String,
    pub password: String,
    pub seconds: u64,
    pub staff: usize,
    pub flood: usize,
}

/// The answers of one kind of client in one phase.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    ok: u64,
    refused: u64,
    busy: u64,
    other: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.ok += other.ok;
        self.refused += other.refused;
        self.busy += other.busy;
        self.other += other.other;
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut s = self.latencies.clone();
        s.sort();
        s.get(((s.len().max(1) as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
    }

    fn line(&self, name: &str, seconds: u64) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "{name:<34} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>9} {:>7} {:>7} {:>7}",
            self.latencies.len() as f64 / seconds as f64,
            ms(self.percentile(0.5)),
            ms(self.percentile(0.95)),
            ms(self.percentile(0.99)),
            self.ok,
            self.refused,
            self.busy,
            self.other
        )
    }
}

fn request(method: Method, url: &str, cookie: Option<&str>, origin: &str, body: &str) -> Result<Request<Full<Bytes>>, String> {
    let mut req = Request::builder().method(method).uri(url).header(header::ORIGIN, origin);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if !body.is_empty() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    req.body(Full::new(Bytes::from(body.to_string()))).map_err(|e| e.to_string())
}

/// Signs the agent in; their session cookie (`name=value`).
async fn sign_in(http: &Http, a: &Abuse) -> Result<String, String> {
    let enc = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    let body = format!("email={}&password={}", enc(&a.email), enc(&a.password));
    let res = http
        .request(request(Method::POST, &format!("{}/api/sign_in", a.url), None, &a.url, &body)?)
        .await
        .map_err(|e| format!("cannot reach {}: {e}", a.url))?;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("meridian_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string);
    let status = res.status();
    cookie.ok_or_else(|| format!("signing in as {} failed ({status}); pass --email and --password of an agent without two-factor sign-in", a.email))
}

/// One client's loop until `until`: GET `path` (with `cookie`) back to back.
async fn client(http: Http, url: String, cookie: Option<String>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    while Instant::now() < until {
        let Ok(req) = request(Method::GET, &url, cookie.as_deref(), "", "") else { break };
        let started = Instant::now();
        let answer = http.request(req).await;
        let status = match answer {
            Ok(res) => {
                let status = res.status();
                // Read the whole page, as a browser does.
                let _ = res.into_body().collect().await;
                status
            }
            Err(_) => StatusCode::BAD_GATEWAY,
        };
        tally.latencies.push(started.elapsed());
        match status {
            s if s.is_success() => tally.ok += 1,
            StatusCode::TOO_MANY_REQUESTS => tally.refused += 1,
            StatusCode::SERVICE_UNAVAILABLE => tally.busy += 1,
            _ => tally.other += 1,
        }
    }
    tally
}

async fn phase(http: &Http, path: &str, cookie: Option<&str>, clients: usize, until: Instant) -> Tally {
    let tasks: Vec<_> = (0..clients).map(|_| tokio::spawn(client(http.clone(), path.to_string(), cookie.map(str::to_string), until))).collect();
    let mut all = Tally::default();
    for t in tasks {
        if let Ok(t) = t.await {
            all.add(t);
        }
    }
    all
}

/// Runs both phases and returns the report.
pub async fn abuse(a: Abuse) -> Result<String, String> {
    let a = Arc::new(Abuse { url: a.url.trim_end_matches('/').to_string(), ..a });
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let http: Http = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(a.staff + a.flood).build(connector);
    let cookie = sign_in(&http, &a).await?;
    let queue = format!("{}/queue?view=unassigned", a.url);
    let help = format!("{}/help?q=refund", a.url);
    let length = Duration::from_secs(a.seconds.max(1));

    eprintln!("Staff alone: {} clients on the queue page for {} s…", a.staff, a.seconds);
    let alone = phase(&http, &queue, Some(&cookie), a.staff, Instant::now() + length).await;
    eprintln!("Staff during a flood of {} anonymous clients on the help centre's search for {} s…", a.flood, a.seconds);
    let until = Instant::now() + length;
    let (during, flood) = tokio::join!(phase(&http, &queue, Some(&cookie), a.staff, until), phase(&http, &help, None, a.flood, until));

    let mut out = String::new();
    let _ = writeln!(out, "Abuse under load against {} ({} s per phase)", a.url, a.seconds);
    let _ = writeln!(out, "{:<34} {:>9} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7}", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "2xx", "429", "503", "other");
    let _ = writeln!(out, "{}", alone.line(&format!("staff, queue page, alone ({})", a.staff), a.seconds));
    let _ = writeln!(out, "{}", during.line(&format!("staff, queue page, in the flood ({})", a.staff), a.seconds));
    let _ = writeln!(out, "{}", flood.line(&format!("anonymous, help search ({})", a.flood), a.seconds));
    let failed = during.other + during.busy + during.refused + alone.other + alone.busy + alone.refused;
    let _ = write!(
        out,
        "Staff p99 in the flood is {:.1}× alone; {failed} staff requests failed.",
        during.percentile(0.99).as_secs_f64() / alone.percentile(0.99).as_secs_f64().max(1e-9)
    );
    Ok(out)
}
