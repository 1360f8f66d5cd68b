//! What the bot's Discord messages look like: the question card, the
//! feedback, the summary, the leaderboard and the stats, as embeds and
//! components.
//!
//! The content mirrors the terminal's ([`crate::terminal`]); the wording
//! comes from [`Texts`]. Every text is cut to Discord's limits here (by
//! characters, ending in "…"), so Discord never rejects a message because a
//! question or a note is long. Budgets per part keep each message under the
//! 6000 characters Discord allows across all its embeds.

use poise::serenity_prelude as serenity;

use super::no_mentions;
use super::ComponentId;
use crate::bank::Question;
use crate::content::{Content, ContentError};
use crate::game::AnswerOutcome;
use crate::i18n::Texts;
use crate::notes::{truncate_chars, Excerpt};
use crate::quiz::{Period, Ranked, SessionSummary};
use crate::store::{PlayerStats, QuizSession, Recorded, Standing};

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
const FEEDBACK_PROMPT_MAX: usize = 700;
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
}

/// A plain private text.
pub(super) fn notice(text: &str) -> poise::CreateReply {
    poise::CreateReply::default()
        .content(truncate_chars(text, CONTENT_MAX))
        .allowed_mentions(no_mentions())
}

pub(super) fn topic_name<'c>(content: &'c Content, topic: &'c str) -> &'c str {
    content.bank.topic(topic).map_or(topic, |t| t.name.as_str())
}

/// The question card: topic, difficulty, progress, prompt, lettered
/// choices; A–D buttons, or a menu for "choose N".
pub(super) fn card(
    texts: Texts,
    content: &Content,
    session: &QuizSession,
    question: &Question,
) -> View {
    let title = format!(
        "{} · {} · {}",
        topic_name(content, &question.topic),
        texts.difficulty(question.difficulty),
        texts.progress(session.position, session.question_ids.len())
    );
    let (session_id, position) = (session.id, session.position);
    View {
        embeds: vec![question_embed(texts, question, &title)],
        components: answer_rows(
            texts,
            question,
            |choice| {
                ComponentId::Answer {
                    session: session_id,
                    position,
                    choice,
                }
                .to_string()
            },
            ComponentId::Pick {
                session: session_id,
                position,
            }
            .to_string(),
            false,
        ),
    }
}

/// A question as an embed: `title`, the prompt (with "choose N" when it
/// is), the lettered choices.
pub(super) fn question_embed(
    texts: Texts,
    question: &Question,
    title: &str,
) -> serenity::CreateEmbed {
    let choices: String = question
        .choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            format!(
                "**{}.** {}\n",
                Question::letter(i),
                truncate_chars(choice, CARD_CHOICE_MAX)
            )
        })
        .collect();
    let hint = if question.is_multi() {
        format!("\n**({})**", texts.choose_n(question.picks()))
    } else {
        String::new()
    };
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

