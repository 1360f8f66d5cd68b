//! The wording of a member's progress in `/stats`: exam domains, the
//! group's averages, weak topics, most-missed questions, and the labels of
//! the stats chart.

use super::{percent, Texts};
use crate::bank::Domain;

impl Texts {
    /// An exam domain's name, as the exam guide calls it.
    pub fn domain(&self, domain: Domain) -> &'static str {
        match domain {
            Domain::Concepts => self.pick("클라우드 개념", "Cloud Concepts"),
            Domain::Security => self.pick("보안 및 규정 준수", "Security and Compliance"),
            Domain::Technology => {
                self.pick("클라우드 기술 및 서비스", "Cloud Technology and Services")
            }
            Domain::Billing => self.pick("결제, 요금 및 지원", "Billing, Pricing, and Support"),
        }
    }

    pub fn accuracy_by_domain(&self) -> &'static str {
        self.pick("시험 영역별 정확도", "Accuracy by exam domain")
    }

    /// "보안 및 규정 준수 (시험의 30%): 8/10 (80%)".
    pub fn domain_accuracy(&self, domain: Domain, correct: i64, answered: i64) -> String {
        let name = self.domain(domain);
        let weight = domain.exam_percent();
        let percent = percent(correct, answered);
        if self.korean() {
            format!("{name} (시험의 {weight}%): {correct}/{answered} ({percent}%)")
        } else {
            format!("{name} ({weight}% of the exam): {correct}/{answered} ({percent}%)")
        }
    }

    /// A topic's line with the group's average beside it.
    pub fn topic_accuracy_vs_group(
        &self,
        topic: &str,
        correct: i64,
        answered: i64,
        group: Option<i64>,
    ) -> String {
        let mine = self.topic_accuracy(topic, correct, answered);
        match (group, self.korean()) {
            (Some(group), true) => format!("{mine} · 그룹 {group}%"),
            (Some(group), false) => format!("{mine} · group {group}%"),
            (None, _) => mine,
        }
    }

    /// "약한 주제: IAM 40% · S3 50%".
    pub fn weak_topics(&self, topics: &[(String, i64)]) -> String {
        let list: Vec<String> = topics
            .iter()
            .map(|(name, percent)| format!("{name} {percent}%"))
            .collect();
        let list = list.join(" · ");
        if self.korean() {
            format!("약한 주제: {list}")
        } else {
            format!("Weakest topics: {list}")
        }
    }

    /// The record's activity chart: "최근 30일 ·▂█… (12일 · 84문제)".
    pub fn activity(&self, days: usize, chart: &str, active: usize, answers: i64) -> String {
        if self.korean() {
            format!("최근 {days}일 {chart} ({active}일 · {answers}문제)")
        } else {
            format!("Last {days} days {chart} ({active} days · {answers} answers)")
        }
    }

    pub fn most_missed_title(&self) -> &'static str {
        self.pick("가장 많이 틀린 문제", "Most missed questions")
    }

    /// One most-missed question: its prompt (cut) and how often missed.
    pub fn missed_question(&self, prompt: &str, missed: i64, answered: i64) -> String {
        if self.korean() {
            format!("{prompt} ({answered}번 중 {missed}번 틀림)")
        } else {
            format!("{prompt} (missed {missed} of {answered})")
        }
    }

    // The stats chart (`crate::chart`).

    /// The group's bars in the chart's legend.
    pub fn chart_group_average(&self) -> &'static str {
        self.pick("그룹 평균", "Group average")
    }

    /// The chart's title and legend when the member's name has letters
    /// the chart's font cannot draw.
    pub fn chart_your_record(&self) -> &'static str {
        self.pick("내 기록", "Your record")
    }

    pub fn chart_you(&self) -> &'static str {
        self.pick("나", "You")
    }

    /// A member's bar: "80% (8/10)".
    pub fn chart_topic_value(&self, correct: i64, answered: i64) -> String {
        format!("{}% ({correct}/{answered})", percent(correct, answered))
    }

    /// The activity panel's title: "최근 30일 하루 답변 수".
    pub fn chart_activity_title(&self, days: usize) -> String {
        if self.korean() {
            format!("최근 {days}일 하루 답변 수")
        } else {
            format!("Answers per day, last {days} days")
        }
    }

    /// A day on the activity axis, counted back from today.
    pub fn chart_days_ago(&self, days: usize) -> String {
        match (days, self.korean()) {
            (0, true) => "오늘".into(),
            (0, false) => "today".into(),
            (n, true) => format!("{n}일 전"),
            (n, false) => format!("{n}d ago"),
        }
    }

    /// The activity panel when no day had an answer.
    pub fn chart_no_activity(&self, days: usize) -> String {
        if self.korean() {
            format!("최근 {days}일 동안 답한 문제가 없어요")
        } else {
            format!("No answers in the last {days} days")
        }
    }
}
