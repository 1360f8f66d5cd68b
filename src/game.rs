//! Quiz sessions played against the store: start a session, answer its
//! current question, move on, sum it up.
//!
//! The terminal and every platform drive a quiz through [`Game`], so a
//! session behaves the same everywhere: the same checks (whose session,
//! which question, expired or finished), the same grading and scoring from
//! [`crate::quiz`], the same idempotent recording.

use chrono::{DateTime, Duration, Utc};

use crate::bank::Question;
use crate::content::Content;
use crate::daily::DailyPost;
use crate::identity::Platform;
use crate::progress;
use crate::quiz::{self, AnswerError, AnsweredQuestion, Grade, SessionSummary};
use crate::review::{self, TopicRecord};
use crate::store::{NewAnswer, NewSession, Player, QuizSession, Recorded, Store, StoreError};

/// How long a session's buttons keep working after it starts.
pub const SESSION_LIFETIME_HOURS: i64 = 2;
/// How many of a player's weakest topics a weak-spots session draws from.
pub const WEAK_TOPICS: usize = 3;

/// Why a quiz step was refused. Nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum GameError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown topic `{0}`")]
    UnknownTopic(String),
    #[error("there are no questions to ask")]
    NoQuestions,
    #[error("no topic is weak yet")]
    NoWeakTopics,
    #[error("this quiz session does not exist")]
    SessionNotFound,
    #[error("this quiz session has expired")]
    SessionExpired,
    #[error("this quiz session is over")]
    SessionFinished,
    #[error("this quiz session belongs to someone else")]
    NotYourSession,
    #[error("this question is no longer the current one")]
    StaleQuestion,
    #[error("this question is no longer in the question bank")]
    QuestionGone,
    #[error(transparent)]
    BadAnswer(#[from] AnswerError),
    #[error("this daily question does not exist")]
    DailyNotFound,
    #[error("this daily question belongs to another community")]
    DailyElsewhere,
    #[error("the answer to this daily question has been revealed")]
    DailyClosed,
}

/// The result of answering a session's question.
#[derive(Debug, Clone)]
pub struct AnswerOutcome<'c> {
    pub question: &'c Question,
    pub grade: Grade,
    pub recorded: Recorded,
    /// The session at the question answered.
    pub session: QuizSession,
}

impl AnswerOutcome<'_> {
    pub fn is_last(&self) -> bool {
        self.session.is_last()
    }
}

/// The result of answering a daily question.
#[derive(Debug, Clone)]
pub struct DailyOutcome<'c> {
    pub question: &'c Question,
    pub grade: Grade,
    /// A duplicate means the player had answered already: the first answer
    /// stands.
    pub recorded: Recorded,
    pub post: DailyPost,
}

/// Quiz sessions over one content set and one store.
#[derive(Debug, Clone, Copy)]
pub struct Game<'a> {
    pub content: &'a Content,
    pub store: &'a Store,
}

impl<'a> Game<'a> {
    pub fn new(content: &'a Content, store: &'a Store) -> Self {
        Self { content, store }
    }

    /// Starts a session of up to `count` questions for `player`.
    pub async fn start<R: rand::Rng + ?Sized>(
        &self,
        player: &Player,
        topic: Option<&str>,
        count: usize,
        now: DateTime<Utc>,
        rng: &mut R,
    ) -> Result<QuizSession, GameError> {
        if let Some(topic) = topic {
            if self.content.bank.topic(topic).is_none() {
                return Err(GameError::UnknownTopic(topic.to_string()));
            }
        }
        let count = count.clamp(1, quiz::MAX_SESSION_QUESTIONS);
        let history = self.store.history(player).await?;
        let picked = quiz::pick_questions(self.content.bank.askable(topic), &history, count, rng);
        if picked.is_empty() {
            return Err(GameError::NoQuestions);
        }
        self.create(player, topic, &picked, false, now).await
    }

