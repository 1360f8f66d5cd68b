//! Question banks: the question model and its strict loading from TOML.
//!
//! A bank is a directory of `<topic>.toml` files, one topic each. Loading
//! checks everything an author can get wrong (syntax, unknown keys, empty
//! text, repeated choices, answer indices out of range, ids used twice across
//! files) and reports each problem as a [`Diagnostic`] at the exact
//! `path:line:col` of the offending value, so a broken file is fixed in one
//! pass rather than one error at a time.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, LineIndex, Position};

/// Fewest and most choices a question may offer.
pub const CHOICES: std::ops::RangeInclusive<usize> = 2..=6;
/// Longest question id: ids travel inside Discord and Slack component ids.
pub const MAX_ID_LEN: usize = 64;
/// Most notes sections one question's `source` may name.
pub const MAX_SOURCES: usize = 2;

/// A topic: one bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub id: String,
    pub name: String,
    pub description: String,
    pub path: PathBuf,
}

/// How hard a question is, as its author judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "easy" => Some(Self::Easy),
            "medium" => Some(Self::Medium),
            "hard" => Some(Self::Hard),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Medium => "medium",
            Self::Hard => "hard",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The four domains of the AWS Certified Cloud Practitioner exam (CLF-C02)
/// a question belongs to, with the share of the exam each is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// Cloud concepts: benefits, design principles, migration, economics.
    Concepts,
    /// Security and compliance.
    Security,
    /// Cloud technology and services.
    Technology,
    /// Billing, pricing and support.
    Billing,
}

impl Domain {
    pub const ALL: [Domain; 4] = [
        Domain::Concepts,
        Domain::Security,
        Domain::Technology,
        Domain::Billing,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "concepts" => Some(Self::Concepts),
            "security" => Some(Self::Security),
            "technology" => Some(Self::Technology),
            "billing" => Some(Self::Billing),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Concepts => "concepts",
            Self::Security => "security",
            Self::Technology => "technology",
            Self::Billing => "billing",
        }
    }

    /// The domain's share of the exam's scored questions, in percent.
    pub fn exam_percent(self) -> u32 {
        match self {
            Self::Concepts => 24,
            Self::Security => 30,
            Self::Technology => 34,
            Self::Billing => 12,
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pointer from a question into the notes: `file.md#heading`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRef {
    pub file: String,
    pub heading: Option<String>,
    /// Where the `source` value sits in its bank file, for warnings.
    pub position: Position,
}

impl NoteRef {
    pub fn parse(text: &str, position: Position) -> Self {
        let (file, heading) = match text.split_once('#') {
            Some((file, heading)) => (file, Some(heading.trim().to_string())),
            None => (text, None),
        };
        Self {
            file: file.trim().to_string(),
            heading: heading.filter(|h| !h.is_empty()),
            position,
        }
    }
}

impl fmt::Display for NoteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.heading {
            Some(heading) => write!(f, "{}#{heading}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One question, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub topic: String,
    pub prompt: String,
    pub choices: Vec<String>,
    /// Indices of the correct choices, ascending; more than one means
    /// "choose N" and is graded all-or-nothing.
    pub correct: Vec<usize>,
    pub explanation: String,
    /// The notes sections that explain the answer: usually one, two when
    /// the keys of a "choose two" question live in different sections.
    pub sources: Vec<NoteRef>,
    pub difficulty: Difficulty,
    /// The exam domain, for banks written for an exam that has them.
    pub domain: Option<Domain>,
    /// About a service AWS no longer offers to new customers: kept so old
    /// answers still resolve, never asked.
    pub retired: bool,
    pub path: PathBuf,
    /// The `[[question]]` header's line.
    pub line: usize,
    /// Where the `id` value sits: what a warning about the whole question
    /// points at, so an editor jumps to the line naming it.
    pub id_position: Position,
}

impl Question {
    /// How many choices a full answer picks.
    pub fn picks(&self) -> usize {
        self.correct.len()
    }

    pub fn is_multi(&self) -> bool {
        self.correct.len() > 1
    }

    /// The letter shown for choice `index`: A, B, C…
    pub fn letter(index: usize) -> char {
        (b'A' + (index as u8 % 26)) as char
    }

    /// "B" or "A, D".
    pub fn letters(indices: &[usize]) -> String {
        indices
            .iter()
            .map(|&i| Self::letter(i).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// All loaded topics and questions, in file then declaration order.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    pub topics: Vec<Topic>,
    pub questions: Vec<Question>,
    by_id: HashMap<String, usize>,
}

impl Bank {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// Where the question `id` is in [`Bank::questions`].
    pub fn place_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Questions to ask: of one topic (or all topics when `topic` is
    /// `None`), retired ones left out.
    pub fn askable<'a>(
        &'a self,
        topic: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions_in(topic).filter(|q| !q.retired)
    }

    /// Questions of one topic, or of all topics when `topic` is `None`,
    /// retired ones included.
    pub fn questions_in<'a>(
        &'a self,
        topic: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions
            .iter()
            .filter(move |q| topic.is_none_or(|t| q.topic == t))
    }

    /// Loads every `*.toml` under `dir` (sorted by path). Returns the bank
    /// built from the valid questions together with every problem found.
    pub fn load_dir(dir: &Path) -> (Bank, Vec<Diagnostic>) {
        let mut loader = Loader::default();
        match toml_files(dir) {
            Ok(files) => {
                if files.is_empty() {
                    loader.diagnostics.push(Diagnostic::error(
                        dir,
                        Position::START,
                        "no question bank files (*.toml) in this directory",
                    ));
                }
                for path in files {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => loader.add_file(&path, &text),
                        Err(err) => loader.diagnostics.push(Diagnostic::error(
                            &path,
                            Position::START,
                            format!("cannot read file: {err}"),
                        )),
                    }
                }
            }
            Err(err) => loader.diagnostics.push(Diagnostic::error(
                dir,
                Position::START,
                format!("cannot read question directory: {err}"),
            )),
        }
        loader.finish()
    }

    /// Parses bank files given as `(path, text)`, as [`Bank::load_dir`] does.
    pub fn parse_files<'a>(
        files: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> (Bank, Vec<Diagnostic>) {
        let mut loader = Loader::default();
        for (path, text) in files {
            loader.add_file(path, text);
        }
        loader.finish()
    }
}

fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    topic: Spanned<RawTopic>,
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    /// The exam domain of the topic's questions that do not name their own.
    #[serde(default)]
    domain: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    prompt: Spanned<String>,
    choices: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    answer: Option<Spanned<i64>>,
    #[serde(default)]
    answers: Option<Spanned<Vec<Spanned<i64>>>>,
    explanation: Spanned<String>,
    /// `"file.md#heading"` or a list of up to [`MAX_SOURCES`] of them,
    /// read as a value: an untagged enum would lose the spans.
    #[serde(default)]
    source: Option<Spanned<toml::Value>>,
    #[serde(default)]
    difficulty: Option<Spanned<String>>,
    #[serde(default)]
    domain: Option<Spanned<String>>,
    #[serde(default)]
    retired: bool,
}

/// What a bank file's `[topic]` gives its questions.
struct TopicDefaults {
    id: String,
    domain: Option<Domain>,
}

/// Where a question id was first defined, to report duplicates.
struct FirstDefinition {
    path: PathBuf,
    position: Position,
}

#[derive(Default)]
struct Loader {
    bank: Bank,
    diagnostics: Vec<Diagnostic>,
    question_ids: HashMap<String, FirstDefinition>,
    topic_ids: HashMap<String, FirstDefinition>,
}

/// Reports against one file's text.
struct FileContext<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
}

impl FileContext<'_> {
    fn at(&self, span: Range<usize>) -> Position {
        self.lines.position(self.text, span.start)
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, self.at(span), message)
    }
}

