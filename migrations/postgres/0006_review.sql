-- Spaced review: each player's card per question (its FSRS memory state and
-- when it is due), the log of every review, and each community's review
-- settings. Every answer is a review: the statement that records an answer
-- updates its card in the same transaction (see store/postgres/record.rs).

ALTER TABLE communities
    ADD COLUMN desired_retention REAL NOT NULL DEFAULT 0.9,
    ADD COLUMN exam_on DATE;

-- A review session is a quiz session whose answers score no points.
ALTER TABLE quiz_sessions ADD COLUMN review BOOLEAN NOT NULL DEFAULT false;

-- Written with every answer, so it carries one index: a player's queue
-- (due cards, most overdue first) reads their few hundred cards through the
-- primary key and sorts them. An answer to a card already there changes no
-- indexed column, so with room left on each page the update is heap-only.
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
) WITH (fillfactor = 80);

-- The review log FSRS's optimizer fits parameters from: one row per answer,
-- read from the answers themselves rather than written twice. The rating
-- follows review::Rating::of (wrong 1 "again", right 3 "good"); the elapsed
-- days are whole days since the same player's previous answer to the
-- question, as the live scheduler counts them.
CREATE VIEW review_log AS
SELECT id AS answer_id, community_id, player_id, question_id,
       (CASE WHEN correct THEN 3 ELSE 1 END)::smallint AS rating,
       coalesce(floor(extract(epoch FROM answered_at - lag(answered_at) OVER w) / 86400),
                0)::integer AS elapsed_days,
       answered_at AS reviewed_at
FROM answers
WINDOW w AS (PARTITION BY player_id, question_id ORDER BY answered_at, id);

-- Work the store does in Rust after migrating: the cards are built by
-- replaying the answers already stored, through the same FSRS steps as live
-- answers (SQL cannot run them).
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY
);
INSERT INTO store_tasks (name) VALUES ('rebuild_review_cards');
