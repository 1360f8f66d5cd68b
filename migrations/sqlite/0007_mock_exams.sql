-- Mock exams (see the Postgres migration of the same name). Times are Unix
-- milliseconds.

CREATE TABLE mock_exams (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    question_ids TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    submitted_at INTEGER,
    timed_out INTEGER NOT NULL DEFAULT 0,
    recorded_at INTEGER,
    right_count INTEGER,
    total_count INTEGER,
    score INTEGER,
    domain_results TEXT
);

CREATE INDEX mock_exams_player ON mock_exams (player_id, started_at);
CREATE INDEX mock_exams_unsettled ON mock_exams (ends_at) WHERE recorded_at IS NULL;

CREATE TABLE mock_exam_choices (
    id INTEGER PRIMARY KEY,
    mock_exam_id INTEGER NOT NULL REFERENCES mock_exams (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    choices TEXT NOT NULL,
    chosen_at INTEGER NOT NULL,
    interaction_id TEXT
);

CREATE UNIQUE INDEX mock_exam_choices_interaction
    ON mock_exam_choices (mock_exam_id, interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX mock_exam_choices_exam ON mock_exam_choices (mock_exam_id, position, id);

ALTER TABLE answers ADD COLUMN mock_exam_id INTEGER;
CREATE UNIQUE INDEX answers_mock_key ON answers (mock_exam_id, question_id)
    WHERE mock_exam_id IS NOT NULL;
