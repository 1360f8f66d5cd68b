//! The live round on Discord end to end: the real serenity/poise client
//! against the loopback Discord of `fake_discord`, with real Postgres and
//! the shipped question banks. Deadlines are brought forward in the
//! database rather than waited for.

use serde_json::{json, Value};

use quizbot::bank::Question;
use quizbot::config::Locale;
use quizbot::content::SharedContent;
use quizbot::i18n::Texts;
use quizbot::live::{LiveRefusal, LiveTimings};
use quizbot::refusal::Refusal;
use quizbot::service::{Service, ServiceSettings};

use crate::fake_discord::{
    custom_ids, FakeDiscord, Interaction, Member, Reply, ReplyKind, RunningBot,
    CHANNEL_MESSAGE_WITH_SOURCE, PATIENCE,
};
use crate::support::{live_answers_recorded, shipped_content, wrong_choices, TestDatabase};

/// The fake Discord, a database, and the bot running against both.
struct Harness {
    fake: FakeDiscord,
    db: TestDatabase,
    content: SharedContent,
    bot: RunningBot,
}

impl Harness {
    async fn start() -> Harness {
        let fake = FakeDiscord::start().await;
        let db = TestDatabase::postgres().await;
        let content = SharedContent::new(shipped_content());
        let service = Service::new(
            content.clone(),
            db.store().await,
            ServiceSettings {
                locale: Locale::Korean,
                time_zone: chrono_tz::Asia::Seoul,
                daily_tick: std::time::Duration::from_millis(200),
                seed: None,
                live: LiveTimings {
                    pause: chrono::Duration::seconds(1),
                    poll: std::time::Duration::from_millis(200),
                    ..LiveTimings::default()
                },
            },
        );
        let bot = fake.run_bot(service, 1).await;
        Harness {
            fake,
            db,
            content,
            bot,
        }
    }

