-- The steps players' totals took on each board (community, period, its
-- first day, topic), so that a rank reads a few hundred rows instead of
-- counting up to every player of the board.
--
-- A row counts the players whose total went from `from_points` to
-- `to_points` in one answer. Every total starts at 0 and only grows (an
-- answer earns 0 or more), so a player has more than m points exactly when
-- one of their steps crossed m (from_points <= m < to_points): a rank is
-- 1 + the players of the steps crossing the caller's points. Steps are few
-- (points grow in steps of 10), and the store writes one per board only
-- when an answer scores, in the statement that changes period_scores.
--
-- Every scoring answer updates steps that other players share, and a row
-- lock is held until commit, so each step is split in `shard`s (the store
-- uses the player id modulo 16): concurrent answers then rarely wait on
-- each other. Ranks add up all shards, so the shard only spreads the locks.
-- `players` is in no index, so its updates are heap-only (HOT).
CREATE TABLE period_steps (
    community_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    starts_on DATE NOT NULL,
    topic TEXT NOT NULL,
    from_points BIGINT NOT NULL,
    to_points BIGINT NOT NULL,
    shard SMALLINT NOT NULL,
    players INTEGER NOT NULL,
    PRIMARY KEY (community_id, period, starts_on, topic, to_points, from_points, shard)
);

-- Totals recorded before this table: one step each, from 0 to their points
-- (any path from 0 crosses the same points).
INSERT INTO period_steps (community_id, period, starts_on, topic, from_points, to_points, shard,
                          players)
SELECT community_id, period, starts_on, topic, 0, points, player_id % 16, count(*)
FROM period_scores
WHERE points > 0
GROUP BY community_id, period, starts_on, topic, points, player_id % 16;
