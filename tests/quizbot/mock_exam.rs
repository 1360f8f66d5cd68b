//! The mock exam and readiness through the real service, on both
//! databases: an exam in progress outlives a restart, choices and answers
//! are kept once, time running out submits the exam as it stands (with a
//! clock the test moves), mock answers feed review cards and score
//! nothing, and the record and the group's board show the predicted score.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use quizbot::bank::Domain;
use quizbot::config::Locale;
use quizbot::content::{Content, SharedContent};
use quizbot::i18n::Texts;
use quizbot::identity::{ExternalId, Identity, Platform};
use quizbot::mock;
use quizbot::quiz;
use quizbot::service::{Caller, Click, Service, ServiceSettings};
use quizbot::store::{Community, MockExam, NewAnswer, Player, Store};
use quizbot::view::{MockCard, MockResultPage, MockStep};

use crate::support::{write_tree, TestDatabase};

both_backends!(
    a_mock_in_progress_survives_a_restart,
    choices_are_kept_once_and_answers_recorded_once_for_no_points,
    time_running_out_submits_the_exam_as_it_stands,
    the_record_and_the_group_show_the_predicted_score,
);

/// Questions per domain in [`bank_files`].
pub const PER_DOMAIN: usize = 6;

/// A bank of [`PER_DOMAIN`] questions in each exam domain (`{domain}-{n}`,
/// the key at `n % 4`; `security-5` is "choose two", keys 0 and 2), and
/// notes that explain them.
pub fn bank_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for domain in Domain::ALL {
        let d = domain.as_str();
        let mut bank = format!("[topic]\nid = \"{d}\"\nname = \"{d} 영역\"\ndomain = \"{d}\"\n\n");
        let mut notes = format!("# {d} 노트\n\n");
        for n in 0..PER_DOMAIN {
            let multi = domain == Domain::Security && n == PER_DOMAIN - 1;
            let (choices, key) = if multi {
                (
                    format!("[\"{d} 가{n}\", \"{d} 나{n}\", \"{d} 다{n}\", \"{d} 라{n}\", \"{d} 마{n}\"]"),
                    "answers = [0, 2]".to_string(),
                )
            } else {
                (
                    format!("[\"{d} 가{n}\", \"{d} 나{n}\", \"{d} 다{n}\", \"{d} 라{n}\"]"),
                    format!("answer = {}", n % 4),
                )
            };
            let hint = if multi {
                " (두 개를 고르십시오)"
            } else {
                ""
            };
            bank.push_str(&format!(
                "[[question]]\nid = \"{d}-{n}\"\nprompt = \"{d} 영역 {n}번 문항의 설명에 맞는 것은?{hint}\"\n\
                 choices = {choices}\n{key}\nexplanation = \"{d} 해설 {n}: 정답이 맞는 까닭\"\n\
                 source = \"{d}.md#{d} 주제 {n}\"\n\n"
            ));
            notes.push_str(&format!(
                "## {d} 주제 {n}\n\n- {d} 영역 {n}번 문항의 설명은 노트의 이 줄에 있습니다.\n\n"
            ));
        }
        files.push((format!("questions/{d}.toml"), bank));
        files.push((format!("notes/{d}.md"), notes));
    }
    files
}

/// The bank and notes of [`bank_files`], loaded.
pub fn loaded() -> (Content, tempfile::TempDir) {
    let files = bank_files();
    let tree: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = write_tree(&tree);
    let (content, _) = Content::load(&dir.path().join("questions"), &dir.path().join("notes"))
        .unwrap_or_else(|err| panic!("the mock test content does not load: {err}"));
    (content, dir)
}

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn at(start: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(start.timestamp_millis())))
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).expect("a valid time")
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-04T01:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

fn service(store: Store, content: &SharedContent, clock: &TestClock) -> Service {
    let clock = clock.clone();
    Service::with_clock(
        content.clone(),
        store,
        ServiceSettings {
            seed: Some(25),
            ..ServiceSettings::default()
        },
        Arc::new(move || clock.now()),
    )
}

/// The mock test bank, and a service over it and a test's database on a
/// clock the test moves.
struct Fixture {
    content: Arc<Content>,
    clock: TestClock,
    store: Store,
    bot: Service,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn new(db: &TestDatabase) -> Fixture {
        let (loaded, dir) = loaded();
        let shared = SharedContent::new(loaded);
        let clock = TestClock::at(start());
        let store = db.store().await;
        Fixture {
            content: shared.current(),
            bot: service(store.clone(), &shared, &clock),
            clock,
            store,
            _dir: dir,
        }
    }
}

