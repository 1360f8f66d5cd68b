-- A board's top from the boards' own bookkeeping instead of an index of
-- player_totals per period. Those four indexes made every right answer
-- write ten index entries (its two totals rows, five indexes each) and
-- never update in place; without them a right answer's totals update
-- changes no indexed column and stays heap-only (HOT), as a wrong one's.
--
-- board_leaders holds each board's top players as of the last fold
-- (`PgStore::fold_boards`), `BOARD_LEADERS` of them at most, all with
-- points. Scores only grow within a board, so a player outside that top
-- who has not moved since cannot have passed anyone in it: a board's top
-- is among its leaders and the players who moved since the fold, whose
-- moves now name them.
ALTER TABLE board_changes ADD COLUMN player_id BIGINT;

CREATE TABLE board_leaders (
    community_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    period "char" NOT NULL,
    starts_on DATE NOT NULL,
    player_id BIGINT NOT NULL,
    PRIMARY KEY (community_id, topic, period, starts_on, player_id)
);

-- The top 25 of every board as the totals stand.
INSERT INTO board_leaders (community_id, topic, period, starts_on, player_id)
SELECT community_id, topic, period, starts_on, player_id
FROM (
    SELECT t.community_id, t.topic, b.period, b.starts_on, t.player_id,
           row_number() OVER (PARTITION BY t.community_id, t.topic, b.period, b.starts_on
                              ORDER BY b.points DESC, t.player_id) AS place
    FROM player_totals t
    CROSS JOIN LATERAL (VALUES ('d'::"char", t.day_on, t.day_points),
                               ('w', t.week_on, t.week_points),
                               ('m', t.month_on, t.month_points),
                               ('a', DATE 'epoch', t.points)) AS b (period, starts_on, points)
    WHERE b.points > 0
) ranked
WHERE place <= 25;

DROP INDEX player_totals_day;
DROP INDEX player_totals_week;
DROP INDEX player_totals_month;
DROP INDEX player_totals_all;

-- Every scoring answer adds two rows to board_changes, and every one of
-- them went into this index at the same key for the all-topics board: a
-- hot spot that cost the answer path more than it saved. The table holds
-- the moves of one scheduler tick; a rank or a top reads it whole.
DROP INDEX board_changes_board;

-- Room on each page for the new version of a row, so the update stays on
-- its page (heap-only).
ALTER TABLE player_totals SET (fillfactor = 80);
