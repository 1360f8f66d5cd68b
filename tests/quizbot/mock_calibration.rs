//! Calibration of the predicted score: simulated members practise for
//! three weeks through the real service (quizzes and review sessions, each
//! answer recorded and its card moved), then each one's predicted score is
//! compared with the mean score of many simulated mock exams at the
//! blueprint's weights.
//!
//! Each member is a known truth: for a question never seen, a chance of
//! answering right that depends on the exam domain (their first-try
//! knowledge); for a question seen, the chance of recalling it, which
//! decays along FSRS's own forgetting curve from the memory FSRS's
//! default parameters give their answers — but with their own pace of
//! forgetting (their stability times a factor from 0.8 to 1.25), which
//! the prediction does not know. Everything is seeded: the run is the
//! same every time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use fsrs::{current_retrievability, MemoryState, FSRS, FSRS6_DEFAULT_DECAY};
use quizbot::bank::{Domain, Question};
use quizbot::content::SharedContent;
use quizbot::identity::{ExternalId, Identity, Platform};
use quizbot::mock;
use quizbot::service::{Caller, Click, Service, ServiceSettings};
use quizbot::store::Store;
use quizbot::view::{NextStep, QuestionCard, ReviewStart};
use rand::SeedableRng;

use crate::support::{shipped_content, TestDatabase};

const MEMBERS: usize = 8;
const DAYS: i64 = 21;
const REVIEW_PER_DAY: usize = 20;
/// Simulated mock exams per member.
const EXAMS: usize = 400;
/// The most the predictions may be off, on average, on the 1000 scale.
const MAE_LIMIT: f64 = 60.0;

/// One simulated member's hidden truth.
struct Truth {
    /// The chance of answering a never-seen question right, per domain.
    first_try: HashMap<Domain, f64>,
    /// Their stability is FSRS's times this.
    pace: f32,
    /// New questions a day.
    new_per_day: usize,
    /// Their memory of each question answered: FSRS's state and when.
    memory: HashMap<String, (MemoryState, DateTime<Utc>)>,
}

impl Truth {
    fn chance(&self, question: &Question, at: DateTime<Utc>) -> f64 {
        match self.memory.get(&question.id) {
            None => question
                .domain
                .and_then(|d| self.first_try.get(&d).copied())
                .unwrap_or(0.5),
            Some((state, last)) => {
                let days = (at - *last).num_seconds().max(0) as f32 / 86_400.0;
                let own = MemoryState {
                    stability: state.stability * self.pace,
                    difficulty: state.difficulty,
                };
                f64::from(current_retrievability(own, days, FSRS6_DEFAULT_DECAY))
            }
        }
    }

    /// Answers `question` at `at`: right or not, drawn from the truth; the
    /// memory moves as FSRS moves it (a miss was just explained).
    fn answer(
        &mut self,
        question: &Question,
        at: DateTime<Utc>,
        fsrs: &FSRS,
        rng: &mut fastrand::Rng,
    ) -> bool {
        let right = rng.f64() < self.chance(question, at);
        let (previous, days) = match self.memory.get(&question.id) {
            Some((state, last)) => (Some(*state), (at - *last).num_days().max(0) as u32),
            None => (None, 0),
        };
        let next = fsrs
            .next_states(previous, 0.9, days)
            .expect("FSRS moves the memory");
        let state = if right {
            next.good.memory
        } else {
            next.again.memory
        };
        self.memory.insert(question.id.clone(), (state, at));
        right
    }
}

#[derive(Clone)]
struct Clock(Arc<AtomicI64>);

impl Clock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).expect("a time")
    }

    fn set(&self, at: DateTime<Utc>) {
        self.0.store(at.timestamp_millis(), Ordering::SeqCst);
    }

    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

fn caller(n: usize) -> Caller {
    Caller {
        identity: Identity {
            platform: Platform::Terminal,
            community: ExternalId::new("calibration"),
            user: ExternalId::new(format!("member-{n}")),
        },
        name: format!("member-{n}"),
        admin: false,
        language: None,
    }
}

/// The practice's world: the real service, its store and clock, and the
/// scheduler the truth's memory follows.
struct Practice<'a> {
    service: &'a Service,
    store: &'a Store,
    clock: &'a Clock,
    fsrs: &'a FSRS,
}

