//! The `quizbot` command: parses the command line, reads the settings, and
//! hands over to the library.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use quizbot::config::Config;
use quizbot::content::{self, Content, SharedContent};
use quizbot::daily::DailySettings;
use quizbot::i18n::Texts;
use quizbot::identity::{ExternalId, Platform};
use quizbot::notes::Notes;
use quizbot::quiz::{self, Period};
use quizbot::serve::{self, Bot};
use quizbot::store::Store;
use quizbot::terminal::{self, PlayOptions};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "quizbot",
    version,
    about = "A quiz bot for study groups, explained from your own notes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        #[command(flatten)]
        content: ContentDirs,
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
        #[command(flatten)]
        content: ContentDirs,
    },
    /// Show a terminal player's record.
    Stats {
        #[arg(long)]
        user: Option<String>,
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
enum DailyCommand {
    /// Post a question to a channel every day at a local time.
    Set {
        #[command(flatten)]
        channel: DailyChannelArgs,
        /// Local time of the post, HH:MM.
        #[arg(long)]
        time: String,
        /// IANA time zone of that time.
        #[arg(long, default_value = "Asia/Seoul")]
        timezone: String,
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
struct DailyChannelArgs {
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

fn parse_platform(text: &str) -> Result<Platform, String> {
    match Platform::parse(text) {
        Some(platform @ (Platform::Discord | Platform::Slack)) => Ok(platform),
        _ => Err(format!("`{text}`: expected discord or slack")),
    }
}

#[derive(Subcommand)]
enum NotesCommand {
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
struct ContentDirs {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QUIZBOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("quizbot: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load()?;
    let texts = Texts::new(config.locale);
    match cli.command {
        Command::Check { coverage, content } => {
            content.apply(&mut config);
            let (content, report) = content::check(&config.questions_dir, &config.notes_dir);
            for diagnostic in &report.diagnostics {
                println!("{diagnostic}");
            }
            if coverage {
                print!("{}", content.coverage_report());
            }
            if let Some(line) = report.domain_line() {
                println!("{line}");
            }
            println!("{}", report.summary());
            Ok(if report.errors() > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Notes {
            command:
                NotesCommand::Search {
                    notes,
                    limit,
                    json,
                    text,
                },
        } => {
            let dir = notes.unwrap_or(config.notes_dir);
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
        Command::Play {
            topic,
            count,
            user,
            content,
        } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let options = PlayOptions {
                topic,
                count,
                user: user.unwrap_or_else(default_user),
            };
            let time_zone = config.time_zone;
            let banner = store_banner(&config);
            with_store(&config, |store| async move {
                let mut input = io::stdin().lock();
                let mut output = io::stdout().lock();
                if io::stdin().is_terminal() {
                    eprintln!("{banner}");
                }
                terminal::play(
                    &content,
                    &store,
                    texts,
                    time_zone,
                    &options,
                    &mut input,
                    &mut output,
                )
                .await?;
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { content } => {
            content.apply(&mut config);
            let content = SharedContent::new(load_content(&config)?);
            with_store(&config.clone(), |store| async move {
                let bot = Bot {
                    content,
                    store,
                    locale: config.locale,
                    time_zone: config.time_zone,
                    daily_tick: config.daily_tick,
                };
                let shutdown = CancellationToken::new();
                let on_signal = shutdown.clone();
                tokio::spawn(async move {
                    shutdown_signal().await;
                    tracing::info!("shutting down");
                    on_signal.cancel();
                });
                serve::run(config, bot, shutdown).await?;
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Daily { command } => run_daily(config, texts, command),
        Command::Leaderboard {
            period,
            topic,
            user,
            content,
        } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let user = user.unwrap_or_else(default_user);
            with_store(&config, |store| async move {
                let mut output = io::stdout().lock();
                terminal::print_leaderboard(
                    &store,
                    &content,
                    texts,
                    period,
                    topic.as_deref(),
                    Some(&user),
                    &mut output,
                )
                .await?;
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { user, content } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let user = user.unwrap_or_else(default_user);
            with_store(&config, |store| async move {
                let mut output = io::stdout().lock();
                terminal::print_stats(&store, &content, texts, &user, &mut output).await?;
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_daily(mut config: Config, texts: Texts, command: DailyCommand) -> anyhow::Result<ExitCode> {
    let label = |platform: Platform, community: &str, channel: &str| {
        format!("{platform} {community}/{channel}")
    };
    match command {
        DailyCommand::Set {
            channel,
            time,
            timezone,
            topics,
            reveal_after,
            content,
        } => {
            content.apply(&mut config);
            let content = load_content(&config)?;
            let settings = DailySettings {
                time: &time,
                time_zone: Some(&timezone),
                topics: topics.as_deref(),
                reveal_after: Some(&reveal_after),
            };
            let schedule = match settings.schedule(
                channel.platform,
                ExternalId::new(&channel.community),
                channel.channel.clone(),
                &content.bank,
            ) {
                Ok(schedule) => schedule,
                Err(err) => {
                    eprintln!("{}", texts.schedule_refused(&err.to_string()));
                    return Ok(ExitCode::FAILURE);
                }
            };
            with_store(&config, |store| async move {
                let now = chrono::Utc::now();
                let saved = store.set_schedule(&schedule, now).await?;
                let name = label(saved.platform, saved.community.as_str(), &saved.channel);
                println!("{}", texts.schedule_saved(&saved, &name, now));
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        DailyCommand::List => {
            with_store(&config, |store| async move {
                let schedules = store.schedules(None, None).await?;
                if schedules.is_empty() {
                    println!("{}", texts.no_schedules());
                }
                let now = chrono::Utc::now();
                for s in &schedules {
                    let name = label(s.platform, s.community.as_str(), &s.channel);
                    println!("{}", texts.schedule_line(s, &name, now));
                }
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        DailyCommand::Remove { channel } => {
            let mut removed = false;
            with_store(&config, |store| {
                let removed = &mut removed;
                let channel = &channel;
                async move {
                    *removed = store
                        .remove_schedule(
                            channel.platform,
                            &ExternalId::new(&channel.community),
                            &channel.channel,
                        )
                        .await?;
                    Ok(())
                }
            })?;
            let name = label(channel.platform, &channel.community, &channel.channel);
            if removed {
                println!("removed the daily question of {name}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("no daily question is set for {name}");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

fn load_content(config: &Config) -> anyhow::Result<Content> {
    let (content, report) = Content::load(&config.questions_dir, &config.notes_dir)?;
    for warning in &report.diagnostics {
        tracing::warn!("{warning}");
    }
    Ok(content)
}

fn store_banner(config: &Config) -> String {
    format!("quizbot · {}", redact(&config.database_url))
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

fn with_store<F, Fut>(config: &Config, body: F) -> anyhow::Result<()>
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
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
        body(store).await
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
