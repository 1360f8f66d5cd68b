//! quizbot: a quiz bot for study groups, explained from the group's own notes.
//!
//! Content flows one way: [`bank`] loads question banks and [`notes`] loads
//! and indexes the study notes ([`content`] holds both, checked); [`quiz`]
//! holds the rules (picking, grading, points, streaks, periods) with no I/O;
//! [`store`] keeps scores and sessions in Postgres or SQLite; [`terminal`]
//! plays the quiz in a terminal. [`config`] reads the settings.

pub mod bank;
pub mod config;
pub mod content;
pub mod daily;
pub mod diagnostic;
pub mod discord;
pub mod game;
pub mod i18n;
pub mod identity;
pub mod notes;
pub mod quiz;
pub mod serve;
pub mod slack;
pub mod store;
pub mod terminal;
