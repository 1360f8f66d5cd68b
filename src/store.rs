//! Scores and sessions, kept in Postgres (production) or an embedded SQLite
//! file (the zero-setup default), behind one interface.
//!
//! [`Store`] is that interface: each method forwards to the backend the
//! `DATABASE_URL` chose. Both backends apply their own migrations on connect
//! (`migrations/postgres`, `migrations/sqlite`) and satisfy one contract,
//! tested against both real databases. Recording an answer is idempotent by
//! unique keys: the same interaction, or a second click on the same question
//! of the same session, is reported as [`Recorded::Duplicate`] and scores
//! nothing. Scoring itself follows [`crate::quiz`]: this module fetches what
//! the rules need and writes what they decide.
//!
//! This file holds communities, players, answers, sessions and boards;
//! what is written once for both databases on top of them lives beside it:
//! daily schedules and posts ([`daily_posts`]), review cards
//! ([`review_cards`]), figures read from the answers ([`answer_figures`]),
//! reports ([`reports`]), mock exams ([`mock_exams`]) and live rounds
//! ([`live`]).
//!
//! Rows are read into `…Row` structs named after their columns and turned
//! into the types above; a row both databases decode alike (times as
//! `Moment`, days as `Day`) is declared once, here or beside the code it
//! serves, for either backend to read.

mod moment;
mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use self::moment::{Day, Moment};
use crate::bank::Question;
use crate::config::Locale;
use crate::identity::{ExternalId, Platform};
use crate::quiz::{self, Period, QuestionHistory, Ranked, Streak};

pub use postgres::{PgStore, BOARD_LEADERS};
pub use sqlite::SqliteStore;

/// A community's settings, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Community {
    pub id: i64,
    pub platform: Platform,
    pub external_id: ExternalId,
    pub time_zone: Tz,
    pub locale: String,
    /// The share of due cards members should still recall (FSRS's desired
    /// retention).
    pub retention: f32,
    /// The exam the group studies for, when set.
    pub exam_on: Option<NaiveDate>,
    /// Since when today, this week and this month are counted: the last
    /// change of time zone (the epoch when there was none).
    pub periods_since: DateTime<Utc>,
}

impl Community {
    /// The language of the community's messages (Korean when the stored
    /// code is not one the bot speaks).
    pub fn language(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }
}

/// A player, with what scoring needs of their community.
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    pub id: i64,
    pub community_id: i64,
    pub display_name: String,
    pub time_zone: Tz,
    /// The community's desired retention, for the player's cards.
    pub retention: f32,
}

impl Player {
    /// A player of `community`, which sets their time zone and retention.
    pub(crate) fn of(community: &Community, id: i64, display_name: String) -> Player {
        Player {
            id,
            community_id: community.id,
            display_name,
            time_zone: community.time_zone,
            retention: community.retention,
        }
    }
}

/// An answer to record.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    pub question: &'a Question,
    /// The player's choices, graded already.
    pub grade: quiz::Grade,
    pub answered_at: DateTime<Utc>,
    /// From showing the question to the answer.
    pub elapsed_ms: Option<i64>,
    /// The platform's id for the click or command, unique per delivery.
    pub interaction_id: Option<String>,
    /// The session and the question's position in it.
    pub session: Option<(i64, usize)>,
    /// The daily post answered: one answer per player counts.
    pub daily_post: Option<i64>,
    /// Given in a review session: it scores no points, but counts for
    /// accuracy, the streak and the card.
    pub review: bool,
    /// The mock exam it was given in: recorded once per exam and question
    /// when the exam is submitted, and, like review, worth no points.
    pub mock_exam: Option<i64>,
    /// Added to a right answer that scores (a live round's speed bonus);
    /// a repeat the rules score 0 gets none of it.
    pub bonus: i64,
}

impl<'a> NewAnswer<'a> {
    /// An answer on its own: no timing, no interaction id, outside any
    /// session, daily post, review or mock exam, with no bonus. Set what
    /// else is known beside it (`NewAnswer { interaction_id, ..NewAnswer::new(…) }`).
    pub fn new(question: &'a Question, grade: quiz::Grade, answered_at: DateTime<Utc>) -> Self {
        NewAnswer {
            question,
            grade,
            answered_at,
            elapsed_ms: None,
            interaction_id: None,
            session: None,
            daily_post: None,
            review: false,
            mock_exam: None,
            bonus: 0,
        }
    }

