//! Two real `quizbot serve` processes on one Postgres and one loopback
//! Discord, with a daily question set by `quizbot daily set` for the next
//! minute: one post and one reveal between them.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Timelike;

use crate::fake_discord::FakeDiscord;
use crate::support::{root, TestDatabase};

/// A `quizbot serve` process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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
        .map(|_| {
            let mut command = quizbot(&db.url);
            command
                .arg("serve")
                .env("DISCORD_TOKEN", &fake.token)
                .env("DISCORD_API_BASE", &fake.base)
                .env("DISCORD_GUILD_ID", &guild)
                .env("QUIZBOT_DAILY_TICK", "200ms")
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            Server(command.spawn().expect("start quizbot serve"))
        })
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
    let mut set = quizbot(&db.url);
    set.args([
        "daily",
        "set",
        "--platform",
        "discord",
        "--community",
        &guild,
        "--channel",
        &channel.to_string(),
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

    let mut remove = quizbot(&db.url);
    remove.args([
        "daily",
        "remove",
        "--platform",
        "discord",
        "--community",
        &guild,
        "--channel",
        &channel.to_string(),
    ]);
    run(remove);
    let mut again = quizbot(&db.url);
    again.args([
        "daily",
        "remove",
        "--platform",
        "discord",
        "--community",
        &guild,
        "--channel",
        &channel.to_string(),
    ]);
    let missing = again.output().unwrap();
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
