//! The daily question's loop: on each tick, claim the day's post of every
//! schedule that is due, send the posts not yet sent, and reveal the posts
//! whose time has come, each exactly once across replicas. The same loop
//! submits the mock exams whose time ran out and folds the boards' changes
//! into their histograms ([`Store::fold_boards`]).
//!
//! Exactly once rests on the store: the post row (one per schedule and local
//! date) decides the question, and a replica sends or reveals only while it
//! holds the row's short lease; sending and revealing are noted in the row
//! before the lease is given back. A replica that dies while holding a lease
//! leaves it to expire, and the next one tries again — the platform is
//! asked to drop a second copy of the same message where it can (Discord's
//! enforced nonce), keyed by the post. The platform itself is a
//! [`DailyChannel`]; the clock is the caller's, so tests drive days in
//! seconds.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

use crate::content::Content;
use crate::daily::{pick_question, tally, DailyPost, Schedule, Stage, Tally};
use crate::i18n::Texts;
use crate::identity::Platform;
use crate::quiz;
use crate::service::Service;
use crate::store::{Store, StoreError};
use crate::telemetry;
use crate::view::{DailyPostView, RevealView};

/// How long a replica may take to send or reveal one post before another
/// may try.
pub const LEASE: Duration = Duration::seconds(60);
/// How long a post whose reveal keeps failing is retried after its reveal
/// time; then it is closed without one.
pub const REVEAL_GIVE_UP: Duration = Duration::hours(24);
/// How long after its reveal time a post is revealed: answers stop at the
/// reveal time, and one already on its way gets this long to be recorded
/// before the count.
pub const REVEAL_GRACE: Duration = Duration::seconds(5);
/// How often a replica drops what the boards' histograms no longer need.
pub const PRUNE_BOARDS_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Longest current streaks shown with the reveal.
pub const STREAKS_SHOWN: usize = 5;

/// A post to send.
#[derive(Debug)]
pub struct Delivery<'a> {
    pub schedule: &'a Schedule,
    /// The post as stored: its day and question.
    pub post: &'a DailyPost,
    pub view: DailyPostView,
}

/// A reveal to send: the post's message is closed, the results posted.
#[derive(Debug)]
pub struct Reveal<'a> {
    pub schedule: &'a Schedule,
    pub post: &'a DailyPost,
    /// The platform's id of the post's message.
    pub message_id: &'a str,
    /// How the community answered, and the longest current streaks.
    pub tally: Tally,
    pub streaks: Vec<(String, u32)>,
    /// The post as it stays: without its buttons.
    pub closed: DailyPostView,
    pub results: RevealView,
}

/// Why a platform did not deliver.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeliveryError {
    /// The channel is gone or the bot may not post there.
    #[error("the channel refused the message: {0}")]
    Refused(String),
    /// Anything else (network, the platform's own trouble).
    #[error("delivery failed: {0}")]
    Failed(String),
}

/// Where daily posts go: one platform's channels.
pub trait DailyChannel: Send + Sync {
    /// Sends the question to the schedule's channel, returning the message's
    /// id on the platform.
    fn post(
        &self,
        delivery: &Delivery<'_>,
    ) -> impl Future<Output = Result<String, DeliveryError>> + Send;

    /// Closes the post's answers and shows the results.
    fn reveal(&self, reveal: &Reveal<'_>)
        -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub claimed: usize,
    pub posted: usize,
    pub revealed: usize,
    pub failed: usize,
}

/// The daily question of one platform.
pub struct Scheduler<C> {
    platform: Platform,
    service: Service,
    channel: C,
}

impl<C: DailyChannel> Scheduler<C> {
    pub fn new(platform: Platform, service: Service, channel: C) -> Self {
        Self {
            platform,
            service,
            channel,
        }
    }

    fn store(&self) -> &Store {
        self.service.store()
    }

