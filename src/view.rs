//! The view model: what every platform shows, worded and complete, with no
//! markup. The service ([`crate::service`]) and the daily question's
//! scheduler ([`crate::scheduler`]) build these from the quiz's results;
//! Discord, Slack and the terminal only lay them out, escape them, cut them
//! to their limits and attach their ids. Every sentence comes from
//! [`crate::i18n`].

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::action::{Action, Flagged};
use crate::bank::{Domain, Question};
use crate::content::Content;
use crate::daily::{DailyPost, Schedule, Tally};
use crate::i18n::{percent, Texts};
use crate::mock::{self, MockResult};
use crate::notes::{truncate_chars, Excerpt};
use crate::progress::{self, QuestionRecord};
use crate::quiz::{Period, Ranked, SessionSummary};
use crate::readiness::{GroupReadiness, Readiness};
use crate::report::ReportReason;
use crate::review::TopicRecord;
use crate::store::{MockExam, PlayerStats, QuizSession, Recorded, Standing};

/// A lettered choice: `B` and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceLine {
    pub letter: char,
    pub text: String,
}

impl ChoiceLine {
    /// The choices of `question` at `indices`, lettered.
    pub fn of(question: &Question, indices: &[usize]) -> Vec<ChoiceLine> {
        indices
            .iter()
            .filter_map(|&i| {
                question.choices.get(i).map(|text| ChoiceLine {
                    letter: Question::letter(i),
                    text: text.clone(),
                })
            })
            .collect()
    }

    /// Every choice of `question`, lettered.
    pub fn all(question: &Question) -> Vec<ChoiceLine> {
        let indices: Vec<usize> = (0..question.choices.len()).collect();
        Self::of(question, &indices)
    }
}

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    /// Answers.
    Primary,
    /// Moves on.
    Success,
    /// Beside the rest: reporting a question.
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: Action,
    pub style: ButtonStyle,
}

/// What answers a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerInput {
    /// A button per choice, labelled with its letter.
    Buttons(Vec<Button>),
    /// "Choose N": the choices in a menu or checkboxes (`action`), and the
    /// button that sends the checked ones where a platform needs one.
    Pick {
        picks: usize,
        action: Action,
        placeholder: String,
        submit: Button,
    },
}

impl AnswerInput {
    /// The input of `question`: buttons, or a pick for "choose N".
    pub fn for_question(
        texts: Texts,
        question: &Question,
        choice: impl Fn(usize) -> Action,
        pick: Action,
        submit: Action,
    ) -> AnswerInput {
        if question.is_multi() {
            return AnswerInput::Pick {
                picks: question.picks(),
                action: pick,
                placeholder: texts.choose_n(question.picks()),
                submit: Button {
                    label: texts.submit_button().into(),
                    action: submit,
                    style: ButtonStyle::Primary,
                },
            };
        }
        AnswerInput::Buttons(
            (0..question.choices.len())
                .map(|i| Button {
                    label: Question::letter(i).to_string(),
                    action: choice(i),
                    style: ButtonStyle::Primary,
                })
                .collect(),
        )
    }
}

/// A question as it is asked: the prompt, "choose N" when it is, and the
/// lettered choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionView {
    pub prompt: String,
    pub choose_hint: Option<String>,
    pub choices: Vec<ChoiceLine>,
}

impl QuestionView {
    pub fn new(texts: Texts, question: &Question) -> Self {
        Self {
            prompt: question.prompt.clone(),
            choose_hint: question
                .is_multi()
                .then(|| texts.choose_n(question.picks())),
            choices: ChoiceLine::all(question),
        }
    }
}

/// A private question card of a quiz session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionCard {
    /// "Amazon EC2 · 보통 · 1/5".
    pub heading: String,
    pub question: QuestionView,
    pub input: AnswerInput,
    /// The question's place in its session.
    pub session: i64,
    pub position: usize,
    /// A line under the card: what a review answer counts for.
    pub note: Option<String>,
}

impl QuestionCard {
    pub fn new(
        texts: Texts,
        content: &Content,
        session: &QuizSession,
        question: &Question,
    ) -> Self {
        let (id, position) = (session.id, session.position);
        Self {
            heading: card_heading(texts, content, question, session),
            question: QuestionView::new(texts, question),
            input: AnswerInput::for_question(
                texts,
                question,
                |choice| Action::Answer {
                    session: id,
                    position,
                    choice,
                },
                Action::Pick {
                    session: id,
                    position,
                },
                Action::Submit {
                    session: id,
                    position,
                },
            ),
            session: id,
            position,
            note: session.review.then(|| texts.review_footer().to_string()),
        }
    }
}

fn card_heading(
    texts: Texts,
    content: &Content,
    question: &Question,
    session: &QuizSession,
) -> String {
    let progress = texts.progress(session.position, session.question_ids.len());
    let parts = [
        topic_name(content, &question.topic),
        texts.difficulty(question.difficulty),
        &progress,
    ];
    if session.review {
        let mut parts = parts.to_vec();
        parts.insert(0, texts.review_title());
        texts.heading(&parts)
    } else {
        texts.heading(&parts)
    }
}

/// A topic's name, or its id when the bank no longer has it.
pub fn topic_name<'c>(content: &'c Content, topic: &'c str) -> &'c str {
    content.bank.topic(topic).map_or(topic, |t| t.name.as_str())
}

/// Labelled choices: "정답" and B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceField {
    pub label: String,
    pub choices: Vec<ChoiceLine>,
}

impl ChoiceField {
    /// The right answer: the question's key.
    fn right_answer(texts: Texts, question: &Question) -> Self {
        Self::labelled(texts.right_answer(), question, &question.correct)
    }

    /// The member's answer: what they chose.
    fn your_answer(texts: Texts, question: &Question, chosen: &[usize]) -> Self {
        Self::labelled(texts.your_answer(), question, chosen)
    }

    fn labelled(label: &str, question: &Question, chosen: &[usize]) -> Self {
        Self {
            label: label.into(),
            choices: ChoiceLine::of(question, chosen),
        }
    }
}

/// A label and lines of text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListField {
    pub label: String,
    pub lines: Vec<String>,
}

impl ListField {
    /// The question's explanation.
    fn explanation(texts: Texts, question: &Question) -> Self {
        Self {
            label: texts.explanation().into(),
            lines: vec![question.explanation.clone()],
        }
    }

    /// How many picked each choice of `answered` answers, a line a choice.
    fn spread(texts: Texts, question: &Question, per_choice: &[usize], answered: usize) -> Self {
        let lines = (0..question.choices.len())
            .map(|i| {
                texts.choice_spread(
                    Question::letter(i),
                    per_choice.get(i).copied().unwrap_or(0),
                    answered,
                    question.correct.contains(&i),
                )
            })
            .collect();
        Self {
            label: texts.answer_spread().into(),
            lines,
        }
    }
}

