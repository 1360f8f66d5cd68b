//! The live round on Discord: `/quiz-live start [topic] [questions]
//! [seconds]` and `/quiz-live stop` (admins), the public question with its
//! buttons (a menu for "choose two") and a live countdown (`<t:…:R>`), the
//! same message edited into the reveal at the deadline (buttons greyed
//! out), the results, and a member's private receipt. [`DiscordLive`] is
//! the quizmaster's way into Discord's REST API; clicks are answered in
//! [`super::components`].
//!
//! A question costs one message and one edit (its reveal), however many
//! answer: each click gets only its own interaction response. Posts carry
//! a nonce keyed by the question (and the results by the round), so a
//! replica posting again after another's crash gets the first message back.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::daily::{channel_id, delivery_error, post_once};
use super::interaction::{self, Localization, Privacy};
use super::render::{self, View};
use super::{no_mentions, Context, DiscordError};
use crate::notes::truncate_chars;
use crate::quizmaster::{LiveChannel, QuestionPost, QuestionReveal, RoundResults};
use crate::scheduler::DeliveryError;
use crate::service::LiveRequest;
use crate::view::{
    LiveAnnouncement, LiveQuestionView, LiveReceipt, LiveResultsView, LiveRevealView, LiveRunning,
    LiveStart,
};

/// What Discord allows across a message's embeds, with room to spare.
const EMBEDS_BUDGET: usize = 5_800;
/// How much of each choice a reveal repeats above its counts.
const REVEAL_CHOICE_MAX: usize = 200;

