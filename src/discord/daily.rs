//! The daily question on Discord: the public post with its buttons and
//! the reveal (the post's buttons greyed out, the results posted under it).
//! [`DiscordChannels`] is the scheduler's way into Discord's REST API; a
//! click on a post is answered in [`super::components`].

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::no_mentions;
use super::render;
use crate::scheduler::{DailyChannel, Delivery, DeliveryError, Reveal};

/// Posts and reveals through Discord's REST API.
pub struct DiscordChannels {
    pub http: Arc<serenity::Http>,
}

impl DailyChannel for DiscordChannels {
    async fn post(&self, delivery: &Delivery<'_>) -> Result<String, DeliveryError> {
        let channel = channel_id(&delivery.schedule.channel)?;
        let view = render::daily_post(&delivery.view);
        let message = serenity::CreateMessage::new()
            .embeds(view.embeds)
            .components(view.components);
        let nonce = format!("qd{}", delivery.view.post);
        let sent = post_once(&self.http, channel, nonce, message).await?;
        Ok(sent.id.get().to_string())
    }

    async fn reveal(&self, reveal: &Reveal<'_>) -> Result<(), DeliveryError> {
        let channel = channel_id(&reveal.schedule.channel)?;
        let view = render::daily_post(&reveal.closed);
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
                    tracing::info!(post = reveal.closed.post, "the daily post was deleted");
                }
                Err(err) => return Err(delivery_error(err)),
            }
        }
        let results = serenity::CreateMessage::new()
            .embed(render::reveal(&reveal.results))
            .components(render::reveal_buttons(&reveal.results));
        let nonce = format!("qr{}", reveal.results.post);
        post_once(&self.http, channel, nonce, results).await?;
        Ok(())
    }
}

/// Sends `message` to `channel` at most once per `nonce`, mentioning no
/// one. Discord drops a second message with the same enforced nonce, so a
/// replica retrying after another's crash cannot post twice.
pub(super) async fn post_once(
    http: &serenity::Http,
    channel: serenity::ChannelId,
    nonce: String,
    message: serenity::CreateMessage,
) -> Result<serenity::Message, DeliveryError> {
    let message = message
        .nonce(serenity::Nonce::String(nonce))
        .enforce_nonce(true)
        .allowed_mentions(no_mentions());
    channel
        .send_message(http, message)
        .await
        .map_err(delivery_error)
}

pub(super) fn channel_id(text: &str) -> Result<serenity::ChannelId, DeliveryError> {
    text.parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .map(serenity::ChannelId::new)
        .ok_or_else(|| DeliveryError::Refused(format!("`{text}` is not a Discord channel id")))
}

pub(super) fn status_of(err: &serenity::Error) -> Option<u16> {
    match err {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) => {
            Some(response.status_code.as_u16())
        }
        _ => None,
    }
}

/// 403 and 404 mean the channel is gone or closed to the bot.
pub(super) fn delivery_error(err: serenity::Error) -> DeliveryError {
    match status_of(&err) {
        Some(403) => DeliveryError::Refused(format!("no permission to post ({err})")),
        Some(404) => DeliveryError::Refused(format!("channel not found ({err})")),
        _ => DeliveryError::Failed(err.to_string()),
    }
}
