//! The mock exam on Discord end to end: the real serenity/poise client
//! against the loopback Discord of `fake_discord`, with real Postgres.

use std::collections::HashSet;

use quizbot::config::Locale;
use quizbot::content::SharedContent;
use quizbot::i18n::Texts;
use quizbot::mock;
use quizbot::store::{MockExam, Store};
use serde_json::json;
use sqlx::Row;

use crate::fake_discord::{
    FakeDiscord, Member, Reply, ReplyKind, RunningBot, CHANNEL_MESSAGE_WITH_SOURCE, PATIENCE,
    UPDATE_MESSAGE,
};
use crate::mock_exam;
use crate::support::{shipped_content, TestDatabase};

/// The bot on a fake Discord and a real Postgres, with the mock test bank.
struct Bot {
    fake: FakeDiscord,
    db: TestDatabase,
    store: Store,
    content: SharedContent,
    running: Option<RunningBot>,
    _dir: tempfile::TempDir,
}

impl Bot {
    async fn start() -> Bot {
        let (content, dir) = mock_exam::loaded();
        Bot::start_with(content, dir).await
    }

    async fn start_with(content: quizbot::content::Content, dir: tempfile::TempDir) -> Bot {
        let fake = FakeDiscord::start().await;
        let db = TestDatabase::postgres().await;
        let store = db.store().await;
        let content = SharedContent::new(content);
        let service = mock_exam::platform_service(&content, store.clone(), 4);
        let running = fake.run_bot(service, 1).await;
        Bot {
            fake,
            db,
            store,
            content,
            running: Some(running),
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        let (shutdown, task) = self.running.take().expect("the bot is running");
        shutdown.cancel();
        match tokio::time::timeout(PATIENCE, task).await {
            Ok(Ok(Ok(()))) => {}
            other => panic!("the bot did not stop cleanly: {other:?}"),
        }
    }

    async fn exam(&self, id: i64) -> MockExam {
        mock_exam::exam(&self.store, id).await
    }

    /// Chooses at the card's question: rightly or not, with a button or
    /// the "choose two" menu. Returns the next step.
    async fn choose(&self, member: &Member, card: &Reply, rightly: bool) -> Reply {
        let (exam, position) = place(card);
        let stored = self.exam(exam).await;
        let (chosen, multi) = mock_exam::picks(&self.content.current(), &stored, position, rightly);
        let mut interaction = if multi {
            let values: Vec<String> = chosen.iter().map(usize::to_string).collect();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            self.fake.select(
                member,
                &card.message(),
                &format!("m:{exam}:{position}:pick"),
                &values,
            )
        } else {
            self.fake.click(
                member,
                &card.message(),
                &format!("m:{exam}:{position}:{}", chosen[0]),
            )
        };
        let reply = interaction.reply().await;
        assert_eq!(reply.kind, ReplyKind::Callback(UPDATE_MESSAGE), "{reply:?}");
        reply
    }

    async fn click(&self, member: &Member, on: &Reply, custom_id: &str) -> Reply {
        let reply = self
            .fake
            .click(member, &on.message(), custom_id)
            .reply()
            .await;
        assert_eq!(reply.kind, ReplyKind::Callback(UPDATE_MESSAGE), "{reply:?}");
        reply
    }
}

/// The exam and position of a mock card, from its answer components.
fn place(card: &Reply) -> (i64, usize) {
    mock_exam::place_of(card.custom_ids())
        .unwrap_or_else(|| panic!("no mock answer component: {:?}", card.data))
}

fn assert_unique_ids(reply: &Reply) {
    let ids = reply.custom_ids();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "custom ids repeat: {ids:?}");
}

