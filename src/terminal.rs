//! The quiz in a terminal: `quizbot play`, `quizbot review`,
//! `quizbot mock`, `quizbot leaderboard` and `quizbot stats`, over the
//! same [`Service`] as Discord and Slack; and every other view the
//! command line prints (schedules, question figures): all terminal
//! printing is here, `cli` only parses and dispatches.
//!
//! The terminal is one community (`local`) whose players are named by the
//! `--user` flag. This module only reads typed answers and lays out the
//! views the service returns: the service decides and records, and every
//! sentence comes from the views or [`crate::i18n`]. Input and output are
//! passed in, so tests drive the same code as the binary. Every answer is
//! recorded as soon as it is given; quitting (`q` or end of input) keeps
//! what was answered.

use std::io::{BufRead, Write};

use chrono::Utc;
use unicode_width::UnicodeWidthStr;

use crate::action::{Action, Flagged};
use crate::identity::{ExternalId, Identity, Platform};
use crate::quiz::{self, Period};
use crate::refusal::Refusal;
use crate::report::ReportReason;
use crate::service::{Caller, Click, Service, ServiceError};
use crate::view::{
    AnswerInput, Board, ChoiceField, ExcerptView, Feedback, ListField, MockCard, MockResultPage,
    MockStep, NextStep, QuestionCard, QuestionStatsReport, ReadinessBoard, ReviewStart,
    ScheduleLine, StatsCard, SummaryView,
};

/// The terminal's one community.
pub const TERMINAL_COMMUNITY: &str = "local";

/// Why a terminal command stopped.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// Refused or failed by the service; its user message says which.
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("terminal I/O failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What `quizbot play` was asked for.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    pub topic: Option<String>,
    pub count: usize,
    pub user: String,
    /// From the player's weakest topics instead of `topic`.
    pub weak: bool,
}

/// A terminal player: `user` in the terminal community.
pub fn identity(user: &str) -> Identity {
    Identity {
        platform: Platform::Terminal,
        community: ExternalId::new(TERMINAL_COMMUNITY),
        user: ExternalId::new(user),
    }
}

/// Whoever runs the binary administers the terminal community.
pub fn caller(user: &str) -> Caller {
    Caller {
        identity: identity(user),
        name: user.to_string(),
        admin: true,
        language: None,
    }
}

