//! What the bot's Discord messages look like: the view model
//! ([`crate::view`]) as embeds and components.
//!
//! Every text is cut to Discord's limits here (by characters, ending in
//! "…"), so Discord never rejects a message because a question or a note is
//! long. Budgets per part keep each message under the 6000 characters
//! Discord allows across all its embeds. Names are shown as text, never as
//! markdown or mentions.

use poise::serenity_prelude as serenity;

use super::no_mentions;
use crate::action::Action;
use crate::chart;
use crate::notes::truncate_chars;
use crate::view::{
    AdminReply, AnswerInput, Board, ButtonStyle, ChoiceField, ChoiceLine, DailyPostView,
    ExcerptView, Feedback, ListField, MissView, MockCard, MockConfirm, MockResultPage, MockStep,
    NextStep, NothingDue, QuestionCard, QuestionView, ReadinessBoard, ReloadReport, ReportForm,
    RevealView, ReviewStart, StatsCard, SummaryView,
};

/// Discord's limits, in characters.
pub const CONTENT_MAX: usize = 2000;
pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 4096;
pub const FIELD_NAME_MAX: usize = 256;
pub const FIELD_VALUE_MAX: usize = 1024;
pub const FOOTER_MAX: usize = 2048;
pub const BUTTON_LABEL_MAX: usize = 80;
pub const OPTION_LABEL_MAX: usize = 100;
pub const OPTION_DESCRIPTION_MAX: usize = 100;
pub const CHOICE_NAME_MAX: usize = 100;
/// Buttons in one action row.
const ROW_BUTTONS: usize = 5;

/// How much of a prompt the feedback repeats, and of each choice on a card:
/// together with the fields this keeps a message under 6000 characters.
pub(super) const FEEDBACK_PROMPT_MAX: usize = 700;
const CARD_CHOICE_MAX: usize = 500;

pub(super) const BLUE: u32 = 0x5865F2;
pub(super) const GREEN: u32 = 0x57F287;
pub(super) const RED: u32 = 0xED4245;
pub(super) const GOLD: u32 = 0xFEE75C;

/// A message's embeds and components, sent as a reply or as an update of
/// the clicked message.
pub(super) struct View {
    pub(super) embeds: Vec<serenity::CreateEmbed>,
    pub(super) components: Vec<serenity::CreateActionRow>,
}

impl View {
    fn embed(embed: serenity::CreateEmbed) -> Self {
        View {
            embeds: vec![embed],
            components: Vec::new(),
        }
    }

    pub(super) fn reply(self) -> poise::CreateReply {
        poise::CreateReply {
            embeds: self.embeds,
            components: Some(self.components),
            ..Default::default()
        }
        .allowed_mentions(no_mentions())
    }

    pub(super) fn update(self) -> serenity::CreateInteractionResponseMessage {
        serenity::CreateInteractionResponseMessage::new()
            .embeds(self.embeds)
            // An empty list removes the old buttons.
            .components(self.components)
            .allowed_mentions(no_mentions())
    }

    /// A new private message.
    pub(super) fn private_message(self) -> serenity::CreateInteractionResponseMessage {
        self.update().ephemeral(true)
    }

    /// The same, as an edit of a deferred response (the message a clicked
    /// component sits on, or a deferred reply).
    pub(super) fn edit(self) -> serenity::EditInteractionResponse {
        serenity::EditInteractionResponse::new()
            .content("")
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(no_mentions())
    }
}

/// A plain private text.
pub(super) fn notice(text: &str) -> poise::CreateReply {
    poise::CreateReply::default()
        .content(truncate_chars(text, CONTENT_MAX))
        .allowed_mentions(no_mentions())
}

/// The question card: heading, prompt, lettered choices; A–D buttons, or a
/// menu for "choose N".
pub(super) fn card(card: &QuestionCard) -> View {
    let mut embed = question_embed(&card.question, &card.heading);
    if let Some(note) = &card.note {
        embed = embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
            note, FOOTER_MAX,
        )));
    }
    View {
        embeds: vec![embed],
        components: answer_rows(&card.input, &card.question.choices, false),
    }
}

/// A review's first card, or that nothing is due with a quiz on offer.
pub(super) fn review_start(start: &ReviewStart) -> View {
    match start {
        ReviewStart::Card(first) => card(first),
        ReviewStart::NothingDue(nothing) => nothing_due(nothing),
    }
}

