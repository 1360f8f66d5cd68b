//! What users read, in Korean (the default) and English.
//!
//! Every user-facing sentence of the terminal and the platforms comes from
//! here: the view model ([`crate::view`]) is worded with these texts and the
//! platforms only lay it out, so a translation is one place to edit and the
//! platforms cannot drift apart. The wording of the daily question is in
//! [`daily`], of the mock exam and readiness in [`mock`], of the live
//! round in [`live`], of the Slack commands' usage in [`slack`].

mod daily;
mod live;
mod mock;
mod progress;
mod report;
mod review;
mod settings;
mod slack;

use chrono::NaiveDate;

use crate::bank::Difficulty;
use crate::config::Locale;
use crate::identity::Platform;
use crate::quiz::Period;
use crate::refusal::Refusal;

/// The texts of one locale, and of one platform when the words name its
/// commands.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    pub locale: Locale,
    /// Where the reader types commands; `None` names them as Slack and
    /// the docs do (`/quiz`).
    pub platform: Option<Platform>,
}

/// A command a message points the reader to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Start a quiz.
    Quiz,
    /// Start a review session.
    Review,
}

impl Texts {
    pub fn new(locale: Locale) -> Self {
        Self {
            locale,
            platform: None,
        }
    }

    /// The same words for a reader on `platform`.
    pub fn on(self, platform: Platform) -> Self {
        Self {
            platform: Some(platform),
            ..self
        }
    }

