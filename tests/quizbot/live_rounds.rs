//! Live rounds against the real store, on Postgres and SQLite: the store's
//! contract (answers close at the deadline, a changed answer replaces the
//! earlier one, one round per channel, one replica per stage), and the
//! quizmaster driven by a simulated clock with two replicas on one
//! database: each question posted and revealed once, answers scored like
//! any answer (repeat rule, review cards), a replica that dies holding a
//! lease taken over, a round left past its grace ended, an admin's stop.
//! The platform is a recorder at the network boundary.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use quizbot::content::{Content, SharedContent};
use quizbot::identity::{ExternalId, Identity, Platform};
use quizbot::live::{Ending, LiveQuestion, LiveRefusal, LiveTimings, NewRound, Stage};
use quizbot::quiz::{self, Grade, Period};
use quizbot::quizmaster::{
    Advanced, Clock, LiveChannel, QuestionPost, QuestionReveal, Quizmaster, RoundResults, LEASE,
};
use quizbot::refusal::Refusal;
use quizbot::scheduler::DeliveryError;
use quizbot::service::{Caller, LiveRequest, Service, ServiceError, ServiceSettings};
use quizbot::store::{BoardQuery, NewAnswer, RoundCreated, Store};
use quizbot::view::LiveStart;

use crate::support::{ec2_content, TestDatabase};

both_backends!(
    answers_close_at_the_deadline_and_a_change_replaces_the_answer,
    one_round_per_channel_and_one_replica_per_stage,
    a_round_is_played_once_by_two_replicas_and_scored_like_any_answer,
    a_dead_replica_is_taken_over_and_a_round_left_too_long_ends,
    only_an_admin_stops_a_round_and_its_open_question_is_revealed,
);

const BANK: &str = concat!(
    ec2_spot_bank!(),
    ec2_ondemand_question!(),
    r#"
[[question]]
id = "ec2-two"
prompt = "약정으로 할인받는 방법 두 개를 고르시오."
choices = ["온디맨드", "스팟 인스턴스", "예약 인스턴스", "전용 호스트", "Savings Plans"]
answers = [2, 4]
explanation = "예약 인스턴스와 Savings Plans는 약정으로 할인받습니다."
"#
);

const GUILD: &str = "guild-live";
const CHANNEL: &str = "channel-live";

fn content() -> Content {
    ec2_content(BANK)
}

/// A replica: its own connections to `db`, and the same content.
async fn service(db: &TestDatabase, content: &SharedContent, seed: u64) -> Service {
    let store = Store::connect_with_pool(&db.url, 4).await.expect("connect");
    Service::new(
        content.clone(),
        store,
        ServiceSettings {
            seed: Some(seed),
            live: LiveTimings::default(),
            ..ServiceSettings::default()
        },
    )
}

