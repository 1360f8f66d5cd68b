//! The wording of reports: the 🚩 button, the form, the thanks, and the
//! admins' list.

use super::Texts;
use crate::bank::Question;
use crate::question_stats::QuestionStats;
use crate::report::ReportReason;

impl Texts {
    pub fn report_button(&self) -> &'static str {
        self.pick("🚩 신고", "🚩 Report")
    }

    pub fn report_title(&self) -> &'static str {
        self.pick("문제 신고", "Report a question")
    }

    /// What the form asks first.
    pub fn report_question(&self) -> &'static str {
        self.pick(
            "이 문제의 무엇이 잘못되었나요?",
            "What is wrong with this question?",
        )
    }

    pub fn report_reason(&self, reason: ReportReason) -> &'static str {
        match reason {
            ReportReason::WrongAnswer => self.pick("정답이 틀림", "The answer is wrong"),
            ReportReason::WrongExplanation => self.pick("설명이 틀림", "The explanation is wrong"),
            ReportReason::Ambiguous => self.pick("문제가 애매함", "The question is unclear"),
            ReportReason::Other => self.pick("기타", "Something else"),
        }
    }

    pub fn report_reason_label(&self) -> &'static str {
        self.pick("이유", "Reason")
    }

    pub fn report_details_label(&self) -> &'static str {
        self.pick("자세히 (선택)", "Details (optional)")
    }

    pub fn report_details_placeholder(&self) -> &'static str {
        self.pick(
            "예: 노트에는 B가 맞다고 되어 있습니다.",
            "e.g. the notes say B is right.",
        )
    }

    pub fn report_send(&self) -> &'static str {
        self.pick("보내기", "Send")
    }

    /// The terminal's hint after an answer.
    pub fn report_hint(&self) -> &'static str {
        self.pick(
            "(🚩 이 문제가 잘못되었다면 다음 답 대신 ! 를 입력하세요)",
            "(🚩 if this question is wrong, type ! instead of the next answer)",
        )
    }

    /// The terminal's prompt after the last question.
    pub fn report_last_prompt(&self) -> &'static str {
        self.pick(
            "Enter: 끝내기 · !: 방금 문제 신고 > ",
            "Enter to finish · ! to report the last question > ",
        )
    }

    /// The terminal's prompt for a reason's number.
    pub fn report_reason_prompt(&self, count: usize) -> String {
        if self.korean() {
            format!("번호 (1–{count}, Enter: 취소) > ")
        } else {
            format!("number (1–{count}, Enter to cancel) > ")
        }
    }

    pub fn report_cancelled(&self) -> &'static str {
        self.pick("신고하지 않았습니다.", "Not reported.")
    }

    pub fn report_thanks(&self) -> &'static str {
        self.pick(
            "신고해 주셔서 고맙습니다. 관리자가 확인하고 고치겠습니다.",
            "Thank you for the report: an admin will look at it.",
        )
    }

    pub fn report_already_open(&self) -> &'static str {
        self.pick(
            "이미 신고한 문제입니다. 관리자가 확인하고 있습니다.",
            "You have already reported this question; an admin is on it.",
        )
    }

    pub fn reports_none(&self, all: bool) -> &'static str {
        match all {
            false => self.pick("열린 신고가 없습니다.", "No open reports."),
            true => self.pick("신고가 없습니다.", "No reports."),
        }
    }

    /// A reported question's heading: "ec2-spot · 신고 3건 (열림 2) · 정답이
    /// 틀림 2, 기타 1".
    pub fn reported_question(
        &self,
        question_id: &str,
        total: usize,
        open: usize,
        reasons: &[(ReportReason, usize)],
    ) -> String {
        let reasons: Vec<String> = reasons
            .iter()
            .map(|(reason, count)| format!("{} {count}", self.report_reason(*reason)))
            .collect();
        let reasons = reasons.join(", ");
        if self.korean() {
            format!("{question_id} · 신고 {total}건 (열림 {open}) · {reasons}")
        } else {
            format!("{question_id} · {total} reports ({open} open) · {reasons}")
        }
    }

    /// One report under its question: who, and what they wrote.
    pub fn report_line(&self, reporter: &str, details: &str, resolution: Option<&str>) -> String {
        let mut line = format!("  - {reporter}");
        if !details.is_empty() {
            line.push_str(&format!(": {details}"));
        }
        if let Some(resolution) = resolution {
            if self.korean() {
                line.push_str(&format!(" (처리됨: {resolution})"));
            } else {
                line.push_str(&format!(" (resolved: {resolution})"));
            }
        }
        line
    }

    pub fn reports_resolved(&self, question_id: &str, count: u64) -> String {
        if self.korean() {
            format!("{question_id}의 열린 신고 {count}건을 처리했습니다.")
        } else {
            format!("Resolved {count} open reports of {question_id}.")
        }
    }

    /// One question's figures for authors, on one line.
    pub fn question_stats_line(&self, stats: &QuestionStats) -> String {
        let picks: Vec<String> = stats
            .picks
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{} {n}", Question::letter(i)))
            .collect();
        let picks = picks.join(" / ");
        let percent = (stats.correct_share * 100.0).round();
        let korean = self.korean();
        let mut line = if korean {
            format!(
                "{} ({}) · 응답 {} · 정답률 {percent}% · 선택 {picks}",
                stats.id, stats.topic, stats.answered
            )
        } else {
            format!(
                "{} ({}) · {} answered · {percent}% right · picked {picks}",
                stats.id, stats.topic, stats.answered
            )
        };
        if let Some(ms) = stats.median_ms {
            let seconds = ms as f64 / 1000.0;
            line.push_str(&if korean {
                format!(" · 중앙 {seconds:.1}초")
            } else {
                format!(" · median {seconds:.1} s")
            });
        }
        if stats.open_reports > 0 {
            line.push_str(&if korean {
                format!(" · 열린 신고 {}", stats.open_reports)
            } else {
                format!(" · {} open reports", stats.open_reports)
            });
        }
        if !stats.unpicked_distractors.is_empty() {
            let letters = Question::letters(&stats.unpicked_distractors);
            line.push_str(&if korean {
                format!(" · ⚑ 아무도 고르지 않은 오답: {letters}")
            } else {
                format!(" · ⚑ no one picks: {letters}")
            });
        }
        line
    }

    pub fn question_stats_title(&self) -> &'static str {
        self.pick(
            "문제별 기록 (많이 틀리는 문제부터)",
            "Questions, the most missed first",
        )
    }

    pub fn question_stats_none(&self) -> &'static str {
        self.pick(
            "아직 답한 문제가 없습니다.",
            "No question has been answered yet.",
        )
    }

    /// The questions nearly everyone gets right.
    pub fn nearly_all_right(&self, ids: &[&str]) -> String {
        let list = ids.join(", ");
        if self.korean() {
            format!("거의 모두 맞히는 문제 (90% 이상): {list}")
        } else {
            format!("Nearly everyone gets these right (90% or more): {list}")
        }
    }

    /// The note a report gets when a reload changed its question's key.
    pub fn resolved_by_key_change(&self) -> &'static str {
        self.pick("다시 불러올 때 정답이 바뀜", "answer key changed on reload")
    }

    /// A reload's line about a changed answer key: how many answers were
    /// scored with the old one (they are not scored again).
    pub fn key_changed(&self, question_id: &str, answers: i64, resolved: u64) -> String {
        if self.korean() {
            format!(
                "정답이 바뀐 문제: {question_id} · 이전 정답으로 채점된 답 {answers}개는 다시 채점하지 않습니다 · 신고 {resolved}건 처리됨"
            )
        } else {
            format!(
                "Answer key changed: {question_id} · {answers} answers scored with the old key are not scored again · {resolved} reports resolved"
            )
        }
    }
}
