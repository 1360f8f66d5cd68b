//! The live round on Slack end to end: the real slack-morphism client in
//! Socket Mode against the loopback Slack of `fake_slack`, with real
//! Postgres. Deadlines are brought forward in the database rather than
//! waited for.

use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use quizbot::bank::Question;
use quizbot::config::Locale;
use quizbot::content::{Content, SharedContent};
use quizbot::i18n::Texts;
use quizbot::identity::Platform;
use quizbot::live::{LiveRefusal, LiveTimings};
use quizbot::refusal::Refusal;
use quizbot::service::{Service, ServiceSettings};
use quizbot::slack::SlackError;

use crate::fake_slack::{action_ids, FakeSlack, FakeUser, CHANNEL, PATIENCE};
use crate::support::{live_answers_recorded, write_tree, TestDatabase};

const ALICE: &str = "U0ALICE01";
const BOB: &str = "U0BOB0001";
const CY: &str = "U0CY00001";
const ADMIN: &str = "U0ADMIN01";

const BANK: &str = r#"
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

[[question]]
id = "ec2-ami"
prompt = "Which template holds the operating system and software an EC2 instance starts from?"
choices = ["Key pair", "Security group", "EBS snapshot", "AMI (Amazon Machine Image)"]
answer = 3
explanation = "An AMI is the image an instance is launched from: operating system, software, settings."
source = "ec2.md#AMI"
"#;

const NOTES: &str = "# Amazon EC2\n\n## Spot Instances\n- Spot Instances run on spare EC2 capacity at up to 90% off.\n\n## AMI\n- An AMI is the template an instance starts from.\n";

