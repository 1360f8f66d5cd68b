//! Building a member's review session on Postgres with 1,000,000 card
//! states over 50,000 players, through the store and the review rules.
//!
//! cargo bench --bench review -- --database-url URL [--rounds N]
//!
//! Each player has 20 cards on questions of the shipped banks, due between
//! 30 days ago and 30 days ahead, and the answers that made them (one per
//! card, 70 % right), seeded with SQL in the shape the store writes them
//! (the answer path with its card update is measured by `benches/answers.rs`).
//! A round starts a review session of 10 for a random player as `/quiz
//! review` does ([`Game::start_review`]: the due cards, the player's history
//! and topic records, the plan, the session row) and times it. Prints
//! p50/p95/p99 and `review_session_p95_ms=`; the target is 5 ms.

use std::time::Instant;

use chrono::Utc;
use quizbot::game::Game;
use quizbot::review;
use rand::SeedableRng;

#[path = "../tests/quizbot/support.rs"]
mod support;

use support::{percentile_ms, seed_cards, CardSeed, ScratchDatabase};

const PLAYERS: i64 = 50_000;
const CARDS_PER_PLAYER: i64 = 20;
const ZONE: chrono_tz::Tz = chrono_tz::Asia::Seoul;

#[tokio::main]
async fn main() {
    let mut url = support::postgres_admin_url();
    let mut rounds = 2_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database-url" => url = args.next().expect("--database-url URL"),
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--rounds N")
            }
            _ => {}
        }
    }
    let content = support::shipped_content();
    let scratch = ScratchDatabase::create(&url, "review").await;
    let store = &scratch.store;
    let community = scratch.community(ZONE).await;
    seed_cards(
        scratch.pool(),
        community.id,
        PLAYERS,
        CARDS_PER_PLAYER,
        &content.bank,
        CardSeed {
            draws: "now() - interval '30 days' + random() * interval '60 days' AS due_at",
            answered_at: "due_at - interval '3 days'",
            card: "3.0, 5.0, due_at - interval '3 days', due_at",
        },
    )
    .await;

    let game = Game::new(&content, store);
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut times = Vec::with_capacity(rounds);
    let mut due_sessions = 0;
    for round in 0..rounds {
        let user = format!("u{}", 1 + (round as i64 * 7919) % PLAYERS);
        let player = support::seeded_player(store, &community, &user).await;
        let now = Utc::now();
        let until = review::horizon(now, None, ZONE);
        let started = Instant::now();
        let session = game
            .start_review(&player, 10, until, now, &mut rng)
            .await
            .expect("review");
        times.push(started.elapsed());
        due_sessions += usize::from(session.is_some());
    }
    times.sort();
    println!(
        "review session of 10, {rounds} players ({due_sessions} with cards due): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        percentile_ms(&times, 0.50),
        percentile_ms(&times, 0.95),
        percentile_ms(&times, 0.99)
    );
    println!("review_session_p95_ms={:.2}", percentile_ms(&times, 0.95));

    scratch.drop_database().await;
}
