//! The wording of the mock exam (its card, the confirmation, the result
//! and its pages of misses) and of readiness (the predicted score in a
//! record, and the group's readiness board).

use super::{percent, Texts};
use crate::bank::Domain;
use crate::mock;
use crate::refusal::Refusal;

impl Texts {
    pub fn mock_title(&self) -> &'static str {
        self.pick("모의고사", "Mock exam")
    }

    /// "답한 문제 12/65".
    pub fn mock_answered(&self, answered: usize, total: usize) -> String {
        if self.korean() {
            format!("답한 문제 {answered}/{total}")
        } else {
            format!("Answered {answered}/{total}")
        }
    }

    pub fn time_left_label(&self) -> &'static str {
        self.pick("남은 시간", "Time left")
    }

    /// "1시간 13분 (14:32 종료)": minutes left, rounded up, and the local
    /// time the exam ends.
    pub fn time_left(&self, minutes: i64, ends: &str) -> String {
        let (hours, minutes) = (minutes.max(0) / 60, minutes.max(0) % 60);
        match (self.korean(), hours) {
            (true, 0) => format!("{minutes}분 ({ends} 종료)"),
            (true, h) => format!("{h}시간 {minutes}분 ({ends} 종료)"),
            (false, 0) => format!("{minutes} min (ends {ends})"),
            (false, h) => format!("{h} h {minutes} min (ends {ends})"),
        }
    }

    pub fn mock_footer(&self) -> &'static str {
        self.pick(
            "정답과 해설은 제출한 뒤에 보여 드립니다. 제출 전에는 언제든 답을 바꿀 수 있고, 시간이 끝나면 그때까지의 답으로 제출됩니다.",
            "Answers and explanations come after you submit. Until then you can change any answer; when time is up, the exam is submitted as it stands.",
        )
    }

    pub fn previous_button(&self) -> &'static str {
        self.pick("◀ 이전", "◀ Previous")
    }

    pub fn forward_button(&self) -> &'static str {
        self.pick("다음 ▶", "Next ▶")
    }

    /// Saves the checked boxes of a "choose N" question (Slack).
    pub fn save_answer_button(&self) -> &'static str {
        self.pick("답 저장", "Save answer")
    }

    pub fn submit_exam_button(&self) -> &'static str {
        self.pick("제출", "Submit exam")
    }

    pub fn submit_anyway_button(&self) -> &'static str {
        self.pick("그래도 제출", "Submit anyway")
    }

    pub fn back_to_exam_button(&self) -> &'static str {
        self.pick("빈 문제로 돌아가기", "Back to a blank question")
    }

    /// The line over a mock picked up where it was left.
    pub fn mock_resumed(&self, answered: usize, total: usize) -> String {
        if self.korean() {
            format!("진행 중인 모의고사를 이어서 풉니다 (답한 문제 {answered}/{total}).")
        } else {
            format!("Picking up your mock exam where you left it ({answered}/{total} answered).")
        }
    }

    /// Asked before submitting an exam with blank questions.
    pub fn mock_confirm(&self, blank: usize) -> String {
        if self.korean() {
            format!("아직 {blank}문제에 답하지 않았습니다. 지금 제출하면 빈 문제는 오답으로 채점됩니다.")
        } else {
            format!(
                "{blank} question(s) are still blank. If you submit now, they are marked wrong."
            )
        }
    }

    pub fn mock_result_title(&self) -> &'static str {
        self.pick("모의고사 결과", "Mock exam result")
    }

    /// "정답 47/65 (72%) · 환산 점수 703 (합격선 700) · 합격".
    pub fn mock_score_line(&self, right: u32, total: u32, score: u32) -> String {
        let share = percent(i64::from(right), i64::from(total));
        let pass = mock::PASS_MARK;
        let verdict = self.pass_verdict(mock::passes(score));
        if self.korean() {
            format!(
                "정답 {right}/{total} ({share}%) · 환산 점수 {score} (합격선 {pass}) · {verdict}"
            )
        } else {
            format!("{right}/{total} right ({share}%) · scaled score {score} (pass mark {pass}) · {verdict}")
        }
    }

    pub fn pass_verdict(&self, passed: bool) -> &'static str {
        match passed {
            true => self.pick("합격 ✅", "pass ✅"),
            false => self.pick("불합격", "fail"),
        }
    }

    pub fn mock_timed_out(&self) -> &'static str {
        self.pick(
            "시간이 끝나 그때까지의 답으로 제출되었습니다.",
            "Time ran out: the exam was submitted as it stood.",
        )
    }

    /// "걸린 시간 34분 · 제한 90분".
    pub fn mock_time_used(&self, used: i64, limit: i64) -> String {
        if self.korean() {
            format!("걸린 시간 {used}분 · 제한 {limit}분")
        } else {
            format!("Took {used} min of {limit}")
        }
    }

    /// The line under a result: what feeds review, and the scale.
    pub fn mock_result_note(&self) -> &'static str {
        self.pick(
            "모의고사 답은 점수(순위표)에는 들어가지 않고 복습 카드에 반영됩니다. 환산 점수는 72% 정답을 합격선 700으로 잡은 100–1000 점수입니다.",
            "Mock answers earn no leaderboard points; they feed your review cards. The scaled score runs 100–1000 with 72 % right at the pass mark of 700.",
        )
    }

    pub fn mock_domains_title(&self) -> &'static str {
        self.pick("영역별 결과", "By exam domain")
    }

    /// "틀린 문제 3–4 / 7".
    pub fn mock_misses_title(&self, from: usize, to: usize, of: usize) -> String {
        let range = if from == to {
            from.to_string()
        } else {
            format!("{from}–{to}")
        };
        if self.korean() {
            format!("틀린 문제 {range} / {of}")
        } else {
            format!("Missed {range} of {of}")
        }
    }

    pub fn mock_no_misses(&self) -> &'static str {
        self.pick("틀린 문제가 없습니다! 🎉", "Nothing missed! 🎉")
    }

    /// A missed question's heading: "12번 문제 · 보안 및 규정 준수".
    pub fn mock_miss_heading(&self, position: usize, domain: Option<Domain>) -> String {
        let number = position + 1;
        let place = if self.korean() {
            format!("{number}번 문제")
        } else {
            format!("Question {number}")
        };
        match domain {
            Some(domain) => format!("{place} · {}", self.domain(domain)),
            None => place,
        }
    }

    pub fn mock_blank(&self) -> &'static str {
        self.pick("답하지 않음", "Not answered")
    }

    /// "2/4쪽".
    pub fn mock_page(&self, page: usize, pages: usize) -> String {
        if self.korean() {
            format!("{}/{pages}쪽", page + 1)
        } else {
            format!("page {}/{pages}", page + 1)
        }
    }

    pub fn mock_already_submitted(&self) -> &'static str {
        self.pick(
            "이미 제출한 모의고사입니다. 결과를 보여 드립니다.",
            "This mock exam was already submitted: here is its result.",
        )
    }

    /// The terminal's prompt on a mock card.
    pub fn mock_prompt(&self, picks: usize) -> String {
        match (self.korean(), picks) {
            (true, 1) => "답 (A–D) · < 이전 · > 다음 · submit 제출 · q 나가기 > ".into(),
            (true, n) => {
                format!("답 {n}개 (예: A C) · < 이전 · > 다음 · submit 제출 · q 나가기 > ")
            }
            (false, 1) => "answer (A–D) · < previous · > next · submit · q to leave > ".into(),
            (false, n) => {
                format!("{n} answers (e.g. A C) · < previous · > next · submit · q to leave > ")
            }
        }
    }

    /// The terminal's question before submitting with blanks.
    pub fn mock_confirm_prompt(&self) -> &'static str {
        self.pick(
            "제출하려면 y, 돌아가려면 Enter > ",
            "y to submit, Enter to go back > ",
        )
    }

    /// Leaving a mock in the terminal before submitting it.
    pub fn mock_left(&self, ends: &str) -> String {
        if self.korean() {
            format!("모의고사를 잠시 나갑니다. 답은 저장되었고, {ends}까지 quizbot mock 으로 이어서 풀 수 있습니다.")
        } else {
            format!("Leaving the mock exam. Your answers are saved; run quizbot mock again before {ends} to go on.")
        }
    }

    /// Refusals of a mock's settings.
    pub(super) fn mock_refusal(&self, refusal: &Refusal) -> Option<String> {
        Some(match refusal {
            Refusal::BadMockLength { min, max } => {
                if self.korean() {
                    format!("모의고사는 {min}에서 {max}문제 사이로 정해 주세요 (기본 {max}문제).")
                } else {
                    format!("A mock exam has {min} to {max} questions (default {max}).")
                }
            }
            Refusal::BadMockMinutes { max } => {
                if self.korean() {
                    format!("제한 시간은 1에서 {max}분 사이로 정해 주세요.")
                } else {
                    format!("The time limit is 1 to {max} minutes.")
                }
            }
            _ => return None,
        })
    }

    // Readiness.

    /// "예상 점수 742 (합격선 700) · 합격권".
    pub fn predicted_score(&self, score: u32) -> String {
        let pass = mock::PASS_MARK;
        let verdict = if mock::passes(score) {
            self.pick("합격권", "on track to pass").to_string()
        } else if self.korean() {
            format!("합격선까지 {}점", pass - score)
        } else {
            format!("{} short of passing", pass - score)
        };
        if self.korean() {
            format!("예상 점수 {score} (합격선 {pass}) · {verdict}")
        } else {
            format!("Predicted score {score} (pass mark {pass}) · {verdict}")
        }
    }

    pub fn not_enough_data(&self) -> &'static str {
        self.pick("데이터 부족", "not enough data")
    }

    /// No prediction yet: how many questions are answered, and how many
    /// are needed.
    pub fn predicted_score_pending(&self, answered: usize, needed: usize) -> String {
        if self.korean() {
            format!(
                "예상 점수: 데이터 부족 ({needed}문제 이상 답하면 계산합니다. 지금 {answered}문제)"
            )
        } else {
            format!("Predicted score: not enough data (it needs {needed} questions answered; {answered} so far)")
        }
    }

    /// "가장 약한 영역: 보안 및 규정 준수 (예상 정답률 61%)".
    pub fn weakest_domain(&self, domain: Domain, share: f64) -> String {
        let share = share_percent(share);
        let name = self.domain(domain);
        if self.korean() {
            format!("가장 약한 영역: {name} (예상 정답률 {share}%)")
        } else {
            format!("Weakest domain: {name} ({share}% expected right)")
        }
    }

    /// The weakest domain's cards due before the exam, and the points
    /// reviewing them adds to the prediction.
    pub fn due_before_exam(&self, cards: usize, lift: u32) -> String {
        match (self.korean(), lift) {
            (true, 0) => format!("시험 전까지 이 영역에서 돌아오는 카드 {cards}장"),
            (true, lift) => {
                format!("시험 전까지 이 영역에서 돌아오는 카드 {cards}장을 복습하면 약 +{lift}점")
            }
            (false, 0) => format!("{cards} card(s) of it come due before the exam"),
            (false, lift) => {
                format!(
                    "Reviewing its {cards} card(s) due before the exam adds about {lift} points"
                )
            }
        }
    }

    /// Without an exam date: the weakest domain's cards due now.
    pub fn due_now_in_domain(&self, cards: usize) -> String {
        if self.korean() {
            format!("이 영역에서 지금 복습할 카드 {cards}장 (시험 날짜를 정하면 시험 전까지의 카드로 계산합니다)")
        } else {
            format!("{cards} card(s) of it are due now (with an exam date set, those due before it count)")
        }
    }

    /// "모의고사 3회: 703 ✅ · 655 · 690 (최근 순)".
    pub fn mock_history(&self, scores: &[(u32, bool)]) -> String {
        let list: Vec<String> = scores
            .iter()
            .map(|(score, passed)| {
                if *passed {
                    format!("{score} ✅")
                } else {
                    score.to_string()
                }
            })
            .collect();
        let count = scores.len();
        let list = list.join(" · ");
        if self.korean() {
            format!("모의고사 {count}회: {list} (최근 순)")
        } else {
            format!("Mock exams ({count}): {list} (latest first)")
        }
    }

    pub fn readiness_title(&self) -> String {
        if self.korean() {
            format!("시험 준비도 (합격선 {})", mock::PASS_MARK)
        } else {
            format!("Exam readiness (pass mark {})", mock::PASS_MARK)
        }
    }

    /// A member's line on the readiness board.
    pub fn readiness_row(&self, score: Option<u32>) -> String {
        match score {
            Some(score) if mock::passes(score) => {
                format!("{} {score} ✅", self.pick("예상", "predicted"))
            }
            Some(score) => format!("{} {score}", self.pick("예상", "predicted")),
            None => self.not_enough_data().into(),
        }
    }

    /// "합격 예상 2/4명 (데이터 부족 1명)".
    pub fn readiness_summary(&self, passing: usize, assessed: usize, pending: usize) -> String {
        match (self.korean(), pending) {
            (true, 0) => format!("합격 예상 {passing}/{assessed}명"),
            (true, n) => format!("합격 예상 {passing}/{assessed}명 (데이터 부족 {n}명)"),
            (false, 0) => format!("Predicted to pass: {passing} of {assessed}"),
            (false, n) => {
                format!("Predicted to pass: {passing} of {assessed} ({n} without enough data)")
            }
        }
    }

    /// "그룹의 가장 약한 영역: 보안 및 규정 준수 (평균 예상 정답률 61%)".
    pub fn group_weakest_domain(&self, domain: Domain, share: f64) -> String {
        let share = share_percent(share);
        let name = self.domain(domain);
        if self.korean() {
            format!("그룹의 가장 약한 영역: {name} (평균 예상 정답률 {share}%)")
        } else {
            format!("The group's weakest domain: {name} ({share}% expected right on average)")
        }
    }

    pub fn readiness_empty(&self) -> &'static str {
        self.pick(
            "아직 문제를 푼 사람이 없습니다. /quiz 로 시작해 보세요!",
            "Nobody has answered yet. Start with /quiz!",
        )
    }

    pub fn readiness_legend(&self) -> String {
        if self.korean() {
            format!(
                "예상 점수: 복습 카드의 기억 정도와 처음 보는 문제의 첫 시도 정답률로 계산한 65문제 시험의 평균 환산 점수 · {}문제 이상 답한 사람만",
                crate::readiness::MIN_ANSWERED
            )
        } else {
            format!(
                "Predicted score: the mean scaled score of a 65-question exam, from how well each card is remembered and the first-try accuracy on unseen questions · members with {}+ answers",
                crate::readiness::MIN_ANSWERED
            )
        }
    }
}

/// A share 0–1 as a whole percentage.
fn share_percent(share: f64) -> i64 {
    // A share is within 0..=1: the cast cannot wrap.
    (share.clamp(0.0, 1.0) * 100.0).round() as i64
}