    /// Whether a unique key (interaction, session question, daily post,
    /// mock exam question) makes a second write of this answer a no-op.
    pub fn is_keyed(&self) -> bool {
        self.interaction_id.is_some()
            || self.session.is_some()
            || self.daily_post.is_some()
            || self.mock_exam.is_some()
    }

    /// Whether the answer can earn leaderboard points: review and mock
    /// exams are study, not competition.
    pub fn earns_points(&self) -> bool {
        !self.review && self.mock_exam.is_none()
    }
}

/// What recording an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now, with the points it earned.
    New { points: i64, streak: Streak },
    /// Already stored (same interaction, or same session question): the
    /// first answer stands, nothing was scored again.
    Duplicate {
        choices: Vec<usize>,
        correct: bool,
        points: i64,
    },
}

/// A quiz session: the questions chosen for it and how far the player got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizSession {
    pub id: i64,
    pub community_id: i64,
    pub player_id: i64,
    pub topic: Option<String>,
    pub question_ids: Vec<String>,
    /// Index of the first question not yet answered (the length once all
    /// are): derived from the stored answers, never stored on its own.
    pub position: usize,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// A review session: its answers score no points.
    pub review: bool,
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub topic: Option<&'a str>,
    pub question_ids: &'a [String],
    pub review: bool,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl NewSession<'_> {
    /// The session as stored under `id` for `player`, not yet begun.
    pub(crate) fn stored(&self, player: &Player, id: i64) -> QuizSession {
        QuizSession {
            id,
            community_id: player.community_id,
            player_id: player.id,
            topic: self.topic.map(str::to_string),
            question_ids: self.question_ids.to_vec(),
            position: 0,
            created_at: self.now,
            expires_at: self.expires_at,
            finished_at: None,
            review: self.review,
        }
    }
}

impl QuizSession {
    /// The session as seen from the question at `position` (a card or
    /// the feedback on it).
    pub fn at_question(mut self, position: usize) -> QuizSession {
        self.position = position;
        self
    }

    /// Whether the question at `position` is the session's last.
    pub fn is_last(&self) -> bool {
        self.position + 1 >= self.question_ids.len()
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

/// An answer given in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionAnswer {
    pub position: usize,
    pub question_id: String,
    pub topic: String,
    pub choices: Vec<usize>,
    pub correct: bool,
    pub points: i64,
}

/// A player's totals in a leaderboard period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub player_id: i64,
    pub display_name: String,
    pub points: i64,
    pub answered: i64,
    pub correct: i64,
}

/// Answered and correct in one topic (or all, when `topic` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicStats {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
    pub points: i64,
}

/// A player's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerStats {
    pub display_name: String,
    pub answered: i64,
    pub correct: i64,
    pub points: i64,
    /// Per topic, most answered first.
    pub topics: Vec<TopicStats>,
    /// As of the day asked about: 0 when the run is broken.
    pub current_streak: u32,
    pub best_streak: u32,
}

/// A leaderboard request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardQuery<'a> {
    pub community_id: i64,
    pub period: Period,
    pub topic: Option<&'a str>,
    /// Today in the community's time zone; the period is the one holding it.
    pub today: NaiveDate,
    /// The community's time zone, where the period's days begin and end.
    pub time_zone: Tz,
    /// When the community's periods began to be counted in that zone
    /// ([`Community::periods_since`]): answers before it count for all time
    /// only.
    pub periods_since: DateTime<Utc>,
    pub limit: usize,
}

impl BoardQuery<'_> {
    /// The instants of the period asked for, from `periods_since` at the
    /// earliest.
    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (from, until) = self.period.bounds(self.today, self.time_zone);
        (from.max(self.periods_since), until)
    }

    /// Whether SQLite's totals table holds this board: every period for all
    /// topics, all time for each topic. Other topic boards add up answers
    /// there (Postgres keeps every board in its totals).
    fn uses_totals(&self) -> bool {
        self.topic.is_none() || self.period == Period::AllTime
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL `{0}`: expected postgres://… or sqlite:…")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// The store: Postgres or SQLite.
#[derive(Debug, Clone)]
pub enum Store {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

macro_rules! forward {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Store::Postgres(store) => store.$method($($arg),*).await,
            Store::Sqlite(store) => store.$method($($arg),*).await,
        }
    };
}

