//! The SQLite store: the embedded, zero-setup default (`sqlite:quizbot.db`).
//!
//! SQLite allows one writer at a time, so the pool holds one connection and
//! every write is a short transaction through it. Several processes may
//! share the file (`quizbot serve` beside terminal players): the journal is
//! WAL, so readers never wait; a transaction that writes takes the write
//! lock when it begins (`BEGIN IMMEDIATE`, see [`SqliteStore::begin_write`]),
//! so it waits its turn under the busy timeout instead of failing when it
//! would upgrade a read; and recording an answer is tried again a few times
//! should the file still be busy. Times are stored as Unix
//! milliseconds and days as `YYYY-MM-DD` text. Totals are a row per board
//! (community, period, its first day, topic) and player; a board and a
//! player's rank on it read one covering index.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use super::moment::Moment;
use super::{
    count_from, encode_choices, next_card, replay_answers, score, BoardQuery, Card, CardRow,
    CardStateRow, Community, CommunityRow, ExternalId, FirstAnswerRow, HistoryRow, NewAnswer,
    NewSession, Platform, Player, QuestionCardRow, QuizSession, RankedStandingRow, Recorded,
    ReplayedAnswer, ScoringInputs, ScoringInputsRow, Standing, StandingRow, StoreError,
    REPLAYED_ANSWERS, SESSION_BY_ID,
};
use crate::quiz::{rank_by_points, Period, QuestionHistory, Ranked};
use crate::review::CardState;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

