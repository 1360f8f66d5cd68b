//! The Discord bot end to end: the real serenity/poise client against the
//! loopback Discord of `fake_discord`, with real Postgres.

use std::path::Path;

use quizbot::bank::Question;
use quizbot::config::Locale;
use quizbot::content::{Content, SharedContent};
use quizbot::i18n::Texts;
use quizbot::refusal::Refusal;
use quizbot::service::{Service, ServiceSettings};
use quizbot::store::Store;
use serde_json::{json, Value};
use sqlx::Row;

use crate::fake_discord::{
    custom_ids, FakeDiscord, Member, Reply, ReplyKind, RunningBot, AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE,
    MODAL, PATIENCE, UPDATE_MESSAGE,
};
use crate::support::{decode_png, shipped_content, wrong_choices, TestDatabase};

/// A fake Discord, a database, and the bot running against both.
struct Harness {
    fake: FakeDiscord,
    db: TestDatabase,
    store: Store,
    content: SharedContent,
    locale: Locale,
    starts: u64,
    bot: Option<RunningBot>,
}

impl Harness {
    async fn start() -> Harness {
        Harness::start_with(Locale::Korean, shipped_content()).await
    }

    async fn start_with(locale: Locale, content: Content) -> Harness {
        let fake = FakeDiscord::start().await;
        let db = TestDatabase::postgres().await;
        let store = db.store().await;
        let mut harness = Harness {
            fake,
            db,
            store,
            content: SharedContent::new(content),
            locale,
            starts: 0,
            bot: None,
        };
        harness.start_bot().await;
        harness
    }

    /// Starts the bot (again) and waits until it is connected and has
    /// registered its commands.
    async fn start_bot(&mut self) {
        let bot = Service::new(
            self.content.clone(),
            self.store.clone(),
            ServiceSettings {
                locale: self.locale,
                time_zone: chrono_tz::Asia::Seoul,
                daily_tick: std::time::Duration::from_millis(200),
                seed: None,
                live: quizbot::live::LiveTimings::default(),
            },
        );
        self.starts += 1;
        self.bot = Some(self.fake.run_bot(bot, self.starts).await);
    }

    /// Stops the bot the way `quizbot serve` does, and checks it ended cleanly.
    async fn stop_bot(&mut self) {
        let (shutdown, task) = self.bot.take().expect("the bot is running");
        shutdown.cancel();
        let ended = tokio::time::timeout(PATIENCE, task).await;
        match ended {
            Ok(Ok(Ok(()))) => {}
            other => panic!("the bot did not stop cleanly: {other:?}"),
        }
    }

    /// The words as a member on Discord reads them.
    fn texts(&self) -> Texts {
        Texts::new(self.locale).on(quizbot::identity::Platform::Discord)
    }

    fn topic_ids(&self) -> Vec<String> {
        let content = self.content.current();
        content.bank.topics.iter().map(|t| t.id.clone()).collect()
    }

    /// `/quiz topic:<topic> count:<count>` → the question card.
    async fn quiz(&self, member: &Member, topic: &str, count: u64) -> Reply {
        let mut quiz = self.fake.slash(
            member,
            "quiz",
            json!([
                { "name": "topic", "type": 3, "value": topic },
                { "name": "count", "type": 4, "value": count },
            ]),
        );
        let card = quiz.reply().await;
        assert_eq!(
            card.kind,
            ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE),
            "{:?}",
            card.data
        );
        assert!(card.is_ephemeral(), "the card is private: {:?}", card.data);
        card
    }

    /// `/quiz mode:review count:<count>` → the first review card, or the
    /// notice that nothing is due.
    async fn review(&self, member: &Member, count: u64) -> Reply {
        let mut review = self.fake.slash(
            member,
            "quiz",
            json!([
                { "name": "count", "type": 4, "value": count },
                { "name": "mode", "type": 4, "value": 0 },
            ]),
        );
        let card = review.reply().await;
        assert_eq!(
            card.kind,
            ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE),
            "{:?}",
            card.data
        );
        assert!(card.is_ephemeral(), "review is private: {:?}", card.data);
        card
    }

    /// The question a card shows.
    fn question_on(&self, card: &Reply) -> Question {
        let embeds = card.embeds();
        let description = embeds[0]["description"].as_str().unwrap_or_default();
        let content = self.content.current();
        content
            .bank
            .questions
            .iter()
            .find(|q| description.starts_with(&q.prompt.chars().take(40).collect::<String>()))
            .cloned()
            .unwrap_or_else(|| panic!("no question of the bank is on this card: {description}"))
    }

    /// Answers the card's question, rightly or not, with its buttons or
    /// its menu; returns the interaction (its first reply is the feedback).
    fn answer(
        &self,
        member: &Member,
        card: &Reply,
        rightly: bool,
    ) -> crate::fake_discord::Interaction {
        let question = self.question_on(card);
        let chosen = if rightly {
            question.correct.clone()
        } else {
            wrong_choices(&question)
        };
        let message = card.message();
        if question.is_multi() {
            let pick = card
                .custom_ids()
                .into_iter()
                .find(|id| id.ends_with(":pick"))
                .expect("a choose-two card has a menu");
            let values: Vec<String> = chosen.iter().map(usize::to_string).collect();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            self.fake.select(member, &message, &pick, &values)
        } else {
            let button = card
                .custom_ids()
                .into_iter()
                .find(|id| id.rsplit(':').next() == Some(chosen[0].to_string().as_str()))
                .expect("a button for the choice");
            self.fake.click(member, &message, &button)
        }
    }

    async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.db.url)
            .await
            .expect("connect to the test database")
    }
}

fn next_button(reply: &Reply) -> String {
    reply
        .custom_ids()
        .into_iter()
        .find(|id| id.ends_with(":next"))
        .unwrap_or_else(|| panic!("no Next button: {:?}", reply.data["components"]))
}

