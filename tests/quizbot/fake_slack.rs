//! A loopback Slack, written from Slack's API documentation, for driving
//! the real slack-morphism client end to end.
//!
//! It serves the Web API methods the bot calls (`auth.test`,
//! `apps.connections.open`, `users.info`, `chat.postMessage`,
//! `chat.update`, `chat.getPermalink`) under `/api/`, with Slack's `{"ok": …}` envelopes and
//! bearer-token checks; the interactions' `response_url`s under `/hooks/N`;
//! and the Socket Mode websocket under `/socket`: it sends `hello`, then
//! whatever envelopes a test injects (`slash_commands`, `interactive`), and
//! records the acknowledgements by `envelope_id`.
//!
//! Channels keep the messages posted to them, so a test can read a post and
//! click its buttons; `chat.update` edits them. Like Slack, the chat methods
//! answer `invalid_blocks` for blocks over Block Kit's limits,
//! `message_not_found` for a message that is not there (a test may delete
//! one), and a channel a test closed answers with the error it was given
//! (`channel_not_found`, `not_in_channel`…).
//!
//! Files arrive as with `files.uploadV2`: `files.getUploadURLExternal`
//! (a filename and a length) gives an `upload_url` under `/upload/` and a
//! file id; the bytes are POSTed there (raw, or as a multipart form);
//! `files.completeUploadExternal` shares the files (`files`, a JSON list
//! of `{id, title}`) in `channel_id`. A file whose bytes differ in length
//! from the length announced is refused at the upload URL, as Slack does.
//! `conversations.open` with `users` gives a member's direct message
//! channel.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

use quizbot::config::SlackSettings;
use quizbot::service::Service;
use quizbot::slack::SlackError;
use secrecy::SecretString;
use tokio::task::JoinHandle;

pub const TEAM: &str = "T0STUDY01";
pub const CHANNEL: &str = "C0QUIZ001";
pub const APP_ID: &str = "A0QUIZBOT";
pub const BOT_TOKEN: &str = "xoxb-fake-bot-token";
pub const APP_TOKEN: &str = "xapp-1-fake-app-token";

/// How long a test waits for the bot before failing.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A workspace member as users.info describes them.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub is_admin: bool,
    pub is_owner: bool,
}

impl FakeUser {
    pub fn member(id: &str, display_name: &str) -> Self {
        Self {
            id: id.into(),
            name: display_name.to_lowercase().replace(' ', "."),
            display_name: display_name.into(),
            is_admin: false,
            is_owner: false,
        }
    }

    pub fn admin(id: &str, display_name: &str) -> Self {
        Self {
            is_admin: true,
            ..Self::member(id, display_name)
        }
    }
}

/// A Web API call the fake received.
#[derive(Debug, Clone)]
pub struct ApiCall {
    pub method: String,
    pub params: Value,
}

#[derive(Default)]
struct Recorded {
    users: HashMap<String, FakeUser>,
    /// Senders to the open Socket Mode connections, oldest first.
    sockets: Vec<mpsc::UnboundedSender<String>>,
    /// Acknowledgements by envelope id, in order (a redelivery acks twice).
    acks: HashMap<String, Vec<Value>>,
    /// Bodies posted to each `/hooks/N`, in order.
    hooks: HashMap<u64, Vec<Value>>,
    calls: Vec<ApiCall>,
    hellos: usize,
    /// Messages in channels, oldest first, as `conversations.history`
    /// would show them (`channel` added).
    messages: Vec<Value>,
    /// Channels that refuse the bot, with the error Slack gives.
    closed: HashMap<String, String>,
    /// Files by id, from `files.getUploadURLExternal` on.
    files: HashMap<String, FakeFile>,
    /// Direct message channels by user id.
    dms: HashMap<String, String>,
}

