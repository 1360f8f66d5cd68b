//! What a click on one of the bot's buttons, menus or checkboxes means,
//! written into the component's id and read back from it.
//!
//! Discord calls it a custom id, Slack an `action_id`; both carry an
//! [`Action`] as text (at most 100 characters), so no per-card state lives
//! in memory: a restarted bot, or another replica, serves the buttons of an
//! old card. [`Action`]'s `Display` writes the id and `FromStr` reads it;
//! the two platforms share this one format.
//!
//! - `q:<session>:<position>:<choice>` answers a session's question
//! - `q:<session>:<position>:pick` is the "choose N" menu or checkboxes
//! - `q:<session>:<position>:submit` sends the checked boxes (Slack)
//! - `q:<session>:<position>:next` moves on
//! - `d:<post>:<choice>`, `d:<post>:pick`, `d:<post>:submit` do the same
//!   for a daily post
//! - `start` starts an ordinary quiz (offered when nothing is due for
//!   review)
//! - `l:<question>:<choice>`, `l:<question>:pick`, `l:<question>:submit`
//!   answer a live round's question (by its row), changeable until its
//!   deadline
//! - `q:<session>:<position>:flag` and `d:<post>:flag` report the question
//!   (🚩); with `:<reason>` after them, a reason picked (Discord's reason
//!   buttons), and `…:flagged:<reason>` the form that sends the report
//!   (Discord's modal)
//! - `m:<exam>:<position>:<choice>` chooses in a mock exam,
//!   `m:<exam>:<position>:pick` is its "choose N" menu or checkboxes and
//!   `…:save` the button that saves the checked boxes (Slack),
//!   `m:<exam>:<position>:go` shows that question (previous, next, back),
//!   `m:<exam>:submit` submits (asking first when questions are blank),
//!   `m:<exam>:confirm` submits for sure, and `m:<exam>:r:<page>` shows a
//!   page of the result

use std::fmt;
use std::str::FromStr;

use crate::report::ReportReason;

/// The question a report is about: one of a session, or a daily post's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flagged {
    Session { session: i64, position: usize },
    Daily { post: i64 },
}

impl fmt::Display for Flagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flagged::Session { session, position } => write!(f, "q:{session}:{position}"),
            Flagged::Daily { post } => write!(f, "d:{post}"),
        }
    }
}

/// One thing a component of the bot does when used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Answers a session's question with one choice.
    Answer {
        session: i64,
        position: usize,
        choice: usize,
    },
    /// The "choose N" menu (Discord) or checkboxes (Slack) of a session's
    /// question; on Discord its values are the answer.
    Pick { session: i64, position: usize },
    /// Answers a session's question with the checked boxes (Slack).
    Submit { session: i64, position: usize },
    /// Moves a session on from the question at `position`.
    Next { session: i64, position: usize },
    /// Answers a daily post with one choice.
    DailyAnswer { post: i64, choice: usize },
    /// The "choose N" menu or checkboxes of a daily post.
    DailyPick { post: i64 },
    /// Answers a daily post with the checked boxes (Slack).
    DailySubmit { post: i64 },
    /// Starts an ordinary quiz of every topic.
    StartQuiz,
    /// 🚩: asks why the question is reported.
    Flag(Flagged),
    /// A reason picked for a report (Discord asks for details next).
    FlagReason(Flagged, ReportReason),
    /// The form that files the report with its reason.
    FlagSubmit(Flagged, ReportReason),
    /// Chooses one choice for a mock exam's question.
    MockAnswer {
        exam: i64,
        position: usize,
        choice: usize,
    },
    /// The "choose N" menu (Discord) or checkboxes (Slack) of a mock
    /// exam's question; on Discord its values are the choice.
    MockPick { exam: i64, position: usize },
    /// Saves the checked boxes as the choice (Slack).
    MockSave { exam: i64, position: usize },
    /// Shows a mock exam's question at `position`.
    MockGo { exam: i64, position: usize },
    /// Submits a mock exam, asking first when questions are blank.
    MockSubmit { exam: i64 },
    /// Submits a mock exam with its blank questions.
    MockConfirm { exam: i64 },
    /// A page of a mock exam's result.
    MockResults { exam: i64, page: usize },
    /// Answers a live question with one choice.
    LiveAnswer { question: i64, choice: usize },
    /// The "choose N" menu (Discord; its values are the answer) or
    /// checkboxes (Slack) of a live question.
    LivePick { question: i64 },
    /// Answers a live question with the checked boxes (Slack).
    LiveSubmit { question: i64 },
}

