//! The daily question's wording, shared by every platform.

use chrono::{DateTime, Utc};

use super::Texts;
use crate::config::Locale;
use crate::daily::{format_delay, Schedule};

impl Texts {
    pub fn daily_title(&self) -> &'static str {
        self.pick("오늘의 문제", "Question of the day")
    }

    pub fn daily_footer(&self) -> String {
        self.pick(
            "한 번만 답할 수 있습니다 · 결과는 나에게만 보입니다",
            "One answer each · only you see your result",
        )
        .to_string()
    }

    pub fn daily_closed_footer(&self) -> &'static str {
        self.pick(
            "마감되었습니다 · 정답은 아래 공개 글에서 확인하세요",
            "Closed · the answer is in the reveal below",
        )
    }

    pub fn reveal_time_label(&self) -> &'static str {
        self.pick("정답 공개", "Answer revealed")
    }

    pub fn reveal_title(&self) -> &'static str {
        self.pick("오늘의 문제 정답 공개", "The answer to today's question")
    }

    pub fn answer_spread(&self) -> &'static str {
        self.pick("선택 분포", "How the group answered")
    }

    pub fn people(&self, count: usize) -> String {
        match self.locale {
            Locale::Korean => format!("{count}명"),
            Locale::English if count == 1 => "1 person".to_string(),
            Locale::English => format!("{count} people"),
        }
    }

    pub fn turnout(&self, answered: usize, correct: usize) -> String {
        let rate = super::percent(correct as i64, answered as i64);
        match (self.locale, answered) {
            (Locale::Korean, 0) => "아무도 답하지 않았습니다. 내일은 함께 풀어요!".to_string(),
            (Locale::English, 0) => "Nobody answered. Join in tomorrow!".to_string(),
            (Locale::Korean, _) => format!("{answered}명 참여 · 정답 {correct}명 ({rate}%)"),
            (Locale::English, _) => {
                format!("{answered} answered · {correct} right ({rate}%)")
            }
        }
    }

    pub fn streaks_title(&self) -> &'static str {
        self.pick("🔥 연속 학습", "🔥 Longest streaks")
    }

    pub fn streak_line(&self, name: &str, days: u32) -> String {
        match self.locale {
            Locale::Korean => format!("{name} · {days}일째"),
            Locale::English => format!("{name} · {days} days"),
        }
    }

    /// "B · 3명 (60%) ✅": how many chose one choice at the reveal.
    pub fn choice_spread(
        &self,
        letter: char,
        count: usize,
        answered: usize,
        right: bool,
    ) -> String {
        let mark = if right { " ✅" } else { "" };
        format!(
            "{letter} · {} ({}%){mark}",
            self.people(count),
            super::percent(count as i64, answered as i64)
        )
    }

    /// What a first answer to a daily question earned.
    pub fn daily_points(&self, points: i64, streak: u32) -> String {
        let points = self.points_won(points, false);
        match (self.locale, streak) {
            (_, 0) => points,
            (Locale::Korean, days) => format!("{points} · 🔥 연속 {days}일째"),
            (Locale::English, days) => format!("{points} · 🔥 {days}-day streak"),
        }
    }

    pub fn schedule_saved(&self) -> &'static str {
        self.pick("오늘의 문제를 설정했습니다.", "Daily question set.")
    }

    /// One schedule's settings and state, after the channel's name:
    /// "daily at 09:00 (Asia/Seoul) · all topics · …".
    pub fn schedule_settings(&self, schedule: &Schedule, now: DateTime<Utc>) -> String {
        let topics = if schedule.topics.is_empty() {
            self.pick("모든 주제", "all topics").to_string()
        } else {
            schedule.topics.join(", ")
        };
        let time = schedule.time.format("%H:%M");
        let zone = schedule.time_zone.name();
        let delay = format_delay(schedule.reveal_after);
        let next = schedule
            .next_due(now)
            .with_timezone(&schedule.time_zone)
            .format("%Y-%m-%d %H:%M");
        match (self.locale, schedule.enabled) {
            (Locale::Korean, true) => {
                format!("매일 {time} ({zone}) · {topics} · {delay} 뒤 공개 · 다음: {next}")
            }
            (Locale::Korean, false) => {
                format!("꺼짐 (매일 {time} ({zone}) · {topics} · {delay} 뒤 공개)")
            }
            (Locale::English, true) => format!(
                "daily at {time} ({zone}) · {topics} · revealed after {delay} · next: {next}"
            ),
            (Locale::English, false) => {
                format!("off (daily at {time} ({zone}) · {topics} · revealed after {delay})")
            }
        }
    }

    /// A schedule's delivery trouble, when it has any.
    pub fn schedule_failure(&self, schedule: &Schedule) -> Option<String> {
        let failure = schedule.failure.as_ref()?;
        let retry = failure
            .retry_at
            .with_timezone(&schedule.time_zone)
            .format("%Y-%m-%d %H:%M");
        Some(match self.locale {
            Locale::Korean => format!(
                "⚠ 전송 실패 {}회: {} (다음 시도 {retry})",
                failure.count, failure.error
            ),
            Locale::English => format!(
                "⚠ {} failed deliveries: {} (next try {retry})",
                failure.count, failure.error
            ),
        })
    }

    pub fn no_schedules(&self) -> &'static str {
        self.pick(
            "설정된 오늘의 문제가 없습니다.",
            "No daily question is set.",
        )
    }

    pub fn schedules_off(&self, count: u64) -> String {
        match (self.locale, count) {
            (Locale::Korean, 0) => "켜진 오늘의 문제가 없습니다.".to_string(),
            (Locale::English, 0) => "No daily question was on.".to_string(),
            (Locale::Korean, n) => format!("오늘의 문제 {n}개를 껐습니다."),
            (Locale::English, 1) => "Daily question turned off.".to_string(),
            (Locale::English, n) => format!("{n} daily questions turned off."),
        }
    }

    pub fn schedule_removed(&self) -> &'static str {
        self.pick("오늘의 문제를 지웠습니다.", "Daily question removed.")
    }
}
