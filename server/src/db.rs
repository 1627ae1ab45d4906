//! The PostgreSQL pool, set up to heal after a database restart: connections are
//! tested before use, idle ones are recycled, and a request waits at most a few
//! seconds for a connection before it is answered 503.
//!
//! The server's connections carry a `statement_timeout` (a runaway query is cancelled and
//! answered with a sentence, `AppError::TimedOut`) and an idle-in-transaction timeout (a
//! transaction left open cannot hold its locks for ever). The commands (migrations, seeding,
//! rollups, benchmarks) run without a statement limit.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

/// A transaction left idle this long is ended by PostgreSQL (its locks released).
const IDLE_IN_TRANSACTION: Duration = Duration::from_secs(60);

/// A pool of at most `max_connections`; with `statement_timeout`, every statement on its
/// connections is cancelled after that long (a transaction may raise it for itself with
/// `set local statement_timeout`, as the reports do).
pub async fn connect(database_url: &str, max_connections: u32, statement_timeout: Option<Duration>) -> Result<PgPool, sqlx::Error> {
    connect_with(PgConnectOptions::from_str(database_url)?, max_connections, statement_timeout).await
}

/// [`connect`] with the connection's options already parsed (tests reuse theirs).
pub async fn connect_with(options: PgConnectOptions, max_connections: u32, statement_timeout: Option<Duration>) -> Result<PgPool, sqlx::Error> {
    let mut options = options.application_name("meridian");
    if let Some(limit) = statement_timeout.filter(|d| !d.is_zero()) {
        options = options.options([
            ("statement_timeout", format!("{}ms", limit.as_millis())),
            ("idle_in_transaction_session_timeout", format!("{}ms", IDLE_IN_TRANSACTION.as_millis())),
        ]);
    }
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(10 * 60))
        .max_lifetime(Duration::from_secs(30 * 60))
        .test_before_acquire(true)
        .connect_with(options)
        .await
}