/// A passage of the group's notes under an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptView {
    /// "노트".
    pub label: String,
    /// "ec2.md › EC2 > 스팟 인스턴스".
    pub source: String,
    /// The passage's lines, without the heading path.
    pub lines: Vec<String>,
}

impl ExcerptView {
    /// The views of an answer's excerpts, in order.
    fn all(texts: Texts, excerpts: &[Excerpt]) -> Vec<Self> {
        excerpts.iter().map(|e| Self::new(texts, e)).collect()
    }

    pub fn new(texts: Texts, excerpt: &Excerpt) -> Self {
        let mut lines: Vec<String> = excerpt.body_lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(excerpt.heading.clone());
        }
        Self {
            label: texts.from_notes().into(),
            source: texts.excerpt_source(&excerpt.file, &excerpt.heading),
            lines,
        }
    }
}

/// The verdict on an answer, with everything that teaches from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub correct: bool,
    /// "정답입니다!" or "아쉽지만 틀렸습니다."
    pub verdict: String,
    /// The card's heading, or the daily question's title.
    pub heading: String,
    /// Set when this answer was already recorded: which one stands.
    pub notice: Option<String>,
    pub prompt: String,
    /// The answer given, when it was wrong.
    pub your_answer: Option<ChoiceField>,
    pub right_answer: ChoiceField,
    pub explanation: ListField,
    pub excerpts: Vec<ExcerptView>,
    /// "+10점", a streak; `None` for a daily answer recorded before.
    pub score: Option<String>,
    /// Next (or See results); `None` once the summary is shown, and for a
    /// daily question.
    pub next: Option<Button>,
    /// 🚩: report the question.
    pub report: Button,
    pub summary: Option<SummaryView>,
}

/// What the feedback needs to know about one answer.
#[derive(Debug, Clone)]
pub struct Answered<'a> {
    pub question: &'a Question,
    /// The answer graded now: the choices, and whether right.
    pub chosen: &'a [usize],
    pub correct: bool,
    pub recorded: &'a Recorded,
    pub excerpts: &'a [Excerpt],
}

impl Answered<'_> {
    /// The answer that stands: the first one when this one repeated it.
    fn standing(&self) -> (bool, Vec<usize>) {
        match self.recorded {
            Recorded::Duplicate {
                choices, correct, ..
            } => (*correct, choices.clone()),
            Recorded::New { .. } => (self.correct, self.chosen.to_vec()),
        }
    }
}

impl Feedback {
    fn new(
        texts: Texts,
        answered: &Answered<'_>,
        flagged: Flagged,
        heading: String,
        score: Option<String>,
    ) -> Self {
        let question = answered.question;
        let (correct, chosen) = answered.standing();
        let notice = match answered.recorded {
            Recorded::Duplicate { choices, .. } => {
                Some(texts.already_answered(&Question::letters(choices)))
            }
            Recorded::New { .. } => None,
        };
        Feedback {
            correct,
            verdict: if correct {
                texts.correct()
            } else {
                texts.wrong()
            }
            .into(),
            heading,
            notice,
            prompt: question.prompt.clone(),
            your_answer: (!correct).then(|| ChoiceField::your_answer(texts, question, &chosen)),
            right_answer: ChoiceField::right_answer(texts, question),
            explanation: ListField::explanation(texts, question),
            excerpts: ExcerptView::all(texts, answered.excerpts),
            score,
            next: None,
            report: report_button(texts, flagged),
            summary: None,
        }
    }

    /// The feedback on an answer in a quiz session: Next, or the summary
    /// after the last question (or a button that asks for it, when the
    /// summary could not be made).
    pub fn for_session(
        texts: Texts,
        content: &Content,
        session: &QuizSession,
        answered: &Answered<'_>,
        summary: Option<SummaryView>,
    ) -> Self {
        // An answer recorded before earns nothing now; nor does review.
        let score = match answered.recorded {
            _ if session.review => texts.review_scored().to_string(),
            Recorded::New { points, .. } => {
                texts.points_won(*points, answered.correct && *points == 0)
            }
            Recorded::Duplicate { .. } => texts.points_won(0, false),
        };
        let heading = card_heading(texts, content, answered.question, session);
        let flagged = Flagged::Session {
            session: session.id,
            position: session.position,
        };
        let mut feedback = Feedback::new(texts, answered, flagged, heading, Some(score));
        match summary {
            Some(summary) => feedback.summary = Some(summary),
            None => {
                let label = if session.is_last() {
                    texts.results_button()
                } else {
                    texts.next_button()
                };
                feedback.next = Some(Button {
                    label: label.into(),
                    action: Action::Next {
                        session: session.id,
                        position: session.position,
                    },
                    style: ButtonStyle::Success,
                });
            }
        }
        feedback
    }

    /// The private feedback on an answer to daily post `post`.
    pub fn for_daily(texts: Texts, answered: &Answered<'_>, post: i64) -> Self {
        let score = match answered.recorded {
            Recorded::New { points, streak } => Some(texts.daily_points(*points, streak.current)),
            Recorded::Duplicate { .. } => None,
        };
        Feedback::new(
            texts,
            answered,
            Flagged::Daily { post },
            format!("📅 {}", texts.daily_title()),
            score,
        )
    }
}

/// The figures of the questions, for the people who write the banks, as
/// read in the terminal: a line per question, the most missed first, then
/// the questions nearly everyone gets right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionStatsReport {
    pub title: String,
    pub lines: Vec<String>,
    /// That nothing was answered yet, when so.
    pub empty: Option<String>,
    pub nearly_all_right: Option<String>,
}

impl QuestionStatsReport {
    pub fn new(texts: Texts, stats: &[crate::question_stats::QuestionStats]) -> Self {
        let easy: Vec<&str> = crate::question_stats::nearly_all_right(stats)
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        QuestionStatsReport {
            title: texts.question_stats_title().into(),
            lines: stats.iter().map(|s| texts.question_stats_line(s)).collect(),
            empty: stats
                .is_empty()
                .then(|| texts.question_stats_none().to_string()),
            nearly_all_right: (!easy.is_empty()).then(|| texts.nearly_all_right(&easy)),
        }
    }
}

/// The end of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryView {
    pub title: String,
    pub lines: Vec<String>,
}

impl SummaryView {
    /// `comeback` says when the session's misses come back in review.
    pub fn new(
        texts: Texts,
        content: &Content,
        summary: &SessionSummary,
        comeback: Option<String>,
    ) -> Self {
        let mut lines = Vec::new();
        if summary.answered == 0 {
            lines.push(texts.nothing_answered().to_string());
        } else {
            lines.push(texts.summary_line(
                summary.correct,
                summary.answered,
                summary.accuracy,
                summary.points,
            ));
            if !summary.weakest_topics.is_empty() {
                let names: Vec<&str> = summary
                    .weakest_topics
                    .iter()
                    .map(|topic| topic_name(content, topic))
                    .collect();
                lines.push(texts.weakest_topics(&names));
            }
            lines.extend(comeback);
        }
        Self {
            title: texts.summary_title().into(),
            lines,
        }
    }
}

