//! Pictures to Slack: a member's stats chart, uploaded the way Slack's
//! `files.uploadV2` does it: `files.getUploadURLExternal` (name, length) →
//! the bytes POSTed to the returned `upload_url` →
//! `files.completeUploadExternal` (the file's id and title, and where to
//! share it).
//!
//! Slack has no ephemeral files: a file shared in a channel is seen by the
//! whole channel, while `/quiz-stats` answers only the member who typed
//! it. So the chart goes to that member's direct message with the bot
//! (`conversations.open`), which only they read, even for `/quiz-stats
//! @someone` typed in a busy channel; the command's private reply says
//! where it went.

use slack_morphism::prelude::*;

use super::{blocks, SlackApp, SlackError};
use crate::chart;
use crate::i18n::Texts;
use crate::view::StatsChart;

impl SlackApp {
    /// Draws `chart` and sends it to `user` in a direct message, in the
    /// background: the command's acknowledgement carries the text and must
    /// not wait for the upload. The upload counts as work in progress, so
    /// shutdown waits for it. When it fails, the member is told so
    /// privately through the command's `response_url`.
    pub(crate) fn send_chart(
        &self,
        texts: Texts,
        user: &str,
        chart: StatsChart,
        reply_to: SlackResponseUrl,
    ) {
        let client = std::sync::Arc::clone(&self.client);
        let token = self.bot_token.clone();
        let user = SlackUserId::new(user.to_string());
        let in_progress = self.service.background_work();
        tokio::spawn(async move {
            let _in_progress = in_progress;
            let title = chart.title.clone();
            let Some(png) = chart::picture(chart).await else {
                return;
            };
            let session = client.open_session(&token);
            if let Err(err) = share_with(&session, &user, &title, png).await {
                tracing::warn!(user = %user, "the stats chart did not reach Slack: {err}");
                let notice = blocks::notice(texts.slack_chart_not_sent());
                if let Err(err) = super::respond_with(&client, &reply_to, notice, false).await {
                    tracing::warn!(user = %user, "nor did the notice that it failed: {err}");
                }
            }
        });
    }
}

/// Uploads `png` as [`chart::FILE_NAME`] titled `title`, shared in the
/// direct message with `user`.
async fn share_with(
    session: &SlackClientSession<'_, SlackClientHyperHttpsConnector>,
    user: &SlackUserId,
    title: &str,
    png: Vec<u8>,
) -> Result<(), SlackError> {
    let dm = session
        .conversations_open(&SlackApiConversationsOpenRequest::new().with_users(vec![user.clone()]))
        .await?
        .channel
        .id;
    let upload = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            chart::FILE_NAME.to_string(),
            png.len(),
        ))
        .await?;
    session
        .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
            upload.upload_url,
            png,
            "image/png".to_string(),
        ))
        .await?;
    session
        .files_complete_upload_external(
            &SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
                upload.file_id,
            )
            .with_title(title.to_string())])
            .with_channel_id(dm),
        )
        .await?;
    Ok(())
}
