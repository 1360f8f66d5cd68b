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
use quizbot::identity::{ExternalId, Platform};
use quizbot::review;
use quizbot::store::Store;
use rand::SeedableRng;
use sqlx::Connection;

#[path = "../tests/quizbot/support.rs"]
mod support;

use support::{percentile_ms, server_of};

const PLAYERS: i64 = 50_000;
const CARDS_PER_PLAYER: i64 = 20;
const ZONE: chrono_tz::Tz = chrono_tz::Asia::Seoul;

#[tokio::main]
async fn main() {
    let mut url = std::env::var("QUIZBOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
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
    let questions: Vec<(String, String)> = content
        .bank
        .askable(None)
        .map(|q| (q.id.clone(), q.topic.clone()))
        .collect();
    let server = server_of(&url);
    let scratch = format!("quizbot_review_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("connect to the server");
    sqlx::query(&format!("CREATE DATABASE \"{scratch}\""))
        .execute(&mut admin)
        .await
        .expect("create the scratch database");
    let store = Store::connect(&format!("{server}/{scratch}"))
        .await
        .expect("store");
    let Store::Postgres(pg) = &store else {
        panic!("a Postgres URL is needed");
    };
    let community = store
        .community(Platform::Discord, &ExternalId::new("bench"), ZONE, "ko")
        .await
        .expect("community");

    let seeding = Instant::now();
    let ids: Vec<&str> = questions.iter().map(|(id, _)| id.as_str()).collect();
    let topics: Vec<&str> = questions.iter().map(|(_, t)| t.as_str()).collect();
    let n = questions.len() as i64;
    sqlx::query(&format!(
        "INSERT INTO players (community_id, external_id, display_name)
         SELECT {c}, 'u' || g, 'player ' || g FROM generate_series(1, {PLAYERS}) g",
        c = community.id
    ))
    .execute(pg.pool())
    .await
    .expect("players");
    // Card k of player p is question (p * 7 + k * 13) mod n: 20 distinct
    // questions per player, spread over the bank.
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE seed AS
         SELECT p.id AS player_id, q.id AS question_id, q.topic,
                random() < 0.7 AS correct,
                now() - interval '30 days' + random() * interval '60 days' AS due_at
         FROM players p
         CROSS JOIN generate_series(0, {CARDS_PER_PLAYER} - 1) k
         JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS q (id, topic, i)
           ON q.i - 1 = (p.id * 7 + k * 13) % {n}"
    ))
    .bind(&ids)
    .bind(&topics)
    .execute(pg.pool())
    .await
    .expect("seed");
    for statement in [
        format!(
            "INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                  points, answered_at)
             SELECT {c}, player_id, question_id, topic, '0', correct,
                    CASE WHEN correct THEN 10 ELSE 0 END, due_at - interval '3 days'
             FROM seed ORDER BY due_at",
            c = community.id
        ),
        format!(
            "INSERT INTO review_cards (community_id, player_id, question_id, topic, stability,
                                       difficulty, reviewed_at, due_at, reps, lapses)
             SELECT {c}, player_id, question_id, topic, 3.0, 5.0, due_at - interval '3 days',
                    due_at, 1, CASE WHEN correct THEN 0 ELSE 1 END
             FROM seed",
            c = community.id
        ),
        "DROP TABLE seed".to_string(),
        "VACUUM ANALYZE".to_string(),
    ] {
        sqlx::raw_sql(&statement)
            .execute(pg.pool())
            .await
            .expect("seed the cards");
    }
    let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM review_cards")
        .fetch_one(pg.pool())
        .await
        .expect("count");
    println!(
        "seeded {cards} cards and answers of {PLAYERS} players in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );

    let game = Game::new(&content, &store);
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut times = Vec::with_capacity(rounds);
    let mut due_sessions = 0;
    for round in 0..rounds {
        let user = format!("u{}", 1 + (round as i64 * 7919) % PLAYERS);
        let player = store
            .find_player(&community, &ExternalId::new(user))
            .await
            .expect("player")
            .expect("a seeded player");
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

    store_close(store).await;
    sqlx::query(&format!("DROP DATABASE \"{scratch}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop the scratch database");
}

async fn store_close(store: Store) {
    if let Store::Postgres(pg) = store {
        pg.pool().close().await;
    }
}
