-- Communities (a Discord server, a Slack workspace, the terminal), their
-- players, quiz sessions, every answer, and per-period totals for fast
-- leaderboards. Times are Unix milliseconds; days are 'YYYY-MM-DD'.

CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT communities_external_key UNIQUE (platform, external_id)
);

CREATE TABLE players (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    current_streak INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    streak_day TEXT,
    created_at INTEGER NOT NULL,
    CONSTRAINT players_external_key UNIQUE (community_id, external_id)
);

CREATE TABLE quiz_sessions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    topic TEXT,
    question_ids TEXT NOT NULL, -- JSON array of question ids
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    finished_at INTEGER
);

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    choices TEXT NOT NULL,
    correct INTEGER NOT NULL,
    points INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    elapsed_ms INTEGER,
    interaction_id TEXT,
    session_id INTEGER REFERENCES quiz_sessions (id) ON DELETE SET NULL,
    session_position INTEGER
);

CREATE UNIQUE INDEX answers_interaction_key ON answers (community_id, interaction_id);
CREATE UNIQUE INDEX answers_session_key ON answers (session_id, session_position);
CREATE INDEX answers_player_question ON answers (player_id, question_id, answered_at);

CREATE INDEX answers_topic_time ON answers (community_id, topic, answered_at);

-- Every period for all topics (topic ''), and all time for each topic.
CREATE TABLE period_scores (
    community_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    player_id INTEGER NOT NULL,
    points INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    PRIMARY KEY (community_id, period, starts_on, topic, player_id)
);

CREATE INDEX period_scores_board
    ON period_scores (community_id, period, starts_on, topic, points DESC, player_id);
