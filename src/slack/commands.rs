//! Slash commands: `/quiz [topic] [count]`, `/quiz review [count]`,
//! `/quiz mock [count]`, `/leaderboard [period] [topic]`, `/leaderboard
//! readiness`, `/quiz-stats [@user]`, `/quiz-live` (in [`super::live`]),
//! `/quiz-admin
//! reload`, `/quiz-admin daily set|off|show`, `/quiz-admin exam
//! set|off|show` and `/quiz-admin retention VALUE`.
//!
//! A command is answered in its acknowledgement (the Socket Mode ack's
//! payload, or the HTTP response body): an ephemeral message for the
//! caller, or a public one for the leaderboard; or, when its work takes
//! longer than Slack's deadline allows, through its `response_url` once
//! done ([`crate::deadline`]). Arguments arrive as one text; the parsers
//! here are plain functions, tested on their own.

use std::sync::Arc;

use chrono::Utc;
use chrono_tz::Tz;
use slack_morphism::prelude::*;

use crate::deadline::{self, Timely};
use crate::identity::Platform;
use crate::quiz::Period;
use crate::refusal::Refusal;
use crate::service::{Caller, DailyRequest, QuizMode, SessionStart};

use super::blocks;
use super::{SlackApp, SlackError};

/// Most characters of a command's name that a log line keeps.
const LOGGED_NAME_MAX: usize = 32;

/// What a command answers, and who sees it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub content: SlackMessageContent,
    pub public: bool,
}

impl Reply {
    pub(super) fn private(content: SlackMessageContent) -> Self {
        Self {
            content,
            public: false,
        }
    }

    pub(super) fn public(content: SlackMessageContent) -> Self {
        Self {
            content,
            public: true,
        }
    }

    pub fn into_response(self) -> SlackCommandEventResponse {
        let kind = if self.public {
            SlackMessageResponseType::InChannel
        } else {
            SlackMessageResponseType::Ephemeral
        };
        SlackCommandEventResponse::new(self.content).with_response_type(kind)
    }
}

/// The mode a word names: `review` (`복습`), `weak` (`약점`), `mock`
/// (`모의고사`).
fn mode_named(word: &str) -> Option<QuizMode> {
    match word.to_lowercase().as_str() {
        "review" | "복습" => Some(QuizMode::Review),
        "weak" | "약점" => Some(QuizMode::Weak),
        "mock" | "모의고사" => Some(QuizMode::Mock),
        _ => None,
    }
}

/// `/quiz` arguments, in any order: a topic (its id or its name, which
/// may have spaces) and a number of questions; or a mode (`review`,
/// `weak`, `mock`) first and a number (a topic with a mode is the
/// service's to refuse, as on Discord).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizArgs {
    pub topic: Option<String>,
    pub count: Option<usize>,
    pub mode: QuizMode,
}

pub fn parse_quiz_args(text: &str) -> Option<QuizArgs> {
    let mut count = None;
    let mut topic = Vec::new();
    let mut words = text.split_whitespace().peekable();
    let mode = match words.peek().and_then(|w| mode_named(w)) {
        Some(mode) => {
            words.next();
            mode
        }
        None => QuizMode::Quiz,
    };
    for word in words {
        match word.parse::<usize>() {
            Ok(n) if count.is_none() => count = Some(n),
            Ok(_) => return None,
            Err(_) => topic.push(word),
        }
    }
    Some(QuizArgs {
        topic: (!topic.is_empty()).then(|| topic.join(" ")),
        count,
        mode,
    })
}

/// `/leaderboard` arguments, in any order: a period and a topic (an id or
/// a name); or `readiness` (`준비도`) alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardArgs {
    pub period: Period,
    pub topic: Option<String>,
    /// The group's exam readiness instead of points.
    pub readiness: bool,
}

pub fn parse_board_args(text: &str) -> Option<BoardArgs> {
    let mut words = text.split_whitespace();
    if let Some(first) = text.split_whitespace().next() {
        if matches!(first.to_lowercase().as_str(), "readiness" | "준비도") {
            words.next();
            return words.next().is_none().then_some(BoardArgs {
                period: Period::Week,
                topic: None,
                readiness: true,
            });
        }
    }
    let mut period = None;
    let mut topic = Vec::new();
    for word in words {
        match Period::parse(word) {
            Some(p) if period.is_none() => period = Some(p),
            Some(_) => return None,
            None => topic.push(word),
        }
    }
    Some(BoardArgs {
        period: period.unwrap_or(Period::Week),
        topic: (!topic.is_empty()).then(|| topic.join(" ")),
        readiness: false,
    })
}

