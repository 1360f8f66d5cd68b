//! Daily schedules and their posts: a channel's schedule, the post of each
//! date claimed once, leased to one replica to send or reveal, and the
//! answers it got.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::moment::{Day, Moment};
use super::{count_from, decode_choices, parse_platform, parse_zone, Store, StoreError};
use crate::daily::{
    retry_delay, DailyAnswer, DailyPost, DeliveryFailure, NewSchedule, Occurrence, Schedule, Stage,
};
use crate::identity::{ExternalId, Platform};

/// A daily post's columns, as [`PostRow`] reads them.
const DAILY_POST_COLUMNS: &str = "p.id, p.schedule_id, p.local_date, p.question_id, \
     p.due_at, p.reveal_at, p.message_id, p.posted_at, p.revealed_at";

/// A daily post as its row holds it.
#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    schedule_id: i64,
    local_date: Day,
    question_id: String,
    due_at: Moment,
    reveal_at: Moment,
    message_id: Option<String>,
    posted_at: Option<Moment>,
    revealed_at: Option<Moment>,
}

impl From<PostRow> for DailyPost {
    fn from(row: PostRow) -> DailyPost {
        DailyPost {
            id: row.id,
            schedule_id: row.schedule_id,
            local_date: row.local_date.0,
            question_id: row.question_id,
            due_at: row.due_at.0,
            reveal_at: row.reveal_at.0,
            message_id: row.message_id,
            posted_at: row.posted_at.map(|at| at.0),
            revealed_at: row.revealed_at.map(|at| at.0),
        }
    }
}

/// A daily schedule's columns, as [`ScheduleRow`] reads them.
const SCHEDULE_COLUMNS: &str = "s.id, s.platform, s.community, s.channel, s.local_time, \
     s.time_zone, s.topics, CAST(s.reveal_after_minutes AS BIGINT) AS reveal_after_minutes, \
     s.enabled, CAST(s.failures AS BIGINT) AS failures, s.last_error, s.retry_at";

/// A daily schedule as its row holds it.
#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    platform: String,
    community: String,
    channel: String,
    local_time: String,
    time_zone: String,
    topics: String,
    reveal_after_minutes: i64,
    enabled: bool,
    failures: i64,
    last_error: Option<String>,
    retry_at: Option<Moment>,
}

impl TryFrom<ScheduleRow> for Schedule {
    type Error = StoreError;

    fn try_from(row: ScheduleRow) -> Result<Schedule, StoreError> {
        let failure = match row.retry_at {
            Some(retry_at) if row.failures > 0 => Some(DeliveryFailure {
                count: count_from(row.failures, "delivery failures")?,
                error: row.last_error.unwrap_or_default(),
                retry_at: retry_at.0,
            }),
            _ => None,
        };
        Ok(Schedule {
            id: row.id,
            platform: parse_platform(&row.platform)?,
            community: ExternalId::new(row.community),
            channel: row.channel,
            time: parse_time_of_day(&row.local_time)?,
            time_zone: parse_zone(&row.time_zone)?,
            topics: decode_topics(&row.topics),
            reveal_after: chrono::Duration::minutes(row.reveal_after_minutes),
            enabled: row.enabled,
            failure,
        })
    }
}

