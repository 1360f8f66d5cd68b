//! Leaderboard latency on Postgres with 1,000,000 answers from 50,000
//! players (or `--answers N` from `--players N`), for every period (and
//! topic boards), through the store.
//!
//! cargo bench --bench leaderboard -- [--database-url URL] [--players N] [--answers N]
//!
//! The answers and the players' running totals are seeded with SQL in the
//! shape the store writes them (the answer path is measured by
//! `benches/answers.rs`); answers arrive in time order, as they do live,
//! over the 90 days up to the end of today, so today's board is a whole
//! day's. The queries are the store's own; each round asks for the top 10
//! and the rank of a random player (who may not have played in the period).
//! Prints p50/p95 per board and how many of those callers were ranked.
//!
//! A rank sums the board's score histogram above the caller's score, and a
//! top reads the board's leaders: both as the last fold left them, plus the
//! changes answers appended since (the scheduler folds on every tick). So
//! every board is measured three times: after a vacuum, after 1% of the
//! players answered once more through the store (their changes not folded
//! yet), and after the fold. The first rounds of each board also check the
//! top against the whole board read in full and the rank against a count
//! of the players above (untimed).

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use quizbot::bank::{Difficulty, Question};
use quizbot::identity::ExternalId;
use quizbot::quiz::{self, Period};
use quizbot::store::{BoardQuery, NewAnswer, Store, BOARD_LEADERS};

#[path = "../tests/quizbot/support.rs"]
mod support;

use support::{percentile_ms, ScratchDatabase};

const ROUNDS: usize = 200;
/// The rounds of each board whose result is checked against a whole-board
/// reading.
const CHECKED_ROUNDS: usize = 3;
/// Each totals row `t`'s score `b.points` on each of its boards (`b.period`
/// from `b.starts_on`), as the migrations spell it.
const BOARD_SCORES: &str = "CROSS JOIN LATERAL (VALUES ('d'::\"char\", t.day_on, t.day_points),
                                            ('w', t.week_on, t.week_points),
                                            ('m', t.month_on, t.month_points),
                                            ('a', DATE 'epoch', t.points))
                         AS b (period, starts_on, points)";
/// The community's time zone.
const ZONE: chrono_tz::Tz = chrono_tz::Asia::Seoul;

#[tokio::main]
async fn main() {
    let mut url = std::env::var("QUIZBOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (mut players, mut answers) = (50_000_i64, 1_000_000_i64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut count = |name: &str| -> i64 {
            args.next()
                .and_then(|n| n.replace('_', "").parse().ok())
                .filter(|&n: &i64| n > 0)
                .unwrap_or_else(|| panic!("{name} N (a positive whole number)"))
        };
        match arg.as_str() {
            "--database-url" => url = args.next().expect("--database-url URL"),
            "--players" => players = count("--players"),
            "--answers" => answers = count("--answers"),
            _ => {}
        }
    }
    let scratch = ScratchDatabase::create(&url, "board").await;
    let (store, pool) = (&scratch.store, scratch.pool());
    let community = scratch.community(ZONE).await;

    let seeding = Instant::now();
    let statements = [
        format!(
            "INSERT INTO players (community_id, external_id, display_name)
             SELECT {c}, 'u' || g, 'player ' || g FROM generate_series(1, {players}) g",
            c = community.id
        ),
        format!(
            "INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                  points, answered_at, interaction_id)
             SELECT {c}, p.id, 'q' || (g % 228), 'topic-' || (g % 15), '0', r < 0.7,
                    CASE WHEN r < 0.7 THEN 10 ELSE 0 END, at, 'i' || g
             FROM (SELECT g, random() AS r, 1 + (random() * ({players} - 1))::bigint AS n,
                          ((now() AT TIME ZONE '{z}')::date + 1)::timestamp AT TIME ZONE '{z}'
                              - interval '90 days' * (1 - g::float8 / {answers}) AS at
                   FROM generate_series(1, {answers}) g) x
             JOIN players p ON p.community_id = {c} AND p.external_id = 'u' || x.n
             ORDER BY at",
            c = community.id,
            z = ZONE.name()
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
            z = ZONE.name()
        ),
        // The boards' histograms, as the migration builds them from totals.
        format!(
            "INSERT INTO board_points (community_id, topic, period, starts_on, points, players)
             SELECT t.community_id, t.topic, b.period, b.starts_on, b.points, count(*)
             FROM player_totals t
             {BOARD_SCORES}
             WHERE t.community_id = {c} AND b.points > 0
             GROUP BY t.community_id, t.topic, b.period, b.starts_on, b.points",
            c = community.id
        ),
        // The boards' leaders, as the migration picks them from totals.
        format!(
            "INSERT INTO board_leaders (community_id, topic, period, starts_on, player_id)
             SELECT community_id, topic, period, starts_on, player_id
             FROM (SELECT t.community_id, t.topic, b.period, b.starts_on, t.player_id,
                          row_number() OVER (
                              PARTITION BY t.community_id, t.topic, b.period, b.starts_on
                              ORDER BY b.points DESC, t.player_id) AS place
                   FROM player_totals t
                   {BOARD_SCORES}
                   WHERE t.community_id = {c} AND b.points > 0) ranked
             WHERE place <= {BOARD_LEADERS}",
            c = community.id
        ),
        // As autovacuum would have by now: visibility maps for index-only scans.
        "VACUUM ANALYZE".to_string(),
    ];
    for statement in &statements {
        sqlx::query(statement).execute(pool).await.expect("seed");
    }
    println!(
        "seeded {answers} answers from {players} players in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );

    let today = quiz::local_day(Utc::now(), ZONE);
    let histogram: i64 = sqlx::query_scalar("SELECT count(*) FROM board_points")
        .fetch_one(pool)
        .await
        .expect("histogram rows");
    println!("histograms: {histogram} rows (one per board and score)");
    measure(store, community.id, today, players, "after a vacuum").await;
    // 1% of the players answer once more, right, through the store: their
    // totals change and their moves on eight boards wait for the fold.
    let question = bench_question();
    let answering = Instant::now();
    for n in (42..=players).step_by(100) {
        let player = store
            .player(&community, &ExternalId::new(format!("u{n}")), "again")
            .await
            .expect("player");
        let grade = quiz::grade(&question, &[0]).expect("a well-formed answer");
        store
            .record_answer(
                &player,
                &NewAnswer {
                    interaction_id: Some(format!("again-{n}")),
                    ..NewAnswer::new(&question, grade, Utc::now())
                },
            )
            .await
            .expect("answer");
    }
    let changes: i64 = sqlx::query_scalar("SELECT count(*) FROM board_changes")
        .fetch_one(pool)
        .await
        .expect("changes");
    println!(
        "{} players answered in {:.1} s: {changes} changes to fold",
        players / 100,
        answering.elapsed().as_secs_f64()
    );
    measure(store, community.id, today, players, "1% answered since").await;
    let folding = Instant::now();
    let folded = store.fold_boards().await.expect("fold");
    println!(
        "fold: {folded} changes in {:.1} ms",
        folding.elapsed().as_secs_f64() * 1e3
    );
    measure(store, community.id, today, players, "after the fold").await;

    scratch.drop_database().await;
}

