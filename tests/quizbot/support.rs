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
