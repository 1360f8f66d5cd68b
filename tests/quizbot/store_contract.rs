//! The store's contract, run against real Postgres and real SQLite: every
//! test here exists once per backend (`…_postgres`, `…_sqlite`).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use quizbot::bank::{Difficulty, Question};
use quizbot::identity::{ExternalId, Platform};
use quizbot::quiz::{self, Period, Ranked};
use quizbot::store::{
    BoardQuery, Community, NewAnswer, NewSession, Player, Recorded, Standing, Store, BOARD_LEADERS,
};

use crate::support::TestDatabase;

both_backends!(
    a_correct_answer_scores_and_shows_everywhere,
    a_redelivered_interaction_scores_once,
    a_second_click_on_a_session_question_scores_once,
    a_question_scores_again_only_after_seven_days,
    streaks_follow_the_community_time_zone,
    weeks_turn_on_monday_in_the_community_time_zone,
    months_turn_at_local_midnight,
    ties_share_a_rank,
    ranks_stay_exact_as_points_change,
    ranks_are_exact_at_every_total,
    ranks_match_a_count_on_random_boards,
    pruning_the_boards_keeps_every_current_rank,
    topic_boards_and_stats_split_by_topic,
    sessions_follow_their_stored_answers,
    history_remembers_the_last_answer,
    fifty_answers_at_once_are_each_recorded_once,
    a_time_zone_change_moves_days_weeks_and_streaks,
);

pub fn question(id: &str, topic: &str, correct: &[usize]) -> Question {
    Question {
        id: id.into(),
        topic: topic.into(),
        prompt: format!("{id}?"),
        choices: ["가", "나", "다", "라", "마"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        correct: correct.to_vec(),
        explanation: "설명".into(),
        sources: Vec::new(),
        difficulty: Difficulty::Easy,
        domain: None,
        retired: false,
        path: PathBuf::from(format!("{topic}.toml")),
        line: 1,
        id_position: quizbot::diagnostic::Position::START,
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a valid test day")
}

pub struct Fixture {
    pub store: Store,
    pub community: Community,
}

impl Fixture {
    /// A community in `zone` (one per zone: a community keeps the zone it
    /// was created with).
    pub async fn new(db: &TestDatabase, zone: Tz) -> Fixture {
        let store = db.store().await;
        let guild = format!("guild-{}", zone.name());
        let community = store
            .community(Platform::Discord, &ExternalId::new(guild), zone, "ko")
            .await
            .expect("community");
        Fixture { store, community }
    }

    pub async fn player(&self, name: &str) -> Player {
        self.store
            .player(
                &self.community,
                &ExternalId::new(format!("user-{name}")),
                name,
            )
            .await
            .expect("player")
    }

    async fn answer(
        &self,
        player: &Player,
        question: &Question,
        chosen: &[usize],
        when: &str,
        interaction: Option<&str>,
    ) -> Recorded {
        let grade = quiz::grade(question, chosen).expect("a well-formed answer");
        self.store
            .record_answer(
                player,
                &NewAnswer {
                    elapsed_ms: Some(1500),
                    interaction_id: interaction.map(str::to_string),
                    ..NewAnswer::new(question, grade, at(when))
                },
            )
            .await
            .expect("record answer")
    }

    fn board<'a>(&self, period: Period, topic: Option<&'a str>, today: &str) -> BoardQuery<'a> {
        BoardQuery {
            community_id: self.community.id,
            period,
            topic,
            today: day(today),
            time_zone: self.community.time_zone,
            periods_since: self.community.periods_since,
            limit: 10,
        }
    }

    /// `(name, points)` of a leaderboard.
    async fn standings(
        &self,
        period: Period,
        topic: Option<&str>,
        today: &str,
    ) -> Vec<(String, i64)> {
        self.store
            .leaderboard(&self.board(period, topic, today))
            .await
            .expect("leaderboard")
            .into_iter()
            .map(|r| (r.entry.display_name, r.entry.points))
            .collect()
    }

    /// `(name, rank, points)` of each of `players` that `rank_of` ranks on
    /// `board`, after checking that the board itself shows the same rank
    /// (a player who stands on it without points is not listed).
    async fn ranks(&self, board: &BoardQuery<'_>, players: &[Player]) -> Vec<(String, usize, i64)> {
        let shown = self.store.leaderboard(board).await.expect("leaderboard");
        let mut ranks = Vec::new();
        for player in players {
            let Some(mine) = self.store.rank_of(board, player.id).await.expect("rank") else {
                continue;
            };
            let listed = shown.iter().find(|r| r.entry.player_id == player.id);
            let expected = match listed {
                Some(listed) => listed.rank,
                None if mine.entry.points == 0 => mine.rank,
                None => panic!(
                    "{} on {board:?}: {} points, not listed",
                    player.display_name, mine.entry.points
                ),
            };
            assert_eq!(
                expected, mine.rank,
                "{} on {board:?}: the board and rank_of disagree",
                player.display_name
            );
            ranks.push((mine.entry.display_name, mine.rank, mine.entry.points));
        }
        ranks
    }
}

