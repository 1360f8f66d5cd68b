//! Clicks on the bot's messages (`block_actions`): answering a question,
//! submitting a "choose N" answer, moving to the next question, answering
//! the daily question or a live one, starting a quiz, a mock exam's
//! choices, moves, submission and result pages, and 🚩, which opens the
//! report form (a modal) whose submission (`view_submission`) files the
//! report.
//!
//! Each button and checkbox carries an [`Action`] as its `action_id`; the
//! one `match` in [`SlackApp::interaction`]'s work hands it to the service.
//! The click is acknowledged before that work starts, so no database delay
//! can cost it Slack's three seconds. A
//! click on a quiz card is answered by replacing the ephemeral card through
//! the click's `response_url`; a click on the public daily post by a new
//! ephemeral message; a refused step by a short ephemeral notice.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::action::{Action, Flagged};
use crate::identity::Platform;
use crate::report::ReportReason;
use crate::service::{Click, ServiceError};

use super::blocks;
use super::{SlackApp, SlackError};

/// How much of the prompt the feedback repeats: a quiz card's feedback
/// replaces the card, a daily answer's sits under the public post.
const PROMPT_REPEATED_MAX: usize = 700;

impl SlackApp {
    /// Takes an interaction, to be acknowledged at once: its work runs on
    /// (counted, and waited for at shutdown), and everything the member
    /// should see goes out through the event's `response_url`, however
    /// long the database takes.
    pub fn interaction(self: &Arc<Self>, event: SlackInteractionEvent) {
        let kind = match &event {
            SlackInteractionEvent::BlockActions(_) => "component",
            SlackInteractionEvent::ViewSubmission(_) => "modal",
            _ => return,
        };
        let handling = self.service.handling(Platform::Slack, kind);
        let app = Arc::clone(self);
        tokio::spawn(async move {
            let _handling = handling;
            app.carry_out(&event).await;
        });
    }

