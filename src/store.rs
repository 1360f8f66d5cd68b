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

mod moment;
mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use self::moment::{Day, Moment};
use crate::bank::Question;
use crate::config::Locale;
use crate::daily::{
    retry_delay, DailyAnswer, DailyPost, DeliveryFailure, NewSchedule, Occurrence, Schedule, Stage,
};
use crate::identity::{ExternalId, Platform};
use crate::progress::QuestionRecord;
use crate::question_stats::AnswerRow;
use crate::quiz::{self, Period, QuestionHistory, Ranked, Streak};
use crate::report::{Report, ReportReason};
use crate::review::{self, CardState, DueCard, Rating, ReviewEntry, TopicRecord};

pub use postgres::PgStore;
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

impl NewAnswer<'_> {
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

/// What filing a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Stored with this id.
    New(i64),
    /// The member already has an open report of this question.
    AlreadyOpen,
}

/// A report to file.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub question_id: &'a str,
    pub reason: ReportReason,
    pub details: &'a str,
    pub at: DateTime<Utc>,
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

/// A player's card for one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub question_id: String,
    pub topic: String,
    pub state: CardState,
}

/// One review in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedReview {
    pub answer_id: i64,
    pub question_id: String,
    pub rating: Rating,
    pub elapsed_days: u32,
    pub reviewed_at: DateTime<Utc>,
}

/// How many of a player's cards are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueCounts {
    /// Due at the time asked about.
    pub now: i64,
    /// Coming due after it, up to the end asked about.
    pub soon: i64,
    /// When the first card not yet due comes due.
    pub next_due_at: Option<DateTime<Utc>>,
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

/// A daily post's columns, as [`PostRow`] reads them.
pub(crate) const DAILY_POST_COLUMNS: &str = "p.id, p.schedule_id, p.local_date, p.question_id, \
     p.due_at, p.reveal_at, p.message_id, p.posted_at, p.revealed_at";

type PostRow = (
    i64,
    i64,
    Day,
    String,
    Moment,
    Moment,
    Option<String>,
    Option<Moment>,
    Option<Moment>,
);

fn post_from(row: PostRow) -> DailyPost {
    let (id, schedule_id, local_date, question_id, due_at, reveal_at, message_id, posted, revealed) =
        row;
    DailyPost {
        id,
        schedule_id,
        local_date: local_date.0,
        question_id,
        due_at: due_at.0,
        reveal_at: reveal_at.0,
        message_id,
        posted_at: posted.map(|at| at.0),
        revealed_at: revealed.map(|at| at.0),
    }
}

/// A daily schedule's columns, as [`ScheduleRow`] reads them.
const SCHEDULE_COLUMNS: &str = "s.id, s.platform, s.community, s.channel, s.local_time, \
     s.time_zone, s.topics, CAST(s.reveal_after_minutes AS BIGINT), s.enabled, \
     CAST(s.failures AS BIGINT), s.last_error, s.retry_at";

type ScheduleRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    bool,
    i64,
    Option<String>,
    Option<Moment>,
);

fn schedule_from(row: ScheduleRow) -> Result<Schedule, StoreError> {
    let (id, platform, community, channel, time, zone, topics, reveal_after, enabled, failures) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9,
    );
    let (last_error, retry_at) = (row.10, row.11);
    let failure = match retry_at {
        Some(retry_at) if failures > 0 => Some(DeliveryFailure {
            count: count_from(failures, "delivery failures")?,
            error: last_error.unwrap_or_default(),
            retry_at: retry_at.0,
        }),
        _ => None,
    };
    Ok(Schedule {
        id,
        platform: parse_platform(&platform)?,
        community: ExternalId::new(community),
        channel,
        time: parse_time_of_day(&time)?,
        time_zone: parse_zone(&zone)?,
        topics: decode_topics(&topics),
        reveal_after: chrono::Duration::minutes(reveal_after),
        enabled,
        failure,
    })
}

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

