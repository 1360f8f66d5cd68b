//! Reports of a bad question: the member's form and thanks, the admins'
//! list and resolution, and what a reload that changes an answer key does
//! to the answers and reports of its question.

use chrono::Utc;

use super::{Caller, Service, ServiceError};
use crate::action::Flagged;
use crate::content::Content;
use crate::i18n::Texts;
use crate::identity::Identity;
use crate::refusal::Refusal;
use crate::report::{self, Report, ReportReason};
use crate::store::{Filed, NewReport, Player};
use crate::view::{AdminReply, ReportForm};

/// How much of a reported question's prompt the admins' list shows.
const REPORTED_PROMPT_MAX: usize = 60;

impl Service {
    /// The form that asks the caller why they report `flagged`'s question.
    pub async fn report_form(
        &self,
        caller: &Caller,
        flagged: Flagged,
    ) -> Result<ReportForm, ServiceError> {
        let content = self.content();
        let (community, player) = self.member(caller).await?;
        let question_id = self
            .flagged_question(&player, &caller.identity, flagged)
            .await?;
        let question = content
            .bank
            .question(&question_id)
            .ok_or(Refusal::QuestionGone)?;
        Ok(ReportForm::new(
            self.texts_for(&community),
            flagged,
            question,
        ))
    }

    /// Files the caller's report of `flagged`'s question; the answer is
    /// the private thanks (or that they reported it already).
    pub async fn report(
        &self,
        caller: &Caller,
        flagged: Flagged,
        reason: ReportReason,
        details: &str,
    ) -> Result<String, ServiceError> {
        let (community, player) = self.member(caller).await?;
        let question_id = self
            .flagged_question(&player, &caller.identity, flagged)
            .await?;
        let details = report::clean_details(details);
        let filed = self
            .store()
            .report_question(
                &player,
                &NewReport {
                    question_id: &question_id,
                    reason,
                    details: &details,
                    at: Utc::now(),
                },
            )
            .await?;
        let texts = self.texts_for(&community);
        Ok(match filed {
            Filed::New(id) => {
                tracing::info!(id, question = %question_id, %reason, "question reported");
                crate::telemetry::report(caller.identity.platform);
                texts.report_thanks()
            }
            Filed::AlreadyOpen => texts.report_already_open(),
        }
        .to_string())
    }

    /// The question a report is about, when the caller may report it: a
    /// question of their own session, or of a daily post of their
    /// community.
    async fn flagged_question(
        &self,
        player: &Player,
        identity: &Identity,
        flagged: Flagged,
    ) -> Result<String, ServiceError> {
        match flagged {
            Flagged::Session { session, position } => {
                let session = self
                    .store()
                    .session(session)
                    .await?
                    .ok_or(Refusal::SessionOver)?;
                if session.player_id != player.id {
                    return Err(Refusal::NotYourSession.into());
                }
                Ok(session
                    .question_ids
                    .get(position)
                    .ok_or(Refusal::StaleQuestion)?
                    .clone())
            }
            Flagged::Daily { post } => {
                let (post, schedule) = self
                    .store()
                    .daily_post(post)
                    .await?
                    .ok_or(Refusal::DailyGone)?;
                if schedule.platform != identity.platform
                    || schedule.community != identity.community
                {
                    return Err(Refusal::DailyGone.into());
                }
                Ok(post.question_id)
            }
        }
    }

    /// The community's reports by question, the most reported first: open
    /// ones, or `all`. Admins only.
    pub async fn reports(&self, caller: &Caller, all: bool) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let (community, _) = self.member(caller).await?;
        let reports = self.store().reports(Some(community.id), all).await?;
        Ok(self.report_list(self.texts_for(&community), &reports, all))
    }

    /// Every community's reports, for the operator.
    pub async fn all_reports(&self, all: bool) -> Result<AdminReply, ServiceError> {
        let reports = self.store().reports(None, all).await?;
        Ok(self.report_list(self.texts(), &reports, all))
    }

    /// Reports by question, each question named by its id and the start of
    /// its prompt (when the bank still has it), then each report.
    fn report_list(&self, texts: Texts, reports: &[Report], all: bool) -> AdminReply {
        let content = self.content();
        if reports.is_empty() {
            return AdminReply::text(texts.reports_none(all));
        }
        let mut lines = Vec::new();
        for group in report::by_question(reports) {
            lines.push(texts.reported_question(
                group.question_id,
                group.reports.len(),
                group.open,
                &group.reasons,
            ));
            if let Some(question) = content.bank.question(group.question_id) {
                lines.push(format!(
                    "  「{}」",
                    crate::notes::truncate_chars(&question.prompt, REPORTED_PROMPT_MAX)
                ));
            }
            for report in &group.reports {
                lines.push(texts.report_line(
                    &report.reporter,
                    &report.details,
                    report.resolution.as_deref(),
                ));
            }
        }
        AdminReply::text(lines.join("\n"))
    }

    /// Resolves the open reports of `question_id` in the caller's
    /// community, with an optional note. Admins only.
    pub async fn resolve_report(
        &self,
        caller: &Caller,
        question_id: &str,
        note: &str,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let (community, _) = self.member(caller).await?;
        let texts = self.texts_for(&community);
        self.resolve(texts, Some(community.id), question_id, note)
            .await
    }

    /// The same in every community, for the operator.
    pub async fn resolve_report_everywhere(
        &self,
        question_id: &str,
        note: &str,
    ) -> Result<AdminReply, ServiceError> {
        self.resolve(self.texts(), None, question_id, note).await
    }

    async fn resolve(
        &self,
        texts: Texts,
        community_id: Option<i64>,
        question_id: &str,
        note: &str,
    ) -> Result<AdminReply, ServiceError> {
        let question_id = question_id.trim();
        let note = crate::report::clean_details(note);
        let resolved = self
            .store()
            .resolve_reports(community_id, question_id, &note, Utc::now())
            .await?;
        Ok(AdminReply::text(
            texts.reports_resolved(question_id, resolved),
        ))
    }

    /// After a reload from `old` to `new`: for each question whose answer
    /// key changed, how many stored answers were scored with the old key
    /// (they keep their score) and how many open reports the change
    /// resolves, as lines for the admin.
    pub(super) async fn answer_key_changes(
        &self,
        texts: Texts,
        old: &Content,
        new: &Content,
    ) -> Result<Vec<String>, ServiceError> {
        let changed: Vec<String> = new
            .bank
            .questions
            .iter()
            .filter(|q| {
                old.bank.question(&q.id).is_some_and(|before| {
                    let (mut was, mut is) = (before.correct.clone(), q.correct.clone());
                    was.sort_unstable();
                    is.sort_unstable();
                    was != is
                })
            })
            .map(|q| q.id.clone())
            .collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let counts = self.store().answer_counts(&changed).await?;
        let note = texts.resolved_by_key_change();
        let mut lines = Vec::new();
        for question_id in &changed {
            let answers = counts
                .iter()
                .find(|(id, _)| id == question_id)
                .map_or(0, |(_, n)| *n);
            let resolved = self
                .store()
                .resolve_reports(None, question_id, note, Utc::now())
                .await?;
            tracing::info!(question = %question_id, answers, resolved, "answer key changed");
            lines.push(texts.key_changed(question_id, answers, resolved));
        }
        Ok(lines)
    }
}