/// `(player, rank, points)` of each row of a board.
fn rows(board: &[Ranked<Standing>]) -> Vec<(i64, usize, i64)> {
    board
        .iter()
        .map(|r| (r.entry.player_id, r.rank, r.entry.points))
        .collect()
}

fn points(recorded: &Recorded) -> i64 {
    match recorded {
        Recorded::New { points, .. } => *points,
        Recorded::Duplicate { .. } => panic!("expected a new answer, got {recorded:?}"),
    }
}

fn pairs(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(n, p)| (n.to_string(), *p)).collect()
}

async fn a_correct_answer_scores_and_shows_everywhere(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let q = question("ec2-1", "ec2", &[1]);

    let recorded = f
        .answer(&ana, &q, &[1], "2026-03-04T01:00:00Z", Some("i-1"))
        .await;
    let wrong = f
        .answer(
            &ana,
            &question("ec2-2", "ec2", &[0]),
            &[2],
            "2026-03-04T01:01:00Z",
            Some("i-2"),
        )
        .await;

    assert_eq!(points(&recorded), quiz::POINTS_CORRECT);
    assert_eq!(points(&wrong), 0);
    for period in Period::ALL {
        assert_eq!(
            f.standings(period, None, "2026-03-04").await,
            pairs(&[("ana", 10)]),
            "{period:?}"
        );
    }
    let stats = f.store.stats(&ana, day("2026-03-04")).await.expect("stats");
    assert_eq!((stats.answered, stats.correct, stats.points), (2, 1, 10));
    assert_eq!((stats.current_streak, stats.best_streak), (1, 1));
}

async fn a_redelivered_interaction_scores_once(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let q = question("ec2-1", "ec2", &[1]);

    let first = f
        .answer(
            &ana,
            &q,
            &[1],
            "2026-03-04T01:00:00Z",
            Some("interaction-9"),
        )
        .await;
    let again = f
        .answer(
            &ana,
            &q,
            &[2],
            "2026-03-04T01:00:01Z",
            Some("interaction-9"),
        )
        .await;

    assert_eq!(points(&first), 10);
    assert_eq!(
        again,
        Recorded::Duplicate {
            choices: vec![1],
            correct: true,
            points: 10
        }
    );
    assert_eq!(
        f.standings(Period::AllTime, None, "2026-03-04").await,
        pairs(&[("ana", 10)])
    );
    let stats = f.store.stats(&ana, day("2026-03-04")).await.expect("stats");
    assert_eq!(stats.answered, 1, "the redelivery is not a second answer");
}

async fn a_second_click_on_a_session_question_scores_once(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let q = question("ec2-1", "ec2", &[1]);
    let now = at("2026-03-04T01:00:00Z");
    let session = f
        .store
        .create_session(
            &ana,
            &NewSession {
                topic: None,
                question_ids: std::slice::from_ref(&q.id),
                review: false,
                now,
                expires_at: now + chrono::Duration::hours(2),
            },
        )
        .await
        .expect("session");
    let record = |chosen: Vec<usize>, interaction: &'static str| {
        let grade = quiz::grade(&q, &chosen).expect("grade");
        let store = f.store.clone();
        let ana = ana.clone();
        let q = q.clone();
        let session_id = session.id;
        async move {
            store
                .record_answer(
                    &ana,
                    &NewAnswer {
                        interaction_id: Some(interaction.into()),
                        session: Some((session_id, 0)),
                        ..NewAnswer::new(&q, grade, now)
                    },
                )
                .await
                .expect("record")
        }
    };

    let first = record(vec![0], "click-1").await;
    let second = record(vec![1], "click-2").await;

    assert_eq!(points(&first), 0, "the first click was wrong");
    assert_eq!(
        second,
        Recorded::Duplicate {
            choices: vec![0],
            correct: false,
            points: 0
        }
    );
    let answers = f.store.session_answers(session.id).await.expect("answers");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].choices, vec![0]);
}

async fn a_question_scores_again_only_after_seven_days(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let q = question("ec2-1", "ec2", &[1]);

    let day0 = f
        .answer(&ana, &q, &[1], "2026-03-01T01:00:00Z", Some("a"))
        .await;
    let wrong_day2 = f
        .answer(&ana, &q, &[0], "2026-03-03T01:00:00Z", Some("b"))
        .await;
    let day3 = f
        .answer(&ana, &q, &[1], "2026-03-04T01:00:00Z", Some("c"))
        .await;
    let day9 = f
        .answer(&ana, &q, &[1], "2026-03-10T00:59:59Z", Some("d"))
        .await;
    let day16 = f
        .answer(&ana, &q, &[1], "2026-03-17T01:00:00Z", Some("e"))
        .await;

    assert_eq!(
        [
            points(&day0),
            points(&wrong_day2),
            points(&day3),
            points(&day9),
            points(&day16)
        ],
        [10, 0, 0, 0, 10],
        "a question answered correctly in the last 7 days (scored or not) earns nothing"
    );
    assert_eq!(
        f.standings(Period::AllTime, None, "2026-03-17").await,
        pairs(&[("ana", 20)])
    );
    // The times of the answers since a moment, for the activity chart.
    let mut times = f
        .store
        .answer_times(&ana, at("2026-03-04T01:00:00Z"))
        .await
        .expect("answer times");
    times.sort_unstable();
    assert_eq!(
        times,
        vec![
            at("2026-03-04T01:00:00Z"),
            at("2026-03-10T00:59:59Z"),
            at("2026-03-17T01:00:00Z"),
        ]
    );
}

