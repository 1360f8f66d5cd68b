//! Leaderboards and players' records: read-only, so asking never creates a
//! community or a player.

use chrono::Utc;

use super::{Service, ServiceError};
use crate::identity::Identity;
use crate::progress;
use crate::quiz::{self, Period};
use crate::review::TopicRecord;
use crate::store::BoardQuery;
use crate::view::{Board, StatsCard, StatsExtras};

/// Rows on a leaderboard.
pub const BOARD_ROWS: usize = 10;

impl Service {
    /// The community's top players over `period` (in `topic`, an id or a
    /// name, when set), and `viewer`'s own rank.
    pub async fn leaderboard(
        &self,
        viewer: &Identity,
        period: Period,
        topic: Option<&str>,
    ) -> Result<Board, ServiceError> {
        let content = self.content();
        let topic = topic
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.resolve_topic(&content, t))
            .transpose()?;
        let store = self.store();
        let mut rows = Vec::new();
        let mut mine = None;
        let mut today_in = None;
        let mut texts = self.texts();
        if let Some(community) = store
            .find_community(viewer.platform, &viewer.community)
            .await?
        {
            texts = self.texts_for(&community);
            let today = quiz::local_day(Utc::now(), community.time_zone);
            today_in = Some((today, community.time_zone));
            let query = BoardQuery {
                community_id: community.id,
                period,
                topic: topic.as_deref(),
                today,
                time_zone: community.time_zone,
                periods_since: community.periods_since,
                limit: BOARD_ROWS,
            };
            rows = store.leaderboard(&query).await?;
            if let Some(player) = store.find_player(&community, &viewer.user).await? {
                mine = store.rank_of(&query, player.id).await?;
            }
        }
        Ok(Board::new(
            texts,
            &content,
            period,
            topic.as_deref(),
            &rows,
            mine.as_ref(),
            today_in,
        ))
    }

    /// The record of `whose`, titled with `name`.
    pub async fn stats(&self, whose: &Identity, name: &str) -> Result<StatsCard, ServiceError> {
        let content = self.content();
        let store = self.store();
        let mut found = None;
        let mut extras = StatsExtras::default();
        let mut texts = self.texts();
        if let Some(community) = store
            .find_community(whose.platform, &whose.community)
            .await?
        {
            texts = self.texts_for(&community);
            let now = Utc::now();
            let player = store.find_player(&community, &whose.user).await?;
            if let Some(player) = &player {
                let today = quiz::local_day(now, community.time_zone);
                found = Some(store.stats(player, today).await?);
                let days = progress::ACTIVITY_DAYS;
                let first_day =
                    today - chrono::Duration::days(i64::try_from(days).unwrap_or(30) - 1);
                let since = quiz::local_midnight(first_day, community.time_zone);
                let times = store.answer_times(player, since).await?;
                extras.activity =
                    progress::daily_activity(&times, today, community.time_zone, days);
                extras.questions = store.question_records(player).await?;
                extras.group_topics = self.group_topics(community.id).await?;
            }
            extras.review = self.review_lines(&community, player.as_ref(), now).await?;
        }
        Ok(StatsCard::new(
            texts,
            &content,
            name,
            found.as_ref(),
            &extras,
        ))
    }

    /// The community's answers per topic, counted at most every
    /// [`GROUP_AVERAGES_TTL`]: they move slowly, and counting reads every
    /// answer of the community.
    async fn group_topics(&self, community_id: i64) -> Result<Vec<TopicRecord>, ServiceError> {
        if let Some(cached) = self.cached_group_topics(community_id) {
            return Ok(cached);
        }
        let topics = self.store().community_topic_records(community_id).await?;
        self.cache_group_topics(community_id, topics.clone());
        Ok(topics)
    }
}
