//! The application service: every use case of the bot, once, for Discord,
//! Slack and the terminal alike.
//!
//! An adapter turns a platform event into a [`Caller`] and a call here, and
//! draws the [`crate::view`] it gets back; it never touches the store. The
//! service resolves who is calling (community and player rows, cached
//! briefly so a click does not upsert them), checks what may be done,
//! drives [`Game`](crate::game::Game) for quiz sessions and the daily question, starts and
//! stops live rounds and takes their answers, and words the result.
//! Failures end in one [`ServiceError`]: a refusal with its one sentence,
//! or an internal failure that is logged with its chain while the user
//! reads a short apology.

mod admin;
mod live;
mod mock;
mod questions;
mod quiz;
mod report;
mod review;
mod settings;
mod standings;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lru::LruCache;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio_util::task::TaskTracker;

use crate::config::Locale;
use crate::content::{Content, SharedContent};
use crate::game::GameError;
use crate::i18n::Texts;
use crate::identity::{ExternalId, Identity, Platform};
use crate::quiz::AnswerError;
use crate::refusal::Refusal;
use crate::review::TopicRecord;
use crate::store::{Community, Player, Store, StoreError};
use crate::telemetry::Handling;

pub use admin::DailyRequest;
pub use live::LiveRequest;
pub use quiz::{Click, QuizMode, SessionStart};

/// How long a community and player row read from the store are reused.
pub const PLAYER_CACHE_TTL: Duration = Duration::from_secs(60);
/// How many players the cache remembers; the least recently seen go first.
pub const PLAYER_CACHE_SIZE: usize = 20_000;
/// How long a community's per-topic averages are reused.
pub const GROUP_AVERAGES_TTL: Duration = Duration::from_secs(300);
/// How many communities' rows, and their averages, are remembered.
const GROUP_AVERAGES_SIZE: usize = 1_000;

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub identity: Identity,
    /// The name shown on boards; a changed name is saved at once.
    pub name: String,
    /// Whether the platform says this user administers the community.
    pub admin: bool,
    /// The language the platform says the community prefers (a Discord
    /// server's preferred locale), when it is one the bot speaks: a new
    /// community starts in it rather than the default.
    pub language: Option<Locale>,
}

/// How a service is set up beyond its content and store.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub locale: Locale,
    /// The time zone new communities get, and a daily question's default.
    pub time_zone: Tz,
    /// How often the daily question's schedulers tick.
    pub daily_tick: Duration,
    /// Seeds the choice of questions, for tests that must be repeatable;
    /// `None` seeds from the operating system.
    pub seed: Option<u64>,
    /// How live rounds pace themselves.
    pub live: crate::live::LiveTimings,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            locale: Locale::Korean,
            time_zone: crate::daily::DEFAULT_TIME_ZONE,
            daily_tick: crate::config::DEFAULT_DAILY_TICK,
            seed: None,
            live: crate::live::LiveTimings::default(),
        }
    }
}

/// Where the service reads the time: the system's clock, or a test's.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The bot's use cases over one content set and one store; cheap to clone.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    content: SharedContent,
    store: Store,
    settings: ServiceSettings,
    texts: Texts,
    players: Mutex<LruCache<Identity, Member>>,
    /// Communities as last read, by platform and id: the first members of
    /// a server to play need its row, not a read of it each.
    communities: Mutex<LruCache<(Platform, ExternalId), (Instant, Community)>>,
    /// Per community: when its averages were counted, and them.
    group_topics: Mutex<LruCache<i64, (Instant, Vec<TopicRecord>)>>,
    rng: Mutex<StdRng>,
    /// Interactions being handled, waited for at shutdown.
    in_flight: TaskTracker,
    /// What "now" is for quiz sessions, review, mock exams and records.
    clock: Clock,
    live: live::LiveState,
}

/// A caller's rows, as last read.
#[derive(Clone)]
struct Member {
    community: Community,
    player: Player,
    at: Instant,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.inner.store.backend())
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// How long interactions in progress may take to finish at shutdown; a
/// pod's grace period (30 s in `deploy/`) leaves room for it.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

impl Service {
    pub fn new(content: SharedContent, store: Store, settings: ServiceSettings) -> Self {
        Self::with_clock(content, store, settings, Arc::new(Utc::now))
    }

