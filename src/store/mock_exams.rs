//! Mock exams and what readiness reads, in SQL both databases share: an
//! exam's row and its choices (see `migrations/*/…_mock_exams.sql`), and a
//! member's (or a community's) cards and first answers.
//!
//! An exam moves forward only: choices are appended while it is open,
//! `submitted_at` is stamped once (by the member, or at its end by whoever
//! reads it after), and `recorded_at` with the result once its answers are
//! in. Each step is one statement guarded by the step before, so replicas
//! and restarts can repeat any of them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::moment::Moment;
use super::{count_from, decode_choices, encode_choices, parse_zone, Player, Store, StoreError};
use crate::mock::MockResult;
use crate::readiness::{FirstTry, MemoryCard};

/// A mock exam as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockExam {
    pub id: i64,
    pub community_id: i64,
    pub player_id: i64,
    /// The questions, in the order asked.
    pub question_ids: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// When it was submitted (its end, when time ran out).
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted because time ran out.
    pub timed_out: bool,
    /// When its answers were recorded and its result written.
    pub recorded_at: Option<DateTime<Utc>>,
    pub result: Option<MockResult>,
}

impl MockExam {
    /// Still taking choices at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.submitted_at.is_none() && !crate::mock::is_out_of_time(self.ends_at, now)
    }
}

/// An exam to create.
#[derive(Debug, Clone)]
pub struct NewMockExam<'a> {
    pub question_ids: &'a [String],
    pub started_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The member's card of one question, with its player (for a community).
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerCard {
    pub player_id: i64,
    pub card: MemoryCard,
}

/// A member's first answer to one question, with its player.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerFirstTry {
    pub player_id: i64,
    pub first: FirstTry,
}

/// A mock exam's columns, as [`ExamRow`] reads them.
const EXAM_COLUMNS: &str = "id, community_id, player_id, question_ids, started_at, ends_at, \
     submitted_at, timed_out, recorded_at, CAST(right_count AS BIGINT) AS right_count, \
     CAST(total_count AS BIGINT) AS total_count, CAST(score AS BIGINT) AS score, domain_results";

/// A mock exam as its row holds it: the result's columns are set once it
/// is recorded.
#[derive(sqlx::FromRow)]
struct ExamRow {
    id: i64,
    community_id: i64,
    player_id: i64,
    question_ids: String,
    started_at: Moment,
    ends_at: Moment,
    submitted_at: Option<Moment>,
    timed_out: bool,
    recorded_at: Option<Moment>,
    right_count: Option<i64>,
    total_count: Option<i64>,
    score: Option<i64>,
    domain_results: Option<String>,
}

impl TryFrom<ExamRow> for MockExam {
    type Error = StoreError;

    fn try_from(row: ExamRow) -> Result<MockExam, StoreError> {
        let ids = &row.question_ids;
        let question_ids: Vec<String> = serde_json::from_str(ids)
            .map_err(|_| StoreError::Corrupt(format!("mock exam question ids `{ids}`")))?;
        let result = match (
            row.right_count,
            row.total_count,
            row.score,
            row.domain_results,
        ) {
            (Some(right), Some(total), Some(score), Some(domains)) => Some(MockResult {
                right: count_from(right, "mock right")?,
                total: count_from(total, "mock total")?,
                score: count_from(score, "mock score")?,
                domains: MockResult::decode_domains(&domains)
                    .ok_or_else(|| StoreError::Corrupt(format!("mock domains `{domains}`")))?,
            }),
            _ => None,
        };
        Ok(MockExam {
            id: row.id,
            community_id: row.community_id,
            player_id: row.player_id,
            question_ids,
            started_at: row.started_at.0,
            ends_at: row.ends_at.0,
            submitted_at: row.submitted_at.map(|at| at.0),
            timed_out: row.timed_out,
            recorded_at: row.recorded_at.map(|at| at.0),
            result,
        })
    }
}

impl Store {
    pub async fn create_mock_exam(
        &self,
        player: &Player,
        exam: &NewMockExam<'_>,
    ) -> Result<MockExam, StoreError> {
        let ids = serde_json::to_string(exam.question_ids)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let (id,): (i64,) = shared_query!(
            @fetch_one self,
            "INSERT INTO mock_exams (community_id, player_id, question_ids, started_at, ends_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            player.community_id,
            player.id,
            &ids,
            Moment(exam.started_at),
            Moment(exam.ends_at)
        );
        Ok(MockExam {
            id,
            community_id: player.community_id,
            player_id: player.id,
            question_ids: exam.question_ids.to_vec(),
            started_at: exam.started_at,
            ends_at: exam.ends_at,
            submitted_at: None,
            timed_out: false,
            recorded_at: None,
            result: None,
        })
    }

