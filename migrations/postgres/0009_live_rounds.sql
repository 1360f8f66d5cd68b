-- Live rounds: a channel answers the same questions together, each against
-- a deadline. The rows are the round's whole state, so any replica (or the
-- same one restarted) carries it on; each stage of a question is done by
-- the replica holding the row's short lease, and noted before the lease is
-- given back.

CREATE TABLE live_rounds (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    community TEXT NOT NULL,
    channel TEXT NOT NULL,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- The topic asked from; every topic when NULL.
    topic TEXT,
    seconds INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- An end asked for and not yet carried out (stopped, interrupted,
    -- failed), and who asked; ended_at once the scoreboard is out.
    ending TEXT,
    ended_by TEXT,
    ended_at TIMESTAMPTZ,
    lease_until TIMESTAMPTZ
);

-- One round per channel at a time: a second start meets this index.
CREATE UNIQUE INDEX live_rounds_one_per_channel
    ON live_rounds (platform, community, channel) WHERE ended_at IS NULL;
CREATE INDEX live_rounds_open ON live_rounds (platform) WHERE ended_at IS NULL;

-- The round's questions, picked when it starts. The deadline is set when a
-- replica takes the post; closed_at stops answers before the reveal counts
-- them.
CREATE TABLE live_questions (
    id BIGSERIAL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES live_rounds (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    deadline_at TIMESTAMPTZ,
    message_id TEXT,
    posted_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    revealed_at TIMESTAMPTZ,
    scored_at TIMESTAMPTZ,
    lease_until TIMESTAMPTZ,
    CONSTRAINT live_questions_position_key UNIQUE (round_id, position)
);

-- A member's answer to a live question: replaced until the deadline,
-- recorded in `answers` once, when the question is scored.
CREATE TABLE live_answers (
    question_id BIGINT NOT NULL REFERENCES live_questions (id) ON DELETE CASCADE,
    player_id BIGINT NOT NULL,
    choices TEXT NOT NULL,
    correct BOOLEAN NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    changes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (question_id, player_id)
);
