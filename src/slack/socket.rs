//! Socket Mode: slack-morphism opens `apps.connections.open` with the app
//! token, keeps the websocket(s) alive and reconnects; each envelope is
//! handed to the [`SlackApp`] and acknowledged when it returns: a click at
//! once (its answer goes through its `response_url`), a command with its
//! reply when that is ready in time.

use std::sync::Arc;

use slack_morphism::prelude::*;
use tokio_util::sync::CancellationToken;

use super::{SlackApp, SlackError};
use crate::ops::Link;

/// Listens until `shutdown`, then closes the connections.
pub async fn serve(
    app: Arc<SlackApp>,
    app_token: SlackApiToken,
    link: &Link,
    shutdown: CancellationToken,
) -> Result<(), SlackError> {
    // slack-morphism retries a refused token forever; check it once here so
    // a wrong SLACK_APP_TOKEN stops the bot with a clear error instead.
    app.client()
        .open_session(&app_token)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .map_err(|source| SlackError::Token {
            token: "SLACK_APP_TOKEN",
            method: "apps.connections.open",
            source: Box::new(source),
        })?;
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push_event);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(Arc::clone(app.client()))
            .with_error_handler(on_error)
            .with_user_state(Arc::clone(&app)),
    );
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new(),
        environment,
        callbacks,
    );
    listener.listen_for(&app_token).await?;
    listener.start().await;
    // slack-morphism reconnects a dropped socket by itself; the link is up
    // from the accepted token to shutdown.
    link.set(true);
    tracing::info!("Slack Socket Mode started");
    shutdown.cancelled().await;
    link.set(false);
    listener.shutdown().await;
    tracing::info!("Slack Socket Mode stopped");
    Ok(())
}

async fn app_of(states: &SlackClientEventsUserState) -> Option<Arc<SlackApp>> {
    states
        .read()
        .await
        .get_user_state::<Arc<SlackApp>>()
        .cloned()
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    match app_of(&states).await {
        // Acknowledged empty: the reply follows through its response_url.
        Some(app) => Ok(app
            .command(event)
            .await
            .unwrap_or_else(|| SlackCommandEventResponse::new(SlackMessageContent::new()))),
        None => Err("the Slack app state is missing".into()),
    }
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let Some(app) = app_of(&states).await {
        app.interaction(event);
    }
    Ok(())
}

async fn on_push_event(
    _event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    _states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    // The bot subscribes to no events; acknowledge whatever comes.
    Ok(())
}

fn on_error(
    err: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _states: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::warn!(error = %err, "Slack Socket Mode error");
    // Acknowledge anyway: a redelivery would fail the same way.
    HttpStatusCode::OK
}
