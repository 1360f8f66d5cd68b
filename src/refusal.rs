//! Why a request is refused: what the service tells a user instead of doing
//! what they asked. Nothing was recorded or changed.
//!
//! A refusal is an ordinary outcome (an expired quiz, a closed daily
//! question, a member trying an admin command), never a failure of the
//! service: it is logged at debug level and the user reads one sentence,
//! worded in [`crate::i18n`] ([`crate::i18n::Texts::refusal`]).

use crate::daily::ScheduleError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown topic `{topic}`")]
    UnknownTopic {
        topic: String,
        /// The topic ids there are, to offer instead.
        known: Vec<String>,
    },
    #[error("there are no questions to ask")]
    NoQuestions,
    #[error("no topic is weak yet")]
    NoWeakTopics,
    #[error("this quiz session is over or does not exist")]
    SessionOver,
    #[error("this quiz session has expired")]
    SessionExpired,
    #[error("this quiz session belongs to someone else")]
    NotYourSession,
    #[error("this question is no longer the current one")]
    StaleQuestion,
    #[error("this question is no longer in the question bank")]
    QuestionGone,
    #[error("that choice is not one of the question's")]
    BadChoice,
    #[error("a topic goes with an ordinary quiz only")]
    TopicWithMode,
    #[error("a session has 1 to {max} questions")]
    BadCount { max: usize },
    #[error("choose exactly {expected}")]
    WrongCount { expected: usize },
    #[error("this daily question does not exist here")]
    DailyGone,
    #[error("the answer to this daily question has been revealed")]
    DailyClosed,
    #[error("this needs an admin")]
    AdminOnly,
    #[error("schedule refused: {0}")]
    Schedule(#[from] ScheduleError),
    #[error("no daily question is set for this channel")]
    NoSchedule,
    #[error("no community `{0}` has answers here")]
    UnknownCommunity(String),
    #[error("`{0}` is not an exam date (YYYY-MM-DD, or off)")]
    BadExamDate(String),
    #[error("`{0}` is not a desired retention between 0.70 and 0.97")]
    BadRetention(String),
    #[error("`{0}` is not an IANA time zone")]
    BadTimeZone(String),
    #[error("`{0}` is not a language the bot speaks (ko, en)")]
    BadLanguage(String),
    #[error("a mock exam has {min} to {max} questions")]
    BadMockLength { min: usize, max: usize },
    #[error("a mock exam's time limit is 1 to {max} minutes")]
    BadMockMinutes { max: i64 },
    #[error(transparent)]
    Live(#[from] crate::live::LiveRefusal),
}
