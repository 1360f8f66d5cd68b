//! The live round's rules, free of I/O: a channel plays a few questions
//! together, each against a deadline, then sees the answer, who got it and
//! who was fastest, and at the end the round's scoreboard.
//!
//! What a round is made of lives in rows ([`LiveRound`], [`LiveQuestion`],
//! [`LiveAnswer`]); [`next_step`] reads them with the clock and says what
//! is due: post a question, reveal one, score one, end the round, or wait.
//! [`crate::quizmaster`] carries the steps out against the store and a
//! platform, on whichever replica takes the row's lease first; the
//! service ([`crate::service`]) starts and stops rounds and takes the
//! members' answers. Points: a right answer is worth
//! [`crate::quiz::POINTS_CORRECT`] plus up to [`SPEED_BONUS_MAX`] for
//! speed ([`speed_bonus`]); the leaderboards get them through the same
//! record path as any answer, repeat rule included.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};

use crate::bank::Question;
use crate::identity::{ExternalId, Platform};
use crate::quiz::{self, QuestionHistory, Ranked};

/// Questions in a round when the starter does not say, and the bounds.
pub const DEFAULT_QUESTIONS: usize = 10;
pub const QUESTIONS: RangeInclusive<usize> = 1..=30;
/// Seconds per question when the starter does not say, and the bounds.
pub const DEFAULT_SECONDS: u32 = 20;
pub const SECONDS: RangeInclusive<u32> = 10..=120;
/// The most a right answer earns for speed, on top of the points for
/// being right: all of it at once, none at the deadline.
pub const SPEED_BONUS_MAX: i64 = 5;
/// How many of the right answers the reveal names, fastest first.
pub const NAMED_FIRST: usize = 3;
/// How many players the final scoreboard lists.
pub const SCOREBOARD_ROWS: usize = 10;

/// The pause between a reveal and the next question, unless set.
pub const DEFAULT_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

/// How a round paces itself, and how long it waits for a replica that
/// went quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveTimings {
    /// From a reveal to the next question: time to read the explanation.
    pub pause: Duration,
    /// How far past its due time a step may come before the round is
    /// taken as interrupted (every replica was down): it then ends with a
    /// message instead of carrying on long after the group left.
    pub grace: Duration,
    /// How often a replica looks for rounds started on another (it is
    /// woken at once for its own, and sleeps until the next deadline it
    /// knows of).
    pub poll: std::time::Duration,
}

impl Default for LiveTimings {
    fn default() -> Self {
        Self {
            pause: Duration::seconds(5),
            grace: Duration::seconds(60),
            poll: std::time::Duration::from_secs(1),
        }
    }
}

/// How many questions and how long each: checked once, on creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundSettings {
    pub questions: usize,
    pub seconds: u32,
}

impl RoundSettings {
    /// The settings a starter asked for, unset ones at their defaults.
    pub fn new(questions: Option<usize>, seconds: Option<u32>) -> Result<Self, LiveRefusal> {
        let questions = questions.unwrap_or(DEFAULT_QUESTIONS);
        let seconds = seconds.unwrap_or(DEFAULT_SECONDS);
        if !QUESTIONS.contains(&questions) {
            return Err(LiveRefusal::QuestionCount);
        }
        if !SECONDS.contains(&seconds) {
            return Err(LiveRefusal::Seconds);
        }
        Ok(Self { questions, seconds })
    }
}

/// Why a live request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LiveRefusal {
    #[error("a live round has 1 to 30 questions")]
    QuestionCount,
    #[error("a live question lasts 10 to 120 seconds")]
    Seconds,
    #[error("the answers to this live question are closed")]
    Closed,
    #[error("this live question does not exist here")]
    Gone,
    #[error("no live round is running in this channel")]
    NoRound,
}

/// How a round ended, or is asked to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// Every question was asked.
    Finished,
    /// An admin stopped it.
    Stopped,
    /// Every replica was down past a deadline and its grace: the round
    /// ends where it is instead of going on long after.
    Interrupted,
    /// The channel refused the bot's messages.
    Failed,
}