impl SqliteStore {
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that will write: it holds the write lock from its
    /// `BEGIN`, waiting up to the busy timeout for another process to let
    /// go. (A deferred transaction that reads first and writes later is
    /// refused at once when another process wrote in between.)
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // No reaper of idle or old connections: there is one, kept for
            // the process's life; and sqlx's reaper can spin forever on a
            // miscounted idle queue (sqlx issue #3645), which hung a
            // terminal player at exit.
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        let store = SqliteStore { pool };
        let pending: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM store_tasks WHERE name = 'rebuild_review_cards')",
        )
        .fetch_one(&store.pool)
        .await?;
        if pending {
            let cards = store.rebuild(true).await?;
            tracing::info!(cards, "review cards built from the stored answers");
        }
        Ok(store)
    }

    pub async fn rebuild_review_cards(&self) -> Result<u64, StoreError> {
        self.rebuild(false).await
    }

    /// Replaces every card with those replayed from the answers, and
    /// clears the migration's request when `pending`.
    async fn rebuild(&self, pending: bool) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM review_cards")
            .execute(&mut *tx)
            .await?;
        let answers: Vec<ReplayedAnswer> =
            sqlx::query_as(REPLAYED_ANSWERS).fetch_all(&mut *tx).await?;
        let rebuilt = replay_answers(&answers)?;
        for card in &rebuilt.cards {
            write_card(&mut tx, card).await?;
        }
        if pending {
            sqlx::query("DELETE FROM store_tasks WHERE name = 'rebuild_review_cards'")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(u64::try_from(rebuilt.cards.len()).unwrap_or(u64::MAX))
    }

    pub async fn community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
        time_zone: Tz,
        locale: &str,
    ) -> Result<Community, StoreError> {
        let row: CommunityRow = sqlx::query_as(
            "INSERT INTO communities (platform, external_id, time_zone, locale, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (platform, external_id) DO UPDATE SET platform = excluded.platform
             RETURNING id, time_zone, locale, desired_retention, exam_on, periods_since",
        )
        .bind(platform.code())
        .bind(external_id.as_str())
        .bind(time_zone.name())
        .bind(locale)
        .bind(millis(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
        row.into_community(platform, external_id)
    }

    pub async fn set_community_time_zone(
        &self,
        id: i64,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE communities SET time_zone = ?2, periods_since = ?3 WHERE id = ?1")
            .bind(id)
            .bind(zone.name())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        // The current day, week and month start again; boards that add up
        // answers count from `periods_since`.
        sqlx::query(
            "DELETE FROM period_scores WHERE community_id = ?1 AND period IN ('d', 'w', 'm')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn player(
        &self,
        community: &Community,
        user: &ExternalId,
        display_name: &str,
    ) -> Result<Player, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO players (community_id, external_id, display_name, created_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (community_id, external_id) DO UPDATE
             SET display_name = excluded.display_name
             RETURNING id",
        )
        .bind(community.id)
        .bind(user.as_str())
        .bind(display_name)
        .bind(millis(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
        Ok(Player::of(community, id, display_name.to_string()))
    }

    /// Records an answer once; tried again, up to [`BUSY_TRIES`] times in
    /// all, when the file stays locked by another process past the busy
    /// timeout (the transaction changed nothing then).
    pub async fn record_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<Recorded, StoreError> {
        let mut tries = 1;
        loop {
            match self.try_record_answer(player, answer).await {
                Err(StoreError::Database(err)) if tries < BUSY_TRIES && is_busy(&err) => {
                    tries += 1;
                    tracing::debug!("the SQLite file is busy; recording the answer again");
                }
                done => return done,
            }
        }
    }

    async fn try_record_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<Recorded, StoreError> {
        let mut tx = self.begin_write().await?;
        let inputs: ScoringInputsRow = sqlx::query_as(
            "SELECT current_streak, best_streak, streak_day,
                    (SELECT max(answered_at) FROM answers
                      WHERE player_id = ?1 AND question_id = ?2 AND correct) AS last_correct_at
             FROM players WHERE id = ?1",
        )
        .bind(player.id)
        .bind(&answer.question.id)
        .fetch_one(&mut *tx)
        .await?;
        let scored = score(player, answer, ScoringInputs::try_from(inputs)?);
        let (session_id, position) = match answer.session {
            Some((id, position)) => (Some(id), Some(position as i64)),
            None => (None, None),
        };
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                  points, answered_at, elapsed_ms, interaction_id, session_id,
                                  session_position, daily_post_id, mock_exam_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT DO NOTHING
             RETURNING id",
        )
        .bind(player.community_id)
        .bind(player.id)
        .bind(&answer.question.id)
        .bind(&answer.question.topic)
        .bind(encode_choices(&answer.grade.chosen))
        .bind(answer.grade.correct)
        .bind(scored.points)
        .bind(millis(answer.answered_at))
        .bind(answer.elapsed_ms)
        .bind(answer.interaction_id.as_deref())
        .bind(session_id)
        .bind(position)
        .bind(answer.daily_post)
        .bind(answer.mock_exam)
        .fetch_optional(&mut *tx)
        .await?;

        let Some(_) = inserted else {
            let first: FirstAnswerRow = sqlx::query_as(
                "SELECT choices, correct, points FROM answers
                 WHERE (community_id = ?1 AND interaction_id = ?2)
                    OR (session_id = ?3 AND session_position = ?4)
                    OR (daily_post_id = ?5 AND player_id = ?6)
                    OR (mock_exam_id = ?7 AND question_id = ?8)
                 ORDER BY id LIMIT 1",
            )
            .bind(player.community_id)
            .bind(answer.interaction_id.as_deref())
            .bind(session_id)
            .bind(position)
            .bind(answer.daily_post)
            .bind(player.id)
            .bind(answer.mock_exam)
            .bind(&answer.question.id)
            .fetch_one(&mut *tx)
            .await?;
            tx.rollback().await?;
            return Recorded::try_from(first);
        };

        let previous: Option<CardStateRow> = sqlx::query_as(
            "SELECT stability, difficulty, reviewed_at, due_at, reps, lapses
             FROM review_cards WHERE player_id = ?1 AND question_id = ?2",
        )
        .bind(player.id)
        .bind(&answer.question.id)
        .fetch_optional(&mut *tx)
        .await?;
        let previous = previous.map(CardState::try_from).transpose()?;
        let (state, _) = next_card(player, answer, previous.as_ref())?;
        let card = CardRow {
            community_id: player.community_id,
            player_id: player.id,
            question_id: answer.question.id.clone(),
            topic: answer.question.topic.clone(),
            state,
        };
        write_card(&mut tx, &card).await?;

        if let Some(streak) = scored.streak_change {
            sqlx::query(
                "UPDATE players SET current_streak = ?2, best_streak = ?3, streak_day = ?4 WHERE id = ?1",
            )
            .bind(player.id)
            .bind(streak.current as i64)
            .bind(streak.best as i64)
            .bind(streak.last_day.map(day_text))
            .execute(&mut *tx)
            .await?;
        }
        for (period, starts_on, topic) in period_rows(scored.day, &answer.question.topic) {
            let starts_on = day_text(starts_on);
            sqlx::query(
                "INSERT INTO period_scores (community_id, period, starts_on, topic, player_id,
                                            points, answered, correct)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)
                 ON CONFLICT (community_id, period, starts_on, topic, player_id) DO UPDATE
                 SET points = points + excluded.points,
                     answered = answered + 1,
                     correct = correct + excluded.correct",
            )
            .bind(player.community_id)
            .bind(period.code())
            .bind(&starts_on)
            .bind(topic)
            .bind(player.id)
            .bind(scored.points)
            .bind(i64::from(answer.grade.correct))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Recorded::New {
            points: scored.points,
            streak: scored.streak,
        })
    }

    pub async fn history(
        &self,
        player: &Player,
    ) -> Result<HashMap<String, QuestionHistory>, StoreError> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT question_id, answered_at, correct FROM answers
             WHERE player_id = ?1 ORDER BY answered_at, id",
        )
        .bind(player.id)
        .fetch_all(&self.pool)
        .await?;
        // In time order: each question's last answer is inserted last.
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn create_session(
        &self,
        player: &Player,
        session: &NewSession<'_>,
    ) -> Result<QuizSession, StoreError> {
        let ids = serde_json::to_string(session.question_ids)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quiz_sessions (community_id, player_id, topic, question_ids, created_at,
                                        expires_at, review)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(player.community_id)
        .bind(player.id)
        .bind(session.topic)
        .bind(ids)
        .bind(millis(session.now))
        .bind(millis(session.expires_at))
        .bind(session.review)
        .fetch_one(&self.pool)
        .await?;
        Ok(session.stored(player, id))
    }

    pub async fn session(&self, id: i64) -> Result<Option<QuizSession>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(SESSION_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(QuizSession::try_from).transpose()
    }

    pub async fn finish_session(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE quiz_sessions SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
        )
        .bind(id)
        .bind(millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn leaderboard(
        &self,
        query: &BoardQuery<'_>,
    ) -> Result<Vec<Ranked<Standing>>, StoreError> {
        let rows: Vec<StandingRow> = if query.uses_totals() {
            sqlx::query_as(
                "SELECT s.player_id, p.display_name, s.points, s.answered, s.correct
                 FROM period_scores s JOIN players p ON p.id = s.player_id
                 WHERE s.community_id = ?1 AND s.period = ?2 AND s.starts_on = ?3 AND s.topic = ?4
                   AND s.points > 0
                 ORDER BY s.points DESC, s.player_id
                 LIMIT ?5",
            )
            .bind(query.community_id)
            .bind(query.period.code())
            .bind(day_text(query.period.start(query.today)))
            .bind(query.topic.unwrap_or(""))
            .bind(query.limit as i64)
            .fetch_all(&self.pool)
            .await?
        } else {
            let (from, until) = query.bounds();
            sqlx::query_as(
                // Names for the top only, as in the Postgres store.
                "WITH top AS (
                     SELECT player_id, sum(points) AS points, count(*) AS answered,
                            sum(correct) AS correct
                     FROM answers
                     WHERE community_id = ?1 AND topic = ?2
                       AND answered_at >= ?3 AND answered_at < ?4
                     GROUP BY player_id
                     HAVING sum(points) > 0
                     ORDER BY points DESC, player_id
                     LIMIT ?5
                 )
                 SELECT t.player_id, p.display_name, t.points, t.answered, t.correct
                 FROM top t JOIN players p ON p.id = t.player_id
                 ORDER BY t.points DESC, t.player_id",
            )
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(millis(from))
            .bind(millis(until))
            .bind(query.limit as i64)
            .fetch_all(&self.pool)
            .await?
        };
        let standings = rows.into_iter().map(Standing::from).collect();
        Ok(rank_by_points(standings, |s: &Standing| s.points))
    }

    pub async fn rank_of(
        &self,
        query: &BoardQuery<'_>,
        player_id: i64,
    ) -> Result<Option<Ranked<Standing>>, StoreError> {
        let row: Option<RankedStandingRow> = if query.uses_totals() {
            sqlx::query_as(
                "SELECT s.player_id, p.display_name, s.points, s.answered, s.correct,
                        -- The players above, counted in the board's covering index.
                        (SELECT count(*) FROM period_scores o
                          WHERE o.community_id = s.community_id AND o.period = s.period
                            AND o.starts_on = s.starts_on AND o.topic = s.topic
                            AND o.points > s.points) + 1 AS rank
                 FROM period_scores s JOIN players p ON p.id = s.player_id
                 WHERE s.community_id = ?1 AND s.period = ?2 AND s.starts_on = ?3 AND s.topic = ?4
                   AND s.player_id = ?5",
            )
            .bind(query.community_id)
            .bind(query.period.code())
            .bind(day_text(query.period.start(query.today)))
            .bind(query.topic.unwrap_or(""))
            .bind(player_id)
            .fetch_optional(&self.pool)
            .await?
        } else {
            let (from, until) = query.bounds();
            sqlx::query_as(
                "WITH totals AS (
                     SELECT player_id, sum(points) AS points, count(*) AS answered,
                            sum(correct) AS correct
                     FROM answers
                     WHERE community_id = ?1 AND topic = ?2
                       AND answered_at >= ?3 AND answered_at < ?4
                     GROUP BY player_id
                 )
                 SELECT t.player_id, p.display_name, t.points, t.answered, t.correct,
                        (SELECT count(*) FROM totals o WHERE o.points > t.points) + 1 AS rank
                 FROM totals t JOIN players p ON p.id = t.player_id
                 WHERE t.player_id = ?5",
            )
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(millis(from))
            .bind(millis(until))
            .bind(player_id)
            .fetch_optional(&self.pool)
            .await?
        };
        row.map(Ranked::try_from).transpose()
    }

    pub async fn cards(
        &self,
        player: &Player,
        question_ids: &[String],
    ) -> Result<Vec<Card>, StoreError> {
        let ids = serde_json::to_string(question_ids)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let rows: Vec<QuestionCardRow> = sqlx::query_as(
            "SELECT question_id, topic, stability, difficulty, reviewed_at, due_at, reps, lapses
             FROM review_cards
             WHERE player_id = ?1 AND question_id IN (SELECT value FROM json_each(?2))
             ORDER BY question_id",
        )
        .bind(player.id)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Card::try_from).collect()
    }

    pub async fn answer_counts(
        &self,
        question_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let ids = serde_json::to_string(question_ids)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let counts = sqlx::query_as(
            "SELECT question_id, count(*) AS answers FROM answers
             WHERE question_id IN (SELECT value FROM json_each(?1))
             GROUP BY question_id ORDER BY question_id",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(counts)
    }
}

