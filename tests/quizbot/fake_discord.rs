//! A Discord on loopback, written from Discord's API documentation (v10):
//! the REST endpoints a bot calls under `/api/v10`, and a gateway websocket
//! (HELLO, IDENTIFY → READY, heartbeats and their ACKs, dispatches with
//! sequence numbers).
//!
//! Tests act as Discord's users: [`FakeDiscord::slash`] runs a slash
//! command, [`FakeDiscord::click`] and [`FakeDiscord::select`] use the
//! components of a message the bot sent. Each returns an [`Interaction`]
//! whose responses (the callback, follow-ups, edits) arrive in order, with
//! the time from sending the dispatch to receiving the callback. Like
//! Discord, the fake keeps the messages the bot created, rejects messages
//! over Discord's limits (400, code 50035) and a second acknowledgement of
//! one interaction (400, code 40060); it also notes every message sent
//! without `allowed_mentions` that disables all mentions.
//!
//! Messages with files come as Discord takes them: `multipart/form-data`
//! with the JSON body in a `payload_json` part and each file in a
//! `files[n]` part, described by the entry of the body's `attachments`
//! whose `id` is `n`. The fake keeps each file's bytes ([`Reply::files`])
//! and lists the files in the message's `attachments`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use quizbot::config::DiscordSettings;
use quizbot::discord::DiscordError;
use quizbot::service::Service;
use secrecy::SecretString;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for the bot before failing.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// How long Discord waits for an interaction's first response.
pub const INTERACTION_DEADLINE: Duration = Duration::from_secs(3);

/// Permission bits (Discord's "Permissions" table).
pub mod permissions {
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MEMBER: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS;
}

/// Interaction types and callback types (Discord's tables).
const PING: u64 = 1;
const APPLICATION_COMMAND: u64 = 2;
const MESSAGE_COMPONENT: u64 = 3;
const AUTOCOMPLETE: u64 = 4;
pub const CHANNEL_MESSAGE_WITH_SOURCE: u64 = 4;
pub const DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: u64 = 5;
pub const DEFERRED_UPDATE_MESSAGE: u64 = 6;
pub const UPDATE_MESSAGE: u64 = 7;
pub const AUTOCOMPLETE_RESULT: u64 = 8;
pub const MODAL: u64 = 9;
const MODAL_SUBMIT: u64 = 5;
/// Message flag: only the invoking user sees the message.
pub const EPHEMERAL: u64 = 1 << 6;

/// A member of the fake server.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    /// The server the member acts in; the fake's own when `None`.
    pub guild: Option<u64>,
    /// The server's preferred locale (`guild_locale`), as Discord sends it.
    pub guild_locale: &'static str,
}

impl Member {
    pub fn new(id: u64, name: &str) -> Member {
        Member {
            id,
            name: name.into(),
            permissions: permissions::MEMBER,
            guild: None,
            guild_locale: "ko",
        }
    }

    /// A member with Manage Server.
    pub fn admin(id: u64, name: &str) -> Member {
        Member {
            permissions: permissions::MEMBER | permissions::MANAGE_GUILD,
            ..Member::new(id, name)
        }
    }

    fn user_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.name.to_lowercase().replace(' ', "_"),
            "discriminator": "0",
            "global_name": self.name,
            "avatar": null,
        })
    }

    fn member_json(&self, with_permissions: bool) -> Value {
        let mut member = json!({
            "user": self.user_json(),
            "nick": null,
            "avatar": null,
            "roles": [],
            "joined_at": "2024-03-01T09:00:00.000000+00:00",
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
        });
        if with_permissions {
            member["permissions"] = json!(self.permissions.to_string());
        }
        member
    }
}

/// One response of the bot to an interaction.
#[derive(Debug, Clone)]
pub struct Reply {
    pub kind: ReplyKind,
    /// The callback's `data`, or the webhook request's body.
    pub data: Value,
    /// The message as Discord now shows it, when the reply created or
    /// changed one.
    pub message: Option<Value>,
    /// Dispatch sent → callback received, for the first callback.
    pub latency: Option<Duration>,
    /// What the fake answered over HTTP.
    pub status: u16,
    /// The files sent with the reply.
    pub files: Vec<Upload>,
}

/// A file sent with a message: a `files[n]` part.
#[derive(Debug, Clone)]
pub struct Upload {
    /// `n` of `files[n]`.
    pub index: u64,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// `POST /interactions/{id}/{token}/callback` with this callback type.
    Callback(u64),
    /// `POST /webhooks/{app}/{token}`.
    Followup,
    /// `PATCH /webhooks/{app}/{token}/messages/@original`.
    EditOriginal,
}

impl Reply {
    pub fn is_ephemeral(&self) -> bool {
        self.data["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0
    }

    /// Everything a user reads in the reply: content, embed titles,
    /// descriptions, field names and values, footers.
    pub fn text(&self) -> String {
        message_text(&self.data)
    }

    pub fn embeds(&self) -> Vec<Value> {
        self.data["embeds"].as_array().cloned().unwrap_or_default()
    }

    /// Every custom id of the reply's components.
    pub fn custom_ids(&self) -> Vec<String> {
        custom_ids(&self.data)
    }

    pub fn components(&self) -> Vec<Value> {
        components_of(&self.data)
    }

    /// The message, which a test needs to click on its components.
    pub fn message(&self) -> Value {
        self.message
            .clone()
            .unwrap_or_else(|| panic!("the reply changed no message: {:?}", self.data))
    }
}

/// What a user reads in a message body.
pub fn message_text(data: &Value) -> String {
    let mut text = String::new();
    let mut push = |value: &Value| {
        if let Some(s) = value.as_str() {
            text.push_str(s);
            text.push('\n');
        }
    };
    push(&data["content"]);
    for embed in data["embeds"].as_array().into_iter().flatten() {
        push(&embed["title"]);
        push(&embed["description"]);
        for field in embed["fields"].as_array().into_iter().flatten() {
            push(&field["name"]);
            push(&field["value"]);
        }
        push(&embed["footer"]["text"]);
    }
    text
}

/// Every custom id of a message's components.
pub fn custom_ids(data: &Value) -> Vec<String> {
    components_of(data)
        .iter()
        .filter_map(|c| c["custom_id"].as_str().map(String::from))
        .collect()
}

fn components_of(data: &Value) -> Vec<Value> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// An interaction sent to the bot; its replies arrive in order.
pub struct Interaction {
    pub id: u64,
    pub token: String,
    payload: Value,
    replies: mpsc::UnboundedReceiver<Reply>,
}

impl Interaction {
    /// The next reply, or a panic naming what was waited for.
    pub async fn reply(&mut self) -> Reply {
        match tokio::time::timeout(PATIENCE, self.replies.recv()).await {
            Ok(Some(reply)) => reply,
            _ => panic!(
                "the bot did not answer interaction {} within {PATIENCE:?}: {}",
                self.id, self.payload["data"]
            ),
        }
    }