    /// A service whose "now" is `clock`'s: tests drive days and time
    /// limits without waiting for them.
    pub fn with_clock(
        content: SharedContent,
        store: Store,
        settings: ServiceSettings,
        clock: Clock,
    ) -> Self {
        let rng = match settings.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => rand::make_rng(),
        };
        let size = NonZeroUsize::new(PLAYER_CACHE_SIZE).unwrap_or(NonZeroUsize::MIN);
        let groups = NonZeroUsize::new(GROUP_AVERAGES_SIZE).unwrap_or(NonZeroUsize::MIN);
        Self {
            inner: Arc::new(Inner {
                texts: Texts::new(settings.locale),
                content,
                store,
                settings,
                players: Mutex::new(LruCache::new(size)),
                communities: Mutex::new(LruCache::new(groups)),
                group_topics: Mutex::new(LruCache::new(groups)),
                rng: Mutex::new(rng),
                in_flight: TaskTracker::new(),
                clock,
                live: live::LiveState::new(),
            }),
        }
    }

    /// The words of the service's default language: for what is said
    /// outside any community (the operator's command line, a request whose
    /// community is not known).
    pub fn texts(&self) -> Texts {
        self.inner.texts
    }

    /// The words of `community`'s own language.
    pub(crate) fn texts_for(&self, community: &Community) -> Texts {
        Texts::new(community.language()).on(community.platform)
    }

    /// The words to tell `identity` something in (a refusal, an apology):
    /// their community's language when the service knows it, else the
    /// default. Never asks the database.
    pub fn texts_of(&self, identity: &Identity) -> Texts {
        let known = self
            .players()
            .peek(identity)
            .map(|m| m.community.language());
        known
            .map_or(self.inner.texts, Texts::new)
            .on(identity.platform)
    }

    /// The time, as the service's clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)()
    }

    pub fn settings(&self) -> &ServiceSettings {
        &self.inner.settings
    }

    /// The content as it is now (a reload swaps it for later calls).
    pub fn content(&self) -> Arc<Content> {
        self.inner.content.current()
    }

    pub(crate) fn shared_content(&self) -> &SharedContent {
        &self.inner.content
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Starts handling one interaction from `platform`: counted and timed
    /// for the metrics, and waited for by [`Service::drain`] while the
    /// returned guard lives. Adapters hold it for the whole interaction.
    pub fn handling(&self, platform: Platform, kind: &'static str) -> Handling {
        Handling::start(platform, kind, self.inner.in_flight.token())
    }

    /// Work an interaction leaves running after its response (a chart's
    /// upload): waited for by [`Service::drain`] while the returned token
    /// lives, but not counted as an interaction.
    pub fn background_work(&self) -> tokio_util::task::task_tracker::TaskTrackerToken {
        self.inner.in_flight.token()
    }

    /// At shutdown, once no new interaction can arrive: waits up to
    /// [`DRAIN_TIMEOUT`] for those being handled (logged if some were
    /// still running then).
    pub async fn drain(&self) {
        self.inner.in_flight.close();
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, self.inner.in_flight.wait()).await;
        if drained.is_err() {
            tracing::warn!("interactions still in progress at shutdown were dropped");
        }
    }

    /// Topic ids and names, for autocomplete and usage lines.
    pub fn topics(&self) -> Vec<(String, String)> {
        self.content()
            .bank
            .topics
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect()
    }

    /// [`Service::member`] for a caller who is answering: a failure loses
    /// their answer.
    async fn answering_member(&self, caller: &Caller) -> Result<(Community, Player), ServiceError> {
        self.member(caller)
            .await
            .map_err(|err| ServiceError::from(err).losing_answer())
    }

    /// The caller's community and player rows, created when new, the name
    /// made storable ([`crate::identity::display_name`]). A row read within
    /// [`PLAYER_CACHE_TTL`] is reused unless the name changed.
    async fn member(&self, caller: &Caller) -> Result<(Community, Player), StoreError> {
        let identity = &caller.identity;
        let name = crate::identity::display_name(&caller.name, identity.user.as_str());
        if let Some(member) = self.cached(identity, &name) {
            return Ok((member.community, member.player));
        }
        let community = match self.cached_community(identity) {
            Some(community) => community,
            None => {
                let community = self
                    .inner
                    .store
                    .community(
                        identity.platform,
                        &identity.community,
                        self.inner.settings.time_zone,
                        caller.language.unwrap_or(self.inner.texts.locale).code(),
                    )
                    .await?;
                lock(&self.inner.communities).put(
                    (identity.platform, identity.community.clone()),
                    (Instant::now(), community.clone()),
                );
                community
            }
        };
        let player = self
            .inner
            .store
            .player(&community, &identity.user, &name)
            .await?;
        self.players().put(
            identity.clone(),
            Member {
                community: community.clone(),
                player: player.clone(),
                at: Instant::now(),
            },
        );
        Ok((community, player))
    }

    fn cached(&self, identity: &Identity, name: &str) -> Option<Member> {
        let mut players = self.players();
        let member = players.get(identity)?;
        (member.at.elapsed() < PLAYER_CACHE_TTL && member.player.display_name == name)
            .then(|| member.clone())
    }

    fn cached_community(&self, identity: &Identity) -> Option<Community> {
        let mut communities = lock(&self.inner.communities);
        let (at, community) = communities.get(&(identity.platform, identity.community.clone()))?;
        (at.elapsed() < PLAYER_CACHE_TTL).then(|| community.clone())
    }

    fn cached_group_topics(&self, community_id: i64) -> Option<Vec<TopicRecord>> {
        let mut cache = lock(&self.inner.group_topics);
        let (at, topics) = cache.get(&community_id)?;
        (at.elapsed() < GROUP_AVERAGES_TTL).then(|| topics.clone())
    }

    fn cache_group_topics(&self, community_id: i64, topics: Vec<TopicRecord>) {
        lock(&self.inner.group_topics).put(community_id, (Instant::now(), topics));
    }

    /// Forgets every cached row, after a community's settings changed.
    fn forget_members(&self) {
        self.players().clear();
        lock(&self.inner.communities).clear();
    }

    fn players(&self) -> MutexGuard<'_, LruCache<Identity, Member>> {
        lock(&self.inner.players)
    }

    /// A generator of its own for one choice, drawn from the service's:
    /// seeded services choose the same questions run after run.
    pub(crate) fn fork_rng(&self) -> StdRng {
        let mut rng = lock(&self.inner.rng);
        StdRng::from_rng(&mut *rng)
    }

    /// A topic by id or name (any case), or the refusal that lists them.
    fn resolve_topic(&self, content: &Content, typed: &str) -> Result<String, Refusal> {
        let typed = typed.trim();
        content
            .bank
            .topics
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(typed) || t.name.eq_ignore_ascii_case(typed))
            .map(|t| t.id.clone())
            .ok_or_else(|| Refusal::UnknownTopic {
                topic: typed.to_string(),
                known: content.bank.topics.iter().map(|t| t.id.clone()).collect(),
            })
    }
}

