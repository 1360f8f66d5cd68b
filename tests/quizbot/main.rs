//! Integration tests, one binary: real Postgres and SQLite, the real binary,
//! and loopback fakes of the chat platforms.

mod support;

mod bank_loading;
mod notes_parsing;
mod play_process;

mod store_contract;
