//! The process's one HTTP listener, with the limits that keep a slow or
//! greedy client from holding it.
//!
//! Requests are routed by an [`axum::Router`] (the ops routes, and Slack's
//! in HTTP mode), each wrapped in tower-http's whole-request timeout
//! ([`REQUEST_TIMEOUT`]). Connections come through our own accept loop,
//! because what a flood can do is decided there: headers must arrive within
//! [`HEADER_READ_TIMEOUT`] (which also closes a kept-alive connection idle
//! that long), and there is no cap on open connections. A cap is a number a
//! flood of idle connections can fill, and then Kubernetes' probe of
//! `/healthz` waits in the backlog behind it; here every connection is
//! accepted at once and costs one small task until its headers come or the
//! header timeout cuts it. At shutdown the loop stops accepting and open
//! requests get up to [`DRAIN_TIMEOUT`] to finish.

use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::timeout::TimeoutLayer;

/// How long a client has to send a request's headers, and how long a
/// kept-alive connection may sit idle.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client has to send a request's body (see
/// [`crate::slack`]'s HTTP mode, the one route that reads a body).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, body and answer: past it the client
/// gets `408`, whatever it is still sending.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open requests may take to finish after shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `routes` on `listener` until `shutdown`, then lets open requests
/// finish.
pub async fn serve(listener: TcpListener, routes: Router, shutdown: CancellationToken) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "HTTP listening");
    }
    let routes = routes.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: wait, retry.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (service, shutdown) = (TowerToHyperService::new(routes.clone()), shutdown.clone());
        connections.spawn(async move {
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, "HTTP connection ended");
                    }
                }
                _ = shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    connections.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("HTTP requests still open at shutdown were dropped");
    }
}
