//! The live round on Slack: `/quiz-live [topic] [questions] [seconds]` and
//! `/quiz-live stop` (admins), the public question (`chat.postMessage`)
//! with its buttons (checkboxes and Submit for "choose two") and its
//! deadline in each reader's own clock, the same message turned into the
//! reveal at the deadline (`chat.update`: buttons gone, the results in
//! their place), the results, and a member's private receipt (an ephemeral
//! reply through the click's `response_url`).
//!
//! A question costs one `chat.postMessage` and one `chat.update`, well
//! within Slack's limits (about one post a second per channel, and the
//! updates' tier of some fifty a minute) however many answer.
//! [`SlackLive`] is the quizmaster's way into the Web API; clicks are
//! answered in [`super::actions`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use super::blocks::{
    self, choice_field, choice_list, context, escape, excerpt_text, fit, header, list_field,
    message, section, spread_text,
};
use super::commands::Reply;
use super::daily::delivery_error;
use super::{SlackApp, SlackError};
use crate::notes::truncate_chars;
use crate::quizmaster::{LiveChannel, QuestionPost, QuestionReveal, RoundResults};
use crate::scheduler::DeliveryError;
use crate::service::LiveRequest;
use crate::view::{
    LiveAnnouncement, LiveQuestionView, LiveReceipt, LiveResultsView, LiveRevealView, LiveRunning,
    LiveStart,
};

/// How much of the prompt a reveal repeats: the choices follow it.
const PROMPT_REPEATED_MAX: usize = 1_200;

/// `/quiz-live`'s text, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveCommand {
    /// `[topic] [questions] [seconds]`, in any order: the first number is
    /// how many questions, the second how many seconds each.
    Start {
        topic: Option<String>,
        questions: Option<usize>,
        seconds: Option<u32>,
    },
    /// `stop` (`멈춤`).
    Stop,
}

pub fn parse_live_args(text: &str) -> Option<LiveCommand> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let [word] = words.as_slice() {
        if matches!(word.to_lowercase().as_str(), "stop" | "멈춤" | "중지") {
            return Some(LiveCommand::Stop);
        }
    }
    let mut numbers = Vec::new();
    let mut topic = Vec::new();
    for word in words {
        match word.parse::<u32>() {
            Ok(n) => numbers.push(n),
            Err(_) => topic.push(word),
        }
    }
    let (questions, seconds) = match numbers.as_slice() {
        [] => (None, None),
        [questions] => (Some(*questions), None),
        [questions, seconds] => (Some(*questions), Some(*seconds)),
        _ => return None,
    };
    Some(LiveCommand::Start {
        topic: (!topic.is_empty()).then(|| topic.join(" ")),
        questions: questions.and_then(|n| usize::try_from(n).ok()),
        seconds,
    })
}

impl SlackApp {
    /// `/quiz-live …` in `channel`.
    pub(super) async fn live(
        &self,
        team: &str,
        user: &str,
        channel: &str,
        text: &str,
    ) -> Result<Reply, SlackError> {
        let texts = self.texts_for(team, user);
        let Some(command) = parse_live_args(text) else {
            return Ok(Reply::private(blocks::notice(texts.slack_live_usage())));
        };
        let mut caller = self.caller(team, user).await;
        match command {
            LiveCommand::Stop => {
                caller.admin = match self.is_admin(user).await {
                    Ok(admin) => admin,
                    Err(err) => {
                        tracing::warn!(error = %err, user, "cannot check Slack admin rights");
                        return Ok(Reply::private(blocks::notice(
                            texts.slack_admin_check_failed(),
                        )));
                    }
                };
                let said = self.service.stop_live(&caller, channel).await?;
                Ok(Reply::private(blocks::notice(&said)))
            }
            LiveCommand::Start {
                topic,
                questions,
                seconds,
            } => {
                let request = LiveRequest {
                    topic: topic.as_deref(),
                    questions,
                    seconds,
                };
                match self.service.start_live(&caller, channel, &request).await? {
                    LiveStart::Started(announcement) => Ok(Reply::public(announce(&announcement))),
                    LiveStart::Running(running) => {
                        let link = self.permalink(&running).await;
                        Ok(Reply::private(self::running(&running, link.as_deref())))
                    }
                }
            }
        }
    }