/// The test's community and the player row of `user` in it.
async fn stored_player(store: &Store, user: &str) -> (Community, Player) {
    let community = store
        .find_community(Platform::Discord, &ExternalId::new("guild-mock"))
        .await
        .expect("read")
        .expect("community");
    let player = store
        .find_player(&community, &ExternalId::new(user))
        .await
        .expect("read")
        .expect("player");
    (community, player)
}

fn caller(user: &str) -> Caller {
    Caller {
        identity: Identity {
            platform: Platform::Discord,
            community: ExternalId::new("guild-mock"),
            user: ExternalId::new(user),
        },
        name: user.to_string(),
        admin: false,
        language: None,
    }
}

fn texts() -> Texts {
    Texts::new(Locale::Korean)
}

fn card(step: MockStep) -> MockCard {
    match step {
        MockStep::Card(card) => *card,
        other => panic!("expected a question of the exam, got {other:?}"),
    }
}

fn result(step: MockStep) -> MockResultPage {
    match step {
        MockStep::Result(page) => *page,
        other => panic!("expected the exam's result, got {other:?}"),
    }
}

/// The stored exam `id`.
pub async fn exam(store: &Store, id: i64) -> MockExam {
    store
        .mock_exam(id)
        .await
        .expect("read the exam")
        .expect("the exam exists")
}

/// The key of the exam's question at `position`, and a wrong answer.
fn keys(content: &Content, exam: &MockExam, position: usize) -> (Vec<usize>, Vec<usize>) {
    let question = content
        .bank
        .question(&exam.question_ids[position])
        .expect("the question is in the bank");
    let wrong: Vec<usize> = (0..question.choices.len())
        .filter(|i| !question.correct.contains(i))
        .take(question.picks())
        .collect();
    (question.correct.clone(), wrong)
}

/// The exam and position of a mock card, from the ids of its elements:
/// the first answer's, `m:<exam>:<position>:<choice>`.
pub fn place_of(ids: Vec<String>) -> Option<(i64, usize)> {
    let id = ids.into_iter().find(|id| {
        let parts: Vec<&str> = id.split(':').collect();
        parts.len() == 4 && parts[0] == "m" && parts[3] != "go"
    })?;
    let parts: Vec<&str> = id.split(':').collect();
    Some((
        parts[1].parse().expect("exam id"),
        parts[2].parse().expect("position"),
    ))
}

/// The service a platform's mock exam test runs: in Korean, in Seoul,
/// with a fast daily tick and exams drawn by `seed`.
pub fn platform_service(content: &SharedContent, store: Store, seed: u64) -> Service {
    Service::new(
        content.clone(),
        store,
        ServiceSettings {
            locale: Locale::Korean,
            time_zone: chrono_tz::Asia::Seoul,
            daily_tick: std::time::Duration::from_millis(200),
            seed: Some(seed),
            ..ServiceSettings::default()
        },
    )
}

/// Every explanation in the bank: none may show before an exam is
/// submitted.
pub fn explanations(content: &Content) -> Vec<String> {
    content
        .bank
        .questions
        .iter()
        .map(|q| q.explanation.clone())
        .collect()
}

/// What a member picks at the exam's question at `position`, rightly or
/// not, and whether the question is a "choose two" one (picked from a
/// menu or boxes rather than with a button).
pub fn picks(
    content: &Content,
    exam: &MockExam,
    position: usize,
    rightly: bool,
) -> (Vec<usize>, bool) {
    let (right, wrong) = keys(content, exam, position);
    let multi = content
        .bank
        .question(&exam.question_ids[position])
        .is_some_and(|question| question.is_multi());
    (if rightly { right } else { wrong }, multi)
}

fn click(id: &str) -> Click {
    Click {
        interaction_id: Some(id.to_string()),
        shown_at: None,
    }
}

