//! How much memory `quizbot serve` holds: a real `quizbot serve` process
//! (the binary this bench was built with) connected to the loopback fake
//! Discord and the fake Slack (Socket Mode) of the integration tests, on
//! Postgres.
//!
//! Prints the process's resident set (VmRSS) once both platforms are
//! connected and it has sat idle, then after `--interactions` Discord
//! interactions (half `/quiz`, half answer clicks, `--members` at a time),
//! and its peak (VmHWM). Linux only: it reads `/proc/<pid>/status`.
//!
//! ```text
//! cargo bench --bench footprint -- [--database-url postgres://…]
//!     [--interactions 10000] [--members 20]
//! ```

#[path = "../tests/quizbot/fake_discord.rs"]
mod fake_discord;
#[path = "../tests/quizbot/fake_slack.rs"]
mod fake_slack;
#[path = "../tests/quizbot/support.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_discord::{FakeDiscord, Member};
use fake_slack::FakeSlack;
use secrecy::ExposeSecret;

struct Options {
    database_url: Option<String>,
    interactions: usize,
    members: usize,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        database_url: None,
        interactions: 10_000,
        members: 20,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--database-url" => options.database_url = Some(value("--database-url")?),
            "--interactions" => {
                options.interactions = value("--interactions")?
                    .parse()
                    .map_err(|e| format!("--interactions: {e}"))?
            }
            "--members" => {
                options.members = value("--members")?
                    .parse::<usize>()
                    .map_err(|e| format!("--members: {e}"))?
                    .max(1)
            }
            // `cargo bench` passes `--bench`; other flags are not ours.
            _ => {}
        }
    }
    Ok(options)
}

fn main() {
    let options = support::bench_options("footprint", parse_options());
    let runtime = support::bench_runtime(options.database_url.as_deref());
    runtime.block_on(run(options));
}

/// The `serve` process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A field of `/proc/<pid>/status` in MiB (`VmRSS`, `VmHWM`).
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

async fn run(options: Options) {
    let db = support::TestDatabase::postgres().await;
    let discord = Arc::new(FakeDiscord::start().await);
    let slack = FakeSlack::start().await;
    let slack_settings = slack.socket_settings();
    let secret = |s: &Option<secrecy::SecretString>| {
        s.as_ref()
            .map(|s| s.expose_secret().to_string())
            .unwrap_or_default()
    };
    let root = support::root();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_quizbot"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db.url)
            .env("QUIZBOT_QUESTIONS", root.join("questions"))
            .env("QUIZBOT_NOTES", root.join("notes"))
            .env("QUIZBOT_HTTP_ADDR", "127.0.0.1:0")
            .env("DISCORD_TOKEN", &discord.token)
            .env("DISCORD_API_BASE", &discord.base)
            .env("DISCORD_GUILD_ID", discord.guild_id.to_string())
            .env("SLACK_BOT_TOKEN", secret(&slack_settings.bot_token))
            .env("SLACK_APP_TOKEN", secret(&slack_settings.app_token))
            .env(
                "SLACK_API_BASE",
                slack_settings.api_base.unwrap_or_default(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start quizbot serve"),
    );
    let pid = server.0.id();
    discord.wait_sessions(1).await;
    discord.wait_registration(1).await;
    slack.wait_connected().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = memory_mib(pid, "VmRSS");

    let started = Instant::now();
    let rounds = options.interactions / 2;
    let mut members = tokio::task::JoinSet::new();
    for m in 0..options.members {
        let discord = Arc::clone(&discord);
        let share = rounds / options.members + usize::from(m < rounds % options.members);
        members.spawn(async move {
            let member = Member::new(900_000 + m as u64, &format!("Member {m}"));
            for _ in 0..share {
                let card = discord.quiz_one(&member, "security").await;
                discord.answer_first_choice(&member, &card).reply().await;
            }
        });
    }
    while let Some(done) = members.join_next().await {
        done.expect("a member's run");
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = memory_mib(pid, "VmRSS");
    let peak = memory_mib(pid, "VmHWM");
    let problems = discord.problems();
    assert!(problems.is_empty(), "the fake Discord saw: {problems:?}");

    println!("footprint: quizbot serve on Discord and Slack (Socket Mode), Postgres");
    println!("  idle, both connected     {idle:>7.1} MiB RSS");
    println!(
        "  after {:>6} interactions {after:>7.1} MiB RSS ({:.0} interactions/s, {} members at once)",
        rounds * 2,
        (rounds * 2) as f64 / elapsed.as_secs_f64(),
        options.members
    );
    println!("  peak                     {peak:>7.1} MiB (VmHWM)");
}
