//! `meridian bench …`: speed measured in the server process, on whatever database
//! DATABASE_URL names (seed it with `meridian seed-demo --dialogues 1000000 --agents 200`).
//! Each operation runs the same repository function the pages and the API call.

use app::backend::{dialogue, queue};
use app::domain::dialogue::Topic;
use app::domain::queue::{QueueFilter, QueueSort, QueueView};
use sqlx::PgPool;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

struct Timings {
    name: String,
    samples: Vec<Duration>,
}

impl Timings {
    fn percentile(&self, p: f64) -> Duration {
        let mut s = self.samples.clone();
        s.sort();
        s[((s.len() as f64 - 1.0) * p).round() as usize]
    }
}

async fn time<F, Fut, T>(name: String, iterations: usize, mut op: F) -> Result<Timings, sqlx::Error>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    // One untimed run (index `iterations`) warms the connection and the plan cache.
    op(iterations).await?;
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let started = Instant::now();
        op(i).await?;
        samples.push(started.elapsed());
    }
    Ok(Timings { name, samples })
}

/// As [`time`], with `setup(i)` run untimed before each `op(i)`: what puts the data back
/// in place for the next run is not part of the operation measured.
async fn time_after<S, SFut, F, Fut, T>(name: String, iterations: usize, mut setup: S, mut op: F) -> Result<Timings, sqlx::Error>
where
    S: FnMut(usize) -> SFut,
    SFut: std::future::Future<Output = Result<(), sqlx::Error>>,
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    setup(iterations).await?;
    op(iterations).await?;
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        setup(i).await?;
        let started = Instant::now();
        op(i).await?;
        samples.push(started.elapsed());
    }
    Ok(Timings { name, samples })
}

/// A fixed reference measurement of the machine (a `select 1` round trip and a CPU loop)
/// and the state of the database (when its biggest tables were last vacuumed and
/// analysed, what changed since, how much of them the visibility map covers), printed
/// before every benchmark: figures taken on another machine, or on a database that was
/// just bulk-loaded and never analysed, then compare as ratios instead of surprises.
pub async fn preamble(pool: &PgPool) -> Result<String, sqlx::Error> {
    let mut out = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let version: String = sqlx::query_scalar("select current_setting('server_version')").fetch_one(pool).await?;
    let round_trip = time("select 1".into(), 200, |_| async move { sqlx::query("select 1").execute(pool).await }).await?;
    let cpu_loop = cpu_reference();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let _ = writeln!(
        out,
        "Machine: {cpu}, {cores} cores, PostgreSQL {version}. Reference: `select 1` round trip {:.3} ms median ({:.3} p99); CPU loop (50M steps of xorshift) {:.1} ms median.",
        ms(round_trip.percentile(0.5)),
        ms(round_trip.percentile(0.99)),
        ms(cpu_loop),
    );
    let tables: Vec<(String, i64, i64, Option<f64>, Option<f64>, i64, i64)> = sqlx::query_as(
        "select s.relname::text, s.n_live_tup, s.n_mod_since_analyze,
                extract(epoch from now() - greatest(s.last_analyze, s.last_autoanalyze))::float8,
                extract(epoch from now() - greatest(s.last_vacuum, s.last_autovacuum))::float8,
                c.relpages::bigint, c.relallvisible::bigint
           from pg_stat_user_tables s join pg_class c on c.oid = s.relid
          where s.relname in ('conversations', 'messages', 'sla_clocks', 'rollup_days', 'rollup_agent_days')
          order by s.n_live_tup desc",
    )
    .fetch_all(pool)
    .await?;
    let age = |secs: Option<f64>| match secs {
        None => "never".to_string(),
        Some(s) if s < 3600.0 => format!("{:.0} min ago", s / 60.0),
        Some(s) if s < 172_800.0 => format!("{:.1} h ago", s / 3600.0),
        Some(s) => format!("{:.0} days ago", s / 86_400.0),
    };
    let mut fresh = true;
    let _ = writeln!(out, "\nDatabase state:\n\n| table | rows | analysed | vacuumed | rows changed since analyse | all-visible pages |\n|---|---:|---|---|---:|---:|");
    for (name, rows, changed, analysed, vacuumed, pages, visible) in &tables {
        let visible_share = if *pages > 0 { 100.0 * *visible as f64 / *pages as f64 } else { 100.0 };
        // The verdict reads the two big tables: the small ones' counters arrive late (a
        // connection reports its changes when it has been idle a moment).
        if name == "conversations" || name == "messages" {
            fresh &= analysed.is_some_and(|s| s < 3600.0) && (*changed as f64) < 0.01 * (*rows).max(1) as f64 && visible_share > 95.0;
        }
        let _ = writeln!(out, "| {name} | {rows} | {} | {} | {changed} | {visible_share:.0} % |", age(*analysed), age(*vacuumed));
    }
    let _ = writeln!(
        out,
        "\n{}",
        if fresh {
            "Taken right after a seed or a vacuum: conversations and messages were analysed within the hour, under 1 % of their rows changed since, and their pages are all-visible."
        } else {
            "Not right after a seed: conversations or messages were not analysed within the hour, had over 1 % of their rows changed since, or have pages that are not all-visible (run `vacuum analyze` to compare)."
        }
    );
    Ok(out)
}