/// A quiz session by id (`$1`), its position derived from its answers:
/// `answered_to` is the position after the last one answered, so a session
/// is always where its stored answers put it, whatever a crash undid.
pub(crate) const SESSION_BY_ID: &str = "SELECT s.id, s.community_id, s.player_id, s.topic, \
     s.question_ids, s.created_at, s.expires_at, s.finished_at, s.review, \
     CAST(COALESCE((SELECT max(a.session_position) + 1 FROM answers a \
                    WHERE a.session_id = s.id), 0) AS BIGINT) AS answered_to \
     FROM quiz_sessions s WHERE s.id = $1";

/// Runs one SQL text, written for both databases, on whichever the store
/// is, binding the arguments in order and reading rows as a tuple: all of
/// them, or as `@fetch_optional`/`@fetch_one` before the store says.
macro_rules! shared_query {
    ($self:ident, $sql:expr, $($arg:expr),*) => {
        shared_query!(@fetch_all $self, $sql, $($arg),*)
    };
    (@$fetch:ident $self:ident, $sql:expr, $($arg:expr),*) => {
        match $self {
            Store::Postgres(store) => sqlx::query_as($sql)$(.bind($arg))*.$fetch(store.pool()).await?,
            Store::Sqlite(store) => sqlx::query_as($sql)$(.bind($arg))*.$fetch(store.pool()).await?,
        }
    };
}

/// Runs one SQL statement, written for both databases, on whichever the
/// store is, binding the arguments in order; the rows it changed.
macro_rules! shared_execute {
    ($self:ident, $sql:expr, $($arg:expr),*) => {
        match $self {
            Store::Postgres(store) => sqlx::query($sql)$(.bind($arg))*.execute(store.pool()).await?.rows_affected(),
            Store::Sqlite(store) => sqlx::query($sql)$(.bind($arg))*.execute(store.pool()).await?.rows_affected(),
        }
    };
}

/// Runs a block, written for both databases, in a transaction on whichever
/// the store is (`$tx` is the transaction); commits after it.
macro_rules! shared_transaction {
    ($self:ident, |$tx:ident| $body:block) => {
        match $self {
            Store::Postgres(store) => {
                let mut $tx = store.pool().begin().await?;
                let done = $body;
                $tx.commit().await?;
                done
            }
            Store::Sqlite(store) => {
                let mut $tx = store.begin_write().await?;
                let done = $body;
                $tx.commit().await?;
                done
            }
        }
    };
}

// After the macros, which they use.
mod answer_figures;
mod daily_posts;
mod live;
mod mock_exams;
mod reports;
mod review_cards;
pub use live::RoundCreated;
pub use mock_exams::{MockExam, NewMockExam, PlayerCard, PlayerFirstTry};
pub use reports::{Filed, NewReport};
use review_cards::{
    next_card, replay_answers, CardRow, CardStateRow, QuestionCardRow, ReplayedAnswer,
    REPLAYED_ANSWERS,
};
pub use review_cards::{Card, DueCounts, LoggedReview};

