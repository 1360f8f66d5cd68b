//! Faults a member must never feel, on both databases through the real
//! service: a quiz that a restart (or a crash between two steps) cannot
//! strand, text from a platform that the store cannot hold, and a session
//! length outside what a session may have.

use quizbot::content::SharedContent;
use quizbot::refusal::Refusal;
use quizbot::report::ReportReason;
use quizbot::service::{
    Caller, Click, QuizMode, Service, ServiceError, ServiceSettings, SessionStart,
};
use quizbot::terminal;
use quizbot::view::NextStep;

use crate::support::{ec2_content, TestDatabase};

both_backends!(
    a_quiz_goes_on_after_a_restart_at_any_step,
    what_a_member_reads_matches_what_the_bot_does,
    text_a_platform_sends_is_stored_without_nul,
    a_session_of_zero_or_too_many_questions_is_refused,
);

const BANK: &str = concat!(
    ec2_spot_bank!(),
    ec2_ondemand_question!(),
    r#"
[[question]]
id = "ec2-dedicated"
prompt = "서버 단위 라이선스를 그대로 쓰려면?"
choices = ["온디맨드", "스팟 인스턴스", "예약 인스턴스", "전용 호스트"]
answer = 3
explanation = "전용 호스트는 물리 서버를 통째로 씁니다."
"#
);

/// A service over the three-question bank and `db`, as a fresh process
/// would start it.
async fn service(db: &TestDatabase) -> Service {
    Service::new(
        SharedContent::new(ec2_content(BANK)),
        db.store().await,
        ServiceSettings {
            seed: Some(7),
            ..ServiceSettings::default()
        },
    )
}

