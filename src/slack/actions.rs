//! Clicks on the bot's messages (`block_actions`): answering a question,
//! submitting a "choose N" answer, moving to the next question, answering
//! the daily question.
//!
//! Each button and checkbox carries an [`Action`] as its `action_id`; the
//! one `match` in [`SlackApp::interaction`] hands it to the service. A
//! click on a quiz card is answered by replacing the ephemeral card through
//! the click's `response_url`; a click on the public daily post by a new
//! ephemeral message; a refused step by a short ephemeral notice.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::action::Action;
use crate::service::{Click, ServiceError};

use super::blocks;
use super::{SlackApp, SlackError};

/// How much of the prompt the feedback repeats: a quiz card's feedback
/// replaces the card, a daily answer's sits under the public post.
const PROMPT_REPEATED_MAX: usize = 700;

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
        let Some(clicked) = event.actions.as_ref().and_then(|actions| actions.first()) else {
            return;
        };
        let Ok(action) = clicked.action_id.value().parse::<Action>() else {
            tracing::debug!(action_id = %clicked.action_id, "unknown Slack action, ignored");
            return;
        };
        let click = Click {
            interaction_id: clicked
                .action_ts
                .as_ref()
                .map(|ts| format!("slack:{}:{}", user.id.value(), ts.value())),
            // The card's buttons carry when it was drawn, in milliseconds.
            shown_at: clicked
                .value
                .as_deref()
                .and_then(|v| v.parse::<i64>().ok())
                .and_then(DateTime::<Utc>::from_timestamp_millis),
        };
        let team = event.team.id.value();
        let outcome = self
            .act(team, user.id.value(), action, &click, event.state.as_ref())
            .await;
        let reply = match outcome {
            Ok(Some((content, replace))) => self.respond(response_url, content, replace).await,
            Ok(None) => Ok(()),
            Err(err) => {
                let text = self.error_text(&err, &action.to_string());
                self.respond(response_url, blocks::notice(&text), false)
                    .await
            }
        };
        if let Err(err) = reply {
            tracing::warn!(error = %err, %action, "cannot answer a Slack click");
        }
    }

    /// Carries out one click: the message to send, and whether it replaces
    /// the clicked one; `None` when there is nothing to show.
    async fn act(
        &self,
        team: &str,
        user: &str,
        action: Action,
        click: &Click,
        state: Option<&SlackActionState>,
    ) -> Result<Option<(SlackMessageContent, bool)>, SlackError> {
        let service = &self.service;
        let checked = || {
            action
                .pick_of_submit()
                .map(|pick| checked_choices(state, &pick))
                .unwrap_or_default()
        };
        let shown = Utc::now().timestamp_millis();
        let (content, replace) = match action {
            // Toggling a checkbox only changes what Submit will read.
            Action::Pick { .. } | Action::DailyPick { .. } => return Ok(None),
            Action::Answer {
                session,
                position,
                choice,
            } => {
                let caller = self.caller(team, user).await;
                let feedback = service
                    .answer(&caller, session, position, &[choice], click)
                    .await?;
                (blocks::feedback(&feedback, PROMPT_REPEATED_MAX), true)
            }
            Action::Submit { session, position } => {
                let caller = self.caller(team, user).await;
                let feedback = service
                    .answer(&caller, session, position, &checked(), click)
                    .await?;
                (blocks::feedback(&feedback, PROMPT_REPEATED_MAX), true)
            }
            Action::Next { session, position } => {
                let caller = self.caller(team, user).await;
                let step = service.next(&caller, session, position).await?;
                (blocks::next_step(&step, shown), true)
            }
            Action::DailyAnswer { post, choice } => {
                let caller = self.caller(team, user).await;
                let feedback = service
                    .answer_daily(&caller, post, &[choice], click)
                    .await?;
                (blocks::feedback(&feedback, PROMPT_REPEATED_MAX), false)
            }
            Action::DailySubmit { post } => {
                let caller = self.caller(team, user).await;
                let feedback = service
                    .answer_daily(&caller, post, &checked(), click)
                    .await?;
                (blocks::feedback(&feedback, PROMPT_REPEATED_MAX), false)
            }
            Action::StartQuiz => {
                let caller = self.caller(team, user).await;
                let card = service.start_quiz(&caller, None, None).await?;
                (blocks::question_card(&card, shown), true)
            }
        };
        Ok(Some((content, replace)))
    }
}

impl From<ServiceError> for SlackError {
    fn from(err: ServiceError) -> Self {
        SlackError::Service(err)
    }
}

/// The choices checked in the checkboxes of `pick`, from the message state.
fn checked_choices(state: Option<&SlackActionState>, pick: &Action) -> Vec<usize> {
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