impl Loader {
    fn add_file(&mut self, path: &Path, text: &str) {
        let file = FileContext {
            path,
            text,
            lines: LineIndex::new(text),
        };
        let raw: RawBank = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                let position = err.span().map_or(Position::START, |s| file.at(s));
                self.diagnostics
                    .push(Diagnostic::error(path, position, toml_message(&err)));
                return;
            }
        };
        let Some(topic) = self.add_topic(&file, raw.topic) else {
            return;
        };
        for question in raw.question {
            if let Some(question) = self.check_question(&file, &topic, question) {
                self.bank
                    .by_id
                    .insert(question.id.clone(), self.bank.questions.len());
                self.bank.questions.push(question);
            }
        }
    }

    fn add_topic(&mut self, file: &FileContext, raw: Spanned<RawTopic>) -> Option<TopicDefaults> {
        let raw = raw.into_inner();
        let mut ok = true;
        let domain = raw
            .domain
            .as_ref()
            .and_then(|value| self.check_domain(file, value));
        if raw.domain.is_some() && domain.is_none() {
            ok = false;
        }
        let id = raw.id.get_ref().trim().to_string();
        if let Some(problem) = id_problem(&id) {
            self.diagnostics
                .push(file.error(raw.id.span(), format!("topic id {problem}")));
            ok = false;
        }
        if raw.name.get_ref().trim().is_empty() {
            self.diagnostics
                .push(file.error(raw.name.span(), "topic name is empty"));
            ok = false;
        }
        if ok {
            let position = file.at(raw.id.span());
            if let Some(first) = self.topic_ids.get(&id) {
                self.diagnostics.push(file.error(
                    raw.id.span(),
                    format!(
                        "duplicate topic id `{id}` (first defined at {}:{}:{})",
                        first.path.display(),
                        first.position.line,
                        first.position.column
                    ),
                ));
                return None;
            }
            self.topic_ids.insert(
                id.clone(),
                FirstDefinition {
                    path: file.path.to_path_buf(),
                    position,
                },
            );
        }
        if !ok {
            // The questions are still checked, against a placeholder topic, so
            // one bad topic line does not hide the file's other problems.
            return Some(TopicDefaults {
                id: String::new(),
                domain,
            });
        }
        self.bank.topics.push(Topic {
            id: id.clone(),
            name: raw.name.into_inner().trim().to_string(),
            description: raw
                .description
                .map(|d| d.into_inner().trim().to_string())
                .unwrap_or_default(),
            path: file.path.to_path_buf(),
        });
        Some(TopicDefaults { id, domain })
    }

    /// The domain a `domain` value names, or an error at it.
    fn check_domain(&mut self, file: &FileContext, value: &Spanned<String>) -> Option<Domain> {
        let parsed = Domain::parse(value.get_ref().trim());
        if parsed.is_none() {
            self.diagnostics.push(file.error(
                value.span(),
                format!(
                    "unknown domain \"{}\" (expected concepts, security, technology or billing)",
                    value.get_ref()
                ),
            ));
        }
        parsed
    }

    fn check_question(
        &mut self,
        file: &FileContext,
        topic: &TopicDefaults,
        raw: Spanned<RawQuestion>,
    ) -> Option<Question> {
        let table_span = raw.span();
        let raw = raw.into_inner();
        let before = self.diagnostics.len();

        let id = raw.id.get_ref().trim().to_string();
        let id_position = file.at(raw.id.span());
        if let Some(problem) = id_problem(&id) {
            self.diagnostics
                .push(file.error(raw.id.span(), format!("question id {problem}")));
        } else if let Some(first) = self.question_ids.get(&id) {
            self.diagnostics.push(file.error(
                raw.id.span(),
                format!(
                    "duplicate question id `{id}` (first defined at {}:{}:{})",
                    first.path.display(),
                    first.position.line,
                    first.position.column
                ),
            ));
        } else {
            self.question_ids.insert(
                id.clone(),
                FirstDefinition {
                    path: file.path.to_path_buf(),
                    position: id_position,
                },
            );
        }

        for (field, value) in [("prompt", &raw.prompt), ("explanation", &raw.explanation)] {
            if value.get_ref().trim().is_empty() {
                self.diagnostics
                    .push(file.error(value.span(), format!("{field} is empty")));
            }
        }

        let choices = raw.choices.get_ref();
        if !CHOICES.contains(&choices.len()) {
            self.diagnostics.push(file.error(
                raw.choices.span(),
                format!(
                    "a question needs {} to {} choices, this one has {}",
                    CHOICES.start(),
                    CHOICES.end(),
                    choices.len()
                ),
            ));
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, choice) in choices.iter().enumerate() {
            let text = choice.get_ref().trim();
            if text.is_empty() {
                self.diagnostics.push(file.error(
                    choice.span(),
                    format!("choice {} is empty", Question::letter(index)),
                ));
            } else if let Some(&first) = seen.get(text) {
                self.diagnostics.push(file.error(
                    choice.span(),
                    format!(
                        "choice {} repeats choice {}: \"{text}\"",
                        Question::letter(index),
                        Question::letter(first)
                    ),
                ));
            } else {
                seen.insert(text.to_string(), index);
            }
        }

        let correct = self.check_answer(file, table_span.clone(), &raw, choices.len());

        let difficulty = match &raw.difficulty {
            None => Some(Difficulty::Medium),
            Some(value) => {
                let parsed = Difficulty::parse(value.get_ref().trim());
                if parsed.is_none() {
                    self.diagnostics.push(file.error(
                        value.span(),
                        format!(
                            "unknown difficulty \"{}\" (expected easy, medium or hard)",
                            value.get_ref()
                        ),
                    ));
                }
                parsed
            }
        };

        let domain = match &raw.domain {
            Some(value) => self.check_domain(file, value).map(Some),
            None => Some(topic.domain),
        };

        let sources = self.check_sources(file, raw.source.as_ref());

        if self.diagnostics.len() > before || topic.id.is_empty() {
            return None;
        }
        Some(Question {
            id,
            topic: topic.id.clone(),
            prompt: raw.prompt.into_inner().trim().to_string(),
            choices: raw
                .choices
                .into_inner()
                .into_iter()
                .map(|c| c.into_inner().trim().to_string())
                .collect(),
            correct: correct?,
            explanation: raw.explanation.into_inner().trim().to_string(),
            sources,
            difficulty: difficulty?,
            domain: domain?,
            retired: raw.retired,
            path: file.path.to_path_buf(),
            line: file.at(table_span).line,
            id_position,
        })
    }

    /// The notes references of a `source` value: one string, or a list of
    /// up to [`MAX_SOURCES`].
    fn check_sources(
        &mut self,
        file: &FileContext,
        raw: Option<&Spanned<toml::Value>>,
    ) -> Vec<NoteRef> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let span = raw.span();
        let values: Vec<(String, Range<usize>)> = match raw.get_ref() {
            toml::Value::String(text) => vec![(text.clone(), span)],
            toml::Value::Array(list) if (1..=MAX_SOURCES).contains(&list.len()) => {
                let texts: Option<Vec<_>> = list
                    .iter()
                    .map(|v| v.as_str().map(|t| (t.to_string(), span.clone())))
                    .collect();
                match texts {
                    Some(texts) => texts,
                    None => {
                        self.diagnostics
                            .push(file.error(span, "`source` lists notes sections as strings"));
                        return Vec::new();
                    }
                }
            }
            toml::Value::Array(list) => {
                self.diagnostics.push(file.error(
                    span,
                    format!(
                        "`source` names 1 to {MAX_SOURCES} notes sections, this one {}",
                        list.len()
                    ),
                ));
                return Vec::new();
            }
            _ => {
                self.diagnostics
                    .push(file.error(span, "`source` is \"file.md#heading\" or a list of them"));
                return Vec::new();
            }
        };
        let mut sources = Vec::new();
        for (text, span) in values {
            if text.trim().is_empty() {
                self.diagnostics.push(file.error(span, "source is empty"));
            } else {
                sources.push(NoteRef::parse(&text, file.at(span)));
            }
        }
        sources
    }

    /// Validates `answer`/`answers` and returns the sorted correct indices.
    fn check_answer(
        &mut self,
        file: &FileContext,
        table_span: Range<usize>,
        raw: &RawQuestion,
        choice_count: usize,
    ) -> Option<Vec<usize>> {
        let in_range = |value: &Spanned<i64>, this: &mut Self| -> Option<usize> {
            let index = *value.get_ref();
            if index < 0 || index as usize >= choice_count {
                this.diagnostics.push(file.error(
                    value.span(),
                    format!(
                        "answer index {index} is out of range: choices are numbered 0 to {}",
                        choice_count.saturating_sub(1)
                    ),
                ));
                None
            } else {
                Some(index as usize)
            }
        };
        match (&raw.answer, &raw.answers) {
            (Some(_), Some(answers)) => {
                self.diagnostics.push(file.error(
                    answers.span(),
                    "give either `answer` (one correct choice) or `answers` (several), not both",
                ));
                None
            }
            (None, None) => {
                self.diagnostics.push(file.error(
                    table_span,
                    "missing `answer` (index of the correct choice) or `answers` (indices for \"choose N\")",
                ));
                None
            }
            (Some(answer), None) => in_range(answer, self).map(|i| vec![i]),
            (None, Some(answers)) => {
                let list = answers.get_ref();
                if list.len() < 2 {
                    self.diagnostics.push(file.error(
                        answers.span(),
                        "`answers` needs at least two indices; use `answer` for a single correct choice",
                    ));
                    return None;
                }
                if list.len() >= choice_count {
                    self.diagnostics.push(file.error(
                        answers.span(),
                        "`answers` marks every choice correct; at least one choice must be wrong",
                    ));
                    return None;
                }
                let mut indices = Vec::new();
                let mut ok = true;
                for value in list {
                    match in_range(value, self) {
                        Some(i) if indices.contains(&i) => {
                            self.diagnostics.push(
                                file.error(
                                    value.span(),
                                    format!("answer index {i} is listed twice"),
                                ),
                            );
                            ok = false;
                        }
                        Some(i) => indices.push(i),
                        None => ok = false,
                    }
                }
                indices.sort_unstable();
                ok.then_some(indices)
            }
        }
    }

    fn finish(mut self) -> (Bank, Vec<Diagnostic>) {
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        (self.bank, self.diagnostics)
    }
}

/// Why an id is unusable, if it is.
fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("is empty".into());
    }
    if id.len() > MAX_ID_LEN {
        return Some(format!("`{id}` is longer than {MAX_ID_LEN} characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
    {
        return Some(format!(
            "`{id}` may use only lowercase ASCII letters, digits, `-`, `_` and `.`"
        ));
    }
    None
}

/// The toml error's message without its own rendering of the source line.
fn toml_message(err: &toml::de::Error) -> String {
    let message = err.message().trim();
    let message = message.lines().next().unwrap_or(message);
    format!("TOML: {message}")
}
