//! The content a running bot serves: the question bank and the notes, loaded
//! and checked together.
//!
//! `quizbot check` prints [`CheckReport`]; every other command loads
//! [`Content`], which refuses content with errors (warnings are logged) so a
//! reload never swaps good questions for broken ones.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::bank::Bank;
use crate::diagnostic::{Diagnostic, Position};
use crate::notes::{Notes, WEAK_COVERAGE};

/// Banks and notes, loaded and valid.
#[derive(Debug)]
pub struct Content {
    pub bank: Bank,
    pub notes: Notes,
    pub questions_dir: PathBuf,
    pub notes_dir: PathBuf,
}

/// Everything `quizbot check` found.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub topics: usize,
    pub questions: usize,
    pub sections: usize,
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
    for question in &bank.questions {
        if let Some(source) = &question.source {
            if notes.resolve(source).is_none() {
                diagnostics.push(Diagnostic::warning(
                    &question.path,
                    source.position,
                    format!(
                        "source `{source}` of question `{}` does not resolve to a notes section",
                        question.id
                    ),
                ));
                continue;
            }
        }
        if notes.sections.is_empty() {
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
        diagnostics,
    };
    let content = Content {
        bank,
        notes,
        questions_dir: questions_dir.to_path_buf(),
        notes_dir: notes_dir.to_path_buf(),
    };
    (content, report)
}
