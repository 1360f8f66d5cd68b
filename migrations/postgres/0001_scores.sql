-- Communities (a Discord server, a Slack workspace, the terminal), their
-- players, quiz sessions, every answer, and per-period totals for fast
-- leaderboards.

CREATE TABLE communities (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT communities_external_key UNIQUE (platform, external_id)
);

CREATE TABLE players (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    current_streak INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    streak_day DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT players_external_key UNIQUE (community_id, external_id)
);

CREATE TABLE quiz_sessions (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    player_id BIGINT NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    topic TEXT,
    question_ids TEXT[] NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);

-- The hot table: written once per answer, so it carries no foreign keys
-- (each would lock the player's row on every insert); the store writes only
-- ids it has just read.
CREATE TABLE answers (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL,
    player_id BIGINT NOT NULL,
    question_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    choices TEXT NOT NULL,
    correct BOOLEAN NOT NULL,
    points INTEGER NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    elapsed_ms INTEGER,
    interaction_id TEXT,
    session_id BIGINT,
    session_position INTEGER
);

-- A redelivered interaction, or a second click on the same question of the
-- same session, hits one of these and scores nothing.
CREATE UNIQUE INDEX answers_interaction_key ON answers (community_id, interaction_id)
    WHERE interaction_id IS NOT NULL;
CREATE UNIQUE INDEX answers_session_key ON answers (session_id, session_position)
    WHERE session_id IS NOT NULL;
CREATE INDEX answers_player_question ON answers (player_id, question_id, answered_at);

-- Topic boards by day, week or month add up the answers of the period.
-- Answers arrive in time order, so a block-range index finds a period's
-- pages at almost no cost per insert.
CREATE INDEX answers_time ON answers USING brin (answered_at);

-- One row per (period, its first local day, topic, player): every period for
-- all topics (topic ''), and all time for each topic.
-- period: d = day, w = week (from Monday), m = month, a = all time.
CREATE TABLE period_scores (
    community_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    starts_on DATE NOT NULL,
    topic TEXT NOT NULL,
    player_id BIGINT NOT NULL,
    points BIGINT NOT NULL,
    answered INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    PRIMARY KEY (community_id, period, starts_on, topic, player_id)
);

CREATE INDEX period_scores_board
    ON period_scores (community_id, period, starts_on, topic, points DESC, player_id);
