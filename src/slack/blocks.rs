//! Block Kit messages: the question card, the feedback after an answer, the
//! summary, the leaderboard, stats, admin replies, the daily post and its
//! results, and short notices.
//!
//! Every text from a question bank, a note or a user is escaped (`&`, `<`,
//! `>`), so nothing in it can become a mention or a link, and every text is
//! cut to Slack's limits (section text 3000 characters, button and option
//! text 75, header 150, 5 buttons per actions block) with a clean "…". What
//! they say comes worded from the view model ([`crate::view`]); this module
//! only lays it out.

use slack_morphism::prelude::*;

use crate::action::Action;
use crate::notes::truncate_chars;
use crate::view::{
    AdminReply, AnswerInput, Board, Button, ButtonStyle, ChoiceField, ChoiceLine, DailyPostView,
    ExcerptView, Feedback, ListField, MissView, MockCard, MockConfirm, MockResultPage, MockStep,
    NextStep, QuestionCard, QuestionView, ReadinessBoard, ReloadReport, ReportForm, RevealView,
    ReviewStart, StatsCard, SummaryView,
};

/// The report form's `callback_id`, and its inputs' block and action ids.
pub const REPORT_CALLBACK: &str = "report";
pub const REPORT_REASON: &str = "reason";
pub const REPORT_DETAILS: &str = "details";
/// Longest title of a modal, and of its buttons.
pub const MODAL_TITLE_MAX: usize = 24;

/// Longest `text` of a section block.
pub const SECTION_TEXT_MAX: usize = 3000;
/// Longest text of a button, or of a checkbox option.
pub const BUTTON_TEXT_MAX: usize = 75;
/// Longest text of a header block.
pub const HEADER_TEXT_MAX: usize = 150;
/// Longest text of one context element.
pub const CONTEXT_TEXT_MAX: usize = 2000;
/// Most buttons put in one actions block.
pub const ACTIONS_PER_BLOCK: usize = 5;
/// Most options in one checkboxes element.
pub const CHECKBOX_OPTIONS_MAX: usize = 10;
/// Longest notification text (`text` beside the blocks).
pub const FALLBACK_TEXT_MAX: usize = 300;

/// Escapes the three characters Slack's mrkdwn treats as control
/// characters, so `<!channel>` or `<@U123>` in a text stays text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts escaped mrkdwn to `max` characters without splitting an entity
/// such as `&amp;`.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut = truncate_chars(text, max);
    cut.pop(); // the "…"
    if let Some(amp) = cut.rfind('&') {
        if !cut[amp..].contains(';') && cut.len() - amp < 6 {
            cut.truncate(amp);
        }
    }
    cut.push('…');
    cut
}

/// A section block of mrkdwn, cut to the limit.
pub fn section(mrkdwn: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(SlackBlockMarkDownText::new(fit(mrkdwn, SECTION_TEXT_MAX)).into())
        .into()
}

/// A context block of one mrkdwn element, cut to the limit.
pub fn context(mrkdwn: &str) -> SlackBlock {
    SlackContextBlock::new(vec![SlackBlockMarkDownText::new(fit(
        mrkdwn,
        CONTEXT_TEXT_MAX,
    ))
    .into()])
    .into()
}

/// A header block of plain text, cut to the limit.
pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(truncate_chars(text, HEADER_TEXT_MAX).into()).into()
}

/// A button carrying `action` (and `value`), its text cut to the limit.
pub fn button(action: &Action, text: &str, value: Option<String>) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(truncate_chars(text, BUTTON_TEXT_MAX).into())
        .with_action_id(action.to_string().into())
        .opt_value(value)
}

/// Buttons in actions blocks of at most [`ACTIONS_PER_BLOCK`].
pub fn button_rows(buttons: Vec<SlackBlockButtonElement>) -> Vec<SlackBlock> {
    buttons
        .chunks(ACTIONS_PER_BLOCK)
        .map(|row| SlackActionsBlock::new(row.iter().cloned().map(Into::into).collect()).into())
        .collect()
}

/// A message of blocks with a plain notification text.
pub fn message(fallback: &str, blocks: Vec<SlackBlock>) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(truncate_chars(fallback, FALLBACK_TEXT_MAX))
        .with_blocks(blocks)
}