    /// Waits until the interaction has been answered with something users
    /// see (skipping a deferral), and returns that.
    pub async fn visible_reply(&mut self) -> Reply {
        loop {
            let reply = self.reply().await;
            if !matches!(
                reply.kind,
                ReplyKind::Callback(DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE)
                    | ReplyKind::Callback(DEFERRED_UPDATE_MESSAGE)
            ) {
                return reply;
            }
        }
    }

    /// Whether a reply arrives within `wait`.
    pub async fn no_reply_within(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.replies.recv())
            .await
            .is_err()
    }
}

/// A registered set of commands: `PUT /applications/{app}[/guilds/{guild}]/commands`.
#[derive(Debug, Clone)]
pub struct Registration {
    pub guild_id: Option<u64>,
    pub commands: Vec<Value>,
}

/// An HTTP request the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// What was dispatched to the bot and where its replies go.
struct Pending {
    id: u64,
    sent_at: Option<Instant>,
    acknowledged: bool,
    channel_id: u64,
    /// The message a component sits on, or the reply a command created.
    message_id: Option<u64>,
    replies: mpsc::UnboundedSender<Reply>,
}

enum Outgoing {
    Dispatch {
        event: &'static str,
        data: Value,
        token: Option<String>,
    },
}

/// A connected gateway session: the shard it identified as, of how many.
struct Session {
    shard: u64,
    shards: u64,
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

struct State {
    port: u16,
    token: String,
    application_id: u64,
    bot_user_id: u64,
    guild_id: u64,
    channel_id: u64,
    ids: AtomicU64,
    sequence: AtomicU64,
    /// The connected gateway sessions, one per shard id: a second IDENTIFY
    /// for a shard replaces the first.
    gateway: Mutex<Vec<Session>>,
    /// READY events sent so far.
    sessions: watch::Sender<u64>,
    pending: Mutex<HashMap<String, Pending>>,
    messages: Mutex<HashMap<u64, Value>>,
    members: Mutex<HashMap<u64, Member>>,
    registrations: watch::Sender<Vec<Registration>>,
    calls: Mutex<Vec<Call>>,
    problems: Mutex<Vec<String>>,
    /// Channels that refuse the bot's messages: the status and Discord's
    /// error code and message.
    closed_channels: Mutex<HashMap<u64, (StatusCode, u64, &'static str)>>,
    /// Nonces of created messages, per channel: with `enforce_nonce`, a
    /// second message with the same nonce returns the first.
    nonces: Mutex<HashMap<(u64, String), u64>>,
}

impl State {
    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    fn problem(&self, text: String) {
        lock(&self.problems).push(text);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bot started by [`FakeDiscord::run_bot`]: cancel the token to stop it.
pub type RunningBot = (CancellationToken, JoinHandle<Result<(), DiscordError>>);

/// The fake: a loopback server, REST and gateway on one port.
pub struct FakeDiscord {
    /// Where the bot sends REST calls (`DISCORD_API_BASE`).
    pub base: String,
    pub token: String,
    pub application_id: u64,
    pub guild_id: u64,
    pub channel_id: u64,
    state: Arc<State>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Discord");
        let port = listener.local_addr().expect("local address").port();
        let token = format!("fake.{}.token", fastrand::u32(..));
        let state = Arc::new(State {
            port,
            token: token.clone(),
            application_id: 1_100_000_000_000_000_001,
            bot_user_id: 1_100_000_000_000_000_001,
            guild_id: 1_200_000_000_000_000_002,
            channel_id: 1_200_000_000_000_000_003,
            ids: AtomicU64::new(1_300_000_000_000_000_000),
            sequence: AtomicU64::new(0),
            gateway: Mutex::new(Vec::new()),
            sessions: watch::channel(0).0,
            pending: Mutex::new(HashMap::new()),
            messages: Mutex::new(HashMap::new()),
            members: Mutex::new(HashMap::new()),
            registrations: watch::channel(Vec::new()).0,
            calls: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            closed_channels: Mutex::new(HashMap::new()),
            nonces: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/", get(gateway))
            .fallback(rest)
            .with_state(Arc::clone(&state));
        // Send each write at once, as a real server does: with Nagle's
        // algorithm a dispatch sent right after another would wait for the
        // bot's delayed ACK (40 ms on Linux), a stall that is the fake's.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeDiscord {
            base: format!("http://127.0.0.1:{port}"),
            token,
            application_id: state.application_id,
            guild_id: state.guild_id,
            channel_id: state.channel_id,
            state,
            server,
        }
    }

    /// Waits until the bot has identified `count` times in all.
    pub async fn wait_sessions(&self, count: u64) {
        let mut sessions = self.state.sessions.subscribe();
        let waited = tokio::time::timeout(PATIENCE, sessions.wait_for(|n| *n >= count)).await;
        assert!(
            matches!(waited, Ok(Ok(_))),
            "the bot did not connect to the gateway ({count} sessions expected)"
        );
    }

    /// Waits for the bot's `count`-th command registration and returns it.
    pub async fn wait_registration(&self, count: usize) -> Registration {
        let mut registrations = self.state.registrations.subscribe();
        let waited =
            tokio::time::timeout(PATIENCE, registrations.wait_for(|r| r.len() >= count)).await;
        match waited {
            Ok(Ok(registrations)) => registrations[count - 1].clone(),
            _ => panic!("the bot did not register its commands"),
        }
    }

    /// Runs the bot against this fake as `quizbot serve` does, with
    /// `service`, and waits until it has connected and registered its
    /// commands for the `starts`-th time against this fake.
    pub async fn run_bot(&self, service: Service, starts: u64) -> RunningBot {
        self.run_bot_on(&tokio::runtime::Handle::current(), service, starts)
            .await
    }

    /// [`FakeDiscord::run_bot`] with the bot on `runtime`'s threads, apart
    /// from this fake's (a bench measures the bot's own time so).
    pub async fn run_bot_on(
        &self,
        runtime: &tokio::runtime::Handle,
        service: Service,
        starts: u64,
    ) -> RunningBot {
        let settings = DiscordSettings {
            token: Some(SecretString::from(self.token.clone())),
            guild_id: Some(self.guild_id),
            api_base: Some(self.base.clone()),
            ..Default::default()
        };
        let shutdown = CancellationToken::new();
        let task = runtime.spawn({
            let shutdown = shutdown.clone();
            async move {
                let ops = quizbot::ops::Ops::new(service.clone());
                quizbot::discord::run(&settings, &ops, service, shutdown).await
            }
        });
        self.wait_sessions(starts).await;
        self.wait_registration(starts as usize).await;
        (shutdown, task)
    }

    pub fn calls(&self) -> Vec<Call> {
        lock(&self.state.calls).clone()
    }

    /// Messages that broke a rule the tests hold the bot to.
    pub fn problems(&self) -> Vec<String> {
        lock(&self.state.problems).clone()
    }

    pub fn message(&self, id: u64) -> Option<Value> {
        lock(&self.state.messages).get(&id).cloned()
    }

    /// The messages the bot created in `channel` (not interaction replies),
    /// oldest first.
    pub fn channel_messages(&self, channel: u64) -> Vec<Value> {
        let mut messages: Vec<(u64, Value)> = lock(&self.state.messages)
            .iter()
            .filter(|(_, m)| {
                m["channel_id"].as_str() == Some(channel.to_string().as_str())
                    && m["webhook_id"].is_null()
            })
            .map(|(id, m)| (*id, m.clone()))
            .collect();
        messages.sort_by_key(|(id, _)| *id);
        messages.into_iter().map(|(_, m)| m).collect()
    }

    /// Waits until the bot has created `count` messages in `channel`.
    pub async fn wait_channel_messages(&self, channel: u64, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let messages = self.channel_messages(channel);
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} messages in channel {channel}, got {messages:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// From now on, messages to `channel` fail as Discord fails them when
    /// the bot lacks permission (`forbidden`) or the channel was deleted.
    pub fn close_channel(&self, channel: u64, forbidden: bool) {
        let refusal = if forbidden {
            (StatusCode::FORBIDDEN, 50013, "Missing Permissions")
        } else {
            (StatusCode::NOT_FOUND, 10003, "Unknown Channel")
        };
        lock(&self.state.closed_channels).insert(channel, refusal);
    }

    fn remember(&self, member: &Member) {
        lock(&self.state.members).insert(member.id, member.clone());
    }

    /// `member` runs `/name` with `options` (Discord's option objects).
    pub fn slash(&self, member: &Member, name: &str, options: Value) -> Interaction {
        self.remember(member);
        let mut data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "guild_id": member.guild.unwrap_or(self.guild_id).to_string(),
            "options": options,
        });
        if let Some(resolved) = self.resolved(&data["options"]) {
            data["resolved"] = resolved;
        }
        self.send_interaction(member, APPLICATION_COMMAND, data, None)
    }

    /// `member` types into an autocompleted option of `/name`.
    pub fn autocomplete(&self, member: &Member, name: &str, options: Value) -> Interaction {
        self.remember(member);
        let data = json!({
            "id": self.command_id(name).to_string(),
            "name": name,
            "type": 1,
            "guild_id": member.guild.unwrap_or(self.guild_id).to_string(),
            "options": options,
        });
        self.send_interaction(member, AUTOCOMPLETE, data, None)
    }

    /// `member` clicks the button `custom_id` on `message`.
    pub fn click(&self, member: &Member, message: &Value, custom_id: &str) -> Interaction {
        self.remember(member);
        let component = find_component(message, custom_id);
        assert_eq!(
            component["type"], 2,
            "`{custom_id}` is not a button: {component}"
        );
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        self.send_interaction(member, MESSAGE_COMPONENT, data, Some(message))
    }

    /// `member` picks `values` in the string select menu `custom_id`.
    pub fn select(
        &self,
        member: &Member,
        message: &Value,
        custom_id: &str,
        values: &[&str],
    ) -> Interaction {
        self.remember(member);
        let component = find_component(message, custom_id);
        assert_eq!(
            component["type"], 3,
            "`{custom_id}` is not a string select: {component}"
        );
        let data = json!({ "custom_id": custom_id, "component_type": 3, "values": values });
        self.send_interaction(member, MESSAGE_COMPONENT, data, Some(message))
    }

    /// `member` submits the modal `modal` (the bot's callback data) with
    /// `values` typed into its text inputs, by custom id.
    pub fn submit_modal(
        &self,
        member: &Member,
        modal: &Value,
        values: &[(&str, &str)],
    ) -> Interaction {
        self.remember(member);
        let rows: Vec<Value> = components_of(modal)
            .iter()
            .filter(|c| c["type"] == 4)
            .map(|input| {
                let id = input["custom_id"].as_str().unwrap_or_default();
                let value = values
                    .iter()
                    .find(|(k, _)| *k == id)
                    .map_or("", |(_, v)| *v);
                json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] })
            })
            .collect();
        let data = json!({ "custom_id": modal["custom_id"], "components": rows });
        self.send_interaction(member, MODAL_SUBMIT, data, None)
    }

