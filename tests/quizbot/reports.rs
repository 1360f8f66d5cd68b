//! Reports of a bad question: the store's contract on both databases, and
//! what a reload that changes an answer key does to the question's answers
//! and reports.

use chrono::Duration;
use quizbot::content::{Content, SharedContent};
use quizbot::report::ReportReason;
use quizbot::service::{Click, Service, ServiceSettings};
use quizbot::store::{Filed, NewReport};
use quizbot::terminal;
use quizbot::view::ReloadReport;

use crate::store_contract::{at, Fixture};
use crate::support::{write_tree, TestDatabase};

both_backends!(one_open_report_per_member_and_question_until_resolved);

async fn one_open_report_per_member_and_question_until_resolved(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let bo = f.player("bo").await;
    let now = at("2026-03-04T00:00:00Z");
    let report = |question: &'static str, reason, details: &'static str, minutes| NewReport {
        question_id: question,
        reason,
        details,
        at: now + Duration::minutes(minutes),
    };
    let first = f
        .store
        .report_question(
            &ana,
            &report("ec2-1", ReportReason::WrongAnswer, "B가 맞아요", 0),
        )
        .await
        .expect("report");
    assert!(matches!(first, Filed::New(_)));
    let again = f
        .store
        .report_question(&ana, &report("ec2-1", ReportReason::Other, "", 1))
        .await
        .expect("report");
    assert_eq!(
        again,
        Filed::AlreadyOpen,
        "one open report per member and question"
    );
    for (player, question) in [(&bo, "ec2-1"), (&ana, "s3-1")] {
        let filed = f
            .store
            .report_question(player, &report(question, ReportReason::Ambiguous, "", 2))
            .await
            .expect("report");
        assert!(matches!(filed, Filed::New(_)));
    }

    let open = f
        .store
        .reports(Some(f.community.id), false)
        .await
        .expect("list");
    let listed: Vec<(&str, &str, ReportReason)> = open
        .iter()
        .map(|r| (r.question_id.as_str(), r.reporter.as_str(), r.reason))
        .collect();
    assert_eq!(
        listed,
        [
            ("ec2-1", "ana", ReportReason::WrongAnswer),
            ("ec2-1", "bo", ReportReason::Ambiguous),
            ("s3-1", "ana", ReportReason::Ambiguous),
        ]
    );
    assert_eq!(open[0].details, "B가 맞아요");

    let resolved = f
        .store
        .resolve_reports(
            Some(f.community.id),
            "ec2-1",
            "고침",
            now + Duration::hours(1),
        )
        .await
        .expect("resolve");
    assert_eq!(resolved, 2);
    let open = f
        .store
        .reports(Some(f.community.id), false)
        .await
        .expect("list");
    assert_eq!(open.len(), 1);
    let all = f.store.reports(None, true).await.expect("list");
    assert_eq!(all.len(), 3);
    assert!(all
        .iter()
        .filter(|r| r.question_id == "ec2-1")
        .all(|r| r.resolution.as_deref() == Some("고침") && r.resolved_at.is_some()));

    // Resolved, a question can be reported again.
    let later = f
        .store
        .report_question(
            &ana,
            &report("ec2-1", ReportReason::WrongExplanation, "", 90),
        )
        .await
        .expect("report");
    assert!(matches!(later, Filed::New(_)));

    // Resolved in every community (an answer key changed): the open ones of
    // that question only.
    let resolved = f
        .store
        .resolve_reports(None, "s3-1", "키 변경", now + Duration::hours(2))
        .await
        .expect("resolve everywhere");
    assert_eq!(resolved, 1);
    let open = f.store.reports(None, false).await.expect("list");
    let open: Vec<&str> = open.iter().map(|r| r.question_id.as_str()).collect();
    assert_eq!(open, vec!["ec2-1"]);
}

const BANK: &str = ec2_spot_bank!();

#[tokio::test]
async fn a_reload_that_changes_an_answer_key_counts_its_answers_and_resolves_its_reports() {
    let dir = write_tree(&[("questions/ec2.toml", BANK), ("notes/ec2.md", "# EC2\n")]);
    let (questions, notes) = (dir.path().join("questions"), dir.path().join("notes"));
    let (content, _) = Content::load(&questions, &notes).expect("content");
    let db = TestDatabase::sqlite();
    let service = Service::new(
        SharedContent::new(content),
        db.store().await,
        ServiceSettings::default(),
    );
    let admin = terminal::caller("admin");

    // A member answers with the key as it is (B), and reports it.
    let card = service
        .start_quiz(&admin, None, Some(1))
        .await
        .expect("quiz");
    let feedback = service
        .answer(&admin, card.session, 0, &[1], &Click::default())
        .await
        .expect("answer");
    assert!(feedback.correct);
    let flagged = match feedback.report.action {
        quizbot::action::Action::Flag(flagged) => flagged,
        other => panic!("the 🚩 button does {other:?}"),
    };
    service
        .report(&admin, flagged, ReportReason::WrongAnswer, "")
        .await
        .expect("report");

    // The bank now says C.
    std::fs::write(
        questions.join("ec2.toml"),
        BANK.replace("answer = 1", "answer = 2"),
    )
    .expect("edit the bank");
    let ReloadReport::Done(text) = service.reload(&admin).await.expect("reload") else {
        panic!("the reload was refused");
    };
    let texts = service.texts();
    assert!(
        text.contains(&texts.key_changed("ec2-spot", 1, 1)),
        "{text}"
    );

    // The answer keeps its score; the report is resolved by the change.
    let all = service.all_reports(true).await.expect("reports");
    let listed = all.text.unwrap_or_default();
    assert!(listed.contains(texts.resolved_by_key_change()), "{listed}");
    let stats = service
        .stats(&terminal::identity("admin"), "admin")
        .await
        .expect("stats");
    assert!(
        stats.lines[0].contains(&texts.stats_totals(1, 1, 10)),
        "{:?}",
        stats.lines
    );

    // Reloading the same bank again changes no key.
    let ReloadReport::Done(again) = service.reload(&admin).await.expect("reload") else {
        panic!("the reload was refused");
    };
    assert!(!again.contains("ec2-spot"), "{again}");
}
