//! `quizbot mock` driven as a process through stdin and stdout, its result
//! then read back by `quizbot stats --json`; leaving an exam and coming
//! back to it in a second process.

use std::process::Output;

use quizbot::config::Locale;
use quizbot::i18n::Texts;
use quizbot::mock;

use crate::support::{terminal_quizbot, write_tree};

/// Ten questions, as many per domain as a 10-question exam asks
/// (2/3/4/1), so every one is asked; the key is A for six, B for four.
fn bank() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut n = 0;
    for (domain, count) in [
        ("concepts", 2),
        ("security", 3),
        ("technology", 4),
        ("billing", 1),
    ] {
        let mut text =
            format!("[topic]\nid = \"{domain}\"\nname = \"{domain}\"\ndomain = \"{domain}\"\n\n");
        for _ in 0..count {
            let key = usize::from(n >= 6);
            text.push_str(&format!(
                "[[question]]\nid = \"q{n}\"\nprompt = \"문항 {n}: 맞는 것은?\"\n\
                 choices = [\"가{n}\", \"나{n}\", \"다{n}\", \"라{n}\"]\nanswer = {key}\n\
                 explanation = \"문항 {n}의 해설\"\n\n"
            ));
            n += 1;
        }
        files.push((format!("questions/{domain}.toml"), text));
    }
    files.push((
        "notes/notes.md".into(),
        "# 노트\n\n## 문항\n\n- 문항의 설명\n".into(),
    ));
    files
}

struct Terminal {
    dir: tempfile::TempDir,
}

impl Terminal {
    fn new() -> Terminal {
        let files = bank();
        let tree: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        Terminal {
            dir: write_tree(&tree),
        }
    }

    fn run(&self, args: &[&str], input: &str) -> Output {
        terminal_quizbot(self.dir.path(), args, input, &[])
    }

    fn stdout(&self, args: &[&str], input: &str) -> String {
        let output = self.run(args, input);
        assert!(
            output.status.success(),
            "quizbot {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }
}

#[test]
fn a_mock_exam_in_the_terminal_is_answered_changed_submitted_and_in_the_json_record() {
    let terminal = Terminal::new();
    let texts = Texts::new(Locale::Korean);
    // Ten answers of A, back one question, B there instead, submit.
    let input = format!("{}<\nb\nsubmit\n", "a\n".repeat(10));
    let out = terminal.stdout(&["mock", "--questions", "10", "--user", "erin"], &input);

    assert!(
        out.contains(&format!("{} · 1/10", texts.mock_title())),
        "{out}"
    );
    assert!(out.contains(&texts.mock_answered(10, 10)), "{out}");
    assert!(out.contains(texts.time_left_label()), "{out}");
    let before_result = out
        .split(texts.mock_result_title())
        .next()
        .expect("the part before the result");
    assert!(
        !before_result.contains("의 해설"),
        "no explanation before submitting:\n{before_result}"
    );
    // Six keys are A; the changed question was an A (5 right) or a B (7).
    let right = [5_u32, 7]
        .into_iter()
        .find(|&right| {
            out.contains(&texts.mock_score_line(right, 10, mock::scaled_score(right, 10)))
        })
        .unwrap_or_else(|| panic!("no score line for 5 or 7 right:\n{out}"));
    assert!(out.contains(texts.mock_domains_title()), "{out}");
    assert!(
        out.contains(&texts.mock_misses_title(1, 2, (10 - right) as usize)),
        "{out}"
    );
    assert!(out.contains("의 해설"), "every miss explained:\n{out}");

    let json = terminal.stdout(&["stats", "--json", "--user", "erin"], "");
    let record: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let exam = &record["mock_exams"][0];
    assert_eq!(exam["total"], 10, "{json}");
    assert_eq!(exam["right"], right, "{json}");
    assert_eq!(exam["score"], mock::scaled_score(right, 10));
    assert_eq!(exam["passed"], false);
    let domains = exam["domains"].as_array().expect("domains");
    let (sum_right, sum_total) = domains.iter().fold((0, 0), |(r, t), d| {
        (
            r + d["right"].as_u64().unwrap(),
            t + d["total"].as_u64().unwrap(),
        )
    });
    assert_eq!((sum_right, sum_total), (u64::from(right), 10));
    assert_eq!(record["answered"], 10);
    assert_eq!(record["points"], 0, "mock answers score no points");
    assert!(
        record["readiness"]["predicted_score"].is_null(),
        "ten answers are not enough: {json}"
    );
    assert_eq!(
        record["readiness"]["domains"].as_array().map(Vec::len),
        Some(4)
    );
}

#[test]
fn a_mock_exam_left_in_one_process_is_picked_up_in_the_next() {
    let terminal = Terminal::new();
    let texts = Texts::new(Locale::Korean);
    let first = terminal.stdout(
        &["mock", "--questions", "10", "--user", "finn"],
        "a\nb\nq\n",
    );
    assert!(
        first.contains("quizbot mock"),
        "leaving says how to come back:\n{first}"
    );
    let second = terminal.stdout(&["mock", "--user", "finn"], "");
    assert!(second.contains(&texts.mock_resumed(2, 10)), "{second}");
    assert!(
        second.contains(&format!("{} · 3/10", texts.mock_title())),
        "{second}"
    );

    let board = terminal.stdout(&["leaderboard", "--readiness", "--user", "finn"], "");
    assert!(board.contains(&texts.readiness_title()), "{board}");
    assert!(
        !board.contains("finn"),
        "nothing is answered until the exam is submitted:\n{board}"
    );

    let refused = terminal.run(&["mock", "--questions", "3", "--user", "gus"], "");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("4에서 65문제"), "{stderr}");
}