impl Action {
    /// The action of the submit button that goes with a "choose N" pick,
    /// and the reverse; `None` for other actions.
    pub fn pick_of_submit(self) -> Option<Action> {
        match self {
            Action::Submit { session, position } => Some(Action::Pick { session, position }),
            Action::DailySubmit { post } => Some(Action::DailyPick { post }),
            Action::MockSave { exam, position } => Some(Action::MockPick { exam, position }),
            Action::LiveSubmit { question } => Some(Action::LivePick { question }),
            _ => None,
        }
    }
}

/// A component id that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a quizbot component id")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(text: &str) -> Result<Action, UnknownAction> {
        parse(text).ok_or_else(|| UnknownAction(text.to_string()))
    }
}

fn parse(text: &str) -> Option<Action> {
    let mut parts = text.split(':');
    let action = match parts.next()? {
        "q" => {
            let session = parts.next()?.parse().ok()?;
            let position = parts.next()?.parse().ok()?;
            let flagged = Flagged::Session { session, position };
            match parts.next()? {
                "flag" => flag_action(flagged, parts.next())?,
                "flagged" => Action::FlagSubmit(flagged, ReportReason::parse(parts.next()?)?),
                "pick" => Action::Pick { session, position },
                "submit" => Action::Submit { session, position },
                "next" => Action::Next { session, position },
                choice => Action::Answer {
                    session,
                    position,
                    choice: choice.parse().ok()?,
                },
            }
        }
        "d" => {
            let post = parts.next()?.parse().ok()?;
            let flagged = Flagged::Daily { post };
            match parts.next()? {
                "flag" => flag_action(flagged, parts.next())?,
                "flagged" => Action::FlagSubmit(flagged, ReportReason::parse(parts.next()?)?),
                "pick" => Action::DailyPick { post },
                "submit" => Action::DailySubmit { post },
                choice => Action::DailyAnswer {
                    post,
                    choice: choice.parse().ok()?,
                },
            }
        }
        "start" => Action::StartQuiz,
        "m" => mock_action(parts.next()?.parse().ok()?, &mut parts)?,
        "l" => {
            let question = parts.next()?.parse().ok()?;
            match parts.next()? {
                "pick" => Action::LivePick { question },
                "submit" => Action::LiveSubmit { question },
                choice => Action::LiveAnswer {
                    question,
                    choice: choice.parse().ok()?,
                },
            }
        }
        _ => return None,
    };
    parts.next().is_none().then_some(action)
}

/// The rest of an `m:<exam>:…` id.
fn mock_action<'a>(exam: i64, parts: &mut impl Iterator<Item = &'a str>) -> Option<Action> {
    Some(match parts.next()? {
        "submit" => Action::MockSubmit { exam },
        "confirm" => Action::MockConfirm { exam },
        "r" => Action::MockResults {
            exam,
            page: parts.next()?.parse().ok()?,
        },
        position => {
            let position = position.parse().ok()?;
            match parts.next()? {
                "pick" => Action::MockPick { exam, position },
                "save" => Action::MockSave { exam, position },
                "go" => Action::MockGo { exam, position },
                choice => Action::MockAnswer {
                    exam,
                    position,
                    choice: choice.parse().ok()?,
                },
            }
        }
    })
}

