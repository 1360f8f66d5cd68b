//! The Postgres store: production, several replicas on one database.
//!
//! Recording an answer is one statement (see [`record`]) that inserts the
//! answer and, only when it was new, updates the player's running totals
//! and the streak. A wrong answer scores nothing and needs nothing read
//! first. A right answer is written with the inputs it usually finds (a
//! streak that already counts today; no right answer to the question
//! before, or the one this process recorded last), which the statement
//! checks; when they do not hold it writes nothing and
//! returns the real ones, and a second statement writes the answer as the
//! rules score it. A board's top is read from its leaders, kept by the
//! fold, and the players who moved since; a player's rank sums the board's
//! score histogram above their score. Their cost grows with the leaders,
//! the higher scores and the moves since the last fold, not with the
//! players on the board; and no index of the totals orders them, so a
//! right answer's totals update stays heap-only as a wrong one's. Every write
//! commits durably: a row the bot has acted on (a session whose card a
//! member holds, a player id it cached) is never undone by a crash.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;
use lru::LruCache;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Connection;

use super::{
    count_from, encode_choices, next_card, replay_answers, score, BoardQuery, Card, CardRow,
    CardStateRow, Community, ExternalId, FirstAnswerRow, HistoryRow, NewAnswer, NewSession,
    Platform, Player, QuestionCardRow, QuizSession, RankedStandingRow, Recorded, ReplayedAnswer,
    Scored, ScoringInputs, Standing, StandingRow, StoreError, StreakRow, REPLAYED_ANSWERS,
    SESSION_BY_ID,
};
use crate::quiz::{self, rank_by_points, Period, QuestionHistory, Ranked, Streak};
use crate::review::CardState;
use record::AnswerWrite;

mod record;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A pooled connection idle this long is pinged before it is handed out,
/// so one the server closed meanwhile (a restart) is replaced. One in steady
/// use is not: the ping is a round trip, as much as the statement itself.
/// An answer that meets a closed connection all the same runs again on
/// another (see [`PgStore::record_answer`]).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The advisory lock a replica holds while it folds the boards' changes.
const FOLD_LOCK: i64 = 0x71_75_69_7a_62_6f_61_72; // "quizboar"

/// How many players at the top of each board the store keeps as its
/// leaders: a board of up to this many rows is read from them.
pub const BOARD_LEADERS: usize = 25;

/// The first day of the board `query` asks for, in the boards'
/// bookkeeping: 'epoch' for all time.
fn board_start(query: &BoardQuery<'_>) -> NaiveDate {
    match query.period {
        Period::AllTime => DateTime::UNIX_EPOCH.date_naive(),
        period => period.start(query.today),
    }
}

