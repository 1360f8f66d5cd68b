//! Slack end to end: the real slack-morphism client and the bot's own HTTP
//! listener against the loopback Slack in `fake_slack`, scores in a real
//! Postgres.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use quizbot::bank::Question;
use quizbot::config::{Config, Locale, SlackSettings};
use quizbot::content::{Content, SharedContent};
use quizbot::daily::{DailyPost, DeliveryFailure, ScheduleError};
use quizbot::i18n::Texts;
use quizbot::identity::{ExternalId, Platform};
use quizbot::ops::Ops;
use quizbot::quiz::{local_day, Period};
use quizbot::refusal::Refusal;
use quizbot::scheduler::Scheduler;
use quizbot::service::{Service, ServiceSettings};
use quizbot::slack::daily::SlackChannels;
use quizbot::slack::{self, SlackApp};
use quizbot::store::{BoardQuery, Store};

use super::fake_slack::{
    action_ids, assert_contains, message_text, FakeSlack, FakeUser, CHANNEL, PATIENCE, TEAM,
};
use super::support::{decode_png, write_tree, TestDatabase};

const ALICE: &str = "U0ALICE01";
const BOB: &str = "U0BOB0001";
const ADMIN: &str = "U0ADMIN01";
const LISTED: &str = "U0LISTED1";

const EC2_BANK: &str = r#"
[topic]
id = "ec2"
name = "Amazon EC2"

[[question]]
id = "ec2-spot"
prompt = "Which purchase option runs interruptible batch jobs on spare capacity for the lowest price?"
choices = ["On-Demand Instances", "Spot Instances", "Reserved Instances", "Dedicated Hosts"]
answer = 1
explanation = "Spot Instances use spare EC2 capacity at a steep discount; AWS may interrupt them."
source = "ec2.md#Spot Instances"
difficulty = "easy"

[[question]]
id = "ec2-ami"
prompt = "Which template holds the operating system and software an EC2 instance starts from?"
choices = ["Key pair", "Security group", "EBS snapshot", "AMI (Amazon Machine Image)"]
answer = 3
explanation = "An AMI is the image an instance is launched from: operating system, software, settings."
source = "ec2.md#AMI"
difficulty = "easy"
"#;

const STORAGE_BANK: &str = r#"
[topic]
id = "storage"
name = "Storage"

[[question]]
id = "storage-instance-store"
prompt = "Which two statements about the EC2 instance store are true? (choose two)"
choices = ["Data survives stopping the instance", "It is block storage attached to the host", "It can be detached and attached elsewhere", "Data is lost when the instance stops"]
answers = [1, 3]
explanation = "The instance store is temporary block storage on the host; stopping the instance erases it."
source = "storage.md#Instance Store"
difficulty = "medium"
"#;

const EC2_NOTES: &str = "# Amazon EC2\n\n## Spot Instances\n- Spot Instances run on spare EC2 capacity at up to 90% off.\n- AWS can interrupt them with a two-minute warning, so they suit interruptible batch jobs.\n\n## AMI\n- An AMI is the template an instance starts from: operating system, software and settings.\n";

const STORAGE_NOTES: &str = "# Storage\n\n## Instance Store\n- The instance store is temporary block storage physically attached to the host.\n- Its data is lost when the instance stops or terminates.\n";

fn texts() -> Texts {
    Texts::new(Locale::Korean)
}

