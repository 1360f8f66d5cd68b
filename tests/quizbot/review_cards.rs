//! Spaced review in the store, against real Postgres and real SQLite:
//! every answer reviews the player's card for its question, once, and the
//! cards rebuilt from the stored answers are the ones kept live.

use chrono::Duration;
use quizbot::quiz;
use quizbot::review::{self, Rating};
use quizbot::store::{NewAnswer, Player, Recorded};

use crate::store_contract::{at, question, Fixture};
use crate::support::{due_ids, TestDatabase};

both_backends!(
    a_miss_is_due_within_the_day_and_a_right_answer_days_later,
    review_answers_score_nothing_but_count,
    a_redelivered_click_reviews_the_card_once,
    rebuilding_from_the_answers_gives_the_live_cards,
    retention_and_exam_date_are_kept_per_community,
    answers_are_counted_per_question_and_per_topic_of_the_group,
    two_processes_answering_one_card_keep_it_whole,
    a_repeat_is_scored_from_the_last_right_answer_whoever_recorded_it,
);

async fn record(
    f: &Fixture,
    player: &Player,
    id: &str,
    correct: bool,
    when: &str,
    review: bool,
    interaction: Option<&str>,
) -> Recorded {
    let q = question(id, if id.starts_with("s3") { "s3" } else { "ec2" }, &[0]);
    let chosen = if correct { [0] } else { [1] };
    let grade = quiz::grade(&q, &chosen).expect("an answer");
    f.store
        .record_answer(
            player,
            &NewAnswer {
                elapsed_ms: Some(4_000),
                interaction_id: interaction.map(str::to_string),
                review,
                ..NewAnswer::new(&q, grade, at(when))
            },
        )
        .await
        .expect("record")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn a_miss_is_due_within_the_day_and_a_right_answer_days_later(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let now = at("2026-03-04T00:00:00Z");
    record(
        &f,
        &ana,
        "ec2-missed",
        false,
        "2026-03-04T00:00:00Z",
        false,
        None,
    )
    .await;
    record(
        &f,
        &ana,
        "ec2-known",
        true,
        "2026-03-04T00:00:00Z",
        false,
        None,
    )
    .await;

    let cards = f
        .store
        .cards(&ana, &ids(&["ec2-known", "ec2-missed", "ec2-never"]))
        .await
        .expect("cards");
    assert_eq!(cards.len(), 2, "a card for each question answered");
    let known = &cards[0].state;
    let missed = &cards[1].state;
    assert_eq!(cards[1].question_id, "ec2-missed");
    assert!(
        missed.due_at <= now + Duration::days(1),
        "{:?}",
        missed.due_at
    );
    assert_eq!(missed.due_at, now + review::RELEARN_STEP);
    assert!(
        known.due_at >= now + Duration::days(2),
        "{:?}",
        known.due_at
    );
    assert_eq!((missed.lapses, known.lapses), (1, 0));

    // Looking ahead a little finds the miss, and only it.
    assert_eq!(
        due_ids(&f.store, &ana, now + review::LEARN_AHEAD).await,
        ["ec2-missed"]
    );
    assert!(f
        .store
        .due_cards(&ana, now, 10)
        .await
        .expect("due")
        .is_empty());
    let counts = f
        .store
        .due_counts(&ana, now + Duration::hours(1), now + Duration::days(3))
        .await
        .expect("counts");
    assert_eq!((counts.now, counts.soon), (1, 1));
    assert_eq!(counts.next_due_at, Some(known.due_at));
}

async fn review_answers_score_nothing_but_count(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let bo = f.player("bo").await;
    record(&f, &bo, "s3-1", false, "2026-03-04T00:00:00Z", false, None).await;
    let recorded = record(&f, &bo, "s3-1", true, "2026-03-04T00:15:00Z", true, None).await;
    match recorded {
        Recorded::New { points, streak } => {
            assert_eq!(points, 0, "review is study, not competition");
            assert_eq!(streak.current, 1, "but it keeps the streak");
        }
        other => panic!("recorded as {other:?}"),
    }
    let stats = f
        .store
        .stats(&bo, at("2026-03-04T00:15:00Z").date_naive())
        .await
        .expect("stats");
    assert_eq!((stats.answered, stats.correct, stats.points), (2, 1, 0));
    let card = &f.store.cards(&bo, &ids(&["s3-1"])).await.expect("cards")[0];
    assert_eq!((card.state.reps, card.state.lapses), (2, 1));
    assert!(card.state.due_at >= at("2026-03-05T00:15:00Z"));
    let log = f.store.review_log(&bo).await.expect("log");
    assert_eq!(
        log.iter().map(|l| l.rating).collect::<Vec<_>>(),
        [Rating::Again, Rating::Good]
    );
}

async fn a_redelivered_click_reviews_the_card_once(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let cy = f.player("cy").await;
    let first = record(
        &f,
        &cy,
        "ec2-1",
        true,
        "2026-03-04T00:00:00Z",
        false,
        Some("i-1"),
    )
    .await;
    let again = record(
        &f,
        &cy,
        "ec2-1",
        true,
        "2026-03-04T00:00:02Z",
        false,
        Some("i-1"),
    )
    .await;
    assert!(matches!(first, Recorded::New { .. }));
    assert!(matches!(again, Recorded::Duplicate { .. }));
    let card = &f.store.cards(&cy, &ids(&["ec2-1"])).await.expect("cards")[0];
    assert_eq!(card.state.reps, 1);
    assert_eq!(card.state.reviewed_at, at("2026-03-04T00:00:00Z"));
    assert_eq!(f.store.review_log(&cy).await.expect("log").len(), 1);
}

async fn rebuilding_from_the_answers_gives_the_live_cards(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let bo = f.player("bo").await;
    let history = [
        (&ana, "ec2-1", false, "2026-03-01T00:00:00Z"),
        (&ana, "ec2-1", true, "2026-03-01T00:20:00Z"),
        (&ana, "ec2-1", true, "2026-03-04T09:00:00Z"),
        (&ana, "s3-1", true, "2026-03-02T00:00:00Z"),
        (&ana, "s3-1", false, "2026-03-09T00:00:00Z"),
        (&bo, "ec2-1", true, "2026-03-01T03:00:00Z"),
        (&bo, "s3-2", false, "2026-03-03T03:00:00Z"),
    ];
    for (player, id, correct, when) in history {
        record(&f, player, id, correct, when, false, None).await;
    }
    let all = ids(&["ec2-1", "s3-1", "s3-2"]);
    let live = (
        f.store.cards(&ana, &all).await.expect("cards"),
        f.store.cards(&bo, &all).await.expect("cards"),
        f.store.review_log(&ana).await.expect("log"),
    );
    assert_eq!(live.0.len() + live.1.len(), 4);
    assert_eq!(live.2.len(), 5);
    assert_eq!(
        live.2.iter().map(|l| l.elapsed_days).collect::<Vec<_>>(),
        [0, 0, 0, 3, 7],
        "days since each card's previous review"
    );

    let cards = f.store.rebuild_review_cards().await.expect("rebuild");
    assert_eq!(cards, 4);
    let rebuilt = (
        f.store.cards(&ana, &all).await.expect("cards"),
        f.store.cards(&bo, &all).await.expect("cards"),
        f.store.review_log(&ana).await.expect("log"),
    );
    assert_eq!(rebuilt, live);
}

/// The fixture's community as the store has it now.
async fn stored_community(f: &Fixture) -> quizbot::store::Community {
    f.store
        .find_community(f.community.platform, &f.community.external_id)
        .await
        .expect("find")
        .expect("the community")
}

async fn retention_and_exam_date_are_kept_per_community(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    assert_eq!(f.community.retention, review::DEFAULT_RETENTION);
    assert_eq!(f.community.exam_on, None);
    let exam = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    f.store
        .set_review_settings(f.community.id, 0.85, Some(exam))
        .await
        .expect("settings");
    let found = stored_community(&f).await;
    assert_eq!(found.retention, 0.85);
    assert_eq!(found.exam_on, Some(exam));

    // A player of it reviews at that retention: a stricter one brings a
    // card back sooner than the default would.
    let dee = f
        .store
        .player(&found, &quizbot::identity::ExternalId::new("dee"), "dee")
        .await
        .expect("dee");
    assert_eq!(dee.retention, 0.85);
    f.store
        .set_review_settings(f.community.id, 0.5, None)
        .await
        .expect("settings");
    let clamped = stored_community(&f).await;
    assert_eq!(clamped.retention, 0.70, "kept within range");
    assert_eq!(clamped.exam_on, None);
}

async fn answers_are_counted_per_question_and_per_topic_of_the_group(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let bo = f.player("bo").await;
    for (player, id, correct, when) in [
        (&ana, "ec2-1", false, "2026-03-01T00:00:00Z"),
        (&ana, "ec2-1", true, "2026-03-02T00:00:00Z"),
        (&ana, "ec2-2", false, "2026-03-02T00:01:00Z"),
        (&ana, "s3-1", true, "2026-03-02T00:02:00Z"),
        (&bo, "ec2-1", true, "2026-03-02T00:03:00Z"),
        (&bo, "s3-1", false, "2026-03-02T00:04:00Z"),
    ] {
        record(&f, player, id, correct, when, false, None).await;
    }
    let records: Vec<(String, i64, i64)> = f
        .store
        .question_records(&ana)
        .await
        .expect("records")
        .into_iter()
        .map(|r| (r.question_id, r.answered, r.correct))
        .collect();
    assert_eq!(
        records,
        [
            ("ec2-1".to_string(), 2, 1),
            ("ec2-2".to_string(), 1, 0),
            ("s3-1".to_string(), 1, 1)
        ]
    );
    let group: Vec<(String, i64, i64)> = f
        .store
        .community_topic_records(f.community.id)
        .await
        .expect("group")
        .into_iter()
        .map(|r| (r.topic, r.answered, r.correct))
        .collect();
    assert_eq!(group, [("ec2".to_string(), 4, 2), ("s3".to_string(), 2, 1)]);

    // Every answer, for the questions' figures: of the community, or of all.
    let rows = f
        .store
        .answer_rows(Some(f.community.id))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 6);
    assert_eq!(
        (
            rows[0].question_id.as_str(),
            rows[0].choices.clone(),
            rows[0].correct,
            rows[0].elapsed_ms
        ),
        ("ec2-1", vec![1], false, Some(4_000))
    );
    assert_eq!(f.store.answer_rows(None).await.expect("rows").len(), 6);
    assert!(f
        .store
        .answer_rows(Some(f.community.id + 1000))
        .await
        .expect("rows")
        .is_empty());
}