/// A pool of at most `connections`, pinging only the idle ones.
fn pool_options(connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(connections.max(1))
        .acquire_timeout(Duration::from_secs(10))
        // No reaper of idle or old connections: sqlx's can spin forever on
        // a miscounted idle queue (sqlx issue #3645). A connection a server
        // restart closed is found by the ping below, or retried (answers).
        .idle_timeout(None)
        .max_lifetime(None)
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

/// A count as an `INTEGER` column holds it.
fn int4(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// A delivered answer's card as the answer leaves it; written only over
/// the state it was computed from (`reps` one less).
struct CardWrite {
    card: CardState,
    /// When the player last answered the question right before this answer.
    right_before: LastRight,
}

/// When a player last answered a question right, as far as this process
/// knows from the answers it recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LastRight {
    /// Not known here: the card was read, or another process wrote it.
    Unknown,
    Never,
    /// As stored: to the microsecond.
    At(DateTime<Utc>),
}

impl LastRight {
    /// The guess a right answer is scored with, for the statement to check.
    fn guess(self) -> Option<DateTime<Utc>> {
        match self {
            LastRight::At(at) => Some(at),
            LastRight::Unknown | LastRight::Never => None,
        }
    }

    /// As the statement read it.
    fn read(last_correct_at: Option<DateTime<Utc>>) -> LastRight {
        last_correct_at.map_or(LastRight::Never, LastRight::At)
    }

    /// After `answer` is recorded.
    fn after(self, answer: &NewAnswer<'_>) -> LastRight {
        if !answer.grade.correct {
            return self;
        }
        // Postgres keeps microseconds, and sqlx drops the rest.
        let at = answer.answered_at.trunc_subsecs(6);
        match self {
            LastRight::Unknown => LastRight::Unknown,
            LastRight::At(before) if before > at => self,
            LastRight::Never | LastRight::At(_) => LastRight::At(at),
        }
    }
}

/// What this process knows of a player's card for a question from the last
/// answer to it that it recorded.
#[derive(Debug, Clone, Copy)]
struct KnownCard {
    card: CardState,
    right_before: LastRight,
}

/// The row a statement recording an answer returns ([`record`] says what
/// each column holds).
#[derive(sqlx::FromRow)]
struct WrittenRow {
    /// The player's streak before the statement.
    #[sqlx(flatten)]
    streak: StreakRow,
    /// When the player last answered the question right (guarded shapes
    /// only).
    #[sqlx(default)]
    last_correct_at: Option<DateTime<Utc>>,
    /// Whether the inputs were the usual ones (guarded shapes only).
    #[sqlx(default)]
    usual: Option<bool>,
    inserted: bool,
    card_written: bool,
}

/// The inputs a right answer on local `day` usually finds: the player
/// already answered right that day, so their streak counts it (its numbers
/// are read back, as the answer leaves them as they are), and the last
/// right answer to the question is the one this process knows of (none,
/// when it knows of none). The guarded statement checks exactly these.
fn usual_inputs(day: NaiveDate, right_before: LastRight) -> ScoringInputs {
    ScoringInputs {
        streak: Streak {
            last_day: Some(day),
            ..Streak::default()
        },
        last_correct_at: right_before.guess(),
    }
}

/// The session and position `answer` was given in, as stored.
fn session_of(answer: &NewAnswer<'_>) -> (Option<i64>, Option<i32>) {
    match answer.session {
        Some((id, position)) => (Some(id), Some(position as i32)),
        None => (None, None),
    }
}

/// How many cards the store remembers as it last wrote them.
const KNOWN_CARDS: usize = 20_000;

/// The cards this process wrote last, by player and question: an answer to
/// one of them is computed from it without reading it first, and a right
/// one is scored with the last right answer known here. The statement
/// writes the card only if it is still that one, so a card another replica
/// changed is caught up (see [`PgStore::catch_up_card`]), never overwritten;
/// and the answer only if its scoring inputs hold.
type KnownCards = Arc<Mutex<LruCache<(i64, String), KnownCard>>>;

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    cards: KnownCards,
}