/// The 🚩 button of a question.
fn report_button(texts: Texts, flagged: Flagged) -> Button {
    Button {
        label: texts.report_button().into(),
        action: Action::Flag(flagged),
        style: ButtonStyle::Secondary,
    }
}

/// Why a question is reported, asked of the member who flagged it: each
/// reason's button (Discord, whose form then asks for details), or the
/// choices and the details field of one form (Slack, the terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportForm {
    pub flagged: Flagged,
    pub title: String,
    /// "이 문제의 무엇이 잘못되었나요?"
    pub question: String,
    /// The reported question's prompt, cut short.
    pub prompt: String,
    pub reason_label: String,
    pub reasons: Vec<(ReportReason, String)>,
    pub reason_buttons: Vec<Button>,
    pub details_label: String,
    pub details_placeholder: String,
    pub send: String,
}

/// How much of the reported question's prompt the form repeats.
const REPORT_PROMPT_MAX: usize = 200;

impl ReportForm {
    pub fn new(texts: Texts, flagged: Flagged, question: &Question) -> Self {
        ReportForm {
            flagged,
            title: texts.report_title().into(),
            question: texts.report_question().into(),
            prompt: truncate_chars(&question.prompt, REPORT_PROMPT_MAX),
            reason_label: texts.report_reason_label().into(),
            reasons: ReportReason::ALL
                .iter()
                .map(|&r| (r, texts.report_reason(r).to_string()))
                .collect(),
            reason_buttons: ReportReason::ALL
                .iter()
                .map(|&r| Button {
                    label: texts.report_reason(r).into(),
                    action: Action::FlagReason(flagged, r),
                    style: ButtonStyle::Secondary,
                })
                .collect(),
            details_label: texts.report_details_label().into(),
            details_placeholder: texts.report_details_placeholder().into(),
            send: texts.report_send().into(),
        }
    }
}

/// What asking for a review gives: its first card, or word that nothing is
/// due with a button that starts an ordinary quiz instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewStart {
    Card(Box<QuestionCard>),
    NothingDue(NothingDue),
}

/// Nothing to review: when the next card comes due, and a quiz on offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingDue {
    pub text: String,
    pub start_quiz: Button,
}

impl NothingDue {
    pub fn new(texts: Texts, next: Option<&str>) -> Self {
        NothingDue {
            text: texts.nothing_due(next),
            start_quiz: Button {
                label: texts.start_quiz_button().into(),
                action: Action::StartQuiz,
                style: ButtonStyle::Primary,
            },
        }
    }
}

/// Where a Next click leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    Card(Box<QuestionCard>),
    Summary(SummaryView),
}

/// A leaderboard: the top rows and the caller's own place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub title: String,
    pub rows: Vec<BoardRow>,
    /// Shown instead of rows when there are none.
    pub empty: String,
    /// What the numbers after a name mean.
    pub legend: String,
    /// The caller's rank, or that they have none.
    pub mine: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub rank: usize,
    /// The player's display name, as text (never a mention).
    pub name: String,
    /// "30점 · 3/4 정답".
    pub score: String,
}

impl Board {
    pub fn new(
        texts: Texts,
        content: &Content,
        period: Period,
        topic: Option<&str>,
        rows: &[Ranked<Standing>],
        mine: Option<&Ranked<Standing>>,
        today_in: Option<(NaiveDate, Tz)>,
    ) -> Self {
        let mut title = texts.leaderboard_title(period, topic.map(|t| topic_name(content, t)));
        if let Some(span) =
            today_in.and_then(|(today, zone)| texts.period_span(period, today, zone.name()))
        {
            title = format!("{title} · {span}");
        }
        Board {
            title,
            // A board shows who scored: a member with 0 points (wrong
            // answers only) is not "🥇 1." of an empty board.
            rows: rows
                .iter()
                .filter(|row| row.entry.points > 0)
                .map(|row| BoardRow {
                    rank: row.rank,
                    name: row.entry.display_name.clone(),
                    score: texts.standing(row.entry.points, row.entry.correct, row.entry.answered),
                })
                .collect(),
            empty: texts.empty_leaderboard().into(),
            legend: texts.standing_legend().into(),
            mine: match mine {
                Some(mine) if mine.entry.points > 0 => {
                    texts.your_rank(mine.rank, mine.entry.points)
                }
                _ => texts.not_ranked().into(),
            },
        }
    }
}

/// A player's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsCard {
    pub title: String,
    /// Totals, streaks, review and weak topics, or that nothing is
    /// recorded yet.
    pub lines: Vec<String>,
    pub fields: Vec<ListField>,
    /// What the chart ([`crate::chart`]) draws: none for a player without
    /// answers, as an empty chart tells nothing the card does not.
    pub chart: Option<StatsChart>,
}

/// The stats chart's data, worded: accuracy per topic beside the group's
/// average, and answers per day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsChart {
    /// The card's title, "지수님의 기록".
    pub title: String,
    pub topics_title: String,
    /// The player's bars in the legend: their name.
    pub mine_label: String,
    /// The title and legend used instead when the name has letters the
    /// chart cannot draw ("내 기록", "나").
    pub fallback_title: String,
    pub fallback_label: String,
    pub group_label: String,
    /// In the card's order, the player's most answered topics first.
    pub topics: Vec<TopicBar>,
    pub activity_title: String,
    /// Answers per day, oldest first, the last one today.
    pub activity: Vec<i64>,
    /// Axis labels by days before today: `day_labels[n]` is n days ago.
    pub day_labels: Vec<String>,
    /// Shown instead of bars when no day has an answer.
    pub no_activity: String,
}

/// One topic's pair of bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicBar {
    /// The topic's full name; the chart shortens it to fit.
    pub name: String,
    /// The player's share right, 0–100.
    pub mine: i64,
    /// "80% (8/10)".
    pub mine_label: String,
    /// The group's share right, 0–100, when the group answered the topic.
    pub group: Option<i64>,
}

/// What a stats card shows besides the player's totals.
#[derive(Debug, Clone, Default)]
pub struct StatsExtras {
    /// Lines about review: cards due, the exam countdown.
    pub review: Vec<String>,
    /// The player's answers per question.
    pub questions: Vec<QuestionRecord>,
    /// The community's answers per topic, for its averages.
    pub group_topics: Vec<TopicRecord>,
    /// Answers per day over the last [`progress::ACTIVITY_DAYS`], oldest
    /// first.
    pub activity: Vec<i64>,
    /// Lines about readiness: the predicted score, the weakest domain, the
    /// mock exams taken ([`readiness_lines`]).
    pub readiness: Vec<String>,
}

/// How many weak topics and most-missed questions a stats card names.
pub const STATS_WEAK_TOPICS: usize = 3;
pub const STATS_MISSED_QUESTIONS: usize = 3;
/// How much of a most-missed question's prompt a stats card shows.
const MISSED_PROMPT_MAX: usize = 80;