    /// A link to the running round's question, when Slack gives one.
    async fn permalink(&self, running: &LiveRunning) -> Option<String> {
        let message = running.message_id.as_ref()?;
        let request = SlackApiChatGetPermalinkRequest::new(
            SlackChannelId::new(running.channel.clone()),
            SlackTs::new(message.clone()),
        );
        match self.session().chat_get_permalink(&request).await {
            Ok(found) => Some(found.permalink.to_string()),
            Err(err) => {
                tracing::warn!(error = %err, "chat.getPermalink failed");
                None
            }
        }
    }
}

/// The public announcement of a new round.
fn announce(announcement: &LiveAnnouncement) -> SlackMessageContent {
    let mut parts = vec![header(&announcement.title)];
    parts.extend(announcement.lines.iter().map(|line| section(&escape(line))));
    message(&escape(&announcement.title), parts)
}

/// Where the running round is, with a link to its question.
fn running(running: &LiveRunning, link: Option<&str>) -> SlackMessageContent {
    let mut text = escape(&running.text);
    if let Some(link) = link {
        text.push_str(&format!("\n<{link}|{}>", escape(&running.link_label)));
    }
    message(&running.text, vec![section(&text)])
}

/// A moment in each reader's own time zone and clock, to the second;
/// clients that cannot show it read UTC.
fn slack_clock(at: DateTime<Utc>) -> String {
    format!(
        "<!date^{}^{{time_secs}}|{}>",
        at.timestamp(),
        at.format("%H:%M:%S UTC")
    )
}

/// A live question: its prompt, the buttons, the deadline.
fn question(view: &LiveQuestionView) -> SlackMessageContent {
    let mut prompt = escape(&view.question.prompt);
    if let Some(hint) = &view.question.choose_hint {
        prompt.push_str(&format!("\n_({})_", escape(hint)));
    }
    let mut parts = vec![header(&view.title), section(&prompt)];
    parts.extend(blocks::answer_blocks(
        &view.input,
        &view.question.choices,
        None,
    ));
    parts.push(context(&format!(
        "⏱ {}: {} · {}",
        escape(&view.deadline_label),
        slack_clock(view.deadline),
        escape(&view.footer)
    )));
    let fallback = escape(&format!("{}\n{}", view.title, view.question.prompt));
    message(&fit(&fallback, blocks::FALLBACK_TEXT_MAX), parts)
}

/// The question's message after its deadline: the choices listed (the
/// buttons gone), the answer, the spread, who was right first, the
/// explanation and the notes.
fn reveal(view: &LiveRevealView) -> SlackMessageContent {
    let right = crate::view::ListField {
        label: view.right.label.clone(),
        lines: view.right.lines.clone(),
    };
    let mut parts = vec![
        header(&view.title),
        section(&escape(&truncate_chars(
            &view.question.prompt,
            PROMPT_REPEATED_MAX,
        ))),
        choice_list(&view.question.choices),
        section(&choice_field(&view.right_answer)),
        section(&spread_text(&view.spread)),
        section(&spread_text(&right)),
        section(&list_field(&view.explanation)),
    ];
    for excerpt in &view.excerpts {
        parts.push(section(&excerpt_text(excerpt)));
    }
    parts.push(context(&escape(&format!(
        "{} · {}",
        view.turnout, view.next
    ))));
    let fallback = format!("{}: {}", view.title, view.right_letters);
    message(&escape(&fallback), parts)
}