async fn streaks_follow_the_community_time_zone(db: &TestDatabase) {
    // 14:30 UTC is 23:30 in Seoul; 15:30 UTC is 00:30 the next day there.
    let times = ["2026-03-01T14:30:00Z", "2026-03-01T15:30:00Z"];
    for (zone, expected) in [(chrono_tz::Asia::Seoul, 2), (chrono_tz::UTC, 1)] {
        let f = Fixture::new(db, zone).await;
        let name = format!("player-{}", zone.name().replace('/', "-"));
        let player = f.player(&name).await;
        for (i, when) in times.iter().enumerate() {
            let q = question(&format!("q-{i}"), "ec2", &[0]);
            f.answer(&player, &q, &[0], when, None).await;
        }
        let stats = f
            .store
            .stats(&player, quiz::local_day(at(times[1]), zone))
            .await
            .expect("stats");
        assert_eq!(stats.current_streak, expected, "in {}", zone.name());
        let wrong = f
            .answer(
                &player,
                &question("q-wrong", "ec2", &[0]),
                &[1],
                times[1],
                None,
            )
            .await;
        match wrong {
            Recorded::New { points, streak } => assert_eq!(
                (points, streak.current, streak.best),
                (0, expected, expected),
                "a wrong answer reports the streak as it stands"
            ),
            other => panic!("a new answer, got {other:?}"),
        }
        let next_day = quiz::local_day(at(times[1]), zone)
            .succ_opt()
            .expect("a day");
        let later = f.store.stats(&player, next_day).await.expect("stats");
        assert_eq!(
            later.current_streak, expected,
            "yesterday's run still stands"
        );
        let broken = f
            .store
            .stats(&player, next_day.succ_opt().expect("a day"))
            .await
            .expect("stats");
        assert_eq!(
            (broken.current_streak, broken.best_streak),
            (0, expected),
            "a missed day breaks it"
        );
        // The daily reveal's streak list: a run through yesterday counts.
        let top = |day| f.store.top_streaks(f.community.id, day, 5);
        assert_eq!(
            top(next_day).await.expect("streaks"),
            vec![(name.clone(), expected)]
        );
        let gone = top(next_day.succ_opt().expect("a day"))
            .await
            .expect("streaks");
        assert!(gone.is_empty(), "{gone:?}");
    }
}

async fn weeks_turn_on_monday_in_the_community_time_zone(db: &TestDatabase) {
    let seoul = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = seoul.player("ana").await;
    let bob = seoul.player("bob").await;
    // Sunday 2026-03-08 23:00 in Seoul, and Monday 2026-03-09 01:00 in Seoul
    // (still Sunday 16:00 UTC).
    seoul
        .answer(
            &ana,
            &question("q1", "ec2", &[0]),
            &[0],
            "2026-03-08T14:00:00Z",
            None,
        )
        .await;
    seoul
        .answer(
            &bob,
            &question("q2", "ec2", &[0]),
            &[0],
            "2026-03-08T16:00:00Z",
            None,
        )
        .await;

    assert_eq!(
        seoul.standings(Period::Week, None, "2026-03-08").await,
        pairs(&[("ana", 10)]),
        "Sunday's week"
    );
    assert_eq!(
        seoul.standings(Period::Week, None, "2026-03-09").await,
        pairs(&[("bob", 10)]),
        "Monday's week"
    );
    assert_eq!(
        seoul.standings(Period::Today, None, "2026-03-09").await,
        pairs(&[("bob", 10)])
    );
    assert_eq!(
        seoul
            .standings(Period::Month, None, "2026-03-09")
            .await
            .len(),
        2
    );
}

async fn months_turn_at_local_midnight(db: &TestDatabase) {
    // 2026-01-31 15:30 UTC is already February 1 in Seoul.
    let when = "2026-01-31T15:30:00Z";
    let seoul = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = seoul.player("ana").await;
    seoul
        .answer(&ana, &question("q1", "ec2", &[0]), &[0], when, None)
        .await;
    assert_eq!(
        seoul.standings(Period::Month, None, "2026-02-01").await,
        pairs(&[("ana", 10)])
    );
    assert!(seoul
        .standings(Period::Month, None, "2026-01-31")
        .await
        .is_empty());

    let store = seoul.store.clone();
    let utc_community = store
        .community(
            Platform::Slack,
            &ExternalId::new("T-UTC"),
            chrono_tz::UTC,
            "en",
        )
        .await
        .expect("community");
    let utc = Fixture {
        store,
        community: utc_community,
    };
    let bob = utc.player("bob").await;
    utc.answer(&bob, &question("q1", "ec2", &[0]), &[0], when, None)
        .await;
    assert_eq!(
        utc.standings(Period::Month, None, "2026-01-31").await,
        pairs(&[("bob", 10)])
    );
    assert!(utc
        .standings(Period::Month, None, "2026-02-01")
        .await
        .is_empty());
}

