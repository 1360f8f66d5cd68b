//! `quizbot play` driven as a process through stdin and stdout, with the
//! scores then read back by `quizbot leaderboard` and `quizbot stats`.

use std::process::{Command, Output, Stdio};

use crate::support::{terminal_quizbot, write_tree};

const SINGLE: &str = r#"[topic]
id = "single"
name = "한 개 고르기"

[[question]]
id = "single-1"
prompt = "첫 번째 문제입니다. 스팟 인스턴스는?"
choices = ["중단될 수 있는 저렴한 용량", "약정 할인", "전용 서버", "무료 용량"]
answer = 0
explanation = "스팟 인스턴스는 남는 용량을 싸게 쓰고, 회수될 수 있습니다."
source = "ec2.md#스팟 인스턴스"

[[question]]
id = "single-2"
prompt = "두 번째 문제입니다. 스팟 인스턴스의 특징은?"
choices = ["중단될 수 있음", "항상 켜져 있음", "가장 비쌈", "약정 필수"]
answer = 0
explanation = "스팟 인스턴스는 용량이 필요해지면 중단될 수 있습니다."
source = "ec2.md#스팟 인스턴스"
"#;

const MULTI: &str = r#"[topic]
id = "multi"
name = "두 개 고르기"

[[question]]
id = "multi-1"
prompt = "맞는 것은? (두 개를 고르십시오)"
choices = ["스팟은 중단될 수 있다", "스팟은 싸다", "스팟은 약정이 필요하다", "스팟은 전용 서버다", "스팟은 무료다"]
answers = [0, 1]
explanation = "스팟 인스턴스는 싸지만 중단될 수 있습니다."
source = "ec2.md#스팟 인스턴스"
"#;

const NOTES: &str = "# EC2\n\n## 스팟 인스턴스\n\n- 남는 용량을 싸게 쓰는 구매 옵션\n- 용량이 필요해지면 중단될 수 있음\n";

struct Playground {
    dir: tempfile::TempDir,
}

impl Playground {
    fn new() -> Playground {
        Playground {
            dir: write_tree(&[
                ("questions/single.toml", SINGLE),
                ("questions/multi.toml", MULTI),
                ("notes/ec2.md", NOTES),
            ]),
        }
    }

    fn quizbot(&self, args: &[&str], input: &str) -> Output {
        self.quizbot_with(args, input, &[])
    }

    /// Runs quizbot with `env` set on top of the playground's.
    fn quizbot_with(&self, args: &[&str], input: &str, env: &[(&str, &str)]) -> Output {
        let output = terminal_quizbot(self.dir.path(), args, input, env);
        assert!(
            output.status.success(),
            "quizbot {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    fn stdout(&self, args: &[&str], input: &str) -> String {
        String::from_utf8(self.quizbot(args, input).stdout).expect("UTF-8 output")
    }

    /// `quizbot play` of both one-answer questions as `user`, who types
    /// `input`: what the terminal showed.
    fn play_both(&self, user: &str, input: &str) -> String {
        self.stdout(
            &["play", "--topic", "single", "--count", "2", "--user", user],
            input,
        )
    }
}

#[test]
fn a_played_session_shows_feedback_and_lands_on_the_leaderboard() {
    let playground = Playground::new();

    // An invalid letter first, then one wrong answer and one right one.
    let play = playground.play_both("alice", "x\nb\na\n");

    assert!(play.contains("[한 개 고르기 · 보통 · 1/2]"), "{play}");
    assert!(
        play.contains("A부터 D까지의 글자로 1개를 입력하세요."),
        "an invalid letter re-prompts:\n{play}"
    );
    assert!(play.contains("✘ 아쉽지만 틀렸습니다."), "{play}");
    assert!(play.contains("✔ 정답입니다!"), "{play}");
    assert!(
        play.contains("정답: A) "),
        "the right answer is shown:\n{play}"
    );
    assert!(play.contains("해설: 스팟 인스턴스는"), "{play}");
    assert!(
        play.contains("노트 · ec2.md › EC2 > 스팟 인스턴스"),
        "the excerpt names its source:\n{play}"
    );
    assert!(
        play.contains("│ 용량이 필요해지면 중단될 수 있음"),
        "{play}"
    );
    assert!(play.contains("+10점"), "{play}");
    assert!(
        play.contains("2문제 중 1문제 정답 (정확도 50%), 10점 획득"),
        "{play}"
    );
    assert!(play.contains("더 공부할 주제: 한 개 고르기"), "{play}");

    let board = playground.stdout(&["leaderboard", "--period", "all", "--user", "alice"], "");
    assert!(board.contains("리더보드 · 전체 기간"), "{board}");
    assert!(board.contains("1. alice"), "{board}");
    assert!(board.contains("10점 · 1/2 정답"), "{board}");
    assert!(board.contains("내 순위: 1위 (10점)"), "{board}");

    let stats = playground.stdout(&["stats", "--user", "alice"], "");
    assert!(stats.contains("응답 2 · 정답 1 (50%) · 10점"), "{stats}");
    assert!(stats.contains("연속 학습: 현재 1일 · 최고 1일"), "{stats}");
    assert!(stats.contains("한 개 고르기: 1/2 (50%)"), "{stats}");
}

#[test]
fn choose_two_takes_two_letters_and_quitting_keeps_what_was_answered() {
    let playground = Playground::new();

    let multi = playground.stdout(&["play", "--topic", "multi", "--user", "bo"], "a\nb a\n");
    assert!(multi.contains("(2개를 고르세요)"), "{multi}");
    assert!(
        multi.contains("A부터 E까지의 글자로 2개를 입력하세요."),
        "one letter is not enough:\n{multi}"
    );
    assert!(multi.contains("✔ 정답입니다!"), "{multi}");

    // Quit with `q` after one answer, then with end of input (Ctrl-D).
    let quit = playground.play_both("bo", "a\nq\n");
    assert!(
        quit.contains("종료합니다. 답한 문제는 저장되었습니다."),
        "{quit}"
    );
    assert!(quit.contains("1문제 중 1문제 정답"), "{quit}");
    let eof = playground.play_both("bo", "");
    assert!(eof.contains("답한 문제가 없습니다."), "{eof}");

    let stats = playground.stdout(&["stats", "--user", "bo"], "");
    assert!(stats.contains("응답 2 · 정답 2 (100%) · 20점"), "{stats}");
}

#[test]
fn an_unknown_topic_is_refused_with_the_known_ones() {
    let playground = Playground::new();
    let mut command = Command::new(env!("CARGO_BIN_EXE_quizbot"));
    let output = command
        .args(["play", "--topic", "nope"])
        .current_dir(playground.dir.path())
        .env("DATABASE_URL", "sqlite:scores.db")
        .env("QUIZBOT_LOCALE", "ko")
        .stdin(Stdio::null())
        .output()
        .expect("run quizbot");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`nope` 주제는 없습니다. 주제: multi, single"),
        "{stderr}"
    );
}