fn member(user: &str, name: &str, admin: bool) -> Caller {
    Caller {
        identity: Identity {
            platform: Platform::Discord,
            community: ExternalId::new(GUILD),
            user: ExternalId::new(user),
        },
        name: name.into(),
        admin,
        language: None,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Posted {
        replica: String,
        row: i64,
        deadline: DateTime<Utc>,
    },
    Revealed {
        replica: String,
        row: i64,
        answered: usize,
        correct: usize,
        per_choice: Vec<usize>,
        right: Vec<String>,
        next: String,
    },
    Results {
        replica: String,
        ending: Ending,
        board: Vec<(usize, String, i64)>,
        notice: Option<String>,
        most_missed: Option<String>,
    },
}

impl Event {
    fn posted(&self) -> Option<i64> {
        match self {
            Event::Posted { row, .. } => Some(*row),
            _ => None,
        }
    }

    fn revealed(&self) -> Option<i64> {
        match self {
            Event::Revealed { row, .. } => Some(*row),
            _ => None,
        }
    }
}

/// What the replicas sent, and the simulated time.
#[derive(Clone)]
struct World {
    now: Arc<Mutex<DateTime<Utc>>>,
    events: Arc<Mutex<Vec<Event>>>,
}

impl World {
    fn new(start: DateTime<Utc>) -> World {
        World {
            now: Arc::new(Mutex::new(start)),
            events: Arc::default(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap()
    }

    fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap() = at;
    }

    fn clock(&self) -> Clock {
        let world = self.clone();
        Arc::new(move || world.now())
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }

    /// The live question rows posted, in order.
    fn posts(&self) -> Vec<i64> {
        self.events().iter().filter_map(Event::posted).collect()
    }

    /// The live question rows revealed, in order.
    fn reveals(&self) -> Vec<i64> {
        self.events().iter().filter_map(Event::revealed).collect()
    }

    fn results(&self) -> Vec<Event> {
        self.events()
            .into_iter()
            .filter(|e| matches!(e, Event::Results { .. }))
            .collect()
    }
}

struct Recorder {
    replica: String,
    world: World,
}

impl LiveChannel for Recorder {
    async fn post_question(&self, post: &QuestionPost<'_>) -> Result<String, DeliveryError> {
        // Another replica may run in between: widen the window for races.
        tokio::task::yield_now().await;
        self.world.events.lock().unwrap().push(Event::Posted {
            replica: self.replica.clone(),
            row: post.question.id,
            deadline: post.view.deadline,
        });
        Ok(format!("m{}", post.question.id))
    }

    async fn reveal(&self, reveal: &QuestionReveal<'_>) -> Result<(), DeliveryError> {
        tokio::task::yield_now().await;
        assert_eq!(reveal.message_id, format!("m{}", reveal.question.id));
        self.world.events.lock().unwrap().push(Event::Revealed {
            replica: self.replica.clone(),
            row: reveal.question.id,
            answered: reveal.tally.answered,
            correct: reveal.tally.correct,
            per_choice: reveal.tally.per_choice.clone(),
            right: reveal.tally.right.clone(),
            next: reveal.view.next.clone(),
        });
        Ok(())
    }

    async fn post_results(&self, results: &RoundResults<'_>) -> Result<(), DeliveryError> {
        tokio::task::yield_now().await;
        self.world.events.lock().unwrap().push(Event::Results {
            replica: self.replica.clone(),
            ending: results.ending,
            board: results
                .board
                .iter()
                .map(|r| (r.rank, r.entry.name.clone(), r.entry.points))
                .collect(),
            notice: results.view.notice.clone(),
            most_missed: results
                .view
                .most_missed
                .as_ref()
                .map(|m| m.lines.join("\n")),
        });
        Ok(())
    }
}

fn replica(service: &Service, name: &str, world: &World) -> Quizmaster<Recorder> {
    Quizmaster::new(
        Platform::Discord,
        service.clone(),
        Recorder {
            replica: name.into(),
            world: world.clone(),
        },
    )
}

/// The channel's round as stored now (running or the latest).
async fn questions_of(store: &Store, round: i64) -> Vec<LiveQuestion> {
    store
        .live_round(round)
        .await
        .expect("read the round")
        .expect("the round exists")
        .1
}

async fn start(service: &Service, store: &Store, starter: &Caller, questions: usize) -> i64 {
    let started = service
        .start_live(
            starter,
            CHANNEL,
            &LiveRequest {
                topic: None,
                questions: Some(questions),
                seconds: Some(20),
            },
        )
        .await
        .expect("a round starts");
    assert!(
        matches!(started, LiveStart::Started(_)),
        "expected a new round: {started:?}"
    );
    let (round, _) = store
        .running_live_round(Platform::Discord, &ExternalId::new(GUILD), CHANNEL)
        .await
        .expect("read the round")
        .expect("the round runs");
    round.id
}

fn refusal<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> Refusal {
    match result {
        Err(ServiceError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn grade(chosen: &[usize], correct: bool) -> Grade {
    Grade {
        chosen: chosen.to_vec(),
        correct,
    }
}

async fn answers_close_at_the_deadline_and_a_change_replaces_the_answer(db: &TestDatabase) {
    let store = db.store().await;
    let guild = ExternalId::new(GUILD);
    let community = store
        .community(Platform::Discord, &guild, chrono_tz::Asia::Seoul, "ko")
        .await
        .unwrap();
    let ann = store
        .player(&community, &ExternalId::new("u-ann"), "Ann")
        .await
        .unwrap();
    let bo = store
        .player(&community, &ExternalId::new("u-bo"), "Bo")
        .await
        .unwrap();
    let t0 = Utc::now();
    let ids = ["ec2-spot".to_string(), "ec2-ondemand".to_string()];
    let RoundCreated::New(round, questions) = store
        .create_live_round(&NewRound {
            platform: Platform::Discord,
            community: &guild,
            community_id: community.id,
            channel: CHANNEL,
            topic: None,
            seconds: 20,
            started_by: "Ann",
            question_ids: &ids,
            now: t0,
        })
        .await
        .unwrap()
    else {
        panic!("a new round");
    };
    assert_eq!(round.seconds, 20);
    assert_eq!(questions.len(), 2);
    let q = &questions[0];
    let s = |n: i64| t0 + Duration::seconds(n);

    // Not posted yet: no deadline, nothing taken.
    assert_eq!(
        store
            .take_live_answer(q.id, ann.id, &grade(&[1], true), s(0))
            .await
            .unwrap(),
        None
    );
    assert!(store
        .lease_live_question(q.id, Stage::Post, s(0), s(10), Some(s(20)))
        .await
        .unwrap());
    store.live_posted(q.id, "m1", s(0)).await.unwrap();

    // Ann answers A, changes to B, clicks B again; the last change stands.
    let take = |player: i64, chosen: &[usize], correct: bool, at: DateTime<Utc>| {
        let store = store.clone();
        let grade = grade(chosen, correct);
        async move {
            store
                .take_live_answer(q.id, player, &grade, at)
                .await
                .unwrap()
        }
    };
    assert_eq!(take(ann.id, &[0], false, s(1)).await, Some(0));
    assert_eq!(take(ann.id, &[1], true, s(2)).await, Some(1));
    assert_eq!(
        take(ann.id, &[1], true, s(3)).await,
        Some(1),
        "the same answer again is no change"
    );
    let answers = store.live_answers(q.id).await.unwrap();
    assert_eq!(answers.len(), 1, "one answer per member: {answers:?}");
    assert_eq!(answers[0].choices, [1]);
    assert!(answers[0].correct);
    assert_eq!(answers[0].changes, 1);
    assert_eq!(
        answers[0].answered_at.timestamp_millis(),
        s(2).timestamp_millis(),
        "the time of the change that stands"
    );

    // At the deadline and after it: refused, nothing stored.
    assert_eq!(take(bo.id, &[1], true, s(20)).await, None);
    assert_eq!(take(bo.id, &[1], true, s(25)).await, None);
    assert_eq!(take(ann.id, &[3], false, s(21)).await, None);
    let answers = store.live_answers(q.id).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].choices, [1], "a late change does not replace it");

    // Closed early (a stop), before the deadline: refused too.
    let q2 = &questions[1];
    assert!(store
        .lease_live_question(q2.id, Stage::Post, s(30), s(40), Some(s(50)))
        .await
        .unwrap());
    store.live_posted(q2.id, "m2", s(30)).await.unwrap();
    assert_eq!(
        store
            .take_live_answer(q2.id, bo.id, &grade(&[0], true), s(31))
            .await
            .unwrap(),
        Some(0)
    );
    store.close_live_question(q2.id, s(32)).await.unwrap();
    assert_eq!(
        store
            .take_live_answer(q2.id, ann.id, &grade(&[0], true), s(33))
            .await
            .unwrap(),
        None
    );
    let round_answers = store.live_round_answers(round.id).await.unwrap();
    assert_eq!(round_answers.get(&q.id).map(Vec::len), Some(1));
    assert_eq!(round_answers.get(&q2.id).map(Vec::len), Some(1));
    assert_eq!(round_answers[&q2.id][0].name, "Bo");
}

async fn one_round_per_channel_and_one_replica_per_stage(db: &TestDatabase) {
    let (a, b) = (db.store().await, db.store().await);
    let guild = ExternalId::new(GUILD);
    let community = a
        .community(Platform::Discord, &guild, chrono_tz::Asia::Seoul, "ko")
        .await
        .unwrap();
    let t0 = Utc::now();
    let ids = ["ec2-spot".to_string()];
    let new = |now| NewRound {
        platform: Platform::Discord,
        community: &guild,
        community_id: community.id,
        channel: CHANNEL,
        topic: Some("ec2"),
        seconds: 30,
        started_by: "Ann",
        question_ids: &ids,
        now,
    };
    // Two replicas start a round in the same channel at once: one round.
    let (one, other) = (new(t0), new(t0));
    let (first, second) = tokio::join!(a.create_live_round(&one), b.create_live_round(&other));
    let (first, second) = (first.unwrap(), second.unwrap());
    let (round, question) = match (&first, &second) {
        (RoundCreated::New(r, q), RoundCreated::Running(other, _))
        | (RoundCreated::Running(other, _), RoundCreated::New(r, q)) => {
            assert_eq!(other.id, r.id, "the running one is the new one");
            (r.clone(), q[0].clone())
        }
        other => panic!("one new round and one running: {other:?}"),
    };
    assert_eq!(round.topic.as_deref(), Some("ec2"));

    // Each stage: two replicas claim it at once, one wins; once done, no
    // replica can claim it again.
    let s = |n: i64| t0 + Duration::seconds(n);
    for stage in [Stage::Post, Stage::Reveal, Stage::Score] {
        let (x, y) = tokio::join!(
            a.lease_live_question(question.id, stage, s(1), s(11), Some(s(31))),
            b.lease_live_question(question.id, stage, s(1), s(11), Some(s(31))),
        );
        assert_eq!(
            [x.unwrap(), y.unwrap()].iter().filter(|won| **won).count(),
            1,
            "{stage:?}: exactly one replica wins"
        );
        match stage {
            Stage::Post => a.live_posted(question.id, "m1", s(2)).await.unwrap(),
            Stage::Reveal => {
                // Not before the lease frees, by another replica.
                a.release_live_question(question.id).await.unwrap();
                assert!(b
                    .lease_live_question(question.id, stage, s(3), s(13), None)
                    .await
                    .unwrap());
                b.live_revealed(question.id, s(3)).await.unwrap();
            }
            Stage::Score => a.live_scored(question.id, s(4)).await.unwrap(),
        }
        assert!(
            !b.lease_live_question(question.id, stage, s(100), s(110), None)
                .await
                .unwrap(),
            "{stage:?} is done: nobody may do it again"
        );
    }
    let (x, y) = tokio::join!(
        a.lease_live_round(round.id, s(5), s(15)),
        b.lease_live_round(round.id, s(5), s(15)),
    );
    assert_eq!(
        [x.unwrap(), y.unwrap()].iter().filter(|w| **w).count(),
        1,
        "one replica ends the round"
    );
    // A lease left by a replica that died expires.
    assert!(!a.lease_live_round(round.id, s(14), s(24)).await.unwrap());
    assert!(b.lease_live_round(round.id, s(15), s(25)).await.unwrap());
    b.live_round_ended(round.id, Ending::Finished, s(16))
        .await
        .unwrap();
    assert!(!a.lease_live_round(round.id, s(100), s(110)).await.unwrap());

    // The channel is free again.
    let next = a.create_live_round(&new(s(20))).await.unwrap();
    assert!(matches!(next, RoundCreated::New(r, _) if r.id != round.id));
}

async fn a_round_is_played_once_by_two_replicas_and_scored_like_any_answer(db: &TestDatabase) {
    let content = SharedContent::new(content());
    let (svc_a, svc_b) = (
        service(db, &content, 1).await,
        service(db, &content, 2).await,
    );
    let world = World::new(Utc::now());
    let (a, b) = (replica(&svc_a, "a", &world), replica(&svc_b, "b", &world));
    let clock = world.clock();
    let (ann, bo, cy) = (
        member("u-ann", "Ann", false),
        member("u-bo", "Bo", false),
        member("u-cy", "Cy", false),
    );
    let store = db.store().await;
    let round = start(&svc_a, &store, &ann, 2).await;
    world.set(Utc::now());

    // Both replicas look: one posts the first question.
    for _ in 0..3 {
        let (x, y) = tokio::join!(a.tick(&clock), b.tick(&clock));
        x.unwrap();
        y.unwrap();
    }
    let questions = questions_of(&store, round).await;
    assert_eq!(world.posts(), [questions[0].id], "{:?}", world.events());
    let first = questions[0].clone();
    let asked = content
        .current()
        .bank
        .question(&first.question_id)
        .cloned()
        .unwrap();
    let right = asked.correct.clone();
    let wrong: Vec<usize> = (0..asked.choices.len())
        .filter(|i| !right.contains(i))
        .take(right.len())
        .collect();

    // Ann answered this question right in a quiz yesterday: her live answer
    // adds nothing to the leaderboards (the repeat rule), though the round
    // counts it.
    let community = store
        .find_community(Platform::Discord, &ExternalId::new(GUILD))
        .await
        .unwrap()
        .unwrap();
    let ann_player = store
        .find_player(&community, &ExternalId::new("u-ann"))
        .await
        .unwrap()
        .unwrap();
    store
        .record_answer(
            &ann_player,
            &NewAnswer::new(
                &asked,
                quiz::grade(&asked, &right).unwrap(),
                Utc::now() - Duration::days(1),
            ),
        )
        .await
        .unwrap();

    // Ann right, Bo wrong then right, Cy wrong, on either replica.
    let receipt = svc_a.answer_live(&ann, first.id, &right).await.unwrap();
    assert!(receipt.text.contains("기록됨"), "{}", receipt.text);
    svc_b.answer_live(&bo, first.id, &wrong).await.unwrap();
    let changed = svc_a.answer_live(&bo, first.id, &right).await.unwrap();
    assert!(changed.text.contains("바꿨습니다"), "{}", changed.text);
    svc_b.answer_live(&cy, first.id, &wrong).await.unwrap();
    assert!(matches!(
        refusal(svc_a.answer_live(&cy, first.id, &[7]).await),
        Refusal::BadChoice | Refusal::WrongCount { .. }
    ));

    // The deadline: one reveal, with the spread and the fastest first.
    let deadline = first.deadline_at.unwrap();
    world.set(deadline);
    for _ in 0..3 {
        let (x, y) = tokio::join!(b.tick(&clock), a.tick(&clock));
        x.unwrap();
        y.unwrap();
    }
    assert_eq!(world.reveals(), [first.id], "{:?}", world.events());
    let revealed = world
        .events()
        .into_iter()
        .find(|e| matches!(e, Event::Revealed { .. }))
        .unwrap();
    let Event::Revealed {
        answered,
        correct,
        per_choice,
        right: names,
        next,
        ..
    } = revealed
    else {
        unreachable!()
    };
    assert_eq!((answered, correct), (3, 2));
    assert_eq!(names, ["Ann", "Bo"], "Bo's time is his change's");
    for (i, count) in per_choice.iter().enumerate() {
        let expected = 2 * usize::from(right.contains(&i)) + usize::from(wrong.contains(&i));
        assert_eq!(*count, expected, "choice {i}: {per_choice:?}");
    }
    assert_eq!(next, "다음 문제는 5초 뒤에 나옵니다.");
    // After the reveal, answers are refused.
    assert_eq!(
        refusal(svc_b.answer_live(&cy, first.id, &right).await),
        Refusal::Live(LiveRefusal::Closed)
    );

    // Recorded once each, keyed, with the speed bonus; Ann's repeat scores
    // nothing on the boards; every answer reviews a card.
    let recorded: Vec<(String, i64)> = match &store {
        Store::Postgres(pg) => sqlx::query_as(
            "SELECT interaction_id, CAST(points AS BIGINT) FROM answers
             WHERE interaction_id LIKE 'live:%' ORDER BY player_id",
        )
        .fetch_all(pg.pool())
        .await
        .unwrap(),
        Store::Sqlite(lite) => sqlx::query_as(
            "SELECT interaction_id, CAST(points AS BIGINT) FROM answers
             WHERE interaction_id LIKE 'live:%' ORDER BY player_id",
        )
        .fetch_all(lite.pool())
        .await
        .unwrap(),
    };
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert!(recorded
        .iter()
        .all(|(key, _)| key.starts_with(&format!("live:{}:", first.id))));
    let points: Vec<i64> = recorded.iter().map(|(_, p)| *p).collect();
    assert_eq!(points[0], 0, "Ann's repeat: {recorded:?}");
    assert!(
        (10..=15).contains(&points[1]),
        "Bo: right, with a bonus: {recorded:?}"
    );
    assert_eq!(points[2], 0, "Cy was wrong");
    let today = quiz::local_day(Utc::now(), community.time_zone);
    let board = store
        .leaderboard(&BoardQuery {
            community_id: community.id,
            period: Period::AllTime,
            topic: None,
            today,
            time_zone: community.time_zone,
            periods_since: community.periods_since,
            limit: 10,
        })
        .await
        .unwrap();
    let bo_row = board
        .iter()
        .find(|r| r.entry.display_name == "Bo")
        .expect("Bo is on the board");
    assert_eq!(bo_row.entry.points, points[1]);
    for name in ["u-ann", "u-bo", "u-cy"] {
        let player = store
            .find_player(&community, &ExternalId::new(name))
            .await
            .unwrap()
            .unwrap();
        let cards = store
            .cards(&player, std::slice::from_ref(&first.question_id))
            .await
            .unwrap();
        assert_eq!(cards.len(), 1, "{name} has a card for the question");
    }

    // The pause, then the second question; nobody answers; then the end.
    world.set(deadline + Duration::seconds(3));
    let waited = a.tick(&clock).await.unwrap();
    assert!(
        matches!(waited[..], [(_, Advanced::Waiting(_))]),
        "{waited:?}"
    );
    world.set(deadline + Duration::seconds(6));
    let (x, y) = tokio::join!(a.tick(&clock), b.tick(&clock));
    x.unwrap();
    y.unwrap();
    let questions = questions_of(&store, round).await;
    assert_eq!(world.posts(), [first.id, questions[1].id]);
    world.set(questions[1].deadline_at.unwrap() + Duration::milliseconds(10));
    for _ in 0..3 {
        let (x, y) = tokio::join!(a.tick(&clock), b.tick(&clock));
        x.unwrap();
        y.unwrap();
    }
    assert_eq!(world.reveals(), [first.id, questions[1].id]);
    let results = world.results();
    assert_eq!(results.len(), 1, "{results:?}");
    let Event::Results {
        ending,
        board,
        notice,
        most_missed,
        ..
    } = &results[0]
    else {
        unreachable!()
    };
    assert_eq!(*ending, Ending::Finished);
    assert_eq!(notice, &None);
    assert_eq!(board.len(), 3);
    assert_eq!(
        (board[0].1.as_str(), board[0].2),
        ("Ann", 15),
        "the round counts Ann's repeat: {board:?}"
    );
    assert_eq!(board[1].1, "Bo");
    assert_eq!((board[2].1.as_str(), board[2].2), ("Cy", 0));
    let missed = most_missed.as_deref().expect("a most-missed question");
    assert!(missed.contains("1/2번"), "{missed}");
    assert!(missed.contains("정답률 67% (2/3)"), "{missed}");

    // Nothing more happens; the channel may start a new round.
    world.set(world.now() + Duration::minutes(5));
    a.tick(&clock).await.unwrap();
    b.tick(&clock).await.unwrap();
    assert_eq!(world.events().len(), 5, "{:?}", world.events());
    start(&svc_b, &store, &bo, 1).await;
}

async fn a_dead_replica_is_taken_over_and_a_round_left_too_long_ends(db: &TestDatabase) {
    let content = SharedContent::new(content());
    let (svc_a, svc_b) = (
        service(db, &content, 3).await,
        service(db, &content, 4).await,
    );
    let world = World::new(Utc::now());
    let (a, b) = (replica(&svc_a, "a", &world), replica(&svc_b, "b", &world));
    let clock = world.clock();
    let ann = member("u-ann", "Ann", false);
    let store = db.store().await;
    let round = start(&svc_a, &store, &ann, 3).await;
    world.set(Utc::now());
    a.tick(&clock).await.unwrap();
    let first = questions_of(&store, round).await[0].clone();
    let deadline = first.deadline_at.expect("posted with its deadline");

    // Replica a dies while revealing: it holds the lease, never finishes.
    assert!(store
        .lease_live_question(first.id, Stage::Reveal, deadline, deadline + LEASE, None)
        .await
        .unwrap());
    drop(a);
    world.set(deadline + Duration::seconds(1));
    let contended = b.tick(&clock).await.unwrap();
    assert_eq!(contended, [(round, Advanced::Contended)]);
    assert!(world.reveals().is_empty());
    // Its lease expires: b reveals, once.
    world.set(deadline + LEASE + Duration::seconds(1));
    b.tick(&clock).await.unwrap();
    assert_eq!(world.reveals(), [first.id]);
    assert!(matches!(
        &world.events()[1],
        Event::Revealed { replica, .. } if replica == "b"
    ));

    // Then every replica is down past the pause and the grace: the second
    // question is not posted late; the round ends, saying why.
    let revealed_at = questions_of(&store, round).await[0].revealed_at.unwrap();
    world.set(revealed_at + Duration::seconds(5) + Duration::seconds(61));
    b.tick(&clock).await.unwrap();
    assert_eq!(world.posts(), [first.id], "no late post");
    let results = world.results();
    assert!(
        matches!(&results[..], [Event::Results { ending: Ending::Interrupted, notice: Some(n), .. }]
            if n.contains("라운드를 여기서 마칩니다")),
        "{results:?}"
    );

    // A question whose every replica missed its deadline by more than the
    // grace is still closed and revealed, then the round ends.
    let round = start(&svc_b, &store, &ann, 3).await;
    world.set(Utc::now());
    b.tick(&clock).await.unwrap();
    let open = questions_of(&store, round).await[0].clone();
    world.set(open.deadline_at.unwrap() + Duration::seconds(61));
    b.tick(&clock).await.unwrap();
    let events = world.events();
    assert!(
        matches!(&events[events.len() - 2..], [
            Event::Revealed { row, next, .. },
            Event::Results { ending: Ending::Interrupted, .. },
        ] if *row == open.id && next.contains("결과가 곧")),
        "{events:?}"
    );
    assert_eq!(world.posts().len(), 2, "{:?}", world.posts());
    assert!(store
        .running_live_round(Platform::Discord, &ExternalId::new(GUILD), CHANNEL)
        .await
        .unwrap()
        .is_none());
}

async fn only_an_admin_stops_a_round_and_its_open_question_is_revealed(db: &TestDatabase) {
    let content = SharedContent::new(content());
    let svc = service(db, &content, 5).await;
    let world = World::new(Utc::now());
    let host = replica(&svc, "a", &world);
    let clock = world.clock();
    let (ann, admin) = (
        member("u-ann", "Ann", false),
        member("u-boss", "Boss", true),
    );
    assert_eq!(
        refusal(svc.stop_live(&admin, CHANNEL).await),
        Refusal::Live(LiveRefusal::NoRound)
    );
    for (request, refused) in [
        (
            LiveRequest {
                questions: Some(31),
                ..LiveRequest::default()
            },
            LiveRefusal::QuestionCount,
        ),
        (
            LiveRequest {
                seconds: Some(5),
                ..LiveRequest::default()
            },
            LiveRefusal::Seconds,
        ),
    ] {
        assert_eq!(
            refusal(svc.start_live(&ann, CHANNEL, &request).await),
            Refusal::Live(refused)
        );
    }
    let store = db.store().await;
    let round = start(&svc, &store, &ann, 3).await;
    // A second start is told where the running one is.
    let again = svc
        .start_live(&admin, CHANNEL, &LiveRequest::default())
        .await
        .unwrap();
    assert!(
        matches!(&again, LiveStart::Running(r) if r.message_id.is_none() && r.text.contains("이미 진행 중")),
        "{again:?}"
    );
    world.set(Utc::now());
    host.tick(&clock).await.unwrap();
    let first = questions_of(&store, round).await[0].clone();
    let again = svc
        .start_live(&ann, CHANNEL, &LiveRequest::default())
        .await
        .unwrap();
    assert!(
        matches!(&again, LiveStart::Running(r) if r.message_id == first.message_id && r.text.contains("1/3번")),
        "{again:?}"
    );

    assert_eq!(
        refusal(svc.stop_live(&ann, CHANNEL).await),
        Refusal::AdminOnly
    );
    let stopping = svc.stop_live(&admin, CHANNEL).await.unwrap();
    assert!(stopping.contains("멈춥니다"), "{stopping}");
    world.set(world.now() + Duration::seconds(2));
    host.tick(&clock).await.unwrap();
    let events = world.events();
    assert!(
        matches!(&events[..], [
            Event::Posted { .. },
            Event::Revealed { row, .. },
            Event::Results { ending: Ending::Stopped, notice: Some(notice), .. },
        ] if *row == first.id && notice.contains("Boss")),
        "{events:?}"
    );
    // The questions never asked are passed over for good.
    for unasked in &questions_of(&store, round).await[1..] {
        assert!(unasked.is_skipped(), "{unasked:?}");
        assert!(!store
            .lease_live_question(
                unasked.id,
                Stage::Post,
                world.now(),
                world.now() + LEASE,
                None
            )
            .await
            .unwrap());
    }
}
