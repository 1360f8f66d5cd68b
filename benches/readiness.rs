//! Computing a member's readiness (the predicted exam score of `/stats`)
//! on Postgres with 1,000,000 cards over 50,000 players.
//!
//! cargo bench --bench readiness -- [--database-url URL] [--players N] [--rounds N]
//!
//! Each player has 20 cards on questions of the shipped banks (stability
//! 1–60 days, last reviewed within the last 30 days) and the answers that
//! made them (one per card, 70 % right), seeded with SQL in the shape the
//! store writes them; the community has an exam date two weeks ahead, so
//! the weakest domain's due cards and what reviewing them adds are worked
//! out too. A round does for a random player what the service does for
//! their record: look for a mock exam to settle, read their cards and
//! first answers, and assess them against the bank
//! ([`quizbot::readiness::assess`]). Prints p50/p95/p99 and
//! `readiness_p95_ms=`; the target is 10 ms.

use std::time::Instant;

use chrono::{Duration, Utc};
use quizbot::identity::{ExternalId, Platform};
use quizbot::readiness::{self, Outlook};

#[path = "../tests/quizbot/support.rs"]
mod support;

use support::{percentile_ms, seed_cards, CardSeed, ScratchDatabase};

const CARDS_PER_PLAYER: i64 = 20;
const ZONE: chrono_tz::Tz = chrono_tz::Asia::Seoul;

#[tokio::main]
async fn main() {
    let mut url = support::postgres_admin_url();
    let mut players: i64 = 50_000;
    let mut rounds = 2_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| {
            args.next()
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| panic!("{what} N"))
        };
        match arg.as_str() {
            "--database-url" => url = args.next().expect("--database-url URL"),
            "--players" => players = number("--players"),
            "--rounds" => rounds = number("--rounds") as usize,
            _ => {}
        }
    }
    let content = support::shipped_content();
    let scratch = ScratchDatabase::create(&url, "readiness").await;
    let store = &scratch.store;
    let community = scratch.community(ZONE).await;
    let exam_on = (Utc::now() + Duration::days(14)).date_naive();
    store
        .set_review_settings(community.id, community.retention, Some(exam_on))
        .await
        .expect("an exam date");
    seed_cards(
        scratch.pool(),
        community.id,
        players,
        CARDS_PER_PLAYER,
        &content.bank,
        CardSeed {
            draws: "1 + random() * 59 AS stability,
                    now() - random() * interval '30 days' AS reviewed_at",
            answered_at: "reviewed_at",
            card: "stability, 5.0, reviewed_at, reviewed_at + stability * interval '1 day'",
        },
    )
    .await;

    let community = store
        .find_community(Platform::Discord, &ExternalId::new("bench"))
        .await
        .expect("read the community")
        .expect("the community");
    let mut times = Vec::with_capacity(rounds);
    let mut predicted = 0_u64;
    for round in 0..rounds {
        let user = format!("u{}", 1 + (round as i64 * 7919) % players);
        let player = support::seeded_player(store, &community, &user).await;
        let now = Utc::now();
        let outlook = Outlook {
            now,
            exam_at: community
                .exam_on
                .map(|day| quizbot::quiz::local_midnight(day, ZONE)),
            retention: community.retention,
        };
        let started = Instant::now();
        store
            .unsettled_mock_exams(Some(&player), now, 50)
            .await
            .expect("mock exams to settle");
        let cards = store.memory_cards(&player).await.expect("cards");
        let first_tries = store.first_tries(&player).await.expect("first tries");
        let assessed = readiness::assess(&content.bank, &cards, &first_tries, &outlook);
        times.push(started.elapsed());
        predicted += u64::from(assessed.predicted_score);
    }
    times.sort();
    println!(
        "readiness of {rounds} players ({CARDS_PER_PLAYER} cards each, mean prediction {}): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        predicted / rounds.max(1) as u64,
        percentile_ms(&times, 0.50),
        percentile_ms(&times, 0.95),
        percentile_ms(&times, 0.99)
    );
    println!("readiness_p95_ms={:.2}", percentile_ms(&times, 0.95));

    scratch.drop_database().await;
}