    /// Carries out an interaction; returns once its answer is sent.
    async fn carry_out(&self, event: &SlackInteractionEvent) {
        let event = match event {
            SlackInteractionEvent::BlockActions(event) => event,
            SlackInteractionEvent::ViewSubmission(submission) => {
                return self.report_submitted(submission).await;
            }
            _ => return,
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
        if let Action::Flag(flagged) = action {
            let channel = event.channel.as_ref().map(|c| c.id.value().to_string());
            let opened = self
                .open_report_form(team, user.id.value(), flagged, &event.trigger_id, channel)
                .await;
            if let Err(err) = opened {
                let texts = self.texts_for(team, user.id.value());
                let text = self.error_text(texts, &err, &action.to_string());
                if let Err(err) = self
                    .respond(response_url, blocks::notice(&text), false)
                    .await
                {
                    tracing::warn!(error = %err, %action, "cannot answer a Slack click");
                }
            }
            return;
        }
        let outcome = self
            .act(team, user.id.value(), action, &click, event.state.as_ref())
            .await;
        let reply = match outcome {
            Ok(Some((content, replace))) => self.respond(response_url, content, replace).await,
            Ok(None) => Ok(()),
            Err(err) => {
                let texts = self.texts_for(team, user.id.value());
                let text = self.error_text(texts, &err, &action.to_string());
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
            Action::Pick { .. }
            | Action::DailyPick { .. }
            | Action::MockPick { .. }
            | Action::LivePick { .. } => return Ok(None),
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
            Action::Next { session, .. } => {
                let caller = self.caller(team, user).await;
                let step = service.next(&caller, session).await?;
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
            // 🚩 opens a modal (see `interaction`); Discord's steps are not
            // Slack's.
            Action::Flag(_) | Action::FlagReason(..) | Action::FlagSubmit(..) => return Ok(None),
            Action::StartQuiz => {
                let caller = self.caller(team, user).await;
                let card = service.start_quiz(&caller, None, None).await?;
                (blocks::question_card(&card, shown), true)
            }
            // A mock exam's card is replaced by the next step.
            Action::MockAnswer {
                exam,
                position,
                choice,
            } => {
                let caller = self.caller(team, user).await;
                let step = service
                    .mock_choose(&caller, exam, position, &[choice], click)
                    .await?;
                (blocks::mock_step(&step), true)
            }
            Action::MockSave { exam, position } => {
                let caller = self.caller(team, user).await;
                let step = service
                    .mock_choose(&caller, exam, position, &checked(), click)
                    .await?;
                (blocks::mock_step(&step), true)
            }
            Action::MockGo { exam, position } => {
                let caller = self.caller(team, user).await;
                (
                    blocks::mock_step(&service.mock_go(&caller, exam, position).await?),
                    true,
                )
            }
            Action::MockSubmit { exam } | Action::MockConfirm { exam } => {
                let caller = self.caller(team, user).await;
                let confirmed = matches!(action, Action::MockConfirm { .. });
                let step = service.mock_submit(&caller, exam, confirmed).await?;
                (blocks::mock_step(&step), true)
            }
            Action::MockResults { exam, page } => {
                let caller = self.caller(team, user).await;
                (
                    blocks::mock_step(&service.mock_results(&caller, exam, page).await?),
                    true,
                )
            }
            // A live question sits in the channel: the receipt is the
            // member's own ephemeral message.
            Action::LiveAnswer { question, choice } => {
                let caller = self.caller(team, user).await;
                let receipt = service.answer_live(&caller, question, &[choice]).await?;
                (super::live::receipt(&receipt), false)
            }
            Action::LiveSubmit { question } => {
                let caller = self.caller(team, user).await;
                let receipt = service.answer_live(&caller, question, &checked()).await?;
                (super::live::receipt(&receipt), false)
            }
        };
        Ok(Some((content, replace)))
    }
}

impl SlackApp {
    /// Opens the report form for `flagged`'s question. The modal carries
    /// the question and the channel clicked in, for the thanks.
    async fn open_report_form(
        &self,
        team: &str,
        user: &str,
        flagged: Flagged,
        trigger_id: &SlackTriggerId,
        channel: Option<String>,
    ) -> Result<(), SlackError> {
        let caller = self.caller(team, user).await;
        let form = self.service.report_form(&caller, flagged).await?;
        let metadata = ReportMetadata {
            flagged: Action::Flag(flagged).to_string(),
            channel,
        };
        let view = blocks::report_modal(&form, &metadata.encode());
        let request = SlackApiViewsOpenRequest::new(trigger_id.clone(), view);
        self.session().views_open(&request).await?;
        Ok(())
    }

    /// Files the report a member sent from the form, and thanks them
    /// privately in the channel they clicked in.
    async fn report_submitted(&self, submission: &SlackInteractionViewSubmissionEvent) {
        let SlackView::Modal(modal) = &submission.view.view else {
            return;
        };
        if modal.callback_id.as_ref().map(|id| id.value().as_str()) != Some(blocks::REPORT_CALLBACK)
        {
            return;
        }
        let Some(metadata) = modal
            .private_metadata
            .as_deref()
            .and_then(ReportMetadata::decode)
        else {
            tracing::debug!("a report form without its metadata, ignored");
            return;
        };
        let Ok(Action::Flag(flagged)) = metadata.flagged.parse::<Action>() else {
            return;
        };
        let state = submission.view.state_params.state.as_ref();
        let value = |block: &str| {
            state
                .and_then(|s| s.values.get(&SlackBlockId::new(block.into())))
                .and_then(|actions| actions.get(&SlackActionId::new(block.into())))
        };
        let reason = value(blocks::REPORT_REASON)
            .and_then(|v| v.selected_option.as_ref())
            .and_then(|option| ReportReason::parse(&option.value))
            .unwrap_or(ReportReason::Other);
        let details = value(blocks::REPORT_DETAILS)
            .and_then(|v| v.value.clone())
            .unwrap_or_default();
        let user = submission.user.id.value();
        let caller = self.caller(submission.team.id.value(), user).await;
        let text = match self
            .service
            .report(&caller, flagged, reason, &details)
            .await
        {
            Ok(thanks) => thanks,
            Err(err) => {
                let texts = self.texts_for(submission.team.id.value(), user);
                self.error_text(texts, &SlackError::Service(err), "report")
            }
        };
        let Some(channel) = metadata.channel else {
            return;
        };
        let request = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.to_string().into(),
            blocks::notice(&text),
        );
        if let Err(err) = self.session().chat_post_ephemeral(&request).await {
            tracing::warn!(error = %err, "cannot thank a member for a report");
        }
    }
}

/// What a report form carries: the 🚩 action it came from, and the
/// channel to thank the member in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReportMetadata {
    flagged: String,
    channel: Option<String>,
}

impl ReportMetadata {
    fn encode(&self) -> String {
        match &self.channel {
            Some(channel) => format!("{} {channel}", self.flagged),
            None => self.flagged.clone(),
        }
    }

    fn decode(text: &str) -> Option<ReportMetadata> {
        let mut parts = text.split(' ');
        let flagged = parts.next()?.to_string();
        let channel = parts.next().map(str::to_string);
        parts
            .next()
            .is_none()
            .then_some(ReportMetadata { flagged, channel })
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