impl StatsCard {
    pub fn new(
        texts: Texts,
        content: &Content,
        name: &str,
        stats: Option<&PlayerStats>,
        extras: &StatsExtras,
    ) -> Self {
        let title = texts.stats_title(name);
        let Some(stats) = stats.filter(|s| s.answered > 0) else {
            let mut lines = vec![texts.no_stats().to_string()];
            lines.extend(extras.review.iter().cloned());
            lines.extend(extras.readiness.iter().cloned());
            return StatsCard {
                title,
                lines,
                fields: Vec::new(),
                chart: None,
            };
        };
        let bank = &content.bank;
        let group = |topic: &str| {
            extras
                .group_topics
                .iter()
                .find(|g| g.topic == topic)
                .map(|g| percent(g.correct, g.answered))
        };
        let topics: Vec<String> = stats
            .topics
            .iter()
            .map(|t| {
                texts.topic_accuracy_vs_group(
                    topic_name(content, &t.topic),
                    t.correct,
                    t.answered,
                    group(&t.topic),
                )
            })
            .collect();
        let mut lines = vec![
            texts.stats_totals(stats.answered, stats.correct, stats.points),
            texts.streaks(stats.current_streak, stats.best_streak),
        ];
        lines.extend(extras.review.iter().cloned());
        lines.extend(extras.readiness.iter().cloned());
        if extras.activity.iter().any(|&n| n > 0) {
            let active = extras.activity.iter().filter(|&&n| n > 0).count();
            let answers: i64 = extras.activity.iter().sum();
            lines.push(texts.activity(
                extras.activity.len(),
                &progress::sparkline(&extras.activity),
                active,
                answers,
            ));
        }
        let records: Vec<TopicRecord> = stats
            .topics
            .iter()
            .map(|t| TopicRecord {
                topic: t.topic.clone(),
                answered: t.answered,
                correct: t.correct,
            })
            .collect();
        let weak: Vec<(String, i64)> = progress::weakest_topics(bank, &records, STATS_WEAK_TOPICS)
            .iter()
            .map(|t| {
                (
                    topic_name(content, &t.topic).to_string(),
                    percent(t.correct, t.answered),
                )
            })
            .collect();
        if !weak.is_empty() {
            lines.push(texts.weak_topics(&weak));
        }
        let mut fields = vec![ListField {
            label: texts.accuracy_by_topic().into(),
            lines: topics,
        }];
        let domains = progress::by_domain(bank, &extras.questions);
        if !domains.is_empty() {
            fields.push(ListField {
                label: texts.accuracy_by_domain().into(),
                lines: domains
                    .iter()
                    .map(|d| texts.domain_accuracy(d.domain, d.correct, d.answered))
                    .collect(),
            });
        }
        let missed = progress::most_missed(bank, &extras.questions, STATS_MISSED_QUESTIONS);
        if !missed.is_empty() {
            fields.push(ListField {
                label: texts.most_missed_title().into(),
                lines: missed
                    .iter()
                    .map(|(question, record)| {
                        texts.missed_question(
                            &truncate_chars(&question.prompt, MISSED_PROMPT_MAX),
                            record.missed(),
                            record.answered,
                        )
                    })
                    .collect(),
            });
        }
        let days = extras.activity.len();
        let chart = StatsChart {
            title: title.clone(),
            topics_title: texts.accuracy_by_topic().into(),
            mine_label: name.to_string(),
            fallback_title: texts.chart_your_record().into(),
            fallback_label: texts.chart_you().into(),
            group_label: texts.chart_group_average().into(),
            topics: stats
                .topics
                .iter()
                .map(|t| TopicBar {
                    name: topic_name(content, &t.topic).to_string(),
                    mine: percent(t.correct, t.answered),
                    mine_label: texts.chart_topic_value(t.correct, t.answered),
                    group: group(&t.topic),
                })
                .collect(),
            activity_title: texts.chart_activity_title(days),
            activity: extras.activity.clone(),
            day_labels: (0..days.max(1)).map(|n| texts.chart_days_ago(n)).collect(),
            no_activity: texts.chart_no_activity(days),
        };
        StatsCard {
            title,
            lines,
            fields,
            chart: Some(chart),
        }
    }
}

/// A daily question's public post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyPostView {
    /// "📅 오늘의 문제 · Amazon EC2 · 보통".
    pub title: String,
    pub question: QuestionView,
    pub input: AnswerInput,
    /// Revealed: the buttons no longer answer (greyed out or gone).
    pub closed: bool,
    pub reveal_label: String,
    pub reveal_at: DateTime<Utc>,
    pub footer: String,
    /// The post's id, which platforms use to key the message.
    pub post: i64,
}

impl DailyPostView {
    pub fn new(
        texts: Texts,
        content: &Content,
        post: &DailyPost,
        question: &Question,
        closed: bool,
    ) -> Self {
        let id = post.id;
        Self {
            title: format!(
                "📅 {}",
                texts.heading(&[
                    texts.daily_title(),
                    topic_name(content, &question.topic),
                    texts.difficulty(question.difficulty),
                ])
            ),
            question: QuestionView::new(texts, question),
            input: AnswerInput::for_question(
                texts,
                question,
                |choice| Action::DailyAnswer { post: id, choice },
                Action::DailyPick { post: id },
                Action::DailySubmit { post: id },
            ),
            closed,
            reveal_label: texts.reveal_time_label().into(),
            reveal_at: post.reveal_at,
            footer: if closed {
                texts.daily_closed_footer().into()
            } else {
                texts.daily_footer()
            },
            post: id,
        }
    }
}

/// The results of a daily question, posted at its reveal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealView {
    pub title: String,
    pub prompt: String,
    pub right_answer: ChoiceField,
    pub spread: ListField,
    pub explanation: ListField,
    pub excerpts: Vec<ExcerptView>,
    pub streaks: Option<ListField>,
    pub turnout: String,
    /// The right letters, for a notification text.
    pub right_letters: String,
    pub post: i64,
    /// 🚩: report the question.
    pub report: Button,
}

impl RevealView {
    pub fn new(
        texts: Texts,
        post: &DailyPost,
        question: &Question,
        tally: &Tally,
        excerpts: &[Excerpt],
        streaks: &[(String, u32)],
    ) -> Self {
        Self {
            title: format!("📢 {}", texts.reveal_title()),
            prompt: question.prompt.clone(),
            right_answer: ChoiceField::right_answer(texts, question),
            spread: ListField::spread(texts, question, &tally.per_choice, tally.answered),
            explanation: ListField::explanation(texts, question),
            excerpts: ExcerptView::all(texts, excerpts),
            streaks: (!streaks.is_empty()).then(|| ListField {
                label: texts.streaks_title().into(),
                lines: streaks
                    .iter()
                    .map(|(name, days)| texts.streak_line(name, *days))
                    .collect(),
            }),
            turnout: texts.turnout(tally.answered, tally.correct),
            right_letters: Question::letters(&question.correct),
            post: post.id,
            report: report_button(texts, Flagged::Daily { post: post.id }),
        }
    }
}

