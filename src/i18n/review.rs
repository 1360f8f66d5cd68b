//! Spaced review's wording, shared by every platform.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{Command, Texts};
use crate::quiz;

impl Texts {
    /// The first part of a review card's heading.
    pub fn review_title(&self) -> &'static str {
        self.pick("복습", "Review")
    }

    /// Under every review card: what its answers count for.
    pub fn review_footer(&self) -> &'static str {
        self.pick(
            "복습은 점수 없이 정확도와 연속 학습, 복습 일정에만 반영됩니다.",
            "Review answers score no points; they count for accuracy, streaks and your review schedule.",
        )
    }

    /// The score line of a review answer.
    pub fn review_scored(&self) -> &'static str {
        self.pick("점수 없음", "No points")
    }

    /// When something comes back, from `now`, in words: "10분 뒤",
    /// "오늘 18:30", "내일", "3일 뒤".
    pub fn when(&self, at: DateTime<Utc>, now: DateTime<Utc>, zone: Tz) -> String {
        // Whole minutes, rounded up: a card due in 9 min 50 s is "10분 뒤".
        let minutes = ((at - now).num_seconds() + 59).div_euclid(60);
        let days = (quiz::local_day(at, zone) - quiz::local_day(now, zone)).num_days();
        match (self.korean(), minutes, days) {
            (true, ..=0, _) => "지금".into(),
            (false, ..=0, _) => "now".into(),
            (true, 1..=59, _) => format!("{minutes}분 뒤"),
            (false, 1..=59, _) => format!("in {minutes} min"),
            (true, _, ..=0) => format!("오늘 {}", at.with_timezone(&zone).format("%H:%M")),
            (false, _, ..=0) => format!("today at {}", at.with_timezone(&zone).format("%H:%M")),
            (true, _, 1) => "내일".into(),
            (false, _, 1) => "tomorrow".into(),
            (true, _, days) => format!("{days}일 뒤"),
            (false, _, days) => format!("in {days} days"),
        }
    }

    /// The summary's line about this session's misses.
    pub fn misses_come_back(&self, count: usize, when: &str) -> String {
        let review = self.command(Command::Review);
        if self.korean() {
            format!("틀린 {count}문제는 {when} 복습에 다시 나옵니다 ({review}).")
        } else if count == 1 {
            format!("The question you missed comes back {when} in {review}.")
        } else {
            format!("The {count} questions you missed come back {when} in {review}.")
        }
    }

    /// The summary's line when the session's misses are due in review
    /// already (a miss comes back after a short relearning step, within
    /// the look-ahead a review session serves).
    pub fn misses_ready(&self, count: usize) -> String {
        let review = self.command(Command::Review);
        if self.korean() {
            format!("틀린 {count}문제는 지금 바로 복습할 수 있습니다 ({review}).")
        } else if count == 1 {
            format!("The question you missed is ready to review now in {review}.")
        } else {
            format!("The {count} questions you missed are ready to review now in {review}.")
        }
    }

    /// Nothing is due: when the next card is, or that there are no cards.
    pub fn nothing_due(&self, next: Option<&str>) -> String {
        match (self.korean(), next) {
            (true, Some(when)) => format!(
                "지금 복습할 문제가 없습니다. 다음 복습은 {when}입니다. 그동안 새 퀴즈를 풀어 보세요!"
            ),
            (false, Some(when)) => format!(
                "Nothing to review right now; the next card is due {when}. Meanwhile, try a new quiz!"
            ),
            (true, None) => "아직 복습할 문제가 없습니다. 퀴즈나 오늘의 문제에 답하면 틀린 문제가 복습으로 돌아옵니다.".into(),
            (false, None) => "Nothing to review yet. Answer a quiz or the daily question, and what you miss comes back here.".into(),
        }
    }

    pub fn start_quiz_button(&self) -> &'static str {
        self.pick("새 퀴즈 시작", "Start a quiz")
    }

    /// The stats line of cards due.
    pub fn review_due(&self, now: i64, soon: i64) -> String {
        if self.korean() {
            format!("복습: 지금 {now}문제 · 내일까지 {soon}문제 더")
        } else {
            format!("Review: {now} due now · {soon} more by tomorrow")
        }
    }

    /// The exam countdown: "시험까지 D-12".
    pub fn exam_countdown(&self, exam_on: NaiveDate, days: i64) -> String {
        match (self.korean(), days) {
            (true, 0) => format!("오늘 시험입니다 ({exam_on}) · D-DAY"),
            (false, 0) => format!("Exam today ({exam_on}) · D-DAY"),
            (true, d) if d > 0 => format!("시험까지 D-{d} ({exam_on})"),
            (false, d) if d > 0 => format!("Exam in {d} days: D-{d} ({exam_on})"),
            (true, d) => format!("시험 {}일 지남 ({exam_on})", -d),
            (false, d) => format!("Exam was {} days ago ({exam_on})", -d),
        }
    }

    pub fn exam_set(&self, exam_on: NaiveDate, days: i64) -> String {
        if self.korean() {
            format!(
                "시험 날짜를 {exam_on}로 정했습니다 (D-{days}). 시험 전 7일 동안은 복습이 시험 전에 돌아올 문제까지 미리 가져옵니다."
            )
        } else {
            format!(
                "Exam date set to {exam_on} (D-{days}). In its last 7 days, review also brings the cards due before the exam."
            )
        }
    }

    pub fn exam_cleared(&self) -> &'static str {
        self.pick("시험 날짜를 지웠습니다.", "Exam date cleared.")
    }

    pub fn exam_unset(&self) -> &'static str {
        self.pick("시험 날짜가 정해져 있지 않습니다.", "No exam date is set.")
    }

    pub fn retention_set(&self, retention: f32) -> String {
        if self.korean() {
            format!(
                "목표 기억률을 {retention:.2}로 정했습니다. 높을수록 복습이 자주 돌아옵니다. 다음 답부터 적용됩니다."
            )
        } else {
            format!(
                "Desired retention set to {retention:.2}: the higher, the sooner cards come back. It applies from the next answer."
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Locale;
    use chrono::{Duration, TimeZone};

    #[test]
    fn when_says_minutes_today_tomorrow_or_days() {
        let texts = Texts::new(Locale::Korean);
        let zone = chrono_tz::Asia::Seoul;
        // 09:00 in Seoul.
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
        let when = |later: Duration| texts.when(now + later, now, zone);
        assert_eq!(when(Duration::seconds(590)), "10분 뒤");
        assert_eq!(when(Duration::zero()), "지금");
        assert_eq!(when(Duration::hours(5)), "오늘 14:00");
        assert_eq!(when(Duration::hours(20)), "내일");
        assert_eq!(when(Duration::days(3)), "3일 뒤");
    }
}