    /// Delivers the same interaction again (same id and token), as the
    /// gateway may after a reconnect.
    pub fn redeliver(&self, interaction: &Interaction) {
        if let Some(pending) = lock(&self.state.pending).get_mut(&interaction.token) {
            pending.sent_at = None;
        }
        let guild = interaction.payload["guild_id"]
            .as_str()
            .and_then(|g| g.parse().ok())
            .unwrap_or(self.guild_id);
        self.dispatch_to(
            guild,
            "INTERACTION_CREATE",
            interaction.payload.clone(),
            Some(interaction.token.clone()),
        );
    }

    fn command_id(&self, name: &str) -> u64 {
        let registrations = self.state.registrations.borrow();
        registrations
            .last()
            .and_then(|r| r.commands.iter().find(|c| c["name"] == name))
            .and_then(|c| c["id"].as_str()?.parse().ok())
            .unwrap_or(1)
    }

    /// `resolved.users` and `.members` for user options, `.channels` for
    /// channel options, as Discord sends them.
    fn resolved(&self, options: &Value) -> Option<Value> {
        let members = lock(&self.state.members);
        let mut users = serde_json::Map::new();
        let mut partials = serde_json::Map::new();
        let mut channels = serde_json::Map::new();
        for option in leaf_options(options) {
            let id: Option<u64> = option["value"].as_str().and_then(|v| v.parse().ok());
            match (option["type"].as_u64(), id) {
                (Some(6), Some(id)) => {
                    let member = members
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| Member::new(id, "someone"));
                    users.insert(id.to_string(), member.user_json());
                    let mut partial = member.member_json(true);
                    if let Some(map) = partial.as_object_mut() {
                        map.remove("user");
                    }
                    partials.insert(id.to_string(), partial);
                }
                (Some(7), Some(id)) => {
                    channels.insert(
                        id.to_string(),
                        json!({
                            "id": id.to_string(), "type": 0, "name": format!("channel-{id}"),
                            "permissions": permissions::MEMBER.to_string(),
                        }),
                    );
                }
                _ => {}
            }
        }
        let mut resolved = serde_json::Map::new();
        if !users.is_empty() {
            resolved.insert("users".into(), users.into());
            resolved.insert("members".into(), partials.into());
        }
        if !channels.is_empty() {
            resolved.insert("channels".into(), channels.into());
        }
        (!resolved.is_empty()).then(|| resolved.into())
    }

    fn send_interaction(
        &self,
        member: &Member,
        kind: u64,
        data: Value,
        message: Option<&Value>,
    ) -> Interaction {
        let state = &self.state;
        let id = state.next_id();
        let token = format!("itoken-{id}-{}", fastrand::u64(..));
        let guild = member.guild.unwrap_or(state.guild_id).to_string();
        let mut payload = json!({
            "id": id.to_string(),
            "application_id": state.application_id.to_string(),
            "type": kind,
            "data": data,
            "guild": { "id": guild, "locale": member.guild_locale, "features": [] },
            "guild_id": guild,
            "channel": { "id": state.channel_id.to_string(), "type": 0, "name": "study", "guild_id": guild },
            "channel_id": state.channel_id.to_string(),
            "member": member.member_json(true),
            "token": token,
            "version": 1,
            "app_permissions": permissions::MEMBER.to_string(),
            "locale": "ko",
            "guild_locale": member.guild_locale,
            "entitlements": [],
            "authorizing_integration_owners": { "0": guild },
            "context": 0,
            "attachment_size_limit": 26_214_400,
        });
        let message_id = message.and_then(|m| m["id"].as_str()?.parse().ok());
        if let Some(message) = message {
            payload["message"] = message.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&state.pending).insert(
            token.clone(),
            Pending {
                id,
                sent_at: None,
                acknowledged: false,
                channel_id: state.channel_id,
                message_id,
                replies: tx,
            },
        );
        let guild = member.guild.unwrap_or(state.guild_id);
        self.dispatch_to(
            guild,
            "INTERACTION_CREATE",
            payload.clone(),
            Some(token.clone()),
        );
        Interaction {
            id,
            token,
            payload,
            replies: rx,
        }
    }

    /// Sends a server's event to the session of the shard Discord routes
    /// that server to: `(guild_id >> 22) % shards`.
    fn dispatch_to(&self, guild: u64, event: &'static str, data: Value, token: Option<String>) {
        let outgoing = lock(&self.state.gateway)
            .iter()
            .find(|s| s.shard == shard_of(guild, s.shards))
            .map(|s| s.outgoing.clone());
        let sent =
            outgoing.is_some_and(|g| g.send(Outgoing::Dispatch { event, data, token }).is_ok());
        assert!(
            sent,
            "no bot is connected to the gateway for server {guild}"
        );
    }

    /// `member` runs `/quiz topic:<topic> count:1`: the question card,
    /// checked to be one.
    pub async fn quiz_one(&self, member: &Member, topic: &str) -> Reply {
        let mut quiz = self.slash(
            member,
            "quiz",
            json!([
                { "name": "topic", "type": 3, "value": topic },
                { "name": "count", "type": 4, "value": 1 },
            ]),
        );
        let card = quiz.reply().await;
        assert!(
            card.custom_ids().iter().any(|id| id.starts_with("q:")),
            "a question card: {:?}",
            card.data
        );
        card
    }

    /// Answers a question card with its first choice (the first two on a
    /// choose-two card), whichever is right.
    pub fn answer_first_choice(&self, member: &Member, card: &Reply) -> Interaction {
        let ids = card.custom_ids();
        let message = card.message();
        if let Some(pick) = ids.iter().find(|id| id.ends_with(":pick")) {
            return self.select(member, &message, pick, &["0", "1"]);
        }
        let button = ids
            .iter()
            .find(|id| id.starts_with("q:") && id.ends_with(":0"))
            .unwrap_or_else(|| panic!("no first-choice button: {ids:?}"));
        self.click(member, &message, button)
    }

    /// A server id (not the fake's own) that Discord routes to `shard` of
    /// `shards`.
    pub fn guild_on_shard(&self, shard: u64, shards: u64) -> u64 {
        (1..)
            .map(|n| self.guild_id + (n << 22))
            .find(|&guild| shard_of(guild, shards) == shard)
            .unwrap_or(self.guild_id)
    }

    /// The gateway sessions connected now, as (shard, shards).
    pub fn shards(&self) -> Vec<(u64, u64)> {
        lock(&self.state.gateway)
            .iter()
            .map(|s| (s.shard, s.shards))
            .collect()
    }
}

