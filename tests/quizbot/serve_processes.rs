//! Real `quizbot` processes sharing one database: two `quizbot serve` on
//! one Postgres and one loopback Discord, with a daily question set by
//! `quizbot daily set` for the next minute (one post and one reveal
//! between them), and with a live round whose starter is killed halfway;
//! and `serve` beside four terminal players on one SQLite file.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Timelike;

use quizbot::store::Store;

use crate::fake_discord::{FakeDiscord, Member};
use crate::support::{root, TestDatabase};

/// A `quizbot serve` process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `quizbot serve` on `database_url` against the fake Discord, with `env`
/// on top; its output dropped.
fn serve(database_url: &str, fake: &FakeDiscord, env: &[(&str, &str)]) -> Server {
    let mut command = quizbot(database_url);
    command
        .arg("serve")
        .env("DISCORD_TOKEN", &fake.token)
        .env("DISCORD_API_BASE", &fake.base)
        .env("DISCORD_GUILD_ID", fake.guild_id.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Server(command.spawn().expect("start quizbot serve"))
}

fn quizbot(database_url: &str) -> Command {
    let root = root();
    let mut command = Command::new(env!("CARGO_BIN_EXE_quizbot"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("QUIZBOT_QUESTIONS", root.join("questions"))
        .env("QUIZBOT_NOTES", root.join("notes"))
        .env("QUIZBOT_LOG", "quizbot=info")
        // Any free port for the ops listener: several servers run at once.
        .env("QUIZBOT_HTTP_ADDR", "127.0.0.1:0")
        .current_dir(std::env::temp_dir());
    command
}

fn run(mut command: Command) -> Output {
    let output = command.output().expect("run quizbot");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_post_and_reveal_once() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::postgres().await;
    // Creates the tables before the two servers race to.
    drop(db.store().await);
    let channel = fake.channel_id + 40;
    let guild = fake.guild_id.to_string();

    let servers: Vec<Server> = (0..2)
        .map(|_| serve(&db.url, &fake, &[("QUIZBOT_DAILY_TICK", "200ms")]))
        .collect();
    fake.wait_sessions(2).await;

    // The next minute in Seoul; set a few seconds early when the minute is
    // about to turn, so the schedule is in place before it is due.
    let mut now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul);
    if now.second() >= 55 {
        tokio::time::sleep(Duration::from_secs(6)).await;
        now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul);
    }
    let next_minute = (now + chrono::Duration::minutes(1))
        .format("%H:%M")
        .to_string();
    // `quizbot daily <verb>` for the test's channel.
    let daily = |verb: &str| {
        let mut command = quizbot(&db.url);
        command.args([
            "daily",
            verb,
            "--platform",
            "discord",
            "--community",
            &guild,
            "--channel",
            &channel.to_string(),
        ]);
        command
    };
    let mut set = daily("set");
    set.args([
        "--time",
        &next_minute,
        "--timezone",
        "Asia/Seoul",
        "--reveal-after",
        "1m",
    ]);
    let saved = String::from_utf8(run(set).stdout).unwrap();
    assert!(
        saved.contains(&format!("매일 {next_minute} (Asia/Seoul)")),
        "{saved}"
    );

    // Within two minutes and a bit: the post, then the reveal.
    let deadline = Instant::now() + Duration::from_secs(150);
    while fake.channel_messages(channel).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "no post and reveal: {:?}",
            fake.channel_messages(channel)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let both replicas tick a few more times.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = fake.channel_messages(channel);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let path = format!("channels/{channel}/messages");
    let calls = fake.calls();
    let posts = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .count();
    let edits = calls
        .iter()
        .filter(|c| c.method == "PATCH" && c.path.starts_with(&path))
        .count();
    assert_eq!(
        (posts, edits),
        (2, 1),
        "one post, one reveal (edit + results)"
    );
    let posted_at = messages[0]["timestamp"].as_str().unwrap();
    let posted_at = chrono::DateTime::parse_from_rfc3339(posted_at).unwrap();
    let due =
        now.with_second(0).unwrap().with_nanosecond(0).unwrap() + chrono::Duration::minutes(1);
    let late = posted_at.with_timezone(&chrono::Utc) - due.with_timezone(&chrono::Utc);
    assert!(
        late >= chrono::Duration::zero() && late < chrono::Duration::seconds(30),
        "posted {late} after its time"
    );

    let listed = String::from_utf8(
        run({
            let mut list = quizbot(&db.url);
            list.args(["daily", "list"]);
            list
        })
        .stdout,
    )
    .unwrap();
    assert!(
        listed.contains(&format!("discord {guild}/{channel} · 매일 {next_minute}")),
        "{listed}"
    );
    drop(servers);

    // Removed once; a second removal finds nothing.
    run(daily("remove"));
    let missing = daily("remove").output().unwrap();
    assert!(!missing.status.success());
    let refusal = quizbot::i18n::Texts::new(quizbot::config::Locale::Korean)
        .refusal(&quizbot::refusal::Refusal::NoSchedule);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains(&refusal), "{stderr}");
}

