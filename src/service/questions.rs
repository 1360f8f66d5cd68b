//! The questions' figures with a group, for the people who write the banks.

use std::collections::HashMap;

use super::{Service, ServiceError};
use crate::identity::{ExternalId, Platform};
use crate::question_stats::{self, QuestionStats};
use crate::refusal::Refusal;

impl Service {
    /// Each question's figures (of `topic`, an id or a name, when set) over
    /// one community's answers, or every community's; the most missed
    /// first. For the operator: no caller is checked.
    pub async fn question_stats(
        &self,
        community: Option<(Platform, ExternalId)>,
        topic: Option<&str>,
    ) -> Result<Vec<QuestionStats>, ServiceError> {
        let content = self.content();
        let topic = topic
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.resolve_topic(&content, t))
            .transpose()?;
        let community_id = match community {
            None => None,
            Some((platform, external_id)) => Some(
                self.store()
                    .find_community(platform, &external_id)
                    .await?
                    .ok_or_else(|| Refusal::UnknownCommunity(external_id.as_str().to_string()))?
                    .id,
            ),
        };
        let answers = self.store().answer_rows(community_id).await?;
        let mut open_reports: HashMap<String, i64> = HashMap::new();
        for report in self.store().reports(community_id, false).await? {
            *open_reports.entry(report.question_id).or_default() += 1;
        }
        Ok(question_stats::compute(
            &content.bank,
            topic.as_deref(),
            &answers,
            &open_reports,
        ))
    }
}