impl PgStore {
    pub async fn connect(url: &str, connections: u32) -> Result<PgStore, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = pool_options(connections).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        let size = NonZeroUsize::new(KNOWN_CARDS).unwrap_or(NonZeroUsize::MIN);
        let cards = Arc::new(Mutex::new(LruCache::new(size)));
        let store = PgStore { pool, cards };
        store.run_pending_rebuild().await?;
        Ok(store)
    }

    /// Builds the review cards from the stored answers when the migration
    /// that added them asked for it: once, whichever replica gets there
    /// first (the others wait on the lock, then find nothing to do).
    async fn run_pending_rebuild(&self) -> Result<(), StoreError> {
        const PENDING: &str =
            "SELECT EXISTS (SELECT 1 FROM store_tasks WHERE name = 'rebuild_review_cards')";
        if !sqlx::query_scalar::<_, bool>(PENDING)
            .fetch_one(&self.pool)
            .await?
        {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('quizbot rebuild_review_cards'))")
            .execute(&mut *tx)
            .await?;
        if sqlx::query_scalar::<_, bool>(PENDING)
            .fetch_one(&mut *tx)
            .await?
        {
            let cards = rebuild_cards(&mut tx).await?;
            sqlx::query("DELETE FROM store_tasks WHERE name = 'rebuild_review_cards'")
                .execute(&mut *tx)
                .await?;
            tracing::info!(cards, "review cards built from the stored answers");
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn rebuild_review_cards(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('quizbot rebuild_review_cards'))")
            .execute(&mut *tx)
            .await?;
        let cards = rebuild_cards(&mut tx).await?;
        tx.commit().await?;
        Ok(cards)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Inserts the community unless it exists (the facade reads it first).
    pub async fn insert_community(
        &self,
        platform: Platform,
        external_id: &ExternalId,
        time_zone: Tz,
        locale: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO communities (platform, external_id, time_zone, locale)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (platform, external_id) DO NOTHING",
        )
        .bind(platform.code())
        .bind(external_id.as_str())
        .bind(time_zone.name())
        .bind(locale)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_community_time_zone(
        &self,
        id: i64,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE communities SET time_zone = $2, periods_since = $3 WHERE id = $1")
            .bind(id)
            .bind(zone.name())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // A period no board asks for: the next answer starts each afresh.
        sqlx::query(
            "UPDATE player_totals
             SET day_on = 'epoch', day_points = 0, day_answered = 0, day_correct = 0,
                 week_on = 'epoch', week_points = 0, week_answered = 0, week_correct = 0,
                 month_on = 'epoch', month_points = 0, month_answered = 0, month_correct = 0
             WHERE community_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // The days, weeks and months start again: their histograms and
        // leaders go, and the moves not folded yet keep only what they did
        // to all time.
        for table in ["board_points", "board_leaders"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE community_id = $1 AND period <> 'a'"
            ))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE board_changes
             SET day_on = 'epoch', day_was = day_now, week_on = 'epoch', week_was = week_now,
                 month_on = 'epoch', month_was = month_now
             WHERE community_id = $1",
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
        // A member seen before is read, not written: a cache miss costs no
        // commit. A new member or a new name is written (and waits for the
        // disk, so a crash cannot hand the id to someone else).
        let known: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, display_name FROM players WHERE community_id = $1 AND external_id = $2",
        )
        .bind(community.id)
        .bind(user.as_str())
        .fetch_optional(&self.pool)
        .await?;
        if let Some((id, name)) = known {
            if name == display_name {
                return Ok(Player::of(community, id, name));
            }
        }
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
        .fetch_one(&self.pool)
        .await?;
        Ok(Player::of(community, id, display_name.to_string()))
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
        // The card the answer reviews, as this process last wrote it; else
        // read for a review (its card exists), and otherwise none: most
        // answers meet a question for the first time, never answered before.
        // The statement writes the next state only over the one it was
        // computed from.
        let (previous, right_before) = match self.known_card(player.id, &answer.question.id) {
            Some(known) => (Some(known.card), known.right_before),
            None if answer.review => (
                self.card(player.id, &answer.question.id).await?,
                LastRight::Unknown,
            ),
            None => (None, LastRight::Never),
        };
        let (card, _) = next_card(player, answer, previous.as_ref())?;
        let card = CardWrite { card, right_before };
        if !answer.grade.correct {
            // A wrong answer scores nothing and leaves the streak as it is:
            // the write needs nothing read first, and returns the streak.
            let scored = score(player, answer, ScoringInputs::default());
            return self.write_answer(player, answer, scored, &card).await;
        }
        // A right answer is written with the inputs it usually finds; the
        // statement checks them and writes nothing when they do not hold,
        // returning the real ones to score it again.
        let day = quiz::local_day(answer.answered_at, player.time_zone);
        let inputs = usual_inputs(day, right_before);
        let right_before = LastRight::read(inputs.last_correct_at);
        let scored = score(player, answer, inputs);
        let row = self
            .write(player, answer, &scored, &card, Some(right_before))
            .await?;
        if row.usual == Some(true) {
            let card = CardWrite {
                right_before,
                ..card
            };
            return self.recorded(player, answer, scored, &card, row).await;
        }
        let inputs = ScoringInputs {
            streak: Streak::try_from(row.streak)?,
            last_correct_at: row.last_correct_at,
        };
        let card = CardWrite {
            right_before: LastRight::read(row.last_correct_at),
            ..card
        };
        let scored = score(player, answer, inputs);
        self.write_answer(player, answer, scored, &card).await
    }

    /// Records `answer` as `scored`, unchecked.
    async fn write_answer(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: Scored,
        card: &CardWrite,
    ) -> Result<Recorded, StoreError> {
        let row = self.write(player, answer, &scored, card, None).await?;
        self.recorded(player, answer, scored, card, row).await
    }

    /// The player's card for a question.
    async fn card(
        &self,
        player_id: i64,
        question_id: &str,
    ) -> Result<Option<CardState>, StoreError> {
        let row: Option<CardStateRow> = sqlx::query_as(
            "SELECT stability, difficulty, reviewed_at, due_at, reps, lapses
             FROM review_cards WHERE player_id = $1 AND question_id = $2",
        )
        .bind(player_id)
        .bind(question_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(CardState::try_from).transpose()
    }

    fn known_card(&self, player_id: i64, question_id: &str) -> Option<KnownCard> {
        let mut cards = self.cards.lock().unwrap_or_else(|p| p.into_inner());
        cards.get(&(player_id, question_id.to_string())).copied()
    }

    fn remember_card(&self, player_id: i64, question_id: &str, known: KnownCard) {
        let mut cards = self.cards.lock().unwrap_or_else(|p| p.into_inner());
        cards.put((player_id, question_id.to_string()), known);
    }

    /// Applies a recorded answer to its card again, from the card as it is
    /// now: it was not the one the answer's statement expected (another
    /// replica, or a process that started since, wrote it). The answer is
    /// stored; only the card follows.
    async fn catch_up_card(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
    ) -> Result<(), StoreError> {
        for _ in 0..5 {
            let previous = self.card(player.id, &answer.question.id).await?;
            let (card, _) = next_card(player, answer, previous.as_ref())?;
            let written = sqlx::query(
                "INSERT INTO review_cards AS c (community_id, player_id, question_id, topic,
                     stability, difficulty, reviewed_at, due_at, reps, lapses)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (player_id, question_id) DO UPDATE SET
                     stability = EXCLUDED.stability, difficulty = EXCLUDED.difficulty,
                     reviewed_at = EXCLUDED.reviewed_at, due_at = EXCLUDED.due_at,
                     reps = EXCLUDED.reps, lapses = EXCLUDED.lapses
                 WHERE c.reps = EXCLUDED.reps - 1",
            )
            .bind(player.community_id)
            .bind(player.id)
            .bind(&answer.question.id)
            .bind(&answer.question.topic)
            .bind(card.stability)
            .bind(card.difficulty)
            .bind(card.reviewed_at)
            .bind(card.due_at)
            .bind(int4(card.reps))
            .bind(int4(card.lapses))
            .execute(&self.pool)
            .await?
            .rows_affected();
            if written == 1 {
                let known = KnownCard {
                    card,
                    right_before: LastRight::Unknown,
                };
                self.remember_card(player.id, &answer.question.id, known);
                return Ok(());
            }
        }
        Err(StoreError::Corrupt(format!(
            "the card of `{}` kept changing under its update",
            answer.question.id
        )))
    }

    /// Runs the statement that records `answer` as `scored`, checking the
    /// usual inputs first when `guarded` (the last right answer it was
    /// scored with); [`record`] says what it returns.
    async fn write(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: &Scored,
        card: &CardWrite,
        guarded: Option<LastRight>,
    ) -> Result<WrittenRow, StoreError> {
        let write = AnswerWrite {
            guarded: guarded.is_some(),
            streak: scored.streak_change.is_some(),
            scores: scored.points > 0,
        };
        let (session_id, position) = session_of(answer);
        let change = scored.streak_change;
        let query = sqlx::query_as(write.statement())
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
            .bind(card.card.stability)
            .bind(card.card.difficulty)
            .bind(card.card.due_at)
            .bind(int4(card.card.reps))
            .bind(int4(card.card.lapses))
            .bind(answer.mock_exam);
        let query = match guarded {
            Some(right_before) => query.bind(right_before.guess()),
            None => query,
        };
        Ok(query.fetch_one(&self.pool).await?)
    }

    /// What the player hears about `answer` after its statement returned
    /// `row`: its score when it was new, else what the first delivery of
    /// the same answer recorded.
    async fn recorded(
        &self,
        player: &Player,
        answer: &NewAnswer<'_>,
        scored: Scored,
        card: &CardWrite,
        row: WrittenRow,
    ) -> Result<Recorded, StoreError> {
        if row.inserted {
            if row.card_written {
                let known = KnownCard {
                    card: card.card,
                    right_before: card.right_before.after(answer),
                };
                self.remember_card(player.id, &answer.question.id, known);
            } else {
                self.catch_up_card(player, answer).await?;
            }
            return Ok(Recorded::New {
                points: scored.points,
                streak: match scored.streak_change {
                    Some(changed) => changed,
                    None => Streak::try_from(row.streak)?,
                },
            });
        }
        let (session_id, position) = session_of(answer);
        let row: FirstAnswerRow = sqlx::query_as(
            "SELECT choices, correct, points FROM answers
             WHERE (community_id = $1 AND interaction_id = $2)
                OR (session_id = $3 AND session_position = $4)
                OR (daily_post_id = $5 AND player_id = $6)
                OR (mock_exam_id = $7 AND question_id = $8)
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
        .fetch_one(&self.pool)
        .await?;
        Recorded::try_from(row)
    }

    pub async fn history(
        &self,
        player: &Player,
    ) -> Result<HashMap<String, QuestionHistory>, StoreError> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT DISTINCT ON (question_id) question_id, answered_at, correct
             FROM answers WHERE player_id = $1
             ORDER BY question_id, answered_at DESC, id DESC",
        )
        .bind(player.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn create_session(
        &self,
        player: &Player,
        session: &NewSession<'_>,
    ) -> Result<QuizSession, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quiz_sessions (community_id, player_id, topic, question_ids, created_at,
                                        expires_at, review)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(player.community_id)
        .bind(player.id)
        .bind(session.topic)
        .bind(session.question_ids)
        .bind(session.now)
        .bind(session.expires_at)
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
            "UPDATE quiz_sessions SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The board's top `query.limit` players with points. Up to
    /// [`BOARD_LEADERS`], read from the board's leaders and the players who
    /// moved since the last fold (the top is among them, see
    /// `migrations/postgres/0012_board_leaders.sql`), however many players
    /// stand on the board. A longer list reads the whole board.
    pub async fn leaderboard(
        &self,
        query: &BoardQuery<'_>,
    ) -> Result<Vec<Ranked<Standing>>, StoreError> {
        let columns = PeriodColumns::of(query.period);
        let (standing, current) = (columns.standing(), columns.current("s", "$4"));
        let points = columns.points;
        let from_leaders = query.limit <= BOARD_LEADERS;
        let sql = if from_leaders {
            let (code, prefix) = (columns.code, columns.prefix);
            let this_period = columns.current("c", "$4");
            format!(
                "WITH candidates AS (
                     SELECT l.player_id FROM board_leaders l
                     WHERE l.community_id = $1 AND l.topic = $2 AND l.period = '{code}'
                       AND l.starts_on = $4
                     UNION
                     (SELECT c.player_id FROM board_changes c
                      WHERE c.community_id = $1 AND c.topic = $2 AND c.player_id IS NOT NULL
                            {this_period}
                      GROUP BY c.player_id
                      ORDER BY max(c.{prefix}_now) DESC, c.player_id
                      LIMIT $3)
                 )
                 SELECT {standing}
                 FROM candidates k
                 JOIN player_totals s
                   ON s.community_id = $1 AND s.topic = $2 AND s.player_id = k.player_id
                 JOIN players p ON p.id = s.player_id
                 WHERE s.{points} > 0 {current}
                 ORDER BY s.{points} DESC, s.player_id
                 LIMIT $3"
            )
        } else {
            format!(
                "SELECT {standing}
                 FROM player_totals s JOIN players p ON p.id = s.player_id
                 WHERE s.community_id = $1 AND s.topic = $2 AND s.{points} > 0 {current}
                 ORDER BY s.{points} DESC, s.player_id
                 LIMIT $3"
            )
        };
        let mut statement = sqlx::query_as::<_, StandingRow>(&sql)
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(query.limit as i64);
        if from_leaders || columns.starts_on.is_some() {
            statement = statement.bind(board_start(query));
        }
        let rows = statement.fetch_all(&self.pool).await?;
        let standings = rows.into_iter().map(Standing::from).collect();
        Ok(rank_by_points(standings, |s: &Standing| s.points))
    }

    pub async fn rank_of(
        &self,
        query: &BoardQuery<'_>,
        player_id: i64,
    ) -> Result<Option<Ranked<Standing>>, StoreError> {
        let columns = PeriodColumns::of(query.period);
        let (standing, current) = (columns.standing(), columns.current("s", "$4"));
        let (points, code) = (columns.points, columns.code);
        // 1 + the players at higher scores in the board's histogram, plus
        // the moves since the last fold: those now above, less those who
        // were.
        let histogram = format!(
            "SELECT sum(h.players) FROM board_points h
             WHERE h.community_id = $1 AND h.topic = $2 AND h.period = '{code}'
               AND h.starts_on = $4 AND h.points > s.{points}"
        );
        let (was, now) = (
            format!("c.{}_was", columns.prefix),
            format!("c.{}_now", columns.prefix),
        );
        let this_period = columns.current("c", "$4");
        let moves = format!(
            "SELECT count(*) FILTER (WHERE {now} > s.{points})
                    - count(*) FILTER (WHERE {was} > s.{points})
             FROM board_changes c
             WHERE c.community_id = $1 AND c.topic = $2 {this_period}"
        );
        let sql = format!(
            "SELECT {standing},
                    CAST(1 + coalesce(({histogram}), 0) + ({moves}) AS BIGINT) AS rank
             FROM player_totals s JOIN players p ON p.id = s.player_id
             WHERE s.community_id = $1 AND s.topic = $2 AND s.player_id = $3 {current}"
        );
        let row: Option<RankedStandingRow> = sqlx::query_as(&sql)
            .bind(query.community_id)
            .bind(query.topic.unwrap_or(""))
            .bind(player_id)
            .bind(board_start(query))
            .fetch_optional(&self.pool)
            .await?;
        row.map(Ranked::try_from).transpose()
    }

    /// Moves the boards' changes into their histograms, one row per score,
    /// and places the players who moved among their boards' leaders;
    /// returns how many changes it moved. Ranks are exact whenever it runs:
    /// it keeps them quick. One replica folds at a time; another returns 0
    /// at once.
    pub async fn fold_boards(&self) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ours: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(FOLD_LOCK)
            .fetch_one(&mut *tx)
            .await?;
        if !ours {
            return Ok(0);
        }
        let moved: i64 = sqlx::query_scalar(
            "WITH moved AS (
                 DELETE FROM board_changes RETURNING *
             ), steps AS (
                 SELECT m.community_id, m.topic, s.period, s.starts_on, s.points,
                        sum(s.players) AS players
                 FROM moved m
                 CROSS JOIN LATERAL (VALUES ('d'::\"char\", m.day_on, m.day_now, 1::bigint),
                                            ('d', m.day_on, m.day_was, -1),
                                            ('w', m.week_on, m.week_now, 1),
                                            ('w', m.week_on, m.week_was, -1),
                                            ('m', m.month_on, m.month_now, 1),
                                            ('m', m.month_on, m.month_was, -1),
                                            ('a', DATE 'epoch', m.all_now, 1),
                                            ('a', DATE 'epoch', m.all_was, -1))
                     AS s (period, starts_on, points, players)
                 WHERE s.points > 0
                 GROUP BY m.community_id, m.topic, s.period, s.starts_on, s.points
             ), folded AS (
                 INSERT INTO board_points AS b (community_id, topic, period, starts_on, points,
                                               players)
                 SELECT community_id, topic, period, starts_on, points, players FROM steps
                 WHERE players <> 0
                 ORDER BY community_id, topic, period, starts_on, points
                 ON CONFLICT (community_id, topic, period, starts_on, points)
                 DO UPDATE SET players = b.players + EXCLUDED.players
             ), movers AS (
                 SELECT DISTINCT m.community_id, m.topic, b.period, b.starts_on, m.player_id
                 FROM moved m
                 CROSS JOIN LATERAL (VALUES ('d'::\"char\", m.day_on), ('w', m.week_on),
                                            ('m', m.month_on), ('a', DATE 'epoch'))
                     AS b (period, starts_on)
                 WHERE m.player_id IS NOT NULL
             ), candidates AS (
                 SELECT community_id, topic, period, starts_on, player_id FROM movers
                 UNION
                 SELECT l.community_id, l.topic, l.period, l.starts_on, l.player_id
                 FROM board_leaders l
                 WHERE (l.community_id, l.topic, l.period, l.starts_on) IN
                       (SELECT community_id, topic, period, starts_on FROM movers)
             ), scored AS (
                 SELECT k.community_id, k.topic, k.period, k.starts_on, k.player_id,
                        coalesce(CASE k.period
                                     WHEN 'd' THEN CASE WHEN t.day_on = k.starts_on
                                                        THEN t.day_points END
                                     WHEN 'w' THEN CASE WHEN t.week_on = k.starts_on
                                                        THEN t.week_points END
                                     WHEN 'm' THEN CASE WHEN t.month_on = k.starts_on
                                                        THEN t.month_points END
                                     ELSE t.points
                                 END, 0) AS points
                 FROM candidates k
                 LEFT JOIN player_totals t ON t.community_id = k.community_id
                                          AND t.topic = k.topic AND t.player_id = k.player_id
             ), placed AS (
                 SELECT *, row_number() OVER (
                               PARTITION BY community_id, topic, period, starts_on
                               ORDER BY points DESC, player_id) AS place
                 FROM scored
             ), joined AS (
                 INSERT INTO board_leaders (community_id, topic, period, starts_on, player_id)
                 SELECT community_id, topic, period, starts_on, player_id FROM placed
                 WHERE place <= $1 AND points > 0
                 ON CONFLICT DO NOTHING
             ), dropped AS (
                 DELETE FROM board_leaders l USING placed p
                 WHERE l.community_id = p.community_id AND l.topic = p.topic
                   AND l.period = p.period AND l.starts_on = p.starts_on
                   AND l.player_id = p.player_id AND (p.place > $1 OR p.points <= 0)
             )
             SELECT count(*) FROM moved",
        )
        .bind(BOARD_LEADERS as i64)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u64::try_from(moved).unwrap_or(0))
    }

    /// Drops the histograms' scores no player stands at any more, and the
    /// histograms and leaders of days, weeks and months that are over in
    /// every time zone (a board is asked for in its own period only);
    /// returns how many rows it dropped.
    pub async fn prune_boards(&self) -> Result<u64, StoreError> {
        const OVER: &str = "(period = 'd' AND starts_on < current_date - 2)
                            OR (period = 'w' AND starts_on < current_date - 9)
                            OR (period = 'm' AND starts_on < current_date - 33)";
        let scores = sqlx::query(&format!(
            "DELETE FROM board_points WHERE players = 0 OR {OVER}"
        ))
        .execute(&self.pool)
        .await?;
        let leaders = sqlx::query(&format!("DELETE FROM board_leaders WHERE {OVER}"))
            .execute(&self.pool)
            .await?;
        Ok(scores.rows_affected() + leaders.rows_affected())
    }

    pub async fn cards(
        &self,
        player: &Player,
        question_ids: &[String],
    ) -> Result<Vec<Card>, StoreError> {
        let rows: Vec<QuestionCardRow> = sqlx::query_as(
            "SELECT question_id, topic, stability, difficulty, reviewed_at, due_at, reps, lapses
             FROM review_cards WHERE player_id = $1 AND question_id = ANY($2)
             ORDER BY question_id",
        )
        .bind(player.id)
        .bind(question_ids)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Card::try_from).collect()
    }

    pub async fn answer_counts(
        &self,
        question_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let counts = sqlx::query_as(
            "SELECT question_id, count(*) AS answers FROM answers
             WHERE question_id = ANY($1) GROUP BY question_id ORDER BY question_id",
        )
        .bind(question_ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(counts)
    }
}

