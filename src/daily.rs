//! The daily question's rules, free of I/O: when a schedule's post is due in
//! its time zone (daylight saving included), which question it asks, how
//! long a failing channel waits before the next try, and how the answers add
//! up at the reveal.
//!
//! [`crate::scheduler`] runs these rules against the store and a platform; the
//! store keeps [`Schedule`]s and [`DailyPost`]s.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rand::seq::IndexedRandom;

use crate::bank::{Bank, Question};
use crate::identity::{ExternalId, Platform};

/// The time zone of a schedule set without one.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Asia::Seoul;
/// How long after the post the answer is revealed, unless set.
pub const DEFAULT_REVEAL_AFTER: Duration = Duration::hours(8);
/// The longest reveal delay: one post is revealed before the next is due.
pub const MAX_REVEAL_AFTER: Duration = Duration::hours(24);

/// A channel's daily question, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub id: i64,
    pub platform: Platform,
    pub community: ExternalId,
    pub channel: String,
    /// Local time of day of the post.
    pub time: NaiveTime,
    pub time_zone: Tz,
    /// Topic ids to ask from; empty for every topic.
    pub topics: Vec<String>,
    pub reveal_after: Duration,
    pub enabled: bool,
    /// Set while the channel refuses the bot's messages.
    pub failure: Option<DeliveryFailure>,
}

/// A schedule to create or replace (one per channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchedule {
    pub platform: Platform,
    pub community: ExternalId,
    pub channel: String,
    pub time: NaiveTime,
    pub time_zone: Tz,
    pub topics: Vec<String>,
    pub reveal_after: Duration,
}

/// Why a channel's posts are on hold, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    /// Failures in a row.
    pub count: u32,
    pub error: String,
    pub retry_at: DateTime<Utc>,
}

/// One schedule's question of one local date. The row is claimed before
/// anything is sent; `message_id` is set once the post is out, and
/// `revealed_at` once the answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyPost {
    pub id: i64,
    pub schedule_id: i64,
    pub local_date: NaiveDate,
    pub question_id: String,
    pub due_at: DateTime<Utc>,
    pub reveal_at: DateTime<Utc>,
    pub message_id: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub revealed_at: Option<DateTime<Utc>>,
}

impl DailyPost {
    /// Whether answers are still taken at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.revealed_at.is_none() && now < self.reveal_at
    }
}

/// What a replica leases a post for: each stage can be leased only while
/// it is still to do, so a replica acting on an old read cannot redo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Sending the post (it has no message yet).
    Post,
    /// Revealing the answer (sent, not revealed).
    Reveal,
}

/// A post the store holds for a schedule: the question to post, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub reveal_at: DateTime<Utc>,
}

impl Schedule {
    /// The latest occurrence due at or before `now`.
    pub fn occurrence(&self, now: DateTime<Utc>) -> Occurrence {
        let today = now.with_timezone(&self.time_zone).date_naive();
        let date = if due_at(today, self.time, self.time_zone) <= now {
            today
        } else {
            today.pred_opt().unwrap_or(today)
        };
        self.occurrence_on(date)
    }

    pub fn occurrence_on(&self, date: NaiveDate) -> Occurrence {
        let due = due_at(date, self.time, self.time_zone);
        Occurrence {
            date,
            due_at: due,
            reveal_at: due + self.reveal_after,
        }
    }

    /// When the next post is due after `now`.
    pub fn next_due(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let latest = self.occurrence(now).date;
        let next = latest.succ_opt().unwrap_or(latest);
        due_at(next, self.time, self.time_zone)
    }

    /// Whether the channel is on hold at `now` after failures.
    pub fn is_on_hold(&self, now: DateTime<Utc>) -> bool {
        self.failure.as_ref().is_some_and(|f| now < f.retry_at)
    }
}

