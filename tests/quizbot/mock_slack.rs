//! The mock exam on Slack end to end: the real slack-morphism client in
//! Socket Mode against the loopback Slack of `fake_slack`, with real
//! Postgres.

use serde_json::Value;
use sqlx::Row;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use quizbot::config::Locale;
use quizbot::content::SharedContent;
use quizbot::i18n::Texts;
use quizbot::mock;
use quizbot::slack::SlackError;
use quizbot::store::{MockExam, Store};

use super::fake_slack::{
    action_ids, assert_contains, block_kit_problem, message_text, FakeSlack, FakeUser,
};
use super::mock_exam;
use super::support::TestDatabase;

const DANA: &str = "U0DANA001";

struct Bot {
    fake: FakeSlack,
    store: Store,
    content: SharedContent,
    db: TestDatabase,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), SlackError>>>,
    _dir: tempfile::TempDir,
}

impl Bot {
    async fn start() -> Bot {
        let fake = FakeSlack::start().await;
        fake.add_user(FakeUser::member(DANA, "Dana Choi"));
        let (content, dir) = mock_exam::loaded();
        let content = SharedContent::new(content);
        let db = TestDatabase::postgres().await;
        let store = db.store().await;
        let service = mock_exam::platform_service(&content, store.clone(), 11);
        let shutdown = CancellationToken::new();
        let task = fake
            .run_bot(fake.socket_settings(), service, shutdown.clone())
            .await;
        Bot {
            fake,
            store,
            content,
            db,
            shutdown,
            task: Some(task),
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let ended = tokio::time::timeout(std::time::Duration::from_secs(10), task)
                .await
                .expect("the Slack bot stops")
                .expect("the Slack task did not panic");
            assert!(ended.is_ok(), "the Slack bot ended with {ended:?}");
        }
    }

    async fn exam(&self, id: i64) -> MockExam {
        mock_exam::exam(&self.store, id).await
    }

    /// Clicks `action_id` on `message`; the reply replaces the card.
    async fn click(&self, message: &Value, action_id: &str, checked: &[&str]) -> Value {
        let reply = self.fake.click(DANA, message, action_id, checked).await;
        assert_eq!(reply["replace_original"], true, "{reply:#}");
        assert_fits(&reply);
        reply
    }

