//! Slack: slash commands and Block Kit buttons on slack-morphism.

use tokio_util::sync::CancellationToken;

use crate::config::SlackSettings;
use crate::serve::Bot;

#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("the Slack client is not built yet")]
    NotBuilt,
}

pub async fn run(
    _settings: &SlackSettings,
    _http_addr: &str,
    _bot: Bot,
    _shutdown: CancellationToken,
) -> Result<(), SlackError> {
    Err(SlackError::NotBuilt)
}