/// Play questions together in this channel, against the clock.
#[poise::command(
    slash_command,
    guild_only,
    rename = "quiz-live",
    subcommands("live_start", "live_stop"),
    subcommand_required
)]
pub(super) async fn quiz_live(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// Start a live quiz in this channel.
#[poise::command(slash_command, guild_only, rename = "start")]
async fn live_start(
    ctx: Context<'_>,
    #[autocomplete = "interaction::topic_choices"] topic: Option<String>,
    #[min = 1]
    #[max = 30]
    questions: Option<u8>,
    #[min = 10]
    #[max = 120]
    seconds: Option<u8>,
) -> Result<(), DiscordError> {
    let caller = interaction::caller(ctx)?;
    let guild = ctx.guild_id().ok_or(DiscordError::NotInServer)?;
    let channel = ctx.channel_id().get().to_string();
    let request = LiveRequest {
        topic: topic.as_deref(),
        questions: questions.map(usize::from),
        seconds: seconds.map(u32::from),
    };
    interaction::reply_in_time_as(ctx, Privacy::Public, async {
        let started = ctx
            .data()
            .service
            .start_live(&caller, &channel, &request)
            .await?;
        Ok(match started {
            LiveStart::Started(announcement) => (announce(&announcement).reply(), Privacy::Public),
            LiveStart::Running(running) => (self::running(&running, guild), Privacy::Private),
        })
    })
    .await
}

/// Stop the live quiz running in this channel (admins).
#[poise::command(slash_command, guild_only, rename = "stop")]
async fn live_stop(ctx: Context<'_>) -> Result<(), DiscordError> {
    let caller = interaction::caller(ctx)?;
    let channel = ctx.channel_id().get().to_string();
    interaction::reply_in_time(ctx, Privacy::Private, async {
        let text = ctx.data().service.stop_live(&caller, &channel).await?;
        Ok(render::notice(&text))
    })
    .await
}

/// The wording of `/quiz-live` and its options.
pub(super) const LOCALIZATIONS: &[Localization] = &[
    (
        "quiz-live",
        "라이브퀴즈",
        "채널 모두가 같은 문제를 제한 시간 안에 함께 풉니다",
        "The whole channel answers the same questions against the clock",
    ),
    (
        "quiz-live start",
        "시작",
        "이 채널에서 라이브 퀴즈를 시작합니다",
        "Start a live quiz in this channel",
    ),
    (
        "quiz-live start topic",
        "주제",
        "문제 주제 (비우면 모든 주제)",
        "Question topic (all topics when empty)",
    ),
    (
        "quiz-live start questions",
        "문제수",
        "문제 수 (1–30, 기본 10)",
        "Number of questions (1–30, default 10)",
    ),
    (
        "quiz-live start seconds",
        "초",
        "문제당 제한 시간 (10–120초, 기본 20)",
        "Seconds per question (10–120, default 20)",
    ),
    (
        "quiz-live stop",
        "멈춤",
        "진행 중인 라이브 퀴즈를 멈춥니다 (관리자)",
        "Stop the live quiz running here (admins)",
    ),
];

/// The public announcement of a new round.
fn announce(announcement: &LiveAnnouncement) -> View {
    View {
        embeds: vec![serenity::CreateEmbed::new()
            // The title names the starter: shown as text, never markdown.
            .title(truncate_chars(
                &render::escape_markdown(&announcement.title),
                render::TITLE_MAX,
            ))
            .description(truncate_chars(
                &announcement.lines.join("\n\n"),
                render::DESCRIPTION_MAX,
            ))
            .colour(render::GOLD)],
        components: Vec::new(),
    }
}

/// Where the running round is: a private note with a link to its question.
fn running(running: &LiveRunning, guild: serenity::GuildId) -> poise::CreateReply {
    let mut description = running.text.clone();
    if let Some(message) = &running.message_id {
        description.push_str(&format!(
            "\n[{}](https://discord.com/channels/{guild}/{}/{message})",
            running.link_label, running.channel
        ));
    }
    poise::CreateReply::default()
        .embed(
            serenity::CreateEmbed::new()
                .description(truncate_chars(&description, render::DESCRIPTION_MAX))
                .colour(render::BLUE),
        )
        .allowed_mentions(no_mentions())
}

/// A question as the channel sees it: the prompt and choices, the
/// deadline as a time and a live countdown, the buttons.
fn question(view: &LiveQuestionView) -> View {
    let at = view.deadline.timestamp();
    let embed = render::question_embed(&view.question, &view.title)
        .field(
            truncate_chars(&view.deadline_label, render::FIELD_NAME_MAX),
            format!("<t:{at}:T> (<t:{at}:R>)"),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(truncate_chars(
            &view.footer,
            render::FOOTER_MAX,
        )));
    View {
        embeds: vec![embed],
        components: render::answer_rows(&view.input, &view.question.choices, false),
    }
}

/// The question's message after its deadline: the question and its
/// choices, the answer, the spread, who was right first, the explanation
/// and notes (as far as Discord's total allows); the buttons greyed out.
fn reveal(view: &LiveRevealView) -> View {
    let title = truncate_chars(&view.title, render::TITLE_MAX);
    // The choices stay readable beside their counts.
    let choices: Vec<String> = view
        .question
        .choices
        .iter()
        .map(|c| {
            format!(
                "**{}.** {}",
                c.letter,
                truncate_chars(&c.text, REVEAL_CHOICE_MAX)
            )
        })
        .collect();
    let description = truncate_chars(
        &format!(
            "{}\n\n{}",
            truncate_chars(&view.question.prompt, render::FEEDBACK_PROMPT_MAX),
            choices.join("\n")
        ),
        render::DESCRIPTION_MAX,
    );
    let footer = truncate_chars(
        &format!("{} · {}", view.turnout, view.next),
        render::FOOTER_MAX,
    );
    let mut used = title.chars().count() + description.chars().count() + footer.chars().count();
    let mut embed = serenity::CreateEmbed::new()
        .title(title)
        .description(description)
        .colour(render::GOLD)
        .footer(serenity::CreateEmbedFooter::new(footer));
    embed = render::choice_field(embed, &view.right_answer);
    embed = render::list_field(embed, &view.spread);
    let right = crate::view::ListField {
        label: view.right.label.clone(),
        lines: view
            .right
            .lines
            .iter()
            .map(|line| render::escape_markdown(line))
            .collect(),
    };
    embed = render::list_field(embed, &right);
    embed = render::list_field(embed, &view.explanation);
    let answer: Vec<String> = view
        .right_answer
        .choices
        .iter()
        .map(|c| format!("**{}.** {}", c.letter, c.text))
        .collect();
    used += field_size(&view.right_answer.label, &answer.join("\n"));
    for field in [&view.spread, &right, &view.explanation] {
        used += field_size(&field.label, &field.lines.join("\n"));
    }
    // The notes as far as they fit under Discord's total.
    for excerpt in &view.excerpts {
        let name = format!("{} · {}", excerpt.label, excerpt.source);
        let body: Vec<String> = excerpt.lines.iter().map(|l| format!("> {l}")).collect();
        let size = field_size(&name, &body.join("\n"));
        if used + size > EMBEDS_BUDGET {
            break;
        }
        used += size;
        embed = render::excerpt_field(embed, excerpt);
    }
    View {
        embeds: vec![embed],
        components: render::answer_rows(&view.input, &view.question.choices, true),
    }
}

/// The characters a field takes once cut to Discord's limits.
fn field_size(name: &str, value: &str) -> usize {
    name.chars().count().min(render::FIELD_NAME_MAX)
        + value.chars().count().min(render::FIELD_VALUE_MAX)
}

/// The round's results: why it ended early (if it did), the scoreboard,
/// the most missed question, where the misses come back.
fn results(view: &LiveResultsView) -> View {
    // A stop's notice names who stopped: shown as text.
    let mut lines: Vec<String> = view
        .notice
        .iter()
        .map(|notice| render::escape_markdown(notice))
        .collect();
    if view.rows.is_empty() {
        lines.push(view.empty.clone());
    } else {
        lines.extend(view.rows.iter().map(|row| {
            format!(
                "**{}.** {} · {}",
                row.rank,
                render::plain_name(&row.name),
                row.score
            )
        }));
        lines.extend(view.more.iter().cloned());
    }
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&view.title, render::TITLE_MAX))
        .description(truncate_chars(&lines.join("\n"), render::DESCRIPTION_MAX))
        .colour(render::GOLD);
    if let Some(missed) = &view.most_missed {
        embed = render::list_field(embed, missed);
    }
    embed = render::list_field(embed, &view.review);
    embed = embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &format!("{} · {}", view.legend, view.note),
        render::FOOTER_MAX,
    )));
    View {
        embeds: vec![embed],
        components: Vec::new(),
    }
}

