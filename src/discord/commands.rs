//! The slash commands: `/quiz`, `/leaderboard`, `/stats`, `/quiz-admin reload`.
//!
//! Each command reads its options, asks the game or the store, and sends one
//! reply drawn by [`super::render`]. Names and descriptions are registered
//! with Korean and English localizations ([`localize`]); the wording users
//! read follows the bot's locale.

use chrono::Utc;
use poise::serenity_prelude as serenity;

use super::{render, Caller, Command, Context, DiscordError};
use crate::game::{Game, GameError};
use crate::i18n::Texts;
use crate::notes::truncate_chars;
use crate::quiz::{self, Period};
use crate::store::{BoardQuery, Platform};

/// Every command, localized.
pub(super) fn all(texts: Texts) -> Vec<Command> {
    let mut commands = vec![quiz(), leaderboard(), stats(), quiz_admin()];
    for command in &mut commands {
        localize(command, texts, "");
    }
    commands
}

/// Start a quiz.
#[poise::command(slash_command, guild_only)]
async fn quiz(
    ctx: Context<'_>,
    #[autocomplete = "topic_choices"] topic: Option<String>,
    #[min = 1]
    #[max = 20]
    count: Option<u8>,
) -> Result<(), DiscordError> {
    let data = ctx.data();
    let caller = caller(ctx)?;
    let player = caller.player(data).await?;
    let content = data.bot.content.current();
    let game = Game::new(&content, &data.bot.store);
    let topic = topic.map(|t| resolve_topic(&content, &t));
    let count = count.map_or(quiz::DEFAULT_SESSION_QUESTIONS, usize::from);
    let session = game
        .start(
            &player,
            topic.as_deref(),
            count,
            Utc::now(),
            &mut fastrand::Rng::new(),
        )
        .await
        .map_err(|err| match err {
            // Nothing was answered yet: a plain "cannot reach the scores".
            GameError::Store(err) => DiscordError::Store(err),
            err => DiscordError::Game(err),
        })?;
    let question = game.question(&session, session.position)?;
    let card = render::card(data.texts, &content, &session, question);
    ctx.send(card.reply().ephemeral(true)).await?;
    Ok(())
}

/// Topics whose id or name contains what was typed so far.
async fn topic_choices(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let content = ctx.data().bot.content.current();
    let partial = partial.trim().to_lowercase();
    content
        .bank
        .topics
        .iter()
        .filter(|t| {
            t.id.to_lowercase().contains(&partial) || t.name.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|t| {
            let label = truncate_chars(&format!("{} ({})", t.name, t.id), render::CHOICE_NAME_MAX);
            serenity::AutocompleteChoice::new(label, t.id.clone())
        })
        .collect()
}

/// A topic typed by hand may be its name rather than its id.
fn resolve_topic(content: &crate::content::Content, typed: &str) -> String {
    let typed = typed.trim();
    content
        .bank
        .topics
        .iter()
        .find(|t| t.id.eq_ignore_ascii_case(typed) || t.name.eq_ignore_ascii_case(typed))
        .map_or_else(|| typed.to_string(), |t| t.id.clone())
}

/// Leaderboard periods, as offered to the user.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum PeriodChoice {
    #[name = "today"]
    Today,
    #[name = "week"]
    Week,
    #[name = "month"]
    Month,
    #[name = "all"]
    All,
}

impl From<PeriodChoice> for Period {
    fn from(choice: PeriodChoice) -> Period {
        match choice {
            PeriodChoice::Today => Period::Today,
            PeriodChoice::Week => Period::Week,
            PeriodChoice::Month => Period::Month,
            PeriodChoice::All => Period::AllTime,
        }
    }
}

