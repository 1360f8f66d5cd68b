//! The live round's wording, shared by every platform: the announcement,
//! each question and its reveal, the round's results, a member's private
//! receipt, and the refusals.

use super::Texts;
use crate::config::Locale;
use crate::identity::Platform;
use crate::live::{LiveRefusal, QUESTIONS, SECONDS, SPEED_BONUS_MAX};
use crate::quiz::POINTS_CORRECT;

impl Texts {
    pub fn live_title(&self) -> &'static str {
        self.pick("라이브 퀴즈", "Live quiz")
    }

    /// "🎮 지수님이 라이브 퀴즈를 시작했습니다!"
    pub fn live_started(&self, name: &str) -> String {
        match self.locale {
            Locale::Korean => format!("🎮 {name}님이 라이브 퀴즈를 시작했습니다!"),
            Locale::English => format!("🎮 {name} started a live quiz!"),
        }
    }

    /// "모든 주제 · 10문제 · 문제당 20초".
    pub fn live_settings(&self, topic: Option<&str>, questions: usize, seconds: u32) -> String {
        let topic = topic.unwrap_or(self.pick("모든 주제", "all topics"));
        match self.locale {
            Locale::Korean => format!("{topic} · {questions}문제 · 문제당 {seconds}초"),
            Locale::English if questions == 1 => {
                format!("{topic} · 1 question · {seconds} seconds")
            }
            Locale::English => format!("{topic} · {questions} questions · {seconds} seconds each"),
        }
    }

    pub fn live_how_to_play(&self) -> String {
        match self.locale {
            Locale::Korean => format!(
                "버튼을 눌러 답하세요. 마감 전까지는 답을 바꿀 수 있고, 정답과 정답자는 마감 때 \
                 공개됩니다. 정답은 {POINTS_CORRECT}점, 빨리 맞힐수록 최대 {SPEED_BONUS_MAX}점을 더 받습니다."
            ),
            Locale::English => format!(
                "Answer with the buttons. You may change your answer until the deadline; the \
                 answer and who got it are shown then. A right answer scores {POINTS_CORRECT}, \
                 plus up to {SPEED_BONUS_MAX} for speed."
            ),
        }
    }

    pub fn live_first_soon(&self) -> &'static str {
        self.pick(
            "첫 문제가 곧 올라옵니다!",
            "The first question is coming up!",
        )
    }

    /// A second start in a channel whose round is running.
    pub fn live_running(&self, position: Option<usize>, total: usize) -> String {
        match (self.locale, position) {
            (Locale::Korean, Some(p)) => format!(
                "이 채널에서 라이브 퀴즈가 이미 진행 중입니다 ({}/{total}번 문제). 끝난 뒤에 새로 시작하세요.",
                p + 1
            ),
            (Locale::Korean, None) => {
                "이 채널에서 라이브 퀴즈가 이미 진행 중입니다. 끝난 뒤에 새로 시작하세요.".into()
            }
            (Locale::English, Some(p)) => format!(
                "A live quiz is already running in this channel (question {} of {total}). Start a new one when it ends.",
                p + 1
            ),
            (Locale::English, None) => {
                "A live quiz is already running in this channel. Start a new one when it ends."
                    .into()
            }
        }
    }

    pub fn live_running_link(&self) -> &'static str {
        self.pick("진행 중인 문제로 가기", "Go to the current question")
    }

    /// "3/10": a question's place in its round.
    pub fn live_progress(&self, position: usize, total: usize) -> String {
        match self.locale {
            Locale::Korean => format!("{}/{total}번", position + 1),
            Locale::English => format!("Q{}/{total}", position + 1),
        }
    }

    pub fn live_deadline_label(&self) -> &'static str {
        self.pick("마감", "Closes")
    }

    pub fn live_question_footer(&self) -> &'static str {
        self.pick(
            "누른 답은 나에게만 보입니다 · 마감 전까지 바꿀 수 있어요",
            "Only you see your answer · you may change it until the deadline",
        )
    }

    /// The private reply to a click on a live question.
    pub fn live_receipt(&self, letters: &str, changed: bool) -> String {
        match (self.locale, changed) {
            (Locale::Korean, false) => format!("✅ 기록됨: {letters}. 마감 전까지 바꿀 수 있어요."),
            (Locale::Korean, true) => {
                format!("✅ 답을 {letters}(으)로 바꿨습니다. 마감 전까지 또 바꿀 수 있어요.")
            }
            (Locale::English, false) => {
                format!("✅ Recorded: {letters}. You may change it until the deadline.")
            }
            (Locale::English, true) => {
                format!("✅ Changed to {letters}. You may change it until the deadline.")
            }
        }
    }

    /// "📢 3/10번 정답 공개".
    pub fn live_reveal_title(&self, progress: &str) -> String {
        match self.locale {
            Locale::Korean => format!("📢 {progress} 정답 공개"),
            Locale::English => format!("📢 {progress}: the answer"),
        }
    }

    pub fn live_right_label(&self) -> &'static str {
        self.pick("정답자 (빠른 순)", "Right, fastest first")
    }

    /// "🥇 Ann · 🥈 Bo · 🥉 Cy 외 2명", or that nobody was right.
    pub fn live_right_line(&self, first: &[String], others: usize) -> String {
        if first.is_empty() {
            return self
                .pick("아무도 맞히지 못했습니다.", "Nobody got it.")
                .into();
        }
        let medals = ["🥇", "🥈", "🥉"];
        let named: Vec<String> = first
            .iter()
            .enumerate()
            .map(|(i, name)| match medals.get(i) {
                Some(medal) => format!("{medal} {name}"),
                None => name.clone(),
            })
            .collect();
        let named = named.join(" · ");
        match (self.locale, others) {
            (_, 0) => named,
            (Locale::Korean, n) => format!("{named} 외 {n}명"),
            (Locale::English, n) => format!("{named} and {n} more"),
        }
    }

    pub fn live_turnout(&self, answered: usize, correct: usize) -> String {
        let rate = super::percent(correct as i64, answered as i64);
        match (self.locale, answered) {
            (Locale::Korean, 0) => "아무도 답하지 않았습니다.".into(),
            (Locale::English, 0) => "Nobody answered.".into(),
            (Locale::Korean, _) => format!("{answered}명 참여 · 정답 {correct}명 ({rate}%)"),
            (Locale::English, _) => format!("{answered} answered · {correct} right ({rate}%)"),
        }
    }

    /// Under a reveal: when the next question comes.
    pub fn live_next_in(&self, seconds: i64) -> String {
        match self.locale {
            Locale::Korean => format!("다음 문제는 {seconds}초 뒤에 나옵니다."),
            Locale::English => format!("Next question in {seconds} seconds."),
        }
    }

    /// Under the last reveal.
    pub fn live_results_next(&self) -> &'static str {
        self.pick(
            "마지막 문제였습니다. 결과가 곧 나옵니다.",
            "That was the last question. The results follow.",
        )
    }

    pub fn live_results_title(&self) -> &'static str {
        self.pick("🏁 라이브 퀴즈 결과", "🏁 Live quiz results")
    }

    pub fn live_no_answers(&self) -> &'static str {
        self.pick(
            "아무도 답하지 않았습니다. 다음에 함께 풀어요!",
            "Nobody answered. Join in next time!",
        )
    }

    /// After the scoreboard's rows: how many more played.
    pub fn live_more_players(&self, count: usize) -> String {
        match self.locale {
            Locale::Korean => format!("외 {count}명 참여"),
            Locale::English => format!("and {count} more played"),
        }
    }

    pub fn live_most_missed_label(&self) -> &'static str {
        self.pick("가장 많이 틀린 문제", "Most missed")
    }

    /// "2/10번 · 정답률 33% (1/3) · prompt".
    pub fn live_most_missed(
        &self,
        progress: &str,
        right: usize,
        answered: usize,
        prompt: &str,
    ) -> String {
        let rate = super::percent(right as i64, answered as i64);
        match self.locale {
            Locale::Korean => {
                format!("{progress} · 정답률 {rate}% ({right}/{answered}) · {prompt}")
            }
            Locale::English => {
                format!("{progress} · {rate}% right ({right}/{answered}) · {prompt}")
            }
        }
    }

    pub fn live_review_label(&self) -> &'static str {
        self.pick("복습", "Review")
    }

    /// Where the round's misses come back, in the platform's own command.
    pub fn live_review_hint(&self, platform: Platform) -> String {
        let command = self.on(platform).command(super::Command::Review);
        match self.locale {
            Locale::Korean => {
                format!("틀린 문제는 복습 카드에 들어갔습니다. {command} 로 다시 풀어 보세요.")
            }
            Locale::English => {
                format!("Your misses are in your review cards: go over them with {command}.")
            }
        }
    }

    pub fn live_leaderboard_note(&self) -> &'static str {
        self.pick(
            "라운드 점수는 순위표에도 더해집니다 (최근 7일 안에 이미 맞힌 문제는 0점).",
            "Round points count on the leaderboards too (0 for a question answered right in the last 7 days).",
        )
    }

    pub fn live_stopped_by(&self, name: &str) -> String {
        match self.locale {
            Locale::Korean => format!("{name}님이 라운드를 멈췄습니다."),
            Locale::English => format!("{name} stopped the round."),
        }
    }

    pub fn live_interrupted(&self) -> &'static str {
        self.pick(
            "봇이 한동안 응답하지 못해 라운드를 여기서 마칩니다. 지금까지의 점수입니다.",
            "The bot was unavailable for a while, so the round ends here. These are the scores so far.",
        )
    }

    pub fn live_failed(&self) -> &'static str {
        self.pick(
            "이 채널에 메시지를 올릴 수 없어 라운드를 마쳤습니다.",
            "The round ended: the bot cannot post in this channel.",
        )
    }

    /// The private reply to an admin's stop.
    pub fn live_stopping(&self) -> &'static str {
        self.pick(
            "라이브 퀴즈를 멈춥니다. 진행 중인 문제의 정답과 결과가 곧 올라옵니다.",
            "Stopping the live quiz: the current question's answer and the results follow.",
        )
    }

    pub fn live_refusal(&self, refusal: LiveRefusal) -> String {
        match (self.locale, refusal) {
            (Locale::Korean, LiveRefusal::QuestionCount) => format!(
                "라이브 퀴즈는 {}에서 {}문제까지입니다.",
                QUESTIONS.start(),
                QUESTIONS.end()
            ),
            (Locale::English, LiveRefusal::QuestionCount) => format!(
                "A live quiz has {} to {} questions.",
                QUESTIONS.start(),
                QUESTIONS.end()
            ),
            (Locale::Korean, LiveRefusal::Seconds) => format!(
                "문제당 시간은 {}초에서 {}초 사이로 정해 주세요.",
                SECONDS.start(),
                SECONDS.end()
            ),
            (Locale::English, LiveRefusal::Seconds) => format!(
                "Give each question {} to {} seconds.",
                SECONDS.start(),
                SECONDS.end()
            ),
            (Locale::Korean, LiveRefusal::Closed) => {
                "이 문제는 마감되었습니다. 다음 문제를 기다려 주세요!".into()
            }
            (Locale::English, LiveRefusal::Closed) => {
                "This question is closed. Wait for the next one!".into()
            }
            (Locale::Korean, LiveRefusal::Gone) => "이 라이브 문제는 더 이상 없습니다.".into(),
            (Locale::English, LiveRefusal::Gone) => "This live question no longer exists.".into(),
            (Locale::Korean, LiveRefusal::NoRound) => {
                "이 채널에서 진행 중인 라이브 퀴즈가 없습니다.".into()
            }
            (Locale::English, LiveRefusal::NoRound) => {
                "No live quiz is running in this channel.".into()
            }
        }
    }

    pub fn slack_live_usage(&self) -> &'static str {
        self.pick(
            "사용법: /quiz-live [주제] [문제 수 1–30] [초 10–120] · 예: /quiz-live ec2 5 30 · 멈추기 (관리자): /quiz-live stop",
            "Usage: /quiz-live [topic] [questions 1–30] [seconds 10–120] · e.g. /quiz-live ec2 5 30 · stop (admins): /quiz-live stop",
        )
    }
}
