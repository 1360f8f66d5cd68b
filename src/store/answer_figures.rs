//! Figures read from the stored answers: when a player answered, how
//! they did per question, how a community did per topic, and every
//! answer for the questions' own figures.

use chrono::{DateTime, Utc};

use super::moment::Moment;
use super::{decode_choices, Player, Store, StoreError};
use crate::progress::QuestionRecord;
use crate::question_stats::AnswerRow;
use crate::review::TopicRecord;

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

impl Store {
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
}
