//! Markdown notes → sections: what a reader would call a section, with the
//! heading path over it and the source line of every piece of text.
//!
//! Real study notes bend markdown: headings inside list items (`- #### ECS`),
//! bold list items used as headings (`- **Amazon MQ**` over sub-bullets),
//! one-line blockquotes used as headings (`> AWS Lambda`), a lone short
//! bullet over paragraphs (`- 리전`), bullets indented four spaces that
//! CommonMark reads as a code block, `<mark>` tags, tables and images.
//! Parsing runs in two passes: pulldown-cmark's events become a flat list of
//! [`Block`]s (text lines with their line numbers, plus what the block sat
//! in), then [`sections`] decides which blocks act as headings and groups
//! the rest under them.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostic::LineIndex;

/// One line of note text, with its 1-based source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteLine {
    pub number: usize,
    pub text: String,
}

/// A section of one notes file: the text under one heading path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Path relative to the notes directory, with `/` separators.
    pub file: String,
    /// Headings from the outermost to this section's own; empty for text
    /// before a file's first heading.
    pub headings: Vec<String>,
    /// First source line: the heading's, or the first text line's.
    pub start_line: usize,
    /// Last source line holding text of this section.
    pub end_line: usize,
    pub lines: Vec<NoteLine>,
}

impl Section {
    /// The heading path as shown to users: `AWS 서비스 > Amazon SQS`.
    pub fn heading_path(&self) -> String {
        if self.headings.is_empty() {
            self.file.clone()
        } else {
            self.headings.join(" > ")
        }
    }

    /// This section's own heading, if it has one.
    pub fn heading(&self) -> Option<&str> {
        self.headings.last().map(String::as_str)
    }
}

/// Splits one markdown file into sections.
pub fn parse_file(file: &str, source: &str) -> Vec<Section> {
    // Notes pasted from web pages carry no-break spaces where indentation
    // and spacing should be; CommonMark does not count them as either. Two
    // ASCII spaces take the same two bytes, so offsets stay true.
    let normalized;
    let source = if source.contains('\u{a0}') {
        normalized = source.replace('\u{a0}', "  ");
        normalized.as_str()
    } else {
        source
    };
    let blocks = blocks(source);
    sections(file, source, &blocks)
}

/// Longest first line of a bold list item that still reads as a heading.
const BOLD_HEADING_MAX_CHARS: usize = 60;
/// Longest line of a lone bullet or blockquote that still reads as a heading.
const LINE_HEADING_MAX_CHARS: usize = 50;
/// Longest lone bullet over paragraphs that reads as a heading (`- 리전`).
const BULLET_HEADING_MAX_CHARS: usize = 25;

#[derive(Debug, Clone, PartialEq, Eq)]
enum BlockKind {
    Heading(u8),
    Text,
}

/// What a text block was the first text of: a list item.
#[derive(Debug, Clone, Default)]
struct ItemLead {
    /// 0 for a top-level list's items.
    depth: usize,
    /// The item's text opens with bold (`- **Amazon MQ**`).
    starts_strong: bool,
    /// The item has a nested list under its text.
    has_children: bool,
    /// Items in the item's list.
    siblings: usize,
}

#[derive(Debug, Clone)]
struct Block {
    kind: BlockKind,
    lines: Vec<NoteLine>,
    lead: Option<ItemLead>,
    in_quote: bool,
}

/// Text being gathered for the next block.
#[derive(Default)]
struct Pending {
    lines: Vec<NoteLine>,
    current: String,
    current_line: usize,
    starts_strong: bool,
}

impl Pending {
    fn push_text(&mut self, text: &str, line: usize) {
        if self.current.is_empty() {
            self.current_line = line;
        }
        self.current.push_str(text);
    }

    fn break_line(&mut self) {
        let text = clean_spaces(&self.current);
        if !text.is_empty() {
            self.lines.push(NoteLine {
                number: self.current_line,
                text,
            });
        }
        self.current.clear();
    }

    /// Only whitespace or emoji so far: bold now still opens the text.
    fn is_blank(&self) -> bool {
        self.lines.is_empty()
            && self
                .current
                .chars()
                .all(|c| c.is_whitespace() || is_symbol(c))
    }
}