impl Practice<'_> {
    /// Plays a session from `card` to its end, each answer drawn from
    /// `truth`.
    async fn play(
        &self,
        who: &Caller,
        card: QuestionCard,
        truth: &mut Truth,
        rng: &mut fastrand::Rng,
    ) {
        play(
            self.service,
            self.store,
            who,
            card,
            truth,
            self.clock,
            self.fsrs,
            rng,
        )
        .await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn play(
    service: &Service,
    store: &Store,
    who: &Caller,
    mut card: QuestionCard,
    truth: &mut Truth,
    clock: &Clock,
    fsrs: &FSRS,
    rng: &mut fastrand::Rng,
) {
    let content = service.content();
    loop {
        let session = store
            .session(card.session)
            .await
            .expect("read the session")
            .expect("the session exists");
        let question = content
            .bank
            .question(&session.question_ids[card.position])
            .expect("in the bank");
        let chosen = if truth.answer(question, clock.now(), fsrs, rng) {
            question.correct.clone()
        } else {
            let mut wrong: Vec<usize> = (0..question.choices.len())
                .filter(|i| !question.correct.contains(i))
                .take(1)
                .collect();
            wrong.extend(question.correct.iter().take(question.picks() - 1));
            wrong
        };
        let feedback = service
            .answer(who, card.session, card.position, &chosen, &Click::default())
            .await
            .expect("the answer is recorded");
        clock.advance(Duration::seconds(20));
        if feedback.summary.is_some() {
            return;
        }
        match service.next(who, card.session).await.expect("next") {
            NextStep::Card(next) => card = *next,
            NextStep::Summary(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predicted_scores_match_the_mean_of_simulated_mock_exams() {
    let db = TestDatabase::sqlite();
    let store = db.store().await;
    let content = SharedContent::new(shipped_content());
    let start = DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .expect("a time")
        .with_timezone(&Utc);
    let clock = Clock(Arc::new(AtomicI64::new(start.timestamp_millis())));
    let service = Service::with_clock(
        content.clone(),
        store.clone(),
        ServiceSettings {
            seed: Some(2025),
            ..ServiceSettings::default()
        },
        Arc::new({
            let clock = clock.clone();
            move || clock.now()
        }),
    );
    let fsrs = FSRS::default();
    let mut rng = fastrand::Rng::with_seed(25);
    let mut members: Vec<Truth> = (0..MEMBERS)
        .map(|_| Truth {
            first_try: Domain::ALL
                .iter()
                .map(|&d| (d, 0.3 + 0.6 * rng.f64()))
                .collect(),
            pace: 0.8 + 0.45 * rng.f32(),
            new_per_day: 8 + rng.usize(..12),
            memory: HashMap::new(),
        })
        .collect();

    let practice = Practice {
        service: &service,
        store: &store,
        clock: &clock,
        fsrs: &fsrs,
    };
    // Three weeks: every morning, review what is due, then new questions.
    for day in 0..DAYS {
        for (n, truth) in members.iter_mut().enumerate() {
            clock.set(start + Duration::days(day) + Duration::minutes(n as i64 * 30));
            let who = caller(n);
            if let ReviewStart::Card(card) = service
                .start_review(&who, Some(REVIEW_PER_DAY))
                .await
                .expect("review")
            {
                practice.play(&who, *card, truth, &mut rng).await;
            }
            let card = service
                .start_quiz(&who, None, Some(truth.new_per_day))
                .await
                .expect("quiz");
            practice.play(&who, card, truth, &mut rng).await;
        }
    }

    // A day later: the prediction, against the truth's mock exams.
    let judged = start + Duration::days(DAYS + 1);
    clock.set(judged);
    let bank = &content.current().bank;
    let mut errors = Vec::new();
    for (n, truth) in members.iter().enumerate() {
        let who = caller(n);
        let record = service
            .record(&who.identity, &who.name)
            .await
            .expect("record");
        let predicted = f64::from(
            record
                .readiness
                .predicted_score
                .expect("three weeks of answers are enough"),
        );
        let mut total = 0.0;
        for _ in 0..EXAMS {
            let mut draw_rng = rand::rngs::StdRng::seed_from_u64(rng.u64(..));
            let exam = mock::draw(
                bank,
                &Default::default(),
                mock::EXAM_QUESTIONS,
                &mut draw_rng,
            )
            .expect("an exam");
            let right = exam
                .iter()
                .filter(|q| rng.f64() < truth.chance(q, judged))
                .count();
            total += f64::from(mock::scaled_score(right as u32, exam.len() as u32));
        }
        let simulated = total / EXAMS as f64;
        println!(
            "member {n}: {} questions seen, pace {:.2}, predicted {predicted:.0}, \
             mean of {EXAMS} mock exams {simulated:.1}, off by {:.1}",
            truth.memory.len(),
            truth.pace,
            (predicted - simulated).abs()
        );
        errors.push((predicted - simulated).abs());
    }
    let mae = errors.iter().sum::<f64>() / errors.len() as f64;
    println!(
        "calibration: mean absolute error {mae:.1} points on the 1000 scale over {MEMBERS} members (limit {MAE_LIMIT})"
    );
    assert!(
        mae <= MAE_LIMIT,
        "predictions are off by {mae:.1} points on average: {errors:?}"
    );
}