async fn a_mock_in_progress_survives_a_restart(db: &TestDatabase) {
    let (loaded, _dir) = loaded();
    let shared = SharedContent::new(loaded);
    let content = shared.current();
    let clock = TestClock::at(start());
    let alice = caller("alice");
    let first = service(db.store().await, &shared, &clock);
    let opened = card(
        first
            .start_mock(&alice, Some(5), None)
            .await
            .expect("start"),
    );
    assert_eq!(opened.position, 0);
    assert_eq!(opened.status, texts().mock_answered(0, 5));
    let id = opened.exam;
    let stored = exam(&db.store().await, id).await;
    assert_eq!(stored.question_ids.len(), 5);
    assert_eq!(stored.ends_at - stored.started_at, Duration::minutes(7));
    let (right0, _) = keys(&content, &stored, 0);
    let (_, wrong1) = keys(&content, &stored, 1);
    first
        .mock_choose(&alice, id, 0, &right0, &click("a1"))
        .await
        .expect("choose");
    first
        .mock_choose(&alice, id, 1, &wrong1, &click("a2"))
        .await
        .expect("choose");
    drop(first);

    // A new process on the same database: the exam is there, where it was.
    clock.advance(Duration::minutes(3));
    let second = service(db.store().await, &shared, &clock);
    let resumed = card(
        second
            .start_mock(&alice, Some(5), None)
            .await
            .expect("resume"),
    );
    assert_eq!(resumed.exam, id, "the running exam, not a new one");
    assert_eq!(resumed.position, 2, "at the first blank question");
    assert_eq!(resumed.notice, Some(texts().mock_resumed(2, 5)));
    assert!(
        resumed.time_left.starts_with("4분"),
        "{}",
        resumed.time_left
    );
    let back = card(second.mock_go(&alice, id, 1).await.expect("go back"));
    assert_eq!(back.chosen, wrong1, "the choice made before the restart");
    assert!(back.previous.is_some() && back.next.is_some());
    // Someone else's clicks on it are refused.
    let bob = caller("bob");
    assert!(second.mock_go(&bob, id, 0).await.is_err());
}

async fn choices_are_kept_once_and_answers_recorded_once_for_no_points(db: &TestDatabase) {
    let f = Fixture::new(db).await;
    let (content, clock, store, bot) = (&f.content, &f.clock, &f.store, &f.bot);
    let alice = caller("alice");
    let id = card(bot.start_mock(&alice, Some(5), None).await.expect("start")).exam;
    let stored = exam(store, id).await;
    let (right0, wrong0) = keys(content, &stored, 0);

    // Wrong, then changed to right; the first click delivered again
    // changes nothing.
    bot.mock_choose(&alice, id, 0, &wrong0, &click("c1"))
        .await
        .expect("choose");
    bot.mock_choose(&alice, id, 0, &right0, &click("c2"))
        .await
        .expect("change");
    let again = card(
        bot.mock_choose(&alice, id, 0, &wrong0, &click("c1"))
            .await
            .expect("redelivered"),
    );
    assert_eq!(again.position, 1);
    let first = card(bot.mock_go(&alice, id, 0).await.expect("go"));
    assert_eq!(first.chosen, right0, "the changed answer stands");
    for position in 1..4 {
        let (right, _) = keys(content, &stored, position);
        bot.mock_choose(
            &alice,
            id,
            position,
            &right,
            &click(&format!("r{position}")),
        )
        .await
        .expect("choose");
    }
    // A malformed choice is refused and changes nothing.
    let (right4, _) = keys(content, &stored, 4);
    let too_many: Vec<usize> = (0..=right4.len()).collect();
    assert!(bot
        .mock_choose(&alice, id, 4, &too_many, &click("bad"))
        .await
        .is_err());

    // No result before submitting: asking shows a question.
    let early = card(bot.mock_results(&alice, id, 0).await.expect("results"));
    assert_eq!(early.position, 4, "the blank question");

    // One blank: submitting asks first.
    match bot.mock_submit(&alice, id, false).await.expect("submit") {
        MockStep::Confirm(confirm) => assert_eq!(confirm.text, texts().mock_confirm(1)),
        other => panic!("expected a confirmation, got {other:?}"),
    }
    let page = result(bot.mock_submit(&alice, id, true).await.expect("submit"));
    assert_eq!(
        page.score,
        texts().mock_score_line(4, 5, mock::scaled_score(4, 5))
    );
    assert_eq!(page.misses.len(), 1, "the blank question is the one miss");
    assert_eq!(
        page.misses[0].blank.as_deref(),
        Some(format!("{}: {}", texts().your_answer(), texts().mock_blank()).as_str())
    );
    let domains = page.domains.expect("the table of domains");
    assert_eq!(domains.lines.len(), 4, "{:?}", domains.lines);

    // Submitted again (a second click, another replica, the sweep):
    // nothing more is recorded.
    let again = result(bot.mock_submit(&alice, id, true).await.expect("again"));
    assert_eq!(
        again.notice.as_deref(),
        Some(texts().mock_already_submitted())
    );
    assert_eq!(bot.settle_expired_mocks().await.expect("sweep"), 0);
    let settled = exam(store, id).await;
    let outcome = settled.result.expect("a result");
    assert_eq!((outcome.right, outcome.total), (4, 5));
    assert!(!settled.timed_out);

    let (community, player) = stored_player(store, "alice").await;
    let records = store.question_records(&player).await.expect("records");
    assert_eq!(records.len(), 4, "each answered question once: {records:?}");
    assert!(records.iter().all(|r| r.answered == 1 && r.correct == 1));
    let stats = store
        .stats(&player, quiz::local_day(clock.now(), community.time_zone))
        .await
        .expect("stats");
    assert_eq!(
        (stats.answered, stats.points),
        (4, 0),
        "no points for a mock"
    );
    let cards = store
        .cards(&player, &settled.question_ids)
        .await
        .expect("cards");
    assert_eq!(cards.len(), 4, "every answer feeds its review card");
}

