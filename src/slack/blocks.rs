//! Block Kit messages: the question card, the feedback after an answer, the
//! summary, the leaderboard, stats and short notices.
//!
//! Every text from a question bank, a note or a user is escaped (`&`, `<`,
//! `>`), so nothing in it can become a mention or a link, and every text is
//! cut to Slack's limits (section text 3000 characters, button and option
//! text 75, header 150, 5 buttons per actions block) with a clean "…". The
//! content mirrors the terminal's card, feedback and summary.

use slack_morphism::prelude::*;

use crate::bank::Question;
use crate::content::Content;
use crate::game::AnswerOutcome;
use crate::i18n::Texts;
use crate::notes::{truncate_chars, Excerpt};
use crate::quiz::{Period, Ranked, SessionSummary};
use crate::store::{PlayerStats, Recorded, Standing};

use super::actions::ActionId;

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
pub fn button(action: &ActionId, text: &str, value: Option<String>) -> SlackBlockButtonElement {
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

/// A topic's name, or its id when the bank no longer has it.
pub fn topic_name<'c>(content: &'c Content, topic: &'c str) -> &'c str {
    content.bank.topic(topic).map_or(topic, |t| t.name.as_str())
}

/// "A) choice" for a button or option.
fn choice_label(index: usize, choice: &str) -> String {
    format!("{}) {choice}", Question::letter(index))
}

/// The card's first section: progress, topic, difficulty and the prompt.
fn question_heading(
    texts: Texts,
    content: &Content,
    question: &Question,
    position: usize,
    total: usize,
) -> String {
    format!(
        "*[{}] {} · {}*\n{}",
        texts.progress(position, total),
        escape(topic_name(content, &question.topic)),
        texts.difficulty(question.difficulty),
        escape(&question.prompt)
    )
}

/// The question card: the prompt, then a button per choice, or checkboxes
/// and a submit button for "choose N". `shown_at_ms` rides in the buttons'
/// value so the answer can carry how long it took.
pub fn question_card(
    texts: Texts,
    content: &Content,
    question: &Question,
    session_id: i64,
    position: usize,
    total: usize,
    shown_at_ms: i64,
) -> SlackMessageContent {
    let mut heading = question_heading(texts, content, question, position, total);
    if question.is_multi() {
        heading.push_str(&format!("\n_({})_", texts.choose_n(question.picks())));
    }
    let mut blocks = vec![section(&heading)];
    let actions = AnswerActions {
        choice: &|choice| ActionId::Choice {
            session_id,
            position,
            choice,
        },
        pick: ActionId::Pick {
            session_id,
            position,
        },
        submit: ActionId::Submit {
            session_id,
            position,
        },
    };
    blocks.extend(answer_blocks(
        texts,
        question,
        &actions,
        Some(shown_at_ms.to_string()),
    ));
    message(&question.prompt, blocks)
}

/// The action ids of one question's answer components.
pub struct AnswerActions<'a> {
    /// The button of each choice.
    pub choice: &'a dyn Fn(usize) -> ActionId,
    /// The checkboxes of a "choose N" question.
    pub pick: ActionId,
    /// The button that sends the checked boxes.
    pub submit: ActionId,
}

/// Every choice in full, "*A)* text" a line.
pub fn choice_list(question: &Question) -> SlackBlock {
    let list: Vec<String> = question
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| format!("*{})* {}", Question::letter(i), escape(c)))
        .collect();
    section(&list.join("\n"))
}

