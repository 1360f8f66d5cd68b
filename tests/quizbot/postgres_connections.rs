//! The Postgres store when the server ends its sessions (a restart, an
//! administrator): the pool hands out connections in steady use without
//! pinging them, so an answer that meets a closed one runs again on another
//! when its unique key makes that safe, is recorded once, and scores once.

use quizbot::quiz;
use quizbot::store::{BoardQuery, NewAnswer, Player, Recorded, Store};
use sqlx::Connection;

use crate::store_contract::{at, question, Fixture};
use crate::support::{postgres_admin_url, TestDatabase};

/// The store's database, by name.
async fn database_of(store: &Store) -> String {
    let Store::Postgres(pg) = store else {
        panic!("a Postgres store");
    };
    sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pg.pool())
        .await
        .expect("the database's name")
}

/// Ends every session of `database` but the caller's.
async fn end_sessions(database: &str) -> u64 {
    let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .expect("an admin connection");
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(database)
    .fetch_all(&mut admin)
    .await
    .expect("end the sessions");
    ended.into_iter().filter(|&ended| ended).count() as u64
}

async fn answer(
    store: &Store,
    player: &Player,
    id: &str,
    interaction: Option<&str>,
) -> Result<Recorded, quizbot::store::StoreError> {
    let q = question(id, "ec2", &[0]);
    store
        .record_answer(
            player,
            &NewAnswer {
                interaction_id: interaction.map(str::to_string),
                ..NewAnswer::new(
                    &q,
                    quiz::grade(&q, &[0]).expect("a grade"),
                    at("2026-03-02T01:00:00Z"),
                )
            },
        )
        .await
}

#[tokio::test]
async fn an_answer_that_meets_a_closed_connection_is_recorded_once() {
    let db = TestDatabase::postgres().await;
    let fixture = Fixture::new(&db, chrono_tz::Asia::Seoul).await;
    let ana = fixture.player("ana").await;
    let Fixture { store, community } = fixture;
    // Several connections in the pool, all just used.
    let warm: Vec<_> = (0..4)
        .map(|i| {
            let (store, ana) = (store.clone(), ana.clone());
            tokio::spawn(async move {
                answer(&store, &ana, &format!("warm{i}"), Some(&format!("w{i}"))).await
            })
        })
        .collect();
    for task in warm {
        task.await.expect("a task").expect("a warm-up answer");
    }

    let database = database_of(&store).await;
    assert!(end_sessions(&database).await > 0, "the pool had sessions");
    let recorded = answer(&store, &ana, "q1", Some("i1"))
        .await
        .expect("recorded on another connection");
    assert!(
        matches!(recorded, Recorded::New { points: 10, .. }),
        "{recorded:?}"
    );

    // Once the pool's connections sat idle a moment, it pings them before
    // handing one out and replaces the closed ones: any statement works,
    // an answer without a unique key too.
    assert!(end_sessions(&database).await > 0);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let keyless = answer(&store, &ana, "q2", None)
        .await
        .expect("a live connection after the idle ping");
    assert!(
        matches!(keyless, Recorded::New { points: 10, .. }),
        "{keyless:?}"
    );

    // Four warm-up answers, q1 and q2, each once.
    let board = store
        .leaderboard(&BoardQuery {
            community_id: community.id,
            period: quiz::Period::AllTime,
            topic: None,
            today: at("2026-03-02T01:00:00Z").date_naive(),
            time_zone: chrono_tz::Asia::Seoul,
            periods_since: chrono::DateTime::UNIX_EPOCH,
            limit: 10,
        })
        .await
        .expect("the board");
    assert_eq!(board.len(), 1);
    assert_eq!(board[0].entry.points, 60);
    assert_eq!(board[0].entry.answered, 6);
}