    /// Starts a session of up to `count` questions from the player's
    /// weakest topics ([`progress::weakest_topics`]), picked as any quiz's
    /// are: unseen first, then missed, then the rest.
    pub async fn start_weak<R: rand::Rng + ?Sized>(
        &self,
        player: &Player,
        count: usize,
        now: DateTime<Utc>,
        rng: &mut R,
    ) -> Result<QuizSession, GameError> {
        let count = count.clamp(1, quiz::MAX_SESSION_QUESTIONS);
        let topics = self.topic_records(player, now).await?;
        let weak = progress::weakest_topics(&self.content.bank, &topics, WEAK_TOPICS);
        if weak.is_empty() {
            return Err(GameError::NoWeakTopics);
        }
        let history = self.store.history(player).await?;
        let candidates = self
            .content
            .bank
            .askable(None)
            .filter(|q| weak.iter().any(|t| t.topic == q.topic));
        let picked = quiz::pick_questions(candidates, &history, count, rng);
        if picked.is_empty() {
            return Err(GameError::NoQuestions);
        }
        self.create(player, None, &picked, false, now).await
    }

    /// The player's answers per topic.
    async fn topic_records(
        &self,
        player: &Player,
        now: DateTime<Utc>,
    ) -> Result<Vec<TopicRecord>, GameError> {
        let today = quiz::local_day(now, player.time_zone);
        Ok(self
            .store
            .stats(player, today)
            .await?
            .topics
            .into_iter()
            .map(|t| TopicRecord {
                topic: t.topic,
                answered: t.answered,
                correct: t.correct,
            })
            .collect())
    }

    /// Starts a review session of up to `count` questions: the player's
    /// cards due by `until`, most overdue first, then questions they never
    /// answered from their weakest topics ([`review::plan_session`]).
    /// `None` when there is nothing to review: no card due and every
    /// question answered.
    pub async fn start_review<R: rand::Rng + ?Sized>(
        &self,
        player: &Player,
        count: usize,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        rng: &mut R,
    ) -> Result<Option<QuizSession>, GameError> {
        let count = count.clamp(1, quiz::MAX_SESSION_QUESTIONS);
        // A few more than asked, in case some left the bank.
        let due = self.store.due_cards(player, until, count * 2).await?;
        if due.is_empty() {
            return Ok(None);
        }
        let history = self.store.history(player).await?;
        let topics = self.topic_records(player, now).await?;
        let picked = review::plan_session(&self.content.bank, &due, &history, &topics, count, rng);
        if picked.is_empty() {
            return Ok(None);
        }
        self.create(player, None, &picked, true, now)
            .await
            .map(Some)
    }

    async fn create(
        &self,
        player: &Player,
        topic: Option<&str>,
        picked: &[&Question],
        review: bool,
        now: DateTime<Utc>,
    ) -> Result<QuizSession, GameError> {
        let ids: Vec<String> = picked.iter().map(|q| q.id.clone()).collect();
        let session = NewSession {
            topic,
            question_ids: &ids,
            review,
            now,
            expires_at: now + Duration::hours(SESSION_LIFETIME_HOURS),
        };
        Ok(self.store.create_session(player, &session).await?)
    }

    /// A session that `player` may still play.
    pub async fn open_session(
        &self,
        player: &Player,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> Result<QuizSession, GameError> {
        let session = self
            .store
            .session(session_id)
            .await?
            .ok_or(GameError::SessionNotFound)?;
        if session.player_id != player.id {
            return Err(GameError::NotYourSession);
        }
        if session.finished_at.is_some() {
            return Err(GameError::SessionFinished);
        }
        if session.is_expired(now) {
            return Err(GameError::SessionExpired);
        }
        Ok(session)
    }

    /// The question at `position` of a session.
    pub fn question(
        &self,
        session: &QuizSession,
        position: usize,
    ) -> Result<&'a Question, GameError> {
        let id = session
            .question_ids
            .get(position)
            .ok_or(GameError::StaleQuestion)?;
        self.content
            .bank
            .question(id)
            .ok_or(GameError::QuestionGone)
    }