/// One daily schedule, for admins: its channel (which each platform names
/// its own way), its settings and any delivery trouble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleLine {
    /// Where the channel is, for listings across platforms.
    pub platform: crate::identity::Platform,
    /// The platform's channel id.
    pub channel: String,
    /// The community the channel is in, for listings across communities.
    pub community: String,
    pub settings: String,
    pub failure: Option<String>,
}

impl ScheduleLine {
    pub fn new(texts: Texts, schedule: &Schedule, now: DateTime<Utc>) -> Self {
        Self {
            platform: schedule.platform,
            channel: schedule.channel.clone(),
            community: schedule.community.to_string(),
            settings: texts.schedule_settings(schedule, now),
            failure: texts.schedule_failure(schedule),
        }
    }
}

/// An admin's answer: a sentence, and the schedules it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminReply {
    pub text: Option<String>,
    pub schedules: Vec<ScheduleLine>,
}

impl AdminReply {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            schedules: Vec::new(),
        }
    }
}

/// How a reload went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadReport {
    Done(String),
    /// The running content stays; every error of the new one is listed.
    Refused {
        title: String,
        errors: Vec<String>,
    },
}

// ---------------------------------------------------------------------------
// Mock exams and readiness: the exam's card, the confirmation before
// submitting with blanks, the result and its pages of misses; the
// predicted score in a record, the group's readiness board, and the record
// as JSON (`quizbot stats --json`).
// ---------------------------------------------------------------------------

/// Missed questions on one page of a mock's result: two keep a Discord
/// message under its 6000 characters and a Slack one well under 50 blocks.
pub const MOCK_MISSES_PER_PAGE: usize = 2;

/// What a member sees of their mock exam after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockStep {
    /// A question, with the choice standing on it.
    Card(Box<MockCard>),
    /// Submitting with blank questions: sure?
    Confirm(MockConfirm),
    /// A page of the result.
    Result(Box<MockResultPage>),
}

/// A mock exam's question: no verdict, only the choice standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockCard {
    /// "📝 모의고사 · 3/65".
    pub heading: String,
    pub question: QuestionView,
    /// The choice buttons (the standing choice in [`ButtonStyle::Success`]),
    /// or the "choose N" menu.
    pub input: AnswerInput,
    /// The standing choice, ascending; empty while blank.
    pub chosen: Vec<usize>,
    pub exam: i64,
    pub position: usize,
    /// "답한 문제 12/65".
    pub status: String,
    pub ends_at: DateTime<Utc>,
    pub time_left_label: String,
    /// "1시간 13분 (14:32 종료)", as of when the card was drawn.
    pub time_left: String,
    /// The local time the exam ends, "14:32".
    pub ends: String,
    pub previous: Option<Button>,
    pub next: Option<Button>,
    pub submit: Button,
    /// A line over the card (a resumed exam).
    pub notice: Option<String>,
    /// No answers until submitted; time runs out.
    pub footer: String,
}

impl MockCard {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        texts: Texts,
        exam: &MockExam,
        question: &Question,
        position: usize,
        sheet: &mock::Sheet,
        now: DateTime<Utc>,
        zone: Tz,
        notice: Option<String>,
    ) -> Self {
        let id = exam.id;
        let total = exam.question_ids.len();
        let chosen = sheet
            .choices
            .get(position)
            .cloned()
            .flatten()
            .unwrap_or_default();
        let mut input = AnswerInput::for_question(
            texts,
            question,
            |choice| Action::MockAnswer {
                exam: id,
                position,
                choice,
            },
            Action::MockPick { exam: id, position },
            Action::MockSave { exam: id, position },
        );
        match &mut input {
            AnswerInput::Buttons(buttons) => {
                for (i, button) in buttons.iter_mut().enumerate() {
                    if chosen.contains(&i) {
                        button.style = ButtonStyle::Success;
                    }
                }
            }
            // Its button keeps the checked boxes; "submit" is the exam's.
            AnswerInput::Pick { submit, .. } => {
                submit.label = texts.save_answer_button().into();
            }
        }
        let go = |label: &str, to: usize| Button {
            label: label.to_string(),
            action: Action::MockGo {
                exam: id,
                position: to,
            },
            style: ButtonStyle::Secondary,
        };
        let seconds = (exam.ends_at - now).num_seconds().max(0);
        let ends = exam
            .ends_at
            .with_timezone(&zone)
            .format("%H:%M")
            .to_string();
        Self {
            heading: format!(
                "📝 {}",
                texts.heading(&[texts.mock_title(), &texts.progress(position, total)])
            ),
            question: QuestionView::new(texts, question),
            input,
            chosen,
            exam: id,
            position,
            status: texts.mock_answered(sheet.answered(), total),
            ends_at: exam.ends_at,
            time_left_label: texts.time_left_label().into(),
            time_left: texts.time_left((seconds + 59) / 60, &ends),
            ends,
            previous: (position > 0).then(|| go(texts.previous_button(), position - 1)),
            next: (position + 1 < total).then(|| go(texts.forward_button(), position + 1)),
            submit: Button {
                label: texts.submit_exam_button().into(),
                action: Action::MockSubmit { exam: id },
                style: ButtonStyle::Primary,
            },
            notice,
            footer: texts.mock_footer().into(),
        }
    }

    /// The navigation row: previous, next, submit (those that apply).
    pub fn nav_buttons(&self) -> Vec<&Button> {
        self.previous
            .iter()
            .chain(self.next.iter())
            .chain(std::iter::once(&self.submit))
            .collect()
    }
}

/// Submitting with blank questions: the member confirms or goes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfirm {
    pub title: String,
    pub text: String,
    pub submit: Button,
    pub back: Button,
    pub exam: i64,
}

impl MockConfirm {
    pub fn new(texts: Texts, exam: i64, blank: usize, first_blank: usize) -> Self {
        MockConfirm {
            title: format!("📝 {}", texts.mock_title()),
            text: texts.mock_confirm(blank),
            submit: Button {
                label: texts.submit_anyway_button().into(),
                action: Action::MockConfirm { exam },
                style: ButtonStyle::Primary,
            },
            back: Button {
                label: texts.back_to_exam_button().into(),
                action: Action::MockGo {
                    exam,
                    position: first_blank,
                },
                style: ButtonStyle::Secondary,
            },
            exam,
        }
    }
}

/// A question of a submitted exam that was missed (or left blank).
#[derive(Debug, Clone)]
pub struct Missed<'a> {
    pub position: usize,
    pub question: &'a Question,
    /// The choice that stood; `None` when blank.
    pub chosen: Option<Vec<usize>>,
    pub excerpts: Vec<Excerpt>,
}

