//! Slash commands: `/quiz [topic] [count]`, `/leaderboard [period] [topic]`,
//! `/quiz-stats [@user]` and `/quiz-admin reload`.
//!
//! A command is answered in its acknowledgement (the Socket Mode ack's
//! payload, or the HTTP response body): an ephemeral message for the
//! caller, or a public one for the leaderboard. Arguments arrive as one
//! text; the parsers here are plain functions, tested on their own.

use chrono::Utc;
use slack_morphism::prelude::*;

use crate::game::{Game, GameError};
use crate::quiz::{self, Period, DEFAULT_SESSION_QUESTIONS};
use crate::store::{BoardQuery, ExternalId, Platform};

use super::blocks;
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

impl SlackApp {
    /// Answers a slash command. Never fails: a refusal is a private notice.
    pub async fn command(&self, event: &SlackCommandEvent) -> SlackCommandEventResponse {
        let text = event.text.as_deref().unwrap_or("").trim();
        let team = event.team_id.value();
        let user = event.user_id.value();
        let name = event.command.value().trim_start_matches('/');
        tracing::debug!(command = name, team, user, "Slack command");
        let reply = match name {
            "quiz" => self.quiz(team, user, text).await,
            "leaderboard" => self.leaderboard(team, user, text).await,
            "quiz-stats" => self.stats(team, user, text).await,
            "quiz-admin" => self.admin(user, text).await,
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

    async fn admin(&self, user: &str, text: &str) -> Result<Reply, SlackError> {
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
        let mut words = text.split_whitespace();
        match words.next() {
            Some("reload") => Ok(Reply::private(self.reload())),
            _ => Ok(Reply::private(blocks::notice(texts.slack_admin_usage()))),
        }
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

    #[test]
    fn users_are_named_by_escaped_mentions_or_ids() {
        assert_eq!(parse_user("<@U024BE7LH|bob>").as_deref(), Some("U024BE7LH"));
        assert_eq!(parse_user("<@W1234>").as_deref(), Some("W1234"));
        assert_eq!(parse_user("U99").as_deref(), Some("U99"));
        assert_eq!(parse_user("@bob"), None);
        assert_eq!(parse_user("<!channel>"), None);
    }
}
