//! The process's one HTTP listener, with the limits that keep a slow or
//! greedy client from holding it.
//!
//! Headers must arrive within [`HEADER_READ_TIMEOUT`] (which also closes a
//! kept-alive connection idle that long), a body within
//! [`BODY_READ_TIMEOUT`] ([`read_body`] answers `408` otherwise). There is
//! no cap on open connections: a cap is a number a flood can fill, and then
//! Kubernetes' probe of `/healthz` waits in the backlog behind it. Every
//! connection is accepted at once and costs one small task until its
//! headers come or the header timeout cuts it, so thousands of idle or
//! slow clients do not keep a health check waiting. At shutdown it stops
//! accepting and lets open requests finish for up to [`DRAIN_TIMEOUT`].
//! What a request gets is the [`Routes`]' business.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long a client has to send a request's headers, and how long a
/// kept-alive connection may sit idle.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client has to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long open requests may take to finish after shutdown.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

pub type HttpResponse = Response<Full<Bytes>>;
/// A response on its way.
pub type Responding<'a> = Pin<Box<dyn Future<Output = HttpResponse> + Send + 'a>>;

/// What answers the listener's requests.
pub trait Routes: Send + Sync + 'static {
    fn respond(&self, request: Request<Incoming>) -> Responding<'_>;
}

/// Serves `routes` on `listener` until `shutdown`, then lets open requests
/// finish.
pub async fn serve(listener: TcpListener, routes: Arc<dyn Routes>, shutdown: CancellationToken) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "HTTP listening");
    }
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
        let (routes, shutdown) = (Arc::clone(&routes), shutdown.clone());
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let routes = Arc::clone(&routes);
                async move { Ok::<_, Infallible>(routes.respond(request).await) }
            });
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

/// A request's body, up to `limit` bytes and within [`BODY_READ_TIMEOUT`];
/// otherwise the response that says why not.
pub async fn read_body(body: Incoming, limit: usize) -> Result<Bytes, HttpResponse> {
    let reading = Limited::new(body, limit).collect();
    match tokio::time::timeout(BODY_READ_TIMEOUT, reading).await {
        Ok(Ok(body)) => Ok(body.to_bytes()),
        Ok(Err(_)) => Err(text(StatusCode::PAYLOAD_TOO_LARGE, "body too large")),
        Err(_) => Err(text(StatusCode::REQUEST_TIMEOUT, "body too slow")),
    }
}

pub fn text(status: StatusCode, body: &str) -> HttpResponse {
    with_type(status, body.to_string(), "text/plain; charset=utf-8")
}

/// A response of `content_type`.
pub fn with_type(
    status: StatusCode,
    body: impl Into<Bytes>,
    content_type: &'static str,
) -> HttpResponse {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub fn empty() -> HttpResponse {
    Response::new(Full::new(Bytes::new()))
}

pub fn json(value: &impl serde::Serialize) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => with_type(StatusCode::OK, body, "application/json"),
        Err(err) => text(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}
