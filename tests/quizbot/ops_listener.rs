//! `quizbot serve` as an operator runs it: real processes against the
//! loopback Discord, read through the ops listener (`/healthz`, `/readyz`,
//! `/metrics`), sharded across two processes, stopped with SIGTERM in the
//! middle of an answer, and with its Postgres stopped under it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fake_discord::{FakeDiscord, Member};
use crate::support::{root, TestDatabase};

const PATIENCE: Duration = Duration::from_secs(20);

/// A `quizbot serve` process and its ops listener; killed when dropped.
struct Server {
    child: Child,
    ops: OpsListener,
}

/// The ops listener of a `quizbot serve`, as a probe or Prometheus sees it.
struct OpsListener {
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address no one listens on now.
fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("local address");
    format!("127.0.0.1:{}", addr.port())
}

impl Server {
    /// `quizbot serve` on Discord (the fake), with `env` added.
    fn start(fake: &FakeDiscord, database_url: &str, env: &[(&str, &str)]) -> Server {
        let root = root();
        let addr = free_addr();
        let mut command = Command::new(env!("CARGO_BIN_EXE_quizbot"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("QUIZBOT_QUESTIONS", root.join("questions"))
            .env("QUIZBOT_NOTES", root.join("notes"))
            .env("QUIZBOT_HTTP_ADDR", &addr)
            .env("QUIZBOT_LOG", "quizbot=info")
            .env("DISCORD_TOKEN", &fake.token)
            .env("DISCORD_API_BASE", &fake.base)
            .env("DISCORD_GUILD_ID", fake.guild_id.to_string())
            .envs(env.iter().copied())
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let child = command.spawn().expect("start quizbot serve");
        Server {
            child,
            ops: OpsListener { addr },
        }
    }
}

impl OpsListener {
    /// `GET path` on the ops listener: the status and the body.
    async fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await.ok()?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: quizbot\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.ok()?;
        let status = response.split(' ').nth(1)?.parse().ok()?;
        let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        Some((status, body.to_string()))
    }

    /// Polls `path` until its status is `status`; the body then.
    async fn wait_status(&self, path: &str, status: u16) -> String {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < PATIENCE {
            match self.get(path).await {
                Some((got, body)) if got == status => return body,
                other => last = other,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{path} did not answer {status} within {PATIENCE:?}; last: {last:?}");
    }

    /// The value of the metric line `name{…}` holding every label given
    /// (0 when the series does not exist yet).
    async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let body = self.wait_status("/metrics", 200).await;
        metric_in(&body, name, labels)
    }
}

fn metric_in(body: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    body.lines()
        .filter(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(k, v)| line.contains(&format!("{k}=\"{v}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_by_exactly_the_interactions_sent() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::postgres().await;
    let server = Server::start(&fake, &db.url, &[]);
    assert_eq!(server.ops.wait_status("/healthz", 200).await, "ok");
    fake.wait_sessions(1).await;
    fake.wait_registration(1).await;
    server.ops.wait_status("/readyz", 200).await;

    let discord = |kind| [("platform", "discord"), ("kind", kind)];
    let commands = server
        .ops
        .metric("quizbot_interactions_total", &discord("command"))
        .await;
    let clicks = server
        .ops
        .metric("quizbot_interactions_total", &discord("component"))
        .await;
    let answers = server
        .ops
        .metric("quizbot_answers_total", &[("mode", "quiz")])
        .await;

    let alice = Member::new(501, "Alice");
    let bora = Member::new(502, "Bora");
    for member in [&alice, &bora] {
        let card = fake.quiz_one(member, "security").await;
        let mut answered = fake.answer_first_choice(member, &card);
        answered.reply().await;
        // The same click delivered again: one more interaction, answered
        // with the first answer, scored once.
        if member.id == bora.id {
            fake.redeliver(&answered);
            answered.reply().await;
        }
    }

    let moved = |after: f64, before: f64| after - before;
    assert_eq!(
        moved(
            server
                .ops
                .metric("quizbot_interactions_total", &discord("command"))
                .await,
            commands
        ),
        2.0
    );
    assert_eq!(
        moved(
            server
                .ops
                .metric("quizbot_interactions_total", &discord("component"))
                .await,
            clicks
        ),
        3.0
    );
    let quiz_answers = |result| [("mode", "quiz"), ("result", result)];
    let right = server
        .ops
        .metric("quizbot_answers_total", &quiz_answers("right"))
        .await;
    let wrong = server
        .ops
        .metric("quizbot_answers_total", &quiz_answers("wrong"))
        .await;
    let duplicate = server
        .ops
        .metric("quizbot_answers_total", &quiz_answers("duplicate"))
        .await;
    assert_eq!(right + wrong + duplicate - answers, 3.0);
    assert_eq!(duplicate, 1.0);
    let body = server.ops.wait_status("/metrics", 200).await;
    assert!(
        body.contains("quizbot_interaction_seconds_bucket{"),
        "handling time is a histogram:\n{body}"
    );
    assert!(
        metric_in(&body, "quizbot_database_connections", &[("state", "idle")]) >= 1.0,
        "the pool's connections are shown:\n{body}"
    );
    let (status, _) = server.ops.get("/nowhere").await.expect("a response");
    assert_eq!(status, 404);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_handle_each_interaction_exactly_once() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::postgres().await;
    // Creates the tables before the two servers race to.
    drop(db.store().await);
    let shard_zero = Server::start(
        &fake,
        &db.url,
        &[
            ("QUIZBOT_DISCORD_SHARDS", "2"),
            ("QUIZBOT_DISCORD_SHARD_ID", "0"),
        ],
    );
    // The second finds its shard in its StatefulSet pod name.
    let shard_one = Server::start(
        &fake,
        &db.url,
        &[("QUIZBOT_DISCORD_SHARDS", "2"), ("HOSTNAME", "quizbot-1")],
    );
    fake.wait_sessions(2).await;
    fake.wait_registration(1).await;
    for server in [&shard_zero, &shard_one] {
        server.ops.wait_status("/readyz", 200).await;
    }
    let mut shards = fake.shards();
    shards.sort_unstable();
    assert_eq!(shards, vec![(0, 2), (1, 2)]);

    let mut members = Vec::new();
    for (shard, count) in [(0, 2), (1, 3)] {
        let guild = fake.guild_on_shard(shard, 2);
        for n in 0..count {
            let mut member = Member::new(600 + shard * 10 + n, "Member");
            member.guild = Some(guild);
            members.push(member);
        }
    }
    for member in &members {
        let card = fake.quiz_one(member, "security").await;
        let mut answered = fake.answer_first_choice(member, &card);
        answered.reply().await;
        assert!(
            answered.no_reply_within(Duration::from_millis(200)).await,
            "one reply per interaction"
        );
    }

    // Each server counted the commands of its own server's members only.
    let commands = [("platform", "discord"), ("kind", "command")];
    for (server, expected) in [(&shard_zero, 2.0), (&shard_one, 3.0)] {
        let counted = server
            .ops
            .metric("quizbot_interactions_total", &commands)
            .await;
        assert_eq!(counted, expected, "commands on {}", server.ops.addr);
    }
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
    let (answers,): (i64,) = sqlx::query_as("SELECT count(*) FROM answers")
        .fetch_one(&pool)
        .await
        .expect("count answers");
    assert_eq!(answers, 5);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_in_the_middle_of_an_answer_records_it_once_then_exits() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::postgres().await;
    let mut server = Server::start(&fake, &db.url, &[]);
    fake.wait_sessions(1).await;
    fake.wait_registration(1).await;
    server.ops.wait_status("/readyz", 200).await;
    let alice = Member::new(701, "Alice");
    let card = fake.quiz_one(&alice, "security").await;

    // Hold every insert into `answers` so the answer is mid-way when the
    // signal arrives.
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
    let mut holder = pool.begin().await.expect("begin");
    sqlx::query("LOCK TABLE answers IN EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await
        .expect("lock answers");
    let mut answered = fake.answer_first_choice(&alice, &card);
    let started = Instant::now();
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&pool)
        .await
        .expect("read pg_stat_activity");
        if waiting > 0 {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the answer never reached the database"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().expect("poll the server").is_none(),
        "the server waits for the answer in progress"
    );
    holder.rollback().await.expect("release the lock");

    let feedback = answered.reply().await;
    assert!(
        feedback.custom_ids().iter().any(|id| id.ends_with(":flag")),
        "the member got the feedback: {:?}",
        feedback.data
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("poll the server") {
            break status;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the server did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status:?}");
    let (answers,): (i64,) = sqlx::query_as("SELECT count(*) FROM answers")
        .fetch_one(&pool)
        .await
        .expect("count answers");
    assert_eq!(answers, 1);
}

/// A Postgres cluster of the test's own, on its own port, that the test
/// can stop and start.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .max()
            .unwrap_or_else(|| {
                panic!(
                    "this test starts a Postgres of its own and needs initdb and pg_ctl under \
                     /usr/lib/postgresql/*/bin: install the postgresql package"
                )
            });
        let dir = tempfile::tempdir().expect("cluster directory");
        let port = free_addr()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        let cluster = Cluster { bin, dir, port };
        if is_root() {
            // initdb refuses to run as root: the cluster is the postgres user's.
            run(Command::new("chown")
                .arg("postgres")
                .arg(cluster.dir.path()));
        }
        let data = cluster.data();
        run(cluster
            .command("initdb")
            .args(["-U", "postgres", "--auth=trust", "-D"])
            .arg(&data));
        cluster.pg_ctl_start();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-o", &options, "start"]));
    }

    fn pg_ctl_stop(&self) {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"]));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a Postgres tool");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_while_postgres_is_stopped_and_200_after() {
    let cluster = Cluster::start();
    let fake = FakeDiscord::start().await;
    let server = Server::start(&fake, &cluster.url(), &[]);
    fake.wait_sessions(1).await;
    assert_eq!(server.ops.wait_status("/readyz", 200).await, "ready");

    cluster.pg_ctl_stop();
    let reasons = server.ops.wait_status("/readyz", 503).await;
    assert!(reasons.starts_with("database: "), "{reasons}");
    assert_eq!(
        server.ops.wait_status("/healthz", 200).await,
        "ok",
        "still alive"
    );

    cluster.pg_ctl_start();
    assert_eq!(server.ops.wait_status("/readyz", 200).await, "ready");
}

/// A flood of idle connections cannot starve the probes: with 2,000 of
/// them open and silent, `/healthz` and `/readyz` answer within a second,
/// and the idle ones are cut after the header timeout instead of holding
/// a slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_within_a_second_while_two_thousand_idle_connections_are_open() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::sqlite();
    let server = Server::start(&fake, &db.url, &[]);
    server.ops.wait_status("/readyz", 200).await;

    let mut idle = Vec::new();
    for _ in 0..2_000 {
        let stream = tokio::net::TcpStream::connect(&server.ops.addr)
            .await
            .expect("an idle connection is accepted");
        idle.push(stream);
    }
    for path in ["/healthz", "/readyz"] {
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(1), server.ops.get(path)).await;
        let took = started.elapsed();
        match answer {
            Ok(Some((200, _))) => println!("{path} beside 2,000 idle connections: {took:?}"),
            other => panic!("{path} with 2,000 idle connections open: {other:?} after {took:?}"),
        }
    }

    // The idle connections are closed by the server once their headers are
    // overdue (5 s), not kept until the client gives up.
    let mut closed = 0;
    for stream in &mut idle[..100] {
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 100,
        "idle connections still open after the header timeout"
    );
}
