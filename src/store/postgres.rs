//! The Postgres store: production, several replicas on one database.
//!
//! Recording an answer is one statement (see [`record`]) that inserts the
//! answer and, only when it was new, updates the player's running totals
//! and the streak. A wrong answer scores nothing and needs nothing read
//! first. A right answer is written with the inputs it usually finds (a
//! streak that already counts today, a question never answered right),
//! which the statement checks; when they do not hold it writes nothing and
//! returns the real ones, and a second statement writes the answer as the
//! rules score it. Every board, a topic's week included, reads one index,
//! and a player's rank counts the entries above theirs in it. Answers
//! commit durably; where a player is (their community, player and session
//! rows) commits without waiting for the disk (see [`PgStore`]'s `relaxed`
//! pool), so moving through a quiz costs no fsync.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Row};

use super::{
    build_stats, decode_choices, encode_choices, parse_zone, score, BoardQuery, Community,
    ExternalId, NewAnswer, Platform, Player, PlayerStats, QuizSession, Recorded, Scored,
    ScoringInputs, SessionAnswer, Standing, StoreError, TopicStats,
};
use crate::quiz::{self, rank_by_points, Period, QuestionHistory, Ranked, Streak};
use record::AnswerWrite;

mod daily;
mod record;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A pooled connection idle this long is pinged before it is handed out,
/// so one the server closed meanwhile (a restart) is replaced. One in steady
/// use is not: the ping is a round trip, as much as the statement itself.
/// An answer that meets a closed connection all the same runs again on
/// another (see [`PgStore::record_answer`]).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A pool of at most `connections`, pinging only the idle ones.
fn pool_options(connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
}

/// A player's streak from its columns.
fn streak_from_row(row: &PgRow) -> Streak {
    Streak {
        current: row.get::<i32, _>("current_streak") as u32,
        best: row.get::<i32, _>("best_streak") as u32,
        last_day: row.get("streak_day"),
    }
}

/// The inputs a right answer on local `day` usually finds: the player
/// already answered right that day, so their streak counts it (its numbers
/// are read back, as the answer leaves them as they are), and never answered
/// the question right before. The guarded statement checks exactly these.
fn usual_inputs(day: NaiveDate) -> ScoringInputs {
    ScoringInputs {
        streak: Streak {
            last_day: Some(day),
            ..Streak::default()
        },
        last_correct_at: None,
    }
}