/// Prints the messages the fake rejected or found unsafe, if any, and
/// returns them (benches).
pub fn print_problems(fake: &FakeDiscord) -> Vec<String> {
    let problems = fake.problems();
    if !problems.is_empty() {
        println!("rejected or unsafe messages: {problems:?}");
    }
    problems
}

/// The shard Discord sends a server's events to.
pub fn shard_of(guild: u64, shards: u64) -> u64 {
    (guild >> 22) % shards.max(1)
}

impl FakeDiscord {}

/// Options with values, inside subcommands and subcommand groups too.
fn leaf_options(options: &Value) -> Vec<Value> {
    let mut leaves = Vec::new();
    for option in options.as_array().into_iter().flatten() {
        match option["type"].as_u64() {
            Some(1) | Some(2) => leaves.extend(leaf_options(&option["options"])),
            _ => leaves.push(option.clone()),
        }
    }
    leaves
}

fn find_component(message: &Value, custom_id: &str) -> Value {
    components_of(message)
        .into_iter()
        .find(|c| c["custom_id"] == custom_id)
        .unwrap_or_else(|| {
            panic!(
                "no component `{custom_id}` on the message: {}",
                message["components"]
            )
        })
}

// ---------------------------------------------------------------- gateway

/// Gateway opcodes.
const DISPATCH: u64 = 0;
const HEARTBEAT: u64 = 1;
const IDENTIFY: u64 = 2;
const RESUME: u64 = 6;
const INVALID_SESSION: u64 = 9;
const HELLO: u64 = 10;
const HEARTBEAT_ACK: u64 = 11;