/// The CPU half of the reference: the median of five runs of a fixed loop that the
/// compiler cannot fold away.
fn cpu_reference() -> Duration {
    let mut samples: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            for _ in 0..50_000_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
            std::hint::black_box(x);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[2]
}

/// Times the first and the next page of every queue list, and claims.
pub async fn queue(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    let iterations = iterations.max(10);
    let (dialogues, agents): (i64, i64) = sqlx::query_as(
        "select (select count(*) from conversations), (select count(*) from users where role = 'operator' and active)",
    )
    .fetch_one(pool)
    .await?;
    // "Mine" for the agent holding the most open dialogues.
    let busiest: i64 = sqlx::query_scalar(
        "select coalesce((select assignee_id from conversations where status = 'open' and assignee_id is not null
                           group by assignee_id order by count(*) desc limit 1), 0)",
    )
    .fetch_one(pool)
    .await?;

    let mut results = Vec::new();
    for view in QueueView::ALL {
        results.push(time(format!("{} – first page", view.label()), iterations, |_| async move {
            queue::list(pool, view, QueueSort::Waiting, busiest, None, 50).await
        }).await?);
        let (_, next) = queue::list(pool, view, QueueSort::Waiting, busiest, None, 50).await?;
        if let Some(cursor) = next {
            results.push(time(format!("{} – next page", view.label()), iterations, move |_| async move {
                queue::list(pool, view, QueueSort::Waiting, busiest, Some(cursor), 50).await
            }).await?);
        }
    }

    // One queue within the lists: the least used channel, a purpose, newest first.
    let channel: Option<i64> = sqlx::query_scalar("select channel_id from conversations group by channel_id order by count(*) limit 1")
        .fetch_optional(pool)
        .await?;
    let queues = [
        ("Unassigned in the quietest channel", QueueView::Unassigned, QueueSort::Waiting, QueueFilter { channel_id: channel, ..Default::default() }),
        ("All open, purpose legal", QueueView::Open, QueueSort::Waiting, QueueFilter { topic: Some(Topic::Legal), ..Default::default() }),
        ("Unassigned, newest first", QueueView::Unassigned, QueueSort::Newest, QueueFilter::default()),
        ("Unassigned, most urgent first", QueueView::Unassigned, QueueSort::Priority, QueueFilter::default()),
        ("All open, most urgent first", QueueView::Open, QueueSort::Priority, QueueFilter::default()),
        ("Unassigned, closest to breach first", QueueView::Unassigned, QueueSort::Breach, QueueFilter::default()),
        ("All open, closest to breach first", QueueView::Open, QueueSort::Breach, QueueFilter::default()),
    ];
    for (label, view, sort, filter) in queues {
        let filter = &filter;
        results.push(time(format!("{label} – first page"), iterations, |_| async move {
            queue::list_filtered(pool, view, sort, filter, busiest, None, 50).await
        }).await?);
    }

    // Claims: unassigned dialogues taken by different agents, then handed back so the
    // database is as it was.
    let targets: Vec<i64> = sqlx::query_scalar(
        "select id from conversations where status = 'open' and assignee_id is null order by created_at desc limit $1",
    )
    .bind(iterations as i64 + 1)
    .fetch_all(pool)
    .await?;
    let claimers: Vec<i64> = sqlx::query_scalar("select id from users where role = 'operator' and active order by id")
        .fetch_all(pool)
        .await?;
    if targets.len() > iterations && !claimers.is_empty() {
        let last_event: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from conversation_events").fetch_one(pool).await?;
        let claims = time("Claim".to_string(), iterations, |i| {
            let (id, agent) = (targets[i], claimers[i % claimers.len()]);
            async move {
                dialogue::claim(pool, id, agent, false).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))
            }
        })
        .await?;
        sqlx::query("update conversations set assignee_id = null, claimed_at = null where id = any($1)")
            .bind(&targets)
            .execute(pool)
            .await?;
        sqlx::query("delete from conversation_events where id > $1 and kind = 'claimed'")
            .bind(last_event)
            .execute(pool)
            .await?;
        results.push(claims);
    }

    Ok(table(&format!("Queue benchmark: {dialogues} dialogues, {agents} agents, {iterations} runs each (in-process, ms)"), &results))
}