/// The session and position `answer` was given in, as stored.
fn session_of(answer: &NewAnswer<'_>) -> (Option<i64>, Option<i32>) {
    match answer.session {
        Some((id, position)) => (Some(id), Some(position as i32)),
        None => (None, None),
    }
}

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// For writes that record where someone is rather than what they
    /// scored (communities, players, quiz sessions): their commits do not
    /// wait for the disk. Nothing scored depends on them surviving a crash
    /// alone: a later answer's commit flushes the log up to itself, so every
    /// row it refers to is on disk when the player hears "recorded".
    relaxed: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str, connections: u32) -> Result<PgStore, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = pool_options(connections)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        let relaxed = pool_options(connections / 2)
            .connect_lazy_with(options.options([("synchronous_commit", "off")]));
        Ok(PgStore { pool, relaxed })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
        time_zone: Tz,
        locale: &str,
    ) -> Result<Community, StoreError> {
        // Every member's first contact asks for the same row: read it, and
        // insert only when it is missing, so they do not queue on its lock.
        if let Some(community) = self.find_community(platform, external_id).await? {
            return Ok(community);
        }
        sqlx::query(
            "INSERT INTO communities (platform, external_id, time_zone, locale)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (platform, external_id) DO NOTHING",
        )
        .bind(platform.code())
        .bind(external_id.as_str())
        .bind(time_zone.name())
        .bind(locale)
        .execute(&self.relaxed)
        .await?;
        // Inserted now, or by whoever won the race.
        self.find_community(platform, external_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a community vanished as it was created".into()))
    }

    pub async fn find_community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
    ) -> Result<Option<Community>, StoreError> {
        let row = sqlx::query(
            "SELECT id, time_zone, locale FROM communities WHERE platform = $1 AND external_id = $2",
        )
        .bind(platform.code())
        .bind(external_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| community_from_row(platform, external_id, &row))
            .transpose()
    }

    pub async fn player(
        &self,
        community: &Community,
        user: &ExternalId,
        display_name: &str,
    ) -> Result<Player, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO players (community_id, external_id, display_name)
             VALUES ($1, $2, $3)
             ON CONFLICT (community_id, external_id) DO UPDATE
             SET display_name = EXCLUDED.display_name
             RETURNING id",
        )
        .bind(community.id)
        .bind(user.as_str())
        .bind(display_name)
        .fetch_one(&self.relaxed)
        .await?;
        Ok(Player {
            id,
            community_id: community.id,
            display_name: display_name.to_string(),
            time_zone: community.time_zone,
        })
    }

    pub async fn find_player(
        &self,
        community: &Community,
        user: &ExternalId,
    ) -> Result<Option<Player>, StoreError> {
        let row = sqlx::query(
            "SELECT id, display_name FROM players WHERE community_id = $1 AND external_id = $2",
        )
        .bind(community.id)
        .bind(user.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| Player {
            id: row.get("id"),
            community_id: community.id,
            display_name: row.get("display_name"),
            time_zone: community.time_zone,
        }))
    }

    pub async fn record_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<Recorded, StoreError> {
        // Enough tries to pass every pooled connection, should a server
        // restart have closed them all; a deadlock is rarer still.
        let tries = self.pool.options().get_max_connections() as usize + 1;
        let mut attempt = 0;
        loop {
            match self.try_record_answer(player, answer).await {
                Err(StoreError::Database(err))
                    if attempt < tries && worth_retrying(&err, answer.is_keyed()) =>
                {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn try_record_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<Recorded, StoreError> {
        if !answer.grade.correct {
            // A wrong answer scores nothing and leaves the streak as it is:
            // the write needs nothing read first, and returns the streak.
            let scored = score(player, answer, ScoringInputs::default());
            return self.write_answer(player, answer, scored).await;
        }
        // A right answer is written with the inputs it usually finds; the
        // statement checks them and writes nothing when they do not hold,
        // returning the real ones to score it again.
        let day = quiz::local_day(answer.answered_at, player.time_zone);
        let scored = score(player, answer, usual_inputs(day));
        let row = self.write(player, answer, &scored, true).await?;
        if row.get("usual") {
            return self.recorded(player, answer, scored, &row).await;
        }
        let inputs = ScoringInputs {
            streak: streak_from_row(&row),
            last_correct_at: row.get("last_correct_at"),
        };
        let scored = score(player, answer, inputs);
        self.write_answer(player, answer, scored).await
    }

    /// Records `answer` as `scored`, unchecked.
    async fn write_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: Scored,
    ) -> Result<Recorded, StoreError> {
        let row = self.write(player, answer, &scored, false).await?;
        self.recorded(player, answer, scored, &row).await
    }

    /// Runs the statement that records `answer` as `scored`, checking the
    /// usual inputs first when `guarded`; [`record`] says what it returns.
    async fn write(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: &Scored,
        guarded: bool,
    ) -> Result<PgRow, StoreError> {
        let write = AnswerWrite {
            guarded,
            streak: scored.streak_change.is_some(),
        };
        let (session_id, position) = session_of(answer);
        let change = scored.streak_change;
        let row = sqlx::query(write.statement())
            .bind(player.community_id)
            .bind(player.id)
            .bind(&answer.question.id)
            .bind(&answer.question.topic)
            .bind(encode_choices(&answer.grade.chosen))
            .bind(answer.grade.correct)
            .bind(scored.points as i32)
            .bind(answer.answered_at)
            .bind(
                answer
                    .elapsed_ms
                    .map(|ms| ms.clamp(0, i32::MAX as i64) as i32),
            )
            .bind(answer.interaction_id.as_deref())
            .bind(session_id)
            .bind(position)
            .bind(Period::Today.start(scored.day))
            .bind(Period::Week.start(scored.day))
            .bind(Period::Month.start(scored.day))
            .bind(change.map(|s| s.current as i32))
            .bind(change.map(|s| s.best as i32))
            .bind(change.and_then(|s| s.last_day))
            .bind(answer.daily_post)
            .bind(i32::from(answer.grade.correct))
            .fetch_one(&self.pool)
            .await?;
        Ok(row)
    }

    /// What the player hears about `answer` after its statement returned
    /// `row`: its score when it was new, else what the first delivery of
    /// the same answer recorded.
    async fn recorded(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: Scored,
        row: &PgRow,
    ) -> Result<Recorded, StoreError> {
        if row.get("inserted") {
            return Ok(Recorded::New {
                points: scored.points,
                streak: match scored.streak_change {
                    Some(changed) => changed,
                    None => streak_from_row(row),
                },
            });
        }
        let (session_id, position) = session_of(answer);
        let row = sqlx::query(
            "SELECT choices, correct, points FROM answers
             WHERE (community_id = $1 AND interaction_id = $2)
                OR (session_id = $3 AND session_position = $4)
                OR (daily_post_id = $5 AND player_id = $6)
             ORDER BY id LIMIT 1",
        )
        .bind(player.community_id)
        .bind(answer.interaction_id.as_deref())
        .bind(session_id)
        .bind(position)
        .bind(answer.daily_post)
        .bind(player.id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Recorded::Duplicate {
            choices: decode_choices(row.get("choices"))?,
            correct: row.get("correct"),
            points: row.get::<i32, _>("points") as i64,
        })
    }

    pub async fn history(
        &self,
        player: &Player,
    ) -> Result<HashMap<String, QuestionHistory>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT ON (question_id) question_id, answered_at, correct
             FROM answers WHERE player_id = $1
             ORDER BY question_id, answered_at DESC, id DESC",
        )
        .bind(player.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    row.get("question_id"),
                    QuestionHistory {
                        last_answered_at: row.get("answered_at"),
                        last_correct: row.get("correct"),
                    },
                )
            })
            .collect())
    }

    pub async fn create_session(
        &self,
        player: &Player,
        topic: Option<&str>,
        question_ids: &[String],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<QuizSession, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quiz_sessions (community_id, player_id, topic, question_ids, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(player.community_id)
        .bind(player.id)
        .bind(topic)
        .bind(question_ids)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&self.relaxed)
        .await?;
        Ok(QuizSession {
            id,
            community_id: player.community_id,
            player_id: player.id,
            topic: topic.map(str::to_string),
            question_ids: question_ids.to_vec(),
            position: 0,
            created_at: now,
            expires_at,
            finished_at: None,
        })
    }

    pub async fn session(&self, id: i64) -> Result<Option<QuizSession>, StoreError> {
        let row = sqlx::query("SELECT * FROM quiz_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| session_from_row(&row)))
    }

    pub async fn advance_session(
        &self,
        id: i64,
        from: usize,
    ) -> Result<Option<QuizSession>, StoreError> {
        let moved = sqlx::query(
            "UPDATE quiz_sessions SET position = position + 1
             WHERE id = $1 AND position = $2 AND position + 1 < cardinality(question_ids)
             RETURNING *",
        )
        .bind(id)
        .bind(from as i32)
        .fetch_optional(&self.relaxed)
        .await?;
        match moved {
            Some(row) => Ok(Some(session_from_row(&row))),
            // Already moved on, or at the end: as it is.
            None => self.session(id).await,
        }
    }

    pub async fn finish_session(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE quiz_sessions SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&self.relaxed)
        .await?;
        Ok(())
    }

    pub async fn session_answers(&self, id: i64) -> Result<Vec<SessionAnswer>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_position, question_id, topic, choices, correct, points
             FROM answers WHERE session_id = $1 ORDER BY session_position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(SessionAnswer {
                    position: row.get::<i32, _>("session_position") as usize,
                    question_id: row.get("question_id"),
                    topic: row.get("topic"),
                    choices: decode_choices(row.get("choices"))?,
                    correct: row.get("correct"),
                    points: row.get::<i32, _>("points") as i64,
                })
            })
            .collect()
    }

    pub async fn leaderboard(
        &self,
        query: &BoardQuery<'_>,
    ) -> Result<Vec<Ranked<Standing>>, StoreError> {
        let columns = PeriodColumns::of(query.period);
        let (standing, current) = (columns.standing(), columns.current("s", "$4"));
        let points = columns.points;
        let sql = format!(
            "SELECT {standing}
             FROM player_totals s JOIN players p ON p.id = s.player_id
             WHERE s.community_id = $1 AND s.topic = $2 {current}
             ORDER BY s.{points} DESC, s.player_id
             LIMIT $3"
        );
        let mut statement = sqlx::query(&sql)
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(query.limit as i64);
        if columns.starts_on.is_some() {
            statement = statement.bind(query.period.start(query.today));
        }
        let rows = statement.fetch_all(&self.pool).await?;
        let standings = rows.iter().map(standing_from_row).collect();
        Ok(rank_by_points(standings, |s: &Standing| s.points))
    }

    pub async fn rank_of(
        &self,
        query: &BoardQuery<'_>,
        player_id: i64,
    ) -> Result<Option<Ranked<Standing>>, StoreError> {
        let columns = PeriodColumns::of(query.period);
        let standing = columns.standing();
        let (current, others_current) = (columns.current("s", "$4"), columns.current("o", "$4"));
        let points = columns.points;
        // The board's own index, counted up to the caller's points: an
        // index-only scan over the players above them.
        let sql = format!(
            "SELECT {standing},
                    (SELECT count(*) FROM player_totals o
                      WHERE o.community_id = s.community_id AND o.topic = s.topic {others_current}
                        AND o.{points} > s.{points}) + 1 AS rank
             FROM player_totals s JOIN players p ON p.id = s.player_id
             WHERE s.community_id = $1 AND s.topic = $2 AND s.player_id = $3 {current}"
        );
        let mut statement = sqlx::query(&sql)
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(player_id);
        if columns.starts_on.is_some() {
            statement = statement.bind(query.period.start(query.today));
        }
        let row = statement.fetch_optional(&self.pool).await?;
        Ok(row.map(|row| Ranked {
            rank: row.get::<i64, _>("rank") as usize,
            entry: standing_from_row(&row),
        }))
    }

    pub async fn stats(
        &self,
        player: &Player,
        today: NaiveDate,
    ) -> Result<PlayerStats, StoreError> {
        let row = sqlx::query(
            "SELECT display_name, current_streak, best_streak, streak_day FROM players WHERE id = $1",
        )
        .bind(player.id)
        .fetch_one(&self.pool)
        .await?;
        let streak = streak_from_row(&row);
        let topics = sqlx::query(
            "SELECT topic, count(*) AS answered, count(*) FILTER (WHERE correct) AS correct,
                    sum(points)::bigint AS points
             FROM answers WHERE player_id = $1 GROUP BY topic",
        )
        .bind(player.id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| TopicStats {
            topic: row.get("topic"),
            answered: row.get("answered"),
            correct: row.get("correct"),
            points: row.get("points"),
        })
        .collect();
        Ok(build_stats(row.get("display_name"), streak, today, topics))
    }
}

