//! The `quizbot` command line: its subcommands and flags, and [`run`],
//! which carries one of them out.
//!
//! Settings come from [`Config`] and the content flags override them.
//! Every subcommand that touches scores or schedules goes through one
//! [`Service`] on the configured store, as the platforms do: `play`,
//! `review`, `mock`, `leaderboard` and `stats` through
//! [`crate::terminal`], `daily` through the operator's use cases, `serve`
//! by handing the service to [`serve::run`]. `check` (with `--lint`,
//! through [`crate::lint`] too) and `notes search` read only the content. A refusal or failure of the
//! service prints its user message on stderr (the failure's chain is
//! logged) and exits non-zero.

use std::future::Future;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::bank::Bank;
use crate::config::Config;
use crate::content::{self, Content, SharedContent};
use crate::i18n::Texts;
use crate::identity::{ExternalId, Platform};
use crate::lint;
use crate::notes::Notes;
use crate::quiz::{self, Period};
use crate::serve;
use crate::service::{DailyRequest, Service, ServiceError, ServiceSettings};
use crate::store::Store;
use crate::terminal::{self, PlayOptions, TerminalError};
use crate::view::{AdminReply, QuestionStatsReport};

#[derive(Parser)]
#[command(
    name = "quizbot",
    version,
    about = "A quiz bot for study groups, explained from your own notes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The log filter when `QUIZBOT_LOG` is unset: warnings for the bot
    /// and the tools, nothing for a terminal player, who reads sentences
    /// (a failure is told in words; `QUIZBOT_LOG=warn` shows its cause).
    pub fn default_log_filter(&self) -> &'static str {
        match self.command {
            Command::Play { .. } | Command::Review { .. } | Command::Mock { .. } => "off",
            _ => "warn",
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Play a quiz in the terminal; scores are kept in the database.
    Play {
        /// Only questions of this topic (see `quizbot check` for the list).
        #[arg(long)]
        topic: Option<String>,
        /// Number of questions (1–20).
        #[arg(long, default_value_t = quiz::DEFAULT_SESSION_QUESTIONS)]
        count: usize,
        /// Your name on the leaderboard (default: $USER).
        #[arg(long)]
        user: Option<String>,
        /// Questions from your three weakest topics instead.
        #[arg(long, conflicts_with = "topic")]
        weak: bool,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Review in the terminal: your due cards, most overdue first, then new
    /// questions from your weakest topics. Answers score no points.
    Review {
        /// Number of questions (1–20).
        #[arg(long, default_value_t = quiz::DEFAULT_SESSION_QUESTIONS)]
        count: usize,
        /// Whose cards (default: $USER).
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Take a timed mock exam at the exam's domain weights (or pick up the
    /// one running): `<` and `>` move, letters answer, `submit` submits.
    /// Its answers score no points and feed your review cards.
    Mock {
        /// Number of questions (4–65).
        #[arg(long, default_value_t = crate::mock::EXAM_QUESTIONS)]
        questions: usize,
        /// Time limit in minutes (1–180; default: the exam's pace, 90 for 65).
        #[arg(long)]
        minutes: Option<i64>,
        /// Whose exam (default: $USER).
        #[arg(long)]
        user: Option<String>,
        /// Question banks directory (default: QUIZBOT_QUESTIONS or
        /// ./questions); `--questions` is the exam's length here.
        #[arg(long)]
        questions_dir: Option<PathBuf>,
        /// Notes directory (default: QUIZBOT_NOTES or ./notes).
        #[arg(long)]
        notes: Option<PathBuf>,
    },
    /// The terminal group's exam date: in its last 7 days, review also
    /// brings the cards due before it.
    Exam {
        #[command(subcommand)]
        command: ExamCommand,
    },
    /// Set the terminal group's desired retention, 0.70 to 0.97 (default
    /// 0.90): the higher, the sooner cards come back.
    Retention {
        /// 0.70 to 0.97, or a percentage such as 85%.
        value: String,
    },
    /// The terminal group's settings: time zone and language (shown with
    /// the retention and exam date when no change is given).
    Settings {
        #[command(subcommand)]
        command: Option<SettingsCommand>,
    },
    /// Figures for the people who write the banks.
    Questions {
        #[command(subcommand)]
        command: QuestionsCommand,
    },
    /// Members' reports of bad questions, in every community.
    Reports {
        #[command(subcommand)]
        command: ReportsCommand,
    },
    /// Show the leaderboard of terminal players.
    Leaderboard {
        /// today, week, month or all.
        #[arg(long, default_value = "week", value_parser = parse_period)]
        period: Period,
        #[arg(long)]
        topic: Option<String>,
        /// Also show this player's rank (default: $USER).
        #[arg(long)]
        user: Option<String>,
        /// The group's exam readiness instead: each player's predicted
        /// score, who is predicted to pass, the weakest domain.
        #[arg(long, conflicts_with = "topic")]
        readiness: bool,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Show a terminal player's record.
    Stats {
        #[arg(long)]
        user: Option<String>,
        /// Print the record as JSON (readiness and mock exams included).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Run the bot on Discord and/or Slack (see the README for the settings).
    Serve {
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Validate the question banks and notes.
    Check {
        /// Also list every notes section with the number of questions
        /// that point at it, and the sections no question asks about.
        #[arg(long)]
        coverage: bool,
        /// Also warn of giveaways and slips: a key longest by a clear
        /// margin, a stem word only the key repeats, near-duplicate
        /// questions, a source that never mentions the key, mixed quote
        /// styles in a file.
        #[arg(long)]
        lint: bool,
        /// With --lint: fail when there is any lint warning.
        #[arg(long, requires = "lint")]
        strict: bool,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Work with the notes.
    Notes {
        #[command(subcommand)]
        command: NotesCommand,
    },
    /// Schedule the daily question of a channel (a running `serve` posts it).
    Daily {
        #[command(subcommand)]
        command: DailyCommand,
    },
}

#[derive(Subcommand)]
pub enum QuestionsCommand {
    /// Each question's answers, share right, picks per choice, median time
    /// and open reports, the most missed first; distractors nobody picks
    /// are flagged.
    Stats {
        /// Only this topic's questions (an id or a name).
        #[arg(long)]
        topic: Option<String>,
        /// One community's answers: discord:SERVER_ID, slack:TEAM_ID or
        /// local (the terminal's); every community's when unset.
        #[arg(long, value_parser = parse_community)]
        community: Option<(Platform, ExternalId)>,
        /// Print a JSON array instead.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        content: ContentDirs,
    },
}

/// `discord:123`, `slack:T123`, or `local` for the terminal.
fn parse_community(text: &str) -> Result<(Platform, ExternalId), String> {
    if text == crate::terminal::TERMINAL_COMMUNITY {
        return Ok((Platform::Terminal, ExternalId::new(text)));
    }
    let (platform, id) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: expected discord:ID, slack:ID or local"))?;
    Ok((parse_platform(platform)?, ExternalId::new(id)))
}

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// The reports by question, the most reported first.
    List {
        /// Resolved reports too.
        #[arg(long)]
        all: bool,
    },
    /// Mark a question's open reports resolved, in every community.
    Resolve {
        question: String,
        /// How it was handled.
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Set the time zone (an IANA name such as Asia/Seoul): days, weeks,
    /// months and streaks follow it.
    Timezone { zone: String },
    /// Set the language of the messages: ko or en.
    Language { language: String },
}

#[derive(Subcommand)]
pub enum ExamCommand {
    /// Set the exam date, YYYY-MM-DD.
    Set { date: String },
    /// Clear the exam date.
    Off,
    /// Show the exam date and the days left.
    Show,
}

#[derive(Subcommand)]
pub enum DailyCommand {
    /// Post a question to a channel every day at a local time.
    Set {
        #[command(flatten)]
        channel: DailyChannelArgs,
        /// Local time of the post, HH:MM.
        #[arg(long)]
        time: String,
        /// IANA time zone of that time (default: the community's, or
        /// QUIZBOT_TIMEZONE for a community quizbot has not seen).
        #[arg(long)]
        timezone: Option<String>,
        /// Topic ids, comma separated (default: every topic).
        #[arg(long)]
        topics: Option<String>,
        /// Delay before the answer is revealed, as in 8h or 90m.
        #[arg(long, default_value = "8h")]
        reveal_after: String,
        #[command(flatten)]
        content: ContentDirs,
    },
    /// List every schedule, with delivery failures.
    List,
    /// Delete a channel's schedule.
    Remove {
        #[command(flatten)]
        channel: DailyChannelArgs,
    },
}

#[derive(clap::Args)]
pub struct DailyChannelArgs {
    /// discord or slack.
    #[arg(long, value_parser = parse_platform)]
    platform: Platform,
    /// The Discord server id or the Slack team id.
    #[arg(long)]
    community: String,
    /// The channel id.
    #[arg(long)]
    channel: String,
}

impl DailyChannelArgs {
    fn community(&self) -> ExternalId {
        ExternalId::new(&self.community)
    }
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    match Platform::parse(text) {
        Some(platform @ (Platform::Discord | Platform::Slack)) => Ok(platform),
        _ => Err(format!("`{text}`: expected discord or slack")),
    }
}

#[derive(Subcommand)]
pub enum NotesCommand {
    /// The note passages that best explain a text.
    Search {
        /// Notes directory (default: QUIZBOT_NOTES or ./notes).
        #[arg(long)]
        notes: Option<PathBuf>,
        #[arg(long, default_value_t = 3)]
        limit: usize,
        /// Print a JSON array: file, heading, line, text, score.
        #[arg(long)]
        json: bool,
        /// The text to explain.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
}

#[derive(clap::Args)]
pub struct ContentDirs {
    /// Question banks directory (default: QUIZBOT_QUESTIONS or ./questions).
    #[arg(long)]
    questions: Option<PathBuf>,
    /// Notes directory (default: QUIZBOT_NOTES or ./notes).
    #[arg(long)]
    notes: Option<PathBuf>,
}

impl ContentDirs {
    fn apply(&self, config: &mut Config) {
        if let Some(dir) = &self.questions {
            config.questions_dir = dir.clone();
        }
        if let Some(dir) = &self.notes {
            config.notes_dir = dir.clone();
        }
    }
}

fn parse_period(text: &str) -> Result<Period, String> {
    Period::parse(text).ok_or_else(|| format!("`{text}`: expected today, week, month or all"))
}

fn default_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "player".into())
}

/// Carries out one command line; what went wrong is on stderr.
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("quizbot: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load()?;
    match cli.command {
        Command::Check {
            coverage,
            lint,
            strict,
            content,
        } => {
            content.apply(&mut config);
            let lint = match (lint, strict) {
                (false, _) => LintMode::Off,
                (true, false) => LintMode::Warn,
                (true, true) => LintMode::Strict,
            };
            Ok(check(&config, coverage, lint))
        }
        Command::Notes {
            command:
                NotesCommand::Search {
                    notes,
                    limit,
                    json,
                    text,
                },
        } => search_notes(notes.unwrap_or(config.notes_dir), limit, json, &text),
        Command::Play {
            topic,
            count,
            user,
            weak,
            content,
        } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let options = PlayOptions {
                topic,
                count,
                user: user.unwrap_or_else(default_user),
                weak,
            };
            if io::stdin().is_terminal() {
                eprintln!("quizbot · {}", redact(&config.database_url));
            }
            with_service(&config, content, |service| async move {
                let mut input = io::stdin().lock();
                let mut output = io::stdout().lock();
                let played = terminal::play(&service, &options, &mut input, &mut output).await;
                finish(played.map(|_| ()), service.texts(), "play")
            })
        }
        Command::Review {
            count,
            user,
            content,
        } => {
            let user = user.unwrap_or_else(default_user);
            with_content(&mut config, &content, |service| async move {
                let mut input = io::stdin().lock();
                let mut output = io::stdout().lock();
                let reviewed =
                    terminal::review(&service, &user, count, &mut input, &mut output).await;
                finish(reviewed.map(|_| ()), service.texts(), "review")
            })
        }
        Command::Mock {
            questions,
            minutes,
            user,
            questions_dir,
            notes,
        } => {
            ContentDirs {
                questions: questions_dir,
                notes,
            }
            .apply(&mut config);
            let content = load_content(&config)?;
            let options = terminal::MockOptions {
                questions: Some(questions),
                minutes,
                user: user.unwrap_or_else(default_user),
            };
            with_service(&config, content, |service| async move {
                let mut input = io::stdin().lock();
                let mut output = io::stdout().lock();
                let taken = terminal::mock(&service, &options, &mut input, &mut output).await;
                finish(taken, service.texts(), "mock")
            })
        }
        Command::Exam { command } => {
            let typed = match &command {
                ExamCommand::Set { date } => Some(date.clone()),
                ExamCommand::Off => Some("off".to_string()),
                ExamCommand::Show => None,
            };
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let caller = terminal::caller(&default_user());
                let reply = service.exam(&caller, typed.as_deref()).await;
                print_reply(reply, service.texts(), "exam")
            })
        }
        Command::Questions {
            command:
                QuestionsCommand::Stats {
                    topic,
                    community,
                    json,
                    content,
                },
        } => with_content(&mut config, &content, |service| async move {
            let texts = service.texts();
            let stats = match service.question_stats(community, topic.as_deref()).await {
                Ok(stats) => stats,
                Err(err) => return Ok(refused(&err, texts, "questions stats")),
            };
            let mut output = io::stdout().lock();
            if json {
                writeln!(output, "{}", serde_json::to_string_pretty(&stats)?)?;
            } else {
                let report = QuestionStatsReport::new(texts, &stats);
                terminal::write_question_stats(&mut output, &report)?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Reports { command } => {
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let (reply, request) = match &command {
                    ReportsCommand::List { all } => {
                        (service.all_reports(*all).await, "reports list")
                    }
                    ReportsCommand::Resolve { question, note } => (
                        service.resolve_report_everywhere(question, note).await,
                        "reports resolve",
                    ),
                };
                print_reply(reply, service.texts(), request)
            })
        }
        Command::Retention { value } => {
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let caller = terminal::caller(&default_user());
                let reply = service.set_retention(&caller, &value).await;
                print_reply(reply, service.texts(), "retention")
            })
        }
        Command::Settings { command } => {
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let caller = terminal::caller(&default_user());
                let reply = match command {
                    None => service.community_settings(&caller).await,
                    Some(SettingsCommand::Timezone { zone }) => {
                        service.set_time_zone(&caller, &zone).await
                    }
                    Some(SettingsCommand::Language { language }) => {
                        service.set_language(&caller, &language).await
                    }
                };
                let texts = service.texts_of(&caller.identity);
                print_reply(reply, texts, "settings")
            })
        }
        Command::Leaderboard {
            period,
            topic,
            user,
            readiness,
            content,
        } => {
            let user = user.unwrap_or_else(default_user);
            with_content(&mut config, &content, |service| async move {
                let mut output = io::stdout().lock();
                let (shown, request) = if readiness {
                    let shown = terminal::print_readiness(&service, &user, &mut output).await;
                    (shown, "leaderboard --readiness")
                } else {
                    let topic = topic.as_deref();
                    let shown =
                        terminal::print_leaderboard(&service, period, topic, &user, &mut output)
                            .await;
                    (shown, "leaderboard")
                };
                finish(shown, service.texts(), request)
            })
        }
        Command::Stats {
            user,
            json,
            content,
        } => {
            let user = user.unwrap_or_else(default_user);
            with_content(&mut config, &content, |service| async move {
                let mut output = io::stdout().lock();
                let (shown, request) = if json {
                    let shown = terminal::print_record_json(&service, &user, &mut output).await;
                    (shown, "stats --json")
                } else {
                    (
                        terminal::print_stats(&service, &user, &mut output).await,
                        "stats",
                    )
                };
                finish(shown, service.texts(), request)
            })
        }
        Command::Serve { content } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let serving = config.clone();
            with_service(&serving, content, |service| async move {
                let shutdown = CancellationToken::new();
                let on_signal = shutdown.clone();
                tokio::spawn(async move {
                    shutdown_signal().await;
                    tracing::info!("shutting down");
                    on_signal.cancel();
                });
                serve::run(config, service, shutdown).await?;
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Daily { command } => daily(config, command),
    }
}

/// Whether `quizbot check` lints, and whether a lint warning fails it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LintMode {
    Off,
    Warn,
    Strict,
}

