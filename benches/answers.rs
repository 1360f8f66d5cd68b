//! Recording answers through the store's own code path, N concurrent
//! clients, against Postgres; beside it the reference: pgbench running the
//! same-shape transaction (`../shared/bench/pgbench-answers`), measured in
//! the same run.
//!
//! cargo bench --bench answers -- --database-url URL --clients 16 --seconds 10 [--correct 0.7] [--rounds 3]
//!
//! `--correct` is the share of right answers (default 0.7, a study group's
//! usual): a right answer is checked against the player's history and
//! streak, and a few of them (the first right answer of a player's day, a
//! question answered right before) take a second statement.
//!
//! Each round runs the reference (when pgbench and its script are there)
//! and then the store, each for `--seconds`, and prints both and their
//! ratio: the machine's speed drifts, so the two are compared within a
//! round. Then `ratio=…`, the median of the rounds' ratios, and last
//! `answers_per_sec=N`, the median of the store's rates.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use quizbot::bank::{Difficulty, Question};
use quizbot::identity::{ExternalId, Platform};
use quizbot::quiz;
use quizbot::store::{NewAnswer, Store};
use sqlx::Connection;

struct Args {
    database_url: String,
    clients: usize,
    seconds: u64,
    /// The share of answers that are right.
    correct: f64,
    /// Rounds of (reference, store), each ratio taken within its round.
    rounds: usize,
    reference: Option<PathBuf>,
}

fn args() -> Args {
    let mut args = Args {
        database_url: std::env::var("QUIZBOT_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        clients: 16,
        seconds: 10,
        correct: 0.7,
        rounds: 3,
        reference: Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/pgbench-answers"),
        ),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--database-url" => args.database_url = it.next().expect("--database-url URL"),
            "--clients" => {
                args.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N")
            }
            "--seconds" => {
                args.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds N")
            }
            "--correct" => {
                args.correct = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|share| (0.0..=1.0).contains(share))
                    .expect("--correct SHARE (0 to 1)")
            }
            "--rounds" => {
                args.rounds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .expect("--rounds N (1 or more)")
            }
            "--no-reference" => args.reference = None,
            "--reference" => args.reference = it.next().map(PathBuf::from),
            // `cargo bench` passes --bench to every bench binary.
            _ => {}
        }
    }
    args
}

/// `postgres://…/db` → (`postgres://…`, `db`).
fn split_database(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].rfind('/') {
        Some(slash) => {
            let at = after_scheme + slash;
            (&url[..at], url[at + 1..].split('?').next().unwrap_or(""))
        }
        None => (url, ""),
    }
}

fn pgbench_reference(script: &PathBuf, server: &str, clients: usize, seconds: u64) -> Option<f64> {
    if !script.exists() {
        eprintln!(
            "reference script {} not found: pgbench not run",
            script.display()
        );
        return None;
    }
    let output = std::process::Command::new(script)
        .arg(server)
        .env("CLIENTS", clients.to_string())
        .env("SECONDS_", seconds.to_string())
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tps = stdout
        .lines()
        .find_map(|l| l.strip_prefix("pgbench_tps="))
        .and_then(|v| v.trim().parse().ok());
    if tps.is_none() {
        eprintln!(
            "pgbench reference printed no figure: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    tps
}

fn questions() -> Vec<Question> {
    (0..200)
        .map(|i| Question {
            id: format!("bench-{i}"),
            topic: format!("topic-{}", i % 15),
            prompt: "?".into(),
            choices: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            correct: vec![i % 4],
            explanation: "!".into(),
            sources: Vec::new(),
            difficulty: Difficulty::Medium,
            domain: None,
            retired: false,
            path: PathBuf::from("bench.toml"),
            line: 1,
            id_position: quizbot::diagnostic::Position::START,
        })
        .collect()
}

/// One timed run of the store's answer path against a fresh scratch
/// database: answers per second.
async fn run_store(server: &str, args: &Args) -> f64 {
    let scratch = format!("quizbot_bench_{}", std::process::id());
    let admin_url = format!("{server}/postgres");
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the server");
    sqlx::query(&format!("CREATE DATABASE \"{scratch}\""))
        .execute(&mut admin)
        .await
        .expect("create the scratch database");
    let url = format!("{server}/{scratch}");
    let store = Store::connect_with_pool(&url, args.clients as u32)
        .await
        .expect("connect the store");

    let community = store
        .community(
            Platform::Discord,
            &ExternalId::new("bench"),
            chrono_tz::Asia::Seoul,
            "ko",
        )
        .await
        .expect("community");
    let mut players = Vec::new();
    for i in 0..1000 {
        players.push(
            store
                .player(
                    &community,
                    &ExternalId::new(format!("u{i}")),
                    &format!("user {i}"),
                )
                .await
                .expect("player"),
        );
    }
    let players = Arc::new(players);
    let questions = Arc::new(questions());
    let done = Arc::new(AtomicU64::new(0));
    let correct = args.correct;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..args.clients {
        let (store, players, questions, done) = (
            store.clone(),
            players.clone(),
            questions.clone(),
            done.clone(),
        );
        tasks.spawn(async move {
            let mut rng = fastrand::Rng::with_seed(client as u64);
            let mut n = 0u64;
            while Instant::now() < deadline {
                let player = &players[rng.usize(..players.len())];
                let question = &questions[rng.usize(..questions.len())];
                let right = question.correct[0];
                let chosen = if rng.f64() < correct {
                    [right]
                } else {
                    [(right + 1 + rng.usize(..3)) % 4]
                };
                let grade = quiz::grade(question, &chosen).expect("grade");
                store
                    .record_answer(
                        player,
                        &NewAnswer {
                            elapsed_ms: Some(2000),
                            interaction_id: Some(format!("{client}-{n}")),
                            ..NewAnswer::new(question, grade, Utc::now())
                        },
                    )
                    .await
                    .expect("record an answer");
                n += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    drop(store);
    let _ = sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)"
    ))
    .execute(&mut admin)
    .await;
    rate
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    let (server, _) = split_database(&args.database_url);
    let server = server.to_string();

    // The machine's speed drifts from second to second, so each round runs
    // the reference and then the store back to back, and their ratio is
    // taken per round.
    let mut rates = Vec::new();
    let mut ratios = Vec::new();
    for round in 1..=args.rounds {
        let reference = args
            .reference
            .as_ref()
            .and_then(|script| pgbench_reference(script, &server, args.clients, args.seconds));
        let rate = run_store(&server, &args).await;
        match reference {
            Some(tps) => {
                println!(
                    "round={round} pgbench_tps={tps:.0} answers_per_sec={rate:.0} ratio={:.2}",
                    rate / tps
                );
                ratios.push(rate / tps);
            }
            None => println!("round={round} answers_per_sec={rate:.0}"),
        }
        rates.push(rate);
    }
    println!(
        "clients={} seconds={} right={:.0}% rounds={}",
        args.clients,
        args.seconds,
        args.correct * 100.0,
        args.rounds
    );
    if !ratios.is_empty() {
        println!(
            "ratio={:.2} (quizbot / pgbench, median of the rounds' same-run ratios)",
            median(ratios)
        );
    }
    println!("answers_per_sec={:.0}", median(rates));
}
