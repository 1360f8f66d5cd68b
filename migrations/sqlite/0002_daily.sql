-- The daily question: a schedule per channel, one post per schedule and
-- local date, and the answers to it. Times are Unix milliseconds, dates
-- 'YYYY-MM-DD'.

CREATE TABLE daily_schedules (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    community TEXT NOT NULL,
    channel TEXT NOT NULL,
    local_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    topics TEXT NOT NULL,
    reveal_after_minutes INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    retry_at INTEGER,
    updated_at INTEGER NOT NULL,
    UNIQUE (platform, community, channel)
);

CREATE TABLE daily_posts (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES daily_schedules (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    question_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    reveal_at INTEGER NOT NULL,
    lease_until INTEGER,
    message_id TEXT,
    posted_at INTEGER,
    revealed_at INTEGER,
    UNIQUE (schedule_id, local_date)
);

ALTER TABLE answers ADD COLUMN daily_post_id INTEGER;
CREATE UNIQUE INDEX answers_daily_key ON answers (daily_post_id, player_id);