async fn time_running_out_submits_the_exam_as_it_stands(db: &TestDatabase) {
    let f = Fixture::new(db).await;
    let (content, clock, store, bot) = (&f.content, &f.clock, &f.store, &f.bot);
    let alice = caller("alice");
    let id = card(bot.start_mock(&alice, Some(5), None).await.expect("start")).exam;
    let stored = exam(store, id).await;
    let answer = |position: usize, rightly: bool| {
        let (right, wrong) = keys(content, &stored, position);
        if rightly {
            right
        } else {
            wrong
        }
    };
    bot.mock_choose(&alice, id, 0, &answer(0, true), &click("t0"))
        .await
        .expect("choose");
    bot.mock_choose(&alice, id, 1, &answer(1, false), &click("t1"))
        .await
        .expect("choose");
    clock.advance(Duration::minutes(6));
    bot.mock_choose(&alice, id, 2, &answer(2, true), &click("t2"))
        .await
        .expect("still in time");

    // Seven minutes: time is up. The next click is not taken; it shows
    // the result of the exam as it stood.
    clock.advance(Duration::minutes(1));
    let page = result(
        bot.mock_choose(&alice, id, 3, &answer(3, true), &click("t3"))
            .await
            .expect("a late click"),
    );
    assert!(
        page.lines.iter().any(|l| l == texts().mock_timed_out()),
        "{:?}",
        page.lines
    );
    assert_eq!(
        page.score,
        texts().mock_score_line(2, 5, mock::scaled_score(2, 5))
    );
    let settled = exam(store, id).await;
    assert!(settled.timed_out);
    assert_eq!(settled.submitted_at, Some(settled.ends_at));
    assert_eq!(
        store.mock_choices(id).await.expect("choices").len(),
        3,
        "the late choice was not taken"
    );

    // An exam nobody comes back to is submitted by the sweep, and its
    // answer reaches review.
    let second = card(
        bot.start_mock(&alice, Some(4), Some(2))
            .await
            .expect("start"),
    )
    .exam;
    assert_ne!(second, id);
    let stored = exam(store, second).await;
    let (_, wrong) = keys(content, &stored, 0);
    bot.mock_choose(&alice, second, 0, &wrong, &click("s0"))
        .await
        .expect("choose");
    clock.advance(Duration::minutes(1));
    assert_eq!(
        bot.settle_expired_mocks().await.expect("sweep"),
        0,
        "in time"
    );
    clock.advance(Duration::minutes(1));
    assert_eq!(bot.settle_expired_mocks().await.expect("sweep"), 1);
    let swept = exam(store, second).await;
    assert!(swept.timed_out);
    assert_eq!(swept.result.map(|r| (r.right, r.total)), Some((0, 4)));
    let (_, player) = stored_player(store, "alice").await;
    let missed = stored.question_ids[0].clone();
    let cards = store
        .cards(&player, std::slice::from_ref(&missed))
        .await
        .expect("cards");
    assert_eq!(cards.len(), 1, "the swept exam's answer made a card");
    assert_eq!(
        cards[0].state.due_at,
        swept.ends_at + quizbot::review::RELEARN_STEP,
        "a miss comes back after the relearning step"
    );
    clock.advance(Duration::minutes(15));
    match bot.start_review(&alice, Some(5)).await.expect("review") {
        quizbot::view::ReviewStart::Card(card) => {
            let first_exam = exam(store, id).await;
            let misses = [&first_exam.question_ids[1], &missed];
            assert!(
                misses.iter().any(|id| content
                    .bank
                    .question(id)
                    .is_some_and(|q| q.prompt == card.question.prompt)),
                "a mock's miss comes back in review first: {}",
                card.question.prompt
            );
        }
        other => panic!("expected a review card, got {other:?}"),
    }
}