/// `flag` alone is [`Action::Flag`]; with a reason, [`Action::FlagReason`].
fn flag_action(flagged: Flagged, reason: Option<&str>) -> Option<Action> {
    Some(match reason {
        None => Action::Flag(flagged),
        Some(code) => Action::FlagReason(flagged, ReportReason::parse(code)?),
    })
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Answer {
                session,
                position,
                choice,
            } => write!(f, "q:{session}:{position}:{choice}"),
            Action::Pick { session, position } => write!(f, "q:{session}:{position}:pick"),
            Action::Submit { session, position } => write!(f, "q:{session}:{position}:submit"),
            Action::Next { session, position } => write!(f, "q:{session}:{position}:next"),
            Action::DailyAnswer { post, choice } => write!(f, "d:{post}:{choice}"),
            Action::DailyPick { post } => write!(f, "d:{post}:pick"),
            Action::DailySubmit { post } => write!(f, "d:{post}:submit"),
            Action::StartQuiz => write!(f, "start"),
            Action::Flag(flagged) => write!(f, "{flagged}:flag"),
            Action::FlagReason(flagged, reason) => write!(f, "{flagged}:flag:{reason}"),
            Action::FlagSubmit(flagged, reason) => write!(f, "{flagged}:flagged:{reason}"),
            Action::MockAnswer {
                exam,
                position,
                choice,
            } => write!(f, "m:{exam}:{position}:{choice}"),
            Action::MockPick { exam, position } => write!(f, "m:{exam}:{position}:pick"),
            Action::MockSave { exam, position } => write!(f, "m:{exam}:{position}:save"),
            Action::MockGo { exam, position } => write!(f, "m:{exam}:{position}:go"),
            Action::MockSubmit { exam } => write!(f, "m:{exam}:submit"),
            Action::MockConfirm { exam } => write!(f, "m:{exam}:confirm"),
            Action::MockResults { exam, page } => write!(f, "m:{exam}:r:{page}"),
            Action::LiveAnswer { question, choice } => write!(f, "l:{question}:{choice}"),
            Action::LivePick { question } => write!(f, "l:{question}:pick"),
            Action::LiveSubmit { question } => write!(f, "l:{question}:submit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_within_the_platforms_limit() {
        for action in [
            Action::Answer {
                session: 42,
                position: 3,
                choice: 1,
            },
            Action::Pick {
                session: 42,
                position: 0,
            },
            Action::Submit {
                session: 7,
                position: 0,
            },
            Action::Next {
                session: i64::MAX,
                position: 19,
            },
            Action::DailyAnswer { post: 7, choice: 3 },
            Action::DailyPick { post: i64::MAX },
            Action::DailySubmit { post: 1 },
            Action::StartQuiz,
            Action::Flag(Flagged::Session {
                session: 3,
                position: 1,
            }),
            Action::FlagReason(Flagged::Daily { post: 9 }, ReportReason::Ambiguous),
            Action::FlagSubmit(
                Flagged::Session {
                    session: i64::MAX,
                    position: 19,
                },
                ReportReason::WrongExplanation,
            ),
            Action::FlagSubmit(Flagged::Daily { post: 1 }, ReportReason::Other),
            Action::MockAnswer {
                exam: i64::MAX,
                position: 64,
                choice: 4,
            },
            Action::MockPick {
                exam: 3,
                position: 0,
            },
            Action::MockSave {
                exam: 3,
                position: 7,
            },
            Action::MockGo {
                exam: 3,
                position: 12,
            },
            Action::MockSubmit { exam: 9 },
            Action::MockConfirm { exam: 9 },
            Action::MockResults { exam: 9, page: 31 },
            Action::LiveAnswer {
                question: i64::MAX,
                choice: 4,
            },
            Action::LivePick { question: 12 },
            Action::LiveSubmit { question: 12 },
        ] {
            let text = action.to_string();
            assert!(text.len() <= 100, "{text}");
            assert_eq!(text.parse::<Action>(), Ok(action));
        }
    }

    #[test]
    fn foreign_or_broken_ids_are_not_ours() {
        for text in [
            "",
            "q",
            "q:1",
            "q:1:2",
            "q:x:2:1",
            "q:1:2:z",
            "q:1:2:3:4",
            "x:1:2:3",
            "d",
            "d:1",
            "d:x:1",
            "d:1:z",
            "d:1:2:3",
            "q:1:-2:0",
            "start:1",
            "q:1:2:flagged",
            "d:1:flag:typo",
            "d:1:flag:answer:x",
            "m",
            "m:1",
            "m:x:submit",
            "m:1:2",
            "m:1:2:z",
            "m:1:r",
            "m:1:r:x",
            "m:1:submit:2",
            "m:1:2:go:3",
            "l",
            "l:1",
            "l:x:1",
            "l:1:z",
            "l:1:2:3",
            "l:1:flag",
        ] {
            assert_eq!(
                text.parse::<Action>(),
                Err(UnknownAction(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn a_submit_knows_its_checkboxes() {
        assert_eq!(
            Action::Submit {
                session: 1,
                position: 2
            }
            .pick_of_submit(),
            Some(Action::Pick {
                session: 1,
                position: 2
            })
        );
        assert_eq!(
            Action::DailySubmit { post: 3 }.pick_of_submit(),
            Some(Action::DailyPick { post: 3 })
        );
        assert_eq!(Action::DailyPick { post: 3 }.pick_of_submit(), None);
        assert_eq!(
            Action::MockSave {
                exam: 4,
                position: 2
            }
            .pick_of_submit(),
            Some(Action::MockPick {
                exam: 4,
                position: 2
            })
        );
        assert_eq!(
            Action::LiveSubmit { question: 5 }.pick_of_submit(),
            Some(Action::LivePick { question: 5 })
        );
    }
}
