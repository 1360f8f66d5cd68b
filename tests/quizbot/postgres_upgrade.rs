//! Upgrading a Postgres database an earlier release filled: the migration
//! that moves the totals from `period_scores` to `player_totals` rebuilds
//! them from the answers, so every board and rank reads as before, topic
//! boards by day, week and month included, and answers keep adding up; the
//! migration that adds review cards builds them from the same answers.

use chrono::NaiveDate;
use quizbot::identity::{ExternalId, Platform};
use quizbot::quiz::{self, Period};
use quizbot::store::{BoardQuery, NewAnswer, Store};
use sqlx::PgPool;

use crate::store_contract::{at, question};
use crate::support::{due_ids, TestDatabase};

/// The migrations of the release before `player_totals`.
const EARLIER: [&str; 3] = ["0001_scores.sql", "0002_daily.sql", "0003_period_steps.sql"];

/// Rows as that release wrote them: answers, their totals per period and
/// topic (`period_scores`), one step per total.
const EARLIER_ROWS: &str = "
INSERT INTO communities (id, platform, external_id, time_zone, locale)
VALUES (1, 'discord', 'guild', 'Asia/Seoul', 'ko');
INSERT INTO players (id, community_id, external_id, display_name)
VALUES (1, 1, 'ana', 'ana'), (2, 1, 'bob', 'bob'), (3, 1, 'cy', 'cy');
-- Monday 2026-03-02 and Monday 2026-03-09 in Seoul (01:00 UTC is 10:00 there);
-- cy's answer is 2026-03-08 23:30 in Seoul: Sunday, the week before.
INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct, points,
                     answered_at)
VALUES (1, 1, 'q1', 'ec2', '0', true, 10, '2026-03-02T01:00:00Z'),
       (1, 1, 'q2', 'ec2', '0', true, 10, '2026-03-09T01:00:00Z'),
       (1, 1, 'q3', 's3', '1', false, 0, '2026-03-09T01:05:00Z'),
       (1, 2, 'q1', 'ec2', '0', true, 10, '2026-03-09T02:00:00Z'),
       (1, 2, 'q2', 'ec2', '0', true, 10, '2026-03-09T02:01:00Z'),
       (1, 3, 'q4', 's3', '0', true, 10, '2026-03-08T14:30:00Z');
INSERT INTO period_scores (community_id, period, starts_on, topic, player_id, points, answered,
                           correct)
SELECT 1, v.period, v.starts_on, v.topic, a.player_id, sum(a.points), count(*),
       count(*) FILTER (WHERE a.correct)
FROM answers a
CROSS JOIN LATERAL (
    SELECT (a.answered_at AT TIME ZONE 'Asia/Seoul')::date AS day
) d
CROSS JOIN LATERAL (VALUES ('d', d.day, ''),
                           ('w', date_trunc('week', d.day)::date, ''),
                           ('m', date_trunc('month', d.day)::date, ''),
                           ('a', DATE '2000-01-01', ''),
                           ('a', DATE '2000-01-01', a.topic)) AS v (period, starts_on, topic)
GROUP BY v.period, v.starts_on, v.topic, a.player_id;
INSERT INTO period_steps (community_id, period, starts_on, topic, from_points, to_points, shard,
                          players)
SELECT community_id, period, starts_on, topic, 0, points, player_id % 16, count(*)
FROM period_scores WHERE points > 0
GROUP BY community_id, period, starts_on, topic, points, player_id % 16;
";

async fn fill_as_the_earlier_release(url: &str) {
    let earlier = tempfile::tempdir().expect("temp dir");
    let shipped = crate::support::root().join("migrations/postgres");
    for name in EARLIER {
        std::fs::copy(shipped.join(name), earlier.path().join(name)).expect("copy a migration");
    }
    let pool = PgPool::connect(url).await.expect("connect");
    sqlx::migrate::Migrator::new(earlier.path())
        .await
        .expect("the earlier migrations")
        .run(&pool)
        .await
        .expect("apply the earlier migrations");
    sqlx::raw_sql(EARLIER_ROWS)
        .execute(&pool)
        .await
        .expect("rows as the earlier release wrote them");
    pool.close().await;
}

