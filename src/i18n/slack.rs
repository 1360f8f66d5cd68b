//! The wording of Slack's slash commands: their usage and the mistakes a
//! typed argument can make (Discord's options are typed by Discord itself).

use super::Texts;
use crate::config::Locale;

impl Texts {
    pub fn platform_unavailable(&self) -> &'static str {
        self.pick(
            "Slack에 응답하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Could not reach Slack. Please try again in a moment.",
        )
    }

    /// Under a Slack record: where its chart went (files cannot be
    /// private to one reply).
    pub fn slack_chart_in_dm(&self) -> &'static str {
        self.pick(
            "📊 그래프는 DM으로 보내 드려요.",
            "📊 The chart is on its way to your direct messages.",
        )
    }

    /// When the chart could not be shared in the member's direct message.
    pub fn slack_chart_not_sent(&self) -> &'static str {
        self.pick(
            "📊 그래프를 DM으로 보내지 못했어요. 잠시 후 다시 시도해 주세요.",
            "📊 The chart could not reach your direct messages. Please try again in a moment.",
        )
    }

    pub fn slack_unknown_command(&self) -> &'static str {
        self.pick(
            "모르는 명령입니다. /quiz, /leaderboard, /quiz-stats 를 써 보세요.",
            "Unknown command. Try /quiz, /leaderboard or /quiz-stats.",
        )
    }

    pub fn topics_list(&self, topics: &[String]) -> String {
        let list = topics.join(", ");
        match self.locale {
            Locale::Korean => format!("주제: {list}"),
            Locale::English => format!("Topics: {list}"),
        }
    }

    pub fn slack_quiz_usage(&self, topics: &[String]) -> String {
        let usage = self.pick(
            "사용법: /quiz [주제] [문제 수] · 복습: /quiz review [문제 수] · 약한 주제: /quiz weak [문제 수] · 모의고사: /quiz mock [문제 수 4–65]",
            "Usage: /quiz [topic] [count] · review: /quiz review [count] · weakest topics: /quiz weak [count] · mock exam: /quiz mock [4–65 questions]",
        );
        format!("{usage}\n{}", self.topics_list(topics))
    }

    pub fn slack_leaderboard_usage(&self) -> &'static str {
        self.pick(
            "사용법: /leaderboard [today|week|month|all] [주제] · 시험 준비도: /leaderboard readiness",
            "Usage: /leaderboard [today|week|month|all] [topic] · exam readiness: /leaderboard readiness",
        )
    }

    pub fn slack_stats_usage(&self) -> &'static str {
        self.pick(
            "사용법: /quiz-stats [@사용자]",
            "Usage: /quiz-stats [@user]",
        )
    }

    pub fn slack_admin_usage(&self) -> &'static str {
        self.pick(
            "사용법:\n\
             /quiz-admin reload — 문제 은행과 노트를 다시 읽습니다\n\
             /quiz-admin daily set HH:MM [#채널] [시간대] [주제,주제] [공개까지]\n\
             \u{a0}\u{a0}예: /quiz-admin daily set 09:00 #aws-study Asia/Seoul ec2,storage-databases 8h\n\
             \u{a0}\u{a0}채널을 비우면 이 채널, 시간대를 비우면 워크스페이스의 시간대, 주제를 비우면 모든 주제, \
             정답 공개는 8h 뒤가 기본입니다. 순서는 자유이고 time= channel= tz= topics= reveal= 로 \
             써도 됩니다. 비공개 채널에는 먼저 봇을 초대하세요 (/invite @quizbot).\n\
             /quiz-admin daily off [#채널] — 채널을 비우면 워크스페이스 전체를 끕니다\n\
             /quiz-admin daily show — 설정과 전송 상태를 봅니다\n\
             /quiz-admin exam set YYYY-MM-DD | off | show — 시험 날짜 (마지막 7일은 복습을 미리 당깁니다)\n\
             /quiz-admin retention 0.90 — 복습 목표 기억률 (0.70–0.97, 높을수록 자주 복습)\n\
             /quiz-admin reports [all] — 멤버가 신고한 문제 · /quiz-admin reports resolve 문제ID [메모] — 처리됨으로 표시\n\
             /quiz-admin timezone Asia/Seoul — 워크스페이스의 시간대 (오늘·이번 주·연속 학습일의 기준)\n\
             /quiz-admin language ko | en — 봇 메시지의 언어 · /quiz-admin settings — 지금 설정",
            "Usage:\n\
             /quiz-admin reload — re-read the question banks and notes\n\
             /quiz-admin daily set HH:MM [#channel] [time zone] [topic,topic] [reveal after]\n\
             \u{a0}\u{a0}e.g. /quiz-admin daily set 09:00 #aws-study Asia/Seoul ec2,storage-databases 8h\n\
             \u{a0}\u{a0}By default: this channel, the workspace's time zone, every topic, the answer \
             revealed 8h after the post. Any order; time= channel= tz= topics= reveal= work too. \
             Invite the bot to a private channel first (/invite @quizbot).\n\
             /quiz-admin daily off [#channel] — without a channel, everywhere in the workspace\n\
             /quiz-admin daily show — the settings and delivery state\n\
             /quiz-admin exam set YYYY-MM-DD | off | show — the exam date (review looks ahead in its last 7 days)\n\
             /quiz-admin retention 0.90 — desired retention for review (0.70–0.97; higher comes back sooner)\n\
             /quiz-admin reports [all] — questions members reported · /quiz-admin reports resolve QUESTION_ID [note] — mark them resolved\n\
             /quiz-admin timezone Europe/Berlin — the workspace's time zone (where days, weeks and streaks begin)\n\
             /quiz-admin language ko | en — the language of the bot's messages · /quiz-admin settings — the settings now",
        )
    }

    pub fn slack_unreadable_channel(&self, typed: &str) -> String {
        match self.locale {
            Locale::Korean => format!(
                "채널 `{typed}` 을(를) 알아보지 못했습니다. #을 입력한 뒤 Slack이 보여 주는 채널을 \
                 골라 링크로 넣거나, 채널 ID(C0123ABCD)를 쓰세요."
            ),
            Locale::English => format!(
                "Could not tell which channel `{typed}` is. After typing #, pick the channel \
                 Slack suggests so it becomes a link, or give the channel's id (C0123ABCD)."
            ),
        }
    }

    pub fn slack_daily_needs_channel(&self) -> &'static str {
        self.pick(
            "오늘의 문제는 채널에 올립니다. 채널에서 명령을 쓰거나 #채널을 넣어 주세요.",
            "The daily question goes to a channel: use the command in one, or name it (#channel).",
        )
    }

    pub fn slack_admin_check_failed(&self) -> &'static str {
        self.pick(
            "관리자 권한을 확인하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "Could not check your admin rights. Please try again in a moment.",
        )
    }
}