/// A short notice: one escaped section.
pub fn notice(text: &str) -> SlackMessageContent {
    message(text, vec![section(&escape(text))])
}

/// "A) choice" for a button or option.
fn choice_label(choice: &ChoiceLine) -> String {
    format!("{}) {}", choice.letter, choice.text)
}

/// A question: `title` in bold, the prompt, "choose N" when it is.
fn question_text(title: &str, question: &QuestionView) -> String {
    let mut text = format!("*{}*\n{}", escape(title), escape(&question.prompt));
    if let Some(hint) = &question.choose_hint {
        text.push_str(&format!("\n_({})_", escape(hint)));
    }
    text
}

/// The question card: the prompt, then a button per choice, or checkboxes
/// and a submit button for "choose N". `shown_at_ms` rides in the buttons'
/// value so the answer can carry how long it took.
pub fn question_card(card: &QuestionCard, shown_at_ms: i64) -> SlackMessageContent {
    let mut blocks = vec![section(&question_text(&card.heading, &card.question))];
    blocks.extend(answer_blocks(
        &card.input,
        &card.question.choices,
        Some(shown_at_ms.to_string()),
    ));
    if let Some(note) = &card.note {
        blocks.push(context(&escape(note)));
    }
    message(&card.question.prompt, blocks)
}

/// A review's first card, or that nothing is due with a quiz on offer.
pub fn review_start(start: &ReviewStart, shown_at_ms: i64) -> SlackMessageContent {
    match start {
        ReviewStart::Card(card) => question_card(card, shown_at_ms),
        ReviewStart::NothingDue(nothing) => {
            let mut blocks = vec![section(&escape(&nothing.text))];
            blocks.extend(button_rows(vec![view_button(&nothing.start_quiz, None)]));
            message(&nothing.text, blocks)
        }
    }
}

/// Every choice in full, "*A)* text" a line.
pub fn choice_list(choices: &[ChoiceLine]) -> SlackBlock {
    let list: Vec<String> = choices
        .iter()
        .map(|c| format!("*{})* {}", c.letter, escape(&c.text)))
        .collect();
    section(&list.join("\n"))
}

/// The components that answer a question: a button per choice, or
/// checkboxes and a Submit button for "choose N". Buttons show "A) choice"
/// cut to 75 characters; when a choice does not fit, every choice is listed
/// in full above them. `value` rides in the buttons.
pub fn answer_blocks(
    input: &AnswerInput,
    choices: &[ChoiceLine],
    value: Option<String>,
) -> Vec<SlackBlock> {
    let mut blocks = Vec::new();
    if choices
        .iter()
        .any(|c| choice_label(c).chars().count() > BUTTON_TEXT_MAX)
    {
        blocks.push(choice_list(choices));
    }
    match input {
        AnswerInput::Pick { action, submit, .. } => {
            let options: Vec<SlackBlockChoiceItem<SlackBlockText>> = choices
                .iter()
                .enumerate()
                .take(CHECKBOX_OPTIONS_MAX)
                .map(|(i, c)| {
                    let text: SlackBlockText =
                        SlackBlockPlainText::new(truncate_chars(&choice_label(c), BUTTON_TEXT_MAX))
                            .into();
                    SlackBlockChoiceItem::new(text, i.to_string())
                })
                .collect();
            let checkboxes =
                SlackBlockCheckboxesElement::new(options).with_action_id(action.to_string().into());
            blocks.push(SlackActionsBlock::new(vec![checkboxes.into()]).into());
            blocks.push(SlackActionsBlock::new(vec![view_button(submit, value).into()]).into());
        }
        AnswerInput::Buttons(buttons) => {
            let buttons = buttons
                .iter()
                .zip(choices)
                .map(|(b, c)| button(&b.action, &choice_label(c), value.clone()))
                .collect();
            blocks.extend(button_rows(buttons));
        }
    }
    blocks
}