    async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.db.url)
            .await
            .expect("connect to the test database")
    }

    /// The bank's question a live question's row asks.
    async fn question_of(&self, row: i64) -> Question {
        let id: String = sqlx::query_scalar("SELECT question_id FROM live_questions WHERE id = $1")
            .bind(row)
            .fetch_one(&self.pool().await)
            .await
            .expect("the live question is stored");
        self.content
            .current()
            .bank
            .question(&id)
            .cloned()
            .expect("the question is in the bank")
    }

    /// Waits until the store has noted the question's message (Discord has
    /// it a moment before).
    async fn posted(&self, row: i64) {
        let pool = self.pool().await;
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let noted: Option<String> =
                sqlx::query_scalar("SELECT message_id FROM live_questions WHERE id = $1")
                    .bind(row)
                    .fetch_one(&pool)
                    .await
                    .expect("read the live question");
            if noted.is_some() {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "question {row} was never noted as posted"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Brings a live question's deadline to now: the quizmaster reveals it
    /// at its next look.
    async fn close_now(&self, row: i64) {
        crate::support::live_deadline_now(&self.db.url, row).await;
    }

    /// The message once the bot has edited it into a reveal.
    async fn revealed(&self, message: &Value) -> Value {
        let id: u64 = message["id"].as_str().unwrap().parse().unwrap();
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let now = self.fake.message(id).expect("the message exists");
            if now["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.contains("정답 공개"))
            {
                return now;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the question was not revealed: {now}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn stop(self) {
        let (shutdown, task) = self.bot;
        shutdown.cancel();
        match tokio::time::timeout(PATIENCE, task).await {
            Ok(Ok(Ok(()))) => {}
            other => panic!("the bot did not stop cleanly: {other:?}"),
        }
    }
}

fn texts() -> Texts {
    Texts::new(Locale::Korean)
}

/// `/quiz-live start` with these options.
fn start(options: Value) -> Value {
    json!([{ "name": "start", "type": 1, "options": options }])
}

/// The live question's row, from its message's `l:<row>:…` ids.
fn row_of(message: &Value) -> i64 {
    custom_ids(message)
        .iter()
        .find_map(|id| id.strip_prefix("l:")?.split(':').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no live component on {message}"))
}

/// `member` answers `chosen` on the live question's message: a button, or
/// the menu for "choose two".
fn answer(
    fake: &FakeDiscord,
    member: &Member,
    message: &Value,
    question: &Question,
    chosen: &[usize],
) -> Interaction {
    let row = row_of(message);
    if question.is_multi() {
        let values: Vec<String> = chosen.iter().map(usize::to_string).collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        fake.select(member, message, &format!("l:{row}:pick"), &values)
    } else {
        fake.click(member, message, &format!("l:{row}:{}", chosen[0]))
    }
}

fn field(message: &Value, name: &str) -> String {
    message["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name}: {}", message["embeds"][0]))["value"]
        .as_str()
        .unwrap()
        .to_string()
}

fn private_text(reply: &Reply) -> String {
    assert_eq!(
        reply.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE),
        "{:?}",
        reply.data
    );
    assert!(reply.is_ephemeral(), "private: {:?}", reply.data);
    reply.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_play_a_live_round_on_discord() {
    let harness = Harness::start().await;
    let fake = &harness.fake;
    let channel = fake.channel_id;
    let (ann, bo, cy) = (
        Member::new(701, "Ann"),
        Member::new(702, "Bo"),
        Member::new(703, "Cy"),
    );

    // Ann starts two questions of ten seconds: a public announcement.
    let options = start(json!([
        { "name": "questions", "type": 4, "value": 2 },
        { "name": "seconds", "type": 4, "value": 10 },
    ]));
    let announced = fake.slash(&ann, "quiz-live", options.clone()).reply().await;
    assert_eq!(
        announced.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert!(!announced.is_ephemeral(), "the announcement is public");
    let text = announced.text();
    assert!(text.contains(&texts().live_started("Ann")), "{text}");
    assert!(text.contains(&texts().live_settings(None, 2, 10)), "{text}");

    // The first question, in the channel, with a live countdown.
    let first = fake.wait_channel_messages(channel, 1).await.remove(0);
    assert_eq!(first["flags"], 0, "the question is public");
    let row = row_of(&first);
    let question = harness.question_of(row).await;
    let title = first["embeds"][0]["title"].as_str().unwrap();
    assert!(title.contains("라이브 퀴즈 · 1/2번"), "{title}");
    let deadline: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT deadline_at FROM live_questions WHERE id = $1")
            .bind(row)
            .fetch_one(&harness.pool().await)
            .await
            .unwrap();
    let closes = field(&first, texts().live_deadline_label());
    assert_eq!(
        closes,
        format!("<t:{0}:T> (<t:{0}:R>)", deadline.timestamp())
    );

    // A second start: privately, where the running round is.
    harness.posted(row).await;
    let again = fake.slash(&bo, "quiz-live", options).reply().await;
    let text = private_text(&again);
    assert!(text.contains("이미 진행 중입니다 (1/2번 문제)"), "{text}");
    assert!(
        text.contains(&format!(
            "https://discord.com/channels/{}/{channel}/{}",
            fake.guild_id,
            first["id"].as_str().unwrap()
        )),
        "{text}"
    );

    // Ann right; Bo wrong, then right; Cy wrong. Each hears only "recorded".
    let right = question.correct.clone();
    let wrong = wrong_choices(&question);
    let letters = |c: &[usize]| Question::letters(c);
    for (member, chosen, said) in [
        (&ann, &right, texts().live_receipt(&letters(&right), false)),
        (&bo, &wrong, texts().live_receipt(&letters(&wrong), false)),
        (&bo, &right, texts().live_receipt(&letters(&right), true)),
        (&cy, &wrong, texts().live_receipt(&letters(&wrong), false)),
    ] {
        let reply = answer(fake, member, &first, &question, chosen)
            .reply()
            .await;
        let text = private_text(&reply);
        assert!(text.contains(&said), "{text}");
        assert!(!text.contains(texts().correct()) && !text.contains(texts().wrong()));
        assert!(reply.latency.unwrap() < std::time::Duration::from_secs(3));
    }

    // The deadline: the same message becomes the reveal.
    harness.close_now(row).await;
    let revealed = harness.revealed(&first).await;
    let spread = field(&revealed, texts().answer_spread());
    for (i, line) in spread.lines().enumerate() {
        let count = 2 * usize::from(right.contains(&i)) + usize::from(wrong.contains(&i));
        assert_eq!(
            line,
            texts().choice_spread(Question::letter(i), count, 3, right.contains(&i))
        );
    }
    assert_eq!(spread.lines().count(), question.choices.len());
    assert_eq!(
        field(&revealed, texts().live_right_label()),
        "🥇 Ann · 🥈 Bo",
        "the fastest right first; Bo's time is his change's"
    );
    let footer = revealed["embeds"][0]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains(&texts().live_turnout(3, 2)), "{footer}");
    assert!(footer.contains(&texts().live_next_in(1)), "{footer}");
    assert!(field(&revealed, texts().explanation())
        .starts_with(&question.explanation.chars().take(20).collect::<String>()));
    let buttons: Vec<Value> = revealed["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap())
        .collect();
    assert!(
        !buttons.is_empty() && buttons.iter().all(|b| b["disabled"] == true),
        "{buttons:?}"
    );

    // A click after the deadline is refused.
    let late = answer(fake, &cy, &first, &question, &right).reply().await;
    let text = private_text(&late);
    assert!(
        text.contains(&texts().refusal(&Refusal::Live(LiveRefusal::Closed))),
        "{text}"
    );

    // After the pause, the second question; nobody answers it; the results.
    let second = fake.wait_channel_messages(channel, 2).await.remove(1);
    let title = second["embeds"][0]["title"].as_str().unwrap();
    assert!(title.contains("2/2번"), "{title}");
    harness.close_now(row_of(&second)).await;
    let results = fake.wait_channel_messages(channel, 3).await.remove(2);
    let text = crate::fake_discord::message_text(&results);
    assert!(text.contains(texts().live_results_title()), "{text}");
    let description = results["embeds"][0]["description"].as_str().unwrap();
    let lines: Vec<&str> = description.lines().collect();
    assert_eq!(lines.len(), 3, "{description}");
    // Ann and Bo answered right within a second: 10 points and the speed
    // bonus (all 5 of it, or 4 on a slow machine) each.
    let scored = |name: &str| {
        lines[..2].iter().any(|line| {
            line.contains(&format!(" {name} · 1"))
                && (line.contains("15점") || line.contains("14점"))
                && line.ends_with(" · 1/1 정답")
        })
    };
    assert!(scored("Ann") && scored("Bo"), "{description}");
    assert_eq!(lines[2], "**3.** Cy · 0점 · 0/1 정답");
    let missed = field(&results, texts().live_most_missed_label());
    assert!(
        missed.starts_with("1/2번 · 정답률 67% (2/3) · "),
        "{missed}"
    );
    assert!(field(&results, texts().live_review_label()).contains("/퀴즈 방식:복습"));

    // One post and one edit per question, one results message.
    let calls = fake.calls();
    let path = format!("channels/{channel}/messages");
    let posts = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .count();
    let edits: Vec<&str> = calls
        .iter()
        .filter(|c| c.method == "PATCH" && c.path.starts_with(&path))
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(posts, 3, "two questions and the results");
    assert_eq!(
        edits,
        [
            format!("{path}/{}", first["id"].as_str().unwrap()),
            format!("{path}/{}", second["id"].as_str().unwrap())
        ],
        "one edit per question: its reveal"
    );

    // Every answer is recorded once for the leaderboards.
    assert_eq!(live_answers_recorded(&harness.pool().await).await, 3);
    let problems = fake.problems();
    assert!(problems.is_empty(), "{problems:#?}");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_stops_a_live_round_on_discord() {
    let harness = Harness::start().await;
    let fake = &harness.fake;
    let channel = fake.channel_id;
    let (ann, admin) = (Member::new(711, "Ann"), Member::admin(712, "Boss"));
    let stop = json!([{ "name": "stop", "type": 1, "options": [] }]);

    let none = fake.slash(&admin, "quiz-live", stop.clone()).reply().await;
    assert!(
        private_text(&none).contains(&texts().refusal(&Refusal::Live(LiveRefusal::NoRound))),
        "{}",
        none.text()
    );
    let bad = fake
        .slash(
            &ann,
            "quiz-live",
            start(json!([{ "name": "topic", "type": 3, "value": "no-such-topic" }])),
        )
        .reply()
        .await;
    assert!(
        private_text(&bad).contains("no-such-topic"),
        "{}",
        bad.text()
    );
    fake.slash(
        &ann,
        "quiz-live",
        start(json!([{ "name": "topic", "type": 3, "value": "ec2" }])),
    )
    .reply()
    .await;
    let first = fake.wait_channel_messages(channel, 1).await.remove(0);
    let title = first["embeds"][0]["title"].as_str().unwrap();
    assert!(title.contains("1/10번"), "{title}");

    let refused = fake.slash(&ann, "quiz-live", stop.clone()).reply().await;
    assert_eq!(
        private_text(&refused).trim(),
        texts().refusal(&Refusal::AdminOnly)
    );
    let stopping = fake.slash(&admin, "quiz-live", stop).reply().await;
    assert_eq!(private_text(&stopping).trim(), texts().live_stopping());

    // The open question is revealed, then the results say who stopped it.
    let revealed = harness.revealed(&first).await;
    let footer = revealed["embeds"][0]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains(texts().live_results_next()), "{footer}");
    let results = fake.wait_channel_messages(channel, 2).await.remove(1);
    let description = results["embeds"][0]["description"].as_str().unwrap();
    assert!(
        description.starts_with(&texts().live_stopped_by("Boss")),
        "{description}"
    );
    assert!(
        description.contains(texts().live_no_answers()),
        "{description}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        fake.channel_messages(channel).len(),
        2,
        "no question after a stop"
    );
    let problems = fake.problems();
    assert!(problems.is_empty(), "{problems:#?}");
    harness.stop().await;
}
