//! The live round's use cases: start a round in a channel, stop it (admins),
//! and take a member's answer to its open question. The round's questions
//! are posted, revealed and scored by [`crate::quizmaster`]; these only
//! write rows and wake the quizmaster of this process, so another replica
//! (or this one restarted) can carry the round on.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use lru::LruCache;
use tokio::sync::Notify;

use super::{lock, Caller, Service, ServiceError};
use crate::bank::Question;
use crate::identity::{ExternalId, Platform};
use crate::live::{self, LiveRefusal, NewRound, RoundSettings};
use crate::quiz;
use crate::refusal::Refusal;
use crate::store::RoundCreated;
use crate::view::{LiveAnnouncement, LiveReceipt, LiveRunning, LiveStart};

/// How many open questions a process remembers for answering them.
const QUESTIONS_CACHED: usize = 1_000;

/// `/quiz-live`'s options as typed; unset ones take their defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveRequest<'a> {
    /// A topic id or name; every topic when unset.
    pub topic: Option<&'a str>,
    pub questions: Option<usize>,
    pub seconds: Option<u32>,
}

/// What this process keeps for live rounds: a wake-up per platform for
/// its quizmaster, and the open questions it has answered, so a click
/// costs one statement.
pub(crate) struct LiveState {
    wake: [Notify; 3],
    questions: Mutex<LruCache<i64, OpenQuestion>>,
}

impl LiveState {
    pub(crate) fn new() -> Self {
        let size = NonZeroUsize::new(QUESTIONS_CACHED).unwrap_or(NonZeroUsize::MIN);
        Self {
            wake: [Notify::new(), Notify::new(), Notify::new()],
            questions: Mutex::new(LruCache::new(size)),
        }
    }
}

/// A posted live question, as an answer needs it.
#[derive(Debug, Clone)]
struct OpenQuestion {
    platform: Platform,
    community: ExternalId,
    question_id: String,
    deadline: DateTime<Utc>,
}

fn platform_index(platform: Platform) -> usize {
    match platform {
        Platform::Terminal => 0,
        Platform::Discord => 1,
        Platform::Slack => 2,
    }
}

impl Service {
    /// Wakes this process's quizmaster of `platform`: a round changed here.
    pub(crate) fn wake_quizmaster(&self, platform: Platform) {
        self.inner.live.wake[platform_index(platform)].notify_one();
    }

    /// What this process's quizmaster of `platform` waits on between looks.
    pub(crate) fn quizmaster_woken(&self, platform: Platform) -> &Notify {
        &self.inner.live.wake[platform_index(platform)]
    }

