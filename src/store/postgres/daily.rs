//! The daily question's rows on Postgres: schedules, posts and their
//! leases. A post row is claimed by inserting it (one per schedule and local
//! date); a replica sends or reveals it only while holding its lease, taken
//! with a conditional update.

use chrono::{DateTime, Duration, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::PgStore;
use crate::daily::{retry_delay, DailyAnswer, DailyPost, DeliveryFailure, NewSchedule, Schedule};
use crate::identity::{ExternalId, Platform};
use crate::store::{
    decode_choices, decode_topics, encode_topics, parse_platform, parse_time_of_day, parse_zone,
    StoreError,
};

const SCHEDULE_COLUMNS: &str = "s.id, s.platform, s.community, s.channel, s.local_time, \
     s.time_zone, s.topics, s.reveal_after_minutes, s.enabled, s.failures, s.last_error, s.retry_at";

use crate::store::DAILY_POST_COLUMNS as POST_COLUMNS;

fn schedule_from_row(row: &PgRow) -> Result<Schedule, StoreError> {
    let failures: i32 = row.get("failures");
    let failure = match (failures, row.get::<Option<DateTime<Utc>>, _>("retry_at")) {
        (count, Some(retry_at)) if count > 0 => Some(DeliveryFailure {
            count: crate::store::count_from(count.into(), "delivery failures")?,
            error: row
                .get::<Option<String>, _>("last_error")
                .unwrap_or_default(),
            retry_at,
        }),
        _ => None,
    };
    Ok(Schedule {
        id: row.get("id"),
        platform: parse_platform(row.get("platform"))?,
        community: ExternalId::new(row.get::<String, _>("community")),
        channel: row.get("channel"),
        time: parse_time_of_day(row.get("local_time"))?,
        time_zone: parse_zone(row.get("time_zone"))?,
        topics: decode_topics(row.get("topics")),
        reveal_after: Duration::minutes(row.get::<i32, _>("reveal_after_minutes").into()),
        enabled: row.get("enabled"),
        failure,
    })
}

fn post_from_row(row: &PgRow) -> DailyPost {
    DailyPost {
        id: row.get("id"),
        schedule_id: row.get("schedule_id"),
        local_date: row.get("local_date"),
        question_id: row.get("question_id"),
        due_at: row.get("due_at"),
        reveal_at: row.get("reveal_at"),
        message_id: row.get("message_id"),
        posted_at: row.get("posted_at"),
        revealed_at: row.get("revealed_at"),
    }
}

impl PgStore {
    pub async fn set_schedule(
        &self,
        schedule: &NewSchedule,
        now: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO daily_schedules AS s (platform, community, channel, local_time, time_zone,
                                               topics, reveal_after_minutes, enabled, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)
             ON CONFLICT (platform, community, channel) DO UPDATE
             SET local_time = EXCLUDED.local_time, time_zone = EXCLUDED.time_zone,
                 topics = EXCLUDED.topics, reveal_after_minutes = EXCLUDED.reveal_after_minutes,
                 enabled = TRUE, failures = 0, last_error = NULL, retry_at = NULL,
                 updated_at = EXCLUDED.updated_at
             RETURNING {SCHEDULE_COLUMNS}"
        ))
        .bind(schedule.platform.code())
        .bind(schedule.community.as_str())
        .bind(&schedule.channel)
        .bind(schedule.time.format("%H:%M").to_string())
        .bind(schedule.time_zone.name())
        .bind(encode_topics(&schedule.topics))
        .bind(schedule.reveal_after.num_minutes() as i32)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        schedule_from_row(&row)
    }

    pub async fn schedules(
        &self,
        platform: Option<Platform>,
        community: Option<&ExternalId>,
    ) -> Result<Vec<Schedule>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules s
             WHERE ($1::text IS NULL OR s.platform = $1) AND ($2::text IS NULL OR s.community = $2)
             ORDER BY s.platform, s.community, s.channel"
        ))
        .bind(platform.map(Platform::code))
        .bind(community.map(ExternalId::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(schedule_from_row).collect()
    }

    pub async fn schedule_failed(
        &self,
        schedule_id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<DeliveryFailure, StoreError> {
        // One transaction: a reader never sees the count without its retry.
        let mut tx = self.pool.begin().await?;
        let count: i32 = sqlx::query_scalar(
            "UPDATE daily_schedules SET failures = failures + 1, last_error = $2
             WHERE id = $1 RETURNING failures",
        )
        .bind(schedule_id)
        .bind(error)
        .fetch_one(&mut *tx)
        .await?;
        let count: u32 = crate::store::count_from(count.into(), "delivery failures")?;
        let retry_at = now + retry_delay(count);
        sqlx::query("UPDATE daily_schedules SET retry_at = $2 WHERE id = $1")
            .bind(schedule_id)
            .bind(retry_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(DeliveryFailure {
            count,
            error: error.to_string(),
            retry_at,
        })
    }

    pub async fn daily_post(&self, id: i64) -> Result<Option<(DailyPost, Schedule)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {POST_COLUMNS}, {} FROM daily_posts p
             JOIN daily_schedules s ON s.id = p.schedule_id WHERE p.id = $1",
            SCHEDULE_COLUMNS.replace("s.id,", "s.id AS schedule_key,")
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let post = post_from_row(&row);
        let mut schedule = schedule_from_row(&row)?;
        schedule.id = post.schedule_id;
        Ok(Some((post, schedule)))
    }

    pub async fn daily_answers(&self, post_id: i64) -> Result<Vec<DailyAnswer>, StoreError> {
        let rows = sqlx::query("SELECT choices, correct FROM answers WHERE daily_post_id = $1")
            .bind(post_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(DailyAnswer {
                    choices: decode_choices(row.get("choices"))?,
                    correct: row.get("correct"),
                })
            })
            .collect()
    }
}
