//! Spaced review: when each member should meet a question again. No I/O.
//!
//! Every recorded answer is a review of the member's card for that
//! question. The memory model is FSRS (the `fsrs` crate, default
//! parameters): a card keeps its stability and difficulty, and each answer
//! moves them by its [`Rating`]. A wrong answer rates *Again*, a right one
//! *Good*. Answers are not rated *Hard* by their time: on a phone at 9 am a
//! slow answer says more about the bus than about memory, and a choice
//! question read slowly is not a hard recall.
//!
//! When a card comes back follows Anki's use of FSRS: a right answer waits
//! the interval FSRS gives for the community's desired retention (whole
//! days, at least one); a miss comes back after a short relearning step
//! ([`RELEARN_STEP`]), since it has just been explained. A review session
//! takes the cards due by now plus [`LEARN_AHEAD`] (so the misses of the
//! quiz just played are there at once), most overdue first; in the last
//! [`CRAM_DAYS`] before the community's exam it also takes every card due
//! before the exam. [`plan_session`] fills the rest with questions the
//! member has never answered, from their weakest topics first.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use fsrs::{MemoryState, FSRS};
use rand::seq::SliceRandom;

use crate::bank::{Bank, Question};
use crate::quiz::{self, QuestionHistory};

/// The share of due cards a member should still recall, unless their
/// community sets another.
pub const DEFAULT_RETENTION: f32 = 0.9;
/// The desired retentions a community may set.
pub const RETENTION_RANGE: RangeInclusive<f32> = 0.70..=0.97;
/// How long a missed question waits before it is due again.
pub const RELEARN_STEP: Duration = Duration::minutes(10);
/// How far ahead a review session looks for cards coming due.
pub const LEARN_AHEAD: Duration = Duration::minutes(20);
/// Days before the exam when review takes every card due before it.
pub const CRAM_DAYS: i64 = 7;

/// The scheduler with FSRS's default parameters, built once.
static SCHEDULER: LazyLock<FSRS> = LazyLock::new(FSRS::default);

/// How an answer went, on FSRS's four-button scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Again = 1,
    Hard = 2,
    Good = 3,
    Easy = 4,
}

impl Rating {
    /// Wrong is *Again*, right is *Good* (see the module's docs).
    pub fn of(correct: bool) -> Rating {
        if correct {
            Rating::Good
        } else {
            Rating::Again
        }
    }

    pub fn number(self) -> i16 {
        self as i16
    }
}

/// A member's card for one question, after its latest review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardState {
    pub stability: f32,
    pub difficulty: f32,
    pub reviewed_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// Answers so far.
    pub reps: u32,
    /// Wrong answers so far.
    pub lapses: u32,
}

/// One review as the log keeps it, to fit parameters to the group later.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewEntry {
    pub rating: Rating,
    /// Whole days since the card's previous review (0 for a new card).
    pub elapsed_days: u32,
    pub reviewed_at: DateTime<Utc>,
}

/// A stored card state FSRS cannot work from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("card state stability {stability}, difficulty {difficulty} is not a memory state")]
pub struct InvalidCard {
    pub stability: f32,
    pub difficulty: f32,
}