/// Replaces every card with those replayed from the answers; returns how
/// many cards there are.
async fn rebuild_cards(tx: &mut sqlx::PgConnection) -> Result<u64, StoreError> {
    sqlx::query("DELETE FROM review_cards")
        .execute(&mut *tx)
        .await?;
    let answers: Vec<ReplayedAnswer> = sqlx::query_as(REPLAYED_ANSWERS).fetch_all(&mut *tx).await?;
    let rebuilt = replay_answers(&answers)?;
    for chunk in rebuilt.cards.chunks(5_000) {
        let mut columns = CardColumns::default();
        for card in chunk {
            columns.push(card);
        }
        sqlx::query(
            "INSERT INTO review_cards (community_id, player_id, question_id, topic, stability,
                                       difficulty, reviewed_at, due_at, reps, lapses)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[],
                                  $5::real[], $6::real[], $7::timestamptz[], $8::timestamptz[],
                                  $9::int[], $10::int[])",
        )
        .bind(&columns.community_ids)
        .bind(&columns.player_ids)
        .bind(&columns.question_ids)
        .bind(&columns.topics)
        .bind(&columns.stabilities)
        .bind(&columns.difficulties)
        .bind(&columns.reviewed_at)
        .bind(&columns.due_at)
        .bind(&columns.reps)
        .bind(&columns.lapses)
        .execute(&mut *tx)
        .await?;
    }
    Ok(u64::try_from(rebuilt.cards.len()).unwrap_or(u64::MAX))
}