/// The components that answer `question`: a button per choice, or
/// checkboxes and a Submit button for "choose N". Buttons show "A) choice"
/// cut to 75 characters; when a choice does not fit, every choice is listed
/// in full above them. `value` rides in the buttons.
pub fn answer_blocks(
    texts: Texts,
    question: &Question,
    actions: &AnswerActions<'_>,
    value: Option<String>,
) -> Vec<SlackBlock> {
    let mut blocks = Vec::new();
    if question
        .choices
        .iter()
        .enumerate()
        .any(|(i, c)| choice_label(i, c).chars().count() > BUTTON_TEXT_MAX)
    {
        blocks.push(choice_list(question));
    }
    if question.is_multi() {
        let options: Vec<SlackBlockChoiceItem<SlackBlockText>> = question
            .choices
            .iter()
            .enumerate()
            .take(CHECKBOX_OPTIONS_MAX)
            .map(|(i, c)| {
                let text: SlackBlockText =
                    SlackBlockPlainText::new(truncate_chars(&choice_label(i, c), BUTTON_TEXT_MAX))
                        .into();
                SlackBlockChoiceItem::new(text, i.to_string())
            })
            .collect();
        let checkboxes = SlackBlockCheckboxesElement::new(options)
            .with_action_id(actions.pick.to_string().into());
        blocks.push(SlackActionsBlock::new(vec![checkboxes.into()]).into());
        blocks.push(
            SlackActionsBlock::new(vec![button(
                &actions.submit,
                texts.slack_submit_button(),
                value,
            )
            .with_style(SlackBlockButtonStyle::Primary)
            .into()])
            .into(),
        );
    } else {
        let buttons = question
            .choices
            .iter()
            .enumerate()
            .map(|(choice, c)| {
                button(
                    &(actions.choice)(choice),
                    &choice_label(choice, c),
                    value.clone(),
                )
            })
            .collect();
        blocks.extend(button_rows(buttons));
    }
    blocks
}

/// A private verdict on an answer, as the feedback shows it.
pub struct Verdict<'a> {
    pub question: &'a Question,
    pub correct: bool,
    /// The choices graded, ascending.
    pub chosen: &'a [usize],
    /// Set when the answer was already recorded: the choices that stand.
    pub first: Option<&'a [usize]>,
    pub excerpt: Option<&'a Excerpt>,
    /// The last line (points won, a streak), if any.
    pub score: Option<String>,
}

/// The feedback blocks after an answer: verdict, the right answer, the
/// explanation, the note excerpt and the score line. Shared by the quiz
/// card and the daily question's private feedback.
pub fn verdict_blocks(texts: Texts, verdict: &Verdict<'_>) -> Vec<SlackBlock> {
    let question = verdict.question;
    let mut blocks = Vec::new();
    let mut text = String::new();
    if let Some(first) = verdict.first {
        text.push_str(&escape(&texts.already_answered(&Question::letters(first))));
        text.push('\n');
    }
    if verdict.correct {
        text.push_str(&format!("✅ *{}*", texts.correct()));
    } else {
        text.push_str(&format!(
            "❌ *{}*\n{}: {}",
            texts.wrong(),
            texts.your_answer(),
            Question::letters(verdict.chosen)
        ));
    }
    blocks.push(section(&text));
    blocks.push(section(&right_answers(texts, question)));
    blocks.push(section(&format!(
        "*{}:* {}",
        texts.explanation(),
        escape(&question.explanation)
    )));
    if let Some(excerpt) = verdict.excerpt {
        blocks.push(section(&excerpt_text(texts, excerpt)));
    }
    if let Some(score) = &verdict.score {
        blocks.push(context(&escape(score)));
    }
    blocks
}

/// "*Right answer:* B) text", a line per right choice.
pub fn right_answers(texts: Texts, question: &Question) -> String {
    let lines: Vec<String> = question
        .correct
        .iter()
        .filter_map(|&i| {
            question.choices.get(i).map(|c| {
                format!(
                    "*{}:* {}) {}",
                    texts.right_answer(),
                    Question::letter(i),
                    escape(c)
                )
            })
        })
        .collect();
    lines.join("\n")
}

/// "📝 Notes · file › heading" and the excerpt's lines, quoted.
pub fn excerpt_text(texts: Texts, excerpt: &Excerpt) -> String {
    let mut text = format!(
        "📝 *{}* · {} › {}",
        texts.from_notes(),
        escape(&excerpt.file),
        escape(&excerpt.heading)
    );
    for line in excerpt.body_lines() {
        text.push_str("\n> ");
        text.push_str(&escape(line));
    }
    text
}