#[test]
fn daily_set_refuses_bad_settings_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("q.db").display());
    for (flag, value, says) in [
        ("--time", "25:00", "not a time of day"),
        ("--timezone", "Seoul", "not an IANA time zone"),
        ("--topics", "ec2,lambda", "unknown topic `lambda`"),
        ("--reveal-after", "30s", "between 1 minute and 24 hours"),
    ] {
        let mut command = quizbot(&url);
        command.args([
            "daily",
            "set",
            "--platform",
            "discord",
            "--community",
            "1",
            "--channel",
            "2",
        ]);
        if flag != "--time" {
            command.args(["--time", "09:00"]);
        }
        command.args([flag, value]);
        let output = command.output().unwrap();
        assert!(!output.status.success(), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
    }
}

/// The default SQLite file as a study group really shares it: `quizbot
/// serve` answering Discord while four members play in their terminals,
/// all on one file, for 30 seconds. No click is refused, no terminal run
/// fails or prints a database error, and every answer a member was told
/// about is stored, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_and_four_terminal_players_share_one_sqlite_file() {
    const PLAYING: Duration = Duration::from_secs(30);
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::sqlite();
    drop(db.store().await);
    let _server = serve(&db.url, &fake, &[]);
    fake.wait_sessions(1).await;
    fake.wait_registration(1).await;
    let ends = Instant::now() + PLAYING;

    // Four terminal players, each starting `quizbot play` over and over.
    let players: Vec<_> = (0..4)
        .map(|n| {
            let url = db.url.clone();
            tokio::task::spawn_blocking(move || {
                let (mut runs, mut told) = (0, 0);
                while Instant::now() < ends {
                    let mut play = quizbot(&url);
                    play.args(["play", "--count", "3", "--user", &format!("player{n}")])
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped());
                    let mut child = play.spawn().expect("start quizbot play");
                    if let Some(mut stdin) = child.stdin.take() {
                        use std::io::Write;
                        // One letter per question; a "choose two" asks again
                        // until it gets two.
                        let _ = stdin.write_all(b"A\nAB\nB\nAB\nC\nAB\n");
                    }
                    let output = child.wait_with_output().expect("quizbot play ran");
                    let stdout = String::from_utf8_lossy(&output.stdout);
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    assert!(
                        output.status.success(),
                        "player{n}'s run {runs} failed:\n{stdout}\n{stderr}"
                    );
                    for unwanted in ["database is locked", "기록되지", "처리하지 못했습니다"]
                    {
                        assert!(
                            !stdout.contains(unwanted) && !stderr.contains(unwanted),
                            "player{n} read `{unwanted}`:\n{stdout}\n{stderr}"
                        );
                    }
                    told += stdout.matches("정답입니다!").count()
                        + stdout.matches("아쉽지만 틀렸습니다.").count();
                    runs += 1;
                }
                (runs, told)
            })
        })
        .collect();

    // Meanwhile members answer on Discord.
    let mut clicked = 0;
    let mut member_id = 900;
    while Instant::now() < ends {
        member_id += 1;
        let member = Member::new(member_id, &format!("member {member_id}"));
        let mut quiz = fake.slash(
            &member,
            "quiz",
            serde_json::json!([{ "name": "count", "type": 4, "value": 1 }]),
        );
        let card = quiz.visible_reply().await;
        assert!(
            card.custom_ids().iter().any(|id| id.starts_with("q:")),
            "a /quiz was not answered with a card: {}",
            card.text()
        );
        let feedback = fake
            .answer_first_choice(&member, &card)
            .visible_reply()
            .await;
        let text = feedback.text();
        assert!(
            text.contains("정답입니다!") || text.contains("아쉽지만 틀렸습니다."),
            "a click was not answered with its feedback: {text}"
        );
        clicked += 1;
    }

    let (mut terminal, mut terminal_runs) = (0, 0);
    for player in players {
        let (runs, told) = player.await.expect("a player thread");
        assert!(runs > 0, "a player never finished a run");
        terminal += told;
        terminal_runs += runs;
    }
    println!(
        "{PLAYING:?} on one SQLite file: {clicked} Discord answers, {terminal} answers in \
         {terminal_runs} terminal runs, every one acknowledged and stored once"
    );
    let store = db.store().await;
    let Store::Sqlite(lite) = &store else {
        unreachable!("a SQLite test database");
    };
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM answers")
        .fetch_one(lite.pool())
        .await
        .expect("count answers");
    assert_eq!(
        stored as usize,
        clicked + terminal,
        "every answer a member was told about is stored once \
         ({clicked} on Discord, {terminal} in terminals)"
    );
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
}

