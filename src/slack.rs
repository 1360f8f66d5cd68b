//! Slack: slash commands and Block Kit buttons on slack-morphism.
//!
//! Events arrive over Socket Mode (`SLACK_APP_TOKEN`, the default: no public
//! URL needed) or as signed HTTP requests (`SLACK_SIGNING_SECRET`, served on
//! `QUIZBOT_HTTP_ADDR`). Either way they reach one [`SlackApp`]: commands
//! ([`commands`]) are answered in their acknowledgement, clicks
//! ([`actions`]) through their `response_url`, and every message is built
//! in [`blocks`]. Beside them runs the daily question's scheduler, posting
//! and revealing through [`daily`]. Quiz rules stay in [`crate::game`] and
//! [`crate::daily`]; this module only translates. Web API calls go to
//! `SLACK_API_BASE` when it is set.
//!
//! The community is the Slack team id, a player the Slack user id.

pub mod actions;
pub mod blocks;
pub mod commands;
pub mod daily;
mod http;
pub mod signature;
mod socket;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::ExposeSecret;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::SlackSettings;
use crate::daily::scheduler::Scheduler;
use crate::game::GameError;
use crate::i18n::Texts;
use crate::identity::{ExternalId, Platform};
use crate::serve::Bot;
use crate::store::{Community, Player, StoreError};

pub use actions::ActionId;

/// How long a user's display name is trusted before users.info is asked again.
const NAME_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a daily tick in progress may take to finish at shutdown.
const DAILY_DRAIN: Duration = Duration::from_secs(5);

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
        source: Box<SlackClientError>,
    },
    #[error("the Slack Web API refused or failed: {0}")]
    Api(Box<SlackClientError>),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Game(#[from] GameError),
}

impl From<SlackClientError> for SlackError {
    fn from(err: SlackClientError) -> Self {
        SlackError::Api(Box::new(err))
    }
}

impl From<StoreError> for SlackError {
    fn from(err: StoreError) -> Self {
        SlackError::Game(GameError::Store(err))
    }
}

impl SlackError {
    /// Whether this is an ordinary refusal of a quiz step (an expired
    /// session, a closed daily question) rather than the service failing.
    pub fn is_refusal(&self) -> bool {
        matches!(self, SlackError::Game(err) if !matches!(err, GameError::Store(_)))
    }

