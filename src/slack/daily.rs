//! The daily question on Slack: the public post (`chat.postMessage`) with
//! its buttons, the private feedback to each member's answer (an ephemeral
//! message through the click's `response_url`), and the reveal: the post
//! edited with `chat.update` (buttons gone, marked closed) and the results
//! posted under it.
//!
//! [`SlackChannels`] is the scheduler's way into the Web API;
//! [`SlackApp::answer_daily`] handles a click on a post.
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

use super::actions::{ActionId, Click};
use super::blocks::{self, AnswerActions, Verdict};
use super::{SlackApp, SlackError};
use crate::bank::Question;
use crate::daily::scheduler::{DailyChannel, Delivery, DeliveryError, Reveal};
use crate::daily::Tally;
use crate::game::{DailyOutcome, Game, GameError};
use crate::i18n::{percent, Texts};
use crate::identity::{ExternalId, Platform};
use crate::notes::truncate_chars;
use crate::quiz::AnswerError;
use crate::store::Recorded;

/// How much of the prompt the results and the feedback repeat: the post
/// above them has it in full.
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
        let message = post_message(self.app.bot.texts(), delivery, false);
        let ts = self
            .app
            .post_message(&delivery.schedule.channel, message)
            .await
            .map_err(delivery_error)?;
        Ok(ts.value().clone())
    }

    async fn reveal(&self, reveal: &Reveal<'_>) -> Result<(), DeliveryError> {
        let texts = self.app.bot.texts();
        let channel = &reveal.schedule.channel;
        let post = SlackTs::new(reveal.message_id.to_string());
        let closed = Delivery {
            schedule: reveal.schedule,
            post: reveal.post,
            question: reveal.question,
            content: reveal.content,
        };
        let results = results_message(texts, reveal);
        let closed = self
            .app
            .update_message(channel, &post, post_message(texts, &closed, true))
            .await;
        let sent = match closed {
            // The results go in the post's thread and to the channel
            // (`reply_broadcast`): they stay attached to the question they
            // answer, and members who never open threads see them too.
            Ok(()) => self.app.post_broadcast_reply(channel, &post, results).await,
            // Someone deleted the post: the results still go out, on their own.
            Err(err) if err.api_code() == Some("message_not_found") => {
                tracing::info!(post = reveal.post.id, "the daily post was deleted");
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
fn delivery_error(err: SlackError) -> DeliveryError {
    match err.api_code() {
        Some(code) if is_refusal(code) => DeliveryError::Refused(code.to_string()),
        Some(code) => DeliveryError::Failed(format!("Slack answered {code}")),
        None => DeliveryError::Failed(err.to_string()),
    }
}

/// The post: the question with its buttons, or, once revealed, with its
/// choices listed (Slack has no greyed-out buttons) and marked closed.
fn post_message(texts: Texts, delivery: &Delivery<'_>, closed: bool) -> SlackMessageContent {
    let question = delivery.question;
    let title = format!(
        "📅 {} · {} · {}",
        texts.daily_title(),
        blocks::topic_name(delivery.content, &question.topic),
        texts.difficulty(question.difficulty)
    );
    let mut prompt = blocks::escape(&question.prompt);
    if question.is_multi() {
        prompt.push_str(&format!("\n_({})_", texts.choose_n(question.picks())));
    }
    let mut parts = vec![blocks::header(&title), blocks::section(&prompt)];
    if closed {
        parts.push(blocks::choice_list(question));
    } else {
        let post = delivery.post.id;
        let actions = AnswerActions {
            choice: &|choice| ActionId::DailyChoice { post, choice },
            pick: ActionId::DailyPick { post },
            submit: ActionId::DailySubmit { post },
        };
        parts.extend(blocks::answer_blocks(texts, question, &actions, None));
    }
    let footer = if closed {
        texts.daily_closed_footer().to_string()
    } else {
        texts.daily_footer()
    };
    parts.push(blocks::context(&format!(
        "{}: {} · {}",
        blocks::escape(texts.reveal_time_label()),
        slack_time(delivery.post.reveal_at, delivery.schedule.time_zone),
        blocks::escape(&footer)
    )));
    // The notification text of a public message is parsed for mentions
    // too: escaped, so a prompt cannot ping the channel.
    let fallback = blocks::escape(&format!("{title}\n{}", question.prompt));
    blocks::message(&blocks::fit(&fallback, blocks::FALLBACK_TEXT_MAX), parts)
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

/// The results: right answer, how many chose what, explanation, notes,
/// streaks, turnout.
fn results_message(texts: Texts, reveal: &Reveal<'_>) -> SlackMessageContent {
    let question = reveal.question;
    let title = format!("📢 {}", texts.reveal_title());
    let mut parts = vec![
        blocks::header(&title),
        blocks::section(&blocks::escape(&truncate_chars(
            &question.prompt,
            PROMPT_REPEATED_MAX,
        ))),
        blocks::section(&blocks::right_answers(texts, question)),
        blocks::section(&answer_spread(texts, question, &reveal.tally)),
        blocks::section(&format!(
            "*{}:* {}",
            texts.explanation(),
            blocks::escape(&question.explanation)
        )),
    ];
    if let Some(excerpt) = &reveal.excerpt {
        parts.push(blocks::section(&blocks::excerpt_text(texts, excerpt)));
    }
    if !reveal.streaks.is_empty() {
        parts.push(blocks::section(&streaks(texts, &reveal.streaks)));
    }
    parts.push(blocks::context(&blocks::escape(
        &texts.turnout(reveal.tally.answered, reveal.tally.correct),
    )));
    let fallback = format!("{title}: {}", Question::letters(&question.correct));
    blocks::message(&fallback, parts)
}

/// "*B* · 3 people (60%) ✅", a line per choice, under its title.
fn answer_spread(texts: Texts, question: &Question, tally: &Tally) -> String {
    let mut lines = vec![format!("*{}*", texts.answer_spread())];
    for choice in 0..question.choices.len() {
        let count = tally.per_choice.get(choice).copied().unwrap_or(0);
        let mark = if question.correct.contains(&choice) {
            " ✅"
        } else {
            ""
        };
        lines.push(format!(
            "*{}* · {} ({}%){mark}",
            Question::letter(choice),
            texts.people(count),
            percent(count as i64, tally.answered as i64)
        ));
    }
    lines.join("\n")
}

/// The longest current streaks; names are text, never mentions.
fn streaks(texts: Texts, streaks: &[(String, u32)]) -> String {
    let mut lines = vec![format!("*{}*", texts.streaks_title())];
    lines.extend(
        streaks
            .iter()
            .map(|(name, days)| blocks::escape(&texts.streak_line(name, *days))),
    );
    lines.join("\n")
}

impl SlackApp {
    /// A member's answer to a daily post: recorded once, answered with a
    /// new ephemeral message (the public post stays as it is).
    pub(super) async fn answer_daily(
        &self,
        click: &Click<'_>,
        post: i64,
        chosen: &[usize],
    ) -> Result<(), SlackError> {
        let texts = self.bot.texts();
        let content = self.bot.content.current();
        let (_, player) = self.player(click.team, click.user).await?;
        let game = Game::new(&content, &self.bot.store);
        let answered = game
            .answer_daily(
                &player,
                Platform::Slack,
                &ExternalId::new(click.team),
                post,
                chosen,
                click.interaction_id.clone(),
                Utc::now(),
            )
            .await;
        let reply = match answered {
            Ok(outcome) => feedback(texts, &outcome),
            Err(GameError::BadAnswer(AnswerError::WrongCount { expected, .. })) => {
                blocks::notice(&texts.choose_n(expected))
            }
            Err(err) => return Err(err.into()),
        };
        self.respond(click.response_url, reply, false).await
    }
}

/// Private feedback: the verdict, the right answer, the explanation, the
/// notes, points and streak; for a second answer, the first one, which
/// stands.
fn feedback(texts: Texts, outcome: &DailyOutcome<'_>) -> SlackMessageContent {
    let question = outcome.question;
    let verdict = match &outcome.recorded {
        Recorded::New { points, streak } => Verdict {
            question,
            correct: outcome.grade.correct,
            chosen: &outcome.grade.chosen,
            first: None,
            excerpt: outcome.excerpt.as_ref(),
            score: Some(texts.daily_points(*points, streak.current)),
        },
        Recorded::Duplicate {
            choices, correct, ..
        } => Verdict {
            question,
            correct: *correct,
            chosen: choices,
            first: Some(choices),
            excerpt: outcome.excerpt.as_ref(),
            score: None,
        },
    };
    let heading = format!(
        "*📅 {}*\n{}",
        texts.daily_title(),
        blocks::escape(&truncate_chars(&question.prompt, PROMPT_REPEATED_MAX))
    );
    let mut parts = vec![blocks::section(&heading)];
    parts.extend(blocks::verdict_blocks(texts, &verdict));
    let fallback = if verdict.correct {
        texts.correct()
    } else {
        texts.wrong()
    };
    blocks::message(fallback, parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Bank, Difficulty};
    use crate::config::Locale;
    use crate::content::Content;
    use crate::daily::{DailyPost, Schedule, DEFAULT_REVEAL_AFTER};
    use crate::notes::Notes;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

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
        }
    }

    fn rendered(question: &Question, closed: bool) -> serde_json::Value {
        let content = Content {
            bank: Bank::default(),
            notes: Notes::default(),
            questions_dir: "questions".into(),
            notes_dir: "notes".into(),
        };
        let due = at("2026-03-02T00:00:00Z");
        let schedule = Schedule {
            id: 1,
            platform: Platform::Slack,
            community: ExternalId::new("T1"),
            channel: "C0123ABCD".into(),
            time: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            time_zone: chrono_tz::Asia::Seoul,
            topics: Vec::new(),
            reveal_after: DEFAULT_REVEAL_AFTER,
            enabled: true,
            failure: None,
        };
        let post = DailyPost {
            id: 42,
            schedule_id: 1,
            local_date: due.date_naive(),
            question_id: question.id.clone(),
            due_at: due,
            reveal_at: due + DEFAULT_REVEAL_AFTER,
            message_id: None,
            posted_at: None,
            revealed_at: None,
        };
        let delivery = Delivery {
            schedule: &schedule,
            post: &post,
            question,
            content: &content,
        };
        let message = post_message(Texts::new(Locale::English), &delivery, closed);
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
    fn the_spread_counts_each_choice_against_who_answered() {
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

        let spread = answer_spread(Texts::new(Locale::English), &question, &tally);

        assert_eq!(
            spread,
            "*How the group answered*\n*A* · 1 person (25%)\n*B* · 3 people (75%) ✅\n*C* · 0 people (0%)"
        );
    }
}