fn nothing_due(nothing: &NothingDue) -> View {
    View {
        embeds: vec![serenity::CreateEmbed::new()
            .description(truncate_chars(&nothing.text, DESCRIPTION_MAX))
            .colour(BLUE)],
        components: vec![serenity::CreateActionRow::Buttons(vec![button(
            &nothing.start_quiz,
        )])],
    }
}

/// A question as an embed: `title`, the prompt (with "choose N" when it
/// is), the lettered choices.
pub(super) fn question_embed(question: &QuestionView, title: &str) -> serenity::CreateEmbed {
    let choices: String = question
        .choices
        .iter()
        .map(|c| {
            format!(
                "**{}.** {}\n",
                c.letter,
                truncate_chars(&c.text, CARD_CHOICE_MAX)
            )
        })
        .collect();
    let hint = question
        .choose_hint
        .as_ref()
        .map_or(String::new(), |hint| format!("\n**({hint})**"));
    let budget = DESCRIPTION_MAX.saturating_sub(choices.chars().count() + hint.chars().count() + 2);
    let description = format!(
        "{}{hint}\n\n{choices}",
        truncate_chars(&question.prompt, budget)
    );
    serenity::CreateEmbed::new()
        .title(truncate_chars(title, TITLE_MAX))
        .description(truncate_chars(description.trim_end(), DESCRIPTION_MAX))
        .colour(BLUE)
}

/// The answer components: a button per choice, or a menu of them for
/// "choose N" (Discord needs no submit button); all greyed out when
/// `disabled`.
pub(super) fn answer_rows(
    input: &AnswerInput,
    choices: &[ChoiceLine],
    disabled: bool,
) -> Vec<serenity::CreateActionRow> {
    match input {
        AnswerInput::Pick {
            picks,
            action,
            placeholder,
            ..
        } => {
            let options = choices
                .iter()
                .enumerate()
                .map(|(i, c)| menu_option(i, c))
                .collect();
            let menu = pick_menu(action, options, placeholder, *picks).disabled(disabled);
            vec![serenity::CreateActionRow::SelectMenu(menu)]
        }
        AnswerInput::Buttons(buttons) => {
            let buttons: Vec<serenity::CreateButton> = buttons
                .iter()
                .map(|b| button(b).disabled(disabled))
                .collect();
            buttons
                .chunks(ROW_BUTTONS)
                .map(|row| serenity::CreateActionRow::Buttons(row.to_vec()))
                .collect()
        }
    }
}

pub(super) fn button(button: &crate::view::Button) -> serenity::CreateButton {
    serenity::CreateButton::new(button.action.to_string())
        .label(truncate_chars(&button.label, BUTTON_LABEL_MAX))
        .style(match button.style {
            ButtonStyle::Primary => serenity::ButtonStyle::Primary,
            ButtonStyle::Success => serenity::ButtonStyle::Success,
            ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
        })
}

/// A menu option: the letter and as much of the choice as fits, the rest
/// of a long choice in the description. Its value is the choice's index.
/// The menu of a "choose N" question: exactly `picks` of `options`.
fn pick_menu(
    action: &Action,
    options: Vec<serenity::CreateSelectMenuOption>,
    placeholder: &str,
    picks: usize,
) -> serenity::CreateSelectMenu {
    let picks = u8::try_from(picks).unwrap_or(u8::MAX);
    serenity::CreateSelectMenu::new(
        action.to_string(),
        serenity::CreateSelectMenuKind::String { options },
    )
    .placeholder(truncate_chars(placeholder, OPTION_LABEL_MAX))
    .min_values(picks)
    .max_values(picks)
}

fn menu_option(index: usize, choice: &ChoiceLine) -> serenity::CreateSelectMenuOption {
    let label = format!("{}. {}", choice.letter, choice.text);
    let option = serenity::CreateSelectMenuOption::new(
        truncate_chars(&label, OPTION_LABEL_MAX),
        index.to_string(),
    );
    if label.chars().count() <= OPTION_LABEL_MAX {
        return option;
    }
    let shown = OPTION_LABEL_MAX - 1 - 3; // "A. " and the "…"
    let rest: String = choice.text.chars().skip(shown).collect();
    option.description(truncate_chars(&format!("…{rest}"), OPTION_DESCRIPTION_MAX))
}

