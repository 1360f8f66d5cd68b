//! Buttons and menus: what a click means ([`ComponentId`], parsed from the
//! custom id) and what the bot does about it ([`route`]).
//!
//! A custom id names everything the click needs, so no per-card state lives
//! in memory: `q:<session>:<position>:<choice>` answers with one choice,
//! `q:<session>:<position>:pick` answers with the menu's values ("choose
//! two"), `q:<session>:<position>:next` moves on; a daily post's buttons are
//! `d:<post>:<choice>` and its menu `d:<post>:pick`.

use std::fmt;

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use super::{no_mentions, render, Caller, Data, DiscordError};
use crate::game::{Game, SESSION_LIFETIME_HOURS};
use crate::i18n::Texts;

/// What one of the bot's buttons or menus does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentId {
    /// An answer button of a session's question.
    Answer {
        session: i64,
        position: usize,
        choice: usize,
    },
    /// The "choose N" menu of a session's question; the choices are the
    /// menu's selected values.
    Pick { session: i64, position: usize },
    /// Moves a session on from the question at `position`.
    Next { session: i64, position: usize },
    /// An answer button of a daily post.
    DailyAnswer { post: i64, choice: usize },
    /// The "choose N" menu of a daily post.
    DailyPick { post: i64 },
}

impl ComponentId {
    pub fn parse(custom_id: &str) -> Option<ComponentId> {
        let mut parts = custom_id.split(':');
        match parts.next()? {
            "q" => {
                let session = parts.next()?.parse().ok()?;
                let position = parts.next()?.parse().ok()?;
                let action = parts.next()?;
                if parts.next().is_some() {
                    return None;
                }
                match action {
                    "next" => Some(ComponentId::Next { session, position }),
                    "pick" => Some(ComponentId::Pick { session, position }),
                    choice => Some(ComponentId::Answer {
                        session,
                        position,
                        choice: choice.parse().ok()?,
                    }),
                }
            }
            "d" => {
                let post = parts.next()?.parse().ok()?;
                let action = parts.next()?;
                if parts.next().is_some() {
                    return None;
                }
                match action {
                    "pick" => Some(ComponentId::DailyPick { post }),
                    choice => Some(ComponentId::DailyAnswer {
                        post,
                        choice: choice.parse().ok()?,
                    }),
                }
            }
            _ => None,
        }
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentId::Answer {
                session,
                position,
                choice,
            } => write!(f, "q:{session}:{position}:{choice}"),
            ComponentId::Pick { session, position } => write!(f, "q:{session}:{position}:pick"),
            ComponentId::Next { session, position } => write!(f, "q:{session}:{position}:next"),
            ComponentId::DailyAnswer { post, choice } => write!(f, "d:{post}:{choice}"),
            ComponentId::DailyPick { post } => write!(f, "d:{post}:pick"),
        }
    }
}

/// Handles one click; a refusal or a failure reaches the user as a short
/// private message.
pub(super) async fn route(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
) {
    let handled = match ComponentId::parse(&interaction.data.custom_id) {
        Some(ComponentId::Answer {
            session,
            position,
            choice,
        }) => answer(ctx, data, interaction, session, position, &[choice]).await,
        Some(ComponentId::Pick { session, position }) => match picked(&interaction.data.kind) {
            Some(chosen) => answer(ctx, data, interaction, session, position, &chosen).await,
            None => Err(DiscordError::BadOptions),
        },
        Some(ComponentId::Next { session, position }) => {
            next(ctx, data, interaction, session, position).await
        }
        Some(ComponentId::DailyAnswer { post, choice }) => {
            super::daily::answer(ctx, data, interaction, post, &[choice]).await
        }
        Some(ComponentId::DailyPick { post }) => match picked(&interaction.data.kind) {
            Some(chosen) => super::daily::answer(ctx, data, interaction, post, &chosen).await,
            None => Err(DiscordError::BadOptions),
        },
        None => {
            tracing::debug!(custom_id = %interaction.data.custom_id, "click on an unknown component");
            reply_privately(ctx, interaction, data.texts.unknown_component()).await
        }
    };
    if let Err(err) = handled {
        if err.is_internal() {
            tracing::error!(custom_id = %interaction.data.custom_id, "{err}");
        } else {
            tracing::debug!(custom_id = %interaction.data.custom_id, "refused: {err}");
        }
        if let Err(err) = reply_privately(ctx, interaction, &err.user_message(data.texts)).await {
            tracing::warn!("could not tell the user about a failure: {err}");
        }
    }
}

