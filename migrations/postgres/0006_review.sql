-- Spaced review: each player's card per question (its FSRS memory state and
-- when it is due), the log of every review, and each community's review
-- settings. Every answer is a review: the statement that records an answer
-- updates its card in the same transaction (see store/postgres/record.rs).

ALTER TABLE communities
    ADD COLUMN desired_retention REAL NOT NULL DEFAULT 0.9,
    ADD COLUMN exam_on DATE;

-- A review session is a quiz session whose answers score no points.
ALTER TABLE quiz_sessions ADD COLUMN review BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE review_cards (
    community_id BIGINT NOT NULL,
    player_id BIGINT NOT NULL,
    question_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    stability REAL NOT NULL,
    difficulty REAL NOT NULL,
    reviewed_at TIMESTAMPTZ NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL,
    PRIMARY KEY (player_id, question_id)
);

-- A player's queue: their cards by due time.
CREATE INDEX review_cards_due ON review_cards (player_id, due_at);

-- One row per answer: what FSRS's optimizer needs to fit parameters to the
-- group (rating 1 again .. 4 easy, whole days since the previous review).
CREATE TABLE review_log (
    answer_id BIGINT PRIMARY KEY,
    community_id BIGINT NOT NULL,
    player_id BIGINT NOT NULL,
    question_id TEXT NOT NULL,
    rating SMALLINT NOT NULL,
    elapsed_days INTEGER NOT NULL,
    reviewed_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX review_log_player ON review_log (player_id, question_id, reviewed_at);

-- Work the store does in Rust after migrating: the cards are built by
-- replaying the answers already stored, through the same FSRS steps as live
-- answers (SQL cannot run them).
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY
);
INSERT INTO store_tasks (name) VALUES ('rebuild_review_cards');