fn assert_no_problems(fake: &FakeDiscord) {
    let problems = fake.problems();
    assert!(
        problems.is_empty(),
        "messages broke Discord's limits or allowed mentions: {problems:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_in_the_guild_with_both_languages() {
    let harness = Harness::start().await;

    let registration = harness.fake.wait_registration(1).await;

    assert_eq!(
        registration.guild_id,
        Some(harness.fake.guild_id),
        "DISCORD_GUILD_ID registers in that server"
    );
    let names: Vec<&str> = registration
        .commands
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["quiz", "leaderboard", "stats", "quiz-admin", "quiz-live"]
    );
    for command in &registration.commands {
        assert!(command["name_localizations"]["ko"].is_string(), "{command}");
        assert!(
            command["description_localizations"]["ko"].is_string(),
            "{command}"
        );
        assert!(
            command["description_localizations"]["en-US"].is_string(),
            "{command}"
        );
        assert_eq!(command["contexts"], json!([0]), "guild only: {command}");
    }
    let quiz = &registration.commands[0];
    assert_eq!(
        quiz["description"], "퀴즈를 풉니다 (나에게만 보이는 문제 카드)",
        "Korean by default"
    );
    let topic = &quiz["options"][0];
    assert_eq!(
        (topic["name"].as_str(), topic["autocomplete"].as_bool()),
        (Some("topic"), Some(true))
    );
    // 1–20 for a quiz (the service refuses more), up to 65 for a mock exam.
    let count = &quiz["options"][1];
    assert_eq!(
        (count["min_value"].as_f64(), count["max_value"].as_f64()),
        (Some(1.0), Some(65.0))
    );
    let mode = &quiz["options"][2];
    assert_eq!(mode["choices"][2]["name"], "mock");
    assert_eq!(mode["choices"][2]["name_localizations"]["ko"], "모의고사");
    let view = &registration.commands[1]["options"][2];
    assert_eq!(
        (view["name"].as_str(), view["choices"][1]["name"].as_str()),
        (Some("view"), Some("readiness"))
    );
    let period = &registration.commands[1]["options"][0];
    assert_eq!(period["choices"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        period["choices"][3]["name_localizations"]["en-US"],
        "all time"
    );
    let admin = &registration.commands[3];
    assert_eq!(
        admin["default_member_permissions"], "32",
        "hidden without Manage Server"
    );
    assert_eq!(admin["options"][0]["name"], "reload");
    let live = &registration.commands[4];
    assert_eq!(live["name_localizations"]["ko"], "라이브퀴즈");
    assert_eq!(live["options"][0]["name"], "start");
    assert_eq!(live["options"][1]["name"], "stop");
    let start = &live["options"][0]["options"];
    assert_eq!(
        (
            start[0]["name"].as_str(),
            start[0]["autocomplete"].as_bool()
        ),
        (Some("topic"), Some(true))
    );
    for (option, (min, max)) in [(&start[1], (1.0, 30.0)), (&start[2], (10.0, 120.0))] {
        assert_eq!(
            (option["min_value"].as_f64(), option["max_value"].as_f64()),
            (Some(min), Some(max)),
            "{option}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_autocomplete_offers_matching_topics() {
    let harness = Harness::start().await;
    let alice = Member::new(501, "Alice");

    let mut typing = harness.fake.autocomplete(
        &alice,
        "quiz",
        json!([{ "name": "topic", "type": 3, "value": "ec2", "focused": true }]),
    );
    let reply = typing.reply().await;

    assert_eq!(reply.kind, ReplyKind::Callback(AUTOCOMPLETE_RESULT));
    let values: Vec<&str> = reply.data["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert_eq!(values, ["ec2-pricing", "ec2"]);
    assert_eq!(reply.data["choices"][1]["name"], "Amazon EC2 (ec2)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_runs_from_card_to_summary_and_is_recorded() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");

    let mut card = harness.quiz(&alice, "ec2", 3).await;
    let mut verdicts = Vec::new();
    for position in 0..3 {
        let question = harness.question_on(&card);
        let text = card.text();
        assert!(
            text.contains("Amazon EC2"),
            "the card names the topic: {text}"
        );
        assert!(
            text.contains(texts.difficulty(question.difficulty)),
            "{text}"
        );
        assert!(
            text.contains(&format!("{}/3", position + 1)),
            "progress: {text}"
        );
        assert!(
            text.contains(&format!("**A.** {}", question.choices[0])),
            "lettered choices: {text}"
        );

        let rightly = position != 1;
        let mut click = harness.answer(&alice, &card, rightly);
        let feedback = click.reply().await;

        assert_eq!(
            feedback.kind,
            ReplyKind::Callback(UPDATE_MESSAGE),
            "the card itself turns into feedback"
        );
        let text = feedback.text();
        let verdict = if rightly {
            texts.correct()
        } else {
            texts.wrong()
        };
        assert!(text.contains(verdict), "{text}");
        assert!(
            text.contains(&question.explanation),
            "the explanation: {text}"
        );
        let excerpt = format!("{} · ec2.md › ", texts.from_notes());
        assert!(
            text.contains(&excerpt),
            "the note excerpt with its source: {text}"
        );
        for &right in &question.correct {
            assert!(
                text.contains(&question.choices[right]),
                "the right answer: {text}"
            );
        }
        let points = if rightly {
            texts.points_won(10, false)
        } else {
            texts.points_won(0, false)
        };
        assert!(text.contains(&points), "points won: {text}");
        verdicts.push(rightly);

        if position < 2 {
            let mut next = harness
                .fake
                .click(&alice, &feedback.message(), &next_button(&feedback));
            card = next.reply().await;
            assert_eq!(card.kind, ReplyKind::Callback(UPDATE_MESSAGE));
        } else {
            assert!(
                feedback.custom_ids().iter().all(|id| id.ends_with(":flag")),
                "after the last answer only 🚩 is left: {:?}",
                feedback.custom_ids()
            );
            assert!(text.contains(texts.summary_title()), "{text}");
            assert!(
                text.contains(&texts.summary_line(2, 3, 2.0 / 3.0, 20)),
                "score and accuracy: {text}"
            );
            assert!(
                text.contains(&texts.weakest_topics(&["Amazon EC2"])),
                "weakest topic: {text}"
            );
        }
    }

    let pool = harness.pool().await;
    let rows = sqlx::query(
        "SELECT a.correct, a.points, a.interaction_id, a.elapsed_ms, p.display_name, s.finished_at IS NOT NULL AS finished
         FROM answers a JOIN players p ON p.id = a.player_id JOIN quiz_sessions s ON s.id = a.session_id
         ORDER BY a.session_position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let correct: Vec<bool> = rows.iter().map(|r| r.get("correct")).collect();
    assert_eq!(correct, verdicts);
    let points: i32 = rows.iter().map(|r| r.get::<i32, _>("points")).sum();
    assert_eq!(points, 20);
    assert!(rows
        .iter()
        .all(|r| r.get::<Option<String>, _>("interaction_id").is_some()));
    assert!(rows
        .iter()
        .all(|r| r.get::<Option<i32>, _>("elapsed_ms").is_some()));
    assert!(rows
        .iter()
        .all(|r| r.get::<String, _>("display_name") == "Alice"));
    assert!(
        rows.iter().all(|r| r.get::<bool, _>("finished")),
        "the session is finished"
    );
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choose_two_is_answered_with_the_menu() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");

    // All 15 ec2 questions: at least one is "choose two".
    let mut card = harness.quiz(&alice, "ec2", 15).await;
    let mut question = harness.question_on(&card);
    while !question.is_multi() {
        let mut click = harness.answer(&alice, &card, true);
        let feedback = click.reply().await;
        let mut next = harness
            .fake
            .click(&alice, &feedback.message(), &next_button(&feedback));
        card = next.reply().await;
        question = harness.question_on(&card);
    }

    let components = card.components();
    assert_eq!(components.len(), 1, "one menu, no buttons: {components:?}");
    let menu = &components[0];
    assert_eq!(menu["type"], 3);
    assert_eq!(
        (menu["min_values"].as_u64(), menu["max_values"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        menu["options"].as_array().map(Vec::len),
        Some(question.choices.len())
    );
    assert!(card.text().contains(&texts.choose_n(2)), "{}", card.text());

    let mut pick = harness.answer(&alice, &card, true);
    let feedback = pick.reply().await;

    assert_eq!(feedback.kind, ReplyKind::Callback(UPDATE_MESSAGE));
    assert!(
        feedback.text().contains(texts.correct()),
        "{}",
        feedback.text()
    );
    let pool = harness.pool().await;
    let stored: String = sqlx::query_scalar("SELECT choices FROM answers WHERE question_id = $1")
        .bind(&question.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let expected: Vec<String> = question.correct.iter().map(usize::to_string).collect();
    assert_eq!(stored, expected.join(","));
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaderboard_and_stats_show_the_answers() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");
    let bob = Member::new(502, "Bob");
    for (member, rightly) in [(&alice, vec![true, true]), (&bob, vec![true, false])] {
        let mut card = harness.quiz(member, "security", 2).await;
        for (position, right) in rightly.into_iter().enumerate() {
            let feedback = harness.answer(member, &card, right).reply().await;
            if position == 0 {
                card = harness
                    .fake
                    .click(member, &feedback.message(), &next_button(&feedback))
                    .reply()
                    .await;
            }
        }
    }

    let board = harness
        .fake
        .slash(&bob, "leaderboard", json!([]))
        .reply()
        .await;

    assert_eq!(board.kind, ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE));
    assert!(!board.is_ephemeral(), "the leaderboard is public");
    let text = board.text();
    assert!(
        text.contains(&texts.leaderboard_title(quizbot::quiz::Period::Week, None)),
        "{text}"
    );
    assert!(
        text.contains(&format!("**1.** Alice · {}", texts.points(20))),
        "{text}"
    );
    assert!(
        text.contains(&format!("**2.** Bob · {}", texts.points(10))),
        "{text}"
    );
    assert!(
        text.contains(&texts.your_rank(2, 10)),
        "the caller's rank: {text}"
    );

    let by_topic = harness
        .fake
        .slash(
            &alice,
            "leaderboard",
            json!([{ "name": "period", "type": 4, "value": 3 }, { "name": "topic", "type": 3, "value": "ec2" }]),
        )
        .reply()
        .await;
    assert!(
        by_topic.text().contains(texts.empty_leaderboard()),
        "{}",
        by_topic.text()
    );

    let mine = harness.fake.slash(&alice, "stats", json!([])).reply().await;
    assert!(mine.is_ephemeral());
    let text = mine.text();
    assert!(text.contains(&texts.stats_title("Alice")), "{text}");
    assert!(text.contains(&texts.stats_totals(2, 2, 20)), "{text}");
    assert!(text.contains(&texts.streaks(1, 1)), "{text}");
    // The record comes with its chart, attached and shown in the embed.
    assert_eq!(mine.files.len(), 1, "one file with /stats: {:?}", mine.data);
    let chart = &mine.files[0];
    assert_eq!(chart.filename, "stats.png");
    assert_eq!(chart.content_type, "image/png");
    let (width, height, colours) = decode_png(&chart.bytes);
    assert!(
        (600..=2000).contains(&width) && (300..=2000).contains(&height),
        "a chart of {width}×{height}"
    );
    assert!(colours > 8, "a chart of {colours} colours is blank");
    let message = mine.message();
    assert_eq!(message["attachments"][0]["filename"], "stats.png");
    assert_eq!(
        message["embeds"][0]["image"]["url"], message["attachments"][0]["url"],
        "the embed shows the chart"
    );

    let bobs = harness
        .fake
        .slash(
            &alice,
            "stats",
            json!([{ "name": "user", "type": 6, "value": bob.id.to_string() }]),
        )
        .reply()
        .await;
    let text = bobs.text();
    assert!(text.contains(&texts.stats_title("Bob")), "{text}");
    assert!(text.contains(&texts.stats_totals(2, 1, 10)), "{text}");
    let security = harness
        .content
        .current()
        .bank
        .topic("security")
        .map(|t| t.name.clone())
        .unwrap();
    assert!(
        text.contains(&texts.topic_accuracy(&security, 1, 2)),
        "{text}"
    );

    // Nothing answered, nothing to draw: the card says so, without a file.
    let carol = Member::new(503, "Carol");
    let none = harness.fake.slash(&carol, "stats", json!([])).reply().await;
    assert!(none.text().contains(texts.no_stats()), "{}", none.text());
    assert!(none.files.is_empty(), "no chart without answers");
    assert!(none.message()["embeds"][0]["image"].is_null());
    assert_no_problems(&harness.fake);
}

/// Copies the shipped banks and notes, so a test may break them.
fn copy_content(into: &Path) -> Content {
    let root = crate::support::root();
    for dir in ["questions", "notes"] {
        std::fs::create_dir_all(into.join(dir)).unwrap();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, into.join(dir).join(path.file_name().unwrap())).unwrap();
        }
    }
    Content::load(&into.join("questions"), &into.join("notes"))
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_for_admins_and_keeps_the_old_content_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let harness = Harness::start_with(Locale::Korean, copy_content(dir.path())).await;
    let texts = harness.texts();
    let member = Member::new(502, "Bob");
    let admin = Member::admin(503, "Carol");
    let reload = json!([{ "name": "reload", "type": 1, "options": [] }]);

    let refused = harness
        .fake
        .slash(&member, "quiz-admin", reload.clone())
        .reply()
        .await;

    assert_eq!(
        refused.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert!(refused.is_ephemeral());
    assert_eq!(refused.data["content"], texts.refusal(&Refusal::AdminOnly));

    // Reloading reads every file: in time it answers at once, or after a
    // private deferral.
    let mut accepted = harness.fake.slash(&admin, "quiz-admin", reload.clone());
    let done = accepted.visible_reply().await;
    assert!(done.is_ephemeral() || done.kind == ReplyKind::EditOriginal);
    assert!(
        done.text().starts_with(&format!(
            "다시 불러왔습니다: 주제 {}개",
            crate::support::shipped_content().bank.topics.len()
        )),
        "{}",
        done.text()
    );

    std::fs::write(
        dir.path().join("questions/ec2.toml"),
        "[topic]\nid = \"ec2\"\n[[question]]\nid = 3\n",
    )
    .unwrap();
    let mut broken = harness.fake.slash(&admin, "quiz-admin", reload);
    let report = broken.visible_reply().await;
    let text = report.text();
    assert!(text.contains(texts.reload_failed()), "{text}");
    assert!(
        text.contains("ec2.toml:"),
        "the errors, with their file: {text}"
    );
    let card = harness.quiz(&member, "ec2", 1).await;
    assert!(
        card.text().contains("Amazon EC2"),
        "the old content still serves: {}",
        card.text()
    );
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_finished_sessions_say_so() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");
    let pool = harness.pool().await;

    let card = harness.quiz(&alice, "ec2", 1).await;
    sqlx::query("UPDATE quiz_sessions SET expires_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    let expired = harness.answer(&alice, &card, true).reply().await;

    assert_eq!(
        expired.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert!(expired.is_ephemeral());
    assert_eq!(
        expired.data["content"],
        texts.refusal(&Refusal::SessionExpired)
    );
    let answers = answer_count(&pool).await;
    assert_eq!(answers, 0, "nothing recorded");

    let card = harness.quiz(&alice, "ec2", 1).await;
    let summary = harness.answer(&alice, &card, true).reply().await;
    assert!(summary.text().contains(texts.summary_title()));
    let late = harness.answer(&alice, &card, false).reply().await;
    assert!(late.is_ephemeral());
    assert_eq!(late.data["content"], texts.refusal(&Refusal::SessionOver));

    let bob = Member::new(502, "Bob");
    let card = harness.quiz(&alice, "ec2", 1).await;
    let foreign = harness.answer(&bob, &card, true).reply().await;
    assert_eq!(
        foreign.data["content"],
        texts.refusal(&Refusal::NotYourSession)
    );
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_click_scores_once() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");
    let pool = harness.pool().await;

    let card = harness.quiz(&alice, "ec2", 2).await;
    let mut click = harness.answer(&alice, &card, true);
    let first = click.reply().await;
    assert!(
        first.text().contains(&texts.points_won(10, false)),
        "{}",
        first.text()
    );

    harness.fake.redeliver(&click);
    let again = click.reply().await;
    let double = harness.answer(&alice, &card, false).reply().await;

    let question = harness.question_on(&card);
    let letters = Question::letters(&question.correct);
    assert!(
        again.text().contains(&texts.already_answered(&letters)),
        "{}",
        again.text()
    );
    assert!(
        again.text().contains(&texts.points_won(0, false)),
        "{}",
        again.text()
    );
    assert!(
        double.text().contains(&texts.already_answered(&letters)),
        "{}",
        double.text()
    );
    let (answers, points): (i64, i64) =
        sqlx::query_as("SELECT count(*), coalesce(sum(points), 0)::BIGINT FROM answers")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((answers, points), (1, 10), "one answer, scored once");
    let board: i64 = sqlx::query_scalar("SELECT points FROM player_totals WHERE topic = ''")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(board, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_session_keeps_the_buttons_working() {
    let mut harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");

    let card = harness.quiz(&alice, "ec2", 2).await;
    let feedback = harness.answer(&alice, &card, true).reply().await;
    harness.stop_bot().await;
    harness.start_bot().await;

    let card = harness
        .fake
        .click(&alice, &feedback.message(), &next_button(&feedback))
        .reply()
        .await;
    assert!(card.text().contains("2/2"), "{}", card.text());
    let summary = harness.answer(&alice, &card, true).reply().await;

    assert!(
        summary.text().contains(&texts.summary_line(2, 2, 1.0, 20)),
        "{}",
        summary.text()
    );
    let pool = harness.pool().await;
    let answers = answer_count(&pool).await;
    assert_eq!(answers, 2);
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_with_quizbot_locale_en() {
    let harness = Harness::start_with(Locale::English, shipped_content()).await;
    // A server whose preferred locale the bot does not speak starts in
    // QUIZBOT_LOCALE's language.
    let alice = Member {
        guild_locale: "ja",
        ..Member::new(501, "Alice")
    };

    let registration = harness.fake.wait_registration(1).await;
    assert_eq!(
        registration.commands[0]["description"],
        "Start a quiz (a question card only you see)"
    );
    let card = harness.quiz(&alice, "ec2", 1).await;
    let feedback = harness.answer(&alice, &card, false).reply().await;

    let text = feedback.text();
    assert!(text.contains("Not quite."), "{text}");
    assert!(text.contains("Quiz summary"), "{text}");
    assert!(text.contains("0 of 1 correct (0%), 0 points"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_topic_gets_a_short_private_message() {
    let harness = Harness::start().await;
    let alice = Member::new(501, "Alice");

    let reply = harness
        .fake
        .slash(
            &alice,
            "quiz",
            json!([{ "name": "topic", "type": 3, "value": "kubernetes" }]),
        )
        .reply()
        .await;

    assert!(reply.is_ephemeral());
    assert_eq!(
        reply.data["content"],
        harness.texts().refusal(&Refusal::UnknownTopic {
            topic: "kubernetes".into(),
            known: harness.topic_ids(),
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_texts_are_cut_to_discords_limits() {
    let long = |words: usize| "스토리지 볼륨 ".repeat(words);
    let choices = |n: usize| {
        (0..n)
            .map(|i| format!("\"{i} {}\"", long(150)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let bank = format!(
        "[topic]\nid = \"long\"\nname = \"{name}\"\ndescription = \"\"\n\n\
         [[question]]\nid = \"long-single\"\nprompt = \"하나 {prompt}\"\nchoices = [{four}]\nanswer = 1\n\
         explanation = \"{explanation}\"\nsource = \"long.md#긴 섹션\"\ndifficulty = \"hard\"\n\n\
         [[question]]\nid = \"long-multi\"\nprompt = \"둘 {prompt}\"\nchoices = [{five}]\nanswers = [0, 4]\n\
         explanation = \"{explanation}\"\nsource = \"long.md#긴 섹션\"\ndifficulty = \"hard\"\n",
        name = long(60),
        prompt = long(700),
        four = choices(4),
        five = choices(5),
        explanation = long(500),
    );
    let notes = format!(
        "# 긴 섹션\n\n{}\n\n{}\n\n{}\n",
        long(300),
        long(300),
        long(300)
    );
    let dir =
        crate::support::write_tree(&[("questions/long.toml", &bank), ("notes/long.md", &notes)]);
    let (content, _) = Content::load(&dir.path().join("questions"), &dir.path().join("notes"))
        .unwrap_or_else(|err| panic!("the long fixture loads: {err}"));
    let harness = Harness::start_with(Locale::Korean, content).await;
    let alice = Member::new(501, "Alice");

    let mut typing = harness.fake.autocomplete(
        &alice,
        "quiz",
        json!([{ "name": "topic", "type": 3, "value": "lo", "focused": true }]),
    );
    let offered = typing.reply().await;
    let mut card = harness.quiz(&alice, "long", 2).await;
    for position in 0..2 {
        let feedback = harness.answer(&alice, &card, position == 0).reply().await;
        assert_eq!(
            (feedback.kind, feedback.status),
            (ReplyKind::Callback(UPDATE_MESSAGE), 204),
            "Discord accepted the feedback: {} {:?}",
            feedback.text(),
            harness.fake.problems()
        );
        assert!(
            feedback.text().contains('…'),
            "cut texts end in an ellipsis"
        );
        if position == 0 {
            card = harness
                .fake
                .click(&alice, &feedback.message(), &next_button(&feedback))
                .reply()
                .await;
            assert_eq!(card.status, 204);
        }
    }

    assert_eq!(offered.status, 204, "{:?}", offered.data);
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_is_never_shown_as_recorded() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let alice = Member::new(501, "Alice");
    let pool = harness.pool().await;
    let card = harness.quiz(&alice, "ec2", 1).await;

    sqlx::query("ALTER TABLE answers RENAME TO answers_away")
        .execute(&pool)
        .await
        .unwrap();
    let failed = harness.answer(&alice, &card, true).reply().await;
    sqlx::query("ALTER TABLE answers_away RENAME TO answers")
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(
        failed.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE),
        "not the feedback"
    );
    assert!(failed.is_ephemeral());
    assert_eq!(failed.data["content"], texts.answer_not_recorded());
    let retried = harness.answer(&alice, &card, true).reply().await;
    assert!(
        retried.text().contains(&texts.points_won(10, false)),
        "the retry is recorded: {}",
        retried.text()
    );
    let answers = answer_count(&pool).await;
    assert_eq!(answers, 1);
}

/// How many answers the database holds.
async fn answer_count(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM answers")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `/quiz-admin daily <sub> <options>`.
fn daily_admin(sub: &str, options: serde_json::Value) -> serde_json::Value {
    json!([{ "name": "daily", "type": 2, "options": [{ "name": sub, "type": 1, "options": options }] }])
}

/// The current minute in Seoul, as `HH:MM`: a schedule set to it is due.
fn this_minute_in_seoul() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .format("%H:%M")
        .to_string()
}

/// Clicks `member`'s `chosen` answer on a daily post.
fn answer_post(
    fake: &FakeDiscord,
    member: &Member,
    post: &serde_json::Value,
    question: &Question,
    chosen: &[usize],
) -> crate::fake_discord::Interaction {
    let post_id = custom_ids(post)[0]
        .split(':')
        .nth(1)
        .expect("d:<post>:…")
        .to_string();
    if question.is_multi() {
        let values: Vec<String> = chosen.iter().map(usize::to_string).collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        fake.select(member, post, &format!("d:{post_id}:pick"), &values)
    } else {
        fake.click(member, post, &format!("d:{post_id}:{}", chosen[0]))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_question_is_posted_answered_once_and_revealed() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let fake = &harness.fake;
    let admin = Member::admin(601, "Admin");
    let (ann, bo, cy) = (
        Member::new(602, "Ann"),
        Member::new(603, "Bo"),
        Member::new(604, "Cy"),
    );
    let channel = 1_200_000_000_000_000_077_u64;

    // Members may not set it; admins may, for the current minute.
    let set = daily_admin(
        "set",
        json!([
            { "name": "time", "type": 3, "value": this_minute_in_seoul() },
            { "name": "channel", "type": 7, "value": channel.to_string() },
            { "name": "reveal_after", "type": 3, "value": "8h" },
        ]),
    );
    let refused = fake.slash(&ann, "quiz-admin", set.clone()).reply().await;
    assert_eq!(refused.data["content"], texts.refusal(&Refusal::AdminOnly));
    let saved = fake.slash(&admin, "quiz-admin", set).reply().await;
    assert!(saved.is_ephemeral());
    assert!(
        saved.text().starts_with("오늘의 문제를 설정했습니다."),
        "{}",
        saved.text()
    );
    assert!(
        saved.text().contains(&format!("<#{channel}>")),
        "{}",
        saved.text()
    );

    // The scheduler posts it in the channel, publicly, with buttons.
    let posts = fake.wait_channel_messages(channel, 1).await;
    let post = &posts[0];
    assert_eq!(post["flags"], 0, "the post is public");
    assert!(post["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains(texts.daily_title()));
    let pool = harness.pool().await;
    let row = sqlx::query("SELECT id, question_id FROM daily_posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (post_id, question_id): (i64, String) = (row.get("id"), row.get("question_id"));
    assert!(custom_ids(post)
        .iter()
        .all(|id| id.starts_with(&format!("d:{post_id}:"))));
    let question = harness
        .content
        .current()
        .bank
        .question(&question_id)
        .unwrap()
        .clone();
    let right = question.correct.clone();
    let wrong = wrong_choices(&question);

    // Ann answers rightly, Bo wrongly; each sees a private verdict.
    let verdict = answer_post(fake, &ann, post, &question, &right)
        .reply()
        .await;
    assert_eq!(
        verdict.kind,
        ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert!(verdict.is_ephemeral());
    assert_eq!(
        verdict.custom_ids(),
        [format!("d:{post_id}:flag")],
        "a daily verdict carries 🚩"
    );
    assert!(verdict.embeds()[0]["title"]
        .as_str()
        .unwrap()
        .contains(texts.correct()));
    assert!(verdict
        .text()
        .contains(&question.explanation.chars().take(30).collect::<String>()));
    let verdict = answer_post(fake, &bo, post, &question, &wrong)
        .reply()
        .await;
    assert!(verdict.embeds()[0]["title"]
        .as_str()
        .unwrap()
        .contains(texts.wrong()));
    // Bo's second click: the first answer stands.
    let again = answer_post(fake, &bo, post, &question, &right)
        .reply()
        .await;
    assert!(again.is_ephemeral());
    assert!(
        again
            .text()
            .contains(&texts.already_answered(&Question::letters(&wrong))),
        "{}",
        again.text()
    );
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM answers WHERE daily_post_id = $1")
        .bind(post_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, 2);

    // Bo's miss comes back in his review at once; Ann has nothing due.
    let review = harness.review(&bo, 3).await;
    assert_eq!(
        harness.question_on(&review).id,
        question.id,
        "{}",
        review.text()
    );
    assert!(
        review.text().contains(texts.review_title()),
        "{}",
        review.text()
    );
    let nothing = harness.review(&ann, 3).await;
    assert!(
        nothing.text().contains("지금 복습할 문제가 없습니다"),
        "{}",
        nothing.text()
    );
    assert_eq!(nothing.custom_ids(), ["start"]);

    // Reveal time: the post closes and the results follow.
    sqlx::query("UPDATE daily_posts SET reveal_at = now() WHERE id = $1")
        .bind(post_id)
        .execute(&pool)
        .await
        .unwrap();
    let messages = fake.wait_channel_messages(channel, 2).await;
    let results = &messages[1];
    assert_eq!(
        custom_ids(results),
        [format!("d:{post_id}:flag")],
        "the results carry 🚩"
    );
    let closed = fake
        .message(post["id"].as_str().unwrap().parse().unwrap())
        .unwrap();
    let components: Vec<serde_json::Value> = closed["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap())
        .collect();
    assert!(!components.is_empty());
    assert!(
        components.iter().all(|c| c["disabled"] == true),
        "{components:?}"
    );
    let embed = &results["embeds"][0];
    let fields = embed["fields"].as_array().unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}: {fields:?}"))["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let spread = field(texts.answer_spread());
    for (i, line) in spread.lines().enumerate() {
        let count = usize::from(right.contains(&i)) + usize::from(wrong.contains(&i));
        let expected = texts.choice_spread(Question::letter(i), count, 2, right.contains(&i));
        assert_eq!(line, expected);
        assert_eq!(line.ends_with('✅'), right.contains(&i), "{line}");
    }
    assert_eq!(spread.lines().count(), question.choices.len());
    assert!(field(texts.explanation())
        .starts_with(&question.explanation.chars().take(30).collect::<String>()));
    assert!(
        fields
            .iter()
            .any(|f| f["name"].as_str().unwrap().contains(" › ")),
        "the notes' excerpt"
    );
    assert!(field(texts.streaks_title()).contains("Ann"), "{fields:?}");
    assert_eq!(embed["footer"]["text"], texts.turnout(2, 1));

    // After the reveal, answers are refused; the reveal happened once.
    let late = answer_post(fake, &cy, post, &question, &right)
        .reply()
        .await;
    assert!(late.is_ephemeral());
    assert!(
        late.text().contains("정답이 이미 공개되어"),
        "{}",
        late.text()
    );
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(fake.channel_messages(channel).len(), 2);

    // A channel closed to the bot: on record, shown to admins.
    let closed_channel = 1_200_000_000_000_000_088_u64;
    fake.close_channel(closed_channel, true);
    let set = daily_admin(
        "set",
        json!([
            { "name": "time", "type": 3, "value": this_minute_in_seoul() },
            { "name": "channel", "type": 7, "value": closed_channel.to_string() },
        ]),
    );
    fake.slash(&admin, "quiz-admin", set).reply().await;
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let failures: i32 =
            sqlx::query_scalar("SELECT failures FROM daily_schedules WHERE channel = $1")
                .bind(closed_channel.to_string())
                .fetch_one(&pool)
                .await
                .unwrap();
        if failures > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the failure was not recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let shown = fake
        .slash(&admin, "quiz-admin", daily_admin("show", json!([])))
        .reply()
        .await;
    let text = shown.text();
    assert!(text.contains(&format!("<#{channel}> · 매일")), "{text}");
    assert!(
        text.contains(&format!("<#{closed_channel}> · 매일")),
        "{text}"
    );
    assert!(
        text.contains("⚠ 전송 실패 1회") && text.contains("Missing Permissions"),
        "{text}"
    );

    // Off for one channel.
    let off = fake
        .slash(
            &admin,
            "quiz-admin",
            daily_admin(
                "off",
                json!([{ "name": "channel", "type": 7, "value": closed_channel.to_string() }]),
            ),
        )
        .reply()
        .await;
    assert_eq!(off.text().trim(), texts.schedules_off(1));
    assert_no_problems(fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_brings_back_the_misses_first_and_scores_nothing() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let dana = Member::new(701, "Dana");

    // Nothing to review before any answer: a quiz is offered instead.
    let nothing = harness.review(&dana, 5).await;
    assert!(
        nothing.text().contains(&texts.nothing_due(None)),
        "{}",
        nothing.text()
    );
    let mut start = harness
        .fake
        .click(&dana, &nothing.message(), &nothing.custom_ids()[0]);
    let offered = start.reply().await;
    assert_eq!(offered.kind, ReplyKind::Callback(UPDATE_MESSAGE));
    harness.question_on(&offered);

    // A quiz of four: the first and third missed.
    let mut card = harness.quiz(&dana, "ec2", 4).await;
    let mut missed = Vec::new();
    let mut asked = Vec::new();
    for position in 0..4 {
        let question = harness.question_on(&card);
        asked.push(question.id.clone());
        let rightly = position % 2 == 1;
        if !rightly {
            missed.push(question.id.clone());
        }
        let feedback = harness.answer(&dana, &card, rightly).reply().await;
        if position < 3 {
            card = harness
                .fake
                .click(&dana, &feedback.message(), &next_button(&feedback))
                .reply()
                .await;
        } else {
            let text = feedback.text();
            assert!(
                text.contains("틀린 2문제는"),
                "the summary says they come back: {text}"
            );
            assert!(
                text.contains("지금 바로 복습할 수 있습니다 (/퀴즈 방식:복습)"),
                "the misses are in review at once, named with Discord's command: {text}"
            );
        }
    }

    // Review: exactly those two first, oldest miss first, then a question
    // never asked from the weakest topic; no points for any of them.
    let mut card = harness.review(&dana, 3).await;
    let mut reviewed = Vec::new();
    for position in 0..3 {
        let question = harness.question_on(&card);
        let text = card.text();
        assert!(
            text.contains(texts.review_title()),
            "a review card says so: {text}"
        );
        assert!(
            card.embeds()[0]["footer"]["text"] == texts.review_footer(),
            "and what it counts for: {:?}",
            card.embeds()[0]
        );
        reviewed.push(question.id.clone());
        let feedback = harness.answer(&dana, &card, true).reply().await;
        assert!(
            feedback.text().contains(texts.review_scored()),
            "{}",
            feedback.text()
        );
        if position < 2 {
            card = harness
                .fake
                .click(&dana, &feedback.message(), &next_button(&feedback))
                .reply()
                .await;
        }
    }
    assert_eq!(reviewed[..2], missed[..]);
    assert!(
        !asked.contains(&reviewed[2]),
        "{reviewed:?} after {asked:?}"
    );
    assert_eq!(
        harness
            .content
            .current()
            .bank
            .question(&reviewed[2])
            .unwrap()
            .topic,
        "ec2",
        "the weakest topic"
    );

    let pool = harness.pool().await;
    let review_points: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(a.points), 0)::bigint FROM answers a
         JOIN quiz_sessions s ON s.id = a.session_id WHERE s.review",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(review_points, 0);
    let reps: i64 =
        sqlx::query_scalar("SELECT count(*) FROM review_cards WHERE reps = 2 AND lapses = 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reps, 2, "each missed card was reviewed once more");

    // /stats shows what is due, the exam domains, the weak topic against
    // the group, and the questions missed most.
    let stats = harness.fake.slash(&dana, "stats", json!([])).reply().await;
    let text = stats.text();
    assert!(text.contains("복습: 지금 0문제"), "{text}");
    assert!(text.contains("Amazon EC2: 5/7 (71%) · 그룹 71%"), "{text}");
    assert!(text.contains("약한 주제: Amazon EC2 71%"), "{text}");
    assert!(text.contains(texts.accuracy_by_domain()), "{text}");
    assert!(text.contains(texts.most_missed_title()), "{text}");
    assert!(text.contains("(2번 중 1번 틀림)"), "{text}");
    assert!(text.contains("최근 30일 "), "the activity chart: {text}");

    // /quiz mode:weak draws from that topic.
    let weak = harness
        .fake
        .slash(
            &dana,
            "quiz",
            json!([
                { "name": "count", "type": 4, "value": 2 },
                { "name": "mode", "type": 4, "value": 1 },
            ]),
        )
        .reply()
        .await;
    assert_eq!(harness.question_on(&weak).topic, "ec2", "{}", weak.text());
    assert!(
        !weak.text().contains(texts.review_title()),
        "{}",
        weak.text()
    );
    assert_no_problems(&harness.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reports_a_question_and_an_admin_resolves_it() {
    let harness = Harness::start().await;
    let texts = harness.texts();
    let fake = &harness.fake;
    let eve = Member::new(801, "Eve");
    let admin = Member::admin(802, "Admin");

    let card = harness.quiz(&eve, "ec2", 2).await;
    let question = harness.question_on(&card);
    let feedback = harness.answer(&eve, &card, true).reply().await;
    let flag = feedback
        .custom_ids()
        .into_iter()
        .find(|id| id.ends_with(":flag"))
        .expect("a 🚩 button on the feedback");

    // 🚩 asks why, privately, with a button per reason.
    let asked = fake.click(&eve, &feedback.message(), &flag).reply().await;
    assert!(asked.is_ephemeral());
    assert!(
        asked.text().contains(texts.report_question()),
        "{}",
        asked.text()
    );
    assert_eq!(asked.custom_ids().len(), 4, "{:?}", asked.custom_ids());
    let wrong_answer = format!("{flag}:answer");
    assert!(asked.custom_ids().contains(&wrong_answer));

    // The reason opens a form for details; sending it files the report.
    let form = fake
        .click(&eve, &asked.message(), &wrong_answer)
        .reply()
        .await;
    assert_eq!(form.kind, ReplyKind::Callback(MODAL), "{:?}", form.data);
    let thanks = fake
        .submit_modal(
            &eve,
            &form.data,
            &[("details", "노트에는 다른 답이 맞다고 되어 있어요")],
        )
        .reply()
        .await;
    assert!(thanks.is_ephemeral());
    assert_eq!(thanks.text().trim(), texts.report_thanks());

    // One open report per member and question.
    let again = fake
        .submit_modal(&eve, &form.data, &[("details", "")])
        .reply()
        .await;
    assert_eq!(again.text().trim(), texts.report_already_open());

    // Members may not list reports; admins see them by question.
    let reports = |sub: &str, options: serde_json::Value| json!([{ "name": "reports", "type": 2, "options": [{ "name": sub, "type": 1, "options": options }] }]);
    let refused = fake
        .slash(&eve, "quiz-admin", reports("show", json!([])))
        .reply()
        .await;
    assert_eq!(refused.data["content"], texts.refusal(&Refusal::AdminOnly));
    let listed = fake
        .slash(&admin, "quiz-admin", reports("show", json!([])))
        .reply()
        .await;
    let text = listed.text();
    assert!(
        text.contains(&texts.reported_question(
            &question.id,
            1,
            1,
            &[(quizbot::report::ReportReason::WrongAnswer, 1)]
        )),
        "{text}"
    );
    assert!(
        text.contains("Eve: 노트에는 다른 답이 맞다고 되어 있어요"),
        "{text}"
    );

    // Resolved: the open list is empty, the full one keeps it.
    let resolved = fake
        .slash(
            &admin,
            "quiz-admin",
            reports(
                "resolve",
                json!([
                    { "name": "question", "type": 3, "value": question.id },
                    { "name": "note", "type": 3, "value": "해설 보강" },
                ]),
            ),
        )
        .reply()
        .await;
    assert_eq!(
        resolved.text().trim(),
        texts.reports_resolved(&question.id, 1)
    );
    let open = fake
        .slash(&admin, "quiz-admin", reports("show", json!([])))
        .reply()
        .await;
    assert_eq!(open.text().trim(), texts.reports_none(false));
    let all = fake
        .slash(
            &admin,
            "quiz-admin",
            reports("show", json!([{ "name": "all", "type": 5, "value": true }])),
        )
        .reply()
        .await;
    assert!(all.text().contains("(처리됨: 해설 보강)"), "{}", all.text());
    assert_no_problems(fake);
}

/// While a transaction holds `answers` locked for five seconds (a database
/// that stalls), every click and command still gets Discord's first
/// response within 2.5 s: a deferral. Once the lock goes, each member sees
/// what was stored: the feedback of the answer the database holds, the
/// card of the quiz it started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_database_defers_every_interaction_and_then_tells_what_was_stored() {
    let harness = Harness::start().await;
    let members: Vec<Member> = (0..3)
        .map(|i| Member::new(700 + i, &format!("stalled {i}")))
        .collect();
    let mut cards = Vec::new();
    for member in &members {
        cards.push(harness.quiz(member, "ec2", 2).await);
    }
    let pool = harness.pool().await;
    let mut lock = pool.begin().await.expect("begin");
    sqlx::query("LOCK TABLE answers IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .expect("lock answers");
    let locked_at = std::time::Instant::now();

    let mut clicks: Vec<_> = members
        .iter()
        .zip(&cards)
        .enumerate()
        .map(|(i, (member, card))| harness.answer(member, card, i % 2 == 0))
        .collect();
    // A new quiz reads the member's answers too.
    let latecomer = Member::new(799, "latecomer");
    let mut quiz = harness.fake.slash(
        &latecomer,
        "quiz",
        json!([{ "name": "topic", "type": 3, "value": "ec2" }]),
    );

    let deadline = std::time::Duration::from_millis(2500);
    for click in &mut clicks {
        let first = click.reply().await;
        assert_eq!(
            first.kind,
            ReplyKind::Callback(DEFERRED_UPDATE_MESSAGE),
            "a click on a card is deferred while the database stalls: {:?}",
            first.data
        );
        let latency = first.latency.expect("timed");
        assert!(latency < deadline, "first response after {latency:?}");
    }
    let first = quiz.reply().await;
    assert_eq!(
        first.kind,
        ReplyKind::Callback(DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE)
    );
    assert!(
        first.is_ephemeral(),
        "the deferral is private: {:?}",
        first.data
    );
    assert!(first.latency.expect("timed") < deadline);
    assert!(
        locked_at.elapsed() < std::time::Duration::from_secs(5),
        "the deferrals came while the lock was held"
    );

    tokio::time::sleep(std::time::Duration::from_secs(5).saturating_sub(locked_at.elapsed())).await;
    lock.commit().await.expect("release the lock");

    let texts = harness.texts();
    for ((click, member), i) in clicks.iter_mut().zip(&members).zip(0..) {
        let feedback = click.reply().await;
        assert_eq!(
            feedback.kind,
            ReplyKind::EditOriginal,
            "{:?}",
            feedback.data
        );
        let correct: bool = sqlx::query_scalar(
            "SELECT a.correct FROM answers a JOIN players p ON p.id = a.player_id
             WHERE p.external_id = $1",
        )
        .bind(member.id.to_string())
        .fetch_one(&pool)
        .await
        .expect("the answer was stored once");
        assert_eq!(correct, i % 2 == 0, "the stored answer is the one given");
        let verdict = if correct {
            texts.correct()
        } else {
            texts.wrong()
        };
        assert!(
            feedback.text().contains(verdict),
            "the member reads what was stored ({verdict}): {}",
            feedback.text()
        );
        assert!(
            feedback.custom_ids().iter().any(|id| id.ends_with(":next")),
            "the card became the feedback with Next: {:?}",
            feedback.custom_ids()
        );
    }
    let card = quiz.reply().await;
    assert_eq!(card.kind, ReplyKind::EditOriginal, "{:?}", card.data);
    assert!(
        card.custom_ids().iter().any(|id| id.starts_with("q:")),
        "the deferred /quiz became the card: {:?}",
        card.data
    );
    assert_no_problems(&harness.fake);
}

/// `/quiz-admin …` with one subcommand and its options.
fn admin_command(subcommand: &str, options: Value) -> Value {
    json!([{ "name": subcommand, "type": 1, "options": options }])
}

/// A server's own settings: an admin sets its time zone, and the day on
/// the leaderboard is that zone's; sets its language to English, and that
/// server's quiz speaks English while another server stays Korean; a new
/// server whose preferred locale is English starts in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_sets_its_own_time_zone_and_language() {
    let harness = Harness::start().await;
    let admin = Member::admin(601, "Dana");
    let korean = Texts::new(Locale::Korean);
    let english = Texts::new(Locale::English);

    // The admin's first contact creates the server in Korean (its locale).
    let zone = harness
        .fake
        .slash(
            &admin,
            "quiz-admin",
            admin_command(
                "timezone",
                json!([{ "name": "zone", "type": 3, "value": "Europe/Berlin" }]),
            ),
        )
        .visible_reply()
        .await;
    assert!(
        zone.text().contains(&korean.time_zone_set("Europe/Berlin")),
        "{}",
        zone.text()
    );
    let board = harness
        .fake
        .slash(
            &admin,
            "leaderboard",
            json!([{ "name": "period", "type": 4, "value": 0 }]),
        )
        .visible_reply()
        .await;
    let berlin_today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%d (Europe/Berlin)")
        .to_string();
    assert!(
        board.text().contains(&berlin_today),
        "today's board is Berlin's day, {berlin_today}: {}",
        board.text()
    );

    let language = harness
        .fake
        .slash(
            &admin,
            "quiz-admin",
            admin_command(
                "language",
                json!([{ "name": "language", "type": 4, "value": 1 }]),
            ),
        )
        .visible_reply()
        .await;
    assert!(
        language.text().contains(&english.language_set()),
        "{}",
        language.text()
    );
    let settings = harness
        .fake
        .slash(&admin, "quiz-admin", admin_command("settings", json!([])))
        .visible_reply()
        .await;
    assert!(
        settings.text().contains("Time zone: Europe/Berlin")
            && settings.text().contains("English (en)"),
        "{}",
        settings.text()
    );

    // This server's quiz is in English now …
    let member = Member::new(602, "Eli");
    let card = harness.quiz(&member, "ec2", 1).await;
    let feedback = harness.answer(&member, &card, true).visible_reply().await;
    assert!(
        feedback.text().contains(english.correct()),
        "{}",
        feedback.text()
    );

    // … another server's stays Korean …
    let elsewhere = Member {
        guild: Some(harness.fake.guild_id + 1),
        ..Member::new(603, "Fay")
    };
    let card = harness.quiz(&elsewhere, "ec2", 1).await;
    let feedback = harness
        .answer(&elsewhere, &card, true)
        .visible_reply()
        .await;
    assert!(
        feedback.text().contains(korean.correct()),
        "{}",
        feedback.text()
    );

    // … and a new server that prefers English starts in English.
    let abroad = Member {
        guild: Some(harness.fake.guild_id + 2),
        guild_locale: "en-US",
        ..Member::new(604, "Gus")
    };
    let card = harness.quiz(&abroad, "ec2", 1).await;
    let feedback = harness.answer(&abroad, &card, true).visible_reply().await;
    assert!(
        feedback.text().contains(english.correct()),
        "{}",
        feedback.text()
    );
    assert_no_problems(&harness.fake);
}
