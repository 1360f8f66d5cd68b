//! The live rounds' rows: a round per channel at a time, its questions with
//! each stage noted once done, and the members' answers, replaced until
//! the question closes.
//!
//! One SQL text serves both databases, except where an answer is taken:
//! on Postgres the statement holds a share lock on its question, so the
//! reveal's close waits for answers already being written and every later
//! one sees the question closed; SQLite writes one statement at a time,
//! which orders them the same way.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::moment::Moment;
use super::{count_from, decode_choices, encode_choices, parse_platform, Store, StoreError};
use crate::identity::{ExternalId, Platform};
use crate::live::{Ending, LiveAnswer, LiveQuestion, LiveRound, NewRound, Stage};
use crate::quiz::Grade;

/// What creating a round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundCreated {
    /// Created, with its questions.
    New(LiveRound, Vec<LiveQuestion>),
    /// The channel has a round running: that one.
    Running(LiveRound, Vec<LiveQuestion>),
}

/// A round's columns, as [`RoundRow`] reads them.
const ROUND_COLUMNS: &str = "r.id, r.platform, r.community, r.channel, r.community_id, r.topic, \
     CAST(r.seconds AS BIGINT) AS seconds, r.started_by, r.created_at, r.ending, r.ended_by, \
     r.ended_at";

/// A live round as its row holds it.
#[derive(sqlx::FromRow)]
struct RoundRow {
    id: i64,
    platform: String,
    community: String,
    channel: String,
    community_id: i64,
    topic: Option<String>,
    seconds: i64,
    started_by: String,
    created_at: Moment,
    ending: Option<String>,
    ended_by: Option<String>,
    ended_at: Option<Moment>,
}

impl TryFrom<RoundRow> for LiveRound {
    type Error = StoreError;

    fn try_from(row: RoundRow) -> Result<LiveRound, StoreError> {
        Ok(LiveRound {
            id: row.id,
            platform: parse_platform(&row.platform)?,
            community: ExternalId::new(row.community),
            community_id: row.community_id,
            channel: row.channel,
            topic: row.topic,
            seconds: count_from(row.seconds, "live seconds")?,
            started_by: row.started_by,
            created_at: row.created_at.0,
            ending: row.ending.as_deref().map(parse_ending).transpose()?,
            ended_by: row.ended_by,
            ended_at: row.ended_at.map(|at| at.0),
        })
    }
}

fn parse_ending(text: &str) -> Result<Ending, StoreError> {
    Ending::parse(text).ok_or_else(|| StoreError::Corrupt(format!("live round ending `{text}`")))
}

/// A question's columns, as [`QuestionRow`] reads them.
const QUESTION_COLUMNS: &str = "q.id, q.round_id, CAST(q.position AS BIGINT) AS position, \
     q.question_id, q.deadline_at, q.message_id, q.posted_at, q.closed_at, q.revealed_at, \
     q.scored_at";

/// A live question as its row holds it.
#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    round_id: i64,
    position: i64,
    question_id: String,
    deadline_at: Option<Moment>,
    message_id: Option<String>,
    posted_at: Option<Moment>,
    closed_at: Option<Moment>,
    revealed_at: Option<Moment>,
    scored_at: Option<Moment>,
}

impl TryFrom<QuestionRow> for LiveQuestion {
    type Error = StoreError;

    fn try_from(row: QuestionRow) -> Result<LiveQuestion, StoreError> {
        Ok(LiveQuestion {
            id: row.id,
            round_id: row.round_id,
            position: count_from(row.position, "live question position")?,
            question_id: row.question_id,
            deadline_at: row.deadline_at.map(|at| at.0),
            message_id: row.message_id,
            posted_at: row.posted_at.map(|at| at.0),
            closed_at: row.closed_at.map(|at| at.0),
            revealed_at: row.revealed_at.map(|at| at.0),
            scored_at: row.scored_at.map(|at| at.0),
        })
    }
}

/// An answer's columns with the member's name, as [`AnswerRow`] reads them.
const ANSWER_COLUMNS: &str = "a.player_id, p.display_name AS name, a.choices, a.correct, \
     a.answered_at, CAST(a.changes AS BIGINT) AS changes";

/// A live answer as its row holds it, with the member's name.
#[derive(sqlx::FromRow)]
struct AnswerRow {
    player_id: i64,
    name: String,
    choices: String,
    correct: bool,
    answered_at: Moment,
    changes: i64,
}

/// A live answer with the row of the question it answers.
#[derive(sqlx::FromRow)]
struct RoundAnswerRow {
    question_row: i64,
    #[sqlx(flatten)]
    answer: AnswerRow,
}

impl TryFrom<AnswerRow> for LiveAnswer {
    type Error = StoreError;

