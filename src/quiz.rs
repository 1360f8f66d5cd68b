//! The quiz rules: which questions a session asks, how an answer is graded
//! and scored, how streaks grow, what a leaderboard period covers, and the
//! summary at the end of a session.
//!
//! Nothing here does I/O or knows a platform: callers pass in the bank's
//! questions, the player's history and the clock (`now`), and store or render
//! the results. Every platform and the terminal play by these same rules.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::seq::SliceRandom;

use crate::bank::Question;

/// Points for a correct answer.
pub const POINTS_CORRECT: i64 = 10;
/// A question answered correctly within this window scores nothing again,
/// so answering one question over and over does not climb the board.
pub const REPEAT_WINDOW_DAYS: i64 = 7;
/// Most questions in one session.
pub const MAX_SESSION_QUESTIONS: usize = 20;
/// Questions in a session when the player does not say.
pub const DEFAULT_SESSION_QUESTIONS: usize = 5;

/// What a player has done with one question before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionHistory {
    pub last_answered_at: DateTime<Utc>,
    /// Whether the most recent answer was correct.
    pub last_correct: bool,
}

/// Picks up to `count` distinct questions for a session: first those the
/// player has never seen, then those they last got wrong, then the rest,
/// least recently answered first. Order within a tier is shuffled by `rng`.
pub fn pick_questions<'a, R: rand::Rng + ?Sized>(
    candidates: impl IntoIterator<Item = &'a Question>,
    history: &HashMap<String, QuestionHistory>,
    count: usize,
    rng: &mut R,
) -> Vec<&'a Question> {
    let mut unseen = Vec::new();
    let mut missed = Vec::new();
    let mut known = Vec::new();
    for question in candidates {
        match history.get(&question.id) {
            None => unseen.push(question),
            Some(h) if !h.last_correct => missed.push((h.last_answered_at, question)),
            Some(h) => known.push((h.last_answered_at, question)),
        }
    }
    unseen.shuffle(rng);
    missed.shuffle(rng);
    known.shuffle(rng);
    // Stable sorts keep the shuffle among equal times.
    missed.sort_by_key(|(at, _)| *at);
    known.sort_by_key(|(at, _)| *at);
    unseen
        .into_iter()
        .chain(missed.into_iter().map(|(_, q)| q))
        .chain(known.into_iter().map(|(_, q)| q))
        .take(count)
        .collect()
}

/// Why an answer cannot be graded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("choice {0} does not exist")]
    NoSuchChoice(usize),
    #[error("choose exactly {expected} (got {got})")]
    WrongCount { expected: usize, got: usize },
    #[error("the same choice was picked twice")]
    Repeated,
}

/// The verdict on one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// The player's choices, ascending.
    pub chosen: Vec<usize>,
    pub correct: bool,
}

/// Grades `chosen` against `question`: all-or-nothing for "choose N".
pub fn grade(question: &Question, chosen: &[usize]) -> Result<Grade, AnswerError> {
    let mut chosen = chosen.to_vec();
    chosen.sort_unstable();
    if let Some(&bad) = chosen.iter().find(|&&c| c >= question.choices.len()) {
        return Err(AnswerError::NoSuchChoice(bad));
    }
    if chosen.windows(2).any(|w| w[0] == w[1]) {
        return Err(AnswerError::Repeated);
    }
    if chosen.len() != question.picks() {
        return Err(AnswerError::WrongCount {
            expected: question.picks(),
            got: chosen.len(),
        });
    }
    let correct = chosen == question.correct;
    Ok(Grade { chosen, correct })
}

/// Points for an answer, given when the player last answered the same
/// question correctly.
pub fn points(correct: bool, last_correct_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    if !correct {
        return 0;
    }
    match last_correct_at {
        Some(at) if now - at < Duration::days(REPEAT_WINDOW_DAYS) => 0,
        _ => POINTS_CORRECT,
    }
}

/// A player's run of consecutive local days with a correct answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub current: u32,
    pub best: u32,
    /// The last local day that counted.
    pub last_day: Option<NaiveDate>,
}

impl Streak {
    /// Whether the run already counts local day `day` (or a later one), so
    /// that a correct answer on `day` leaves it as it is.
    pub fn counts(self, day: NaiveDate) -> bool {
        self.last_day.is_some_and(|last| last >= day)
    }

    /// The streak after a correct answer on local day `day`.
    pub fn after_correct(self, day: NaiveDate) -> Streak {
        if self.counts(day) {
            return self;
        }
        let current = match self.last_day {
            Some(last) if last.succ_opt() == Some(day) => self.current + 1,
            _ => 1,
        };
        Streak {
            current,
            best: self.best.max(current),
            last_day: Some(day),
        }
    }

