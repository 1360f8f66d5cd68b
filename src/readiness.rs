//! Readiness: a member's predicted score on a CLF-C02 exam drawn at the
//! blueprint's weights, from what they still remember. No I/O: the store
//! reads the member's review cards and first answers, this module weighs
//! them against the bank.
//!
//! For each exam domain, the chance of answering one of its questions
//! right is the average over the bank's questions of that domain:
//!
//! - a question the member has a card for: the card's retrievability
//!   (FSRS's forgetting curve, default parameters) at the time asked
//!   about — now, or the start of the exam day when the community set one;
//! - a question never answered: the member's first-try accuracy in the
//!   domain, pulled towards their first-try accuracy over every domain
//!   (itself pulled towards [`BASE_PRIOR`]) by [`PRIOR_WEIGHT`] answers,
//!   so a domain tried twice does not read as 0 % or 100 %.
//!
//! An exam asks [`crate::mock::blueprint`]`(65)` questions of each domain;
//! the number right is the sum of one binomial per domain, and the
//! prediction is the expected scaled score ([`crate::mock::scaled_score`])
//! over that distribution — what the mean of many mock exams would be.
//! A member with fewer than [`MIN_ANSWERED`] questions answered has no
//! prediction ("데이터 부족"): the prior would be all there is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fsrs::{current_retrievability, MemoryState, FSRS6_DEFAULT_DECAY};

use crate::bank::{Bank, Domain};
use crate::mock;
use crate::review::{self, CardState};

/// Questions a member must have answered before they get a prediction.
pub const MIN_ANSWERED: usize = 20;
/// The first-try accuracy assumed before a member has answered anything:
/// a coin toss is about what a newcomer does on four plausible choices.
pub const BASE_PRIOR: f64 = 0.5;
/// How many answers the prior is worth.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// What a member's card for one question says of their memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryCard {
    pub question_id: String,
    pub stability: f32,
    pub difficulty: f32,
    pub reviewed_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// Whether a member's first answer to a question was right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstTry {
    pub question_id: String,
    pub correct: bool,
}

/// The chance that `card` is recalled at `at` (1 right after a review).
pub fn retrievability(card: &MemoryCard, at: DateTime<Utc>) -> f64 {
    if !(card.stability.is_finite() && card.stability > 0.0) {
        return 0.0;
    }
    let days = ((at - card.reviewed_at).num_seconds().max(0) as f64 / 86_400.0) as f32;
    let state = MemoryState {
        stability: card.stability,
        difficulty: card.difficulty,
    };
    let recall = f64::from(current_retrievability(state, days, FSRS6_DEFAULT_DECAY));
    if recall.is_finite() {
        recall.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// When a prediction is made for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outlook {
    pub now: DateTime<Utc>,
    /// The start of the exam day when it is still to come: memory is
    /// judged then, and cards due before it can still be reviewed.
    pub exam_at: Option<DateTime<Utc>>,
    /// The community's desired retention (for a review's next state).
    pub retention: f32,
}

impl Outlook {
    /// The time memory is judged at.
    pub fn judged_at(&self) -> DateTime<Utc> {
        self.exam_at.filter(|at| *at > self.now).unwrap_or(self.now)
    }
}

/// One domain's outlook.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainOutlook {
    pub domain: Domain,
    /// Its share of the exam, in percent.
    pub weight: u32,
    /// The bank's questions of the domain (the pool an exam draws from).
    pub questions: usize,
    /// Of those, how many the member has a card for.
    pub seen: usize,
    /// First answers in the domain: right, and given.
    pub first_right: usize,
    pub first_answered: usize,
    /// The expected share right on a question never seen.
    pub new_share: f64,
    /// The expected share right on a question drawn from the domain.
    pub expected_share: f64,
}