/// What only a verdict would say: nothing of it before submitting.
fn assert_no_verdict(texts: Texts, card: &Reply, explanations: &[String]) {
    let text = card.text();
    for verdict in [texts.correct(), texts.wrong(), "✅", "❌"] {
        assert!(
            !text.contains(verdict),
            "{verdict:?} before submitting: {text}"
        );
    }
    for explanation in explanations {
        assert!(
            !text.contains(explanation.as_str()),
            "an explanation before submitting: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_exam_runs_from_its_first_question_to_a_paged_result() {
    let bot = Bot::start().await;
    let texts = Texts::new(Locale::Korean);
    let alice = Member::new(701, "Alice");
    let explanations = mock_exam::explanations(&bot.content.current());

    // /quiz mode:mock count:5
    let mut start = bot.fake.slash(
        &alice,
        "quiz",
        json!([
            { "name": "count", "type": 4, "value": 5 },
            { "name": "mode", "type": 4, "value": 2 },
        ]),
    );
    let mut card = start.reply().await;
    assert_eq!(card.kind, ReplyKind::Callback(CHANNEL_MESSAGE_WITH_SOURCE));
    assert!(card.is_ephemeral(), "the exam is private: {:?}", card.data);
    let (exam, position) = place(&card);
    assert_eq!(position, 0);
    let text = card.text();
    assert!(text.contains(&texts.mock_answered(0, 5)), "{text}");
    assert!(
        text.contains(&format!("{} · 1/5", texts.mock_title())),
        "{text}"
    );
    let ends = bot.exam(exam).await.ends_at.timestamp();
    assert!(
        text.contains(&format!("<t:{ends}:R>")),
        "a live countdown to the end: {text}"
    );
    assert!(card.custom_ids().contains(&format!("m:{exam}:submit")));

    // Right, wrong, wrong, right, right.
    for (position, rightly) in [true, false, false, true, true].into_iter().enumerate() {
        assert_eq!(place(&card).1, position);
        assert_no_verdict(texts, &card, &explanations);
        assert_unique_ids(&card);
        card = bot.choose(&alice, &card, rightly).await;
    }
    // Every question answered: the last one stays, with its choice.
    assert_eq!(place(&card).1, 4);
    assert!(card.text().contains(&texts.mock_answered(5, 5)));
    assert_no_verdict(texts, &card, &explanations);

    // Back to the fourth question: its choice is highlighted; change it.
    let back = bot.click(&alice, &card, &format!("m:{exam}:3:go")).await;
    assert_eq!(place(&back).1, 3);
    let highlighted = back.components().iter().filter(|c| c["style"] == 3).count()
        + back
            .components()
            .iter()
            .flat_map(|c| c["options"].as_array().cloned().unwrap_or_default())
            .filter(|o| o["default"] == true)
            .count();
    assert!(
        highlighted >= 1,
        "the standing choice shows: {:?}",
        back.data
    );
    assert_no_verdict(texts, &back, &explanations);
    let changed = bot.choose(&alice, &back, false).await;
    assert_eq!(place(&changed).1, 4);

    // Submit: every question has an answer, so no confirmation.
    let result = bot
        .click(&alice, &changed, &format!("m:{exam}:submit"))
        .await;
    let text = result.text();
    let stored = bot.exam(exam).await;
    let outcome = stored.result.clone().expect("the exam has its result");
    assert_eq!((outcome.right, outcome.total), (2, 5), "{text}");
    assert!(text.contains(texts.mock_result_title()), "{text}");
    assert!(
        text.contains(&texts.mock_score_line(2, 5, mock::scaled_score(2, 5))),
        "{text}"
    );
    assert!(text.contains(texts.mock_domains_title()), "{text}");
    for tally in &outcome.domains {
        let line =
            texts.domain_accuracy(tally.domain, i64::from(tally.right), i64::from(tally.total));
        assert!(
            text.contains(&line),
            "per domain beside its weight: {line} in {text}"
        );
    }
    // Three misses, two a page: the first two here, explained.
    assert!(text.contains(&texts.mock_misses_title(1, 2, 3)), "{text}");
    let content = bot.content.current();
    let missed: Vec<&quizbot::bank::Question> = stored
        .question_ids
        .iter()
        .enumerate()
        .filter(|(position, _)| [1, 2, 3].contains(position))
        .map(|(_, id)| content.bank.question(id).expect("in the bank"))
        .collect();
    for question in &missed[..2] {
        assert!(text.contains(&question.explanation), "{text}");
    }
    assert!(
        text.contains(&format!("{} · ", texts.from_notes())),
        "the notes: {text}"
    );
    assert!(
        !text.contains(&missed[2].explanation),
        "the third is on page 2"
    );
    assert_unique_ids(&result);
    let page_two = bot.click(&alice, &result, &format!("m:{exam}:r:1")).await;
    let text = page_two.text();
    assert!(text.contains(&texts.mock_misses_title(3, 3, 3)), "{text}");
    assert!(text.contains(&missed[2].explanation), "{text}");
    assert!(text.contains(&texts.right_answer().to_string()), "{text}");
    assert!(page_two.custom_ids().contains(&format!("m:{exam}:r:0")));

    // A click on the old card now shows the result, not a question.
    let late = bot.click(&alice, &card, &format!("m:{exam}:3:go")).await;
    assert!(late.text().contains(texts.mock_already_submitted()));

    // Recorded once each, for no points.
    let pool = sqlx::PgPool::connect(&bot.db.url).await.expect("connect");
    let rows = sqlx::query("SELECT points, correct FROM answers WHERE mock_exam_id = $1")
        .bind(exam)
        .fetch_all(&pool)
        .await
        .expect("read answers");
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r.get::<i32, _>("points") == 0));
    assert_eq!(
        rows.iter().filter(|r| r.get::<bool, _>("correct")).count(),
        2
    );

    // /stats shows the mock; the readiness board, that there is not
    // enough data yet for a prediction.
    let stats = bot
        .fake
        .slash(&alice, "stats", json!([]))
        .visible_reply()
        .await;
    let text = stats.text();
    assert!(
        text.contains(&texts.mock_history(&[(mock::scaled_score(2, 5), false)])),
        "{text}"
    );
    assert!(
        text.contains(&texts.predicted_score_pending(5, 20)),
        "{text}"
    );
    let board = bot
        .fake
        .slash(
            &alice,
            "leaderboard",
            json!([{ "name": "view", "type": 4, "value": 1 }]),
        )
        .visible_reply()
        .await;
    assert!(!board.is_ephemeral(), "the board is public");
    let text = board.text();
    assert!(text.contains(&texts.readiness_title()), "{text}");
    assert!(
        text.contains(&format!("Alice · {}", texts.not_enough_data())),
        "{text}"
    );
    let problems = bot.fake.problems();
    assert!(problems.is_empty(), "Discord's limits: {problems:#?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_exam_with_blank_questions_asks_before_submitting() {
    let bot = Bot::start().await;
    let texts = Texts::new(Locale::Korean);
    let bob = Member::new(702, "Bob");
    let card = bot
        .fake
        .slash(
            &bob,
            "quiz",
            json!([
                { "name": "count", "type": 4, "value": 4 },
                { "name": "mode", "type": 4, "value": 2 },
            ]),
        )
        .reply()
        .await;
    let (exam, _) = place(&card);
    let next = bot.choose(&bob, &card, true).await;
    let confirm = bot.click(&bob, &next, &format!("m:{exam}:submit")).await;
    assert!(
        confirm.text().contains(&texts.mock_confirm(3)),
        "{}",
        confirm.text()
    );
    // Going back lands on a blank question; submitting for sure scores
    // the blanks wrong.
    let back = bot.click(&bob, &confirm, &format!("m:{exam}:1:go")).await;
    assert_eq!(place(&back).1, 1);
    let again = bot.click(&bob, &back, &format!("m:{exam}:submit")).await;
    let result = bot.click(&bob, &again, &format!("m:{exam}:confirm")).await;
    assert!(
        result
            .text()
            .contains(&texts.mock_score_line(1, 4, mock::scaled_score(1, 4))),
        "{}",
        result.text()
    );
    assert!(result.text().contains(texts.mock_blank()));
    assert!(bot.fake.problems().is_empty(), "{:#?}", bot.fake.problems());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_exam_of_the_shipped_bank_fits_discords_limits_on_every_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = Bot::start_with(shipped_content(), dir).await;
    let texts = Texts::new(Locale::Korean);
    let carol = Member::new(703, "Carol");
    let card = bot
        .fake
        .slash(
            &carol,
            "quiz",
            json!([{ "name": "mode", "type": 4, "value": 2 }]),
        )
        .reply()
        .await;
    let (exam, _) = place(&card);
    let stored = bot.exam(exam).await;
    assert_eq!(
        stored.question_ids.len(),
        65,
        "the exam's length by default"
    );
    assert_eq!(
        stored.ends_at - stored.started_at,
        chrono::Duration::minutes(90)
    );
    let content = bot.content.current();
    for (domain, quota) in mock::blueprint(65) {
        let asked = stored
            .question_ids
            .iter()
            .filter(|id| content.bank.question(id).and_then(|q| q.domain) == Some(domain))
            .count();
        assert_eq!(asked, quota, "{domain}");
    }
    // Submitted blank: 65 misses on 33 pages, each within the limits.
    let confirm = bot.click(&carol, &card, &format!("m:{exam}:submit")).await;
    let mut page = bot
        .click(&carol, &confirm, &format!("m:{exam}:confirm"))
        .await;
    assert!(page.text().contains(&texts.mock_misses_title(1, 2, 65)));
    for n in 1..33 {
        page = bot.click(&carol, &page, &format!("m:{exam}:r:{n}")).await;
        assert!(
            page.text().contains(&texts.mock_page(n, 33)),
            "{}",
            page.text()
        );
        assert!(page.text().contains(texts.mock_blank()));
    }
    assert_eq!(
        page.custom_ids(),
        [format!("m:{exam}:r:31")],
        "the last page only goes back"
    );
    let problems = bot.fake.problems();
    assert!(problems.is_empty(), "Discord's limits: {problems:#?}");
    bot.stop().await;
}