async fn ties_share_a_rank(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let when = "2026-03-04T01:00:00Z";
    let mut players = Vec::new();
    for (name, correct) in [("ana", 3), ("bob", 2), ("cy", 2), ("dee", 1)] {
        let player = f.player(name).await;
        for i in 0..correct {
            f.answer(
                &player,
                &question(&format!("q{i}"), "ec2", &[0]),
                &[0],
                when,
                None,
            )
            .await;
        }
        players.push(player);
    }
    let eve = f.player("eve").await;

    let board = f
        .store
        .leaderboard(&f.board(Period::Today, None, "2026-03-04"))
        .await
        .expect("board");

    let ranks: Vec<(usize, &str, i64)> = board
        .iter()
        .map(|r| (r.rank, r.entry.display_name.as_str(), r.entry.points))
        .collect();
    assert_eq!(
        ranks,
        [
            (1, "ana", 30),
            (2, "bob", 20),
            (2, "cy", 20),
            (4, "dee", 10)
        ]
    );
    let query = f.board(Period::Today, None, "2026-03-04");
    let cy = f
        .store
        .rank_of(&query, players[2].id)
        .await
        .expect("rank")
        .expect("cy is ranked");
    assert_eq!((cy.rank, cy.entry.points), (2, 20));
    let dee = f
        .store
        .rank_of(&query, players[3].id)
        .await
        .expect("rank")
        .expect("dee is ranked");
    assert_eq!(dee.rank, 4);
    assert_eq!(
        f.store.rank_of(&query, eve.id).await.expect("rank"),
        None,
        "no answers, no rank"
    );
    let tomorrow = f.board(Period::Today, None, "2026-03-05");
    assert_eq!(
        f.store
            .rank_of(&tomorrow, players[0].id)
            .await
            .expect("rank"),
        None
    );
}

/// Ranks count the players above in the board's index: they must stay
/// exact, ties included, as players pass each other, as answers that score
/// nothing leave them alone, and as a new day starts afresh.
async fn ranks_stay_exact_as_points_change(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let mut players = Vec::new();
    for name in ["ana", "bob", "cy", "dee", "eve"] {
        players.push(f.player(name).await);
    }
    let [ana, bob, cy, dee, _eve] = &players[..] else {
        unreachable!("five players")
    };
    // Monday and Tuesday morning in Seoul.
    let (monday, tuesday) = ("2026-03-02T01:00:00Z", "2026-03-03T01:00:00Z");
    /// Question `id` (topic ec2, right answer 0), answered with `chosen`.
    async fn answer(f: &Fixture, player: &Player, id: &str, chosen: usize, when: &str) -> Recorded {
        f.answer(player, &question(id, "ec2", &[0]), &[chosen], when, None)
            .await
    }
    let boards = |today: &str| {
        [
            f.board(Period::Today, None, today),
            f.board(Period::Week, None, today),
            f.board(Period::Month, None, today),
            f.board(Period::AllTime, None, today),
            f.board(Period::AllTime, Some("ec2"), today),
            f.board(Period::Week, Some("ec2"), today),
        ]
    };
    let ranked = |list: &[(&str, usize, i64)]| -> Vec<(String, usize, i64)> {
        list.iter()
            .map(|(n, r, p)| (n.to_string(), *r, *p))
            .collect()
    };

    for id in ["q1", "q2"] {
        answer(&f, ana, id, 0, monday).await;
    }
    answer(&f, bob, "q1", 0, monday).await;
    answer(&f, cy, "q1", 0, monday).await;
    answer(&f, dee, "q1", 1, monday).await;
    for board in boards("2026-03-02") {
        assert_eq!(
            f.ranks(&board, &players).await,
            ranked(&[("ana", 1, 20), ("bob", 2, 10), ("cy", 2, 10), ("dee", 4, 0)]),
            "{board:?}: dee's wrong answer ranks her last, eve has none"
        );
    }

    for id in ["q2", "q3"] {
        answer(&f, cy, id, 0, monday).await;
        answer(&f, bob, id, 0, monday).await;
    }
    let repeated = answer(&f, ana, "q1", 0, monday).await;
    answer(&f, ana, "q3", 1, monday).await;
    answer(&f, dee, "q2", 0, monday).await;
    assert_eq!(
        points(&repeated),
        0,
        "a repeat within a week scores nothing"
    );
    for board in boards("2026-03-02") {
        assert_eq!(
            f.ranks(&board, &players).await,
            ranked(&[
                ("ana", 3, 20),
                ("bob", 1, 30),
                ("cy", 1, 30),
                ("dee", 4, 10)
            ]),
            "{board:?}: bob and cy passed ana and share the top"
        );
    }

    for id in ["q3", "q4", "q5"] {
        answer(&f, dee, id, 0, tuesday).await;
    }
    let [today, rest @ ..] = boards("2026-03-03");
    assert_eq!(
        f.ranks(&today, &players).await,
        ranked(&[("dee", 1, 30)]),
        "Tuesday's board starts afresh"
    );
    for board in rest {
        assert_eq!(
            f.ranks(&board, &players).await,
            ranked(&[
                ("ana", 4, 20),
                ("bob", 2, 30),
                ("cy", 2, 30),
                ("dee", 1, 40)
            ]),
            "{board:?}: dee passed everyone"
        );
    }
}

