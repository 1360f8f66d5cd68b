//! Buttons and menus: the [`Action`] a custom id names, carried out by the
//! service and drawn over the clicked message, in time for Discord's
//! deadline or after a deferral ([`crate::deadline`]).

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use super::{no_mentions, render, Data, DiscordError};
use crate::action::Action;
use crate::deadline::{self, Timely};
use crate::service::{Caller, Click};

/// Handles one click; a refusal or a failure reaches the user as a short
/// private message.
pub(super) async fn route(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
) {
    let custom_id = &interaction.data.custom_id;
    let texts = super::texts_for(data, interaction.guild_id, &interaction.user);
    let handled = match custom_id.parse::<Action>() {
        Ok(action) => act(ctx, data, interaction, action).await,
        Err(_) => {
            tracing::debug!(%custom_id, "click on an unknown component");
            reply_privately(ctx, interaction, &texts.unknown_component()).await
        }
    };
    if let Err(err) = handled {
        err.log(custom_id);
        if let Err(err) = reply_privately(ctx, interaction, &err.user_message(texts)).await {
            tracing::warn!("could not tell the user about a failure: {err}");
        }
    }
}

async fn act(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    action: Action,
) -> Result<(), DiscordError> {
    let work = carry_out(data, interaction, action);
    match deadline::within(deadline::DEFER_AFTER, work).await {
        Timely::Ready(reply) => {
            interaction
                .create_response(&ctx.http, reply?.response())
                .await?;
            Ok(())
        }
        Timely::Late(rest) => finish_late(ctx, data, interaction, Shape::of(&action), rest).await,
    }
}

/// How a click is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The clicked message is redrawn (a quiz card).
    Update,
    /// A new message only the member sees (under a public post).
    Private,
    /// A form.
    Modal,
}

impl Shape {
    fn of(action: &Action) -> Shape {
        match action {
            Action::Answer { .. }
            | Action::Pick { .. }
            | Action::Submit { .. }
            | Action::Next { .. }
            | Action::StartQuiz => Shape::Update,
            // A mock exam's card is redrawn in place, like a quiz card.
            Action::MockAnswer { .. }
            | Action::MockPick { .. }
            | Action::MockSave { .. }
            | Action::MockGo { .. }
            | Action::MockSubmit { .. }
            | Action::MockConfirm { .. }
            | Action::MockResults { .. } => Shape::Update,
            Action::DailyAnswer { .. }
            | Action::DailyPick { .. }
            | Action::DailySubmit { .. }
            | Action::Flag(_)
            | Action::FlagSubmit(..)
            | Action::LiveAnswer { .. }
            | Action::LivePick { .. }
            | Action::LiveSubmit { .. } => Shape::Private,
            Action::FlagReason(..) => Shape::Modal,
        }
    }
}

/// What a click gets, before it is sent in time or after a deferral.
enum Reply {
    Update(render::View),
    Private(render::View),
    Modal(serenity::CreateModal),
}

impl Reply {
    /// The interaction's first response.
    fn response(self) -> serenity::CreateInteractionResponse {
        match self {
            Reply::Update(view) => {
                serenity::CreateInteractionResponse::UpdateMessage(view.update())
            }
            Reply::Private(view) => {
                serenity::CreateInteractionResponse::Message(view.private_message())
            }
            Reply::Modal(modal) => serenity::CreateInteractionResponse::Modal(modal),
        }
    }
}

/// The work of one click: the service's use case and its view.
async fn carry_out(
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    action: Action,
) -> Result<Reply, DiscordError> {
    let service = &data.service;
    let caller = caller(interaction)?;
    let click = Click {
        interaction_id: Some(interaction.id.get().to_string()),
        shown_at: Some(shown_at(&interaction.message)),
    };
    Ok(match action {
        Action::Answer {
            session,
            position,
            choice,
        } => {
            let feedback = service
                .answer(&caller, session, position, &[choice], &click)
                .await?;
            Reply::Update(render::feedback(&feedback))
        }
        Action::Pick { session, position } | Action::Submit { session, position } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let feedback = service
                .answer(&caller, session, position, &chosen, &click)
                .await?;
            Reply::Update(render::feedback(&feedback))
        }
        Action::Next { session, .. } => {
            let step = service.next(&caller, session).await?;
            Reply::Update(render::next_step(&step))
        }
        Action::DailyAnswer { post, choice } => {
            let feedback = service
                .answer_daily(&caller, post, &[choice], &click)
                .await?;
            Reply::Private(render::feedback(&feedback))
        }
        Action::DailyPick { post } | Action::DailySubmit { post } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let feedback = service.answer_daily(&caller, post, &chosen, &click).await?;
            Reply::Private(render::feedback(&feedback))
        }
        Action::StartQuiz => {
            let card = service.start_quiz(&caller, None, None).await?;
            Reply::Update(render::card(&card))
        }
        Action::Flag(flagged) => {
            let form = service.report_form(&caller, flagged).await?;
            Reply::Private(render::report_reasons(&form))
        }
        Action::FlagReason(flagged, reason) => {
            let form = service.report_form(&caller, flagged).await?;
            Reply::Modal(render::report_modal(&form, reason))
        }
        // The form's submission is a modal interaction (see `submitted`).
        Action::FlagSubmit(..) => return Err(DiscordError::BadOptions),
        Action::MockAnswer {
            exam,
            position,
            choice,
        } => {
            let step = service
                .mock_choose(&caller, exam, position, &[choice], &click)
                .await?;
            Reply::Update(render::mock_step(&step))
        }
        Action::MockPick { exam, position } | Action::MockSave { exam, position } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let step = service
                .mock_choose(&caller, exam, position, &chosen, &click)
                .await?;
            Reply::Update(render::mock_step(&step))
        }
        Action::MockGo { exam, position } => Reply::Update(render::mock_step(
            &service.mock_go(&caller, exam, position).await?,
        )),
        Action::MockSubmit { exam } => Reply::Update(render::mock_step(
            &service.mock_submit(&caller, exam, false).await?,
        )),
        Action::MockConfirm { exam } => Reply::Update(render::mock_step(
            &service.mock_submit(&caller, exam, true).await?,
        )),
        Action::MockResults { exam, page } => Reply::Update(render::mock_step(
            &service.mock_results(&caller, exam, page).await?,
        )),
        Action::LiveAnswer { question, choice } => {
            let receipt = service.answer_live(&caller, question, &[choice]).await?;
            Reply::Private(super::live::receipt(&receipt))
        }
        Action::LivePick { question } | Action::LiveSubmit { question } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let receipt = service.answer_live(&caller, question, &chosen).await?;
            Reply::Private(super::live::receipt(&receipt))
        }
    })
}