/// The results as a Markdown table, as the README shows them.
fn table(title: &str, results: &[Timings]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}\n");
    let _ = writeln!(out, "| operation | median | p99 |");
    let _ = writeln!(out, "|---|---:|---:|");
    for t in results {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(out, "| {} | {:.2} | {:.2} |", t.name, ms(t.percentile(0.5)), ms(t.percentile(0.99)));
    }
    out
}

/// QA: drawing a week's sample (5 per agent), opening the review screen, storing a review,
/// and the results page's roll-ups. What it adds is removed afterwards.
pub async fn qa(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    use app::backend::{qa, qa_results};
    use app::model::qa::{AnswerInput, ReviewInput, SampleRequest};
    let iterations = iterations.max(10);
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    let (dialogues, reviews): (i64, i64) =
        sqlx::query_as("select (select count(*) from conversations), (select count(*) from qa_reviews)").fetch_one(pool).await?;
    let reviewer: app::model::user::CurrentUser = {
        let (id, name, email, time_zone): (i64, String, String, String) = sqlx::query_as(
            "select id, name, email, time_zone from users where role in ('reviewer', 'admin', 'super_admin') and active order by role = 'reviewer' desc, id limit 1",
        )
        .fetch_one(pool)
        .await?;
        app::model::user::CurrentUser { id, name, email, role: app::domain::access::Role::Reviewer, time_zone }
    };
    let last_sample: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from qa_samples").fetch_one(pool).await?;
    let last_review: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from qa_reviews").fetch_one(pool).await?;
    let day = |offset: i64| (chrono::Utc::now() + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
    let week = SampleRequest { per_agent: 5, from: day(-7), to: day(0), include_reviewed: true, ..Default::default() };

    let mut results = Vec::new();
    results.push(time("Draw a sample: 7 days, 5 per agent".into(), iterations, |i| {
        let request = SampleRequest { seed: Some(i as i64), ..week.clone() };
        let reviewer = reviewer.clone();
        async move { qa::draw_sample(pool, &reviewer, &request).await.map_err(err) }
    }).await?);
    // What a reviewer reviews: the dialogues of the samples just drawn.
    let targets: Vec<i64> = sqlx::query_scalar(
        "select i.conversation_id from qa_sample_items i join qa_samples s on s.id = i.sample_id
          where s.reviewer_id = $1 and s.id > $2 group by i.conversation_id order by i.conversation_id desc limit $3",
    )
    .bind(reviewer.id)
    .bind(last_sample)
    .bind(iterations as i64 + 1)
    .fetch_all(pool)
    .await?;
    if targets.len() > iterations {
        results.push(time("Open the review screen".into(), iterations, |i| {
            let id = targets[i];
            async move { qa::review_sheet(pool, id, reviewer.id, None).await.map_err(err) }
        }).await?);
        let scorecard = qa::current_scorecard(pool).await.map_err(err)?;
        let answers: Vec<AnswerInput> = scorecard
            .criteria
            .iter()
            .map(|c| AnswerInput { value: Some(c.scale.max()), comment: String::new() })
            .collect();
        results.push(time("Store a review".into(), iterations, |i| {
            let input = ReviewInput {
                conversation_id: targets[i],
                scorecard_version_id: scorecard.version_id,
                answers: answers.clone(),
                comment: String::new(),
                sample_id: None,
                repeat: true,
                calibration_id: None,
            };
            async move { qa::submit_review(pool, reviewer.id, &input).await.map_err(err) }
        }).await?);
    }
    let tz = reviewer.time_zone.clone();
    results.push(time("Results: 12 weeks".into(), iterations, |_| {
        let (from, to, tz) = (day(-83), day(0), tz.clone());
        async move { qa_results::scores(pool, &from, &to, &tz, None).await.map_err(err) }
    }).await?);
    sqlx::query("delete from qa_reviews where id > $1").bind(last_review).execute(pool).await?;
    sqlx::query("delete from qa_samples where id > $1").bind(last_sample).execute(pool).await?;
    Ok(table(&format!("QA benchmark: {dialogues} dialogues, {reviews} reviews, {iterations} runs each (in-process, ms)"), &results))
}

/// Planning: the history and forecast queries per channel at 15-minute intervals, and the
/// staffing of a whole week (672 intervals) for every channel.
pub async fn wfm(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    use app::backend::planning;
    use app::domain::wfm::{async_requirement, staff_live, LiveInput};
    use app::model::wfm::PlanningQuery;
    let iterations = iterations.max(10);
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    let dialogues: i64 = sqlx::query_scalar("select count(*) from conversations").fetch_one(pool).await?;
    let query = |channel: &str| PlanningQuery { time_zone: "Europe/Berlin".into(), channel: channel.into(), team_id: None, weeks: 6, interval_minutes: 15 };
    let mut results = Vec::new();
    let mut forecasts = Vec::new();
    for channel in ["chat", "email", "social"] {
        let q = query(channel);
        results.push(time(format!("History, heatmap and forecast: {channel}, 6 weeks"), iterations, |_| {
            let q = q.clone();
            async move { planning::planning(pool, &q).await.map_err(err) }
        }).await?);
        let p = planning::planning(pool, &q).await.map_err(err)?;
        forecasts.push((p.live, p.next_week, p.aht_seconds, p.response_target_seconds));
    }
    results.push(time("Staffing: 672 intervals × 3 channels".into(), iterations, |_| {
        let mut agents = 0u64;
        for (live, week, aht, target) in &forecasts {
            if *live {
                let base = LiveInput { interval_seconds: 900.0, aht_seconds: *aht, concurrency: 2, ..LiveInput::default() };
                agents += week.iter().map(|a| u64::from(staff_live(&LiveInput { arrivals: *a, ..base }).agents)).sum::<u64>();
            } else {
                let work: Vec<f64> = week.iter().map(|a| a * aht).collect();
                agents += async_requirement(&work, 900.0, *target, 0.85).iter().map(|n| n.ceil() as u64).sum::<u64>();
            }
        }
        std::hint::black_box(agents);
        async { Ok::<_, sqlx::Error>(()) }
    }).await?);
    // A roster for every agent (200 in the benchmark database) covering the chat
    // requirement; the generated shifts are removed afterwards.
    let (live, week, aht, _) = &forecasts[0];
    let required: Vec<u32> = if *live {
        let base = LiveInput { interval_seconds: 900.0, aht_seconds: *aht, concurrency: 2, ..LiveInput::default() };
        week.iter().map(|a| staff_live(&LiveInput { arrivals: *a, ..base }).scheduled_agents).collect()
    } else {
        vec![1; week.len()]
    };
    let last_shift: i64 = sqlx::query_scalar("select coalesce(max(id), 0) from shifts").fetch_one(pool).await?;
    let owner: i64 = sqlx::query_scalar("select id from users order by id limit 1").fetch_one(pool).await?;
    let roster_runs = (iterations / 4).max(3);
    results.push(time(format!("Roster: all agents, a week of 15-minute intervals ({roster_runs} runs)"), roster_runs, |_| {
        let required = required.clone();
        async move { planning::generate_roster(pool, owner, "Europe/Berlin", 15, &required, app::domain::roster::SupportModel::FollowTheSun).await.map_err(err) }
    }).await?);
    sqlx::query("delete from shifts where id > $1").bind(last_shift).execute(pool).await?;
    Ok(table(&format!("Planning benchmark: {dialogues} dialogues, {iterations} runs each (in-process, ms)"), &results))
}

/// Reports from the rollups: the whole report (two periods, channels, teams, agents,
/// trend, heatmap, contact ratio, low ratings) over 7, 30, 90 and 365 days, filtered by
/// team and by channel, and a rollup refresh after a change.
pub async fn reports(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    use app::backend::{reports, rollup};
    use app::domain::report::ReportQuery;
    let iterations = iterations.max(10);
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    let dialogues: i64 = sqlx::query_scalar("select count(*) from conversations").fetch_one(pool).await?;
    let rows: i64 = sqlx::query_scalar("select (select count(*) from rollup_days) + (select count(*) from rollup_agent_days)").fetch_one(pool).await?;
    let team: Option<i64> = sqlx::query_scalar("select id from teams order by id limit 1").fetch_optional(pool).await?;
    let channel: Option<i64> = sqlx::query_scalar("select id from channels order by id limit 1").fetch_optional(pool).await?;
    let to: String = sqlx::query_scalar("select to_char(now(), 'YYYY-MM-DD')").fetch_one(pool).await?;
    let mut results = Vec::new();
    for (days, team_id, channel_id, what) in [
        (7, None, None, "every team"),
        (30, None, None, "every team"),
        (90, None, None, "every team"),
        (90, team, None, "one team"),
        (90, None, channel, "one channel"),
        (365, None, None, "every team"),
    ] {
        let from: String = sqlx::query_scalar("select to_char(now() - make_interval(days => $1), 'YYYY-MM-DD')").bind(days - 1).fetch_one(pool).await?;
        let q = ReportQuery { from: Some(from), to: Some(to.clone()), team_id, channel_id, step: None };
        results.push(time(format!("Report over {days} days, {what}"), iterations, |_| {
            let q = q.clone();
            async move { reports::report(pool, &q).await.map_err(err) }
        }).await?);
    }
    // A change to one dialogue, applied to the rollups as the background job does.
    let ids: Vec<i64> = sqlx::query_scalar("select id from conversations order by created_at desc limit $1").bind(iterations as i64 + 1).fetch_all(pool).await?;
    results.push(time("Rollup refresh of one changed dialogue".into(), iterations, |i| {
        let id = ids[i % ids.len()];
        async move {
            sqlx::query("insert into rollup_queue (conversation_id) values ($1) on conflict do nothing").bind(id).execute(pool).await?;
            rollup::process_queue(pool, 500).await
        }
    }).await?);
    // One agent's page (twelve weeks) as their manager opens it, for the busiest agent.
    let busiest: Option<i64> = sqlx::query_scalar(
        "select agent_id from rollup_agent_days where day > current_date - 84 group by agent_id order by sum(replies) desc limit 1",
    )
    .fetch_optional(pool)
    .await?;
    if let Some(agent) = busiest {
        let viewer = app::model::user::CurrentUser { id: 0, email: String::new(), name: "Bench".into(), role: app::domain::access::Role::Admin, time_zone: "UTC".into() };
        results.push(time("Agent page, twelve weeks, the busiest agent".into(), iterations, |_| {
            let viewer = viewer.clone();
            async move { app::backend::performance::page(pool, &viewer, agent).await.map_err(err) }
        }).await?);
    }
    // An incident update to the customers of 1,000 recent dialogues, in a transaction that
    // is rolled back (nothing is sent or kept).
    let manager: Option<i64> = sqlx::query_scalar("select id from users where role = 'admin' order by id limit 1").fetch_optional(pool).await?;
    if let Some(manager) = manager {
        let by = app::model::user::CurrentUser { id: manager, email: String::new(), name: "Bench".into(), role: app::domain::access::Role::Admin, time_zone: "UTC".into() };
        let mut samples = Vec::new();
        for i in 0..iterations.min(10) {
            let mut tx = pool.begin().await?;
            let incident: i64 = sqlx::query_scalar("insert into incidents (title) values ('Bench') returning id").fetch_one(&mut *tx).await?;
            sqlx::query(
                "insert into incident_dialogues (incident_id, conversation_id)
                 select $1, id from conversations order by created_at desc limit 1000",
            )
            .bind(incident)
            .execute(&mut *tx)
            .await?;
            let started = Instant::now();
            app::backend::incidents::send_in(&mut tx, &by, incident, &format!("bench-update-{i:04}"), "Hi {{customer.first_name}}, we are on it.", false)
                .await
                .map_err(err)?;
            samples.push(started.elapsed());
            tx.rollback().await?;
        }
        results.push(Timings { name: "Incident update to the customers of 1,000 dialogues (rolled back)".into(), samples });
    }
    Ok(table(&format!("Reports benchmark: {dialogues} dialogues, {rows} rollup rows, {iterations} runs each (in-process, ms)"), &results))
}

/// Service levels, assignment and rules: the SLA job's run (warnings and breaches due now, found
/// on their due-time indexes), the clocks of one changed dialogue computed again, and one
/// team's assignment run with a waiting dialogue (Asia-Pacific chat in the demo).
pub async fn sla(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    use app::backend::{assignment, sla};
    use app::domain::dialogue::ChannelKind;
    let iterations = iterations.max(10);
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    let dialogues: i64 = sqlx::query_scalar("select count(*) from conversations").fetch_one(pool).await?;
    let clocks: i64 = sqlx::query_scalar("select count(*) from sla_clocks").fetch_one(pool).await?;
    let mut results = Vec::new();
    results.push(time("SLA job run (warnings and breaches due)".into(), iterations, |_| async move { sla::fire_due(pool).await.map_err(err) }).await?);
    let open: Vec<i64> = sqlx::query_scalar("select id from conversations where status = 'open' order by created_at desc limit $1")
        .bind(iterations as i64 + 1)
        .fetch_all(pool)
        .await?;
    if !open.is_empty() {
        results.push(time("SLA clocks of one changed dialogue".into(), iterations, |i| {
            let id = open[i % open.len()];
            async move {
                sqlx::query("insert into sla_dirty (conversation_id) values ($1) on conflict do nothing").bind(id).execute(pool).await?;
                sla::refresh_dirty(pool, 200).await.map_err(err)
            }
        }).await?);
    }
    let team: Option<i64> = sqlx::query_scalar(
        "select team_id from assignment_settings where channel_kind = 'chat' and mode <> 'manual' order by team_id limit 1",
    )
    .fetch_optional(pool)
    .await?;
    if let Some(team) = team {
        // One waiting chat at a time: assigned (or noted as waiting), then put back.
        let waiting: Vec<i64> = sqlx::query_scalar(
            "select c.id from conversations c join channels ch on ch.id = c.channel_id
              where c.team_id = $1 and ch.kind = 'chat' and c.status = 'open' order by c.created_at desc limit 1",
        )
        .bind(team)
        .fetch_all(pool)
        .await?;
        if let Some(&id) = waiting.first() {
            let before: Option<i64> = sqlx::query_scalar("select assignee_id from conversations where id = $1").bind(id).fetch_one(pool).await?;
            // Putting the chat back is the set-up, untimed; the run is the team's batch.
            results.push(
                time_after(
                    "Assignment run of one team with a waiting chat".into(),
                    iterations,
                    |_| async move {
                        sqlx::query("update conversations set assignee_id = null, assignment_note = null where id = $1").bind(id).execute(pool).await?;
                        Ok(())
                    },
                    |_| async move { assignment::assign_team(pool, team, ChannelKind::Chat).await },
                )
                .await?,
            );
            sqlx::query("update conversations set assignee_id = $2 where id = $1").bind(id).bind(before).execute(pool).await?;
        }
    }
    rules_bench(pool, iterations, &open, &mut results).await?;
    Ok(table(&format!("Service levels, assignment and rules on {dialogues} dialogues ({clocks} SLA clocks)"), &results))
}

/// The rules: one event through 200 enabled rules (added for the run and removed after;
/// each looks for words no dialogue has, so all 200 are evaluated and none acts), and
/// one run of the time-based job over every dialogue (the automations the database has).
async fn rules_bench(pool: &PgPool, iterations: usize, open: &[i64], results: &mut Vec<Timings>) -> Result<(), sqlx::Error> {
    use app::backend::rules;
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    if !open.is_empty() {
        // The database's own event rules sleep during the run, so it changes no dialogue.
        let sleeping: Vec<i64> = sqlx::query_scalar("update rules set enabled = false where enabled and run_on = 'event' returning id").fetch_all(pool).await?;
        sqlx::query(
            "insert into rules (position, name, run_on, triggers, conditions, actions)
             select 10000 + n, 'Bench rule ' || n, 'event', '{customer_replied,tags_changed}',
                    jsonb_build_object('words', jsonb_build_array('bench-word-' || n), 'priorities', jsonb_build_array('low', 'normal', 'high')),
                    '[{\"do\": \"add_tags\", \"tags\": [\"bench\"]}]'
               from generate_series(1, 200) as n",
        )
        .execute(pool)
        .await?;
        // The decision alone, in memory: which of the 200 fire on a customer's message.
        let loaded = rules::list(pool).await.map_err(err)?;
        let tags = vec!["billing".to_string()];
        let facts = app::domain::rules::RuleFacts {
            dialogue: app::domain::sla::Facts {
                channel_kind: app::domain::dialogue::ChannelKind::Email,
                topic: Some(app::domain::dialogue::Topic::Billing),
                team_id: Some(1),
                priority: app::domain::dialogue::Priority::Normal,
                tags: &tags,
                customer_plan: Some("enterprise"),
            },
            subject: "Charged twice for the Pro plan this month",
            text: "Hello, I see two charges on my card for the Pro plan this month. Could you refund one of them? Thanks, Kim",
            local_hour: 14,
            holder_on_shift: Some(true),
        };
        let loaded = &loaded;
        let facts = &facts;
        results.push(
            time("Which of 200 rules fire on an event (the decision, in memory)".into(), iterations, |_| async move {
                let fired = app::domain::rules::firing(loaded, |r| (r.id, &r.terms), app::domain::rules::Trigger::CustomerReplied, facts, None);
                Ok::<usize, sqlx::Error>(std::hint::black_box(fired.len()))
            })
            .await?,
        );
        let outcome = time("One event through 200 rules (taken, evaluated, none acts)".into(), iterations, |i| {
            let id = open[i % open.len()];
            async move {
                sqlx::query("insert into rule_events (conversation_id, kind) values ($1, 'customer_wrote')").bind(id).execute(pool).await?;
                rules::run_events(pool, 1).await.map_err(err)
            }
        })
        .await;
        sqlx::query("delete from rules where name like 'Bench rule %'").execute(pool).await?;
        sqlx::query("update rules set enabled = true where id = any($1)").bind(&sleeping).execute(pool).await?;
        results.push(outcome?);
    }
    let automations: i64 = sqlx::query_scalar("select count(*) from rules where enabled and run_on = 'waiting'").fetch_one(pool).await?;
    results.push(
        time(format!("Time-based job run ({automations} automations, nothing new due)"), iterations, |_| async move {
            rules::run_waiting(pool).await.map_err(err)
        })
        .await?,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_the_sorted_samples() {
        let t = Timings { name: "x".into(), samples: (1..=100).rev().map(Duration::from_millis).collect() };
        assert_eq!(t.percentile(0.5), Duration::from_millis(51));
        assert_eq!(t.percentile(0.99), Duration::from_millis(99));
    }
}

/// Knowledge base: search as you type (every prefix of a few common questions from the
/// third letter on, as the reply box and the help centre send them), misspelt queries
/// (trigram fallback), the help centre's public search, and opening an article.
pub async fn kb(pool: &PgPool, iterations: usize) -> Result<String, sqlx::Error> {
    use app::backend::kb::{self, Audience};
    use app::model::kb::SearchRequest;
    let iterations = iterations.max(1);
    let err = |e: app::error::AppError| sqlx::Error::Protocol(e.to_string());
    let (articles, dialogues): (i64, i64) =
        sqlx::query_as("select (select count(*) from kb_articles), (select count(*) from conversations)").fetch_one(pool).await?;
    const QUESTIONS: [&str; 8] = [
        "reset password", "refund duplicate charge", "api rate limit", "export csv", "two factor lost phone",
        "invite teammates", "webhook signature", "android app crash",
    ];
    let typed: Vec<String> = QUESTIONS
        .iter()
        .flat_map(|q| (3..=q.len()).filter(|&n| q.is_char_boundary(n)).map(move |n| q[..n].trim_end().to_string()))
        .collect();
    let typed: Vec<String> = {
        let mut seen = std::collections::BTreeSet::new();
        typed.into_iter().filter(|t| seen.insert(t.clone())).collect()
    };
    let request = |q: &str| SearchRequest { q: q.to_string(), limit: Some(10), ..Default::default() };
    let runs = typed.len() * iterations;
    let mut results = Vec::new();
    results.push(time(format!("Search as you type, agents ({} prefixes)", typed.len()), runs, |i| {
        let req = request(&typed[i % typed.len()]);
        async move { kb::search(pool, Audience::Staff, Some(1), &req).await.map_err(err) }
    }).await?);
    // The slowest prefixes, so that a bad p99 says what causes it.
    if let Some(agents) = results.last() {
        let mut by_prefix: Vec<(Duration, &str)> =
            agents.samples.iter().enumerate().map(|(i, d)| (*d, typed[i % typed.len()].as_str())).collect();
        by_prefix.sort_by(|a, b| b.0.cmp(&a.0));
        let slowest: Vec<String> = by_prefix.iter().take(5).map(|(d, p)| format!("\"{p}\" {:.1} ms", d.as_secs_f64() * 1000.0)).collect();
        eprintln!("slowest prefixes: {}", slowest.join(", "));
    }
    results.push(time("Search as you type, help centre".into(), runs, |i| {
        let req = request(&typed[i % typed.len()]);
        async move { kb::search(pool, Audience::Public, None, &req).await.map_err(err) }
    }).await?);
    const MISSPELT: [&str; 5] = ["pasword reset", "refnd", "webhok signatur", "exprot", "androd crash"];
    results.push(time("Misspelt query (near matches)".into(), MISSPELT.len() * iterations.max(4), |i| {
        let req = request(MISSPELT[i % MISSPELT.len()]);
        async move { kb::search(pool, Audience::Staff, Some(1), &req).await.map_err(err) }
    }).await?);
    let ids: Vec<i64> = sqlx::query_scalar("select id from kb_articles order by id desc limit 50").fetch_all(pool).await?;
    if !ids.is_empty() {
        results.push(time("Open an article".into(), 50, |i| {
            let id = ids[i % ids.len()];
            async move { kb::staff_article(pool, id).await.map_err(err) }
        }).await?);
    }
    results.push(time("Dialogue search (subject and messages)".into(), 20, |i| {
        let q = ["refund", "password reset", "webhook", "invoice vat"][i % 4];
        async move { kb::search_dialogues(pool, q, 10).await.map_err(err) }
    }).await?);
    Ok(table(&format!("Knowledge-base benchmark: {articles} articles, {dialogues} dialogues (in-process, ms)"), &results))
}