async fn gateway(
    AxumState(state): AxumState<Arc<State>>,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    upgrade.on_upgrade(move |socket| gateway_session(state, socket))
}

async fn gateway_session(state: Arc<State>, mut socket: WebSocket) {
    let hello = json!({ "op": HELLO, "d": { "heartbeat_interval": 41_250 }, "s": null, "t": null });
    if send_json(&mut socket, &hello).await.is_err() {
        return;
    }
    let (tx, mut outgoing) = mpsc::unbounded_channel();
    loop {
        tokio::select! {
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { break };
                let text = match frame {
                    WsMessage::Text(text) => text.to_string(),
                    WsMessage::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    WsMessage::Close(_) => break,
                    _ => continue,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else {
                    state.problem(format!("the bot sent a gateway frame that is not JSON: {text}"));
                    continue;
                };
                match payload["op"].as_u64() {
                    Some(HEARTBEAT) => {
                        let ack = json!({ "op": HEARTBEAT_ACK, "d": null, "s": null, "t": null });
                        if send_json(&mut socket, &ack).await.is_err() { break }
                    }
                    Some(IDENTIFY) => {
                        let sent = payload["d"]["token"].as_str().unwrap_or("");
                        if sent.trim_start_matches("Bot ") != state.token {
                            let _ = socket.send(WsMessage::Close(Some(axum::extract::ws::CloseFrame {
                                code: 4004,
                                reason: "Authentication failed.".into(),
                            }))).await;
                            break;
                        }
                        let shard = payload["d"]["shard"].as_array().map_or((0, 1), |s| {
                            (s.first().and_then(Value::as_u64).unwrap_or(0), s.get(1).and_then(Value::as_u64).unwrap_or(1))
                        });
                        {
                            let mut sessions = lock(&state.gateway);
                            sessions.retain(|s| s.shard != shard.0);
                            sessions.push(Session { shard: shard.0, shards: shard.1, outgoing: tx.clone() });
                        }
                        let session = *state.sessions.borrow() + 1;
                        let ready = json!({
                            "v": 10,
                            "user": {
                                "id": state.bot_user_id.to_string(), "username": "quizbot",
                                "discriminator": "0", "global_name": null, "avatar": null,
                                "bot": true, "verified": true, "mfa_enabled": false, "flags": 0,
                            },
                            "guilds": [],
                            "session_id": format!("fake-session-{session}"),
                            "resume_gateway_url": format!("ws://127.0.0.1:{}", state.port),
                            "shard": [shard.0, shard.1],
                            "application": { "id": state.application_id.to_string(), "flags": 0 },
                        });
                        if send_dispatch(&state, &mut socket, "READY", ready, None).await.is_err() { break }
                        state.sessions.send_modify(|n| *n += 1);
                    }
                    Some(RESUME) => {
                        // This fake keeps no sessions to resume: start over.
                        let invalid = json!({ "op": INVALID_SESSION, "d": false, "s": null, "t": null });
                        if send_json(&mut socket, &invalid).await.is_err() { break }
                    }
                    _ => {}
                }
            }
            Some(Outgoing::Dispatch { event, data, token }) = outgoing.recv() => {
                if send_dispatch(&state, &mut socket, event, data, token).await.is_err() { break }
            }
        }
    }
    lock(&state.gateway).retain(|s| !s.outgoing.same_channel(&tx));
}

async fn send_json(socket: &mut WebSocket, value: &Value) -> Result<(), axum::Error> {
    socket.send(WsMessage::Text(value.to_string().into())).await
}

async fn send_dispatch(
    state: &State,
    socket: &mut WebSocket,
    event: &str,
    data: Value,
    token: Option<String>,
) -> Result<(), axum::Error> {
    let sequence = state.sequence.fetch_add(1, Ordering::Relaxed) + 1;
    let frame = json!({ "op": DISPATCH, "t": event, "s": sequence, "d": data }).to_string();
    if let Some(token) = token {
        if let Some(pending) = lock(&state.pending).get_mut(&token) {
            pending.sent_at = Some(Instant::now());
            pending.acknowledged = false;
        }
    }
    socket.send(WsMessage::Text(frame.into())).await
}

// ------------------------------------------------------------------- REST

