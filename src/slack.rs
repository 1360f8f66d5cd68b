//! Slack: slash commands and Block Kit buttons on slack-morphism.
//!
//! Events arrive over Socket Mode (`SLACK_APP_TOKEN`, the default: no public
//! URL needed) or as signed HTTP requests (`SLACK_SIGNING_SECRET`, served on
//! `QUIZBOT_HTTP_ADDR`). Either way they reach one [`SlackApp`]: commands
//! ([`commands`]) are answered in their acknowledgement, clicks
//! ([`actions`]) through their `response_url`; each is carried out by the
//! [`Service`] and its view laid out in [`blocks`]. Beside them run the
//! daily question's scheduler, posting and revealing through [`daily`],
//! and the live rounds' quizmaster, through [`live`].
//! This module only translates. Web API calls go to `SLACK_API_BASE` when
//! it is set.
//!
//! The community is the Slack team id, a player the Slack user id.

pub mod actions;
pub mod blocks;
pub mod commands;
pub mod daily;
mod files;
mod http;
pub mod live;
mod socket;

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::ExposeSecret;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio_util::sync::CancellationToken;

use lru::LruCache;

use crate::config::SlackSettings;
use crate::hosting::Hosting;
use crate::i18n::Texts;
use crate::identity::{ExternalId, Identity, Platform};
use crate::ops::Ops;
use crate::service::{Caller, Service, ServiceError};

/// How long a user's display name is trusted before users.info is asked again.
const NAME_TTL: Duration = Duration::from_secs(15 * 60);
/// How many display names are remembered; the least recently used go first.
const NAMES_CACHED: usize = 20_000;
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
    #[error(transparent)]
    Service(ServiceError),
}

impl From<SlackClientError> for SlackError {
    fn from(err: SlackClientError) -> Self {
        SlackError::Api(Box::new(err))
    }
}

impl SlackError {
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
    pub(crate) service: Service,
    client: Arc<SlackHttpClient>,
    bot_token: SlackApiToken,
    /// `SLACK_ADMINS`: admins besides the workspace's admins and owners.
    admins: Vec<String>,
    /// Display names from users.info, so a click does not cost a call.
    names: Mutex<LruCache<String, (String, Instant)>>,
}

/// Runs the bot on Slack until `shutdown`: Socket Mode when
/// `SLACK_APP_TOKEN` is set, otherwise HTTP mode, its routes mounted on the
/// process's listener (`ops`). Readiness waits for the connection.
pub async fn run(
    settings: &SlackSettings,
    ops: &Ops,
    service: Service,
    shutdown: CancellationToken,
) -> Result<(), SlackError> {
    let link = ops.link(Platform::Slack);
    if let Some(app_token) = &settings.app_token {
        let app = Arc::new(SlackApp::connect(settings, service).await?);
        let app_token = SlackApiToken::new(app_token.expose_secret().into());
        let serving = socket::serve(Arc::clone(&app), app_token, &link, shutdown.clone());
        return with_daily(&app, &shutdown, serving).await;
    }
    ops.expect_slack();
    let app = mount_http(settings, ops, service).await?;
    link.set(true);
    let serving = async {
        shutdown.cancelled().await;
        Ok(())
    };
    with_daily(&app, &shutdown, serving).await
}

/// HTTP mode's app, its routes mounted on `ops`.
async fn mount_http(
    settings: &SlackSettings,
    ops: &Ops,
    service: Service,
) -> Result<Arc<SlackApp>, SlackError> {
    let secret = settings.signing_secret.as_ref().ok_or(SlackError::NoMode)?;
    let app = Arc::new(SlackApp::connect(settings, service).await?);
    ops.mount_slack(http::router(Arc::clone(&app), secret.expose_secret()));
    tracing::info!("Slack HTTP mode: requests are served under /slack/");
    Ok(app)
}