/// The card after an answer: verdict, right answer, explanation, notes,
/// points; **Next**, or the summary after the last question. A daily
/// question's feedback has no button.
pub(super) fn feedback(feedback: &Feedback) -> View {
    let mark = if feedback.correct { "✅" } else { "❌" };
    let mut description = String::new();
    if let Some(notice) = &feedback.notice {
        description.push_str(notice);
        description.push_str("\n\n");
    }
    description.push_str(&truncate_chars(&feedback.prompt, FEEDBACK_PROMPT_MAX));
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(
            &format!("{mark} {}", feedback.verdict),
            TITLE_MAX,
        ))
        .description(truncate_chars(&description, DESCRIPTION_MAX))
        .colour(if feedback.correct { GREEN } else { RED });
    if let Some(yours) = &feedback.your_answer {
        embed = choice_field(embed, yours);
    }
    embed = choice_field(embed, &feedback.right_answer);
    embed = list_field(embed, &feedback.explanation);
    for excerpt in &feedback.excerpts {
        embed = excerpt_field(embed, excerpt);
    }
    let footer = match &feedback.score {
        Some(score) => format!("{score} · {}", feedback.heading),
        None => feedback.heading.clone(),
    };
    embed = embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &footer, FOOTER_MAX,
    )));
    let mut embeds = vec![embed];
    let mut components = Vec::new();
    if let Some(summary) = &feedback.summary {
        embeds.push(summary_embed(summary));
    }
    let mut buttons: Vec<serenity::CreateButton> = feedback.next.iter().map(button).collect();
    buttons.push(button(&feedback.report));
    components.push(serenity::CreateActionRow::Buttons(buttons));
    View { embeds, components }
}

/// The 🚩 under the daily question's results.
pub(super) fn reveal_buttons(reveal: &RevealView) -> Vec<serenity::CreateActionRow> {
    vec![serenity::CreateActionRow::Buttons(vec![button(
        &reveal.report,
    )])]
}

/// The first step of a report: why, as a button per reason.
pub(super) fn report_reasons(form: &ReportForm) -> View {
    let description = format!("{}\n\n> {}", form.question, form.prompt);
    View {
        embeds: vec![serenity::CreateEmbed::new()
            .title(truncate_chars(&format!("🚩 {}", form.title), TITLE_MAX))
            .description(truncate_chars(&description, DESCRIPTION_MAX))
            .colour(GOLD)],
        components: vec![serenity::CreateActionRow::Buttons(
            form.reason_buttons.iter().map(button).collect(),
        )],
    }
}

/// The id of the report form's text input.
pub(super) const REPORT_DETAILS_INPUT: &str = "details";
/// Longest modal title.
const MODAL_TITLE_MAX: usize = 45;
/// Longest text input label.
const INPUT_LABEL_MAX: usize = 45;

/// The second step: a modal asking for details (optional), sent with the
/// reason picked.
pub(super) fn report_modal(
    form: &ReportForm,
    reason: crate::report::ReportReason,
) -> serenity::CreateModal {
    let title = form
        .reasons
        .iter()
        .find(|(r, _)| *r == reason)
        .map_or(form.title.clone(), |(_, label)| {
            format!("{} · {label}", form.title)
        });
    let max = u16::try_from(crate::report::DETAILS_MAX).unwrap_or(u16::MAX);
    let input = serenity::CreateInputText::new(
        serenity::InputTextStyle::Paragraph,
        truncate_chars(&form.details_label, INPUT_LABEL_MAX),
        REPORT_DETAILS_INPUT,
    )
    .placeholder(truncate_chars(&form.details_placeholder, OPTION_LABEL_MAX))
    .max_length(max)
    .required(false);
    serenity::CreateModal::new(
        Action::FlagSubmit(form.flagged, reason).to_string(),
        truncate_chars(&title, MODAL_TITLE_MAX),
    )
    .components(vec![serenity::CreateActionRow::InputText(input)])
}

/// The chosen choices, lettered, one per line, cut to a field's limit.
pub(super) fn choice_field(
    embed: serenity::CreateEmbed,
    field: &ChoiceField,
) -> serenity::CreateEmbed {
    let lines: Vec<String> = field
        .choices
        .iter()
        .map(|c| format!("**{}.** {}", c.letter, c.text))
        .collect();
    embed.field(
        truncate_chars(&field.label, FIELD_NAME_MAX),
        truncate_chars(&lines.join("\n"), FIELD_VALUE_MAX),
        false,
    )
}

pub(super) fn list_field(embed: serenity::CreateEmbed, field: &ListField) -> serenity::CreateEmbed {
    if field.lines.is_empty() {
        return embed;
    }
    embed.field(
        truncate_chars(&field.label, FIELD_NAME_MAX),
        truncate_chars(&field.lines.join("\n"), FIELD_VALUE_MAX),
        false,
    )
}