/// The card after an answer given at `at`: a new card when `previous` is
/// `None`. An answer older than the previous review counts as given at
/// the same moment.
pub fn review(
    previous: Option<&CardState>,
    correct: bool,
    at: DateTime<Utc>,
    retention: f32,
) -> Result<(CardState, ReviewEntry), InvalidCard> {
    let rating = Rating::of(correct);
    let elapsed_days = previous.map_or(0, |card| {
        let days = (at - card.reviewed_at).num_days().max(0);
        u32::try_from(days).unwrap_or(u32::MAX)
    });
    let memory = previous.map(|card| MemoryState {
        stability: card.stability,
        difficulty: card.difficulty,
    });
    let invalid = || InvalidCard {
        stability: memory.map_or(0.0, |m| m.stability),
        difficulty: memory.map_or(0.0, |m| m.difficulty),
    };
    let retention = clamp_retention(retention);
    let next = SCHEDULER
        .next_states(memory, retention, elapsed_days)
        .map_err(|_| invalid())?;
    let state = match rating {
        Rating::Again => next.again,
        Rating::Hard => next.hard,
        Rating::Good => next.good,
        Rating::Easy => next.easy,
    };
    let due_at = match rating {
        Rating::Again => at + RELEARN_STEP,
        _ => at + Duration::days(whole_days(state.interval)),
    };
    let card = CardState {
        stability: state.memory.stability,
        difficulty: state.memory.difficulty,
        reviewed_at: at,
        due_at,
        reps: previous.map_or(0, |c| c.reps).saturating_add(1),
        lapses: previous
            .map_or(0, |c| c.lapses)
            .saturating_add(u32::from(!correct)),
    };
    let entry = ReviewEntry {
        rating,
        elapsed_days,
        reviewed_at: at,
    };
    Ok((card, entry))
}

/// An interval in days, rounded to whole days and at least one.
fn whole_days(interval: f32) -> i64 {
    // Finite and at most a century: `as` cannot wrap.
    let days = if interval.is_finite() {
        interval.round().clamp(1.0, 36_500.0)
    } else {
        36_500.0
    };
    days as i64
}

/// `retention` kept within [`RETENTION_RANGE`].
pub fn clamp_retention(retention: f32) -> f32 {
    if retention.is_nan() {
        DEFAULT_RETENTION
    } else {
        retention.clamp(*RETENTION_RANGE.start(), *RETENTION_RANGE.end())
    }
}

/// The card after every answer in `answers` (oldest first), each with its
/// log entry: the same steps live answers take, so a rebuilt queue equals
/// the one kept answer by answer.
pub fn replay(
    answers: impl IntoIterator<Item = (bool, DateTime<Utc>)>,
    retention: f32,
) -> Result<(Option<CardState>, Vec<ReviewEntry>), InvalidCard> {
    let mut card = None;
    let mut log = Vec::new();
    for (correct, at) in answers {
        let (next, entry) = review(card.as_ref(), correct, at, retention)?;
        card = Some(next);
        log.push(entry);
    }
    Ok((card, log))
}

/// Until when a review session at `now` takes due cards: [`LEARN_AHEAD`]
/// from now, or the start of the exam day in its last [`CRAM_DAYS`].
pub fn horizon(now: DateTime<Utc>, exam_on: Option<NaiveDate>, zone: Tz) -> DateTime<Utc> {
    let ahead = now + LEARN_AHEAD;
    match exam_on.and_then(|exam| cram_until(now, exam, zone)) {
        Some(exam_start) => exam_start.max(ahead),
        None => ahead,
    }
}

/// The start of the exam day, when `now` falls in the days of cramming
/// before it.
fn cram_until(now: DateTime<Utc>, exam_on: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    let today = quiz::local_day(now, zone);
    let days_left = (exam_on - today).num_days();
    (0..=CRAM_DAYS)
        .contains(&days_left)
        .then(|| quiz::local_midnight(exam_on, zone))
}

/// Days from `today` to the exam: 12 for "D-12", 0 on the day, negative
/// after it.
pub fn days_to_exam(today: NaiveDate, exam_on: NaiveDate) -> i64 {
    (exam_on - today).num_days()
}

/// A card that is due, as the store lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCard {
    pub question_id: String,
    pub due_at: DateTime<Utc>,
}

/// Answered and right in one topic, for choosing new questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRecord {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
}

