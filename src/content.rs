//! The content a running bot serves: the question bank and the notes, loaded
//! and checked together.
//!
//! `quizbot check` prints [`CheckReport`]; every other command loads
//! [`Content`], which refuses content with errors (warnings are logged) so a
//! reload never swaps good questions for broken ones.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use crate::bank::{Bank, Domain, Question};
use crate::diagnostic::{Diagnostic, Position};
use crate::notes::{Excerpt, Notes, WEAK_COVERAGE};

/// Banks and notes, loaded and valid.
#[derive(Debug)]
pub struct Content {
    pub bank: Bank,
    pub notes: Notes,
    pub questions_dir: PathBuf,
    pub notes_dir: PathBuf,
    /// Each bank question's excerpts, by its place in the bank, with the
    /// question they were found for: found the first time they are shown
    /// (every answer shows them), as the notes of a loaded content do not
    /// change.
    excerpts: Vec<OnceLock<(Question, Vec<Excerpt>)>>,
}

/// Everything `quizbot check` found.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub topics: usize,
    pub questions: usize,
    pub sections: usize,
    /// Askable questions per exam domain, in [`Domain::ALL`] order.
    pub domains: Vec<(Domain, usize)>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The one-line summary printed after the problems.
    pub fn summary(&self) -> String {
        format!(
            "{} topics, {} questions, {} notes sections: {} errors, {} warnings",
            self.topics,
            self.questions,
            self.sections,
            self.errors(),
            self.warnings()
        )
    }

    /// How the askable questions split across the exam's domains, against
    /// the exam's own weights: `concepts 98 (23.9%, exam 24%) · …`; `None`
    /// when the banks do not use domains.
    pub fn domain_line(&self) -> Option<String> {
        let total: usize = self.domains.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        let parts: Vec<String> = self
            .domains
            .iter()
            .map(|(domain, count)| {
                format!(
                    "{domain} {count} ({:.1}%, exam {}%)",
                    share_percent(*count, total),
                    domain.exam_percent()
                )
            })
            .collect();
        Some(format!("domains: {}", parts.join(" · ")))
    }
}

/// `part` of `whole` in percent, 0 for nothing.
pub fn share_percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Askable questions per exam domain, in [`Domain::ALL`] order.
pub fn domain_counts(bank: &Bank) -> Vec<(Domain, usize)> {
    Domain::ALL
        .iter()
        .map(|&domain| {
            let count = bank
                .askable(None)
                .filter(|q| q.domain == Some(domain))
                .count();
            (domain, count)
        })
        .collect()
}

/// One notes section and the questions (retired ones too: their notes
/// still explain them) whose excerpt or `source` lands on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionCoverage {
    /// Index into [`Notes::sections`].
    pub section: usize,
    /// Question ids, in bank order.
    pub questions: Vec<String>,
}

impl Content {
    pub fn new(bank: Bank, notes: Notes, questions_dir: PathBuf, notes_dir: PathBuf) -> Content {
        let excerpts = bank.questions.iter().map(|_| OnceLock::new()).collect();
        Content {
            bank,
            notes,
            questions_dir,
            notes_dir,
            excerpts,
        }
    }

    /// The passages of the notes that explain `question`
    /// ([`Notes::excerpts_for`]), found once for each question of the bank.
    pub fn excerpts_for(&self, question: &Question) -> Cow<'_, [Excerpt]> {
        let memo = self
            .bank
            .place_of(&question.id)
            .and_then(|place| self.excerpts.get(place));
        if let Some(memo) = memo {
            let (asked, excerpts) =
                memo.get_or_init(|| (question.clone(), self.notes.excerpts_for(question)));
            if asked == question {
                return Cow::Borrowed(excerpts);
            }
        }
        Cow::Owned(self.notes.excerpts_for(question))
    }

    /// Every notes section that has text, with the questions that point at
    /// it, in note order: what `quizbot check --coverage` prints.
    pub fn coverage(&self) -> Vec<SectionCoverage> {
        let mut by_section: Vec<Vec<String>> = vec![Vec::new(); self.notes.sections.len()];
        for question in &self.bank.questions {
            let mut landed: Vec<usize> = self
                .excerpts_for(question)
                .iter()
                .map(|e| e.section)
                .collect();
            landed.extend(
                question
                    .sources
                    .iter()
                    .filter_map(|r| self.notes.resolve(r)),
            );
            landed.sort_unstable();
            landed.dedup();
            for section in landed {
                by_section[section].push(question.id.clone());
            }
        }
        by_section
            .into_iter()
            .enumerate()
            .filter(|(section, _)| !self.notes.sections[*section].lines.is_empty())
            .map(|(section, questions)| SectionCoverage { section, questions })
            .collect()
    }

    /// The coverage report as `quizbot check --coverage` prints it: every
    /// section with its count, then the sections no question asks about.
    pub fn coverage_report(&self) -> String {
        let coverage = self.coverage();
        let label = |c: &SectionCoverage| {
            let section = &self.notes.sections[c.section];
            format!(
                "{}:{} {}",
                section.file,
                section.start_line,
                section.heading_path()
            )
        };
        let mut out = String::new();
        for c in &coverage {
            out.push_str(&format!("{:>4}  {}\n", c.questions.len(), label(c)));
        }
        let unasked: Vec<&SectionCoverage> =
            coverage.iter().filter(|c| c.questions.is_empty()).collect();
        out.push_str(&format!(
            "notes coverage: {} sections with text, {} asked about, {} with no question\n",
            coverage.len(),
            coverage.len() - unasked.len(),
            unasked.len()
        ));
        for c in unasked {
            out.push_str(&format!("no question: {}\n", label(c)));
        }
        out
    }
}