async fn ranks_are_exact_at_every_total(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    // Totals from 0 to 110 points, some shared: a rank counts everyone
    // above, whatever totals they and the caller stand at.
    let right_answers = [0, 1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 11, 11];
    let when = "2026-03-04T01:00:00Z";
    let mut players = Vec::new();
    for (i, right) in right_answers.into_iter().enumerate() {
        let player = f.player(&format!("p{i:02}")).await;
        for q in 0..right {
            let id = format!("q{q}");
            f.answer(&player, &question(&id, "ec2", &[0]), &[0], when, None)
                .await;
        }
        // A wrong answer puts even the pointless on every board.
        f.answer(&player, &question("wrong", "ec2", &[0]), &[1], when, None)
            .await;
        players.push(player);
    }
    for period in [Period::Today, Period::Week, Period::Month, Period::AllTime] {
        for topic in [None, Some("ec2")] {
            let board = BoardQuery {
                limit: players.len(),
                ..f.board(period, topic, "2026-03-04")
            };
            let ranks = f.ranks(&board, &players).await;
            assert_eq!(ranks.len(), players.len(), "{board:?}: everyone ranked");
            for (name, rank, points) in &ranks {
                let above = ranks.iter().filter(|other| other.2 > *points).count();
                assert_eq!(
                    (*rank, *points),
                    (above + 1, 10 * right_answers[players_index(name)]),
                    "{board:?}: {name}"
                );
            }
        }
    }
}

