//! Discord: `/quiz`, `/leaderboard`, `/stats`, `/quiz-live` and
//! `/quiz-admin` on poise/serenity.
//!
//! Serenity's gateway delivers interactions. Poise parses slash commands and
//! autocomplete and runs [`commands`]; button and select-menu clicks arrive in
//! [`on_event`] and go to [`components::route`], one match over
//! [`crate::action::Action`]. Both turn the interaction into a
//! [`crate::service::Service`] call and draw the view it returns with
//! [`render`]. Nothing about a quiz session
//! lives in this process: a custom id carries the session id and the
//! question's position, the store holds the rest, so a restarted bot (or
//! another replica) serves the buttons of an old card.

mod commands;
mod components;
mod daily;
mod interaction;
mod live;
mod render;

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::config::{DiscordSettings, Locale};
use crate::hosting::Hosting;
use crate::i18n::Texts;
use crate::identity::{ExternalId, Identity, Platform};
use crate::ops::{Link, Ops};
use crate::service::{Caller, Service, ServiceError};

/// What every handler shares.
pub struct Data {
    pub service: Service,
    pub texts: Texts,
}

/// Most characters of an unknown command's name that a log line keeps.
const LOGGED_NAME_MAX: usize = 32;

pub type Context<'a> = poise::Context<'a, Data, DiscordError>;
type Command = poise::Command<Data, DiscordError>;

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("DISCORD_TOKEN is not set")]
    NoToken,
    #[error("Discord API call failed: {0}")]
    Api(Box<serenity::Error>),
    #[error("registering the slash commands failed: {0}")]
    Register(Box<serenity::Error>),
    /// The service refused or failed; it says what the user reads.
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("this interaction did not come from a server")]
    NotInServer,
    #[error("the interaction's options could not be read")]
    BadOptions,
}

impl From<serenity::Error> for DiscordError {
    fn from(err: serenity::Error) -> Self {
        DiscordError::Api(Box::new(err))
    }
}

impl DiscordError {
    /// What the user reads when their interaction failed: short, never a
    /// stack trace.
    fn user_message(&self, texts: Texts) -> String {
        match self {
            DiscordError::Service(err) => err.user_message(texts),
            DiscordError::NotInServer => texts.server_only().into(),
            DiscordError::BadOptions => texts.bad_options().into(),
            DiscordError::NoToken | DiscordError::Api(_) | DiscordError::Register(_) => {
                texts.apology().into()
            }
        }
    }

    /// Logs the failure where it ends: refusals quietly, failures loudly.
    fn log(&self, request: &str) {
        match self {
            DiscordError::Service(err) => err.log(request),
            DiscordError::NotInServer | DiscordError::BadOptions => {
                tracing::debug!(request, "refused: {self}")
            }
            _ => tracing::error!(request, "{self}"),
        }
    }
}

/// Who sent an interaction, as the service knows callers: the server, the
/// user, the name shown, whether Discord resolved Manage Server (or
/// Administrator) for them in this channel, and the server's preferred
/// locale (`guild_locale`) when it is Korean or English.
fn caller(
    guild: Option<serenity::GuildId>,
    member: Option<&serenity::Member>,
    user: &serenity::User,
    guild_locale: Option<&str>,
) -> Result<Caller, DiscordError> {
    let guild = guild.ok_or(DiscordError::NotInServer)?;
    let name = member.map_or_else(|| user.display_name(), |m| m.display_name());
    let admin = member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator());
    Ok(Caller {
        identity: identity(guild, user.id),
        name: name.to_string(),
        admin,
        language: guild_locale.and_then(Locale::parse),
    })
}

/// The words to answer someone in: their server's language when the
/// service knows it, else the bot's default.
fn texts_for(data: &Data, guild: Option<serenity::GuildId>, user: &serenity::User) -> Texts {
    guild.map_or(data.texts, |guild| {
        data.service.texts_of(&identity(guild, user.id))
    })
}

fn identity(guild: serenity::GuildId, user: serenity::UserId) -> Identity {
    Identity {
        platform: Platform::Discord,
        community: guild_external_id(guild),
        user: user_external_id(user),
    }
}

/// The store's id for a Discord server.
pub fn guild_external_id(guild: serenity::GuildId) -> ExternalId {
    ExternalId::new(guild.get().to_string())
}

/// The store's id for a Discord user.
pub fn user_external_id(user: serenity::UserId) -> ExternalId {
    ExternalId::new(user.get().to_string())
}

/// No message of the bot pings anyone.
fn no_mentions() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new()
}