    /// Grades and records `chosen` for the question at `position`. A
    /// second answer to the same question (or the same interaction
    /// delivered twice) is reported as a duplicate and scores nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer(
        &self,
        player: &Player,
        session_id: i64,
        position: usize,
        chosen: &[usize],
        interaction_id: Option<String>,
        elapsed_ms: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome<'a>, GameError> {
        let session = match self.open_session(player, session_id, now).await {
            // The last answer finishes the session: the same answer again
            // (a click delivered twice) still shows it, not a refusal.
            Err(GameError::SessionFinished)
                if self.answered(session_id, position, chosen).await? =>
            {
                self.store
                    .session(session_id)
                    .await?
                    .ok_or(GameError::SessionNotFound)?
            }
            found => found?,
        };
        // A question past the first unanswered one was never shown; an
        // earlier one was answered, and recording it again reports that
        // first answer.
        if position > session.position {
            return Err(GameError::StaleQuestion);
        }
        let question = self.question(&session, position)?;
        let grade = quiz::grade(question, chosen)?;
        let recorded = self
            .store
            .record_answer(
                player,
                &NewAnswer {
                    elapsed_ms,
                    interaction_id,
                    session: Some((session.id, position)),
                    review: session.review,
                    ..NewAnswer::new(question, grade.clone(), now)
                },
            )
            .await?;
        Ok(AnswerOutcome {
            question,
            grade,
            recorded,
            session: session.at_question(position),
        })
    }

    /// Whether the question at `position` of a session was answered with
    /// `chosen`.
    async fn answered(
        &self,
        session_id: i64,
        position: usize,
        chosen: &[usize],
    ) -> Result<bool, GameError> {
        let mut chosen = chosen.to_vec();
        chosen.sort_unstable();
        let answers = self.store.session_answers(session_id).await?;
        Ok(answers.iter().any(|a| {
            let mut recorded = a.choices.clone();
            recorded.sort_unstable();
            a.position == position && recorded == chosen
        }))
    }

    /// The session as it stands for a Next from question `from`: at the
    /// first question not yet answered, so repeating the request, or a
    /// Next on a question never answered, only shows where it is.
    pub async fn next(
        &self,
        player: &Player,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> Result<QuizSession, GameError> {
        self.open_session(player, session_id, now).await
    }

    /// Ends the session and sums it up.
    pub async fn finish(
        &self,
        session_id: i64,
        now: DateTime<Utc>,
    ) -> Result<SessionSummary, GameError> {
        self.store.finish_session(session_id, now).await?;
        let answers = self.store.session_answers(session_id).await?;
        let answered: Vec<AnsweredQuestion> = answers
            .into_iter()
            .map(|a| AnsweredQuestion {
                question_id: a.question_id,
                topic: a.topic,
                correct: a.correct,
                points: a.points,
            })
            .collect();
        Ok(quiz::summarize(&answered))
    }

    /// Grades and records `player`'s answer to a daily post of `platform`.
    /// Only the first answer counts; later ones come back as the duplicate
    /// of the first. Refused once the answer is revealed.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_daily(
        &self,
        player: &Player,
        platform: Platform,
        community: &crate::identity::ExternalId,
        post_id: i64,
        chosen: &[usize],
        interaction_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<DailyOutcome<'a>, GameError> {
        let (post, schedule) = self
            .store
            .daily_post(post_id)
            .await?
            .ok_or(GameError::DailyNotFound)?;
        if schedule.platform != platform || &schedule.community != community {
            return Err(GameError::DailyElsewhere);
        }
        if !post.is_open(now) {
            return Err(GameError::DailyClosed);
        }
        let question = self
            .content
            .bank
            .question(&post.question_id)
            .ok_or(GameError::QuestionGone)?;
        let grade = quiz::grade(question, chosen)?;
        let elapsed_ms = post
            .posted_at
            .map(|shown| (now - shown).num_milliseconds())
            .filter(|ms| *ms >= 0);
        let recorded = self
            .store
            .record_answer(
                player,
                &NewAnswer {
                    elapsed_ms,
                    interaction_id,
                    daily_post: Some(post.id),
                    ..NewAnswer::new(question, grade.clone(), now)
                },
            )
            .await?;
        Ok(DailyOutcome {
            question,
            grade,
            recorded,
            post,
        })
    }
}
