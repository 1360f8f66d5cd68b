//! Mock exams: start (or pick up) one, choose and change answers, move
//! between questions, submit, and read the result a page at a time.
//!
//! Nothing about an exam lives in memory: the exam, each choice and the
//! submission are rows ([`crate::store::MockExam`]). An exam out of time
//! is submitted as it stands by whatever reads it first — the member's next
//! click or command, their record, review — or by the scheduler's sweep
//! ([`Service::settle_expired_mocks`]), and its result is computed from
//! the stored choices. Settling records each standing choice as an answer
//! (worth no points, feeding the review card) and writes the result, each
//! step once however many replicas try.

use std::ops::ControlFlow;

use chrono::{DateTime, Utc};

use super::{Caller, Click, Service, ServiceError};
use crate::content::Content;
use crate::i18n::Texts;
use crate::identity::Platform;
use crate::mock::{self, GradedQuestion, Sheet};
use crate::quiz::{self, AnswerError};
use crate::refusal::Refusal;
use crate::store::{MockExam, NewAnswer, NewMockExam, Player, Recorded};
use crate::telemetry::{self, AnswerMode};
use crate::view::{Missed, MockCard, MockConfirm, MockResultPage, MockStep, MOCK_MISSES_PER_PAGE};

/// How many exams out of time one sweep settles.
const SWEEP_BATCH: usize = 50;

/// The questions of a mock asked for `questions` (the exam's 65 when
/// unset).
fn mock_length(questions: Option<usize>) -> Result<usize, Refusal> {
    match questions {
        None => Ok(mock::EXAM_QUESTIONS),
        Some(n) if (mock::MIN_QUESTIONS..=mock::MAX_QUESTIONS).contains(&n) => Ok(n),
        Some(_) => Err(Refusal::BadMockLength {
            min: mock::MIN_QUESTIONS,
            max: mock::MAX_QUESTIONS,
        }),
    }
}

/// The time limit of a mock of `questions`: `minutes` when set (1 to
/// [`mock::MAX_MINUTES`]), else the exam's pace.
fn mock_minutes(minutes: Option<i64>, questions: usize) -> Result<i64, Refusal> {
    match minutes {
        None => Ok(mock::default_minutes(questions)),
        Some(m) if (1..=mock::MAX_MINUTES).contains(&m) => Ok(m),
        Some(_) => Err(Refusal::BadMockMinutes {
            max: mock::MAX_MINUTES,
        }),
    }
}

fn refused_answer(err: AnswerError) -> Refusal {
    match err {
        AnswerError::WrongCount { expected, .. } => Refusal::WrongCount { expected },
        AnswerError::NoSuchChoice(_) | AnswerError::Repeated => Refusal::BadChoice,
    }
}

impl Service {
    /// Starts a mock exam of `questions` questions (65 when unset) with
    /// `minutes` to answer them (the exam's pace when unset), drawn at the
    /// blueprint's weights. A member with an exam still running gets it
    /// back where they left it instead.
    pub async fn start_mock(
        &self,
        caller: &Caller,
        questions: Option<usize>,
        minutes: Option<i64>,
    ) -> Result<MockStep, ServiceError> {
        let questions = mock_length(questions)?;
        let minutes = mock_minutes(minutes, questions)?;
        let content = self.content();
        let (_, player) = self.member(caller).await?;
        let now = self.now();
        self.settle_mocks_of(&player, Some(caller.identity.platform))
            .await?;
        let texts = self.texts_of(&caller.identity);
        if let Some(open) = self.store().open_mock_exam(&player, now).await? {
            let sheet = self.exam_sheet(&open).await?;
            let first_blank = sheet.choices.iter().position(Option::is_none).unwrap_or(0);
            let notice = texts.mock_resumed(sheet.answered(), open.question_ids.len());
            return self.exam_card(
                texts,
                &content,
                &open,
                &sheet,
                first_blank,
                &player,
                Some(notice),
            );
        }
        let seen = self.store().mock_question_ids(&player).await?;
        let drawn = mock::draw(&content.bank, &seen, questions, &mut self.fork_rng())
            .map_err(|_| Refusal::NoQuestions)?;
        let ids: Vec<String> = drawn.iter().map(|q| q.id.clone()).collect();
        let exam = self
            .store()
            .create_mock_exam(
                &player,
                &NewMockExam {
                    question_ids: &ids,
                    started_at: now,
                    ends_at: mock::ends_at(now, minutes),
                },
            )
            .await?;
        let sheet = Sheet::new(ids.len(), &[]);
        self.exam_card(texts, &content, &exam, &sheet, 0, &player, None)
    }

