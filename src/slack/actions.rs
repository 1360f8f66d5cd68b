//! Clicks on the bot's messages (`block_actions`): answering a question,
//! submitting a "choose N" answer, moving to the next question, answering
//! the daily question.
//!
//! Each button and checkbox carries an [`ActionId`] as its `action_id`; the
//! one `match` in [`SlackApp::interaction`] routes them. A click on a quiz
//! card is answered by replacing the ephemeral card through the click's
//! `response_url`; a click on the public daily post by a new ephemeral
//! message ([`super::daily`]); a refused step by a short ephemeral notice.

use std::fmt;

use chrono::Utc;
use slack_morphism::prelude::*;

use crate::game::{Game, GameError, SESSION_LIFETIME_HOURS};

use super::blocks;
use super::{SlackApp, SlackError};

/// What a button or checkbox of the bot does, as its `action_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionId {
    /// `q:<session>:<position>:<choice>`: answer with one choice.
    Choice {
        session_id: i64,
        position: usize,
        choice: usize,
    },
    /// `q:<session>:<position>:pick`: a checkbox toggled ("choose N").
    Pick { session_id: i64, position: usize },
    /// `q:<session>:<position>:submit`: answer with the checked boxes.
    Submit { session_id: i64, position: usize },
    /// `q:<session>:<position>:next`: move on from question `position`.
    Next { session_id: i64, position: usize },
    /// `d:<post>:<choice>`: answer the daily post with one choice.
    DailyChoice { post: i64, choice: usize },
    /// `d:<post>:pick`: a checkbox of a "choose N" daily post toggled.
    DailyPick { post: i64 },
    /// `d:<post>:submit`: answer the daily post with the checked boxes.
    DailySubmit { post: i64 },
}

impl ActionId {
    pub fn parse(text: &str) -> Option<ActionId> {
        let mut parts = text.split(':');
        let scheme = parts.next()?;
        let id = match scheme {
            "q" => {
                let session_id = parts.next()?.parse().ok()?;
                let position = parts.next()?.parse().ok()?;
                match parts.next()? {
                    "pick" => ActionId::Pick {
                        session_id,
                        position,
                    },
                    "submit" => ActionId::Submit {
                        session_id,
                        position,
                    },
                    "next" => ActionId::Next {
                        session_id,
                        position,
                    },
                    choice => ActionId::Choice {
                        session_id,
                        position,
                        choice: choice.parse().ok()?,
                    },
                }
            }
            "d" => {
                let post = parts.next()?.parse().ok()?;
                match parts.next()? {
                    "pick" => ActionId::DailyPick { post },
                    "submit" => ActionId::DailySubmit { post },
                    choice => ActionId::DailyChoice {
                        post,
                        choice: choice.parse().ok()?,
                    },
                }
            }
            _ => return None,
        };
        parts.next().is_none().then_some(id)
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionId::Choice {
                session_id,
                position,
                choice,
            } => write!(f, "q:{session_id}:{position}:{choice}"),
            ActionId::Pick {
                session_id,
                position,
            } => write!(f, "q:{session_id}:{position}:pick"),
            ActionId::Submit {
                session_id,
                position,
            } => write!(f, "q:{session_id}:{position}:submit"),
            ActionId::Next {
                session_id,
                position,
            } => write!(f, "q:{session_id}:{position}:next"),
            ActionId::DailyChoice { post, choice } => write!(f, "d:{post}:{choice}"),
            ActionId::DailyPick { post } => write!(f, "d:{post}:pick"),
            ActionId::DailySubmit { post } => write!(f, "d:{post}:submit"),
        }
    }
}

/// One click, as the handlers need it.
pub(super) struct Click<'e> {
    pub(super) team: &'e str,
    pub(super) user: &'e str,
    pub(super) response_url: &'e SlackResponseUrl,
    pub(super) action: ActionId,
    /// A stable id of this click: a redelivered event carries the same.
    pub(super) interaction_id: Option<String>,
    /// Milliseconds since the card was shown, from the button's value.
    elapsed_ms: Option<i64>,
    state: Option<&'e SlackActionState>,
}

impl SlackApp {
    /// Handles an interaction; everything the user should see goes out
    /// through the event's `response_url`. Returns once that is sent.
    pub async fn interaction(&self, event: &SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(event) = event else {
            return;
        };
        let (Some(user), Some(response_url)) = (&event.user, &event.response_url) else {
            tracing::debug!("Slack block action without a user or response_url, ignored");
            return;
        };
        let Some(action) = event.actions.as_ref().and_then(|actions| actions.first()) else {
            return;
        };
        let Some(action_id) = ActionId::parse(action.action_id.value()) else {
            tracing::debug!(action_id = %action.action_id, "unknown Slack action, ignored");
            return;
        };
        let now_ms = Utc::now().timestamp_millis();
        let click = Click {
            team: event.team.id.value(),
            user: user.id.value(),
            response_url,
            action: action_id,
            interaction_id: action
                .action_ts
                .as_ref()
                .map(|ts| format!("slack:{}:{}", user.id.value(), ts.value())),
            elapsed_ms: action
                .value
                .as_deref()
                .and_then(|v| v.parse::<i64>().ok())
                .map(|shown| now_ms - shown)
                .filter(|ms| (0..SESSION_LIFETIME_HOURS * 3_600_000).contains(ms)),
            state: event.state.as_ref(),
        };
        let outcome = match click.action {
            ActionId::Choice { choice, .. } => self.answer(&click, &[choice]).await,
            ActionId::Submit {
                session_id,
                position,
            } => {
                let chosen = checked_choices(
                    click.state,
                    &ActionId::Pick {
                        session_id,
                        position,
                    },
                );
                self.answer(&click, &chosen).await
            }
            ActionId::DailyChoice { post, choice } => {
                self.answer_daily(&click, post, &[choice]).await
            }
            ActionId::DailySubmit { post } => {
                let chosen = checked_choices(click.state, &ActionId::DailyPick { post });
                self.answer_daily(&click, post, &chosen).await
            }
            // Toggling a checkbox only changes what Submit will read.
            ActionId::Pick { .. } | ActionId::DailyPick { .. } => Ok(()),
            ActionId::Next { .. } => self.next(&click).await,
        };
        if let Err(err) = outcome {
            if err.is_refusal() {
                tracing::debug!(error = %err, action = %click.action, "Slack action refused");
            } else {
                tracing::error!(error = %err, action = %click.action, "Slack action failed");
            }
            self.refuse(click.response_url, &err).await;
        }
    }

