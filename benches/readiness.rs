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
use quizbot::store::Store;
use sqlx::Connection;

#[path = "../tests/quizbot/support.rs"]
mod support;

use support::{percentile_ms, server_of};

const CARDS_PER_PLAYER: i64 = 20;
const ZONE: chrono_tz::Tz = chrono_tz::Asia::Seoul;

#[tokio::main]
async fn main() {
    let mut url = std::env::var("QUIZBOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
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
    let questions: Vec<(String, String)> = content
        .bank
        .askable(None)
        .map(|q| (q.id.clone(), q.topic.clone()))
        .collect();
    let server = server_of(&url);
    let scratch = format!("quizbot_readiness_{}", std::process::id());
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
    let exam_on = (Utc::now() + Duration::days(14)).date_naive();
    store
        .set_review_settings(community.id, community.retention, Some(exam_on))
        .await
        .expect("an exam date");

    let seeding = Instant::now();
    let ids: Vec<&str> = questions.iter().map(|(id, _)| id.as_str()).collect();
    let topics: Vec<&str> = questions.iter().map(|(_, t)| t.as_str()).collect();
    let n = questions.len() as i64;
    sqlx::query(&format!(
        "INSERT INTO players (community_id, external_id, display_name)
         SELECT {c}, 'u' || g, 'player ' || g FROM generate_series(1, {players}) g",
        c = community.id
    ))
    .execute(pg.pool())
    .await
    .expect("players");
    // Card k of player p is question (p * 7 + k * 13) mod n: 20 distinct
    // questions per player, spread over the bank and its domains.
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE seed AS
         SELECT p.id AS player_id, q.id AS question_id, q.topic,
                random() < 0.7 AS correct,
                1 + random() * 59 AS stability,
                now() - random() * interval '30 days' AS reviewed_at
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
                    CASE WHEN correct THEN 10 ELSE 0 END, reviewed_at
             FROM seed ORDER BY reviewed_at",
            c = community.id
        ),
        format!(
            "INSERT INTO review_cards (community_id, player_id, question_id, topic, stability,
                                       difficulty, reviewed_at, due_at, reps, lapses)
             SELECT {c}, player_id, question_id, topic, stability, 5.0, reviewed_at,
                    reviewed_at + stability * interval '1 day', 1,
                    CASE WHEN correct THEN 0 ELSE 1 END
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
        "seeded {cards} cards and answers of {players} players in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );

    let community = store
        .find_community(Platform::Discord, &ExternalId::new("bench"))
        .await
        .expect("read the community")
        .expect("the community");
    let mut times = Vec::with_capacity(rounds);
    let mut predicted = 0_u64;
    for round in 0..rounds {
        let user = format!("u{}", 1 + (round as i64 * 7919) % players);
        let player = store
            .find_player(&community, &ExternalId::new(user))
            .await
            .expect("player")
            .expect("a seeded player");
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

    if let Store::Postgres(pg) = store {
        pg.pool().close().await;
    }
    sqlx::query(&format!("DROP DATABASE \"{scratch}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop the scratch database");
}