/// The user a `/quiz-stats` argument names: an escaped mention
/// (`<@U123|name>`, as Slack sends it with `should_escape`) or a bare id.
pub fn parse_user(text: &str) -> Option<String> {
    let text = text.trim();
    let id = match text.strip_prefix("<@").and_then(|t| t.strip_suffix('>')) {
        Some(inner) => inner.split('|').next().unwrap_or(inner),
        None => text,
    };
    let valid = id.len() >= 2
        && id.starts_with(['U', 'W'])
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    valid.then(|| id.to_string())
}

/// `/quiz-admin daily …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyCommand {
    /// `set`: schedule (or change) a channel's daily question.
    Set(DailyArgs),
    /// `off [#channel]`: one channel, or every channel of the workspace.
    Off { channel: Option<String> },
    /// `show`: the workspace's schedules and their delivery trouble.
    Show,
}

/// `daily set`'s settings as typed; values are checked by the service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyArgs {
    pub time: String,
    /// A channel id; the command's own channel when `None`.
    pub channel: Option<String>,
    pub time_zone: Option<String>,
    /// Comma-separated topic ids or names.
    pub topics: Option<String>,
    pub reveal_after: Option<String>,
}

/// Why `/quiz-admin daily …` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyArgsError {
    /// Not the command's shape: the usage is shown.
    Usage,
    /// A channel that is neither Slack's link (`<#C123|name>`) nor an id:
    /// typically a plain `#name` typed without picking the suggestion.
    Channel(String),
}

/// Parses the text after `daily`. `set` takes its settings in any order,
/// told apart by their shape (see [`Slot::of`]) or named as `time=`,
/// `channel=`, `tz=`, `topics=`, `reveal=`.
pub fn parse_daily(text: &str) -> Result<DailyCommand, DailyArgsError> {
    let mut words = text.split_whitespace();
    let verb = words.next().map(str::to_ascii_lowercase);
    match verb.as_deref() {
        Some("set") => parse_daily_set(words).map(DailyCommand::Set),
        Some("off") => {
            let channel = words.next().map(parse_channel).transpose()?;
            match words.next() {
                Some(_) => Err(DailyArgsError::Usage),
                None => Ok(DailyCommand::Off { channel }),
            }
        }
        Some("show") if words.next().is_none() => Ok(DailyCommand::Show),
        _ => Err(DailyArgsError::Usage),
    }
}

fn parse_daily_set<'a>(words: impl Iterator<Item = &'a str>) -> Result<DailyArgs, DailyArgsError> {
    let (mut time, mut channel, mut time_zone, mut reveal_after) = (None, None, None, None);
    let mut topics: Vec<&str> = Vec::new();
    for word in words {
        let (slot, value) = match word.split_once('=') {
            Some((key, value)) => (Slot::named(key).ok_or(DailyArgsError::Usage)?, value),
            None => (Slot::of(word), word),
        };
        match slot {
            Slot::Time => set_once(&mut time, value.to_string())?,
            Slot::Channel => set_once(&mut channel, parse_channel(value)?)?,
            Slot::TimeZone => set_once(&mut time_zone, value.to_string())?,
            Slot::RevealAfter => set_once(&mut reveal_after, value.to_string())?,
            Slot::Topics => topics.push(value),
        }
    }
    Ok(DailyArgs {
        time: time.ok_or(DailyArgsError::Usage)?,
        channel,
        time_zone,
        // "ec2, s3" arrives as two words; parse_topics skips the empty item.
        topics: (!topics.is_empty()).then(|| topics.join(",")),
        reveal_after,
    })
}

