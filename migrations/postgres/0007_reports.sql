-- Members' reports of a bad question: one open report per member and
-- question; an admin resolves them, or a reload that changes the question's
-- answer key does.
CREATE TABLE question_reports (
    id BIGSERIAL PRIMARY KEY,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    player_id BIGINT NOT NULL REFERENCES players (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    -- answer | explanation | ambiguous | other
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    resolution TEXT
);

CREATE UNIQUE INDEX question_reports_open_key
    ON question_reports (community_id, player_id, question_id) WHERE resolved_at IS NULL;
CREATE INDEX question_reports_question ON question_reports (question_id, created_at);
