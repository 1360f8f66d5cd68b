//! Settings: defaults, then an optional `quizbot.toml`, then environment
//! variables, each layer overriding the one before. Command-line flags
//! override all three (in `cli`).

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;

/// Database used when `DATABASE_URL` is not set: an embedded SQLite file.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:quizbot.db";

/// How often a running bot looks for daily posts and reveals that are due
/// when `QUIZBOT_DAILY_TICK` is unset: posts go out within this long after
/// their local time.
pub const DEFAULT_DAILY_TICK: std::time::Duration = std::time::Duration::from_secs(10);

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
            "ko" | "ko-kr" | "kr" | "korean" | "한국어" => Some(Locale::Korean),
            "en" | "en-us" | "en-gb" | "english" | "영어" => Some(Locale::English),
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
    pub discord: DiscordSettings,
    pub slack: SlackSettings,
    /// Where HTTP mode listens (Slack's requests, health checks).
    pub http_addr: String,
    /// `QUIZBOT_DAILY_TICK`: how often the daily question's scheduler looks
    /// for posts and reveals that are due (default 10s).
    pub daily_tick: std::time::Duration,
    /// `QUIZBOT_LIVE_PAUSE`: how long a live round waits after a reveal
    /// before its next question (default 5s).
    pub live_pause: std::time::Duration,
}

/// Discord connection settings; the bot runs on Discord when `token` is set.
#[derive(Debug, Clone, Default)]
pub struct DiscordSettings {
    /// `DISCORD_TOKEN`: the bot token.
    pub token: Option<SecretString>,
    /// `DISCORD_GUILD_ID`: register commands in this server only (instant).
    pub guild_id: Option<u64>,
    /// `DISCORD_API_BASE`: send every REST call here (proxies and tests);
    /// the gateway URL comes from its `GET /api/v10/gateway`.
    pub api_base: Option<String>,
    /// Which gateway shard this process runs, of how many.
    pub shard: ShardPlan,
}

/// One process's part of the Discord gateway: shard `id` of `total`.
///
/// `QUIZBOT_DISCORD_SHARDS` sets `total` (default 1). `QUIZBOT_DISCORD_SHARD_ID`
/// sets `id`; without it, a StatefulSet pod's ordinal is used (`HOSTNAME`
/// `quizbot-2` → shard 2), so N replicas with N shards need no per-pod
/// setting. Discord sends each server's events to one shard only, so every
/// interaction is handled by exactly one replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    pub id: u32,
    pub total: u32,
}

impl Default for ShardPlan {
    fn default() -> Self {
        Self { id: 0, total: 1 }
    }
}

impl ShardPlan {
    /// The pod ordinal at the end of a StatefulSet pod's name: `quizbot-2` → 2.
    fn ordinal(host: &str) -> Option<u32> {
        let (_, ordinal) = host.trim().rsplit_once('-')?;
        ordinal.parse().ok()
    }
}

