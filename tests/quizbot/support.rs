//! What the integration tests share: throwaway databases and content.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use quizbot::content::Content;
use quizbot::store::Store;

/// Runs each named `async fn name(db: &TestDatabase)` of the calling module
/// once against a fresh Postgres database (`postgres::name`) and once
/// against a fresh SQLite file (`sqlite::name`).
// Benches include this file without any test that uses it.
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::support::TestDatabase::postgres().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::support::TestDatabase::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
    };
}

/// A small Korean bank: the EC2 topic and its spot-instance question, a
/// literal for `concat!` (tests' banks start with it and add questions).
#[allow(unused_macros)]
macro_rules! ec2_spot_bank {
    () => {
        r#"[topic]
id = "ec2"
name = "EC2"

[[question]]
id = "ec2-spot"
prompt = "중단될 수 있지만 가장 싼 구매 옵션은?"
choices = ["온디맨드", "스팟 인스턴스", "예약 인스턴스", "전용 호스트"]
answer = 1
explanation = "스팟 인스턴스는 남는 용량을 싸게 씁니다."
"#
    };
}

/// The on-demand question to follow [`ec2_spot_bank`] in a bank.
#[allow(unused_macros)]
macro_rules! ec2_ondemand_question {
    () => {
        r#"
[[question]]
id = "ec2-ondemand"
prompt = "약정 없이 초 단위로 내는 구매 옵션은?"
choices = ["온디맨드", "스팟 인스턴스", "예약 인스턴스", "전용 호스트"]
answer = 0
explanation = "온디맨드는 약정이 없습니다."
"#
    };
}

/// The server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("QUIZBOT_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    name: Option<String>,
    /// Keeps a SQLite file's directory alive.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A fresh, empty Postgres database on the test server.
    pub async fn postgres() -> TestDatabase {
        use sqlx::Connection;
        let admin = postgres_admin_url();
        let name = format!("quizbot_t_{}_{}", std::process::id(), fastrand::u64(..));
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "cannot reach the test Postgres at {admin} ({err}); run scripts/test, which \
                 starts one, or set QUIZBOT_TEST_DATABASE_URL"
                )
            });
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let url = match admin.rfind('/') {
            Some(slash)
                if admin[..slash].contains("://") && slash > admin.find("://").unwrap() + 2 =>
            {
                let query = admin[slash..]
                    .find('?')
                    .map(|q| &admin[slash + q..])
                    .unwrap_or("");
                format!("{}/{name}{query}", &admin[..slash])
            }
            _ => format!("{}/{name}", admin.trim_end_matches('/')),
        };
        TestDatabase {
            url,
            name: Some(name),
            _dir: None,
        }
    }

    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("quizbot.db").display());
        TestDatabase {
            url,
            name: None,
            _dir: Some(dir),
        }
    }

    pub async fn store(&self) -> Store {
        Store::connect_with_pool(&self.url, 20)
            .await
            .unwrap_or_else(|err| panic!("connect to {}: {err}", self.url))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.name.take() else {
            return;
        };
        // Dropped outside any runtime's reach: a plain thread with its own.
        let admin = postgres_admin_url();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                });
            }
        })
        .join();
    }
}

/// The question ids of the cards due to `player` by `until` (ten at
/// most), in the store's order.
pub async fn due_ids(
    store: &Store,
    player: &quizbot::store::Player,
    until: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    store
        .due_cards(player, until, 10)
        .await
        .expect("due")
        .into_iter()
        .map(|d| d.question_id)
        .collect()
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped question banks and notes.
pub fn shipped_content() -> Content {
    let root = root();
    Content::load(&root.join("questions"), &root.join("notes"))
        .map(|(content, _)| content)
        .unwrap_or_else(|err| panic!("shipped content does not load: {err}"))
}

/// The content of one bank, `questions/ec2.toml`, with a bare EC2 note.
pub fn ec2_content(bank: &str) -> Content {
    let dir = write_tree(&[("questions/ec2.toml", bank), ("notes/ec2.md", "# EC2\n")]);
    let (content, _) =
        Content::load(&dir.path().join("questions"), &dir.path().join("notes")).expect("content");
    content
}

/// As many choices as the question wants, not all of them right.
pub fn wrong_choices(question: &quizbot::bank::Question) -> Vec<usize> {
    let wrong: Vec<usize> = (0..question.choices.len())
        .filter(|i| !question.correct.contains(i))
        .collect();
    let mut chosen = vec![wrong[0]];
    chosen.extend(question.correct.iter().take(question.picks() - 1));
    chosen.sort_unstable();
    chosen
}

/// Runs the `quizbot` binary in `dir` as someone at a terminal who types
/// `input`: scores in `dir`'s `scores.db`, in Korean, with no config file
/// or time zone from the environment, and `env` on top.
pub fn terminal_quizbot(
    dir: &Path,
    args: &[&str],
    input: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", "sqlite:scores.db")
        .env("QUIZBOT_LOCALE", "ko")
        .env_remove("QUIZBOT_CONFIG")
        .env_remove("QUIZBOT_TIMEZONE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start quizbot");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("type the answers");
    child.wait_with_output().expect("quizbot finishes")
}

/// Writes `files` (relative path, text) under a new temporary directory.
pub fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write fixture");
    }
    dir
}

