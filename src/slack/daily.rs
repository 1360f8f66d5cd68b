//! The daily question on Slack: the public post (`chat.postMessage`) with
//! its buttons, the private feedback to each member's answer (an ephemeral
//! message through the click's `response_url`), and the reveal: the post
//! edited with `chat.update` (buttons gone, marked closed) and the results
//! posted under it.
//!
//! [`SlackChannels`] is the scheduler's way into the Web API; a click on a
//! post is answered in [`super::actions`].
//!
//! Slack's `chat.postMessage` has no idempotency key (Discord has its
//! nonce). The store's lease keeps replicas from posting the same day
//! twice, and [`super::run`] lets a tick in progress finish on shutdown;
//! only a replica killed between Slack's answer and the store's note can
//! leave a post to be sent again once its lease expires.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use slack_morphism::prelude::*;

use super::blocks;
use super::{SlackApp, SlackError};
use crate::scheduler::{DailyChannel, Delivery, DeliveryError, Reveal};

/// How much of the prompt the results repeat: the post above them has it
/// in full.
const PROMPT_REPEATED_MAX: usize = 700;

/// Posts and reveals through the Slack Web API.
pub struct SlackChannels {
    app: Arc<SlackApp>,
}

impl SlackChannels {
    pub fn new(app: Arc<SlackApp>) -> Self {
        Self { app }
    }
}

impl DailyChannel for SlackChannels {
    async fn post(&self, delivery: &Delivery<'_>) -> Result<String, DeliveryError> {
        let message = post_message(delivery.schedule.time_zone, &delivery.view);
        let ts = self
            .app
            .post_message(&delivery.schedule.channel, message)
            .await
            .map_err(delivery_error)?;
        Ok(ts.value().clone())
    }

    async fn reveal(&self, reveal: &Reveal<'_>) -> Result<(), DeliveryError> {
        let channel = &reveal.schedule.channel;
        let post = SlackTs::new(reveal.message_id.to_string());
        let results = blocks::reveal(&reveal.results, PROMPT_REPEATED_MAX);
        let closed = self
            .app
            .update_message(
                channel,
                &post,
                post_message(reveal.schedule.time_zone, &reveal.closed),
            )
            .await;
        let sent = match closed {
            // The results go in the post's thread and to the channel
            // (`reply_broadcast`): they stay attached to the question they
            // answer, and members who never open threads see them too.
            Ok(()) => self.app.post_broadcast_reply(channel, &post, results).await,
            // Someone deleted the post: the results still go out, on their own.
            Err(err) if err.api_code() == Some("message_not_found") => {
                tracing::info!(post = reveal.closed.post, "the daily post was deleted");
                self.app.post_message(channel, results).await
            }
            Err(err) => Err(err),
        };
        sent.map(drop).map_err(delivery_error)
    }
}

/// Slack's error codes that mean the channel is gone or closed to the bot
/// (not a member of a private channel, archived, a scope or a workspace
/// policy missing), rather than trouble on the way.
fn is_refusal(code: &str) -> bool {
    matches!(
        code,
        "channel_not_found"
            | "not_in_channel"
            | "is_archived"
            | "missing_scope"
            | "no_permission"
            | "access_denied"
            | "ekm_access_denied"
            | "team_access_not_granted"
            | "messages_tab_disabled"
            | "cant_update_message"
    ) || code.starts_with("restricted_action")
}

/// The scheduler's view of a failed call: Slack's error code is what an
/// admin reads in `/quiz-admin daily show`.
pub(super) fn delivery_error(err: SlackError) -> DeliveryError {
    match err.api_code() {
        Some(code) if is_refusal(code) => DeliveryError::Refused(code.to_string()),
        Some(code) => DeliveryError::Failed(format!("Slack answered {code}")),
        None => DeliveryError::Failed(err.to_string()),
    }
}

/// The post, open or closed, with its reveal time in each reader's zone.
fn post_message(zone: Tz, post: &crate::view::DailyPostView) -> SlackMessageContent {
    blocks::daily_post(post, &slack_time(post.reveal_at, zone))
}

