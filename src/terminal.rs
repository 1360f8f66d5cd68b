//! The quiz in a terminal: `quizbot play`, `quizbot leaderboard` and
//! `quizbot stats`, on whichever store `DATABASE_URL` picks (the embedded
//! SQLite file by default).
//!
//! Input and output are passed in, so tests drive the same code as the
//! binary. Every answer is recorded as soon as it is given; quitting (`q`
//! or end of input) keeps what was answered.

use std::io::{BufRead, Write};
use std::time::Instant;

use chrono::Utc;
use unicode_width::UnicodeWidthStr;

use crate::bank::Question;
use crate::content::Content;
use crate::game::{AnswerOutcome, Game, GameError};
use crate::i18n::Texts;
use crate::identity::{ExternalId, Platform};
use crate::notes::Excerpt;
use crate::quiz::{self, Period};
use crate::store::{BoardQuery, Community, Player, Recorded, Store, StoreError};

/// The terminal's one community.
pub const TERMINAL_COMMUNITY: &str = "local";

#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error(transparent)]
    Game(#[from] GameError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("terminal I/O failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What `quizbot play` was asked for.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    pub topic: Option<String>,
    pub count: usize,
    pub user: String,
}

/// The terminal community and a player in it.
pub async fn terminal_player(
    store: &Store,
    texts: Texts,
    time_zone: chrono_tz::Tz,
    user: &str,
) -> Result<(Community, Player), StoreError> {
    let community = store
        .community(
            Platform::Terminal,
            &ExternalId::new(TERMINAL_COMMUNITY),
            time_zone,
            texts.locale.code(),
        )
        .await?;
    let player = store
        .player(&community, &ExternalId::new(user), user)
        .await?;
    Ok((community, player))
}

