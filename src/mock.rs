//! The mock exam's rules: how many questions of each exam domain an exam of
//! N questions asks (the CLF-C02 blueprint, 24/30/34/12 %), which questions
//! it draws, how long it lasts, and how a result is scored and scaled. No
//! I/O: the bank, the member's past mock questions and the clock are passed
//! in, and [`crate::service`] stores what these decide.
//!
//! The scaled score is piecewise linear on the share right: 0 % is 100,
//! [`PASS_SHARE`] (72 %) is the pass mark [`PASS_MARK`] (700), 100 % is
//! 1000. AWS scales CLF-C02 to 100–1000 with 700 to pass and does not
//! publish the raw cut; 72 % right is the usual estimate of it, and two
//! straight pieces keep the one point that matters — the pass mark — exact.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;

use crate::bank::{Bank, Domain, Question};

/// Questions in the real exam, and in a mock unless the member says.
pub const EXAM_QUESTIONS: usize = 65;
/// Minutes of the real exam.
pub const EXAM_MINUTES: i64 = 90;
/// Fewest questions a mock asks: one per domain.
pub const MIN_QUESTIONS: usize = 4;
/// Most questions a mock asks: the real exam's.
pub const MAX_QUESTIONS: usize = EXAM_QUESTIONS;
/// Longest time limit a member may set (the exam's, doubled).
pub const MAX_MINUTES: i64 = 2 * EXAM_MINUTES;
/// Lowest and highest scaled scores.
pub const SCORE_MIN: u32 = 100;
pub const SCORE_MAX: u32 = 1000;
/// The scaled score that passes.
pub const PASS_MARK: u32 = 700;
/// The share right that scales to [`PASS_MARK`].
pub const PASS_SHARE: f64 = 0.72;

/// How many of `total` questions each domain gets: its share of the exam,
/// rounded so that the counts add up to `total` (largest remainders first,
/// ties to the heavier domain). 65 gives 16/19/22/8.
pub fn blueprint(total: usize) -> [(Domain, usize); 4] {
    let weights = Domain::ALL.map(|d| (d, u64::from(d.exam_percent())));
    let sum: u64 = weights.iter().map(|(_, w)| w).sum();
    let total_u = total as u64;
    let mut counts = weights.map(|(d, w)| (d, (total_u * w / sum) as usize));
    let assigned: usize = counts.iter().map(|(_, n)| n).sum();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Remainder in hundredths of a question, larger first.
    order.sort_by_key(|&i| {
        let (_, w) = weights[i];
        let remainder = total_u * w % sum;
        (std::cmp::Reverse(remainder), std::cmp::Reverse(w))
    });
    for &i in order.iter().take(total.saturating_sub(assigned)) {
        counts[i].1 += 1;
    }
    counts
}

/// Why no exam could be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("the bank has no question with an exam domain")]
    NoQuestions,
}