// After the macros, which it uses.
mod mock_exams;
pub use mock_exams::{MockExam, NewMockExam, PlayerCard, PlayerFirstTry};

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
        let row: Option<(i64, String, String, f32, Option<Day>, Moment)> = shared_query!(
            @fetch_optional self,
            "SELECT id, time_zone, locale, desired_retention, exam_on, periods_since
             FROM communities WHERE platform = $1 AND external_id = $2",
            platform.code(),
            external_id.as_str()
        );
        let Some((id, zone, locale, retention, exam_on, periods_since)) = row else {
            return Ok(None);
        };
        Ok(Some(Community {
            id,
            platform,
            external_id: external_id.clone(),
            time_zone: parse_zone(&zone)?,
            locale,
            retention,
            exam_on: exam_on.map(|day| day.0),
            periods_since: periods_since.0,
        }))
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

    /// The top of a leaderboard, ranked (ties share a rank).
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

    /// Creates the channel's schedule, or replaces its settings; either way
    /// it is on, with no failure on record.
    pub async fn set_schedule(
        &self,
        schedule: &NewSchedule,
        now: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        shared_execute!(
            self,
            "INSERT INTO daily_schedules (platform, community, channel, local_time, time_zone,
                                          topics, reveal_after_minutes, enabled, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)
             ON CONFLICT (platform, community, channel) DO UPDATE
             SET local_time = excluded.local_time, time_zone = excluded.time_zone,
                 topics = excluded.topics, reveal_after_minutes = excluded.reveal_after_minutes,
                 enabled = TRUE, failures = 0, last_error = NULL, retry_at = NULL,
                 updated_at = excluded.updated_at",
            schedule.platform.code(),
            schedule.community.as_str(),
            &schedule.channel,
            schedule.time.format("%H:%M").to_string(),
            schedule.time_zone.name(),
            encode_topics(&schedule.topics),
            i32::try_from(schedule.reveal_after.num_minutes()).unwrap_or(i32::MAX),
            Moment(now)
        );
        let sql = format!(
            "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s
             WHERE s.platform = $1 AND s.community = $2 AND s.channel = $3"
        );
        let row: ScheduleRow = shared_query!(
            @fetch_one self,
            &sql,
            schedule.platform.code(),
            schedule.community.as_str(),
            &schedule.channel
        );
        schedule_from(row)
    }

    /// Schedules, on and off, of one platform and community when given.
    pub async fn schedules(
        &self,
        platform: Option<Platform>,
        community: Option<&ExternalId>,
    ) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!(
            "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s
             WHERE (CAST($1 AS TEXT) IS NULL OR s.platform = $1)
               AND (CAST($2 AS TEXT) IS NULL OR s.community = $2)
             ORDER BY s.platform, s.community, s.channel"
        );
        let rows: Vec<ScheduleRow> = shared_query!(
            self,
            &sql,
            platform.map(Platform::code),
            community.map(ExternalId::as_str)
        );
        rows.into_iter().map(schedule_from).collect()
    }

    /// Turns off the community's schedules (one channel's when given).
    /// Returns how many were on.
    pub async fn disable_schedules(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let changed = shared_execute!(
            self,
            "UPDATE daily_schedules SET enabled = FALSE, updated_at = $4
             WHERE platform = $1 AND community = $2
               AND (CAST($3 AS TEXT) IS NULL OR channel = $3) AND enabled",
            platform.code(),
            community.as_str(),
            channel,
            Moment(now)
        );
        Ok(changed)
    }

    /// Deletes a channel's schedule and its posts. Returns whether it existed.
    pub async fn remove_schedule(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
    ) -> Result<bool, StoreError> {
        let removed = shared_execute!(
            self,
            "DELETE FROM daily_schedules WHERE platform = $1 AND community = $2 AND channel = $3",
            platform.code(),
            community.as_str(),
            channel
        );
        Ok(removed > 0)
    }

    /// Notes a failed delivery; the channel waits
    /// [`crate::daily::retry_delay`] before the next try.
    pub async fn schedule_failed(
        &self,
        schedule_id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<DeliveryFailure, StoreError> {
        // One transaction: a reader never sees the count without its retry.
        let (count, retry_at) = shared_transaction!(self, |tx| {
            let count: i64 = sqlx::query_scalar(
                "UPDATE daily_schedules SET failures = failures + 1, last_error = $2
                 WHERE id = $1 RETURNING CAST(failures AS BIGINT)",
            )
            .bind(schedule_id)
            .bind(error)
            .fetch_one(&mut *tx)
            .await?;
            let count: u32 = count_from(count, "delivery failures")?;
            let retry_at = now + retry_delay(count);
            sqlx::query("UPDATE daily_schedules SET retry_at = $2 WHERE id = $1")
                .bind(schedule_id)
                .bind(Moment(retry_at))
                .execute(&mut *tx)
                .await?;
            (count, retry_at)
        });
        Ok(DeliveryFailure {
            count,
            error: error.to_string(),
            retry_at,
        })
    }

    /// Clears a schedule's failures after a delivery went through.
    pub async fn schedule_delivered(&self, schedule_id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_schedules SET failures = 0, last_error = NULL, retry_at = NULL
             WHERE id = $1 AND failures > 0",
            schedule_id
        );
        Ok(())
    }

    /// The questions a schedule has asked, each with the last date.
    pub async fn asked_questions(
        &self,
        schedule_id: i64,
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        let rows: Vec<(String, Day)> = shared_query!(
            self,
            "SELECT question_id, max(local_date) FROM daily_posts
             WHERE schedule_id = $1 GROUP BY question_id",
            schedule_id
        );
        Ok(rows.into_iter().map(|(id, last)| (id, last.0)).collect())
    }

    /// The schedule's post for the occurrence's date: created with
    /// `question_id` when there is none yet, else the one that exists
    /// (whoever created it).
    pub async fn claim_daily_post(
        &self,
        schedule_id: i64,
        occurrence: &Occurrence,
        question_id: &str,
    ) -> Result<DailyPost, StoreError> {
        shared_execute!(
            self,
            "INSERT INTO daily_posts (schedule_id, local_date, question_id, due_at, reveal_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (schedule_id, local_date) DO NOTHING",
            schedule_id,
            Day(occurrence.date),
            question_id,
            Moment(occurrence.due_at),
            Moment(occurrence.reveal_at)
        );
        // Inserted now, or by whoever claimed it first.
        self.daily_post_on(schedule_id, occurrence.date)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a claimed daily post vanished".into()))
    }

    pub async fn daily_post_on(
        &self,
        schedule_id: i64,
        date: NaiveDate,
    ) -> Result<Option<DailyPost>, StoreError> {
        let sql = format!(
            "SELECT {DAILY_POST_COLUMNS} FROM daily_posts p
             WHERE p.schedule_id = $1 AND p.local_date = $2"
        );
        let row: Option<PostRow> =
            shared_query!(@fetch_optional self, &sql, schedule_id, Day(date));
        Ok(row.map(post_from))
    }

    /// A platform's posts still to send or to reveal at `now`: not revealed,
    /// and either sent or still before their reveal time.
    pub async fn open_daily_posts(
        &self,
        platform: Platform,
        now: DateTime<Utc>,
    ) -> Result<Vec<DailyPost>, StoreError> {
        let sql = format!(
            "SELECT {DAILY_POST_COLUMNS} FROM daily_posts p
             JOIN daily_schedules s ON s.id = p.schedule_id
             WHERE s.platform = $1 AND p.revealed_at IS NULL
               AND (p.message_id IS NOT NULL OR p.reveal_at > $2)
             ORDER BY p.due_at"
        );
        let rows: Vec<PostRow> = shared_query!(self, &sql, platform.code(), Moment(now));
        Ok(rows.into_iter().map(post_from).collect())
    }

    /// Takes the post's lease for `stage` until `until`, if nobody holds it
    /// and the stage is still to do. Only the holder sends or reveals it.
    pub async fn lease_daily_post(
        &self,
        post_id: i64,
        stage: Stage,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let leased = shared_execute!(
            self,
            "UPDATE daily_posts SET lease_until = $3
             WHERE id = $1 AND revealed_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)
               AND (message_id IS NULL) = $4",
            post_id,
            Moment(now),
            Moment(until),
            stage == Stage::Post
        );
        Ok(leased == 1)
    }

    /// Gives the lease back without changing the post.
    pub async fn release_daily_post(&self, post_id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET lease_until = NULL WHERE id = $1",
            post_id
        );
        Ok(())
    }

    /// Notes the post sent as `message_id`, and gives the lease back.
    pub async fn daily_posted(
        &self,
        post_id: i64,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET message_id = $2, posted_at = $3, lease_until = NULL
             WHERE id = $1",
            post_id,
            message_id,
            Moment(now)
        );
        Ok(())
    }

    /// Notes the answer revealed, and gives the lease back.
    pub async fn daily_revealed(&self, post_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET revealed_at = $2, lease_until = NULL WHERE id = $1",
            post_id,
            Moment(now)
        );
        Ok(())
    }

    /// A post with its schedule.
    pub async fn daily_post(&self, id: i64) -> Result<Option<(DailyPost, Schedule)>, StoreError> {
        let sql = format!("SELECT {DAILY_POST_COLUMNS} FROM daily_posts p WHERE p.id = $1");
        let post: Option<PostRow> = shared_query!(@fetch_optional self, &sql, id);
        let Some(post) = post.map(post_from) else {
            return Ok(None);
        };
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s WHERE s.id = $1");
        let schedule: ScheduleRow = shared_query!(@fetch_one self, &sql, post.schedule_id);
        Ok(Some((post, schedule_from(schedule)?)))
    }

    /// Every answer given to a post.
    pub async fn daily_answers(&self, post_id: i64) -> Result<Vec<DailyAnswer>, StoreError> {
        let rows: Vec<(String, bool)> = shared_query!(
            self,
            "SELECT choices, correct FROM answers WHERE daily_post_id = $1",
            post_id
        );
        rows.into_iter()
            .map(|(choices, correct)| {
                Ok(DailyAnswer {
                    choices: decode_choices(&choices)?,
                    correct,
                })
            })
            .collect()
    }

    /// The player's cards due by `until`, most overdue first, at most
    /// `limit`.
    pub async fn due_cards(
        &self,
        player: &Player,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DueCard>, StoreError> {
        let rows: Vec<(String, Moment)> = shared_query!(
            self,
            "SELECT question_id, due_at FROM review_cards
             WHERE player_id = $1 AND due_at <= $2
             ORDER BY due_at, question_id LIMIT $3",
            player.id,
            Moment(until),
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        Ok(rows
            .into_iter()
            .map(|(question_id, due_at)| DueCard {
                question_id,
                due_at: due_at.0,
            })
            .collect())
    }

    /// How many of the player's cards are due at `now`, and how many more
    /// by `soon`.
    pub async fn due_counts(
        &self,
        player: &Player,
        now: DateTime<Utc>,
        soon: DateTime<Utc>,
    ) -> Result<DueCounts, StoreError> {
        let (due, soon, next_due_at): (i64, i64, Option<Moment>) = shared_query!(
            @fetch_one self,
            "SELECT count(*) FILTER (WHERE due_at <= $2),
                    count(*) FILTER (WHERE due_at > $2 AND due_at <= $3),
                    min(due_at) FILTER (WHERE due_at > $2)
             FROM review_cards WHERE player_id = $1",
            player.id,
            Moment(now),
            Moment(soon)
        );
        Ok(DueCounts {
            now: due,
            soon,
            next_due_at: next_due_at.map(|at| at.0),
        })
    }

    /// The player's cards for these questions (those they have answered).
    pub async fn cards(
        &self,
        player: &Player,
        question_ids: &[String],
    ) -> Result<Vec<Card>, StoreError> {
        forward!(self.cards(player, question_ids))
    }

    /// The player's review log, oldest first.
    pub async fn review_log(&self, player: &Player) -> Result<Vec<LoggedReview>, StoreError> {
        let rows: Vec<(i64, String, i64, i64, Moment)> = shared_query!(
            self,
            "SELECT answer_id, question_id, CAST(rating AS BIGINT), CAST(elapsed_days AS BIGINT),
                    reviewed_at
             FROM review_log WHERE player_id = $1 ORDER BY reviewed_at, answer_id",
            player.id
        );
        rows.into_iter()
            .map(
                |(answer_id, question_id, rating, elapsed_days, reviewed_at)| {
                    Ok(LoggedReview {
                        answer_id,
                        question_id,
                        rating: rating_from(rating)?,
                        elapsed_days: count_from(elapsed_days, "elapsed days")?,
                        reviewed_at: reviewed_at.0,
                    })
                },
            )
            .collect()
    }

    /// Sets the community's desired retention (kept within
    /// [`review::RETENTION_RANGE`]) and exam date.
    pub async fn set_review_settings(
        &self,
        community_id: i64,
        retention: f32,
        exam_on: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        let retention = review::clamp_retention(retention);
        shared_execute!(
            self,
            "UPDATE communities SET desired_retention = $2, exam_on = $3 WHERE id = $1",
            community_id,
            retention,
            exam_on.map(Day)
        );
        Ok(())
    }

    /// When the player answered, from `since` on, for their activity.
    pub async fn answer_times(
        &self,
        player: &Player,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let times: Vec<(Moment,)> = shared_query!(
            self,
            "SELECT answered_at FROM answers WHERE player_id = $1 AND answered_at >= $2",
            player.id,
            Moment(since)
        );
        Ok(times.into_iter().map(|(at,)| at.0).collect())
    }

    /// Answered and right per question, for the player's progress.
    pub async fn question_records(
        &self,
        player: &Player,
    ) -> Result<Vec<QuestionRecord>, StoreError> {
        let rows: Vec<(String, i64, i64)> = shared_query!(self, QUESTION_RECORDS, player.id);
        Ok(rows
            .into_iter()
            .map(|(question_id, answered, correct)| QuestionRecord {
                question_id,
                answered,
                correct,
            })
            .collect())
    }

    /// Answered and right per topic over the whole community, for the
    /// group's averages.
    pub async fn community_topic_records(
        &self,
        community_id: i64,
    ) -> Result<Vec<TopicRecord>, StoreError> {
        let rows: Vec<(String, i64, i64)> =
            shared_query!(self, COMMUNITY_TOPIC_RECORDS, community_id);
        Ok(rows
            .into_iter()
            .map(|(topic, answered, correct)| TopicRecord {
                topic,
                answered,
                correct,
            })
            .collect())
    }

    /// Files a member's report of a question, unless they have one open
    /// for it already.
    pub async fn report_question(
        &self,
        player: &Player,
        report: &NewReport<'_>,
    ) -> Result<Filed, StoreError> {
        let id: Option<(i64,)> = shared_query!(
            @fetch_optional self,
            "INSERT INTO question_reports (community_id, player_id, question_id, reason, details,
                                           created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (community_id, player_id, question_id) WHERE resolved_at IS NULL
             DO NOTHING
             RETURNING id",
            player.community_id,
            player.id,
            report.question_id,
            report.reason.code(),
            report.details,
            Moment(report.at)
        );
        Ok(id.map_or(Filed::AlreadyOpen, |(id,)| Filed::New(id)))
    }

    /// Reports of one community (every community when `None`), open ones
    /// only unless `all`, oldest first, with the reporter's name.
    pub async fn reports(
        &self,
        community_id: Option<i64>,
        all: bool,
    ) -> Result<Vec<Report>, StoreError> {
        type ReportRow = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            Moment,
            Option<Moment>,
            Option<String>,
        );
        let rows: Vec<ReportRow> = shared_query!(
            self,
            "SELECT r.id, r.community_id, r.question_id, p.display_name, r.reason, r.details,
                    r.created_at, r.resolved_at, r.resolution
             FROM question_reports r JOIN players p ON p.id = r.player_id
             WHERE (CAST($1 AS BIGINT) IS NULL OR r.community_id = $1)
               AND ($2 OR r.resolved_at IS NULL)
             ORDER BY r.created_at, r.id",
            community_id,
            all
        );
        rows.into_iter()
            .map(|row| {
                let (
                    id,
                    community_id,
                    question_id,
                    reporter,
                    reason,
                    details,
                    created,
                    resolved,
                    resolution,
                ) = row;
                Ok(Report {
                    id,
                    community_id,
                    question_id,
                    reporter,
                    reason: parse_reason(&reason)?,
                    details,
                    created_at: created.0,
                    resolved_at: resolved.map(|at| at.0),
                    resolution,
                })
            })
            .collect()
    }

    /// Resolves the open reports of a question (in one community, or in
    /// every one when `None`) with `note`; returns how many.
    pub async fn resolve_reports(
        &self,
        community_id: Option<i64>,
        question_id: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let resolved = shared_execute!(
            self,
            "UPDATE question_reports SET resolved_at = $3, resolution = $4
             WHERE question_id = $2 AND resolved_at IS NULL
               AND (CAST($1 AS BIGINT) IS NULL OR community_id = $1)",
            community_id,
            question_id,
            Moment(now),
            note
        );
        Ok(resolved)
    }

    /// Every answer of one community (of all when `None`), for the
    /// questions' figures.
    pub async fn answer_rows(
        &self,
        community_id: Option<i64>,
    ) -> Result<Vec<AnswerRow>, StoreError> {
        let rows: Vec<(String, String, bool, Option<i64>)> =
            shared_query!(self, ANSWER_ROWS, community_id);
        rows.into_iter()
            .map(|(question_id, choices, correct, elapsed_ms)| {
                Ok(AnswerRow {
                    question_id,
                    choices: decode_choices(&choices)?,
                    correct,
                    elapsed_ms,
                })
            })
            .collect()
    }

    /// How many answers are stored for each of these questions (those with
    /// none left out).
    pub async fn answer_counts(
        &self,
        question_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        forward!(self.answer_counts(question_ids))
    }

    /// Builds every card again by replaying the stored answers in order;
    /// returns how many cards there are. The store does this once after
    /// the migration that added cards.
    pub async fn rebuild_review_cards(&self) -> Result<u64, StoreError> {
        forward!(self.rebuild_review_cards())
    }
}

