-- The steps players' totals took on each board (community, period, its
-- first day, topic): a row counts the players whose total went from
-- `from_points` to `to_points` in one answer. Totals start at 0 and only
-- grow, so a player has more than m points exactly when one of their steps
-- crossed m, and a rank is 1 + the players of the steps crossing the
-- caller's points. The store writes a step per board when an answer scores,
-- in the transaction that changes period_scores. (One writer: no shards,
-- unlike Postgres.)
CREATE TABLE period_steps (
    community_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    from_points INTEGER NOT NULL,
    to_points INTEGER NOT NULL,
    players INTEGER NOT NULL,
    PRIMARY KEY (community_id, period, starts_on, topic, to_points, from_points)
);

-- Totals recorded before this table: one step each, from 0 to their points.
INSERT INTO period_steps (community_id, period, starts_on, topic, from_points, to_points, players)
SELECT community_id, period, starts_on, topic, 0, points, count(*)
FROM period_scores
WHERE points > 0
GROUP BY community_id, period, starts_on, topic, points;
