-- Ranks from per-board score histograms. A board is a community's topic
-- ('' for all topics) in a period ('d' day, 'w' week, 'm' month, 'a' all
-- time) starting on a day ('epoch' for all time); its histogram says how
-- many players stand at each score above 0. A rank is 1 + the players at
-- higher scores: its cost grows with the distinct scores above the
-- caller, not with the players.
--
-- An answer that scores appends its move to board_changes in its own
-- statement: one row for each of its two totals rows (all topics, and its
-- topic), with each period's score before and after it (equal when the
-- answer did not count in that period). Plain inserts into a small table,
-- so answers never wait on each other's rows. A rank adds the moves since
-- the last fold to the histogram: +1 for each player now above the caller,
-- -1 for each who was. A fold (`PgStore::fold_boards`, on the scheduler's
-- tick) turns the moves into histogram rows and deletes them.
CREATE TABLE board_points (
    community_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    period "char" NOT NULL,
    starts_on DATE NOT NULL,
    points BIGINT NOT NULL,
    players BIGINT NOT NULL,
    PRIMARY KEY (community_id, topic, period, starts_on, points) INCLUDE (players)
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);

CREATE TABLE board_changes (
    community_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    day_on DATE NOT NULL,
    day_was BIGINT NOT NULL,
    day_now BIGINT NOT NULL,
    week_on DATE NOT NULL,
    week_was BIGINT NOT NULL,
    week_now BIGINT NOT NULL,
    month_on DATE NOT NULL,
    month_was BIGINT NOT NULL,
    month_now BIGINT NOT NULL,
    all_was BIGINT NOT NULL,
    all_now BIGINT NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 10000,
        autovacuum_vacuum_insert_scale_factor = 0.0, autovacuum_vacuum_insert_threshold = 10000);

CREATE INDEX board_changes_board ON board_changes (community_id, topic);

-- The histograms of the totals as they stand.
INSERT INTO board_points (community_id, topic, period, starts_on, points, players)
SELECT t.community_id, t.topic, b.period, b.starts_on, b.points, count(*)
FROM player_totals t
CROSS JOIN LATERAL (VALUES ('d'::"char", t.day_on, t.day_points),
                           ('w', t.week_on, t.week_points),
                           ('m', t.month_on, t.month_points),
                           ('a', DATE 'epoch', t.points)) AS b (period, starts_on, points)
WHERE b.points > 0
GROUP BY t.community_id, t.topic, b.period, b.starts_on, b.points;

-- The boards' own indexes of player_totals now serve only their top 10;
-- they no longer need to be counted through in a visibility-fresh state.
ALTER TABLE player_totals RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
