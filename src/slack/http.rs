//! HTTP mode: Slack's requests to the app's Request URLs.
//!
//! Every `POST /slack/…` is checked against the signing secret with
//! slack-morphism's [`SlackEventSignatureVerifier`] (HMAC-SHA256 over
//! `v0:timestamp:body`, the timestamp within five minutes) before anything
//! is read from it: a missing signature gets `400`, a bad or stale one
//! `401`, and neither changes anything. Signed requests are
//! told apart by their body, so one URL may serve all three kinds:
//! a slash command (form with `command`) is answered in the response body
//! (or acknowledged empty, its reply following through its `response_url`),
//! an interaction (form with `payload`) with an empty `200` at once, an
//! Events API callback (JSON) with `200` (and the `url_verification`
//! challenge echoed). The body is read within
//! [`http_listener::BODY_READ_TIMEOUT`] (else `408`) and up to
//! [`MAX_BODY_BYTES`] (else `413`, tower-http's limit); the routes are
//! mounted on the process's listener ([`crate::http_listener`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use tower_http::limit::RequestBodyLimitLayer;

use super::SlackApp;
use crate::http_listener;

/// Largest request body read; Slack's are a few kilobytes.
const MAX_BODY_BYTES: usize = 1 << 20;

/// What Slack's routes share.
struct SlackRoutes {
    app: Arc<SlackApp>,
    verifier: SlackEventSignatureVerifier,
}

/// Slack's Request URLs (`POST /slack/…`), verified with the signing
/// secret; another method gets `405`.
pub fn router(app: Arc<SlackApp>, secret: &str) -> Router {
    let routes = Arc::new(SlackRoutes {
        app,
        verifier: SlackEventSignatureVerifier::new(&SlackSigningSecret::new(secret.into())),
    });
    Router::new()
        .route(crate::ops::SLACK_ROUTES, post(handle))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(routes)
}

async fn handle(
    State(routes): State<Arc<SlackRoutes>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let body = match tokio::time::timeout(
        http_listener::BODY_READ_TIMEOUT,
        to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(err)) if is_too_large(&err) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response()
        }
        Ok(Err(_)) | Err(_) => {
            return (StatusCode::REQUEST_TIMEOUT, "body too slow").into_response()
        }
    };
    let signed = (
        header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
        header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        std::str::from_utf8(&body),
    );
    let (Some(timestamp), Some(signature), Ok(text)) = signed else {
        tracing::warn!(path, "refused a Slack request without a signature");
        return (StatusCode::BAD_REQUEST, "unsigned request").into_response();
    };
    if let Err(err) = routes.verifier.verify(signature, text, timestamp) {
        tracing::warn!(error = %err, path, "refused a badly signed or stale Slack request");
        return (StatusCode::UNAUTHORIZED, err.to_string()).into_response();
    }
    match dispatch(&body, &routes.app).await {
        Ok(response) => response,
        Err(message) => {
            tracing::warn!(path, "{message}");
            (StatusCode::BAD_REQUEST, message).into_response()
        }
    }
}

/// Whether reading a body failed on tower-http's size limit.
fn is_too_large(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Routes a signed body by what it holds.
async fn dispatch(body: &[u8], app: &Arc<SlackApp>) -> Result<Response, String> {
    if body.first() == Some(&b'{') {
        return event(body);
    }
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    if let Some(payload) = form.get("payload") {
        let interaction: SlackInteractionEvent = serde_json::from_str(payload)
            .map_err(|err| format!("unreadable interaction payload: {err}"))?;
        app.interaction(interaction);
        return Ok(StatusCode::OK.into_response());
    }
    if form.contains_key("ssl_check") {
        return Ok(StatusCode::OK.into_response());
    }
    if form.contains_key("command") {
        let value = serde_json::to_value(&form).map_err(|err| err.to_string())?;
        let command: SlackCommandEvent = serde_json::from_value(value)
            .map_err(|err| format!("unreadable slash command: {err}"))?;
        return Ok(match app.command(command).await {
            Some(reply) => Json(reply).into_response(),
            // Acknowledged empty: the reply follows through its response_url.
            None => StatusCode::OK.into_response(),
        });
    }
    Err("neither a command, an interaction nor an event".into())
}

/// An Events API request: the URL check is answered, the rest acknowledged.
fn event(body: &[u8]) -> Result<Response, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| format!("unreadable event: {err}"))?;
    if value["type"] == "url_verification" {
        let challenge = value["challenge"].as_str().unwrap_or_default();
        return Ok(Json(serde_json::json!({ "challenge": challenge })).into_response());
    }
    Ok(StatusCode::OK.into_response())
}