/// Cards as columns, for one `unnest` insert.
#[derive(Default)]
struct CardColumns<'a> {
    community_ids: Vec<i64>,
    player_ids: Vec<i64>,
    question_ids: Vec<&'a str>,
    topics: Vec<&'a str>,
    stabilities: Vec<f32>,
    difficulties: Vec<f32>,
    reviewed_at: Vec<DateTime<Utc>>,
    due_at: Vec<DateTime<Utc>>,
    reps: Vec<i32>,
    lapses: Vec<i32>,
}

impl<'a> CardColumns<'a> {
    fn push(&mut self, row: &'a CardRow) {
        let card = &row.state;
        self.community_ids.push(row.community_id);
        self.player_ids.push(row.player_id);
        self.question_ids.push(&row.question_id);
        self.topics.push(&row.topic);
        self.stabilities.push(card.stability);
        self.difficulties.push(card.difficulty);
        self.reviewed_at.push(card.reviewed_at);
        self.due_at.push(card.due_at);
        self.reps.push(int4(card.reps));
        self.lapses.push(int4(card.lapses));
    }
}

/// A quiz session as [`SESSION_BY_ID`] reads it: the question ids as a
/// `text[]`.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    community_id: i64,
    player_id: i64,
    topic: Option<String>,
    question_ids: Vec<String>,
    answered_to: i64,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    review: bool,
}

