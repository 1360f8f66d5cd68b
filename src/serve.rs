//! `quizbot serve`: the bot on every configured platform, until shutdown.
//!
//! Discord runs when `DISCORD_TOKEN` is set, Slack when `SLACK_BOT_TOKEN` is
//! (with `SLACK_APP_TOKEN` for Socket Mode or `SLACK_SIGNING_SECRET` for HTTP
//! mode); both run together when both are. Each platform gets the same
//! [`Bot`] state and the same shutdown token.

use std::sync::Arc;

use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Locale};
use crate::content::SharedContent;
use crate::i18n::Texts;
use crate::store::Store;

/// What every platform handler shares.
#[derive(Debug, Clone)]
pub struct Bot {
    pub content: SharedContent,
    pub store: Store,
    pub locale: Locale,
    /// Time zone given to communities seen for the first time.
    pub time_zone: Tz,
    /// How often the daily question's scheduler ticks.
    pub daily_tick: std::time::Duration,
}

impl Bot {
    pub fn texts(&self) -> Texts {
        Texts::new(self.locale)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "no platform is configured: set DISCORD_TOKEN to run on Discord, or SLACK_BOT_TOKEN \
         with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) to run on Slack"
    )]
    NoPlatform,
    #[error("Discord: {0}")]
    Discord(String),
    #[error("Slack: {0}")]
    Slack(String),
}

/// Runs every configured platform until `shutdown` is cancelled or one of
/// them fails.
pub async fn run(config: Config, bot: Bot, shutdown: CancellationToken) -> Result<(), ServeError> {
    let config = Arc::new(config);
    let mut tasks = tokio::task::JoinSet::new();
    if config.discord.token.is_some() {
        let (config, bot, shutdown) = (Arc::clone(&config), bot.clone(), shutdown.clone());
        tasks.spawn(async move {
            crate::discord::run(&config.discord, bot, shutdown)
                .await
                .map_err(|err| ServeError::Discord(err.to_string()))
        });
    }
    if config.slack.bot_token.is_some() {
        let (config, bot, shutdown) = (Arc::clone(&config), bot.clone(), shutdown.clone());
        tasks.spawn(async move {
            crate::slack::run(&config.slack, &config.http_addr, bot, shutdown)
                .await
                .map_err(|err| ServeError::Slack(err.to_string()))
        });
    }
    if tasks.is_empty() {
        return Err(ServeError::NoPlatform);
    }
    let mut result = Ok(());
    while let Some(joined) = tasks.join_next().await {
        let outcome =
            joined.unwrap_or_else(|err| Err(ServeError::Discord(format!("task failed: {err}"))));
        if let Err(err) = outcome {
            tracing::error!("{err}");
            shutdown.cancel();
            if result.is_ok() {
                result = Err(err);
            }
        }
    }
    result
}