/// The instant `time` falls on `date` in `zone`. A local time that occurs
/// twice (clocks turned back) is its first occurrence; one that does not
/// occur (clocks turned forward) moves forward by the gap, so 02:30 on a
/// night that skips 02:00–03:00 is 03:30.
pub fn due_at(date: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => {
            // The offset in force before the gap, a day earlier.
            let before = zone
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix();
            Utc.from_utc_datetime(&(local - Duration::seconds(before.local_minus_utc().into())))
        }
    }
}

/// How long a channel waits after `failures` failures in a row: one minute,
/// doubling, at most six hours.
pub fn retry_delay(failures: u32) -> Duration {
    let minutes = 1_i64 << failures.saturating_sub(1).min(9);
    Duration::minutes(minutes).min(Duration::hours(6))
}

/// The question of the day: one the channel has not had yet, at random; once
/// every question of its topics has been asked, the one asked longest ago.
pub fn pick_question<'q, R: rand::Rng + ?Sized>(
    candidates: impl IntoIterator<Item = &'q Question>,
    asked: &HashMap<String, NaiveDate>,
    rng: &mut R,
) -> Option<&'q Question> {
    let candidates: Vec<&Question> = candidates.into_iter().collect();
    let fresh: Vec<&Question> = candidates
        .iter()
        .copied()
        .filter(|q| !asked.contains_key(&q.id))
        .collect();
    if let Some(&question) = fresh.choose(rng) {
        return Some(question);
    }
    let oldest = candidates.iter().filter_map(|q| asked.get(&q.id)).min()?;
    let stale: Vec<&Question> = candidates
        .into_iter()
        .filter(|q| asked.get(&q.id) == Some(oldest))
        .collect();
    stale.choose(rng).copied()
}

/// One answer to a daily post, as the reveal counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyAnswer {
    pub choices: Vec<usize>,
    pub correct: bool,
}

/// How the channel answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub answered: usize,
    pub correct: usize,
    /// How many picked each choice (a "choose two" answer counts twice).
    pub per_choice: Vec<usize>,
}

pub fn tally(choices: usize, answers: &[DailyAnswer]) -> Tally {
    let mut per_choice = vec![0; choices];
    for answer in answers {
        for &choice in &answer.choices {
            if let Some(count) = per_choice.get_mut(choice) {
                *count += 1;
            }
        }
    }
    Tally {
        answered: answers.len(),
        correct: answers.iter().filter(|a| a.correct).count(),
        per_choice,
    }
}

/// Why a schedule's settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{0}` is not a time of day: use HH:MM, as in 09:00 or 21:30")]
    Time(String),
    #[error("`{0}` is not an IANA time zone (such as Asia/Seoul or Europe/Berlin)")]
    TimeZone(String),
    #[error("`{0}` is not a delay: use minutes and hours, as in 8h, 90m or 1h30m")]
    Delay(String),
    #[error("the reveal must come between 1 minute and 24 hours after the post, not `{0}`")]
    DelayRange(String),
    #[error("unknown topic `{unknown}`; topics: {known}")]
    Topic { unknown: String, known: String },
}

pub fn parse_time(text: &str) -> Result<NaiveTime, ScheduleError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| ScheduleError::Time(text.to_string()))
}

pub fn parse_time_zone(text: &str) -> Result<Tz, ScheduleError> {
    text.trim()
        .parse()
        .map_err(|_| ScheduleError::TimeZone(text.to_string()))
}

/// A reveal delay such as `8h`, `90m` or `1h 30m`, in whole minutes.
pub fn parse_reveal_after(text: &str) -> Result<Duration, ScheduleError> {
    let parsed = humantime::parse_duration(text.trim())
        .map_err(|_| ScheduleError::Delay(text.to_string()))?;
    let delay = Duration::minutes((parsed.as_secs() / 60) as i64);
    if delay < Duration::minutes(1) || delay > MAX_REVEAL_AFTER {
        return Err(ScheduleError::DelayRange(text.to_string()));
    }
    Ok(delay)
}