/// The player's answers per question: the same text for both databases
/// (SQLite reads `$1` too, and counts a stored 1 as true).
const QUESTION_RECORDS: &str = "SELECT question_id, count(*) AS answered,
            sum(CASE WHEN correct THEN 1 ELSE 0 END) AS correct
     FROM answers WHERE player_id = $1 GROUP BY question_id ORDER BY question_id";

/// Every answer of a community, or of all: the same text for both
/// databases (`CAST` types the parameter for Postgres, and gives both the
/// same integer width).
const ANSWER_ROWS: &str =
    "SELECT question_id, choices, correct, CAST(elapsed_ms AS BIGINT) AS elapsed_ms
     FROM answers WHERE CAST($1 AS BIGINT) IS NULL OR community_id = $1 ORDER BY id";

/// The community's answers per topic, for both databases.
const COMMUNITY_TOPIC_RECORDS: &str = "SELECT topic, count(*) AS answered,
            sum(CASE WHEN correct THEN 1 ELSE 0 END) AS correct
     FROM answers WHERE community_id = $1 GROUP BY topic ORDER BY topic";

fn parse_reason(text: &str) -> Result<ReportReason, StoreError> {
    ReportReason::parse(text).ok_or_else(|| StoreError::Corrupt(format!("report reason `{text}`")))
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

/// Topics as stored: "ec2,s3"; empty for every topic.
fn encode_topics(topics: &[String]) -> String {
    topics.join(",")
}

fn decode_topics(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_time_of_day(text: &str) -> Result<chrono::NaiveTime, StoreError> {
    crate::daily::parse_time(text).map_err(|_| StoreError::Corrupt(format!("time of day `{text}`")))
}

fn parse_platform(text: &str) -> Result<Platform, StoreError> {
    Platform::parse(text).ok_or_else(|| StoreError::Corrupt(format!("platform `{text}`")))
}

fn parse_zone(text: &str) -> Result<Tz, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("time zone `{text}`")))
}