/// The bot running against a fake Slack, until dropped.
struct Running {
    fake: FakeSlack,
    store: Store,
    content: SharedContent,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), String>>>,
    /// The operator's `QUIZBOT_TIMEZONE`: new workspaces get it.
    zone: chrono_tz::Tz,
    _db: TestDatabase,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Starts the fake and the bot in Socket Mode; returns once connected.
    async fn socket_mode(admins: &[&str]) -> Running {
        Running::socket_mode_in(admins, chrono_tz::Asia::Seoul).await
    }

    /// The same, with new workspaces in `zone`.
    async fn socket_mode_in(admins: &[&str], zone: chrono_tz::Tz) -> Running {
        let fake = FakeSlack::start().await;
        let settings = SlackSettings {
            admins: admins.iter().map(|a| a.to_string()).collect(),
            ..fake.socket_settings()
        };
        let mut running = Running::prepare(fake).await;
        running.zone = zone;
        let task = running
            .fake
            .run_bot(settings, running.bot(), running.shutdown.clone())
            .await;
        running.task = Some(tokio::spawn(async move {
            task.await
                .expect("the Slack task did not panic")
                .map_err(|err| err.to_string())
        }));
        running
    }

    async fn prepare(fake: FakeSlack) -> Running {
        for user in [
            FakeUser::member(ALICE, "Alice Kim"),
            FakeUser::member(BOB, "<!channel> Bob"),
            FakeUser::admin(ADMIN, "Admin Park"),
            FakeUser::member(LISTED, "Listed Lee"),
        ] {
            fake.add_user(user);
        }
        let dir = write_tree(&[
            ("questions/ec2.toml", EC2_BANK),
            ("questions/storage.toml", STORAGE_BANK),
            ("notes/ec2.md", EC2_NOTES),
            ("notes/storage.md", STORAGE_NOTES),
        ]);
        let (content, _) = Content::load(&dir.path().join("questions"), &dir.path().join("notes"))
            .unwrap_or_else(|err| panic!("test content does not load: {err}"));
        let db = TestDatabase::postgres().await;
        let store = db.store().await;
        Running {
            fake,
            store,
            content: SharedContent::new(content),
            shutdown: CancellationToken::new(),
            task: None,
            zone: chrono_tz::Asia::Seoul,
            _db: db,
            _dir: dir,
        }
    }

    fn bot(&self) -> Service {
        Service::new(
            self.content.clone(),
            self.store.clone(),
            ServiceSettings {
                locale: Locale::Korean,
                time_zone: self.zone,
                daily_tick: std::time::Duration::from_millis(200),
                seed: None,
                live: quizbot::live::LiveTimings::default(),
            },
        )
    }

    /// Serves the bot's HTTP listener (Slack's HTTP mode) as `quizbot
    /// serve` does, with `settings`, on a loopback port; returns its
    /// address once it answers.
    async fn serve_http(&mut self, settings: SlackSettings) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let (app, shutdown) = (self.bot(), self.shutdown.clone());
        self.task = Some(tokio::spawn(async move {
            let config = Config {
                slack: settings,
                ..Config::default()
            };
            quizbot::serve::run_on(listener, config, app, shutdown)
                .await
                .map_err(|err| err.to_string())
        }));
        wait_ready(&addr).await;
        addr
    }

    /// Stops the bot and checks it stopped cleanly.
    async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the Slack bot stops within 10 s of shutdown")
                .expect("the Slack task did not panic");
            assert!(result.is_ok(), "the Slack bot ended with {result:?}");
        }
    }

    /// A daily scheduler of its own on the bot's store, posting through
    /// the same Slack code as the bot's, for ticks at simulated times.
    async fn scheduler(&self) -> Scheduler<SlackChannels> {
        let app = SlackApp::connect(&self.fake.socket_settings(), self.bot())
            .await
            .expect("connect to the fake Slack");
        Scheduler::new(
            Platform::Slack,
            self.bot(),
            SlackChannels::new(Arc::new(app)),
        )
    }

    /// The delivery failure recorded for `channel`'s schedule, once there
    /// is one (the bot's scheduler ticks every 10 s).
    async fn failure_of(&self, channel: &str) -> DeliveryFailure {
        eventually(&format!("a failure recorded for {channel}"), || async {
            self.store
                .schedules(Some(Platform::Slack), None)
                .await
                .expect("read schedules")
                .into_iter()
                .find(|s| s.channel == channel)
                .and_then(|s| s.failure)
        })
        .await
    }

    /// A daily post once the store has noted it sent (Slack has the
    /// message a moment before).
    async fn posted(&self, post_id: i64) -> DailyPost {
        eventually(&format!("post {post_id} noted as sent"), || async {
            self.store
                .daily_post(post_id)
                .await
                .expect("read post")
                .map(|(post, _)| post)
                .filter(|post| post.message_id.is_some())
        })
        .await
    }

    /// The correct choices of the question a card shows, from the database.
    async fn correct_choices(&self, card: &Value) -> Vec<usize> {
        let (session_id, position) = session_of(card);
        let session = self
            .store
            .session(session_id)
            .await
            .expect("read session")
            .expect("the card's session exists");
        let content = self.content.current();
        let question = content
            .bank
            .question(&session.question_ids[position])
            .expect("the card's question is in the bank");
        question.correct.clone()
    }

    /// All-time points of `user` on this team's leaderboard.
    async fn points_of(&self, user: &str) -> Option<i64> {
        let community = self
            .store
            .find_community(Platform::Slack, &ExternalId::new(TEAM))
            .await
            .expect("read community")?;
        let player = self
            .store
            .find_player(&community, &ExternalId::new(user))
            .await
            .expect("read player")?;
        let query = BoardQuery {
            community_id: community.id,
            period: Period::AllTime,
            topic: None,
            today: local_day(chrono::Utc::now(), community.time_zone),
            time_zone: community.time_zone,
            periods_since: community.periods_since,
            limit: 10,
        };
        self.store
            .rank_of(&query, player.id)
            .await
            .expect("read rank")
            .map(|r| r.entry.points)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// (session, position) from a card's first `q:` action id.
fn session_of(card: &Value) -> (i64, usize) {
    let id = action_ids(card)
        .into_iter()
        .find(|id| id.starts_with("q:"))
        .unwrap_or_else(|| panic!("no quiz button in {card:#}"));
    let parts: Vec<&str> = id.split(':').collect();
    (
        parts[1].parse().expect("session id"),
        parts[2].parse().expect("position"),
    )
}

/// Polls `check` until it finds something, for at most [`PATIENCE`].
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    check: impl Fn() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The daily post's id from its first `d:` action id.
fn daily_post_of(post: &Value) -> i64 {
    let id = action_ids(post)
        .into_iter()
        .find(|id| id.starts_with("d:"))
        .unwrap_or_else(|| panic!("no daily button in {post:#}"));
    id.split(':')
        .nth(1)
        .expect("post id")
        .parse()
        .expect("post id")
}

/// The local time of day now in `zone`, as an admin types it.
fn time_now_in(zone: chrono_tz::Tz) -> String {
    chrono::Utc::now()
        .with_timezone(&zone)
        .format("%H:%M")
        .to_string()
}

/// The results' line for one choice, worded as on every platform.
fn spread_line(choice: usize, count: usize, answered: usize, right: bool) -> String {
    texts().choice_spread(Question::letter(choice), count, answered, right)
}

/// "Choose two" submitted with one box ticked: refused privately, the
/// card left as it is.
fn assert_one_box_refused(reply: &Value) {
    assert_eq!(reply["replace_original"], false, "the card stays");
    assert_contains(
        reply,
        &texts().refusal(&Refusal::WrongCount { expected: 2 }),
    );
}

/// Signs `body` sent at `timestamp` as Slack does: `v0=` and the hex of
/// HMAC-SHA256 over `v0:timestamp:body` (the bot checks it with
/// slack-morphism's verifier).
fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn the_test_signer_matches_slacks_documented_example() {
    // From Slack's "Verifying requests from Slack".
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let timestamp = "1531420618";
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign(secret, timestamp, body.as_bytes()),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_goes_from_card_to_feedback_to_next_to_summary() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;

    // Act: /quiz ec2 2
    let card = fake.command(ALICE, "/quiz", "ec2 2").await;

    assert_eq!(card["response_type"], "ephemeral", "{card:#}");
    let (session_id, position) = session_of(&card);
    assert_eq!(position, 0);
    assert_contains(&card, "Amazon EC2 · ");
    assert_contains(&card, &texts().progress(0, 2));
    let buttons = action_ids(&card);
    assert_eq!(buttons.len(), 4, "one button per choice: {buttons:?}");

    // Act: click the right answer.
    let right = bot.correct_choices(&card).await[0];
    let feedback = fake
        .click(ALICE, &card, &format!("q:{session_id}:0:{right}"), &[])
        .await;

    assert_eq!(
        feedback["replace_original"], true,
        "the card turns into the feedback"
    );
    assert_contains(&feedback, texts().correct());
    assert_contains(&feedback, texts().explanation());
    assert_contains(&feedback, "ec2.md › Amazon EC2 &gt; ");
    assert_contains(&feedback, &texts().points_won(10, false));
    assert_eq!(
        action_ids(&feedback),
        [
            format!("q:{session_id}:0:next"),
            format!("q:{session_id}:0:flag")
        ]
    );
    assert_contains(&feedback, texts().next_button());

    // Act: Next, then a wrong answer on the second (last) question.
    let second = fake
        .click(ALICE, &feedback, &format!("q:{session_id}:0:next"), &[])
        .await;
    assert_contains(&second, &texts().progress(1, 2));
    let right = bot.correct_choices(&second).await[0];
    let wrong = (right + 1) % 4;
    let feedback = fake
        .click(ALICE, &second, &format!("q:{session_id}:1:{wrong}"), &[])
        .await;
    assert_contains(&feedback, texts().wrong());
    // The feedback replaces the card: the answer given is spelled out,
    // not only its letter.
    let letter = char::from(b'A' + wrong as u8);
    let given = format!("*{}:* {letter}) ", texts().your_answer());
    let line = message_text(&feedback)
        .lines()
        .find(|l| l.starts_with(&given))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no `{given}` line: {}", message_text(&feedback)));
    assert!(
        line.len() > given.len() + 3,
        "the choice's text follows: {line}"
    );
    // The last answer's feedback ends with the summary, as on Discord.
    let summary = feedback;

    assert_contains(&summary, texts().summary_title());
    assert_contains(&summary, &texts().summary_line(1, 2, 0.5, 10));
    assert_eq!(
        action_ids(&summary),
        [format!("q:{session_id}:1:flag")],
        "after the summary only 🚩 is left"
    );
    let answers = bot
        .store
        .session_answers(session_id)
        .await
        .expect("read answers");
    let graded: Vec<(usize, bool, i64)> = answers
        .iter()
        .map(|a| (a.position, a.correct, a.points))
        .collect();
    assert_eq!(graded, [(0, true, 10), (1, false, 0)]);
    let session = bot
        .store
        .session(session_id)
        .await
        .expect("read session")
        .expect("session");
    assert!(session.finished_at.is_some(), "the session is finished");
    assert_eq!(bot.points_of(ALICE).await, Some(10));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choose_two_is_answered_with_checkboxes_and_submit() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;

    let card = fake.command(ALICE, "/quiz", "storage").await;
    let (session_id, _) = session_of(&card);
    assert_eq!(
        action_ids(&card),
        [
            format!("q:{session_id}:0:pick"),
            format!("q:{session_id}:0:submit")
        ]
    );
    assert_contains(&card, &texts().choose_n(2));

    // Act: submit with one box ticked: refused privately, nothing recorded.
    let refused = fake
        .click(ALICE, &card, &format!("q:{session_id}:0:submit"), &["1"])
        .await;
    assert_one_box_refused(&refused);
    assert!(bot
        .store
        .session_answers(session_id)
        .await
        .expect("answers")
        .is_empty());

    // Act: submit with both right boxes ticked.
    let feedback = fake
        .click(
            ALICE,
            &card,
            &format!("q:{session_id}:0:submit"),
            &["1", "3"],
        )
        .await;

    assert_contains(&feedback, texts().correct());
    assert_contains(&feedback, "storage.md › Storage &gt; Instance Store");
    let answers = bot
        .store
        .session_answers(session_id)
        .await
        .expect("answers");
    assert_eq!(answers.len(), 1);
    assert_eq!(
        (answers[0].choices.clone(), answers[0].correct),
        (vec![1, 3], true)
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaderboard_is_public_names_are_never_mentions_and_stats_name_a_user() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;
    for (user, right) in [(ALICE, true), (BOB, true)] {
        let card = fake.command(user, "/quiz", "ec2 1").await;
        let (session_id, _) = session_of(&card);
        let correct = bot.correct_choices(&card).await[0];
        let choice = if right { correct } else { (correct + 1) % 4 };
        fake.click(user, &card, &format!("q:{session_id}:0:{choice}"), &[])
            .await;
    }

    // Act
    let board = fake.command(BOB, "/leaderboard", "all").await;

    assert_eq!(board["response_type"], "in_channel", "{board:#}");
    let text = message_text(&board);
    assert!(
        text.contains(&texts().leaderboard_title(Period::AllTime, None)),
        "{text}"
    );
    let alice = text
        .find("Alice Kim")
        .unwrap_or_else(|| panic!("Alice on the board:\n{text}"));
    let bob = text
        .find("&lt;!channel&gt; Bob")
        .unwrap_or_else(|| panic!("Bob, escaped, on the board:\n{text}"));
    assert!(
        alice < bob,
        "equal points, the first to score first:\n{text}"
    );
    assert!(
        !text.contains("<!channel>"),
        "a name must not become a mention:\n{text}"
    );
    assert!(
        text.contains(&texts().your_rank(1, 10)),
        "tied at the top: {text}"
    );

    let stats = fake
        .command(BOB, "/quiz-stats", &format!("<@{ALICE}|alice>"))
        .await;
    assert_eq!(stats["response_type"], "ephemeral");
    assert_contains(&stats, &texts().stats_title("Alice Kim"));
    assert_contains(&stats, &texts().stats_totals(1, 1, 10));
    // The chart cannot be private in a channel: it goes to the caller's
    // direct message, through the files.uploadV2 steps.
    assert_contains(&stats, texts().slack_chart_in_dm());
    let chart = fake.wait_shared_file(&fake.dm_of(BOB)).await;
    assert_eq!(chart.filename, "stats.png");
    assert_eq!(
        chart.title.as_deref(),
        Some(texts().stats_title("Alice Kim").as_str())
    );
    let (width, height, colours) = decode_png(chart.bytes.as_deref().expect("uploaded bytes"));
    assert!(
        (600..=2000).contains(&width) && (300..=2000).contains(&height),
        "a chart of {width}×{height}"
    );
    assert!(colours > 8, "a chart of {colours} colours is blank");
    assert!(
        fake.channel_messages(CHANNEL).is_empty(),
        "nothing of the record is posted in the channel"
    );

    // A direct message that refuses the file: the member is told, privately.
    fake.close_channel(&fake.dm_of(ALICE), "restricted_action");
    let (envelope, hook) = fake.command_envelope(ALICE, "/quiz-stats", "");
    let ack = fake.send_envelope(&envelope).await;
    assert_contains(&ack["payload"], texts().slack_chart_in_dm());
    let notice = fake.hook_post(hook, 0).await;
    assert_eq!(notice["response_type"], "ephemeral");
    assert_contains(&notice, texts().slack_chart_not_sent());

    let unknown = fake.command(BOB, "/leaderboard", "week nosuchtopic").await;
    assert_eq!(unknown["response_type"], "ephemeral");
    assert_contains(&unknown, "nosuchtopic");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_are_refused_to_members() {
    let bot = Running::socket_mode(&[LISTED]).await;
    let fake = &bot.fake;

    let refused = fake.command(ALICE, "/quiz-admin", "reload").await;
    let by_workspace_admin = fake.command(ADMIN, "/quiz-admin", "reload").await;
    let by_listed_admin = fake.command(LISTED, "/quiz-admin", "reload").await;

    assert_eq!(refused["response_type"], "ephemeral");
    assert_contains(&refused, &texts().refusal(&Refusal::AdminOnly));
    let reloaded = texts().reloaded(2, 3, 5, 0);
    let reloaded = reloaded.split(':').next().expect("reloaded text");
    assert_contains(&by_workspace_admin, reloaded);
    assert_contains(&by_listed_admin, reloaded);
    let asked: Vec<String> = fake
        .calls("users.info")
        .iter()
        .filter_map(|c| c.params["user"].as_str().map(str::to_string))
        .collect();
    assert!(
        asked.contains(&ADMIN.to_string()),
        "workspace admins are checked with users.info: {asked:?}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_click_does_not_score_twice() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;
    let card = fake.command(ALICE, "/quiz", "ec2 1").await;
    let (session_id, _) = session_of(&card);
    let right = bot.correct_choices(&card).await[0];
    let (envelope, hook) =
        fake.click_envelope(ALICE, &card, &format!("q:{session_id}:0:{right}"), &[]);

    // Act: Slack delivers the same envelope twice (the first ack was late).
    fake.send_envelope(&envelope).await;
    let mut retry = envelope.clone();
    retry["retry_attempt"] = json!(1);
    retry["retry_reason"] = json!("timeout");
    fake.send_envelope(&retry).await;

    // Both deliveries are acknowledged at once and handled side by side:
    // whichever records the answer scores it, the other shows it scored 0.
    let posts = [
        message_text(&fake.hook_post(hook, 0).await),
        message_text(&fake.hook_post(hook, 1).await),
    ];
    let scored = texts().points_won(10, false);
    let repeated = texts().points_won(0, false);
    let scored_once = posts.iter().filter(|p| p.contains(&scored)).count();
    let shown_again = posts.iter().filter(|p| p.contains(&repeated)).count();
    assert_eq!(
        (scored_once, shown_again),
        (1, 1),
        "one delivery scores 10, the other shows 0: {posts:#?}"
    );
    let answers = bot
        .store
        .session_answers(session_id)
        .await
        .expect("answers");
    assert_eq!(answers.len(), 1, "one answer row");
    assert_eq!(bot.points_of(ALICE).await, Some(10), "scored once");
    bot.stop().await;
}

/// Waits until `quizbot serve` at `addr` says it is ready (its Slack
/// routes are mounted once the bot token is checked).
async fn wait_ready(addr: &std::net::SocketAddr) {
    let started = std::time::Instant::now();
    loop {
        let request = hyper::Request::get(format!("http://{addr}/readyz"))
            .body(Full::new(Bytes::new()))
            .expect("request");
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        if let Ok(response) = client.request(request).await {
            if response.status() == 200 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "quizbot serve was not ready within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A signed (or not) POST to the bot's HTTP listener.
async fn post(url: &str, body: &str, timestamp: i64, signature: &str) -> (u16, String) {
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let request = hyper::Request::post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature)
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    send(request).await
}

/// Sends `request` to the bot's listener: the status and the body.
async fn send(request: hyper::Request<Full<Bytes>>) -> (u16, String) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = tokio::time::timeout(Duration::from_secs(15), client.request(request))
        .await
        .expect("the bot answers within 15 s")
        .expect("HTTP request");
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("response body")
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_serves_signed_requests_and_refuses_bad_and_stale_ones() {
    const SECRET: &str = "test-signing-secret";
    let fake = FakeSlack::start().await;
    let settings = fake.http_settings(SECRET);
    let mut bot = Running::prepare(fake).await;
    let addr = bot.serve_http(settings).await;
    let url = format!("http://{addr}/slack/commands");
    let (envelope, _) = bot.fake.command_envelope(ALICE, "/quiz", "ec2 1");
    let form: Vec<(String, String)> = envelope["payload"]
        .as_object()
        .expect("payload")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let now = chrono::Utc::now().timestamp();

    // Act: a wrong signature, and a correct one that is ten minutes old.
    let bad = post(
        &url,
        &body,
        now,
        &sign("wrong-secret", &now.to_string(), body.as_bytes()),
    )
    .await;
    let old = now - 600;
    let stale = post(
        &url,
        &body,
        old,
        &sign(SECRET, &old.to_string(), body.as_bytes()),
    )
    .await;

    assert_eq!(bad.0, 401, "bad signature: {bad:?}");
    assert_eq!(stale.0, 401, "stale request: {stale:?}");
    let community = bot
        .store
        .find_community(Platform::Slack, &ExternalId::new(TEAM))
        .await
        .expect("read");
    assert!(community.is_none(), "refused requests change nothing");

    // Act: the same command, signed now.
    let (status, reply) = post(
        &url,
        &body,
        now,
        &sign(SECRET, &now.to_string(), body.as_bytes()),
    )
    .await;

    assert_eq!(status, 200, "{reply}");
    let card: Value = serde_json::from_str(&reply).expect("a JSON reply");
    assert_eq!(card["response_type"], "ephemeral");
    let (session_id, _) = session_of(&card);
    assert!(
        bot.store.session(session_id).await.expect("read").is_some(),
        "the session is stored"
    );

    // Act: a click, delivered as Slack's interactivity request.
    let right = bot.correct_choices(&card).await[0];
    let (click, hook) =
        bot.fake
            .click_envelope(ALICE, &card, &format!("q:{session_id}:0:{right}"), &[]);
    let payload = click["payload"].to_string();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload)
        .finish();
    let interactivity = url.replace("/slack/commands", "/slack/interactivity");
    let (status, _) = post(
        &interactivity,
        &body,
        now,
        &sign(SECRET, &now.to_string(), body.as_bytes()),
    )
    .await;

    assert_eq!(status, 200);
    let feedback = bot.fake.hook_post(hook, 0).await;
    assert_contains(&feedback, texts().correct());
    assert_eq!(bot.points_of(ALICE).await, Some(10));

    // Act: Slack's Events API URL check.
    let check = json!({ "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" }).to_string();
    let events = url.replace("/slack/commands", "/slack/events");
    let (status, echoed) = post(
        &events,
        &check,
        now,
        &sign(SECRET, &now.to_string(), check.as_bytes()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        echoed.contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
        "{echoed}"
    );

    // The ops routes share Slack's port.
    let ops = |path: &str| url.replace("/slack/commands", path);
    assert_eq!(get(&ops("/healthz")).await, (200, "ok".to_string()));
    assert_eq!(get(&ops("/readyz")).await, (200, "ready".to_string()));
    let (status, metrics) = get(&ops("/metrics")).await;
    assert_eq!(status, 200);
    for series in [
        r#"quizbot_interactions_total{platform="slack",kind="command"}"#,
        r#"quizbot_interactions_total{platform="slack",kind="component"}"#,
        r#"quizbot_answers_total{platform="slack",mode="quiz",result="right"}"#,
    ] {
        assert!(metrics.contains(series), "{series} in:\n{metrics}");
    }
    bot.stop().await;
}

async fn get(url: &str) -> (u16, String) {
    let request = hyper::Request::get(url)
        .body(Full::new(Bytes::new()))
        .expect("request");
    send(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_bot_with_a_clear_error() {
    let fake = FakeSlack::start().await;
    let running = Running::prepare(fake).await;
    let wrong_app_token = SlackSettings {
        app_token: Some(secrecy::SecretString::from("xapp-1-revoked")),
        ..running.fake.socket_settings()
    };

    let result = tokio::time::timeout(
        Duration::from_secs(15),
        slack::run(
            &wrong_app_token,
            &Ops::new(running.bot()),
            running.bot(),
            running.shutdown.clone(),
        ),
    )
    .await
    .expect("a refused token fails at once, without retrying");

    let err = result.expect_err("the bot must not run with a refused app token");
    let message = err.to_string();
    assert!(
        message.contains("SLACK_APP_TOKEN") && message.contains("invalid_auth"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_question_is_posted_answered_privately_and_revealed_once() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;
    let time = time_now_in(chrono_tz::Asia::Seoul);

    // Act: an admin sets the daily question of this channel, due this minute.
    let saved = fake
        .command(
            ADMIN,
            "/quiz-admin",
            &format!("daily set {time} <#{CHANNEL}|aws-study> Asia/Seoul ec2 8h"),
        )
        .await;

    assert_eq!(saved["response_type"], "ephemeral");
    let schedule = bot
        .store
        .schedules(Some(Platform::Slack), Some(&ExternalId::new(TEAM)))
        .await
        .expect("read schedules")
        .pop()
        .expect("the schedule is stored");
    assert_eq!(
        (schedule.channel.as_str(), schedule.topics.clone()),
        (CHANNEL, vec!["ec2".to_string()])
    );
    assert_contains(
        &saved,
        &texts().schedule_settings(&schedule, chrono::Utc::now()),
    );
    assert_contains(&saved, texts().schedule_saved());
    assert_contains(&saved, &format!("<#{CHANNEL}>"));

    // The bot's own scheduler posts it on its next tick.
    let post = fake.channel_message(CHANNEL, 0).await;

    let post_id = daily_post_of(&post);
    let stored = bot.posted(post_id).await;
    assert_eq!(stored.message_id.as_deref(), post["ts"].as_str());
    let content = bot.content.current();
    let question = content
        .bank
        .question(&stored.question_id)
        .expect("the question is in the bank");
    assert_eq!(question.topic, "ec2");
    assert_contains(&post, texts().daily_title());
    assert_contains(&post, &format!("<!date^{}^", stored.reveal_at.timestamp()));
    assert_contains(&post, &texts().daily_footer());
    let buttons: Vec<String> = (0..4).map(|c| format!("d:{post_id}:{c}")).collect();
    assert_eq!(action_ids(&post), buttons);

    // Act: Alice answers right; Bob answers wrong, then tries again.
    let right = question.correct[0];
    let wrong = (right + 1) % question.choices.len();
    let alice = fake
        .click(ALICE, &post, &format!("d:{post_id}:{right}"), &[])
        .await;
    let bob = fake
        .click(BOB, &post, &format!("d:{post_id}:{wrong}"), &[])
        .await;
    let bob_again = fake
        .click(BOB, &post, &format!("d:{post_id}:{right}"), &[])
        .await;

    for feedback in [&alice, &bob, &bob_again] {
        assert_eq!(feedback["response_type"], "ephemeral", "{feedback:#}");
        assert_eq!(
            feedback["replace_original"], false,
            "the public post stays: {feedback:#}"
        );
    }
    assert_contains(&alice, texts().correct());
    assert_contains(&alice, &texts().daily_points(10, 1));
    assert_contains(&alice, "ec2.md › Amazon EC2 &gt; ");
    assert_contains(&bob, texts().wrong());
    assert_contains(
        &bob_again,
        &texts().already_answered(&Question::letter(wrong).to_string()),
    );
    assert_contains(&bob_again, texts().wrong());
    let answers = bot.store.daily_answers(post_id).await.expect("answers");
    let mut graded: Vec<(Vec<usize>, bool)> = answers
        .iter()
        .map(|a| (a.choices.clone(), a.correct))
        .collect();
    graded.sort();
    let mut expected = vec![(vec![right], true), (vec![wrong], false)];
    expected.sort();
    assert_eq!(graded, expected, "Bob's first answer stands");
    assert!(
        fake.calls("chat.update").is_empty(),
        "answers leave the post alone"
    );

    // Act: the reveal, at its time.
    let scheduler = bot.scheduler().await;
    let report = scheduler
        .tick(stored.reveal_at + quizbot::scheduler::REVEAL_GRACE)
        .await
        .expect("tick");

    assert_eq!(report.revealed, 1, "{report:?}");
    let messages = fake.channel_messages(CHANNEL);
    assert_eq!(messages.len(), 2, "the post and the results: {messages:#?}");
    let closed = &messages[0];
    assert!(closed["edited"].is_object(), "the post was updated");
    assert!(action_ids(closed).is_empty(), "no buttons after the reveal");
    assert_contains(closed, texts().daily_closed_footer());
    assert_contains(
        closed,
        &format!("*{})* {}", Question::letter(right), question.choices[right]),
    );
    let results = &messages[1];
    assert_eq!(results["thread_ts"], post["ts"], "a reply to the post");
    assert_eq!(results["reply_broadcast"], true, "also in the channel");
    assert_contains(results, texts().reveal_title());
    for choice in 0..question.choices.len() {
        let count = usize::from(choice == right) + usize::from(choice == wrong);
        assert_contains(results, &spread_line(choice, count, 2, choice == right));
    }
    assert_contains(results, &texts().turnout(2, 1));
    assert_contains(results, &texts().streak_line("Alice Kim", 1));
    assert_contains(results, &question.explanation);
    assert_eq!(
        action_ids(results),
        [format!("d:{post_id}:flag")],
        "the results carry 🚩"
    );

    // Act: a click on the old buttons after the reveal.
    let late = fake
        .click(LISTED, &post, &format!("d:{post_id}:{right}"), &[])
        .await;

    assert_contains(&late, &texts().refusal(&Refusal::DailyClosed));
    assert_eq!(
        bot.store
            .daily_answers(post_id)
            .await
            .expect("answers")
            .len(),
        2
    );
    let report = scheduler
        .tick(stored.reveal_at + chrono::Duration::minutes(5))
        .await
        .expect("tick");
    assert_eq!((report.posted, report.revealed), (0, 0), "{report:?}");
    assert_eq!(
        fake.calls("chat.postMessage").len(),
        2,
        "one post, one results"
    );
    assert_eq!(fake.calls("chat.update").len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_admin_commands_choose_two_a_closed_channel_and_a_deleted_post() {
    const CLOSED: &str = "C0CLOSED1";
    let bot = Running::socket_mode(&[LISTED]).await;
    let fake = &bot.fake;
    fake.close_channel(CLOSED, "not_in_channel");

    // Act: a member, then admins with settings that cannot be used.
    let member = fake.command(ALICE, "/quiz-admin", "daily show").await;
    let empty = fake.command(LISTED, "/quiz-admin", "daily show").await;
    let bad_time = fake.command(ADMIN, "/quiz-admin", "daily set 25:00").await;
    let bad_topic = fake
        .command(ADMIN, "/quiz-admin", "daily set 09:00 nosuchtopic")
        .await;
    let plain_channel = fake
        .command(ADMIN, "/quiz-admin", "daily set 09:00 #aws-study")
        .await;
    let usage = fake.command(ADMIN, "/quiz-admin", "daily").await;

    assert_contains(&member, &texts().refusal(&Refusal::AdminOnly));
    assert_contains(&empty, texts().no_schedules());
    assert_contains(
        &bad_time,
        &texts().refusal(&Refusal::Schedule(ScheduleError::Time("25:00".into()))),
    );
    assert_contains(&bad_topic, "nosuchtopic");
    assert_contains(
        &plain_channel,
        &texts().slack_unreadable_channel("#aws-study"),
    );
    assert_contains(&usage, "/quiz-admin daily set HH:MM");
    assert!(
        bot.store
            .schedules(None, None)
            .await
            .expect("read schedules")
            .is_empty(),
        "nothing was set"
    );

    // Act: "choose two" in this channel (the default), named settings;
    // and a channel the bot is not in.
    let berlin = time_now_in(chrono_tz::Europe::Berlin);
    let seoul = time_now_in(chrono_tz::Asia::Seoul);
    let set = fake
        .command(
            ADMIN,
            "/quiz-admin",
            &format!("daily set time={berlin} tz=Europe/Berlin topics=storage reveal=90m"),
        )
        .await;
    fake.command(
        ADMIN,
        "/quiz-admin",
        &format!("daily set {seoul} <#{CLOSED}|old-study>"),
    )
    .await;

    assert_contains(&set, &format!("<#{CHANNEL}>"));
    assert_contains(&set, "Europe/Berlin");
    let post = fake.channel_message(CHANNEL, 0).await;
    let post_id = daily_post_of(&post);
    assert_eq!(
        action_ids(&post),
        [format!("d:{post_id}:pick"), format!("d:{post_id}:submit")]
    );
    assert_contains(&post, &texts().choose_n(2));
    let failure = bot.failure_of(CLOSED).await;
    assert!(failure.error.contains("not_in_channel"), "{failure:?}");
    let show = fake.command(ADMIN, "/quiz-admin", "daily show").await;
    for schedule in bot
        .store
        .schedules(Some(Platform::Slack), None)
        .await
        .expect("read schedules")
    {
        let link = format!("<#{}>", schedule.channel);
        assert_contains(
            &show,
            &texts().schedule_settings(&schedule, chrono::Utc::now()),
        );
        assert_contains(&show, &link);
        assert_contains(
            &show,
            &texts().schedule_failure(&schedule).unwrap_or_default(),
        );
    }

    // Act: one box ticked, then Alice right and Bob wrong.
    let one_box = fake
        .click(ALICE, &post, &format!("d:{post_id}:submit"), &["1"])
        .await;
    assert_one_box_refused(&one_box);
    assert!(bot
        .store
        .daily_answers(post_id)
        .await
        .expect("answers")
        .is_empty());
    let alice = fake
        .click(ALICE, &post, &format!("d:{post_id}:submit"), &["1", "3"])
        .await;
    let bob = fake
        .click(BOB, &post, &format!("d:{post_id}:submit"), &["0", "2"])
        .await;

    assert_contains(&alice, texts().correct());
    assert_contains(&alice, "storage.md › Storage &gt; Instance Store");
    assert_contains(&bob, texts().wrong());

    // Act: someone deletes the post; the reveal comes.
    let ts = post["ts"].as_str().expect("post ts");
    fake.delete_message(CHANNEL, ts);
    let stored = bot.posted(post_id).await;
    let report = bot
        .scheduler()
        .await
        .tick(stored.reveal_at + quizbot::scheduler::REVEAL_GRACE)
        .await
        .expect("tick");

    assert_eq!(report.revealed, 1, "{report:?}");
    let messages = fake.channel_messages(CHANNEL);
    assert_eq!(messages.len(), 1, "only the results: {messages:#?}");
    let results = &messages[0];
    assert!(results["thread_ts"].is_null(), "no thread to reply in");
    for choice in 0..4 {
        assert_contains(results, &spread_line(choice, 1, 2, choice % 2 == 1));
    }
    assert_contains(results, &texts().turnout(2, 1));

    // Act: off in one channel, then everywhere.
    let off_one = fake
        .command(
            ADMIN,
            "/quiz-admin",
            &format!("daily off <#{CLOSED}|old-study>"),
        )
        .await;
    let off_rest = fake.command(ADMIN, "/quiz-admin", "daily off").await;
    let show = fake.command(ADMIN, "/quiz-admin", "daily show").await;

    assert_contains(&off_one, &texts().schedules_off(1));
    assert_contains(&off_rest, &texts().schedules_off(1));
    let schedules = bot
        .store
        .schedules(Some(Platform::Slack), None)
        .await
        .expect("read schedules");
    assert_eq!(schedules.len(), 2);
    for schedule in &schedules {
        assert!(!schedule.enabled, "{schedule:?}");
        let link = format!("<#{}>", schedule.channel);
        assert_contains(
            &show,
            &texts().schedule_settings(schedule, chrono::Utc::now()),
        );
        assert_contains(&show, &link);
        assert_contains(
            &show,
            &texts().schedule_failure(schedule).unwrap_or_default(),
        );
    }
    bot.stop().await;
}

#[test]
fn the_manifest_declares_every_command_and_socket_mode() {
    let manifest =
        std::fs::read_to_string(super::support::root().join("deploy/slack/manifest.yaml"))
            .expect("deploy/slack/manifest.yaml");
    for command in ["/quiz", "/leaderboard", "/quiz-stats", "/quiz-admin"] {
        assert!(
            manifest.contains(&format!("- command: {command}\n")),
            "the manifest lacks {command}"
        );
    }
    assert!(
        manifest.contains("usage_hint: \"reload | daily set HH:MM"),
        "the /quiz-admin hint names the daily question"
    );
    for setting in [
        "socket_mode_enabled: true",
        "is_enabled: true",
        "- commands",
        "- chat:write",
        "- users:read",
    ] {
        assert!(manifest.contains(setting), "the manifest lacks `{setting}`");
    }
}

/// What Slack once did differently from Discord: a schedule's default zone
/// was Seoul whatever `QUIZBOT_TIMEZONE` said, topics went by id only, and
/// the "see results" button had a wording of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_follows_the_same_rules_as_discord() {
    let bot = Running::socket_mode_in(&[], chrono_tz::Europe::Paris).await;
    let fake = &bot.fake;

    let saved = fake.command(ADMIN, "/quiz-admin", "daily set 09:00").await;
    let by_name = fake.command(ALICE, "/quiz", "amazon ec2 1").await;
    let board = fake.command(BOB, "/leaderboard", "all Amazon EC2").await;

    assert_contains(&saved, texts().schedule_saved());
    let schedule = bot
        .store
        .schedules(Some(Platform::Slack), Some(&ExternalId::new(TEAM)))
        .await
        .expect("read schedules")
        .pop()
        .expect("the schedule is stored");
    assert_eq!(
        schedule.time_zone,
        chrono_tz::Europe::Paris,
        "no zone given: the workspace's, which is the operator's default"
    );
    let (_, position) = session_of(&by_name);
    assert_eq!(position, 0, "a topic named by its name starts a quiz");
    assert_contains(&by_name, "Amazon EC2");
    assert_contains(
        &board,
        &texts().leaderboard_title(Period::AllTime, Some("Amazon EC2")),
    );
    let right = bot.correct_choices(&by_name).await;
    let (session, _) = session_of(&by_name);
    let feedback = fake
        .click(ALICE, &by_name, &format!("q:{session}:0:{}", right[0]), &[])
        .await;
    assert_contains(&feedback, texts().summary_title());
    assert_eq!(
        action_ids(&feedback),
        [format!("q:{session}:0:flag")],
        "no Next after the summary, only 🚩: {feedback:#}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_brings_back_the_misses_first_and_scores_nothing() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;

    // Nothing to review yet: the reply offers a quiz, which starts one.
    let nothing = fake.command(ALICE, "/quiz", "review").await;
    assert_eq!(nothing["response_type"], "ephemeral");
    assert_contains(&nothing, &texts().nothing_due(None));
    assert_eq!(action_ids(&nothing), ["start"]);
    let offered = fake.click(ALICE, &nothing, "start", &[]).await;
    assert_eq!(offered["replace_original"], true);
    session_of(&offered);

    // Both EC2 questions missed.
    let mut card = fake.command(ALICE, "/quiz", "ec2 2").await;
    let (quiz_session, _) = session_of(&card);
    for position in 0..2 {
        let right = bot.correct_choices(&card).await[0];
        let wrong = (right + 1) % 4;
        let feedback = fake
            .click(
                ALICE,
                &card,
                &format!("q:{quiz_session}:{position}:{wrong}"),
                &[],
            )
            .await;
        assert_contains(&feedback, texts().wrong());
        if position == 0 {
            card = fake
                .click(ALICE, &feedback, &format!("q:{quiz_session}:0:next"), &[])
                .await;
        } else {
            assert_contains(&feedback, "틀린 2문제는");
        }
    }
    let missed = bot
        .store
        .session(quiz_session)
        .await
        .expect("session")
        .expect("session")
        .question_ids;

    // /quiz review: those two, in the order missed, then the one question
    // never answered (choose two, with checkboxes); no points.
    let card = fake.command(ALICE, "/quiz", "review 3").await;
    let (review_session, _) = session_of(&card);
    let session = bot
        .store
        .session(review_session)
        .await
        .expect("session")
        .expect("session");
    assert!(session.review);
    assert_eq!(session.question_ids[..2], missed[..]);
    assert_eq!(session.question_ids[2], "storage-instance-store");
    assert_contains(&card, texts().review_title());
    assert_contains(&card, texts().review_footer());
    let mut card = card;
    for position in 0..3 {
        let right = bot.correct_choices(&card).await;
        let feedback = if right.len() == 1 {
            fake.click(
                ALICE,
                &card,
                &format!("q:{review_session}:{position}:{}", right[0]),
                &[],
            )
            .await
        } else {
            let checked: Vec<String> = right.iter().map(usize::to_string).collect();
            let checked: Vec<&str> = checked.iter().map(String::as_str).collect();
            fake.click(
                ALICE,
                &card,
                &format!("q:{review_session}:{position}:submit"),
                &checked,
            )
            .await
        };
        assert_contains(&feedback, texts().correct());
        assert_contains(&feedback, texts().review_scored());
        if position < 2 {
            card = fake
                .click(
                    ALICE,
                    &feedback,
                    &format!("q:{review_session}:{position}:next"),
                    &[],
                )
                .await;
        }
    }
    let answers = bot
        .store
        .session_answers(review_session)
        .await
        .expect("answers");
    assert_eq!(answers.iter().map(|a| a.points).sum::<i64>(), 0);
    assert!(answers.iter().all(|a| a.correct));
    assert_eq!(bot.points_of(ALICE).await, Some(0));

    // Stats: the accuracy counts the review, and the queue is shown.
    let stats = fake.command(ALICE, "/quiz-stats", "").await;
    assert_contains(&stats, &texts().stats_totals(5, 3, 0));
    assert_contains(&stats, "복습: 지금 0문제");
    assert_contains(&stats, "약한 주제: Amazon EC2 50%");

    // /quiz weak: a quiz of that topic.
    let weak = fake.command(ALICE, "/quiz", "weak 1").await;
    let (weak_session, _) = session_of(&weak);
    let session = bot
        .store
        .session(weak_session)
        .await
        .expect("session")
        .expect("session");
    assert!(!session.review);
    assert!(session.question_ids[0].starts_with("ec2-"), "{session:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reports_a_question_from_a_modal_and_an_admin_resolves_it() {
    let bot = Running::socket_mode(&[]).await;
    let fake = &bot.fake;

    let card = fake.command(ALICE, "/quiz", "ec2 1").await;
    let (session_id, _) = session_of(&card);
    let right = bot.correct_choices(&card).await[0];
    let feedback = fake
        .click(ALICE, &card, &format!("q:{session_id}:0:{right}"), &[])
        .await;
    let flag = format!("q:{session_id}:0:flag");
    assert!(action_ids(&feedback).contains(&flag), "{feedback:#}");

    // 🚩 opens the report form.
    let (envelope, _) = fake.click_envelope(ALICE, &feedback, &flag, &[]);
    fake.send_envelope(&envelope).await;
    let opened = eventually("views.open", || async {
        fake.calls("views.open").into_iter().next()
    })
    .await;
    let view = opened.params["view"].clone();
    assert_eq!(view["type"], "modal");
    assert_eq!(view["callback_id"], "report");
    let reasons: Vec<&str> = view["blocks"][1]["element"]["options"]
        .as_array()
        .expect("radio options")
        .iter()
        .filter_map(|o| o["value"].as_str())
        .collect();
    assert_eq!(reasons, ["answer", "explanation", "ambiguous", "other"]);

    // Sending it files the report and thanks the member in the channel.
    fake.submit_view(
        ALICE,
        &view,
        ("reason", "ambiguous"),
        ("details", "두 보기가 모두 맞는 것 같아요"),
    )
    .await;
    let thanks = eventually("chat.postEphemeral", || async {
        fake.calls("chat.postEphemeral").into_iter().next()
    })
    .await;
    assert_eq!(thanks.params["user"], ALICE);
    assert_eq!(thanks.params["channel"], CHANNEL);
    assert!(
        thanks.params.to_string().contains(texts().report_thanks()),
        "{}",
        thanks.params
    );

    // A member may not list them; an admin lists and resolves.
    let refused = fake.command(ALICE, "/quiz-admin", "reports").await;
    assert_contains(&refused, &texts().refusal(&Refusal::AdminOnly));
    let question = bot
        .store
        .session(session_id)
        .await
        .expect("session")
        .expect("session")
        .question_ids[0]
        .clone();
    let listed = fake.command(ADMIN, "/quiz-admin", "reports").await;
    assert_contains(
        &listed,
        &texts().reported_question(
            &question,
            1,
            1,
            &[(quizbot::report::ReportReason::Ambiguous, 1)],
        ),
    );
    assert_contains(&listed, "두 보기가 모두 맞는 것 같아요");
    let resolved = fake
        .command(
            ADMIN,
            "/quiz-admin",
            &format!("reports resolve {question} 보기 수정"),
        )
        .await;
    assert_contains(&resolved, &texts().reports_resolved(&question, 1));
    let open = fake.command(ADMIN, "/quiz-admin", "reports").await;
    assert_contains(&open, texts().reports_none(false));
    bot.stop().await;
}

/// Sends `fast` to `addr` at once, then `slow` 8 bytes every half second,
/// and returns how long the server took to answer or close, with what it
/// sent back.
async fn slow_client(addr: std::net::SocketAddr, fast: &str, slow: &str) -> (Duration, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let started = std::time::Instant::now();
    let (fast, slow) = (fast.as_bytes().to_vec(), slow.as_bytes().to_vec());
    let writing = tokio::spawn(async move {
        if writer.write_all(&fast).await.is_err() {
            return;
        }
        for chunk in slow.chunks(8) {
            if writer.write_all(chunk).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // Then hold the connection open, sending nothing more.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(writer);
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut answer)).await;
    writing.abort();
    assert!(read.is_ok(), "the server held a slow client for 30 s");
    (
        started.elapsed(),
        String::from_utf8_lossy(&answer).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_cuts_off_slow_clients_and_serves_the_others() {
    let fake = FakeSlack::start().await;
    let settings = fake.http_settings("test-signing-secret");
    let mut bot = Running::prepare(fake).await;
    let addr = bot.serve_http(settings).await;

    // Headers 8 bytes at a time, never finished; and a body shorter than
    // its Content-Length.
    let endless_headers = tokio::spawn(slow_client(
        addr,
        "",
        "POST /slack/commands HTTP/1.1\r\nHost: quizbot\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ));
    let short_body = tokio::spawn(slow_client(
        addr,
        "POST /slack/commands HTTP/1.1\r\nHost: quizbot\r\nContent-Length: 100\r\n\r\n",
        "command=%2Fquiz",
    ));

    // Meanwhile everyone else is served.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let started = std::time::Instant::now();
    let health = client
        .get(format!("http://{addr}/healthz").parse().expect("uri"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let (took, answer) = endless_headers.await.expect("slow headers");
    assert!(took < Duration::from_secs(10), "slow headers held {took:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    let (took, answer) = short_body.await.expect("short body");
    assert!(took < Duration::from_secs(10), "a short body held {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    bot.stop().await;
}
