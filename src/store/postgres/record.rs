//! The statements that record an answer.
//!
//! One statement inserts the answer and, only when it was new, updates the
//! player's running totals (two rows of `player_totals`: all topics and the
//! answer's topic, each with this day, week, month and all time), the
//! player's move on those boards when it scored (two rows of
//! `board_changes`, see `migrations/postgres/0011_board_points.sql`), the
//! streak when it
//! changed, and the player's review card for the question (the review log
//! is a view over the answers): data-modifying CTEs make it atomic without
//! an explicit transaction. The card is written only when it is still the one
//! its new state was computed from (`reps` one less), so two answers racing
//! on one card cannot both apply to the same state.
//! Parts an answer does not touch are left out of its statement, so
//! Postgres neither plans nor starts them; each shape is prepared once per
//! connection.
//!
//! Parameters, the same for every shape: $1 community, $2 player,
//! $3 question, $4 topic, $5 choices, $6 correct, $7 points, $8 answered at,
//! $9 elapsed ms, $10 interaction, $11 session, $12 position in it,
//! $13–$15 the first days of the answer's day, week and month,
//! $16–$18 the new streak (current, best, last day), $19 daily post,
//! $20 correct as 0 or 1, $21–$25 the card after the answer (stability,
//! difficulty, due at, reps, lapses), $26 the mock exam; and in a guarded
//! shape only, $27 the last right answer to the question it was scored with.
//!
//! Every shape returns one row: the player's streak before the statement
//! (`current_streak`, `best_streak`, `streak_day`) and whether the answer
//! was `inserted` (false for a second delivery) and whether its card was
//! `card_written`. A guarded shape also
//! returns whether the inputs were the `usual` ones and, for scoring again
//! when they were not, `last_correct_at`.

use std::sync::LazyLock;

/// Whether a statement recording an answer checks the scoring inputs first,
/// and whether it writes the streak and the boards' histograms besides the
/// answer and the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AnswerWrite {
    /// Written only when the inputs are the usual ones for a right answer:
    /// the player's streak already counts the answer's day and their last
    /// right answer to the question is the one it was scored with, $27
    /// (see `usual_inputs`).
    pub guarded: bool,
    /// The answer changed the streak (never with `guarded`).
    pub streak: bool,
    /// The answer scored points, so the player moved up on their boards.
    pub scores: bool,
}

/// Every shape's statement, built once: index with [`AnswerWrite::index`].
static STATEMENTS: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..8).map(|i| AnswerWrite::from_index(i).sql()).collect());

impl AnswerWrite {
    pub fn statement(self) -> &'static str {
        &STATEMENTS[self.index()]
    }

    fn index(self) -> usize {
        usize::from(self.guarded) << 2 | usize::from(self.streak) << 1 | usize::from(self.scores)
    }

    fn from_index(index: usize) -> AnswerWrite {
        AnswerWrite {
            guarded: index & 4 != 0,
            streak: index & 2 != 0,
            scores: index & 1 != 0,
        }
    }

    fn sql(self) -> String {
        let mut ctes = Vec::new();
        if self.guarded {
            // The player's row as the statement starts, and the usual inputs
            // as `Streak::counts` and the repeat rule see them: a streak
            // counting the answer's day is left as it is, and the repeat
            // rule scored the answer from the last right answer given.
            ctes.push(
                "inputs AS (
                     SELECT p.current_streak, p.best_streak, p.streak_day,
                            (SELECT max(a.answered_at) FROM answers a
                              WHERE a.player_id = $2 AND a.question_id = $3 AND a.correct)
                              AS last_correct_at
                     FROM players p WHERE p.id = $2
                 ), usual AS (
                     SELECT 1 FROM inputs
                     WHERE streak_day >= $13 AND last_correct_at IS NOT DISTINCT FROM $27
                 )",
            );
        }
        ctes.push(if self.guarded {
            "inserted AS (
                 INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                      points, answered_at, elapsed_ms, interaction_id, session_id,
                                      session_position, daily_post_id, mock_exam_id)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $19, $26 FROM usual
                 ON CONFLICT DO NOTHING
                 RETURNING id
             )"
        } else {
            "inserted AS (
                 INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                      points, answered_at, elapsed_ms, interaction_id, session_id,
                                      session_position, daily_post_id, mock_exam_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $19, $26)
                 ON CONFLICT DO NOTHING
                 RETURNING id
             )"
        });
        if self.streak {
            ctes.push(
                "streak AS (
                     UPDATE players
                     SET current_streak = $16, best_streak = $17, streak_day = $18
                     WHERE id = $2 AND EXISTS (SELECT 1 FROM inserted)
                     RETURNING id
                 )",
            );
        }
        let totals = totals_cte();
        ctes.push(&totals);
        if self.scores {
            ctes.push(BOARD_CHANGES_CTE);
        }
        ctes.push(CARD_CTES);
        let result = if self.guarded {
            "SELECT i.current_streak, i.best_streak, i.streak_day, i.last_correct_at,
                    EXISTS (SELECT 1 FROM usual) AS usual,
                    EXISTS (SELECT 1 FROM inserted) AS inserted,
                    EXISTS (SELECT 1 FROM card) AS card_written
             FROM inputs i"
        } else {
            // The streak before this statement: the streak after it when
            // this answer did not change it.
            "SELECT p.current_streak, p.best_streak, p.streak_day,
                    EXISTS (SELECT 1 FROM inserted) AS inserted,
                    EXISTS (SELECT 1 FROM card) AS card_written
             FROM players p WHERE p.id = $2"
        };
        format!("WITH {}\n{result}", ctes.join(", "))
    }
}