/// One missed question on a result page, with what teaches from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissView {
    /// "12번 문제 · 보안 및 규정 준수".
    pub heading: String,
    pub prompt: String,
    /// The answer given; `None` when the question was left blank.
    pub your_answer: Option<ChoiceField>,
    /// "내 답: 답하지 않음", for a blank.
    pub blank: Option<String>,
    pub right_answer: ChoiceField,
    pub explanation: ListField,
    pub excerpts: Vec<ExcerptView>,
}

impl MissView {
    pub fn new(texts: Texts, missed: &Missed<'_>) -> Self {
        let question = missed.question;
        MissView {
            heading: texts.mock_miss_heading(missed.position, question.domain),
            prompt: question.prompt.clone(),
            your_answer: missed
                .chosen
                .as_ref()
                .map(|chosen| ChoiceField::your_answer(texts, question, chosen)),
            blank: missed
                .chosen
                .is_none()
                .then(|| format!("{}: {}", texts.your_answer(), texts.mock_blank())),
            right_answer: ChoiceField::right_answer(texts, question),
            explanation: ListField::explanation(texts, question),
            excerpts: ExcerptView::all(texts, &missed.excerpts),
        }
    }
}

/// One page of a mock exam's result: the score and the table of domains
/// on the first, and [`MOCK_MISSES_PER_PAGE`] missed questions on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResultPage {
    /// "📝 모의고사 결과".
    pub title: String,
    pub exam: i64,
    pub passed: bool,
    /// A line over the result (an exam already submitted).
    pub notice: Option<String>,
    /// "정답 47/65 (72%) · 환산 점수 703 (합격선 700) · 합격 ✅", and how
    /// it ended; on every page.
    pub score: String,
    /// Time taken, or that time ran out (first page).
    pub lines: Vec<String>,
    /// Right/total per domain beside its weight (first page).
    pub domains: Option<ListField>,
    /// What mock answers count for (first page).
    pub note: Option<String>,
    /// "틀린 문제 1–2 / 7", or that nothing was missed.
    pub misses_title: String,
    pub misses: Vec<MissView>,
    pub page: usize,
    pub pages: usize,
    /// "1/4쪽".
    pub page_label: String,
    pub previous: Option<Button>,
    pub next: Option<Button>,
}

/// How many pages a result with `misses` missed questions has.
pub fn mock_result_pages(misses: usize) -> usize {
    misses.div_ceil(MOCK_MISSES_PER_PAGE).max(1)
}

impl MockResultPage {
    /// Page `page` of `exam`'s result, showing `missed` (that page's
    /// misses) of `miss_count` in all.
    pub fn new(
        texts: Texts,
        exam: &MockExam,
        result: &MockResult,
        missed: &[Missed<'_>],
        miss_count: usize,
        page: usize,
    ) -> Self {
        let pages = mock_result_pages(miss_count);
        let page = page.min(pages - 1);
        let first = page * MOCK_MISSES_PER_PAGE;
        let to = |page: usize, label: &str| Button {
            label: label.to_string(),
            action: Action::MockResults {
                exam: exam.id,
                page,
            },
            style: ButtonStyle::Secondary,
        };
        let mut lines = Vec::new();
        if exam.timed_out {
            lines.push(texts.mock_timed_out().to_string());
        }
        if let Some(submitted) = exam.submitted_at {
            // Whole minutes, rounded up: an exam took at least one.
            let used = ((submitted - exam.started_at).num_seconds().max(1) + 59) / 60;
            let limit = (exam.ends_at - exam.started_at).num_minutes();
            lines.push(texts.mock_time_used(used.min(limit), limit));
        }
        MockResultPage {
            title: format!("📝 {}", texts.mock_result_title()),
            exam: exam.id,
            passed: result.passed(),
            notice: None,
            score: texts.mock_score_line(result.right, result.total, result.score),
            lines: if page == 0 { lines } else { Vec::new() },
            domains: (page == 0).then(|| ListField {
                label: texts.mock_domains_title().into(),
                lines: result
                    .domains
                    .iter()
                    .map(|d| {
                        texts.domain_accuracy(d.domain, i64::from(d.right), i64::from(d.total))
                    })
                    .collect(),
            }),
            note: (page == 0).then(|| texts.mock_result_note().to_string()),
            misses_title: if miss_count == 0 {
                texts.mock_no_misses().into()
            } else {
                texts.mock_misses_title(
                    first + 1,
                    (first + missed.len()).max(first + 1),
                    miss_count,
                )
            },
            misses: missed.iter().map(|m| MissView::new(texts, m)).collect(),
            page,
            pages,
            page_label: texts.mock_page(page, pages),
            previous: (page > 0).then(|| to(page - 1, texts.previous_button())),
            next: (page + 1 < pages).then(|| to(page + 1, texts.forward_button())),
        }
    }
}

/// The lines a record shows about readiness: the predicted score (or
/// that there is not enough data yet), the weakest domain and its due
/// cards, and the mock exams taken.
pub fn readiness_lines(
    texts: Texts,
    readiness: &Readiness,
    exam_date: bool,
    mocks: &[MockExam],
) -> Vec<String> {
    let mut lines = Vec::new();
    match readiness.score() {
        Some(score) => {
            lines.push(texts.predicted_score(score));
            if let Some(weakest) = readiness.weakest.and_then(|d| readiness.domain(d)) {
                let mut line = texts.weakest_domain(weakest.domain, weakest.expected_share);
                if readiness.due_in_weakest > 0 {
                    line.push_str(" · ");
                    line.push_str(&if exam_date {
                        texts.due_before_exam(readiness.due_in_weakest, readiness.lift)
                    } else {
                        texts.due_now_in_domain(readiness.due_in_weakest)
                    });
                }
                lines.push(line);
            }
        }
        None => lines.push(
            texts.predicted_score_pending(readiness.answered, crate::readiness::MIN_ANSWERED),
        ),
    }
    let scores: Vec<(u32, bool)> = mocks
        .iter()
        .filter_map(|m| m.result.as_ref())
        .map(|r| (r.score, r.passed()))
        .take(5)
        .collect();
    if !scores.is_empty() {
        lines.push(texts.mock_history(&scores));
    }
    lines
}

/// The group's readiness: who is predicted to pass, each member's
/// predicted score ("데이터 부족" without enough answers), and the domain
/// the group is weakest in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessBoard {
    pub title: String,
    /// The count predicted to pass, and the group's weakest domain.
    pub lines: Vec<String>,
    /// Members with a prediction, highest first, then the others.
    pub rows: Vec<BoardRow>,
    /// Shown instead of rows when nobody has answered.
    pub empty: String,
    pub legend: String,
}

/// Most members a readiness board lists.
pub const READINESS_ROWS: usize = 25;

