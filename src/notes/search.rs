//! Excerpt search: which passage of the notes explains a text, and which few
//! lines of it to show.
//!
//! Sections are ranked with BM25 over [`tokenize`](super::tokenize) terms, a
//! section's own heading counting three times (a question about Amazon SQS
//! belongs under the heading that names it). The winner is then cut to an
//! excerpt: its heading path plus its most relevant lines, in note order, in
//! at most [`EXCERPT_MAX_CHARS`] characters.

use std::collections::HashMap;

use super::parse::Section;
use super::tokenize::{for_each_term, is_word, Term};

/// Longest excerpt shown to users, heading path included.
pub const EXCERPT_MAX_CHARS: usize = 600;

const K1: f32 = 1.2;
const B: f32 = 0.75;
const OWN_HEADING_WEIGHT: u32 = 3;
/// A Latin word against a Korean bigram: a word is a whole term, a Korean
/// word of n syllables counts n - 1 bigrams.
const WORD_WEIGHT: f32 = 2.0;
/// In a large corpus, terms in more than this share of sections carry almost
/// no signal and cost the most time; they are skipped.
const COMMON_TERM_SHARE: f32 = 0.3;
const COMMON_TERM_MIN_SECTIONS: usize = 50;
/// How many of BM25's best are re-ranked by their best line.
const RERANK_CANDIDATES: usize = 20;
/// What a section's best line adds to its BM25 score, per unit of weight.
const BEST_LINE_WEIGHT: f32 = 0.5;

/// A passage of the notes chosen for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Excerpt {
    /// Index of the section in [`Notes::sections`](super::Notes::sections).
    pub section: usize,
    pub file: String,
    /// Heading path joined with " > ".
    pub heading: String,
    /// First source line of the excerpt.
    pub line: usize,
    /// What users see: the heading path, then the chosen lines.
    pub text: String,
    pub score: f32,
    /// Share of the text's term weight that the section contains, 0 to 1:
    /// how well the passage covers the text.
    pub coverage: f32,
}

impl Excerpt {
    /// The excerpt's lines under its heading path.
    pub fn body_lines(&self) -> impl Iterator<Item = &str> {
        self.text.lines().skip(1)
    }
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    section: u32,
    frequency: u32,
}

/// An inverted index over sections.
#[derive(Debug, Default)]
pub struct ExcerptIndex {
    postings: HashMap<Term, Vec<Posting>>,
    /// BM25's length normalisation of each section, computed once.
    norms: Vec<f32>,
}

/// A text prepared for searching: its terms and their weights.
#[derive(Debug, Clone)]
pub struct Query {
    /// Terms worth looking up, with their weights.
    terms: Vec<(Term, f32)>,
    /// The same, for scoring lines.
    weights: HashMap<Term, f32>,
    /// Weight of every term of the text, looked up or not.
    total_weight: f32,
}

impl ExcerptIndex {
    pub fn build(sections: &[Section]) -> Self {
        let mut postings: HashMap<Term, Vec<Posting>> = HashMap::new();
        let mut lengths = Vec::with_capacity(sections.len());
        let mut counts: HashMap<Term, u32> = HashMap::new();
        for (id, section) in sections.iter().enumerate() {
            counts.clear();
            let mut length = 0u32;
            let headings = section.headings.len();
            for (depth, heading) in section.headings.iter().enumerate() {
                let weight = if depth + 1 == headings {
                    OWN_HEADING_WEIGHT
                } else {
                    1
                };
                for_each_term(heading, |t| {
                    *counts.entry(t).or_default() += weight;
                    length += 1;
                });
            }
            for line in &section.lines {
                for_each_term(&line.text, |t| {
                    *counts.entry(t).or_default() += 1;
                    length += 1;
                });
            }
            for (&term, &frequency) in &counts {
                postings.entry(term).or_default().push(Posting {
                    section: id as u32,
                    frequency,
                });
            }
            lengths.push(length as f32);
        }
        let average = if lengths.is_empty() {
            1.0
        } else {
            (lengths.iter().sum::<f32>() / lengths.len() as f32).max(1.0)
        };
        let norms = lengths
            .iter()
            .map(|length| K1 * (1.0 - B + B * length / average))
            .collect();
        Self { postings, norms }
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.norms.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Prepares `text` for [`rank`](Self::rank) and [`excerpt`](Self::excerpt).
    pub fn query(&self, text: &str) -> Query {
        let mut frequencies: HashMap<Term, u32> = HashMap::new();
        for_each_term(text, |t| *frequencies.entry(t).or_default() += 1);
        let sections = self.norms.len();
        let mut terms = Vec::with_capacity(frequencies.len());
        let mut total_weight = 0.0;
        for (term, frequency) in frequencies {
            let df = self.postings.get(&term).map_or(0, Vec::len);
            let kind = if is_word(term) { WORD_WEIGHT } else { 1.0 };
            let weight = kind * (1.0 + (frequency as f32).ln()) * self.idf(df);
            total_weight += weight;
            let common = sections >= COMMON_TERM_MIN_SECTIONS
                && df as f32 > COMMON_TERM_SHARE * sections as f32;
            if df > 0 && !common {
                terms.push((term, weight));
            }
        }
        let weights = terms.iter().copied().collect();
        Query {
            terms,
            weights,
            total_weight,
        }
    }

    fn bm25(&self, weight: f32, frequency: u32, section: usize) -> f32 {
        let tf = frequency as f32;
        weight * tf * (K1 + 1.0) / (tf + self.norms[section])
    }

    /// Sections ranked for `query`, best first: `(section, score, coverage)`.
    ///
    /// BM25 picks the candidates; the best of them are then re-ranked by
    /// their single best line, so a passage that says the thing in one
    /// place beats one that only uses the same words here and there.
    pub fn rank(
        &self,
        sections: &[Section],
        query: &Query,
        limit: usize,
    ) -> Vec<(usize, f32, f32)> {
        let mut scores = vec![0f32; self.norms.len()];
        let mut covered = vec![0f32; self.norms.len()];
        let mut touched = Vec::new();
        for &(term, weight) in &query.terms {
            let Some(list) = self.postings.get(&term) else {
                continue;
            };
            for posting in list {
                let s = posting.section as usize;
                if scores[s] == 0.0 {
                    touched.push(s);
                }
                scores[s] += self.bm25(weight, posting.frequency, s);
                covered[s] += weight;
            }
        }
        let by_score =
            |scores: &[f32], a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
        let candidates = limit.max(RERANK_CANDIDATES);
        if touched.len() > candidates {
            touched.select_nth_unstable_by(candidates, |a, b| by_score(&scores, a, b));
            touched.truncate(candidates);
        }
        for &s in &touched {
            let best_line = line_scores(&sections[s], &query.weights)
                .into_iter()
                .fold(0f32, f32::max);
            scores[s] += BEST_LINE_WEIGHT * best_line;
        }
        touched.sort_unstable_by(|a, b| by_score(&scores, a, b));
        touched.truncate(limit);
        let total = query.total_weight.max(f32::EPSILON);
        touched
            .into_iter()
            .map(|s| (s, scores[s], (covered[s] / total).min(1.0)))
            .collect()
    }

    /// The best of `candidates` for `query`, if any matches at all.
    pub fn rank_within(&self, query: &Query, candidates: &[usize]) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for &s in candidates {
            let mut score = 0.0;
            for &(term, weight) in &query.terms {
                let Some(list) = self.postings.get(&term) else {
                    continue;
                };
                if let Ok(at) = list.binary_search_by_key(&(s as u32), |p| p.section) {
                    score += self.bm25(weight, list[at].frequency, s);
                }
            }
            if score > 0.0 && best.is_none_or(|(_, b)| score > b) {
                best = Some((s, score));
            }
        }
        best.map(|(s, _)| s)
    }

