//! The daily question on Discord: the public post with its buttons, the
//! private feedback to each member's answer, and the reveal (the post's
//! buttons greyed out, the results posted under it).
//!
//! [`DiscordChannels`] is the scheduler's way into Discord's REST API;
//! [`answer`] handles a click on a post.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use super::components::caller;
use super::render::{self, View};
use super::{no_mentions, ComponentId, Data, DiscordError};
use crate::bank::Question;
use crate::daily::scheduler::{DailyChannel, Delivery, DeliveryError, Reveal};
use crate::game::{DailyOutcome, Game};
use crate::i18n::{percent, Texts};
use crate::identity::Platform;
use crate::notes::truncate_chars;
use crate::store::Recorded;

/// Posts and reveals through Discord's REST API.
pub struct DiscordChannels {
    pub http: Arc<serenity::Http>,
    pub texts: Texts,
}

impl DailyChannel for DiscordChannels {
    async fn post(&self, delivery: &Delivery<'_>) -> Result<String, DeliveryError> {
        let channel = channel_id(&delivery.schedule.channel)?;
        let view = post_view(self.texts, delivery, false);
        let message = serenity::CreateMessage::new()
            .embeds(view.embeds)
            .components(view.components)
            // Discord drops a second message with the same nonce, so a
            // replica retrying after another's crash cannot post twice.
            .nonce(serenity::Nonce::String(format!("qd{}", delivery.post.id)))
            .enforce_nonce(true)
            .allowed_mentions(no_mentions());
        let sent = channel
            .send_message(&self.http, message)
            .await
            .map_err(delivery_error)?;
        Ok(sent.id.get().to_string())
    }

    async fn reveal(&self, reveal: &Reveal<'_>) -> Result<(), DeliveryError> {
        let channel = channel_id(&reveal.schedule.channel)?;
        let closed = Delivery {
            schedule: reveal.schedule,
            post: reveal.post,
            question: reveal.question,
            content: reveal.content,
        };
        let view = post_view(self.texts, &closed, true);
        if let Ok(message_id) = reveal.message_id.parse::<u64>() {
            let edit = serenity::EditMessage::new()
                .embeds(view.embeds)
                .components(view.components)
                .allowed_mentions(no_mentions());
            match channel
                .edit_message(&self.http, serenity::MessageId::new(message_id), edit)
                .await
            {
                Ok(_) => {}
                // Someone deleted the post: the results still go out.
                Err(err) if status_of(&err) == Some(404) => {
                    tracing::info!(post = reveal.post.id, "the daily post was deleted");
                }
                Err(err) => return Err(delivery_error(err)),
            }
        }
        let results = serenity::CreateMessage::new()
            .embed(reveal_embed(self.texts, reveal))
            .nonce(serenity::Nonce::String(format!("qr{}", reveal.post.id)))
            .enforce_nonce(true)
            .allowed_mentions(no_mentions());
        channel
            .send_message(&self.http, results)
            .await
            .map_err(delivery_error)?;
        Ok(())
    }
}

fn channel_id(text: &str) -> Result<serenity::ChannelId, DeliveryError> {
    text.parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .map(serenity::ChannelId::new)
        .ok_or_else(|| DeliveryError::Refused(format!("`{text}` is not a Discord channel id")))
}

fn status_of(err: &serenity::Error) -> Option<u16> {
    match err {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) => {
            Some(response.status_code.as_u16())
        }
        _ => None,
    }
}

/// 403 and 404 mean the channel is gone or closed to the bot.
fn delivery_error(err: serenity::Error) -> DeliveryError {
    match status_of(&err) {
        Some(403) => DeliveryError::Refused(format!("no permission to post ({err})")),
        Some(404) => DeliveryError::Refused(format!("channel not found ({err})")),
        _ => DeliveryError::Failed(err.to_string()),
    }
}

/// The post: the question with its buttons (greyed out once revealed).
fn post_view(texts: Texts, delivery: &Delivery<'_>, closed: bool) -> View {
    let question = delivery.question;
    let title = format!(
        "📅 {} · {} · {}",
        texts.daily_title(),
        render::topic_name(delivery.content, &question.topic),
        texts.difficulty(question.difficulty)
    );
    let footer = if closed {
        texts.daily_closed_footer().to_string()
    } else {
        texts.daily_footer()
    };
    let embed = render::question_embed(texts, question, &title)
        .field(
            texts.reveal_time_label(),
            discord_time(delivery.post.reveal_at),
            false,
        )
        .footer(serenity::CreateEmbedFooter::new(truncate_chars(
            &footer,
            render::FOOTER_MAX,
        )));
    let post = delivery.post.id;
    View {
        embeds: vec![embed],
        components: render::answer_rows(
            texts,
            question,
            |choice| ComponentId::DailyAnswer { post, choice }.to_string(),
            ComponentId::DailyPick { post }.to_string(),
            closed,
        ),
    }
}