impl Store {
    /// Connects to `url` and applies migrations. A `sqlite:` file is created
    /// when missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with_pool(url, 10).await
    }

    /// As [`Store::connect`], with at most `connections` open at once
    /// (Postgres only: SQLite writes through one connection).
    pub async fn connect_with_pool(url: &str, connections: u32) -> Result<Store, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(PgStore::connect(url, connections).await?))
        } else if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::connect(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// One round trip to the database: `Ok` when it answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: Vec<(i32,)> = shared_query!(self, "SELECT 1",);
        Ok(())
    }

    /// The pool's connections: (in use, idle).
    pub fn connections(&self) -> (usize, usize) {
        let (size, idle) = match self {
            Store::Postgres(store) => (store.pool().size(), store.pool().num_idle()),
            Store::Sqlite(store) => (store.pool().size(), store.pool().num_idle()),
        };
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        (size.saturating_sub(idle), idle)
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgres",
            Store::Sqlite(_) => "sqlite",
        }
    }

    /// The community, created with `time_zone` and `locale` when new.
    pub async fn community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
        time_zone: Tz,
        locale: &str,
    ) -> Result<Community, StoreError> {
        match self {
            Store::Postgres(store) => {
                // Every member's first contact asks for the same row: read
                // it, and insert only when it is missing, so they do not
                // queue on its lock.
                if let Some(community) = self.find_community(platform, external_id).await? {
                    return Ok(community);
                }
                store
                    .insert_community(platform, external_id, time_zone, locale)
                    .await?;
                // Inserted now, or by whoever won the race.
                self.find_community(platform, external_id)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Corrupt("a community vanished as it was created".into())
                    })
            }
            Store::Sqlite(store) => {
                store
                    .community(platform, external_id, time_zone, locale)
                    .await
            }
        }
    }

    /// The community if it exists.
    pub async fn find_community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
    ) -> Result<Option<Community>, StoreError> {
        let row: Option<CommunityRow> = shared_query!(
            @fetch_optional self,
            "SELECT id, time_zone, locale, desired_retention, exam_on, periods_since
             FROM communities WHERE platform = $1 AND external_id = $2",
            platform.code(),
            external_id.as_str()
        );
        row.map(|row| row.into_community(platform, external_id))
            .transpose()
    }

    /// Sets the community's time zone at `now`: its days, weeks, months
    /// and streaks follow it from then on. Today, this week and this month
    /// start again in the new zone's dates (their totals so far were
    /// counted in the old zone's); all-time totals and streaks are kept.
    pub async fn set_community_time_zone(
        &self,
        id: i64,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        forward!(self.set_community_time_zone(id, zone, now))
    }

    /// Sets the language of the community's messages.
    pub async fn set_community_language(
        &self,
        id: i64,
        language: Locale,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE communities SET locale = $2 WHERE id = $1",
            id,
            language.code()
        );
        Ok(())
    }

    /// The player in `community`, created when new; the display name is
    /// refreshed when it changed.
    pub async fn player(
        &self,
        community: &Community,
        user: &ExternalId,
        display_name: &str,
    ) -> Result<Player, StoreError> {
        forward!(self.player(community, user, display_name))
    }

    /// The player if they exist.
    pub async fn find_player(
        &self,
        community: &Community,
        user: &ExternalId,
    ) -> Result<Option<Player>, StoreError> {
        let row: Option<(i64, String)> = shared_query!(
            @fetch_optional self,
            "SELECT id, display_name FROM players WHERE community_id = $1 AND external_id = $2",
            community.id,
            user.as_str()
        );
        Ok(row.map(|(id, display_name)| Player::of(community, id, display_name)))
    }

    /// Records an answer and its points, once.
    pub async fn record_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<Recorded, StoreError> {
        forward!(self.record_answer(player, answer))
    }

    /// The player's history per question, for picking questions.
    pub async fn history(
        &self,
        player: &Player,
    ) -> Result<HashMap<String, QuestionHistory>, StoreError> {
        forward!(self.history(player))
    }

    pub async fn create_session(
        &self,
        player: &Player,
        session: &NewSession<'_>,
    ) -> Result<QuizSession, StoreError> {
        forward!(self.create_session(player, session))
    }

    pub async fn session(&self, id: i64) -> Result<Option<QuizSession>, StoreError> {
        forward!(self.session(id))
    }

    pub async fn finish_session(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        forward!(self.finish_session(id, now))
    }

    pub async fn session_answers(&self, id: i64) -> Result<Vec<SessionAnswer>, StoreError> {
        let rows: Vec<(i64, String, String, String, bool, i64)> = shared_query!(
            self,
            "SELECT CAST(session_position AS BIGINT), question_id, topic, choices, correct,
                    CAST(points AS BIGINT)
             FROM answers WHERE session_id = $1 ORDER BY session_position",
            id
        );
        rows.into_iter()
            .map(|(position, question_id, topic, choices, correct, points)| {
                Ok(SessionAnswer {
                    position: count_from(position, "session position")?,
                    question_id,
                    topic,
                    choices: decode_choices(&choices)?,
                    correct,
                    points,
                })
            })
            .collect()
    }

    /// The top of a leaderboard: the players who scored on it, at most
    /// `query.limit`, ranked (ties share a rank).
    pub async fn leaderboard(
        &self,
        query: &BoardQuery<'_>,
    ) -> Result<Vec<Ranked<Standing>>, StoreError> {
        forward!(self.leaderboard(query))
    }

    /// One player's place on a leaderboard, if they scored in the period.
    pub async fn rank_of(
        &self,
        query: &BoardQuery<'_>,
        player_id: i64,
    ) -> Result<Option<Ranked<Standing>>, StoreError> {
        forward!(self.rank_of(query, player_id))
    }

    /// Keeps ranks quick as answers come in (Postgres folds the boards'
    /// changes into their histograms; SQLite counts in its indexes and has
    /// nothing to do); returns how many changes it folded.
    pub async fn fold_boards(&self) -> Result<u64, StoreError> {
        match self {
            Store::Postgres(store) => store.fold_boards().await,
            Store::Sqlite(_) => Ok(0),
        }
    }

    /// Drops what the boards no longer need (Postgres: scores no player
    /// stands at, periods that are over); returns how many rows it dropped.
    pub async fn prune_boards(&self) -> Result<u64, StoreError> {
        match self {
            Store::Postgres(store) => store.prune_boards().await,
            Store::Sqlite(_) => Ok(0),
        }
    }

    pub async fn stats(
        &self,
        player: &Player,
        today: NaiveDate,
    ) -> Result<PlayerStats, StoreError> {
        let (name, current, best, last_day): (String, i64, i64, Option<Day>) = shared_query!(
            @fetch_one self,
            "SELECT display_name, CAST(current_streak AS BIGINT), CAST(best_streak AS BIGINT),
                    streak_day
             FROM players WHERE id = $1",
            player.id
        );
        let streak = Streak {
            current: count_from(current, "streak")?,
            best: count_from(best, "best streak")?,
            last_day: last_day.map(|day| day.0),
        };
        let topics: Vec<(String, i64, i64, i64)> = shared_query!(
            self,
            "SELECT topic, count(*), CAST(sum(CASE WHEN correct THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(sum(points) AS BIGINT)
             FROM answers WHERE player_id = $1 GROUP BY topic",
            player.id
        );
        let topics = topics
            .into_iter()
            .map(|(topic, answered, correct, points)| TopicStats {
                topic,
                answered,
                correct,
                points,
            })
            .collect();
        Ok(build_stats(name, streak, today, topics))
    }

    /// Players of `community` whose streak is alive on `today`, longest
    /// first.
    pub async fn top_streaks(
        &self,
        community_id: i64,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        let rows: Vec<(String, i64)> = shared_query!(
            self,
            "SELECT display_name, CAST(current_streak AS BIGINT) FROM players
             WHERE community_id = $1 AND current_streak > 0 AND streak_day >= $2
             ORDER BY current_streak DESC, display_name LIMIT $3",
            community_id,
            Day(today.pred_opt().unwrap_or(today)),
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        rows.into_iter()
            .map(|(name, streak)| Ok((name, count_from(streak, "streak")?)))
            .collect()
    }
}