    pub async fn mock_exam(&self, id: i64) -> Result<Option<MockExam>, StoreError> {
        let sql = format!("SELECT {EXAM_COLUMNS} FROM mock_exams WHERE id = $1");
        let row: Option<ExamRow> = shared_query!(@fetch_optional self, &sql, id);
        row.map(MockExam::try_from).transpose()
    }

    /// The player's exam still open at `now`, the latest if several.
    pub async fn open_mock_exam(
        &self,
        player: &Player,
        now: DateTime<Utc>,
    ) -> Result<Option<MockExam>, StoreError> {
        let sql = format!(
            "SELECT {EXAM_COLUMNS} FROM mock_exams
             WHERE player_id = $1 AND submitted_at IS NULL AND ends_at > $2
             ORDER BY started_at DESC, id DESC LIMIT 1"
        );
        let row: Option<ExamRow> =
            shared_query!(@fetch_optional self, &sql, player.id, Moment(now));
        row.map(MockExam::try_from).transpose()
    }

    /// Exams (of one player, or of everyone) whose result is still to
    /// write at `now`: submitted, or out of time; the oldest first.
    pub async fn unsettled_mock_exams(
        &self,
        player: Option<&Player>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = shared_query!(
            self,
            "SELECT id FROM mock_exams
             WHERE recorded_at IS NULL AND (submitted_at IS NOT NULL OR ends_at <= $2)
               AND (CAST($1 AS BIGINT) IS NULL OR player_id = $1)
             ORDER BY ends_at, id LIMIT $3",
            player.map(|p| p.id),
            Moment(now),
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Notes a choice at `position` of an open exam; `false` when it was
    /// not taken (the same click delivered again, or the exam closed).
    pub async fn choose_in_mock(
        &self,
        exam_id: i64,
        position: usize,
        choices: &[usize],
        at: DateTime<Utc>,
        interaction_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        let taken = shared_execute!(
            self,
            "INSERT INTO mock_exam_choices (mock_exam_id, position, choices, chosen_at,
                                            interaction_id)
             SELECT $1, $2, $3, $4, $5
             WHERE EXISTS (SELECT 1 FROM mock_exams
                           WHERE id = $1 AND submitted_at IS NULL AND ends_at > $4)
             ON CONFLICT DO NOTHING",
            exam_id,
            i64::try_from(position).unwrap_or(i64::MAX),
            encode_choices(choices),
            Moment(at),
            interaction_id
        );
        Ok(taken == 1)
    }

    /// Every choice made in an exam, in the order made: (position, choices).
    pub async fn mock_choices(&self, exam_id: i64) -> Result<Vec<(usize, Vec<usize>)>, StoreError> {
        let rows: Vec<(i64, String)> = shared_query!(
            self,
            "SELECT CAST(position AS BIGINT), choices FROM mock_exam_choices
             WHERE mock_exam_id = $1 ORDER BY position, id",
            exam_id
        );
        rows.into_iter()
            .map(|(position, choices)| {
                Ok((
                    count_from(position, "mock position")?,
                    decode_choices(&choices)?,
                ))
            })
            .collect()
    }

    /// Stamps an exam submitted at `at`, once; `true` for the stamp that
    /// took.
    pub async fn submit_mock_exam(
        &self,
        exam_id: i64,
        at: DateTime<Utc>,
        timed_out: bool,
    ) -> Result<bool, StoreError> {
        let stamped = shared_execute!(
            self,
            "UPDATE mock_exams SET submitted_at = $2, timed_out = $3
             WHERE id = $1 AND submitted_at IS NULL",
            exam_id,
            Moment(at),
            timed_out
        );
        Ok(stamped == 1)
    }

    /// Writes a submitted exam's result, once (its answers are recorded).
    pub async fn settle_mock_exam(
        &self,
        exam_id: i64,
        result: &MockResult,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE mock_exams SET recorded_at = $2, right_count = $3, total_count = $4,
                                   score = $5, domain_results = $6
             WHERE id = $1 AND recorded_at IS NULL AND submitted_at IS NOT NULL",
            exam_id,
            Moment(at),
            i64::from(result.right),
            i64::from(result.total),
            i64::from(result.score),
            result.encode_domains()
        );
        Ok(())
    }

    /// A player by id, with what scoring needs of their community (an
    /// exam settled by the sweep records its answers as theirs).
    pub async fn player_by_id(&self, player_id: i64) -> Result<Option<Player>, StoreError> {
        let row: Option<(i64, String, String, f32)> = shared_query!(
            @fetch_optional self,
            "SELECT p.community_id, p.display_name, c.time_zone, c.desired_retention
             FROM players p JOIN communities c ON c.id = p.community_id WHERE p.id = $1",
            player_id
        );
        row.map(|(community_id, display_name, zone, retention)| {
            Ok(Player {
                id: player_id,
                community_id,
                display_name,
                time_zone: parse_zone(&zone)?,
                retention,
            })
        })
        .transpose()
    }