/// The excerpt as a field: `Notes · file › heading`, then its lines quoted.
pub(super) fn excerpt_field(
    embed: serenity::CreateEmbed,
    excerpt: &ExcerptView,
) -> serenity::CreateEmbed {
    let name = format!("{} · {}", excerpt.label, excerpt.source);
    let body: Vec<String> = excerpt
        .lines
        .iter()
        .map(|line| format!("> {line}"))
        .collect();
    embed.field(
        truncate_chars(&name, FIELD_NAME_MAX),
        truncate_chars(&body.join("\n"), FIELD_VALUE_MAX),
        false,
    )
}

fn summary_embed(summary: &SummaryView) -> serenity::CreateEmbed {
    serenity::CreateEmbed::new()
        .title(truncate_chars(&format!("🏁 {}", summary.title), TITLE_MAX))
        .description(truncate_chars(&summary.lines.join("\n"), DESCRIPTION_MAX))
        .colour(GOLD)
}

/// Where Next leads: the next card, or the summary alone.
pub(super) fn next_step(step: &NextStep) -> View {
    match step {
        NextStep::Card(next) => card(next),
        NextStep::Summary(summary) => View::embed(summary_embed(summary)),
    }
}

/// The public top 10, with the caller's own rank.
pub(super) fn board(board: &Board) -> View {
    let mut description = if board.rows.is_empty() {
        board.empty.clone()
    } else {
        board
            .rows
            .iter()
            .map(|row| {
                format!(
                    "**{}.** {} · {}",
                    row.rank,
                    plain_name(&row.name),
                    row.score
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    description.push_str("\n\n");
    description.push_str(&board.mine);
    View::embed(
        serenity::CreateEmbed::new()
            .title(truncate_chars(&board.title, TITLE_MAX))
            .description(truncate_chars(&description, DESCRIPTION_MAX))
            .footer(serenity::CreateEmbedFooter::new(truncate_chars(
                &board.legend,
                FOOTER_MAX,
            )))
            .colour(GOLD),
    )
}

/// A player's record: totals, streaks, accuracy per topic; with
/// `with_chart`, the chart attached as [`chart::FILE_NAME`] shown in it.
pub(super) fn stats(card: &StatsCard, with_chart: bool) -> View {
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&plain_name(&card.title), TITLE_MAX))
        .description(truncate_chars(&card.lines.join("\n"), DESCRIPTION_MAX))
        .colour(BLUE);
    for field in &card.fields {
        embed = list_field(embed, field);
    }
    if with_chart {
        embed = embed.image(format!("attachment://{}", chart::FILE_NAME));
    }
    View::embed(embed)
}

/// An admin's answer: its sentence, then each schedule after its channel.
pub(super) fn admin(reply: &AdminReply) -> poise::CreateReply {
    let mut lines: Vec<String> = reply.text.iter().cloned().collect();
    for schedule in &reply.schedules {
        let mut line = format!("<#{}> · {}", schedule.channel, schedule.settings);
        if let Some(failure) = &schedule.failure {
            line.push_str("\n  ");
            line.push_str(failure);
        }
        lines.push(line);
    }
    notice(&lines.join("\n"))
}

/// How a reload went: the counts, or every error as far as fits.
pub(super) fn reload(report: &ReloadReport) -> poise::CreateReply {
    match report {
        ReloadReport::Done(text) => notice(text),
        ReloadReport::Refused { title, errors } => {
            let description = format!(
                "```\n{}\n```",
                truncate_chars(&errors.join("\n"), DESCRIPTION_MAX - 10)
            );
            let embed = serenity::CreateEmbed::new()
                .title(truncate_chars(title, TITLE_MAX))
                .description(description)
                .colour(RED);
            poise::CreateReply::default()
                .embed(embed)
                .allowed_mentions(no_mentions())
        }
    }
}

/// The daily post: the question with its buttons (greyed out once
/// revealed) and the reveal time in each reader's own zone.
pub(super) fn daily_post(post: &DailyPostView) -> View {
    let at = post.reveal_at.timestamp();
    let embed = question_embed(&post.question, &post.title)
        .field(
            truncate_chars(&post.reveal_label, FIELD_NAME_MAX),
            format!("<t:{at}:t> (<t:{at}:R>)"),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(truncate_chars(
            &post.footer,
            FOOTER_MAX,
        )));
    View {
        embeds: vec![embed],
        components: answer_rows(&post.input, &post.question.choices, post.closed),
    }
}

/// The results: right answer, how many chose what, explanation, notes,
/// streaks, turnout.
pub(super) fn reveal(reveal: &RevealView) -> serenity::CreateEmbed {
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&reveal.title, TITLE_MAX))
        .description(truncate_chars(&reveal.prompt, FEEDBACK_PROMPT_MAX))
        .colour(GOLD);
    embed = choice_field(embed, &reveal.right_answer);
    embed = list_field(embed, &reveal.spread);
    embed = list_field(embed, &reveal.explanation);
    for excerpt in &reveal.excerpts {
        embed = excerpt_field(embed, excerpt);
    }
    if let Some(streaks) = &reveal.streaks {
        let escaped = ListField {
            label: streaks.label.clone(),
            lines: streaks.lines.iter().map(|l| plain_name(l)).collect(),
        };
        embed = list_field(embed, &escaped);
    }
    embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &reveal.turnout,
        FOOTER_MAX,
    )))
}

