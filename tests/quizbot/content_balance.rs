//! The shipped banks stay fit for the exam they prepare for (AWS Certified
//! Cloud Practitioner, CLF-C02): every askable question sits in an exam
//! domain, every notes section is asked about, the domains are weighted like
//! the exam, there are enough questions, the right answers are spread over
//! the letters so that "always pick C" earns nothing, the key is not the
//! longest option more often than chance would make it, every in-scope
//! service is asked about, and the banks speak with one voice (one quote
//! style, one spelling of each repeated term, one "choose two" phrase).
//!
//! Each check is a function returning the problems it found, one readable
//! line each; the tests at the end run the same functions on small made-up
//! banks to show every check does fail when its rule is broken.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quizbot::bank::{Bank, Domain, Question};
use quizbot::content::{domain_counts, share_percent, Content};

/// Most a domain's share of the askable questions may stray from the
/// exam's weight for it, in percentage points.
const DOMAIN_TOLERANCE: f64 = 2.0;
/// Fewest askable questions the banks must hold: ten 65-question mock
/// exams without many repeats.
const MIN_QUESTIONS: usize = 650;
/// Fewest askable "choose two" questions.
const MIN_CHOOSE_TWO: usize = 100;
/// Most single-answer questions (percent) whose key is the strictly
/// longest option; chance, with four options, is about 25%.
const LONGEST_KEY_MAX: f64 = 30.0;
/// Most "choose two" questions (percent) whose two keys are the two
/// strictly longest options; chance, two of five, is 10%.
const LONGEST_PAIR_MAX: f64 = 15.0;
/// How every "choose two" stem says so, once.
const CHOOSE_TWO_PHRASE: &str = "(두 개를 고르십시오)";
/// Spellings the banks and notes do not use, with the one they do.
const GLOSSARY: &[(&str, &str)] = &[
    ("머신 러닝", "머신러닝"),
    ("기계 학습", "머신러닝"),
    ("완전 관리형", "완전관리형"),
    ("고르시오", "고르십시오"),
    ("에지 로케이션", "엣지 로케이션"),
];
/// Services in the CLF-C02 exam guide's scope, each with the names a
/// question may use for it (any one, in a stem or a key, counts).
const IN_SCOPE_SERVICES: &[&[&str]] = &[
    &["AWS Glue"],
    &["OpenSearch"],
    &["Data Exchange"],
    &["Amazon MSK", "Managed Streaming for Apache Kafka"],
    &["Amazon Connect"],
    &["Amazon SES", "Simple Email Service"],
    &["Amazon WorkSpaces", "WorkSpaces"],
    &["AppStream 2.0"],
    &["WorkSpaces Secure Browser", "WorkSpaces Web"],
    &["AWS AppSync", "AppSync"],
    &["Device Farm"],
    &["IoT Core"],
    &["IoT Greengrass", "Greengrass"],
    &["Wavelength"],
    &["MemoryDB"],
    &["Transit Gateway"],
    &[
        "PrivateLink",
        "VPC 엔드포인트",
        "게이트웨이 엔드포인트",
        "인터페이스 엔드포인트",
    ],
    &["NAT 게이트웨이", "NAT gateway"],
    &["Transfer Family"],
    &["Application Discovery Service"],
    &["AWS Managed Services", "AMS"],
    &["Prescriptive Guidance"],
    &["Resource Groups", "Tag Editor"],
    &["Capacity Reservation", "용량 예약"],
    &["데이터 전송"],
    &["Snowball", "Snow Family"],
    &["Migration Hub"],
    &["Concierge"],
    &["Infrastructure Event Management", "IEM"],
    &["Enterprise On-Ramp"],
];
/// Letters A–D of single-answer questions: each must be the key of this
/// share (percent, inclusive) of them.
const SINGLE_KEY_SHARE: (f64, f64) = (20.0, 30.0);
/// Letters A–E of "choose two" questions: each must fill this share
/// (percent, inclusive) of the keyed slots, two slots per question.
const CHOOSE_TWO_SLOT_SHARE: (f64, f64) = (15.0, 25.0);
/// Most "choose two" questions (percent) one pair of letters may key.
const CHOOSE_TWO_PAIR_MAX: f64 = 20.0;