/// `quizbot check`: every problem of the content (with `--lint`, the lint
/// warnings after them), and exit non-zero on an error, or with `--strict`
/// on a lint warning.
fn check(config: &Config, coverage: bool, lint: LintMode) -> ExitCode {
    let (content, report) = content::check(&config.questions_dir, &config.notes_dir);
    for diagnostic in &report.diagnostics {
        println!("{diagnostic}");
    }
    let findings = match lint {
        LintMode::Off => Vec::new(),
        LintMode::Warn | LintMode::Strict => lint::lint(&content.bank, &content.notes),
    };
    for finding in &findings {
        println!("{}", finding.diagnostic);
    }
    if coverage {
        print!("{}", content.coverage_report());
    }
    if let Some(line) = report.domain_line() {
        println!("{line}");
    }
    println!("{}", report.summary());
    if lint != LintMode::Off {
        println!("{}", lint::summary(&findings));
    }
    let failed_lint = lint == LintMode::Strict && !findings.is_empty();
    if report.errors() > 0 || failed_lint {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `quizbot notes search`: the passages of the notes in `dir` that best
/// explain `text`.
fn search_notes(
    dir: PathBuf,
    limit: usize,
    json: bool,
    text: &[String],
) -> anyhow::Result<ExitCode> {
    let (notes, diagnostics) = Notes::load_dir(&dir);
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
    let results = notes.search(&text.join(" "), limit);
    if json {
        let array: Vec<serde_json::Value> = results
            .iter()
            .map(|e| {
                serde_json::json!({
                    "file": e.file,
                    "heading": e.heading,
                    "line": e.line,
                    "text": e.text,
                    "score": e.score,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&array)?);
    } else if results.is_empty() {
        println!("no matching passage in {}", dir.display());
    } else {
        for e in &results {
            println!("{}:{} ({:.2})\n{}\n", e.file, e.line, e.score, e.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `quizbot daily …`: the operator's schedules, on any community.
fn daily(mut config: Config, command: DailyCommand) -> anyhow::Result<ExitCode> {
    match command {
        DailyCommand::Set {
            channel,
            time,
            timezone,
            topics,
            reveal_after,
            content,
        } => with_content(&mut config, &content, |service| async move {
            let request = DailyRequest {
                time: &time,
                time_zone: timezone.as_deref(),
                topics: topics.as_deref(),
                reveal_after: Some(&reveal_after),
            };
            let saved = service
                .set_daily_as_operator(
                    channel.platform,
                    channel.community(),
                    channel.channel.clone(),
                    &request,
                )
                .await;
            print_reply(saved, service.texts(), "daily set")
        }),
        DailyCommand::List => {
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let listed = service.all_schedules().await;
                print_reply(listed, service.texts(), "daily list")
            })
        }
        DailyCommand::Remove { channel } => {
            let content = no_content(&config);
            with_service(&config, content, |service| async move {
                let removed = service
                    .remove_schedule(channel.platform, &channel.community(), &channel.channel)
                    .await;
                Ok(match removed {
                    Ok(AdminReply { text, .. }) => {
                        let label = terminal::channel_label(
                            channel.platform,
                            &channel.community,
                            &channel.channel,
                        );
                        println!("{label} · {}", text.unwrap_or_default());
                        ExitCode::SUCCESS
                    }
                    Err(err) => refused(&err, service.texts(), "daily remove"),
                })
            })
        }
    }
}

/// How a terminal command ended: a refusal or failure of the service is
/// the user's message on stderr and a failing exit.
/// Prints an admin reply, or why it was refused.
fn print_reply(
    reply: Result<AdminReply, ServiceError>,
    texts: Texts,
    request: &str,
) -> anyhow::Result<ExitCode> {
    Ok(match reply {
        Ok(reply) => {
            terminal::print_schedules(reply.text.as_deref(), reply.schedules.iter())?;
            ExitCode::SUCCESS
        }
        Err(err) => refused(&err, texts, request),
    })
}

fn finish(
    result: Result<(), TerminalError>,
    texts: Texts,
    request: &str,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(TerminalError::Service(err)) => Ok(refused(&err, texts, request)),
        Err(err @ TerminalError::Io(_)) => Err(err.into()),
    }
}

/// Logs a service error (a failure with its chain), tells the user why on
/// stderr, and fails the command.
fn refused(err: &ServiceError, texts: Texts, request: &str) -> ExitCode {
    err.log(request);
    eprintln!("{}", err.user_message(texts));
    ExitCode::FAILURE
}

fn load_content(config: &Config) -> anyhow::Result<Content> {
    let (content, report) = Content::load(&config.questions_dir, &config.notes_dir)?;
    for warning in &report.diagnostics {
        tracing::warn!("{warning}");
    }
    Ok(content)
}

/// No questions and no notes: listing and removing schedules ask nothing,
/// so they work wherever the content is.
fn no_content(config: &Config) -> Content {
    Content::new(
        Bank::default(),
        Notes::default(),
        config.questions_dir.clone(),
        config.notes_dir.clone(),
    )
}

fn settings(config: &Config) -> ServiceSettings {
    ServiceSettings {
        locale: config.locale,
        time_zone: config.time_zone,
        daily_tick: config.daily_tick,
        seed: None,
        live: live_timings(config),
    }
}

/// Live rounds' pace: the configured pause, the default grace and poll.
fn live_timings(config: &Config) -> crate::live::LiveTimings {
    crate::live::LiveTimings {
        pause: chrono::Duration::from_std(config.live_pause)
            .unwrap_or(crate::live::LiveTimings::default().pause),
        ..crate::live::LiveTimings::default()
    }
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Runs `body` on a runtime with the service over the configured store.
/// [`with_service`] over the content `dirs` name (else the configured
/// directories).
fn with_content<F, Fut>(
    config: &mut Config,
    dirs: &ContentDirs,
    body: F,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Service) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    dirs.apply(config);
    let content = load_content(config)?;
    with_service(config, content, body)
}

fn with_service<F, Fut>(config: &Config, content: Content, body: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Service) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!("cannot open the database {}", redact(&config.database_url))
            })?;
        let service = Service::new(SharedContent::new(content), store, settings(config));
        body(service).await
    })
}

/// Resolves on Ctrl-C or SIGTERM (how containers are stopped).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_kept_out_of_the_banner() {
        assert_eq!(
            redact("postgres://quiz:secret@db:5432/quiz"),
            "postgres://quiz:***@db:5432/quiz"
        );
        assert_eq!(redact("postgres://quiz@db/quiz"), "postgres://quiz@db/quiz");
        assert_eq!(redact("sqlite:quizbot.db"), "sqlite:quizbot.db");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