/// A file uploaded through `files.getUploadURLExternal`.
#[derive(Debug, Clone)]
pub struct FakeFile {
    pub id: String,
    pub filename: String,
    /// The length announced before the upload.
    pub length: usize,
    /// The bytes posted to the upload URL, once they were.
    pub bytes: Option<Vec<u8>>,
    /// Set by `files.completeUploadExternal`.
    pub title: Option<String>,
    /// Where `files.completeUploadExternal` shared the file.
    pub channel: Option<String>,
    pub initial_comment: Option<String>,
}

struct Shared {
    addr: String,
    recorded: Mutex<Recorded>,
    changed: Notify,
    counter: AtomicU64,
}

impl Shared {
    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn record(&self, change: impl FnOnce(&mut Recorded)) {
        change(&mut self.recorded.lock().expect("fake state"));
        self.changed.notify_waiters();
    }
}

/// The fake, listening on 127.0.0.1 until dropped.
pub struct FakeSlack {
    shared: Arc<Shared>,
    stop: CancellationToken,
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Slack");
        let addr = listener
            .local_addr()
            .expect("fake Slack address")
            .to_string();
        let shared = Arc::new(Shared {
            addr,
            recorded: Mutex::new(Recorded::default()),
            changed: Notify::new(),
            counter: AtomicU64::new(1),
        });
        let router = Router::new()
            .route("/api/{method}", any(web_api))
            .route("/hooks/{id}", post(hook))
            .route("/upload/{id}", post(upload))
            .route("/socket", get(socket))
            .with_state(Arc::clone(&shared));
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        // Each write at once (no Nagle), as a real server sends it.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
        });
        FakeSlack { shared, stop }
    }

    /// `SLACK_API_BASE` for the bot.
    pub fn api_base(&self) -> String {
        format!("http://{}/api", self.shared.addr)
    }

    /// Settings for Socket Mode against this fake.
    pub fn socket_settings(&self) -> SlackSettings {
        SlackSettings {
            bot_token: Some(SecretString::from(BOT_TOKEN)),
            app_token: Some(SecretString::from(APP_TOKEN)),
            signing_secret: None,
            api_base: Some(self.api_base()),
            admins: Vec::new(),
        }
    }

    /// Settings for HTTP mode against this fake.
    pub fn http_settings(&self, signing_secret: &str) -> SlackSettings {
        SlackSettings {
            app_token: None,
            signing_secret: Some(SecretString::from(signing_secret.to_string())),
            ..self.socket_settings()
        }
    }

    /// Runs the bot in Socket Mode against this fake as `quizbot serve`
    /// does, with `service` and `settings` (this fake's
    /// [`FakeSlack::socket_settings`], perhaps changed), until `shutdown`;
    /// returns once it has connected.
    pub async fn run_bot(
        &self,
        settings: SlackSettings,
        service: Service,
        shutdown: CancellationToken,
    ) -> JoinHandle<Result<(), SlackError>> {
        let task = tokio::spawn(async move {
            let ops = quizbot::ops::Ops::new(service.clone());
            quizbot::slack::run(&settings, &ops, service, shutdown).await
        });
        self.wait_connected().await;
        task
    }

    pub fn add_user(&self, user: FakeUser) {
        self.shared.record(|r| {
            r.users.insert(user.id.clone(), user);
        });
    }

    /// Makes `channel` answer every chat method with `error`.
    pub fn close_channel(&self, channel: &str, error: &str) {
        self.shared.record(|r| {
            r.closed.insert(channel.to_string(), error.to_string());
        });
    }

    /// Deletes a message, as a member with the right to could.
    pub fn delete_message(&self, channel: &str, ts: &str) {
        self.shared.record(|r| {
            r.messages
                .retain(|m| !(m["channel"] == channel && m["ts"] == ts));
        });
    }

    /// The messages now in `channel`, oldest first.
    pub fn channel_messages(&self, channel: &str) -> Vec<Value> {
        let recorded = self.shared.recorded.lock().expect("fake state");
        recorded
            .messages
            .iter()
            .filter(|m| m["channel"] == channel)
            .cloned()
            .collect()
    }

    /// Waits until `channel` has an `n`th message (from 0) and returns it.
    pub async fn channel_message(&self, channel: &str, n: usize) -> Value {
        self.wait_for(&format!("message #{n} in {channel}"), |r| {
            r.messages
                .iter()
                .filter(|m| m["channel"] == channel)
                .nth(n)
                .cloned()
        })
        .await
    }

    /// Web API calls of `method` so far.
    pub fn calls(&self, method: &str) -> Vec<ApiCall> {
        let recorded = self.shared.recorded.lock().expect("fake state");
        recorded
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// The direct message channel of `user` (as `conversations.open`
    /// gives it).
    pub fn dm_of(&self, user: &str) -> String {
        format!("D0{}", user.trim_start_matches('U'))
    }

    /// Waits until a file has been shared in `channel`, and returns it.
    pub async fn wait_shared_file(&self, channel: &str) -> FakeFile {
        self.wait_for(&format!("a file shared in {channel}"), |r| {
            r.files
                .values()
                .find(|f| f.channel.as_deref() == Some(channel))
                .cloned()
        })
        .await
    }

    /// Every file uploaded or announced so far.
    pub fn files(&self) -> Vec<FakeFile> {
        let recorded = self.shared.recorded.lock().expect("fake state");
        recorded.files.values().cloned().collect()
    }

    /// Waits until `check` finds what it looks for in the recorded state.
    async fn wait_for<T>(&self, what: &str, check: impl Fn(&Recorded) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(found) = check(&self.shared.recorded.lock().expect("fake state")) {
                return found;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("fake Slack waited {PATIENCE:?} for {what}");
            }
        }
    }

    /// Waits until the bot has a Socket Mode connection open.
    pub async fn wait_connected(&self) {
        self.wait_for("a Socket Mode connection", |r| (r.hellos > 0).then_some(()))
            .await;
    }

    /// A fresh `response_url` and its hook number.
    pub fn response_url(&self) -> (String, u64) {
        let id = self.shared.next();
        (format!("http://{}/hooks/{id}", self.shared.addr), id)
    }

    /// Sends an envelope over the oldest open connection and returns the
    /// bot's acknowledgement.
    pub async fn send_envelope(&self, envelope: &Value) -> Value {
        let envelope_id = envelope["envelope_id"]
            .as_str()
            .expect("envelope id")
            .to_string();
        let frame = envelope.to_string();
        let (sent, before) = {
            let mut recorded = self.shared.recorded.lock().expect("fake state");
            recorded.sockets.retain(|s| !s.is_closed());
            let before = recorded.acks.get(&envelope_id).map_or(0, Vec::len);
            (
                recorded.sockets.first().map(|s| s.send(frame).is_ok()),
                before,
            )
        };
        assert_eq!(
            sent,
            Some(true),
            "no open Socket Mode connection to send {envelope_id} on"
        );
        self.wait_for(&format!("the ack of envelope {envelope_id}"), |r| {
            r.acks
                .get(&envelope_id)
                .and_then(|acks| acks.get(before).cloned())
        })
        .await
    }

    /// The body posted to hook `id` as its `n`th post (from 0).
    pub async fn hook_post(&self, id: u64, n: usize) -> Value {
        self.wait_for(&format!("post #{n} to response_url {id}"), |r| {
            r.hooks.get(&id).and_then(|posts| posts.get(n).cloned())
        })
        .await
    }

    pub fn hook_posts(&self, id: u64) -> Vec<Value> {
        let recorded = self.shared.recorded.lock().expect("fake state");
        recorded.hooks.get(&id).cloned().unwrap_or_default()
    }

    /// A `slash_commands` envelope, as Slack sends one.
    pub fn command_envelope(&self, user: &str, command: &str, text: &str) -> (Value, u64) {
        let (response_url, hook) = self.response_url();
        let n = self.shared.next();
        let payload = json!({
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "study-group",
            "channel_id": CHANNEL,
            "channel_name": "aws-study",
            "user_id": user,
            "user_name": user.to_lowercase(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": format!("{n}.{n}.fake-trigger"),
        });
        let envelope = json!({
            "envelope_id": format!("env-cmd-{n}"),
            "type": "slash_commands",
            "accepts_response_payload": true,
            "payload": payload,
        });
        (envelope, hook)
    }

    /// Runs a slash command; returns the ack's payload (the reply).
    pub async fn command(&self, user: &str, command: &str, text: &str) -> Value {
        let (envelope, _) = self.command_envelope(user, command, text);
        let ack = self.send_envelope(&envelope).await;
        ack["payload"].clone()
    }

    /// A `block_actions` envelope for a click on the element whose
    /// `action_id` is `action_id` in `message` (a message as the bot sent
    /// it), with the checkbox options whose values are in `checked` ticked.
    pub fn click_envelope(
        &self,
        user: &str,
        message: &Value,
        action_id: &str,
        checked: &[&str],
    ) -> (Value, u64) {
        let (response_url, hook) = self.response_url();
        let n = self.shared.next();
        let blocks = message["blocks"].as_array().cloned().unwrap_or_default();
        let mut clicked = None;
        let mut values = serde_json::Map::new();
        for (index, block) in blocks.iter().enumerate() {
            let block_id = block["block_id"]
                .as_str()
                .map_or_else(|| format!("fake-block-{index}"), str::to_string);
            for element in block["elements"].as_array().into_iter().flatten() {
                let id = element["action_id"].as_str().unwrap_or_default();
                if element["type"] == "checkboxes" {
                    let selected: Vec<Value> = element["options"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|o| checked.contains(&o["value"].as_str().unwrap_or_default()))
                        .cloned()
                        .collect();
                    values.insert(
                        block_id.clone(),
                        json!({ id: { "type": "checkboxes", "selected_options": selected } }),
                    );
                }
                if id == action_id {
                    clicked = Some(json!({
                        "type": element["type"],
                        "action_id": id,
                        "block_id": block_id,
                        "text": element["text"],
                        "value": element["value"],
                        "action_ts": format!("1700000000.{n:06}"),
                    }));
                }
            }
        }
        let clicked = clicked.unwrap_or_else(|| panic!("no element {action_id} in {message:#}"));
        // A message in a channel has its `ts` and comes with the payload;
        // an ephemeral card does not.
        let container = match message["ts"].as_str() {
            Some(ts) => json!({
                "type": "message", "message_ts": ts, "channel_id": message["channel"], "is_ephemeral": false,
            }),
            None => json!({
                "type": "message", "message_ts": "1699999999.000100", "channel_id": CHANNEL, "is_ephemeral": true,
            }),
        };
        let mut payload = json!({
            "type": "block_actions",
            "user": { "id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM },
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": format!("{n}.{n}.fake-trigger"),
            "team": { "id": TEAM, "domain": "study-group" },
            "enterprise": null,
            "is_enterprise_install": false,
            "channel": { "id": CHANNEL, "name": "aws-study" },
            "state": { "values": values },
            "response_url": response_url,
            "actions": [clicked],
        });
        if message["ts"].is_string() {
            payload["message"] = message.clone();
        }
        let envelope = json!({
            "envelope_id": format!("env-act-{n}"),
            "type": "interactive",
            "accepts_response_payload": false,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": payload,
        });
        (envelope, hook)
    }

    /// `user` submits the modal `view` (as the bot opened it) with the
    /// radio option `choice` picked in block `radio` and `text` typed in
    /// the plain text input of block `input`; returns the ack.
    pub async fn submit_view(
        &self,
        user: &str,
        view: &Value,
        (radio, choice): (&str, &str),
        (input, text): (&str, &str),
    ) -> Value {
        let n = self.shared.next();
        let option = view["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|b| {
                b["element"]["options"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .find(|o| o["value"] == choice)
            .unwrap_or_else(|| panic!("no option {choice} in {view:#}"));
        let mut submitted = view.clone();
        submitted["id"] = json!("V0FAKEVIEW");
        submitted["team_id"] = json!(TEAM);
        submitted["hash"] = json!("1700000000.fakehash");
        submitted["state"] = json!({ "values": {
            radio: { radio: { "type": "radio_buttons", "selected_option": option } },
            input: { input: { "type": "plain_text_input", "value": text } },
        }});
        let envelope = json!({
            "envelope_id": format!("env-view-{n}"),
            "type": "interactive",
            "accepts_response_payload": true,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": {
                "type": "view_submission",
                "team": { "id": TEAM, "domain": "study-group" },
                "user": { "id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM },
                "api_app_id": APP_ID,
                "token": "legacy-verification-token",
                "trigger_id": format!("{n}.{n}.fake-trigger"),
                "view": submitted,
                "response_urls": [],
                "is_enterprise_install": false,
                "enterprise": null,
            },
        });
        self.send_envelope(&envelope).await
    }

    /// Clicks `action_id` in `message` and returns what the bot posted to
    /// the click's `response_url`.
    pub async fn click(
        &self,
        user: &str,
        message: &Value,
        action_id: &str,
        checked: &[&str],
    ) -> Value {
        let (envelope, hook) = self.click_envelope(user, message, action_id, checked);
        self.send_envelope(&envelope).await;
        self.hook_post(hook, 0).await
    }
}

/// Slack's Web API: `https://slack.com/api/<method>`, token in the
/// `Authorization: Bearer` header, arguments in the query, a form or JSON.
async fn web_api(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = serde_json::Map::new();
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        params.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) {
            params.extend(fields);
        }
    } else {
        for (key, value) in form_urlencoded::parse(&body) {
            params.insert(key.into_owned(), Value::String(value.into_owned()));
        }
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| {
            params
                .get("token")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let params = Value::Object(params);
    shared.record(|r| {
        r.calls.push(ApiCall {
            method: method.clone(),
            params: params.clone(),
        })
    });
    let wants_app_token = method == "apps.connections.open";
    let expected = if wants_app_token {
        APP_TOKEN
    } else {
        BOT_TOKEN
    };
    if token != expected {
        let error = if token.is_empty() {
            "not_authed"
        } else {
            "invalid_auth"
        };
        return Json(json!({ "ok": false, "error": error })).into_response();
    }
    let reply = match method.as_str() {
        "auth.test" => json!({
            "ok": true, "url": "https://study-group.slack.com/", "team": "Study Group",
            "user": "quizbot", "team_id": TEAM, "user_id": "U0QUIZBOT", "bot_id": "B0QUIZBOT",
            "is_enterprise_install": false,
        }),
        "apps.connections.open" => json!({
            "ok": true,
            "url": format!("ws://{}/socket?ticket=fake-{}&app_id={APP_ID}", shared.addr, shared.next()),
        }),
        "users.info" => {
            let id = params["user"].as_str().unwrap_or_default();
            let user = shared
                .recorded
                .lock()
                .expect("fake state")
                .users
                .get(id)
                .cloned();
            match user {
                Some(user) => json!({ "ok": true, "user": {
                    "id": user.id, "team_id": TEAM, "name": user.name, "deleted": false,
                    "real_name": user.display_name, "tz": "Asia/Seoul", "tz_offset": 32400,
                    "profile": { "display_name": user.display_name, "real_name": user.display_name, "team": TEAM },
                    "is_admin": user.is_admin, "is_owner": user.is_owner, "is_primary_owner": false,
                    "is_restricted": false, "is_ultra_restricted": false, "is_bot": false, "is_app_user": false,
                }}),
                None => json!({ "ok": false, "error": "user_not_found" }),
            }
        }
        "chat.postMessage" | "chat.update" => chat(&shared, &method, &params),
        "chat.getPermalink" => permalink(&shared, &params),
        "chat.postEphemeral" => {
            if params["channel"].as_str().is_none() || params["user"].as_str().is_none() {
                json!({ "ok": false, "error": "invalid_arguments" })
            } else {
                json!({ "ok": true, "message_ts": format!("1700000001.{:06}", shared.next()) })
            }
        }
        "views.open" => views_open(&params),
        "conversations.open" => {
            let users = match &params["users"] {
                Value::String(list) => list.split(',').map(str::to_string).collect(),
                Value::Array(list) => list
                    .iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            match users.as_slice() {
                [user] => {
                    let id = format!("D0{}", user.trim_start_matches('U'));
                    shared.record(|r| {
                        r.dms.insert(user.clone(), id.clone());
                    });
                    json!({ "ok": true, "channel": { "id": id } })
                }
                [] => json!({ "ok": false, "error": "users_list_not_supplied" }),
                _ => json!({ "ok": false, "error": "not_implemented_in_fake" }),
            }
        }
        "files.getUploadURLExternal" => {
            let filename = params["filename"].as_str().unwrap_or_default().to_string();
            let length = params["length"]
                .as_str()
                .and_then(|l| l.parse::<usize>().ok());
            match length {
                Some(length) if !filename.is_empty() && length > 0 => {
                    let id = format!("F0{:08}", shared.next());
                    shared.record(|r| {
                        r.files.insert(
                            id.clone(),
                            FakeFile {
                                id: id.clone(),
                                filename,
                                length,
                                bytes: None,
                                title: None,
                                channel: None,
                                initial_comment: None,
                            },
                        );
                    });
                    json!({ "ok": true, "upload_url": format!("http://{}/upload/{id}", shared.addr), "file_id": id })
                }
                _ => json!({ "ok": false, "error": "invalid_arguments" }),
            }
        }
        "files.completeUploadExternal" => complete_upload(&shared, &params),
        _ => json!({ "ok": false, "error": "unknown_method" }),
    };
    Json(reply).into_response()
}

/// An `upload_url`: the file's bytes, raw or as the `file` part of a
/// multipart form; Slack answers `OK - <length>` in plain text.
async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let bytes = if content_type.starts_with("multipart/form-data") {
        match multipart_file(content_type, &body) {
            Some(bytes) => bytes,
            None => {
                return (axum::http::StatusCode::BAD_REQUEST, "invalid multipart").into_response()
            }
        }
    } else {
        body.to_vec()
    };
    let mut recorded = shared.recorded.lock().expect("fake state");
    let Some(file) = recorded.files.get_mut(&id) else {
        return (axum::http::StatusCode::NOT_FOUND, "not found").into_response();
    };
    if file.length != bytes.len() {
        return (axum::http::StatusCode::BAD_REQUEST, "length mismatch").into_response();
    }
    let length = bytes.len();
    file.bytes = Some(bytes);
    drop(recorded);
    shared.changed.notify_waiters();
    (
        [("content-type", "text/plain; charset=utf-8")],
        format!("OK - {length}"),
    )
        .into_response()
}

/// The content of the first part of a multipart body that has a filename.
fn multipart_file(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let body = [b"\r\n".as_slice(), body].concat();
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut rest = body.as_slice();
    while let Some(at) = find(rest, &delimiter) {
        rest = &rest[at + delimiter.len()..];
        let end = find(rest, &delimiter)?;
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n")?;
        if String::from_utf8_lossy(&part[..split]).contains("filename=") {
            return Some(part[split + 4..].to_vec());
        }
    }
    None
}

/// `files.completeUploadExternal`: every file uploaded in full, shared
/// in `channel_id` when it is given.
fn complete_upload(shared: &Shared, params: &Value) -> Value {
    let files = match &params["files"] {
        Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let Some(files) = files.as_array().filter(|f| !f.is_empty()) else {
        return json!({ "ok": false, "error": "invalid_arguments" });
    };
    let channel = params["channel_id"].as_str().map(str::to_string);
    let mut recorded = shared.recorded.lock().expect("fake state");
    if let Some(error) = channel.as_ref().and_then(|c| recorded.closed.get(c)) {
        return json!({ "ok": false, "error": error });
    }
    let mut done = Vec::new();
    for entry in files {
        let id = entry["id"].as_str().unwrap_or_default();
        let Some(file) = recorded.files.get_mut(id).filter(|f| f.bytes.is_some()) else {
            return json!({ "ok": false, "error": "file_not_found" });
        };
        file.title = entry["title"].as_str().map(str::to_string);
        file.channel = channel.clone();
        file.initial_comment = params["initial_comment"].as_str().map(str::to_string);
        done.push(json!({ "id": file.id, "name": file.filename, "title": file.title.clone().unwrap_or_else(|| file.filename.clone()) }));
    }
    drop(recorded);
    shared.changed.notify_waiters();
    json!({ "ok": true, "files": done })
}

/// `views.open`: a modal within Slack's limits (a title of 24 characters,
/// submit and close of 24, at most 100 blocks, private metadata of 3000),
/// opened with a trigger; answered with the view as Slack keeps it.
fn views_open(params: &Value) -> Value {
    let view = &params["view"];
    let chars = |v: &Value| v["text"].as_str().map_or(0, |t| t.chars().count());
    let fits = params["trigger_id"].as_str().is_some_and(|t| !t.is_empty())
        && view["type"] == "modal"
        && (1..=24).contains(&chars(&view["title"]))
        && chars(&view["submit"]) <= 24
        && view["blocks"]
            .as_array()
            .is_some_and(|b| !b.is_empty() && b.len() <= 100)
        && view["private_metadata"]
            .as_str()
            .map_or(0, |m| m.chars().count())
            <= 3000;
    if !fits {
        return json!({ "ok": false, "error": "invalid_arguments", "view": view });
    }
    let mut opened = view.clone();
    opened["id"] = json!("V0FAKEVIEW");
    opened["team_id"] = json!(TEAM);
    opened["hash"] = json!("1700000000.fakehash");
    opened["state"] = json!({ "values": {} });
    json!({ "ok": true, "view": opened })
}

/// `chat.postMessage` and `chat.update`, on the channels' messages.
fn chat(shared: &Shared, method: &str, params: &Value) -> Value {
    let channel = params["channel"].as_str().unwrap_or_default().to_string();
    if let Some(error) = block_kit_problem(&params["blocks"]) {
        return json!({ "ok": false, "error": "invalid_blocks", "errors": [error] });
    }
    let mut recorded = shared.recorded.lock().expect("fake state");
    if let Some(error) = recorded.closed.get(&channel) {
        return json!({ "ok": false, "error": error });
    }
    let reply = if method == "chat.postMessage" {
        let ts = format!("1700000100.{:06}", shared.next());
        let mut message = json!({
            "type": "message", "channel": channel, "ts": ts, "user": "U0QUIZBOT", "bot_id": "B0QUIZBOT",
            "text": params["text"], "blocks": params["blocks"],
        });
        for key in ["thread_ts", "reply_broadcast"] {
            if !params[key].is_null() {
                message[key] = params[key].clone();
            }
        }
        recorded.messages.push(message.clone());
        json!({ "ok": true, "channel": channel, "ts": ts, "message": message })
    } else {
        let found = recorded
            .messages
            .iter_mut()
            .find(|m| m["channel"] == channel && m["ts"] == params["ts"]);
        let Some(message) = found else {
            return json!({ "ok": false, "error": "message_not_found" });
        };
        message["text"] = params["text"].clone();
        message["blocks"] = params["blocks"].clone();
        message["edited"] =
            json!({ "user": "U0QUIZBOT", "ts": format!("1700000200.{:06}", shared.next()) });
        json!({ "ok": true, "channel": channel, "ts": params["ts"], "text": params["text"], "message": message.clone() })
    };
    drop(recorded);
    shared.changed.notify_waiters();
    reply
}

/// `chat.getPermalink`: a link to a message that is in its channel.
fn permalink(shared: &Shared, params: &Value) -> Value {
    let (channel, ts) = (&params["channel"], &params["message_ts"]);
    let recorded = shared.recorded.lock().expect("fake state");
    if !recorded
        .messages
        .iter()
        .any(|m| &m["channel"] == channel && &m["ts"] == ts)
    {
        return json!({ "ok": false, "error": "message_not_found" });
    }
    let (channel, ts) = (
        channel.as_str().unwrap_or_default(),
        ts.as_str().unwrap_or_default(),
    );
    json!({
        "ok": true,
        "channel": channel,
        "permalink": format!("https://study-group.slack.com/archives/{channel}/p{}", ts.replace('.', "")),
    })
}

/// Every `action_id` in a message's blocks.
pub fn action_ids(message: &Value) -> Vec<String> {
    message["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .filter_map(|e| e["action_id"].as_str().map(str::to_string))
        .collect()
}

/// All texts of a message (section texts, context elements, buttons), joined.
pub fn message_text(message: &Value) -> String {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(text)) = map.get("text") {
                    out.push(text.clone());
                }
                for (key, child) in map {
                    if key != "text" || child.is_object() {
                        collect(child, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(&message["blocks"], &mut out);
    out.join("\n")
}

/// Fails unless `needle` is among the message's texts.
pub fn assert_contains(message: &Value, needle: &str) {
    let text = message_text(message);
    assert!(
        text.contains(needle),
        "expected {needle:?} in the message:\n{text}"
    );
}

/// What Slack would refuse in `blocks`: more than 50 blocks, or a text
/// over its limit (header 150, section 3000, context element 2000, button
/// and option 75 characters).
pub fn block_kit_problem(blocks: &Value) -> Option<String> {
    let blocks = blocks.as_array()?;
    if blocks.len() > 50 {
        return Some(format!(
            "no more than 50 items allowed [json-pointer:/blocks] ({})",
            blocks.len()
        ));
    }
    let too_long = |value: &Value, max: usize, at: String| {
        let length = value.as_str().map_or(0, |t| t.chars().count());
        (length > max).then(|| {
            format!(
                "must be less than {} characters [json-pointer:{at}]",
                max + 1
            )
        })
    };
    for (i, block) in blocks.iter().enumerate() {
        let limit = match block["type"].as_str() {
            Some("header") => 150,
            _ => 3000,
        };
        if let Some(problem) = too_long(
            &block["text"]["text"],
            limit,
            format!("/blocks/{i}/text/text"),
        ) {
            return Some(problem);
        }
        for (j, element) in block["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("/blocks/{i}/elements/{j}");
            let problem = match element["type"].as_str() {
                Some("button") => too_long(&element["text"]["text"], 75, format!("{at}/text/text")),
                Some("checkboxes") => element["options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .find_map(|(k, option)| {
                        too_long(
                            &option["text"]["text"],
                            75,
                            format!("{at}/options/{k}/text/text"),
                        )
                    }),
                _ => too_long(&element["text"], 2000, format!("{at}/text")),
            };
            if problem.is_some() {
                return problem;
            }
        }
    }
    None
}

/// A `response_url`: Slack answers `ok` and shows the message.
async fn hook(State(shared): State<Arc<Shared>>, Path(id): Path<u64>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(message) => {
            shared.record(|r| r.hooks.entry(id).or_default().push(message));
            Json(json!({ "ok": true })).into_response()
        }
        Err(_) => (axum::http::StatusCode::BAD_REQUEST, "invalid_payload").into_response(),
    }
}

async fn socket(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| connection(shared, socket))
}

/// One Socket Mode connection: `hello`, then envelopes out and acks in.
async fn connection(shared: Arc<Shared>, mut socket: WebSocket) {
    let hello = json!({
        "type": "hello",
        "num_connections": 1,
        "debug_info": { "host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060 },
        "connection_info": { "app_id": APP_ID },
    });
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let (sender, mut outbound) = mpsc::unbounded_channel::<String>();
    shared.record(|r| {
        r.sockets.push(sender);
        r.hellos += 1;
    });
    loop {
        tokio::select! {
            frame = outbound.recv() => match frame {
                Some(frame) => {
                    if socket.send(Message::Text(frame.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ack) = serde_json::from_str::<Value>(text.as_str()) {
                        if let Some(id) = ack["envelope_id"].as_str() {
                            let id = id.to_string();
                            shared.record(|r| r.acks.entry(id).or_default().push(ack));
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
        }
    }
}