#[test]
fn a_daily_question_set_without_a_zone_takes_the_configured_one() {
    let playground = Playground::new();
    let paris = [("QUIZBOT_TIMEZONE", "Europe/Paris")];

    let saved = playground.quizbot_with(
        &[
            "daily",
            "set",
            "--platform",
            "discord",
            "--community",
            "100",
            "--channel",
            "200",
            "--time",
            "09:00",
        ],
        "",
        &paris,
    );
    let list = playground.quizbot_with(&["daily", "list"], "", &paris);

    let saved = String::from_utf8_lossy(&saved.stdout);
    assert!(saved.contains("매일 09:00 (Europe/Paris)"), "{saved}");
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("discord 100/200 · 매일 09:00 (Europe/Paris)"),
        "the schedule is stored in the configured zone, not Seoul:\n{list}"
    );
}

#[test]
fn review_in_the_terminal_brings_back_the_wrong_answers_first() {
    let playground = Playground::new();

    // Nothing to review before playing.
    let empty = playground.stdout(&["review", "--user", "dan"], "");
    assert!(empty.contains("아직 복습할 문제가 없습니다"), "{empty}");
    assert!(
        empty.contains("quizbot play"),
        "a quiz is offered:\n{empty}"
    );

    // Both single-answer questions missed.
    let play = playground.play_both("dan", "b\nb\n");
    assert!(
        play.contains("틀린 2문제는"),
        "the summary says they come back:\n{play}"
    );
    let first_asked = if play.find("첫 번째 문제입니다") < play.find("두 번째 문제입니다")
    {
        ["첫 번째 문제입니다", "두 번째 문제입니다"]
    } else {
        ["두 번째 문제입니다", "첫 번째 문제입니다"]
    };

    // Review: those two prompts first, in the order missed, then the one
    // question never answered; no points.
    let review = playground.stdout(&["review", "--count", "3", "--user", "dan"], "a\na\nab\n");
    let at = |needle: &str| {
        review
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} is not in the review:\n{review}"))
    };
    assert!(at(first_asked[0]) < at(first_asked[1]), "{review}");
    assert!(at(first_asked[1]) < at("맞는 것은?"), "{review}");
    assert!(
        review.contains("[복습 · 한 개 고르기 · 보통 · 1/3]"),
        "{review}"
    );
    assert!(review.contains("점수 없음"), "{review}");
    assert_eq!(review.matches("✔ 정답입니다!").count(), 3, "{review}");

    let stats = playground.stdout(&["stats", "--user", "dan"], "");
    assert!(stats.contains("응답 5 · 정답 3 (60%) · 0점"), "{stats}");
    assert!(stats.contains("복습: 지금 0문제"), "{stats}");
    assert!(stats.contains("약한 주제: 한 개 고르기 50%"), "{stats}");
    // Today's five answers, at the right end of a 30-day chart.
    assert!(
        stats.contains(&format!("최근 30일 {}█ (1일 · 5문제)", "·".repeat(29))),
        "{stats}"
    );

    // Practising the weak spots asks that topic's questions.
    let weak = playground.stdout(&["play", "--weak", "--count", "1", "--user", "dan"], "a\n");
    assert!(weak.contains("[한 개 고르기 · 보통 · 1/1]"), "{weak}");
}