    /// Chooses `chosen` for the question at `position` (replacing an
    /// earlier choice) and shows the next question. A click delivered
    /// twice is one choice. An exam already submitted, or out of time,
    /// shows its result instead.
    pub async fn mock_choose(
        &self,
        caller: &Caller,
        exam: i64,
        position: usize,
        chosen: &[usize],
        click: &Click,
    ) -> Result<MockStep, ServiceError> {
        let (exam, player, now) = match self.open_exam(caller, exam).await? {
            ControlFlow::Continue(open) => open,
            ControlFlow::Break(closed) => return Ok(closed),
        };
        let texts = self.texts_of(&caller.identity);
        let platform = Some(caller.identity.platform);
        let content = self.content();
        let question = self.exam_question(&content, &exam, position)?;
        let grade = quiz::grade(question, chosen).map_err(refused_answer)?;
        let taken = self
            .store()
            .choose_in_mock(
                exam.id,
                position,
                &grade.chosen,
                now,
                click.interaction_id.as_deref(),
            )
            .await?;
        if !taken {
            // Either the same click again, or the exam closed meanwhile.
            let exam = self.exam_by_id(exam.id).await?;
            if !exam.is_open(self.now()) {
                return self.closed_exam(texts, exam, &player, platform).await;
            }
        }
        let sheet = self.exam_sheet(&exam).await?;
        let next = sheet.after_choice(position);
        self.exam_card(texts, &content, &exam, &sheet, next, &player, None)
    }

    /// Shows the question at `position` (previous, next, back to a blank).
    pub async fn mock_go(
        &self,
        caller: &Caller,
        exam: i64,
        position: usize,
    ) -> Result<MockStep, ServiceError> {
        let (exam, player, _) = match self.open_exam(caller, exam).await? {
            ControlFlow::Continue(open) => open,
            ControlFlow::Break(closed) => return Ok(closed),
        };
        let texts = self.texts_of(&caller.identity);
        let content = self.content();
        let sheet = self.exam_sheet(&exam).await?;
        let position = position.min(exam.question_ids.len().saturating_sub(1));
        self.exam_card(texts, &content, &exam, &sheet, position, &player, None)
    }

    /// Submits an exam and shows its result; with blank questions and not
    /// `confirmed`, asks first.
    pub async fn mock_submit(
        &self,
        caller: &Caller,
        exam: i64,
        confirmed: bool,
    ) -> Result<MockStep, ServiceError> {
        let (exam, player, now) = match self.open_exam(caller, exam).await? {
            ControlFlow::Continue(open) => open,
            ControlFlow::Break(closed) => return Ok(closed),
        };
        let texts = self.texts_of(&caller.identity);
        let platform = Some(caller.identity.platform);
        let sheet = self.exam_sheet(&exam).await?;
        if !confirmed && sheet.blank() > 0 {
            let first_blank = sheet.choices.iter().position(Option::is_none).unwrap_or(0);
            return Ok(MockStep::Confirm(MockConfirm::new(
                texts,
                exam.id,
                sheet.blank(),
                first_blank,
            )));
        }
        self.store().submit_mock_exam(exam.id, now, false).await?;
        let exam = self.exam_by_id(exam.id).await?;
        let exam = self.settle_exam(exam, &player, platform).await?;
        self.exam_result_page(texts, &exam, 0, None).await
    }

    /// Page `page` of a submitted exam's result. An exam still running
    /// shows its first blank question instead: no answer is shown before
    /// it is submitted.
    pub async fn mock_results(
        &self,
        caller: &Caller,
        exam: i64,
        page: usize,
    ) -> Result<MockStep, ServiceError> {
        let (exam, player) = self.own_exam(caller, exam).await?;
        let texts = self.texts_of(&caller.identity);
        if exam.is_open(self.now()) {
            let content = self.content();
            let sheet = self.exam_sheet(&exam).await?;
            let first_blank = sheet.choices.iter().position(Option::is_none).unwrap_or(0);
            return self.exam_card(texts, &content, &exam, &sheet, first_blank, &player, None);
        }
        let exam = self
            .settle_exam(exam, &player, Some(caller.identity.platform))
            .await?;
        self.exam_result_page(texts, &exam, page, None).await
    }