pub fn path_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// The `p` quantile of `sorted` durations, in milliseconds (benches).
pub fn percentile_ms(sorted: &[std::time::Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// `postgres://user@host:port` of a database URL, without the database
/// (benches create their own scratch database on the same server).
pub fn server_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].rfind('/') {
        Some(slash) => url[..after_scheme + slash].to_string(),
        None => url.to_string(),
    }
}

/// A PNG's width, height and how many distinct colours it has; panics
/// when the bytes are not a PNG.
pub fn decode_png(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("the bytes start a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a PNG's size")];
    let info = reader.next_frame(&mut pixels).expect("the PNG decodes");
    let channels = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = pixels[..info.buffer_size()]
        .chunks_exact(channels)
        .collect();
    (info.width, info.height, colours.len())
}

/// How many live answers were recorded for the leaderboards.
pub async fn live_answers_recorded(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM answers WHERE interaction_id LIKE 'live:%'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Moves a posted live question's time back so that its deadline is now,
/// as if its seconds had passed: its post, its deadline and its answers
/// all move by the same amount, so speed bonuses stay what they were.
pub async fn live_deadline_now(url: &str, row: i64) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to the test database");
    let shift: sqlx::postgres::types::PgInterval =
        sqlx::query_scalar("SELECT deadline_at - now() FROM live_questions WHERE id = $1")
            .bind(row)
            .fetch_one(&mut conn)
            .await
            .expect("a posted live question");
    sqlx::query("UPDATE live_answers SET answered_at = answered_at - $2 WHERE question_id = $1")
        .bind(row)
        .bind(shift)
        .execute(&mut conn)
        .await
        .expect("move the answers back");
    sqlx::query(
        "UPDATE live_questions SET posted_at = posted_at - $2, deadline_at = deadline_at - $2
         WHERE id = $1",
    )
    .bind(row)
    .bind(shift)
    .execute(&mut conn)
    .await
    .expect("move the question back");
}

/// The service `quizbot serve` runs, with the pool it opens and its
/// default settings, over the shipped content and the database at `url`.
pub async fn serve_service(url: &str) -> quizbot::service::Service {
    use quizbot::content::SharedContent;
    use quizbot::service::{Service, ServiceSettings};
    let store = Store::connect(url)
        .await
        .expect("connect to the scratch database");
    Service::new(
        SharedContent::new(shipped_content()),
        store,
        ServiceSettings::default(),
    )
}

/// Prints the machine's load average and core count (a bench's tail
/// shows other work on the machine).
pub fn print_load() {
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!(
            "load average (1/5/15 min): {} on {} cores",
            load.join(" "),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
    }
}

/// A bench's options, or its complaint about them on stderr and exit
/// code 2.
pub fn bench_options<O>(bench: &str, parsed: Result<O, String>) -> O {
    parsed.unwrap_or_else(|err| {
        eprintln!("{bench} bench: {err}");
        std::process::exit(2)
    })
}

