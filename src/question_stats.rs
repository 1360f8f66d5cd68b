//! How each question fares with a group, for the people who write the
//! banks: how often it was answered and answered right, how often each
//! choice was picked, how long answers took, its open reports, and the
//! distractors nobody falls for. No I/O: the store lists the answers.

use std::collections::HashMap;

use serde::Serialize;

use crate::bank::{Bank, Question};

/// One stored answer, as the figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub question_id: String,
    pub choices: Vec<usize>,
    pub correct: bool,
    pub elapsed_ms: Option<i64>,
}

/// Fewest answers before a distractor nobody picked is flagged: with a
/// handful of answers every wrong choice may simply not have come up.
pub const UNPICKED_MIN_ANSWERS: i64 = 5;

/// Share right from which a question counts as one nearly everyone gets.
pub const NEARLY_ALL_RIGHT: f64 = 0.9;

/// The questions nearly everyone gets right (at least
/// [`NEARLY_ALL_RIGHT`] of their answers): candidates for a harder rewrite.
pub fn nearly_all_right(stats: &[QuestionStats]) -> Vec<&QuestionStats> {
    stats
        .iter()
        .filter(|s| s.answered > 0 && s.correct_share >= NEARLY_ALL_RIGHT)
        .collect()
}

/// One question's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionStats {
    pub id: String,
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
    /// Share right, 0 to 1.
    pub correct_share: f64,
    /// How many answers picked each choice, in the bank's order.
    pub picks: Vec<i64>,
    /// The median time to answer, over answers that were timed.
    pub median_ms: Option<i64>,
    pub open_reports: i64,
    /// Wrong choices (0-based) nobody picked, once the question has
    /// [`UNPICKED_MIN_ANSWERS`] answers.
    pub unpicked_distractors: Vec<usize>,
}

/// The figures of every question of `bank` (of `topic` when set) that was
/// answered or reported, the most missed first (lowest share right, then
/// most answered). `open_reports` counts open reports per question id.
pub fn compute(
    bank: &Bank,
    topic: Option<&str>,
    answers: &[AnswerRow],
    open_reports: &HashMap<String, i64>,
) -> Vec<QuestionStats> {
    let mut by_question: HashMap<&str, Vec<&AnswerRow>> = HashMap::new();
    for answer in answers {
        by_question
            .entry(answer.question_id.as_str())
            .or_default()
            .push(answer);
    }
    let mut stats: Vec<QuestionStats> = bank
        .questions_in(topic)
        .filter(|q| by_question.contains_key(q.id.as_str()) || open_reports.contains_key(&q.id))
        .map(|q| {
            let rows = by_question
                .get(q.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            question_stats(q, rows, open_reports.get(&q.id).copied().unwrap_or(0))
        })
        .collect();
    stats.sort_by(|a, b| {
        a.correct_share
            .total_cmp(&b.correct_share)
            .then(b.answered.cmp(&a.answered))
            .then(a.id.cmp(&b.id))
    });
    stats
}

fn question_stats(question: &Question, rows: &[&AnswerRow], open_reports: i64) -> QuestionStats {
    let answered = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let correct = i64::try_from(rows.iter().filter(|r| r.correct).count()).unwrap_or(i64::MAX);
    let mut picks = vec![0_i64; question.choices.len()];
    for row in rows {
        for &choice in &row.choices {
            if let Some(count) = picks.get_mut(choice) {
                *count += 1;
            }
        }
    }
    let mut times: Vec<i64> = rows.iter().filter_map(|r| r.elapsed_ms).collect();
    times.sort_unstable();
    let median_ms = match times.len() {
        0 => None,
        n if n % 2 == 1 => Some(times[n / 2]),
        n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
    };
    let unpicked_distractors = if answered >= UNPICKED_MIN_ANSWERS {
        (0..question.choices.len())
            .filter(|i| !question.correct.contains(i) && picks[*i] == 0)
            .collect()
    } else {
        Vec::new()
    };
    QuestionStats {
        id: question.id.clone(),
        topic: question.topic.clone(),
        answered,
        correct,
        correct_share: if answered == 0 {
            0.0
        } else {
            correct as f64 / answered as f64
        },
        picks,
        median_ms,
        open_reports,
        unpicked_distractors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn bank() -> Bank {
        let text = "[topic]\nid = \"ec2\"\nname = \"EC2\"\n\n\
                    [[question]]\nid = \"ec2-1\"\nprompt = \"?\"\nchoices = [\"a\", \"b\", \"c\", \"d\"]\n\
                    answer = 1\nexplanation = \"e\"\n\n\
                    [[question]]\nid = \"ec2-2\"\nprompt = \"?\"\nchoices = [\"a\", \"b\", \"c\"]\n\
                    answer = 0\nexplanation = \"e\"\n\n\
                    [[question]]\nid = \"ec2-3\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\n\
                    answer = 0\nexplanation = \"e\"\n";
        let (bank, diagnostics) = Bank::parse_files([(Path::new("ec2.toml"), text)]);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        bank
    }

    fn row(id: &str, choice: usize, correct: bool, ms: Option<i64>) -> AnswerRow {
        AnswerRow {
            question_id: id.into(),
            choices: vec![choice],
            correct,
            elapsed_ms: ms,
        }
    }

    #[test]
    fn figures_per_question_most_missed_first() {
        let bank = bank();
        let mut answers = vec![
            row("ec2-1", 1, true, Some(4_000)),
            row("ec2-1", 0, false, Some(9_000)),
            row("ec2-1", 0, false, None),
            row("ec2-1", 2, false, Some(6_000)),
            row("ec2-1", 1, true, Some(5_000)),
        ];
        answers.extend((0..6).map(|_| row("ec2-2", 0, true, Some(2_000))));
        let reports = HashMap::from([("ec2-1".to_string(), 2), ("ec2-3".to_string(), 1)]);
        let stats = compute(&bank, None, &answers, &reports);
        let ids: Vec<&str> = stats.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ec2-3", "ec2-1", "ec2-2"],
            "unanswered but reported first"
        );
        let first = &stats[1];
        assert_eq!((first.answered, first.correct), (5, 2));
        assert_eq!(first.picks, [2, 2, 1, 0]);
        assert_eq!(first.median_ms, Some(5_500));
        assert_eq!(first.open_reports, 2);
        assert_eq!(first.unpicked_distractors, [3]);
        let easy = &stats[2];
        assert_eq!(easy.correct_share, 1.0);
        assert_eq!(easy.unpicked_distractors, [1, 2]);
    }

    #[test]
    fn too_few_answers_flag_no_distractor() {
        let bank = bank();
        let answers = vec![row("ec2-2", 0, true, None)];
        let stats = compute(&bank, Some("ec2"), &answers, &HashMap::new());
        assert!(stats[0].unpicked_distractors.is_empty());
        assert_eq!(stats[0].median_ms, None);
    }
}
