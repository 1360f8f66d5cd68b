//! The slash commands: `/quiz`, `/leaderboard`, `/stats`, `/quiz-admin reload`.
//!
//! Each command reads its options, asks the game or the store, and sends one
//! reply drawn by [`super::render`]. Names and descriptions are registered
//! with Korean and English localizations ([`localize`]); the wording users
//! read follows the bot's locale.

use chrono::Utc;
use poise::serenity_prelude as serenity;

use super::{render, Caller, Command, Context, DiscordError};
use crate::daily;
use crate::game::{Game, GameError};
use crate::i18n::Texts;
use crate::identity::Platform;
use crate::notes::truncate_chars;
use crate::quiz::{self, Period};
use crate::store::BoardQuery;

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
    subcommands("reload", "daily"),
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

/// The daily question of this server's channels.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("daily_set", "daily_off", "daily_show"),
    subcommand_required
)]
async fn daily(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// Post a question every day at a set time.
#[poise::command(slash_command, guild_only, rename = "set")]
async fn daily_set(
    ctx: Context<'_>,
    time: String,
    channel: Option<serenity::ChannelId>,
    timezone: Option<String>,
    topics: Option<String>,
    reveal_after: Option<String>,
) -> Result<(), DiscordError> {
    let data = ctx.data();
    if !is_admin(ctx) {
        ctx.send(render::notice(data.texts.admin_only()).ephemeral(true))
            .await?;
        return Ok(());
    }
    let caller = caller(ctx)?;
    let channel = channel.unwrap_or_else(|| ctx.channel_id());
    let content = data.bot.content.current();
    let settings = daily::DailySettings {
        time: &time,
        // Unset, the zone new communities get (QUIZBOT_TIMEZONE).
        time_zone: Some(timezone.as_deref().unwrap_or(data.bot.time_zone.name())),
        topics: topics.as_deref(),
        reveal_after: reveal_after.as_deref(),
    };
    let reply = match settings.schedule(
        Platform::Discord,
        super::guild_external_id(caller.guild),
        channel.get().to_string(),
        &content.bank,
    ) {
        Ok(schedule) => {
            let now = Utc::now();
            let schedule = data.bot.store.set_schedule(&schedule, now).await?;
            data.texts
                .schedule_saved(&schedule, &format!("<#{channel}>"), now)
        }
        Err(err) => data.texts.schedule_refused(&err.to_string()),
    };
    ctx.send(render::notice(&reply).ephemeral(true)).await?;
    Ok(())
}

/// Stop the daily question (in one channel, or everywhere in this server).
#[poise::command(slash_command, guild_only, rename = "off")]
async fn daily_off(
    ctx: Context<'_>,
    channel: Option<serenity::ChannelId>,
) -> Result<(), DiscordError> {
    let data = ctx.data();
    if !is_admin(ctx) {
        ctx.send(render::notice(data.texts.admin_only()).ephemeral(true))
            .await?;
        return Ok(());
    }
    let caller = caller(ctx)?;
    let channel = channel.map(|c| c.get().to_string());
    let count = data
        .bot
        .store
        .disable_schedules(
            Platform::Discord,
            &super::guild_external_id(caller.guild),
            channel.as_deref(),
            Utc::now(),
        )
        .await?;
    let reply = data.texts.schedules_off(count);
    ctx.send(render::notice(&reply).ephemeral(true)).await?;
    Ok(())
}

/// Show this server's daily questions and any delivery trouble.
#[poise::command(slash_command, guild_only, rename = "show")]
async fn daily_show(ctx: Context<'_>) -> Result<(), DiscordError> {
    let data = ctx.data();
    if !is_admin(ctx) {
        ctx.send(render::notice(data.texts.admin_only()).ephemeral(true))
            .await?;
        return Ok(());
    }
    let caller = caller(ctx)?;
    let schedules = data
        .bot
        .store
        .schedules(
            Some(Platform::Discord),
            Some(&super::guild_external_id(caller.guild)),
        )
        .await?;
    let now = Utc::now();
    let reply = if schedules.is_empty() {
        data.texts.no_schedules().to_string()
    } else {
        schedules
            .iter()
            .map(|s| {
                data.texts
                    .schedule_line(s, &format!("<#{}>", s.channel), now)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    ctx.send(render::notice(&reply).ephemeral(true)).await?;
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
        "quiz-admin daily",
        "오늘의문제",
        "매일 정해진 시간에 채널에 올리는 문제",
        "A question posted to a channel every day",
    ),
    (
        "quiz-admin daily set",
        "설정",
        "매일 올릴 시간·채널·주제를 정합니다",
        "Set the time, channel and topics of the daily question",
    ),
    (
        "quiz-admin daily set time",
        "시간",
        "올릴 시각 HH:MM (예: 09:00)",
        "Local time HH:MM (e.g. 09:00)",
    ),
    (
        "quiz-admin daily set channel",
        "채널",
        "올릴 채널 (기본: 이 채널)",
        "Channel to post in (default: this one)",
    ),
    (
        "quiz-admin daily set timezone",
        "시간대",
        "IANA 시간대 (기본: Asia/Seoul)",
        "IANA time zone (default: Asia/Seoul)",
    ),
    (
        "quiz-admin daily set topics",
        "주제",
        "쉼표로 구분한 주제 (비우면 모든 주제)",
        "Topics, comma separated (all when empty)",
    ),
    (
        "quiz-admin daily set reveal_after",
        "공개까지",
        "정답 공개까지 시간 (예: 8h, 90m; 기본 8h)",
        "Delay before the answer is revealed (e.g. 8h, 90m; default 8h)",
    ),
    (
        "quiz-admin daily off",
        "끄기",
        "오늘의 문제를 끕니다",
        "Turn the daily question off",
    ),
    (
        "quiz-admin daily off channel",
        "채널",
        "이 채널만 (비우면 서버 전체)",
        "Only this channel (all when empty)",
    ),
    (
        "quiz-admin daily show",
        "보기",
        "설정과 전송 상태를 봅니다",
        "Show the settings and delivery state",
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
