//! Problems found in content files, each pointing at `path:line:col`.
//!
//! Both the bank loader and the notes checker report through [`Diagnostic`], so
//! `quizbot check` prints one format whatever the file. Positions are 1-based;
//! columns count characters, not bytes, so a Korean line points where an
//! editor's cursor would.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail `quizbot check`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: &Path, position: Position, message: impl Into<String>) -> Self {
        Self::new(path, position, Severity::Error, message)
    }

    pub fn warning(path: &Path, position: Position, message: impl Into<String>) -> Self {
        Self::new(path, position, Severity::Warning, message)
    }

    fn new(
        path: &Path,
        position: Position,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            line: position.line,
            column: position.column,
            severity,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };
}

/// Turns byte offsets of one text into line and column positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Self { line_starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// The position of byte `offset` in `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line(offset);
        let start = self.line_starts[line - 1];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count())
            + 1;
        Position { line, column }
    }

    /// The byte range of 1-based `line`, without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(text.len());
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "첫 줄\n둘째 = x\n";
        let index = LineIndex::new(text);
        let at = text.find('x').unwrap();
        assert_eq!(index.position(text, at), Position { line: 2, column: 6 });
        assert_eq!(index.position(text, 0), Position::START);
    }

    #[test]
    fn line_span_excludes_the_break() {
        let text = "a\nbc\nd";
        let index = LineIndex::new(text);
        assert_eq!(&text[index.line_span(text, 2)], "bc");
        assert_eq!(&text[index.line_span(text, 3)], "d");
    }
}