/// Each setting is given once; a second one is a typo the admin should see.
fn set_once(slot: &mut Option<String>, value: String) -> Result<(), DailyArgsError> {
    match slot {
        Some(_) => Err(DailyArgsError::Usage),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// Which setting of `daily set` a word gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Time,
    Channel,
    TimeZone,
    RevealAfter,
    Topics,
}

impl Slot {
    fn named(key: &str) -> Option<Slot> {
        match key.to_ascii_lowercase().as_str() {
            "time" | "at" => Some(Slot::Time),
            "channel" => Some(Slot::Channel),
            "tz" | "timezone" | "zone" => Some(Slot::TimeZone),
            "reveal" | "reveal_after" | "after" => Some(Slot::RevealAfter),
            "topics" | "topic" => Some(Slot::Topics),
            _ => None,
        }
    }

    /// A bare word by its shape: a channel (a link, `#name` or an id), a
    /// time (it has a colon), a time zone (it has a slash, or is a zone
    /// such as `UTC`), a delay (it starts with a digit); anything else is a
    /// topic. A malformed value still lands in its slot, so the refusal
    /// names the right setting (`25:00` is not a time of day).
    fn of(word: &str) -> Slot {
        if word.starts_with("<#") || word.starts_with('#') || is_channel_id(word) {
            Slot::Channel
        } else if word.contains(':') {
            Slot::Time
        } else if word.contains('/') || word.parse::<Tz>().is_ok() {
            Slot::TimeZone
        } else if word.starts_with(|c: char| c.is_ascii_digit()) {
            Slot::RevealAfter
        } else {
            Slot::Topics
        }
    }
}

/// A channel as Slack escapes it (`<#C123|name>`, `<#C123>`), or its id.
pub fn parse_channel(word: &str) -> Result<String, DailyArgsError> {
    let id = match word.strip_prefix("<#").and_then(|w| w.strip_suffix('>')) {
        Some(inner) => inner.split('|').next().unwrap_or(inner),
        None => word,
    };
    if is_channel_id(id) {
        Ok(id.to_string())
    } else {
        Err(DailyArgsError::Channel(word.to_string()))
    }
}

/// A public or private channel's id (`C…`, or `G…` for older private
/// ones); direct messages (`D…`) are not places for a daily question.
fn is_channel_id(word: &str) -> bool {
    word.len() >= 9
        && word.starts_with(['C', 'G'])
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

impl SlackApp {
    /// Answers a slash command. Never fails: a refusal is a private notice.
    /// Handles a slash command. Its reply goes in the acknowledgement when
    /// it is ready within [`deadline::DEFER_AFTER`]; otherwise the command
    /// is acknowledged with nothing (`None`) and the same work, run to its
    /// end, answers through the command's `response_url`.
    pub async fn command(
        self: &Arc<Self>,
        event: SlackCommandEvent,
    ) -> Option<SlackCommandEventResponse> {
        let handling = self.service.handling(Platform::Slack, "command");
        let response_url = event.response_url.clone();
        let work = {
            let app = Arc::clone(self);
            async move { app.reply_to(&event).await }
        };
        let rest = match deadline::within(deadline::DEFER_AFTER, work).await {
            Timely::Ready(reply) => return Some(reply.into_response()),
            Timely::Late(rest) => rest,
        };
        let app = Arc::clone(self);
        tokio::spawn(async move {
            let _handling = handling;
            let reply = rest.await;
            if let Err(err) = app.reply_later(&response_url, reply).await {
                tracing::warn!(error = %err, "cannot send a late Slack command reply");
            }
        });
        None
    }

    /// The reply to a slash command.
    async fn reply_to(&self, event: &SlackCommandEvent) -> Reply {
        let text = event.text.as_deref().unwrap_or("").trim();
        let team = event.team_id.value();
        let user = event.user_id.value();
        let channel = event.channel_id.value();
        let name = event.command.value().trim_start_matches('/');
        let logged = crate::notes::truncate_chars(name, LOGGED_NAME_MAX);
        tracing::debug!(command = %logged, team, user, "Slack command");
        let texts = self.texts_for(team, user);
        let reply = match name {
            "quiz" => self.quiz(team, user, text).await,
            "leaderboard" => self.leaderboard(team, user, text).await,
            "quiz-stats" => self.stats(team, user, text, &event.response_url).await,
            "quiz-admin" => self.admin(team, user, channel, text).await,
            "quiz-live" => self.live(team, user, channel, text).await,
            _ => {
                tracing::warn!(command = %logged, "an unknown Slack command");
                Ok(Reply::private(blocks::notice(
                    texts.slack_unknown_command(),
                )))
            }
        };
        reply.unwrap_or_else(|err| {
            let request = format!("/{name} {text}");
            Reply::private(blocks::notice(&self.error_text(texts, &err, &request)))
        })
    }

    async fn quiz(&self, team: &str, user: &str, text: &str) -> Result<Reply, SlackError> {
        let Some(args) = parse_quiz_args(text) else {
            return Ok(self.usage(
                &self
                    .texts_for(team, user)
                    .slack_quiz_usage(&self.topic_ids()),
            ));
        };
        let caller = self.caller(team, user).await;
        let shown_at = Utc::now().timestamp_millis();
        let started = self
            .service
            .start(&caller, args.mode, args.topic.as_deref(), args.count)
            .await?;
        let content = match started {
            SessionStart::Card(card) => blocks::question_card(&card, shown_at),
            SessionStart::Review(start) => blocks::review_start(&start, shown_at),
            SessionStart::Mock(step) => blocks::mock_step(&step),
        };
        Ok(Reply::private(content))
    }

    async fn leaderboard(&self, team: &str, user: &str, text: &str) -> Result<Reply, SlackError> {
        let Some(args) = parse_board_args(text) else {
            return Ok(self.usage(self.texts_for(team, user).slack_leaderboard_usage()));
        };
        if args.readiness {
            let board = self
                .service
                .readiness_board(&super::identity(team, user))
                .await?;
            return Ok(Reply::public(blocks::readiness_board(&board)));
        }
        let board = self
            .service
            .leaderboard(
                &super::identity(team, user),
                args.period,
                args.topic.as_deref(),
            )
            .await?;
        Ok(Reply::public(blocks::board(&board)))
    }

    async fn stats(
        &self,
        team: &str,
        user: &str,
        text: &str,
        response_url: &SlackResponseUrl,
    ) -> Result<Reply, SlackError> {
        let target = if text.is_empty() {
            user.to_string()
        } else {
            match parse_user(text) {
                Some(target) => target,
                None => return Ok(self.usage(self.texts_for(team, user).slack_stats_usage())),
            }
        };
        let name = self.display_name(&target).await;
        let card = self
            .service
            .stats(&super::identity(team, &target), &name)
            .await?;
        // The chart goes to the caller's direct message (see `files`).
        let chart_note = card.chart.clone().map(|chart| {
            let texts = self.texts_for(team, user);
            self.send_chart(texts, user, chart, response_url.clone());
            texts.slack_chart_in_dm()
        });
        Ok(Reply::private(blocks::stats(&card, chart_note)))
    }

    async fn admin(
        &self,
        team: &str,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<Reply, SlackError> {
        let texts = self.texts_for(team, user);
        let mut caller = self.caller(team, user).await;
        caller.admin = match self.is_admin(user).await {
            Ok(admin) => admin,
            Err(err) => {
                tracing::warn!(error = %err, user, "cannot check Slack admin rights");
                return Ok(self.usage(texts.slack_admin_check_failed()));
            }
        };
        let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let service = &self.service;
        let content = match verb {
            "reload" => blocks::reload(&service.reload(&caller).await?),
            "daily" => match parse_daily(rest) {
                Ok(DailyCommand::Set(args)) => {
                    let here = args.channel.clone().unwrap_or_else(|| channel.to_string());
                    if !is_channel_id(&here) {
                        return Ok(self.usage(texts.slack_daily_needs_channel()));
                    }
                    let request = DailyRequest {
                        time: &args.time,
                        time_zone: args.time_zone.as_deref(),
                        topics: args.topics.as_deref(),
                        reveal_after: args.reveal_after.as_deref(),
                    };
                    blocks::admin(&service.set_daily(&caller, here, &request).await?)
                }
                Ok(DailyCommand::Off { channel }) => {
                    blocks::admin(&service.daily_off(&caller, channel.as_deref()).await?)
                }
                Ok(DailyCommand::Show) => blocks::admin(&service.daily_show(&caller).await?),
                Err(DailyArgsError::Usage) => return Ok(self.admin_usage(&caller)),
                Err(DailyArgsError::Channel(typed)) => {
                    return Ok(self.usage(&texts.slack_unreadable_channel(&typed)))
                }
            },
            "exam" => {
                let (what, date) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
                let typed = match (what, date.trim()) {
                    ("set", date) if !date.is_empty() => Some(date),
                    ("off", "") => Some("off"),
                    ("show" | "", "") => None,
                    _ => return Ok(self.admin_usage(&caller)),
                };
                blocks::admin(&service.exam(&caller, typed).await?)
            }
            "reports" => {
                let rest = rest.trim();
                let (what, more) = rest.split_once(' ').unwrap_or((rest, ""));
                match (what, more.trim()) {
                    ("" | "open", "") => blocks::admin(&service.reports(&caller, false).await?),
                    ("all", "") => blocks::admin(&service.reports(&caller, true).await?),
                    ("resolve", more) if !more.is_empty() => {
                        let (question, note) = more.split_once(' ').unwrap_or((more, ""));
                        blocks::admin(&service.resolve_report(&caller, question, note).await?)
                    }
                    _ => return Ok(self.admin_usage(&caller)),
                }
            }
            "retention" if !rest.trim().is_empty() => {
                blocks::admin(&service.set_retention(&caller, rest.trim()).await?)
            }
            "timezone" if !rest.trim().is_empty() => {
                blocks::admin(&service.set_time_zone(&caller, rest.trim()).await?)
            }
            "language" if !rest.trim().is_empty() => {
                blocks::admin(&service.set_language(&caller, rest.trim()).await?)
            }
            "settings" if rest.trim().is_empty() => {
                blocks::admin(&service.community_settings(&caller).await?)
            }
            _ => return Ok(self.admin_usage(&caller)),
        };
        Ok(Reply::private(content))
    }

    /// The admin commands' usage, for admins only.
    fn admin_usage(&self, caller: &Caller) -> Reply {
        let texts = self.service.texts_of(&caller.identity);
        if caller.admin {
            self.usage(texts.slack_admin_usage())
        } else {
            self.usage(&texts.refusal(&Refusal::AdminOnly))
        }
    }

    /// A private sentence: a usage line or a mistake in what was typed.
    fn usage(&self, text: &str) -> Reply {
        Reply::private(blocks::notice(text))
    }

    fn topic_ids(&self) -> Vec<String> {
        self.service
            .topics()
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiz_arguments_come_in_any_order() {
        let args = |topic: Option<&str>, count| QuizArgs {
            topic: topic.map(String::from),
            count,
            mode: QuizMode::Quiz,
        };
        assert_eq!(parse_quiz_args(""), Some(args(None, None)));
        assert_eq!(parse_quiz_args("EC2 3"), Some(args(Some("EC2"), Some(3))));
        assert_eq!(parse_quiz_args("10 iam"), Some(args(Some("iam"), Some(10))));
        assert_eq!(
            parse_quiz_args("보안과 규정 준수 5"),
            Some(args(Some("보안과 규정 준수"), Some(5))),
            "a topic's name may have spaces"
        );
        assert_eq!(parse_quiz_args("3 4"), None);
        let mode = |mode, count| QuizArgs {
            topic: None,
            count,
            mode,
        };
        assert_eq!(
            parse_quiz_args("review"),
            Some(mode(QuizMode::Review, None))
        );
        assert_eq!(
            parse_quiz_args("복습 10"),
            Some(mode(QuizMode::Review, Some(10)))
        );
        assert_eq!(
            parse_quiz_args("Weak 3"),
            Some(mode(QuizMode::Weak, Some(3)))
        );
        assert_eq!(
            parse_quiz_args("review ec2"),
            Some(QuizArgs {
                topic: Some("ec2".into()),
                count: None,
                mode: QuizMode::Review
            }),
            "the topic is passed on for the service to refuse"
        );
        assert_eq!(
            parse_quiz_args("mock 5"),
            Some(mode(QuizMode::Mock, Some(5)))
        );
        assert_eq!(
            parse_quiz_args("모의고사"),
            Some(mode(QuizMode::Mock, None))
        );
    }

    #[test]
    fn leaderboard_arguments_default_to_this_week() {
        assert_eq!(
            parse_board_args(""),
            Some(BoardArgs {
                period: Period::Week,
                topic: None,
                readiness: false,
            })
        );
        assert_eq!(
            parse_board_args("ec2 all"),
            Some(BoardArgs {
                period: Period::AllTime,
                topic: Some("ec2".into()),
                readiness: false,
            })
        );
        assert_eq!(
            parse_board_args("month 보안과 규정 준수"),
            Some(BoardArgs {
                period: Period::Month,
                topic: Some("보안과 규정 준수".into()),
                readiness: false,
            })
        );
        assert_eq!(parse_board_args("today week"), None);
        assert!(parse_board_args("readiness").is_some_and(|a| a.readiness));
        assert!(parse_board_args("준비도").is_some_and(|a| a.readiness));
        assert_eq!(parse_board_args("readiness week"), None);
    }

    fn set(text: &str) -> Result<DailyArgs, DailyArgsError> {
        match parse_daily(text)? {
            DailyCommand::Set(args) => Ok(args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn daily_set_takes_its_settings_in_any_order() {
        assert_eq!(
            set("set 09:00 <#C0123ABCD|aws-study> Asia/Seoul ec2,s3 8h"),
            Ok(DailyArgs {
                time: "09:00".into(),
                channel: Some("C0123ABCD".into()),
                time_zone: Some("Asia/Seoul".into()),
                topics: Some("ec2,s3".into()),
                reveal_after: Some("8h".into()),
            })
        );
        assert_eq!(
            set("SET 90m ec2, s3 UTC 21:30"),
            Ok(DailyArgs {
                time: "21:30".into(),
                time_zone: Some("UTC".into()),
                topics: Some("ec2,,s3".into()),
                reveal_after: Some("90m".into()),
                ..DailyArgs::default()
            })
        );
        assert_eq!(
            set("set time=7:30 tz=Europe/Berlin topics=storage reveal=1h30m channel=C0123ABCD"),
            Ok(DailyArgs {
                time: "7:30".into(),
                channel: Some("C0123ABCD".into()),
                time_zone: Some("Europe/Berlin".into()),
                topics: Some("storage".into()),
                reveal_after: Some("1h30m".into()),
            })
        );
        // A malformed time still is the time, so its refusal says so.
        assert_eq!(set("set 25:00").map(|a| a.time), Ok("25:00".into()));
    }

    #[test]
    fn daily_set_refuses_what_it_cannot_place() {
        assert_eq!(set("set"), Err(DailyArgsError::Usage), "no time");
        assert_eq!(set("set ec2 8h"), Err(DailyArgsError::Usage), "no time");
        assert_eq!(set("set 09:00 10:00"), Err(DailyArgsError::Usage));
        assert_eq!(set("set 09:00 colour=red"), Err(DailyArgsError::Usage));
        assert_eq!(
            set("set 09:00 #aws-study"),
            Err(DailyArgsError::Channel("#aws-study".into())),
            "a plain #name is not a channel Slack resolved"
        );
        assert_eq!(
            set("set 09:00 <#D0123ABCD|dm>"),
            Err(DailyArgsError::Channel("<#D0123ABCD|dm>".into()))
        );
    }

    #[test]
    fn daily_off_and_show() {
        assert_eq!(parse_daily("off"), Ok(DailyCommand::Off { channel: None }));
        assert_eq!(
            parse_daily("off <#G0123ABCD>"),
            Ok(DailyCommand::Off {
                channel: Some("G0123ABCD".into())
            })
        );
        assert_eq!(
            parse_daily("off C0123ABCD C0123ABCE"),
            Err(DailyArgsError::Usage)
        );
        assert_eq!(parse_daily("show"), Ok(DailyCommand::Show));
        assert_eq!(parse_daily("show all"), Err(DailyArgsError::Usage));
        assert_eq!(parse_daily(""), Err(DailyArgsError::Usage));
    }

    #[test]
    fn users_are_named_by_escaped_mentions_or_ids() {
        assert_eq!(parse_user("<@U024BE7LH|bob>").as_deref(), Some("U024BE7LH"));
        assert_eq!(parse_user("<@W1234>").as_deref(), Some("W1234"));
        assert_eq!(parse_user("U99").as_deref(), Some("U99"));
        assert_eq!(parse_user("@bob"), None);
        assert_eq!(parse_user("<!channel>"), None);
    }
}