impl ReadinessBoard {
    pub fn new(texts: Texts, group: &GroupReadiness) -> Self {
        let pending = group.members.len() - group.assessed;
        let mut lines = Vec::new();
        if !group.members.is_empty() {
            lines.push(texts.readiness_summary(group.passing, group.assessed, pending));
        }
        if let Some((domain, share)) = group.weakest {
            lines.push(texts.group_weakest_domain(domain, share));
        }
        let mut rank = 0;
        let rows = group
            .members
            .iter()
            .take(READINESS_ROWS)
            .map(|member| {
                let score = member.readiness.score();
                if score.is_some() {
                    rank += 1;
                }
                BoardRow {
                    rank,
                    name: member.name.clone(),
                    score: texts.readiness_row(score),
                }
            })
            .collect();
        ReadinessBoard {
            title: texts.readiness_title(),
            lines,
            rows,
            empty: texts.readiness_empty().into(),
            legend: texts.readiness_legend(),
        }
    }
}

/// What a leaderboard request shows: the points, or readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standings {
    Points(Board),
    Readiness(ReadinessBoard),
}

/// A member's record as JSON, for other tools (`quizbot stats --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordJson {
    pub name: String,
    pub answered: i64,
    pub correct: i64,
    pub points: i64,
    pub current_streak: u32,
    pub best_streak: u32,
    pub topics: Vec<TopicJson>,
    /// Accuracy per exam domain, from every answer.
    pub domains: Vec<DomainAccuracyJson>,
    pub readiness: ReadinessJson,
    /// Submitted mock exams, the latest first.
    pub mock_exams: Vec<MockExamJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicJson {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainAccuracyJson {
    pub domain: &'static str,
    pub weight: u32,
    pub answered: i64,
    pub correct: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadinessJson {
    /// `null` without enough data.
    pub predicted_score: Option<u32>,
    pub pass_mark: u32,
    pub passing: Option<bool>,
    /// Questions answered, and how many a prediction needs.
    pub answered_questions: usize,
    pub needed_questions: usize,
    /// When memory is judged: now, or the start of the exam day.
    pub judged_at: DateTime<Utc>,
    pub domains: Vec<DomainReadinessJson>,
    pub weakest_domain: Option<&'static str>,
    /// Cards of the weakest domain due before the exam (due now without
    /// an exam date), and the points reviewing them would add.
    pub due_in_weakest: usize,
    pub lift: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainReadinessJson {
    pub domain: &'static str,
    pub weight: u32,
    /// The expected share right on a question of the domain, 0–1.
    pub expected_share: f64,
    /// Questions of the bank in the domain, and those with a card.
    pub questions: usize,
    pub seen: usize,
    /// The expected share right on a question never seen, 0–1.
    pub new_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MockExamJson {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub timed_out: bool,
    pub score: u32,
    pub passed: bool,
    pub right: u32,
    pub total: u32,
    pub domains: Vec<DomainTallyJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainTallyJson {
    pub domain: &'static str,
    pub weight: u32,
    pub right: u32,
    pub total: u32,
}

impl RecordJson {
    pub fn new(
        name: &str,
        stats: Option<&PlayerStats>,
        domains: &[progress::DomainRecord],
        readiness: &Readiness,
        judged_at: DateTime<Utc>,
        mocks: &[MockExam],
    ) -> Self {
        let domain_name = |d: Domain| d.as_str();
        RecordJson {
            name: name.to_string(),
            answered: stats.map_or(0, |s| s.answered),
            correct: stats.map_or(0, |s| s.correct),
            points: stats.map_or(0, |s| s.points),
            current_streak: stats.map_or(0, |s| s.current_streak),
            best_streak: stats.map_or(0, |s| s.best_streak),
            topics: stats
                .map(|s| {
                    s.topics
                        .iter()
                        .map(|t| TopicJson {
                            topic: t.topic.clone(),
                            answered: t.answered,
                            correct: t.correct,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            domains: domains
                .iter()
                .map(|d| DomainAccuracyJson {
                    domain: domain_name(d.domain),
                    weight: d.domain.exam_percent(),
                    answered: d.answered,
                    correct: d.correct,
                })
                .collect(),
            readiness: ReadinessJson {
                predicted_score: readiness.score(),
                pass_mark: mock::PASS_MARK,
                passing: readiness.score().map(mock::passes),
                answered_questions: readiness.answered,
                needed_questions: crate::readiness::MIN_ANSWERED,
                judged_at,
                domains: readiness
                    .domains
                    .iter()
                    .map(|d| DomainReadinessJson {
                        domain: domain_name(d.domain),
                        weight: d.weight,
                        expected_share: d.expected_share,
                        questions: d.questions,
                        seen: d.seen,
                        new_share: d.new_share,
                    })
                    .collect(),
                weakest_domain: readiness.weakest.map(domain_name),
                due_in_weakest: readiness.due_in_weakest,
                lift: readiness.lift,
            },
            mock_exams: mocks
                .iter()
                .filter_map(|m| {
                    let result = m.result.as_ref()?;
                    Some(MockExamJson {
                        id: m.id,
                        started_at: m.started_at,
                        submitted_at: m.submitted_at,
                        timed_out: m.timed_out,
                        score: result.score,
                        passed: result.passed(),
                        right: result.right,
                        total: result.total,
                        domains: result
                            .domains
                            .iter()
                            .map(|d| DomainTallyJson {
                                domain: domain_name(d.domain),
                                weight: d.domain.exam_percent(),
                                right: d.right,
                                total: d.total,
                            })
                            .collect(),
                    })
                })
                .collect(),
        }
    }
}

// -------------------------------------------------------------- live rounds
//
// The live round (`/quiz-live`): the announcement when it starts, each
// question as the channel sees it, the same message once revealed, the
// round's results, and a member's private receipt. Built by the service
// and [`crate::quizmaster`]; every sentence from [`crate::i18n`].

/// How much of a question's prompt the results repeat for the most
/// missed one.
const LIVE_MISSED_PROMPT_MAX: usize = 100;

/// What `/quiz-live` answers: the round started, or the one running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveStart {
    Started(LiveAnnouncement),
    Running(LiveRunning),
}

/// The public announcement of a new round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAnnouncement {
    pub title: String,
    /// The settings, how to play, that the first question comes.
    pub lines: Vec<String>,
}

impl LiveAnnouncement {
    pub fn new(
        texts: Texts,
        content: &Content,
        round: &crate::live::LiveRound,
        questions: usize,
    ) -> Self {
        let topic = round.topic.as_deref().map(|t| topic_name(content, t));
        Self {
            title: texts.live_started(&round.started_by),
            lines: vec![
                texts.live_settings(topic, questions, round.seconds),
                texts.live_how_to_play(),
                texts.live_first_soon().into(),
            ],
        }
    }
}

/// A second start where a round runs: what to say, and where the running
/// question is (the platform makes the link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRunning {
    pub text: String,
    pub link_label: String,
    pub channel: String,
    /// The platform's id of the current question's message, once posted.
    pub message_id: Option<String>,
}

impl LiveRunning {
    pub fn new(
        texts: Texts,
        round: &crate::live::LiveRound,
        questions: &[crate::live::LiveQuestion],
    ) -> Self {
        let current = questions
            .iter()
            .filter(|q| q.message_id.is_some())
            .max_by_key(|q| q.position);
        Self {
            text: texts.live_running(current.map(|q| q.position), questions.len()),
            link_label: texts.live_running_link().into(),
            channel: round.channel.clone(),
            message_id: current.and_then(|q| q.message_id.clone()),
        }
    }
}

/// A live question as the channel sees it until its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveQuestionView {
    /// "🎮 라이브 퀴즈 · 3/10번 · Amazon EC2 · 보통".
    pub title: String,
    pub question: QuestionView,
    pub input: AnswerInput,
    pub deadline_label: String,
    pub deadline: DateTime<Utc>,
    pub footer: String,
    /// The question's row, which platforms use to key the message.
    pub question_row: i64,
}

impl LiveQuestionView {
    pub fn new(
        texts: Texts,
        content: &Content,
        live: &crate::live::LiveQuestion,
        question: &Question,
        total: usize,
        deadline: DateTime<Utc>,
    ) -> Self {
        let row = live.id;
        Self {
            title: live_title(texts, content, live, question, total),
            question: QuestionView::new(texts, question),
            input: AnswerInput::for_question(
                texts,
                question,
                |choice| Action::LiveAnswer {
                    question: row,
                    choice,
                },
                Action::LivePick { question: row },
                Action::LiveSubmit { question: row },
            ),
            deadline_label: texts.live_deadline_label().into(),
            deadline,
            footer: texts.live_question_footer().into(),
            question_row: row,
        }
    }
}

fn live_title(
    texts: Texts,
    content: &Content,
    live: &crate::live::LiveQuestion,
    question: &Question,
    total: usize,
) -> String {
    let progress = texts.live_progress(live.position, total);
    format!(
        "🎮 {}",
        texts.heading(&[
            texts.live_title(),
            &progress,
            topic_name(content, &question.topic),
            texts.difficulty(question.difficulty),
        ])
    )
}

/// A live question after its deadline: the answer, how the channel
/// answered, who was right first, the explanation and the notes. It
/// replaces the question's message, its buttons greyed out or gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRevealView {
    pub title: String,
    /// The question as asked, with its input (shown disabled).
    pub question: QuestionView,
    pub input: AnswerInput,
    pub right_answer: ChoiceField,
    pub spread: ListField,
    pub right: ListField,
    pub explanation: ListField,
    pub excerpts: Vec<ExcerptView>,
    pub turnout: String,
    /// When the next question comes, or that the results follow.
    pub next: String,
    /// The right letters, for a notification text.
    pub right_letters: String,
    pub question_row: i64,
}

impl LiveRevealView {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        texts: Texts,
        content: &Content,
        live: &crate::live::LiveQuestion,
        question: &Question,
        total: usize,
        tally: &crate::live::QuestionTally,
        excerpts: &[Excerpt],
        next: String,
    ) -> Self {
        let asked = LiveQuestionView::new(
            texts,
            content,
            live,
            question,
            total,
            live.deadline_at.unwrap_or_default(),
        );
        let named = tally.right.len().min(crate::live::NAMED_FIRST);
        Self {
            title: texts.live_reveal_title(&texts.live_progress(live.position, total)),
            question: asked.question,
            input: asked.input,
            right_answer: ChoiceField::right_answer(texts, question),
            spread: ListField::spread(texts, question, &tally.per_choice, tally.answered),
            right: ListField {
                label: texts.live_right_label().into(),
                lines: vec![texts.live_right_line(&tally.right[..named], tally.right.len() - named)],
            },
            explanation: ListField::explanation(texts, question),
            excerpts: ExcerptView::all(texts, excerpts),
            turnout: texts.live_turnout(tally.answered, tally.correct),
            next,
            right_letters: Question::letters(&question.correct),
            question_row: live.id,
        }
    }
}

/// The end of a round: the scoreboard, the most missed question, where
/// the misses come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveResultsView {
    pub title: String,
    /// Why the round ended early, when it did.
    pub notice: Option<String>,
    pub rows: Vec<BoardRow>,
    /// How many more played than the rows show.
    pub more: Option<String>,
    /// Shown instead of rows when nobody answered.
    pub empty: String,
    pub legend: String,
    pub most_missed: Option<ListField>,
    pub review: ListField,
    pub note: String,
    /// The round's id, which platforms use to key the message.
    pub round: i64,
}

/// The round's most missed question, for its results.
#[derive(Debug, Clone, Copy)]
pub struct MostMissed<'a> {
    pub live: &'a crate::live::LiveQuestion,
    pub question: &'a Question,
    pub right: usize,
    pub answered: usize,
}

impl LiveResultsView {
    pub fn new(
        texts: Texts,
        round: &crate::live::LiveRound,
        ending: crate::live::Ending,
        board: &[Ranked<crate::live::ScoreLine>],
        most_missed: Option<MostMissed<'_>>,
        total: usize,
    ) -> Self {
        use crate::live::{Ending, SCOREBOARD_ROWS};
        let notice = match ending {
            Ending::Finished => None,
            Ending::Stopped => {
                Some(texts.live_stopped_by(round.ended_by.as_deref().unwrap_or(&round.started_by)))
            }
            Ending::Interrupted => Some(texts.live_interrupted().to_string()),
            Ending::Failed => Some(texts.live_failed().to_string()),
        };
        let rows = board
            .iter()
            .take(SCOREBOARD_ROWS)
            .map(|row| BoardRow {
                rank: row.rank,
                name: row.entry.name.clone(),
                score: texts.standing(
                    row.entry.points,
                    row.entry.correct as i64,
                    row.entry.answered as i64,
                ),
            })
            .collect();
        let hidden = board.len().saturating_sub(SCOREBOARD_ROWS);
        Self {
            title: texts.live_results_title().into(),
            notice,
            rows,
            more: (hidden > 0).then(|| texts.live_more_players(hidden)),
            empty: texts.live_no_answers().into(),
            legend: texts.standing_legend().into(),
            most_missed: most_missed.map(|missed| ListField {
                label: texts.live_most_missed_label().into(),
                lines: vec![texts.live_most_missed(
                    &texts.live_progress(missed.live.position, total),
                    missed.right,
                    missed.answered,
                    &truncate_chars(&missed.question.prompt, LIVE_MISSED_PROMPT_MAX),
                )],
            }),
            review: ListField {
                label: texts.live_review_label().into(),
                lines: vec![texts.live_review_hint(round.platform)],
            },
            note: texts.live_leaderboard_note().into(),
            round: round.id,
        }
    }
}

/// The private reply to a member's answer: recorded (or changed), until
/// when it may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveReceipt {
    pub text: String,
    pub deadline_label: String,
    pub deadline: DateTime<Utc>,
}