impl Ending {
    pub fn code(self) -> &'static str {
        match self {
            Ending::Finished => "finished",
            Ending::Stopped => "stopped",
            Ending::Interrupted => "interrupted",
            Ending::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Ending> {
        match text {
            "finished" => Some(Ending::Finished),
            "stopped" => Some(Ending::Stopped),
            "interrupted" => Some(Ending::Interrupted),
            "failed" => Some(Ending::Failed),
            _ => None,
        }
    }
}

/// A round as stored: one per channel at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRound {
    pub id: i64,
    pub platform: Platform,
    pub community: ExternalId,
    /// The community's row, for its players.
    pub community_id: i64,
    pub channel: String,
    /// The topic asked from; every topic when `None`.
    pub topic: Option<String>,
    pub seconds: u32,
    /// Who started it, as shown.
    pub started_by: String,
    pub created_at: DateTime<Utc>,
    /// An end asked for (an admin's stop, an interruption, a refusing
    /// channel) and who asked, carried out by the next step.
    pub ending: Option<Ending>,
    pub ended_by: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl LiveRound {
    pub fn question_time(&self) -> Duration {
        Duration::seconds(self.seconds.into())
    }
}

/// A round to create, its questions picked.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    pub platform: Platform,
    pub community: &'a ExternalId,
    pub community_id: i64,
    pub channel: &'a str,
    pub topic: Option<&'a str>,
    pub seconds: u32,
    pub started_by: &'a str,
    pub question_ids: &'a [String],
    pub now: DateTime<Utc>,
}

/// One question of a round. Each stage is noted once done: posted (its
/// message), closed (no answer after), revealed, scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveQuestion {
    pub id: i64,
    pub round_id: i64,
    /// From 0, in the order asked.
    pub position: usize,
    pub question_id: String,
    /// Set when a replica takes the post: answers count until then.
    pub deadline_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub revealed_at: Option<DateTime<Utc>>,
    pub scored_at: Option<DateTime<Utc>>,
}

impl LiveQuestion {
    /// Passed over without a message (it left the bank, or the round
    /// ended before it).
    pub fn is_skipped(&self) -> bool {
        self.revealed_at.is_some() && self.message_id.is_none()
    }

    /// Whether answers are taken at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.message_id.is_some()
            && self.closed_at.is_none()
            && self.deadline_at.is_some_and(|deadline| now < deadline)
    }
}

/// A member's answer to a live question: the last one they clicked before
/// the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAnswer {
    pub player_id: i64,
    pub name: String,
    pub choices: Vec<usize>,
    pub correct: bool,
    /// When the answer that stands was given (a change moves it).
    pub answered_at: DateTime<Utc>,
    /// How many times the member changed it.
    pub changes: u32,
}

/// What a stage of a question is, for its lease: each can be leased only
/// while it is still to do, so a replica acting on an old read cannot
/// redo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Sending the question (it has no message yet).
    Post,
    /// Closing the answers and showing the results (posted, not revealed).
    Reveal,
    /// Recording the answers for the leaderboards and review (revealed,
    /// not scored).
    Score,
}

/// What a round needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Post the question with this row id.
    Post(i64),
    /// Close and reveal it; `late` when every replica missed its deadline
    /// by more than the grace, and the round should end after it.
    Reveal { question: i64, late: bool },
    /// Record its answers.
    Score(i64),
    /// Post the scoreboard and end the round.
    Finish(Ending),
    /// Nothing to do before this time.
    Wait(DateTime<Utc>),
    /// The round has ended.
    Done,
}