/// The private reply to a member's answer.
pub(super) fn receipt(receipt: &LiveReceipt) -> View {
    let at = receipt.deadline.timestamp();
    let description = format!(
        "{}\n{}: <t:{at}:T> (<t:{at}:R>)",
        receipt.text, receipt.deadline_label
    );
    View {
        embeds: vec![serenity::CreateEmbed::new()
            .description(truncate_chars(&description, render::DESCRIPTION_MAX))
            .colour(render::GREEN)],
        components: Vec::new(),
    }
}

/// Posts and reveals through Discord's REST API.
pub struct DiscordLive {
    pub http: Arc<serenity::Http>,
}

impl LiveChannel for DiscordLive {
    async fn post_question(&self, post: &QuestionPost<'_>) -> Result<String, DeliveryError> {
        let channel = channel_id(&post.round.channel)?;
        let view = question(&post.view);
        let message = serenity::CreateMessage::new()
            .embeds(view.embeds)
            .components(view.components);
        let nonce = format!("ql{}", post.question.id);
        let sent = post_once(&self.http, channel, nonce, message).await?;
        Ok(sent.id.get().to_string())
    }

    async fn reveal(&self, reveal: &QuestionReveal<'_>) -> Result<(), DeliveryError> {
        let channel = channel_id(&reveal.round.channel)?;
        let message = reveal
            .message_id
            .parse::<u64>()
            .ok()
            .filter(|id| *id != 0)
            .map(serenity::MessageId::new)
            .ok_or_else(|| {
                DeliveryError::Refused(format!("`{}` is not a message id", reveal.message_id))
            })?;
        let view = self::reveal(&reveal.view);
        let edit = serenity::EditMessage::new()
            .embeds(view.embeds)
            .components(view.components)
            .allowed_mentions(no_mentions());
        match channel.edit_message(&self.http, message, edit).await {
            Ok(_) => Ok(()),
            // Someone deleted the question: its results go out on their own.
            Err(err) if super::daily::status_of(&err) == Some(404) => {
                tracing::info!(question = reveal.question.id, "a live question was deleted");
                let view = self::reveal(&reveal.view);
                let message = serenity::CreateMessage::new().embeds(view.embeds);
                let nonce = format!("qv{}", reveal.question.id);
                post_once(&self.http, channel, nonce, message)
                    .await
                    .map(drop)
            }
            Err(err) => Err(delivery_error(err)),
        }
    }

