-- A player's running totals, one row for all topics (topic '') and one per
-- topic: this day, this week, this month (each with the first local day it
-- counts) and all time. They replace period_scores, which kept a row per
-- period and topic: an answer now updates two rows instead of five, and every
-- board, including a topic's day, week and month, reads one index.
--
-- A period's columns hold the latest period the player answered in; a board
-- asks for its own first day, so a row still holding last week is not on
-- this week's board. Past periods are not kept: the boards show the current
-- ones, and answers hold the history.
--
-- A wrong answer changes no indexed column, so its update is heap-only (HOT).
CREATE TABLE player_totals (
    community_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    player_id BIGINT NOT NULL,
    day_on DATE NOT NULL,
    day_points BIGINT NOT NULL,
    day_answered INTEGER NOT NULL,
    day_correct INTEGER NOT NULL,
    week_on DATE NOT NULL,
    week_points BIGINT NOT NULL,
    week_answered INTEGER NOT NULL,
    week_correct INTEGER NOT NULL,
    month_on DATE NOT NULL,
    month_points BIGINT NOT NULL,
    month_answered INTEGER NOT NULL,
    month_correct INTEGER NOT NULL,
    points BIGINT NOT NULL,
    answered INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    PRIMARY KEY (community_id, topic, player_id)
);

CREATE INDEX player_totals_day
    ON player_totals (community_id, topic, day_on, day_points DESC, player_id);
CREATE INDEX player_totals_week
    ON player_totals (community_id, topic, week_on, week_points DESC, player_id);
CREATE INDEX player_totals_month
    ON player_totals (community_id, topic, month_on, month_points DESC, player_id);
CREATE INDEX player_totals_all
    ON player_totals (community_id, topic, points DESC, player_id);

-- From the answers, in each community's time zone (weeks start on Monday):
-- all time, and the latest day, week and month each player answered in.
WITH local AS (
    SELECT a.community_id, a.player_id, a.topic, a.points, a.correct::int AS correct,
           (a.answered_at AT TIME ZONE c.time_zone)::date AS day
    FROM answers a JOIN communities c ON c.id = a.community_id
), scoped AS (
    SELECT community_id, player_id, topic, points, correct, day FROM local
    UNION ALL
    SELECT community_id, player_id, '', points, correct, day FROM local
), latest AS (
    SELECT community_id, topic, player_id, max(day) AS day,
           date_trunc('week', max(day))::date AS week,
           date_trunc('month', max(day))::date AS month
    FROM scoped GROUP BY community_id, topic, player_id
)
INSERT INTO player_totals (community_id, topic, player_id,
                           day_on, day_points, day_answered, day_correct,
                           week_on, week_points, week_answered, week_correct,
                           month_on, month_points, month_answered, month_correct,
                           points, answered, correct)
SELECT s.community_id, s.topic, s.player_id,
       l.day,
       coalesce(sum(s.points) FILTER (WHERE s.day = l.day), 0),
       count(*) FILTER (WHERE s.day = l.day),
       coalesce(sum(s.correct) FILTER (WHERE s.day = l.day), 0),
       l.week,
       coalesce(sum(s.points) FILTER (WHERE s.day >= l.week), 0),
       count(*) FILTER (WHERE s.day >= l.week),
       coalesce(sum(s.correct) FILTER (WHERE s.day >= l.week), 0),
       l.month,
       coalesce(sum(s.points) FILTER (WHERE s.day >= l.month), 0),
       count(*) FILTER (WHERE s.day >= l.month),
       coalesce(sum(s.correct) FILTER (WHERE s.day >= l.month), 0),
       sum(s.points), count(*), sum(s.correct)
FROM scoped s JOIN latest l USING (community_id, topic, player_id)
GROUP BY s.community_id, s.topic, s.player_id, l.day, l.week, l.month;

-- Steps for the boards period_scores did not have: a topic's day, week and
-- month. Each current total is one step from 0 (see 0003).
INSERT INTO period_steps (community_id, period, starts_on, topic, from_points, to_points, shard,
                          players)
SELECT t.community_id, p.period, p.starts_on, t.topic, 0, p.points, t.player_id % 16, count(*)
FROM player_totals t
CROSS JOIN LATERAL (VALUES ('d', t.day_on, t.day_points),
                           ('w', t.week_on, t.week_points),
                           ('m', t.month_on, t.month_points)) AS p (period, starts_on, points)
WHERE t.topic <> '' AND p.points > 0
GROUP BY t.community_id, p.period, p.starts_on, t.topic, p.points, t.player_id % 16;

DROP TABLE period_scores;
