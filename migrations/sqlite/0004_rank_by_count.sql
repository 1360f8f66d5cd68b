-- Ranks count the players above in the board's covering index
-- (period_scores_board); the steps totals took are no longer kept.
DROP TABLE period_steps;