/// Runs the bot until `shutdown` is cancelled or the connection fails.
/// Runs shard `settings.shard` of the gateway; only shard 0 registers the
/// commands. Readiness (`ops`) follows the shard's connection.
pub async fn run(
    settings: &DiscordSettings,
    ops: &Ops,
    service: Service,
    shutdown: CancellationToken,
) -> Result<(), DiscordError> {
    let token = settings.token.as_ref().ok_or(DiscordError::NoToken)?;
    let mut http = serenity::HttpBuilder::new(token.expose_secret());
    if let Some(base) = &settings.api_base {
        // With the ratelimiter on, serenity ignores the proxy.
        http = http.proxy(base.as_str()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let texts = service.texts().on(Platform::Discord);
    let guild = settings.guild_id.map(serenity::GuildId::new);
    let (registered_tx, registered_rx) = tokio::sync::oneshot::channel();
    let hosted_service = service.clone();
    let tracked_service = service.clone();
    let shard = settings.shard;

    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(texts),
            on_error: |error| Box::pin(on_error(error)),
            event_handler: |ctx, event, _framework, data| Box::pin(on_event(ctx, event, data)),
            allowed_mentions: Some(no_mentions()),
            initialize_owners: false,
            require_cache_for_guild_check: false,
            ..Default::default()
        })
        // Poise runs this once per process, on the first Ready (not on
        // reconnects): registering the commands is a single request.
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                let result = match guild {
                    // One registration serves every shard.
                    _ if shard.id != 0 => Ok(()),
                    Some(guild) => poise::builtins::register_in_guild(ctx, commands, guild).await,
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                let _ = registered_tx.send(result);
                Ok(Data { service, texts })
            })
        })
        .build();

    let framework = Tracked {
        inner: framework,
        service: tracked_service,
        link: ops.link(Platform::Discord),
    };
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    // The daily question and the live rounds need only REST, so they
    // start with the client.
    let hosting = Hosting::start(
        Platform::Discord,
        &hosted_service,
        daily::DiscordChannels {
            http: Arc::clone(&client.http),
        },
        live::DiscordLive {
            http: Arc::clone(&client.http),
        },
        &shutdown,
    );
    let shards = client.shard_manager.clone();
    let stopper = tokio::spawn({
        let shards = shards.clone();
        let shutdown = shutdown.clone();
        async move {
            shutdown.cancelled().await;
            shards.shutdown_all().await;
        }
    });
    let result = tokio::select! {
        ended = client.start_shard(shard.id, shard.total) => ended.map_err(DiscordError::from),
        Ok(Err(err)) = registered_rx => Err(DiscordError::Register(Box::new(err))),
    };
    if result.is_err() {
        shards.shutdown_all().await;
    }
    stopper.abort();
    hosting.stop().await;
    result
}

/// Poise, with every interaction counted, timed and waited for at
/// shutdown, and the shard's connection followed for readiness.
struct Tracked {
    inner: poise::Framework<Data, DiscordError>,
    service: Service,
    link: Arc<Link>,
}

#[serenity::async_trait]
impl serenity::Framework for Tracked {
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        let kind = match &event {
            serenity::FullEvent::Ready { .. } => {
                self.link.set(true);
                None
            }
            serenity::FullEvent::ShardStageUpdate { event } => {
                self.link
                    .set(event.new == serenity::ConnectionStage::Connected);
                None
            }
            serenity::FullEvent::InteractionCreate { interaction } => Some(match interaction {
                serenity::Interaction::Command(_) => "command",
                serenity::Interaction::Component(_) => "component",
                serenity::Interaction::Modal(_) => "modal",
                serenity::Interaction::Autocomplete(_) => "autocomplete",
                _ => "other",
            }),
            _ => None,
        };
        let _handling = kind.map(|kind| self.service.handling(Platform::Discord, kind));
        self.inner.dispatch(ctx, event).await;
    }
}

/// Clicks on buttons and menus, and submitted forms; everything else poise
/// handles.
async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    data: &Data,
) -> Result<(), DiscordError> {
    if let serenity::FullEvent::InteractionCreate { interaction } = event {
        match interaction {
            serenity::Interaction::Component(interaction) => {
                components::route(ctx, data, interaction).await;
            }
            serenity::Interaction::Modal(interaction) => {
                components::submitted(ctx, data, interaction).await;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The one place command failures end: logged, and the user gets a short
/// private message.
async fn on_error(error: poise::FrameworkError<'_, Data, DiscordError>) {
    use poise::FrameworkError;
    let Some(ctx) = error.ctx() else {
        match &error {
            FrameworkError::Setup { error, .. } => tracing::error!("Discord setup failed: {error}"),
            FrameworkError::EventHandler { error, .. } => {
                tracing::error!("Discord event failed: {error}")
            }
            // A name no command of ours has (a stale registration, or a
            // forged payload): noted, cut short, never an error.
            FrameworkError::UnknownInteraction { interaction, .. } => {
                let name = crate::notes::truncate_chars(&interaction.data.name, LOGGED_NAME_MAX);
                tracing::warn!(command = %name, "an interaction for an unknown command");
            }
            other => tracing::error!("Discord: {other}"),
        }
        return;
    };
    let texts = texts_for(ctx.data(), ctx.guild_id(), ctx.author());
    let message = match &error {
        FrameworkError::Command { error, .. } => {
            error.log(&ctx.command().qualified_name);
            error.user_message(texts)
        }
        FrameworkError::GuildOnly { .. } => texts.server_only().into(),
        FrameworkError::ArgumentParse { error, .. } => {
            tracing::warn!("unreadable options: {error}");
            texts.bad_options().into()
        }
        FrameworkError::CommandStructureMismatch { description, .. } => {
            tracing::warn!("command structure mismatch: {description}");
            texts.bad_options().into()
        }
        other => {
            tracing::error!("Discord: {other}");
            texts.apology().into()
        }
    };
    let reply = poise::CreateReply::default()
        .content(crate::notes::truncate_chars(&message, render::CONTENT_MAX))
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    if let Err(err) = ctx.send(reply).await {
        tracing::warn!("could not tell the user about a failure: {err}");
    }
}