/// A member's predicted exam score.
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    /// Questions of the bank the member has answered (has a card for).
    pub answered: usize,
    /// Whether that is enough for a prediction ([`MIN_ANSWERED`]).
    pub enough: bool,
    /// In [`Domain::ALL`] order.
    pub domains: Vec<DomainOutlook>,
    /// The blueprint-weighted expected share right.
    pub expected_share: f64,
    /// The expected scaled score of a 65-question exam.
    pub predicted_score: u32,
    /// The domain with the lowest expected share.
    pub weakest: Option<Domain>,
    /// The member's cards of the weakest domain due before the exam (due
    /// now, when no exam date is set).
    pub due_in_weakest: usize,
    /// Points the prediction would gain if those cards were reviewed when
    /// due and recalled (0 without an exam date).
    pub lift: u32,
}

impl Readiness {
    /// The predicted score, when there is enough to go on.
    pub fn score(&self) -> Option<u32> {
        self.enough.then_some(self.predicted_score)
    }

    pub fn domain(&self, domain: Domain) -> Option<&DomainOutlook> {
        self.domains.iter().find(|d| d.domain == domain)
    }
}

/// A member's readiness from their `cards` and `first_tries`, judged as
/// `outlook` says.
pub fn assess(
    bank: &Bank,
    cards: &[MemoryCard],
    first_tries: &[FirstTry],
    outlook: &Outlook,
) -> Readiness {
    let at = outlook.judged_at();
    let domain_of = |id: &str| {
        bank.question(id)
            .filter(|q| !q.retired)
            .and_then(|q| q.domain)
    };
    // First answers per domain, and over all of them.
    let mut first: HashMap<Domain, (usize, usize)> = HashMap::new();
    for attempt in first_tries {
        if let Some(domain) = domain_of(&attempt.question_id) {
            let entry = first.entry(domain).or_default();
            entry.0 += usize::from(attempt.correct);
            entry.1 += 1;
        }
    }
    let (all_right, all_given) = first
        .values()
        .fold((0, 0), |(r, n), (dr, dn)| (r + dr, n + dn));
    let overall = shrink(all_right, all_given, BASE_PRIOR);
    // Recall per domain over the cards of questions still asked.
    let mut recall: HashMap<Domain, (usize, f64)> = HashMap::new();
    let mut answered = 0;
    for card in cards {
        if let Some(domain) = domain_of(&card.question_id) {
            answered += 1;
            let entry = recall.entry(domain).or_default();
            entry.0 += 1;
            entry.1 += retrievability(card, at);
        }
    }
    let pool = |domain: Domain| {
        bank.askable(None)
            .filter(|q| q.domain == Some(domain))
            .count()
    };
    let domains: Vec<DomainOutlook> = Domain::ALL
        .iter()
        .map(|&domain| {
            let questions = pool(domain);
            let (first_right, first_answered) = first.get(&domain).copied().unwrap_or_default();
            let new_share = shrink(first_right, first_answered, overall);
            let (seen, recalled) = recall.get(&domain).copied().unwrap_or_default();
            let seen = seen.min(questions);
            let expected_share = if questions == 0 {
                new_share
            } else {
                ((recalled + (questions - seen) as f64 * new_share) / questions as f64)
                    .clamp(0.0, 1.0)
            };
            DomainOutlook {
                domain,
                weight: domain.exam_percent(),
                questions,
                seen,
                first_right,
                first_answered,
                new_share,
                expected_share,
            }
        })
        .collect();
    let shares: Vec<f64> = domains.iter().map(|d| d.expected_share).collect();
    let predicted = expected_score(&shares);
    let weakest = domains
        .iter()
        .min_by(|a, b| a.expected_share.total_cmp(&b.expected_share))
        .map(|d| d.domain);
    let (due_in_weakest, lift) = match weakest {
        Some(domain) => {
            let due_by = outlook.exam_at.filter(|at| *at > outlook.now);
            let due: Vec<&MemoryCard> = cards
                .iter()
                .filter(|c| domain_of(&c.question_id) == Some(domain))
                .filter(|c| c.due_at <= due_by.unwrap_or(outlook.now))
                .collect();
            let lift = match due_by {
                Some(exam_at) => lift_from(&domains, domain, &due, outlook, exam_at, predicted),
                None => 0,
            };
            (due.len(), lift)
        }
        None => (0, 0),
    };
    Readiness {
        answered,
        enough: answered >= MIN_ANSWERED,
        expected_share: weighted_share(&shares),
        predicted_score: round_score(predicted),
        domains,
        weakest,
        due_in_weakest,
        lift,
    }
}