struct Running {
    fake: FakeSlack,
    db: TestDatabase,
    content: SharedContent,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), SlackError>>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start() -> Running {
        let fake = FakeSlack::start().await;
        for user in [
            FakeUser::member(ALICE, "Alice Kim"),
            FakeUser::member(BOB, "<!channel> Bob"),
            FakeUser::member(CY, "Cy Choi"),
            FakeUser::admin(ADMIN, "Admin Park"),
        ] {
            fake.add_user(user);
        }
        let dir = write_tree(&[("questions/ec2.toml", BANK), ("notes/ec2.md", NOTES)]);
        let (content, _) = Content::load(&dir.path().join("questions"), &dir.path().join("notes"))
            .expect("test content");
        let content = SharedContent::new(content);
        let db = TestDatabase::postgres().await;
        let service = Service::new(
            content.clone(),
            db.store().await,
            ServiceSettings {
                live: LiveTimings {
                    pause: chrono::Duration::seconds(1),
                    poll: std::time::Duration::from_millis(200),
                    ..LiveTimings::default()
                },
                ..ServiceSettings::default()
            },
        );
        let shutdown = CancellationToken::new();
        let task = fake
            .run_bot(fake.socket_settings(), service, shutdown.clone())
            .await;
        Running {
            fake,
            db,
            content,
            shutdown,
            task,
            _dir: dir,
        }
    }

    async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.db.url)
            .await
            .expect("connect to the test database")
    }

    /// The question a live row asks, once the store has noted it posted.
    async fn posted(&self, row: i64) -> (Question, chrono::DateTime<chrono::Utc>) {
        let pool = self.pool().await;
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let (id, message, closes): (
                String,
                Option<String>,
                Option<chrono::DateTime<chrono::Utc>>,
            ) = sqlx::query_as(
                "SELECT question_id, message_id, deadline_at FROM live_questions WHERE id = $1",
            )
            .bind(row)
            .fetch_one(&pool)
            .await
            .expect("read the live question");
            if let (Some(_), Some(closes)) = (message, closes) {
                let question = self.content.current().bank.question(&id).cloned().unwrap();
                return (question, closes);
            }
            assert!(std::time::Instant::now() < deadline, "{row} never posted");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    async fn close_now(&self, row: i64) {
        crate::support::live_deadline_now(&self.db.url, row).await;
    }

    /// Channel message `n` once its header says `header`.
    async fn message_with_header(&self, n: usize, header: &str) -> Value {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if let Some(message) = self.fake.channel_messages(CHANNEL).get(n) {
                if message["blocks"][0]["text"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(header))
                {
                    return message.clone();
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no message #{n} with {header:?}: {:#?}",
                self.fake.channel_messages(CHANNEL)
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        let result = tokio::time::timeout(std::time::Duration::from_secs(10), self.task)
            .await
            .expect("the Slack bot stops within 10 s")
            .expect("the Slack task did not panic");
        assert!(result.is_ok(), "{result:?}");
    }
}

fn texts() -> Texts {
    Texts::new(Locale::Korean)
}

/// Every text of a message's blocks, a line each.
fn text_of(message: &Value) -> String {
    let mut out = Vec::new();
    for block in message["blocks"].as_array().into_iter().flatten() {
        if let Some(text) = block["text"]["text"].as_str() {
            out.push(text.to_string());
        }
        for element in block["elements"].as_array().into_iter().flatten() {
            if let Some(text) = element["text"].as_str() {
                out.push(text.to_string());
            }
        }
    }
    out.join("\n")
}

fn assert_contains(message: &Value, needle: &str) {
    let text = text_of(message);
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_play_a_live_round_on_slack() {
    let bot = Running::start().await;
    let fake = &bot.fake;

    // Usage for what cannot be read; then Alice starts one question.
    let usage = fake.command(ALICE, "/quiz-live", "ec2 1 10 20").await;
    assert_eq!(usage["response_type"], "ephemeral");
    assert_contains(&usage, texts().slack_live_usage());
    let announced = fake.command(ALICE, "/quiz-live", "ec2 1 10").await;
    assert_eq!(announced["response_type"], "in_channel", "{announced:#}");
    assert_contains(&announced, &texts().live_started("Alice Kim"));
    assert_contains(
        &announced,
        &texts().live_settings(Some("Amazon EC2"), 1, 10),
    );

    // The question, in the channel, with its deadline in each reader's clock.
    let post = bot.message_with_header(0, texts().live_title()).await;
    let row: i64 = action_ids(&post)[0]
        .split(':')
        .nth(1)
        .and_then(|r| r.parse().ok())
        .expect("l:<row>:<choice>");
    let (question, closes) = bot.posted(row).await;
    let buttons: Vec<String> = (0..4).map(|c| format!("l:{row}:{c}")).collect();
    assert_eq!(action_ids(&post), buttons);
    assert_contains(
        &post,
        &format!("<!date^{}^{{time_secs}}|", closes.timestamp()),
    );

    // A second start: privately, with a link to the question.
    let again = fake.command(BOB, "/quiz-live", "").await;
    assert_eq!(again["response_type"], "ephemeral");
    assert_contains(&again, "이미 진행 중입니다 (1/1번 문제)");
    assert_contains(
        &again,
        &format!(
            "https://study-group.slack.com/archives/{CHANNEL}/p{}",
            post["ts"].as_str().unwrap().replace('.', "")
        ),
    );

    // Alice right; Bob wrong, then right; Cy wrong: each a private receipt.
    let right = question.correct[0];
    let wrong = (right + 1) % question.choices.len();
    let letter = |c: usize| Question::letter(c).to_string();
    for (user, choice, said) in [
        (ALICE, right, texts().live_receipt(&letter(right), false)),
        (BOB, wrong, texts().live_receipt(&letter(wrong), false)),
        (BOB, right, texts().live_receipt(&letter(right), true)),
        (CY, wrong, texts().live_receipt(&letter(wrong), false)),
    ] {
        let receipt = fake
            .click(user, &post, &format!("l:{row}:{choice}"), &[])
            .await;
        assert_eq!(receipt["response_type"], "ephemeral", "{receipt:#}");
        assert_eq!(receipt["replace_original"], false, "the question stays");
        assert_contains(&receipt, &said);
    }

    // The deadline: the question's message becomes its reveal.
    bot.close_now(row).await;
    let revealed = bot.message_with_header(0, "정답 공개").await;
    assert!(action_ids(&revealed).is_empty(), "no buttons once revealed");
    assert_eq!(revealed["ts"], post["ts"], "the same message, updated");
    for choice in 0..4 {
        let count = 2 * usize::from(choice == right) + usize::from(choice == wrong);
        assert_contains(
            &revealed,
            &texts().choice_spread(Question::letter(choice), count, 3, choice == right),
        );
    }
    assert_contains(&revealed, "🥇 Alice Kim · 🥈 &lt;!channel&gt; Bob");
    assert_contains(&revealed, &texts().live_turnout(3, 2));
    assert_contains(&revealed, texts().live_results_next());
    assert_contains(&revealed, "ec2.md › Amazon EC2 &gt; ");

    // A click after the deadline is refused.
    let late = fake
        .click(CY, &post, &format!("l:{row}:{right}"), &[])
        .await;
    assert_contains(&late, &texts().refusal(&Refusal::Live(LiveRefusal::Closed)));

    // The results: the scoreboard, the most missed, where misses come back.
    let results = bot
        .message_with_header(1, texts().live_results_title())
        .await;
    let text = text_of(&results);
    // Alice and Bob answered right within a second: 10 points and the
    // speed bonus (all 5 of it, or 4 on a slow machine) each.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("*"))
        .take(3)
        .collect();
    let scored = |name: &str| {
        rows[..2].iter().any(|row| {
            row.contains(&format!(" {name} · 1"))
                && (row.contains("15점") || row.contains("14점"))
                && row.ends_with("1/1 정답")
        })
    };
    assert!(
        scored("Alice Kim") && scored("&lt;!channel&gt; Bob"),
        "{text}"
    );
    assert_eq!(rows[2], "*3.* Cy Choi · 0점 · 0/1 정답", "{text}");
    assert_contains(&results, "1/1번 · 정답률 67% (2/3)");
    assert_contains(&results, "/quiz review");

    // One post and one update for the question, one post for the results.
    assert_eq!(fake.calls("chat.update").len(), 1);
    assert_eq!(fake.calls("chat.postMessage").len(), 2);
    assert_eq!(live_answers_recorded(&bot.pool().await).await, 3);

    // Only an admin stops a round; with none running, they are told so.
    let refused = fake.command(ALICE, "/quiz-live", "stop").await;
    assert_contains(&refused, &texts().refusal(&Refusal::AdminOnly));
    let none = fake.command(ADMIN, "/quiz-live", "stop").await;
    assert_contains(
        &none,
        &texts().refusal(&Refusal::Live(LiveRefusal::NoRound)),
    );
    assert!(
        bot.db
            .store()
            .await
            .open_live_rounds(Platform::Slack)
            .await
            .unwrap()
            .is_empty(),
        "the round has ended"
    );
    bot.stop().await;
}
