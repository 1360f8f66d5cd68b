//! The live rounds' host: on every replica, for one platform, it finds the
//! rounds that have not ended and does what [`crate::live::next_step`]
//! says is due: posts a question, reveals it at its deadline, records its
//! answers, and at the end posts the round's results.
//!
//! Nothing here is kept only in memory: a round is rows, and each stage
//! of a question (post, reveal, score) and the end of a round is done by
//! the replica holding the row's short [`LEASE`], noted in the row before
//! the lease is given back. A replica that dies leaves its lease to
//! expire and another carries the round on; every platform call is cut
//! off well inside the lease ([`SEND_TIMEOUT`]), so a slow call cannot
//! outlive it. Discord drops a second copy of a post by its nonce; a
//! reveal is an edit, so doing it again changes nothing. A round nobody
//! carried past a deadline and its grace ends with a message instead of
//! going on ([`crate::live::Ending::Interrupted`]).
//!
//! The quizmaster sleeps until the next deadline or post it knows of, so
//! a reveal comes within milliseconds of its deadline; it also looks
//! every [`LiveTimings::poll`] for rounds started on other replicas, and is woken at
//! once by a start or stop on its own. Each round is advanced by a task of
//! its own, so recording one round's answers never delays another's
//! reveal. The platform is a [`LiveChannel`]; the clock is the caller's.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::bank::Question;
use crate::content::Content;
use crate::i18n::Texts;
use crate::identity::Platform;
use crate::live::{
    self, answer_key, next_step, Ending, LiveAnswer, LiveQuestion, LiveRound, LiveTimings,
    QuestionTally, ScoreLine, Stage, Step,
};
use crate::quiz::{Grade, Ranked};
use crate::scheduler::DeliveryError;
use crate::service::Service;
use crate::store::{NewAnswer, Player, Store, StoreError};
use crate::telemetry::{self, AnswerMode};
use crate::view::{LiveQuestionView, LiveResultsView, LiveRevealView, MostMissed};

/// How long a replica may take over one stage before another may.
pub const LEASE: Duration = Duration::seconds(10);
/// The longest a platform call may take: well inside [`LEASE`].
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a reveal or the results keep being tried when the platform
/// fails; then the question is closed (or the round ended) without them.
pub const GIVE_UP: Duration = Duration::minutes(10);
/// How soon a round another replica was working on is looked at again.
const RECHECK: Duration = Duration::milliseconds(250);
/// How soon a round whose step failed is tried again.
const RETRY: Duration = Duration::seconds(2);
/// Answers recorded at once when a question is scored.
const RECORDING_AT_ONCE: usize = 8;
/// How long a step in progress may take to finish at shutdown.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// The time, as the caller keeps it (tests drive rounds in seconds).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A question to post.
#[derive(Debug)]
pub struct QuestionPost<'a> {
    pub round: &'a LiveRound,
    pub question: &'a LiveQuestion,
    pub view: LiveQuestionView,
}

/// A question to reveal: its message becomes the results.
#[derive(Debug)]
pub struct QuestionReveal<'a> {
    pub round: &'a LiveRound,
    pub question: &'a LiveQuestion,
    /// The platform's id of the question's message.
    pub message_id: &'a str,
    pub tally: QuestionTally,
    pub view: LiveRevealView,
}

/// A round's results, posted as it ends.
#[derive(Debug)]
pub struct RoundResults<'a> {
    pub round: &'a LiveRound,
    pub ending: Ending,
    pub board: Vec<Ranked<ScoreLine>>,
    pub view: LiveResultsView,
}

/// Where a live round's messages go: one platform's channels.
pub trait LiveChannel: Send + Sync {
    /// Posts the question in the round's channel; returns the message's id.
    fn post_question(
        &self,
        post: &QuestionPost<'_>,
    ) -> impl Future<Output = Result<String, DeliveryError>> + Send;