/// How much of a missed question a result page repeats: two misses and
/// the score stay under the 6000 characters of a message's embeds.
const MISS_PROMPT_MAX: usize = 400;
const MISS_CHOICES_MAX: usize = 300;
const MISS_EXPLANATION_MAX: usize = 700;
const MISS_EXCERPT_MAX: usize = 600;

/// A mock exam's step: a question, the confirmation, or a result page.
pub(super) fn mock_step(step: &MockStep) -> View {
    match step {
        MockStep::Card(card) => mock_card(card),
        MockStep::Confirm(confirm) => mock_confirm(confirm),
        MockStep::Result(page) => mock_result(page),
    }
}

/// A mock exam's question: the choice standing highlighted (the menu's
/// options preselected for "choose N"), the time left as Discord's live
/// countdown, previous/next/submit.
fn mock_card(card: &MockCard) -> View {
    let at = card.ends_at.timestamp();
    let embed = question_embed(&card.question, &card.heading)
        .field(
            truncate_chars(&card.time_left_label, FIELD_NAME_MAX),
            format!("<t:{at}:R> (<t:{at}:t>)"),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(truncate_chars(
            &format!("{} · {}", card.status, card.footer),
            FOOTER_MAX,
        )));
    let mut embeds = Vec::new();
    if let Some(notice) = &card.notice {
        embeds.push(
            serenity::CreateEmbed::new()
                .description(truncate_chars(notice, DESCRIPTION_MAX))
                .colour(GOLD),
        );
    }
    embeds.push(embed);
    let mut components = match &card.input {
        AnswerInput::Pick {
            picks,
            action,
            placeholder,
            ..
        } => {
            let options = card
                .question
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| menu_option(i, c).default_selection(card.chosen.contains(&i)))
                .collect();
            let menu = pick_menu(action, options, placeholder, *picks);
            vec![serenity::CreateActionRow::SelectMenu(menu)]
        }
        AnswerInput::Buttons(_) => answer_rows(&card.input, &card.question.choices, false),
    };
    components.push(serenity::CreateActionRow::Buttons(
        card.nav_buttons().into_iter().map(button).collect(),
    ));
    View { embeds, components }
}

fn mock_confirm(confirm: &MockConfirm) -> View {
    View {
        embeds: vec![serenity::CreateEmbed::new()
            .title(truncate_chars(&confirm.title, TITLE_MAX))
            .description(truncate_chars(&confirm.text, DESCRIPTION_MAX))
            .colour(GOLD)],
        components: vec![serenity::CreateActionRow::Buttons(vec![
            button(&confirm.submit),
            button(&confirm.back),
        ])],
    }
}

/// A result page: the score (with the table of domains on the first
/// page), then each missed question as an embed of its own.
fn mock_result(page: &MockResultPage) -> View {
    let mut description = Vec::new();
    description.extend(page.notice.iter().cloned());
    description.push(format!("**{}**", page.score));
    description.extend(page.lines.iter().cloned());
    let mut summary = serenity::CreateEmbed::new()
        .title(truncate_chars(&page.title, TITLE_MAX))
        .description(truncate_chars(&description.join("\n"), DESCRIPTION_MAX))
        .colour(if page.passed { GREEN } else { RED });
    if let Some(domains) = &page.domains {
        summary = list_field(summary, domains);
    }
    let mut footer = format!("{} · {}", page.misses_title, page.page_label);
    if let Some(note) = &page.note {
        footer = format!("{note}\n{footer}");
    }
    summary = summary.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &footer, FOOTER_MAX,
    )));
    let mut embeds = vec![summary];
    embeds.extend(page.misses.iter().map(miss_embed));
    let buttons: Vec<serenity::CreateButton> = page
        .previous
        .iter()
        .chain(page.next.iter())
        .map(button)
        .collect();
    let components = if buttons.is_empty() {
        Vec::new()
    } else {
        vec![serenity::CreateActionRow::Buttons(buttons)]
    };
    View { embeds, components }
}