    /// The player's exams with a result, the latest first.
    pub async fn settled_mock_exams(&self, player: &Player) -> Result<Vec<MockExam>, StoreError> {
        let sql = format!(
            "SELECT {EXAM_COLUMNS} FROM mock_exams
             WHERE player_id = $1 AND recorded_at IS NOT NULL
             ORDER BY started_at DESC, id DESC"
        );
        let rows: Vec<ExamRow> = shared_query!(self, &sql, player.id);
        rows.into_iter().map(MockExam::try_from).collect()
    }

    /// Every question the player has been asked in a mock exam.
    pub async fn mock_question_ids(&self, player: &Player) -> Result<HashSet<String>, StoreError> {
        let rows: Vec<(String,)> = shared_query!(
            self,
            "SELECT question_ids FROM mock_exams WHERE player_id = $1",
            player.id
        );
        let mut ids = HashSet::new();
        for (text,) in rows {
            let exam: Vec<String> = serde_json::from_str(&text)
                .map_err(|_| StoreError::Corrupt(format!("mock exam question ids `{text}`")))?;
            ids.extend(exam);
        }
        Ok(ids)
    }

    /// The player's cards, as readiness reads them.
    pub async fn memory_cards(&self, player: &Player) -> Result<Vec<MemoryCard>, StoreError> {
        let rows: Vec<CardRow> = shared_query!(
            self,
            "SELECT player_id, question_id, stability, difficulty, reviewed_at, due_at
             FROM review_cards WHERE player_id = $1",
            player.id
        );
        Ok(rows
            .into_iter()
            .map(|row| PlayerCard::from(row).card)
            .collect())
    }

    /// Whether the player's first answer to each question they answered
    /// was right.
    pub async fn first_tries(&self, player: &Player) -> Result<Vec<FirstTry>, StoreError> {
        let rows: Vec<(i64, String, bool)> = shared_query!(
            self,
            "SELECT player_id, question_id, correct FROM answers
             WHERE id IN (SELECT min(id) FROM answers WHERE player_id = $1 GROUP BY question_id)",
            player.id
        );
        Ok(rows
            .into_iter()
            .map(|(_, question_id, correct)| FirstTry {
                question_id,
                correct,
            })
            .collect())
    }

    /// The community's players who have answered: (id, name).
    pub async fn community_members(
        &self,
        community_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows: Vec<(i64, String)> = shared_query!(
            self,
            "SELECT id, display_name FROM players
             WHERE community_id = $1
               AND EXISTS (SELECT 1 FROM review_cards c WHERE c.player_id = players.id)
             ORDER BY id",
            community_id
        );
        Ok(rows)
    }

    /// Every card of the community's players.
    pub async fn community_memory_cards(
        &self,
        community_id: i64,
    ) -> Result<Vec<PlayerCard>, StoreError> {
        let rows: Vec<CardRow> = shared_query!(
            self,
            "SELECT player_id, question_id, stability, difficulty, reviewed_at, due_at
             FROM review_cards
             WHERE player_id IN (SELECT id FROM players WHERE community_id = $1)",
            community_id
        );
        Ok(rows.into_iter().map(PlayerCard::from).collect())
    }

    /// Every first answer of the community's players.
    pub async fn community_first_tries(
        &self,
        community_id: i64,
    ) -> Result<Vec<PlayerFirstTry>, StoreError> {
        let rows: Vec<(i64, String, bool)> = shared_query!(
            self,
            "SELECT player_id, question_id, correct FROM answers
             WHERE id IN (SELECT min(id) FROM answers
                          WHERE player_id IN (SELECT id FROM players WHERE community_id = $1)
                          GROUP BY player_id, question_id)",
            community_id
        );
        Ok(rows
            .into_iter()
            .map(|(player_id, question_id, correct)| PlayerFirstTry {
                player_id,
                first: FirstTry {
                    question_id,
                    correct,
                },
            })
            .collect())
    }
}

/// A review card as readiness reads it.
#[derive(sqlx::FromRow)]
struct CardRow {
    player_id: i64,
    question_id: String,
    stability: f32,
    difficulty: f32,
    reviewed_at: Moment,
    due_at: Moment,
}

impl From<CardRow> for PlayerCard {
    fn from(row: CardRow) -> PlayerCard {
        PlayerCard {
            player_id: row.player_id,
            card: MemoryCard {
                question_id: row.question_id,
                stability: row.stability,
                difficulty: row.difficulty,
                reviewed_at: row.reviewed_at.0,
                due_at: row.due_at.0,
            },
        }
    }
}
