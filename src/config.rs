//! Settings: defaults, then an optional `quizbot.toml`, then environment
//! variables, each layer overriding the one before. Command-line flags
//! override all three (in `main`).

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

/// Database used when `DATABASE_URL` is not set: an embedded SQLite file.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:quizbot.db";

/// The language of everything users read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Korean,
    English,
}

impl Locale {
    pub fn parse(text: &str) -> Option<Locale> {
        match text.trim().to_lowercase().as_str() {
            "ko" | "ko-kr" | "kr" | "korean" => Some(Locale::Korean),
            "en" | "en-us" | "en-gb" | "english" => Some(Locale::English),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Korean => "ko",
            Locale::English => "en",
        }
    }
}

/// Everything quizbot reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` or `sqlite:…`.
    pub database_url: String,
    pub questions_dir: PathBuf,
    pub notes_dir: PathBuf,
    pub locale: Locale,
    /// Time zone of new communities: days, weeks and streaks follow it.
    pub time_zone: Tz,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.into(),
            questions_dir: "questions".into(),
            notes_dir: "notes".into(),
            locale: Locale::Korean,
            time_zone: chrono_tz::Asia::Seoul,
        }
    }
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{name}={value}: {message}")]
    Value {
        name: &'static str,
        value: String,
        message: &'static str,
    },
}

/// The keys `quizbot.toml` may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    questions: Option<PathBuf>,
    notes: Option<PathBuf>,
    locale: Option<String>,
    timezone: Option<String>,
}

impl Config {
    /// Reads `QUIZBOT_CONFIG` (or `./quizbot.toml` when present), then the
    /// environment.
    pub fn load() -> Result<Config, ConfigError> {
        Self::load_from(|name| std::env::var(name).ok())
    }

    /// As [`Config::load`], with the environment given by `env`.
    pub fn load_from(env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let file = match env("QUIZBOT_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("quizbot.toml")).filter(|p| p.is_file()),
        };
        if let Some(path) = file {
            config.apply_file(&path)?;
        }
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if let Some(url) = set("DATABASE_URL") {
            config.database_url = url;
        }
        if let Some(dir) = set("QUIZBOT_QUESTIONS") {
            config.questions_dir = dir.into();
        }
        if let Some(dir) = set("QUIZBOT_NOTES") {
            config.notes_dir = dir.into();
        }
        if let Some(value) = set("QUIZBOT_LOCALE") {
            config.locale = Locale::parse(&value).ok_or(ConfigError::Value {
                name: "QUIZBOT_LOCALE",
                value,
                message: "expected ko or en",
            })?;
        }
        if let Some(value) = set("QUIZBOT_TIMEZONE") {
            config.time_zone = value.parse().map_err(|_| ConfigError::Value {
                name: "QUIZBOT_TIMEZONE",
                value,
                message: "expected an IANA time zone such as Asia/Seoul",
            })?;
        }
        Ok(config)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: FileSettings = toml::from_str(&text).map_err(|err| ConfigError::File {
            path: path.to_path_buf(),
            message: err.message().to_string(),
        })?;
        let bad = |message: &str| ConfigError::File {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        if let Some(url) = file.database_url {
            self.database_url = url;
        }
        if let Some(dir) = file.questions {
            self.questions_dir = dir;
        }
        if let Some(dir) = file.notes {
            self.notes_dir = dir;
        }
        if let Some(locale) = file.locale {
            self.locale = Locale::parse(&locale).ok_or_else(|| bad("locale: expected ko or en"))?;
        }
        if let Some(zone) = file.timezone {
            self.time_zone = zone
                .parse()
                .map_err(|_| bad("timezone: expected an IANA time zone such as Asia/Seoul"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_defaults() {
        let config = Config::load_from(|name| match name {
            "DATABASE_URL" => Some("postgres://localhost/quiz".into()),
            "QUIZBOT_LOCALE" => Some("en".into()),
            "QUIZBOT_TIMEZONE" => Some("Europe/Berlin".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.database_url, "postgres://localhost/quiz");
        assert_eq!(config.locale, Locale::English);
        assert_eq!(config.time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(config.questions_dir, PathBuf::from("questions"));
    }

    #[test]
    fn a_bad_value_is_named() {
        let err = Config::load_from(|name| (name == "QUIZBOT_TIMEZONE").then(|| "Mars/Base".into()))
            .unwrap_err();
        assert!(err.to_string().contains("QUIZBOT_TIMEZONE=Mars/Base"), "{err}");
    }
}