/// Choices as stored: "0,3".
fn encode_choices(choices: &[usize]) -> String {
    choices
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_choices(text: &str) -> Result<Vec<usize>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            part.parse()
                .map_err(|_| StoreError::Corrupt(format!("answer choices `{text}`")))
        })
        .collect()
}

fn parse_platform(text: &str) -> Result<Platform, StoreError> {
    Platform::parse(text).ok_or_else(|| StoreError::Corrupt(format!("platform `{text}`")))
}

fn parse_zone(text: &str) -> Result<Tz, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("time zone `{text}`")))
}

/// A community's settings as its row holds them (the platform and its id
/// there are what it was looked up by).
#[derive(sqlx::FromRow)]
struct CommunityRow {
    id: i64,
    time_zone: String,
    locale: String,
    desired_retention: f32,
    exam_on: Option<Day>,
    periods_since: Moment,
}

impl CommunityRow {
    fn into_community(
        self,
        platform: Platform,
        external_id: &ExternalId,
    ) -> Result<Community, StoreError> {
        Ok(Community {
            id: self.id,
            platform,
            external_id: external_id.clone(),
            time_zone: parse_zone(&self.time_zone)?,
            locale: self.locale,
            retention: self.desired_retention,
            exam_on: self.exam_on.map(|day| day.0),
            periods_since: self.periods_since.0,
        })
    }
}

/// A player's streak as their row holds it.
#[derive(sqlx::FromRow)]
struct StreakRow {
    current_streak: i32,
    best_streak: i32,
    streak_day: Option<Day>,
}

impl TryFrom<StreakRow> for Streak {
    type Error = StoreError;

    fn try_from(row: StreakRow) -> Result<Streak, StoreError> {
        Ok(Streak {
            current: count_from(row.current_streak.into(), "streak")?,
            best: count_from(row.best_streak.into(), "best streak")?,
            last_day: row.streak_day.map(|day| day.0),
        })
    }
}

