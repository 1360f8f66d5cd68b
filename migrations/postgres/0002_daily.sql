-- The daily question: a schedule per channel, one post per schedule and
-- local date, and the answers to it.

CREATE TABLE daily_schedules (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    community TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- Local time of day, 'HH:MM', in time_zone.
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- Topic ids separated by commas; empty for every topic.
    topics TEXT NOT NULL,
    reveal_after_minutes INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- Delivery failures in a row (a deleted channel, a missing permission),
    -- the last one's text, and when to try again.
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    retry_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT daily_schedules_channel_key UNIQUE (platform, community, channel)
);

-- The row is the claim: one per schedule and local date, whoever inserts it
-- first. A replica posts or reveals only while it holds the row's lease.
CREATE TABLE daily_posts (
    id BIGSERIAL PRIMARY KEY,
    schedule_id BIGINT NOT NULL REFERENCES daily_schedules (id) ON DELETE CASCADE,
    local_date DATE NOT NULL,
    question_id TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    reveal_at TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    message_id TEXT,
    posted_at TIMESTAMPTZ,
    revealed_at TIMESTAMPTZ,
    CONSTRAINT daily_posts_day_key UNIQUE (schedule_id, local_date)
);

CREATE INDEX daily_posts_open ON daily_posts (schedule_id) WHERE revealed_at IS NULL;

-- An answer to a daily post: the first one per player counts.
ALTER TABLE answers ADD COLUMN daily_post_id BIGINT;
CREATE UNIQUE INDEX answers_daily_key ON answers (daily_post_id, player_id)
    WHERE daily_post_id IS NOT NULL;
