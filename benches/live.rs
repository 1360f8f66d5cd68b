//! A live question in a large channel: hundreds of members answer the same
//! question within a few seconds, through the real serenity/poise client
//! and the loopback fake Discord of the integration tests, with Postgres.
//!
//! Prints the bot's handling time per click (from the fake sending the
//! interaction on the gateway to receiving the bot's response, database
//! included; the fake runs in this process, so the figures are an upper
//! bound), how many clicks missed Discord's 3-second deadline, how late
//! the reveal came after the question's deadline, and how long recording
//! every answer for the leaderboards took after it.
//!
//! ```text
//! cargo bench --bench live -- [--database-url postgres://…] [--members 500]
//!     [--within-ms 5000] [--seconds 10]
//! ```
//!
//! The database server is `--database-url`, else `QUIZBOT_TEST_DATABASE_URL`,
//! else postgres://postgres@127.0.0.1:5432/postgres; a scratch database is
//! created on it and dropped afterwards. Each member clicks once, at a
//! random moment within `--within-ms` of the question appearing; a tenth
//! of them change their answer once. Exits 1 when a click missed the
//! deadline, the reveal came more than a second late, or a message broke
//! Discord's limits.

#[path = "../tests/quizbot/fake_discord.rs"]
mod fake_discord;
#[path = "../tests/quizbot/support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fake_discord::{FakeDiscord, Member, Reply, INTERACTION_DEADLINE};
use serde_json::{json, Value};

/// The reveal should come within this long after the deadline.
const REVEAL_TARGET: Duration = Duration::from_secs(1);

struct Options {
    database_url: Option<String>,
    members: usize,
    within_ms: u64,
    seconds: u64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        database_url: None,
        members: 500,
        within_ms: 5_000,
        seconds: 10,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let number =
            |name: &str, text: String| text.parse::<u64>().map_err(|err| format!("{name}: {err}"));
        match arg.as_str() {
            "--database-url" => options.database_url = Some(value("--database-url")?),
            "--members" => options.members = number("--members", value("--members")?)? as usize,
            "--within-ms" => options.within_ms = number("--within-ms", value("--within-ms")?)?,
            "--seconds" => options.seconds = number("--seconds", value("--seconds")?)?,
            // `cargo bench` passes `--bench`; other flags are not ours.
            _ => {}
        }
    }
    if !(10..=120).contains(&options.seconds) {
        return Err("--seconds: a live question lasts 10 to 120 seconds".into());
    }
    if options.within_ms >= options.seconds * 1000 {
        return Err("--within-ms must end before the question's deadline".into());
    }
    Ok(options)
}

fn main() {
    let options = support::bench_options("live", parse_options());
    let runtime = support::bench_runtime(options.database_url.as_deref());
    let passed = runtime.block_on(run(options));
    if !passed {
        std::process::exit(1);
    }
}