/// The board `period`/`topic` on `today` as (name, rank, points).
async fn board(
    store: &Store,
    community_id: i64,
    period: Period,
    topic: Option<&str>,
    today: NaiveDate,
) -> Vec<(String, usize, i64)> {
    let query = BoardQuery {
        community_id,
        period,
        topic,
        today,
        time_zone: chrono_tz::Asia::Seoul,
        periods_since: chrono::DateTime::UNIX_EPOCH,
        limit: 10,
    };
    let top = store.leaderboard(&query).await.expect("leaderboard");
    let mut ranked = Vec::new();
    for standing in top {
        let own = store
            .rank_of(&query, standing.entry.player_id)
            .await
            .expect("rank")
            .expect("a player on the board has a rank");
        assert_eq!(
            own.rank, standing.rank,
            "{period:?} {topic:?}: rank_of agrees"
        );
        ranked.push((
            standing.entry.display_name,
            standing.rank,
            standing.entry.points,
        ));
    }
    ranked
}

fn expect(list: &[(&str, usize, i64)]) -> Vec<(String, usize, i64)> {
    list.iter()
        .map(|(n, r, p)| (n.to_string(), *r, *p))
        .collect()
}

#[tokio::test]
async fn boards_and_ranks_survive_the_move_to_player_totals() {
    let db = TestDatabase::postgres().await;
    fill_as_the_earlier_release(&db.url).await;
    let store = Store::connect(&db.url).await.expect("upgrade on connect");
    let community = store
        .community(
            Platform::Discord,
            &ExternalId::new("guild"),
            chrono_tz::Asia::Seoul,
            "ko",
        )
        .await
        .expect("the community");
    let c = community.id;
    let monday = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();

    assert_eq!(
        board(&store, c, Period::AllTime, None, monday).await,
        expect(&[("ana", 1, 20), ("bob", 1, 20), ("cy", 3, 10)])
    );
    assert_eq!(
        board(&store, c, Period::Today, None, monday).await,
        expect(&[("bob", 1, 20), ("ana", 2, 10)]),
        "ana's wrong s3 answer counts as answered, not as points"
    );
    assert_eq!(
        board(&store, c, Period::Week, None, monday).await,
        expect(&[("bob", 1, 20), ("ana", 2, 10)]),
        "cy's Sunday answer was the week before"
    );
    assert_eq!(
        board(&store, c, Period::Month, None, monday).await,
        expect(&[("ana", 1, 20), ("bob", 1, 20), ("cy", 3, 10)])
    );
    assert_eq!(
        board(&store, c, Period::Week, Some("ec2"), monday).await,
        expect(&[("bob", 1, 20), ("ana", 2, 10)])
    );
    assert_eq!(
        board(&store, c, Period::Week, Some("s3"), monday).await,
        expect(&[]),
        "a topic's week holds only that week's answers: ana's one s3 answer this week \
         was wrong, and a board lists only players with points"
    );
    assert_eq!(
        board(&store, c, Period::AllTime, Some("s3"), monday).await,
        expect(&[("cy", 1, 10)])
    );

    // Review cards are built from the stored answers, so the group starts
    // with a real queue: ana's miss is due ten minutes after it, her right
    // answers days after each.
    let ana = store
        .player(&community, &ExternalId::new("ana"), "ana")
        .await
        .expect("ana");
    let ids: Vec<String> = ["q1", "q2", "q3"].iter().map(|s| s.to_string()).collect();
    let cards = store.cards(&ana, &ids).await.expect("cards");
    assert_eq!(cards.len(), 3);
    let missed = cards.iter().find(|c| c.question_id == "q3").expect("q3");
    assert_eq!(
        missed.state.due_at,
        at("2026-03-09T01:05:00Z") + quizbot::review::RELEARN_STEP
    );
    assert_eq!(
        due_ids(&store, &ana, at("2026-03-09T02:00:00Z")).await,
        ["q1", "q3"],
        "q1, right a week before, came due first; q2, right an hour ago, is days away"
    );
    assert_eq!(store.review_log(&ana).await.expect("log").len(), 3);
    // Connecting again finds nothing left to build.
    drop(store);
    let store = Store::connect(&db.url).await.expect("connect again");
    assert_eq!(store.review_log(&ana).await.expect("log").len(), 3);

    // Answers after the upgrade add to the rebuilt totals.
    let q5 = question("q5", "ec2", &[0]);
    let grade = quiz::grade(&q5, &[0]).expect("an answer");
    store
        .record_answer(
            &ana,
            &NewAnswer::new(&q5, grade, at("2026-03-09T03:00:00Z")),
        )
        .await
        .expect("record");
    assert_eq!(
        board(&store, c, Period::Week, Some("ec2"), monday).await,
        expect(&[("ana", 1, 20), ("bob", 1, 20)])
    );
    assert_eq!(
        board(&store, c, Period::AllTime, None, monday).await,
        expect(&[("ana", 1, 30), ("bob", 2, 20), ("cy", 3, 10)])
    );
}
