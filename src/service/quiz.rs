//! Quiz sessions and the daily question's answers: start, answer, move on,
//! sum up; each step checked and recorded by [`Game`] and shown as a view.

use chrono::{DateTime, Utc};

use super::{Caller, Service, ServiceError};
use crate::game::{Game, SESSION_LIFETIME_HOURS};
use crate::i18n::Texts;
use crate::quiz;
use crate::refusal::Refusal;
use crate::store::QuizSession;
use crate::telemetry::{self, AnswerMode};
use crate::view::{Answered, Feedback, MockStep, NextStep, QuestionCard, ReviewStart, SummaryView};

/// What the platform knows about a click on an answer.
#[derive(Debug, Clone, Default)]
pub struct Click {
    /// The platform's id of the interaction: a click delivered twice is
    /// recorded once.
    pub interaction_id: Option<String>,
    /// When the question was last drawn, to time the answer.
    pub shown_at: Option<DateTime<Utc>>,
}

impl Click {
    /// How long the question was on screen, when it is believable.
    fn elapsed_ms(&self, now: DateTime<Utc>) -> Option<i64> {
        let elapsed = (now - self.shown_at?).num_milliseconds();
        (0..=SESSION_LIFETIME_HOURS * 3_600_000)
            .contains(&elapsed)
            .then_some(elapsed)
    }
}

/// How many questions a session asked for `count` has: the default when
/// unset, else `count` if it is within 1 to the most a session holds.
pub(super) fn session_length(count: Option<usize>) -> Result<usize, Refusal> {
    match count {
        None => Ok(quiz::DEFAULT_SESSION_QUESTIONS),
        Some(n) if (1..=quiz::MAX_SESSION_QUESTIONS).contains(&n) => Ok(n),
        Some(_) => Err(Refusal::BadCount {
            max: quiz::MAX_SESSION_QUESTIONS,
        }),
    }
}

/// What `/quiz` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizMode {
    /// A quiz from every topic, or one.
    Quiz,
    /// The member's due cards (spaced review).
    Review,
    /// The member's weakest topics.
    Weak,
    /// A timed mock exam at the blueprint's weights.
    Mock,
}

/// What starting a session shows.
#[derive(Debug, Clone)]
pub enum SessionStart {
    Card(Box<QuestionCard>),
    Review(ReviewStart),
    Mock(MockStep),
}

impl Service {
    /// Starts what `/quiz` asks for, on every platform: a quiz (of `topic`
    /// when given), a review, the weakest topics or a mock exam, of `count`
    /// questions when given. A topic goes with an ordinary quiz only; with
    /// another mode it is refused rather than dropped.
    pub async fn start(
        &self,
        caller: &Caller,
        mode: QuizMode,
        topic: Option<&str>,
        count: Option<usize>,
    ) -> Result<SessionStart, ServiceError> {
        let topic = topic.filter(|t| !t.trim().is_empty());
        if topic.is_some() && mode != QuizMode::Quiz {
            return Err(Refusal::TopicWithMode.into());
        }
        Ok(match mode {
            QuizMode::Quiz => {
                SessionStart::Card(Box::new(self.start_quiz(caller, topic, count).await?))
            }
            QuizMode::Review => SessionStart::Review(self.start_review(caller, count).await?),
            QuizMode::Weak => SessionStart::Card(Box::new(self.start_weak(caller, count).await?)),
            QuizMode::Mock => SessionStart::Mock(self.start_mock(caller, count, None).await?),
        })
    }

