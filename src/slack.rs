//! Slack: slash commands and Block Kit buttons on slack-morphism.
//!
//! Events arrive over Socket Mode (`SLACK_APP_TOKEN`, the default: no public
//! URL needed) or as signed HTTP requests (`SLACK_SIGNING_SECRET`, served on
//! `QUIZBOT_HTTP_ADDR`). Either way they reach one [`SlackApp`]: commands
//! ([`commands`]) are answered in their acknowledgement, clicks
//! ([`actions`]) through their `response_url`, and every message is built
//! in [`blocks`]. Quiz rules stay in [`crate::game`]; this module only
//! translates. Web API calls go to `SLACK_API_BASE` when it is set.
//!
//! The community is the Slack team id, a player the Slack user id.

pub mod actions;
pub mod blocks;
pub mod commands;
mod http;
pub mod signature;
mod socket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use slack_morphism::prelude::*;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::SlackSettings;
use crate::game::GameError;
use crate::i18n::Texts;
use crate::serve::Bot;
use crate::store::{Community, ExternalId, Platform, Player, StoreError};

pub use actions::ActionId;

/// How long a user's display name is trusted before users.info is asked again.
const NAME_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error(
        "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor \
         SLACK_SIGNING_SECRET (HTTP mode) is"
    )]
    NoMode,
    #[error("SLACK_BOT_TOKEN is not set")]
    NoBotToken,
    #[error("cannot load the system's CA certificates for https: {0}")]
    Certificates(std::io::Error),
    #[error("Slack did not accept {token} ({method}): {source}")]
    Token {
        token: &'static str,
        method: &'static str,
        source: Box<slack_morphism::errors::SlackClientError>,
    },
    #[error("the Slack Web API refused or failed: {0}")]
    Api(Box<slack_morphism::errors::SlackClientError>),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Game(#[from] GameError),
}

impl From<slack_morphism::errors::SlackClientError> for SlackError {
    fn from(err: slack_morphism::errors::SlackClientError) -> Self {
        SlackError::Api(Box::new(err))
    }
}

impl From<StoreError> for SlackError {
    fn from(err: StoreError) -> Self {
        SlackError::Game(GameError::Store(err))
    }
}

/// The Slack Web API client, over https (or plain http for a loopback base).
pub type SlackHttpClient = SlackHyperClient;

/// Everything a Slack event handler needs.
pub struct SlackApp {
    pub(crate) bot: Bot,
    client: Arc<SlackHttpClient>,
    bot_token: SlackApiToken,
    /// `SLACK_ADMINS`: admins besides the workspace's admins and owners.
    admins: Vec<String>,
    /// Display names from users.info, so a click does not cost a call.
    names: Mutex<HashMap<String, (String, Instant)>>,
}

/// Runs the bot on Slack until `shutdown`: Socket Mode when
/// `SLACK_APP_TOKEN` is set, otherwise HTTP mode on `http_addr`.
pub async fn run(
    settings: &SlackSettings,
    http_addr: &str,
    bot: Bot,
    shutdown: CancellationToken,
) -> Result<(), SlackError> {
    if let Some(app_token) = &settings.app_token {
        let app = Arc::new(SlackApp::connect(settings, bot).await?);
        let app_token = SlackApiToken::new(app_token.expose_secret().into());
        return socket::serve(app, app_token, shutdown).await;
    }
    if settings.signing_secret.is_none() {
        return Err(SlackError::NoMode);
    }
    let listener = TcpListener::bind(http_addr)
        .await
        .map_err(|source| SlackError::Listen {
            addr: http_addr.to_string(),
            source,
        })?;
    serve_http(listener, settings, bot, shutdown).await
}

/// HTTP mode on an already bound listener: Slack's slash-command,
/// interactivity and events requests, each checked against
/// `SLACK_SIGNING_SECRET`, until `shutdown`.
pub async fn serve_http(
    listener: TcpListener,
    settings: &SlackSettings,
    bot: Bot,
    shutdown: CancellationToken,
) -> Result<(), SlackError> {
    let secret = settings.signing_secret.as_ref().ok_or(SlackError::NoMode)?;
    let secret = secret.expose_secret().to_string();
    let app = Arc::new(SlackApp::connect(settings, bot).await?);
    http::serve(listener, app, secret, shutdown).await
}