/// A click whose work outlived [`deadline::DEFER_AFTER`]: Discord is told
/// to wait (the card stays as it is, or a private "thinking"), the same
/// work runs to its end, and its result replaces the card or the
/// "thinking". A failure is said privately; a card stays clickable, so
/// an answer that was not recorded can be given again.
async fn finish_late(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
    shape: Shape,
    rest: deadline::Pending<'_, Result<Reply, DiscordError>>,
) -> Result<(), DiscordError> {
    let texts = super::texts_for(data, interaction.guild_id, &interaction.user);
    let deferral = match shape {
        Shape::Update => serenity::CreateInteractionResponse::Acknowledge,
        Shape::Private => serenity::CreateInteractionResponse::Defer(
            serenity::CreateInteractionResponseMessage::new().ephemeral(true),
        ),
        // A form cannot follow a deferral: the member is asked to click
        // again (finding the question is all the work there was).
        Shape::Modal => {
            let text = texts.apology();
            return reply_privately(ctx, interaction, text).await;
        }
    };
    interaction.create_response(&ctx.http, deferral).await?;
    let (text, custom_id) = match rest.await {
        Ok(Reply::Update(view) | Reply::Private(view)) => {
            interaction.edit_response(&ctx.http, view.edit()).await?;
            return Ok(());
        }
        Ok(Reply::Modal(_)) => (texts.apology().to_string(), "modal"),
        Err(err) => {
            err.log(&interaction.data.custom_id);
            (err.user_message(texts), "failure")
        }
    };
    tracing::debug!(custom_id, "a late click ends with a private notice");
    let text = crate::notes::truncate_chars(&text, render::CONTENT_MAX);
    match shape {
        Shape::Private => {
            let edit = serenity::EditInteractionResponse::new()
                .content(text)
                .allowed_mentions(no_mentions());
            interaction.edit_response(&ctx.http, edit).await?;
        }
        _ => {
            let followup = serenity::CreateInteractionResponseFollowup::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(no_mentions());
            interaction.create_followup(&ctx.http, followup).await?;
        }
    }
    Ok(())
}

fn caller(interaction: &serenity::ComponentInteraction) -> Result<Caller, DiscordError> {
    super::caller(
        interaction.guild_id,
        interaction.member.as_ref(),
        &interaction.user,
        interaction.guild_locale.as_deref(),
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

/// When the clicked message was last drawn.
fn shown_at(message: &serenity::Message) -> DateTime<Utc> {
    *message.edited_timestamp.unwrap_or(message.timestamp)
}

async fn reply_privately(
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

/// Handles a submitted form: the report's details, filed with the reason
/// in the form's id; the member is thanked privately.
pub(super) async fn submitted(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ModalInteraction,
) {
    let custom_id = &interaction.data.custom_id;
    let texts = super::texts_for(data, interaction.guild_id, &interaction.user);
    let filed = match custom_id.parse::<Action>() {
        Ok(Action::FlagSubmit(flagged, reason)) => {
            file_report(data, interaction, flagged, reason).await
        }
        _ => {
            tracing::debug!(%custom_id, "an unknown form");
            Ok(texts.unknown_component())
        }
    };
    let text = filed.unwrap_or_else(|err| {
        err.log(custom_id);
        err.user_message(texts)
    });
    let message = serenity::CreateInteractionResponseMessage::new()
        .content(crate::notes::truncate_chars(&text, render::CONTENT_MAX))
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    if let Err(err) = interaction
        .create_response(
            &ctx.http,
            serenity::CreateInteractionResponse::Message(message),
        )
        .await
    {
        tracing::warn!("could not thank a member for a report: {err}");
    }
}

async fn file_report(
    data: &Data,
    interaction: &serenity::ModalInteraction,
    flagged: crate::action::Flagged,
    reason: crate::report::ReportReason,
) -> Result<String, DiscordError> {
    let caller = super::caller(
        interaction.guild_id,
        interaction.member.as_ref(),
        &interaction.user,
        interaction.guild_locale.as_deref(),
    )?;
    let details = interaction
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|component| match component {
            serenity::ActionRowComponent::InputText(input)
                if input.custom_id == render::REPORT_DETAILS_INPUT =>
            {
                input.value.clone()
            }
            _ => None,
        })
        .unwrap_or_default();
    Ok(data
        .service
        .report(&caller, flagged, reason, &details)
        .await?)
}
