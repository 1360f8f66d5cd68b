//! Study notes: a directory of markdown, split into sections, indexed for
//! excerpt search.
//!
//! [`Notes::load_dir`] reads every `*.md` under a directory;
//! [`Notes::excerpt_for`] finds the passage that explains a question: the
//! question's own `source` when it resolves, otherwise the best match for
//! its prompt, answer and explanation.

mod parse;
mod search;
mod tokenize;

use std::path::{Path, PathBuf};

pub use parse::{parse_file, NoteLine, Section};
pub use search::{truncate_chars, Excerpt, ExcerptIndex, Query, EXCERPT_MAX_CHARS};
pub use tokenize::{terms, Term};

use crate::bank::{NoteRef, Question};
use crate::diagnostic::{Diagnostic, Position};

/// Below this coverage, a question's best excerpt is reported as weak.
pub const WEAK_COVERAGE: f32 = 0.12;

/// Parsed and indexed notes.
#[derive(Debug, Default)]
pub struct Notes {
    pub root: PathBuf,
    pub sections: Vec<Section>,
    index: ExcerptIndex,
}

impl Notes {
    /// Reads every `*.md` below `dir` (hidden directories skipped), in path
    /// order. Unreadable files are reported, the rest still loaded.
    pub fn load_dir(dir: &Path) -> (Notes, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut files = Vec::new();
        if let Err(err) = markdown_files(dir, &mut files) {
            diagnostics.push(Diagnostic::error(
                dir,
                Position::START,
                format!("cannot read notes directory: {err}"),
            ));
        }
        files.sort();
        let mut loaded = Vec::new();
        for path in files {
            let relative = relative_name(dir, &path);
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => loaded.push((relative, text)),
                    Err(err) => {
                        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                        let text = String::from_utf8_lossy(valid);
                        let index = crate::diagnostic::LineIndex::new(&text);
                        diagnostics.push(Diagnostic::error(
                            &path,
                            index.position(&text, text.len()),
                            "not valid UTF-8 text",
                        ));
                    }
                },
                Err(err) => diagnostics.push(Diagnostic::error(
                    &path,
                    Position::START,
                    format!("cannot read file: {err}"),
                )),
            }
        }
        let mut notes = Notes::from_files(loaded.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        notes.root = dir.to_path_buf();
        (notes, diagnostics)
    }

    /// Builds notes from `(relative name, markdown)` pairs.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Notes {
        let mut sections = Vec::new();
        for (name, text) in files {
            sections.extend(parse_file(name, text));
        }
        let index = ExcerptIndex::build(&sections);
        Notes {
            root: PathBuf::new(),
            sections,
            index,
        }
    }

    /// The section a `file.md#heading` reference names, if any. The heading
    /// matches a section's own heading or its whole path (`A > B`), ignoring
    /// case and spacing; without a heading, the file's first section.
    pub fn resolve(&self, reference: &NoteRef) -> Option<usize> {
        let file = reference.file.trim_start_matches("./");
        let in_file = |s: &&Section| s.file == file;
        match &reference.heading {
            None => self.sections.iter().position(|s| s.file == file),
            Some(heading) => {
                let wanted = normalize(heading);
                self.sections
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| in_file(s))
                    .find(|(_, s)| {
                        s.heading().is_some_and(|h| normalize(h) == wanted)
                            || normalize(&s.headings.join(" > ")) == wanted
                    })
                    .map(|(i, _)| i)
            }
        }
    }

    /// `text` prepared for searching these notes.
    pub fn query(&self, text: &str) -> Query {
        self.index.query(text)
    }

    /// The best passages for any text, best first.
    pub fn search(&self, text: &str, limit: usize) -> Vec<Excerpt> {
        let query = self.index.query(text);
        self.index
            .rank(&self.sections, &query, limit)
            .into_iter()
            .map(|(id, score, coverage)| {
                self.index
                    .excerpt(&self.sections, id, &query, score, coverage)
            })
            .collect()
    }

    /// The passages explaining `question`: one per `source` that resolves
    /// (the named section, or its best-matching subsection when the text
    /// sits under sub-headings); when none does, the best search result.
    pub fn excerpts_for(&self, question: &Question) -> Vec<Excerpt> {
        let text = question_text(question);
        let query = self.index.query(&text);
        let mut excerpts: Vec<Excerpt> = Vec::new();
        for id in question.sources.iter().filter_map(|r| self.resolve(r)) {
            let family = self.family(id);
            let best = self
                .index
                .rank_within(&query, &family)
                .or_else(|| {
                    family
                        .iter()
                        .copied()
                        .find(|&s| !self.sections[s].lines.is_empty())
                })
                .unwrap_or(id);
            if excerpts.iter().any(|e| e.section == best) {
                continue;
            }
            let coverage = self.index.coverage(best, &query);
            excerpts.push(
                self.index
                    .excerpt(&self.sections, best, &query, 0.0, coverage),
            );
        }
        if excerpts.is_empty() {
            excerpts.extend(self.search(&text, 1));
        }
        excerpts
    }

    /// The first passage explaining `question` (see [`Notes::excerpts_for`]).
    pub fn excerpt_for(&self, question: &Question) -> Option<Excerpt> {
        self.excerpts_for(question).into_iter().next()
    }

    /// A section and the sections under its heading, in note order.
    pub fn family(&self, id: usize) -> Vec<usize> {
        let root = &self.sections[id];
        let depth = root.headings.len();
        let mut family = vec![id];
        for (offset, section) in self.sections[id + 1..].iter().enumerate() {
            let inside = section.file == root.file
                && section.headings.len() > depth
                && section.headings[..depth] == root.headings[..];
            if !inside {
                break;
            }
            family.push(id + 1 + offset);
        }
        family
    }
}

/// What a question is about, for search: prompt, correct answers, explanation.
pub fn question_text(question: &Question) -> String {
    let mut text = question.prompt.clone();
    for &index in &question.correct {
        text.push('\n');
        text.push_str(&question.choices[index]);
    }
    text.push('\n');
    text.push_str(&question.explanation);
    text
}

fn normalize(heading: &str) -> String {
    heading
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
