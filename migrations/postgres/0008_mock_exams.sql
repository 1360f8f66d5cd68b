-- Mock exams: a member's timed exam at the blueprint's weights. The exam is
-- a row with its questions and its end time; each choice the member makes
-- (and changes) is a row of its own, the latest per question standing.
-- Submitting, by the member or by whoever reads the exam after its end,
-- stamps `submitted_at` once; the standing choices are then recorded as
-- answers (keyed by exam and question, so a second submitter records
-- nothing) and the result is written with `recorded_at`.

CREATE TABLE mock_exams (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    player_id BIGINT NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    -- JSON array of question ids, in the order asked.
    question_ids TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    -- Submitted because time ran out, not by the member.
    timed_out BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_at TIMESTAMPTZ,
    right_count INTEGER,
    total_count INTEGER,
    score INTEGER,
    -- Per domain, "concepts:12/16 security:15/19 …".
    domain_results TEXT
);

CREATE INDEX mock_exams_player ON mock_exams (player_id, started_at);
-- Exams whose result is still to write: the scheduler's sweep reads these.
CREATE INDEX mock_exams_unsettled ON mock_exams (ends_at) WHERE recorded_at IS NULL;

CREATE TABLE mock_exam_choices (
    id BIGSERIAL PRIMARY KEY,
    mock_exam_id BIGINT NOT NULL REFERENCES mock_exams (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    -- Choice indices, "0,3".
    choices TEXT NOT NULL,
    chosen_at TIMESTAMPTZ NOT NULL,
    interaction_id TEXT
);

-- A click delivered twice is one choice.
CREATE UNIQUE INDEX mock_exam_choices_interaction
    ON mock_exam_choices (mock_exam_id, interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX mock_exam_choices_exam ON mock_exam_choices (mock_exam_id, position, id);

-- A mock's answers score no points; each question of an exam is recorded
-- once, however many times the exam is submitted.
ALTER TABLE answers ADD COLUMN mock_exam_id BIGINT;
CREATE UNIQUE INDEX answers_mock_key ON answers (mock_exam_id, question_id)
    WHERE mock_exam_id IS NOT NULL;
