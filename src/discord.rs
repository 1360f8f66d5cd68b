//! Discord: `/quiz`, `/leaderboard`, `/stats` and `/quiz-admin` on
//! poise/serenity.
//!
//! Serenity's gateway delivers interactions. Poise parses slash commands and
//! autocomplete and runs [`commands`]; button and select-menu clicks arrive in
//! [`on_event`] and go to [`components::route`], one match over
//! [`ComponentId`]. Both translate the interaction into [`crate::game::Game`]
//! calls and draw the result with [`render`]. Nothing about a quiz session
//! lives in this process: a custom id carries the session id and the
//! question's position, the store holds the rest, so a restarted bot (or
//! another replica) serves the buttons of an old card.

mod commands;
mod components;
mod daily;
mod render;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use poise::serenity_prelude as serenity;
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::config::DiscordSettings;
use crate::daily::scheduler::Scheduler;
use crate::game::GameError;
use crate::i18n::Texts;
use crate::identity::{ExternalId, Platform};
use crate::serve::Bot;
use crate::store::{Community, Player, StoreError};

pub use components::ComponentId;

/// What every handler shares.
pub struct Data {
    pub bot: Bot,
    pub texts: Texts,
    players: PlayerCache,
}

/// How long a daily tick in progress may take to finish at shutdown.
const DAILY_DRAIN: Duration = Duration::from_secs(5);
/// How long a player row read from the store is reused.
const PLAYER_CACHE_TTL: Duration = Duration::from_secs(60);
/// Past this many entries the cache starts over (a bound, not a policy).
const PLAYER_CACHE_MAX: usize = 50_000;

/// Players met recently, so a click does not upsert its community and
/// player before the answer's own transaction. The store stays the truth:
/// an entry lives [`PLAYER_CACHE_TTL`], and a changed display name goes to
/// the store at once.
#[derive(Default)]
struct PlayerCache {
    seen: Mutex<HashMap<(serenity::GuildId, serenity::UserId), (Player, Instant)>>,
}

impl PlayerCache {
    fn get(&self, caller: &Caller) -> Option<Player> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (player, at) = seen.get(&(caller.guild, caller.user))?;
        (at.elapsed() < PLAYER_CACHE_TTL && player.display_name == caller.name)
            .then(|| player.clone())
    }

    fn put(&self, caller: &Caller, player: &Player) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() >= PLAYER_CACHE_MAX {
            seen.clear();
        }
        seen.insert(
            (caller.guild, caller.user),
            (player.clone(), Instant::now()),
        );
    }
}

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
    /// A quiz step was refused (expired session, someone else's card…).
    #[error(transparent)]
    Game(GameError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("this interaction did not come from a server")]
    NotInServer,
    #[error("the interaction's options could not be read")]
    BadOptions,
    #[error("reloading the content failed to run: {0}")]
    Reload(String),
}

impl From<serenity::Error> for DiscordError {
    fn from(err: serenity::Error) -> Self {
        DiscordError::Api(Box::new(err))
    }
}

impl From<GameError> for DiscordError {
    fn from(err: GameError) -> Self {
        DiscordError::Game(err)
    }
}

impl DiscordError {
    /// What the user reads when their interaction failed: short, never a
    /// stack trace.
    fn user_message(&self, texts: Texts) -> String {
        match self {
            DiscordError::Game(err) => texts.game_error(err),
            DiscordError::Store(_) => texts.store_unavailable().into(),
            DiscordError::NotInServer => texts.server_only().into(),
            DiscordError::BadOptions => texts.bad_options().into(),
            DiscordError::NoToken
            | DiscordError::Api(_)
            | DiscordError::Register(_)
            | DiscordError::Reload(_) => texts.internal_error().into(),
        }
    }

    /// Whether the failure is the service's (logged as an error) rather
    /// than an ordinary refusal such as an expired session.
    fn is_internal(&self) -> bool {
        match self {
            DiscordError::Game(GameError::Store(_)) => true,
            DiscordError::Game(_) | DiscordError::NotInServer | DiscordError::BadOptions => false,
            _ => true,
        }
    }
}

/// Who sent an interaction, in store terms.
struct Caller {
    guild: serenity::GuildId,
    user: serenity::UserId,
    name: String,
}