/// Draws an exam of `total` questions at the blueprint's weights
/// ([`blueprint`]), each at most once, in random order. Within a domain,
/// questions not in `seen_in_mocks` come first; "choose N" questions are
/// drawn at the domain's own share of them in the bank. A domain with too
/// few questions is topped up from the others, so the exam keeps its
/// length whenever the bank has that many questions with a domain.
pub fn draw<'a, R: rand::Rng + ?Sized>(
    bank: &'a Bank,
    seen_in_mocks: &HashSet<String>,
    total: usize,
    rng: &mut R,
) -> Result<Vec<&'a Question>, DrawError> {
    let mut picked: Vec<&Question> = Vec::with_capacity(total);
    let mut left_over: Vec<&Question> = Vec::new();
    for (domain, quota) in blueprint(total) {
        let pool: Vec<&Question> = bank
            .askable(None)
            .filter(|q| q.domain == Some(domain))
            .collect();
        let multi = pool.iter().filter(|q| q.is_multi()).count();
        // The domain's share of "choose N", rounded to whole questions.
        let multi_quota = if pool.is_empty() {
            0
        } else {
            (quota * multi + pool.len() / 2) / pool.len()
        };
        let (multis, singles): (Vec<&Question>, Vec<&Question>) =
            pool.into_iter().partition(|q| q.is_multi());
        let mut multis = unseen_first(multis, seen_in_mocks, rng);
        let mut singles = unseen_first(singles, seen_in_mocks, rng);
        let take_multi = multi_quota.min(multis.len());
        let take_single = (quota - take_multi).min(singles.len());
        let mut chosen: Vec<&Question> = multis.drain(..take_multi).collect();
        chosen.extend(singles.drain(..take_single));
        // Short of singles: more "choose N" rather than a shorter exam.
        let short = quota - chosen.len();
        chosen.extend(multis.drain(..short.min(multis.len())));
        picked.extend(chosen);
        left_over.extend(singles);
        left_over.extend(multis);
    }
    if picked.len() < total {
        let mut rest = unseen_first(left_over, seen_in_mocks, rng);
        let missing = (total - picked.len()).min(rest.len());
        picked.extend(rest.drain(..missing));
    }
    if picked.is_empty() {
        return Err(DrawError::NoQuestions);
    }
    picked.shuffle(rng);
    Ok(picked)
}

/// `questions` shuffled, those never asked in a mock first.
fn unseen_first<'a, R: rand::Rng + ?Sized>(
    questions: Vec<&'a Question>,
    seen: &HashSet<String>,
    rng: &mut R,
) -> Vec<&'a Question> {
    let (mut fresh, mut seen_before): (Vec<&Question>, Vec<&Question>) =
        questions.into_iter().partition(|q| !seen.contains(&q.id));
    fresh.shuffle(rng);
    seen_before.shuffle(rng);
    fresh.extend(seen_before);
    fresh
}

/// The time a mock of `questions` questions gets unless the member sets
/// one: the exam's pace (90 minutes for 65), rounded up to whole minutes.
pub fn default_minutes(questions: usize) -> i64 {
    let questions = i64::try_from(questions).unwrap_or(i64::MAX / EXAM_MINUTES);
    let exam = i64::try_from(EXAM_QUESTIONS).unwrap_or(1);
    (questions * EXAM_MINUTES + exam - 1) / exam
}

/// When a mock started at `started_at` with `minutes` ends.
pub fn ends_at(started_at: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    started_at + Duration::minutes(minutes)
}

/// Whether a mock ending at `ends_at` is out of time at `now`: it is then
/// submitted as it stands, whoever looks at it first.
pub fn is_out_of_time(ends_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= ends_at
}

/// The scaled score of `right` out of `total` (see the module's docs).
pub fn scaled_score(right: u32, total: u32) -> u32 {
    if total == 0 {
        return SCORE_MIN;
    }
    scale_share(f64::from(right.min(total)) / f64::from(total))
}

/// The scaled score of a share right, 0 to 1.
pub fn scale_share(share: f64) -> u32 {
    let share = if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    };
    let (min, pass, max) = (
        f64::from(SCORE_MIN),
        f64::from(PASS_MARK),
        f64::from(SCORE_MAX),
    );
    let scaled = if share <= PASS_SHARE {
        min + (pass - min) * share / PASS_SHARE
    } else {
        pass + (max - pass) * (share - PASS_SHARE) / (1.0 - PASS_SHARE)
    };
    // Within 100..=1000 by construction: the cast cannot wrap.
    scaled.round().clamp(min, max) as u32
}

pub fn passes(score: u32) -> bool {
    score >= PASS_MARK
}

/// Right and asked in one domain of an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainTally {
    pub domain: Domain,
    pub right: u32,
    pub total: u32,
}

/// A submitted exam's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResult {
    pub right: u32,
    pub total: u32,
    pub score: u32,
    /// In [`Domain::ALL`] order, domains the exam did not ask left out.
    pub domains: Vec<DomainTally>,
}

impl MockResult {
    pub fn passed(&self) -> bool {
        passes(self.score)
    }