    fn try_from(row: AnswerRow) -> Result<LiveAnswer, StoreError> {
        Ok(LiveAnswer {
            player_id: row.player_id,
            name: row.name,
            choices: decode_choices(&row.choices)?,
            correct: row.correct,
            answered_at: row.answered_at.0,
            changes: count_from(row.changes, "answer changes")?,
        })
    }
}

/// Takes an answer while its question is open (see the module's note on
/// the lock); returns how many times the member has changed it. `{lock}`
/// is Postgres' `FOR SHARE`.
const TAKE_ANSWER: &str = "WITH open AS (
         SELECT id FROM live_questions
         WHERE id = $1 AND closed_at IS NULL AND deadline_at > $5
         {lock}
     )
     INSERT INTO live_answers (question_id, player_id, choices, correct, answered_at, changes)
     SELECT id, $2, $3, $4, $5, 0 FROM open WHERE TRUE
     ON CONFLICT (question_id, player_id) DO UPDATE SET
         changes = live_answers.changes
             + CASE WHEN live_answers.choices = excluded.choices THEN 0 ELSE 1 END,
         answered_at = CASE WHEN live_answers.choices = excluded.choices
             THEN live_answers.answered_at ELSE excluded.answered_at END,
         correct = excluded.correct,
         choices = excluded.choices
     RETURNING CAST(changes AS BIGINT)";