fn community_from_row(
    platform: Platform,
    external_id: &ExternalId,
    row: &PgRow,
) -> Result<Community, StoreError> {
    Ok(Community {
        id: row.get("id"),
        platform,
        external_id: external_id.clone(),
        time_zone: parse_zone(row.get("time_zone"))?,
        locale: row.get("locale"),
    })
}

fn session_from_row(row: &PgRow) -> QuizSession {
    QuizSession {
        id: row.get("id"),
        community_id: row.get("community_id"),
        player_id: row.get("player_id"),
        topic: row.get("topic"),
        question_ids: row.get("question_ids"),
        position: row.get::<i32, _>("position") as usize,
        created_at: row.get("created_at"),
        expires_at: row.get("expires_at"),
        finished_at: row.get("finished_at"),
    }
}

/// Where `player_totals` keeps a period: its total's columns and, except
/// for all time, the column naming which day, week or month they count.
struct PeriodColumns {
    starts_on: Option<&'static str>,
    points: &'static str,
    answered: &'static str,
    correct: &'static str,
}

impl PeriodColumns {
    fn of(period: Period) -> PeriodColumns {
        match period {
            Period::Today => PeriodColumns {
                starts_on: Some("day_on"),
                points: "day_points",
                answered: "day_answered",
                correct: "day_correct",
            },
            Period::Week => PeriodColumns {
                starts_on: Some("week_on"),
                points: "week_points",
                answered: "week_answered",
                correct: "week_correct",
            },
            Period::Month => PeriodColumns {
                starts_on: Some("month_on"),
                points: "month_points",
                answered: "month_answered",
                correct: "month_correct",
            },
            Period::AllTime => PeriodColumns {
                starts_on: None,
                points: "points",
                answered: "answered",
                correct: "correct",
            },
        }
    }