fn discord_error(status: StatusCode, code: u64, message: &str) -> HttpResponse {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

fn not_found() -> HttpResponse {
    discord_error(StatusCode::NOT_FOUND, 0, "404: Not Found")
}

async fn rest(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let Some(path) = uri.path().strip_prefix("/api/v10/") else {
        return not_found();
    };
    let path = path.to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (body, files) = if content_type.starts_with("multipart/form-data") {
        match multipart(content_type, &body) {
            Ok(parts) => parts,
            Err(problem) => {
                state.problem(format!("{path}: {problem}"));
                return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
            }
        }
    } else {
        (body, Vec::new())
    };
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(body) => body,
            Err(_) => {
                return discord_error(
                    StatusCode::BAD_REQUEST,
                    50109,
                    "The request body contains invalid JSON.",
                )
            }
        }
    };
    lock(&state.calls).push(Call {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
    });
    let segments: Vec<&str> = path.split('/').collect();
    // Interaction callbacks and webhooks are authorized by their token;
    // everything else needs the bot token.
    let by_token = matches!(segments.first(), Some(&"interactions") | Some(&"webhooks"));
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bot {}", state.token));
    if !by_token && !authorized {
        return discord_error(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized");
    }
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => Json(json!({ "url": format!("ws://127.0.0.1:{}", state.port) })).into_response(),
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": format!("ws://127.0.0.1:{}", state.port),
            "shards": 1,
            "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1 },
        }))
        .into_response(),
        ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]) => Json(json!({
            "id": state.application_id.to_string(),
            "name": "quizbot",
            "icon": null,
            "description": "",
            "bot_public": false,
            "bot_require_code_grant": false,
            "verify_key": "0".repeat(64),
            "flags": 0,
            "team": null,
            "owner": { "id": "1", "username": "owner", "discriminator": "0", "global_name": null, "avatar": null },
        }))
        .into_response(),
        ("GET", ["users", "@me"]) => Json(json!({
            "id": state.bot_user_id.to_string(), "username": "quizbot", "discriminator": "0",
            "global_name": null, "avatar": null, "bot": true,
        }))
        .into_response(),
        ("PUT", ["applications", app, "commands"]) => register(&state, app, None, body),
        ("PUT", ["applications", app, "guilds", guild, "commands"]) => register(&state, app, Some(guild), body),
        ("POST", ["interactions", id, token, "callback"]) => callback(&state, id, token, body, files),
        ("POST", ["webhooks", _app, token]) => followup(&state, token, body, files),
        ("PATCH", ["webhooks", _app, token, "messages", which]) => edit_webhook_message(&state, token, which, body),
        ("GET", ["webhooks", _app, token, "messages", which]) => {
            match webhook_message_id(&state, token, which).and_then(|id| lock(&state.messages).get(&id).cloned()) {
                Some(message) => Json(message).into_response(),
                None => discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
            }
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().unwrap_or(0);
            if let Some((status, code, message)) = lock(&state.closed_channels).get(&channel).copied() {
                return discord_error(status, code, message);
            }
            if let Some(rejection) = check_message(&state, &body, &path) {
                return rejection;
            }
            let nonce = body["nonce"].as_str().map(str::to_string);
            if body["enforce_nonce"] == true {
                if let Some(nonce) = &nonce {
                    let seen = lock(&state.nonces).get(&(channel, nonce.clone())).copied();
                    if let Some(message) = seen.and_then(|id| lock(&state.messages).get(&id).cloned()) {
                        return Json(message).into_response();
                    }
                }
            }
            let message = create_message(&state, channel, &body, 0, &files);
            if let (Some(nonce), Some(id)) = (nonce, message["id"].as_str().and_then(|id| id.parse().ok())) {
                lock(&state.nonces).insert((channel, nonce), id);
            }
            Json(message).into_response()
        }
        ("PATCH", ["channels", channel, "messages", id]) => {
            let channel: u64 = channel.parse().unwrap_or(0);
            if let Some((status, code, message)) = lock(&state.closed_channels).get(&channel).copied() {
                return discord_error(status, code, message);
            }
            if let Some(rejection) = check_message(&state, &body, &path) {
                return rejection;
            }
            match id.parse().ok().and_then(|id| update_message(&state, id, &body)) {
                Some(message) => Json(message).into_response(),
                None => discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
            }
        }
        _ => not_found(),
    }
}

fn register(state: &State, app: &str, guild: Option<&str>, body: Value) -> HttpResponse {
    if app != state.application_id.to_string() {
        return discord_error(StatusCode::FORBIDDEN, 50001, "Missing Access");
    }
    let guild_id: Option<u64> = guild.and_then(|g| g.parse().ok());
    let Some(list) = body.as_array() else {
        return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
    };
    let commands: Vec<Value> = list
        .iter()
        .map(|command| {
            let mut stored = command.clone();
            stored["id"] = json!(state.next_id().to_string());
            stored["application_id"] = json!(state.application_id.to_string());
            stored["version"] = json!(state.next_id().to_string());
            if stored.get("type").is_none() {
                stored["type"] = json!(1);
            }
            if let Some(guild) = guild_id {
                stored["guild_id"] = json!(guild.to_string());
            }
            if stored.get("default_member_permissions").is_none() {
                stored["default_member_permissions"] = Value::Null;
            }
            stored
        })
        .collect();
    state.registrations.send_modify(|r| {
        r.push(Registration {
            guild_id,
            commands: commands.clone(),
        })
    });
    Json(Value::Array(commands)).into_response()
}

/// The callback Discord refused (400), as the test sees it.
fn refused_callback(kind: u64, data: Value, latency: Option<Duration>) -> Reply {
    Reply {
        kind: ReplyKind::Callback(kind),
        data,
        message: None,
        latency,
        status: 400,
        files: Vec::new(),
    }
}

