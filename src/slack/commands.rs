//! Slash commands: `/quiz [topic] [count]`, `/leaderboard [period] [topic]`,
//! `/quiz-stats [@user]`, `/quiz-admin reload` and `/quiz-admin daily
//! set|off|show`.
//!
//! A command is answered in its acknowledgement (the Socket Mode ack's
//! payload, or the HTTP response body): an ephemeral message for the
//! caller, or a public one for the leaderboard. Arguments arrive as one
//! text; the parsers here are plain functions, tested on their own.

use chrono::Utc;
use chrono_tz::Tz;
use slack_morphism::prelude::*;

use crate::daily::{DailySettings, Schedule};
use crate::game::{Game, GameError};
use crate::identity::{ExternalId, Platform};
use crate::quiz::{self, Period, DEFAULT_SESSION_QUESTIONS};
use crate::store::BoardQuery;

use super::blocks::{self, escape};
use super::{SlackApp, SlackError};

/// What a command answers, and who sees it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub content: SlackMessageContent,
    pub public: bool,
}

impl Reply {
    fn private(content: SlackMessageContent) -> Self {
        Self {
            content,
            public: false,
        }
    }

    fn public(content: SlackMessageContent) -> Self {
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

/// `/quiz` arguments, in any order: a topic id and a number of questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizArgs {
    pub topic: Option<String>,
    pub count: usize,
}

pub fn parse_quiz_args(text: &str) -> Option<QuizArgs> {
    let mut args = QuizArgs {
        topic: None,
        count: DEFAULT_SESSION_QUESTIONS,
    };
    let mut counted = false;
    for word in text.split_whitespace() {
        match word.parse::<usize>() {
            Ok(count) if !counted => {
                args.count = count;
                counted = true;
            }
            Ok(_) => return None,
            Err(_) if args.topic.is_none() => args.topic = Some(word.to_lowercase()),
            Err(_) => return None,
        }
    }
    Some(args)
}

/// `/leaderboard` arguments, in any order: a period and a topic id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardArgs {
    pub period: Period,
    pub topic: Option<String>,
}