/// Slack connection settings; the bot runs on Slack when `bot_token` is set.
#[derive(Debug, Clone, Default)]
pub struct SlackSettings {
    /// `SLACK_BOT_TOKEN` (xoxb-…): Web API calls.
    pub bot_token: Option<SecretString>,
    /// `SLACK_APP_TOKEN` (xapp-…): Socket Mode, the default.
    pub app_token: Option<SecretString>,
    /// `SLACK_SIGNING_SECRET`: HTTP mode, requests verified with it.
    pub signing_secret: Option<SecretString>,
    /// `SLACK_API_BASE`: send every Web API call here (proxies and tests).
    pub api_base: Option<String>,
    /// `SLACK_ADMINS`: user ids allowed admin commands besides workspace
    /// admins and owners, comma-separated.
    pub admins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.into(),
            questions_dir: "questions".into(),
            notes_dir: "notes".into(),
            locale: Locale::Korean,
            time_zone: chrono_tz::Asia::Seoul,
            discord: DiscordSettings::default(),
            slack: SlackSettings::default(),
            http_addr: "0.0.0.0:8080".into(),
            daily_tick: DEFAULT_DAILY_TICK,
            live_pause: crate::live::DEFAULT_PAUSE,
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
        if let Some(token) = set("DISCORD_TOKEN") {
            config.discord.token = Some(SecretString::from(token));
        }
        if let Some(value) = set("DISCORD_GUILD_ID") {
            config.discord.guild_id =
                Some(value.trim().parse().map_err(|_| ConfigError::Value {
                    name: "DISCORD_GUILD_ID",
                    value,
                    message: "expected a server id (a number)",
                })?);
        }
        if let Some(base) = set("DISCORD_API_BASE") {
            config.discord.api_base = Some(base.trim_end_matches('/').to_string());
        }
        if let Some(value) = set("QUIZBOT_DISCORD_SHARDS") {
            config.discord.shard.total = value
                .trim()
                .parse()
                .ok()
                .filter(|total| (1..=1024).contains(total))
                .ok_or(ConfigError::Value {
                    name: "QUIZBOT_DISCORD_SHARDS",
                    value,
                    message: "expected a number of shards from 1 to 1024",
                })?;
        }
        let host = set("HOSTNAME");
        if let Some(value) = set("QUIZBOT_DISCORD_SHARD_ID") {
            config.discord.shard.id = value.trim().parse().map_err(|_| ConfigError::Value {
                name: "QUIZBOT_DISCORD_SHARD_ID",
                value: value.clone(),
                message: "expected a shard number from 0",
            })?;
            if config.discord.shard.id >= config.discord.shard.total {
                return Err(ConfigError::Value {
                    name: "QUIZBOT_DISCORD_SHARD_ID",
                    value,
                    message: "must be below QUIZBOT_DISCORD_SHARDS (shards count from 0)",
                });
            }
        } else if config.discord.shard.total > 1 {
            // A StatefulSet names its pods `<name>-<ordinal>`.
            let ordinal = host.as_deref().and_then(ShardPlan::ordinal);
            match ordinal {
                Some(id) if id < config.discord.shard.total => config.discord.shard.id = id,
                _ => {
                    return Err(ConfigError::Value {
                        name: "HOSTNAME",
                        value: host.unwrap_or_default(),
                        message: "with QUIZBOT_DISCORD_SHARDS above 1, set \
                                  QUIZBOT_DISCORD_SHARD_ID or run as a StatefulSet pod \
                                  whose ordinal (quizbot-N) is below the shard count",
                    })
                }
            }
        }
        if let Some(value) = set("QUIZBOT_DAILY_TICK") {
            config.daily_tick = humantime::parse_duration(value.trim())
                .ok()
                .filter(|tick| !tick.is_zero() && tick.as_secs() <= 30)
                .ok_or(ConfigError::Value {
                    name: "QUIZBOT_DAILY_TICK",
                    value,
                    message: "expected a duration from 1ms to 30s, such as 10s",
                })?;
        }
        if let Some(value) = set("QUIZBOT_LIVE_PAUSE") {
            config.live_pause = humantime::parse_duration(value.trim())
                .ok()
                .filter(|pause| pause.as_millis() >= 500 && pause.as_secs() <= 60)
                .ok_or(ConfigError::Value {
                    name: "QUIZBOT_LIVE_PAUSE",
                    value,
                    message: "expected a duration from 500ms to 60s, such as 5s",
                })?;
        }
        if let Some(token) = set("SLACK_BOT_TOKEN") {
            config.slack.bot_token = Some(SecretString::from(token));
        }
        if let Some(token) = set("SLACK_APP_TOKEN") {
            config.slack.app_token = Some(SecretString::from(token));
        }
        if let Some(secret) = set("SLACK_SIGNING_SECRET") {
            config.slack.signing_secret = Some(SecretString::from(secret));
        }
        if let Some(base) = set("SLACK_API_BASE") {
            config.slack.api_base = Some(base.trim_end_matches('/').to_string());
        }
        if let Some(admins) = set("SLACK_ADMINS") {
            config.slack.admins = admins
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
        }
        if let Some(addr) = set("QUIZBOT_HTTP_ADDR") {
            config.http_addr = addr;
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

    fn shard_plan(env: &[(&str, &str)]) -> Result<ShardPlan, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_from(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .map(|config| config.discord.shard)
    }

    #[test]
    fn the_shard_comes_from_the_setting_or_the_pod_ordinal() {
        assert_eq!(shard_plan(&[]).unwrap(), ShardPlan { id: 0, total: 1 });
        assert_eq!(
            shard_plan(&[("QUIZBOT_DISCORD_SHARDS", "3"), ("HOSTNAME", "quizbot-2")]).unwrap(),
            ShardPlan { id: 2, total: 3 }
        );
        assert_eq!(
            shard_plan(&[
                ("QUIZBOT_DISCORD_SHARDS", "2"),
                ("QUIZBOT_DISCORD_SHARD_ID", "1"),
                ("HOSTNAME", "box"),
            ])
            .unwrap(),
            ShardPlan { id: 1, total: 2 }
        );
        // One shard needs no ordinal, whatever the host is called.
        assert_eq!(shard_plan(&[("HOSTNAME", "laptop")]).unwrap().total, 1);
    }

    #[test]
    fn a_shard_outside_the_count_is_refused_with_the_setting_named() {
        let err = shard_plan(&[
            ("QUIZBOT_DISCORD_SHARDS", "2"),
            ("QUIZBOT_DISCORD_SHARD_ID", "2"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().starts_with("QUIZBOT_DISCORD_SHARD_ID=2"),
            "{err}"
        );
        let err =
            shard_plan(&[("QUIZBOT_DISCORD_SHARDS", "2"), ("HOSTNAME", "quizbot-5")]).unwrap_err();
        assert!(err.to_string().starts_with("HOSTNAME=quizbot-5"), "{err}");
        let err = shard_plan(&[("QUIZBOT_DISCORD_SHARDS", "0")]).unwrap_err();
        assert!(err.to_string().contains("from 1 to 1024"), "{err}");
    }

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
        let err =
            Config::load_from(|name| (name == "QUIZBOT_TIMEZONE").then(|| "Mars/Base".into()))
                .unwrap_err();
        assert!(
            err.to_string().contains("QUIZBOT_TIMEZONE=Mars/Base"),
            "{err}"
        );
    }
}