fn callback(state: &State, id: &str, token: &str, body: Value, files: Vec<Upload>) -> HttpResponse {
    let kind = body["type"].as_u64().unwrap_or(0);
    let data = body["data"].clone();
    let mut pending = lock(&state.pending);
    let Some(entry) = pending.get_mut(token).filter(|p| p.id.to_string() == id) else {
        return discord_error(StatusCode::NOT_FOUND, 10062, "Unknown interaction");
    };
    let latency = entry.sent_at.map(|at| at.elapsed());
    // Discord forgets an interaction not answered within three seconds.
    if latency.is_some_and(|latency| latency > INTERACTION_DEADLINE) && !entry.acknowledged {
        state.problem(format!(
            "interaction {id} answered after {latency:?}, past Discord's deadline"
        ));
        return discord_error(StatusCode::NOT_FOUND, 10062, "Unknown interaction");
    }
    if entry.acknowledged {
        let _ = entry.replies.send(refused_callback(kind, data, latency));
        return discord_error(
            StatusCode::BAD_REQUEST,
            40060,
            "Interaction has already been acknowledged.",
        );
    }
    let carries_message = matches!(kind, CHANNEL_MESSAGE_WITH_SOURCE | UPDATE_MESSAGE);
    if carries_message {
        if let Some(rejection) = check_message(state, &data, &format!("callback type {kind}")) {
            let _ = entry.replies.send(refused_callback(kind, data, latency));
            return rejection;
        }
    }
    if kind == MODAL {
        // Discord's limits: a title of 45, inputs' labels of 45, ids of 100.
        let inputs = components_of(&data);
        if chars(&data["title"]) > 45
            || chars(&data["custom_id"]) > 100
            || inputs.is_empty()
            || inputs
                .iter()
                .any(|i| chars(&i["label"]) > 45 || i["type"] != 4)
        {
            state.problem(format!("a modal over Discord's limits: {data}"));
            return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
        }
    }
    if kind == AUTOCOMPLETE_RESULT {
        let choices = data["choices"].as_array().cloned().unwrap_or_default();
        if choices.len() > 25 || choices.iter().any(|c| chars(&c["name"]) > 100) {
            state.problem(format!(
                "autocomplete choices over Discord's limits: {data}"
            ));
            return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body");
        }
    }
    entry.acknowledged = true;
    let message = match kind {
        CHANNEL_MESSAGE_WITH_SOURCE | DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE => {
            let message = create_message(state, entry.channel_id, &data, 20, &files);
            entry.message_id = message["id"].as_str().and_then(|id| id.parse().ok());
            Some(message)
        }
        UPDATE_MESSAGE => entry
            .message_id
            .and_then(|id| update_message(state, id, &data)),
        _ => None,
    };
    let _ = entry.replies.send(Reply {
        kind: ReplyKind::Callback(kind),
        data,
        message,
        latency,
        status: 204,
        files,
    });
    StatusCode::NO_CONTENT.into_response()
}

fn followup(state: &State, token: &str, body: Value, files: Vec<Upload>) -> HttpResponse {
    let pending = lock(&state.pending);
    let Some(entry) = pending.get(token) else {
        return discord_error(StatusCode::NOT_FOUND, 10015, "Unknown Webhook");
    };
    if let Some(rejection) = check_message(state, &body, "follow-up") {
        return rejection;
    }
    let message = create_message(state, entry.channel_id, &body, 20, &files);
    let _ = entry.replies.send(message_reply(
        ReplyKind::Followup,
        body,
        message.clone(),
        files,
    ));
    Json(message).into_response()
}

/// A webhook call that created or changed `message` (200), as the test
/// sees it.
fn message_reply(kind: ReplyKind, data: Value, message: Value, files: Vec<Upload>) -> Reply {
    Reply {
        kind,
        data,
        message: Some(message),
        latency: None,
        status: 200,
        files,
    }
}

fn webhook_message_id(state: &State, token: &str, which: &str) -> Option<u64> {
    if which == "@original" {
        lock(&state.pending).get(token)?.message_id
    } else {
        which.parse().ok()
    }
}

fn edit_webhook_message(state: &State, token: &str, which: &str, body: Value) -> HttpResponse {
    if let Some(rejection) = check_message(state, &body, "webhook edit") {
        return rejection;
    }
    let Some(id) = webhook_message_id(state, token, which) else {
        return discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message");
    };
    let Some(message) = update_message(state, id, &body) else {
        return discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message");
    };
    if let Some(entry) = lock(&state.pending).get(token) {
        let _ = entry.replies.send(message_reply(
            ReplyKind::EditOriginal,
            body,
            message.clone(),
            Vec::new(),
        ));
    }
    Json(message).into_response()
}

/// A message object as Discord returns it.
fn create_message(
    state: &State,
    channel_id: u64,
    data: &Value,
    message_type: u64,
    files: &[Upload],
) -> Value {
    let id = state.next_id();
    let attachments: Vec<Value> = files
        .iter()
        .map(|file| {
            let id = state.next_id();
            json!({
                "id": id.to_string(),
                "filename": file.filename,
                "size": file.bytes.len(),
                "url": format!("https://cdn.discordapp.com/attachments/{channel_id}/{id}/{}", file.filename),
                "proxy_url": format!("https://media.discordapp.net/attachments/{channel_id}/{id}/{}", file.filename),
                "content_type": file.content_type,
            })
        })
        .collect();
    // An embed shows an attached picture by `attachment://<filename>`,
    // which Discord turns into the file's address.
    let mut embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    for embed in &mut embeds {
        let Some(name) = embed["image"]["url"]
            .as_str()
            .and_then(|u| u.strip_prefix("attachment://"))
        else {
            continue;
        };
        match attachments.iter().find(|a| a["filename"] == name) {
            Some(attachment) => {
                embed["image"]["url"] = attachment["url"].clone();
                embed["image"]["proxy_url"] = attachment["proxy_url"].clone();
            }
            None => state.problem(format!(
                "an embed shows attachment://{name}, which was not sent"
            )),
        }
    }
    let message = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": {
            "id": state.bot_user_id.to_string(), "username": "quizbot", "discriminator": "0",
            "global_name": null, "avatar": null, "bot": true,
        },
        "content": data["content"].as_str().unwrap_or(""),
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": embeds,
        "components": data["components"].as_array().cloned().unwrap_or_default(),
        "pinned": false,
        "type": message_type,
        "flags": data["flags"].as_u64().unwrap_or(0),
        "application_id": state.application_id.to_string(),
    });
    // Interaction replies come through the application's webhook.
    let message = if message_type == 20 {
        let mut message = message;
        message["webhook_id"] = json!(state.application_id.to_string());
        message
    } else {
        message
    };
    lock(&state.messages).insert(id, message.clone());
    message
}

fn update_message(state: &State, id: u64, data: &Value) -> Option<Value> {
    let mut messages = lock(&state.messages);
    let message = messages.get_mut(&id)?;
    for key in ["content", "embeds", "components"] {
        if let Some(value) = data.get(key) {
            message[key] = value.clone();
        }
    }
    message["edited_timestamp"] = json!(chrono::Utc::now().to_rfc3339());
    Some(message.clone())
}