/// What is due for `round` at `now`, given its questions in order.
pub fn next_step(
    round: &LiveRound,
    questions: &[LiveQuestion],
    now: DateTime<Utc>,
    timings: LiveTimings,
) -> Step {
    if round.ended_at.is_some() {
        return Step::Done;
    }
    // Scoring never waits: the leaderboards follow each reveal.
    if let Some(revealed) = questions
        .iter()
        .find(|q| q.revealed_at.is_some() && q.scored_at.is_none())
    {
        return Step::Score(revealed.id);
    }
    let Some(index) = questions.iter().position(|q| q.revealed_at.is_none()) else {
        return Step::Finish(match round.ending {
            Some(ending @ (Ending::Stopped | Ending::Failed)) => ending,
            _ => Ending::Finished,
        });
    };
    let current = &questions[index];
    if current.message_id.is_some() {
        let deadline = current.deadline_at.unwrap_or(now);
        if round.ending.is_some() {
            // Closed early: its answers are shown, then the round ends.
            return Step::Reveal {
                question: current.id,
                late: false,
            };
        }
        if now >= deadline {
            return Step::Reveal {
                question: current.id,
                late: now >= deadline + timings.grace,
            };
        }
        return Step::Wait(deadline);
    }
    if let Some(ending) = round.ending {
        return Step::Finish(ending);
    }
    let opens_at = match index.checked_sub(1).and_then(|i| questions.get(i)) {
        Some(previous) => previous.revealed_at.unwrap_or(now) + timings.pause,
        None => round.created_at,
    };
    if now >= opens_at + timings.grace {
        return Step::Finish(Ending::Interrupted);
    }
    if now >= opens_at {
        return Step::Post(current.id);
    }
    Step::Wait(opens_at)
}

/// The extra points for answering `answered_at` when the question was out
/// from `posted_at` to `deadline`: [`SPEED_BONUS_MAX`] at once, shrinking
/// evenly to 0 at the deadline, in whole points.
pub fn speed_bonus(
    posted_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    answered_at: DateTime<Utc>,
) -> i64 {
    let window = (deadline - posted_at).num_milliseconds();
    if window <= 0 {
        return 0;
    }
    let left = (deadline - answered_at).num_milliseconds().clamp(0, window);
    (SPEED_BONUS_MAX * left + window / 2) / window
}

/// What an answer earns in its round: right answers score
/// [`quiz::POINTS_CORRECT`] and their [`speed_bonus`]; a "choose two" is
/// all or nothing, as everywhere.
pub fn round_points(question: &LiveQuestion, answer: &LiveAnswer) -> i64 {
    if !answer.correct {
        return 0;
    }
    let bonus = match (question.posted_at, question.deadline_at) {
        (Some(posted), Some(deadline)) => speed_bonus(posted, deadline, answer.answered_at),
        _ => 0,
    };
    quiz::POINTS_CORRECT + bonus
}

/// How a channel answered one live question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionTally {
    pub answered: usize,
    pub correct: usize,
    /// How many picked each choice (a "choose two" answer counts twice).
    pub per_choice: Vec<usize>,
    /// Who was right, fastest first.
    pub right: Vec<String>,
}

/// Counts `answers` to a question of `choices` choices.
pub fn tally(choices: usize, answers: &[LiveAnswer]) -> QuestionTally {
    let mut per_choice = vec![0; choices];
    for answer in answers {
        for &choice in &answer.choices {
            if let Some(count) = per_choice.get_mut(choice) {
                *count += 1;
            }
        }
    }
    let mut right: Vec<&LiveAnswer> = answers.iter().filter(|a| a.correct).collect();
    right.sort_by(|a, b| {
        a.answered_at
            .cmp(&b.answered_at)
            .then(a.player_id.cmp(&b.player_id))
    });
    QuestionTally {
        answered: answers.len(),
        correct: right.len(),
        per_choice,
        right: right.into_iter().map(|a| a.name.clone()).collect(),
    }
}

/// A player's line on a round's scoreboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreLine {
    pub player_id: i64,
    pub name: String,
    pub points: i64,
    pub correct: usize,
    pub answered: usize,
}

/// The round's scoreboard from every question's answers: most points
/// first, then most right, then name; ties share a rank.
pub fn scoreboard(answered: &[(LiveQuestion, Vec<LiveAnswer>)]) -> Vec<Ranked<ScoreLine>> {
    let mut lines: HashMap<i64, ScoreLine> = HashMap::new();
    for (question, answers) in answered {
        for answer in answers {
            let line = lines.entry(answer.player_id).or_insert_with(|| ScoreLine {
                player_id: answer.player_id,
                name: answer.name.clone(),
                points: 0,
                correct: 0,
                answered: 0,
            });
            line.points += round_points(question, answer);
            line.correct += usize::from(answer.correct);
            line.answered += 1;
        }
    }
    let mut lines: Vec<ScoreLine> = lines.into_values().collect();
    lines.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(b.correct.cmp(&a.correct))
            .then(a.name.cmp(&b.name))
            .then(a.player_id.cmp(&b.player_id))
    });
    quiz::rank_by_points(lines, |line| line.points)
}

