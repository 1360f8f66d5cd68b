//! The daily question's scheduler, driven by a simulated clock against the
//! real store: two replicas on one database, restarts, downtime, daylight
//! saving, a channel that refuses the bot, a replica that dies holding a
//! lease, and answers counted at the reveal. The platform is a recorder at
//! the network boundary (what would be sent to Discord or Slack).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quizbot::content::SharedContent;
use quizbot::daily::{DailySettings, Stage, Tally};
use quizbot::game::{Game, GameError};
use quizbot::identity::{ExternalId, Platform};
use quizbot::scheduler::{DailyChannel, Delivery, DeliveryError, Reveal, Scheduler, REVEAL_GRACE};
use quizbot::service::{Service, ServiceSettings};
use quizbot::store::{Recorded, Store};

use crate::support::{shipped_content, TestDatabase};

both_backends!(
    schedules_are_set_replaced_turned_off_and_removed,
    thirty_days_two_replicas_post_and_reveal_once_a_day,
    a_lease_left_by_a_dead_replica_expires,
    answers_are_counted_once_and_closed_at_the_reveal,
);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Posted {
        replica: String,
        channel: String,
        date: NaiveDate,
        question: String,
        at: DateTime<Utc>,
    },
    Revealed {
        replica: String,
        channel: String,
        date: NaiveDate,
        tally: Tally,
        streaks: Vec<(String, u32)>,
        at: DateTime<Utc>,
    },
    Refused {
        channel: String,
        at: DateTime<Utc>,
    },
}

/// What the replicas sent, and the simulated time.
#[derive(Clone)]
struct World {
    now: Arc<Mutex<DateTime<Utc>>>,
    events: Arc<Mutex<Vec<Event>>>,
    /// Channels that answer 403.
    closed: Arc<HashSet<String>>,
}

impl World {
    fn new(start: DateTime<Utc>, closed: &[&str]) -> World {
        World {
            now: Arc::new(Mutex::new(start)),
            events: Arc::default(),
            closed: Arc::new(closed.iter().map(|c| c.to_string()).collect()),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap()
    }

    fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap() = at;
    }

    fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

struct Recorder {
    replica: String,
    world: World,
}

impl DailyChannel for Recorder {
    async fn post(&self, delivery: &Delivery<'_>) -> Result<String, DeliveryError> {
        // Another replica may run in between: widen the window for races.
        tokio::task::yield_now().await;
        let channel = delivery.schedule.channel.clone();
        let at = self.world.now();
        if self.world.closed.contains(&channel) {
            self.world
                .events
                .lock()
                .unwrap()
                .push(Event::Refused { channel, at });
            return Err(DeliveryError::Refused("403 Missing Permissions".into()));
        }
        self.world.events.lock().unwrap().push(Event::Posted {
            replica: self.replica.clone(),
            channel,
            date: delivery.post.local_date,
            question: delivery.post.question_id.clone(),
            at,
        });
        Ok(format!("m{}", delivery.post.id))
    }

