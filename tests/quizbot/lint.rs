//! `quizbot check --lint` run as a process on a test bank with one planted
//! case of each rule (`tests/data/lint`): exactly those five warnings, at
//! their lines, exit 0; with `--strict`, exit 1.

use std::process::{Command, Output};

use crate::support::root;

const QUESTIONS: &str = "tests/data/lint/questions";
const NOTES: &str = "tests/data/lint/notes";

/// The planted cases: where each warning opens, and its rule's tag.
const PLANTED: [(&str, &str); 5] = [
    (
        "tests/data/lint/questions/compute.toml:29:6",
        "[longest-key] `compute-reserved`",
    ),
    (
        "tests/data/lint/questions/compute.toml:39:6",
        "[source-key] `compute-dedicated`",
    ),
    (
        "tests/data/lint/questions/compute.toml:48:6",
        "[near-duplicate] `compute-spot-again` ≈ `compute-spot` (tests/data/lint/questions/compute.toml:11)",
    ),
    (
        "tests/data/lint/questions/network.toml:27:6",
        "[quote-styles] mixed quote styles in this file (values quoting 「」 4, \"\" 1)",
    ),
    (
        "tests/data/lint/questions/storage.toml:19:6",
        "[stem-token] `storage-block`: stem word(s) `블록`",
    ),
];

fn check(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .arg("check")
        .args(extra)
        .args(["--questions", QUESTIONS, "--notes", NOTES])
        .current_dir(root())
        .env_remove("QUIZBOT_CONFIG")
        .output()
        .expect("run quizbot check")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every warning or error line, in the order printed.
fn problems(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| line.contains(": warning: ") || line.contains(": error: "))
        .collect()
}

#[test]
fn lint_reports_exactly_the_planted_cases_and_exits_zero() {
    let output = check(&["--lint"]);
    let stdout = stdout(&output);

    let found = problems(&stdout);
    assert_eq!(
        found.len(),
        PLANTED.len(),
        "expected one warning per planted case and nothing else:\n{stdout}"
    );
    for ((line, (at, tag)), n) in found.iter().zip(PLANTED).zip(1..) {
        let opening = format!("{at}: warning: {tag}");
        assert!(
            line.starts_with(&opening),
            "warning {n} should open with\n  {opening}\nbut is\n  {line}\nin:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(
            "lint: 5 warnings · longest-key 1 · stem-token 1 · near-duplicate 1 · source-key 1 · quote-styles 1"
        ),
        "{stdout}"
    );
    assert!(
        output.status.success(),
        "warnings alone exit 0, got {:?}:\n{stdout}",
        output.status
    );
}

#[test]
fn strict_lint_fails_on_a_warning() {
    let output = check(&["--lint", "--strict"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a lint warning fails --strict:\n{}",
        stdout(&output)
    );
    assert_eq!(problems(&stdout(&output)).len(), PLANTED.len());
}

#[test]
fn check_without_lint_prints_no_lint_warnings() {
    let output = check(&[]);
    let stdout = stdout(&output);
    assert_eq!(problems(&stdout), Vec::<&str>::new(), "{stdout}");
    assert!(!stdout.contains("lint:"), "{stdout}");
    assert!(output.status.success(), "{stdout}");
}

#[test]
fn strict_needs_lint() {
    let output = check(&["--strict"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "clap refuses --strict alone: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
