//! The slash commands: `/quiz`, `/leaderboard`, `/stats`, `/quiz-admin`.
//!
//! Each command reads its options, asks the service, and sends the view it
//! returns, drawn by [`super::render`]. Names and descriptions are
//! registered with Korean and English localizations ([`localize`]); the
//! wording users read follows the bot's locale.

use std::future::Future;

use poise::serenity_prelude as serenity;

use super::interaction::{caller, reply_in_time, topic_choices, Localization, Privacy};
use super::{render, Command, Context, DiscordError};
use crate::chart;
use crate::i18n::Texts;
use crate::quiz::Period;
use crate::service::{DailyRequest, QuizMode, ServiceError, SessionStart};
use crate::view::AdminReply;

/// Every command, localized.
pub(super) fn all(texts: Texts) -> Vec<Command> {
    let mut commands = vec![
        quiz(),
        leaderboard(),
        stats(),
        quiz_admin(),
        super::live::quiz_live(),
    ];
    for command in &mut commands {
        localize(command, texts, "");
    }
    commands
}

/// The `mode` option of `/quiz`: what it starts besides an ordinary quiz
/// (the service's [`QuizMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
enum ModeChoice {
    /// The member's due cards (spaced review).
    #[name = "review"]
    Review,
    /// The member's weakest topics.
    #[name = "weak"]
    Weak,
    /// A timed mock exam at the blueprint's weights.
    #[name = "mock"]
    Mock,
}

impl ModeChoice {
    const ALL: [ModeChoice; 3] = [ModeChoice::Review, ModeChoice::Weak, ModeChoice::Mock];

    /// The choice's name in Korean and in English.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            ModeChoice::Review => ("복습", "review"),
            ModeChoice::Weak => ("약점", "weak spots"),
            ModeChoice::Mock => ("모의고사", "mock exam"),
        }
    }
}

impl From<ModeChoice> for QuizMode {
    fn from(choice: ModeChoice) -> QuizMode {
        match choice {
            ModeChoice::Review => QuizMode::Review,
            ModeChoice::Weak => QuizMode::Weak,
            ModeChoice::Mock => QuizMode::Mock,
        }
    }
}

/// Start a quiz; or review your due cards, practise your weakest topics,
/// or take a mock exam.
#[poise::command(slash_command, guild_only)]
async fn quiz(
    ctx: Context<'_>,
    #[autocomplete = "topic_choices"] topic: Option<String>,
    // 1–20 for a quiz (the service says so beyond), 4–65 for a mock exam.
    #[min = 1]
    #[max = 65]
    count: Option<u8>,
    mode: Option<ModeChoice>,
) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let service = &ctx.data().service;
    let count = count.map(usize::from);
    let mode = mode.map_or(QuizMode::Quiz, QuizMode::from);
    reply_in_time(ctx, Privacy::Private, async {
        let view = match service
            .start(&caller, mode, topic.as_deref(), count)
            .await?
        {
            SessionStart::Card(card) => render::card(&card),
            SessionStart::Review(start) => render::review_start(&start),
            SessionStart::Mock(step) => render::mock_step(&step),
        };
        Ok(view.reply())
    })
    .await
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

/// What `/leaderboard` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
enum BoardView {
    /// Points over a period.
    #[name = "points"]
    Points,
    /// Each member's predicted exam score.
    #[name = "readiness"]
    Readiness,
}

impl BoardView {
    const ALL: [BoardView; 2] = [BoardView::Points, BoardView::Readiness];

    fn names(self) -> (&'static str, &'static str) {
        match self {
            BoardView::Points => ("점수", "points"),
            BoardView::Readiness => ("시험 준비도", "readiness"),
        }
    }
}

/// Show the top 10, or the group's exam readiness.
#[poise::command(slash_command, guild_only)]
async fn leaderboard(
    ctx: Context<'_>,
    period: Option<PeriodChoice>,
    #[autocomplete = "topic_choices"] topic: Option<String>,
    view: Option<BoardView>,
) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let period = period.map_or(Period::Week, Period::from);
    if view == Some(BoardView::Readiness) {
        return reply_in_time(ctx, Privacy::Public, async {
            let board = ctx.data().service.readiness_board(&caller.identity).await?;
            Ok(render::readiness_board(&board).reply())
        })
        .await;
    }
    reply_in_time(ctx, Privacy::Public, async {
        let board = ctx
            .data()
            .service
            .leaderboard(&caller.identity, period, topic.as_deref())
            .await?;
        Ok(render::board(&board).reply())
    })
    .await
}