    async fn reveal(&self, reveal: &Reveal<'_>) -> Result<(), DeliveryError> {
        tokio::task::yield_now().await;
        assert_eq!(reveal.message_id, format!("m{}", reveal.post.id));
        self.world.events.lock().unwrap().push(Event::Revealed {
            replica: self.replica.clone(),
            channel: reveal.schedule.channel.clone(),
            date: reveal.post.local_date,
            tally: reveal.tally.clone(),
            streaks: reveal.streaks.clone(),
            at: self.world.now(),
        });
        Ok(())
    }
}

async fn replica(
    db: &TestDatabase,
    content: &SharedContent,
    name: &str,
    world: &World,
) -> Scheduler<Recorder> {
    let store = Store::connect_with_pool(&db.url, 4).await.expect("connect");
    let settings = ServiceSettings {
        seed: Some(name.bytes().map(u64::from).sum()),
        ..ServiceSettings::default()
    };
    Scheduler::new(
        Platform::Discord,
        Service::new(content.clone(), store, settings),
        Recorder {
            replica: name.to_string(),
            world: world.clone(),
        },
    )
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn set(store: &Store, channel: &str, time: &str, zone: &str, topics: &str, reveal: &str) {
    let content = shipped_content();
    let schedule = DailySettings {
        time,
        time_zone: Some(zone),
        topics: Some(topics),
        reveal_after: Some(reveal),
    }
    .schedule(
        Platform::Discord,
        ExternalId::new("guild-1"),
        channel.to_string(),
        &content.bank,
        chrono_tz::Asia::Seoul,
    )
    .expect("valid settings");
    store
        .set_schedule(&schedule, at("2026-02-28T00:00:00Z"))
        .await
        .expect("set schedule");
}

async fn thirty_days_two_replicas_post_and_reveal_once_a_day(db: &TestDatabase) {
    let content = SharedContent::new(shipped_content());
    let start = at("2026-03-01T00:00:00Z");
    let end = start + Duration::days(30);
    let world = World::new(start, &["gone"]);
    let admin = db.store().await;
    // 09:00 in Seoul (00:00 UTC); 02:30 in New York, a time that does not
    // exist on 2026-03-08; a channel the bot may not post in.
    set(&admin, "seoul", "09:00", "Asia/Seoul", "ec2", "8h").await;
    set(&admin, "new-york", "02:30", "America/New_York", "", "8h").await;
    set(&admin, "gone", "09:00", "Asia/Seoul", "", "8h").await;

    let mut a = replica(db, &content, "a0", &world).await;
    let b = replica(db, &content, "b", &world).await;
    // Both replicas down: on 03-10 from 08:30 to 12:00 in Seoul (the post
    // comes late), on 03-15 from 08:30 to 18:00 (after the reveal time: no
    // post that day).
    let down = [
        (at("2026-03-09T23:30:00Z"), at("2026-03-10T03:00:00Z")),
        (at("2026-03-14T23:30:00Z"), at("2026-03-15T09:00:00Z")),
    ];
    let step = Duration::minutes(5);
    let mut now = start;
    let mut restarts = 0;
    while now < end {
        world.set(now);
        if !down
            .iter()
            .any(|(from, until)| now >= *from && now < *until)
        {
            let (ra, rb) = tokio::join!(a.tick(now), b.tick(now));
            ra.expect("replica a");
            rb.expect("replica b");
        }
        // A restart of replica a every third day at noon UTC.
        if now.time() == chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap()
            && (now - start).num_days() % 3 == 2
        {
            restarts += 1;
            a = replica(db, &content, &format!("a{restarts}"), &world).await;
        }
        now += step;
    }
    assert_eq!(restarts, 10);

    let events = world.events();
    let posts = |channel: &str| -> BTreeMap<NaiveDate, Vec<(String, DateTime<Utc>)>> {
        let mut by_day: BTreeMap<NaiveDate, Vec<(String, DateTime<Utc>)>> = BTreeMap::new();
        for event in &events {
            if let Event::Posted {
                channel: c,
                date,
                question,
                at,
                ..
            } = event
            {
                if c == channel {
                    by_day
                        .entry(*date)
                        .or_default()
                        .push((question.clone(), *at));
                }
            }
        }
        by_day
    };
    let reveals = |channel: &str| -> BTreeMap<NaiveDate, usize> {
        let mut by_day = BTreeMap::new();
        for event in &events {
            if let Event::Revealed {
                channel: c, date, ..
            } = event
            {
                if c == channel {
                    *by_day.entry(*date).or_insert(0) += 1;
                }
            }
        }
        by_day
    };

    // Seoul: one post and one reveal a day, at 09:00, except the late one
    // on 03-10 and none on 03-15.
    let seoul = posts("seoul");
    let seoul_reveals = reveals("seoul");
    let mut expected_days = Vec::new();
    for offset in 0..30 {
        let date = day("2026-03-01") + Duration::days(offset);
        if date == day("2026-03-15") {
            assert!(!seoul.contains_key(&date), "posted after its reveal time");
            assert!(!seoul_reveals.contains_key(&date));
            continue;
        }
        expected_days.push(date);
        let sent = &seoul[&date];
        assert_eq!(sent.len(), 1, "{date}: {sent:?}");
        assert_eq!(seoul_reveals.get(&date), Some(&1), "{date}");
        let due = date.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let expected = if date == day("2026-03-10") {
            at("2026-03-10T03:00:00Z")
        } else {
            due
        };
        assert_eq!(sent[0].1, expected, "{date}");
    }
    assert_eq!(seoul.len(), expected_days.len());
    // Questions from its topic, none repeated before the topic runs out.
    let bank = &content.current().bank;
    let ec2 = bank.questions_in(Some("ec2")).count();
    let asked: Vec<&String> = seoul.values().map(|sent| &sent[0].0).collect();
    assert!(asked
        .iter()
        .all(|id| bank.question(id).unwrap().topic == "ec2"));
    let first: HashSet<&&String> = asked.iter().take(ec2.min(asked.len())).collect();
    assert_eq!(first.len(), ec2.min(asked.len()), "{asked:?}");

    // New York: every day once; 02:30 does not exist on 03-08 (03:30 EDT),
    // and the offset changes from -5 to -4 hours.
    let new_york = posts("new-york");
    let ny_reveals = reveals("new-york");
    assert_eq!(new_york.len(), 30, "{:?}", new_york.keys());
    for (date, sent) in &new_york {
        assert_eq!(sent.len(), 1, "{date}: {sent:?}");
        assert_eq!(ny_reveals.get(date), Some(&1), "{date}");
    }
    assert_eq!(
        new_york[&day("2026-03-07")][0].1,
        at("2026-03-07T07:30:00Z")
    );
    assert_eq!(
        new_york[&day("2026-03-08")][0].1,
        at("2026-03-08T07:30:00Z")
    );
    assert_eq!(
        new_york[&day("2026-03-09")][0].1,
        at("2026-03-09T06:30:00Z")
    );
    // The 03-15 downtime covers 06:30 UTC: posted when the bot came back.
    assert_eq!(
        new_york[&day("2026-03-15")][0].1,
        at("2026-03-15T09:00:00Z")
    );

    // The closed channel: tried with growing pauses, never blocking the
    // others, and its trouble on record.
    let refusals: Vec<DateTime<Utc>> = events
        .iter()
        .filter_map(|e| match e {
            Event::Refused { at, .. } => Some(*at),
            _ => None,
        })
        .collect();
    assert!(refusals.len() >= 5, "{refusals:?}");
    assert!(refusals.len() < 120, "no backoff: {} tries", refusals.len());
    let gaps: Vec<Duration> = refusals.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().any(|g| *g >= Duration::hours(1)), "{gaps:?}");
    let gone = admin
        .schedules(Some(Platform::Discord), None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.channel == "gone")
        .unwrap();
    let failure = gone.failure.expect("failure recorded");
    assert!(failure.error.contains("403"), "{}", failure.error);
    assert_eq!(failure.count as usize, refusals.len());

    // Both replicas did some of the work.
    let by_b = events
        .iter()
        .filter(|e| matches!(e, Event::Posted { replica, .. } | Event::Revealed { replica, .. } if replica == "b"))
        .count();
    let total = events
        .iter()
        .filter(|e| matches!(e, Event::Posted { .. } | Event::Revealed { .. }))
        .count();
    assert!(by_b > 0 && by_b < total, "b did {by_b} of {total}");
}

async fn a_lease_left_by_a_dead_replica_expires(db: &TestDatabase) {
    let content = SharedContent::new(shipped_content());
    let due = at("2026-03-02T00:00:00Z");
    let world = World::new(due, &[]);
    let store = db.store().await;
    set(&store, "seoul", "09:00", "Asia/Seoul", "", "8h").await;
    let schedule = store.schedules(None, None).await.unwrap().remove(0);
    // A replica claimed the day and took the lease, then died.
    let occurrence = schedule.occurrence(due);
    let post = store
        .claim_daily_post(
            schedule.id,
            &occurrence,
            &content.current().bank.questions[0].id,
        )
        .await
        .unwrap();
    assert!(store
        .lease_daily_post(post.id, Stage::Post, due, due + Duration::seconds(60))
        .await
        .unwrap());

    let survivor = replica(db, &content, "survivor", &world).await;
    let report = survivor.tick(due + Duration::seconds(30)).await.unwrap();
    assert_eq!(report.posted, 0, "posted under another replica's lease");
    assert!(world.events().is_empty());
    world.set(due + Duration::seconds(61));
    let report = survivor.tick(due + Duration::seconds(61)).await.unwrap();
    assert_eq!(report.posted, 1);
    // The question the dead replica chose is the one posted.
    match &world.events()[..] {
        [Event::Posted { question, .. }] => {
            assert_eq!(question, &content.current().bank.questions[0].id)
        }
        other => panic!("{other:?}"),
    }
    // Once posted, nothing more until the reveal.
    let report = survivor.tick(due + Duration::hours(1)).await.unwrap();
    assert_eq!((report.posted, report.revealed), (0, 0));
}

async fn answers_are_counted_once_and_closed_at_the_reveal(db: &TestDatabase) {
    let content = SharedContent::new(shipped_content());
    let due = at("2026-03-02T00:00:00Z");
    let world = World::new(due, &[]);
    let store = db.store().await;
    set(
        &store,
        "seoul",
        "09:00",
        "Asia/Seoul",
        "storage-databases",
        "8h",
    )
    .await;
    let scheduler = replica(db, &content, "a", &world).await;
    assert_eq!(scheduler.tick(due).await.unwrap().posted, 1);
    let schedule = store.schedules(None, None).await.unwrap().remove(0);
    let post = store
        .daily_post_on(schedule.id, day("2026-03-02"))
        .await
        .unwrap()
        .unwrap();

    let current = content.current();
    let game = Game::new(&current, &store);
    let question = current.bank.question(&post.question_id).unwrap();
    let right = question.correct.clone();
    let wrong: Vec<usize> = (0..question.choices.len())
        .filter(|i| !right.contains(i))
        .take(right.len())
        .collect();
    let community = store
        .community(
            Platform::Discord,
            &ExternalId::new("guild-1"),
            chrono_tz::Asia::Seoul,
            "ko",
        )
        .await
        .unwrap();
    let guild = ExternalId::new("guild-1");
    let mut players = Vec::new();
    for name in ["ann", "bo", "cy"] {
        players.push(
            store
                .player(&community, &ExternalId::new(name), name)
                .await
                .unwrap(),
        );
    }
    let answer = |player: usize, chosen: Vec<usize>, minute: i64, id: &str| {
        let (game, guild, player, id) = (&game, &guild, &players[player], id.to_string());
        async move {
            game.answer_daily(
                player,
                Platform::Discord,
                guild,
                post.id,
                &chosen,
                Some(id),
                due + Duration::minutes(minute),
            )
            .await
        }
    };
    let first = answer(0, right.clone(), 1, "i1").await.unwrap();
    assert!(first.grade.correct);
    assert!(matches!(first.recorded, Recorded::New { points: 10, .. }));
    answer(1, wrong.clone(), 2, "i2").await.unwrap();
    // A second click: the first answer stands.
    let again = answer(1, right.clone(), 3, "i3").await.unwrap();
    match &again.recorded {
        Recorded::Duplicate {
            choices,
            correct,
            points,
        } => {
            assert_eq!(choices, &wrong);
            assert!(!correct);
            assert_eq!(*points, 0);
        }
        other => panic!("{other:?}"),
    }
    // Another community's member cannot answer this post.
    let elsewhere = game
        .answer_daily(
            &players[2],
            Platform::Discord,
            &ExternalId::new("guild-2"),
            post.id,
            &right,
            Some("i4".into()),
            due + Duration::minutes(4),
        )
        .await;
    assert!(matches!(elsewhere, Err(GameError::DailyElsewhere)));

    let reveal_at = due + Duration::hours(8);
    // Answers stop at the reveal time; the count waits for stragglers.
    let report = scheduler.tick(reveal_at).await.unwrap();
    assert_eq!(report.revealed, 0);
    let report = scheduler.tick(reveal_at + REVEAL_GRACE).await.unwrap();
    assert_eq!(report.revealed, 1);
    let Some(Event::Revealed { tally, streaks, .. }) = world.events().last().cloned() else {
        panic!("no reveal: {:?}", world.events());
    };
    // Ann answered rightly today: a one-day streak; Bo has none.
    assert_eq!(streaks, vec![("ann".to_string(), 1)]);
    let mut per_choice = vec![0; question.choices.len()];
    for &c in right.iter().chain(&wrong) {
        per_choice[c] += 1;
    }
    assert_eq!(
        tally,
        Tally {
            answered: 2,
            correct: 1,
            per_choice,
        }
    );
    // After the reveal, answers are refused and nothing is recorded.
    let late = answer(2, right.clone(), 8 * 60 + 1, "i5").await;
    assert!(matches!(late, Err(GameError::DailyClosed)), "{late:?}");
    assert_eq!(store.daily_answers(post.id).await.unwrap().len(), 2);
    // The reveal happens once.
    let report = scheduler
        .tick(reveal_at + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(report.revealed, 0);
}

async fn schedules_are_set_replaced_turned_off_and_removed(db: &TestDatabase) {
    let store = db.store().await;
    let now = at("2026-03-01T00:00:00Z");
    set(
        &store,
        "a",
        "09:00",
        "Asia/Seoul",
        "ec2, storage-databases",
        "90m",
    )
    .await;
    set(&store, "b", "21:30", "Europe/Berlin", "", "8h").await;
    let listed = store.schedules(None, None).await.unwrap();
    assert_eq!(listed.len(), 2);
    let a = &listed[0];
    assert_eq!(a.channel, "a");
    assert_eq!(a.time.format("%H:%M").to_string(), "09:00");
    assert_eq!(a.time_zone, chrono_tz::Asia::Seoul);
    assert_eq!(
        a.topics,
        vec!["ec2".to_string(), "storage-databases".to_string()]
    );
    assert_eq!(a.reveal_after, Duration::minutes(90));
    assert!(a.enabled && a.failure.is_none());

    // A failure is kept with its retry time, and cleared by a delivery.
    let failure = store
        .schedule_failed(a.id, "403 Missing Permissions", now)
        .await
        .unwrap();
    assert_eq!(failure.count, 1);
    assert_eq!(failure.retry_at, now + Duration::minutes(1));
    let second = store
        .schedule_failed(a.id, "403 Missing Permissions", now)
        .await
        .unwrap();
    assert_eq!(
        (second.count, second.retry_at),
        (2, now + Duration::minutes(2))
    );
    let listed = store
        .schedules(Some(Platform::Discord), Some(&ExternalId::new("guild-1")))
        .await
        .unwrap();
    assert_eq!(listed[0].failure, Some(second));
    assert!(listed[0].is_on_hold(now));
    store.schedule_delivered(a.id).await.unwrap();
    assert!(store.schedules(None, None).await.unwrap()[0]
        .failure
        .is_none());

    // Setting it again replaces the settings and turns it back on.
    assert_eq!(
        store
            .disable_schedules(
                Platform::Discord,
                &ExternalId::new("guild-1"),
                Some("a"),
                now
            )
            .await
            .unwrap(),
        1
    );
    assert!(!store.schedules(None, None).await.unwrap()[0].enabled);
    set(&store, "a", "07:15", "Asia/Seoul", "", "8h").await;
    let a = store.schedules(None, None).await.unwrap().remove(0);
    assert!(a.enabled);
    assert_eq!(a.time.format("%H:%M").to_string(), "07:15");
    assert!(a.topics.is_empty());

    // Off for the whole community; other communities and platforms untouched.
    assert!(store
        .schedules(Some(Platform::Slack), None)
        .await
        .unwrap()
        .is_empty());
    let off = store
        .disable_schedules(Platform::Discord, &ExternalId::new("guild-1"), None, now)
        .await
        .unwrap();
    assert_eq!(off, 2);
    assert_eq!(
        store
            .disable_schedules(Platform::Discord, &ExternalId::new("guild-2"), None, now)
            .await
            .unwrap(),
        0
    );

    // Removing deletes the schedule and its posts.
    let post = store
        .claim_daily_post(a.id, &a.occurrence(now), "ec2-what-is")
        .await
        .unwrap();
    assert!(store
        .remove_schedule(Platform::Discord, &ExternalId::new("guild-1"), "a")
        .await
        .unwrap());
    assert!(store.daily_post(post.id).await.unwrap().is_none());
    assert!(!store
        .remove_schedule(Platform::Discord, &ExternalId::new("guild-1"), "a")
        .await
        .unwrap());
    assert_eq!(store.schedules(None, None).await.unwrap().len(), 1);
}