/// The card after the answer, written over the one it was computed from
/// (or created).
const CARD_CTES: &str = "card AS (
         INSERT INTO review_cards AS c (community_id, player_id, question_id, topic, stability,
                                        difficulty, reviewed_at, due_at, reps, lapses)
         SELECT $1, $2, $3, $4, $21, $22, $8, $23, $24, $25 FROM inserted
         ON CONFLICT (player_id, question_id) DO UPDATE SET
             topic = EXCLUDED.topic, stability = EXCLUDED.stability,
             difficulty = EXCLUDED.difficulty, reviewed_at = EXCLUDED.reviewed_at,
             due_at = EXCLUDED.due_at, reps = EXCLUDED.reps, lapses = EXCLUDED.lapses
         WHERE c.reps = EXCLUDED.reps - 1
         RETURNING 1
     )";

/// The player's move on the boards of each totals row, naming the player
/// (a board's top is among its leaders and the players who moved): every period's
/// score before and after the answer (the new score less its points, or
/// the same score when the answer did not count in the row's period: a late
/// write, older than it). A row whose period had moved on now holds only
/// this answer: it was at 0 there.
const BOARD_CHANGES_CTE: &str = "board AS (
         INSERT INTO board_changes (community_id, topic, player_id,
                                    day_on, day_was, day_now, week_on, week_was, week_now,
                                    month_on, month_was, month_now, all_was, all_now)
         SELECT $1, t.topic, $2,
                t.day_on, t.day_points - CASE WHEN t.day_on = $13 THEN $7 ELSE 0 END,
                t.day_points,
                t.week_on, t.week_points - CASE WHEN t.week_on = $14 THEN $7 ELSE 0 END,
                t.week_points,
                t.month_on, t.month_points - CASE WHEN t.month_on = $15 THEN $7 ELSE 0 END,
                t.month_points,
                t.points - $7, t.points
         FROM totals t
     )";

/// What an answer adds to each of a row's totals: its points, one answer,
/// and one right answer when it was right.
const ADDED: [(&str, &str); 3] = [("points", "$7"), ("answered", "1"), ("correct", "$20")];

/// Two rows: all topics ('') and the answer's topic. A period that moved on
/// starts afresh; an answer from before a row's period (a late write) leaves
/// that period as it is.
fn totals_cte() -> String {
    let mut set = Vec::new();
    for period in ["day", "week", "month"] {
        for (total, added) in ADDED {
            set.push(format!(
                "{period}_{total} = CASE WHEN t.{period}_on = EXCLUDED.{period}_on
                                      THEN t.{period}_{total} + {added}
                                      WHEN t.{period}_on < EXCLUDED.{period}_on THEN {added}
                                      ELSE t.{period}_{total} END"
            ));
        }
        set.push(format!(
            "{period}_on = greatest(t.{period}_on, EXCLUDED.{period}_on)"
        ));
    }
    for (total, added) in ADDED {
        set.push(format!("{total} = t.{total} + {added}"));
    }
    let set = set.join(",\n                 ");
    format!(
        "totals AS (
             INSERT INTO player_totals AS t (
                 community_id, topic, player_id,
                 day_on, day_points, day_answered, day_correct,
                 week_on, week_points, week_answered, week_correct,
                 month_on, month_points, month_answered, month_correct,
                 points, answered, correct)
             SELECT $1, x.topic, $2, $13, $7, 1, $20, $14, $7, 1, $20, $15, $7, 1, $20, $7, 1, $20
             FROM (VALUES (''), ($4)) AS x (topic)
             WHERE EXISTS (SELECT 1 FROM inserted)
             ON CONFLICT (community_id, topic, player_id) DO UPDATE SET
                 {set}
             RETURNING topic, day_on, day_points, week_on, week_points, month_on, month_points,
                       points
         )"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_has_its_own_statement() {
        for index in 0..8 {
            assert_eq!(AnswerWrite::from_index(index).index(), index);
        }
        let plain = AnswerWrite {
            guarded: false,
            streak: false,
            scores: false,
        };
        assert!(!plain.statement().contains("usual AS"));
        assert!(!plain.statement().contains("UPDATE players"));
        assert!(!plain.statement().contains("board_changes"));
        let full = AnswerWrite {
            guarded: true,
            streak: true,
            scores: true,
        };
        for part in [
            "usual AS",
            "UPDATE players",
            "player_totals",
            "board_changes",
            "review_cards",
        ] {
            assert!(full.statement().contains(part), "{part}");
        }
    }
}