/// A missed question: what was answered, the right answer, the
/// explanation and the notes' passage, each cut to its share of the page.
fn miss_embed(miss: &MissView) -> serenity::CreateEmbed {
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&format!("❌ {}", miss.heading), TITLE_MAX))
        .description(truncate_chars(&miss.prompt, MISS_PROMPT_MAX))
        .colour(RED);
    let choices = |field: &ChoiceField| {
        let lines: Vec<String> = field
            .choices
            .iter()
            .map(|c| format!("**{}.** {}", c.letter, c.text))
            .collect();
        truncate_chars(&lines.join("\n"), MISS_CHOICES_MAX)
    };
    match (&miss.your_answer, &miss.blank) {
        (Some(yours), _) => {
            embed = embed.field(
                truncate_chars(&yours.label, FIELD_NAME_MAX),
                choices(yours),
                false,
            );
        }
        (None, Some(blank)) => {
            embed = embed.field(
                truncate_chars(blank, FIELD_NAME_MAX),
                "—".to_string(),
                false,
            );
        }
        (None, None) => {}
    }
    embed = embed.field(
        truncate_chars(&miss.right_answer.label, FIELD_NAME_MAX),
        choices(&miss.right_answer),
        false,
    );
    embed = embed.field(
        truncate_chars(&miss.explanation.label, FIELD_NAME_MAX),
        truncate_chars(&miss.explanation.lines.join("\n"), MISS_EXPLANATION_MAX),
        false,
    );
    if let Some(excerpt) = miss.excerpts.first() {
        let name = format!("{} · {}", excerpt.label, excerpt.source);
        let body: Vec<String> = excerpt.lines.iter().map(|l| format!("> {l}")).collect();
        embed = embed.field(
            truncate_chars(&name, FIELD_NAME_MAX),
            truncate_chars(&body.join("\n"), MISS_EXCERPT_MAX),
            false,
        );
    }
    embed
}

/// The group's readiness: a line per member, who is predicted to pass,
/// the weakest domain.
pub(super) fn readiness_board(board: &ReadinessBoard) -> View {
    let mut lines: Vec<String> = board.lines.clone();
    lines.push(String::new());
    if board.rows.is_empty() {
        lines.push(board.empty.clone());
    }
    for row in &board.rows {
        lines.push(format!("{} · {}", plain_name(&row.name), row.score));
    }
    View::embed(
        serenity::CreateEmbed::new()
            .title(truncate_chars(&board.title, TITLE_MAX))
            .description(truncate_chars(lines.join("\n").trim(), DESCRIPTION_MAX))
            .footer(serenity::CreateEmbedFooter::new(truncate_chars(
                &board.legend,
                FOOTER_MAX,
            )))
            .colour(GOLD),
    )
}

/// A display name shown as text: markdown characters escaped, kept short.
pub(super) fn plain_name(name: &str) -> String {
    escape_markdown(&truncate_chars(name, 64))
}

/// Text shown as it is: every character markdown would act on escaped.
pub(super) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_choice_continues_in_the_menu_option_description() {
        let long = ChoiceLine {
            letter: 'B',
            text: "가".repeat(250),
        };
        let option = serde_json::to_value(menu_option(1, &long)).unwrap();
        let label = option["label"].as_str().unwrap();
        let description = option["description"].as_str().unwrap();
        assert_eq!(label.chars().count(), OPTION_LABEL_MAX);
        assert!(label.starts_with("B. 가"), "{label}");
        assert_eq!(description.chars().count(), OPTION_DESCRIPTION_MAX);
        let short = ChoiceLine {
            letter: 'A',
            text: "EC2".into(),
        };
        let short = serde_json::to_value(menu_option(0, &short)).unwrap();
        assert_eq!(short["label"], "A. EC2");
        assert_eq!(short["value"], "0");
        assert!(short.get("description").is_none());
    }

    #[test]
    fn names_cannot_format_the_board() {
        assert_eq!(plain_name("*bold*_x_"), "\\*bold\\*\\_x\\_");
        assert_eq!(plain_name(&"x".repeat(100)).chars().count(), 64);
    }
}