/// Ranks against the plain definition, 1 + the players with more points,
/// counted over each whole board, and the top 10 against the whole board
/// read in full (Postgres reads a top of up to `BOARD_LEADERS` from its
/// leaders, a longer list from every player on the board), on boards built
/// at random with more players than leaders: right and
/// wrong answers, repeats, two topics, answers arriving late, days that
/// cross a week's and a month's turn, the boards' changes folded at random
/// moments (a no-op on SQLite), and a change of time zone half-way.
async fn ranks_match_a_count_on_random_boards(db: &TestDatabase) {
    let seed = std::env::var("QUIZBOT_TEST_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(20_261_207);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let mut players = Vec::new();
    for i in 0..BOARD_LEADERS + 5 {
        players.push(f.player(&format!("p{i:02}")).await);
    }
    // Saturday 28 March 2026, 00:00 UTC: Monday 30 March starts a week,
    // Wednesday 1 April a month.
    let start = at("2026-03-28T00:00:00Z");
    let mut clock = start;
    for step in 0..240 {
        if step == 120 {
            f.store
                .set_community_time_zone(f.community.id, chrono_tz::America::New_York, clock)
                .await
                .expect("set the zone");
            f.community = f
                .store
                .find_community(f.community.platform, &f.community.external_id)
                .await
                .expect("find")
                .expect("exists");
            for player in &mut players {
                *player = f.player(&player.display_name).await;
            }
        }
        clock += chrono::Duration::minutes(rng.i64(10..60));
        // One answer in four arrives up to a day and a half late.
        let late = if rng.u8(..4) == 0 {
            chrono::Duration::minutes(rng.i64(0..36 * 60))
        } else {
            chrono::Duration::zero()
        };
        let player = &players[rng.usize(..players.len())];
        let topic = if rng.bool() { "ec2" } else { "s3" };
        let id = format!("{topic}-{}", rng.u8(..12));
        let chosen = if rng.u8(..10) < 7 { 0 } else { 1 };
        let when = (clock - late).to_rfc3339();
        f.answer(player, &question(&id, topic, &[0]), &[chosen], &when, None)
            .await;
        if rng.u8(..16) == 0 {
            f.store.fold_boards().await.expect("fold");
        }
        if step % 20 != 19 {
            continue;
        }
        let today = quiz::local_day(clock, f.community.time_zone).to_string();
        for period in [Period::Today, Period::Week, Period::Month, Period::AllTime] {
            for topic in [None, Some("ec2"), Some("s3")] {
                let board = BoardQuery {
                    limit: 1000,
                    ..f.board(period, topic, &today)
                };
                let everyone = f.store.leaderboard(&board).await.expect("leaderboard");
                let top = f
                    .store
                    .leaderboard(&f.board(period, topic, &today))
                    .await
                    .expect("top");
                assert_eq!(
                    rows(&top),
                    rows(&everyone[..everyone.len().min(10)]),
                    "seed {seed}, step {step}, {board:?}: the top 10"
                );
                for player in &players {
                    let mine = f.store.rank_of(&board, player.id).await.expect("rank");
                    let listed = everyone.iter().find(|r| r.entry.player_id == player.id);
                    let counted = match listed {
                        Some(listed) => {
                            let above = everyone
                                .iter()
                                .filter(|other| other.entry.points > listed.entry.points)
                                .count();
                            Some((above + 1, listed.entry.points))
                        }
                        // On the board without points: below every scorer.
                        None => mine.as_ref().map(|_| (everyone.len() + 1, 0)),
                    };
                    assert_eq!(
                        mine.map(|r| (r.rank, r.entry.points)),
                        counted,
                        "seed {seed}, step {step}, {board:?}: {}",
                        player.display_name
                    );
                }
            }
        }
    }
}

/// Pruning drops the histograms of periods that are over (on Postgres;
/// SQLite has none): this week's boards and all time keep their ranks.
async fn pruning_the_boards_keeps_every_current_rank(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let (ana, bob) = (f.player("ana").await, f.player("bob").await);
    let long_ago = "2026-03-04T01:00:00Z";
    let now = Utc::now();
    let today = quiz::local_day(now, f.community.time_zone).to_string();
    for (player, ids) in [(&ana, &["a1", "a2"][..]), (&bob, &["b1"][..])] {
        for id in ids {
            f.answer(player, &question(id, "ec2", &[0]), &[0], long_ago, None)
                .await;
        }
    }
    // Both answer again today, where only today's answers count.
    for id in ["b2", "b3"] {
        f.answer(
            &bob,
            &question(id, "ec2", &[0]),
            &[0],
            &now.to_rfc3339(),
            None,
        )
        .await;
    }
    for id in ["a3", "a4", "a5"] {
        f.answer(
            &ana,
            &question(id, "ec2", &[0]),
            &[0],
            &now.to_rfc3339(),
            None,
        )
        .await;
    }
    f.store.fold_boards().await.expect("fold");
    let dropped = f.store.prune_boards().await.expect("prune");
    match &f.store {
        Store::Postgres(_) => assert!(dropped > 0, "March's day, week and month are over"),
        Store::Sqlite(_) => assert_eq!(dropped, 0, "SQLite keeps no histograms"),
    }
    let players = [ana, bob];
    for (period, expected) in [
        (Period::Today, [("ana", 1, 30), ("bob", 2, 20)]),
        (Period::AllTime, [("ana", 1, 50), ("bob", 2, 30)]),
    ] {
        for topic in [None, Some("ec2")] {
            assert_eq!(
                f.ranks(&f.board(period, topic, &today), &players).await,
                expected
                    .iter()
                    .map(|(n, r, p)| (n.to_string(), *r, *p))
                    .collect::<Vec<_>>(),
                "{period:?} {topic:?} after pruning"
            );
        }
    }
}

/// The index in the fixture's list of a player named `pNN`.
fn players_index(name: &str) -> usize {
    name[1..].parse().expect("a player named pNN")
}

async fn topic_boards_and_stats_split_by_topic(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let bob = f.player("bob").await;
    let when = "2026-03-04T01:00:00Z";
    f.answer(&ana, &question("ec2-1", "ec2", &[0]), &[0], when, None)
        .await;
    f.answer(&ana, &question("iam-1", "iam", &[0]), &[1], when, None)
        .await;
    f.answer(
        &ana,
        &question("iam-2", "iam", &[0, 2]),
        &[0, 2],
        when,
        None,
    )
    .await;
    f.answer(&bob, &question("iam-1", "iam", &[0]), &[0], when, None)
        .await;
    f.answer(&bob, &question("iam-3", "iam", &[0]), &[0], when, None)
        .await;

    assert_eq!(
        f.standings(Period::AllTime, Some("iam"), "2026-03-04")
            .await,
        pairs(&[("bob", 20), ("ana", 10)])
    );
    assert_eq!(
        f.standings(Period::Week, Some("ec2"), "2026-03-04").await,
        pairs(&[("ana", 10)])
    );
    let stats = f.store.stats(&ana, day("2026-03-04")).await.expect("stats");
    assert_eq!((stats.answered, stats.correct, stats.points), (3, 2, 20));
    let topics: Vec<(&str, i64, i64)> = stats
        .topics
        .iter()
        .map(|t| (t.topic.as_str(), t.answered, t.correct))
        .collect();
    assert_eq!(topics, [("iam", 2, 1), ("ec2", 1, 1)]);
}

async fn sessions_follow_their_stored_answers(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let now = at("2026-03-04T01:00:00Z");
    let questions = [
        question("a", "ec2", &[0]),
        question("b", "ec2", &[1]),
        question("c", "ec2", &[2]),
    ];
    let ids: Vec<String> = questions.iter().map(|q| q.id.clone()).collect();
    let created = f
        .store
        .create_session(
            &ana,
            &NewSession {
                topic: Some("ec2"),
                question_ids: &ids,
                review: false,
                now,
                expires_at: now + chrono::Duration::hours(2),
            },
        )
        .await
        .expect("create");
    assert_eq!(created.position, 0);

    // A fresh connection, as after a restart.
    let reopened = db.store().await;
    let loaded = reopened
        .session(created.id)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded, created);

    let record = |store: Store, position: usize, interaction: &'static str| {
        let question = questions[position].clone();
        let player = ana.clone();
        async move {
            let grade = quiz::grade(&question, &question.correct).expect("a right answer");
            store
                .record_answer(
                    &player,
                    &NewAnswer {
                        interaction_id: Some(interaction.into()),
                        session: Some((created.id, position)),
                        ..NewAnswer::new(&question, grade, now)
                    },
                )
                .await
                .expect("record")
        }
    };
    record(reopened.clone(), 0, "i-0").await;
    // The session is where its answers put it, on any connection, with
    // nothing written for "Next": nothing a crash could undo.
    for store in [&reopened, &db.store().await] {
        let at_next = store
            .session(created.id)
            .await
            .expect("load")
            .expect("exists");
        assert_eq!(
            at_next.position, 1,
            "one answer stored: at the second question"
        );
    }

    // An answer whose transaction dies before its commit moves nothing.
    match &reopened {
        Store::Postgres(pg) => {
            let mut tx = pg.pool().begin().await.expect("begin");
            sqlx::query(
                "INSERT INTO answers (community_id, player_id, question_id, topic, choices,
                                      correct, points, answered_at, session_id, session_position)
                 VALUES ($1, $2, 'b', 'ec2', '{1}', true, 10, now(), $3, 1)",
            )
            .bind(ana.community_id)
            .bind(ana.id)
            .bind(created.id)
            .execute(&mut *tx)
            .await
            .expect("insert inside the doomed transaction");
            drop(tx);
        }
        Store::Sqlite(lite) => {
            let mut tx = lite.begin_write().await.expect("begin");
            sqlx::query(
                "INSERT INTO answers (community_id, player_id, question_id, topic, choices,
                                      correct, points, answered_at, session_id, session_position)
                 VALUES (?1, ?2, 'b', 'ec2', '[1]', 1, 10, 0, ?3, 1)",
            )
            .bind(ana.community_id)
            .bind(ana.id)
            .bind(created.id)
            .execute(&mut *tx)
            .await
            .expect("insert inside the doomed transaction");
            drop(tx);
        }
    }
    let after_crash = db.store().await;
    let still = after_crash
        .session(created.id)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(
        still.position, 1,
        "a rolled-back answer does not move the session"
    );

    record(after_crash.clone(), 1, "i-1").await;
    record(after_crash.clone(), 2, "i-2").await;
    let done = after_crash
        .session(created.id)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(done.position, 3, "every question answered: past the last");

    after_crash
        .finish_session(created.id, now)
        .await
        .expect("finish");
    let finished = after_crash
        .session(created.id)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(finished.finished_at, Some(now));
    assert_eq!(
        after_crash.session(created.id + 1000).await.expect("load"),
        None
    );
}