/// `right` of `given`, pulled towards `prior` by [`PRIOR_WEIGHT`] answers.
fn shrink(right: usize, given: usize, prior: f64) -> f64 {
    (right as f64 + PRIOR_WEIGHT * prior) / (given as f64 + PRIOR_WEIGHT)
}

/// Points gained if the `due` cards of `domain` were reviewed when due
/// (now, if overdue) and recalled, judged at `exam_at`.
fn lift_from(
    domains: &[DomainOutlook],
    domain: Domain,
    due: &[&MemoryCard],
    outlook: &Outlook,
    exam_at: DateTime<Utc>,
    predicted: f64,
) -> u32 {
    let Some(outlook_d) = domains.iter().find(|d| d.domain == domain) else {
        return 0;
    };
    if outlook_d.questions == 0 || due.is_empty() {
        return 0;
    }
    let gained: f64 = due
        .iter()
        .map(|card| {
            let before = retrievability(card, exam_at);
            let reviewed_at = card.due_at.max(outlook.now);
            let state = CardState {
                stability: card.stability,
                difficulty: card.difficulty,
                reviewed_at: card.reviewed_at,
                due_at: card.due_at,
                reps: 1,
                lapses: 0,
            };
            match review::review(Some(&state), true, reviewed_at, outlook.retention) {
                Ok((next, _)) => {
                    let after = MemoryCard {
                        question_id: card.question_id.clone(),
                        stability: next.stability,
                        difficulty: next.difficulty,
                        reviewed_at: next.reviewed_at,
                        due_at: next.due_at,
                    };
                    (retrievability(&after, exam_at) - before).max(0.0)
                }
                Err(_) => 0.0,
            }
        })
        .sum();
    let shares: Vec<f64> = domains
        .iter()
        .map(|d| {
            if d.domain == domain {
                (d.expected_share + gained / d.questions as f64).min(1.0)
            } else {
                d.expected_share
            }
        })
        .collect();
    round_score(expected_score(&shares)).saturating_sub(round_score(predicted))
}

/// The blueprint-weighted share of `shares` (one per domain, in
/// [`Domain::ALL`] order).
fn weighted_share(shares: &[f64]) -> f64 {
    Domain::ALL
        .iter()
        .zip(shares)
        .map(|(d, share)| f64::from(d.exam_percent()) / 100.0 * share)
        .sum()
}

/// The expected scaled score of a full exam ([`mock::EXAM_QUESTIONS`] at
/// the blueprint) whose domains are answered right with `shares`.
pub fn expected_score(shares: &[f64]) -> f64 {
    let blueprint = mock::blueprint(mock::EXAM_QUESTIONS);
    // The distribution of the number right, one question at a time.
    let mut chances = vec![1.0_f64];
    for ((_, asked), share) in blueprint.iter().zip(shares) {
        let p = share.clamp(0.0, 1.0);
        for _ in 0..*asked {
            let mut next = vec![0.0; chances.len() + 1];
            for (right, chance) in chances.iter().enumerate() {
                next[right] += chance * (1.0 - p);
                next[right + 1] += chance * p;
            }
            chances = next;
        }
    }
    let total = u32::try_from(chances.len() - 1).unwrap_or(u32::MAX);
    chances
        .iter()
        .enumerate()
        .map(|(right, chance)| {
            let right = u32::try_from(right).unwrap_or(u32::MAX);
            chance * f64::from(mock::scaled_score(right, total))
        })
        .sum()
}

fn round_score(score: f64) -> u32 {
    // Within 100..=1000: the cast cannot wrap.
    score
        .round()
        .clamp(f64::from(mock::SCORE_MIN), f64::from(mock::SCORE_MAX)) as u32
}

/// One member's line in the group's readiness.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberReadiness {
    pub name: String,
    pub readiness: Readiness,
}