/// How many times an answer is tried while the file is busy.
const BUSY_TRIES: u32 = 3;

/// SQLITE_BUSY or SQLITE_LOCKED, with any extended code: another
/// connection holds the lock.
fn is_busy(err: &sqlx::Error) -> bool {
    let code = match err {
        sqlx::Error::Database(db) => db.code(),
        _ => None,
    };
    code.and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// A quiz session as [`SESSION_BY_ID`] reads it: the question ids as a
/// JSON array.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    community_id: i64,
    player_id: i64,
    topic: Option<String>,
    question_ids: String,
    answered_to: i64,
    created_at: Moment,
    expires_at: Moment,
    finished_at: Option<Moment>,
    review: bool,
}

impl TryFrom<SessionRow> for QuizSession {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<QuizSession, StoreError> {
        let ids = &row.question_ids;
        Ok(QuizSession {
            id: row.id,
            community_id: row.community_id,
            player_id: row.player_id,
            question_ids: serde_json::from_str(ids)
                .map_err(|_| StoreError::Corrupt(format!("session question ids `{ids}`")))?,
            topic: row.topic,
            position: count_from(row.answered_to, "session position")?,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
            finished_at: row.finished_at.map(|at| at.0),
            review: row.review,
        })
    }
}

/// The totals rows an answer adds to: every period for all topics (`""`), and all
/// time for the answer's topic.
fn period_rows(day: NaiveDate, topic: &str) -> [(Period, NaiveDate, &str); 5] {
    let all = Period::AllTime.start(day);
    [
        (Period::Today, Period::Today.start(day), ""),
        (Period::Week, Period::Week.start(day), ""),
        (Period::Month, Period::Month.start(day), ""),
        (Period::AllTime, all, ""),
        (Period::AllTime, all, topic),
    ]
}

/// Writes a card's row, over the one there was.
async fn write_card(tx: &mut sqlx::SqliteConnection, card: &CardRow) -> Result<(), StoreError> {
    let state = &card.state;
    sqlx::query(
        "INSERT INTO review_cards (community_id, player_id, question_id, topic, stability,
                                   difficulty, reviewed_at, due_at, reps, lapses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (player_id, question_id) DO UPDATE SET
             topic = excluded.topic, stability = excluded.stability,
             difficulty = excluded.difficulty, reviewed_at = excluded.reviewed_at,
             due_at = excluded.due_at, reps = excluded.reps, lapses = excluded.lapses",
    )
    .bind(card.community_id)
    .bind(card.player_id)
    .bind(&card.question_id)
    .bind(&card.topic)
    .bind(state.stability)
    .bind(state.difficulty)
    .bind(millis(state.reviewed_at))
    .bind(millis(state.due_at))
    .bind(i64::from(state.reps))
    .bind(i64::from(state.lapses))
    .execute(&mut *tx)
    .await?;
    Ok(())
}