/// The question of the round most members got wrong: the lowest share
/// right among those answered, the most answers on a tie, then the
/// earliest. `None` when every answer was right.
pub fn most_missed(
    answered: &[(LiveQuestion, Vec<LiveAnswer>)],
) -> Option<(&LiveQuestion, usize, usize)> {
    answered
        .iter()
        .filter(|(_, answers)| answers.iter().any(|a| !a.correct))
        .map(|(question, answers)| {
            let right = answers.iter().filter(|a| a.correct).count();
            (question, right, answers.len())
        })
        .min_by(|a, b| {
            // right_a / total_a < right_b / total_b, without division.
            (a.1 * b.2)
                .cmp(&(b.1 * a.2))
                .then(b.2.cmp(&a.2))
                .then(a.0.position.cmp(&b.0.position))
        })
}

/// The round's questions: those the channel's rounds never asked first, at
/// random, then those asked longest ago.
pub fn pick_questions<'q, R: rand::Rng + ?Sized>(
    candidates: impl IntoIterator<Item = &'q Question>,
    asked: &HashMap<String, DateTime<Utc>>,
    count: usize,
    rng: &mut R,
) -> Vec<&'q Question> {
    let history: HashMap<String, QuestionHistory> = asked
        .iter()
        .map(|(id, at)| {
            (
                id.clone(),
                QuestionHistory {
                    last_answered_at: *at,
                    last_correct: true,
                },
            )
        })
        .collect();
    quiz::pick_questions(candidates, &history, count, rng)
}