/// A cache's lock; a panic elsewhere while holding it leaves nothing half
/// written in it, so a poisoned one is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Why a request did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// An ordinary outcome the user is told about in one sentence.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The service failed; nothing the user asked for is half done, and
    /// when it was an answer, it was not recorded.
    #[error("{what} failed")]
    Failed {
        what: &'static str,
        /// Set when an answer the user gave was not recorded.
        answer_lost: bool,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ServiceError {
    pub(crate) fn failed(
        what: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ServiceError::Failed {
            what,
            answer_lost: false,
            source: Box::new(source),
        }
    }

    /// The same failure, marked as having lost the user's answer.
    pub(crate) fn losing_answer(self) -> Self {
        match self {
            ServiceError::Failed { what, source, .. } => ServiceError::Failed {
                what,
                answer_lost: true,
                source,
            },
            refused => refused,
        }
    }

    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            ServiceError::Refused(refusal) => Some(refusal),
            ServiceError::Failed { .. } => None,
        }
    }

    /// What the user reads: the refusal's sentence, or an apology that
    /// says whether their answer was recorded.
    pub fn user_message(&self, texts: Texts) -> String {
        match self {
            ServiceError::Refused(refusal) => texts.refusal(refusal),
            ServiceError::Failed {
                answer_lost: true, ..
            } => texts.answer_not_recorded().into(),
            ServiceError::Failed { .. } => texts.apology().into(),
        }
    }

    /// Logs the error where it ends: a refusal at debug level, a failure as
    /// an error with its whole chain. `request` names what was asked.
    pub fn log(&self, request: &str) {
        match self {
            ServiceError::Refused(refusal) => tracing::debug!(request, "refused: {refusal}"),
            ServiceError::Failed { .. } => {
                let mut chain = self.to_string();
                let mut source = std::error::Error::source(self);
                while let Some(cause) = source {
                    chain.push_str(": ");
                    chain.push_str(&cause.to_string());
                    source = cause.source();
                }
                tracing::error!(request, "{chain}");
            }
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        crate::telemetry::database_error();
        ServiceError::failed("the store", err)
    }
}

impl From<GameError> for ServiceError {
    fn from(err: GameError) -> Self {
        let refusal = match err {
            GameError::Store(err) => return err.into(),
            GameError::UnknownTopic(topic) => Refusal::UnknownTopic {
                topic,
                known: Vec::new(),
            },
            GameError::NoQuestions => Refusal::NoQuestions,
            GameError::NoWeakTopics => Refusal::NoWeakTopics,
            GameError::SessionNotFound | GameError::SessionFinished => Refusal::SessionOver,
            GameError::SessionExpired => Refusal::SessionExpired,
            GameError::NotYourSession => Refusal::NotYourSession,
            GameError::StaleQuestion => Refusal::StaleQuestion,
            GameError::QuestionGone => Refusal::QuestionGone,
            GameError::BadAnswer(AnswerError::WrongCount { expected, .. }) => {
                Refusal::WrongCount { expected }
            }
            GameError::BadAnswer(_) => Refusal::BadChoice,
            GameError::DailyNotFound | GameError::DailyElsewhere => Refusal::DailyGone,
            GameError::DailyClosed => Refusal::DailyClosed,
        };
        ServiceError::Refused(refusal)
    }
}