/// The shipped `questions/` and `notes/`, loaded as the bot loads them.
fn shipped() -> Content {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match Content::load(&root.join("questions"), &root.join("notes")) {
        Ok((content, _report)) => content,
        Err(err) => panic!("the shipped question banks and notes do not load: {err}"),
    }
}

/// `questions/ec2.toml:12 `ec2-ami-template``
fn at(question: &Question) -> String {
    format!(
        "{}:{} `{}`",
        question.path.display(),
        question.line,
        question.id
    )
}

/// Fails, listing the `problems` under `what`, unless there are none.
fn assert_none(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------- checks

/// Askable questions with no exam domain, neither their own nor their
/// topic's default.
fn questions_without_domain(bank: &Bank) -> Vec<String> {
    bank.askable(None)
        .filter(|q| q.domain.is_none())
        .map(|q| format!("{} has no domain", at(q)))
        .collect()
}

/// Notes sections (those with text) that no askable question points at.
/// Retired questions do not count: they are never asked.
fn sections_without_active_question(content: &Content) -> Vec<String> {
    content
        .coverage()
        .into_iter()
        .filter(|c| {
            !c.questions
                .iter()
                .any(|id| content.bank.question(id).is_some_and(|q| !q.retired))
        })
        .map(|c| {
            let section = &content.notes.sections[c.section];
            format!(
                "{}:{} {} has no active question",
                section.file,
                section.start_line,
                section.heading_path()
            )
        })
        .collect()
}

/// Domains whose share of the askable questions is more than
/// [`DOMAIN_TOLERANCE`] points away from the exam's weight.
fn domain_share_problems(bank: &Bank) -> Vec<String> {
    let total = bank.askable(None).count();
    if total == 0 {
        return vec!["no askable questions at all".to_string()];
    }
    domain_counts(bank)
        .into_iter()
        .filter_map(|(domain, count)| {
            let share = share_percent(count, total);
            let target = f64::from(domain.exam_percent());
            ((share - target).abs() > DOMAIN_TOLERANCE).then(|| {
                format!(
                    "{domain}: {count} of {total} askable questions ({share:.1}%), \
                     exam weight {target}% ± {DOMAIN_TOLERANCE} points"
                )
            })
        })
        .collect()
}

/// Too few askable questions, or too few "choose two".
fn count_problems(bank: &Bank) -> Vec<String> {
    let total = bank.askable(None).count();
    let choose_two = bank.askable(None).filter(|q| q.picks() == 2).count();
    let mut problems = Vec::new();
    if total < MIN_QUESTIONS {
        problems.push(format!(
            "{total} askable questions, the banks need at least {MIN_QUESTIONS}"
        ));
    }
    if choose_two < MIN_CHOOSE_TWO {
        problems.push(format!(
            "{choose_two} askable \"choose two\" questions, the banks need at least {MIN_CHOOSE_TWO}"
        ));
    }
    problems
}

/// Letters A–D that key too many or too few single-answer questions.
fn single_key_problems(bank: &Bank) -> Vec<String> {
    let single: Vec<&Question> = bank.askable(None).filter(|q| q.picks() == 1).collect();
    if single.is_empty() {
        return vec!["no askable single-answer questions".to_string()];
    }
    let (low, high) = SINGLE_KEY_SHARE;
    (0..4)
        .filter_map(|index| {
            let count = single.iter().filter(|q| q.correct[0] == index).count();
            let share = share_percent(count, single.len());
            (share < low || share > high).then(|| {
                format!(
                    "{} is the key of {count} of {} single-answer questions ({share:.1}%), \
                     allowed {low}–{high}%",
                    Question::letter(index),
                    single.len()
                )
            })
        })
        .collect()
}

/// Letters A–E that fill too many or too few keyed slots of "choose two"
/// questions, and letter pairs that key too many of them.
fn choose_two_key_problems(bank: &Bank) -> Vec<String> {
    let two: Vec<&Question> = bank.askable(None).filter(|q| q.picks() == 2).collect();
    if two.is_empty() {
        return vec!["no askable \"choose two\" questions".to_string()];
    }
    let slots = two.len() * 2;
    let (low, high) = CHOOSE_TWO_SLOT_SHARE;
    let mut problems: Vec<String> = (0..5)
        .filter_map(|index| {
            let count = two.iter().filter(|q| q.correct.contains(&index)).count();
            let share = share_percent(count, slots);
            (share < low || share > high).then(|| {
                format!(
                    "{} fills {count} of {slots} keyed slots of \"choose two\" questions \
                     ({share:.1}%), allowed {low}–{high}%",
                    Question::letter(index)
                )
            })
        })
        .collect();
    let mut pairs: BTreeMap<&[usize], usize> = BTreeMap::new();
    for question in &two {
        *pairs.entry(question.correct.as_slice()).or_default() += 1;
    }
    for (pair, count) in pairs {
        let share = share_percent(count, two.len());
        if share > CHOOSE_TWO_PAIR_MAX {
            problems.push(format!(
                "{} is the key of {count} of {} \"choose two\" questions ({share:.1}%), \
                 allowed at most {CHOOSE_TWO_PAIR_MAX}%",
                Question::letters(pair),
                two.len()
            ));
        }
    }
    problems
}

/// Too many keys that are the longest option: single-answer questions
/// whose key is strictly longer than every other choice, and "choose two"
/// questions whose keys are the two strictly longest.
fn longest_key_problems(bank: &Bank) -> Vec<String> {
    let chars = |text: &String| text.chars().filter(|c| !c.is_whitespace()).count();
    let single: Vec<&Question> = bank.askable(None).filter(|q| q.picks() == 1).collect();
    let two: Vec<&Question> = bank.askable(None).filter(|q| q.picks() == 2).collect();
    let longest = single
        .iter()
        .filter(|q| {
            let key = chars(&q.choices[q.correct[0]]);
            q.choices
                .iter()
                .enumerate()
                .all(|(i, c)| i == q.correct[0] || chars(c) < key)
        })
        .count();
    let longest_pairs = two
        .iter()
        .filter(|q| {
            let shortest_key = q.correct.iter().map(|&i| chars(&q.choices[i])).min();
            let longest_other = q
                .choices
                .iter()
                .enumerate()
                .filter(|(i, _)| !q.correct.contains(i))
                .map(|(_, c)| chars(c))
                .max();
            matches!((shortest_key, longest_other), (Some(k), Some(o)) if k > o)
        })
        .count();
    let mut problems = Vec::new();
    let share = share_percent(longest, single.len().max(1));
    if share > LONGEST_KEY_MAX {
        problems.push(format!(
            "the key is the longest option in {longest} of {} single-answer questions \
             ({share:.1}%), allowed at most {LONGEST_KEY_MAX}%",
            single.len()
        ));
    }
    let share = share_percent(longest_pairs, two.len().max(1));
    if share > LONGEST_PAIR_MAX {
        problems.push(format!(
            "the keys are the two longest options in {longest_pairs} of {} \"choose two\" \
             questions ({share:.1}%), allowed at most {LONGEST_PAIR_MAX}%",
            two.len()
        ));
    }
    problems
}

/// In-scope services no askable question names in its stem or its key.
fn services_never_asked(bank: &Bank) -> Vec<String> {
    IN_SCOPE_SERVICES
        .iter()
        .filter(|names| {
            !bank.askable(None).any(|q| {
                let keys: Vec<&str> = q.correct.iter().map(|&i| q.choices[i].as_str()).collect();
                names
                    .iter()
                    .any(|name| q.prompt.contains(name) || keys.iter().any(|k| k.contains(name)))
            })
        })
        .map(|names| format!("no question asks about {}", names.join(" / ")))
        .collect()
}

/// Texts that break the banks' one voice: a quote other than 「」, a
/// spelling the glossary replaces, a choice ending in a period, a "choose
/// two" stem without its phrase exactly once (or a single-answer stem
/// with it).
fn voice_problems(bank: &Bank) -> Vec<String> {
    let mut problems = Vec::new();
    for q in bank.askable(None) {
        let texts = std::iter::once(&q.prompt)
            .chain(&q.choices)
            .chain(std::iter::once(&q.explanation));
        for text in texts {
            if text.contains(['“', '”', '"']) {
                problems.push(format!("{} quotes with “” or \" (use 「」): {text}", at(q)));
            }
            for (wrong, right) in GLOSSARY {
                if text.contains(wrong) {
                    problems.push(format!(
                        "{} writes 「{wrong}」 (the banks write 「{right}」)",
                        at(q)
                    ));
                }
            }
        }
        for choice in &q.choices {
            if choice.trim_end().ends_with('.') {
                problems.push(format!(
                    "{} has a choice ending in a period: {choice}",
                    at(q)
                ));
            }
        }
        let phrases = q.prompt.matches(CHOOSE_TWO_PHRASE).count();
        let expected = usize::from(q.picks() == 2);
        if phrases != expected {
            problems.push(format!(
                "{} says {CHOOSE_TWO_PHRASE} {phrases} times, expected {expected}",
                at(q)
            ));
        }
    }
    problems
}

// ------------------------------------------------- the shipped content

#[test]
fn every_askable_question_has_an_exam_domain() {
    assert_none(
        "questions without a `domain` (set it on the question or as the topic's default)",
        questions_without_domain(&shipped().bank),
    );
}

#[test]
fn every_notes_section_is_asked_about() {
    assert_none(
        "notes sections no active question points at (write one, or merge the section into a neighbour)",
        sections_without_active_question(&shipped()),
    );
}

#[test]
fn the_domains_are_weighted_like_the_exam() {
    assert_none(
        "domain shares out of range",
        domain_share_problems(&shipped().bank),
    );
}

#[test]
fn the_banks_hold_enough_questions() {
    assert_none("too few questions", count_problems(&shipped().bank));
}

#[test]
fn single_answer_keys_are_spread_over_the_letters() {
    assert_none(
        "single-answer key positions out of balance (reorder some questions' choices)",
        single_key_problems(&shipped().bank),
    );
}

#[test]
fn choose_two_keys_are_spread_over_the_letters() {
    assert_none(
        "\"choose two\" key positions out of balance (reorder some questions' choices)",
        choose_two_key_problems(&shipped().bank),
    );
}

#[test]
fn the_key_is_not_the_longest_option_more_often_than_chance() {
    assert_none(
        "the longest option gives the answer away (see `quizbot check --lint`)",
        longest_key_problems(&shipped().bank),
    );
}

#[test]
fn every_in_scope_service_is_asked_about() {
    assert_none(
        "in-scope services without a question",
        services_never_asked(&shipped().bank),
    );
}

#[test]
fn the_banks_speak_with_one_voice() {
    assert_none(
        "texts off the banks' style (README, \"Question banks\")",
        voice_problems(&shipped().bank),
    );
}

// ------------------------------------ the checks fail when they should

/// A one-topic bank whose questions have the given keys: one index for a
/// single-answer question (4 choices), two for "choose two" (5 choices).
fn made_up_bank(topic_domain: Option<&str>, keys: &[&[usize]]) -> Bank {
    let mut text = String::from("[topic]\nid = \"made-up\"\nname = \"Made up\"\n");
    if let Some(domain) = topic_domain {
        text.push_str(&format!("domain = \"{domain}\"\n"));
    }
    for (n, key) in keys.iter().enumerate() {
        text.push_str(&format!(
            "\n[[question]]\nid = \"made-up-{n}\"\nprompt = \"질문 {n}\"\nexplanation = \"설명 {n}\"\n"
        ));
        if key.len() == 1 {
            text.push_str(&format!(
                "choices = [\"가\", \"나\", \"다\", \"라\"]\nanswer = {}\n",
                key[0]
            ));
        } else {
            text.push_str(&format!(
                "choices = [\"가\", \"나\", \"다\", \"라\", \"마\"]\nanswers = [{}]\n",
                key.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let (bank, diagnostics) = Bank::parse_files([(Path::new("made-up.toml"), text.as_str())]);
    assert!(
        diagnostics.is_empty(),
        "made-up bank: {diagnostics:?}\n{text}"
    );
    assert_eq!(bank.questions.len(), keys.len());
    bank
}

#[test]
fn a_question_without_a_domain_is_reported() {
    let bank = made_up_bank(None, &[&[0]]);
    let problems = questions_without_domain(&bank);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`made-up-0`"), "{problems:?}");

    let bank = made_up_bank(Some("security"), &[&[0]]);
    assert!(questions_without_domain(&bank).is_empty());
}

#[test]
fn a_lopsided_domain_mix_is_reported_by_domain() {
    let bank = made_up_bank(Some("security"), &[&[0], &[1], &[2], &[3]]);
    let problems = domain_share_problems(&bank);
    for domain in Domain::ALL {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{domain}: "))),
            "{domain} is out of range and should be named: {problems:?}"
        );
    }
}

#[test]
fn a_small_bank_is_reported() {
    let bank = made_up_bank(Some("billing"), &[&[0], &[1, 2]]);
    let problems = count_problems(&bank);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("2 askable questions"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("1 askable \"choose two\""),
        "{problems:?}"
    );
}

#[test]
fn an_overused_single_answer_letter_is_named_with_its_share() {
    // C keys 4 of 8 (50%), A and B one each (12.5%), D two (25%).
    let bank = made_up_bank(
        Some("technology"),
        &[&[2], &[2], &[2], &[2], &[0], &[1], &[3], &[3]],
    );
    let problems = single_key_problems(&bank);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("C is the key of 4 of 8") && p.contains("(50.0%)")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.starts_with("A ")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("B ")), "{problems:?}");

    let even = made_up_bank(Some("technology"), &[&[0], &[1], &[2], &[3]]);
    assert!(single_key_problems(&even).is_empty());
}

#[test]
fn an_overused_choose_two_letter_and_pair_are_named() {
    // B and D key every question: each fills 50% of the slots, the pair
    // B, D keys 100% of the questions; A, C and E fill none.
    let bank = made_up_bank(Some("concepts"), &[&[1, 3], &[1, 3], &[1, 3], &[1, 3]]);
    let problems = choose_two_key_problems(&bank);
    for letter in ["A", "B", "C", "D", "E"] {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{letter} fills "))),
            "{letter} should be named: {problems:?}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("B, D is the key of 4 of 4") && p.contains("(100.0%)")),
        "{problems:?}"
    );

    // Ten questions over all ten pairs: every letter fills 20% of the
    // slots and every pair keys 10% of the questions.
    let pairs: Vec<[usize; 2]> = (0..5)
        .flat_map(|a| (a + 1..5).map(move |b| [a, b]))
        .collect();
    let keys: Vec<&[usize]> = pairs.iter().map(|p| p.as_slice()).collect();
    let even = made_up_bank(Some("concepts"), &keys);
    assert!(choose_two_key_problems(&even).is_empty());
}

#[test]
fn long_keys_a_missing_service_and_an_off_voice_are_reported() {
    let text = r#"[topic]
id = "made-up"
name = "Made up"
domain = "technology"

[[question]]
id = "made-up-long"
prompt = "질문 \"하나\""
choices = ["가", "나", "다", "아주 긴 정답입니다."]
answer = 3
explanation = "머신 러닝 설명"

[[question]]
id = "made-up-two"
prompt = "두 개는? (두 개를 고르시오)"
choices = ["가", "나", "다", "아주 긴 정답", "아주 긴 정답 둘"]
answers = [3, 4]
explanation = "설명"
"#;
    let (bank, diagnostics) = Bank::parse_files([(Path::new("made-up.toml"), text)]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    let long = longest_key_problems(&bank);
    assert_eq!(long.len(), 2, "{long:?}");
    assert!(long[0].contains("1 of 1 single-answer"), "{long:?}");
    assert!(long[1].contains("1 of 1 \"choose two\""), "{long:?}");

    let missing = services_never_asked(&bank);
    assert_eq!(missing.len(), IN_SCOPE_SERVICES.len(), "{missing:?}");

    let voice = voice_problems(&bank);
    for expected in [
        "quotes with",
        "「머신 러닝」",
        "ending in a period",
        "says (두 개를 고르십시오) 0 times",
        "「고르시오」",
    ] {
        assert!(
            voice.iter().any(|p| p.contains(expected)),
            "`{expected}` should be reported: {voice:#?}"
        );
    }
}
