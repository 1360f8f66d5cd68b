//! Leaderboards, players' records and readiness: asking never creates a
//! community or a player (a mock exam out of time is settled first, so
//! its answers count).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Service, ServiceError};
use crate::identity::Identity;
use crate::progress;
use crate::quiz::{self, Period};
use crate::readiness::{self, MemberReadiness, Outlook, Readiness};
use crate::review::TopicRecord;
use crate::store::{BoardQuery, Community, Player};
use crate::view::{readiness_lines, Board, ReadinessBoard, RecordJson, StatsCard, StatsExtras};

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
            let today = quiz::local_day(self.now(), community.time_zone);
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
            let now = self.now();
            let player = store.find_player(&community, &whose.user).await?;
            if let Some(player) = &player {
                self.settle_mocks_of(player, Some(whose.platform)).await?;
                let (readiness, _) = self.readiness_of(&community, player, now).await?;
                let mocks = store.settled_mock_exams(player).await?;
                let exam_date = self.outlook(&community, now).exam_at.is_some();
                extras.readiness = readiness_lines(texts, &readiness, exam_date, &mocks);
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

    /// The record of `whose` as JSON: totals, topics, domains, readiness
    /// and mock exams (`quizbot stats --json`).
    pub async fn record(&self, whose: &Identity, name: &str) -> Result<RecordJson, ServiceError> {
        let content = self.content();
        let store = self.store();
        let now = self.now();
        let community = store
            .find_community(whose.platform, &whose.community)
            .await?;
        let player = match &community {
            Some(community) => store.find_player(community, &whose.user).await?,
            None => None,
        };
        let (Some(community), Some(player)) = (community, player) else {
            let empty = readiness::assess(
                &content.bank,
                &[],
                &[],
                &Outlook {
                    now,
                    exam_at: None,
                    retention: crate::review::DEFAULT_RETENTION,
                },
            );
            return Ok(RecordJson::new(name, None, &[], &empty, now, &[]));
        };
        self.settle_mocks_of(&player, Some(whose.platform)).await?;
        let today = quiz::local_day(now, community.time_zone);
        let stats = store.stats(&player, today).await?;
        let questions = store.question_records(&player).await?;
        let domains = progress::by_domain(&content.bank, &questions);
        let (readiness, judged_at) = self.readiness_of(&community, &player, now).await?;
        let mocks = store.settled_mock_exams(&player).await?;
        Ok(RecordJson::new(
            name,
            Some(&stats),
            &domains,
            &readiness,
            judged_at,
            &mocks,
        ))
    }

    /// The community's readiness: each member's predicted score, who is
    /// predicted to pass, and the group's weakest domain.
    pub async fn readiness_board(&self, viewer: &Identity) -> Result<ReadinessBoard, ServiceError> {
        let content = self.content();
        let store = self.store();
        let now = self.now();
        let mut members = Vec::new();
        let mut texts = self.texts();
        if let Some(community) = store
            .find_community(viewer.platform, &viewer.community)
            .await?
        {
            texts = self.texts_for(&community);
            self.settle_expired_mocks().await?;
            let outlook = self.outlook(&community, now);
            let mut cards: HashMap<i64, Vec<readiness::MemoryCard>> = HashMap::new();
            for row in store.community_memory_cards(community.id).await? {
                cards.entry(row.player_id).or_default().push(row.card);
            }
            let mut firsts: HashMap<i64, Vec<readiness::FirstTry>> = HashMap::new();
            for row in store.community_first_tries(community.id).await? {
                firsts.entry(row.player_id).or_default().push(row.first);
            }
            for (id, name) in store.community_members(community.id).await? {
                let assessed = readiness::assess(
                    &content.bank,
                    cards.get(&id).map_or(&[][..], Vec::as_slice),
                    firsts.get(&id).map_or(&[][..], Vec::as_slice),
                    &outlook,
                );
                members.push(MemberReadiness {
                    name,
                    readiness: assessed,
                });
            }
        }
        Ok(ReadinessBoard::new(texts, &readiness::group(members)))
    }

    /// A member's readiness, and the time their memory is judged at.
    pub(super) async fn readiness_of(
        &self,
        community: &Community,
        player: &Player,
        now: DateTime<Utc>,
    ) -> Result<(Readiness, DateTime<Utc>), ServiceError> {
        let cards = self.store().memory_cards(player).await?;
        let first_tries = self.store().first_tries(player).await?;
        let outlook = self.outlook(community, now);
        let content = self.content();
        Ok((
            readiness::assess(&content.bank, &cards, &first_tries, &outlook),
            outlook.judged_at(),
        ))
    }

    /// Readiness as of `now`, looking to the community's exam day when it
    /// is still to come.
    fn outlook(&self, community: &Community, now: DateTime<Utc>) -> Outlook {
        let exam_at = community
            .exam_on
            .map(|day| quiz::local_midnight(day, community.time_zone))
            .filter(|at| *at > now);
        Outlook {
            now,
            exam_at,
            retention: community.retention,
        }
    }

    /// The community's answers per topic, counted at most every
    /// [`GROUP_AVERAGES_TTL`](super::GROUP_AVERAGES_TTL): they move slowly, and counting reads every
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