impl TryFrom<SessionRow> for QuizSession {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<QuizSession, StoreError> {
        Ok(QuizSession {
            id: row.id,
            community_id: row.community_id,
            player_id: row.player_id,
            topic: row.topic,
            question_ids: row.question_ids,
            position: count_from(row.answered_to, "session position")?,
            created_at: row.created_at,
            expires_at: row.expires_at,
            finished_at: row.finished_at,
            review: row.review,
        })
    }
}

/// Where `player_totals` keeps a period: its total's columns and, except
/// for all time, the column naming which day, week or month they count.
struct PeriodColumns {
    /// The period's code in the boards' histograms.
    code: char,
    /// Its columns' prefix in the boards' changes.
    prefix: &'static str,
    starts_on: Option<&'static str>,
    points: &'static str,
    answered: &'static str,
    correct: &'static str,
}

impl PeriodColumns {
    fn of(period: Period) -> PeriodColumns {
        match period {
            Period::Today => PeriodColumns {
                code: 'd',
                prefix: "day",
                starts_on: Some("day_on"),
                points: "day_points",
                answered: "day_answered",
                correct: "day_correct",
            },
            Period::Week => PeriodColumns {
                code: 'w',
                prefix: "week",
                starts_on: Some("week_on"),
                points: "week_points",
                answered: "week_answered",
                correct: "week_correct",
            },
            Period::Month => PeriodColumns {
                code: 'm',
                prefix: "month",
                starts_on: Some("month_on"),
                points: "month_points",
                answered: "month_answered",
                correct: "month_correct",
            },
            Period::AllTime => PeriodColumns {
                code: 'a',
                prefix: "all",
                starts_on: None,
                points: "points",
                answered: "answered",
                correct: "correct",
            },
        }
    }

    /// A [`StandingRow`]'s columns from totals row `s` joined with player `p`.
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