impl Store {
    /// Creates the channel's round with its questions, unless one is
    /// running there: then that one.
    pub async fn create_live_round(
        &self,
        round: &NewRound<'_>,
    ) -> Result<RoundCreated, StoreError> {
        let id: Option<i64> = shared_transaction!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO live_rounds (platform, community, channel, community_id, topic,
                                          seconds, started_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (platform, community, channel) WHERE ended_at IS NULL DO NOTHING
                 RETURNING id",
            )
            .bind(round.platform.code())
            .bind(round.community.as_str())
            .bind(round.channel)
            .bind(round.community_id)
            .bind(round.topic)
            .bind(i32::try_from(round.seconds).unwrap_or(i32::MAX))
            .bind(round.started_by)
            .bind(Moment(round.now))
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                for (position, question_id) in round.question_ids.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO live_questions (round_id, position, question_id)
                         VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .bind(question_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            id
        });
        match id {
            Some(id) => {
                let (round, questions) = self
                    .live_round(id)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("a new live round vanished".into()))?;
                Ok(RoundCreated::New(round, questions))
            }
            None => {
                // Running, unless it ended in between: then try again.
                match self
                    .running_live_round(round.platform, round.community, round.channel)
                    .await?
                {
                    Some((running, questions)) => Ok(RoundCreated::Running(running, questions)),
                    None => Box::pin(self.create_live_round(round)).await,
                }
            }
        }
    }

    /// A round and its questions, in order.
    pub async fn live_round(
        &self,
        id: i64,
    ) -> Result<Option<(LiveRound, Vec<LiveQuestion>)>, StoreError> {
        let sql = format!("SELECT {ROUND_COLUMNS} FROM live_rounds r WHERE r.id = $1");
        let row: Option<RoundRow> = shared_query!(@fetch_optional self, &sql, id);
        let Some(round) = row.map(LiveRound::try_from).transpose()? else {
            return Ok(None);
        };
        let questions = self.live_questions(round.id).await?;
        Ok(Some((round, questions)))
    }

    async fn live_questions(&self, round_id: i64) -> Result<Vec<LiveQuestion>, StoreError> {
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM live_questions q
             WHERE q.round_id = $1 ORDER BY q.position"
        );
        let rows: Vec<QuestionRow> = shared_query!(self, &sql, round_id);
        rows.into_iter().map(LiveQuestion::try_from).collect()
    }

    /// The round running in a channel, if any.
    pub async fn running_live_round(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
    ) -> Result<Option<(LiveRound, Vec<LiveQuestion>)>, StoreError> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM live_rounds r
             WHERE r.platform = $1 AND r.community = $2 AND r.channel = $3
               AND r.ended_at IS NULL"
        );
        let row: Option<RoundRow> = shared_query!(
            @fetch_optional self,
            &sql,
            platform.code(),
            community.as_str(),
            channel
        );
        let Some(round) = row.map(LiveRound::try_from).transpose()? else {
            return Ok(None);
        };
        let questions = self.live_questions(round.id).await?;
        Ok(Some((round, questions)))
    }

    /// Every round of a platform that has not ended, with its questions.
    pub async fn open_live_rounds(
        &self,
        platform: Platform,
    ) -> Result<Vec<(LiveRound, Vec<LiveQuestion>)>, StoreError> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM live_rounds r
             WHERE r.platform = $1 AND r.ended_at IS NULL ORDER BY r.id"
        );
        let rounds: Vec<RoundRow> = shared_query!(self, &sql, platform.code());
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM live_questions q
             JOIN live_rounds r ON r.id = q.round_id
             WHERE r.platform = $1 AND r.ended_at IS NULL ORDER BY q.round_id, q.position"
        );
        let questions: Vec<QuestionRow> = shared_query!(self, &sql, platform.code());
        let mut by_round: HashMap<i64, Vec<LiveQuestion>> = HashMap::new();
        for row in questions {
            let question = LiveQuestion::try_from(row)?;
            by_round
                .entry(question.round_id)
                .or_default()
                .push(question);
        }
        rounds
            .into_iter()
            .map(|row| {
                let round = LiveRound::try_from(row)?;
                let questions = by_round.remove(&round.id).unwrap_or_default();
                Ok((round, questions))
            })
            .collect()
    }

    /// The questions a channel's rounds have posted, each with when its
    /// round started last.
    pub async fn live_asked_questions(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
    ) -> Result<HashMap<String, DateTime<Utc>>, StoreError> {
        let rows: Vec<(String, Moment)> = shared_query!(
            self,
            "SELECT q.question_id, max(r.created_at) FROM live_questions q
             JOIN live_rounds r ON r.id = q.round_id
             WHERE r.platform = $1 AND r.community = $2 AND r.channel = $3
               AND q.message_id IS NOT NULL
             GROUP BY q.question_id",
            platform.code(),
            community.as_str(),
            channel
        );
        Ok(rows.into_iter().map(|(id, at)| (id, at.0)).collect())
    }

    /// A question with its round, for an answer to it.
    pub async fn live_question(
        &self,
        id: i64,
    ) -> Result<Option<(LiveRound, LiveQuestion)>, StoreError> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM live_questions q WHERE q.id = $1");
        let row: Option<QuestionRow> = shared_query!(@fetch_optional self, &sql, id);
        let Some(question) = row.map(LiveQuestion::try_from).transpose()? else {
            return Ok(None);
        };
        let sql = format!("SELECT {ROUND_COLUMNS} FROM live_rounds r WHERE r.id = $1");
        let round: RoundRow = shared_query!(@fetch_one self, &sql, question.round_id);
        Ok(Some((LiveRound::try_from(round)?, question)))
    }

    /// Takes the question's lease for `stage` until `until`, if nobody holds
    /// it and the stage is still to do. Taking the post sets the deadline
    /// the post will show. Only the holder carries the stage out.
    pub async fn lease_live_question(
        &self,
        id: i64,
        stage: Stage,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let to_do = match stage {
            Stage::Post => "message_id IS NULL AND revealed_at IS NULL",
            Stage::Reveal => "message_id IS NOT NULL AND revealed_at IS NULL",
            Stage::Score => "revealed_at IS NOT NULL AND scored_at IS NULL",
        };
        let sql = format!(
            "UPDATE live_questions SET lease_until = $3, deadline_at = COALESCE($4, deadline_at)
             WHERE id = $1 AND {to_do} AND (lease_until IS NULL OR lease_until <= $2)"
        );
        let leased = shared_execute!(
            self,
            &sql,
            id,
            Moment(now),
            Moment(until),
            deadline.map(Moment)
        );
        Ok(leased == 1)
    }

    /// Gives a question's lease back without changing it.
    pub async fn release_live_question(&self, id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions SET lease_until = NULL WHERE id = $1",
            id
        );
        Ok(())
    }

    /// Notes the question posted as `message_id`, and gives the lease back.
    pub async fn live_posted(
        &self,
        id: i64,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions SET message_id = $2, posted_at = $3, lease_until = NULL
             WHERE id = $1",
            id,
            message_id,
            Moment(now)
        );
        Ok(())
    }

    /// Closes the question's answers: on Postgres this waits for the
    /// answers being written, and none is taken after.
    pub async fn close_live_question(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",
            id,
            Moment(now)
        );
        Ok(())
    }

    /// Notes the question revealed (and closed), and gives the lease back.
    pub async fn live_revealed(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions
             SET revealed_at = $2, closed_at = COALESCE(closed_at, $2), lease_until = NULL
             WHERE id = $1",
            id,
            Moment(now)
        );
        Ok(())
    }

    /// Passes over a question never posted (it left the bank).
    pub async fn live_skipped(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions
             SET closed_at = COALESCE(closed_at, $2), revealed_at = $2, scored_at = $2,
                 lease_until = NULL
             WHERE id = $1 AND message_id IS NULL AND revealed_at IS NULL",
            id,
            Moment(now)
        );
        Ok(())
    }

    /// Notes the question's answers recorded, and gives the lease back.
    pub async fn live_scored(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_questions SET scored_at = $2, lease_until = NULL WHERE id = $1",
            id,
            Moment(now)
        );
        Ok(())
    }

    /// Takes `player_id`'s answer to a question while it is open at `now`,
    /// replacing the one they gave before. Returns how many times they have
    /// changed it, or `None` when the question is closed.
    pub async fn take_live_answer(
        &self,
        question_row: i64,
        player_id: i64,
        grade: &Grade,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError> {
        let choices = encode_choices(&grade.chosen);
        let changes: Option<(i64,)> = match self {
            Store::Postgres(store) => {
                sqlx::query_as(&TAKE_ANSWER.replace("{lock}", "FOR SHARE"))
                    .bind(question_row)
                    .bind(player_id)
                    .bind(&choices)
                    .bind(grade.correct)
                    .bind(Moment(now))
                    .fetch_optional(store.pool())
                    .await?
            }
            Store::Sqlite(store) => {
                sqlx::query_as(&TAKE_ANSWER.replace("{lock}", ""))
                    .bind(question_row)
                    .bind(player_id)
                    .bind(&choices)
                    .bind(grade.correct)
                    .bind(Moment(now))
                    .fetch_optional(store.pool())
                    .await?
            }
        };
        changes
            .map(|(changes,)| count_from(changes, "answer changes"))
            .transpose()
    }

    /// The answers to a question, the earliest first.
    pub async fn live_answers(&self, question_row: i64) -> Result<Vec<LiveAnswer>, StoreError> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM live_answers a JOIN players p ON p.id = a.player_id
             WHERE a.question_id = $1 ORDER BY a.answered_at, a.player_id"
        );
        let rows: Vec<AnswerRow> = shared_query!(self, &sql, question_row);
        rows.into_iter().map(LiveAnswer::try_from).collect()
    }

    /// Every answer of a round, by question row.
    pub async fn live_round_answers(
        &self,
        round_id: i64,
    ) -> Result<HashMap<i64, Vec<LiveAnswer>>, StoreError> {
        let sql = format!(
            "SELECT a.question_id AS question_row, {ANSWER_COLUMNS} FROM live_answers a
             JOIN players p ON p.id = a.player_id
             JOIN live_questions q ON q.id = a.question_id
             WHERE q.round_id = $1 ORDER BY a.answered_at, a.player_id"
        );
        let rows: Vec<RoundAnswerRow> = shared_query!(self, &sql, round_id);
        let mut answers: HashMap<i64, Vec<LiveAnswer>> = HashMap::new();
        for row in rows {
            let answer = LiveAnswer::try_from(row.answer)?;
            answers.entry(row.question_row).or_default().push(answer);
        }
        Ok(answers)
    }

    /// Asks the channel's running round to end as `ending` (an admin's
    /// stop), naming who asked. Returns the round, or `None` when none runs.
    pub async fn stop_live_round(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
        by: &str,
    ) -> Result<Option<LiveRound>, StoreError> {
        let stopped = shared_execute!(
            self,
            "UPDATE live_rounds SET ending = COALESCE(ending, 'stopped'),
                                    ended_by = COALESCE(ended_by, $4)
             WHERE platform = $1 AND community = $2 AND channel = $3 AND ended_at IS NULL",
            platform.code(),
            community.as_str(),
            channel,
            by
        );
        if stopped == 0 {
            return Ok(None);
        }
        Ok(self
            .running_live_round(platform, community, channel)
            .await?
            .map(|(round, _)| round))
    }

    /// Asks a round to end as `ending`, unless an end is asked already.
    pub async fn request_live_end(&self, round_id: i64, ending: Ending) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_rounds SET ending = $2
             WHERE id = $1 AND ended_at IS NULL AND ending IS NULL",
            round_id,
            ending.code()
        );
        Ok(())
    }

    /// Takes the round's lease to end it, if nobody holds it and it has not
    /// ended.
    pub async fn lease_live_round(
        &self,
        round_id: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let leased = shared_execute!(
            self,
            "UPDATE live_rounds SET lease_until = $3
             WHERE id = $1 AND ended_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)",
            round_id,
            Moment(now),
            Moment(until)
        );
        Ok(leased == 1)
    }

    pub async fn release_live_round(&self, round_id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_rounds SET lease_until = NULL WHERE id = $1",
            round_id
        );
        Ok(())
    }

    /// Notes the round ended as `ending`, and gives the lease back.
    pub async fn live_round_ended(
        &self,
        round_id: i64,
        ending: Ending,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE live_rounds SET ending = $2, ended_at = $3, lease_until = NULL
             WHERE id = $1 AND ended_at IS NULL",
            round_id,
            ending.code(),
            Moment(now)
        );
        Ok(())
    }
}