/// Every board's top 10 and a random caller's rank, `ROUNDS` times each:
/// prints p50/p95 per board. The first `CHECKED_ROUNDS` are checked
/// against the whole board.
async fn measure(store: &Store, community_id: i64, today: NaiveDate, players: i64, when: &str) {
    let Store::Postgres(pg) = store else {
        unreachable!("a Postgres store")
    };
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
            community_id,
            period,
            topic,
            today,
            time_zone: ZONE,
            periods_since: chrono::DateTime::UNIX_EPOCH,
            limit: 10,
        };
        let mut times = Vec::with_capacity(ROUNDS);
        let mut ranked = 0;
        for round in 0..ROUNDS {
            let player = rng.i64(1..=players);
            let started = Instant::now();
            let top = store.leaderboard(&query).await.expect("leaderboard");
            let mine = store.rank_of(&query, player).await.expect("rank");
            times.push(started.elapsed());
            ranked += usize::from(mine.is_some());
            if round < CHECKED_ROUNDS {
                // A list longer than the leaders reads every player on the board.
                let whole = BoardQuery {
                    limit: BOARD_LEADERS + 1,
                    ..query
                };
                let whole = store.leaderboard(&whole).await.expect("whole board");
                let shown = |board: &[quizbot::quiz::Ranked<quizbot::store::Standing>]| {
                    board
                        .iter()
                        .take(10)
                        .map(|r| (r.entry.player_id, r.rank, r.entry.points))
                        .collect::<Vec<_>>()
                };
                assert_eq!(shown(&top), shown(&whole), "{name}: the top 10, {when}");
                let counted: Option<i64> = sqlx::query_scalar(&counting_rank(period))
                    .bind(community_id)
                    .bind(topic.unwrap_or(""))
                    .bind(player)
                    .bind(period.start(today))
                    .fetch_optional(pg.pool())
                    .await
                    .expect("counted rank");
                assert_eq!(
                    mine.as_ref().map(|mine| mine.rank as i64),
                    counted,
                    "{name}: the histogram and the count disagree for player {player}, {when}"
                );
            }
        }
        times.sort();
        println!(
            "leaderboard {name:<13} top 10 + own rank, {when}: p50={:.2} ms p95={:.2} ms \
             (callers ranked: {ranked}/{ROUNDS})",
            percentile_ms(&times, 0.5),
            percentile_ms(&times, 0.95),
        );
    }
}

/// A rank by its definition: 1 + the players above, counted over the
/// board's rows of `player_totals`. Parameters: community, topic, player,
/// the period's first day.
fn counting_rank(period: Period) -> String {
    let (points, current) = match period {
        Period::Today => ("day_points", "AND {t}.day_on = $4"),
        Period::Week => ("week_points", "AND {t}.week_on = $4"),
        Period::Month => ("month_points", "AND {t}.month_on = $4"),
        Period::AllTime => ("points", "AND $4::date IS NOT NULL"),
    };
    let (mine, others) = (current.replace("{t}", "s"), current.replace("{t}", "o"));
    format!(
        "SELECT (SELECT count(*) FROM player_totals o
                 WHERE o.community_id = s.community_id AND o.topic = s.topic {others}
                   AND o.{points} > s.{points}) + 1
         FROM player_totals s
         WHERE s.community_id = $1 AND s.topic = $2 AND s.player_id = $3 {mine}"
    )
}

/// A question of topic-3 that no seeded answer answered.
fn bench_question() -> Question {
    Question {
        id: "bench-again".into(),
        topic: "topic-3".into(),
        prompt: "again?".into(),
        choices: vec!["a".into(), "b".into()],
        correct: vec![0],
        explanation: String::new(),
        sources: Vec::new(),
        difficulty: Difficulty::Easy,
        domain: None,
        retired: false,
        path: "bench.toml".into(),
        line: 1,
        id_position: quizbot::diagnostic::Position::START,
    }
}
