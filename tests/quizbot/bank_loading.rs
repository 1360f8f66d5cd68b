//! Loading question banks: every author mistake is reported at its exact
//! `path:line:col`, and the shipped banks load clean.

use std::path::Path;

use quizbot::bank::Bank;
use quizbot::content;
use quizbot::diagnostic::Position;

use crate::support::{root, write_tree};

const GOOD_TOPIC: &str = r#"[topic]
id = "ec2"
name = "Amazon EC2"
"#;

/// The diagnostics for one file, rendered as `quizbot check` prints them,
/// with the temporary directory replaced by `<dir>`.
fn problems(files: &[(&str, &str)]) -> Vec<String> {
    let dir = write_tree(files);
    let (_, diagnostics) = Bank::load_dir(dir.path());
    let prefix = format!("{}/", dir.path().display());
    diagnostics
        .iter()
        .map(|d| d.to_string().replace(&prefix, "<dir>/"))
        .collect()
}

fn question(body: &str) -> String {
    format!("{GOOD_TOPIC}\n[[question]]\n{body}")
}

const VALID: &str = r#"id = "ec2-a"
prompt = "무엇입니까?"
choices = ["가", "나", "다", "라"]
answer = 1
explanation = "나가 맞습니다."
"#;

#[test]
fn a_valid_bank_loads_without_problems() {
    let dir = write_tree(&[("ec2.toml", &question(VALID))]);
    let (bank, diagnostics) = Bank::load_dir(dir.path());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(bank.questions.len(), 1);
    assert_eq!(bank.questions[0].correct, vec![1]);
    assert_eq!(bank.questions[0].topic, "ec2");
    assert_eq!(bank.questions[0].line, 5, "the [[question]] header line");
    assert_eq!(
        bank.questions[0].id_position,
        Position { line: 6, column: 6 },
        "the id value"
    );
}

#[test]
fn a_toml_syntax_error_names_line_and_column() {
    let text = format!(
        "{GOOD_TOPIC}\n[[question]]\nid = \"ec2-a\"\nprompt = \"열린 문자열\nchoices = []\n"
    );
    let found = problems(&[("ec2.toml", &text)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("<dir>/ec2.toml:7:"),
        "expected the error on line 7 (the unterminated string), got {found:?}"
    );
    assert!(found[0].contains("TOML:"), "{found:?}");
}

#[test]
fn an_unknown_key_is_reported_where_it_is() {
    let text = question(&VALID.replace("answer = 1", "answer = 1\nhint = \"몰라요\""));
    let found = problems(&[("ec2.toml", &text)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("<dir>/ec2.toml:10:1: error: TOML: unknown field `hint`"),
        "{found:?}"
    );
}

#[test]
fn duplicate_ids_across_files_point_at_both() {
    let other = question(VALID).replace("id = \"ec2\"", "id = \"iam\"");
    let found = problems(&[("ec2.toml", &question(VALID)), ("iam.toml", &other)]);
    assert_eq!(
        found,
        ["<dir>/iam.toml:6:6: error: duplicate question id `ec2-a` (first defined at <dir>/ec2.toml:6:6)"]
    );
}

#[test]
fn an_answer_index_out_of_range_is_reported_at_the_index() {
    let found = problems(&[(
        "ec2.toml",
        &question(&VALID.replace("answer = 1", "answer = 4")),
    )]);
    assert_eq!(
        found,
        ["<dir>/ec2.toml:9:10: error: answer index 4 is out of range: choices are numbered 0 to 3"]
    );
    let found = problems(&[(
        "ec2.toml",
        &question(&VALID.replace("answer = 1", "answers = [0, 7]")),
    )]);
    assert_eq!(
        found,
        ["<dir>/ec2.toml:9:15: error: answer index 7 is out of range: choices are numbered 0 to 3"]
    );
}

#[test]
fn empty_text_is_reported_at_the_value() {
    let found = problems(&[(
        "ec2.toml",
        &question(&VALID.replace("prompt = \"무엇입니까?\"", "prompt = \"  \"")),
    )]);
    assert_eq!(found, ["<dir>/ec2.toml:7:10: error: prompt is empty"]);
    let found = problems(&[("ec2.toml", &question(&VALID.replace("\"다\"", "\"\"")))]);
    assert_eq!(found, ["<dir>/ec2.toml:8:22: error: choice C is empty"]);
}

#[test]
fn a_repeated_choice_is_reported_at_the_repeat() {
    let found = problems(&[("ec2.toml", &question(&VALID.replace("\"라\"", "\"가\"")))]);
    assert_eq!(
        found,
        ["<dir>/ec2.toml:8:27: error: choice D repeats choice A: \"가\""]
    );
}

#[test]
fn answer_shapes_are_checked() {
    let both = question(&VALID.replace("answer = 1", "answer = 1\nanswers = [0, 1]"));
    assert_eq!(
        problems(&[("ec2.toml", &both)]),
        ["<dir>/ec2.toml:10:11: error: give either `answer` (one correct choice) or `answers` (several), not both"]
    );
    let single = question(&VALID.replace("answer = 1", "answers = [2]"));
    assert_eq!(
        problems(&[("ec2.toml", &single)]),
        ["<dir>/ec2.toml:9:11: error: `answers` needs at least two indices; use `answer` for a single correct choice"]
    );
    let twice = question(&VALID.replace("answer = 1", "answers = [2, 2]"));
    assert_eq!(
        problems(&[("ec2.toml", &twice)]),
        ["<dir>/ec2.toml:9:15: error: answer index 2 is listed twice"]
    );
    let none = question(&VALID.replace("answer = 1\n", ""));
    assert_eq!(
        problems(&[("ec2.toml", &none)]),
        ["<dir>/ec2.toml:5:1: error: missing `answer` (index of the correct choice) or `answers` (indices for \"choose N\")"]
    );
    let one_choice = question(
        &VALID
            .replace("[\"가\", \"나\", \"다\", \"라\"]", "[\"가\"]")
            .replace("answer = 1", "answer = 0"),
    );
    assert_eq!(
        problems(&[("ec2.toml", &one_choice)]),
        ["<dir>/ec2.toml:8:11: error: a question needs 2 to 6 choices, this one has 1"]
    );
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let text = question(&VALID.replace("answer = 1", "answer = 9").replace("\"라\"", "\"가\""))
        + "\n[[question]]\nid = \"Bad Id\"\nprompt = \"?\"\nchoices = [\"a\", \"b\"]\nanswer = 0\nexplanation = \"x\"\ndifficulty = \"extreme\"\n";
    let found = problems(&[("ec2.toml", &text)]);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[0].contains(":8:27: error: choice D repeats"),
        "{found:#?}"
    );
    assert!(
        found[1].contains(":9:10: error: answer index 9"),
        "{found:#?}"
    );
    assert!(
        found[2].contains(":13:6: error: question id `Bad Id` may use only"),
        "{found:#?}"
    );
    assert!(
        found[3].contains(":18:14: error: unknown difficulty \"extreme\""),
        "{found:#?}"
    );
}

#[test]
fn the_shipped_content_checks_clean() {
    let root = root();
    let (content, report) = content::check(&root.join("questions"), &root.join("notes"));
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        report.diagnostics.is_empty(),
        "expected no errors or warnings:\n{}",
        shown.join("\n")
    );
    assert!(
        report.topics >= 12,
        "at least 12 topics, found {}",
        report.topics
    );
    assert!(
        report.questions >= 200,
        "at least 200 questions, found {}",
        report.questions
    );
    for topic in &content.bank.topics {
        let count = content.bank.questions_in(Some(&topic.id)).count();
        assert!(count >= 10, "topic {} has only {count} questions", topic.id);
    }
    let choose_two = content
        .bank
        .questions
        .iter()
        .filter(|q| q.picks() == 2)
        .count();
    assert!(
        choose_two >= 15,
        "at least 15 choose-two questions, found {choose_two}"
    );
    for question in &content.bank.questions {
        assert!(
            !question.sources.is_empty(),
            "{} has no source",
            question.id
        );
        for source in &question.sources {
            assert!(
                content.notes.resolve(source).is_some(),
                "{}: {source} does not resolve",
                question.id
            );
        }
        if question.picks() == 2 {
            assert!(
                question.prompt.contains("(두 개를 고르십시오)"),
                "{} must say choose two",
                question.id
            );
        }
    }
}