/// Runs `serving` with the daily question's scheduler and the live
/// rounds' quizmaster beside it (one each per process; the store's leases
/// make replicas safe). When serving ends, a tick or a live step in
/// progress may finish, so a post Slack accepted is also noted in the
/// store and not sent again after a restart.
async fn with_daily(
    app: &Arc<SlackApp>,
    shutdown: &CancellationToken,
    serving: impl Future<Output = Result<(), SlackError>>,
) -> Result<(), SlackError> {
    let hosting = Hosting::start(
        Platform::Slack,
        &app.service,
        daily::SlackChannels::new(Arc::clone(app)),
        live::SlackLive::new(Arc::clone(app)),
        shutdown,
    );
    let result = serving.await;
    hosting.stop().await;
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
    pub async fn connect(
        settings: &SlackSettings,
        service: Service,
    ) -> Result<SlackApp, SlackError> {
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
        let names = NonZeroUsize::new(NAMES_CACHED).unwrap_or(NonZeroUsize::MIN);
        Ok(SlackApp {
            service,
            client,
            bot_token,
            admins: settings.admins.clone(),
            names: Mutex::new(LruCache::new(names)),
        })
    }

    pub fn client(&self) -> &Arc<SlackHttpClient> {
        &self.client
    }

    fn session(&self) -> SlackClientSession<'_, SlackClientHyperHttpsConnector> {
        self.client.open_session(&self.bot_token)
    }

    /// Who clicked or typed: the team's member, named as Slack shows them.
    /// Admin rights are only asked for admin commands ([`Self::is_admin`]).
    pub(crate) async fn caller(&self, team: &str, user: &str) -> Caller {
        Caller {
            identity: identity(team, user),
            name: self.display_name(user).await,
            admin: false,
            language: None,
        }
    }

    /// The user's display name (falling back to the real name, then the
    /// handle), cached for a while. When Slack does not answer, the last
    /// name known stands, or the bare id.
    async fn display_name(&self, user: &str) -> String {
        let known = self.names().get(user).cloned();
        if let Some((name, at)) = &known {
            if at.elapsed() < NAME_TTL {
                return name.clone();
            }
        }
        let info = match self.users_info(user).await {
            Ok(info) => info,
            Err(err) => {
                tracing::warn!(error = %err, user, "users.info failed");
                return known.map_or_else(|| user.to_string(), |(name, _)| name);
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
        self.names()
            .put(user.to_string(), (name.clone(), Instant::now()));
        name
    }

    fn names(&self) -> std::sync::MutexGuard<'_, LruCache<String, (String, Instant)>> {
        self.names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn users_info(&self, user: &str) -> Result<SlackUser, SlackError> {
        let request = SlackApiUsersInfoRequest::new(SlackUserId::new(user.to_string()));
        Ok(self.session().users_info(&request).await?.user)
    }

    /// The words to answer `user` of `team` in: the team's language when
    /// the service knows it, else the bot's default.
    pub(crate) fn texts_for(&self, team: &str, user: &str) -> Texts {
        self.service.texts_of(&identity(team, user))
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
        respond_with(&self.client, response_url, content, replace_original).await
    }

    /// Sends a command's reply through its `response_url`, after the
    /// command was acknowledged without it: ephemeral, or in the channel
    /// for a public reply.
    pub async fn reply_later(
        &self,
        response_url: &SlackResponseUrl,
        reply: commands::Reply,
    ) -> Result<(), SlackError> {
        let kind = if reply.public {
            SlackMessageResponseType::InChannel
        } else {
            SlackMessageResponseType::Ephemeral
        };
        post_to_response_url(&self.client, response_url, reply.content, false, Some(kind)).await
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

    /// Logs a failed request once and words what the user reads: the
    /// service's refusal or apology, or that Slack could not be reached.
    pub(crate) fn error_text(&self, texts: Texts, err: &SlackError, request: &str) -> String {
        match err {
            SlackError::Service(err) => {
                err.log(request);
                err.user_message(texts)
            }
            err => {
                tracing::error!(error = %err, request, "Slack request failed");
                texts.platform_unavailable().to_string()
            }
        }
    }
}

/// The neutral identity of a Slack user in a team.
pub fn identity(team: &str, user: &str) -> Identity {
    Identity {
        platform: Platform::Slack,
        community: ExternalId::new(team),
        user: ExternalId::new(user),
    }
}

/// Sends `content` to a `response_url` with `client` (see
/// [`SlackApp::respond`]).
async fn respond_with(
    client: &SlackHttpClient,
    response_url: &SlackResponseUrl,
    content: SlackMessageContent,
    replace_original: bool,
) -> Result<(), SlackError> {
    let kind = (!replace_original).then_some(SlackMessageResponseType::Ephemeral);
    post_to_response_url(client, response_url, content, replace_original, kind).await
}

/// Posts `content` to a `response_url` as Slack documents it.
async fn post_to_response_url(
    client: &SlackHttpClient,
    response_url: &SlackResponseUrl,
    content: SlackMessageContent,
    replace_original: bool,
    response_type: Option<SlackMessageResponseType>,
) -> Result<(), SlackError> {
    let message = ResponseUrlMessage {
        content,
        replace_original,
        response_type,
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
    let _: SlackApiPostWebhookMessageResponse = client
        .http_api
        .connector
        .http_post_uri(response_url.value().clone(), &message, context)
        .await?;
    Ok(())
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