    /// Cuts section `id` down to the lines most relevant to `query`.
    pub fn excerpt(
        &self,
        sections: &[Section],
        id: usize,
        query: &Query,
        score: f32,
        coverage: f32,
    ) -> Excerpt {
        let section = &sections[id];
        let heading = section.heading_path();
        let line_scores = line_scores(section, &query.weights);

        let budget = EXCERPT_MAX_CHARS.saturating_sub(heading.chars().count() + 1);
        let whole: usize = section
            .lines
            .iter()
            .map(|l| l.text.chars().count() + 1)
            .sum();
        let mut chosen: Vec<(usize, String)> = Vec::new();
        if whole <= budget {
            // A short section is shown whole.
            chosen.extend(section.lines.iter().map(|l| l.text.clone()).enumerate());
        } else {
            // Most relevant lines first; among equals, earlier ones (a
            // section usually opens with what the thing is). Lines that
            // match nothing are left out, unless nothing matches at all.
            let mut order: Vec<usize> = (0..section.lines.len()).collect();
            order.sort_by(|&a, &b| line_scores[b].total_cmp(&line_scores[a]).then(a.cmp(&b)));
            let any_match = line_scores.iter().any(|&s| s > 0.0);
            let mut used = 0usize;
            for index in order {
                if any_match && line_scores[index] == 0.0 {
                    break;
                }
                let line = &section.lines[index].text;
                let cost = line.chars().count() + 1;
                if used + cost <= budget {
                    chosen.push((index, line.clone()));
                    used += cost;
                } else if chosen.is_empty() {
                    chosen.push((index, truncate_chars(line, budget.saturating_sub(1))));
                    used = budget;
                }
                if used >= budget {
                    break;
                }
            }
        }
        chosen.sort_by_key(|(index, _)| *index);
        let line = chosen.first().map_or(section.start_line, |(index, _)| {
            section.lines[*index].number
        });
        let mut shown = heading.clone();
        for (_, text) in &chosen {
            shown.push('\n');
            shown.push_str(text);
        }
        Excerpt {
            section: id,
            file: section.file.clone(),
            heading,
            line,
            text: shown,
            score,
            coverage,
        }
    }

    /// How well section `id` covers `query`, as [`Excerpt::coverage`].
    pub fn coverage(&self, id: usize, query: &Query) -> f32 {
        let total = query.total_weight.max(f32::EPSILON);
        let covered: f32 = query
            .terms
            .iter()
            .filter(|(term, _)| {
                self.postings.get(term).is_some_and(|list| {
                    list.binary_search_by_key(&(id as u32), |p| p.section)
                        .is_ok()
                })
            })
            .map(|(_, weight)| weight)
            .sum();
        (covered / total).min(1.0)
    }
}

/// Each line's relevance: the weights of the distinct query terms in it.
fn line_scores(section: &Section, weights: &HashMap<Term, f32>) -> Vec<f32> {
    let mut terms = Vec::new();
    section
        .lines
        .iter()
        .map(|line| {
            terms.clear();
            for_each_term(&line.text, |t| terms.push(t));
            terms.sort_unstable();
            terms.dedup();
            terms.iter().filter_map(|t| weights.get(t)).sum()
        })
        .collect()
}

/// The first `max` characters of `text`, ending in "…" when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
