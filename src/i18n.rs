//! What users read, in Korean (the default) and English.
//!
//! Every user-facing sentence of the terminal and the platforms comes from
//! here, so a translation is one place to edit and a platform never builds
//! its own wording.

use crate::bank::Difficulty;
use crate::config::Locale;
use crate::game::GameError;
use crate::quiz::Period;

/// The texts of one locale.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    pub locale: Locale,
}

impl Texts {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    /// The Korean or the English text, by locale. Platform modules may add
    /// their own `impl Texts` blocks built on this.
    pub(crate) fn pick(&self, ko: &'static str, en: &'static str) -> &'static str {
        match self.locale {
            Locale::Korean => ko,
            Locale::English => en,
        }
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

    pub fn choose_n(&self, n: usize) -> String {
        match self.locale {
            Locale::Korean => format!("{n}개를 고르세요"),
            Locale::English => format!("choose {n}"),
        }
    }

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
        match self.locale {
            Locale::Korean => format!("A부터 {last}까지의 글자로 {picks}개를 입력하세요."),
            Locale::English => format!("Type {picks} letter(s) from A to {last}."),
        }
    }

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

    /// A score: "30점".
    pub fn points(&self, points: i64) -> String {
        match self.locale {
            Locale::Korean => format!("{points}점"),
            Locale::English => format!("{points} pts"),
        }
    }

    /// One leaderboard row's score: "30점 · 3/4 정답".
    pub fn standing(&self, points: i64, correct: i64, answered: i64) -> String {
        match self.locale {
            Locale::Korean => format!("{} · {correct}/{answered} 정답", self.points(points)),
            Locale::English => format!("{} · {correct}/{answered} correct", self.points(points)),
        }
    }

    /// What the numbers after a leaderboard name mean.
    pub fn correct_column(&self) -> &'static str {
        self.pick("정답 수/응답 수", "correct/answered")
    }

    pub fn already_answered(&self, letters: &str) -> String {
        match self.locale {
            Locale::Korean => format!("이미 답했습니다: {letters}. 처음 답이 기록되어 있습니다."),
            Locale::English => format!("You already answered {letters}; your first answer stands."),
        }
    }

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
        match self.locale {
            Locale::Korean => {
                format!("{answered}문제 중 {correct}문제 정답 (정확도 {percent}%), {points}점 획득")
            }
            Locale::English => {
                format!("{correct} of {answered} correct ({percent}%), {points} points")
            }
        }
    }

    pub fn weakest_topic(&self, topic: &str) -> String {
        match self.locale {
            Locale::Korean => format!("더 공부할 주제: {topic}"),
            Locale::English => format!("Topic to review: {topic}"),
        }
    }

    pub fn nothing_answered(&self) -> &'static str {
        self.pick("답한 문제가 없습니다.", "No questions answered.")
    }

    pub fn saved_and_quit(&self) -> &'static str {
        self.pick(
            "종료합니다. 답한 문제는 저장되었습니다.",
            "Bye. Your answers are saved.",
        )
    }

    pub fn no_questions(&self) -> &'static str {
        self.pick("낼 문제가 없습니다.", "There are no questions to ask.")
    }

    pub fn leaderboard_title(&self, period: Period, topic: Option<&str>) -> String {
        let period = self.period(period);
        match (self.locale, topic) {
            (Locale::Korean, None) => format!("리더보드 · {period}"),
            (Locale::Korean, Some(t)) => format!("리더보드 · {period} · {t}"),
            (Locale::English, None) => format!("Leaderboard · {period}"),
            (Locale::English, Some(t)) => format!("Leaderboard · {period} · {t}"),
        }
    }

    pub fn empty_leaderboard(&self) -> &'static str {
        self.pick(
            "아직 점수가 없습니다. 첫 문제를 풀어 보세요!",
            "No scores yet. Answer the first question!",
        )
    }

    pub fn your_rank(&self, rank: usize, points: i64) -> String {
        match self.locale {
            Locale::Korean => format!("내 순위: {rank}위 ({points}점)"),
            Locale::English => format!("Your rank: #{rank} ({points} points)"),
        }
    }

    pub fn stats_title(&self, name: &str) -> String {
        match self.locale {
            Locale::Korean => format!("{name}님의 기록"),
            Locale::English => format!("Stats for {name}"),
        }
    }

    pub fn stats_totals(&self, answered: i64, correct: i64, points: i64) -> String {
        let percent = percent(correct, answered);
        match self.locale {
            Locale::Korean => format!("응답 {answered} · 정답 {correct} ({percent}%) · {points}점"),
            Locale::English => {
                format!("{answered} answered · {correct} correct ({percent}%) · {points} points")
            }
        }
    }

    pub fn streaks(&self, current: u32, best: u32) -> String {
        match self.locale {
            Locale::Korean => format!("연속 학습: 현재 {current}일 · 최고 {best}일"),
            Locale::English => format!("Daily streak: {current} now · best {best}"),
        }
    }

    pub fn topic_accuracy(&self, topic: &str, correct: i64, answered: i64) -> String {
        let percent = percent(correct, answered);
        match self.locale {
            Locale::Korean => format!("{topic}: {correct}/{answered} ({percent}%)"),
            Locale::English => format!("{topic}: {correct}/{answered} ({percent}%)"),
        }
    }

    pub fn no_stats(&self) -> &'static str {
        self.pick("아직 기록이 없습니다.", "Nothing recorded yet.")
    }

    /// A refused quiz step, as the player should read it.
    pub fn game_error(&self, error: &GameError) -> String {
        match error {
            GameError::Store(_) => self
                .pick(
                    "지금은 답을 저장할 수 없습니다. 기록되지 않았으니 잠시 후 다시 시도해 주세요.",
                    "Your answer could not be saved and was not recorded. Please try again in a moment.",
                )
                .into(),
            GameError::UnknownTopic(topic) => match self.locale {
                Locale::Korean => format!("`{topic}` 주제는 없습니다."),
                Locale::English => format!("There is no topic `{topic}`."),
            },
            GameError::NoQuestions => self.no_questions().into(),
            GameError::SessionNotFound | GameError::SessionFinished => self
                .pick(
                    "이미 끝난 퀴즈입니다. /quiz 로 새 퀴즈를 시작하세요.",
                    "This quiz is over. Start a new one with /quiz.",
                )
                .into(),
            GameError::SessionExpired => self
                .pick(
                    "시간이 지나 만료된 퀴즈입니다. /quiz 로 새 퀴즈를 시작하세요.",
                    "This quiz has expired. Start a new one with /quiz.",
                )
                .into(),
            GameError::NotYourSession => self
                .pick("다른 사람의 퀴즈입니다. /quiz 로 직접 시작해 보세요.", "This quiz belongs to someone else. Start your own with /quiz.")
                .into(),
            GameError::StaleQuestion => self
                .pick("이 문제는 이미 지나갔습니다.", "That question has already passed.")
                .into(),
            GameError::QuestionGone => self
                .pick(
                    "문제 은행이 바뀌어 이 문제는 더 이상 없습니다. /quiz 로 다시 시작하세요.",
                    "The question bank changed and this question is gone. Start again with /quiz.",
                )
                .into(),
            GameError::BadAnswer(_) => self
                .pick("답의 개수가 맞지 않습니다.", "That answer has the wrong number of choices.")
                .into(),
            GameError::DailyNotFound | GameError::DailyElsewhere => self
                .pick("이 오늘의 문제는 더 이상 없습니다.", "This daily question no longer exists.")
                .into(),
            GameError::DailyClosed => self
                .pick(
                    "정답이 이미 공개되어 더 이상 답할 수 없습니다. 내일 문제를 기다려 주세요!",
                    "The answer has been revealed, so this question is closed. See you at tomorrow's question!",
                )
                .into(),
        }
    }

    pub fn admin_only(&self) -> &'static str {
        self.pick(
            "관리자만 쓸 수 있는 명령입니다.",
            "Only admins can use this command.",
        )
    }

    pub fn reloaded(
        &self,
        topics: usize,
        questions: usize,
        sections: usize,
        warnings: usize,
    ) -> String {
        match self.locale {
            Locale::Korean => format!(
                "다시 불러왔습니다: 주제 {topics}개, 문제 {questions}개, 노트 섹션 {sections}개 (경고 {warnings}개)"
            ),
            Locale::English => format!(
                "Reloaded: {topics} topics, {questions} questions, {sections} notes sections ({warnings} warnings)"
            ),
        }
    }

    pub fn reload_failed(&self) -> &'static str {
        self.pick(
            "불러오기에 실패해 기존 문제를 그대로 씁니다. 오류:",
            "Reload failed; the previous content stays in use. Errors:",
        )
    }

    pub fn next_button(&self) -> &'static str {
        self.pick("다음", "Next")
    }

    pub fn progress(&self, position: usize, total: usize) -> String {
        format!("{}/{}", position + 1, total)
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