impl Caller {
    fn new(
        guild: Option<serenity::GuildId>,
        member: Option<&serenity::Member>,
        user: &serenity::User,
    ) -> Result<Caller, DiscordError> {
        let guild = guild.ok_or(DiscordError::NotInServer)?;
        let name = member.map_or_else(|| user.display_name(), |m| m.display_name());
        Ok(Caller {
            guild,
            user: user.id,
            name: name.to_string(),
        })
    }

    async fn community(&self, bot: &Bot) -> Result<Community, StoreError> {
        bot.store
            .community(
                Platform::Discord,
                &guild_external_id(self.guild),
                bot.time_zone,
                bot.locale.code(),
            )
            .await
    }

    /// The caller's player row, created when new.
    async fn player(&self, data: &Data) -> Result<Player, StoreError> {
        if let Some(player) = data.players.get(self) {
            return Ok(player);
        }
        let bot = &data.bot;
        let community = self.community(bot).await?;
        let player = bot
            .store
            .player(&community, &user_external_id(self.user), &self.name)
            .await?;
        data.players.put(self, &player);
        Ok(player)
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
pub async fn run(
    settings: &DiscordSettings,
    bot: Bot,
    shutdown: CancellationToken,
) -> Result<(), DiscordError> {
    let token = settings.token.as_ref().ok_or(DiscordError::NoToken)?;
    let mut http = serenity::HttpBuilder::new(token.expose_secret());
    if let Some(base) = &settings.api_base {
        // With the ratelimiter on, serenity ignores the proxy.
        http = http.proxy(base.as_str()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let texts = bot.texts();
    let guild = settings.guild_id.map(serenity::GuildId::new);
    let (registered_tx, registered_rx) = tokio::sync::oneshot::channel();
    let (store, content, tick) = (bot.store.clone(), bot.content.clone(), bot.daily_tick);

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
                    Some(guild) => poise::builtins::register_in_guild(ctx, commands, guild).await,
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                let _ = registered_tx.send(result);
                Ok(Data {
                    bot,
                    texts,
                    players: PlayerCache::default(),
                })
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    // The daily question needs only REST, so it starts with the client.
    let channels = daily::DiscordChannels {
        http: Arc::clone(&client.http),
        texts,
    };
    let scheduler = Scheduler::new(Platform::Discord, store, content, channels);
    let stop_daily = shutdown.child_token();
    let mut daily = tokio::spawn({
        let stop = stop_daily.clone();
        async move { scheduler.run(Utc::now, tick, stop).await }
    });
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
        ended = client.start() => ended.map_err(DiscordError::from),
        Ok(Err(err)) = registered_rx => Err(DiscordError::Register(Box::new(err))),
    };
    if result.is_err() {
        shards.shutdown_all().await;
    }
    stopper.abort();
    // A tick in progress may finish, so a post Discord accepted is also
    // noted in the store.
    stop_daily.cancel();
    if tokio::time::timeout(DAILY_DRAIN, &mut daily).await.is_err() {
        tracing::warn!("the daily question's tick did not finish at shutdown");
        daily.abort();
    }
    result
}

/// Clicks on buttons and menus; everything else poise handles.
async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    data: &Data,
) -> Result<(), DiscordError> {
    if let serenity::FullEvent::InteractionCreate {
        interaction: serenity::Interaction::Component(interaction),
    } = event
    {
        components::route(ctx, data, interaction).await;
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
            other => tracing::error!("Discord: {other}"),
        }
        return;
    };
    let texts = ctx.data().texts;
    let message = match &error {
        FrameworkError::Command { error, .. } => {
            if error.is_internal() {
                tracing::error!(command = %ctx.command().qualified_name, "{error}");
            } else {
                tracing::debug!(command = %ctx.command().qualified_name, "refused: {error}");
            }
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
            texts.internal_error().into()
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

impl Texts {
    pub fn internal_error(&self) -> &'static str {
        self.pick(
            "처리하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Something went wrong. Please try again in a moment.",
        )
    }

    pub fn store_unavailable(&self) -> &'static str {
        self.pick(
            "지금은 기록을 읽거나 저장할 수 없습니다. 잠시 후 다시 시도해 주세요.",
            "Scores cannot be read or saved right now. Please try again in a moment.",
        )
    }

    pub fn server_only(&self) -> &'static str {
        self.pick(
            "서버 채널에서만 쓸 수 있습니다.",
            "This works in a server channel only.",
        )
    }

    pub fn bad_options(&self) -> &'static str {
        self.pick(
            "명령의 옵션을 읽지 못했습니다. 다시 입력해 주세요.",
            "The command's options could not be read. Please try again.",
        )
    }
}