pub fn parse_board_args(text: &str) -> Option<BoardArgs> {
    let mut period = None;
    let mut topic = None;
    for word in text.split_whitespace() {
        match Period::parse(word) {
            Some(p) if period.is_none() => period = Some(p),
            Some(_) => return None,
            None if topic.is_none() => topic = Some(word.to_lowercase()),
            None => return None,
        }
    }
    Some(BoardArgs {
        period: period.unwrap_or(Period::Week),
        topic,
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

/// `daily set`'s settings as typed; values are checked by
/// [`DailySettings::schedule`].
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

/// How a reply names a channel: Slack shows the link as `#name`.
fn channel_link(channel: &str) -> String {
    format!("<#{channel}>")
}

/// The schedule with the text it carries (topic ids, Slack's error code)
/// escaped, so the channel link is the only markup in its line.
fn escaped(schedule: &Schedule) -> Schedule {
    let mut schedule = schedule.clone();
    schedule.topics = schedule.topics.iter().map(|t| escape(t)).collect();
    if let Some(failure) = &mut schedule.failure {
        failure.error = escape(&failure.error);
    }
    schedule
}

impl SlackApp {
    /// Answers a slash command. Never fails: a refusal is a private notice.
    pub async fn command(&self, event: &SlackCommandEvent) -> SlackCommandEventResponse {
        let text = event.text.as_deref().unwrap_or("").trim();
        let team = event.team_id.value();
        let user = event.user_id.value();
        let channel = event.channel_id.value();
        let name = event.command.value().trim_start_matches('/');
        tracing::debug!(command = name, team, user, "Slack command");
        let reply = match name {
            "quiz" => self.quiz(team, user, text).await,
            "leaderboard" => self.leaderboard(team, user, text).await,
            "quiz-stats" => self.stats(team, user, text).await,
            "quiz-admin" => self.admin(team, user, channel, text).await,
            _ => Ok(Reply::private(blocks::notice(
                self.bot.texts().slack_unknown_command(),
            ))),
        };
        reply
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, command = name, "Slack command failed");
                Reply::private(blocks::notice(&self.error_text(&err)))
            })
            .into_response()
    }

    async fn quiz(&self, team: &str, user: &str, text: &str) -> Result<Reply, SlackError> {
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let Some(args) = parse_quiz_args(text) else {
            return Ok(Reply::private(blocks::notice(
                &texts.slack_quiz_usage(&self.topic_ids()),
            )));
        };
        let (_, player) = self.player(team, user).await?;
        let game = Game::new(&content, &self.bot.store);
        let now = Utc::now();
        let mut rng = fastrand::Rng::new();
        let session = match game
            .start(&player, args.topic.as_deref(), args.count, now, &mut rng)
            .await
        {
            Ok(session) => session,
            Err(err @ GameError::UnknownTopic(_)) => {
                let text = format!(
                    "{}\n{}",
                    texts.game_error(&err),
                    texts.slack_topics(&self.topic_ids())
                );
                return Ok(Reply::private(blocks::notice(&text)));
            }
            Err(err) => return Err(err.into()),
        };
        let question = game.question(&session, 0)?;
        Ok(Reply::private(blocks::question_card(
            texts,
            &content,
            question,
            session.id,
            0,
            session.question_ids.len(),
            now.timestamp_millis(),
        )))
    }

    async fn leaderboard(&self, team: &str, user: &str, text: &str) -> Result<Reply, SlackError> {
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let Some(args) = parse_board_args(text) else {
            return Ok(Reply::private(blocks::notice(
                texts.slack_leaderboard_usage(),
            )));
        };
        if let Some(topic) = &args.topic {
            if content.bank.topic(topic).is_none() {
                let err = GameError::UnknownTopic(topic.clone());
                let text = format!(
                    "{}\n{}",
                    texts.game_error(&err),
                    texts.slack_topics(&self.topic_ids())
                );
                return Ok(Reply::private(blocks::notice(&text)));
            }
        }
        let title = blocks::leaderboard_title(texts, &content, args.period, args.topic.as_deref());
        let store = &self.bot.store;
        let Some(community) = store
            .find_community(Platform::Slack, &ExternalId::new(team))
            .await?
        else {
            return Ok(Reply::public(blocks::leaderboard_card(
                texts,
                &title,
                &[],
                None,
            )));
        };
        let query = BoardQuery {
            community_id: community.id,
            period: args.period,
            topic: args.topic.as_deref(),
            today: quiz::local_day(Utc::now(), community.time_zone),
            time_zone: community.time_zone,
            limit: 10,
        };
        let rows = store.leaderboard(&query).await?;
        let mine = match store
            .find_player(&community, &ExternalId::new(user))
            .await?
        {
            Some(player) => store.rank_of(&query, player.id).await?,
            None => None,
        };
        Ok(Reply::public(blocks::leaderboard_card(
            texts,
            &title,
            &rows,
            mine.as_ref(),
        )))
    }

    async fn stats(&self, team: &str, user: &str, text: &str) -> Result<Reply, SlackError> {
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let target = if text.is_empty() {
            user.to_string()
        } else {
            match parse_user(text) {
                Some(target) => target,
                None => return Ok(Reply::private(blocks::notice(texts.slack_stats_usage()))),
            }
        };
        let store = &self.bot.store;
        let community = store
            .find_community(Platform::Slack, &ExternalId::new(team))
            .await?;
        let player = match &community {
            Some(community) => {
                store
                    .find_player(community, &ExternalId::new(&target))
                    .await?
            }
            None => None,
        };
        let (Some(community), Some(player)) = (community, player) else {
            return Ok(Reply::private(blocks::notice(texts.no_stats())));
        };
        let stats = store
            .stats(&player, quiz::local_day(Utc::now(), community.time_zone))
            .await?;
        Ok(Reply::private(blocks::stats_card(texts, &content, &stats)))
    }

    async fn admin(
        &self,
        team: &str,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<Reply, SlackError> {
        let texts = self.bot.texts();
        let admin = match self.is_admin(user).await {
            Ok(admin) => admin,
            Err(err) => {
                tracing::warn!(error = %err, user, "cannot check Slack admin rights");
                return Ok(Reply::private(blocks::notice(
                    texts.slack_admin_check_failed(),
                )));
            }
        };
        if !admin {
            return Ok(Reply::private(blocks::notice(texts.admin_only())));
        }
        let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let usage = || Reply::private(blocks::notice(texts.slack_admin_usage()));
        match verb {
            "reload" => Ok(Reply::private(self.reload())),
            "daily" => match parse_daily(rest) {
                Ok(command) => Ok(Reply::private(self.daily(team, channel, command).await?)),
                Err(DailyArgsError::Usage) => Ok(usage()),
                Err(DailyArgsError::Channel(typed)) => Ok(Reply::private(blocks::notice(
                    &texts.slack_unreadable_channel(&typed),
                ))),
            },
            _ => Ok(usage()),
        }
    }

    /// `/quiz-admin daily set|off|show` for the workspace `team`; `here`
    /// is the channel the command was typed in.
    async fn daily(
        &self,
        team: &str,
        here: &str,
        command: DailyCommand,
    ) -> Result<SlackMessageContent, SlackError> {
        let texts = self.bot.texts();
        let store = &self.bot.store;
        let community = ExternalId::new(team);
        let now = Utc::now();
        let text = match command {
            DailyCommand::Set(args) => {
                let channel = args.channel.unwrap_or_else(|| here.to_string());
                if !is_channel_id(&channel) {
                    return Ok(blocks::notice(texts.slack_daily_needs_channel()));
                }
                let settings = DailySettings {
                    time: &args.time,
                    time_zone: args.time_zone.as_deref(),
                    topics: args.topics.as_deref(),
                    reveal_after: args.reveal_after.as_deref(),
                };
                let content = self.bot.content.current();
                let link = channel_link(&channel);
                match settings.schedule(Platform::Slack, community, channel, &content.bank) {
                    Ok(schedule) => {
                        let saved = store.set_schedule(&schedule, now).await?;
                        texts.schedule_saved(&escaped(&saved), &link, now)
                    }
                    Err(err) => escape(&texts.schedule_refused(&err.to_string())),
                }
            }
            DailyCommand::Off { channel } => {
                let count = store
                    .disable_schedules(Platform::Slack, &community, channel.as_deref(), now)
                    .await?;
                escape(&texts.schedules_off(count))
            }
            DailyCommand::Show => {
                let schedules = store
                    .schedules(Some(Platform::Slack), Some(&community))
                    .await?;
                if schedules.is_empty() {
                    escape(texts.no_schedules())
                } else {
                    schedules
                        .iter()
                        .map(|s| texts.schedule_line(&escaped(s), &channel_link(&s.channel), now))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }
        };
        Ok(blocks::message(&text, vec![blocks::section(&text)]))
    }

    /// `/quiz-admin reload`: the banks and notes read again; on errors the
    /// running content stays.
    fn reload(&self) -> SlackMessageContent {
        let texts = self.bot.texts();
        match self.bot.content.reload() {
            Ok(report) => {
                tracing::info!("{}", report.summary());
                blocks::notice(&texts.reloaded(
                    report.topics,
                    report.questions,
                    report.sections,
                    report.warnings(),
                ))
            }
            Err(err) => {
                let errors: Vec<String> = err
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.to_string())
                    .collect();
                let text = format!(
                    "{}\n```{}```",
                    blocks::escape(texts.reload_failed()),
                    blocks::escape(&errors.join("\n"))
                );
                blocks::message(texts.reload_failed(), vec![blocks::section(&text)])
            }
        }
    }

    fn topic_ids(&self) -> Vec<String> {
        self.bot
            .content
            .current()
            .bank
            .topics
            .iter()
            .map(|t| t.id.clone())
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
        };
        assert_eq!(
            parse_quiz_args(""),
            Some(args(None, DEFAULT_SESSION_QUESTIONS))
        );
        assert_eq!(parse_quiz_args("EC2 3"), Some(args(Some("ec2"), 3)));
        assert_eq!(parse_quiz_args("10 iam"), Some(args(Some("iam"), 10)));
        assert_eq!(parse_quiz_args("ec2 iam"), None);
        assert_eq!(parse_quiz_args("3 4"), None);
    }

    #[test]
    fn leaderboard_arguments_default_to_this_week() {
        assert_eq!(
            parse_board_args(""),
            Some(BoardArgs {
                period: Period::Week,
                topic: None
            })
        );
        assert_eq!(
            parse_board_args("ec2 all"),
            Some(BoardArgs {
                period: Period::AllTime,
                topic: Some("ec2".into())
            })
        );
        assert_eq!(parse_board_args("today week"), None);
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