/// A view's button; Slack's only emphasis is "primary".
fn view_button(button: &Button, value: Option<String>) -> SlackBlockButtonElement {
    let element = self::button(&button.action, &button.label, value);
    match button.style {
        ButtonStyle::Primary | ButtonStyle::Success => {
            element.with_style(SlackBlockButtonStyle::Primary)
        }
        ButtonStyle::Secondary => element,
    }
}

/// "*label:* B) text", a line per choice.
pub(crate) fn choice_field(field: &ChoiceField) -> String {
    field
        .choices
        .iter()
        .map(|c| {
            format!(
                "*{}:* {}) {}",
                escape(&field.label),
                c.letter,
                escape(&c.text)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// "*label:* line", further lines under it.
pub(crate) fn list_field(field: &ListField) -> String {
    let lines: Vec<String> = field.lines.iter().map(|l| escape(l)).collect();
    format!("*{}:* {}", escape(&field.label), lines.join("\n"))
}

/// "📝 Notes · file › heading" and the excerpt's lines, quoted.
pub(crate) fn excerpt_text(excerpt: &ExcerptView) -> String {
    let mut text = format!(
        "📝 *{}* · {}",
        escape(&excerpt.label),
        escape(&excerpt.source)
    );
    for line in &excerpt.lines {
        text.push_str("\n> ");
        text.push_str(&escape(line));
    }
    text
}

/// The feedback after an answer: the question's heading, the verdict, the
/// right answer, the explanation, the notes, the score; then Next (or See
/// results), or the summary after the last question. The prompt is cut
/// to `prompt_max`.
pub fn feedback(feedback: &Feedback, prompt_max: usize) -> SlackMessageContent {
    let mut blocks = vec![section(&format!(
        "*{}*\n{}",
        escape(&feedback.heading),
        escape(&truncate_chars(&feedback.prompt, prompt_max))
    ))];
    let mut verdict = String::new();
    if let Some(notice) = &feedback.notice {
        verdict.push_str(&escape(notice));
        verdict.push('\n');
    }
    let mark = if feedback.correct { "✅" } else { "❌" };
    verdict.push_str(&format!("{mark} *{}*", escape(&feedback.verdict)));
    blocks.push(section(&verdict));
    // The card is gone once the feedback replaces it: the answer given is
    // spelled out, not only its letter.
    if let Some(yours) = &feedback.your_answer {
        blocks.push(section(&choice_field(yours)));
    }
    blocks.push(section(&choice_field(&feedback.right_answer)));
    blocks.push(section(&list_field(&feedback.explanation)));
    for excerpt in &feedback.excerpts {
        blocks.push(section(&excerpt_text(excerpt)));
    }
    if let Some(score) = &feedback.score {
        blocks.push(context(&escape(score)));
    }
    if let Some(summary) = &feedback.summary {
        blocks.push(section(&summary_text(summary)));
    }
    let mut buttons: Vec<SlackActionBlockElement> = Vec::new();
    if let Some(next) = &feedback.next {
        buttons.push(view_button(next, None).into());
    }
    buttons.push(view_button(&feedback.report, None).into());
    blocks.push(SlackActionsBlock::new(buttons).into());
    message(&feedback.verdict, blocks)
}

fn summary_text(summary: &SummaryView) -> String {
    let lines: Vec<String> = summary.lines.iter().map(|l| escape(l)).collect();
    format!("*🏁 {}*\n{}", escape(&summary.title), lines.join("\n"))
}

/// The end of a session.
pub fn summary(summary: &SummaryView) -> SlackMessageContent {
    message(&summary.title, vec![section(&summary_text(summary))])
}

/// Where Next leads: the next card, or the summary.
pub fn next_step(step: &NextStep, shown_at_ms: i64) -> SlackMessageContent {
    match step {
        NextStep::Card(card) => question_card(card, shown_at_ms),
        NextStep::Summary(view) => summary(view),
    }
}

/// A leaderboard: the top rows, then the caller's own rank. Names are
/// plain text (escaped), never mentions.
pub fn board(board: &Board) -> SlackMessageContent {
    let mut blocks = vec![header(&board.title)];
    if board.rows.is_empty() {
        blocks.push(section(&escape(&board.empty)));
    } else {
        let lines: Vec<String> = board
            .rows
            .iter()
            .map(|row| {
                let medal = match row.rank {
                    1 => "🥇",
                    2 => "🥈",
                    3 => "🥉",
                    _ => "▫️",
                };
                format!(
                    "{medal} *{}.* {} — {}",
                    row.rank,
                    escape(&row.name),
                    escape(&row.score)
                )
            })
            .collect();
        blocks.push(section(&lines.join("\n")));
        blocks.push(context(&escape(&board.legend)));
    }
    blocks.push(context(&escape(&board.mine)));
    message(&board.title, blocks)
}

/// A player's record, and `chart_note` (where its chart went) under it.
pub fn stats(card: &StatsCard, chart_note: Option<&str>) -> SlackMessageContent {
    let mut text = format!("*{}*", escape(&card.title));
    for line in &card.lines {
        text.push('\n');
        text.push_str(&escape(line));
    }
    for field in &card.fields {
        text.push_str(&format!("\n*{}*", escape(&field.label)));
        for line in &field.lines {
            text.push_str("\n• ");
            text.push_str(&escape(line));
        }
    }
    let mut blocks = vec![section(&text)];
    blocks.extend(chart_note.map(|note| context(&escape(note))));
    message(&card.title, blocks)
}

/// An admin's answer: its sentence, and each schedule with its channel as
/// a link (the only markup in the line).
pub fn admin(reply: &AdminReply) -> SlackMessageContent {
    let mut lines: Vec<String> = reply.text.iter().map(|t| escape(t)).collect();
    for schedule in &reply.schedules {
        let mut line = format!(
            "<#{}> · {}",
            escape(&schedule.channel),
            escape(&schedule.settings)
        );
        if let Some(failure) = &schedule.failure {
            line.push_str("\n    ");
            line.push_str(&escape(failure));
        }
        lines.push(line);
    }
    let text = lines.join("\n");
    message(&text, vec![section(&text)])
}

/// How a reload went: a sentence, or the errors of the refused content.
pub fn reload(report: &ReloadReport) -> SlackMessageContent {
    match report {
        ReloadReport::Done(text) => notice(text),
        ReloadReport::Refused { title, errors } => {
            let text = format!("*{}*\n```{}```", escape(title), escape(&errors.join("\n")));
            message(title, vec![section(&text)])
        }
    }
}

/// The daily post: the question with its buttons, or, once revealed, with
/// its choices listed (Slack has no greyed-out buttons) and marked closed.
/// `reveal_at` is how the reveal's time reads.
pub fn daily_post(post: &DailyPostView, reveal_at: &str) -> SlackMessageContent {
    let mut prompt = escape(&post.question.prompt);
    if let Some(hint) = &post.question.choose_hint {
        prompt.push_str(&format!("\n_({})_", escape(hint)));
    }
    let mut parts = vec![header(&post.title), section(&prompt)];
    if post.closed {
        parts.push(choice_list(&post.question.choices));
    } else {
        parts.extend(answer_blocks(&post.input, &post.question.choices, None));
    }
    parts.push(context(&format!(
        "{}: {reveal_at} · {}",
        escape(&post.reveal_label),
        escape(&post.footer)
    )));
    // The notification text of a public message is parsed for mentions
    // too: escaped, so a prompt cannot ping the channel.
    let fallback = escape(&format!("{}\n{}", post.title, post.question.prompt));
    message(&fit(&fallback, FALLBACK_TEXT_MAX), parts)
}

/// The results of a daily question: right answer, how many chose what,
/// explanation, notes, streaks, turnout. The prompt is cut to
/// `prompt_max`: the post above has it in full.
pub fn reveal(reveal: &RevealView, prompt_max: usize) -> SlackMessageContent {
    let mut parts = vec![
        header(&reveal.title),
        section(&escape(&truncate_chars(&reveal.prompt, prompt_max))),
        section(&choice_field(&reveal.right_answer)),
        section(&spread_text(&reveal.spread)),
        section(&list_field(&reveal.explanation)),
    ];
    for excerpt in &reveal.excerpts {
        parts.push(section(&excerpt_text(excerpt)));
    }
    if let Some(streaks) = &reveal.streaks {
        parts.push(section(&spread_text(streaks)));
    }
    parts.push(context(&escape(&reveal.turnout)));
    parts.push(SlackActionsBlock::new(vec![view_button(&reveal.report, None).into()]).into());
    let fallback = format!("{}: {}", reveal.title, reveal.right_letters);
    message(&fallback, parts)
}

/// A titled list, a line each.
pub(crate) fn spread_text(field: &ListField) -> String {
    let mut lines = vec![format!("*{}*", escape(&field.label))];
    lines.extend(field.lines.iter().map(|l| escape(l)));
    lines.join("\n")
}

/// The report form: the question (cut), the reasons as radio buttons, and
/// an optional text; `metadata` comes back with the submission.
pub fn report_modal(form: &ReportForm, metadata: &str) -> SlackView {
    let options: Vec<SlackBlockChoiceItem<SlackBlockText>> = form
        .reasons
        .iter()
        .map(|(reason, label)| {
            let text: SlackBlockText = SlackBlockPlainText::new(fit(label, BUTTON_TEXT_MAX)).into();
            SlackBlockChoiceItem::new(text, reason.code().to_string())
        })
        .collect();
    let reasons = SlackBlockRadioButtonsElement::new(options).with_action_id(REPORT_REASON.into());
    let details = SlackBlockPlainTextInputElement::new()
        .with_action_id(REPORT_DETAILS.into())
        .with_multiline(true)
        .with_max_length(crate::report::DETAILS_MAX as u64)
        .with_placeholder(SlackBlockPlainText::new(form.details_placeholder.clone()).into());
    let blocks: Vec<SlackBlock> = vec![
        context(&escape(&form.prompt)),
        SlackInputBlock::new(
            SlackBlockPlainText::new(form.question.clone()).into(),
            reasons.into(),
        )
        .with_block_id(REPORT_REASON.into())
        .into(),
        SlackInputBlock::new(
            SlackBlockPlainText::new(form.details_label.clone()).into(),
            details.into(),
        )
        .with_block_id(REPORT_DETAILS.into())
        .with_optional(true)
        .into(),
    ];
    SlackView::Modal(
        SlackModalView::new(
            SlackBlockPlainText::new(fit(&form.title, MODAL_TITLE_MAX)).into(),
            blocks,
        )
        .with_submit(SlackBlockPlainText::new(fit(&form.send, MODAL_TITLE_MAX)).into())
        .with_callback_id(REPORT_CALLBACK.into())
        .with_private_metadata(metadata.to_string()),
    )
}

/// How much of a missed question's prompt a result page repeats.
const MISS_PROMPT_MAX: usize = 700;

/// A mock exam's step: a question, the confirmation, or a result page.
pub fn mock_step(step: &MockStep) -> SlackMessageContent {
    match step {
        MockStep::Card(card) => mock_card(card),
        MockStep::Confirm(confirm) => mock_confirm(confirm),
        MockStep::Result(page) => mock_result(page),
    }
}

/// A mock exam's question: the standing choice as the primary button (or
/// its boxes checked), the time left, previous/next/submit.
fn mock_card(card: &MockCard) -> SlackMessageContent {
    let mut blocks = Vec::new();
    if let Some(notice) = &card.notice {
        blocks.push(context(&escape(notice)));
    }
    blocks.push(section(&question_text(&card.heading, &card.question)));
    let choices = &card.question.choices;
    if choices
        .iter()
        .any(|c| choice_label(c).chars().count() > BUTTON_TEXT_MAX)
    {
        blocks.push(choice_list(choices));
    }
    match &card.input {
        AnswerInput::Pick { action, submit, .. } => {
            let option = |(i, c): (usize, &ChoiceLine)| {
                let text: SlackBlockText =
                    SlackBlockPlainText::new(truncate_chars(&choice_label(c), BUTTON_TEXT_MAX))
                        .into();
                SlackBlockChoiceItem::new(text, i.to_string())
            };
            let options: Vec<_> = choices
                .iter()
                .enumerate()
                .take(CHECKBOX_OPTIONS_MAX)
                .map(option)
                .collect();
            let checked: Vec<_> = choices
                .iter()
                .enumerate()
                .take(CHECKBOX_OPTIONS_MAX)
                .filter(|(i, _)| card.chosen.contains(i))
                .map(option)
                .collect();
            let mut checkboxes =
                SlackBlockCheckboxesElement::new(options).with_action_id(action.to_string().into());
            if !checked.is_empty() {
                checkboxes = checkboxes.with_initial_options(checked);
            }
            blocks.push(SlackActionsBlock::new(vec![checkboxes.into()]).into());
            blocks.push(SlackActionsBlock::new(vec![view_button(submit, None).into()]).into());
        }
        AnswerInput::Buttons(buttons) => {
            let buttons = buttons
                .iter()
                .zip(choices)
                .map(|(b, c)| {
                    let element = button(&b.action, &choice_label(c), None);
                    if b.style == ButtonStyle::Success {
                        element.with_style(SlackBlockButtonStyle::Primary)
                    } else {
                        element
                    }
                })
                .collect();
            blocks.extend(button_rows(buttons));
        }
    }
    blocks.push(context(&format!(
        "{} · *{}:* {}",
        escape(&card.status),
        escape(&card.time_left_label),
        escape(&card.time_left)
    )));
    blocks.extend(button_rows(
        card.nav_buttons()
            .into_iter()
            .map(|b| view_button(b, None))
            .collect(),
    ));
    blocks.push(context(&escape(&card.footer)));
    message(&card.question.prompt, blocks)
}

fn mock_confirm(confirm: &MockConfirm) -> SlackMessageContent {
    let mut blocks = vec![section(&format!(
        "*{}*\n{}",
        escape(&confirm.title),
        escape(&confirm.text)
    ))];
    blocks.extend(button_rows(vec![
        view_button(&confirm.submit, None),
        view_button(&confirm.back, None),
    ]));
    message(&confirm.text, blocks)
}

/// A result page: the score (with the table of domains on the first
/// page), each missed question with what teaches from it, and the pages.
fn mock_result(page: &MockResultPage) -> SlackMessageContent {
    let mut blocks = vec![header(&page.title)];
    let mut summary: Vec<String> = page.notice.iter().map(|n| escape(n)).collect();
    summary.push(format!("*{}*", escape(&page.score)));
    summary.extend(page.lines.iter().map(|l| escape(l)));
    blocks.push(section(&summary.join("\n")));
    if let Some(domains) = &page.domains {
        blocks.push(section(&spread_text(domains)));
    }
    if let Some(note) = &page.note {
        blocks.push(context(&escape(note)));
    }
    blocks.push(section(&format!(
        "*{}* · {}",
        escape(&page.misses_title),
        escape(&page.page_label)
    )));
    for miss in &page.misses {
        blocks.extend(miss_blocks(miss));
    }
    let buttons: Vec<SlackBlockButtonElement> = page
        .previous
        .iter()
        .chain(page.next.iter())
        .map(|b| view_button(b, None))
        .collect();
    blocks.extend(button_rows(buttons));
    message(&page.score, blocks)
}

fn miss_blocks(miss: &MissView) -> Vec<SlackBlock> {
    let mut answer = Vec::new();
    if let Some(yours) = &miss.your_answer {
        answer.push(choice_field(yours));
    }
    if let Some(blank) = &miss.blank {
        answer.push(format!("*{}*", escape(blank)));
    }
    answer.push(choice_field(&miss.right_answer));
    let mut blocks = vec![
        section(&format!(
            "❌ *{}*\n{}",
            escape(&miss.heading),
            escape(&truncate_chars(&miss.prompt, MISS_PROMPT_MAX))
        )),
        section(&answer.join("\n")),
        section(&list_field(&miss.explanation)),
    ];
    blocks.extend(miss.excerpts.first().map(|e| section(&excerpt_text(e))));
    blocks
}

/// The group's readiness, public: who is predicted to pass, each member,
/// the weakest domain. Names are plain text, never mentions.
pub fn readiness_board(board: &ReadinessBoard) -> SlackMessageContent {
    let mut blocks = vec![header(&board.title)];
    if !board.lines.is_empty() {
        let lines: Vec<String> = board.lines.iter().map(|l| escape(l)).collect();
        blocks.push(section(&lines.join("\n")));
    }
    if board.rows.is_empty() {
        blocks.push(section(&escape(&board.empty)));
    } else {
        let rows: Vec<String> = board
            .rows
            .iter()
            .map(|row| format!("• {} — {}", escape(&row.name), escape(&row.score)))
            .collect();
        blocks.push(section(&rows.join("\n")));
    }
    blocks.push(context(&escape(&board.legend)));
    message(&board.title, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("<!channel> & <@U1>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
    }

    #[test]
    fn cutting_never_splits_an_entity() {
        let text = format!("{}&amp;tail", "a".repeat(8));
        let cut = fit(&text, 11);
        assert_eq!(cut, "aaaaaaaa…");
        assert_eq!(fit("short", 10), "short");
        let long = "가".repeat(SECTION_TEXT_MAX + 10);
        assert_eq!(
            fit(&long, SECTION_TEXT_MAX).chars().count(),
            SECTION_TEXT_MAX
        );
    }

    #[test]
    fn a_card_with_overlong_texts_stays_within_block_kit_limits() {
        let question = crate::bank::Question {
            id: "long".into(),
            topic: "ec2".into(),
            prompt: "<!here> ".repeat(600),
            choices: vec![
                "짧은 답".into(),
                "긴 답 ".repeat(30),
                "C".into(),
                "D".into(),
            ],
            correct: vec![1],
            explanation: "e".into(),
            sources: Vec::new(),
            difficulty: crate::bank::Difficulty::Easy,
            domain: None,
            retired: false,
            path: "ec2.toml".into(),
            line: 1,
            id_position: crate::diagnostic::Position::START,
        };
        let texts = crate::i18n::Texts::new(crate::config::Locale::English);
        let card = QuestionCard {
            heading: "EC2 · easy · 1/1".into(),
            question: QuestionView::new(texts, &question),
            input: AnswerInput::for_question(
                texts,
                &question,
                |choice| Action::Answer {
                    session: 1,
                    position: 0,
                    choice,
                },
                Action::Pick {
                    session: 1,
                    position: 0,
                },
                Action::Submit {
                    session: 1,
                    position: 0,
                },
            ),
            session: 1,
            position: 0,
            note: None,
        };
        let card = question_card(&card, 0);
        let json = serde_json::to_value(&card).unwrap();
        let blocks = json["blocks"].as_array().unwrap();
        let prompt = blocks[0]["text"]["text"].as_str().unwrap();
        let length = prompt.chars().count();
        assert!(
            (SECTION_TEXT_MAX - 6..=SECTION_TEXT_MAX).contains(&length),
            "{length}"
        );
        assert!(prompt.ends_with('…'));
        let last_entity = &prompt[prompt.rfind('&').unwrap()..];
        assert!(
            last_entity.contains(';'),
            "an entity was split: {last_entity}"
        );
        assert!(!prompt.contains("<!here>"), "escaped, never a mention");
        let listed = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(
            listed.contains(&"긴 답 ".repeat(30).trim_end().to_string()),
            "a cut choice is listed in full"
        );
        for button in blocks[2]["elements"].as_array().unwrap() {
            assert!(button["text"]["text"].as_str().unwrap().chars().count() <= BUTTON_TEXT_MAX);
        }
        assert!(json["text"].as_str().unwrap().chars().count() <= FALLBACK_TEXT_MAX);
    }

    #[test]
    fn buttons_are_cut_and_rows_hold_five() {
        let action = Action::Next {
            session: 1,
            position: 0,
        };
        let long = "x".repeat(200);
        let buttons: Vec<_> = (0..7).map(|_| button(&action, &long, None)).collect();
        let rows = button_rows(buttons);
        assert_eq!(rows.len(), 2);
        let json = serde_json::to_value(&rows).unwrap();
        let text = json[0]["elements"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(text.chars().count(), BUTTON_TEXT_MAX);
        assert!(text.ends_with('…'));
        assert_eq!(json[0]["elements"].as_array().unwrap().len(), 5);
        assert_eq!(json[1]["elements"].as_array().unwrap().len(), 2);
    }
}