#[test]
fn quizbot_check_prints_problems_and_a_summary_and_fails_on_errors() {
    let dir = write_tree(&[
        (
            "questions/ec2.toml",
            &question(&VALID.replace("answer = 1", "answer = 4")),
        ),
        ("notes/ec2.md", "# EC2\n\n## 스팟\n\n싸다\n"),
    ]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .args(["check", "--questions"])
        .arg(dir.path().join("questions"))
        .arg("--notes")
        .arg(dir.path().join("notes"))
        .output()
        .expect("run quizbot check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let expected = format!(
        "{}:9:10: error: answer index 4 is out of range: choices are numbered 0 to 3",
        Path::new(&dir.path().join("questions"))
            .join("ec2.toml")
            .display()
    );
    assert_eq!(lines.first().copied(), Some(expected.as_str()), "{stdout}");
    assert_eq!(
        lines.last().copied(),
        Some("1 topics, 0 questions, 2 notes sections: 1 errors, 1 warnings"),
        "{stdout}"
    );
}

#[test]
fn quizbot_check_passes_on_the_shipped_content() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .arg("check")
        .current_dir(root())
        .output()
        .expect("run quizbot check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("0 errors, 0 warnings"),
        "{stdout}"
    );
}

#[test]
fn a_source_names_one_or_two_notes_sections() {
    let two = format!("{VALID}source = [\"ec2.md#Spot Instances\", \"ec2.md#Savings Plans\"]\n");
    let dir = write_tree(&[("ec2.toml", &question(&two))]);
    let (bank, diagnostics) = Bank::load_dir(dir.path());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let headings: Vec<&str> = bank.questions[0]
        .sources
        .iter()
        .filter_map(|s| s.heading.as_deref())
        .collect();
    assert_eq!(headings, ["Spot Instances", "Savings Plans"]);

    let three = format!("{VALID}source = [\"a.md#A\", \"a.md#B\", \"a.md#C\"]\n");
    let found = problems(&[("ec2.toml", &question(&three))]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("<dir>/ec2.toml:11:10: error: `source` names 1 to 2"),
        "{found:?}"
    );
    let number = format!("{VALID}source = 3\n");
    let found = problems(&[("ec2.toml", &question(&number))]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`source` is"), "{found:?}");
}