/// The Web API client for `api_base` (Slack's own when `None`).
pub fn client(api_base: Option<&str>) -> Result<SlackHttpClient, SlackError> {
    let tls = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(SlackError::Certificates)?;
    let tls = match api_base {
        Some(base) if base.starts_with("http://") => tls.https_or_http(),
        _ => tls.https_only(),
    };
    let mut connector =
        SlackClientHyperConnector::with_connector(tls.enable_http1().enable_http2().build());
    if let Some(base) = api_base {
        connector = connector.with_slack_api_url(base.trim_end_matches('/'));
    }
    Ok(SlackClient::new(connector))
}

impl SlackApp {
    /// Builds the client and checks the bot token with auth.test, so a
    /// wrong token fails at start, not at the first command.
    pub async fn connect(settings: &SlackSettings, bot: Bot) -> Result<SlackApp, SlackError> {
        let token = settings.bot_token.as_ref().ok_or(SlackError::NoBotToken)?;
        let bot_token = SlackApiToken::new(token.expose_secret().into());
        let client = Arc::new(client(settings.api_base.as_deref())?);
        let me = client
            .open_session(&bot_token)
            .auth_test()
            .await
            .map_err(|source| SlackError::Token {
                token: "SLACK_BOT_TOKEN",
                method: "auth.test",
                source: Box::new(source),
            })?;
        tracing::info!(team = %me.team_id, bot_user = %me.user_id, "connected to Slack");
        Ok(SlackApp {
            bot,
            client,
            bot_token,
            admins: settings.admins.clone(),
            names: Mutex::new(HashMap::new()),
        })
    }

    pub fn client(&self) -> &Arc<SlackHttpClient> {
        &self.client
    }

    fn session(&self) -> SlackClientSession<'_, SlackClientHyperHttpsConnector> {
        self.client.open_session(&self.bot_token)
    }

    /// The community (team) and player (user), created on first sight.
    pub async fn player(&self, team: &str, user: &str) -> Result<(Community, Player), StoreError> {
        let store = &self.bot.store;
        let community = store
            .community(
                Platform::Slack,
                &ExternalId::new(team),
                self.bot.time_zone,
                self.bot.locale.code(),
            )
            .await?;
        let user_id = ExternalId::new(user);
        let player = match self.display_name(user).await {
            Some(name) => store.player(&community, &user_id, &name).await?,
            // Slack did not answer: keep the name we have rather than
            // overwrite it with the bare id.
            None => match store.find_player(&community, &user_id).await? {
                Some(player) => player,
                None => store.player(&community, &user_id, user).await?,
            },
        };
        Ok((community, player))
    }

    /// The user's display name (falling back to the real name, then the
    /// handle), cached for a while.
    async fn display_name(&self, user: &str) -> Option<String> {
        if let Ok(names) = self.names.lock() {
            if let Some((name, at)) = names.get(user) {
                if at.elapsed() < NAME_TTL {
                    return Some(name.clone());
                }
            }
        }
        let info = match self.users_info(user).await {
            Ok(info) => info,
            Err(err) => {
                tracing::warn!(error = %err, user, "users.info failed");
                return None;
            }
        };
        let profile = info.profile.as_ref();
        let name = [
            profile.and_then(|p| p.display_name.clone()),
            profile.and_then(|p| p.real_name.clone()),
            info.real_name.clone(),
            info.name.clone(),
        ]
        .into_iter()
        .flatten()
        .map(|n| n.trim().to_string())
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| user.to_string());
        if let Ok(mut names) = self.names.lock() {
            names.insert(user.to_string(), (name.clone(), Instant::now()));
        }
        Some(name)
    }

    async fn users_info(&self, user: &str) -> Result<SlackUser, SlackError> {
        let request = SlackApiUsersInfoRequest::new(SlackUserId::new(user.to_string()));
        Ok(self.session().users_info(&request).await?.user)
    }

    /// Whether `user` may use admin commands: listed in `SLACK_ADMINS`, or
    /// a workspace admin or owner (asked fresh each time).
    pub async fn is_admin(&self, user: &str) -> Result<bool, SlackError> {
        if self.admins.iter().any(|a| a == user) {
            return Ok(true);
        }
        let flags = self.users_info(user).await?.flags;
        Ok([flags.is_admin, flags.is_owner, flags.is_primary_owner]
            .into_iter()
            .any(|flag| flag == Some(true)))
    }

    /// Sends `content` to an interaction's `response_url`: replacing the
    /// message the click came from, or as a new ephemeral message.
    pub async fn respond(
        &self,
        response_url: &SlackResponseUrl,
        content: SlackMessageContent,
        replace_original: bool,
    ) -> Result<(), SlackError> {
        let request =
            SlackApiPostWebhookMessageRequest::new(content).with_replace_original(replace_original);
        self.client.respond_to_event(response_url, &request).await?;
        Ok(())
    }

    /// Posts a public message in `channel`; returns its timestamp, the id
    /// [`update_message`](Self::update_message) needs.
    pub async fn post_message(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<SlackTs, SlackError> {
        let request =
            SlackApiChatPostMessageRequest::new(SlackChannelId::new(channel.to_string()), content)
                .with_unfurl_links(false)
                .with_unfurl_media(false);
        Ok(self.session().chat_post_message(&request).await?.ts)
    }

    /// Replaces a message the bot posted.
    pub async fn update_message(
        &self,
        channel: &str,
        ts: &SlackTs,
        content: SlackMessageContent,
    ) -> Result<(), SlackError> {
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId::new(channel.to_string()),
            content,
            ts.clone(),
        );
        self.session().chat_update(&request).await?;
        Ok(())
    }

    /// What a user reads when their request failed.
    pub(crate) fn error_text(&self, err: &SlackError) -> String {
        let texts = self.bot.texts();
        match err {
            SlackError::Game(err) => texts.game_error(err),
            _ => texts.slack_unavailable().to_string(),
        }
    }
}