impl Store {
    /// Creates the channel's schedule, or replaces its settings; either way
    /// it is on, with no failure on record.
    pub async fn set_schedule(
        &self,
        schedule: &NewSchedule,
        now: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        shared_execute!(
            self,
            "INSERT INTO daily_schedules (platform, community, channel, local_time, time_zone,
                                          topics, reveal_after_minutes, enabled, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)
             ON CONFLICT (platform, community, channel) DO UPDATE
             SET local_time = excluded.local_time, time_zone = excluded.time_zone,
                 topics = excluded.topics, reveal_after_minutes = excluded.reveal_after_minutes,
                 enabled = TRUE, failures = 0, last_error = NULL, retry_at = NULL,
                 updated_at = excluded.updated_at",
            schedule.platform.code(),
            schedule.community.as_str(),
            &schedule.channel,
            schedule.time.format("%H:%M").to_string(),
            schedule.time_zone.name(),
            encode_topics(&schedule.topics),
            i32::try_from(schedule.reveal_after.num_minutes()).unwrap_or(i32::MAX),
            Moment(now)
        );
        let sql = format!(
            "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s
             WHERE s.platform = $1 AND s.community = $2 AND s.channel = $3"
        );
        let row: ScheduleRow = shared_query!(
            @fetch_one self,
            &sql,
            schedule.platform.code(),
            schedule.community.as_str(),
            &schedule.channel
        );
        Schedule::try_from(row)
    }

    /// Schedules, on and off, of one platform and community when given.
    pub async fn schedules(
        &self,
        platform: Option<Platform>,
        community: Option<&ExternalId>,
    ) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!(
            "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s
             WHERE (CAST($1 AS TEXT) IS NULL OR s.platform = $1)
               AND (CAST($2 AS TEXT) IS NULL OR s.community = $2)
             ORDER BY s.platform, s.community, s.channel"
        );
        let rows: Vec<ScheduleRow> = shared_query!(
            self,
            &sql,
            platform.map(Platform::code),
            community.map(ExternalId::as_str)
        );
        rows.into_iter().map(Schedule::try_from).collect()
    }

    /// Turns off the community's schedules (one channel's when given).
    /// Returns how many were on.
    pub async fn disable_schedules(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let changed = shared_execute!(
            self,
            "UPDATE daily_schedules SET enabled = FALSE, updated_at = $4
             WHERE platform = $1 AND community = $2
               AND (CAST($3 AS TEXT) IS NULL OR channel = $3) AND enabled",
            platform.code(),
            community.as_str(),
            channel,
            Moment(now)
        );
        Ok(changed)
    }

    /// Deletes a channel's schedule and its posts. Returns whether it existed.
    pub async fn remove_schedule(
        &self,
        platform: Platform,
        community: &ExternalId,
        channel: &str,
    ) -> Result<bool, StoreError> {
        let removed = shared_execute!(
            self,
            "DELETE FROM daily_schedules WHERE platform = $1 AND community = $2 AND channel = $3",
            platform.code(),
            community.as_str(),
            channel
        );
        Ok(removed > 0)
    }

    /// Notes a failed delivery; the channel waits
    /// [`crate::daily::retry_delay`] before the next try.
    pub async fn schedule_failed(
        &self,
        schedule_id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<DeliveryFailure, StoreError> {
        // One transaction: a reader never sees the count without its retry.
        let (count, retry_at) = shared_transaction!(self, |tx| {
            let count: i64 = sqlx::query_scalar(
                "UPDATE daily_schedules SET failures = failures + 1, last_error = $2
                 WHERE id = $1 RETURNING CAST(failures AS BIGINT)",
            )
            .bind(schedule_id)
            .bind(error)
            .fetch_one(&mut *tx)
            .await?;
            let count: u32 = count_from(count, "delivery failures")?;
            let retry_at = now + retry_delay(count);
            sqlx::query("UPDATE daily_schedules SET retry_at = $2 WHERE id = $1")
                .bind(schedule_id)
                .bind(Moment(retry_at))
                .execute(&mut *tx)
                .await?;
            (count, retry_at)
        });
        Ok(DeliveryFailure {
            count,
            error: error.to_string(),
            retry_at,
        })
    }

    /// Clears a schedule's failures after a delivery went through.
    pub async fn schedule_delivered(&self, schedule_id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_schedules SET failures = 0, last_error = NULL, retry_at = NULL
             WHERE id = $1 AND failures > 0",
            schedule_id
        );
        Ok(())
    }

    /// The questions a schedule has asked, each with the last date.
    pub async fn asked_questions(
        &self,
        schedule_id: i64,
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        let rows: Vec<(String, Day)> = shared_query!(
            self,
            "SELECT question_id, max(local_date) FROM daily_posts
             WHERE schedule_id = $1 GROUP BY question_id",
            schedule_id
        );
        Ok(rows.into_iter().map(|(id, last)| (id, last.0)).collect())
    }

    /// The schedule's post for the occurrence's date: created with
    /// `question_id` when there is none yet, else the one that exists
    /// (whoever created it).
    pub async fn claim_daily_post(
        &self,
        schedule_id: i64,
        occurrence: &Occurrence,
        question_id: &str,
    ) -> Result<DailyPost, StoreError> {
        shared_execute!(
            self,
            "INSERT INTO daily_posts (schedule_id, local_date, question_id, due_at, reveal_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (schedule_id, local_date) DO NOTHING",
            schedule_id,
            Day(occurrence.date),
            question_id,
            Moment(occurrence.due_at),
            Moment(occurrence.reveal_at)
        );
        // Inserted now, or by whoever claimed it first.
        self.daily_post_on(schedule_id, occurrence.date)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a claimed daily post vanished".into()))
    }

    pub async fn daily_post_on(
        &self,
        schedule_id: i64,
        date: NaiveDate,
    ) -> Result<Option<DailyPost>, StoreError> {
        let sql = format!(
            "SELECT {DAILY_POST_COLUMNS} FROM daily_posts p
             WHERE p.schedule_id = $1 AND p.local_date = $2"
        );
        let row: Option<PostRow> =
            shared_query!(@fetch_optional self, &sql, schedule_id, Day(date));
        Ok(row.map(DailyPost::from))
    }

    /// A platform's posts still to send or to reveal at `now`: not revealed,
    /// and either sent or still before their reveal time.
    pub async fn open_daily_posts(
        &self,
        platform: Platform,
        now: DateTime<Utc>,
    ) -> Result<Vec<DailyPost>, StoreError> {
        let sql = format!(
            "SELECT {DAILY_POST_COLUMNS} FROM daily_posts p
             JOIN daily_schedules s ON s.id = p.schedule_id
             WHERE s.platform = $1 AND p.revealed_at IS NULL
               AND (p.message_id IS NOT NULL OR p.reveal_at > $2)
             ORDER BY p.due_at"
        );
        let rows: Vec<PostRow> = shared_query!(self, &sql, platform.code(), Moment(now));
        Ok(rows.into_iter().map(DailyPost::from).collect())
    }

    /// Takes the post's lease for `stage` until `until`, if nobody holds it
    /// and the stage is still to do. Only the holder sends or reveals it.
    pub async fn lease_daily_post(
        &self,
        post_id: i64,
        stage: Stage,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let leased = shared_execute!(
            self,
            "UPDATE daily_posts SET lease_until = $3
             WHERE id = $1 AND revealed_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)
               AND (message_id IS NULL) = $4",
            post_id,
            Moment(now),
            Moment(until),
            stage == Stage::Post
        );
        Ok(leased == 1)
    }

    /// Gives the lease back without changing the post.
    pub async fn release_daily_post(&self, post_id: i64) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET lease_until = NULL WHERE id = $1",
            post_id
        );
        Ok(())
    }

    /// Notes the post sent as `message_id`, and gives the lease back.
    pub async fn daily_posted(
        &self,
        post_id: i64,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET message_id = $2, posted_at = $3, lease_until = NULL
             WHERE id = $1",
            post_id,
            message_id,
            Moment(now)
        );
        Ok(())
    }

    /// Notes the answer revealed, and gives the lease back.
    pub async fn daily_revealed(&self, post_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        shared_execute!(
            self,
            "UPDATE daily_posts SET revealed_at = $2, lease_until = NULL WHERE id = $1",
            post_id,
            Moment(now)
        );
        Ok(())
    }

    /// A post with its schedule.
    pub async fn daily_post(&self, id: i64) -> Result<Option<(DailyPost, Schedule)>, StoreError> {
        let sql = format!("SELECT {DAILY_POST_COLUMNS} FROM daily_posts p WHERE p.id = $1");
        let post: Option<PostRow> = shared_query!(@fetch_optional self, &sql, id);
        let Some(post) = post.map(DailyPost::from) else {
            return Ok(None);
        };
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s WHERE s.id = $1");
        let schedule: ScheduleRow = shared_query!(@fetch_one self, &sql, post.schedule_id);
        Ok(Some((post, Schedule::try_from(schedule)?)))
    }

    /// Every answer given to a post.
    pub async fn daily_answers(&self, post_id: i64) -> Result<Vec<DailyAnswer>, StoreError> {
        let rows: Vec<(String, bool)> = shared_query!(
            self,
            "SELECT choices, correct FROM answers WHERE daily_post_id = $1",
            post_id
        );
        rows.into_iter()
            .map(|(choices, correct)| {
                Ok(DailyAnswer {
                    choices: decode_choices(&choices)?,
                    correct,
                })
            })
            .collect()
    }
}

/// Topics as stored: "ec2,s3"; empty for every topic.
fn encode_topics(topics: &[String]) -> String {
    topics.join(",")
}

fn decode_topics(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_time_of_day(text: &str) -> Result<chrono::NaiveTime, StoreError> {
    crate::daily::parse_time(text).map_err(|_| StoreError::Corrupt(format!("time of day `{text}`")))
}