async fn the_record_and_the_group_show_the_predicted_score(db: &TestDatabase) {
    let f = Fixture::new(db).await;
    let (content, clock, store, bot) = (&f.content, &f.clock, &f.store, &f.bot);
    let (alice, newcomer) = (caller("alice"), caller("newcomer"));
    // Alice answered 20 questions a day ago, 16 rightly; the newcomer 2.
    let community = store
        .community(
            Platform::Discord,
            &ExternalId::new("guild-mock"),
            chrono_tz::Asia::Seoul,
            "ko",
        )
        .await
        .expect("community");
    let answered: Vec<&quizbot::bank::Question> = content
        .bank
        .askable(None)
        .filter(|q| !q.is_multi())
        .take(20)
        .collect();
    for (who, count) in [("alice", 20), ("newcomer", 2)] {
        let player = store
            .player(&community, &ExternalId::new(who), who)
            .await
            .expect("player");
        for (n, question) in answered.iter().take(count).enumerate() {
            let chosen = if n % 5 == 4 {
                vec![(question.correct[0] + 1) % question.choices.len()]
            } else {
                question.correct.clone()
            };
            store
                .record_answer(
                    &player,
                    &NewAnswer::new(
                        question,
                        quiz::grade(question, &chosen).expect("grade"),
                        clock.now() - Duration::days(1),
                    ),
                )
                .await
                .expect("record");
        }
    }
    // And a mock exam, submitted.
    let id = card(bot.start_mock(&alice, Some(4), None).await.expect("start")).exam;
    bot.mock_submit(&alice, id, true).await.expect("submit");

    let record = bot.record(&alice.identity, "alice").await.expect("record");
    let predicted = record
        .readiness
        .predicted_score
        .expect("20 answers are enough");
    assert!((100..=1000).contains(&predicted));
    assert_eq!(record.readiness.domains.len(), 4);
    assert_eq!(record.mock_exams.len(), 1);
    assert_eq!(
        (record.mock_exams[0].right, record.mock_exams[0].total),
        (0, 4)
    );
    assert_eq!(record.points, 160, "16 right answers; the mock added none");
    let json = serde_json::to_value(&record).expect("JSON");
    assert_eq!(json["readiness"]["predicted_score"], predicted);
    assert_eq!(json["mock_exams"][0]["total"], 4);
    assert!(json["mock_exams"][0]["domains"][0]["right"].is_number());

    let card = bot.stats(&alice.identity, "alice").await.expect("stats");
    assert!(
        card.lines.contains(&texts().predicted_score(predicted)),
        "{:?}",
        card.lines
    );
    assert!(
        card.lines.iter().any(|l| l.starts_with("가장 약한 영역: ")),
        "{:?}",
        card.lines
    );
    assert!(card
        .lines
        .contains(&texts().mock_history(&[(mock::scaled_score(0, 4), false)])));
    let newcomer_card = bot
        .stats(&newcomer.identity, "newcomer")
        .await
        .expect("stats");
    assert!(newcomer_card
        .lines
        .contains(&texts().predicted_score_pending(2, 20)));

    let board = bot
        .readiness_board(&alice.identity)
        .await
        .expect("readiness board");
    let rows: Vec<(&str, &str)> = board
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.score.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("alice", texts().readiness_row(Some(predicted)).as_str()),
            ("newcomer", texts().not_enough_data()),
        ]
    );
    let passing = usize::from(mock::passes(predicted));
    assert!(board
        .lines
        .contains(&texts().readiness_summary(passing, 1, 1)));
    assert!(
        board
            .lines
            .iter()
            .any(|l| l.starts_with("그룹의 가장 약한 영역: ")),
        "{:?}",
        board.lines
    );
}
