//! HTTP mode: Slack's requests to the app's Request URLs.
//!
//! Every `POST /slack/…` is checked against the signing secret
//! ([`super::signature`]) before anything is read from it: a bad, missing
//! or stale signature gets `401` and changes nothing. Signed requests are
//! told apart by their body, so one URL may serve all three kinds:
//! a slash command (form with `command`) is answered in the response body,
//! an interaction (form with `payload`) with an empty `200` after its
//! `response_url` was used, an Events API callback (JSON) with `200` (and
//! the `url_verification` challenge echoed). `GET /healthz` answers `ok`.
//!
//! No client holds the listener: headers must arrive within
//! [`HEADER_READ_TIMEOUT`] (which also closes a keep-alive connection idle
//! that long), a body within [`BODY_READ_TIMEOUT`] (else `408`), and at
//! most [`MAX_CONNECTIONS`] are open at once; more wait in the backlog.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use slack_morphism::prelude::*;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::signature::{self, SignatureError};
use super::{SlackApp, SlackError};

/// Largest request body read; Slack's are a few kilobytes.
const MAX_BODY_BYTES: usize = 1 << 20;
/// How long a client has to send a request's headers, and how long a
/// kept-alive connection may sit idle.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client has to send a request's body.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Most connections served at once.
pub const MAX_CONNECTIONS: usize = 512;
/// How long open requests may take to finish after shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves until `shutdown`, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Arc<SlackApp>,
    secret: String,
    shutdown: CancellationToken,
) -> Result<(), SlackError> {
    let secret: Arc<str> = secret.into();
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "Slack HTTP mode listening");
    }
    let mut connections = JoinSet::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // A free slot first: at the cap, new connections wait in the
        // listener's backlog instead of being accepted and starved.
        let slot = tokio::select! {
            _ = shutdown.cancelled() => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors and the like: wait, retry.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let (app, secret, shutdown) = (Arc::clone(&app), Arc::clone(&secret), shutdown.clone());
                connections.spawn(async move {
                    let _slot = slot;
                    let service = service_fn(move |request| {
                        let (app, secret) = (Arc::clone(&app), Arc::clone(&secret));
                        async move { Ok::<_, Infallible>(handle(request, &app, &secret).await) }
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
        }
    }
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("Slack HTTP requests still open at shutdown were dropped");
    }
    Ok(())
}

async fn handle(request: Request<Incoming>, app: &SlackApp, secret: &str) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_string();
    if request.method() == Method::GET && path == "/healthz" {
        return text(StatusCode::OK, "ok");
    }
    if !path.starts_with("/slack/") {
        return text(StatusCode::NOT_FOUND, "not found");
    }
    if request.method() != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let timestamp = header("x-slack-request-timestamp");
    let signature = header("x-slack-signature");
    let reading = Limited::new(request.into_body(), MAX_BODY_BYTES).collect();
    let body = match tokio::time::timeout(BODY_READ_TIMEOUT, reading).await {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(_)) => return text(StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
        Err(_) => return text(StatusCode::REQUEST_TIMEOUT, "body too slow"),
    };
    let now = chrono::Utc::now().timestamp();
    if let Err(err) = signature::verify(
        secret,
        timestamp.as_deref(),
        signature.as_deref(),
        &body,
        now,
    ) {
        tracing::warn!(error = %err, path, "refused an unsigned or stale Slack request");
        let status = match err {
            SignatureError::Missing | SignatureError::BadTimestamp => StatusCode::BAD_REQUEST,
            SignatureError::Stale | SignatureError::Mismatch => StatusCode::UNAUTHORIZED,
        };
        return text(status, &err.to_string());
    }
    match dispatch(&body, app).await {
        Ok(response) => response,
        Err(message) => {
            tracing::warn!(path, "{message}");
            text(StatusCode::BAD_REQUEST, &message)
        }
    }
}

/// Routes a signed body by what it holds.
async fn dispatch(body: &[u8], app: &SlackApp) -> Result<Response<Full<Bytes>>, String> {
    if body.first() == Some(&b'{') {
        return event(body);
    }
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    if let Some(payload) = form.get("payload") {
        let interaction: SlackInteractionEvent = serde_json::from_str(payload)
            .map_err(|err| format!("unreadable interaction payload: {err}"))?;
        app.interaction(&interaction).await;
        return Ok(empty());
    }
    if form.contains_key("ssl_check") {
        return Ok(empty());
    }
    if form.contains_key("command") {
        let value = serde_json::to_value(&form).map_err(|err| err.to_string())?;
        let command: SlackCommandEvent = serde_json::from_value(value)
            .map_err(|err| format!("unreadable slash command: {err}"))?;
        let reply = app.command(&command).await;
        return Ok(json(&reply));
    }
    Err("neither a command, an interaction nor an event".into())
}

/// An Events API request: the URL check is answered, the rest acknowledged.
fn event(body: &[u8]) -> Result<Response<Full<Bytes>>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| format!("unreadable event: {err}"))?;
    if value["type"] == "url_verification" {
        let challenge = value["challenge"].as_str().unwrap_or_default();
        return Ok(json(&serde_json::json!({ "challenge": challenge })));
    }
    Ok(empty())
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn empty() -> Response<Full<Bytes>> {
    Response::new(Full::new(Bytes::new()))
}

fn json(value: &impl serde::Serialize) -> Response<Full<Bytes>> {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(err) => text(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}