    /// The Web API's error code (`channel_not_found`…), when Slack answered
    /// `{"ok": false}`.
    pub fn api_code(&self) -> Option<&str> {
        match self {
            SlackError::Api(err) => match err.as_ref() {
                SlackClientError::ApiError(api) => Some(api.code.as_str()),
                _ => None,
            },
            _ => None,
        }
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
        let serving = socket::serve(Arc::clone(&app), app_token, shutdown.clone());
        return with_daily(&app, &shutdown, serving).await;
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
    let serving = http::serve(listener, Arc::clone(&app), secret, shutdown.clone());
    with_daily(&app, &shutdown, serving).await
}

/// Runs `serving` with the daily question's scheduler beside it (one per
/// process; the store's leases make replicas safe). When serving ends, a
/// tick in progress may finish, so a post Slack accepted is also noted in
/// the store and not sent again after a restart.
async fn with_daily(
    app: &Arc<SlackApp>,
    shutdown: &CancellationToken,
    serving: impl Future<Output = Result<(), SlackError>>,
) -> Result<(), SlackError> {
    let scheduler = Scheduler::new(
        Platform::Slack,
        app.bot.store.clone(),
        app.bot.content.clone(),
        daily::SlackChannels::new(Arc::clone(app)),
    );
    let stop = shutdown.child_token();
    let tick = app.bot.daily_tick;
    let mut ticking = tokio::spawn({
        let stop = stop.clone();
        async move { scheduler.run(Utc::now, tick, stop).await }
    });
    let result = serving.await;
    stop.cancel();
    if tokio::time::timeout(DAILY_DRAIN, &mut ticking)
        .await
        .is_err()
    {
        tracing::warn!("the daily question's tick did not finish at shutdown");
        ticking.abort();
    }
    result
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
    // Each request leaves at once, not held back by Nagle's algorithm until
    // the previous segment is acknowledged.
    let mut tcp = HttpConnector::new();
    tcp.set_nodelay(true);
    tcp.enforce_http(false);
    let mut connector = SlackClientHyperConnector::with_connector(
        tls.enable_http1().enable_http2().wrap_connector(tcp),
    );
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
    /// message the click came from, or as a new ephemeral message (which
    /// leaves a public message, such as the daily post, as it is).
    pub async fn respond(
        &self,
        response_url: &SlackResponseUrl,
        content: SlackMessageContent,
        replace_original: bool,
    ) -> Result<(), SlackError> {
        let message = ResponseUrlMessage {
            content,
            replace_original,
            response_type: (!replace_original).then_some(SlackMessageResponseType::Ephemeral),
        };
        // slack-morphism's webhook request has no `response_type`, so the
        // message goes through its connector as the library's own
        // `respond_to_event` sends it: no token, the URL kept out of logs.
        let span = tracing::debug_span!("Slack response_url");
        let context = SlackClientApiCallContext {
            rate_control_params: Some(&POST_WEBHOOK_SPECIAL_LIMIT_RATE_CTL),
            token: None,
            tracing_span: &span,
            is_sensitive_url: true,
        };
        let _: SlackApiPostWebhookMessageResponse = self
            .client
            .http_api
            .connector
            .http_post_uri(response_url.value().clone(), &message, context)
            .await?;
        Ok(())
    }

    /// Posts a public message in `channel`; returns its timestamp, the id
    /// [`update_message`](Self::update_message) needs.
    pub async fn post_message(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<SlackTs, SlackError> {
        let request = post_request(channel, content);
        Ok(self.session().chat_post_message(&request).await?.ts)
    }

    /// Posts a reply in the thread of `parent`, also shown in the channel
    /// (`reply_broadcast`).
    pub async fn post_broadcast_reply(
        &self,
        channel: &str,
        parent: &SlackTs,
        content: SlackMessageContent,
    ) -> Result<SlackTs, SlackError> {
        let request = post_request(channel, content)
            .with_thread_ts(parent.clone())
            .with_reply_broadcast(true);
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

/// A message for a `response_url`, as Slack documents it.
#[derive(Debug, serde::Serialize)]
struct ResponseUrlMessage {
    #[serde(flatten)]
    content: SlackMessageContent,
    replace_original: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_type: Option<SlackMessageResponseType>,
}

/// chat.postMessage without link previews (question texts may name sites).
fn post_request(channel: &str, content: SlackMessageContent) -> SlackApiChatPostMessageRequest {
    SlackApiChatPostMessageRequest::new(SlackChannelId::new(channel.to_string()), content)
        .with_unfurl_links(false)
        .with_unfurl_media(false)
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
        self.pick(
            "사용법:\n\
             /quiz-admin reload — 문제 은행과 노트를 다시 읽습니다\n\
             /quiz-admin daily set HH:MM [#채널] [시간대] [주제,주제] [공개까지]\n\
             \u{a0}\u{a0}예: /quiz-admin daily set 09:00 #aws-study Asia/Seoul ec2,storage-databases 8h\n\
             \u{a0}\u{a0}채널을 비우면 이 채널, 시간대는 Asia/Seoul, 주제를 비우면 모든 주제, \
             정답 공개는 8h 뒤가 기본입니다. 순서는 자유이고 time= channel= tz= topics= reveal= 로 \
             써도 됩니다. 비공개 채널에는 먼저 봇을 초대하세요 (/invite @quizbot).\n\
             /quiz-admin daily off [#채널] — 채널을 비우면 워크스페이스 전체를 끕니다\n\
             /quiz-admin daily show — 설정과 전송 상태를 봅니다",
            "Usage:\n\
             /quiz-admin reload — re-read the question banks and notes\n\
             /quiz-admin daily set HH:MM [#channel] [time zone] [topic,topic] [reveal after]\n\
             \u{a0}\u{a0}e.g. /quiz-admin daily set 09:00 #aws-study Asia/Seoul ec2,storage-databases 8h\n\
             \u{a0}\u{a0}By default: this channel, Asia/Seoul, every topic, the answer revealed \
             8h after the post. Any order; time= channel= tz= topics= reveal= work too. \
             Invite the bot to a private channel first (/invite @quizbot).\n\
             /quiz-admin daily off [#channel] — without a channel, everywhere in the workspace\n\
             /quiz-admin daily show — the settings and delivery state",
        )
    }

    pub fn slack_unreadable_channel(&self, typed: &str) -> String {
        match self.locale {
            crate::config::Locale::Korean => format!(
                "채널 `{typed}` 을(를) 알아보지 못했습니다. #을 입력한 뒤 Slack이 보여 주는 채널을 \
                 골라 링크로 넣거나, 채널 ID(C0123ABCD)를 쓰세요."
            ),
            crate::config::Locale::English => format!(
                "Could not tell which channel `{typed}` is. After typing #, pick the channel \
                 Slack suggests so it becomes a link, or give the channel's id (C0123ABCD)."
            ),
        }
    }

    pub fn slack_daily_needs_channel(&self) -> &'static str {
        self.pick(
            "오늘의 문제는 채널에 올립니다. 채널에서 명령을 쓰거나 #채널을 넣어 주세요.",
            "The daily question goes to a channel: use the command in one, or name it (#channel).",
        )
    }

    pub fn slack_admin_check_failed(&self) -> &'static str {
        self.pick(
            "관리자 권한을 확인하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Could not check your admin rights. Please try again in a moment.",
        )
    }
}