    /// Starts a private session of `count` questions (the default when
    /// unset) from `topic` (an id or a name; every topic when unset).
    pub async fn start_quiz(
        &self,
        caller: &Caller,
        topic: Option<&str>,
        count: Option<usize>,
    ) -> Result<QuestionCard, ServiceError> {
        let count = session_length(count)?;
        let content = self.content();
        let topic = topic
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.resolve_topic(&content, t))
            .transpose()?;
        let (community, player) = self.member(caller).await?;
        let game = Game::new(&content, self.store());
        let mut rng = self.fork_rng();
        let session = game
            .start(&player, topic.as_deref(), count, self.now(), &mut rng)
            .await?;
        self.card(self.texts_for(&community), &game, &session)
    }

    /// Starts a private session of `count` questions (the default when
    /// unset) from the caller's weakest topics.
    pub async fn start_weak(
        &self,
        caller: &Caller,
        count: Option<usize>,
    ) -> Result<QuestionCard, ServiceError> {
        let count = session_length(count)?;
        let content = self.content();
        let (community, player) = self.member(caller).await?;
        let game = Game::new(&content, self.store());
        let mut rng = self.fork_rng();
        let session = game
            .start_weak(&player, count, self.now(), &mut rng)
            .await?;
        self.card(self.texts_for(&community), &game, &session)
    }

    /// The card of the question a session is at.
    pub(super) fn card(
        &self,
        texts: Texts,
        game: &Game<'_>,
        session: &QuizSession,
    ) -> Result<QuestionCard, ServiceError> {
        let question = game.question(session, session.position)?;
        Ok(QuestionCard::new(texts, game.content, session, question))
    }

    /// Grades and records the answer to the question at `position` of a
    /// session, and shows the feedback (with the summary after the last
    /// question). A click delivered twice shows the first answer.
    pub async fn answer(
        &self,
        caller: &Caller,
        session: i64,
        position: usize,
        chosen: &[usize],
        click: &Click,
    ) -> Result<Feedback, ServiceError> {
        let content = self.content();
        let (community, player) = self.answering_member(caller).await?;
        let texts = self.texts_for(&community);
        let game = Game::new(&content, self.store());
        let now = self.now();
        let outcome = game
            .answer(
                &player,
                session,
                position,
                chosen,
                click.interaction_id.clone(),
                click.elapsed_ms(now),
                now,
            )
            .await
            .map_err(|err| ServiceError::from(err).losing_answer())?;
        let mode = if outcome.session.review {
            AnswerMode::Review
        } else {
            AnswerMode::Quiz
        };
        telemetry::answer(
            caller.identity.platform,
            mode,
            &outcome.recorded,
            outcome.grade.correct,
        );
        let summary = if outcome.is_last() {
            match self
                .summary(texts, &game, &player, &outcome.session, now)
                .await
            {
                Ok(summary) => Some(summary),
                Err(err) => {
                    // The answer is recorded; the feedback still shows, with
                    // a button that asks for the summary again.
                    err.log("finishing a session");
                    None
                }
            }
        } else {
            None
        };
        let excerpts = content.excerpts_for(outcome.question);
        let answered = Answered {
            question: outcome.question,
            chosen,
            correct: outcome.grade.correct,
            recorded: &outcome.recorded,
            excerpts: &excerpts,
        };
        Ok(Feedback::for_session(
            texts,
            &content,
            &outcome.session,
            &answered,
            summary,
        ))
    }

    /// Moves a session on: the card of its first question not yet
    /// answered, or the summary once every one is. Repeating it is
    /// harmless.
    pub async fn next(&self, caller: &Caller, session: i64) -> Result<NextStep, ServiceError> {
        let content = self.content();
        let (community, player) = self.member(caller).await?;
        let texts = self.texts_for(&community);
        let game = Game::new(&content, self.store());
        let now = self.now();
        let session = game.next(&player, session, now).await?;
        if session.position >= session.question_ids.len() {
            let summary = self.summary(texts, &game, &player, &session, now).await?;
            return Ok(NextStep::Summary(summary));
        }
        Ok(NextStep::Card(Box::new(self.card(texts, &game, &session)?)))
    }

    /// Ends a session early (the terminal's `q`) and sums it up.
    pub async fn finish(&self, caller: &Caller, session: i64) -> Result<SummaryView, ServiceError> {
        let content = self.content();
        let (community, player) = self.member(caller).await?;
        let game = Game::new(&content, self.store());
        let now = self.now();
        let found = self.store().session(session).await?;
        match found {
            Some(QuizSession { player_id, .. }) if player_id != player.id => {
                Err(Refusal::NotYourSession.into())
            }
            Some(found) => {
                let texts = self.texts_for(&community);
                self.summary(texts, &game, &player, &found, now).await
            }
            None => Err(Refusal::SessionOver.into()),
        }
    }

    /// Grades and records an answer to a daily post of the caller's
    /// community. Only the first answer counts; a later one shows it.
    pub async fn answer_daily(
        &self,
        caller: &Caller,
        post: i64,
        chosen: &[usize],
        click: &Click,
    ) -> Result<Feedback, ServiceError> {
        let content = self.content();
        let (community, player) = self.answering_member(caller).await?;
        let game = Game::new(&content, self.store());
        let identity = &caller.identity;
        let outcome = game
            .answer_daily(
                &player,
                identity.platform,
                &identity.community,
                post,
                chosen,
                click.interaction_id.clone(),
                self.now(),
            )
            .await
            .map_err(|err| ServiceError::from(err).losing_answer())?;
        telemetry::answer(
            identity.platform,
            AnswerMode::Daily,
            &outcome.recorded,
            outcome.grade.correct,
        );
        let excerpts = content.excerpts_for(outcome.question);
        let answered = Answered {
            question: outcome.question,
            chosen,
            correct: outcome.grade.correct,
            recorded: &outcome.recorded,
            excerpts: &excerpts,
        };
        Ok(Feedback::for_daily(
            self.texts_for(&community),
            &answered,
            post,
        ))
    }
}