/// Show the top 10.
#[poise::command(slash_command, guild_only)]
async fn leaderboard(
    ctx: Context<'_>,
    period: Option<PeriodChoice>,
    #[autocomplete = "topic_choices"] topic: Option<String>,
) -> Result<(), DiscordError> {
    let data = ctx.data();
    let caller = caller(ctx)?;
    let content = data.bot.content.current();
    let period = period.map_or(Period::Week, Period::from);
    let topic = topic.map(|t| resolve_topic(&content, &t));
    let store = &data.bot.store;
    let mut rows = Vec::new();
    let mut mine = None;
    if let Some(community) = store
        .find_community(Platform::Discord, &super::guild_external_id(caller.guild))
        .await?
    {
        let query = BoardQuery {
            community_id: community.id,
            period,
            topic: topic.as_deref(),
            today: quiz::local_day(Utc::now(), community.time_zone),
            time_zone: community.time_zone,
            limit: 10,
        };
        rows = store.leaderboard(&query).await?;
        if let Some(player) = store
            .find_player(&community, &super::user_external_id(caller.user))
            .await?
        {
            mine = store.rank_of(&query, player.id).await?;
        }
    }
    let board = render::leaderboard(
        data.texts,
        &content,
        period,
        topic.as_deref(),
        &rows,
        mine.as_ref(),
    );
    ctx.send(board.reply()).await?;
    Ok(())
}

/// Show answered questions, accuracy per topic and streaks.
#[poise::command(slash_command, guild_only)]
async fn stats(ctx: Context<'_>, user: Option<serenity::User>) -> Result<(), DiscordError> {
    let data = ctx.data();
    let caller = caller(ctx)?;
    let who = user.as_ref().map_or(caller.user, |u| u.id);
    let content = data.bot.content.current();
    let store = &data.bot.store;
    let mut found = None;
    if let Some(community) = store
        .find_community(Platform::Discord, &super::guild_external_id(caller.guild))
        .await?
    {
        if let Some(player) = store
            .find_player(&community, &super::user_external_id(who))
            .await?
        {
            let today = quiz::local_day(Utc::now(), community.time_zone);
            found = Some(store.stats(&player, today).await?);
        }
    }
    let name = user
        .as_ref()
        .map_or(caller.name.as_str(), |u| u.display_name());
    let card = render::stats(data.texts, &content, name, found.as_ref());
    ctx.send(card.reply().ephemeral(true)).await?;
    Ok(())
}

/// Quiz administration.
#[poise::command(
    slash_command,
    guild_only,
    rename = "quiz-admin",
    subcommands("reload"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD"
)]
async fn quiz_admin(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// Re-read the question banks and notes.
#[poise::command(slash_command, guild_only)]
async fn reload(ctx: Context<'_>) -> Result<(), DiscordError> {
    let data = ctx.data();
    // Discord hides the command from members without Manage Server, but a
    // stale client or a changed override may still send it: check the
    // permissions Discord resolved for this member in this channel.
    if !is_admin(ctx) {
        let refusal = render::notice(data.texts.admin_only());
        ctx.send(refusal.ephemeral(true)).await?;
        return Ok(());
    }
    ctx.defer_ephemeral().await?;
    let content = data.bot.content.clone();
    let reloaded = tokio::task::spawn_blocking(move || content.reload())
        .await
        .map_err(|err| DiscordError::Reload(err.to_string()))?;
    let reply = match reloaded {
        Ok(report) => {
            tracing::info!("content reloaded: {}", report.summary());
            render::notice(&data.texts.reloaded(
                report.topics,
                report.questions,
                report.sections,
                report.warnings(),
            ))
        }
        Err(err) => {
            tracing::warn!("content reload refused: {err}");
            render::reload_failed(data.texts, &err)
        }
    };
    ctx.send(reply.ephemeral(true)).await?;
    Ok(())
}

fn is_admin(ctx: Context<'_>) -> bool {
    let poise::Context::Application(ctx) = ctx else {
        return false;
    };
    ctx.interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator())
}