/// Topic ids from `ec2, s3` (or names), checked against `known` (id, name).
pub fn parse_topics<'k>(
    text: &str,
    known: impl IntoIterator<Item = (&'k str, &'k str)> + Clone,
) -> Result<Vec<String>, ScheduleError> {
    let mut topics: Vec<String> = Vec::new();
    for typed in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let found = known
            .clone()
            .into_iter()
            .find(|(id, name)| id.eq_ignore_ascii_case(typed) || name.eq_ignore_ascii_case(typed));
        match found {
            Some((id, _)) if !topics.iter().any(|t| t == id) => topics.push(id.to_string()),
            Some(_) => {}
            None => {
                return Err(ScheduleError::Topic {
                    unknown: typed.to_string(),
                    known: known
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    Ok(topics)
}

/// A schedule's settings as an admin typed them.
#[derive(Debug, Clone, Copy, Default)]
pub struct DailySettings<'a> {
    pub time: &'a str,
    pub time_zone: Option<&'a str>,
    pub topics: Option<&'a str>,
    pub reveal_after: Option<&'a str>,
}

impl DailySettings<'_> {
    /// The schedule these settings describe, checked against the bank's
    /// topics; unset settings take their defaults, the zone `default_zone`
    /// (the community's).
    pub fn schedule(
        &self,
        platform: Platform,
        community: ExternalId,
        channel: String,
        bank: &Bank,
        default_zone: Tz,
    ) -> Result<NewSchedule, ScheduleError> {
        let known = bank.topics.iter().map(|t| (t.id.as_str(), t.name.as_str()));
        Ok(NewSchedule {
            platform,
            community,
            channel,
            time: parse_time(self.time)?,
            time_zone: self.time_zone.map_or(Ok(default_zone), parse_time_zone)?,
            topics: parse_topics(self.topics.unwrap_or(""), known)?,
            reveal_after: self
                .reveal_after
                .map_or(Ok(DEFAULT_REVEAL_AFTER), parse_reveal_after)?,
        })
    }
}

/// A delay as `8h`, `1h30m` or `45m`.
pub fn format_delay(delay: Duration) -> String {
    let (hours, minutes) = (delay.num_minutes() / 60, delay.num_minutes() % 60);
    match (hours, minutes) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Difficulty, Question};
    use crate::quiz::at;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn schedule(time: &str, zone: Tz) -> Schedule {
        Schedule {
            id: 1,
            platform: Platform::Discord,
            community: ExternalId::new("g"),
            channel: "c".into(),
            time: parse_time(time).unwrap(),
            time_zone: zone,
            topics: Vec::new(),
            reveal_after: DEFAULT_REVEAL_AFTER,
            enabled: true,
            failure: None,
        }
    }

    #[test]
    fn the_occurrence_is_the_latest_local_time_passed() {
        let seoul = schedule("09:00", DEFAULT_TIME_ZONE);
        // 08:59 in Seoul: still yesterday's post.
        let before = seoul.occurrence(at("2026-03-02T23:59:00Z"));
        assert_eq!(before.date, day("2026-03-02"));
        assert_eq!(before.due_at, at("2026-03-02T00:00:00Z"));
        assert_eq!(before.reveal_at, at("2026-03-02T08:00:00Z"));
        // 09:00 in Seoul on the 3rd.
        let after = seoul.occurrence(at("2026-03-03T00:00:00Z"));
        assert_eq!(after.date, day("2026-03-03"));
        assert_eq!(after.due_at, at("2026-03-03T00:00:00Z"));
        assert_eq!(
            seoul.next_due(at("2026-03-03T00:00:00Z")),
            at("2026-03-04T00:00:00Z")
        );
    }

    #[test]
    fn a_skipped_local_time_moves_forward_and_a_repeated_one_is_the_first() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2026-03-29: clocks go from 02:00 to 03:00; 02:30 does not exist.
        assert_eq!(
            due_at(day("2026-03-29"), parse_time("02:30").unwrap(), berlin),
            at("2026-03-29T01:30:00Z") // 03:30 CEST
        );
        // 2026-10-25: clocks go from 03:00 back to 02:00; 02:30 happens twice.
        assert_eq!(
            due_at(day("2026-10-25"), parse_time("02:30").unwrap(), berlin),
            at("2026-10-25T00:30:00Z") // the first, 02:30 CEST
        );
        // The day after, the usual offset again.
        assert_eq!(
            due_at(day("2026-10-26"), parse_time("02:30").unwrap(), berlin),
            at("2026-10-26T01:30:00Z")
        );
    }

    #[test]
    fn retries_back_off_to_six_hours() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(5), Duration::minutes(16));
        assert_eq!(retry_delay(30), Duration::hours(6));
    }

    fn question(id: &str) -> Question {
        Question {
            id: id.into(),
            topic: "t".into(),
            prompt: "?".into(),
            choices: vec!["a".into(), "b".into()],
            correct: vec![0],
            explanation: "e".into(),
            sources: Vec::new(),
            difficulty: Difficulty::Easy,
            domain: None,
            retired: false,
            path: std::path::PathBuf::from("t.toml"),
            line: 1,
            id_position: crate::diagnostic::Position::START,
        }
    }

    #[test]
    fn no_question_repeats_until_all_were_asked() {
        let questions: Vec<Question> = ["a", "b", "c"].into_iter().map(question).collect();
        let mut asked = HashMap::new();
        let mut rng = StdRng::seed_from_u64(7);
        let mut days = day("2026-01-01").iter_days();
        for _ in 0..3 {
            let picked = pick_question(&questions, &asked, &mut rng).unwrap();
            assert!(!asked.contains_key(&picked.id));
            asked.insert(picked.id.clone(), days.next().unwrap());
        }
        // All asked: the oldest comes back first.
        let first = asked.iter().min_by_key(|(_, d)| **d).unwrap().0.clone();
        assert_eq!(
            pick_question(&questions, &asked, &mut rng).unwrap().id,
            first
        );
        assert!(pick_question(&[], &asked, &mut rng).is_none());
    }

    #[test]
    fn the_tally_counts_each_choice() {
        let answers = [
            DailyAnswer {
                choices: vec![0],
                correct: true,
            },
            DailyAnswer {
                choices: vec![0, 2],
                correct: false,
            },
            DailyAnswer {
                choices: vec![3],
                correct: false,
            },
        ];
        assert_eq!(
            tally(4, &answers),
            Tally {
                answered: 3,
                correct: 1,
                per_choice: vec![2, 0, 1, 1],
            }
        );
    }

    #[test]
    fn settings_parse_or_say_what_is_wrong() {
        assert_eq!(
            parse_time("9:05").unwrap(),
            NaiveTime::from_hms_opt(9, 5, 0).unwrap()
        );
        assert!(matches!(parse_time("25:00"), Err(ScheduleError::Time(_))));
        assert_eq!(parse_time_zone("Asia/Seoul").unwrap(), DEFAULT_TIME_ZONE);
        assert!(parse_time_zone("Seoul").is_err());
        assert_eq!(parse_reveal_after("8h").unwrap(), Duration::hours(8));
        assert_eq!(parse_reveal_after("1h 30m").unwrap(), Duration::minutes(90));
        assert!(matches!(
            parse_reveal_after("30s"),
            Err(ScheduleError::DelayRange(_))
        ));
        assert!(matches!(
            parse_reveal_after("2d"),
            Err(ScheduleError::DelayRange(_))
        ));
        assert!(matches!(
            parse_reveal_after("soon"),
            Err(ScheduleError::Delay(_))
        ));
        let known = [("ec2", "EC2"), ("s3", "Amazon S3")];
        assert_eq!(
            parse_topics(" EC2, amazon s3,ec2 ", known).unwrap(),
            vec!["ec2".to_string(), "s3".to_string()]
        );
        assert!(parse_topics("", known).unwrap().is_empty());
        let err = parse_topics("ec2,lambda", known).unwrap_err();
        assert_eq!(err.to_string(), "unknown topic `lambda`; topics: ec2, s3");
        assert_eq!(format_delay(Duration::minutes(90)), "1h30m");
        assert_eq!(format_delay(Duration::hours(8)), "8h");
    }
}