    /// Turns the question's message into its results.
    fn reveal(
        &self,
        reveal: &QuestionReveal<'_>,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send;

    /// Posts the round's results in its channel.
    fn post_results(
        &self,
        results: &RoundResults<'_>,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// Where advancing a round stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advanced {
    /// Nothing more is due before this time.
    Waiting(DateTime<Utc>),
    /// The round has ended.
    Ended,
    /// Another replica holds the lease of what is due.
    Contended,
    /// The platform failed; the step is tried again later.
    Failed,
}

/// What one step came to.
enum Done {
    /// Done (or passed over): look at the round again.
    Next,
    Contended,
    Failed,
}

/// The live rounds of one platform.
pub struct Quizmaster<C> {
    platform: Platform,
    service: Service,
    channel: C,
    timings: LiveTimings,
}

impl<C: LiveChannel + 'static> Quizmaster<C> {
    pub fn new(platform: Platform, service: Service, channel: C) -> Self {
        let timings = service.settings().live;
        Self {
            platform,
            service,
            channel,
            timings,
        }
    }

    fn store(&self) -> &Store {
        self.service.store()
    }

    /// Hosts the platform's rounds until `shutdown`, with the time `clock`
    /// gives. A step in progress at shutdown gets a few seconds to finish;
    /// one cut off leaves its lease to expire for the next replica.
    pub async fn run(self: Arc<Self>, clock: Clock, shutdown: CancellationToken) {
        let poll = self.timings.poll;
        let mut tasks: JoinSet<Result<Advanced, StoreError>> = JoinSet::new();
        let mut rounds_of: HashMap<tokio::task::Id, i64> = HashMap::new();
        let mut not_before: HashMap<i64, DateTime<Utc>> = HashMap::new();
        loop {
            let now = clock();
            let mut wake = now + Duration::from_std(poll).unwrap_or(RETRY);
            match self.store().open_live_rounds(self.platform).await {
                Ok(rounds) => {
                    not_before.retain(|id, _| rounds.iter().any(|(r, _)| r.id == *id));
                    let busy: HashSet<i64> = rounds_of.values().copied().collect();
                    for (round, questions) in &rounds {
                        if busy.contains(&round.id) {
                            continue;
                        }
                        if let Some(&at) = not_before.get(&round.id).filter(|&&at| now < at) {
                            wake = wake.min(at);
                            continue;
                        }
                        match next_step(round, questions, now, self.timings) {
                            Step::Wait(until) => wake = wake.min(until),
                            Step::Done => {}
                            _ => {
                                let (this, clock, id) =
                                    (Arc::clone(&self), clock.clone(), round.id);
                                let task =
                                    tasks.spawn(async move { this.advance(id, &clock).await });
                                rounds_of.insert(task.id(), round.id);
                            }
                        }
                    }
                }
                Err(err) => {
                    telemetry::database_error();
                    tracing::error!(platform = %self.platform, "live rounds: {err}");
                }
            }
            let sleep = (wake - now).to_std().unwrap_or_default();
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.service.quizmaster_woken(self.platform).notified() => {}
                () = tokio::time::sleep(sleep) => {}
                Some(joined) = tasks.join_next_with_id() => {
                    self.settle(joined, &mut rounds_of, &mut not_before, clock());
                }
            }
            while let Some(joined) = tasks.try_join_next_with_id() {
                self.settle(joined, &mut rounds_of, &mut not_before, clock());
            }
        }
        if tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} })
            .await
            .is_err()
        {
            tracing::warn!("a live round's step did not finish at shutdown");
            tasks.abort_all();
        }
    }

    /// Notes how a round's task ended: when to look at the round again.
    fn settle(
        &self,
        joined: Result<(tokio::task::Id, Result<Advanced, StoreError>), tokio::task::JoinError>,
        rounds_of: &mut HashMap<tokio::task::Id, i64>,
        not_before: &mut HashMap<i64, DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(err) => {
                tracing::error!(platform = %self.platform, "a live round's step failed: {err}");
                (err.id(), Ok(Advanced::Failed))
            }
        };
        let Some(round) = rounds_of.remove(&id) else {
            return;
        };
        match outcome {
            Ok(Advanced::Waiting(_) | Advanced::Ended) => {
                not_before.remove(&round);
            }
            Ok(Advanced::Contended) => {
                not_before.insert(round, now + RECHECK);
            }
            Ok(Advanced::Failed) => {
                not_before.insert(round, now + RETRY);
            }
            Err(err) => {
                telemetry::database_error();
                tracing::error!(round, "live round: {err}");
                not_before.insert(round, now + RETRY);
            }
        }
    }

    /// Advances every round of the platform in turn, for as long as steps
    /// are due at `clock`'s time (tests drive a round this way).
    pub async fn tick(&self, clock: &Clock) -> Result<Vec<(i64, Advanced)>, StoreError> {
        let rounds = self.store().open_live_rounds(self.platform).await?;
        let mut advanced = Vec::with_capacity(rounds.len());
        for (round, _) in rounds {
            advanced.push((round.id, self.advance(round.id, clock).await?));
        }
        Ok(advanced)
    }

    /// Does every step of one round that is due, until it waits, ends, or
    /// meets another replica's lease or a failing platform.
    pub async fn advance(&self, round_id: i64, clock: &Clock) -> Result<Advanced, StoreError> {
        // Each question has three stages and the round one end; a few
        // more for passed-over questions.
        for _ in 0..(4 * live::QUESTIONS.end() + 8) {
            let now = clock();
            let Some((round, questions)) = self.store().live_round(round_id).await? else {
                return Ok(Advanced::Ended);
            };
            let find = |id: i64| questions.iter().find(|q| q.id == id);
            let done = match next_step(&round, &questions, now, self.timings) {
                Step::Wait(until) => return Ok(Advanced::Waiting(until)),
                Step::Done => return Ok(Advanced::Ended),
                Step::Post(id) => match find(id) {
                    Some(question) => self.post(&round, question, questions.len(), clock).await?,
                    None => Done::Next,
                },
                Step::Reveal { question, late } => match find(question) {
                    Some(question) => {
                        self.reveal(&round, question, &questions, late, clock)
                            .await?
                    }
                    None => Done::Next,
                },
                Step::Score(id) => match find(id) {
                    Some(question) => self.score(&round, question, clock).await?,
                    None => Done::Next,
                },
                Step::Finish(ending) => self.finish(&round, &questions, ending, clock).await?,
            };
            match done {
                Done::Next => continue,
                Done::Contended => return Ok(Advanced::Contended),
                Done::Failed => return Ok(Advanced::Failed),
            }
        }
        Ok(Advanced::Waiting(clock()))
    }

    /// The words of the community a round is played in.
    async fn texts_of(&self, round: &LiveRound) -> Result<Texts, StoreError> {
        let community = self
            .store()
            .find_community(round.platform, &round.community)
            .await?;
        Ok(community.map_or(self.service.texts(), |c| self.service.texts_for(&c)))
    }

    async fn post(
        &self,
        round: &LiveRound,
        question: &LiveQuestion,
        total: usize,
        clock: &Clock,
    ) -> Result<Done, StoreError> {
        let now = clock();
        let content = self.service.content();
        let Some(asked) = content.bank.question(&question.question_id) else {
            tracing::warn!(round = round.id, question = %question.question_id,
                "a live question left the bank: passed over");
            self.store().live_skipped(question.id, now).await?;
            return Ok(Done::Next);
        };
        let deadline = now + round.question_time();
        if !self
            .store()
            .lease_live_question(question.id, Stage::Post, now, now + LEASE, Some(deadline))
            .await?
        {
            return Ok(Done::Contended);
        }
        let view = LiveQuestionView::new(
            self.texts_of(round).await?,
            &content,
            question,
            asked,
            total,
            deadline,
        );
        let post = QuestionPost {
            round,
            question,
            view,
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, self.channel.post_question(&post)).await;
        let outcome = match sent {
            Ok(Ok(message_id)) => {
                self.store()
                    .live_posted(question.id, &message_id, clock())
                    .await?;
                tracing::info!(
                    round = round.id,
                    position = question.position,
                    "live question posted"
                );
                Done::Next
            }
            Ok(Err(err)) => {
                self.store().release_live_question(question.id).await?;
                self.delivery_failed(round, "post", &err).await?
            }
            // It may have gone out: the lease is left to expire rather than
            // handed to a replica that would post it again at once.
            Err(_) => {
                tracing::warn!(round = round.id, "posting a live question timed out");
                Done::Failed
            }
        };
        telemetry::live_delivery(self.platform, "post", matches!(outcome, Done::Next));
        Ok(outcome)
    }

    /// A platform's refusal ends the round (the channel is closed to the
    /// bot); any other failure is tried again.
    async fn delivery_failed(
        &self,
        round: &LiveRound,
        stage: &str,
        err: &DeliveryError,
    ) -> Result<Done, StoreError> {
        tracing::warn!(round = round.id, channel = %round.channel, stage, "live round: {err}");
        match err {
            DeliveryError::Refused(_) => {
                self.store()
                    .request_live_end(round.id, Ending::Failed)
                    .await?;
                Ok(Done::Next)
            }
            DeliveryError::Failed(_) => Ok(Done::Failed),
        }
    }

    async fn reveal(
        &self,
        round: &LiveRound,
        question: &LiveQuestion,
        questions: &[LiveQuestion],
        late: bool,
        clock: &Clock,
    ) -> Result<Done, StoreError> {
        let now = clock();
        if !self
            .store()
            .lease_live_question(question.id, Stage::Reveal, now, now + LEASE, None)
            .await?
        {
            return Ok(Done::Contended);
        }
        // From here no answer is taken, and those on their way are in.
        self.store().close_live_question(question.id, now).await?;
        let content = self.service.content();
        let (Some(asked), Some(message_id)) = (
            content.bank.question(&question.question_id),
            question.message_id.as_deref(),
        ) else {
            tracing::warn!(
                round = round.id,
                "a live question left the bank: closed unrevealed"
            );
            self.store().live_revealed(question.id, now).await?;
            return Ok(Done::Next);
        };
        let answers = self.store().live_answers(question.id).await?;
        let tally = live::tally(asked.choices.len(), &answers);
        let last = questions
            .iter()
            .all(|q| q.position <= question.position || q.revealed_at.is_some());
        let texts = self.texts_of(round).await?;
        let next = if last || late || round.ending.is_some() {
            texts.live_results_next().to_string()
        } else {
            // Whole seconds, rounded up: a pause under one is "1 s".
            texts.live_next_in((self.timings.pause.num_milliseconds() + 999) / 1000)
        };
        let view = LiveRevealView::new(
            texts,
            &content,
            question,
            asked,
            questions.len(),
            &tally,
            &content.excerpts_for(asked),
            next,
        );
        let reveal = QuestionReveal {
            round,
            question,
            message_id,
            tally,
            view,
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, self.channel.reveal(&reveal)).await;
        let err = match sent {
            Ok(Ok(())) => {
                self.store().live_revealed(question.id, clock()).await?;
                if late {
                    self.store()
                        .request_live_end(round.id, Ending::Interrupted)
                        .await?;
                }
                tracing::info!(
                    round = round.id,
                    position = question.position,
                    answers = reveal.tally.answered,
                    "live question revealed"
                );
                telemetry::live_delivery(self.platform, "reveal", true);
                return Ok(Done::Next);
            }
            Ok(Err(err)) => err,
            Err(_) => DeliveryError::Failed("the platform did not answer in time".into()),
        };
        telemetry::live_delivery(self.platform, "reveal", false);
        let deadline = question.deadline_at.unwrap_or(now);
        if matches!(err, DeliveryError::Refused(_)) || now >= deadline + GIVE_UP {
            // Closed all the same: never a question left open.
            self.store().live_revealed(question.id, now).await?;
            let ending = match err {
                DeliveryError::Refused(_) => Ending::Failed,
                DeliveryError::Failed(_) => Ending::Interrupted,
            };
            self.store().request_live_end(round.id, ending).await?;
            tracing::warn!(round = round.id, "a live reveal was given up: {err}");
            return Ok(Done::Next);
        }
        // An edit is the same done twice: the next try may come at once.
        self.store().release_live_question(question.id).await?;
        tracing::warn!(round = round.id, "a live reveal failed: {err}");
        Ok(Done::Failed)
    }

    async fn score(
        &self,
        round: &LiveRound,
        question: &LiveQuestion,
        clock: &Clock,
    ) -> Result<Done, StoreError> {
        let now = clock();
        if !self
            .store()
            .lease_live_question(question.id, Stage::Score, now, now + LEASE, None)
            .await?
        {
            return Ok(Done::Contended);
        }
        match self.record(round, question).await {
            Ok(()) => {
                self.store().live_scored(question.id, clock()).await?;
                Ok(Done::Next)
            }
            Err(err) => {
                // Recorded answers are keyed: the next try skips them.
                self.store().release_live_question(question.id).await?;
                Err(err)
            }
        }
    }

    /// Records every answer to a revealed question through the path every
    /// answer takes: points (with the speed bonus, and the repeat rule),
    /// streak, totals and the review card; once, by its key.
    async fn record(&self, round: &LiveRound, question: &LiveQuestion) -> Result<(), StoreError> {
        let content = self.service.content();
        if content.bank.question(&question.question_id).is_none() {
            return Ok(());
        }
        let Some(community) = self
            .store()
            .find_community(round.platform, &round.community)
            .await?
        else {
            return Ok(());
        };
        let answers = self.store().live_answers(question.id).await?;
        for batch in answers.chunks(RECORDING_AT_ONCE) {
            let mut recording = JoinSet::new();
            for answer in batch {
                let player = Player::of(&community, answer.player_id, answer.name.clone());
                recording.spawn(record_one(
                    self.store().clone(),
                    Arc::clone(&content),
                    question.clone(),
                    answer.clone(),
                    player,
                ));
            }
            while let Some(recorded) = recording.join_next().await {
                let (recorded, correct) = recorded.map_err(|err| {
                    StoreError::Corrupt(format!("recording a live answer: {err}"))
                })??;
                telemetry::answer(self.platform, AnswerMode::Live, &recorded, correct);
            }
        }
        Ok(())
    }

    async fn finish(
        &self,
        round: &LiveRound,
        questions: &[LiveQuestion],
        ending: Ending,
        clock: &Clock,
    ) -> Result<Done, StoreError> {
        let now = clock();
        if ending != Ending::Finished {
            // Kept, should another replica finish what this one starts.
            self.store().request_live_end(round.id, ending).await?;
        }
        // The questions never asked are passed over, each under its post
        // lease: a replica posting one right now is waited for (its
        // question is then revealed first), and none is posted after.
        for unasked in questions
            .iter()
            .filter(|q| q.revealed_at.is_none() && q.message_id.is_none())
        {
            if !self
                .store()
                .lease_live_question(unasked.id, Stage::Post, now, now + LEASE, None)
                .await?
            {
                return Ok(Done::Contended);
            }
            self.store().live_skipped(unasked.id, now).await?;
        }
        if !self
            .store()
            .lease_live_round(round.id, now, now + LEASE)
            .await?
        {
            return Ok(Done::Contended);
        }
        let mut answers = self.store().live_round_answers(round.id).await?;
        let answered: Vec<(LiveQuestion, Vec<LiveAnswer>)> = questions
            .iter()
            .filter(|q| q.message_id.is_some())
            .map(|q| (q.clone(), answers.remove(&q.id).unwrap_or_default()))
            .collect();
        let board = live::scoreboard(&answered);
        let content = self.service.content();
        let missed = live::most_missed(&answered).and_then(|(live, right, total)| {
            Some(MostMissed {
                live,
                question: content.bank.question(&live.question_id)?,
                right,
                answered: total,
            })
        });
        let view = LiveResultsView::new(
            self.texts_of(round).await?,
            round,
            ending,
            &board,
            missed,
            questions.len(),
        );
        let results = RoundResults {
            round,
            ending,
            board,
            view,
        };
        let sent = tokio::time::timeout(SEND_TIMEOUT, self.channel.post_results(&results)).await;
        let err = match sent {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(err),
            Err(_) => Some(DeliveryError::Failed(
                "the platform did not answer in time".into(),
            )),
        };
        telemetry::live_delivery(self.platform, "results", err.is_none());
        if let Some(err) = &err {
            let last = questions
                .iter()
                .filter_map(|q| q.revealed_at.or(q.posted_at))
                .max()
                .unwrap_or(round.created_at);
            if matches!(err, DeliveryError::Failed(_)) && now < last + GIVE_UP {
                self.store().release_live_round(round.id).await?;
                tracing::warn!(round = round.id, "live results not posted: {err}");
                return Ok(Done::Failed);
            }
            tracing::warn!(round = round.id, "live results given up: {err}");
        }
        self.store()
            .live_round_ended(round.id, ending, clock())
            .await?;
        tracing::info!(round = round.id, ending = ending.code(), "live round ended");
        Ok(Done::Next)
    }
}

/// Records one live answer; returns what the store did and whether it was
/// right.
async fn record_one(
    store: Store,
    content: Arc<Content>,
    question: LiveQuestion,
    answer: LiveAnswer,
    player: Player,
) -> Result<(crate::store::Recorded, bool), StoreError> {
    let Some(asked): Option<&Question> = content.bank.question(&question.question_id) else {
        return Err(StoreError::Corrupt(format!(
            "live question `{}` left the bank",
            question.question_id
        )));
    };
    let bonus = match (question.posted_at, question.deadline_at) {
        (Some(posted), Some(deadline)) => live::speed_bonus(posted, deadline, answer.answered_at),
        _ => 0,
    };
    let recorded = store
        .record_answer(
            &player,
            &NewAnswer {
                elapsed_ms: question
                    .posted_at
                    .map(|posted| (answer.answered_at - posted).num_milliseconds())
                    .filter(|ms| *ms >= 0),
                interaction_id: Some(answer_key(question.id, answer.player_id)),
                bonus,
                ..NewAnswer::new(
                    asked,
                    Grade {
                        chosen: answer.choices.clone(),
                        correct: answer.correct,
                    },
                    answer.answered_at,
                )
            },
        )
        .await?;
    Ok((recorded, answer.correct))
}
