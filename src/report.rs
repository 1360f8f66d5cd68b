//! Reports of a bad question: why a member flags one, and how the reports
//! of a community add up per question for its admins. No I/O.

use std::fmt;

use chrono::{DateTime, Utc};

/// Why a member reports a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportReason {
    /// The answer key is wrong.
    WrongAnswer,
    /// The explanation (or the notes excerpt) is wrong.
    WrongExplanation,
    /// The question can be read more than one way.
    Ambiguous,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [
        ReportReason::WrongAnswer,
        ReportReason::WrongExplanation,
        ReportReason::Ambiguous,
        ReportReason::Other,
    ];

    /// As stored, and in component ids.
    pub fn code(self) -> &'static str {
        match self {
            ReportReason::WrongAnswer => "answer",
            ReportReason::WrongExplanation => "explanation",
            ReportReason::Ambiguous => "ambiguous",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// 1 to 4, as a menu numbers them (the terminal).
    pub fn from_number(number: usize) -> Option<ReportReason> {
        number
            .checked_sub(1)
            .and_then(|i| ReportReason::ALL.get(i).copied())
    }
}

impl fmt::Display for ReportReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Longest report text kept, in characters.
pub const DETAILS_MAX: usize = 1000;

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub community_id: i64,
    pub question_id: String,
    pub reporter: String,
    pub reason: ReportReason,
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

/// The reports of one question, for the admins' list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedQuestion<'a> {
    pub question_id: &'a str,
    pub reports: Vec<&'a Report>,
    /// How many give each reason, in [`ReportReason::ALL`] order, leaving
    /// out reasons nobody gave.
    pub reasons: Vec<(ReportReason, usize)>,
    pub open: usize,
}

/// Reports grouped by question, the most reported first (then the
/// question with the oldest open report).
pub fn by_question(reports: &[Report]) -> Vec<ReportedQuestion<'_>> {
    let mut groups: Vec<ReportedQuestion<'_>> = Vec::new();
    for report in reports {
        match groups
            .iter_mut()
            .find(|g| g.question_id == report.question_id)
        {
            Some(group) => group.reports.push(report),
            None => groups.push(ReportedQuestion {
                question_id: &report.question_id,
                reports: vec![report],
                reasons: Vec::new(),
                open: 0,
            }),
        }
    }
    for group in &mut groups {
        group.reports.sort_by_key(|r| (r.created_at, r.id));
        group.open = group
            .reports
            .iter()
            .filter(|r| r.resolved_at.is_none())
            .count();
        group.reasons = ReportReason::ALL
            .iter()
            .map(|&reason| {
                let count = group.reports.iter().filter(|r| r.reason == reason).count();
                (reason, count)
            })
            .filter(|(_, count)| *count > 0)
            .collect();
    }
    groups.sort_by(|a, b| {
        b.reports
            .len()
            .cmp(&a.reports.len())
            .then(a.reports[0].created_at.cmp(&b.reports[0].created_at))
            .then(a.question_id.cmp(b.question_id))
    });
    groups
}

/// A report's text as kept: storable ([`crate::identity::storable`]),
/// trimmed, cut to [`DETAILS_MAX`] characters.
pub fn clean_details(text: &str) -> String {
    crate::identity::storable(text)
        .trim()
        .chars()
        .take(DETAILS_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn report(id: i64, question: &str, reason: ReportReason, open: bool) -> Report {
        let at =
            Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(id);
        Report {
            id,
            community_id: 1,
            question_id: question.into(),
            reporter: format!("member {id}"),
            reason,
            details: String::new(),
            created_at: at,
            resolved_at: (!open).then_some(at),
            resolution: None,
        }
    }

    #[test]
    fn reasons_round_trip_and_number_from_one() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.code()), Some(reason));
        }
        assert_eq!(
            ReportReason::from_number(1),
            Some(ReportReason::WrongAnswer)
        );
        assert_eq!(ReportReason::from_number(4), Some(ReportReason::Other));
        assert_eq!(ReportReason::from_number(0), None);
        assert_eq!(ReportReason::from_number(5), None);
    }

    #[test]
    fn the_most_reported_question_comes_first_with_its_reasons() {
        let reports = [
            report(1, "ec2-a", ReportReason::Ambiguous, true),
            report(2, "s3-b", ReportReason::WrongAnswer, true),
            report(3, "s3-b", ReportReason::WrongAnswer, false),
            report(4, "s3-b", ReportReason::Other, true),
        ];
        let groups = by_question(&reports);
        assert_eq!(groups[0].question_id, "s3-b");
        assert_eq!(groups[0].open, 2);
        assert_eq!(
            groups[0].reasons,
            [(ReportReason::WrongAnswer, 2), (ReportReason::Other, 1)]
        );
        assert_eq!(groups[1].question_id, "ec2-a");
    }

    #[test]
    fn details_are_trimmed_and_bounded() {
        assert_eq!(clean_details("  오타가 있어요 \n"), "오타가 있어요");
        assert_eq!(
            clean_details(&"가".repeat(2000)).chars().count(),
            DETAILS_MAX
        );
    }
}