    /// The current run as of local day `today`: a run whose last day is
    /// before yesterday has been broken.
    pub fn current_on(self, today: NaiveDate) -> u32 {
        match self.last_day {
            Some(last) if last == today || last.succ_opt() == Some(today) => self.current,
            _ => 0,
        }
    }
}

/// The local calendar day of `at` in `zone`.
pub fn local_day(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    zone.from_utc_datetime(&at.naive_utc()).date_naive()
}

/// A leaderboard period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Today,
    Week,
    Month,
    AllTime,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Today, Period::Week, Period::Month, Period::AllTime];

    pub fn parse(text: &str) -> Option<Period> {
        match text.trim().to_lowercase().as_str() {
            "today" | "day" | "오늘" => Some(Period::Today),
            "week" | "이번주" | "주간" => Some(Period::Week),
            "month" | "이번달" | "월간" => Some(Period::Month),
            "all" | "all-time" | "alltime" | "전체" => Some(Period::AllTime),
            _ => None,
        }
    }

    /// The key stored with period totals.
    pub fn code(self) -> &'static str {
        match self {
            Period::Today => "d",
            Period::Week => "w",
            Period::Month => "m",
            Period::AllTime => "a",
        }
    }

    /// The first local day of the period holding local day `day`: weeks
    /// start on Monday; all time starts at a fixed day.
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Today => day,
            Period::Week => day - Duration::days(day.weekday().num_days_from_monday() as i64),
            Period::Month => day.with_day(1).unwrap_or(day),
            Period::AllTime => NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(day),
        }
    }
}

impl Period {
    /// The period holding local day `day` in `zone`, as UTC instants: from
    /// its first local midnight to the next period's. A midnight that a
    /// daylight-saving change skips counts from the first instant after it.
    pub fn bounds(self, day: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.start(day);
        let end = match self {
            Period::Today => start + Duration::days(1),
            Period::Week => start + Duration::days(7),
            Period::Month => {
                let (year, month) = if start.month() == 12 {
                    (start.year() + 1, 1)
                } else {
                    (start.year(), start.month() + 1)
                };
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(start + Duration::days(31))
            }
            Period::AllTime => NaiveDate::from_ymd_opt(9999, 1, 1).unwrap_or(start),
        };
        (local_midnight(start, zone), local_midnight(end, zone))
    }
}

/// The first instant of local day `day` in `zone`.
pub fn local_midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let mut time = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Some zones have skipped midnight itself; the day then starts later.
    for _ in 0..48 {
        if let Some(at) = zone.from_local_datetime(&time).earliest() {
            return at.with_timezone(&Utc);
        }
        time += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// A ranked leaderboard row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked<T> {
    /// 1-based; players with equal points share a rank (1, 2, 2, 4).
    pub rank: usize,
    pub entry: T,
}

/// Ranks entries already sorted by points, highest first.
pub fn rank_by_points<T>(sorted: Vec<T>, points: impl Fn(&T) -> i64) -> Vec<Ranked<T>> {
    let mut ranked: Vec<Ranked<T>> = Vec::with_capacity(sorted.len());
    for (index, entry) in sorted.into_iter().enumerate() {
        let rank = match ranked.last() {
            Some(previous) if points(&previous.entry) == points(&entry) => previous.rank,
            _ => index + 1,
        };
        ranked.push(Ranked { rank, entry });
    }
    ranked
}

/// One answered question in a session, for its summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredQuestion {
    pub question_id: String,
    pub topic: String,
    pub correct: bool,
    pub points: i64,
}

/// How a session went.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    pub answered: usize,
    pub correct: usize,
    pub points: i64,
    /// Share correct, 0 to 1.
    pub accuracy: f64,
    /// The topics with the lowest accuracy, when some answer was wrong:
    /// every one tied at it (most answered first), so none is picked at
    /// random.
    pub weakest_topics: Vec<String>,
    /// The questions answered wrong, in the order asked.
    pub missed: Vec<String>,
}