async fn history_remembers_the_last_answer(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = f.player("ana").await;
    let q = question("ec2-1", "ec2", &[1]);
    f.answer(&ana, &q, &[1], "2026-03-01T01:00:00Z", None).await;
    f.answer(&ana, &q, &[0], "2026-03-02T01:00:00Z", None).await;
    f.answer(
        &ana,
        &question("ec2-2", "ec2", &[1]),
        &[1],
        "2026-03-02T02:00:00Z",
        None,
    )
    .await;

    let history = f.store.history(&ana).await.expect("history");

    assert_eq!(history.len(), 2);
    assert_eq!(
        history["ec2-1"].last_answered_at,
        at("2026-03-02T01:00:00Z")
    );
    assert!(!history["ec2-1"].last_correct);
    assert!(history["ec2-2"].last_correct);
}

/// 50 tasks answer at once, each delivered twice: every answer lands once
/// and the totals are exact.
async fn fifty_answers_at_once_are_each_recorded_once(db: &TestDatabase) {
    let f = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let mut players = Vec::new();
    for i in 0..10 {
        players.push(f.player(&format!("p{i}")).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..50 {
        let store = f.store.clone();
        let player = players[task % 10].clone();
        tasks.spawn(async move {
            let q = question(&format!("q{}", task / 10), "ec2", &[0]);
            let mut outcomes = Vec::new();
            for _delivery in 0..2 {
                let grade = quiz::grade(&q, &[0]).expect("grade");
                let recorded = store
                    .record_answer(
                        &player,
                        &NewAnswer {
                            interaction_id: Some(format!("interaction-{task}")),
                            ..NewAnswer::new(&q, grade, at("2026-03-04T01:00:00Z"))
                        },
                    )
                    .await
                    .expect("record under load");
                outcomes.push(recorded);
            }
            outcomes
        });
    }
    let mut new = 0;
    let mut duplicates = 0;
    while let Some(outcomes) = tasks.join_next().await {
        for outcome in outcomes.expect("task") {
            match outcome {
                Recorded::New { .. } => new += 1,
                Recorded::Duplicate { .. } => duplicates += 1,
            }
        }
    }

    assert_eq!((new, duplicates), (50, 50));
    let board = f.standings(Period::AllTime, None, "2026-03-04").await;
    assert_eq!(board.len(), 10);
    assert!(board.iter().all(|(_, points)| *points == 50), "{board:?}");
    for player in &players {
        let stats = f
            .store
            .stats(player, day("2026-03-04"))
            .await
            .expect("stats");
        assert_eq!(
            (stats.answered, stats.correct),
            (5, 5),
            "{}",
            player.display_name
        );
    }
}

/// A community that changes its time zone: "today", "this week" and the
/// streak's days follow the new zone from the next answer, as the README
/// says (a period whose dates differ starts again; a streak's last day is
/// kept as a date, so a later answer on the same or an earlier date in the
/// new zone leaves the run as it is).
async fn a_time_zone_change_moves_days_weeks_and_streaks(db: &TestDatabase) {
    let seoul = Fixture::new(db, chrono_tz::Asia::Seoul).await;
    let ana = seoul.player("ana").await;
    // 16:00 UTC on Wednesday 4 March: already Thursday 5 March in Seoul.
    seoul
        .answer(
            &ana,
            &question("z-1", "ec2", &[0]),
            &[0],
            "2026-03-04T16:00:00Z",
            None,
        )
        .await;

    seoul
        .store
        .set_community_time_zone(
            seoul.community.id,
            chrono_tz::Europe::Berlin,
            at("2026-03-04T18:00:00Z"),
        )
        .await
        .expect("set the zone");
    let community = seoul
        .store
        .find_community(seoul.community.platform, &seoul.community.external_id)
        .await
        .expect("find")
        .expect("exists");
    assert_eq!(community.time_zone, chrono_tz::Europe::Berlin);
    let berlin = Fixture {
        store: seoul.store.clone(),
        community,
    };
    let ana = berlin.player("ana").await;
    assert_eq!(
        ana.time_zone,
        chrono_tz::Europe::Berlin,
        "the player follows"
    );

    // 20:00 UTC: Wednesday 4 March in Berlin. Today's board is Berlin's
    // Wednesday, which the Seoul answer (Thursday there) is not on.
    assert_eq!(
        berlin.standings(Period::Today, None, "2026-03-04").await,
        Vec::<(String, i64)>::new()
    );
    let recorded = berlin
        .answer(
            &ana,
            &question("z-2", "ec2", &[0]),
            &[0],
            "2026-03-04T20:00:00Z",
            None,
        )
        .await;
    let Recorded::New { points, streak } = recorded else {
        panic!("a new answer, got {recorded:?}");
    };
    assert_eq!(points, 10);
    assert_eq!(
        (streak.current, streak.last_day),
        (1, Some(day("2026-03-05"))),
        "an earlier date in the new zone leaves the run as it is"
    );
    assert_eq!(
        berlin.standings(Period::Today, None, "2026-03-04").await,
        vec![("ana".to_string(), 10)],
        "today is Berlin's Wednesday, started again"
    );
    assert_eq!(
        berlin
            .standings(Period::Today, Some("ec2"), "2026-03-04")
            .await,
        vec![("ana".to_string(), 10)],
        "a topic's today too"
    );
    // Friday in Berlin continues the run from Seoul's Thursday.
    berlin
        .answer(
            &ana,
            &question("z-3", "ec2", &[0]),
            &[0],
            "2026-03-06T12:00:00Z",
            None,
        )
        .await;
    let stats = berlin
        .store
        .stats(&ana, day("2026-03-06"))
        .await
        .expect("stats");
    assert_eq!(stats.current_streak, 2);

    // Sunday 8 March 23:30 in Berlin is Monday 9 March in Seoul: the week
    // is Berlin's, the one that began on Monday 2 March.
    berlin
        .answer(
            &ana,
            &question("z-4", "ec2", &[0]),
            &[0],
            "2026-03-08T22:30:00Z",
            None,
        )
        .await;
    let week = berlin.standings(Period::Week, None, "2026-03-08").await;
    assert_eq!(
        week,
        vec![("ana".to_string(), 30)],
        "this week started again at the change: the Seoul answer before it is all-time only"
    );
    for (period, today, points) in [
        (Period::Week, "2026-03-08", 30),
        (Period::AllTime, "2026-03-08", 40),
    ] {
        assert_eq!(
            berlin.standings(period, Some("ec2"), today).await,
            vec![("ana".to_string(), points)],
            "the topic's {period:?} board counts the same way"
        );
    }
    let next_week = berlin.standings(Period::Week, None, "2026-03-09").await;
    assert!(next_week.is_empty(), "{next_week:?}");
}