    /// Ticks every `tick` ([`crate::config::DEFAULT_DAILY_TICK`] by default) with the time `clock` gives
    /// until `shutdown`. A failed tick is logged and the next one tries again.
    pub async fn run(
        &self,
        clock: impl Fn() -> DateTime<Utc>,
        tick: std::time::Duration,
        shutdown: CancellationToken,
    ) {
        let prune_every = (PRUNE_BOARDS_EVERY.as_secs() / tick.as_secs().max(1)).max(1);
        for ticks in 0u64.. {
            if let Err(err) = self.tick(clock()).await {
                telemetry::database_error();
                tracing::error!(platform = %self.platform, "daily question: {err}");
            }
            // Mock exams whose time ran out are submitted as they stand,
            // even when their member never comes back to them.
            if let Err(err) = self.service.settle_expired_mocks().await {
                err.log("settling mock exams out of time");
            }
            // Ranks stay exact without it; it keeps them quick.
            if let Err(err) = self.store().fold_boards().await {
                telemetry::database_error();
                tracing::warn!("folding the boards' changes: {err}");
            }
            if ticks % prune_every == prune_every - 1 {
                if let Err(err) = self.store().prune_boards().await {
                    telemetry::database_error();
                    tracing::warn!("pruning the boards' histograms: {err}");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// Does whatever is due at `now`.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, StoreError> {
        let content = self.service.content();
        let mut report = TickReport::default();
        let schedules = self.store().schedules(Some(self.platform), None).await?;
        let open = self.store().open_daily_posts(self.platform, now).await?;
        let claimed: HashSet<(i64, chrono::NaiveDate)> =
            open.iter().map(|p| (p.schedule_id, p.local_date)).collect();
        let mut posts = open;
        for schedule in schedules.iter().filter(|s| s.enabled) {
            let occurrence = schedule.occurrence(now);
            if now >= occurrence.reveal_at || claimed.contains(&(schedule.id, occurrence.date)) {
                continue;
            }
            if let Some(post) = self.claim(schedule, &content, now).await? {
                if post.revealed_at.is_none() {
                    report.claimed += 1;
                    posts.push(post);
                }
            }
        }
        let by_id: HashMap<i64, &Schedule> = schedules.iter().map(|s| (s.id, s)).collect();
        for post in &posts {
            let Some(schedule) = by_id.get(&post.schedule_id) else {
                continue;
            };
            let (stage, done) = if post.message_id.is_none() {
                ("post", self.send(schedule, post, &content, now).await?)
            } else if now >= post.reveal_at + REVEAL_GRACE {
                ("reveal", self.reveal(schedule, post, &content, now).await?)
            } else {
                continue;
            };
            match done {
                Some(Done::Posted) => report.posted += 1,
                Some(Done::Revealed) => report.revealed += 1,
                Some(Done::Failed) => report.failed += 1,
                None => continue,
            }
            let delivered = !matches!(done, Some(Done::Failed));
            telemetry::daily_delivery(self.platform, stage, delivered);
        }
        Ok(report)
    }

    /// The schedule's post of the day, created with a question when there is
    /// none (another replica may have created it first: then that one).
    async fn claim(
        &self,
        schedule: &Schedule,
        content: &Content,
        now: DateTime<Utc>,
    ) -> Result<Option<DailyPost>, StoreError> {
        let occurrence = schedule.occurrence(now);
        if let Some(post) = self
            .store()
            .daily_post_on(schedule.id, occurrence.date)
            .await?
        {
            return Ok(Some(post));
        }
        let asked = self.store().asked_questions(schedule.id).await?;
        let candidates = content
            .bank
            .askable(None)
            .filter(|q| schedule.topics.is_empty() || schedule.topics.contains(&q.topic));
        let Some(question) = pick_question(candidates, &asked, &mut self.service.fork_rng()) else {
            let error = format!("no questions in topics {}", schedule.topics.join(", "));
            tracing::warn!(schedule = schedule.id, "daily question: {error}");
            if !schedule.is_on_hold(now) {
                self.store()
                    .schedule_failed(schedule.id, &error, now)
                    .await?;
            }
            return Ok(None);
        };
        let post = self
            .store()
            .claim_daily_post(schedule.id, &occurrence, &question.id)
            .await?;
        Ok(Some(post))
    }

    async fn send(
        &self,
        schedule: &Schedule,
        post: &DailyPost,
        content: &Content,
        now: DateTime<Utc>,
    ) -> Result<Option<Done>, StoreError> {
        if !schedule.enabled || schedule.is_on_hold(now) || now >= post.reveal_at {
            return Ok(None);
        }
        let Some(question) = content.bank.question(&post.question_id) else {
            let error = format!("question {} is no longer in the bank", post.question_id);
            self.store()
                .schedule_failed(schedule.id, &error, now)
                .await?;
            return Ok(Some(Done::Failed));
        };
        if !self
            .store()
            .lease_daily_post(post.id, Stage::Post, now, now + LEASE)
            .await?
        {
            return Ok(None);
        }
        let texts = self.texts_of(schedule).await?;
        let delivery = Delivery {
            schedule,
            post,
            view: DailyPostView::new(texts, content, post, question, false),
        };
        match self.channel.post(&delivery).await {
            Ok(message_id) => {
                self.store().daily_posted(post.id, &message_id, now).await?;
                if schedule.failure.is_some() {
                    self.store().schedule_delivered(schedule.id).await?;
                }
                tracing::info!(schedule = schedule.id, post = post.id, channel = %schedule.channel,
                    "daily question posted");
                Ok(Some(Done::Posted))
            }
            Err(err) => {
                self.failed(schedule, post, &err, now).await?;
                Ok(Some(Done::Failed))
            }
        }
    }

    /// The words of the community a schedule posts in: its own language,
    /// or the default before any member has used the bot there.
    async fn texts_of(&self, schedule: &Schedule) -> Result<Texts, StoreError> {
        let community = self
            .store()
            .find_community(self.platform, &schedule.community)
            .await?;
        Ok(community.map_or(self.service.texts(), |c| self.service.texts_for(&c)))
    }

    async fn reveal(
        &self,
        schedule: &Schedule,
        post: &DailyPost,
        content: &Content,
        now: DateTime<Utc>,
    ) -> Result<Option<Done>, StoreError> {
        let Some(message_id) = post.message_id.as_deref() else {
            return Ok(None);
        };
        let give_up = now >= post.reveal_at + REVEAL_GIVE_UP;
        if schedule.is_on_hold(now) && !give_up {
            return Ok(None);
        }
        let Some(question) = content.bank.question(&post.question_id) else {
            tracing::warn!(
                post = post.id,
                "daily question gone from the bank: closed unrevealed"
            );
            self.store().daily_revealed(post.id, now).await?;
            return Ok(None);
        };
        if !self
            .store()
            .lease_daily_post(post.id, Stage::Reveal, now, now + LEASE)
            .await?
        {
            return Ok(None);
        }
        let answers = self.store().daily_answers(post.id).await?;
        let community = self
            .store()
            .find_community(self.platform, &schedule.community)
            .await?;
        let streaks = match &community {
            Some(community) => {
                let today = quiz::local_day(now, community.time_zone);
                self.store()
                    .top_streaks(community.id, today, STREAKS_SHOWN)
                    .await?
            }
            None => Vec::new(),
        };
        let texts = community
            .as_ref()
            .map_or(self.service.texts(), |c| self.service.texts_for(c));
        let tally = tally(question.choices.len(), &answers);
        let reveal = Reveal {
            schedule,
            post,
            message_id,
            closed: DailyPostView::new(texts, content, post, question, true),
            results: RevealView::new(
                texts,
                post,
                question,
                &tally,
                &content.excerpts_for(question),
                &streaks,
            ),
            tally,
            streaks,
        };
        match self.channel.reveal(&reveal).await {
            Ok(()) => {
                self.store().daily_revealed(post.id, now).await?;
                if schedule.failure.is_some() {
                    self.store().schedule_delivered(schedule.id).await?;
                }
                tracing::info!(
                    schedule = schedule.id,
                    post = post.id,
                    "daily answer revealed"
                );
                Ok(Some(Done::Revealed))
            }
            Err(err) if give_up => {
                tracing::warn!(post = post.id, "daily reveal abandoned after a day: {err}");
                self.store().daily_revealed(post.id, now).await?;
                Ok(Some(Done::Failed))
            }
            Err(err) => {
                self.failed(schedule, post, &err, now).await?;
                Ok(Some(Done::Failed))
            }
        }
    }

    async fn failed(
        &self,
        schedule: &Schedule,
        post: &DailyPost,
        err: &DeliveryError,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let failure = self
            .store()
            .schedule_failed(schedule.id, &err.to_string(), now)
            .await?;
        self.store().release_daily_post(post.id).await?;
        tracing::warn!(schedule = schedule.id, channel = %schedule.channel, failures = failure.count,
            retry_at = %failure.retry_at, "daily question not delivered: {err}");
        Ok(())
    }
}

enum Done {
    Posted,
    Revealed,
    Failed,
}