/// What scoring an answer needs from the store before writing it.
#[derive(Default)]
struct ScoringInputs {
    streak: Streak,
    last_correct_at: Option<DateTime<Utc>>,
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

/// The card after `answer`, from the card before it.
fn next_card(
    player: &Player,
    answer: &NewAnswer<'_>,
    previous: Option<&CardState>,
) -> Result<(CardState, ReviewEntry), StoreError> {
    review::review(
        previous,
        answer.grade.correct,
        answer.answered_at,
        player.retention,
    )
    .map_err(|err| StoreError::Corrupt(format!("card of `{}`: {err}", answer.question.id)))
}

/// One answer as the rebuild replays it.
struct ReplayedAnswer {
    community_id: i64,
    player_id: i64,
    question_id: String,
    topic: String,
    correct: bool,
    answered_at: DateTime<Utc>,
    retention: f32,
}

/// A card as its row holds it.
struct CardRow {
    community_id: i64,
    player_id: i64,
    question_id: String,
    topic: String,
    state: CardState,
}

/// What the rebuild writes: each card once.
#[derive(Default)]
struct Rebuilt {
    cards: Vec<CardRow>,
}

/// Replays `answers`, ordered by player, question and time, through
/// [`review::review`].
fn replay_answers(answers: &[ReplayedAnswer]) -> Result<Rebuilt, StoreError> {
    let mut rebuilt = Rebuilt::default();
    for group in
        answers.chunk_by(|a, b| a.player_id == b.player_id && a.question_id == b.question_id)
    {
        let first = &group[0];
        let mut card: Option<CardState> = None;
        for answer in group {
            let (next, _) = review::review(
                card.as_ref(),
                answer.correct,
                answer.answered_at,
                answer.retention,
            )
            .map_err(|err| {
                StoreError::Corrupt(format!("replaying `{}`: {err}", answer.question_id))
            })?;

            card = Some(next);
        }
        if let Some(state) = card {
            rebuilt.cards.push(CardRow {
                community_id: first.community_id,
                player_id: first.player_id,
                question_id: first.question_id.clone(),
                topic: first.topic.clone(),
                state,
            });
        }
    }
    Ok(rebuilt)
}

fn rating_from(number: i64) -> Result<Rating, StoreError> {
    match number {
        1 => Ok(Rating::Again),
        2 => Ok(Rating::Hard),
        3 => Ok(Rating::Good),
        4 => Ok(Rating::Easy),
        other => Err(StoreError::Corrupt(format!("review rating {other}"))),
    }
}

mod live;

pub use live::RoundCreated;

/// A count read from the database, as the type the rules use.
fn count_from<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}