/// Show answered questions, accuracy per topic and streaks.
#[poise::command(slash_command, guild_only)]
async fn stats(ctx: Context<'_>, user: Option<serenity::User>) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let (whose, name) = match &user {
        Some(user) => {
            let guild = ctx.guild_id().ok_or(DiscordError::NotInServer)?;
            (
                super::identity(guild, user.id),
                user.display_name().to_string(),
            )
        }
        None => (caller.identity.clone(), caller.name.clone()),
    };
    reply_in_time(ctx, Privacy::Private, async {
        let card = ctx.data().service.stats(&whose, &name).await?;
        let png = match card.chart.clone() {
            Some(chart) => chart::picture(chart).await,
            None => None,
        };
        let mut reply = render::stats(&card, png.is_some()).reply();
        if let Some(png) = png {
            reply = reply.attachment(serenity::CreateAttachment::bytes(png, chart::FILE_NAME));
        }
        Ok(reply)
    })
    .await
}

/// Quiz administration.
#[poise::command(
    slash_command,
    guild_only,
    rename = "quiz-admin",
    subcommands(
        "reload",
        "daily",
        "exam",
        "retention",
        "reports",
        "timezone",
        "language",
        "settings"
    ),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD"
)]
async fn quiz_admin(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// Re-read the question banks and notes.
#[poise::command(slash_command, guild_only)]
async fn reload(ctx: Context<'_>) -> Result<(), DiscordError> {
    // Discord hides the command from members without Manage Server, but a
    // stale client or a changed override may still send it: the service
    // checks the permissions Discord resolved for this member.
    let caller = caller(ctx)?;
    reply_in_time(ctx, Privacy::Private, async {
        let report = ctx.data().service.reload(&caller).await?;
        Ok(render::reload(&report))
    })
    .await
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
    let caller = caller(ctx)?;
    let channel = channel.unwrap_or_else(|| ctx.channel_id());
    let request = DailyRequest {
        time: &time,
        time_zone: timezone.as_deref(),
        topics: topics.as_deref(),
        reveal_after: reveal_after.as_deref(),
    };
    admin_reply(ctx, async {
        ctx.data()
            .service
            .set_daily(&caller, channel.get().to_string(), &request)
            .await
    })
    .await
}

/// Stop the daily question (in one channel, or everywhere in this server).
#[poise::command(slash_command, guild_only, rename = "off")]
async fn daily_off(
    ctx: Context<'_>,
    channel: Option<serenity::ChannelId>,
) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let channel = channel.map(|c| c.get().to_string());
    admin_reply(ctx, async {
        ctx.data()
            .service
            .daily_off(&caller, channel.as_deref())
            .await
    })
    .await
}

/// Show this server's daily questions and any delivery trouble.
#[poise::command(slash_command, guild_only, rename = "show")]
async fn daily_show(ctx: Context<'_>) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    admin_reply(ctx, ctx.data().service.daily_show(&caller)).await
}

/// The exam this server studies for.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("exam_set", "exam_off", "exam_show"),
    subcommand_required
)]
async fn exam(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// Set the exam date (YYYY-MM-DD).
#[poise::command(slash_command, guild_only, rename = "set")]
async fn exam_set(ctx: Context<'_>, date: String) -> Result<(), DiscordError> {
    exam_reply(ctx, Some(&date)).await
}

/// Clear the exam date.
#[poise::command(slash_command, guild_only, rename = "off")]
async fn exam_off(ctx: Context<'_>) -> Result<(), DiscordError> {
    exam_reply(ctx, Some("off")).await
}

/// Show the exam date.
#[poise::command(slash_command, guild_only, rename = "show")]
async fn exam_show(ctx: Context<'_>) -> Result<(), DiscordError> {
    exam_reply(ctx, None).await
}

async fn exam_reply(ctx: Context<'_>, typed: Option<&str>) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    admin_reply(ctx, ctx.data().service.exam(&caller, typed)).await
}

/// Set how well members should still know a card when it comes back.
#[poise::command(slash_command, guild_only)]
async fn retention(ctx: Context<'_>, value: String) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    admin_reply(ctx, ctx.data().service.set_retention(&caller, &value)).await
}

/// Set this server's time zone (days, weeks, months and streaks follow it).
#[poise::command(slash_command, guild_only)]
async fn timezone(
    ctx: Context<'_>,
    #[autocomplete = "zone_choices"] zone: String,
) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    admin_reply(ctx, ctx.data().service.set_time_zone(&caller, &zone)).await
}