    /// Starts a live round in `channel` of the caller's community, unless
    /// one runs there (then says so, with where it is).
    pub async fn start_live(
        &self,
        caller: &Caller,
        channel: &str,
        request: &LiveRequest<'_>,
    ) -> Result<LiveStart, ServiceError> {
        let settings =
            RoundSettings::new(request.questions, request.seconds).map_err(Refusal::from)?;
        let content = self.content();
        let topic = request
            .topic
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.resolve_topic(&content, t))
            .transpose()?;
        let (community, player) = self.member(caller).await?;
        let texts = self.texts_for(&community);
        let identity = &caller.identity;
        if let Some((round, questions)) = self
            .store()
            .running_live_round(identity.platform, &identity.community, channel)
            .await?
        {
            return Ok(LiveStart::Running(LiveRunning::new(
                texts, &round, &questions,
            )));
        }
        let asked = self
            .store()
            .live_asked_questions(identity.platform, &identity.community, channel)
            .await?;
        let picked: Vec<String> = live::pick_questions(
            content.bank.askable(topic.as_deref()),
            &asked,
            settings.questions,
            &mut self.fork_rng(),
        )
        .into_iter()
        .map(|q| q.id.clone())
        .collect();
        if picked.is_empty() {
            return Err(Refusal::NoQuestions.into());
        }
        let created = self
            .store()
            .create_live_round(&NewRound {
                platform: identity.platform,
                community: &identity.community,
                community_id: community.id,
                channel,
                topic: topic.as_deref(),
                seconds: settings.seconds,
                started_by: &player.display_name,
                question_ids: &picked,
                now: Utc::now(),
            })
            .await?;
        Ok(match created {
            RoundCreated::New(round, questions) => {
                self.wake_quizmaster(identity.platform);
                tracing::info!(
                    round = round.id,
                    channel,
                    questions = questions.len(),
                    "live round started"
                );
                LiveStart::Started(LiveAnnouncement::new(
                    texts,
                    &content,
                    &round,
                    questions.len(),
                ))
            }
            RoundCreated::Running(round, questions) => {
                LiveStart::Running(LiveRunning::new(texts, &round, &questions))
            }
        })
    }

    /// Stops the round running in `channel` (admins only): its open
    /// question is revealed and the results posted by the quizmaster.
    pub async fn stop_live(&self, caller: &Caller, channel: &str) -> Result<String, ServiceError> {
        Self::admin_only(caller)?;
        let identity = &caller.identity;
        let name = crate::identity::display_name(&caller.name, identity.user.as_str());
        let stopped = self
            .store()
            .stop_live_round(identity.platform, &identity.community, channel, &name)
            .await?;
        match stopped {
            Some(round) => {
                self.wake_quizmaster(identity.platform);
                tracing::info!(round = round.id, channel, "live round stopped");
                Ok(self.texts_of(identity).live_stopping().into())
            }
            None => Err(Refusal::from(LiveRefusal::NoRound).into()),
        }
    }

    /// Takes the caller's answer to a live question, replacing the one they
    /// gave before; refused once the question is closed. The answer is
    /// recorded for the leaderboards when the question is scored.
    pub async fn answer_live(
        &self,
        caller: &Caller,
        question_row: i64,
        chosen: &[usize],
    ) -> Result<LiveReceipt, ServiceError> {
        let (_, player) = self.answering_member(caller).await?;
        let open = self
            .open_question(question_row)
            .await
            .map_err(ServiceError::losing_answer)?;
        let identity = &caller.identity;
        if open.platform != identity.platform || open.community != identity.community {
            return Err(Refusal::from(LiveRefusal::Gone).into());
        }
        let now = Utc::now();
        if now >= open.deadline {
            return Err(Refusal::from(LiveRefusal::Closed).into());
        }
        let content = self.content();
        let question: &Question = content
            .bank
            .question(&open.question_id)
            .ok_or(Refusal::QuestionGone)?;
        let grade = quiz::grade(question, chosen).map_err(|err| match err {
            quiz::AnswerError::WrongCount { expected, .. } => Refusal::WrongCount { expected },
            _ => Refusal::BadChoice,
        })?;
        let changes = self
            .store()
            .take_live_answer(question_row, player.id, &grade, now)
            .await
            .map_err(|err| ServiceError::from(err).losing_answer())?
            .ok_or(Refusal::Live(LiveRefusal::Closed))?;
        let texts = self.texts_of(&caller.identity);
        Ok(LiveReceipt {
            text: texts.live_receipt(&Question::letters(&grade.chosen), changes > 0),
            deadline_label: texts.live_deadline_label().into(),
            deadline: open.deadline,
        })
    }

    /// A posted question, from this process's memory or the store.
    async fn open_question(&self, question_row: i64) -> Result<OpenQuestion, ServiceError> {
        // A deadline passed may have moved (a post sent again after a
        // crash): the store says.
        let cached = lock(&self.inner.live.questions)
            .get(&question_row)
            .filter(|open| Utc::now() < open.deadline)
            .cloned();
        if let Some(open) = cached {
            return Ok(open);
        }
        let (round, question) = self
            .store()
            .live_question(question_row)
            .await?
            .ok_or(Refusal::Live(LiveRefusal::Gone))?;
        let Some(deadline) = question
            .deadline_at
            .filter(|_| question.closed_at.is_none())
        else {
            return Err(Refusal::from(LiveRefusal::Closed).into());
        };
        let open = OpenQuestion {
            platform: round.platform,
            community: round.community,
            question_id: question.question_id,
            deadline,
        };
        lock(&self.inner.live.questions).put(question_row, open.clone());
        Ok(open)
    }
}