/// The questions of a review session, at most `count`: the due cards
/// first, in the order given (most overdue first), skipping questions the
/// bank no longer asks; then questions the member never answered, from
/// their weakest topics first (see [`weakest_first`]), shuffled within a
/// topic.
pub fn plan_session<'a, R: rand::Rng + ?Sized>(
    bank: &'a Bank,
    due: &[DueCard],
    answered: &HashMap<String, QuestionHistory>,
    topics: &[TopicRecord],
    count: usize,
    rng: &mut R,
) -> Vec<&'a Question> {
    let mut picked: Vec<&Question> = Vec::new();
    let mut seen = HashSet::new();
    for card in due {
        if picked.len() == count {
            return picked;
        }
        if let Some(question) = bank.question(&card.question_id).filter(|q| !q.retired) {
            if seen.insert(question.id.as_str()) {
                picked.push(question);
            }
        }
    }
    for topic in weakest_first(bank, topics) {
        let mut fresh: Vec<&Question> = bank
            .askable(Some(topic))
            .filter(|q| !answered.contains_key(&q.id) && !seen.contains(q.id.as_str()))
            .collect();
        fresh.shuffle(rng);
        for question in fresh {
            if picked.len() == count {
                return picked;
            }
            seen.insert(question.id.as_str());
            picked.push(question);
        }
    }
    picked
}