async fn run(options: Options) -> bool {
    let db = support::TestDatabase::postgres().await;
    let bot = support::serve_service(&db.url).await;
    let fake = Arc::new(FakeDiscord::start().await);
    let (shutdown, running) = fake.run_bot(bot, 1).await;
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");

    println!(
        "live bench: {} members answer one live question within {} ms ({} s to answer), Postgres",
        options.members, options.within_ms, options.seconds
    );
    let starter = Member::new(9_999, "starter");
    let started = fake
        .slash(
            &starter,
            "quiz-live",
            json!([{ "name": "start", "type": 1, "options": [
                { "name": "questions", "type": 4, "value": 1 },
                { "name": "seconds", "type": 4, "value": options.seconds },
            ]}]),
        )
        .reply()
        .await;
    if started.status != 204 {
        println!("the round did not start: {:?}", started.data);
        return false;
    }
    let channel = fake.channel_id;
    let question = fake.wait_channel_messages(channel, 1).await.remove(0);
    let deadline = noted_deadline(&pool).await;
    let message_id: u64 = question["id"].as_str().unwrap_or("0").parse().unwrap_or(0);

    let clicking = Instant::now();
    let mut members = tokio::task::JoinSet::new();
    for index in 0..options.members {
        let (fake, question) = (Arc::clone(&fake), question.clone());
        let member = Member::new(10_000 + index as u64, &format!("member {index}"));
        let at = Duration::from_millis(fastrand::u64(0..options.within_ms));
        let changes = index % 10 == 0;
        members.spawn(async move {
            tokio::time::sleep(at).await;
            let mut timed = vec![click(&fake, &member, &question).await];
            if changes {
                tokio::time::sleep(Duration::from_millis(fastrand::u64(100..500))).await;
                timed.push(click(&fake, &member, &question).await);
            }
            timed
        });
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    while let Some(done) = members.join_next().await {
        for outcome in done.unwrap_or_else(|_| vec![None]) {
            match outcome {
                Some(latency) => latencies.push(latency),
                None => failed += 1,
            }
        }
    }
    let wall = clicking.elapsed();
    latencies.sort_unstable();
    if latencies.is_empty() {
        println!("no click was answered");
        return false;
    }
    let late = latencies
        .iter()
        .filter(|l| **l > INTERACTION_DEADLINE)
        .count();
    println!(
        "{} clicks in {:.1} s, {} not accepted, {} past the 3 s deadline",
        latencies.len(),
        wall.as_secs_f64(),
        failed,
        late
    );
    println!(
        "bot handling time (dispatch sent → response received): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        support::percentile_ms(&latencies, 0.50),
        support::percentile_ms(&latencies, 0.90),
        support::percentile_ms(&latencies, 0.99),
        support::percentile_ms(&latencies, 1.0),
    );

    // The reveal: the question's message edited after its deadline.
    let revealed_at = wait_edit(&fake, message_id, options.seconds).await;
    let lateness = revealed_at.map(|at| at - deadline);
    match lateness {
        Some(lateness) => println!(
            "reveal posted {:.0} ms after the deadline (target < {} ms)",
            lateness.num_milliseconds(),
            REVEAL_TARGET.as_millis()
        ),
        None => println!("the question was never revealed"),
    }
    let revealed = fake.message(message_id).unwrap_or(Value::Null);
    let footer = revealed["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    println!("reveal says: {footer}");
    // The results follow once every answer is recorded.
    let results_after = wait_messages(&fake, channel, 2, Duration::from_secs(60)).await;
    match (results_after, revealed_at) {
        (Some(at), Some(revealed_at)) => println!(
            "every answer recorded and the results posted {:.0} ms after the reveal",
            (at - revealed_at).num_milliseconds()
        ),
        _ => println!("the results never came"),
    }
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM answers WHERE interaction_id LIKE 'live:%'")
            .fetch_one(&pool)
            .await
            .unwrap_or(-1);
    println!("answers recorded for the leaderboards: {recorded}");
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), running).await;

    let problems = fake_discord::print_problems(&fake);
    support::print_load();
    let on_time = lateness.is_some_and(|l| {
        l >= chrono::Duration::zero() && l.to_std().is_ok_and(|l| l < REVEAL_TARGET)
    });
    let passed = failed == 0
        && late == 0
        && on_time
        && problems.is_empty()
        && recorded == options.members as i64;
    println!(
        "every click within 3 s, reveal within 1 s, every answer recorded: {}",
        if passed { "met" } else { "NOT met" }
    );
    passed
}

/// One member's click on a random choice (a random pair for "choose
/// two"); the handling time when the bot accepted it.
async fn click(fake: &FakeDiscord, member: &Member, question: &Value) -> Option<Duration> {
    let components: Vec<Value> = question["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect();
    let mut interaction = match components.first() {
        Some(menu) if menu["type"] == 3 => {
            let options = menu["options"].as_array().map_or(0, Vec::len);
            let first = fastrand::usize(..options.max(2) - 1);
            let picked = [first.to_string(), (first + 1).to_string()];
            let picked: Vec<&str> = picked.iter().map(String::as_str).collect();
            fake.select(
                member,
                question,
                menu["custom_id"].as_str().unwrap_or_default(),
                &picked,
            )
        }
        _ => {
            let button = &components[fastrand::usize(..components.len())];
            fake.click(
                member,
                question,
                button["custom_id"].as_str().unwrap_or_default(),
            )
        }
    };
    let reply: Reply = interaction.reply().await;
    let accepted = reply.status == 204 && reply.text().contains("✅");
    accepted.then_some(reply.latency).flatten()
}

/// The question's deadline, once its post is noted.
async fn noted_deadline(pool: &sqlx::PgPool) -> DateTime<Utc> {
    loop {
        let row: Option<(Option<String>, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT message_id, deadline_at FROM live_questions WHERE position = 0")
                .fetch_optional(pool)
                .await
                .expect("read the live question");
        if let Some((Some(_), Some(deadline))) = row {
            return deadline;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// When Discord got the message's edit.
async fn wait_edit(fake: &FakeDiscord, id: u64, seconds: u64) -> Option<DateTime<Utc>> {
    let until = Instant::now() + Duration::from_secs(seconds + 30);
    while Instant::now() < until {
        let edited = fake
            .message(id)
            .and_then(|m| m["edited_timestamp"].as_str().map(str::to_string));
        if let Some(edited) = edited {
            return DateTime::parse_from_rfc3339(&edited)
                .ok()
                .map(|at| at.with_timezone(&Utc));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

/// When the channel's `count`-th message was created.
async fn wait_messages(
    fake: &FakeDiscord,
    channel: u64,
    count: usize,
    patience: Duration,
) -> Option<DateTime<Utc>> {
    let until = Instant::now() + patience;
    while Instant::now() < until {
        if let Some(message) = fake.channel_messages(channel).get(count - 1) {
            return message["timestamp"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|at| at.with_timezone(&Utc));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}