/// The runtime a bench runs on, its scratch databases on the server of
/// `database_url` when given (else as the tests choose theirs).
pub fn bench_runtime(database_url: Option<&str>) -> tokio::runtime::Runtime {
    if let Some(url) = database_url {
        std::env::set_var("QUIZBOT_TEST_DATABASE_URL", url);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A bench's own database on the server of a `--database-url`, dropped
/// again by [`ScratchDatabase::drop_database`].
pub struct ScratchDatabase {
    /// The server's `postgres` database, to drop the scratch one from.
    admin: sqlx::PgConnection,
    name: String,
    pub store: Store,
}

impl ScratchDatabase {
    /// Creates `quizbot_<bench>_<pid>` on the server of `url` and opens
    /// the store on it; panics when `url` is not Postgres.
    pub async fn create(url: &str, bench: &str) -> ScratchDatabase {
        use sqlx::Connection;
        let server = server_of(url);
        let name = format!("quizbot_{bench}_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .expect("connect to the server");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create the scratch database");
        let store = Store::connect(&format!("{server}/{name}"))
            .await
            .expect("store");
        if !matches!(store, Store::Postgres(_)) {
            panic!("a Postgres URL is needed");
        }
        ScratchDatabase { admin, name, store }
    }

    /// The bench's community: a Discord server in `zone`, in Korean.
    pub async fn community(&self, zone: chrono_tz::Tz) -> quizbot::store::Community {
        use quizbot::identity::{ExternalId, Platform};
        self.store
            .community(Platform::Discord, &ExternalId::new("bench"), zone, "ko")
            .await
            .expect("community")
    }

    /// The store's pool, for seeding with SQL.
    pub fn pool(&self) -> &sqlx::PgPool {
        match &self.store {
            Store::Postgres(pg) => pg.pool(),
            Store::Sqlite(_) => unreachable!("created on Postgres"),
        }
    }

    /// Closes the store and drops the database.
    pub async fn drop_database(mut self) {
        self.pool().close().await;
        sqlx::query(&format!("DROP DATABASE \"{}\" WITH (FORCE)", self.name))
            .execute(&mut self.admin)
            .await
            .expect("drop the scratch database");
    }
}

/// A player [`seed_cards`] seeded (`u1`, `u2`, …).
pub async fn seeded_player(
    store: &Store,
    community: &quizbot::store::Community,
    user: &str,
) -> quizbot::store::Player {
    store
        .find_player(community, &quizbot::identity::ExternalId::new(user))
        .await
        .expect("player")
        .expect("a seeded player")
}

/// How a bench's review cards are drawn: SQL over a `seed` row of
/// `player_id`, `question_id`, `topic` and `correct` and the columns of
/// `draws`.
pub struct CardSeed<'a> {
    /// More columns of a seed row, `… AS name` each (random draws).
    pub draws: &'a str,
    /// When the answer that made the card came.
    pub answered_at: &'a str,
    /// The card's `stability, difficulty, reviewed_at, due_at`.
    pub card: &'a str,
}

/// Seeds `players` players (`u1`, `u2`, …) of community `community` with
/// `cards_per_player` review cards each on the askable questions of `bank` and
/// the answer that made each card (70 % right), in the shape the store
/// writes them; prints how long it took.
pub async fn seed_cards(
    pool: &sqlx::PgPool,
    community: i64,
    players: i64,
    cards_per_player: i64,
    bank: &quizbot::bank::Bank,
    seed: CardSeed<'_>,
) {
    let seeding = std::time::Instant::now();
    let ids: Vec<&str> = bank.askable(None).map(|q| q.id.as_str()).collect();
    let topics: Vec<&str> = bank.askable(None).map(|q| q.topic.as_str()).collect();
    let n = ids.len() as i64;
    sqlx::query(&format!(
        "INSERT INTO players (community_id, external_id, display_name)
         SELECT {community}, 'u' || g, 'player ' || g FROM generate_series(1, {players}) g"
    ))
    .execute(pool)
    .await
    .expect("players");
    // Card k of player p is question (p * 7 + k * 13) mod n: distinct
    // questions per player, spread over the bank and its domains.
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE seed AS
         SELECT p.id AS player_id, q.id AS question_id, q.topic,
                random() < 0.7 AS correct,
                {draws}
         FROM players p
         CROSS JOIN generate_series(0, {cards_per_player} - 1) k
         JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS q (id, topic, i)
           ON q.i - 1 = (p.id * 7 + k * 13) % {n}",
        draws = seed.draws
    ))
    .bind(&ids)
    .bind(&topics)
    .execute(pool)
    .await
    .expect("seed");
    for statement in [
        format!(
            "INSERT INTO answers (community_id, player_id, question_id, topic, choices, correct,
                                  points, answered_at)
             SELECT {community}, player_id, question_id, topic, '0', correct,
                    CASE WHEN correct THEN 10 ELSE 0 END, {answered_at}
             FROM seed ORDER BY {answered_at}",
            answered_at = seed.answered_at
        ),
        format!(
            "INSERT INTO review_cards (community_id, player_id, question_id, topic, stability,
                                       difficulty, reviewed_at, due_at, reps, lapses)
             SELECT {community}, player_id, question_id, topic, {card}, 1,
                    CASE WHEN correct THEN 0 ELSE 1 END
             FROM seed",
            card = seed.card
        ),
        "DROP TABLE seed".to_string(),
        "VACUUM ANALYZE".to_string(),
    ] {
        sqlx::raw_sql(&statement)
            .execute(pool)
            .await
            .expect("seed the cards");
    }
    let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM review_cards")
        .fetch_one(pool)
        .await
        .expect("count");
    println!(
        "seeded {cards} cards and answers of {players} players in {:.1}s",
        seeding.elapsed().as_secs_f64()
    );
}