    /// Settles every exam that is out of time (or submitted but not yet
    /// recorded, after a crash): the scheduler calls this on each tick, so
    /// an exam nobody comes back to still feeds review. Returns how many.
    pub async fn settle_expired_mocks(&self) -> Result<usize, ServiceError> {
        let ids = self
            .store()
            .unsettled_mock_exams(None, self.now(), SWEEP_BATCH)
            .await?;
        let mut settled = 0;
        for id in ids {
            // One exam that cannot be settled (its rows damaged) is logged
            // and does not hold up the others.
            match self.settle_by_id(id).await {
                Ok(true) => settled += 1,
                Ok(false) => {}
                Err(err) => err.log("settling a mock exam out of time"),
            }
        }
        Ok(settled)
    }

    /// Settles exam `id` as its own player; `false` when it is gone.
    async fn settle_by_id(&self, id: i64) -> Result<bool, ServiceError> {
        let Some(exam) = self.store().mock_exam(id).await? else {
            return Ok(false);
        };
        let Some(player) = self.store().player_by_id(exam.player_id).await? else {
            return Ok(false);
        };
        self.settle_exam(exam, &player, None).await?;
        Ok(true)
    }

    /// Settles the player's exams that are out of time, before anything
    /// that reads their answers or cards.
    pub(super) async fn settle_mocks_of(
        &self,
        player: &Player,
        platform: Option<Platform>,
    ) -> Result<(), ServiceError> {
        let ids = self
            .store()
            .unsettled_mock_exams(Some(player), self.now(), SWEEP_BATCH)
            .await?;
        for id in ids {
            if let Some(exam) = self.store().mock_exam(id).await? {
                self.settle_exam(exam, player, platform).await?;
            }
        }
        Ok(())
    }

    /// The caller's exam `id`.
    async fn own_exam(&self, caller: &Caller, id: i64) -> Result<(MockExam, Player), ServiceError> {
        let (_, player) = self.member(caller).await?;
        let exam = self
            .store()
            .mock_exam(id)
            .await?
            .ok_or(Refusal::SessionOver)?;
        if exam.player_id != player.id {
            return Err(Refusal::NotYourSession.into());
        }
        Ok((exam, player))
    }