/// Content that could not be loaded, with every error found.
#[derive(Debug)]
pub struct ContentError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<_> = self.diagnostics.iter().filter(|d| d.is_error()).collect();
        writeln!(
            f,
            "the question banks or notes have {} errors:",
            errors.len()
        )?;
        for d in errors {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentError {}

impl Content {
    /// Loads and checks; fails on any error, keeps warnings in the report.
    pub fn load(
        questions_dir: &Path,
        notes_dir: &Path,
    ) -> Result<(Content, CheckReport), ContentError> {
        let (content, report) = check(questions_dir, notes_dir);
        if report.errors() > 0 {
            return Err(ContentError {
                diagnostics: report.diagnostics,
            });
        }
        Ok((content, report))
    }
}

/// The content a running bot serves, replaceable while it runs
/// (`/quiz-admin reload`). Handlers take the [`current`](Self::current)
/// content once per event and keep it for that event.
#[derive(Debug, Clone)]
pub struct SharedContent(Arc<RwLock<Arc<Content>>>);

impl SharedContent {
    pub fn new(content: Content) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(content))))
    }

    pub fn current(&self) -> Arc<Content> {
        match self.0.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the banks and notes again from the same directories. On any
    /// error the running content stays as it was.
    pub fn reload(&self) -> Result<CheckReport, ContentError> {
        let current = self.current();
        let (content, report) = Content::load(&current.questions_dir, &current.notes_dir)?;
        let mut guard = match self.0.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(content);
        Ok(report)
    }
}

/// Loads banks and notes and reports every problem, errors and warnings.
pub fn check(questions_dir: &Path, notes_dir: &Path) -> (Content, CheckReport) {
    let (bank, mut diagnostics) = Bank::load_dir(questions_dir);
    let (notes, notes_diagnostics) = Notes::load_dir(notes_dir);
    diagnostics.extend(notes_diagnostics);

    if notes.sections.is_empty() {
        diagnostics.push(Diagnostic::warning(
            notes_dir,
            Position::START,
            "no notes sections: explanations will have no excerpts",
        ));
    }
    for topic in &bank.topics {
        if bank.questions_in(Some(&topic.id)).next().is_none() {
            diagnostics.push(Diagnostic::warning(
                &topic.path,
                Position::START,
                format!("topic `{}` has no questions", topic.id),
            ));
        }
    }
    let uses_domains = bank.questions.iter().any(|q| q.domain.is_some());
    for question in &bank.questions {
        if uses_domains && question.domain.is_none() {
            diagnostics.push(Diagnostic::warning(
                &question.path,
                Position {
                    line: question.line,
                    column: 1,
                },
                format!(
                    "question `{}` has no `domain` (concepts, security, technology or billing) \
                     while others have one: set it on the question or as the topic's default",
                    question.id
                ),
            ));
        }
        let unresolved: Vec<_> = question
            .sources
            .iter()
            .filter(|source| notes.resolve(source).is_none())
            .collect();
        for source in &unresolved {
            diagnostics.push(Diagnostic::warning(
                &question.path,
                source.position,
                format!(
                    "source `{source}` of question `{}` does not resolve to a notes section",
                    question.id
                ),
            ));
        }
        if !unresolved.is_empty() || notes.sections.is_empty() {
            continue;
        }
        match notes.excerpt_for(question) {
            Some(excerpt) if excerpt.coverage >= WEAK_COVERAGE => {}
            found => diagnostics.push(Diagnostic::warning(
                &question.path,
                Position {
                    line: question.line,
                    column: 1,
                },
                format!(
                    "question `{}` has only a weak excerpt{} (covers {:.0}% of its text)",
                    question.id,
                    found
                        .as_ref()
                        .map(|e| format!(" in {} › {}", e.file, e.heading))
                        .unwrap_or_default(),
                    found.as_ref().map_or(0.0, |e| e.coverage * 100.0)
                ),
            )),
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.severity, &a.path, a.line, a.column).cmp(&(b.severity, &b.path, b.line, b.column))
    });
    let report = CheckReport {
        topics: bank.topics.len(),
        questions: bank.questions.len(),
        sections: notes.sections.len(),
        domains: domain_counts(&bank),
        diagnostics,
    };
    let content = Content::new(
        bank,
        notes,
        questions_dir.to_path_buf(),
        notes_dir.to_path_buf(),
    );
    (content, report)
}
