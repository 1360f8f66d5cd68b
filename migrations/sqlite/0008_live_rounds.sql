-- Live rounds: a channel answers the same questions together, each against
-- a deadline; the rows are the round's whole state (see the Postgres
-- migration). Times are Unix milliseconds.

CREATE TABLE live_rounds (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    community TEXT NOT NULL,
    channel TEXT NOT NULL,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    topic TEXT,
    seconds INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ending TEXT,
    ended_by TEXT,
    ended_at INTEGER,
    lease_until INTEGER
);

CREATE UNIQUE INDEX live_rounds_one_per_channel
    ON live_rounds (platform, community, channel) WHERE ended_at IS NULL;
CREATE INDEX live_rounds_open ON live_rounds (platform) WHERE ended_at IS NULL;

CREATE TABLE live_questions (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES live_rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    deadline_at INTEGER,
    message_id TEXT,
    posted_at INTEGER,
    closed_at INTEGER,
    revealed_at INTEGER,
    scored_at INTEGER,
    lease_until INTEGER,
    UNIQUE (round_id, position)
);

CREATE TABLE live_answers (
    question_id INTEGER NOT NULL REFERENCES live_questions (id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    choices TEXT NOT NULL,
    correct INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (question_id, player_id)
);