    /// The domains as stored: `concepts:12/16 security:15/19`.
    pub fn encode_domains(&self) -> String {
        self.domains
            .iter()
            .map(|d| format!("{}:{}/{}", d.domain.as_str(), d.right, d.total))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The domains from their stored text; `None` when it is not one.
    pub fn decode_domains(text: &str) -> Option<Vec<DomainTally>> {
        text.split_whitespace()
            .map(|part| {
                let (domain, counts) = part.split_once(':')?;
                let (right, total) = counts.split_once('/')?;
                Some(DomainTally {
                    domain: Domain::parse(domain)?,
                    right: right.parse().ok()?,
                    total: total.parse().ok()?,
                })
            })
            .collect()
    }
}

/// One question of a submitted exam, graded: its domain, and the choices
/// that stood (none when it was left blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradedQuestion {
    pub domain: Option<Domain>,
    pub chosen: Option<Vec<usize>>,
    pub correct: bool,
}

/// The result of an exam from its graded questions: a blank counts as
/// wrong, as on the real exam.
pub fn result(questions: &[GradedQuestion]) -> MockResult {
    let mut domains: Vec<DomainTally> = Domain::ALL
        .iter()
        .map(|&domain| DomainTally {
            domain,
            right: 0,
            total: 0,
        })
        .collect();
    let mut right = 0;
    for question in questions {
        right += u32::from(question.correct);
        if let Some(tally) = domains
            .iter_mut()
            .find(|t| Some(t.domain) == question.domain)
        {
            tally.total += 1;
            tally.right += u32::from(question.correct);
        }
    }
    let total = u32::try_from(questions.len()).unwrap_or(u32::MAX);
    domains.retain(|t| t.total > 0);
    MockResult {
        right,
        total,
        score: scaled_score(right, total),
        domains,
    }
}

/// Where in an exam a member is: the standing choice of every question
/// (`None` while blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub choices: Vec<Option<Vec<usize>>>,
}

impl Sheet {
    /// A sheet of `questions` questions with `standing` choices (position,
    /// choices), later ones replacing earlier ones at the same position;
    /// positions outside the exam are ignored.
    pub fn new(questions: usize, standing: &[(usize, Vec<usize>)]) -> Sheet {
        let mut choices = vec![None; questions];
        for (position, chosen) in standing {
            if let Some(slot) = choices.get_mut(*position) {
                *slot = Some(chosen.clone());
            }
        }
        Sheet { choices }
    }

    pub fn answered(&self) -> usize {
        self.choices.iter().filter(|c| c.is_some()).count()
    }

    pub fn blank(&self) -> usize {
        self.choices.len() - self.answered()
    }

    /// The first blank question after `position` (wrapping around), or
    /// `None` when every question has a choice.
    pub fn next_blank(&self, position: usize) -> Option<usize> {
        let len = self.choices.len();
        (1..=len)
            .map(|step| (position + step) % len)
            .find(|&i| self.choices[i].is_none())
    }

    /// Where a member goes after choosing at `position`: the next
    /// question, or the first blank one when it was the last; the last
    /// question stays when every one is answered.
    pub fn after_choice(&self, position: usize) -> usize {
        let last = self.choices.len().saturating_sub(1);
        if position < last {
            position + 1
        } else {
            self.next_blank(position).unwrap_or(last)
        }
    }
}

