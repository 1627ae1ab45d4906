//! Serving HTTP/1.1 with the limits `axum::serve` leaves unset: a client must send a
//! request's headers within [`HEADER_READ`] (a slow-loris connection is closed), and at
//! most [`OPEN_CONNECTIONS`] connections are served at once (more are closed as they
//! arrive, before they cost anything). Shutdown is graceful: no new connections, requests
//! in flight are finished, for at most [`DRAIN`].

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// A request's headers must arrive within this long of its first byte.
pub const HEADER_READ: Duration = Duration::from_secs(10);
/// Connections served at once by one process.
pub const OPEN_CONNECTIONS: usize = 4096;
/// How long shutdown waits for requests in flight (event streams never end by themselves).
pub const DRAIN: Duration = Duration::from_secs(10);

/// The limits of one listener (tests shorten them).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read: Duration,
    pub open_connections: usize,
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { header_read: HEADER_READ, open_connections: OPEN_CONNECTIONS, drain: DRAIN }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves; every request carries the
/// client's `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(limits.open_connections));
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before it was taken.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(%remote, limit = limits.open_connections, "closed a connection: too many are open");
            continue;
        };
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            req.map(Body::new)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %remote, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain) => tracing::info!("stopped with connections still open (event streams)"),
    }
}