/// The round's results.
fn results(view: &LiveResultsView) -> SlackMessageContent {
    let mut parts = vec![header(&view.title)];
    if let Some(notice) = &view.notice {
        parts.push(section(&escape(notice)));
    }
    if view.rows.is_empty() {
        parts.push(section(&escape(&view.empty)));
    } else {
        let rows: Vec<String> = view
            .rows
            .iter()
            .map(|row| {
                format!(
                    "*{}.* {} · {}",
                    row.rank,
                    escape(&row.name),
                    escape(&row.score)
                )
            })
            .collect();
        parts.push(section(&rows.join("\n")));
        if let Some(more) = &view.more {
            parts.push(context(&escape(more)));
        }
    }
    if let Some(missed) = &view.most_missed {
        parts.push(section(&spread_text(missed)));
    }
    parts.push(section(&spread_text(&view.review)));
    parts.push(context(&escape(&format!(
        "{} · {}",
        view.legend, view.note
    ))));
    message(&escape(&view.title), parts)
}

/// The private reply to a member's answer.
pub(super) fn receipt(receipt: &LiveReceipt) -> SlackMessageContent {
    message(
        &receipt.text,
        vec![
            section(&escape(&receipt.text)),
            context(&format!(
                "⏱ {}: {}",
                escape(&receipt.deadline_label),
                slack_clock(receipt.deadline)
            )),
        ],
    )
}

/// Posts and reveals through the Slack Web API.
pub struct SlackLive {
    app: Arc<SlackApp>,
}

impl SlackLive {
    pub fn new(app: Arc<SlackApp>) -> Self {
        Self { app }
    }
}

impl LiveChannel for SlackLive {
    async fn post_question(&self, post: &QuestionPost<'_>) -> Result<String, DeliveryError> {
        let ts = self
            .app
            .post_message(&post.round.channel, question(&post.view))
            .await
            .map_err(delivery_error)?;
        Ok(ts.value().clone())
    }

    async fn reveal(&self, reveal: &QuestionReveal<'_>) -> Result<(), DeliveryError> {
        let channel = &reveal.round.channel;
        let ts = SlackTs::new(reveal.message_id.to_string());
        match self
            .app
            .update_message(channel, &ts, self::reveal(&reveal.view))
            .await
        {
            Ok(()) => Ok(()),
            // Someone deleted the question: its results go out on their own.
            Err(err) if err.api_code() == Some("message_not_found") => {
                tracing::info!(question = reveal.question.id, "a live question was deleted");
                self.app
                    .post_message(channel, self::reveal(&reveal.view))
                    .await
                    .map(drop)
                    .map_err(delivery_error)
            }
            Err(err) => Err(delivery_error(err)),
        }
    }

    async fn post_results(&self, results: &RoundResults<'_>) -> Result<(), DeliveryError> {
        self.app
            .post_message(&results.round.channel, self::results(&results.view))
            .await
            .map(drop)
            .map_err(delivery_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(topic: Option<&str>, questions: Option<usize>, seconds: Option<u32>) -> LiveCommand {
        LiveCommand::Start {
            topic: topic.map(str::to_string),
            questions,
            seconds,
        }
    }

    #[test]
    fn live_arguments_take_a_topic_then_questions_then_seconds() {
        assert_eq!(parse_live_args(""), Some(start(None, None, None)));
        assert_eq!(parse_live_args("stop"), Some(LiveCommand::Stop));
        assert_eq!(parse_live_args("멈춤"), Some(LiveCommand::Stop));
        assert_eq!(
            parse_live_args("ec2 5 30"),
            Some(start(Some("ec2"), Some(5), Some(30)))
        );
        assert_eq!(
            parse_live_args("5 보안과 규정 준수"),
            Some(start(Some("보안과 규정 준수"), Some(5), None))
        );
        assert_eq!(parse_live_args("1 2 3"), None);
        assert_eq!(
            parse_live_args("stop now"),
            Some(start(Some("stop now"), None, None)),
            "a topic is checked by the service"
        );
    }
}
