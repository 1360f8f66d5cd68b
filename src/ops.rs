//! The ops listener: health, readiness and metrics, on `QUIZBOT_HTTP_ADDR`
//! in every mode of `quizbot serve` (and Slack's Request URLs on the same
//! port in HTTP mode).
//!
//! - `GET /healthz`: `200 ok` while the process runs.
//! - `GET /readyz`: `200 ready` when the database answers and every
//!   configured platform is connected; `503` with the reasons otherwise.
//! - `GET /metrics`: [`crate::telemetry`]'s figures, Prometheus text format.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceExt;

use crate::identity::Platform;
use crate::service::Service;

pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";
pub const METRICS_PATH: &str = "/metrics";
/// Where Slack's Request URLs live, when HTTP mode is on.
pub const SLACK_ROUTES: &str = "/slack/{*rest}";

/// How long `/readyz` waits for the database.
const DATABASE_CHECK: Duration = Duration::from_secs(2);

/// Whether one platform's connection is up, as its adapter last saw it.
#[derive(Debug, Default)]
pub struct Link(AtomicBool);

impl Link {
    pub fn set(&self, connected: bool) {
        self.0.store(connected, Ordering::Relaxed);
    }

    pub fn is_up(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The ops routes, with Slack's mounted beside them once its app is up.
pub struct Ops {
    service: Service,
    links: Mutex<Vec<(Platform, Arc<Link>)>>,
    slack: OnceLock<Router>,
    /// Slack's HTTP mode is configured (its routes may not be up yet).
    slack_expected: AtomicBool,
}

impl Ops {
    pub fn new(service: Service) -> Arc<Self> {
        // Counting starts with the listener.
        crate::telemetry::recorder();
        Arc::new(Self {
            service,
            links: Mutex::new(Vec::new()),
            slack: OnceLock::new(),
            slack_expected: AtomicBool::new(false),
        })
    }

    /// Registers `platform` as one readiness waits for, down until its
    /// adapter sets the returned link; registered already, the same link.
    pub fn link(&self, platform: Platform) -> Arc<Link> {
        let mut links = self.links();
        if let Some((_, link)) = links.iter().find(|(p, _)| *p == platform) {
            return Arc::clone(link);
        }
        let link = Arc::new(Link::default());
        links.push((platform, Arc::clone(&link)));
        link
    }

    /// Slack's HTTP mode is starting: until its routes are mounted, its
    /// requests get `503` (Slack retries) rather than `404`.
    pub fn expect_slack(&self) {
        self.slack_expected.store(true, Ordering::Relaxed);
    }

    /// Serves Slack's Request URLs (`/slack/…`) from now on.
    pub fn mount_slack(&self, routes: Router) {
        if self.slack.set(routes).is_err() {
            tracing::warn!("Slack's routes were mounted twice; the first stay");
        }
    }

    fn links(&self) -> std::sync::MutexGuard<'_, Vec<(Platform, Arc<Link>)>> {
        self.links
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Why the process is not ready, or nothing when it is.
    pub async fn not_ready(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        match tokio::time::timeout(DATABASE_CHECK, self.service.store().ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => reasons.push(format!("database: {err}")),
            Err(_) => reasons.push(format!(
                "database: no answer within {}s",
                DATABASE_CHECK.as_secs()
            )),
        }
        for (platform, link) in self.links().iter() {
            if !link.is_up() {
                reasons.push(format!("{}: not connected", platform.name()));
            }
        }
        reasons
    }

    /// The routes: health, readiness, metrics, and Slack's once mounted;
    /// anything else is `404`, another method on these `405`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(HEALTH_PATH, get(|| async { "ok" }))
            .route(READY_PATH, get(ready))
            .route(METRICS_PATH, get(metrics))
            .route(SLACK_ROUTES, any(slack))
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            .with_state(Arc::clone(self))
    }
}

async fn ready(State(ops): State<Arc<Ops>>) -> Response {
    let reasons = ops.not_ready().await;
    if reasons.is_empty() {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, reasons.join("\n") + "\n").into_response()
    }
}

async fn metrics(State(ops): State<Arc<Ops>>) -> Response {
    let Some(recorder) = crate::telemetry::recorder() else {
        return (StatusCode::NOT_FOUND, "metrics are recorded elsewhere").into_response();
    };
    let (in_use, idle) = ops.service.store().connections();
    crate::telemetry::database_connections(in_use, idle);
    recorder.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        recorder.render(),
    )
        .into_response()
}

/// Slack's Request URLs: its routes once mounted; until then `503` while
/// HTTP mode starts (Slack retries), `404` when it is not on.
async fn slack(State(ops): State<Arc<Ops>>, request: Request<Body>) -> Response {
    match ops.slack.get() {
        Some(routes) => match routes.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None if ops.slack_expected.load(Ordering::Relaxed) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Slack's HTTP mode is starting",
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Slack's HTTP mode is not on").into_response(),
    }
}