    /// The caller's exam and the time it is still open at; an exam
    /// submitted or out of time is settled and its result page shown
    /// instead.
    async fn open_exam(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<ControlFlow<MockStep, (MockExam, Player, DateTime<Utc>)>, ServiceError> {
        let (exam, player) = self.own_exam(caller, id).await?;
        let now = self.now();
        if exam.is_open(now) {
            return Ok(ControlFlow::Continue((exam, player, now)));
        }
        let texts = self.texts_of(&caller.identity);
        let platform = Some(caller.identity.platform);
        let closed = self.closed_exam(texts, exam, &player, platform).await?;
        Ok(ControlFlow::Break(closed))
    }

    async fn exam_by_id(&self, id: i64) -> Result<MockExam, ServiceError> {
        Ok(self
            .store()
            .mock_exam(id)
            .await?
            .ok_or(Refusal::SessionOver)?)
    }

    /// The standing choices of an exam.
    async fn exam_sheet(&self, exam: &MockExam) -> Result<Sheet, ServiceError> {
        let choices = self.store().mock_choices(exam.id).await?;
        Ok(Sheet::new(exam.question_ids.len(), &choices))
    }

    fn exam_question<'c>(
        &self,
        content: &'c Content,
        exam: &MockExam,
        position: usize,
    ) -> Result<&'c crate::bank::Question, Refusal> {
        let id = exam
            .question_ids
            .get(position)
            .ok_or(Refusal::StaleQuestion)?;
        content.bank.question(id).ok_or(Refusal::QuestionGone)
    }

    #[allow(clippy::too_many_arguments)]
    fn exam_card(
        &self,
        texts: Texts,
        content: &Content,
        exam: &MockExam,
        sheet: &Sheet,
        position: usize,
        player: &Player,
        notice: Option<String>,
    ) -> Result<MockStep, ServiceError> {
        let question = self.exam_question(content, exam, position)?;
        Ok(MockStep::Card(Box::new(MockCard::new(
            texts,
            exam,
            question,
            position,
            sheet,
            self.now(),
            player.time_zone,
            notice,
        ))))
    }

    /// What a step on a closed exam shows: its result, said to be
    /// submitted already unless time just ran out on it.
    async fn closed_exam(
        &self,
        texts: Texts,
        exam: MockExam,
        player: &Player,
        platform: Option<Platform>,
    ) -> Result<MockStep, ServiceError> {
        let was_submitted = exam.submitted_at.is_some();
        let exam = self.settle_exam(exam, player, platform).await?;
        let notice = was_submitted.then(|| texts.mock_already_submitted().to_string());
        self.exam_result_page(texts, &exam, 0, notice).await
    }

    /// Submits an exam out of time (at its end, as it stands), records its
    /// standing choices as answers and writes its result; each step at
    /// most once. An exam still running is returned as it is.
    async fn settle_exam(
        &self,
        exam: MockExam,
        player: &Player,
        platform: Option<Platform>,
    ) -> Result<MockExam, ServiceError> {
        if exam.result.is_some() {
            return Ok(exam);
        }
        let now = self.now();
        let exam = match exam.submitted_at {
            Some(_) => exam,
            None if mock::is_out_of_time(exam.ends_at, now) => {
                self.store()
                    .submit_mock_exam(exam.id, exam.ends_at, true)
                    .await?;
                self.exam_by_id(exam.id).await?
            }
            None => return Ok(exam),
        };
        let submitted_at = exam.submitted_at.unwrap_or(now);
        let content = self.content();
        let sheet = self.exam_sheet(&exam).await?;
        let mut graded = Vec::with_capacity(exam.question_ids.len());
        for (id, chosen) in exam.question_ids.iter().zip(&sheet.choices) {
            // A question the bank no longer has is left out of the result.
            let Some(question) = content.bank.question(id) else {
                continue;
            };
            let grade = chosen.as_ref().and_then(|c| quiz::grade(question, c).ok());
            let Some(grade) = grade else {
                graded.push(GradedQuestion {
                    domain: question.domain,
                    chosen: None,
                    correct: false,
                });
                continue;
            };
            let recorded = self
                .store()
                .record_answer(
                    player,
                    &NewAnswer {
                        mock_exam: Some(exam.id),
                        ..NewAnswer::new(question, grade.clone(), submitted_at)
                    },
                )
                .await?;
            if let Some(platform) = platform {
                telemetry::answer(platform, AnswerMode::Mock, &recorded, grade.correct);
            }
            // The answer recorded first stands (a settle before a crash).
            let correct = match recorded {
                Recorded::Duplicate { correct, .. } => correct,
                Recorded::New { .. } => grade.correct,
            };
            graded.push(GradedQuestion {
                domain: question.domain,
                chosen: Some(grade.chosen),
                correct,
            });
        }
        let result = mock::result(&graded);
        self.store().settle_mock_exam(exam.id, &result, now).await?;
        self.exam_by_id(exam.id).await
    }

    /// Page `page` of a settled exam's result.
    async fn exam_result_page(
        &self,
        texts: Texts,
        exam: &MockExam,
        page: usize,
        notice: Option<String>,
    ) -> Result<MockStep, ServiceError> {
        let result = exam.result.as_ref().ok_or_else(|| {
            ServiceError::failed(
                "showing a mock exam's result",
                crate::store::StoreError::Corrupt(format!("mock exam {} has no result", exam.id)),
            )
        })?;
        let content = self.content();
        let sheet = self.exam_sheet(exam).await?;
        let misses: Vec<(usize, &crate::bank::Question, Option<Vec<usize>>)> = exam
            .question_ids
            .iter()
            .zip(&sheet.choices)
            .enumerate()
            .filter_map(|(position, (id, chosen))| {
                let question = content.bank.question(id)?;
                let right = chosen
                    .as_ref()
                    .and_then(|c| quiz::grade(question, c).ok())
                    .is_some_and(|g| g.correct);
                (!right).then(|| (position, question, chosen.clone()))
            })
            .collect();
        let pages = crate::view::mock_result_pages(misses.len());
        let page = page.min(pages - 1);
        let shown: Vec<Missed<'_>> = misses
            .iter()
            .skip(page * MOCK_MISSES_PER_PAGE)
            .take(MOCK_MISSES_PER_PAGE)
            .map(|(position, question, chosen)| Missed {
                position: *position,
                question,
                chosen: chosen.clone(),
                excerpts: content.excerpts_for(question).into_owned(),
            })
            .collect();
        let mut view = MockResultPage::new(texts, exam, result, &shown, misses.len(), page);
        view.notice = notice;
        Ok(MockStep::Result(Box::new(view)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mock_is_four_to_sixty_five_questions_and_one_to_180_minutes() {
        assert_eq!(mock_length(None), Ok(65));
        assert_eq!(mock_length(Some(4)), Ok(4));
        assert_eq!(mock_length(Some(65)), Ok(65));
        for bad in [0, 3, 66] {
            assert!(mock_length(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(mock_minutes(None, 65), Ok(90));
        assert_eq!(mock_minutes(None, 5), Ok(7));
        assert_eq!(mock_minutes(Some(1), 65), Ok(1));
        for bad in [0, -5, 181] {
            assert!(mock_minutes(Some(bad), 65).is_err(), "{bad}");
        }
    }
}
