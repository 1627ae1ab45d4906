//! Counters for the throttled public doors (sign-in, reset links), in PostgreSQL so every
//! server process sees the same counts. An attempt takes the row locks of its counters,
//! is decided by `domain::sign_in_throttle` and counted before they are released: twenty
//! attempts at once are decided one after the other, so none gets a free try.

use crate::domain::sign_in_throttle::ThrottlePolicy;
use sqlx::PgPool;
use std::time::Duration;

/// Admits one attempt at every door in `doors` (a key and its policy), or at none: a wait
/// owed at any door refuses it (not counted anywhere) and returns the longest wait.
pub async fn admit(pool: &PgPool, doors: &[(String, ThrottlePolicy)]) -> Result<Result<(), Duration>, sqlx::Error> {
    let mut doors = doors.to_vec();
    // One lock order for everyone, so two attempts never wait for each other's rows.
    doors.sort_by(|a, b| a.0.cmp(&b.0));
    doors.dedup_by(|a, b| a.0 == b.0);
    let keys: Vec<String> = doors.iter().map(|d| d.0.clone()).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("insert into throttle_counters (key) select unnest($1::text[]) order by 1 on conflict do nothing")
        .bind(&keys)
        .execute(&mut *tx)
        .await?;
    let rows: Vec<(String, i32, f64)> = sqlx::query_as(
        "select key, attempts, greatest(extract(epoch from clock_timestamp() - last_at), 0)::float8
           from throttle_counters where key = any($1) order by key for update",
    )
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await?;
    let (mut counted, mut counts) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
    let mut owed = Duration::ZERO;
    for (key, attempts, since) in rows {
        let Some((_, policy)) = doors.iter().find(|d| d.0 == key) else { continue };
        match policy.admit(attempts.max(0) as u32, Duration::from_secs_f64(since.min(1e9))) {
            Ok(n) => {
                counted.push(key);
                counts.push(n.min(i32::MAX as u32) as i32);
            }
            Err(wait) => owed = owed.max(wait),
        }
    }
    if owed > Duration::ZERO {
        tx.rollback().await?;
        return Ok(Err(owed));
    }
    sqlx::query(
        "update throttle_counters t set attempts = c.n, last_at = clock_timestamp()
           from unnest($1::text[], $2::int4[]) as c(k, n) where t.key = c.k",
    )
    .bind(&counted)
    .bind(&counts)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Starts a door's count again (after a successful sign-in).
pub async fn forget(pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from throttle_counters where key = $1").bind(key).execute(pool).await?;
    Ok(())
}

/// Takes back one attempt that succeeded (a client address is slowed down by its
/// failures, not by people signing in behind it).
pub async fn refund(pool: &PgPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("update throttle_counters set attempts = greatest(attempts - 1, 0) where key = $1").bind(key).execute(pool).await?;
    Ok(())
}
