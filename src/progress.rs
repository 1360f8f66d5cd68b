//! A member's progress, from their answers: accuracy per exam domain, their
//! weakest topics, the questions they miss most. No I/O: the store counts
//! the answers, this module reads them against the bank.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::bank::{Bank, Domain, Question};
use crate::quiz;
use crate::review::TopicRecord;

/// Answered and right, for one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRecord {
    pub question_id: String,
    pub answered: i64,
    pub correct: i64,
}

impl QuestionRecord {
    pub fn missed(&self) -> i64 {
        self.answered - self.correct
    }
}

/// Answered and right in one exam domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainRecord {
    pub domain: Domain,
    pub answered: i64,
    pub correct: i64,
}

/// Answers per exam domain, in [`Domain::ALL`] order, leaving out domains
/// never answered. A question takes its own domain (or its topic's, as the
/// bank resolved it); questions the bank no longer has, or without a
/// domain, are left out.
pub fn by_domain(bank: &Bank, questions: &[QuestionRecord]) -> Vec<DomainRecord> {
    let mut totals: HashMap<Domain, (i64, i64)> = HashMap::new();
    for record in questions {
        let Some(domain) = bank.question(&record.question_id).and_then(|q| q.domain) else {
            continue;
        };
        let total = totals.entry(domain).or_default();
        total.0 += record.answered;
        total.1 += record.correct;
    }
    Domain::ALL
        .iter()
        .filter_map(|&domain| {
            totals
                .get(&domain)
                .map(|&(answered, correct)| DomainRecord {
                    domain,
                    answered,
                    correct,
                })
        })
        .collect()
}

/// Share right, 0 to 1.
pub fn share(correct: i64, answered: i64) -> f64 {
    if answered <= 0 {
        0.0
    } else {
        correct as f64 / answered as f64
    }
}

/// Fewest answers in a topic before it can be called weak: one miss in
/// two answers says little.
pub const WEAK_TOPIC_MIN_ANSWERS: i64 = 3;

/// Up to `limit` topics the member is weakest in: those still in the bank,
/// with at least [`WEAK_TOPIC_MIN_ANSWERS`] answers and a miss among
/// them, lowest share right first (ties: more answered first).
pub fn weakest_topics<'a>(
    bank: &Bank,
    topics: &'a [TopicRecord],
    limit: usize,
) -> Vec<&'a TopicRecord> {
    let mut weak: Vec<&TopicRecord> = topics
        .iter()
        .filter(|t| {
            t.answered >= WEAK_TOPIC_MIN_ANSWERS
                && t.correct < t.answered
                && bank.topic(&t.topic).is_some()
        })
        .collect();
    weak.sort_by(|a, b| {
        share(a.correct, a.answered)
            .total_cmp(&share(b.correct, b.answered))
            .then(b.answered.cmp(&a.answered))
            .then(a.topic.cmp(&b.topic))
    });
    weak.truncate(limit);
    weak
}

/// Up to `limit` questions of the bank the member missed most (at least
/// once), most misses first, then the lowest share right.
pub fn most_missed<'b, 'r>(
    bank: &'b Bank,
    questions: &'r [QuestionRecord],
    limit: usize,
) -> Vec<(&'b Question, &'r QuestionRecord)> {
    let mut missed: Vec<(&Question, &QuestionRecord)> = questions
        .iter()
        .filter(|r| r.missed() > 0)
        .filter_map(|r| bank.question(&r.question_id).map(|q| (q, r)))
        .collect();
    missed.sort_by(|(_, a), (_, b)| {
        b.missed()
            .cmp(&a.missed())
            .then(share(a.correct, a.answered).total_cmp(&share(b.correct, b.answered)))
            .then(a.question_id.cmp(&b.question_id))
    });
    missed.truncate(limit);
    missed
}

/// Days of activity a record shows.
pub const ACTIVITY_DAYS: usize = 30;

/// Answers per local day over the `days` days ending `today`, oldest
/// first; answers outside them are left out.
pub fn daily_activity(
    answered_at: &[DateTime<Utc>],
    today: NaiveDate,
    zone: Tz,
    days: usize,
) -> Vec<i64> {
    let mut counts = vec![0_i64; days];
    for at in answered_at {
        let back = (today - quiz::local_day(*at, zone)).num_days();
        if let Some(slot) = usize::try_from(back)
            .ok()
            .filter(|back| *back < days)
            .map(|back| days - 1 - back)
        {
            counts[slot] += 1;
        }
    }
    counts
}

