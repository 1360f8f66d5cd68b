//! `quizbot serve`: the bot on every configured platform, until shutdown.
//!
//! Discord runs when `DISCORD_TOKEN` is set, Slack when `SLACK_BOT_TOKEN` is
//! (with `SLACK_APP_TOKEN` for Socket Mode or `SLACK_SIGNING_SECRET` for HTTP
//! mode); both run together when both are. The ops listener ([`crate::ops`]:
//! health, readiness, metrics, and Slack's HTTP mode) is up on
//! `QUIZBOT_HTTP_ADDR` first. Each platform gets the same [`Service`] and
//! the same shutdown token; the first to fail (or panic) stops the others,
//! and the error names the platform.
//!
//! Shutdown (SIGTERM) stops taking events first: the gateway and the socket
//! close, the listener stops accepting. Interactions already being handled
//! finish (up to [`crate::service::DRAIN_TIMEOUT`]), as does a daily post being sent; then
//! the process exits.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::http_listener;
use crate::identity::Platform;
use crate::ops::Ops;
use crate::service::Service;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "no platform is configured: set DISCORD_TOKEN to run on Discord, or SLACK_BOT_TOKEN \
         with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) to run on Slack"
    )]
    NoPlatform,
    #[error("cannot listen on {addr} (QUIZBOT_HTTP_ADDR): {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("{}: {message}", platform.name())]
    Platform { platform: Platform, message: String },
}

/// Refuses a configuration without any platform, naming what it needs.
fn some_platform(config: &Config) -> Result<(), ServeError> {
    if config.discord.token.is_none() && config.slack.bot_token.is_none() {
        return Err(ServeError::NoPlatform);
    }
    Ok(())
}

/// Runs every configured platform until `shutdown` is cancelled or one of
/// them fails.
pub async fn run(
    config: Config,
    service: Service,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    some_platform(&config)?;
    let listener = TcpListener::bind(&config.http_addr)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.http_addr.clone(),
            source,
        })?;
    run_on(listener, config, service, shutdown).await
}

/// As [`run`], on a listener already bound (`QUIZBOT_HTTP_ADDR` is not
/// read): tests bind `127.0.0.1:0` and drive the same code as the binary.
pub async fn run_on(
    listener: TcpListener,
    config: Config,
    service: Service,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    some_platform(&config)?;
    let ops = Ops::new(service.clone());
    let configured: Vec<Platform> = [
        (config.discord.token.is_some(), Platform::Discord),
        (config.slack.bot_token.is_some(), Platform::Slack),
    ]
    .into_iter()
    .filter_map(|(on, platform)| on.then_some(platform))
    .collect();
    // Readiness waits for every configured platform from the start, not
    // only from when its adapter gets to register itself.
    for platform in &configured {
        ops.link(*platform);
    }
    let listening = tokio::spawn(http_listener::serve(
        listener,
        ops.router(),
        shutdown.clone(),
    ));
    let running = Arc::new(Running {
        config,
        ops,
        service: service.clone(),
        shutdown: shutdown.clone(),
    });
    let mut tasks = JoinSet::new();
    let mut platforms = HashMap::new();
    for platform in configured {
        let running = Arc::clone(&running);
        let task = tasks.spawn(async move { running.platform(platform).await });
        platforms.insert(task.id(), platform);
    }
    let result = supervise(tasks, &platforms, &shutdown).await;
    // No platform takes events any more; let those in hand finish.
    shutdown.cancel();
    service.drain().await;
    let _ = listening.await;
    tracing::info!("stopped");
    result
}

/// What every platform's task shares.
struct Running {
    config: Config,
    ops: Arc<Ops>,
    service: Service,
    shutdown: CancellationToken,
}

impl Running {
    /// Runs `platform` until shutdown; its error as the supervisor logs it.
    async fn platform(&self, platform: Platform) -> Result<(), String> {
        let (service, shutdown) = (self.service.clone(), self.shutdown.clone());
        match platform {
            Platform::Discord => {
                crate::discord::run(&self.config.discord, &self.ops, service, shutdown)
                    .await
                    .map_err(|err| err.to_string())
            }
            Platform::Slack => crate::slack::run(&self.config.slack, &self.ops, service, shutdown)
                .await
                .map_err(|err| err.to_string()),
            Platform::Terminal => Ok(()),
        }
    }
}

/// Waits for every platform's task; the first failure or panic, named by
/// its platform, cancels `shutdown` and is the result.
async fn supervise(
    mut tasks: JoinSet<Result<(), String>>,
    platforms: &HashMap<tokio::task::Id, Platform>,
    shutdown: &CancellationToken,
) -> Result<(), ServeError> {
    let mut result = Ok(());
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(err) => (err.id(), Err(format!("the task failed: {err}"))),
        };
        let Err(message) = outcome else { continue };
        let platform = platforms.get(&id).copied().unwrap_or(Platform::Terminal);
        let err = ServeError::Platform { platform, message };
        tracing::error!("{err}");
        shutdown.cancel();
        if result.is_ok() {
            result = Err(err);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_platform_is_named_and_stops_the_others() {
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut platforms = HashMap::new();
        let waiting = tasks.spawn({
            let shutdown = shutdown.clone();
            async move {
                shutdown.cancelled().await;
                Ok(())
            }
        });
        platforms.insert(waiting.id(), Platform::Discord);
        let panicking = tasks.spawn(async {
            tokio::task::yield_now().await;
            panic!("the Slack client broke")
        });
        platforms.insert(panicking.id(), Platform::Slack);

        let result = supervise(tasks, &platforms, &shutdown).await;

        match result {
            Err(ServeError::Platform { platform, message }) => {
                assert_eq!(platform, Platform::Slack);
                assert!(message.contains("panicked"), "{message}");
            }
            other => panic!("expected Slack's failure, got {other:?}"),
        }
        assert!(shutdown.is_cancelled());
    }
}