/// A moment every reader sees in their own time zone.
fn discord_time(at: DateTime<Utc>) -> String {
    format!("<t:{}:t> (<t:{}:R>)", at.timestamp(), at.timestamp())
}

/// The results: right answer, how many chose what, explanation, notes,
/// streaks.
fn reveal_embed(texts: Texts, reveal: &Reveal<'_>) -> serenity::CreateEmbed {
    let question = reveal.question;
    let tally = &reveal.tally;
    let title = format!("📢 {}", texts.reveal_title());
    let description = truncate_chars(&question.prompt, 700);
    let spread: Vec<String> = question
        .choices
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let count = tally.per_choice.get(i).copied().unwrap_or(0);
            let mark = if question.correct.contains(&i) {
                " ✅"
            } else {
                ""
            };
            format!(
                "**{}** · {} ({}%){mark}",
                Question::letter(i),
                texts.people(count),
                percent(count as i64, tally.answered as i64)
            )
        })
        .collect();
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&title, render::TITLE_MAX))
        .description(truncate_chars(&description, render::DESCRIPTION_MAX))
        .colour(render::GOLD)
        .field(
            texts.right_answer(),
            render::choice_lines(question, &question.correct),
            false,
        )
        .field(
            texts.answer_spread(),
            truncate_chars(&spread.join("\n"), render::FIELD_VALUE_MAX),
            false,
        )
        .field(
            texts.explanation(),
            truncate_chars(&question.explanation, render::FIELD_VALUE_MAX),
            false,
        );
    if let Some(excerpt) = &reveal.excerpt {
        let (name, value) = render::excerpt_field(texts, excerpt);
        embed = embed.field(name, value, false);
    }
    if !reveal.streaks.is_empty() {
        let lines: Vec<String> = reveal
            .streaks
            .iter()
            .map(|(name, days)| texts.streak_line(&render::plain_name(name), *days))
            .collect();
        embed = embed.field(
            texts.streaks_title(),
            truncate_chars(&lines.join("\n"), render::FIELD_VALUE_MAX),
            false,
        );
    }
    embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &texts.turnout(tally.answered, tally.correct),
        render::FOOTER_MAX,
    )))
}

/// A member's answer to a daily post: recorded once, answered privately.
pub(super) async fn answer(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    post: i64,
    chosen: &[usize],
) -> Result<(), DiscordError> {
    let caller = caller(interaction)?;
    let player = caller.player(data).await?;
    let content = data.bot.content.current();
    let game = Game::new(&content, &data.bot.store);
    let outcome = game
        .answer_daily(
            &player,
            Platform::Discord,
            &super::guild_external_id(caller.guild),
            post,
            chosen,
            Some(interaction.id.get().to_string()),
            Utc::now(),
        )
        .await?;
    let view = feedback(data.texts, &outcome);
    let message = serenity::CreateInteractionResponseMessage::new()
        .embeds(view.embeds)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    interaction
        .create_response(
            &ctx.http,
            serenity::CreateInteractionResponse::Message(message),
        )
        .await?;
    Ok(())
}

/// Private feedback: the verdict, the right answer, the explanation, the
/// notes, points and streak; or, for a second click, the first answer.
fn feedback(texts: Texts, outcome: &DailyOutcome<'_>) -> View {
    let question = outcome.question;
    let lines = |indices: &[usize]| render::choice_lines(question, indices);
    let (correct, chosen, footer) = match &outcome.recorded {
        Recorded::New { points, streak } => (
            outcome.grade.correct,
            outcome.grade.chosen.clone(),
            texts.daily_points(*points, streak.current),
        ),
        Recorded::Duplicate {
            choices, correct, ..
        } => (
            *correct,
            choices.clone(),
            texts.already_answered(&Question::letters(choices)),
        ),
    };
    let title = if correct {
        format!("✅ {}", texts.correct())
    } else {
        format!("❌ {}", texts.wrong())
    };
    let mut embed = serenity::CreateEmbed::new()
        .title(truncate_chars(&title, render::TITLE_MAX))
        .description(truncate_chars(&question.prompt, 700))
        .colour(if correct { render::GREEN } else { render::RED });
    if !correct {
        embed = embed.field(texts.your_answer(), lines(&chosen), false);
    }
    embed = embed
        .field(texts.right_answer(), lines(&question.correct), false)
        .field(
            texts.explanation(),
            truncate_chars(&question.explanation, render::FIELD_VALUE_MAX),
            false,
        );
    if let Some(excerpt) = &outcome.excerpt {
        let (name, value) = render::excerpt_field(texts, excerpt);
        embed = embed.field(name, value, false);
    }
    embed = embed.footer(serenity::CreateEmbedFooter::new(truncate_chars(
        &footer,
        render::FOOTER_MAX,
    )));
    View {
        embeds: vec![embed],
        components: Vec::new(),
    }
}
