//! HTTP mode: Slack's requests to the app's Request URLs.
//!
//! Every `POST /slack/…` is checked against the signing secret
//! ([`super::signature`]) before anything is read from it: a bad, missing
//! or stale signature gets `401` and changes nothing. Signed requests are
//! told apart by their body, so one URL may serve all three kinds:
//! a slash command (form with `command`) is answered in the response body,
//! an interaction (form with `payload`) with an empty `200` after its
//! `response_url` was used, an Events API callback (JSON) with `200` (and
//! the `url_verification` challenge echoed). The process's listener
//! ([`crate::http_listener`], with its timeouts) hands these routes every
//! request under `/slack/`.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use slack_morphism::prelude::*;

use super::signature::{self, SignatureError};
use super::SlackApp;
use crate::http_listener::{empty, json, read_body, text, HttpResponse, Responding, Routes};

/// Largest request body read; Slack's are a few kilobytes.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Slack's Request URLs, verified with the signing secret.
pub struct SlackRoutes {
    app: Arc<SlackApp>,
    secret: Arc<str>,
}

impl SlackRoutes {
    pub fn new(app: Arc<SlackApp>, secret: &str) -> Self {
        Self {
            app,
            secret: secret.into(),
        }
    }
}

impl Routes for SlackRoutes {
    fn respond(&self, request: Request<Incoming>) -> Responding<'_> {
        Box::pin(handle(request, &self.app, &self.secret))
    }
}

async fn handle(request: Request<Incoming>, app: &Arc<SlackApp>, secret: &str) -> HttpResponse {
    let path = request.uri().path().to_string();
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
    let body = match read_body(request.into_body(), MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(refused) => return refused,
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
async fn dispatch(body: &[u8], app: &Arc<SlackApp>) -> Result<HttpResponse, String> {
    if body.first() == Some(&b'{') {
        return event(body);
    }
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    if let Some(payload) = form.get("payload") {
        let interaction: SlackInteractionEvent = serde_json::from_str(payload)
            .map_err(|err| format!("unreadable interaction payload: {err}"))?;
        app.interaction(interaction);
        return Ok(empty());
    }
    if form.contains_key("ssl_check") {
        return Ok(empty());
    }
    if form.contains_key("command") {
        let value = serde_json::to_value(&form).map_err(|err| err.to_string())?;
        let command: SlackCommandEvent = serde_json::from_value(value)
            .map_err(|err| format!("unreadable slash command: {err}"))?;
        return Ok(match app.command(command).await {
            Some(reply) => json(&reply),
            // Acknowledged empty: the reply follows through its response_url.
            None => empty(),
        });
    }
    Err("neither a command, an interaction nor an event".into())
}

/// An Events API request: the URL check is answered, the rest acknowledged.
fn event(body: &[u8]) -> Result<HttpResponse, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| format!("unreadable event: {err}"))?;
    if value["type"] == "url_verification" {
        let challenge = value["challenge"].as_str().unwrap_or_default();
        return Ok(json(&serde_json::json!({ "challenge": challenge })));
    }
    Ok(empty())
}
