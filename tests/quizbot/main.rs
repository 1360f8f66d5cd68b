//! Integration tests, one binary: real Postgres and SQLite, the real binary,
//! and loopback fakes of the chat platforms.

#[macro_use]
mod support;

mod bank_loading;
mod content_balance;
mod deploy_files;
mod lint;
mod mock_process;
mod notes_parsing;
mod ops_listener;
mod play_process;
mod postgres_connections;
mod postgres_upgrade;
mod serve_processes;

mod daily_schedule;
mod discord;
mod fake_discord;
mod fake_slack;
mod live_discord;
mod live_rounds;
mod live_slack;
mod mock_calibration;
mod mock_discord;
mod mock_exam;
mod mock_slack;
mod reliability;
mod reports;
mod review_cards;
mod slack;
mod store_contract;
