//! The view model: what every platform shows, worded and complete, with no
//! markup. The service ([`crate::service`]) and the daily question's
//! scheduler ([`crate::scheduler`]) build these from the quiz's results;
//! Discord, Slack and the terminal only lay them out, escape them, cut them
//! to their limits and attach their ids. Every sentence comes from
//! [`crate::i18n`].

use chrono::{DateTime, Utc};

use crate::action::{Action, Flagged};
use crate::bank::Question;
use crate::content::Content;
use crate::daily::{DailyPost, Schedule, Tally};
use crate::i18n::{percent, Texts};
use crate::notes::{truncate_chars, Excerpt};
use crate::progress::{self, QuestionRecord};
use crate::quiz::{Period, Ranked, SessionSummary};
use crate::report::ReportReason;
use crate::review::TopicRecord;
use crate::store::{PlayerStats, QuizSession, Recorded, Standing};

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

/// A label and lines of text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListField {
    pub label: String,
    pub lines: Vec<String>,
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
            your_answer: (!correct).then(|| ChoiceField {
                label: texts.your_answer().into(),
                choices: ChoiceLine::of(question, &chosen),
            }),
            right_answer: ChoiceField {
                label: texts.right_answer().into(),
                choices: ChoiceLine::of(question, &question.correct),
            },
            explanation: ListField {
                label: texts.explanation().into(),
                lines: vec![question.explanation.clone()],
            },
            excerpts: answered
                .excerpts
                .iter()
                .map(|e| ExcerptView::new(texts, e))
                .collect(),
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
            if let Some(topic) = &summary.weakest_topic {
                lines.push(texts.weakest_topic(topic_name(content, topic)));
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
    ) -> Self {
        Board {
            title: texts.leaderboard_title(period, topic.map(|t| topic_name(content, t))),
            rows: rows
                .iter()
                .map(|row| BoardRow {
                    rank: row.rank,
                    name: row.entry.display_name.clone(),
                    score: texts.standing(row.entry.points, row.entry.correct, row.entry.answered),
                })
                .collect(),
            empty: texts.empty_leaderboard().into(),
            legend: texts.standing_legend().into(),
            mine: match mine {
                Some(mine) => texts.your_rank(mine.rank, mine.entry.points),
                None => texts.not_ranked().into(),
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
        let spread = (0..question.choices.len())
            .map(|i| {
                texts.choice_spread(
                    Question::letter(i),
                    tally.per_choice.get(i).copied().unwrap_or(0),
                    tally.answered,
                    question.correct.contains(&i),
                )
            })
            .collect();
        Self {
            title: format!("📢 {}", texts.reveal_title()),
            prompt: question.prompt.clone(),
            right_answer: ChoiceField {
                label: texts.right_answer().into(),
                choices: ChoiceLine::of(question, &question.correct),
            },
            spread: ListField {
                label: texts.answer_spread().into(),
                lines: spread,
            },
            explanation: ListField {
                label: texts.explanation().into(),
                lines: vec![question.explanation.clone()],
            },
            excerpts: excerpts
                .iter()
                .map(|e| ExcerptView::new(texts, e))
                .collect(),
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
        let spread = (0..question.choices.len())
            .map(|i| {
                texts.choice_spread(
                    Question::letter(i),
                    tally.per_choice.get(i).copied().unwrap_or(0),
                    tally.answered,
                    question.correct.contains(&i),
                )
            })
            .collect();
        let named = tally.right.len().min(crate::live::NAMED_FIRST);
        Self {
            title: texts.live_reveal_title(&texts.live_progress(live.position, total)),
            question: asked.question,
            input: asked.input,
            right_answer: ChoiceField {
                label: texts.right_answer().into(),
                choices: ChoiceLine::of(question, &question.correct),
            },
            spread: ListField {
                label: texts.answer_spread().into(),
                lines: spread,
            },
            right: ListField {
                label: texts.live_right_label().into(),
                lines: vec![texts.live_right_line(&tally.right[..named], tally.right.len() - named)],
            },
            explanation: ListField {
                label: texts.explanation().into(),
                lines: vec![question.explanation.clone()],
            },
            excerpts: excerpts
                .iter()
                .map(|e| ExcerptView::new(texts, e))
                .collect(),
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
