//! Live updates across every server process: PostgreSQL `NOTIFY meridian_queue` (sent
//! by a trigger when a dialogue event commits) → one `LISTEN` per process → a broadcast
//! channel → `GET /events/queue` as server-sent events to each signed-in agent.

use crate::api::caller::Caller;
use app::backend::AppState;
use app::domain::access::Permission;
use app::error::AppError;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::Stream;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

pub const CHANNEL: &str = "meridian_queue";

/// How often an open event stream asks whether its session still works.
pub const SESSION_CHECK: Duration = Duration::from_secs(10);

/// Listens for dialogue events and forwards them to `live`. Reconnects by itself after
/// a database restart (sqlx's listener re-LISTENs), so it runs for the process's life.
pub fn spawn_listener(pool: PgPool, live: broadcast::Sender<String>) {
    tokio::spawn(async move {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(err) = listener.listen(CHANNEL).await {
                        tracing::warn!(error = %err, "LISTEN failed; retrying");
                    } else {
                        tracing::info!("listening for dialogue events");
                        loop {
                            match listener.recv().await {
                                Ok(n) => {
                                    // No receivers is fine: nobody has the queue open.
                                    let _ = live.send(n.payload().to_string());
                                }
                                Err(err) => {
                                    tracing::warn!(error = %err, "lost the event listener; reconnecting");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "cannot connect the event listener; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}

/// `GET /events/queue`: every dialogue event, as it commits, for agents.
pub async fn queue_events(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    caller.require(Permission::WorkQueue)?;
    let session = caller.session_hash().ok_or(AppError::NotSignedIn)?;
    let receiver = state.live.subscribe();
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.reset();
    // The stream ends when its session does (signed out, expired, the person deactivated):
    // asked every SESSION_CHECK, so a closed session stops hearing within that time.
    let stream = futures::stream::unfold((receiver, check, state, session), |(mut rx, mut check, state, session)| async move {
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Ok(payload) => return Some((Ok(Event::default().data(payload)), (rx, check, state, session))),
                    // A slow browser missed some: one refresh covers them all.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(Event::default().data("{\"kind\":\"resync\"}")), (rx, check, state, session)))
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = check.tick() => {
                    match app::backend::sessions::still_open(&state.pool, &state.settings, &session).await {
                        Ok(true) => {}
                        Ok(false) => return None,
                        // The database is away: keep the stream; the next check decides.
                        Err(err) => tracing::warn!(error = %err, "could not check an event stream's session"),
                    }
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

/// Every 15 seconds: wakes postponed dialogues whose time has come, and releases the
/// unanswered claims of agents idle longer than `claim_lease`. Safe with several
/// processes: each is one conditional UPDATE.
pub fn spawn_queue_jobs(pool: PgPool, claim_lease: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        loop {
            tick.tick().await;
            match app::backend::dialogue::wake_due(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(dialogues = n, "postponed dialogues are back in the queue"),
                Err(err) => tracing::warn!(error = %err, "wake-up job failed"),
            }
            if let Err(err) = app::backend::presence::purge(&pool).await {
                tracing::warn!(error = %err, "presence purge failed");
            }
            match app::backend::dialogue::release_stale_claims(&pool, claim_lease).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(dialogues = n, "claims of idle agents released"),
                Err(err) => tracing::warn!(error = %err, "claim-lease job failed"),
            }
        }
    });
}

/// Keeps the report rollups up to date: every second, applies the dialogues changed since
/// (see `app::backend::rollup::process_queue`; safe with several processes).
pub fn spawn_rollup_job(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            drain("report rollup", || app::backend::rollup::process_queue(&pool, 500)).await;
        }
    });
}

/// Keeps the SLA clocks true: every second, computes again the clocks of the dialogues that
/// changed, then stamps the warnings and breaches that fell due and runs their escalations
/// (see `app::backend::sla`; each warning and breach happens once, whatever the number of
/// server processes).
pub fn spawn_sla_job(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            drain("SLA clock", || app::backend::sla::refresh_dirty(&pool, 200)).await;
            match app::backend::sla::fire_due(&pool).await {
                Ok((0, 0)) => {}
                Ok((warnings, breaches)) => tracing::info!(warnings, breaches, "SLA warnings and breaches"),
                Err(err) => tracing::warn!(error = %err, "SLA breach job failed"),
            }
        }
    });
}

/// Rules and time-based automations, every second in each server process: fires the
/// event rules on the history lines queued since, then the automations whose wait has
/// come (see `app::backend::rules`; each event and each wait fires once, whatever the
/// number of processes).
pub fn spawn_rules_job(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            drain("rule", || app::backend::rules::run_events(&pool, app::backend::rules::EVENT_BATCH)).await;
            match app::backend::rules::run_waiting(&pool).await {
                Ok(0) => {}
                Ok(fired) => tracing::info!(fired, "time-based automations fired"),
                Err(err) => tracing::warn!(error = %err, "time-based automation job failed"),
            }
        }
    });
}

/// Automatic assignment, every second in each server process: hands back the unanswered
/// dialogues of agents off shift or away, then gives waiting dialogues to agents in the
/// teams that assign automatically (each team's batch under its lock, so processes never
/// assign for one team at once).
pub fn spawn_assignment_job(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(err) = app::backend::assignment::run(&pool).await {
                tracing::warn!(error = %err, "assignment job failed");
            }
        }
    });
}

/// Runs one batch after another until a batch finds nothing to do (or fails, logged).
async fn drain<F, Fut, E>(what: &str, batch: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<usize, E>>,
    E: std::fmt::Display,
{
    loop {
        match batch().await {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "{what} job failed");
                break;
            }
        }
    }
}
