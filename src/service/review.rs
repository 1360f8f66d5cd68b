//! Spaced review: a member's review session, the lines about it in stats
//! and summaries, and the community's review settings (exam date, desired
//! retention).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Caller, Service, ServiceError};
use crate::game::Game;
use crate::i18n::Texts;
use crate::quiz;
use crate::refusal::Refusal;
use crate::review;
use crate::store::{Community, Player, QuizSession};
use crate::view::{AdminReply, NothingDue, ReviewStart, SummaryView};

impl Service {
    /// Starts a private review session of `count` questions (the default
    /// when unset): the caller's due cards, then new questions from their
    /// weakest topics. With nothing due, says when the next card is and
    /// offers an ordinary quiz.
    pub async fn start_review(
        &self,
        caller: &Caller,
        count: Option<usize>,
    ) -> Result<ReviewStart, ServiceError> {
        let count = super::quiz::session_length(count)?;
        let content = self.content();
        let (community, player) = self.member(caller).await?;
        let texts = self.texts_for(&community);
        // A mock exam that ran out of time brings its misses here too.
        self.settle_mocks_of(&player, Some(caller.identity.platform))
            .await?;
        let game = Game::new(&content, self.store());
        let now = self.now();
        let until = review::horizon(now, community.exam_on, community.time_zone);
        let mut rng = self.fork_rng();
        let Some(session) = game
            .start_review(&player, count, until, now, &mut rng)
            .await?
        else {
            let counts = self.store().due_counts(&player, now, now).await?;
            let next = counts
                .next_due_at
                .map(|at| texts.when(at, now, community.time_zone));
            return Ok(ReviewStart::NothingDue(NothingDue::new(
                texts,
                next.as_deref(),
            )));
        };
        Ok(ReviewStart::Card(Box::new(
            self.card(texts, &game, &session)?,
        )))
    }

    /// Ends a session and sums it up, saying when its misses come back.
    pub(super) async fn summary(
        &self,
        texts: Texts,
        game: &Game<'_>,
        player: &Player,
        session: &QuizSession,
        now: DateTime<Utc>,
    ) -> Result<SummaryView, ServiceError> {
        let summary = game.finish(session.id, now).await?;
        let mut comeback = None;
        if !summary.missed.is_empty() {
            let cards = self.store().cards(player, &summary.missed).await?;
            if let Some(first) = cards.iter().map(|c| c.state.due_at).min() {
                // What a review session started now would serve: a miss's
                // short relearning step is within its look-ahead.
                let missed = summary.missed.len();
                comeback = Some(if first <= review::horizon(now, None, player.time_zone) {
                    texts.misses_ready(missed)
                } else {
                    let when = texts.when(first, now, player.time_zone);
                    texts.misses_come_back(missed, &when)
                });
            }
        }
        Ok(SummaryView::new(texts, game.content, &summary, comeback))
    }

    /// The stats lines about review: cards due now and by the end of
    /// tomorrow, and the exam countdown when a date is set.
    pub(super) async fn review_lines(
        &self,
        community: &Community,
        player: Option<&Player>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let texts = self.texts_for(community);
        let mut lines = Vec::new();
        if let Some(player) = player {
            let today = quiz::local_day(now, community.time_zone);
            let end_of_tomorrow =
                quiz::local_midnight(today + Duration::days(2), community.time_zone);
            // "Due now" is what a review session started now would serve.
            let serves = review::horizon(now, community.exam_on, community.time_zone);
            let counts = self
                .store()
                .due_counts(player, serves, end_of_tomorrow.max(serves))
                .await?;
            if counts.now + counts.soon > 0 || counts.next_due_at.is_some() {
                lines.push(texts.review_due(counts.now, counts.soon));
            }
        }
        if let Some(exam_on) = community.exam_on {
            let today = quiz::local_day(now, community.time_zone);
            lines.push(texts.exam_countdown(exam_on, review::days_to_exam(today, exam_on)));
        }
        Ok(lines)
    }

    /// Sets (a date, YYYY-MM-DD), clears (`off`) or shows (nothing typed)
    /// the community's exam date. Admins only.
    pub async fn exam(
        &self,
        caller: &Caller,
        typed: Option<&str>,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let (community, _) = self.member(caller).await?;
        let texts = self.texts_for(&community);
        let today = quiz::local_day(self.now(), community.time_zone);
        let typed = typed.map(str::trim).filter(|t| !t.is_empty());
        let exam_on = match typed {
            None => {
                return Ok(AdminReply::text(match community.exam_on {
                    Some(exam_on) => {
                        texts.exam_countdown(exam_on, review::days_to_exam(today, exam_on))
                    }
                    None => texts.exam_unset().into(),
                }));
            }
            Some(off) if off.eq_ignore_ascii_case("off") || off == "끄기" => None,
            Some(date) => Some(parse_exam_date(date, today)?),
        };
        self.store()
            .set_review_settings(community.id, community.retention, exam_on)
            .await?;
        self.forget_members();
        Ok(AdminReply::text(match exam_on {
            Some(exam_on) => texts.exam_set(exam_on, review::days_to_exam(today, exam_on)),
            None => texts.exam_cleared().into(),
        }))
    }

    /// Sets the community's desired retention (0.70–0.97). Admins only.
    pub async fn set_retention(
        &self,
        caller: &Caller,
        typed: &str,
    ) -> Result<AdminReply, ServiceError> {
        Self::admin_only(caller)?;
        let retention = parse_retention(typed)?;
        let (community, _) = self.member(caller).await?;
        self.store()
            .set_review_settings(community.id, retention, community.exam_on)
            .await?;
        self.forget_members();
        let texts = self.texts_for(&community);
        Ok(AdminReply::text(texts.retention_set(retention)))
    }
}

/// An exam date as typed: today or later.
fn parse_exam_date(typed: &str, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .ok()
        .filter(|date| *date >= today)
        .ok_or_else(|| Refusal::BadExamDate(typed.to_string()))
}

/// A desired retention as typed: 0.70 to 0.97, or a percentage (70–97).
fn parse_retention(typed: &str) -> Result<f32, Refusal> {
    let refused = || Refusal::BadRetention(typed.to_string());
    let number: f32 = typed
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| refused())?;
    let retention = if number > 1.0 { number / 100.0 } else { number };
    // Within the range up to rounding: 0.97 as typed is 0.97 kept.
    let (low, high) = (
        *review::RETENTION_RANGE.start(),
        *review::RETENTION_RANGE.end(),
    );
    if retention.is_finite() && retention >= low - 1e-6 && retention <= high + 1e-6 {
        Ok(retention.clamp(low, high))
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exam_dates_are_days_to_come() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            parse_exam_date("2026-12-14", today),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 14).unwrap())
        );
        assert_eq!(parse_exam_date("2026-12-02", today), Ok(today));
        for bad in ["2026-12-01", "14/12/2026", "soon"] {
            assert!(parse_exam_date(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn retention_is_a_share_or_a_percentage_in_range() {
        assert_eq!(parse_retention("0.85"), Ok(0.85));
        assert_eq!(parse_retention("90%"), Ok(0.9));
        assert_eq!(parse_retention("0.97"), Ok(0.97));
        for bad in ["0.5", "0.99", "high", "NaN", "150"] {
            assert!(parse_retention(bad).is_err(), "{bad}");
        }
    }
}
