//! A community's settings in words: what an admin reads after showing or
//! changing them.

use chrono::NaiveDate;

use super::Texts;
use crate::config::Locale;
use crate::review;

impl Texts {
    /// The settings, one per line.
    pub fn community_settings(
        &self,
        zone: &str,
        language: Locale,
        retention: f32,
        exam_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> String {
        let exam = match exam_on {
            Some(exam_on) => self.exam_countdown(exam_on, review::days_to_exam(today, exam_on)),
            None => self.exam_unset().to_string(),
        };
        let language = self.language_name(language);
        if self.korean() {
            format!(
                "⚙️ 이 커뮤니티의 설정\n\
                 · 시간대: {zone} (오늘·이번 주·이번 달, 연속 학습일의 날짜 기준)\n\
                 · 언어: {language}\n\
                 · 목표 기억률: {retention:.2}\n\
                 · 시험: {exam}"
            )
        } else {
            format!(
                "⚙️ This community's settings\n\
                 · Time zone: {zone} (where today, this week, this month and streak days begin)\n\
                 · Language: {language}\n\
                 · Desired retention: {retention:.2}\n\
                 · Exam: {exam}"
            )
        }
    }

    fn language_name(&self, language: Locale) -> &'static str {
        match language {
            Locale::Korean => self.pick("한국어 (ko)", "Korean (ko)"),
            Locale::English => self.pick("영어 (en)", "English (en)"),
        }
    }

    pub fn time_zone_set(&self, zone: &str) -> String {
        if self.korean() {
            format!(
                "시간대를 {zone}(으)로 바꿨습니다. 다음 답부터 오늘·이번 주·이번 달과 연속 학습일이 \
                 이 시간대의 날짜로 셉니다. 이미 정한 오늘의 문제 일정은 정할 때의 시간대를 그대로 씁니다."
            )
        } else {
            format!(
                "Time zone set to {zone}. From the next answer on, today, this week, this month and \
                 streak days are counted in its dates. Daily question schedules already set keep \
                 the zone they were set in."
            )
        }
    }

    /// Said in the new language itself.
    pub fn language_set(&self) -> String {
        self.pick(
            "이제 이 커뮤니티의 메시지는 한국어로 보냅니다.",
            "This community's messages are in English from now on.",
        )
        .to_string()
    }
}