/// Wording only Slack uses.
impl Texts {
    pub fn slack_submit_button(&self) -> &'static str {
        self.pick("제출", "Submit")
    }

    pub fn slack_summary_button(&self) -> &'static str {
        self.pick("결과 보기", "See summary")
    }

    pub fn slack_points(&self, points: i64) -> String {
        match self.locale {
            crate::config::Locale::Korean => format!("{points}점"),
            crate::config::Locale::English => format!("{points} points"),
        }
    }

    pub fn slack_unavailable(&self) -> &'static str {
        self.pick(
            "Slack에 응답하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Could not reach Slack. Please try again in a moment.",
        )
    }

    pub fn slack_unknown_command(&self) -> &'static str {
        self.pick(
            "모르는 명령입니다. /quiz, /leaderboard, /quiz-stats 를 써 보세요.",
            "Unknown command. Try /quiz, /leaderboard or /quiz-stats.",
        )
    }

    pub fn slack_topics(&self, topics: &[String]) -> String {
        let list = topics.join(", ");
        match self.locale {
            crate::config::Locale::Korean => format!("주제: {list}"),
            crate::config::Locale::English => format!("Topics: {list}"),
        }
    }

    pub fn slack_quiz_usage(&self, topics: &[String]) -> String {
        let usage = self.pick(
            "사용법: /quiz [주제] [문제 수]",
            "Usage: /quiz [topic] [count]",
        );
        format!("{usage}\n{}", self.slack_topics(topics))
    }

    pub fn slack_leaderboard_usage(&self) -> &'static str {
        self.pick(
            "사용법: /leaderboard [today|week|month|all] [주제]",
            "Usage: /leaderboard [today|week|month|all] [topic]",
        )
    }

    pub fn slack_stats_usage(&self) -> &'static str {
        self.pick(
            "사용법: /quiz-stats [@사용자]",
            "Usage: /quiz-stats [@user]",
        )
    }

    pub fn slack_admin_usage(&self) -> &'static str {
        self.pick("사용법: /quiz-admin reload", "Usage: /quiz-admin reload")
    }

    pub fn slack_admin_check_failed(&self) -> &'static str {
        self.pick(
            "관리자 권한을 확인하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Could not check your admin rights. Please try again in a moment.",
        )
    }
}
