-- Spaced review: each player's card per question (its FSRS memory state and
-- when it is due), the log of every review, and each community's review
-- settings. Times are Unix milliseconds, days 'YYYY-MM-DD'.

ALTER TABLE communities ADD COLUMN desired_retention REAL NOT NULL DEFAULT 0.9;
ALTER TABLE communities ADD COLUMN exam_on TEXT;

-- A review session is a quiz session whose answers score no points.
ALTER TABLE quiz_sessions ADD COLUMN review INTEGER NOT NULL DEFAULT 0;

CREATE TABLE review_cards (
    community_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    stability REAL NOT NULL,
    difficulty REAL NOT NULL,
    reviewed_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL,
    PRIMARY KEY (player_id, question_id)
);

CREATE INDEX review_cards_due ON review_cards (player_id, due_at);

-- One row per answer (rating 1 again .. 4 easy, whole days since the
-- previous review), for fitting FSRS's parameters to the group.
CREATE TABLE review_log (
    answer_id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    elapsed_days INTEGER NOT NULL,
    reviewed_at INTEGER NOT NULL
);

CREATE INDEX review_log_player ON review_log (player_id, question_id, reviewed_at);

-- Work the store does in Rust after migrating: the cards are built by
-- replaying the answers already stored.
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY
);
INSERT INTO store_tasks (name) VALUES ('rebuild_review_cards');
