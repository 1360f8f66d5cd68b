//! Members' reports of questions: filed once while open, listed, and
//! resolved with a note.

use chrono::{DateTime, Utc};

use super::moment::Moment;
use super::{Player, Store, StoreError};
use crate::report::{Report, ReportReason};

/// What filing a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Stored with this id.
    New(i64),
    /// The member already has an open report of this question.
    AlreadyOpen,
}

/// A report to file.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub question_id: &'a str,
    pub reason: ReportReason,
    pub details: &'a str,
    pub at: DateTime<Utc>,
}

/// A report as its row holds it, with the reporter's name.
#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    community_id: i64,
    question_id: String,
    reporter: String,
    reason: String,
    details: String,
    created_at: Moment,
    resolved_at: Option<Moment>,
    resolution: Option<String>,
}

impl TryFrom<ReportRow> for Report {
    type Error = StoreError;

    fn try_from(row: ReportRow) -> Result<Report, StoreError> {
        Ok(Report {
            id: row.id,
            community_id: row.community_id,
            question_id: row.question_id,
            reporter: row.reporter,
            reason: parse_reason(&row.reason)?,
            details: row.details,
            created_at: row.created_at.0,
            resolved_at: row.resolved_at.map(|at| at.0),
            resolution: row.resolution,
        })
    }
}

impl Store {
    /// Files a member's report of a question, unless they have one open
    /// for it already.
    pub async fn report_question(
        &self,
        player: &Player,
        report: &NewReport<'_>,
    ) -> Result<Filed, StoreError> {
        let id: Option<(i64,)> = shared_query!(
            @fetch_optional self,
            "INSERT INTO question_reports (community_id, player_id, question_id, reason, details,
                                           created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (community_id, player_id, question_id) WHERE resolved_at IS NULL
             DO NOTHING
             RETURNING id",
            player.community_id,
            player.id,
            report.question_id,
            report.reason.code(),
            report.details,
            Moment(report.at)
        );
        Ok(id.map_or(Filed::AlreadyOpen, |(id,)| Filed::New(id)))
    }

    /// Reports of one community (every community when `None`), open ones
    /// only unless `all`, oldest first, with the reporter's name.
    pub async fn reports(
        &self,
        community_id: Option<i64>,
        all: bool,
    ) -> Result<Vec<Report>, StoreError> {
        let rows: Vec<ReportRow> = shared_query!(
            self,
            "SELECT r.id, r.community_id, r.question_id, p.display_name AS reporter, r.reason,
                    r.details,
                    r.created_at, r.resolved_at, r.resolution
             FROM question_reports r JOIN players p ON p.id = r.player_id
             WHERE (CAST($1 AS BIGINT) IS NULL OR r.community_id = $1)
               AND ($2 OR r.resolved_at IS NULL)
             ORDER BY r.created_at, r.id",
            community_id,
            all
        );
        rows.into_iter().map(Report::try_from).collect()
    }

    /// Resolves the open reports of a question (in one community, or in
    /// every one when `None`) with `note`; returns how many.
    pub async fn resolve_reports(
        &self,
        community_id: Option<i64>,
        question_id: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let resolved = shared_execute!(
            self,
            "UPDATE question_reports SET resolved_at = $3, resolution = $4
             WHERE question_id = $2 AND resolved_at IS NULL
               AND (CAST($1 AS BIGINT) IS NULL OR community_id = $1)",
            community_id,
            question_id,
            Moment(now),
            note
        );
        Ok(resolved)
    }
}

fn parse_reason(text: &str) -> Result<ReportReason, StoreError> {
    ReportReason::parse(text).ok_or_else(|| StoreError::Corrupt(format!("report reason `{text}`")))
}