/// The group's readiness: who is predicted to pass, and the domain the
/// group is weakest in (the lowest mean expected share over the members
/// with a prediction).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupReadiness {
    /// Members with a prediction, highest first, then those without.
    pub members: Vec<MemberReadiness>,
    pub assessed: usize,
    pub passing: usize,
    pub weakest: Option<(Domain, f64)>,
}

pub fn group(mut members: Vec<MemberReadiness>) -> GroupReadiness {
    members.sort_by(|a, b| {
        b.readiness
            .score()
            .cmp(&a.readiness.score())
            .then(a.name.cmp(&b.name))
    });
    let assessed: Vec<&Readiness> = members
        .iter()
        .map(|m| &m.readiness)
        .filter(|r| r.enough)
        .collect();
    let passing = assessed
        .iter()
        .filter(|r| mock::passes(r.predicted_score))
        .count();
    let weakest = (!assessed.is_empty())
        .then(|| {
            Domain::ALL
                .iter()
                .map(|&domain| {
                    let mean = assessed
                        .iter()
                        .filter_map(|r| r.domain(domain))
                        .map(|d| d.expected_share)
                        .sum::<f64>()
                        / assessed.len() as f64;
                    (domain, mean)
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
        })
        .flatten();
    GroupReadiness {
        assessed: assessed.len(),
        passing,
        weakest,
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
    }

    /// 20 questions per domain: `{domain}-{n}`.
    fn bank() -> Bank {
        crate::mock::test_bank(20, 0)
    }

    fn card(id: &str, stability: f32, reviewed: DateTime<Utc>) -> MemoryCard {
        MemoryCard {
            question_id: id.into(),
            stability,
            difficulty: 5.0,
            reviewed_at: reviewed,
            due_at: reviewed + Duration::days(stability.round() as i64),
        }
    }

    fn outlook() -> Outlook {
        Outlook {
            now: now(),
            exam_at: None,
            retention: 0.9,
        }
    }

    #[test]
    fn recall_fades_along_the_forgetting_curve() {
        let fresh = card("x", 10.0, now());
        assert!((retrievability(&fresh, now()) - 1.0).abs() < 1e-6);
        // At the stability, FSRS recalls 90 %.
        let at_stability = retrievability(&fresh, now() + Duration::days(10));
        assert!((at_stability - 0.9).abs() < 1e-3, "{at_stability}");
        let later = retrievability(&fresh, now() + Duration::days(60));
        assert!(later < at_stability);
        let broken = card("x", f32::NAN, now());
        assert_eq!(retrievability(&broken, now()), 0.0);
    }

    #[test]
    fn a_certain_member_scores_a_thousand_and_a_hopeless_one_a_hundred() {
        assert!((expected_score(&[1.0; 4]) - 1000.0).abs() < 1e-6);
        assert!((expected_score(&[0.0; 4]) - 100.0).abs() < 1e-6);
        let middle = expected_score(&[0.72; 4]);
        assert!((680.0..=720.0).contains(&middle), "{middle}");
    }

    #[test]
    fn too_few_answers_give_no_prediction() {
        let bank = bank();
        let cards: Vec<MemoryCard> = (0..MIN_ANSWERED - 1)
            .map(|n| card(&format!("security-{n}"), 30.0, now()))
            .collect();
        let readiness = assess(&bank, &cards, &[], &outlook());
        assert_eq!(readiness.answered, MIN_ANSWERED - 1);
        assert_eq!(readiness.score(), None);
        let mut cards = cards;
        cards.push(card("security-19", 30.0, now()));
        cards.push(card("gone", 30.0, now()));
        let readiness = assess(&bank, &cards, &[], &outlook());
        assert_eq!(
            readiness.answered, MIN_ANSWERED,
            "a card the bank lost is left out"
        );
        assert!(readiness.score().is_some());
    }

    #[test]
    fn fresh_memory_and_good_first_tries_predict_a_pass() {
        let bank = bank();
        let mut cards = Vec::new();
        let mut first = Vec::new();
        for domain in Domain::ALL {
            for n in 0..15 {
                let id = format!("{}-{n}", domain.as_str());
                cards.push(card(&id, 40.0, now() - Duration::days(2)));
                first.push(FirstTry {
                    question_id: id,
                    correct: n % 5 != 0,
                });
            }
        }
        let readiness = assess(&bank, &cards, &first, &outlook());
        assert!(readiness.enough);
        assert!(
            mock::passes(readiness.predicted_score),
            "{}",
            readiness.predicted_score
        );
        // Unseen questions count at the first-try rate: 12 of 15, pulled
        // towards 48 of 60 over every domain (itself pulled towards 50 %).
        let security = readiness.domain(Domain::Security).unwrap();
        assert_eq!((security.seen, security.questions), (15, 20));
        let overall = (48.0 + PRIOR_WEIGHT * BASE_PRIOR) / (60.0 + PRIOR_WEIGHT);
        let expected = (12.0 + PRIOR_WEIGHT * overall) / (15.0 + PRIOR_WEIGHT);
        assert!((security.new_share - expected).abs() < 1e-9);
    }

    #[test]
    fn the_weakest_domain_is_named_with_its_due_cards_and_what_reviewing_them_adds() {
        let bank = bank();
        let mut cards = Vec::new();
        let mut first = Vec::new();
        for domain in Domain::ALL {
            // Security was learnt long ago and is fading; the rest is fresh.
            let (stability, reviewed) = if domain == Domain::Security {
                (3.0, now() - Duration::days(20))
            } else {
                (60.0, now() - Duration::days(1))
            };
            for n in 0..10 {
                let id = format!("{}-{n}", domain.as_str());
                cards.push(card(&id, stability, reviewed));
                first.push(FirstTry {
                    question_id: id,
                    correct: true,
                });
            }
        }
        let exam = Outlook {
            exam_at: Some(now() + Duration::days(14)),
            ..outlook()
        };
        let readiness = assess(&bank, &cards, &first, &exam);
        assert_eq!(readiness.weakest, Some(Domain::Security));
        assert_eq!(readiness.due_in_weakest, 10, "all ten are overdue");
        assert!(readiness.lift > 0, "reviewing them lifts the score");
        let without_date = assess(&bank, &cards, &first, &outlook());
        assert_eq!(without_date.due_in_weakest, 10);
        assert_eq!(without_date.lift, 0);
    }

    #[test]
    fn the_exam_date_is_judged_later_than_now() {
        let bank = bank();
        let cards: Vec<MemoryCard> = Domain::ALL
            .iter()
            .flat_map(|d| (0..10).map(move |n| format!("{}-{n}", d.as_str())))
            .map(|id| card(&id, 5.0, now()))
            .collect();
        let today = assess(&bank, &cards, &[], &outlook());
        let later = assess(
            &bank,
            &cards,
            &[],
            &Outlook {
                exam_at: Some(now() + Duration::days(30)),
                ..outlook()
            },
        );
        assert!(later.predicted_score < today.predicted_score);
    }

    #[test]
    fn the_group_counts_who_passes_and_its_weakest_domain() {
        let member = |name: &str, share: f64, enough: bool| {
            let domains = Domain::ALL
                .iter()
                .map(|&domain| DomainOutlook {
                    domain,
                    weight: domain.exam_percent(),
                    questions: 10,
                    seen: 5,
                    first_right: 0,
                    first_answered: 0,
                    new_share: share,
                    expected_share: if domain == Domain::Billing {
                        share - 0.2
                    } else {
                        share
                    },
                })
                .collect();
            MemberReadiness {
                name: name.into(),
                readiness: Readiness {
                    answered: if enough { 30 } else { 3 },
                    enough,
                    domains,
                    expected_share: share,
                    predicted_score: mock::scale_share(share),
                    weakest: Some(Domain::Billing),
                    due_in_weakest: 0,
                    lift: 0,
                },
            }
        };
        let group = group(vec![
            member("b", 0.6, true),
            member("newcomer", 0.9, false),
            member("a", 0.9, true),
        ]);
        let names: Vec<&str> = group.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "newcomer"]);
        assert_eq!((group.assessed, group.passing), (2, 1));
        let (domain, share) = group.weakest.unwrap();
        assert_eq!(domain, Domain::Billing);
        assert!((share - 0.55).abs() < 1e-9);
    }
}