/// Plays one session. Returns how many questions were answered.
pub async fn play(
    service: &Service,
    options: &PlayOptions,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<usize, TerminalError> {
    let caller = caller(&options.user);
    let card = if options.weak {
        service.start_weak(&caller, Some(options.count)).await?
    } else {
        service
            .start_quiz(&caller, options.topic.as_deref(), Some(options.count))
            .await?
    };
    play_session(service, &caller, card, input, output).await
}

/// Plays a review session of `user`'s due cards (`count` at most). When
/// nothing is due, says when the next card is, and that `quizbot play`
/// starts a quiz. Returns how many questions were answered.
pub async fn review(
    service: &Service,
    user: &str,
    count: usize,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<usize, TerminalError> {
    let caller = caller(user);
    match service.start_review(&caller, Some(count)).await? {
        ReviewStart::Card(card) => play_session(service, &caller, *card, input, output).await,
        ReviewStart::NothingDue(nothing) => {
            writeln!(output, "{}", nothing.text)?;
            writeln!(output, "→ quizbot play")?;
            output.flush()?;
            Ok(0)
        }
    }
}

/// Plays a session from its first `card` to the summary.
async fn play_session(
    service: &Service,
    caller: &Caller,
    mut card: QuestionCard,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<usize, TerminalError> {
    let texts = service.texts_of(&caller.identity);
    let mut answered = 0;
    let mut previous = None;
    let summary = loop {
        write_card(output, &card)?;
        let Some(feedback) = answer_card(service, caller, &card, previous, input, output).await?
        else {
            writeln!(output, "\n{}", texts.saved_and_quit())?;
            break service.finish(caller, card.session).await?;
        };
        answered += 1;
        previous = Some(feedback.report.action);
        write_feedback(output, &feedback)?;
        if let Some(summary) = feedback.summary {
            break summary;
        }
        writeln!(output, "{}", texts.report_hint())?;
        match next_step(service, caller, card.session).await? {
            NextStep::Card(next) => card = *next,
            NextStep::Summary(summary) => break summary,
        }
    };
    write_summary(output, &summary)?;
    // The last question can be reported here; an empty line (or the end
    // of input) ends.
    if let Some(Action::Flag(flagged)) = previous {
        write!(output, "{}", texts.report_last_prompt())?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? > 0 && line.trim() == "!" {
            report_dialog(service, caller, flagged, input, output).await?;
        }
    }
    output.flush()?;
    Ok(answered)
}

/// How many times the terminal asks for the next card before giving up.
const NEXT_TRIES: u32 = 3;
/// The wait between those tries.
const NEXT_RETRY_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The session's next card or its summary; asked again after a moment
/// when the database failed (the answer before it is recorded already).
async fn next_step(
    service: &Service,
    caller: &Caller,
    session: i64,
) -> Result<NextStep, ServiceError> {
    let mut tries = 1;
    loop {
        match service.next(caller, session).await {
            Err(err @ ServiceError::Failed { .. }) if tries < NEXT_TRIES => {
                err.log("moving on in the terminal");
                tries += 1;
                tokio::time::sleep(NEXT_RETRY_WAIT).await;
            }
            step => return step,
        }
    }
}

/// Asks why the question is reported (a number, then optional details)
/// and files the report. A refusal is shown and play goes on.
async fn report_dialog(
    service: &Service,
    caller: &Caller,
    flagged: Flagged,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let texts = service.texts_of(&caller.identity);
    let form = match service.report_form(caller, flagged).await {
        Ok(form) => form,
        Err(ServiceError::Refused(refusal)) => {
            writeln!(output, "{}", texts.refusal(&refusal))?;
            return Ok(());
        }
        Err(err) => return Err(err.into()),
    };
    writeln!(output, "\n🚩 {}: {}", form.title, form.prompt)?;
    writeln!(output, "{}", form.question)?;
    for (number, (_, label)) in form.reasons.iter().enumerate() {
        writeln!(output, "  {}) {label}", number + 1)?;
    }
    let reason = loop {
        write!(output, "{}", texts.report_reason_prompt(form.reasons.len()))?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 || line.trim().is_empty() {
            writeln!(output, "{}", texts.report_cancelled())?;
            return Ok(());
        }
        if let Some(reason) = line
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(ReportReason::from_number)
        {
            break reason;
        }
    };
    write!(output, "{} > ", form.details_label)?;
    output.flush()?;
    let mut details = String::new();
    input.read_line(&mut details)?;
    let thanks = service.report(caller, flagged, reason, &details).await?;
    writeln!(output, "{thanks}")?;
    Ok(())
}

/// Reads answers to `card` until the service takes one; `None` when the
/// player quits. An answer the service refuses as malformed (too few
/// letters, one twice) asks again.
async fn answer_card(
    service: &Service,
    caller: &Caller,
    card: &QuestionCard,
    previous: Option<Action>,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<Option<Feedback>, TerminalError> {
    let texts = service.texts_of(&caller.identity);
    let click = Click {
        interaction_id: None,
        shown_at: Some(Utc::now()),
    };
    let choices = card.question.choices.len();
    let picks = match &card.input {
        AnswerInput::Pick { picks, .. } => *picks,
        AnswerInput::Buttons(_) => 1,
    };
    loop {
        write!(output, "{}", texts.answer_prompt(picks))?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim();
        if matches!(line.to_lowercase().as_str(), "q" | "quit" | "exit" | "ㅂ") {
            return Ok(None);
        }
        if let (Some(Action::Flag(flagged)), "!") = (previous, line) {
            report_dialog(service, caller, flagged, input, output).await?;
            continue;
        }
        if let Some(chosen) = quiz::parse_letters(line, choices) {
            match service
                .answer(caller, card.session, card.position, &chosen, &click)
                .await
            {
                Ok(feedback) => return Ok(Some(feedback)),
                Err(ServiceError::Refused(Refusal::WrongCount { .. } | Refusal::BadChoice)) => {}
                // Not recorded (the database was busy or away): the player
                // is told so and answers the same card again.
                Err(err @ ServiceError::Failed { .. }) => {
                    err.log("answering in the terminal");
                    writeln!(output, "{}", err.user_message(texts))?;
                    continue;
                }
                Err(err) => return Err(err.into()),
            }
        }
        writeln!(output, "{}", texts.invalid_answer(choices, picks))?;
    }
}

fn write_card(output: &mut impl Write, card: &QuestionCard) -> std::io::Result<()> {
    let question = &card.question;
    writeln!(output)?;
    writeln!(output, "[{}]", card.heading)?;
    writeln!(output, "{}", question.prompt)?;
    if let Some(hint) = &question.choose_hint {
        writeln!(output, "({hint})")?;
    }
    for choice in &question.choices {
        writeln!(output, "  {}) {}", choice.letter, choice.text)?;
    }
    if let Some(note) = &card.note {
        writeln!(output, "  ({note})")?;
    }
    Ok(())
}

fn write_feedback(output: &mut impl Write, feedback: &Feedback) -> std::io::Result<()> {
    writeln!(output)?;
    if let Some(notice) = &feedback.notice {
        writeln!(output, "{notice}")?;
    }
    let mark = if feedback.correct { '✔' } else { '✘' };
    writeln!(output, "{mark} {}", feedback.verdict)?;
    if let Some(yours) = &feedback.your_answer {
        write_choices(output, yours)?;
    }
    write_choices(output, &feedback.right_answer)?;
    write_list(output, &feedback.explanation)?;
    for excerpt in &feedback.excerpts {
        write_excerpt(output, excerpt)?;
    }
    if let Some(score) = &feedback.score {
        writeln!(output, "{score}")?;
    }
    Ok(())
}

/// `정답: A) …` on one line, or the label over one line per choice.
fn write_choices(output: &mut impl Write, field: &ChoiceField) -> std::io::Result<()> {
    match field.choices.as_slice() {
        [choice] => writeln!(
            output,
            "{}: {}) {}",
            field.label, choice.letter, choice.text
        ),
        choices => {
            writeln!(output, "{}:", field.label)?;
            for choice in choices {
                writeln!(output, "  {}) {}", choice.letter, choice.text)?;
            }
            Ok(())
        }
    }
}

/// `해설: …` on one line, or the label over its indented lines.
fn write_list(output: &mut impl Write, field: &ListField) -> std::io::Result<()> {
    match field.lines.as_slice() {
        [line] => writeln!(output, "{}: {line}", field.label),
        lines => {
            writeln!(output, "{}:", field.label)?;
            for line in lines {
                writeln!(output, "  {line}")?;
            }
            Ok(())
        }
    }
}

fn write_excerpt(output: &mut impl Write, excerpt: &ExcerptView) -> std::io::Result<()> {
    writeln!(output, "{} · {}", excerpt.label, excerpt.source)?;
    for line in &excerpt.lines {
        writeln!(output, "  │ {line}")?;
    }
    Ok(())
}

fn write_summary(output: &mut impl Write, summary: &SummaryView) -> std::io::Result<()> {
    writeln!(output, "\n== {} ==", summary.title)?;
    for line in &summary.lines {
        writeln!(output, "{line}")?;
    }
    Ok(())
}

/// Prints the terminal community's leaderboard over `period` (in `topic`,
/// when set), with `user`'s own rank.
pub async fn print_leaderboard(
    service: &Service,
    period: Period,
    topic: Option<&str>,
    user: &str,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let board = service.leaderboard(&identity(user), period, topic).await?;
    write_board(output, &board)?;
    output.flush()?;
    Ok(())
}

/// How wide a board's name column is: its widest name, at least 4 columns.
fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|name| name.width()).max().unwrap_or(0).max(4)
}

fn write_board(output: &mut impl Write, board: &Board) -> std::io::Result<()> {
    writeln!(output, "{}", board.title)?;
    if board.rows.is_empty() {
        writeln!(output, "{}", board.empty)?;
    }
    let name_width = name_width(board.rows.iter().map(|row| row.name.as_str()));
    for row in &board.rows {
        let pad = name_width.saturating_sub(row.name.width());
        writeln!(
            output,
            "{:>3}. {}{}  {}",
            row.rank,
            row.name,
            " ".repeat(pad),
            row.score
        )?;
    }
    writeln!(output, "{}", board.mine)
}

/// Prints `user`'s record in the terminal community.
pub async fn print_stats(
    service: &Service,
    user: &str,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let card = service.stats(&identity(user), user).await?;
    write_stats(output, &card)?;
    output.flush()?;
    Ok(())
}

fn write_stats(output: &mut impl Write, card: &StatsCard) -> std::io::Result<()> {
    writeln!(output, "{}", card.title)?;
    for line in &card.lines {
        writeln!(output, "{line}")?;
    }
    for field in &card.fields {
        writeln!(output, "{}:", field.label)?;
        for line in &field.lines {
            writeln!(output, "  {line}")?;
        }
    }
    Ok(())
}

/// What `quizbot mock` was asked for.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Questions (the exam's 65 when unset).
    pub questions: Option<usize>,
    /// Minutes (the exam's pace when unset).
    pub minutes: Option<i64>,
    pub user: String,
}

/// What a line typed on a mock exam's card asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MockInput {
    Choose(Vec<usize>),
    Previous,
    Next,
    Submit,
    Leave,
    Unreadable,
}