struct ItemState {
    depth: usize,
    awaiting_lead: bool,
    lead_block: Option<usize>,
}

struct TableState {
    header: Vec<String>,
    row: Vec<String>,
    cell: String,
    in_head: bool,
    row_line: usize,
}

struct BlockBuilder {
    index: LineIndex,
    blocks: Vec<Block>,
    pending: Pending,
    heading: Option<u8>,
    quote_depth: usize,
    lists: Vec<Vec<usize>>,
    list_items: Vec<usize>,
    items: Vec<ItemState>,
    skip_depth: usize,
    code: bool,
    table: Option<TableState>,
}

fn blocks(source: &str) -> Vec<Block> {
    let mut builder = BlockBuilder {
        index: LineIndex::new(source),
        blocks: Vec::new(),
        pending: Pending::default(),
        heading: None,
        quote_depth: 0,
        lists: Vec::new(),
        list_items: Vec::new(),
        items: Vec::new(),
        skip_depth: 0,
        code: false,
        table: None,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        builder.event(event, range);
    }
    builder.flush();
    builder.blocks
}

impl BlockBuilder {
    fn line(&self, offset: usize) -> usize {
        self.index.line(offset)
    }

    fn event(&mut self, event: Event, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) => self.text(&text, range),
            Event::Html(html) | Event::InlineHtml(html) => {
                let text = strip_tags(&html);
                if !text.trim().is_empty() {
                    self.text(&text, range);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(table) = &mut self.table {
                    table.cell.push(' ');
                } else {
                    self.pending.break_line();
                }
            }
            Event::Rule => self.flush(),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag, range: Range<usize>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some(heading_level(level));
            }
            Tag::Paragraph | Tag::HtmlBlock => self.flush(),
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                self.code = true;
                // An indented block's text starts on its own first line; a
                // fenced one's on the line after the fence.
                if let CodeBlockKind::Fenced(_) = kind {
                    self.pending.current_line = self.line(range.start) + 1;
                }
            }
            Tag::List(_) => {
                self.flush();
                if let Some(lead) = self.items.last().and_then(|item| item.lead_block) {
                    if let Some(lead) = self.blocks[lead].lead.as_mut() {
                        lead.has_children = true;
                    }
                }
                self.lists.push(Vec::new());
                self.list_items.push(0);
            }
            Tag::Item => {
                self.flush();
                if let Some(count) = self.list_items.last_mut() {
                    *count += 1;
                }
                self.items.push(ItemState {
                    depth: self.lists.len().saturating_sub(1),
                    awaiting_lead: true,
                    lead_block: None,
                });
            }
            Tag::Strong => {
                let awaiting = self.items.last().is_some_and(|i| i.awaiting_lead);
                if awaiting && self.heading.is_none() && self.pending.is_blank() {
                    self.pending.starts_strong = true;
                }
            }
            Tag::Image { .. } | Tag::Strikethrough => self.skip_depth += 1,
            Tag::Table(_) => {
                self.flush();
                self.table = Some(TableState {
                    header: Vec::new(),
                    row: Vec::new(),
                    cell: String::new(),
                    in_head: false,
                    row_line: self.line(range.start),
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.in_head = matches!(tag, Tag::TableHead);
                    table.row.clear();
                    table.row_line = self.index.line(range.start);
                }
            }
            Tag::TableCell => {
                if let Some(table) = &mut self.table {
                    table.cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush();
                self.heading = None;
            }
            TagEnd::Paragraph | TagEnd::HtmlBlock => self.flush(),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.flush();
                self.code = false;
            }
            TagEnd::Item => {
                self.flush();
                self.items.pop();
            }
            TagEnd::List(_) => {
                self.flush();
                let leads = self.lists.pop().unwrap_or_default();
                let count = self.list_items.pop().unwrap_or(0);
                for lead in leads {
                    if let Some(lead) = self.blocks[lead].lead.as_mut() {
                        lead.siblings = count;
                    }
                }
            }
            TagEnd::Image | TagEnd::Strikethrough => {
                self.skip_depth = self.skip_depth.saturating_sub(1)
            }
            TagEnd::TableCell => {
                if let Some(table) = &mut self.table {
                    let cell = clean_spaces(&table.cell);
                    table.row.push(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => self.table_row(),
            TagEnd::Table => {
                self.table = None;
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, range: Range<usize>) {
        if self.skip_depth > 0 {
            return;
        }
        if let Some(table) = &mut self.table {
            table.cell.push_str(text);
            return;
        }
        if self.code {
            // Bullets indented four spaces arrive here as a code block: keep
            // each as a line of text, without its indentation and marker.
            let first = if self.pending.current_line > 0 && self.pending.lines.is_empty() {
                self.pending.current_line
            } else {
                self.line(range.start)
            };
            for (offset, line) in text.lines().enumerate() {
                let text = strip_bullet(line.trim());
                if !text.is_empty() {
                    self.pending.lines.push(NoteLine {
                        number: first + offset,
                        text: clean_spaces(text),
                    });
                }
            }
            self.pending.current_line = 0;
            return;
        }
        let line = self.line(range.start);
        self.pending.push_text(text, line);
    }

    fn table_row(&mut self) {
        let Some(table) = &mut self.table else {
            return;
        };
        let row = std::mem::take(&mut table.row);
        if table.in_head {
            table.header = row.clone();
        }
        let text = if table.in_head || table.header.is_empty() {
            row.iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ")
        } else {
            // Each cell with its column's name, so a line read alone (in an
            // excerpt) still says which column it came from.
            row.iter()
                .enumerate()
                .filter(|(_, c)| !c.is_empty())
                .map(
                    |(i, c)| match table.header.get(i).filter(|h| !h.is_empty()) {
                        Some(h) => format!("{h}: {c}"),
                        None => c.clone(),
                    },
                )
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let number = table.row_line;
        table.in_head = false;
        if !text.is_empty() {
            self.pending.lines.push(NoteLine { number, text });
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.pending.break_line();
        let pending = std::mem::take(&mut self.pending);
        if pending.lines.is_empty() {
            return;
        }
        let kind = match self.heading {
            Some(level) => BlockKind::Heading(level),
            None => BlockKind::Text,
        };
        let index = self.blocks.len();
        let mut lead = None;
        if let Some(item) = self.items.last_mut() {
            if item.awaiting_lead {
                item.awaiting_lead = false;
                if kind == BlockKind::Text {
                    item.lead_block = Some(index);
                    lead = Some(ItemLead {
                        depth: item.depth,
                        starts_strong: pending.starts_strong,
                        has_children: false,
                        siblings: 1,
                    });
                    if let Some(list) = self.lists.last_mut() {
                        list.push(index);
                    }
                }
            }
        }
        self.blocks.push(Block {
            kind,
            lines: pending.lines,
            lead,
            in_quote: self.quote_depth > 0,
        });
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading a block acts as, and how many of its lines it takes.
struct ImpliedHeading {
    level: u8,
    text: String,
}

/// Groups blocks under headings, real and implied.
fn sections(file: &str, source: &str, blocks: &[Block]) -> Vec<Section> {
    let index = LineIndex::new(source);
    let source_line = |number: usize| &source[index.line_span(source, number)];
    let mut sections: Vec<Section> = Vec::new();
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut base_level = 0u8;
    let mut current = Section {
        file: file.to_string(),
        headings: Vec::new(),
        start_line: 1,
        end_line: 1,
        lines: Vec::new(),
    };

    let mut open = |level: u8,
                    text: String,
                    line: usize,
                    current: &mut Section,
                    stack: &mut Vec<(u8, String)>| {
        let done = std::mem::replace(
            current,
            Section {
                file: file.to_string(),
                headings: Vec::new(),
                start_line: line,
                end_line: line,
                lines: Vec::new(),
            },
        );
        if !done.lines.is_empty() || !done.headings.is_empty() {
            sections.push(done);
        }
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            stack.pop();
        }
        stack.push((level, text));
        current.headings = stack.iter().map(|(_, t)| t.clone()).collect();
    };

    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        match block.kind {
            BlockKind::Heading(level) => {
                let text = heading_text(
                    &block
                        .lines
                        .iter()
                        .map(|l| l.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                base_level = level;
                if text.is_empty() {
                    continue;
                }
                open(level, text, block.lines[0].number, &mut current, &mut stack);
            }
            BlockKind::Text => {
                let mut lines = block.lines.as_slice();
                if let Some(implied) = implied_heading(block, next, base_level, &source_line) {
                    open(
                        implied.level,
                        implied.text,
                        lines[0].number,
                        &mut current,
                        &mut stack,
                    );
                    lines = &lines[1..];
                }
                if current.lines.is_empty() && current.headings.is_empty() {
                    if let Some(first) = lines.first() {
                        current.start_line = first.number;
                    }
                }
                current.lines.extend(lines.iter().cloned());
            }
        }
        if let Some(last) = block.lines.last() {
            current.end_line = current.end_line.max(last.number);
        }
    }
    if !current.lines.is_empty() || !current.headings.is_empty() {
        sections.push(current);
    }
    sections
}

/// Whether a text block is really a heading in disguise.
fn implied_heading<'s>(
    block: &Block,
    next: Option<&Block>,
    base_level: u8,
    source_line: &dyn Fn(usize) -> &'s str,
) -> Option<ImpliedHeading> {
    let first = block.lines.first()?;
    let text = heading_text(&first.text);
    let chars = text.chars().count();
    if text.is_empty() {
        return None;
    }
    let next_is_text = next.is_some_and(|n| n.kind == BlockKind::Text);
    // The second line was not marked as a continuation of the first
    // (no `>` or indentation): it is text under the first line.
    let second_is_lazy = |marker: &dyn Fn(&str) -> bool| {
        block
            .lines
            .get(1)
            .is_some_and(|second| !marker(source_line(second.number)))
    };

    if let Some(lead) = &block.lead {
        let level = base_level.saturating_add(1 + lead.depth as u8);
        // `- **Amazon MQ**` over sub-bullets (bold says "heading" even
        // with a stray full stop: `- **Amazon Inspector.**`).
        if lead.starts_strong && lead.has_children && chars <= BOLD_HEADING_MAX_CHARS {
            let text = text.trim_end_matches('.').trim_end().to_string();
            return Some(ImpliedHeading { level, text });
        }
        if ends_like_sentence(&text) {
            return None;
        }
        // `- 리전` alone, with the text under it as paragraphs.
        let continues = |line: &str| line.starts_with([' ', '\t', '-', '*', '+']);
        let lone = lead.siblings == 1 && !lead.has_children;
        if lone
            && chars <= BULLET_HEADING_MAX_CHARS
            && ((block.lines.len() == 1
                && next
                    .is_some_and(|n| n.kind == BlockKind::Text && n.lead.is_none() && !n.in_quote))
                || second_is_lazy(&continues))
        {
            return Some(ImpliedHeading { level, text });
        }
        return None;
    }

    if block.in_quote && chars <= LINE_HEADING_MAX_CHARS && !ends_like_sentence(&text) {
        let quoted = |line: &str| line.trim_start().starts_with('>');
        if (block.lines.len() == 1 && next_is_text) || second_is_lazy(&quoted) {
            return Some(ImpliedHeading {
                level: base_level.saturating_add(1),
                text,
            });
        }
    }
    None
}

fn ends_like_sentence(text: &str) -> bool {
    text.ends_with(['.', '。', '!', '?', ':', ','])
        || text.ends_with("니다")
        || text.ends_with("요")
}

/// A heading's text as shown: no emoji, single spaces, no trailing colon.
fn heading_text(text: &str) -> String {
    let without_symbols: String = text.chars().filter(|&c| !is_symbol(c)).collect();
    clean_spaces(&without_symbols)
        .trim_end_matches([':', ' '])
        .to_string()
}

/// Emoji and pictographs, which decorate headings but are not their words.
fn is_symbol(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE00..=0xFE0F | 0x200D | 0x20E3)
}

fn clean_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_bullet(line: &str) -> &str {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    if line == "-" || line == "*" {
        return "";
    }
    line
}

/// Drops HTML tags, keeping the text between them.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