/// A `multipart/form-data` body as Discord reads it: the JSON of the
/// `payload_json` part, and the `files[n]` parts, each of which the
/// payload's `attachments` (at the top, or in an interaction callback's
/// `data`) must describe by `id`.
fn multipart(content_type: &str, body: &[u8]) -> Result<(Bytes, Vec<Upload>), String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or("multipart without a boundary")?;
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut rest = [b"\r\n".as_slice(), body].concat();
    let mut parts = Vec::new();
    while let Some(at) = find(&rest, &delimiter) {
        parts.push(rest[..at].to_vec());
        rest = rest[at + delimiter.len()..].to_vec();
    }
    if !rest.starts_with(b"--") {
        return Err("multipart without its closing delimiter".into());
    }
    let mut payload = None;
    let mut files = Vec::new();
    for part in parts.iter().skip(1) {
        let part = part.strip_prefix(b"\r\n").ok_or("a part without CRLF")?;
        let split = find(part, b"\r\n\r\n").ok_or("a part without headers")?;
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = part[split + 4..].to_vec();
        let header = |name: &str| {
            headers.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_string())
            })
        };
        let disposition =
            header("content-disposition").ok_or("a part without Content-Disposition")?;
        let param = |key: &str| {
            disposition.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(&format!("{key}="))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        let name = param("name").ok_or("a part without a name")?;
        if name == "payload_json" {
            payload = Some(content);
        } else if let Some(index) = name
            .strip_prefix("files[")
            .and_then(|n| n.strip_suffix(']'))
            .and_then(|n| n.parse().ok())
        {
            files.push(Upload {
                index,
                filename: param("filename").ok_or("a file without a filename")?,
                content_type: header("content-type").unwrap_or_default(),
                bytes: content,
            });
        } else {
            return Err(format!("an unexpected part {name}"));
        }
    }
    let payload = payload.ok_or("multipart without payload_json")?;
    let json: Value = serde_json::from_slice(&payload).map_err(|e| format!("payload_json: {e}"))?;
    let described = json["attachments"]
        .as_array()
        .or_else(|| json["data"]["attachments"].as_array())
        .cloned()
        .unwrap_or_default();
    for file in &files {
        let entry = described.iter().find(|a| {
            a["id"].as_u64() == Some(file.index)
                || a["id"].as_str() == Some(&file.index.to_string())
        });
        match entry {
            Some(entry)
                if entry["filename"]
                    .as_str()
                    .is_none_or(|f| f == file.filename) => {}
            _ => {
                return Err(format!(
                    "files[{}] is not in the payload's attachments",
                    file.index
                ))
            }
        }
    }
    Ok((Bytes::from(payload), files))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// Discord's limits on a message body, and the tests' rule that every
/// message disables mentions. A limit broken is a 400, as on Discord.
fn check_message(state: &State, data: &Value, context: &str) -> Option<HttpResponse> {
    let mut broken = Vec::new();
    let mentions = &data["allowed_mentions"];
    let none = |key: &str| mentions[key].as_array().is_none_or(|a| a.is_empty());
    if !mentions.is_object()
        || !mentions["parse"].is_array()
        || !none("parse")
        || !none("users")
        || !none("roles")
    {
        state.problem(format!(
            "{context}: mentions are not disabled: {}",
            data["allowed_mentions"]
        ));
    }
    if chars(&data["content"]) > 2000 {
        broken.push("content over 2000".to_string());
    }
    let embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        broken.push("more than 10 embeds".into());
    }
    let mut total = 0;
    for embed in &embeds {
        let limit = |broken: &mut Vec<String>, value: &Value, max: usize, what: &str| {
            if chars(value) > max {
                broken.push(format!("{what} over {max}"));
            }
            chars(value)
        };
        total += limit(&mut broken, &embed["title"], 256, "embed title");
        total += limit(
            &mut broken,
            &embed["description"],
            4096,
            "embed description",
        );
        total += limit(&mut broken, &embed["footer"]["text"], 2048, "embed footer");
        total += limit(&mut broken, &embed["author"]["name"], 256, "embed author");
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            broken.push("more than 25 fields".into());
        }
        for field in &fields {
            total += limit(&mut broken, &field["name"], 256, "field name");
            total += limit(&mut broken, &field["value"], 1024, "field value");
            if chars(&field["name"]) == 0 || chars(&field["value"]) == 0 {
                broken.push("empty field".into());
            }
        }
    }
    if total > 6000 {
        broken.push(format!("embeds total {total} over 6000"));
    }
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > 5 {
        broken.push("more than 5 action rows".into());
    }
    for row in &rows {
        let components = row["components"].as_array().cloned().unwrap_or_default();
        let selects = components.iter().filter(|c| c["type"] != 2).count();
        if components.is_empty() || components.len() > 5 || (selects > 0 && components.len() > 1) {
            broken.push("an action row holds 1–5 buttons or one select menu".into());
        }
        for component in &components {
            if chars(&component["custom_id"]) > 100 {
                broken.push("custom_id over 100".into());
            }
            match component["type"].as_u64() {
                Some(2) if chars(&component["label"]) > 80 => {
                    broken.push("button label over 80".into());
                }
                Some(3) => {
                    let options = component["options"].as_array().cloned().unwrap_or_default();
                    let min = component["min_values"].as_u64().unwrap_or(1) as usize;
                    let max = component["max_values"].as_u64().unwrap_or(1) as usize;
                    if options.is_empty() || options.len() > 25 || min > max || max > options.len()
                    {
                        broken.push("select menu option counts".into());
                    }
                    if chars(&component["placeholder"]) > 150 {
                        broken.push("placeholder over 150".into());
                    }
                    for option in &options {
                        for key in ["label", "value", "description"] {
                            if chars(&option[key]) > 100 {
                                broken.push(format!("select option {key} over 100"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if broken.is_empty() {
        return None;
    }
    state.problem(format!("{context}: {}", broken.join(", ")));
    Some(discord_error(
        StatusCode::BAD_REQUEST,
        50035,
        "Invalid Form Body",
    ))
}