#[test]
fn a_question_is_reported_from_the_terminal_and_resolved_from_the_command_line() {
    let playground = Playground::new();

    // Answer the first question, report it with `!`, answer the second,
    // then report that one at the end too.
    let play = playground.play_both("erin", "a\n!\n1\n노트와 답이 달라요\na\n!\n3\n\n");
    assert!(play.contains("🚩 문제 신고:"), "{play}");
    assert!(play.contains("1) 정답이 틀림"), "{play}");
    assert_eq!(
        play.matches("신고해 주셔서 고맙습니다.").count(),
        2,
        "{play}"
    );

    let listed = playground.stdout(&["reports", "list"], "");
    assert!(
        listed.contains(" · 신고 1건 (열림 1) · 정답이 틀림 1"),
        "{listed}"
    );
    assert!(
        listed.contains(" · 신고 1건 (열림 1) · 문제가 애매함 1"),
        "{listed}"
    );
    assert!(listed.contains("erin: 노트와 답이 달라요"), "{listed}");
    // The first question asked is the one reported as wrongly keyed.
    let first = listed
        .lines()
        .find(|l| l.ends_with("정답이 틀림 1"))
        .and_then(|l| l.split(" · ").next())
        .expect("the wrongly keyed question")
        .to_string();
    assert!(first.starts_with("single-"), "{listed}");

    let resolved = playground.stdout(&["reports", "resolve", &first, "--note", "확인함"], "");
    assert!(
        resolved.contains(&format!("{first}의 열린 신고 1건을 처리했습니다.")),
        "{resolved}"
    );
    let open = playground.stdout(&["reports", "list"], "");
    assert!(!open.contains(&first), "{open}");
    let all = playground.stdout(&["reports", "list", "--all"], "");
    assert!(all.contains("(처리됨: 확인함)"), "{all}");
}

#[test]
fn question_figures_for_authors_are_exact() {
    let playground = Playground::new();
    // Five players answer both questions of `single` (A is right in both):
    // three right, two with B. The first player also reports the first
    // question asked.
    for (user, input) in [
        ("u1", "a\n!\n2\n\na\n\n"),
        ("u2", "a\na\n"),
        ("u3", "b\nb\n"),
        ("u4", "a\na\n"),
        ("u5", "b\nb\n"),
    ] {
        playground.play_both(user, input);
    }

    let json = playground.stdout(
        &[
            "questions",
            "stats",
            "--community",
            "local",
            "--topic",
            "single",
            "--json",
        ],
        "",
    );
    let stats: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let stats = stats.as_array().expect("an array");
    assert_eq!(stats.len(), 2, "{json}");
    for question in stats {
        assert_eq!(question["topic"], "single");
        assert_eq!(question["answered"], 5);
        assert_eq!(question["correct"], 3);
        assert_eq!(question["correct_share"], 0.6);
        assert_eq!(question["picks"], serde_json::json!([3, 2, 0, 0]));
        assert_eq!(
            question["unpicked_distractors"],
            serde_json::json!([2, 3]),
            "nobody picked C or D"
        );
        assert!(question["median_ms"].as_i64().is_some(), "{question}");
    }
    let reports: i64 = stats
        .iter()
        .map(|q| q["open_reports"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(reports, 1);

    let text = playground.stdout(&["questions", "stats"], "");
    assert!(
        text.contains("문제별 기록 (많이 틀리는 문제부터)"),
        "{text}"
    );
    assert!(
        text.contains("응답 5 · 정답률 60% · 선택 A 3 / B 2 / C 0 / D 0"),
        "{text}"
    );
    assert!(text.contains("⚑ 아무도 고르지 않은 오답: C, D"), "{text}");

    let unknown = Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .args(["questions", "stats", "--community", "discord:404"])
        .current_dir(playground.dir.path())
        .env("DATABASE_URL", "sqlite:scores.db")
        .env("QUIZBOT_LOCALE", "ko")
        .stdin(Stdio::null())
        .output()
        .expect("run quizbot");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("`404` 커뮤니티의 기록이 없습니다"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}