async fn two_processes_answering_one_card_keep_it_whole(db: &TestDatabase) {
    // Two replicas (or a process and the one that replaced it) on one
    // database: each writes the card from what it last saw, and the one
    // that saw an older card catches up instead of overwriting.
    let first = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let second = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = first.player("ana").await;
    let answers = [
        (&first, false, "2026-03-01T00:00:00Z"),
        (&second, true, "2026-03-01T00:30:00Z"),
        (&first, true, "2026-03-03T00:00:00Z"),
        (&second, false, "2026-03-09T00:00:00Z"),
    ];
    for (process, correct, when) in answers {
        record(process, &ana, "ec2-1", correct, when, false, None).await;
    }
    let ids = ids(&["ec2-1"]);
    let live = first.store.cards(&ana, &ids).await.expect("cards");
    assert_eq!((live[0].state.reps, live[0].state.lapses), (4, 2));
    let (replayed, _) = review::replay(
        answers
            .iter()
            .map(|(_, correct, when)| (*correct, at(when))),
        review::DEFAULT_RETENTION,
    )
    .expect("replay");
    assert_eq!(Some(live[0].state), replayed);
}

async fn a_repeat_is_scored_from_the_last_right_answer_whoever_recorded_it(db: &TestDatabase) {
    // A right answer within a week of the last right one to the same
    // question scores nothing. A process scores it from the last right
    // answer it recorded itself; another process may have recorded a later
    // one since, and that one counts.
    let first = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let second = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = first.player("ana").await;
    let answer = |process: &Fixture, id: String, correct: bool, when| {
        let q = question(&id, "ec2", &[0]);
        let store = process.store.clone();
        let ana = ana.clone();
        async move {
            let grade = quiz::grade(&q, if correct { &[0] } else { &[1] }).expect("an answer");
            match store
                .record_answer(&ana, &NewAnswer::new(&q, grade, when))
                .await
                .expect("record")
            {
                Recorded::New { points, .. } => points,
                duplicate => panic!("recorded before: {duplicate:?}"),
            }
        }
    };
    // Not on a whole microsecond, as a clock gives it: the store keeps
    // microseconds.
    let start = at("2026-03-01T00:00:00Z") + Duration::nanoseconds(1_234_567);
    let steps = [
        (&first, true, 0),
        // The same process, within the week: a repeat.
        (&first, true, 1),
        (&first, false, 2),
        // The other process, a week after the first process's last right
        // answer, scores in full...
        (&second, true, 8),
        // ...so the first process's next right answer, two weeks after the
        // last one it recorded but a day after the other's, is a repeat.
        (&first, true, 9),
        // And a week after that one, it scores again, once.
        (&first, true, 16),
        (&first, true, 16),
    ];
    let mut points = Vec::new();
    for (n, (process, correct, day)) in steps.into_iter().enumerate() {
        // A right answer to another question an hour before: the streak
        // counts the day already, as it does for most right answers.
        let when = start + Duration::days(day) + Duration::hours(n as i64 + 1);
        let other = answer(
            process,
            format!("ec2-other-{n}"),
            true,
            when - Duration::hours(1),
        );
        assert_eq!(other.await, 10);
        points.push(answer(process, "ec2-1".into(), correct, when).await);
    }
    assert_eq!(points, [10, 0, 0, 10, 0, 10, 0]);
}
