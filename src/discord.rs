//! Discord: slash commands and buttons on serenity/poise.

use tokio_util::sync::CancellationToken;

use crate::config::DiscordSettings;
use crate::serve::Bot;

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("the Discord client is not built yet")]
    NotBuilt,
}

pub async fn run(
    _settings: &DiscordSettings,
    _bot: Bot,
    _shutdown: CancellationToken,
) -> Result<(), DiscordError> {
    Err(DiscordError::NotBuilt)
}