/// A live round on one Postgres with two `quizbot serve` (Discord shards 0
/// and 1): the round is started on the replica of shard 1, both replicas
/// race to post and reveal, and the one that started the round is killed
/// after its first question. The other carries the round to its results:
/// each question posted once and revealed once (one edit), one results
/// message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_round_survives_the_replica_that_started_it() {
    let fake = FakeDiscord::start().await;
    let db = TestDatabase::postgres().await;
    drop(db.store().await);
    let mut servers: Vec<Server> = (0..2)
        .map(|shard| {
            let shard = shard.to_string();
            serve(
                &db.url,
                &fake,
                &[
                    ("QUIZBOT_DISCORD_SHARDS", "2"),
                    ("QUIZBOT_DISCORD_SHARD_ID", &shard),
                    ("QUIZBOT_LIVE_PAUSE", "1s"),
                ],
            )
        })
        .collect();
    fake.wait_sessions(2).await;
    fake.wait_registration(1).await;
    let channel = fake.channel_id;
    let mut ann = Member::new(801, "Ann");
    ann.guild = Some(fake.guild_on_shard(1, 2));

    let started = fake
        .slash(
            &ann,
            "quiz-live",
            serde_json::json!([{ "name": "start", "type": 1, "options": [
                { "name": "questions", "type": 4, "value": 2 },
                { "name": "seconds", "type": 4, "value": 10 },
            ]}]),
        )
        .reply()
        .await;
    assert!(
        started.text().contains("라이브 퀴즈를 시작했습니다"),
        "{}",
        started.text()
    );

    // The first question, noted as posted; then its starter is killed.
    fake.wait_channel_messages(channel, 1).await;
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
    let first: i64 = loop {
        let posted: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM live_questions WHERE position = 0 AND message_id IS NOT NULL",
        )
        .fetch_optional(&pool)
        .await
        .unwrap();
        if let Some(id) = posted {
            break id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    drop(servers.remove(1));

    // The other replica reveals it, posts the second, reveals it, ends.
    crate::support::live_deadline_now(&db.url, first).await;
    let second = fake.wait_channel_messages(channel, 2).await.remove(1);
    let second_row: i64 = sqlx::query_scalar("SELECT id FROM live_questions WHERE position = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(second["components"]
        .to_string()
        .contains(&format!("l:{second_row}:")));
    let deadline = Instant::now() + Duration::from_secs(15);
    while sqlx::query_scalar::<_, Option<String>>(
        "SELECT message_id FROM live_questions WHERE id = $1",
    )
    .bind(second_row)
    .fetch_one(&pool)
    .await
    .unwrap()
    .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the second question was never noted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    crate::support::live_deadline_now(&db.url, second_row).await;
    let messages = fake.wait_channel_messages(channel, 3).await;
    assert!(
        crate::fake_discord::message_text(&messages[2]).contains("라이브 퀴즈 결과"),
        "{}",
        messages[2]
    );
    // Let the survivor look a few more times.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fake.channel_messages(channel).len(), 3);
    let path = format!("channels/{channel}/messages");
    let edits: Vec<String> = fake
        .calls()
        .iter()
        .filter(|c| c.method == "PATCH" && c.path.starts_with(&path))
        .map(|c| c.path.clone())
        .collect();
    let ids: Vec<String> = messages[..2]
        .iter()
        .map(|m| format!("{path}/{}", m["id"].as_str().unwrap()))
        .collect();
    assert_eq!(edits, ids, "each question revealed once, by one edit");
    let posts = fake
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .count();
    assert_eq!(posts, 3, "each question posted once, and the results");
    let ended: Option<String> = sqlx::query_scalar("SELECT ending FROM live_rounds")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(ended.as_deref(), Some("finished"));
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
}