pub fn summarize(answers: &[AnsweredQuestion]) -> SessionSummary {
    let answered = answers.len();
    let correct = answers.iter().filter(|a| a.correct).count();
    let points = answers.iter().map(|a| a.points).sum();
    let mut by_topic: Vec<(&str, usize, usize)> = Vec::new();
    for answer in answers {
        match by_topic.iter_mut().find(|(t, _, _)| *t == answer.topic) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += usize::from(answer.correct);
            }
            None => by_topic.push((&answer.topic, 1, usize::from(answer.correct))),
        }
    }
    // Shares compared as fractions (right₁·total₂ vs right₂·total₁), so
    // equal shares are equal exactly.
    let missed_in: Vec<&(&str, usize, usize)> = by_topic
        .iter()
        .filter(|(_, total, right)| right < total)
        .collect();
    let lowest = missed_in
        .iter()
        .min_by(|a, b| (a.2 * b.1).cmp(&(b.2 * a.1)))
        .copied();
    let mut weakest: Vec<&(&str, usize, usize)> = missed_in
        .iter()
        .copied()
        .filter(|t| lowest.is_some_and(|low| t.2 * low.1 == low.2 * t.1))
        .collect();
    weakest.sort_by_key(|t| std::cmp::Reverse(t.1));
    let weakest_topics = weakest
        .iter()
        .map(|(topic, _, _)| topic.to_string())
        .collect();
    SessionSummary {
        answered,
        correct,
        points,
        accuracy: if answered == 0 {
            0.0
        } else {
            correct as f64 / answered as f64
        },
        weakest_topics,
        missed: answers
            .iter()
            .filter(|a| !a.correct)
            .map(|a| a.question_id.clone())
            .collect(),
    }
}