/// IANA zones whose name contains what was typed so far.
async fn zone_choices(_ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let partial = partial.trim().to_lowercase();
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| zone.name())
        .filter(|name| name.to_lowercase().contains(&partial))
        .take(25)
        .map(|name| serenity::AutocompleteChoice::new(name, name))
        .collect()
}

/// The languages the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
enum LanguageChoice {
    #[name = "ko"]
    Korean,
    #[name = "en"]
    English,
}

/// Set the language of this server's messages.
#[poise::command(slash_command, guild_only)]
async fn language(ctx: Context<'_>, language: LanguageChoice) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let code = match language {
        LanguageChoice::Korean => "ko",
        LanguageChoice::English => "en",
    };
    admin_reply(ctx, ctx.data().service.set_language(&caller, code)).await
}

/// Show this server's settings.
#[poise::command(slash_command, guild_only)]
async fn settings(ctx: Context<'_>) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    admin_reply(ctx, ctx.data().service.community_settings(&caller)).await
}

/// Members' reports of bad questions.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("reports_show", "reports_resolve"),
    subcommand_required
)]
async fn reports(_ctx: Context<'_>) -> Result<(), DiscordError> {
    Ok(())
}

/// List the reports by question, the most reported first.
#[poise::command(slash_command, guild_only, rename = "show")]
async fn reports_show(ctx: Context<'_>, all: Option<bool>) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let all = all.unwrap_or(false);
    admin_reply(ctx, ctx.data().service.reports(&caller, all)).await
}

/// Mark a question's open reports resolved.
#[poise::command(slash_command, guild_only, rename = "resolve")]
async fn reports_resolve(
    ctx: Context<'_>,
    question: String,
    note: Option<String>,
) -> Result<(), DiscordError> {
    let caller = caller(ctx)?;
    let note = note.as_deref().unwrap_or("");
    admin_reply(
        ctx,
        ctx.data().service.resolve_report(&caller, &question, note),
    )
    .await
}

/// An admin command's private reply, in time ([`reply_in_time`]).
async fn admin_reply(
    ctx: Context<'_>,
    work: impl Future<Output = Result<AdminReply, ServiceError>> + Send,
) -> Result<(), DiscordError> {
    reply_in_time(ctx, Privacy::Private, async {
        Ok(render::admin(&work.await?))
    })
    .await
}