/// The key a live answer is recorded under when its question is scored:
/// one per question and player, so scoring again after a crash records
/// nothing twice.
pub fn answer_key(question_row: i64, player_id: i64) -> String {
    format!("live:{question_row}:{player_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::at;

    fn round(created: &str) -> LiveRound {
        LiveRound {
            id: 1,
            platform: Platform::Discord,
            community: ExternalId::new("g"),
            community_id: 1,
            channel: "c".into(),
            topic: None,
            seconds: 20,
            started_by: "Ann".into(),
            created_at: at(created),
            ending: None,
            ended_by: None,
            ended_at: None,
        }
    }

    fn question(id: i64, position: usize) -> LiveQuestion {
        LiveQuestion {
            id,
            round_id: 1,
            position,
            question_id: format!("q{position}"),
            deadline_at: None,
            message_id: None,
            posted_at: None,
            closed_at: None,
            revealed_at: None,
            scored_at: None,
        }
    }

    fn posted(mut q: LiveQuestion, posted: &str, deadline: &str) -> LiveQuestion {
        q.message_id = Some(format!("m{}", q.id));
        q.posted_at = Some(at(posted));
        q.deadline_at = Some(at(deadline));
        q
    }

    fn revealed(mut q: LiveQuestion, when: &str, scored: bool) -> LiveQuestion {
        q.closed_at = Some(at(when));
        q.revealed_at = Some(at(when));
        q.scored_at = scored.then(|| at(when));
        q
    }

    const T: LiveTimings = LiveTimings {
        pause: Duration::seconds(5),
        grace: Duration::seconds(60),
        poll: std::time::Duration::from_secs(1),
    };

    #[test]
    fn a_round_posts_waits_reveals_scores_pauses_and_finishes() {
        let r = round("2026-03-02T10:00:00Z");
        let fresh = [question(11, 0), question(12, 1)];
        assert_eq!(
            next_step(&r, &fresh, at("2026-03-02T10:00:00Z"), T),
            Step::Post(11)
        );
        let first = posted(
            question(11, 0),
            "2026-03-02T10:00:01Z",
            "2026-03-02T10:00:21Z",
        );
        let qs = [first.clone(), question(12, 1)];
        assert_eq!(
            next_step(&r, &qs, at("2026-03-02T10:00:10Z"), T),
            Step::Wait(at("2026-03-02T10:00:21Z"))
        );
        assert_eq!(
            next_step(&r, &qs, at("2026-03-02T10:00:21Z"), T),
            Step::Reveal {
                question: 11,
                late: false
            }
        );
        let qs = [
            revealed(first.clone(), "2026-03-02T10:00:21Z", false),
            question(12, 1),
        ];
        assert_eq!(
            next_step(&r, &qs, at("2026-03-02T10:00:21Z"), T),
            Step::Score(11)
        );
        let qs = [
            revealed(first, "2026-03-02T10:00:21Z", true),
            question(12, 1),
        ];
        assert_eq!(
            next_step(&r, &qs, at("2026-03-02T10:00:22Z"), T),
            Step::Wait(at("2026-03-02T10:00:26Z")),
            "a pause after the reveal"
        );
        assert_eq!(
            next_step(&r, &qs, at("2026-03-02T10:00:26Z"), T),
            Step::Post(12)
        );
        let done = [
            qs[0].clone(),
            revealed(
                posted(
                    question(12, 1),
                    "2026-03-02T10:00:26Z",
                    "2026-03-02T10:00:46Z",
                ),
                "2026-03-02T10:00:46Z",
                true,
            ),
        ];
        assert_eq!(
            next_step(&r, &done, at("2026-03-02T10:00:47Z"), T),
            Step::Finish(Ending::Finished)
        );
        let mut ended = r.clone();
        ended.ended_at = Some(at("2026-03-02T10:00:47Z"));
        assert_eq!(
            next_step(&ended, &done, at("2026-03-02T10:00:48Z"), T),
            Step::Done
        );
    }

    #[test]
    fn a_round_left_past_its_grace_is_revealed_and_ended_not_carried_on() {
        let r = round("2026-03-02T10:00:00Z");
        let out = posted(
            question(11, 0),
            "2026-03-02T10:00:01Z",
            "2026-03-02T10:00:21Z",
        );
        // Back within the grace: the round goes on.
        assert_eq!(
            next_step(
                &r,
                &[out.clone(), question(12, 1)],
                at("2026-03-02T10:01:20Z"),
                T
            ),
            Step::Reveal {
                question: 11,
                late: false
            }
        );
        // Back after it: the open question is still closed and shown...
        assert_eq!(
            next_step(
                &r,
                &[out.clone(), question(12, 1)],
                at("2026-03-02T10:01:21Z"),
                T
            ),
            Step::Reveal {
                question: 11,
                late: true
            }
        );
        // ...and a question never posted is not posted late.
        let between = [revealed(out, "2026-03-02T10:00:21Z", true), question(12, 1)];
        assert_eq!(
            next_step(&r, &between, at("2026-03-02T10:01:26Z"), T),
            Step::Finish(Ending::Interrupted)
        );
        let mut interrupted = r.clone();
        interrupted.ending = Some(Ending::Interrupted);
        assert_eq!(
            next_step(&interrupted, &between, at("2026-03-02T10:00:30Z"), T),
            Step::Finish(Ending::Interrupted)
        );
    }

    #[test]
    fn a_stop_closes_the_open_question_then_ends() {
        let mut r = round("2026-03-02T10:00:00Z");
        r.ending = Some(Ending::Stopped);
        let out = posted(
            question(11, 0),
            "2026-03-02T10:00:01Z",
            "2026-03-02T10:00:21Z",
        );
        assert_eq!(
            next_step(
                &r,
                &[out.clone(), question(12, 1)],
                at("2026-03-02T10:00:05Z"),
                T
            ),
            Step::Reveal {
                question: 11,
                late: false
            }
        );
        let after = [revealed(out, "2026-03-02T10:00:05Z", true), question(12, 1)];
        assert_eq!(
            next_step(&r, &after, at("2026-03-02T10:00:06Z"), T),
            Step::Finish(Ending::Stopped)
        );
    }

    #[test]
    fn the_speed_bonus_shrinks_from_five_to_nothing() {
        let (posted, deadline) = (at("2026-03-02T10:00:00Z"), at("2026-03-02T10:00:20Z"));
        assert_eq!(speed_bonus(posted, deadline, posted), 5);
        assert_eq!(speed_bonus(posted, deadline, at("2026-03-02T10:00:10Z")), 3);
        assert_eq!(speed_bonus(posted, deadline, at("2026-03-02T10:00:19Z")), 0);
        assert_eq!(speed_bonus(posted, deadline, deadline), 0);
        assert_eq!(
            speed_bonus(posted, deadline, at("2026-03-02T09:59:00Z")),
            5,
            "clamped"
        );
        assert_eq!(speed_bonus(deadline, posted, posted), 0, "no window");
    }

    fn answer(player: i64, name: &str, choices: &[usize], correct: bool, when: &str) -> LiveAnswer {
        LiveAnswer {
            player_id: player,
            name: name.into(),
            choices: choices.to_vec(),
            correct,
            answered_at: at(when),
            changes: 0,
        }
    }

    #[test]
    fn the_tally_counts_choices_and_names_the_fastest_right_first() {
        let answers = [
            answer(1, "Cy", &[1], true, "2026-03-02T10:00:09Z"),
            answer(2, "Ann", &[1], true, "2026-03-02T10:00:03Z"),
            answer(3, "Bo", &[2], false, "2026-03-02T10:00:01Z"),
        ];
        let tally = tally(4, &answers);
        assert_eq!(tally.per_choice, [0, 2, 1, 0]);
        assert_eq!((tally.answered, tally.correct), (3, 2));
        assert_eq!(tally.right, ["Ann", "Cy"]);
    }

    #[test]
    fn the_scoreboard_ranks_points_and_names_the_most_missed() {
        let q0 = posted(
            question(11, 0),
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:00:20Z",
        );
        let q1 = posted(
            question(12, 1),
            "2026-03-02T10:00:30Z",
            "2026-03-02T10:00:50Z",
        );
        let answered = vec![
            (
                q0,
                vec![
                    answer(1, "Ann", &[1], true, "2026-03-02T10:00:00Z"),
                    answer(2, "Bo", &[1], true, "2026-03-02T10:00:20Z"),
                    answer(3, "Cy", &[0], false, "2026-03-02T10:00:02Z"),
                ],
            ),
            (
                q1,
                vec![
                    answer(1, "Ann", &[3], false, "2026-03-02T10:00:31Z"),
                    answer(2, "Bo", &[2], true, "2026-03-02T10:00:40Z"),
                    answer(3, "Cy", &[3], false, "2026-03-02T10:00:32Z"),
                ],
            ),
        ];
        let board = scoreboard(&answered);
        let rows: Vec<(usize, &str, i64, usize)> = board
            .iter()
            .map(|r| {
                (
                    r.rank,
                    r.entry.name.as_str(),
                    r.entry.points,
                    r.entry.correct,
                )
            })
            .collect();
        assert_eq!(rows, [(1, "Bo", 23, 2), (2, "Ann", 15, 1), (3, "Cy", 0, 0)]);
        let (missed, right, total) = most_missed(&answered).unwrap();
        assert_eq!((missed.position, right, total), (1, 1, 3));
        let all_right = vec![(
            answered[0].0.clone(),
            vec![answer(1, "Ann", &[1], true, "2026-03-02T10:00:00Z")],
        )];
        assert_eq!(most_missed(&all_right), None);
    }

    #[test]
    fn settings_default_and_bound() {
        assert_eq!(
            RoundSettings::new(None, None),
            Ok(RoundSettings {
                questions: 10,
                seconds: 20
            })
        );
        assert_eq!(
            RoundSettings::new(Some(30), Some(120)).map(|s| s.questions),
            Ok(30)
        );
        assert_eq!(
            RoundSettings::new(Some(31), None),
            Err(LiveRefusal::QuestionCount)
        );
        assert_eq!(
            RoundSettings::new(Some(0), None),
            Err(LiveRefusal::QuestionCount)
        );
        assert_eq!(RoundSettings::new(None, Some(9)), Err(LiveRefusal::Seconds));
        assert_eq!(
            Ending::parse(Ending::Interrupted.code()),
            Some(Ending::Interrupted)
        );
        assert_eq!(answer_key(7, 9), "live:7:9");
    }
}