fn refusal(result: Result<impl std::fmt::Debug, ServiceError>) -> Refusal {
    match result {
        Err(ServiceError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn a_quiz_goes_on_after_a_restart_at_any_step(db: &TestDatabase) {
    let ana = terminal::caller("ana");
    let first = service(db).await;
    let card = first
        .start_quiz(&ana, None, Some(3))
        .await
        .expect("a quiz starts");
    let answered = first
        .answer(&ana, card.session, 0, &[1], &Click::default())
        .await
        .expect("the first answer is recorded");
    assert!(answered.notice.is_none(), "a first answer is new");
    let mut right = u32::from(answered.correct);
    drop(first);

    // Another process (a restart, a replica) takes the next click: Next
    // shows the second question, and nothing needed saving for it.
    let second = service(db).await;
    let NextStep::Card(next) = second.next(&ana, card.session).await.expect("next") else {
        panic!("Next after the first of three answers ended the quiz");
    };
    assert_eq!(
        next.position, 1,
        "Next goes to the first unanswered question"
    );
    // A repeated Next, or one from the card before, shows the same card.
    let NextStep::Card(again) = second.next(&ana, card.session).await.expect("next") else {
        panic!("a repeated Next ended the quiz");
    };
    assert_eq!(again.position, 1);

    // The first question clicked again is not refused: it says which
    // answer counted, and records nothing.
    let repeated = second
        .answer(&ana, card.session, 0, &[2], &Click::default())
        .await
        .expect("a click on an answered question is shown, not refused");
    assert!(
        repeated.notice.is_some(),
        "the feedback says the first answer stands"
    );
    // A question never shown is refused.
    assert_eq!(
        refusal(
            second
                .answer(&ana, card.session, 2, &[0], &Click::default())
                .await
        ),
        Refusal::StaleQuestion
    );

    for position in [1, 2] {
        let feedback = second
            .answer(&ana, card.session, position, &[0], &Click::default())
            .await
            .unwrap_or_else(|err| panic!("answer {position} after the restart: {err}"));
        assert!(feedback.notice.is_none());
        right += u32::from(feedback.correct);
        if position == 2 {
            assert!(feedback.summary.is_some(), "the last answer sums up");
        }
    }
    let stats = second
        .stats(&terminal::identity("ana"), "ana")
        .await
        .expect("stats");
    let texts = second.texts();
    let right = i64::from(right);
    assert!(
        stats.lines[0].contains(&texts.stats_totals(3, right, right * 10)),
        "three answers, {right} right, each once: {:?}",
        stats.lines
    );
}

async fn text_a_platform_sends_is_stored_without_nul(db: &TestDatabase) {
    let service = service(db).await;
    let mut caller: Caller = terminal::caller("ana");
    caller.name = "A\0na \u{1b}Kim".into();
    let card = service
        .start_quiz(&caller, None, Some(1))
        .await
        .expect("a name with NUL still plays");
    let feedback = service
        .answer(&caller, card.session, 0, &[1], &Click::default())
        .await
        .expect("answer");
    let store = db.store().await;
    let identity = &caller.identity;
    let community = store
        .find_community(identity.platform, &identity.community)
        .await
        .expect("community")
        .expect("created");
    let player = store
        .find_player(&community, &identity.user)
        .await
        .expect("player")
        .expect("created");
    assert_eq!(player.display_name, "Ana Kim", "the stored name");

    let flagged = match feedback.report.action {
        quizbot::action::Action::Flag(flagged) => flagged,
        other => panic!("the 🚩 button does {other:?}"),
    };
    service
        .report(
            &caller,
            flagged,
            ReportReason::Other,
            "보기\0 C가\0 이상해요",
        )
        .await
        .expect("a report with NUL is filed");
    let listed = service.all_reports(false).await.expect("reports");
    let text = listed.text.unwrap_or_default();
    assert!(text.contains("보기 C가 이상해요"), "{text}");
    assert!(!text.contains('\0'));
}

async fn a_session_of_zero_or_too_many_questions_is_refused(db: &TestDatabase) {
    let service = service(db).await;
    let ana = terminal::caller("ana");
    for count in [0, 21, 1000] {
        assert_eq!(
            refusal(service.start_quiz(&ana, None, Some(count)).await),
            Refusal::BadCount { max: 20 },
            "a quiz of {count}"
        );
        assert_eq!(
            refusal(service.start_weak(&ana, Some(count)).await),
            Refusal::BadCount { max: 20 }
        );
        assert_eq!(
            refusal(service.start_review(&ana, Some(count)).await),
            Refusal::BadCount { max: 20 }
        );
    }
    let texts = service.texts();
    assert_eq!(
        texts.refusal(&Refusal::BadCount { max: 20 }),
        "문제 수는 1에서 20 사이로 정해 주세요."
    );
    // Nothing was started or stored.
    let stats = service
        .stats(&terminal::identity("ana"), "ana")
        .await
        .expect("stats");
    assert!(
        stats.lines[0].contains(&texts.stats_totals(0, 0, 0)) || stats.lines.len() <= 2,
        "{:?}",
        stats.lines
    );
    service
        .start_quiz(&ana, None, Some(20))
        .await
        .expect("twenty is allowed (the bank has three)");
}

/// The sentences a member reads say what really happens: a topic given
/// with another mode is refused (not dropped), the misses of a quiz are in
/// review at once and `/stats` counts them as due now, and a member with 0
/// points is not ranked first of an empty board.
async fn what_a_member_reads_matches_what_the_bot_does(db: &TestDatabase) {
    let service = service(db).await;
    let ana = terminal::caller("ana");
    assert_eq!(
        refusal(
            service
                .start(&ana, QuizMode::Review, Some("ec2"), None)
                .await
        ),
        Refusal::TopicWithMode
    );
    assert_eq!(
        refusal(service.start(&ana, QuizMode::Weak, Some("ec2"), None).await),
        Refusal::TopicWithMode
    );

    // Three wrong answers: a session's misses.
    let SessionStart::Card(card) = service
        .start(&ana, QuizMode::Quiz, None, Some(3))
        .await
        .expect("a quiz")
    else {
        panic!("a quiz starts with a card");
    };
    let mut last = None;
    for position in 0..3 {
        // The bank's keys are B, A and D: C is wrong on every question.
        let feedback = service
            .answer(&ana, card.session, position, &[2], &Click::default())
            .await
            .expect("answer");
        last = Some(feedback);
        if position < 2 {
            service.next(&ana, card.session).await.expect("next");
        }
    }
    let summary = last.and_then(|f| f.summary).expect("a summary");
    let texts = service.texts_of(&ana.identity);
    let stats = service
        .stats(&terminal::identity("ana"), "ana")
        .await
        .expect("stats");
    assert!(
        summary.lines.contains(&texts.misses_ready(3)),
        "the misses are in review now, in the terminal's own command: {:?}",
        summary.lines
    );
    assert!(texts.misses_ready(3).contains("quizbot review"));
    assert!(
        stats
            .lines
            .iter()
            .any(|l| l.starts_with(&texts.review_due(3, 0))),
        "review serves them now, and /stats says so: {:?}",
        stats.lines
    );

    let board = service
        .leaderboard(&ana.identity, quizbot::quiz::Period::AllTime, None)
        .await
        .expect("board");
    assert!(board.rows.is_empty(), "0 points: no row, no 🥇: {board:?}");
    assert_eq!(board.mine, texts.not_ranked());
}
