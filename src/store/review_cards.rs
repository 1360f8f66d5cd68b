//! Review cards: each player's card per question, moved by every answer
//! through [`review::review`], the review log, and the rebuild that
//! replays the stored answers.

use chrono::{DateTime, NaiveDate, Utc};

use super::moment::{Day, Moment};
use super::{count_from, NewAnswer, Player, Store, StoreError};
use crate::review::{self, CardState, DueCard, Rating, ReviewEntry};

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

impl Store {
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

    /// Builds every card again by replaying the stored answers in order;
    /// returns how many cards there are. The store does this once after
    /// the migration that added cards.
    pub async fn rebuild_review_cards(&self) -> Result<u64, StoreError> {
        forward!(self.rebuild_review_cards())
    }
}

/// The card after `answer`, from the card before it.
pub(super) fn next_card(
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

/// Every stored answer as the rebuild replays it ([`ReplayedAnswer`]), by
/// player, question and time.
pub(super) const REPLAYED_ANSWERS: &str =
    "SELECT a.community_id, a.player_id, a.question_id, a.topic, a.correct, a.answered_at,
            c.desired_retention
     FROM answers a JOIN communities c ON c.id = a.community_id
     ORDER BY a.player_id, a.question_id, a.answered_at, a.id";

/// One answer as the rebuild replays it, with its community's desired
/// retention.
#[derive(sqlx::FromRow)]
pub(super) struct ReplayedAnswer {
    pub(super) community_id: i64,
    pub(super) player_id: i64,
    pub(super) question_id: String,
    pub(super) topic: String,
    pub(super) correct: bool,
    pub(super) answered_at: Moment,
    #[sqlx(rename = "desired_retention")]
    pub(super) retention: f32,
}

/// A card's state as its row holds it.
#[derive(sqlx::FromRow)]
pub(super) struct CardStateRow {
    stability: f32,
    difficulty: f32,
    reviewed_at: Moment,
    due_at: Moment,
    reps: i32,
    lapses: i32,
}

impl TryFrom<CardStateRow> for CardState {
    type Error = StoreError;

    fn try_from(row: CardStateRow) -> Result<CardState, StoreError> {
        Ok(CardState {
            stability: row.stability,
            difficulty: row.difficulty,
            reviewed_at: row.reviewed_at.0,
            due_at: row.due_at.0,
            reps: count_from(row.reps.into(), "card reps")?,
            lapses: count_from(row.lapses.into(), "card lapses")?,
        })
    }
}

/// A player's card as its row holds it, with its question and topic.
#[derive(sqlx::FromRow)]
pub(super) struct QuestionCardRow {
    question_id: String,
    topic: String,
    #[sqlx(flatten)]
    state: CardStateRow,
}

impl TryFrom<QuestionCardRow> for Card {
    type Error = StoreError;

    fn try_from(row: QuestionCardRow) -> Result<Card, StoreError> {
        Ok(Card {
            question_id: row.question_id,
            topic: row.topic,
            state: CardState::try_from(row.state)?,
        })
    }
}

/// A card as its row holds it.
pub(super) struct CardRow {
    pub(super) community_id: i64,
    pub(super) player_id: i64,
    pub(super) question_id: String,
    pub(super) topic: String,
    pub(super) state: CardState,
}

/// What the rebuild writes: each card once.
#[derive(Default)]
pub(super) struct Rebuilt {
    pub(super) cards: Vec<CardRow>,
}

/// Replays `answers`, ordered by player, question and time, through
/// [`review::review`].
pub(super) fn replay_answers(answers: &[ReplayedAnswer]) -> Result<Rebuilt, StoreError> {
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
                answer.answered_at.0,
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