/// Counts as a bar per day, `·` for a day without answers: a chart that
/// reads the same in a terminal, Discord and Slack.
pub fn sparkline(counts: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|&n| {
            if n <= 0 {
                '·'
            } else {
                // 1..=most onto 0..=7, the busiest day full.
                let level = usize::try_from((n * 7 + most - 1) / most).unwrap_or(7);
                BARS[level.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn bank() -> Bank {
        let ec2 = "[topic]\nid = \"ec2\"\nname = \"EC2\"\ndomain = \"technology\"\n\n\
                   [[question]]\nid = \"ec2-1\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\n\
                   answer = 0\nexplanation = \"e\"\n\n\
                   [[question]]\nid = \"ec2-2\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\n\
                   answer = 0\nexplanation = \"e\"\ndomain = \"billing\"\n";
        let iam = "[topic]\nid = \"iam\"\nname = \"IAM\"\ndomain = \"security\"\n\n\
                   [[question]]\nid = \"iam-1\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\n\
                   answer = 0\nexplanation = \"e\"\n";
        let (bank, diagnostics) =
            Bank::parse_files([(Path::new("ec2.toml"), ec2), (Path::new("iam.toml"), iam)]);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        bank
    }

    fn record(id: &str, answered: i64, correct: i64) -> QuestionRecord {
        QuestionRecord {
            question_id: id.into(),
            answered,
            correct,
        }
    }

    fn topic(id: &str, answered: i64, correct: i64) -> TopicRecord {
        TopicRecord {
            topic: id.into(),
            answered,
            correct,
        }
    }

    #[test]
    fn a_question_counts_in_its_own_domain_or_its_topics() {
        let bank = bank();
        let records = [
            record("ec2-1", 4, 3),
            record("ec2-2", 2, 0),
            record("iam-1", 5, 5),
            record("gone", 9, 9),
        ];
        let domains: Vec<(Domain, i64, i64)> = by_domain(&bank, &records)
            .iter()
            .map(|d| (d.domain, d.answered, d.correct))
            .collect();
        assert_eq!(
            domains,
            [
                (Domain::Security, 5, 5),
                (Domain::Technology, 4, 3),
                (Domain::Billing, 2, 0)
            ]
        );
    }

    #[test]
    fn weak_topics_need_answers_and_misses() {
        let bank = bank();
        let topics = [
            topic("ec2", 10, 6),
            topic("iam", 2, 0),
            topic("gone", 10, 1),
        ];
        let weak: Vec<&str> = weakest_topics(&bank, &topics, 3)
            .iter()
            .map(|t| t.topic.as_str())
            .collect();
        assert_eq!(weak, ["ec2"], "iam has too few answers, gone left the bank");
        let perfect = [topic("ec2", 10, 10)];
        assert!(weakest_topics(&bank, &perfect, 3).is_empty());
    }

    #[test]
    fn activity_counts_local_days_oldest_first() {
        use chrono::TimeZone;
        let zone = chrono_tz::Asia::Seoul;
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        // 16:00 UTC on the 1st is 01:00 on the 2nd in Seoul.
        let times = [at(1, 16), at(1, 3), at(1, 4), at(2, 0), at(1, 14)];
        let counts = daily_activity(&times, today, zone, 3);
        assert_eq!(counts, [0, 3, 2]);
        assert_eq!(sparkline(&counts), "·█▆");
        assert_eq!(sparkline(&[0, 0]), "··");
        assert_eq!(sparkline(&[1, 8]), "▂█");
    }

    #[test]
    fn the_most_missed_questions_come_first() {
        let bank = bank();
        let records = [
            record("ec2-1", 4, 3),
            record("ec2-2", 3, 1),
            record("iam-1", 5, 5),
        ];
        let missed: Vec<&str> = most_missed(&bank, &records, 3)
            .iter()
            .map(|(q, _)| q.id.as_str())
            .collect();
        assert_eq!(missed, ["ec2-2", "ec2-1"]);
    }
}