    /// `command` as the reader types it on their platform: Discord's
    /// localized names (`/퀴즈 방식:복습`), Slack's `/quiz review`, the
    /// terminal's `quizbot review`.
    pub fn command(&self, command: Command) -> &'static str {
        match (self.platform, command) {
            (Some(Platform::Discord), Command::Quiz) => self.pick("/퀴즈", "/quiz"),
            (Some(Platform::Discord), Command::Review) => {
                self.pick("/퀴즈 방식:복습", "/quiz mode:review")
            }
            (Some(Platform::Terminal), Command::Quiz) => "quizbot play",
            (Some(Platform::Terminal), Command::Review) => "quizbot review",
            (_, Command::Quiz) => "/quiz",
            (_, Command::Review) => "/quiz review",
        }
    }

    /// The Korean or the English text, by locale.
    pub fn pick(&self, ko: &'static str, en: &'static str) -> &'static str {
        match self.locale {
            Locale::Korean => ko,
            Locale::English => en,
        }
    }

    fn korean(&self) -> bool {
        self.locale == Locale::Korean
    }

    pub fn difficulty(&self, difficulty: Difficulty) -> &'static str {
        match difficulty {
            Difficulty::Easy => self.pick("쉬움", "easy"),
            Difficulty::Medium => self.pick("보통", "medium"),
            Difficulty::Hard => self.pick("어려움", "hard"),
        }
    }

    pub fn period(&self, period: Period) -> &'static str {
        match period {
            Period::Today => self.pick("오늘", "today"),
            Period::Week => self.pick("이번 주", "this week"),
            Period::Month => self.pick("이번 달", "this month"),
            Period::AllTime => self.pick("전체 기간", "all time"),
        }
    }

    // The question card.

    /// "2/5": the card's place in its session.
    pub fn progress(&self, position: usize, total: usize) -> String {
        format!("{}/{}", position + 1, total)
    }

    /// A card's heading: its parts (topic, difficulty, progress) joined.
    pub fn heading(&self, parts: &[&str]) -> String {
        parts.join(" · ")
    }

    pub fn choose_n(&self, n: usize) -> String {
        if self.korean() {
            format!("{n}개를 고르세요")
        } else {
            format!("choose {n}")
        }
    }

    pub fn submit_button(&self) -> &'static str {
        self.pick("제출", "Submit")
    }

    pub fn next_button(&self) -> &'static str {
        self.pick("다음", "Next")
    }

    /// The button after the last question of a session.
    pub fn results_button(&self) -> &'static str {
        self.pick("결과 보기", "See results")
    }

    /// The terminal's prompt for an answer.
    pub fn answer_prompt(&self, picks: usize) -> String {
        match (self.locale, picks) {
            (Locale::Korean, 1) => "답 (A–D, q: 종료) > ".into(),
            (Locale::Korean, n) => format!("답 {n}개 (예: A C, q: 종료) > "),
            (Locale::English, 1) => "answer (A–D, q to quit) > ".into(),
            (Locale::English, n) => format!("{n} answers (e.g. A C, q to quit) > "),
        }
    }

    pub fn invalid_answer(&self, choices: usize, picks: usize) -> String {
        let last = crate::bank::Question::letter(choices.saturating_sub(1));
        if self.korean() {
            format!("A부터 {last}까지의 글자로 {picks}개를 입력하세요.")
        } else {
            format!("Type {picks} letter(s) from A to {last}.")
        }
    }

    pub fn saved_and_quit(&self) -> &'static str {
        self.pick(
            "종료합니다. 답한 문제는 저장되었습니다.",
            "Bye. Your answers are saved.",
        )
    }

    // Feedback.

    pub fn correct(&self) -> &'static str {
        self.pick("정답입니다!", "Correct!")
    }

    pub fn wrong(&self) -> &'static str {
        self.pick("아쉽지만 틀렸습니다.", "Not quite.")
    }

    pub fn right_answer(&self) -> &'static str {
        self.pick("정답", "Answer")
    }

    pub fn your_answer(&self) -> &'static str {
        self.pick("내 답", "Your answer")
    }

    pub fn explanation(&self) -> &'static str {
        self.pick("해설", "Explanation")
    }

    pub fn from_notes(&self) -> &'static str {
        self.pick("노트", "Notes")
    }

    /// Where an excerpt comes from: "ec2.md › EC2 > 스팟 인스턴스".
    pub fn excerpt_source(&self, file: &str, heading: &str) -> String {
        format!("{file} › {heading}")
    }

    /// Points for one answer; a correct answer worth nothing because it
    /// repeats a recent one says so.
    pub fn points_won(&self, points: i64, repeat: bool) -> String {
        match (self.locale, points, repeat) {
            (Locale::Korean, 0, true) => "+0점 (최근 7일 안에 이미 맞힌 문제)".into(),
            (Locale::Korean, p, _) => format!("+{p}점"),
            (Locale::English, 0, true) => {
                "+0 points (already answered correctly in the last 7 days)".into()
            }
            (Locale::English, p, _) => format!("+{p} points"),
        }
    }

    /// A score: "30점", "30 points".
    pub fn points(&self, points: i64) -> String {
        if self.korean() {
            format!("{points}점")
        } else if points == 1 {
            "1 point".into()
        } else {
            format!("{points} points")
        }
    }

    pub fn already_answered(&self, letters: &str) -> String {
        if self.korean() {
            format!("이미 답했습니다: {letters}. 처음 답이 기록되어 있습니다.")
        } else {
            format!("You already answered {letters}; your first answer stands.")
        }
    }

    // The end of a session.

    pub fn summary_title(&self) -> &'static str {
        self.pick("퀴즈 결과", "Quiz summary")
    }

    pub fn summary_line(
        &self,
        correct: usize,
        answered: usize,
        accuracy: f64,
        points: i64,
    ) -> String {
        let percent = (accuracy * 100.0).round() as i64;
        if self.korean() {
            format!("{answered}문제 중 {correct}문제 정답 (정확도 {percent}%), {points}점 획득")
        } else {
            format!(
                "{correct} of {answered} correct ({percent}%), {}",
                self.points(points)
            )
        }
    }

    /// The session's weakest topics, all of them when tied.
    pub fn weakest_topics(&self, topics: &[&str]) -> String {
        let list = topics.join(", ");
        match (self.korean(), topics.len()) {
            (true, _) => format!("더 공부할 주제: {list}"),
            (false, 1) => format!("Topic to review: {list}"),
            (false, _) => format!("Topics to review: {list}"),
        }
    }

    pub fn nothing_answered(&self) -> &'static str {
        self.pick("답한 문제가 없습니다.", "No questions answered.")
    }

    // Leaderboards.

    pub fn leaderboard_title(&self, period: Period, topic: Option<&str>) -> String {
        let period = self.period(period);
        let title = self.pick("리더보드", "Leaderboard");
        match topic {
            None => format!("{title} · {period}"),
            Some(topic) => format!("{title} · {period} · {topic}"),
        }
    }

    /// The dates a board's period covers in the community's zone, for its
    /// title: "2026-03-04 (Europe/Berlin)", a week's first and last day, a
    /// month; nothing for all time.
    pub fn period_span(&self, period: Period, today: NaiveDate, zone: &str) -> Option<String> {
        let start = period.start(today);
        let span = match period {
            Period::Today => start.format("%Y-%m-%d").to_string(),
            Period::Week => format!(
                "{} ~ {}",
                start.format("%Y-%m-%d"),
                (start + chrono::Duration::days(6)).format("%m-%d")
            ),
            Period::Month => start.format("%Y-%m").to_string(),
            Period::AllTime => return None,
        };
        Some(format!("{span} ({zone})"))
    }

    /// One leaderboard row's score: "30점 · 3/4 정답".
    pub fn standing(&self, points: i64, correct: i64, answered: i64) -> String {
        let points = self.points(points);
        if self.korean() {
            format!("{points} · {correct}/{answered} 정답")
        } else {
            format!("{points} · {correct}/{answered} correct")
        }
    }

    /// What the numbers after a leaderboard name mean.
    pub fn standing_legend(&self) -> &'static str {
        self.pick("정답 수/응답 수", "correct/answered")
    }

    pub fn empty_leaderboard(&self) -> &'static str {
        self.pick(
            "아직 점수가 없습니다. 첫 문제를 풀어 보세요!",
            "No scores yet. Answer the first question!",
        )
    }

    pub fn your_rank(&self, rank: usize, points: i64) -> String {
        if self.korean() {
            format!("내 순위: {rank}위 ({})", self.points(points))
        } else {
            format!("Your rank: #{rank} ({})", self.points(points))
        }
    }

    pub fn not_ranked(&self) -> &'static str {
        self.pick(
            "이 기간에는 아직 내 점수가 없습니다.",
            "You have no points in this period yet.",
        )
    }

    // Stats.

    pub fn stats_title(&self, name: &str) -> String {
        if self.korean() {
            format!("{name}님의 기록")
        } else {
            format!("Stats for {name}")
        }
    }

    pub fn stats_totals(&self, answered: i64, correct: i64, points: i64) -> String {
        let percent = percent(correct, answered);
        let points = self.points(points);
        if self.korean() {
            format!("응답 {answered} · 정답 {correct} ({percent}%) · {points}")
        } else {
            format!("{answered} answered · {correct} correct ({percent}%) · {points}")
        }
    }

    pub fn streaks(&self, current: u32, best: u32) -> String {
        if self.korean() {
            format!("연속 학습: 현재 {current}일 · 최고 {best}일")
        } else {
            format!("Daily streak: {current} now · best {best}")
        }
    }

    pub fn accuracy_by_topic(&self) -> &'static str {
        self.pick("주제별 정확도", "Accuracy by topic")
    }

    pub fn topic_accuracy(&self, topic: &str, correct: i64, answered: i64) -> String {
        format!(
            "{topic}: {correct}/{answered} ({}%)",
            percent(correct, answered)
        )
    }

    pub fn no_stats(&self) -> &'static str {
        self.pick("아직 기록이 없습니다.", "Nothing recorded yet.")
    }

    // Refusals and failures.

    /// A refused request, as the user should read it.
    pub fn refusal(&self, refusal: &Refusal) -> String {
        if let Some(text) = self.mock_refusal(refusal) {
            return text;
        }
        match refusal {
            Refusal::UnknownTopic { topic, known } => {
                let known = known.join(", ");
                if self.korean() {
                    format!("`{topic}` 주제는 없습니다. 주제: {known}")
                } else {
                    format!("There is no topic `{topic}`. Topics: {known}")
                }
            }
            Refusal::NoQuestions => self
                .pick("낼 문제가 없습니다.", "There are no questions to ask.")
                .into(),
            Refusal::NoWeakTopics => self
                .pick(
                    "아직 약한 주제가 없습니다. 한 주제에서 3문제 이상 풀고 틀린 문제가 생기면 그 주제를 골라 드립니다.",
                    "No weak topic yet: once you have answered 3 or more questions of a topic and missed one, it is picked for you.",
                )
                .into(),
            Refusal::SessionOver => {
                let quiz = self.command(Command::Quiz);
                if self.korean() {
                    format!("이미 끝난 퀴즈입니다. {quiz} 로 새 퀴즈를 시작하세요.")
                } else {
                    format!("This quiz is over. Start a new one with {quiz}.")
                }
            }
            Refusal::SessionExpired => {
                let quiz = self.command(Command::Quiz);
                if self.korean() {
                    format!("시간이 지나 만료된 퀴즈입니다. {quiz} 로 새 퀴즈를 시작하세요.")
                } else {
                    format!("This quiz has expired. Start a new one with {quiz}.")
                }
            }
            Refusal::NotYourSession => {
                let quiz = self.command(Command::Quiz);
                if self.korean() {
                    format!("다른 사람의 퀴즈입니다. {quiz} 로 직접 시작해 보세요.")
                } else {
                    format!("This quiz belongs to someone else. Start your own with {quiz}.")
                }
            }
            Refusal::StaleQuestion => self
                .pick(
                    "이 문제는 이미 지나갔습니다.",
                    "That question has already passed.",
                )
                .into(),
            Refusal::QuestionGone => {
                let quiz = self.command(Command::Quiz);
                if self.korean() {
                    format!("문제 은행이 바뀌어 이 문제는 더 이상 없습니다. {quiz} 로 다시 시작하세요.")
                } else {
                    format!("The question bank changed and this question is gone. Start again with {quiz}.")
                }
            }
            Refusal::TopicWithMode => {
                let review = self.command(Command::Review);
                if self.korean() {
                    format!("주제는 보통 퀴즈에만 고를 수 있습니다. 복습({review}), 약점, 모의고사는 주제 없이 시작하세요.")
                } else {
                    format!("A topic goes with an ordinary quiz only: start review ({review}), weak spots or a mock exam without one.")
                }
            }
            Refusal::BadCount { max } => {
                if self.korean() {
                    format!("문제 수는 1에서 {max} 사이로 정해 주세요.")
                } else {
                    format!("Choose between 1 and {max} questions.")
                }
            }
            Refusal::BadChoice => self
                .pick(
                    "이 문제에 없는 선택지입니다.",
                    "That is not one of this question's choices.",
                )
                .into(),
            Refusal::WrongCount { expected } => {
                if self.korean() {
                    format!("답을 {expected}개 고르세요.")
                } else {
                    format!("Choose exactly {expected}.")
                }
            }
            Refusal::DailyGone => self
                .pick(
                    "이 오늘의 문제는 더 이상 없습니다.",
                    "This daily question no longer exists.",
                )
                .into(),
            Refusal::DailyClosed => self
                .pick(
                    "정답이 이미 공개되어 더 이상 답할 수 없습니다. 내일 문제를 기다려 주세요!",
                    "The answer has been revealed, so this question is closed. See you at tomorrow's question!",
                )
                .into(),
            Refusal::AdminOnly => self
                .pick(
                    "관리자만 쓸 수 있는 명령입니다.",
                    "Only admins can use this command.",
                )
                .into(),
            Refusal::Schedule(err) => {
                if self.korean() {
                    format!("설정하지 않았습니다: {err}")
                } else {
                    format!("Not set: {err}")
                }
            }
            Refusal::NoSchedule => self
                .pick(
                    "이 채널에는 설정된 오늘의 문제가 없습니다.",
                    "No daily question is set for this channel.",
                )
                .into(),
            Refusal::UnknownCommunity(typed) => {
                if self.korean() {
                    format!("`{typed}` 커뮤니티의 기록이 없습니다. discord:서버ID, slack:팀ID 또는 local로 쓰세요.")
                } else {
                    format!("No community `{typed}` is on record. Write discord:SERVER_ID, slack:TEAM_ID or local.")
                }
            }
            Refusal::BadExamDate(typed) => {
                if self.korean() {
                    format!("`{typed}`은(는) 시험 날짜가 아닙니다. 2027-03-15처럼 YYYY-MM-DD로 쓰거나, 지우려면 off라고 쓰세요.")
                } else {
                    format!("`{typed}` is not an exam date. Write it as YYYY-MM-DD (like 2027-03-15), or off to clear it.")
                }
            }
            Refusal::BadRetention(typed) => {
                if self.korean() {
                    format!("`{typed}`은(는) 쓸 수 없는 목표 기억률입니다. 0.70에서 0.97 사이로 정하세요 (기본 0.90).")
                } else {
                    format!("`{typed}` is not a desired retention we can use: pick one from 0.70 to 0.97 (default 0.90).")
                }
            }
            Refusal::BadTimeZone(typed) => {
                if self.korean() {
                    format!("`{typed}`은(는) 시간대 이름이 아닙니다. Asia/Seoul, Europe/Berlin 같은 IANA 이름을 쓰세요.")
                } else {
                    format!("`{typed}` is not a time zone: use an IANA name such as Asia/Seoul or Europe/Berlin.")
                }
            }
            Refusal::BadLanguage(typed) => {
                if self.korean() {
                    format!("`{typed}`은(는) 봇이 쓰는 언어가 아닙니다. ko(한국어) 또는 en(영어)을 고르세요.")
                } else {
                    format!("`{typed}` is not a language the bot speaks: choose ko (Korean) or en (English).")
                }
            }
            // Worded in `mock` (above).
            Refusal::BadMockLength { .. } | Refusal::BadMockMinutes { .. } => String::new(),
            Refusal::Live(refusal) => self.live_refusal(*refusal),
        }
    }

    /// What the user reads when the service failed them: short, never a
    /// stack trace.
    pub fn apology(&self) -> &'static str {
        self.pick(
            "처리하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Something went wrong. Please try again in a moment.",
        )
    }

    /// The apology for an answer the service could not record: the user
    /// must know it was not recorded.
    pub fn answer_not_recorded(&self) -> &'static str {
        self.pick(
            "지금은 답을 저장할 수 없습니다. 기록되지 않았으니 잠시 후 다시 시도해 주세요.",
            "Your answer could not be saved and was not recorded. Please try again in a moment.",
        )
    }

    pub fn unknown_component(&self) -> String {
        let quiz = self.command(Command::Quiz);
        if self.korean() {
            format!("이 버튼은 더 이상 쓸 수 없습니다. {quiz} 로 새 퀴즈를 시작하세요.")
        } else {
            format!("This button no longer works. Start a new quiz with {quiz}.")
        }
    }

    pub fn server_only(&self) -> &'static str {
        self.pick(
            "서버 채널에서만 쓸 수 있습니다.",
            "This works in a server channel only.",
        )
    }

    pub fn bad_options(&self) -> &'static str {
        self.pick(
            "명령의 옵션을 읽지 못했습니다. 다시 입력해 주세요.",
            "The command's options could not be read. Please try again.",
        )
    }

    // Administration.

    pub fn reloaded(
        &self,
        topics: usize,
        questions: usize,
        sections: usize,
        warnings: usize,
    ) -> String {
        if self.korean() {
            format!(
                "다시 불러왔습니다: 주제 {topics}개, 문제 {questions}개, 노트 섹션 {sections}개 (경고 {warnings}개)"
            )
        } else {
            format!(
                "Reloaded: {topics} topics, {questions} questions, {sections} notes sections ({warnings} warnings)"
            )
        }
    }

    pub fn reload_failed(&self) -> &'static str {
        self.pick(
            "불러오기에 실패해 기존 문제를 그대로 씁니다. 오류:",
            "Reload failed; the previous content stays in use. Errors:",
        )
    }
}

/// Whole-number percentage, 0 when nothing was answered.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        0
    } else {
        (part * 100 + whole / 2) / whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_and_never_divide_by_zero() {
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(0, 0), 0);
    }

    #[test]
    fn points_read_the_same_everywhere() {
        let en = Texts::new(Locale::English);
        assert_eq!(en.points(30), "30 points");
        assert_eq!(en.points(1), "1 point");
        assert_eq!(en.standing(30, 3, 4), "30 points · 3/4 correct");
        assert_eq!(Texts::new(Locale::Korean).points(30), "30점");
    }
}
