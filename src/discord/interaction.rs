//! What every slash command's handler shares: who is calling, the topic
//! autocompletion, and a reply sent within Discord's deadline (deferred
//! when the work runs long) to the member alone or to the channel; and the
//! row type of the commands' localization tables.

use std::future::Future;

use poise::serenity_prelude as serenity;

use super::{render, Context, DiscordError};
use crate::deadline::{self, Timely};
use crate::notes::truncate_chars;
use crate::service::Caller;

/// Topics whose id or name contains what was typed so far.
pub(super) async fn topic_choices(
    ctx: Context<'_>,
    partial: &str,
) -> Vec<serenity::AutocompleteChoice> {
    let partial = partial.trim().to_lowercase();
    ctx.data()
        .service
        .topics()
        .into_iter()
        .filter(|(id, name)| {
            id.to_lowercase().contains(&partial) || name.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|(id, name)| {
            let label = truncate_chars(&format!("{name} ({id})"), render::CHOICE_NAME_MAX);
            serenity::AutocompleteChoice::new(label, id)
        })
        .collect()
}

/// Who may see a command's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Privacy {
    /// Only the member who typed the command.
    Private,
    /// Everyone in the channel.
    Public,
}

/// Sends the reply `work` makes: at once when it is ready within
/// [`deadline::DEFER_AFTER`]; otherwise Discord shows "thinking" while the
/// same work runs on, and its reply (or what went wrong) replaces it. A
/// failure within the budget goes to `on_error`, as any command's.
pub(super) async fn reply_in_time(
    ctx: Context<'_>,
    privacy: Privacy,
    work: impl Future<Output = Result<poise::CreateReply, DiscordError>> + Send,
) -> Result<(), DiscordError> {
    reply_in_time_as(ctx, privacy, async {
        work.await.map(|reply| (reply, privacy))
    })
    .await
}

/// [`reply_in_time`] for work whose result says who may see it: in time,
/// as it says; after a deferral, as `deferred` (a deferral is public or
/// private before the result is known).
pub(super) async fn reply_in_time_as(
    ctx: Context<'_>,
    deferred: Privacy,
    work: impl Future<Output = Result<(poise::CreateReply, Privacy), DiscordError>> + Send,
) -> Result<(), DiscordError> {
    let rest = match deadline::within(deadline::DEFER_AFTER, work).await {
        Timely::Ready(reply) => {
            let (reply, privacy) = reply?;
            ctx.send(reply.ephemeral(privacy == Privacy::Private))
                .await?;
            return Ok(());
        }
        Timely::Late(rest) => rest,
    };
    let poise::Context::Application(actx) = ctx else {
        return Err(DiscordError::BadOptions);
    };
    actx.defer_response(deferred == Privacy::Private).await?;
    let edit = match rest.await {
        Ok((reply, _)) => {
            reply.to_slash_initial_response_edit(serenity::EditInteractionResponse::new())
        }
        Err(err) => {
            err.log(&ctx.command().qualified_name);
            let text = err.user_message(super::texts_for(ctx.data(), ctx.guild_id(), ctx.author()));
            serenity::EditInteractionResponse::new()
                .content(truncate_chars(&text, render::CONTENT_MAX))
                .allowed_mentions(serenity::CreateAllowedMentions::new())
        }
    };
    actx.interaction.edit_response(ctx.http(), edit).await?;
    Ok(())
}

/// The member calling, with their server and locale.
pub(super) fn caller(ctx: Context<'_>) -> Result<Caller, DiscordError> {
    let (member, locale) = match ctx {
        poise::Context::Application(actx) => (
            actx.interaction.member.as_deref(),
            actx.interaction.guild_locale.as_deref(),
        ),
        poise::Context::Prefix(_) => (None, None),
    };
    super::caller(ctx.guild_id(), member, ctx.author(), locale)
}

/// A command's or option's path ("quiz", "quiz topic"), Korean name,
/// Korean description and English description. English names are the
/// defaults.
pub(super) type Localization = (&'static str, &'static str, &'static str, &'static str);