/// A bank for unit tests: `per_domain` questions in a topic of each
/// domain, every `multi_every`-th a "choose two" (none when 0).
#[cfg(test)]
pub(crate) fn test_bank(per_domain: usize, multi_every: usize) -> Bank {
    let mut files = Vec::new();
    for domain in Domain::ALL {
        let mut text = format!(
            "[topic]\nid = \"{d}\"\nname = \"{d}\"\ndomain = \"{d}\"\n\n",
            d = domain.as_str()
        );
        for n in 0..per_domain {
            let multi = multi_every > 0 && n % multi_every == 0;
            let answer = if multi {
                "answers = [0, 2]\nchoices = [\"a\", \"b\", \"c\", \"d\", \"e\"]"
            } else {
                "answer = 0\nchoices = [\"a\", \"b\", \"c\", \"d\"]"
            };
            text.push_str(&format!(
                "[[question]]\nid = \"{}-{n}\"\nprompt = \"?\"\n{answer}\nexplanation = \"e\"\n\n",
                domain.as_str()
            ));
        }
        files.push((format!("{}.toml", domain.as_str()), text));
    }
    let (bank, diagnostics) = Bank::parse_files(
        files
            .iter()
            .map(|(p, t)| (std::path::Path::new(p.as_str()), t.as_str())),
    );
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    bank
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand::SeedableRng;

    fn counts(total: usize) -> Vec<usize> {
        blueprint(total).iter().map(|(_, n)| *n).collect()
    }

    #[test]
    fn sixty_five_questions_are_sixteen_nineteen_twenty_two_eight() {
        assert_eq!(counts(65), [16, 19, 22, 8]);
        assert_eq!(
            blueprint(65).map(|(d, _)| d),
            Domain::ALL,
            "in the exam guide's order"
        );
    }

    #[test]
    fn every_length_from_four_adds_up_and_asks_every_domain() {
        for total in MIN_QUESTIONS..=200 {
            let counts = counts(total);
            assert_eq!(counts.iter().sum::<usize>(), total, "{total}: {counts:?}");
            assert!(counts.iter().all(|&n| n >= 1), "{total}: {counts:?}");
            for ((domain, n), exact) in blueprint(total).iter().zip(Domain::ALL) {
                let share = total as f64 * f64::from(exact.exam_percent()) / 100.0;
                assert!(
                    (*n as f64 - share).abs() < 1.0,
                    "{total} {domain}: {n} is not the nearest to {share}"
                );
            }
        }
        assert_eq!(counts(4), [1, 1, 1, 1]);
        assert_eq!(counts(10), [2, 3, 4, 1]);
    }

    #[test]
    fn an_exam_is_drawn_at_the_blueprint_without_repeats() {
        let bank = test_bank(40, 5);
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let exam = draw(&bank, &HashSet::new(), 65, &mut rng).unwrap();
        assert_eq!(exam.len(), 65);
        let ids: HashSet<&str> = exam.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids.len(), 65, "no question twice");
        for (domain, quota) in blueprint(65) {
            let asked = exam.iter().filter(|q| q.domain == Some(domain)).count();
            assert_eq!(asked, quota, "{domain}");
        }
        // One question in five is "choose two" in this bank.
        let multi = exam.iter().filter(|q| q.is_multi()).count();
        assert!((12..=14).contains(&multi), "{multi} choose-two of 65");
    }

    #[test]
    fn questions_never_asked_in_a_mock_come_first() {
        let bank = test_bank(20, 0);
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let first = draw(&bank, &HashSet::new(), 20, &mut rng).unwrap();
        let seen: HashSet<String> = first.iter().map(|q| q.id.clone()).collect();
        let second = draw(&bank, &seen, 20, &mut rng).unwrap();
        assert!(
            second.iter().all(|q| !seen.contains(&q.id)),
            "60 questions were never asked: the second exam takes only those"
        );
    }

    #[test]
    fn a_small_domain_is_topped_up_from_the_others() {
        let mut files = vec![(
            "billing.toml".to_string(),
            "[topic]\nid = \"b\"\nname = \"b\"\ndomain = \"billing\"\n\n[[question]]\nid = \"b-0\"\nprompt = \"?\"\nanswer = 0\nchoices = [\"a\", \"b\"]\nexplanation = \"e\"\n".to_string(),
        )];
        let mut text = "[topic]\nid = \"t\"\nname = \"t\"\ndomain = \"technology\"\n\n".to_string();
        for n in 0..30 {
            text.push_str(&format!(
                "[[question]]\nid = \"t-{n}\"\nprompt = \"?\"\nanswer = 0\nchoices = [\"a\", \"b\"]\nexplanation = \"e\"\n\n"
            ));
        }
        files.push(("technology.toml".into(), text));
        let (bank, _) = Bank::parse_files(
            files
                .iter()
                .map(|(p, t)| (std::path::Path::new(p.as_str()), t.as_str())),
        );
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let exam = draw(&bank, &HashSet::new(), 20, &mut rng).unwrap();
        assert_eq!(exam.len(), 20);
        assert!(exam.iter().any(|q| q.id == "b-0"));
        assert!(draw(&Bank::default(), &HashSet::new(), 10, &mut rng).is_err());
    }

    #[test]
    fn the_time_limit_follows_the_exams_pace() {
        assert_eq!(default_minutes(65), 90);
        assert_eq!(default_minutes(5), 7);
        assert_eq!(default_minutes(10), 14);
        let start = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
        let end = ends_at(start, 90);
        assert!(!is_out_of_time(end, end - Duration::seconds(1)));
        assert!(is_out_of_time(end, end), "at the end the exam is submitted");
        assert!(is_out_of_time(end, end + Duration::hours(5)));
    }

    #[test]
    fn the_scale_rises_with_every_right_answer_and_passes_at_72_percent() {
        for total in [4_u32, 5, 10, 25, 50, 65] {
            let scores: Vec<u32> = (0..=total).map(|r| scaled_score(r, total)).collect();
            assert_eq!(scores[0], SCORE_MIN);
            assert_eq!(scores[total as usize], SCORE_MAX);
            assert!(
                scores.windows(2).all(|w| w[0] < w[1]),
                "{total}: {scores:?}"
            );
        }
        assert_eq!(scaled_score(18, 25), PASS_MARK, "72 % is the pass mark");
        assert_eq!(scaled_score(36, 50), PASS_MARK);
        assert!(passes(scaled_score(47, 65)));
        assert!(!passes(scaled_score(46, 65)));
        assert_eq!(scale_share(PASS_SHARE), PASS_MARK);
        assert_eq!(scale_share(f64::NAN), SCORE_MIN);
    }

    #[test]
    fn a_result_counts_blanks_wrong_and_tallies_domains() {
        let graded = |domain, chosen: Option<Vec<usize>>, correct| GradedQuestion {
            domain: Some(domain),
            chosen,
            correct,
        };
        let result = result(&[
            graded(Domain::Security, Some(vec![1]), true),
            graded(Domain::Security, None, false),
            graded(Domain::Billing, Some(vec![0]), false),
            graded(Domain::Concepts, Some(vec![2]), true),
        ]);
        assert_eq!((result.right, result.total), (2, 4));
        assert_eq!(result.score, scaled_score(2, 4));
        assert_eq!(
            result.encode_domains(),
            "concepts:1/1 security:1/2 billing:0/1"
        );
        assert_eq!(
            MockResult::decode_domains(&result.encode_domains()),
            Some(result.domains.clone())
        );
        assert_eq!(MockResult::decode_domains("nope:1/2"), None);
        assert_eq!(MockResult::decode_domains(""), Some(Vec::new()));
    }

    #[test]
    fn the_sheet_keeps_the_last_choice_and_finds_blanks() {
        let sheet = Sheet::new(4, &[(0, vec![1]), (2, vec![0]), (0, vec![3]), (9, vec![0])]);
        assert_eq!(sheet.choices[0], Some(vec![3]), "a changed answer stands");
        assert_eq!((sheet.answered(), sheet.blank()), (2, 2));
        assert_eq!(sheet.next_blank(2), Some(3));
        assert_eq!(sheet.next_blank(3), Some(1));
        assert_eq!(sheet.after_choice(0), 1);
        assert_eq!(sheet.after_choice(3), 1, "from the last, back to a blank");
        let full = Sheet::new(2, &[(0, vec![0]), (1, vec![1])]);
        assert_eq!(full.next_blank(0), None);
        assert_eq!(full.after_choice(1), 1);
    }
}