/// The answer components of a question: a button per choice, or a menu of
/// them for "choose N"; all greyed out when `disabled`.
pub(super) fn answer_rows(
    texts: Texts,
    question: &Question,
    choice_id: impl Fn(usize) -> String,
    pick_id: String,
    disabled: bool,
) -> Vec<serenity::CreateActionRow> {
    if question.is_multi() {
        let options = question
            .choices
            .iter()
            .enumerate()
            .map(|(i, choice)| menu_option(i, choice))
            .collect();
        let picks = u8::try_from(question.picks()).unwrap_or(u8::MAX);
        let menu = serenity::CreateSelectMenu::new(
            pick_id,
            serenity::CreateSelectMenuKind::String { options },
        )
        .placeholder(truncate_chars(
            &texts.choose_n(question.picks()),
            OPTION_LABEL_MAX,
        ))
        .min_values(picks)
        .max_values(picks)
        .disabled(disabled);
        return vec![serenity::CreateActionRow::SelectMenu(menu)];
    }
    let buttons: Vec<serenity::CreateButton> = (0..question.choices.len())
        .map(|choice| {
            serenity::CreateButton::new(choice_id(choice))
                .label(Question::letter(choice).to_string())
                .style(serenity::ButtonStyle::Primary)
                .disabled(disabled)
        })
        .collect();
    buttons
        .chunks(ROW_BUTTONS)
        .map(|row| serenity::CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

/// A menu option: the letter and as much of the choice as fits, the rest
/// of a long choice in the description.
fn menu_option(index: usize, choice: &str) -> serenity::CreateSelectMenuOption {
    let label = format!("{}. {choice}", Question::letter(index));
    let option = serenity::CreateSelectMenuOption::new(
        truncate_chars(&label, OPTION_LABEL_MAX),
        index.to_string(),
    );
    if label.chars().count() <= OPTION_LABEL_MAX {
        return option;
    }
    let shown = OPTION_LABEL_MAX - 1 - 3; // "A. " and the "…"
    let rest: String = choice.chars().skip(shown).collect();
    option.description(truncate_chars(&format!("…{rest}"), OPTION_DESCRIPTION_MAX))
}

/// The card after an answer: verdict, right answer, explanation, note
/// excerpt, points; **Next**, or the summary after the last question.
pub(super) fn feedback(
    texts: Texts,
    content: &Content,
    outcome: &AnswerOutcome<'_>,
    summary: Option<&SessionSummary>,
) -> View {
    let question = outcome.question;
    let session = &outcome.session;
    let title = if outcome.grade.correct {
        format!("✅ {}", texts.correct())
    } else {
        format!("❌ {}", texts.wrong())
    };
    let mut description = String::new();
    if let Recorded::Duplicate { choices, .. } = &outcome.recorded {
        description.push_str(&texts.already_answered(&Question::letters(choices)));
        description.push_str("\n\n");
    }
    description.push_str(&truncate_chars(&question.prompt, FEEDBACK_PROMPT_MAX));
    let choice_lines = |indices: &[usize]| choice_lines(question, indices);
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&title, TITLE_MAX))
        .description(truncate_chars(&description, DESCRIPTION_MAX))
        .colour(if outcome.grade.correct { GREEN } else { RED });
    if !outcome.grade.correct {
        embed = embed.field(
            texts.your_answer(),
            choice_lines(&outcome.grade.chosen),
            false,
        );
    }
    embed = embed
        .field(texts.right_answer(), choice_lines(&question.correct), false)
        .field(
            texts.explanation(),
            truncate_chars(&question.explanation, FIELD_VALUE_MAX),
            false,
        );
    if let Some(excerpt) = &outcome.excerpt {
        let (name, value) = excerpt_field(texts, excerpt);
        embed = embed.field(name, value, false);
    }
    let footer = format!(
        "{} · {}",
        texts.points_won(
            outcome.points(),
            outcome.is_repeat_of_a_recent_correct_answer()
        ),
        texts.progress(session.position, session.question_ids.len())
    );
    embed = embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &footer, FOOTER_MAX,
    )));

    let mut embeds = vec![embed];
    let mut components = Vec::new();
    match summary {
        Some(summary) => embeds.push(summary_embed(texts, content, summary)),
        None => {
            let label = if outcome.is_last() {
                texts.show_results()
            } else {
                texts.next_button()
            };
            let next = serenity::CreateButton::new(
                ComponentId::Next {
                    session: session.id,
                    position: session.position,
                }
                .to_string(),
            )
            .label(truncate_chars(label, BUTTON_LABEL_MAX))
            .style(serenity::ButtonStyle::Success);
            components.push(serenity::CreateActionRow::Buttons(vec![next]));
        }
    }
    View { embeds, components }
}

/// The excerpt as a field: `Notes · file › heading`, then its lines quoted.
/// The chosen choices, lettered, one per line, cut to a field's limit.
pub(super) fn choice_lines(question: &Question, indices: &[usize]) -> String {
    let lines: Vec<String> = indices
        .iter()
        .filter_map(|&i| {
            let choice = question.choices.get(i)?;
            Some(format!("**{}.** {choice}", Question::letter(i)))
        })
        .collect();
    truncate_chars(&lines.join("\n"), FIELD_VALUE_MAX)
}

pub(super) fn excerpt_field(texts: Texts, excerpt: &Excerpt) -> (String, String) {
    let name = format!(
        "{} · {} › {}",
        texts.from_notes(),
        excerpt.file,
        excerpt.heading
    );
    let body: Vec<String> = excerpt
        .body_lines()
        .map(|line| format!("> {line}"))
        .collect();
    let body = if body.is_empty() {
        format!("> {}", excerpt.heading)
    } else {
        body.join("\n")
    };
    (
        truncate_chars(&name, FIELD_NAME_MAX),
        truncate_chars(&body, FIELD_VALUE_MAX),
    )
}

fn summary_embed(
    texts: Texts,
    content: &Content,
    summary: &SessionSummary,
) -> serenity::CreateEmbed {
    let description = if summary.answered == 0 {
        texts.nothing_answered().to_string()
    } else {
        let mut text = texts.summary_line(
            summary.correct,
            summary.answered,
            summary.accuracy,
            summary.points,
        );
        if let Some(topic) = &summary.weakest_topic {
            text.push('\n');
            text.push_str(&texts.weakest_topic(topic_name(content, topic)));
        }
        text
    };
    serenity::CreateEmbed::new()
        .title(truncate_chars(
            &format!("🏁 {}", texts.summary_title()),
            TITLE_MAX,
        ))
        .description(truncate_chars(&description, DESCRIPTION_MAX))
        .colour(GOLD)
}