fn read_mock_input(line: &str, choices: usize) -> MockInput {
    let line = line.trim();
    match line.to_lowercase().as_str() {
        "<" | "p" | "prev" | "이전" => MockInput::Previous,
        ">" | "n" | "next" | "다음" => MockInput::Next,
        "submit" | "제출" => MockInput::Submit,
        "q" | "quit" | "exit" | "ㅂ" => MockInput::Leave,
        _ => quiz::parse_letters(line, choices).map_or(MockInput::Unreadable, MockInput::Choose),
    }
}

/// Takes a mock exam (or picks up the one running): `<` and `>` move
/// between questions, letters choose (again, to change), `submit` submits
/// (asking first when questions are blank); `q` or the end of input leaves
/// it running, to come back to before its time is up. Every page of the
/// result is printed after submitting.
pub async fn mock(
    service: &Service,
    options: &MockOptions,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let texts = service.texts();
    let caller = caller(&options.user);
    let click = Click::default();
    let mut step = service
        .start_mock(&caller, options.questions, options.minutes)
        .await?;
    loop {
        step = match step {
            MockStep::Card(card) => {
                write_mock_card(output, &card)?;
                let picks = match &card.input {
                    AnswerInput::Pick { picks, .. } => *picks,
                    AnswerInput::Buttons(_) => 1,
                };
                let choices = card.question.choices.len();
                loop {
                    write!(output, "{}", texts.mock_prompt(picks))?;
                    output.flush()?;
                    let mut line = String::new();
                    let command = if input.read_line(&mut line)? == 0 {
                        MockInput::Leave
                    } else {
                        read_mock_input(&line, choices)
                    };
                    let (exam, position) = (card.exam, card.position);
                    let next = match command {
                        MockInput::Leave => {
                            writeln!(output, "\n{}", texts.mock_left(&card.ends))?;
                            output.flush()?;
                            return Ok(());
                        }
                        MockInput::Previous if position > 0 => {
                            service.mock_go(&caller, exam, position - 1).await
                        }
                        MockInput::Next if card.next.is_some() => {
                            service.mock_go(&caller, exam, position + 1).await
                        }
                        MockInput::Previous | MockInput::Next => continue,
                        MockInput::Submit => service.mock_submit(&caller, exam, false).await,
                        MockInput::Choose(chosen) => {
                            service
                                .mock_choose(&caller, exam, position, &chosen, &click)
                                .await
                        }
                        MockInput::Unreadable => Err(ServiceError::Refused(Refusal::BadChoice)),
                    };
                    match next {
                        Ok(step) => break step,
                        Err(ServiceError::Refused(
                            Refusal::WrongCount { .. } | Refusal::BadChoice,
                        )) => {
                            writeln!(output, "{}", texts.invalid_answer(choices, picks))?;
                        }
                        Err(err @ ServiceError::Failed { .. }) => {
                            err.log("a mock exam in the terminal");
                            writeln!(output, "{}", err.user_message(texts))?;
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            MockStep::Confirm(confirm) => {
                writeln!(output, "\n{}", confirm.text)?;
                write!(output, "{}", texts.mock_confirm_prompt())?;
                output.flush()?;
                let mut line = String::new();
                if input.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if matches!(
                    line.trim().to_lowercase().as_str(),
                    "y" | "yes" | "ㅛ" | "예"
                ) {
                    service.mock_submit(&caller, confirm.exam, true).await?
                } else {
                    let Action::MockGo { exam, position } = confirm.back.action else {
                        return Ok(());
                    };
                    service.mock_go(&caller, exam, position).await?
                }
            }
            MockStep::Result(page) => {
                write_mock_result(output, &page)?;
                match page.next.as_ref().map(|b| b.action) {
                    Some(Action::MockResults { exam, page }) => {
                        service.mock_results(&caller, exam, page).await?
                    }
                    _ => break,
                }
            }
        };
    }
    output.flush()?;
    Ok(())
}

fn write_mock_card(output: &mut impl Write, card: &MockCard) -> std::io::Result<()> {
    writeln!(output)?;
    if let Some(notice) = &card.notice {
        writeln!(output, "{notice}")?;
    }
    writeln!(
        output,
        "[{}] {} · {}: {}",
        card.heading, card.status, card.time_left_label, card.time_left
    )?;
    writeln!(output, "{}", card.question.prompt)?;
    if let Some(hint) = &card.question.choose_hint {
        writeln!(output, "({hint})")?;
    }
    for (i, choice) in card.question.choices.iter().enumerate() {
        let mark = if card.chosen.contains(&i) { '●' } else { ' ' };
        writeln!(output, " {mark}{}) {}", choice.letter, choice.text)?;
    }
    Ok(())
}

fn write_mock_result(output: &mut impl Write, page: &MockResultPage) -> std::io::Result<()> {
    if page.page == 0 {
        writeln!(output, "\n== {} ==", page.title)?;
        if let Some(notice) = &page.notice {
            writeln!(output, "{notice}")?;
        }
        writeln!(output, "{}", page.score)?;
        for line in &page.lines {
            writeln!(output, "{line}")?;
        }
        if let Some(domains) = &page.domains {
            writeln!(output, "{}:", domains.label)?;
            for line in &domains.lines {
                writeln!(output, "  {line}")?;
            }
        }
        if let Some(note) = &page.note {
            writeln!(output, "{note}")?;
        }
    }
    writeln!(output, "\n-- {} --", page.misses_title)?;
    for miss in &page.misses {
        writeln!(output, "\n✘ {}", miss.heading)?;
        writeln!(output, "{}", miss.prompt)?;
        if let Some(yours) = &miss.your_answer {
            write_choices(output, yours)?;
        }
        if let Some(blank) = &miss.blank {
            writeln!(output, "{blank}")?;
        }
        write_choices(output, &miss.right_answer)?;
        write_list(output, &miss.explanation)?;
        for excerpt in &miss.excerpts {
            write_excerpt(output, excerpt)?;
        }
    }
    Ok(())
}

/// Prints `user`'s record as JSON (`quizbot stats --json`).
pub async fn print_record_json(
    service: &Service,
    user: &str,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let record = service.record(&identity(user), user).await?;
    let json = serde_json::to_string_pretty(&record).map_err(std::io::Error::other)?;
    writeln!(output, "{json}")?;
    output.flush()?;
    Ok(())
}

/// Prints the terminal group's exam readiness.
pub async fn print_readiness(
    service: &Service,
    user: &str,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let board = service.readiness_board(&identity(user)).await?;
    write_readiness(output, &board)?;
    output.flush()?;
    Ok(())
}

fn write_readiness(output: &mut impl Write, board: &ReadinessBoard) -> std::io::Result<()> {
    writeln!(output, "{}", board.title)?;
    for line in &board.lines {
        writeln!(output, "{line}")?;
    }
    if board.rows.is_empty() {
        writeln!(output, "{}", board.empty)?;
    }
    let name_width = name_width(board.rows.iter().map(|row| row.name.as_str()));
    for row in &board.rows {
        let pad = name_width.saturating_sub(row.name.width());
        writeln!(output, "  {}{}  {}", row.name, " ".repeat(pad), row.score)?;
    }
    writeln!(output, "{}", board.legend)
}

/// A reply's sentence, then one line per schedule, named
/// `discord 123/456`, with its delivery trouble under it.
pub fn print_schedules<'a>(
    text: Option<&str>,
    lines: impl Iterator<Item = &'a ScheduleLine>,
) -> std::io::Result<()> {
    let mut output = std::io::stdout().lock();
    if let Some(text) = text {
        writeln!(output, "{text}")?;
    }
    for line in lines {
        let label = channel_label(line.platform, &line.community, &line.channel);
        writeln!(output, "{label} · {}", line.settings)?;
        if let Some(failure) = &line.failure {
            writeln!(output, "  {failure}")?;
        }
    }
    output.flush()
}

pub fn channel_label(platform: Platform, community: &str, channel: &str) -> String {
    format!("{platform} {community}/{channel}")
}

/// The figures of the questions: a line each, then those nearly everyone
/// gets right.
pub fn write_question_stats(
    output: &mut impl Write,
    report: &QuestionStatsReport,
) -> std::io::Result<()> {
    if let Some(empty) = &report.empty {
        return writeln!(output, "{empty}");
    }
    writeln!(output, "{}", report.title)?;
    for line in &report.lines {
        writeln!(output, "{line}")?;
    }
    if let Some(easy) = &report.nearly_all_right {
        writeln!(output, "{easy}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mock_line_is_a_move_a_submission_or_letters() {
        assert_eq!(read_mock_input("<", 4), MockInput::Previous);
        assert_eq!(read_mock_input(" > ", 4), MockInput::Next);
        assert_eq!(read_mock_input("SUBMIT", 4), MockInput::Submit);
        assert_eq!(read_mock_input("q", 4), MockInput::Leave);
        assert_eq!(read_mock_input("b", 4), MockInput::Choose(vec![1]));
        assert_eq!(read_mock_input("A C", 5), MockInput::Choose(vec![0, 2]));
        assert_eq!(read_mock_input("z", 4), MockInput::Unreadable);
    }
}
