//! Notes as people write them: each quirk of the study group's real notes,
//! reproduced in fixtures, parses into the sections a reader would see; and
//! excerpt search finds the passage that explains a question.

use quizbot::bank::{NoteRef, Question};
use quizbot::diagnostic::Position;
use quizbot::notes::{parse_file, Notes, Section, EXCERPT_MAX_CHARS};

use crate::support::{root, shipped_content, write_tree};

fn section<'a>(sections: &'a [Section], heading: &str) -> &'a Section {
    sections
        .iter()
        .find(|s| s.heading() == Some(heading))
        .unwrap_or_else(|| {
            let found: Vec<String> = sections.iter().map(Section::heading_path).collect();
            panic!("no section `{heading}`; sections: {found:#?}")
        })
}

fn texts(section: &Section) -> Vec<&str> {
    section.lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn headings_inside_list_items_open_sections() {
    let md = "AWS ECS and EC2\n===\n- #### ECS (Elastic Container Service)\n  - 컨테이너 관리 서비스\n  - `Task Definition` : JSON 파일\n- #### EC2 (Elastic Compute Cloud)\n  - 가상 서버\n";
    let sections = parse_file("001.md", md);
    let ecs = section(&sections, "ECS (Elastic Container Service)");
    assert_eq!(
        ecs.headings,
        ["AWS ECS and EC2", "ECS (Elastic Container Service)"]
    );
    assert_eq!(ecs.start_line, 3);
    assert_eq!(
        texts(ecs),
        ["컨테이너 관리 서비스", "Task Definition : JSON 파일"]
    );
    assert_eq!(ecs.lines[1].number, 5);
    let ec2 = section(&sections, "EC2 (Elastic Compute Cloud)");
    assert_eq!(texts(ec2), ["가상 서버"]);
    assert_eq!(ec2.end_line, 7);
}

#[test]
fn bold_list_items_over_sub_bullets_are_headings() {
    let md = "- ##### 메시지 관련 서비스\n\t- **Amazon SQS**\n\t\t- 완전관리형 메시지 큐\n\t- **Amazon MQ**\n\t\t- 관리형 메시지 브로커\n\t\t- ActiveMQ, RabbitMQ 기반\n\t- **굵지만** 하위 항목이 없는 줄\n";
    let sections = parse_file("002.md", md);
    let mq = section(&sections, "Amazon MQ");
    assert_eq!(mq.headings, ["메시지 관련 서비스", "Amazon MQ"]);
    assert_eq!(mq.start_line, 4);
    assert_eq!(
        texts(mq),
        [
            "관리형 메시지 브로커",
            "ActiveMQ, RabbitMQ 기반",
            "굵지만 하위 항목이 없는 줄"
        ]
    );
    let sqs = section(&sections, "Amazon SQS");
    assert_eq!(texts(sqs), ["완전관리형 메시지 큐"]);
}

#[test]
fn emoji_and_trailing_text_stay_out_of_or_in_bold_headings() {
    let md = "- 📌 **쿠버네티스**\n\t- 컨테이너 오케스트레이션 플랫폼\n- **Penetration Testing** (AWS 서비스는 아님)\n\t- 해커처럼 취약점을 찾는 평가\n- **AWS KMS** ~~(또 잊었다)~~\n\t- 암호화 키 관리\n";
    let sections = parse_file("002.md", md);
    assert_eq!(
        texts(section(&sections, "쿠버네티스")),
        ["컨테이너 오케스트레이션 플랫폼"]
    );
    assert_eq!(
        texts(section(
            &sections,
            "Penetration Testing (AWS 서비스는 아님)"
        )),
        ["해커처럼 취약점을 찾는 평가"]
    );
    assert_eq!(
        texts(section(&sections, "AWS KMS")),
        ["암호화 키 관리"],
        "struck-out text is dropped"
    );
}

#[test]
fn one_line_blockquotes_over_text_are_headings() {
    let md = "## 컴퓨트\n\n> AWS Lambda\n\n코드만 올리면 실행된다.\n\n요금은 실행 시간만큼.\n\n> AWS Web Application Firewall(WAF)\nWAF는 웹 방화벽이다.\n\n> 모놀리스: 한 서버\n> 마이크로서비스: 여러 서버\n\n> 사용자 -> ELB -> EC2\n\n## 다음\n";
    let sections = parse_file("003.md", md);
    let lambda = section(&sections, "AWS Lambda");
    assert_eq!(lambda.headings, ["컴퓨트", "AWS Lambda"]);
    assert_eq!(lambda.start_line, 3);
    assert_eq!(
        texts(lambda),
        ["코드만 올리면 실행된다.", "요금은 실행 시간만큼."]
    );
    let waf = section(&sections, "AWS Web Application Firewall(WAF)");
    assert_eq!(
        texts(waf),
        [
            "WAF는 웹 방화벽이다.",
            "모놀리스: 한 서버",
            "마이크로서비스: 여러 서버",
            "사용자 -> ELB -> EC2"
        ],
        "a two-line quote and a quote followed by a heading stay text"
    );
    assert_eq!(
        waf.lines[0].number, 10,
        "the lazy line is the heading's text"
    );
}

#[test]
fn a_lone_short_bullet_over_paragraphs_is_a_heading() {
    let md = "## 글로벌 인프라\n\n- 리전\n이 고객들에게 서비스를 제공하는 지리적 위치입니다.\n\n리전을 먼저 고릅니다.\n\n- 가용영역\n\n리전마다 여러 개의 AZ가 있습니다.\n\n- 첫째 항목\n- 둘째 항목\n\n목록 뒤 문단.\n";
    let sections = parse_file("003.md", md);
    let region = section(&sections, "리전");
    assert_eq!(region.headings, ["글로벌 인프라", "리전"]);
    assert_eq!(
        texts(region),
        [
            "이 고객들에게 서비스를 제공하는 지리적 위치입니다.",
            "리전을 먼저 고릅니다."
        ]
    );
    let az = section(&sections, "가용영역");
    assert_eq!(
        texts(az),
        [
            "리전마다 여러 개의 AZ가 있습니다.",
            "첫째 항목",
            "둘째 항목",
            "목록 뒤 문단."
        ],
        "a list of two items is content"
    );
}

#[test]
fn bullets_indented_as_code_are_text_lines() {
    let md = "### 클라우드 컴퓨팅의 이점\n    - 선행 비용을 가변 비용으로 대체\n        - 먼저 투자할 필요가 없다\n    - 용량 추정 불필요\n\n```\n정의 문장입니다.\n```\n";
    let sections = parse_file("000.md", md);
    let benefits = section(&sections, "클라우드 컴퓨팅의 이점");
    assert_eq!(
        texts(benefits),
        [
            "선행 비용을 가변 비용으로 대체",
            "먼저 투자할 필요가 없다",
            "용량 추정 불필요",
            "정의 문장입니다."
        ]
    );
    let numbers: Vec<usize> = benefits.lines.iter().map(|l| l.number).collect();
    assert_eq!(numbers, [2, 3, 4, 7]);
}

#[test]
fn mark_tags_images_and_links_leave_their_words() {
    let md = "# [AWS Korea 영상](https://example.com/v)\n- **Amazon Fargate**\n\t- 컨테이너를 위한 <mark style=\"background: #FFB8EBA6;\">서버리스 컴퓨팅 엔진</mark>\n\t- 그림 ![image](https://example.com/a.png) 뒤\n";
    let sections = parse_file("002.md", md);
    assert_eq!(sections[0].headings, ["AWS Korea 영상"]);
    let fargate = section(&sections, "Amazon Fargate");
    assert_eq!(
        texts(fargate),
        ["컨테이너를 위한 서버리스 컴퓨팅 엔진", "그림 뒤"]
    );
}

#[test]
fn table_rows_keep_their_column_names() {
    let md = "## 요금 옵션\n|온디맨드|스팟|\n|---|---|\n|약정 없음|중단될 수 있음|\n|단기 워크로드|최대 90% 절감|\n";
    let sections = parse_file("004.md", md);
    let options = section(&sections, "요금 옵션");
    assert_eq!(
        texts(options),
        [
            "온디맨드 | 스팟",
            "온디맨드: 약정 없음 | 스팟: 중단될 수 있음",
            "온디맨드: 단기 워크로드 | 스팟: 최대 90% 절감"
        ]
    );
    assert_eq!(options.lines[2].number, 5);
}

#[test]
fn text_before_any_heading_is_a_section_of_its_own() {
    let sections = parse_file("intro.md", "머리말 한 줄\n\n# 제목\n본문\n");
    assert_eq!(sections[0].headings, Vec::<String>::new());
    assert_eq!(sections[0].heading_path(), "intro.md");
    assert_eq!(texts(&sections[0]), ["머리말 한 줄"]);
}

#[test]
fn a_korean_noun_matches_whatever_particle_follows_it() {
    let notes = Notes::from_files([
        (
            "ec2.md",
            "## 스팟 인스턴스\n스팟 인스턴스는 중단될 수 있지만 가장 저렴합니다.\n",
        ),
        ("iam.md", "## IAM\n사용자와 역할로 권한을 관리합니다.\n"),
    ]);
    let results = notes.search("인스턴스를 싸게 쓰려면?", 2);
    assert_eq!(results[0].heading, "스팟 인스턴스");
    assert_eq!(results.len(), 1, "IAM shares no term with the query");
}

#[test]
fn an_excerpt_is_short_and_shows_the_relevant_lines() {
    let mut md = String::from("## 긴 섹션\n");
    for i in 0..80 {
        md.push_str(&format!("- 관계없는 문장 {i} 채우기 위한 내용\n"));
    }
    md.push_str("- Amazon Macie는 S3의 민감한 개인정보를 찾아 줍니다.\n");
    let notes = Notes::from_files([("long.md", md.as_str())]);
    let excerpt = &notes.search(
        "S3 버킷에서 카드 번호 같은 민감한 정보를 찾는 서비스는? Amazon Macie",
        1,
    )[0];
    assert!(
        excerpt.text.chars().count() <= EXCERPT_MAX_CHARS,
        "{}",
        excerpt.text.chars().count()
    );
    assert!(excerpt.text.starts_with("긴 섹션\n"), "{}", excerpt.text);
    assert!(
        excerpt.text.contains("Amazon Macie는 S3의 민감한"),
        "{}",
        excerpt.text
    );
    assert_eq!(excerpt.line, 82, "the first line shown");
}

#[test]
fn an_explicit_source_is_honoured_and_a_broken_one_falls_back_to_search() {
    let notes = Notes::from_files([
        ("a.md", "## 가\n스팟 인스턴스 이야기\n"),
        ("b.md", "## 나\n전혀 다른 내용\n"),
    ]);
    let mut question = Question {
        id: "q".into(),
        topic: "t".into(),
        prompt: "스팟 인스턴스는?".into(),
        choices: vec!["a".into(), "b".into()],
        correct: vec![0],
        explanation: "스팟 인스턴스".into(),
        sources: vec![NoteRef::parse("b.md#나", Position::START)],
        difficulty: quizbot::bank::Difficulty::Easy,
        domain: None,
        retired: false,
        path: "t.toml".into(),
        line: 1,
        id_position: Position::START,
    };
    assert_eq!(
        notes.excerpt_for(&question).map(|e| e.file),
        Some("b.md".into())
    );
    question.sources = vec![NoteRef::parse("b.md#없는 제목", Position::START)];
    assert_eq!(
        notes.excerpt_for(&question).map(|e| e.file),
        Some("a.md".into())
    );
}

#[test]
fn every_shipped_question_gets_an_excerpt_from_its_own_source() {
    let content = shipped_content();
    for question in &content.bank.questions {
        let excerpts = content.notes.excerpts_for(question);
        assert!(
            !question.sources.is_empty(),
            "{}: shipped questions have sources",
            question.id
        );
        assert_eq!(
            excerpts.len(),
            question.sources.len(),
            "{}: an excerpt per source",
            question.id
        );
        for (excerpt, source) in excerpts.iter().zip(&question.sources) {
            assert_eq!(excerpt.file, source.file, "{}", question.id);
            assert!(
                excerpt.text.chars().count() <= EXCERPT_MAX_CHARS,
                "{}",
                question.id
            );
            assert!(
                excerpt.text.lines().count() >= 2,
                "{}: excerpt has no body: {}",
                question.id,
                excerpt.text
            );
        }
    }
}

#[test]
fn notes_search_json_has_exactly_the_documented_keys() {
    let dir = write_tree(&[(
        "aws/ec2.md",
        "# EC2\n\n## 스팟 인스턴스\n중단될 수 있지만 저렴하다.\n",
    )]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quizbot"))
        .args(["notes", "search", "--json", "--limit", "5", "--notes"])
        .arg(dir.path())
        .arg("스팟 인스턴스를 고르는 이유")
        .output()
        .expect("run quizbot notes search");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let first = &results.as_array().expect("an array")[0];
    let mut keys: Vec<&str> = first
        .as_object()
        .expect("objects")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["file", "heading", "line", "score", "text"]);
    assert_eq!(first["file"], "aws/ec2.md");
    assert_eq!(first["heading"], "EC2 > 스팟 인스턴스");
    assert_eq!(first["line"], 4);
    assert!(first["score"].as_f64().is_some_and(|s| s > 0.0));
}

/// The study group's own notes, when they sit beside the project: the top
/// result for each case in tests/data/seed_queries.toml should be the
/// passage a reader would pick. Run with
/// `cargo test --test quizbot seed_notes -- --ignored --nocapture`.
#[test]
#[ignore = "needs ../shared/seeds"]
fn seed_notes_top_results() {
    let seeds = root().join("../shared/seeds");
    assert!(seeds.is_dir(), "{} is not here", seeds.display());
    let (notes, _) = Notes::load_dir(&seeds);
    let cases: toml::Value = toml::from_str(
        &std::fs::read_to_string(root().join("tests/data/seed_queries.toml")).expect("cases file"),
    )
    .expect("cases parse");
    let cases = cases["case"].as_array().expect("[[case]] entries");
    let mut hits = 0;
    for case in cases {
        let text = case["text"].as_str().unwrap_or_default();
        let file = case["file"].as_str().unwrap_or_default();
        let heading = case["heading"].as_str().unwrap_or_default();
        let alternatives: Vec<&str> = case
            .get("alternatives")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let top = notes.search(text, 1);
        let ok = top.first().is_some_and(|e| {
            let own = notes.sections[e.section].heading().unwrap_or_default();
            e.file == file && (own == heading || alternatives.contains(&own))
        });
        if ok {
            hits += 1;
        } else {
            let got = top
                .first()
                .map(|e| format!("{} › {}", e.file, e.heading))
                .unwrap_or_default();
            println!("MISS want {file} › {heading}\n     got  {got}\n     for  {text}");
        }
    }
    println!(
        "seed notes: {hits} of {} top results are the expected passage",
        cases.len()
    );
    // Aim for all; fail when a change makes the search clearly worse.
    assert!(
        hits * 100 >= cases.len() * 95,
        "{hits} of {} top results right",
        cases.len()
    );
}

#[test]
fn a_question_s_excerpts_are_found_once_and_are_the_notes_own() {
    use std::borrow::Cow;
    // The passages shown, without the scores (their last bits follow the
    // order a query's terms are summed in).
    let passages = |excerpts: &[quizbot::notes::Excerpt]| -> Vec<(usize, String, usize)> {
        excerpts
            .iter()
            .map(|e| (e.section, e.text.clone(), e.line))
            .collect()
    };
    let content = shipped_content();
    for question in &content.bank.questions {
        let first = content.excerpts_for(question);
        assert_eq!(
            passages(&first),
            passages(&content.notes.excerpts_for(question)),
            "{}",
            question.id
        );
        let again = content.excerpts_for(question);
        assert!(
            matches!(again, Cow::Borrowed(_)) && std::ptr::eq(first.as_ptr(), again.as_ptr()),
            "{}: found again",
            question.id
        );
    }
    // A question under a bank question's id but with other words and
    // sources gets its own excerpts, not the bank question's.
    let bank_question = &content.bank.questions[0];
    let other = Question {
        prompt: "IAM 사용자에게 권한을 주는 정책은 무엇입니까?".into(),
        explanation: "IAM 정책".into(),
        sources: Vec::new(),
        ..bank_question.clone()
    };
    let theirs = content.excerpts_for(&other);
    assert!(matches!(theirs, Cow::Owned(_)));
    assert_eq!(
        passages(&theirs),
        passages(&content.notes.excerpts_for(&other))
    );
    assert_ne!(
        passages(&theirs),
        passages(&content.excerpts_for(bank_question))
    );
}
