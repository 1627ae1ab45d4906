//! `meridian bench …`: speed measured in the server process, on whatever database
//! DATABASE_URL names (seed it with `meridian seed-demo --dialogues 1000000 --agents 200`).
//! Each operation runs the same repository function the pages and the API call.

use app::backend::conversations;
use app::domain::queue::QueueView;
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
            conversations::list(pool, view, busiest, None, 50).await
        }).await?);
        let (_, next) = conversations::list(pool, view, busiest, None, 50).await?;
        if let Some(cursor) = next {
            results.push(time(format!("{} – next page", view.label()), iterations, move |_| async move {
                conversations::list(pool, view, busiest, Some(cursor), 50).await
            }).await?);
        }
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
                conversations::claim(pool, id, agent, false).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))
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

    let mut out = String::new();
    let _ = writeln!(out, "Queue benchmark: {dialogues} dialogues, {agents} agents, {iterations} runs each (in-process, ms)\n");
    let _ = writeln!(out, "| operation | median | p99 |");
    let _ = writeln!(out, "|---|---:|---:|");
    for t in &results {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(out, "| {} | {:.2} | {:.2} |", t.name, ms(t.percentile(0.5)), ms(t.percentile(0.99)));
    }
    Ok(out)
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