/// Grades the answer, records it once, and turns the card into feedback
/// (and the summary after the last question).
async fn answer(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    session: i64,
    position: usize,
    chosen: &[usize],
) -> Result<(), DiscordError> {
    let bot = &data.bot;
    let player = caller(interaction)?.player(data).await?;
    let content = bot.content.current();
    let game = Game::new(&content, &bot.store);
    let now = Utc::now();
    let outcome = game
        .answer(
            &player,
            session,
            position,
            chosen,
            Some(interaction.id.get().to_string()),
            shown_for_ms(&interaction.message, now),
            now,
        )
        .await?;
    let summary = if outcome.is_last() {
        match game.finish(session, now).await {
            Ok(summary) => Some(summary),
            Err(err) => {
                // The answer is recorded; the feedback still shows, with a
                // button that asks for the summary again.
                tracing::error!(session, "finishing the session failed: {err}");
                None
            }
        }
    } else {
        None
    };
    let view = render::feedback(data.texts, &content, &outcome, summary.as_ref());
    interaction
        .create_response(
            &ctx.http,
            serenity::CreateInteractionResponse::UpdateMessage(view.update()),
        )
        .await?;
    Ok(())
}

/// Shows the next question, or the summary once the last one is behind.
async fn next(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    session: i64,
    from: usize,
) -> Result<(), DiscordError> {
    let bot = &data.bot;
    let player = caller(interaction)?.player(data).await?;
    let content = bot.content.current();
    let game = Game::new(&content, &bot.store);
    let now = Utc::now();
    let moved = game.next(&player, session, from, now).await?;
    let view = if moved.position == from && moved.is_last() {
        let summary = game.finish(session, now).await?;
        render::summary_only(data.texts, &content, &summary)
    } else {
        let question = game.question(&moved, moved.position)?;
        render::card(data.texts, &content, &moved, question)
    };
    interaction
        .create_response(
            &ctx.http,
            serenity::CreateInteractionResponse::UpdateMessage(view.update()),
        )
        .await?;
    Ok(())
}

pub(super) fn caller(interaction: &serenity::ComponentInteraction) -> Result<Caller, DiscordError> {
    Caller::new(
        interaction.guild_id,
        interaction.member.as_ref(),
        &interaction.user,
    )
}

/// The menu's values as choice indices.
fn picked(kind: &serenity::ComponentInteractionDataKind) -> Option<Vec<usize>> {
    match kind {
        serenity::ComponentInteractionDataKind::StringSelect { values } => {
            values.iter().map(|v| v.parse().ok()).collect()
        }
        _ => None,
    }
}

/// How long the question was on screen: since the card was last drawn.
fn shown_for_ms(message: &serenity::Message, now: DateTime<Utc>) -> Option<i64> {
    let shown: DateTime<Utc> = *message.edited_timestamp.unwrap_or(message.timestamp);
    let elapsed = (now - shown).num_milliseconds();
    (0..=SESSION_LIFETIME_HOURS * 3_600_000)
        .contains(&elapsed)
        .then_some(elapsed)
}

pub(super) async fn reply_privately(
    ctx: &serenity::Context,
    interaction: &serenity::ComponentInteraction,
    text: &str,
) -> Result<(), DiscordError> {
    let message = serenity::CreateInteractionResponseMessage::new()
        .content(crate::notes::truncate_chars(text, render::CONTENT_MAX))
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

impl Texts {
    pub fn unknown_component(&self) -> &'static str {
        self.pick(
            "이 버튼은 더 이상 쓸 수 없습니다. /quiz 로 새 퀴즈를 시작하세요.",
            "This button no longer works. Start a new quiz with /quiz.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip() {
        for id in [
            ComponentId::Answer {
                session: 42,
                position: 3,
                choice: 1,
            },
            ComponentId::Pick {
                session: 42,
                position: 0,
            },
            ComponentId::Next {
                session: 9_000_000_000,
                position: 19,
            },
            ComponentId::DailyAnswer { post: 7, choice: 3 },
            ComponentId::DailyPick {
                post: 9_000_000_000,
            },
        ] {
            let text = id.to_string();
            assert!(text.len() < 100, "{text}");
            assert_eq!(ComponentId::parse(&text), Some(id));
        }
    }

    #[test]
    fn foreign_or_broken_ids_are_not_ours() {
        for text in [
            "",
            "q",
            "q:1",
            "q:1:2",
            "q:x:2:1",
            "q:1:2:z",
            "q:1:2:3:4",
            "x:1:2:3",
            "d",
            "d:1",
            "d:x:1",
            "d:1:z",
            "d:1:2:3",
        ] {
            assert_eq!(ComponentId::parse(text), None, "{text}");
        }
    }
}