    /// Chooses at the card's question, rightly or not: a button, or the
    /// checkboxes and their save button for "choose two".
    async fn choose(&self, card: &Value, rightly: bool) -> Value {
        let (exam, position) = place(card);
        let stored = self.exam(exam).await;
        let (chosen, multi) = mock_exam::picks(&self.content.current(), &stored, position, rightly);
        if multi {
            let checked: Vec<String> = chosen.iter().map(usize::to_string).collect();
            let checked: Vec<&str> = checked.iter().map(String::as_str).collect();
            self.click(card, &format!("m:{exam}:{position}:save"), &checked)
                .await
        } else {
            self.click(card, &format!("m:{exam}:{position}:{}", chosen[0]), &[])
                .await
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The exam and position of a mock card.
fn place(card: &Value) -> (i64, usize) {
    mock_exam::place_of(action_ids(card))
        .unwrap_or_else(|| panic!("no mock answer element in {card:#}"))
}

fn assert_fits(message: &Value) {
    assert_eq!(
        block_kit_problem(&message["blocks"]),
        None,
        "over Block Kit's limits: {message:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_exam_runs_from_the_slash_command_to_a_paged_result() {
    let bot = Bot::start().await;
    let texts = Texts::new(Locale::Korean);
    let explanations = mock_exam::explanations(&bot.content.current());
    let no_verdict = |card: &Value| {
        let text = message_text(card);
        for verdict in [texts.correct(), texts.wrong(), "✅", "❌"] {
            assert!(
                !text.contains(verdict),
                "{verdict:?} before submitting: {text}"
            );
        }
        for explanation in &explanations {
            assert!(!text.contains(explanation.as_str()), "{text}");
        }
    };

    // /quiz mock 5
    let mut card = bot.fake.command(DANA, "/quiz", "mock 5").await;
    assert_eq!(card["response_type"], "ephemeral", "{card:#}");
    assert_fits(&card);
    let (exam, position) = place(&card);
    assert_eq!(position, 0);
    assert_contains(&card, &texts.mock_answered(0, 5));
    assert_contains(&card, texts.time_left_label());
    assert!(action_ids(&card).contains(&format!("m:{exam}:submit")));

    for (position, rightly) in [true, false, false, true, true].into_iter().enumerate() {
        assert_eq!(place(&card).1, position);
        no_verdict(&card);
        card = bot.choose(&card, rightly).await;
    }
    assert_eq!(place(&card).1, 4);
    assert_contains(&card, &texts.mock_answered(5, 5));

    // Back to the fourth question, where the choice shows; change it.
    let back = bot.click(&card, &format!("m:{exam}:3:go"), &[]).await;
    assert_eq!(place(&back).1, 3);
    let marked = back["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().into_iter().flatten())
        .filter(|e| {
            e["action_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(&format!("m:{exam}:3:")))
                && (e["style"] == "primary" || e["initial_options"].is_array())
        })
        .count();
    assert!(marked >= 1, "the standing choice shows: {back:#}");
    no_verdict(&back);
    let changed = bot.choose(&back, false).await;
    assert_eq!(place(&changed).1, 4);

    let result = bot.click(&changed, &format!("m:{exam}:submit"), &[]).await;
    let stored = bot.exam(exam).await;
    let outcome = stored.result.clone().expect("a result");
    assert_eq!((outcome.right, outcome.total), (2, 5));
    assert_contains(
        &result,
        &texts.mock_score_line(2, 5, mock::scaled_score(2, 5)),
    );
    assert_contains(&result, texts.mock_domains_title());
    for tally in &outcome.domains {
        assert_contains(
            &result,
            &texts.domain_accuracy(tally.domain, i64::from(tally.right), i64::from(tally.total)),
        );
    }
    assert_contains(&result, &texts.mock_misses_title(1, 2, 3));
    let content = bot.content.current();
    let missed: Vec<&quizbot::bank::Question> = [1, 2, 3]
        .iter()
        .map(|&p| {
            content
                .bank
                .question(&stored.question_ids[p])
                .expect("in the bank")
        })
        .collect();
    for question in &missed[..2] {
        assert_contains(&result, &question.explanation);
    }
    assert_contains(&result, texts.from_notes());
    let second = bot.click(&result, &format!("m:{exam}:r:1"), &[]).await;
    assert_contains(&second, &texts.mock_misses_title(3, 3, 3));
    assert_contains(&second, &missed[2].explanation);

    // Recorded once each, no points.
    let pool = sqlx::PgPool::connect(&bot.db.url).await.expect("connect");
    let points: Vec<i32> = sqlx::query("SELECT points FROM answers WHERE mock_exam_id = $1")
        .bind(exam)
        .fetch_all(&pool)
        .await
        .expect("read answers")
        .iter()
        .map(|r| r.get("points"))
        .collect();
    assert_eq!(points, [0; 5]);

    // The record and the group's readiness.
    let stats = bot.fake.command(DANA, "/quiz-stats", "").await;
    assert_contains(
        &stats,
        &texts.mock_history(&[(mock::scaled_score(2, 5), false)]),
    );
    assert_contains(&stats, &texts.predicted_score_pending(5, 20));
    let board = bot.fake.command(DANA, "/leaderboard", "readiness").await;
    assert_eq!(board["response_type"], "in_channel", "{board:#}");
    assert_fits(&board);
    assert_contains(&board, &texts.readiness_title());
    assert_contains(&board, &format!("Dana Choi — {}", texts.not_enough_data()));
    bot.stop().await;
}
