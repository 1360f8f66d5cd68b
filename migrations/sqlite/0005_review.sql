-- Spaced review: each player's card per question (its FSRS memory state and
-- when it is due), the log of every review, and each community's review
-- settings. Times are Unix milliseconds, days 'YYYY-MM-DD'.

ALTER TABLE communities ADD COLUMN desired_retention REAL NOT NULL DEFAULT 0.9;
ALTER TABLE communities ADD COLUMN exam_on TEXT;

-- A review session is a quiz session whose answers score no points.
ALTER TABLE quiz_sessions ADD COLUMN review INTEGER NOT NULL DEFAULT 0;

-- A player's queue reads their cards through the primary key.
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

-- The review log, one row per answer, read from the answers: rating as
-- review::Rating::of (wrong 1, right 3), whole days since the same player's
-- previous answer to the question.
CREATE VIEW review_log AS
SELECT id AS answer_id, community_id, player_id, question_id,
       CASE WHEN correct THEN 3 ELSE 1 END AS rating,
       coalesce((answered_at - lag(answered_at) OVER w) / 86400000, 0) AS elapsed_days,
       answered_at AS reviewed_at
FROM answers
WINDOW w AS (PARTITION BY player_id, question_id ORDER BY answered_at, id);

-- Work the store does in Rust after migrating: the cards are built by
-- replaying the answers already stored.
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY
);
INSERT INTO store_tasks (name) VALUES ('rebuild_review_cards');
