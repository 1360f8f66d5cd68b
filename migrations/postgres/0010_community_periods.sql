-- When a community's current days, weeks and months began to be counted:
-- its time zone changed then, and the periods started again in the new
-- zone's dates (all-time totals and streaks are kept).
ALTER TABLE communities ADD COLUMN periods_since TIMESTAMPTZ NOT NULL DEFAULT 'epoch';
