//! quizbot: a quiz bot for study groups, explained from the group's own notes.
//!
//! Content flows one way: [`bank`] loads question banks and [`notes`] loads
//! and indexes the study notes ([`content`] holds both, checked, and
//! [`lint`] warns of giveaways and duplicates in them); [`quiz`],
//! [`daily`], [`live`], [`review`], [`progress`], [`mock`] and
//! [`readiness`] hold the rules (picking, grading, points, streaks,
//! periods, schedules, live rounds, spaced review, a member's weak spots,
//! the mock exam, the predicted exam score) with no I/O; [`store`] keeps
//! scores, sessions and rounds in Postgres or SQLite. [`service`] is every
//! use case once, over [`game`] and the store; it answers with the
//! [`view`] model, worded by [`i18n`], which [`terminal`], [`discord`] and
//! [`slack`] only lay out ([`chart`] draws a record as a picture for the
//! last two). [`scheduler`] posts and reveals the daily question,
//! [`quizmaster`] hosts the live rounds; [`deadline`] keeps every
//! interaction's first response within the platforms' deadline; [`serve`]
//! runs the platforms,
//! with [`ops`]' health,
//! readiness and [`telemetry`]'s metrics on the [`http_listener`];
//! [`cli`] is the `quizbot` command.

pub mod action;
pub mod bank;
pub mod chart;
pub mod cli;
pub mod config;
pub mod content;
pub mod daily;
pub mod deadline;
pub mod diagnostic;
pub mod discord;
pub mod game;
pub mod hosting;
pub mod http_listener;
pub mod i18n;
pub mod identity;
pub mod lint;
pub mod live;
pub mod mock;
pub mod notes;
pub mod ops;
pub mod progress;
pub mod question_stats;
pub mod quiz;
pub mod quizmaster;
pub mod readiness;
pub mod refusal;
pub mod report;
pub mod review;
pub mod scheduler;
pub mod serve;
pub mod service;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod terminal;
pub mod view;