/// Parses a letter answer typed or clicked: "b", "A, D", "ad", "a d".
pub fn parse_letters(text: &str, choices: usize) -> Option<Vec<usize>> {
    let mut chosen = Vec::new();
    for c in text.chars() {
        if c.is_whitespace() || c == ',' {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        if !upper.is_ascii_uppercase() {
            return None;
        }
        let index = (upper as u8 - b'A') as usize;
        if index >= choices {
            return None;
        }
        chosen.push(index);
    }
    (!chosen.is_empty()).then_some(chosen)
}

/// The time RFC 3339 `text` names: the unit tests' fixed clocks.
#[cfg(test)]
pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Difficulty;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::path::PathBuf;

    fn question(id: &str, correct: &[usize]) -> Question {
        Question {
            id: id.into(),
            topic: "ec2".into(),
            prompt: "?".into(),
            choices: vec!["a".into(), "b".into(), "c".into(), "d".into(), "e".into()],
            correct: correct.to_vec(),
            explanation: "because".into(),
            sources: Vec::new(),
            difficulty: Difficulty::Easy,
            domain: None,
            retired: false,
            path: PathBuf::from("ec2.toml"),
            line: 1,
            id_position: crate::diagnostic::Position::START,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn choose_two_is_all_or_nothing() {
        let q = question("q", &[0, 3]);
        assert!(grade(&q, &[3, 0]).unwrap().correct);
        assert!(!grade(&q, &[0, 1]).unwrap().correct);
        assert_eq!(
            grade(&q, &[0]),
            Err(AnswerError::WrongCount {
                expected: 2,
                got: 1
            })
        );
        assert_eq!(grade(&q, &[0, 0]), Err(AnswerError::Repeated));
        assert_eq!(grade(&q, &[0, 9]), Err(AnswerError::NoSuchChoice(9)));
    }

    #[test]
    fn a_question_scores_again_only_after_the_window() {
        let now = at("2026-03-10T12:00:00Z");
        assert_eq!(points(true, None, now), POINTS_CORRECT);
        assert_eq!(points(false, None, now), 0);
        assert_eq!(points(true, Some(at("2026-03-04T12:00:01Z")), now), 0);
        assert_eq!(
            points(true, Some(at("2026-03-03T12:00:00Z")), now),
            POINTS_CORRECT
        );
    }

    #[test]
    fn streaks_grow_on_consecutive_days_and_break_after_a_gap() {
        let s = Streak::default().after_correct(day("2026-03-01"));
        let s = s.after_correct(day("2026-03-01"));
        assert_eq!(
            s.current, 1,
            "a second answer the same day does not count twice"
        );
        let s = s
            .after_correct(day("2026-03-02"))
            .after_correct(day("2026-03-03"));
        assert_eq!((s.current, s.best), (3, 3));
        assert_eq!(s.current_on(day("2026-03-04")), 3, "yesterday still counts");
        assert_eq!(s.current_on(day("2026-03-05")), 0);
        let s = s.after_correct(day("2026-03-06"));
        assert_eq!((s.current, s.best), (1, 3));
    }

    #[test]
    fn a_streak_that_counts_the_day_is_left_as_it_is() {
        let s = Streak {
            current: 4,
            best: 9,
            last_day: Some(day("2026-03-02")),
        };
        for answered_on in ["2026-03-01", "2026-03-02"] {
            assert!(s.counts(day(answered_on)));
            assert_eq!(s.after_correct(day(answered_on)), s, "{answered_on}");
        }
        assert!(!s.counts(day("2026-03-03")));
        assert_ne!(s.after_correct(day("2026-03-03")), s);
        assert!(!Streak::default().counts(day("2026-03-02")));
    }

    #[test]
    fn the_local_day_follows_the_time_zone() {
        let late_utc = at("2026-03-01T16:30:00Z");
        assert_eq!(
            local_day(late_utc, chrono_tz::Asia::Seoul),
            day("2026-03-02")
        );
        assert_eq!(local_day(late_utc, chrono_tz::UTC), day("2026-03-01"));
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(
            Period::Week.start(day("2026-03-08")),
            day("2026-03-02"),
            "Sunday"
        );
        assert_eq!(
            Period::Week.start(day("2026-03-09")),
            day("2026-03-09"),
            "Monday"
        );
        assert_eq!(Period::Month.start(day("2026-02-28")), day("2026-02-01"));
        assert_eq!(Period::Today.start(day("2026-02-28")), day("2026-02-28"));
    }

    #[test]
    fn picking_prefers_unseen_then_missed_and_never_repeats() {
        let questions: Vec<Question> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| question(id, &[0]))
            .collect();
        let mut history = HashMap::new();
        history.insert(
            "a".to_string(),
            QuestionHistory {
                last_answered_at: at("2026-01-01T00:00:00Z"),
                last_correct: true,
            },
        );
        history.insert(
            "b".to_string(),
            QuestionHistory {
                last_answered_at: at("2026-01-02T00:00:00Z"),
                last_correct: false,
            },
        );
        history.insert(
            "c".to_string(),
            QuestionHistory {
                last_answered_at: at("2026-01-03T00:00:00Z"),
                last_correct: true,
            },
        );
        let mut rng = StdRng::seed_from_u64(7);
        let picked: Vec<&str> = pick_questions(&questions, &history, 10, &mut rng)
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(picked, ["d", "b", "a", "c"]);
        let two = pick_questions(&questions, &history, 2, &mut rng);
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn period_bounds_are_local_midnights() {
        let seoul = chrono_tz::Asia::Seoul;
        let (start, end) = Period::Week.bounds(day("2026-03-08"), seoul);
        assert_eq!(start, at("2026-03-01T15:00:00Z"), "Monday 00:00 in Seoul");
        assert_eq!(end, at("2026-03-08T15:00:00Z"));
        let (start, end) = Period::Month.bounds(day("2026-12-31"), chrono_tz::UTC);
        assert_eq!(
            (start, end),
            (at("2026-12-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        );
        // Santiago skips 00:00-01:00 on the first Sunday of September 2026.
        let (start, _) = Period::Today.bounds(day("2026-09-06"), chrono_tz::America::Santiago);
        assert_eq!(
            start,
            at("2026-09-06T04:00:00Z"),
            "the day starts at 01:00 local"
        );
    }

    #[test]
    fn ties_share_a_rank() {
        let ranked = rank_by_points(vec![30, 20, 20, 10], |p| *p);
        let ranks: Vec<usize> = ranked.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, [1, 2, 2, 4]);
    }

    #[test]
    fn the_summary_names_the_weakest_topic() {
        let answer = |topic: &str, correct| AnsweredQuestion {
            question_id: format!("{topic}-q"),
            topic: topic.into(),
            correct,
            points: if correct { 10 } else { 0 },
        };
        let summary = summarize(&[
            answer("ec2", true),
            answer("iam", false),
            answer("iam", true),
            answer("ec2", true),
        ]);
        assert_eq!(summary.answered, 4);
        assert_eq!(summary.correct, 3);
        assert_eq!(summary.points, 30);
        assert_eq!(summary.weakest_topics, ["iam"]);
        assert!(summarize(&[answer("ec2", true)]).weakest_topics.is_empty());

        // Three topics each half right: all three are named, none picked.
        let tied = summarize(&[
            answer("ec2", true),
            answer("ec2", false),
            answer("iam", false),
            answer("iam", true),
            answer("s3", true),
            answer("s3", false),
            answer("vpc", true),
        ]);
        assert_eq!(tied.weakest_topics, ["ec2", "iam", "s3"]);
    }

    #[test]
    fn letters_parse_in_any_form() {
        assert_eq!(parse_letters("b", 4), Some(vec![1]));
        assert_eq!(parse_letters("A, D", 5), Some(vec![0, 3]));
        assert_eq!(parse_letters("ad", 5), Some(vec![0, 3]));
        assert_eq!(parse_letters("e", 4), None);
        assert_eq!(parse_letters("", 4), None);
        assert_eq!(parse_letters("1", 4), None);
    }
}
