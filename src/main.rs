//! The `quizbot` command: parses the command line, sets up logging, and
//! hands over to [`quizbot::cli::run`].

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use quizbot::cli::{self, Cli};
use quizbot::config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env(config::LOG_FILTER_VARIABLE)
                .unwrap_or_else(|_| EnvFilter::new(cli.default_log_filter())),
        )
        .with_writer(std::io::stderr)
        .init();
    cli::run(cli)
}