    /// A [`Standing`]'s columns from totals row `s` joined with player `p`.
    fn standing(&self) -> String {
        let PeriodColumns {
            points,
            answered,
            correct,
            ..
        } = self;
        format!(
            "s.player_id, p.display_name,
             s.{points} AS points, s.{answered} AS answered, s.{correct} AS correct"
        )
    }

    /// The condition that `row` holds the period starting on `day` (a
    /// parameter), or nothing for all time.
    fn current(&self, row: &str, day: &str) -> String {
        self.starts_on
            .map_or(String::new(), |on| format!("AND {row}.{on} = {day}"))
    }
}

fn standing_from_row(row: &PgRow) -> Standing {
    Standing {
        player_id: row.get("player_id"),
        display_name: row.get("display_name"),
        points: row.get("points"),
        answered: row.get::<i32, _>("answered") as i64,
        correct: row.get::<i32, _>("correct") as i64,
    }
}

/// Whether a statement that failed with `err` may run again. A deadlock or
/// a serialization failure rolled it back. A lost connection (the server
/// ended the session, or the socket broke) may have lost only the reply to
/// a commit, so the statement runs again only when the answer is `keyed`:
/// its unique key turns a second write into a no-op.
fn worth_retrying(err: &sqlx::Error, keyed: bool) -> bool {
    match err {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("40P01" | "40001") => true,
            // admin_shutdown, crash_shutdown, cannot_connect_now
            Some("57P01" | "57P02" | "57P03") => keyed,
            _ => false,
        },
        sqlx::Error::Io(_) => keyed,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_connection_is_retried_only_for_a_keyed_answer() {
        let broken = || sqlx::Error::Io(std::io::ErrorKind::BrokenPipe.into());
        assert!(worth_retrying(&broken(), true));
        assert!(!worth_retrying(&broken(), false));
        assert!(!worth_retrying(&sqlx::Error::RowNotFound, true));
    }
}