/// The summary alone (when it is asked for after the last feedback).
pub(super) fn summary_only(texts: Texts, content: &Content, summary: &SessionSummary) -> View {
    View {
        embeds: vec![summary_embed(texts, content, summary)],
        components: Vec::new(),
    }
}

/// The public top 10, with the caller's own rank.
pub(super) fn leaderboard(
    texts: Texts,
    content: &Content,
    period: Period,
    topic: Option<&str>,
    rows: &[Ranked<Standing>],
    mine: Option<&Ranked<Standing>>,
) -> View {
    let title = texts.leaderboard_title(period, topic.map(|t| topic_name(content, t)));
    let mut description = if rows.is_empty() {
        texts.empty_leaderboard().to_string()
    } else {
        rows.iter()
            .map(|row| {
                format!(
                    "**{}.** {} · {}",
                    row.rank,
                    plain_name(&row.entry.display_name),
                    texts.standing(row.entry.points, row.entry.correct, row.entry.answered)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    description.push_str("\n\n");
    match mine {
        Some(mine) => description.push_str(&texts.your_rank(mine.rank, mine.entry.points)),
        None => description.push_str(texts.not_ranked()),
    }
    let embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&title, TITLE_MAX))
        .description(truncate_chars(&description, DESCRIPTION_MAX))
        .colour(GOLD);
    View {
        embeds: vec![embed],
        components: Vec::new(),
    }
}

/// A player's record: totals, streaks, accuracy per topic.
pub(super) fn stats(
    texts: Texts,
    content: &Content,
    name: &str,
    stats: Option<&PlayerStats>,
) -> View {
    let title = texts.stats_title(&plain_name(name));
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&title, TITLE_MAX))
        .colour(BLUE);
    match stats {
        Some(stats) if stats.answered > 0 => {
            let description = format!(
                "{}\n{}",
                texts.stats_totals(stats.answered, stats.correct, stats.points),
                texts.streaks(stats.current_streak, stats.best_streak)
            );
            embed = embed.description(truncate_chars(&description, DESCRIPTION_MAX));
            let topics: Vec<String> = stats
                .topics
                .iter()
                .map(|t| texts.topic_accuracy(topic_name(content, &t.topic), t.correct, t.answered))
                .collect();
            if !topics.is_empty() {
                embed = embed.field(
                    texts.accuracy_by_topic(),
                    truncate_chars(&topics.join("\n"), FIELD_VALUE_MAX),
                    false,
                );
            }
        }
        _ => embed = embed.description(texts.no_stats()),
    }
    View {
        embeds: vec![embed],
        components: Vec::new(),
    }
}

/// The admin's report of a refused reload: every error, as far as fits.
pub(super) fn reload_failed(texts: Texts, error: &ContentError) -> poise::CreateReply {
    let errors: Vec<String> = error
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    let description = format!(
        "```\n{}\n```",
        truncate_chars(&errors.join("\n"), DESCRIPTION_MAX - 10)
    );
    let embed = serenity::CreateEmbed::new()
        .title(truncate_chars(texts.reload_failed(), TITLE_MAX))
        .description(description)
        .colour(RED);
    poise::CreateReply::default()
        .embed(embed)
        .allowed_mentions(no_mentions())
}

/// A display name shown as text: markdown characters escaped, kept short.
pub(super) fn plain_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in truncate_chars(name, 64).chars() {
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

impl Texts {
    pub fn show_results(&self) -> &'static str {
        self.pick("결과 보기", "See results")
    }

    pub fn accuracy_by_topic(&self) -> &'static str {
        self.pick("주제별 정확도", "Accuracy by topic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_choice_continues_in_the_menu_option_description() {
        let long = "가".repeat(250);
        let option = serde_json::to_value(menu_option(1, &long)).unwrap();
        let label = option["label"].as_str().unwrap();
        let description = option["description"].as_str().unwrap();
        assert_eq!(label.chars().count(), OPTION_LABEL_MAX);
        assert!(label.starts_with("B. 가"), "{label}");
        assert_eq!(description.chars().count(), OPTION_DESCRIPTION_MAX);
        let short = serde_json::to_value(menu_option(0, "EC2")).unwrap();
        assert_eq!(short["label"], "A. EC2");
        assert!(short.get("description").is_none());
    }

    #[test]
    fn names_cannot_format_the_board() {
        assert_eq!(plain_name("*bold*_x_"), "\\*bold\\*\\_x\\_");
        assert_eq!(plain_name(&"x".repeat(100)).chars().count(), 64);
    }
}