/// A moment every reader sees in their own time zone and clock format
/// ("today 5:00 PM"); clients that cannot render it show the schedule's
/// local time.
fn slack_time(at: DateTime<Utc>, zone: Tz) -> String {
    let fallback = at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z");
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{fallback}>",
        at.timestamp()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Bank, Difficulty, Question};
    use crate::config::Locale;
    use crate::content::Content;
    use crate::daily::{DailyPost, Tally, DEFAULT_REVEAL_AFTER};
    use crate::i18n::Texts;
    use crate::notes::Notes;
    use crate::quiz::at;
    use crate::view::{DailyPostView, RevealView};

    #[test]
    fn times_render_in_each_readers_zone_with_the_schedules_as_fallback() {
        let at = at("2026-03-02T08:00:00Z");
        assert_eq!(
            slack_time(at, chrono_tz::Asia::Seoul),
            format!(
                "<!date^{}^{{date_short_pretty}} {{time}}|2026-03-02 17:00 KST>",
                at.timestamp()
            )
        );
    }

    #[test]
    fn channel_and_permission_errors_are_refusals() {
        for code in [
            "channel_not_found",
            "not_in_channel",
            "is_archived",
            "missing_scope",
            "restricted_action_read_only_channel",
        ] {
            assert!(is_refusal(code), "{code}");
        }
        for code in ["ratelimited", "internal_error", "invalid_blocks"] {
            assert!(!is_refusal(code), "{code}");
        }
    }

    fn question(prompt: String, choices: Vec<String>, correct: Vec<usize>) -> Question {
        Question {
            id: "q".into(),
            topic: "ec2".into(),
            prompt,
            choices,
            correct,
            explanation: "e".into(),
            sources: Vec::new(),
            difficulty: Difficulty::Medium,
            domain: None,
            retired: false,
            path: "ec2.toml".into(),
            line: 1,
            id_position: crate::diagnostic::Position::START,
        }
    }

    fn content() -> Content {
        Content::new(
            Bank::default(),
            Notes::default(),
            "questions".into(),
            "notes".into(),
        )
    }

    fn post(question: &Question) -> DailyPost {
        let due = at("2026-03-02T00:00:00Z");
        DailyPost {
            id: 42,
            schedule_id: 1,
            local_date: due.date_naive(),
            question_id: question.id.clone(),
            due_at: due,
            reveal_at: due + DEFAULT_REVEAL_AFTER,
            message_id: None,
            posted_at: None,
            revealed_at: None,
        }
    }

    fn rendered(question: &Question, closed: bool) -> serde_json::Value {
        let texts = Texts::new(Locale::English);
        let view = DailyPostView::new(texts, &content(), &post(question), question, closed);
        let message = post_message(chrono_tz::Asia::Seoul, &view);
        serde_json::to_value(&message).unwrap()
    }

    fn action_ids(message: &serde_json::Value) -> Vec<String> {
        message["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["elements"].as_array().into_iter().flatten())
            .filter_map(|e| e["action_id"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn an_overlong_post_stays_within_block_kit_limits_and_closes_without_buttons() {
        let question = question(
            "<!channel> ".repeat(400),
            vec!["a".into(), "긴 답 ".repeat(30), "c".into()],
            vec![1],
        );

        let open = rendered(&question, false);

        assert_eq!(action_ids(&open), ["d:42:0", "d:42:1", "d:42:2"]);
        let blocks = open["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        let prompt = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(prompt.chars().count() <= blocks::SECTION_TEXT_MAX);
        assert!(!prompt.contains("<!channel>"), "escaped, never a mention");
        for block in blocks {
            for element in block["elements"].as_array().into_iter().flatten() {
                if let Some(text) = element["text"]["text"].as_str() {
                    assert!(text.chars().count() <= blocks::BUTTON_TEXT_MAX, "{text}");
                }
            }
        }
        let footer = blocks.last().unwrap()["elements"][0]["text"]
            .as_str()
            .unwrap();
        assert!(footer.contains("<!date^"), "{footer}");
        let fallback = open["text"].as_str().unwrap();
        assert!(fallback.chars().count() <= blocks::FALLBACK_TEXT_MAX);
        assert!(!fallback.contains("<!channel>"), "{fallback}");

        let closed = rendered(&question, true);

        assert!(action_ids(&closed).is_empty(), "no buttons once revealed");
        let text = closed.to_string();
        assert!(text.contains("*B)* 긴 답"), "the choices are listed");
        assert!(text.contains(Texts::new(Locale::English).daily_closed_footer()));
    }

    #[test]
    fn choose_two_posts_checkboxes_and_a_submit_button() {
        let question = question(
            "Which two?".into(),
            vec!["a".into(), "b".into(), "c".into(), "d".into()],
            vec![1, 3],
        );

        let open = rendered(&question, false);

        assert_eq!(action_ids(&open), ["d:42:pick", "d:42:submit"]);
        assert!(open.to_string().contains("choose 2"), "{open}");
    }

    #[test]
    fn the_results_count_each_choice_against_who_answered() {
        let question = question(
            "?".into(),
            vec!["a".into(), "b".into(), "c".into()],
            vec![1],
        );
        let tally = Tally {
            answered: 4,
            correct: 3,
            per_choice: vec![1, 3, 0],
        };
        let texts = Texts::new(Locale::English);
        let view = RevealView::new(texts, &post(&question), &question, &tally, &[], &[]);

        let results = serde_json::to_value(blocks::reveal(&view, PROMPT_REPEATED_MAX)).unwrap();

        let spread = results["blocks"][3]["text"]["text"].as_str().unwrap();
        assert!(spread.starts_with("*How the group answered*\n"), "{spread}");
        assert_eq!(spread.lines().count(), 4, "{spread}");
        assert!(spread.contains("1 person (25%)"), "{spread}");
        assert!(spread.contains("3 people (75%)"), "{spread}");
        assert_eq!(results["text"], format!("{}: B", view.title));
    }
}