/// Every command's and option's wording, by path.
const LOCALIZATIONS: &[Localization] = &[
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
        "문제 수 (1–20, 기본 5; 모의고사는 4–65, 기본 65)",
        "Number of questions (1–20, default 5; a mock exam 4–65, default 65)",
    ),
    (
        "quiz mode",
        "방식",
        "복습: 복습할 때가 된 문제 (점수 없음) · 약점: 가장 약한 주제 · 모의고사: 시험처럼 시간 제한",
        "review: your due cards (no points) · weak: your weakest topics · mock: a timed exam",
    ),
    (
        "leaderboard",
        "순위표",
        "이 서버의 상위 10명과 내 순위, 또는 시험 준비도",
        "This server's top 10 and your rank, or its exam readiness",
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
        "leaderboard view",
        "보기",
        "점수 (기본) 또는 시험 준비도: 각자의 예상 점수",
        "points (default) or readiness: everyone's predicted exam score",
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
        "IANA 시간대 (기본: 서버의 시간대)",
        "IANA time zone (default: the server's)",
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
        "quiz-admin exam",
        "시험",
        "이 서버가 준비하는 시험 날짜",
        "The date of the exam this server studies for",
    ),
    (
        "quiz-admin exam set",
        "설정",
        "시험 날짜를 정합니다 (마지막 7일은 복습이 미리 당겨집니다)",
        "Set the exam date (review looks ahead in its last 7 days)",
    ),
    (
        "quiz-admin exam set date",
        "날짜",
        "시험 날짜 YYYY-MM-DD (예: 2027-03-15)",
        "Exam date YYYY-MM-DD (e.g. 2027-03-15)",
    ),
    (
        "quiz-admin exam off",
        "끄기",
        "시험 날짜를 지웁니다",
        "Clear the exam date",
    ),
    (
        "quiz-admin exam show",
        "보기",
        "시험 날짜와 남은 날을 봅니다",
        "Show the exam date and the days left",
    ),
    (
        "quiz-admin retention",
        "기억률",
        "복습 목표 기억률 (0.70–0.97, 기본 0.90; 높을수록 자주 복습)",
        "Desired retention for review (0.70–0.97, default 0.90)",
    ),
    (
        "quiz-admin retention value",
        "값",
        "0.70에서 0.97 사이 (예: 0.85 또는 85%)",
        "From 0.70 to 0.97 (e.g. 0.85 or 85%)",
    ),
    (
        "quiz-admin reports",
        "신고",
        "멤버가 신고한 문제",
        "Questions members reported",
    ),
    (
        "quiz-admin reports show",
        "보기",
        "문제별 신고 (많이 신고된 문제부터)",
        "Reports by question, the most reported first",
    ),
    (
        "quiz-admin reports show all",
        "전체",
        "True: 처리된 신고도 봅니다",
        "True: resolved reports too",
    ),
    (
        "quiz-admin reports resolve",
        "처리",
        "문제의 열린 신고를 처리됨으로 표시합니다",
        "Mark a question's open reports resolved",
    ),
    (
        "quiz-admin reports resolve question",
        "문제",
        "문제 ID (예: ec2-spot-instances)",
        "Question id (e.g. ec2-spot-instances)",
    ),
    (
        "quiz-admin reports resolve note",
        "메모",
        "어떻게 처리했는지 (선택)",
        "How it was handled (optional)",
    ),
    (
        "quiz-admin reload",
        "다시불러오기",
        "문제 은행과 노트를 다시 읽습니다",
        "Re-read the question banks and notes",
    ),
    (
        "quiz-admin timezone",
        "시간대",
        "이 서버의 시간대 (오늘·이번 주·이번 달과 연속 학습일의 기준)",
        "This server's time zone (where days, weeks, months and streaks begin)",
    ),
    (
        "quiz-admin timezone zone",
        "시간대",
        "IANA 시간대 (예: Asia/Seoul, Europe/Berlin)",
        "IANA time zone (e.g. Asia/Seoul, Europe/Berlin)",
    ),
    (
        "quiz-admin language",
        "언어",
        "이 서버에서 봇이 쓰는 언어",
        "The language of the bot's messages in this server",
    ),
    (
        "quiz-admin language language",
        "언어",
        "ko: 한국어 · en: 영어",
        "ko: Korean · en: English",
    ),
    (
        "quiz-admin settings",
        "설정",
        "이 서버의 시간대, 언어, 목표 기억률, 시험 날짜",
        "This server's time zone, language, desired retention and exam date",
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
        if parameter.name == "mode" {
            for (choice, mode) in parameter.choices.iter_mut().zip(ModeChoice::ALL) {
                let (korean, english) = mode.names();
                choice.localizations.insert("ko".into(), korean.into());
                for locale in ENGLISH {
                    choice.localizations.insert(locale.into(), english.into());
                }
            }
        }
        if parameter.name == "view" {
            for (choice, view) in parameter.choices.iter_mut().zip(BoardView::ALL) {
                let (korean, english) = view.names();
                choice.localizations.insert("ko".into(), korean.into());
                for locale in ENGLISH {
                    choice.localizations.insert(locale.into(), english.into());
                }
            }
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
        .chain(super::live::LOCALIZATIONS)
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