/// The quiz card after an answer: the question, the feedback and a button
/// to the next question (or to the summary after the last one).
pub fn feedback_card(
    texts: Texts,
    content: &Content,
    outcome: &AnswerOutcome,
    position: usize,
    total: usize,
) -> SlackMessageContent {
    let question = outcome.question;
    let mut blocks = vec![section(&question_heading(
        texts, content, question, position, total,
    ))];
    let first = match &outcome.recorded {
        Recorded::Duplicate { choices, .. } => Some(choices.as_slice()),
        Recorded::New { .. } => None,
    };
    blocks.extend(verdict_blocks(
        texts,
        &Verdict {
            question,
            correct: outcome.grade.correct,
            chosen: &outcome.grade.chosen,
            first,
            excerpt: outcome.excerpt.as_ref(),
            score: Some(texts.points_won(
                outcome.points(),
                outcome.is_repeat_of_a_recent_correct_answer(),
            )),
        },
    ));
    let next = ActionId::Next {
        session_id: outcome.session.id,
        position,
    };
    let label = if outcome.is_last() {
        texts.slack_summary_button()
    } else {
        texts.next_button()
    };
    blocks.push(
        SlackActionsBlock::new(vec![button(&next, label, None)
            .with_style(SlackBlockButtonStyle::Primary)
            .into()])
        .into(),
    );
    let fallback = if outcome.grade.correct {
        texts.correct()
    } else {
        texts.wrong()
    };
    message(fallback, blocks)
}

/// The end of a session.
pub fn summary_card(
    texts: Texts,
    content: &Content,
    summary: &SessionSummary,
) -> SlackMessageContent {
    let mut text = format!("*{}*\n", texts.summary_title());
    if summary.answered == 0 {
        text.push_str(texts.nothing_answered());
    } else {
        text.push_str(&texts.summary_line(
            summary.correct,
            summary.answered,
            summary.accuracy,
            summary.points,
        ));
        if let Some(topic) = &summary.weakest_topic {
            text.push('\n');
            text.push_str(&escape(&texts.weakest_topic(topic_name(content, topic))));
        }
    }
    message(texts.summary_title(), vec![section(&text)])
}

/// A leaderboard: the top rows, then the caller's own rank when they have
/// one. Names are plain text (escaped), never mentions.
pub fn leaderboard_card(
    texts: Texts,
    title: &str,
    rows: &[Ranked<Standing>],
    mine: Option<&Ranked<Standing>>,
) -> SlackMessageContent {
    let mut blocks = vec![header(title)];
    if rows.is_empty() {
        blocks.push(section(&escape(texts.empty_leaderboard())));
    } else {
        let lines: Vec<String> = rows
            .iter()
            .map(|row| {
                let medal = match row.rank {
                    1 => "🥇",
                    2 => "🥈",
                    3 => "🥉",
                    _ => "▫️",
                };
                format!(
                    "{medal} *{}.* {} — {} · {}/{}",
                    row.rank,
                    escape(&row.entry.display_name),
                    texts.slack_points(row.entry.points),
                    row.entry.correct,
                    row.entry.answered
                )
            })
            .collect();
        blocks.push(section(&lines.join("\n")));
        blocks.push(context(&escape(texts.correct_column())));
    }
    if let Some(mine) = mine {
        blocks.push(context(&escape(
            &texts.your_rank(mine.rank, mine.entry.points),
        )));
    }
    message(title, blocks)
}

/// The leaderboard's title for a period and topic.
pub fn leaderboard_title(
    texts: Texts,
    content: &Content,
    period: Period,
    topic: Option<&str>,
) -> String {
    texts.leaderboard_title(period, topic.map(|t| topic_name(content, t)))
}

/// A player's record.
pub fn stats_card(texts: Texts, content: &Content, stats: &PlayerStats) -> SlackMessageContent {
    let title = texts.stats_title(&stats.display_name);
    let mut text = format!(
        "*{}*\n{}\n{}",
        escape(&title),
        texts.stats_totals(stats.answered, stats.correct, stats.points),
        texts.streaks(stats.current_streak, stats.best_streak)
    );
    for topic in &stats.topics {
        text.push_str("\n• ");
        text.push_str(&escape(&texts.topic_accuracy(
            topic_name(content, &topic.topic),
            topic.correct,
            topic.answered,
        )));
    }
    message(&title, vec![section(&text)])
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
        let content = Content {
            bank: crate::bank::Bank::default(),
            notes: crate::notes::Notes::default(),
            questions_dir: "questions".into(),
            notes_dir: "notes".into(),
        };
        let question = Question {
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
        };
        let card = question_card(
            Texts::new(crate::config::Locale::English),
            &content,
            &question,
            1,
            0,
            1,
            0,
        );
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
        let action = ActionId::Next {
            session_id: 1,
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