/// What scoring an answer needs from the store before writing it.
#[derive(Default)]
struct ScoringInputs {
    streak: Streak,
    last_correct_at: Option<DateTime<Utc>>,
}

/// The scoring inputs as read: the player's streak, and when they last
/// answered the question right.
#[derive(sqlx::FromRow)]
struct ScoringInputsRow {
    #[sqlx(flatten)]
    streak: StreakRow,
    last_correct_at: Option<Moment>,
}

impl TryFrom<ScoringInputsRow> for ScoringInputs {
    type Error = StoreError;

    fn try_from(row: ScoringInputsRow) -> Result<ScoringInputs, StoreError> {
        Ok(ScoringInputs {
            streak: Streak::try_from(row.streak)?,
            last_correct_at: row.last_correct_at.map(|at| at.0),
        })
    }
}

/// The answer stored first under a unique key, which a second delivery of
/// the same answer finds.
#[derive(sqlx::FromRow)]
struct FirstAnswerRow {
    choices: String,
    correct: bool,
    points: i32,
}

impl TryFrom<FirstAnswerRow> for Recorded {
    type Error = StoreError;

    fn try_from(row: FirstAnswerRow) -> Result<Recorded, StoreError> {
        Ok(Recorded::Duplicate {
            choices: decode_choices(&row.choices)?,
            correct: row.correct,
            points: row.points.into(),
        })
    }
}

/// An answer as a player's history reads it.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    question_id: String,
    answered_at: Moment,
    correct: bool,
}

impl From<HistoryRow> for (String, QuestionHistory) {
    fn from(row: HistoryRow) -> (String, QuestionHistory) {
        (
            row.question_id,
            QuestionHistory {
                last_answered_at: row.answered_at.0,
                last_correct: row.correct,
            },
        )
    }
}

/// A player's totals on a board as the board's row holds them.
#[derive(sqlx::FromRow)]
struct StandingRow {
    player_id: i64,
    display_name: String,
    points: i64,
    answered: i32,
    correct: i32,
}

impl From<StandingRow> for Standing {
    fn from(row: StandingRow) -> Standing {
        Standing {
            player_id: row.player_id,
            display_name: row.display_name,
            points: row.points,
            answered: row.answered.into(),
            correct: row.correct.into(),
        }
    }
}

/// A player's totals on a board with their rank there.
#[derive(sqlx::FromRow)]
struct RankedStandingRow {
    #[sqlx(flatten)]
    standing: StandingRow,
    rank: i64,
}

impl TryFrom<RankedStandingRow> for Ranked<Standing> {
    type Error = StoreError;

    fn try_from(row: RankedStandingRow) -> Result<Ranked<Standing>, StoreError> {
        Ok(Ranked {
            rank: count_from(row.rank, "rank")?,
            entry: Standing::from(row.standing),
        })
    }
}

/// What the rules decided for an answer, ready to write.
struct Scored {
    points: i64,
    /// The new streak when it changed.
    streak_change: Option<Streak>,
    streak: Streak,
    day: NaiveDate,
}

fn score(player: &Player, answer: &NewAnswer<'_>, inputs: ScoringInputs) -> Scored {
    let points = if !answer.earns_points() {
        0
    } else {
        match quiz::points(
            answer.grade.correct,
            inputs.last_correct_at,
            answer.answered_at,
        ) {
            0 => 0,
            points => points + answer.bonus.max(0),
        }
    };
    let day = quiz::local_day(answer.answered_at, player.time_zone);
    let streak = if answer.grade.correct {
        inputs.streak.after_correct(day)
    } else {
        inputs.streak
    };
    Scored {
        points,
        streak_change: (streak != inputs.streak).then_some(streak),
        streak,
        day,
    }
}

/// Stats from per-topic totals.
fn build_stats(
    display_name: String,
    streak: Streak,
    today: NaiveDate,
    mut topics: Vec<TopicStats>,
) -> PlayerStats {
    topics.sort_by(|a, b| b.answered.cmp(&a.answered).then(a.topic.cmp(&b.topic)));
    PlayerStats {
        display_name,
        answered: topics.iter().map(|t| t.answered).sum(),
        correct: topics.iter().map(|t| t.correct).sum(),
        points: topics.iter().map(|t| t.points).sum(),
        topics,
        current_streak: streak.current_on(today),
        best_streak: streak.best,
    }
}

/// A count read from the database, as the type the rules use.
fn count_from<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}