/// The bank's topics, the member's weakest first: those with misses by
/// share right (ties: more answered first), then those never tried, then
/// those always answered right.
fn weakest_first<'a>(bank: &'a Bank, records: &[TopicRecord]) -> Vec<&'a str> {
    let record = |topic: &str| records.iter().find(|r| r.topic == topic && r.answered > 0);
    let mut order: Vec<(u8, f64, i64, usize, &'a str)> = bank
        .topics
        .iter()
        .enumerate()
        .map(|(place, topic)| match record(&topic.id) {
            Some(r) if r.correct < r.answered => (
                0,
                r.correct as f64 / r.answered as f64,
                -r.answered,
                place,
                topic.id.as_str(),
            ),
            Some(r) => (2, 1.0, -r.answered, place, topic.id.as_str()),
            None => (1, 0.0, 0, place, topic.id.as_str()),
        })
        .collect();
    order.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    order.into_iter().map(|entry| entry.4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_miss_comes_back_within_minutes_and_a_right_answer_after_days() {
        let (missed, entry) = review(None, false, at(1, 9), DEFAULT_RETENTION).unwrap();
        assert_eq!(missed.due_at, at(1, 9) + RELEARN_STEP);
        assert_eq!((missed.reps, missed.lapses), (1, 1));
        assert_eq!(entry.rating, Rating::Again);
        let (known, _) = review(None, true, at(1, 9), DEFAULT_RETENTION).unwrap();
        assert!(known.due_at >= at(3, 9), "{:?}", known.due_at);
        assert_eq!(known.lapses, 0);
    }

    #[test]
    fn each_right_answer_in_a_row_waits_longer() {
        let mut card = None;
        let mut now = at(1, 9);
        let mut last_wait = Duration::zero();
        for _ in 0..4 {
            let (next, _) = review(card.as_ref(), true, now, DEFAULT_RETENTION).unwrap();
            let wait = next.due_at - now;
            assert!(wait > last_wait, "{wait} after {last_wait}");
            last_wait = wait;
            now = next.due_at;
            card = Some(next);
        }
    }

    #[test]
    fn a_higher_retention_brings_cards_back_sooner() {
        let (first, _) = review(None, true, at(1, 9), 0.9).unwrap();
        let (strict, _) = review(Some(&first), true, at(4, 9), 0.97).unwrap();
        let (relaxed, _) = review(Some(&first), true, at(4, 9), 0.7).unwrap();
        assert!(strict.due_at < relaxed.due_at);
        assert_eq!(strict.stability, relaxed.stability);
    }

    #[test]
    fn replaying_answers_gives_the_card_kept_answer_by_answer() {
        let answers = [(false, at(1, 9)), (true, at(1, 10)), (true, at(4, 8))];
        let mut live = None;
        for (correct, when) in answers {
            live = Some(review(live.as_ref(), correct, when, 0.85).unwrap().0);
        }
        let (replayed, log) = replay(answers, 0.85).unwrap();
        assert_eq!(replayed, live);
        assert_eq!(
            log.iter().map(|e| e.elapsed_days).collect::<Vec<_>>(),
            [0, 0, 2]
        );
    }

    #[test]
    fn a_corrupt_state_is_refused() {
        let (card, _) = review(None, true, at(1, 9), 0.9).unwrap();
        let broken = CardState {
            stability: f32::NAN,
            ..card
        };
        assert!(review(Some(&broken), true, at(5, 9), 0.9).is_err());
    }

    #[test]
    fn cramming_looks_ahead_to_the_exam_in_its_last_week() {
        let zone = chrono_tz::Asia::Seoul;
        let now = at(20, 0);
        let exam = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            horizon(now, Some(exam), zone),
            quiz::local_midnight(exam, zone)
        );
        let far = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(horizon(now, Some(far), zone), now + LEARN_AHEAD);
        assert_eq!(horizon(now, None, zone), now + LEARN_AHEAD);
        let past = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(horizon(now, Some(past), zone), now + LEARN_AHEAD);
    }

    #[test]
    fn retention_is_kept_in_range() {
        assert_eq!(clamp_retention(0.5), 0.70);
        assert_eq!(clamp_retention(0.99), 0.97);
        assert_eq!(clamp_retention(f32::NAN), DEFAULT_RETENTION);
    }
    fn bank() -> Bank {
        let mut text = String::new();
        for topic in ["ec2", "s3", "iam"] {
            let file = format!(
                "[topic]\nid = \"{topic}\"\nname = \"{topic}\"\n\n{}",
                (1..=3)
                    .map(|n| format!(
                        "[[question]]\nid = \"{topic}-{n}\"\nprompt = \"?\"\n\
                         choices = [\"a\", \"b\"]\nanswer = 0\nexplanation = \"e\"\n\
                         difficulty = \"easy\"\n\n"
                    ))
                    .collect::<String>()
            );
            text.push_str(&file);
            text.push('\u{0}');
        }
        let files: Vec<(std::path::PathBuf, &str)> = text
            .split('\u{0}')
            .filter(|t| !t.is_empty())
            .enumerate()
            .map(|(i, t)| (std::path::PathBuf::from(format!("{i}.toml")), t))
            .collect();
        let (bank, diagnostics) = Bank::parse_files(files.iter().map(|(p, t)| (p.as_path(), *t)));
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        bank
    }

    #[test]
    fn a_session_takes_due_cards_first_then_new_questions_of_the_weakest_topic() {
        use rand::SeedableRng;
        let bank = bank();
        let due = vec![
            DueCard {
                question_id: "s3-2".into(),
                due_at: at(1, 8),
            },
            DueCard {
                question_id: "gone".into(),
                due_at: at(1, 8),
            },
            DueCard {
                question_id: "ec2-1".into(),
                due_at: at(1, 9),
            },
        ];
        let history = QuestionHistory {
            last_answered_at: at(1, 7),
            last_correct: true,
        };
        let answered: HashMap<String, QuestionHistory> = ["s3-2", "ec2-1", "iam-1"]
            .iter()
            .map(|id| (id.to_string(), history))
            .collect();
        let topics = vec![
            TopicRecord {
                topic: "ec2".into(),
                answered: 4,
                correct: 4,
            },
            TopicRecord {
                topic: "iam".into(),
                answered: 4,
                correct: 1,
            },
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let ids: Vec<&str> = plan_session(&bank, &due, &answered, &topics, 5, &mut rng)
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(&ids[..2], ["s3-2", "ec2-1"]);
        // iam has misses: its two unanswered questions next, then s3, never
        // tried, before ec2, always right.
        let mut weakest = ids[2..4].to_vec();
        weakest.sort_unstable();
        assert_eq!(weakest, ["iam-2", "iam-3"]);
        assert!(ids[4].starts_with("s3-") && ids[4] != "s3-2", "{ids:?}");
    }
}