    async fn post_results(&self, results: &RoundResults<'_>) -> Result<(), DeliveryError> {
        let channel = channel_id(&results.round.channel)?;
        let view = self::results(&results.view);
        let message = serenity::CreateMessage::new().embeds(view.embeds);
        let nonce = format!("qe{}", results.view.round);
        post_once(&self.http, channel, nonce, message)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{
        AnswerInput, Button, ButtonStyle, ChoiceField, ChoiceLine, ExcerptView, ListField,
        QuestionView,
    };

    fn chars(value: &serde_json::Value) -> usize {
        value.as_str().map_or(0, |s| s.chars().count())
    }

    #[test]
    fn a_reveal_of_long_texts_stays_within_discords_embed_total() {
        let choices: Vec<ChoiceLine> = (0..5)
            .map(|i| ChoiceLine {
                letter: crate::bank::Question::letter(i),
                text: "선택지 ".repeat(200),
            })
            .collect();
        let long = |label: &str| ListField {
            label: label.into(),
            lines: vec!["긴 설명 ".repeat(400)],
        };
        let view = LiveRevealView {
            title: "📢 1/10번 정답 공개".into(),
            question: QuestionView {
                prompt: "문제 ".repeat(1000),
                choose_hint: None,
                choices: choices.clone(),
            },
            input: AnswerInput::Buttons(
                (0..5)
                    .map(|i| Button {
                        label: crate::bank::Question::letter(i).to_string(),
                        action: crate::action::Action::LiveAnswer {
                            question: 1,
                            choice: i,
                        },
                        style: ButtonStyle::Primary,
                    })
                    .collect(),
            ),
            right_answer: ChoiceField {
                label: "정답".into(),
                choices: choices[..2].to_vec(),
            },
            spread: long("선택 분포"),
            right: long("정답자"),
            explanation: long("해설"),
            excerpts: (0..3)
                .map(|_| ExcerptView {
                    label: "노트".into(),
                    source: "notes.md › 제목".into(),
                    lines: vec!["노트 내용 ".repeat(300)],
                })
                .collect(),
            turnout: "500명 참여".into(),
            next: "다음 문제는 5초 뒤에 나옵니다.".into(),
            right_letters: "AB".into(),
            question_row: 1,
        };

        let embed = serde_json::to_value(&reveal(&view).embeds[0]).unwrap();

        let mut total = chars(&embed["title"]) + chars(&embed["description"]);
        total += chars(&embed["footer"]["text"]);
        for field in embed["fields"].as_array().unwrap() {
            assert!(chars(&field["value"]) <= render::FIELD_VALUE_MAX);
            total += chars(&field["name"]) + chars(&field["value"]);
        }
        assert!(total <= 6000, "{total} characters across the embed");
        assert!(chars(&embed["description"]) <= render::DESCRIPTION_MAX);
    }
}