fn caller(ctx: Context<'_>) -> Result<Caller, DiscordError> {
    let member = match ctx {
        poise::Context::Application(actx) => actx.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    Caller::new(ctx.guild_id(), member, ctx.author())
}

/// Korean name, Korean description, English description of each command and
/// option, by path ("quiz", "quiz topic"). English names are the defaults.
const LOCALIZATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "quiz",
        "퀴즈",
        "퀴즈를 풉니다 (나에게만 보이는 문제 카드)",
        "Start a quiz (a question card only you see)",
    ),
    (
        "quiz topic",
        "주제",
        "문제 주제 (비우면 모든 주제)",
        "Question topic (all topics when empty)",
    ),
    (
        "quiz count",
        "문제수",
        "문제 수 (1–20, 기본 5)",
        "Number of questions (1–20, default 5)",
    ),
    (
        "leaderboard",
        "순위표",
        "이 서버의 상위 10명과 내 순위",
        "This server's top 10 and your rank",
    ),
    (
        "leaderboard period",
        "기간",
        "기간 (기본: 이번 주)",
        "Period (default: this week)",
    ),
    (
        "leaderboard topic",
        "주제",
        "이 주제의 점수만",
        "Only this topic's points",
    ),
    (
        "stats",
        "기록",
        "응답 수, 주제별 정확도, 연속 학습일",
        "Answers, accuracy per topic, streaks",
    ),
    (
        "stats user",
        "사용자",
        "볼 사람 (기본: 나)",
        "Whose record (default: yours)",
    ),
    (
        "quiz-admin",
        "퀴즈관리",
        "퀴즈 관리 (서버 관리 권한 필요)",
        "Quiz administration (Manage Server)",
    ),
    (
        "quiz-admin reload",
        "다시불러오기",
        "문제 은행과 노트를 다시 읽습니다",
        "Re-read the question banks and notes",
    ),
];

const ENGLISH: [&str; 2] = ["en-US", "en-GB"];

/// Fills names and descriptions in both languages; the default description
/// is the bot's locale.
fn localize(command: &mut Command, texts: Texts, parent: &str) {
    let path = if parent.is_empty() {
        command.name.clone()
    } else {
        format!("{parent} {}", command.name)
    };
    if let Some((ko_name, ko, en)) = wording(&path) {
        command.description = Some(texts.pick(ko, en).to_string());
        set_localizations(
            &mut command.name_localizations,
            &mut command.description_localizations,
            &command.name,
            ko_name,
            ko,
            en,
        );
    }
    for parameter in &mut command.parameters {
        let option_path = format!("{path} {}", parameter.name);
        if let Some((ko_name, ko, en)) = wording(&option_path) {
            parameter.description = Some(texts.pick(ko, en).to_string());
            set_localizations(
                &mut parameter.name_localizations,
                &mut parameter.description_localizations,
                &parameter.name,
                ko_name,
                ko,
                en,
            );
        }
        if parameter.name == "period" {
            for (choice, period) in parameter.choices.iter_mut().zip(Period::ALL) {
                let korean = Texts::new(crate::config::Locale::Korean).period(period);
                let english = Texts::new(crate::config::Locale::English).period(period);
                choice.name = texts.period(period).to_string();
                choice.localizations.insert("ko".into(), korean.into());
                for locale in ENGLISH {
                    choice.localizations.insert(locale.into(), english.into());
                }
            }
        }
    }
    for subcommand in &mut command.subcommands {
        localize(subcommand, texts, &path);
    }
}

fn wording(path: &str) -> Option<(&'static str, &'static str, &'static str)> {
    LOCALIZATIONS
        .iter()
        .find(|(p, ..)| *p == path)
        .map(|(_, name, ko, en)| (*name, *ko, *en))
}

fn set_localizations(
    names: &mut std::collections::HashMap<String, String>,
    descriptions: &mut std::collections::HashMap<String, String>,
    english_name: &str,
    ko_name: &str,
    ko: &str,
    en: &str,
) {
    names.insert("ko".into(), ko_name.into());
    descriptions.insert("ko".into(), ko.into());
    for locale in ENGLISH {
        names.insert(locale.into(), english_name.into());
        descriptions.insert(locale.into(), en.into());
    }
}

impl Texts {
    pub fn not_ranked(&self) -> &'static str {
        self.pick(
            "이 기간에는 아직 내 점수가 없습니다.",
            "You have no points in this period yet.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Locale;

    #[test]
    fn every_command_and_option_has_both_languages() {
        for command in all(Texts::new(Locale::Korean)) {
            let mut stack = vec![command];
            while let Some(command) = stack.pop() {
                assert!(
                    command.name_localizations.contains_key("ko"),
                    "{}",
                    command.name
                );
                assert!(
                    command.description_localizations.contains_key("en-US"),
                    "{}",
                    command.name
                );
                for parameter in &command.parameters {
                    assert!(
                        parameter.description_localizations.contains_key("ko"),
                        "{}",
                        parameter.name
                    );
                }
                stack.extend(command.subcommands);
            }
        }
    }
}
