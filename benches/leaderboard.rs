//! Leaderboard latency on Postgres with 1,000,000 answers from 50,000
//! players, for every period (and topic boards), through the store.
//!
//! cargo bench --bench leaderboard -- --database-url URL
//!
//! The answers, the players' running totals and the totals' steps are
//! seeded with SQL in the shape the store writes them (the answer path is
//! measured by `benches/answers.rs`); answers arrive in time order, as they
//! do live, over the 90 days up to the end of today, so today's board is a
//! whole day's. The queries are the store's own; each round asks for the top
//! 10 and the rank of a random player (who may not have played in the
//! period). Prints p50/p95 per board and how many of those callers were
//! ranked.

use std::time::{Duration, Instant};

use chrono::Utc;
use quizbot::quiz::{self, Period};
use quizbot::store::{BoardQuery, ExternalId, Platform, Store};
use sqlx::Connection;

const PLAYERS: i64 = 50_000;
const ANSWERS: i64 = 1_000_000;
const ROUNDS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn server_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].rfind('/') {
        Some(slash) => url[..after_scheme + slash].to_string(),
        None => url.to_string(),
    }
}

#[tokio::main]
async fn main() {
    let mut url = std::env::var("QUIZBOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--database-url" {
            url = args.next().expect("--database-url URL");
        }
    }
    let server = server_of(&url);
    let scratch = format!("quizbot_board_{}", std::process::id());
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
    let zone = chrono_tz::Asia::Seoul;
    let community = store
        .community(Platform::Discord, &ExternalId::new("bench"), zone, "ko")
        .await
        .expect("community");

    let seeding = Instant::now();
    let statements = [
        format!(
            "INSERT INTO players (community_id, external_id, display_name)
             SELECT {c}, 'u' || g, 'player ' || g FROM generate_series(1, {PLAYERS}) g",
            c = community.id
        ),
        format!(
            "INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                  points, answered_at, interaction_id)
             SELECT {c}, p.id, 'q' || (g % 228), 'topic-' || (g % 15), '0', r < 0.7,
                    CASE WHEN r < 0.7 THEN 10 ELSE 0 END, at, 'i' || g
             FROM (SELECT g, random() AS r, 1 + (random() * ({PLAYERS} - 1))::bigint AS n,
                          ((now() AT TIME ZONE '{z}')::date + 1)::timestamp AT TIME ZONE '{z}'
                              - interval '90 days' * (1 - g::float8 / {ANSWERS}) AS at
                   FROM generate_series(1, {ANSWERS}) g) x
             JOIN players p ON p.community_id = {c} AND p.external_id = 'u' || x.n
             ORDER BY at",
            c = community.id,
            z = zone.name()
        ),
        // Each player's totals, all topics ('') and per topic: all time and
        // the latest day, week and month they answered in.
        format!(
            "WITH local AS (
                 SELECT player_id, topic, points, correct::int AS correct,
                        (answered_at AT TIME ZONE '{z}')::date AS day
                 FROM answers
             ), scoped AS (
                 SELECT player_id, topic, points, correct, day FROM local
                 UNION ALL
                 SELECT player_id, '', points, correct, day FROM local
             ), latest AS (
                 SELECT topic, player_id, max(day) AS day,
                        date_trunc('week', max(day))::date AS week,
                        date_trunc('month', max(day))::date AS month
                 FROM scoped GROUP BY topic, player_id
             )
             INSERT INTO player_totals
             SELECT {c}, s.topic, s.player_id,
                    l.day, coalesce(sum(s.points) FILTER (WHERE s.day = l.day), 0),
                    count(*) FILTER (WHERE s.day = l.day),
                    coalesce(sum(s.correct) FILTER (WHERE s.day = l.day), 0),
                    l.week, coalesce(sum(s.points) FILTER (WHERE s.day >= l.week), 0),
                    count(*) FILTER (WHERE s.day >= l.week),
                    coalesce(sum(s.correct) FILTER (WHERE s.day >= l.week), 0),
                    l.month, coalesce(sum(s.points) FILTER (WHERE s.day >= l.month), 0),
                    count(*) FILTER (WHERE s.day >= l.month),
                    coalesce(sum(s.correct) FILTER (WHERE s.day >= l.month), 0),
                    sum(s.points), count(*), sum(s.correct)
             FROM scoped s JOIN latest l USING (topic, player_id)
             GROUP BY s.topic, s.player_id, l.day, l.week, l.month",
            c = community.id,
            z = zone.name()
        ),
        // The steps the store writes for those totals: one per scoring
        // answer, each worth 10 points, in the player's shard.
        "INSERT INTO period_steps (community_id, period, starts_on, topic, from_points, to_points,
                                   shard, players)
         SELECT t.community_id, p.period, p.starts_on, t.topic, to_points - 10, to_points,
                t.player_id % 16, count(*)
         FROM player_totals t
         CROSS JOIN LATERAL (VALUES ('d', t.day_on, t.day_points),
                                    ('w', t.week_on, t.week_points),
                                    ('m', t.month_on, t.month_points),
                                    ('a', DATE '2000-01-01', t.points)) AS p (period, starts_on, points)
         CROSS JOIN generate_series(10, p.points, 10) AS to_points
         GROUP BY t.community_id, p.period, p.starts_on, t.topic, to_points, t.player_id % 16"
            .to_string(),
        // As autovacuum would have by now: visibility maps for index-only scans.
        "VACUUM ANALYZE".to_string(),
    ];
    for statement in &statements {
        sqlx::query(statement)
            .execute(pg.pool())
            .await
            .expect("seed");
    }
    println!(
        "seeded {ANSWERS} answers from {PLAYERS} players in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );

    let today = quiz::local_day(Utc::now(), zone);
    let mut rng = fastrand::Rng::with_seed(7);
    let boards: Vec<(&str, Period, Option<&str>)> = vec![
        ("day", Period::Today, None),
        ("week", Period::Week, None),
        ("month", Period::Month, None),
        ("all", Period::AllTime, None),
        ("day topic-3", Period::Today, Some("topic-3")),
        ("all topic-3", Period::AllTime, Some("topic-3")),
        ("week topic-3", Period::Week, Some("topic-3")),
        ("month topic-3", Period::Month, Some("topic-3")),
    ];
    for (name, period, topic) in boards {
        let query = BoardQuery {
            community_id: community.id,
            period,
            topic,
            today,
            time_zone: zone,
            limit: 10,
        };
        let mut times = Vec::with_capacity(ROUNDS);
        let mut ranked = 0;
        for _ in 0..ROUNDS {
            let player = rng.i64(1..=PLAYERS);
            let started = Instant::now();
            let top = store.leaderboard(&query).await.expect("leaderboard");
            let mine = store.rank_of(&query, player).await.expect("rank");
            times.push(started.elapsed());
            ranked += usize::from(mine.is_some());
            std::hint::black_box((top, mine));
        }
        times.sort();
        println!(
            "leaderboard {name:<13} top 10 + own rank: p50={:.2} ms p95={:.2} ms \
             (callers ranked: {ranked}/{ROUNDS})",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
    }

    drop(store);
    let _ = sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)"
    ))
    .execute(&mut admin)
    .await;
}