    async fn answer(&self, click: &Click<'_>, chosen: &[usize]) -> Result<(), SlackError> {
        let (ActionId::Choice {
            session_id,
            position,
            ..
        }
        | ActionId::Submit {
            session_id,
            position,
        }) = click.action
        else {
            return Ok(());
        };
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let (_, player) = self.player(click.team, click.user).await?;
        let game = Game::new(&content, &self.bot.store);
        let answered = game
            .answer(
                &player,
                session_id,
                position,
                chosen,
                click.interaction_id.clone(),
                click.elapsed_ms,
                Utc::now(),
            )
            .await;
        match answered {
            Ok(outcome) => {
                let total = outcome.session.question_ids.len();
                let card = blocks::feedback_card(texts, &content, &outcome, position, total);
                self.respond(click.response_url, card, true).await
            }
            Err(GameError::BadAnswer(_)) => {
                let picks = game
                    .open_session(&player, session_id, Utc::now())
                    .await
                    .ok()
                    .and_then(|s| game.question(&s, position).ok().map(|q| q.picks()))
                    .unwrap_or(1);
                let notice = blocks::notice(&texts.choose_n(picks));
                self.respond(click.response_url, notice, false).await
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn next(&self, click: &Click<'_>) -> Result<(), SlackError> {
        let ActionId::Next {
            session_id,
            position,
        } = click.action
        else {
            return Ok(());
        };
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let (_, player) = self.player(click.team, click.user).await?;
        let game = Game::new(&content, &self.bot.store);
        let now = Utc::now();
        let session = match game.open_session(&player, session_id, now).await {
            Ok(session) => session,
            // A second click on the last Next (or a redelivery): the summary again.
            Err(GameError::SessionFinished) => {
                let summary = game.finish(session_id, now).await?;
                return self
                    .respond(
                        click.response_url,
                        blocks::summary_card(texts, &content, &summary),
                        true,
                    )
                    .await;
            }
            Err(err) => return Err(err.into()),
        };
        if session.position == position && session.is_last() {
            let summary = game.finish(session_id, now).await?;
            return self
                .respond(
                    click.response_url,
                    blocks::summary_card(texts, &content, &summary),
                    true,
                )
                .await;
        }
        let session = game.next(&player, session_id, position, now).await?;
        let question = game.question(&session, session.position)?;
        let card = blocks::question_card(
            texts,
            &content,
            question,
            session.id,
            session.position,
            session.question_ids.len(),
            now.timestamp_millis(),
        );
        self.respond(click.response_url, card, true).await
    }

    /// Tells the user, privately, that their click did nothing.
    async fn refuse(&self, response_url: &SlackResponseUrl, err: &SlackError) {
        let texts = self.bot.texts();
        let text = match err {
            SlackError::Game(err) => texts.game_error(err),
            _ => texts.slack_unavailable().to_string(),
        };
        if let Err(err) = self
            .respond(response_url, blocks::notice(&text), false)
            .await
        {
            tracing::warn!(error = %err, "cannot tell the Slack user their click failed");
        }
    }
}

/// The choices checked in the checkboxes of `pick`, from the message state.
fn checked_choices(state: Option<&SlackActionState>, pick: &ActionId) -> Vec<usize> {
    let pick = pick.to_string();
    let Some(state) = state else {
        return Vec::new();
    };
    state
        .values
        .values()
        .filter_map(|block| block.get(&SlackActionId::new(pick.clone())))
        .flat_map(|value| value.selected_options.iter().flatten())
        .filter_map(|option| option.value.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_round_trip() {
        let ids = [
            ActionId::Choice {
                session_id: 42,
                position: 3,
                choice: 1,
            },
            ActionId::Pick {
                session_id: 42,
                position: 3,
            },
            ActionId::Submit {
                session_id: 7,
                position: 0,
            },
            ActionId::Next {
                session_id: i64::MAX,
                position: 19,
            },
            ActionId::DailyChoice {
                post: 12,
                choice: 3,
            },
            ActionId::DailyPick { post: i64::MAX },
            ActionId::DailySubmit { post: 1 },
        ];
        for id in ids {
            let text = id.to_string();
            assert!(text.len() < 100, "{text}");
            assert_eq!(ActionId::parse(&text), Some(id));
        }
        assert_eq!(ActionId::parse("q:1:2"), None);
        assert_eq!(ActionId::parse("q:1:2:x"), None);
        assert_eq!(ActionId::parse("q:1:2:3:4"), None);
        assert_eq!(ActionId::parse("d:1"), None);
        assert_eq!(ActionId::parse("d:1:x"), None);
        assert_eq!(ActionId::parse("d:1:2:3"), None);
        assert_eq!(ActionId::parse("x:1:2"), None);
    }
}
