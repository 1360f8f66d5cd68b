//! Buttons and menus: the [`Action`] a custom id names, carried out by the
//! service and drawn over the clicked message.

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use super::{no_mentions, render, Data, DiscordError};
use crate::action::Action;
use crate::service::{Caller, Click};

/// Handles one click; a refusal or a failure reaches the user as a short
/// private message.
pub(super) async fn route(
    ctx: &serenity::Context,
    data: &Data,
    interaction: &serenity::ComponentInteraction,
) {
    let custom_id = &interaction.data.custom_id;
    let handled = match custom_id.parse::<Action>() {
        Ok(action) => act(ctx, data, interaction, action).await,
        Err(_) => {
            tracing::debug!(%custom_id, "click on an unknown component");
            reply_privately(ctx, interaction, data.texts.unknown_component()).await
        }
    };
    if let Err(err) = handled {
        err.log(custom_id);
        if let Err(err) = reply_privately(ctx, interaction, &err.user_message(data.texts)).await {
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
    let service = &data.service;
    let caller = caller(interaction)?;
    let click = Click {
        interaction_id: Some(interaction.id.get().to_string()),
        shown_at: Some(shown_at(&interaction.message)),
    };
    let response = match action {
        Action::Answer {
            session,
            position,
            choice,
        } => {
            let feedback = service
                .answer(&caller, session, position, &[choice], &click)
                .await?;
            update(render::feedback(&feedback))
        }
        Action::Pick { session, position } | Action::Submit { session, position } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let feedback = service
                .answer(&caller, session, position, &chosen, &click)
                .await?;
            update(render::feedback(&feedback))
        }
        Action::Next { session, position } => {
            let step = service.next(&caller, session, position).await?;
            update(render::next_step(&step))
        }
        Action::DailyAnswer { post, choice } => {
            let feedback = service
                .answer_daily(&caller, post, &[choice], &click)
                .await?;
            private(render::feedback(&feedback))
        }
        Action::DailyPick { post } | Action::DailySubmit { post } => {
            let chosen = picked(&interaction.data.kind).ok_or(DiscordError::BadOptions)?;
            let feedback = service.answer_daily(&caller, post, &chosen, &click).await?;
            private(render::feedback(&feedback))
        }
        Action::StartQuiz => {
            let card = service.start_quiz(&caller, None, None).await?;
            update(render::card(&card))
        }
        Action::Flag(flagged) => {
            let form = service.report_form(&caller, flagged).await?;
            private(render::report_reasons(&form))
        }
        Action::FlagReason(flagged, reason) => {
            let form = service.report_form(&caller, flagged).await?;
            serenity::CreateInteractionResponse::Modal(render::report_modal(&form, reason))
        }
        // The form's submission is a modal interaction (see `submitted`).
        Action::FlagSubmit(..) => return Err(DiscordError::BadOptions),
    };
    interaction.create_response(&ctx.http, response).await?;
    Ok(())
}

fn update(view: render::View) -> serenity::CreateInteractionResponse {
    serenity::CreateInteractionResponse::UpdateMessage(view.update())
}

fn private(view: render::View) -> serenity::CreateInteractionResponse {
    serenity::CreateInteractionResponse::Message(view.private_message())
}

fn caller(interaction: &serenity::ComponentInteraction) -> Result<Caller, DiscordError> {
    super::caller(
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
    let filed = match custom_id.parse::<Action>() {
        Ok(Action::FlagSubmit(flagged, reason)) => {
            file_report(data, interaction, flagged, reason).await
        }
        _ => {
            tracing::debug!(%custom_id, "an unknown form");
            Ok(data.texts.unknown_component().to_string())
        }
    };
    let text = filed.unwrap_or_else(|err| {
        err.log(custom_id);
        err.user_message(data.texts)
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