/// Plays one session. Returns how many questions were answered.
pub async fn play(
    content: &Content,
    store: &Store,
    texts: Texts,
    time_zone: chrono_tz::Tz,
    options: &PlayOptions,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<usize, TerminalError> {
    let (_, player) = terminal_player(store, texts, time_zone, &options.user).await?;
    let game = Game::new(content, store);
    let mut rng = fastrand::Rng::new();
    let session = match game
        .start(
            &player,
            options.topic.as_deref(),
            options.count,
            Utc::now(),
            &mut rng,
        )
        .await
    {
        Ok(session) => session,
        Err(GameError::UnknownTopic(topic)) => {
            let known: Vec<&str> = content.bank.topics.iter().map(|t| t.id.as_str()).collect();
            writeln!(
                output,
                "unknown topic `{topic}`; topics: {}",
                known.join(", ")
            )?;
            return Err(GameError::UnknownTopic(topic).into());
        }
        Err(err) => return Err(err.into()),
    };
    let total = session.question_ids.len();
    let mut answered = 0;
    for position in 0..total {
        let question = game.question(&session, position)?;
        write_card(output, content, texts, question, position, total)?;
        let shown = Instant::now();
        let Some(chosen) = read_answer(input, output, texts, question)? else {
            writeln!(output, "\n{}", texts.saved_and_quit())?;
            break;
        };
        let elapsed = shown.elapsed().as_millis() as i64;
        let outcome = game
            .answer(
                &player,
                session.id,
                position,
                &chosen,
                None,
                Some(elapsed),
                Utc::now(),
            )
            .await?;
        answered += 1;
        write_feedback(output, texts, &outcome)?;
        if position + 1 < total {
            game.next(&player, session.id, position, Utc::now()).await?;
        }
    }
    let summary = game.finish(session.id, Utc::now()).await?;
    writeln!(output, "\n== {} ==", texts.summary_title())?;
    if summary.answered == 0 {
        writeln!(output, "{}", texts.nothing_answered())?;
    } else {
        writeln!(
            output,
            "{}",
            texts.summary_line(
                summary.correct,
                summary.answered,
                summary.accuracy,
                summary.points
            )
        )?;
        if let Some(topic) = &summary.weakest_topic {
            let name = content
                .bank
                .topic(topic)
                .map_or(topic.as_str(), |t| t.name.as_str());
            writeln!(output, "{}", texts.weakest_topic(name))?;
        }
    }
    output.flush()?;
    Ok(answered)
}

fn write_card(
    output: &mut impl Write,
    content: &Content,
    texts: Texts,
    question: &Question,
    position: usize,
    total: usize,
) -> std::io::Result<()> {
    let topic = content
        .bank
        .topic(&question.topic)
        .map_or(question.topic.as_str(), |t| t.name.as_str());
    writeln!(output)?;
    writeln!(
        output,
        "[{}/{}] {} · {}",
        position + 1,
        total,
        topic,
        texts.difficulty(question.difficulty)
    )?;
    writeln!(output, "{}", question.prompt)?;
    if question.is_multi() {
        writeln!(output, "({})", texts.choose_n(question.picks()))?;
    }
    for (index, choice) in question.choices.iter().enumerate() {
        writeln!(output, "  {}) {choice}", Question::letter(index))?;
    }
    Ok(())
}

/// Reads letters until they make a valid answer; `None` on `q` or end of input.
fn read_answer(
    input: &mut impl BufRead,
    output: &mut impl Write,
    texts: Texts,
    question: &Question,
) -> std::io::Result<Option<Vec<usize>>> {
    loop {
        write!(output, "{}", texts.answer_prompt(question.picks()))?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim();
        if matches!(line.to_lowercase().as_str(), "q" | "quit" | "exit" | "ㅂ") {
            return Ok(None);
        }
        match quiz::parse_letters(line, question.choices.len()) {
            Some(chosen) if quiz::grade(question, &chosen).is_ok() => return Ok(Some(chosen)),
            _ => writeln!(
                output,
                "{}",
                texts.invalid_answer(question.choices.len(), question.picks())
            )?,
        }
    }
}

fn write_feedback(
    output: &mut impl Write,
    texts: Texts,
    outcome: &AnswerOutcome,
) -> std::io::Result<()> {
    let question = outcome.question;
    writeln!(output)?;
    if let Recorded::Duplicate { choices, .. } = &outcome.recorded {
        writeln!(
            output,
            "{}",
            texts.already_answered(&Question::letters(choices))
        )?;
    }
    if outcome.grade.correct {
        writeln!(output, "✔ {}", texts.correct())?;
    } else {
        writeln!(output, "✘ {}", texts.wrong())?;
        writeln!(
            output,
            "{}: {}",
            texts.your_answer(),
            Question::letters(&outcome.grade.chosen)
        )?;
    }
    for &index in &question.correct {
        writeln!(
            output,
            "{}: {}) {}",
            texts.right_answer(),
            Question::letter(index),
            question.choices[index]
        )?;
    }
    writeln!(output, "{}: {}", texts.explanation(), question.explanation)?;
    if let Some(excerpt) = &outcome.excerpt {
        write_excerpt(output, texts, excerpt)?;
    }
    writeln!(
        output,
        "{}",
        texts.points_won(
            outcome.points(),
            outcome.is_repeat_of_a_recent_correct_answer()
        )
    )
}

fn write_excerpt(output: &mut impl Write, texts: Texts, excerpt: &Excerpt) -> std::io::Result<()> {
    writeln!(
        output,
        "{} · {} › {}",
        texts.from_notes(),
        excerpt.file,
        excerpt.heading
    )?;
    for line in excerpt.body_lines() {
        writeln!(output, "  │ {line}")?;
    }
    Ok(())
}

/// Prints a leaderboard of the terminal community, with `user`'s rank.
pub async fn print_leaderboard(
    store: &Store,
    content: &Content,
    texts: Texts,
    period: Period,
    topic: Option<&str>,
    user: Option<&str>,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    let topic_name = topic.map(|t| content.bank.topic(t).map_or(t, |t| t.name.as_str()));
    writeln!(output, "{}", texts.leaderboard_title(period, topic_name))?;
    let Some(community) = store
        .find_community(Platform::Terminal, &ExternalId::new(TERMINAL_COMMUNITY))
        .await?
    else {
        writeln!(output, "{}", texts.empty_leaderboard())?;
        return Ok(());
    };
    let query = BoardQuery {
        community_id: community.id,
        period,
        topic,
        today: quiz::local_day(Utc::now(), community.time_zone),
        time_zone: community.time_zone,
        limit: 10,
    };
    let board = store.leaderboard(&query).await?;
    if board.is_empty() {
        writeln!(output, "{}", texts.empty_leaderboard())?;
        return Ok(());
    }
    let name_width = board
        .iter()
        .map(|r| r.entry.display_name.width())
        .max()
        .unwrap_or(0)
        .max(4);
    for row in &board {
        let name = &row.entry.display_name;
        let pad = name_width - name.width();
        writeln!(
            output,
            "{:>3}. {name}{}  {}",
            row.rank,
            " ".repeat(pad),
            texts.standing(row.entry.points, row.entry.correct, row.entry.answered)
        )?;
    }
    if let Some(user) = user {
        if let Some(player) = store
            .find_player(&community, &ExternalId::new(user))
            .await?
        {
            if let Some(mine) = store.rank_of(&query, player.id).await? {
                writeln!(output, "{}", texts.your_rank(mine.rank, mine.entry.points))?;
            }
        }
    }
    Ok(())
}

/// Prints `user`'s stats in the terminal community.
pub async fn print_stats(
    store: &Store,
    content: &Content,
    texts: Texts,
    user: &str,
    output: &mut impl Write,
) -> Result<(), TerminalError> {
    writeln!(output, "{}", texts.stats_title(user))?;
    let community = store
        .find_community(Platform::Terminal, &ExternalId::new(TERMINAL_COMMUNITY))
        .await?;
    let player = match &community {
        Some(community) => store.find_player(community, &ExternalId::new(user)).await?,
        None => None,
    };
    let (Some(community), Some(player)) = (community, player) else {
        writeln!(output, "{}", texts.no_stats())?;
        return Ok(());
    };
    let stats = store
        .stats(&player, quiz::local_day(Utc::now(), community.time_zone))
        .await?;
    writeln!(
        output,
        "{}",
        texts.stats_totals(stats.answered, stats.correct, stats.points)
    )?;
    writeln!(
        output,
        "{}",
        texts.streaks(stats.current_streak, stats.best_streak)
    )?;
    for topic in &stats.topics {
        let name = content
            .bank
            .topic(&topic.topic)
            .map_or(topic.topic.as_str(), |t| t.name.as_str());
        writeln!(
            output,
            "  {}",
            texts.topic_accuracy(name, topic.correct, topic.answered)
        )?;
    }
    Ok(())
}
