//! Settings: defaults, then an optional `quizbot.toml`, then environment
//! variables, each layer overriding the one before. Command-line flags
//! override all three (in `cli`).
//!
//! [`SETTINGS`] lists every variable with the key it fills. figment merges
//! the file's keys and then the variables that are set (a blank one counts
//! as unset); serde reads the result into [`Config`], whose `Default` fills
//! in what no layer set. Each value is checked as it is read, so a bad one
//! is refused naming its variable (or the file and key), the value and what
//! was expected. The shard plan is worked out last, from three settings
//! together.

use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use figment::error::{Actual, Kind};
use figment::providers::{Format, Serialized, Toml};
use figment::{Figment, Source};
use secrecy::SecretString;
use serde::de::{self, Deserializer, Unexpected};
use serde::Deserialize;

/// Database used when `DATABASE_URL` is not set: an embedded SQLite file.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:quizbot.db";

/// How often a running bot looks for daily posts and reveals that are due
/// when `QUIZBOT_DAILY_TICK` is unset: posts go out within this long after
/// their local time.
pub const DEFAULT_DAILY_TICK: Duration = Duration::from_secs(10);

/// The variable that names the settings file (default `./quizbot.toml`,
/// read when present).
pub const CONFIG_FILE_VARIABLE: &str = "QUIZBOT_CONFIG";

/// The variable that sets the log filter (read by the binary before the
/// settings, so that loading them can be logged).
pub const LOG_FILTER_VARIABLE: &str = "QUIZBOT_LOG";

/// One setting read from the environment.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The environment variable.
    pub variable: &'static str,
    /// Where its value goes in the layers, dotted: the field of [`Config`]
    /// it fills, and its key in `quizbot.toml` when `in_file`.
    pub key: &'static str,
    /// Whether `quizbot.toml` may hold it too; secrets and deployment
    /// details come from the environment only.
    pub in_file: bool,
}

impl Setting {
    const fn file(variable: &'static str, key: &'static str) -> Setting {
        Setting {
            variable,
            key,
            in_file: true,
        }
    }

    const fn env(variable: &'static str, key: &'static str) -> Setting {
        Setting {
            variable,
            key,
            in_file: false,
        }
    }
}

/// Every setting quizbot reads from its environment; the loader asks for
/// these and no others.
pub const SETTINGS: &[Setting] = &[
    Setting::file("DATABASE_URL", "database_url"),
    Setting::file("QUIZBOT_QUESTIONS", "questions"),
    Setting::file("QUIZBOT_NOTES", "notes"),
    Setting::file("QUIZBOT_LOCALE", "locale"),
    Setting::file("QUIZBOT_TIMEZONE", "timezone"),
    Setting::env("QUIZBOT_HTTP_ADDR", "http_addr"),
    Setting::env("QUIZBOT_DAILY_TICK", "daily_tick"),
    Setting::env("QUIZBOT_LIVE_PAUSE", "live_pause"),
    Setting::env("DISCORD_TOKEN", "discord.token"),
    Setting::env("DISCORD_GUILD_ID", "discord.guild_id"),
    Setting::env("DISCORD_API_BASE", "discord.api_base"),
    Setting::env("QUIZBOT_DISCORD_SHARDS", "discord_shards"),
    Setting::env("QUIZBOT_DISCORD_SHARD_ID", "discord_shard_id"),
    Setting::env("HOSTNAME", "hostname"),
    Setting::env("SLACK_BOT_TOKEN", "slack.bot_token"),
    Setting::env("SLACK_APP_TOKEN", "slack.app_token"),
    Setting::env("SLACK_SIGNING_SECRET", "slack.signing_secret"),
    Setting::env("SLACK_API_BASE", "slack.api_base"),
    Setting::env("SLACK_ADMINS", "slack.admins"),
];

/// Every environment variable quizbot reads: the log filter's, the
/// settings file's and each setting's ([`Config::load`] reads the last two).
pub fn variables() -> impl Iterator<Item = &'static str> {
    [LOG_FILTER_VARIABLE, CONFIG_FILE_VARIABLE]
        .into_iter()
        .chain(SETTINGS.iter().map(|s| s.variable))
}

/// The language of everything users read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Korean,
    English,
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, "ko or en", Locale::parse)
    }
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
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `postgres://…` or `sqlite:…`.
    pub database_url: String,
    #[serde(rename = "questions")]
    pub questions_dir: PathBuf,
    #[serde(rename = "notes")]
    pub notes_dir: PathBuf,
    pub locale: Locale,
    /// Time zone of new communities: days, weeks and streaks follow it.
    #[serde(rename = "timezone", deserialize_with = "time_zone")]
    pub time_zone: Tz,
    pub discord: DiscordSettings,
    pub slack: SlackSettings,
    /// Where HTTP mode listens (Slack's requests, health checks).
    pub http_addr: String,
    /// `QUIZBOT_DAILY_TICK`: how often the daily question's scheduler looks
    /// for posts and reveals that are due (default 10s).
    #[serde(deserialize_with = "daily_tick")]
    pub daily_tick: Duration,
    /// `QUIZBOT_LIVE_PAUSE`: how long a live round waits after a reveal
    /// before its next question (default 5s).
    #[serde(deserialize_with = "live_pause")]
    pub live_pause: Duration,
}

/// Discord connection settings; the bot runs on Discord when `token` is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DiscordSettings {
    /// `DISCORD_TOKEN`: the bot token.
    #[serde(deserialize_with = "secret")]
    pub token: Option<SecretString>,
    /// `DISCORD_GUILD_ID`: register commands in this server only (instant).
    #[serde(deserialize_with = "guild_id")]
    pub guild_id: Option<u64>,
    /// `DISCORD_API_BASE`: send every REST call here (proxies and tests);
    /// the gateway URL comes from its `GET /api/v10/gateway`.
    #[serde(deserialize_with = "api_base")]
    pub api_base: Option<String>,
    /// Which gateway shard this process runs, of how many: worked out after
    /// the rest, from three settings together.
    #[serde(skip)]
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

/// The settings a [`ShardPlan`] comes from, read from the same layers as
/// [`Config`]: each is checked alone as it is read, then [`ShardSettings::plan`]
/// checks them together.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShardSettings {
    /// `QUIZBOT_DISCORD_SHARDS`.
    #[serde(rename = "discord_shards", deserialize_with = "shard_count")]
    total: Option<u32>,
    /// `QUIZBOT_DISCORD_SHARD_ID`.
    #[serde(rename = "discord_shard_id", deserialize_with = "shard_id")]
    id: Option<u32>,
    /// `HOSTNAME`: a StatefulSet names its pods `<name>-<ordinal>`.
    hostname: Option<String>,
}

impl ShardSettings {
    fn plan(self) -> Result<ShardPlan, ConfigError> {
        let total = self.total.unwrap_or(ShardPlan::default().total);
        let id = match self.id {
            Some(id) if id >= total => {
                return Err(ConfigError::Value {
                    name: "QUIZBOT_DISCORD_SHARD_ID",
                    value: id.to_string(),
                    message: "must be below QUIZBOT_DISCORD_SHARDS (shards count from 0)".into(),
                })
            }
            Some(id) => id,
            None if total == 1 => 0,
            None => match self.hostname.as_deref().and_then(ShardPlan::ordinal) {
                Some(id) if id < total => id,
                _ => {
                    return Err(ConfigError::Value {
                        name: "HOSTNAME",
                        value: self.hostname.unwrap_or_default(),
                        message: "with QUIZBOT_DISCORD_SHARDS above 1, set \
                                  QUIZBOT_DISCORD_SHARD_ID or run as a StatefulSet pod \
                                  whose ordinal (quizbot-N) is below the shard count"
                            .into(),
                    })
                }
            },
        };
        Ok(ShardPlan { id, total })
    }
}

/// Slack connection settings; the bot runs on Slack when `bot_token` is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SlackSettings {
    /// `SLACK_BOT_TOKEN` (xoxb-…): Web API calls.
    #[serde(deserialize_with = "secret")]
    pub bot_token: Option<SecretString>,
    /// `SLACK_APP_TOKEN` (xapp-…): Socket Mode, the default.
    #[serde(deserialize_with = "secret")]
    pub app_token: Option<SecretString>,
    /// `SLACK_SIGNING_SECRET`: HTTP mode, requests verified with it.
    #[serde(deserialize_with = "secret")]
    pub signing_secret: Option<SecretString>,
    /// `SLACK_API_BASE`: send every Web API call here (proxies and tests).
    #[serde(deserialize_with = "api_base")]
    pub api_base: Option<String>,
    /// `SLACK_ADMINS`: user ids allowed admin commands besides workspace
    /// admins and owners, comma-separated.
    #[serde(deserialize_with = "comma_list")]
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
    /// The settings file is missing or is not TOML.
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    /// A key of the settings file that is not a setting, or whose value
    /// cannot be used.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// An environment variable whose value cannot be used.
    #[error("{name}={value}: {message}")]
    Value {
        name: &'static str,
        value: String,
        message: String,
    },
    /// A value the layers refused that belongs to no one setting.
    #[error("{0}")]
    Layers(Box<figment::Error>),
}

impl From<figment::Error> for ConfigError {
    /// Names where the refused value came from: the file and its key, or
    /// the setting's variable.
    fn from(err: figment::Error) -> Self {
        let key = err.path.join(".");
        let (value, message) = match &err.kind {
            Kind::InvalidValue(Actual::Str(value), expected) => {
                (Some(value.clone()), format!("expected {expected}"))
            }
            kind => (None, kind.to_string()),
        };
        let source = err.metadata.as_ref().and_then(|m| m.source.as_ref());
        if let Some(path) = source.and_then(Source::file_path) {
            let message = match value {
                Some(value) => format!("{key} = {value:?}: {message}"),
                None => format!("{key}: {message}"),
            };
            return ConfigError::File {
                path: path.to_path_buf(),
                message,
            };
        }
        match SETTINGS.iter().find(|setting| setting.key == key) {
            Some(setting) => ConfigError::Value {
                name: setting.variable,
                value: value.unwrap_or_default(),
                message,
            },
            None => ConfigError::Layers(Box::new(err)),
        }
    }
}

impl Config {
    /// Reads `QUIZBOT_CONFIG` (or `./quizbot.toml` when present), then the
    /// environment.
    pub fn load() -> Result<Config, ConfigError> {
        Self::load_from(|name| std::env::var(name).ok())
    }

    /// As [`Config::load`], with the environment given by `env`, which is
    /// asked for the [`variables`] and nothing else.
    pub fn load_from(env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let set = |name: &str| env(name).filter(|value| !value.trim().is_empty());
        let file = match set(CONFIG_FILE_VARIABLE) {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from("quizbot.toml")).filter(|p| p.is_file()),
        };
        let mut layers = Figment::new();
        if let Some(path) = file {
            layers = layers.merge(Toml::file_exact(&path));
            refuse_unknown_keys(&layers, path)?;
        }
        for setting in SETTINGS {
            if let Some(value) = set(setting.variable) {
                layers = layers.merge(Serialized::default(setting.key, value));
            }
        }
        let mut config: Config = layers.extract()?;
        config.discord.shard = layers.extract::<ShardSettings>()?.plan()?;
        Ok(config)
    }
}

/// Refuses a settings file (the only layer in `layers`) that cannot be read
/// or holds a key that is no setting a file may hold.
fn refuse_unknown_keys(layers: &Figment, path: PathBuf) -> Result<(), ConfigError> {
    let data = figment::Provider::data(layers).map_err(|err| ConfigError::Read {
        path: path.clone(),
        message: err.kind.to_string().trim_end().to_string(),
    })?;
    let allowed = || SETTINGS.iter().filter(|s| s.in_file).map(|s| s.key);
    match data
        .values()
        .flat_map(|table| table.keys())
        .find(|key| !allowed().any(|k| k == key.as_str()))
    {
        None => Ok(()),
        Some(key) => {
            let expected: Vec<String> = allowed().map(|k| format!("`{k}`")).collect();
            Err(ConfigError::File {
                message: format!(
                    "unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                ),
                path,
            })
        }
    }
}

/// Reads a setting's text with `parse`; what it refuses is reported as the
/// value, and "expected" followed by `expected`.
fn parsed<'de, D, T>(
    deserializer: D,
    expected: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&text), &expected))
}

fn time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
    parsed(
        deserializer,
        "an IANA time zone such as Asia/Seoul",
        |text| text.parse().ok(),
    )
}

fn daily_tick<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    parsed(
        deserializer,
        "a duration from 1ms to 30s, such as 10s",
        |text| {
            humantime::parse_duration(text.trim())
                .ok()
                .filter(|tick| !tick.is_zero() && tick.as_secs() <= 30)
        },
    )
}

fn live_pause<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    parsed(
        deserializer,
        "a duration from 500ms to 60s, such as 5s",
        |text| {
            humantime::parse_duration(text.trim())
                .ok()
                .filter(|pause| pause.as_millis() >= 500 && pause.as_secs() <= 60)
        },
    )
}

fn guild_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    parsed(deserializer, "a server id (a number)", |text| {
        text.trim().parse().ok()
    })
    .map(Some)
}

fn shard_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    parsed(deserializer, "a number of shards from 1 to 1024", |text| {
        text.trim()
            .parse()
            .ok()
            .filter(|total| (1..=1024).contains(total))
    })
    .map(Some)
}

fn shard_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    parsed(deserializer, "a shard number from 0", |text| {
        text.trim().parse().ok()
    })
    .map(Some)
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SecretString>, D::Error> {
    String::deserialize(deserializer).map(|text| Some(SecretString::from(text)))
}

/// A base URL without the trailing `/`, so paths join onto it.
fn api_base<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(|text| Some(text.trim_end_matches('/').to_string()))
}

fn comma_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let text = String::deserialize(deserializer)?;
    Ok(text
        .split(',')
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads with only `env` set (and no settings file unless it names one).
    fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::load_from(|name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn shard_plan(env: &[(&str, &str)]) -> Result<ShardPlan, ConfigError> {
        load(env).map(|config| config.discord.shard)
    }

    /// A settings file holding `text`, kept until the returned guard drops.
    fn settings_file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
        std::io::Write::write_all(&mut file, text.as_bytes()).expect("the file written");
        file
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

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        // Arrange
        let file = settings_file(
            "database_url = \"sqlite:from-file.db\"\nnotes = \"file-notes\"\nlocale = \"en\"\n",
        );
        let path = file.path().to_str().expect("a UTF-8 path");

        // Act
        let config = load(&[
            ("QUIZBOT_CONFIG", path),
            ("DATABASE_URL", "postgres://localhost/quiz"),
        ])
        .unwrap();

        // Assert
        assert_eq!(config.database_url, "postgres://localhost/quiz");
        assert_eq!(config.notes_dir, PathBuf::from("file-notes"));
        assert_eq!(config.locale, Locale::English);
        assert_eq!(config.questions_dir, PathBuf::from("questions"));
        assert_eq!(config.time_zone, chrono_tz::Asia::Seoul);
    }

    #[test]
    fn a_blank_variable_is_unset() {
        // Arrange
        let file = settings_file("locale = \"en\"\n");
        let path = file.path().to_str().expect("a UTF-8 path");

        // Act
        let config = load(&[
            ("QUIZBOT_CONFIG", path),
            ("QUIZBOT_LOCALE", "  "),
            ("DATABASE_URL", ""),
            ("QUIZBOT_DISCORD_SHARDS", ""),
            ("DISCORD_TOKEN", ""),
        ])
        .unwrap();

        // Assert
        assert_eq!(config.locale, Locale::English, "the file's value stands");
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.discord.shard, ShardPlan::default());
        assert!(config.discord.token.is_none());
    }

    #[test]
    fn a_bad_value_in_the_file_is_named_with_the_file_and_key() {
        // Arrange
        let file = settings_file("timezone = \"Mars/Base\"\n");
        let path = file.path().to_str().expect("a UTF-8 path");

        // Act
        let err = load(&[("QUIZBOT_CONFIG", path)]).unwrap_err();

        // Assert
        assert_eq!(
            err.to_string(),
            format!(
                "{path}: timezone = \"Mars/Base\": expected an IANA time zone such as Asia/Seoul"
            )
        );
    }

    #[test]
    fn a_bad_value_in_the_environment_is_named_with_its_variable() {
        for (name, value, expected) in [
            ("QUIZBOT_LOCALE", "fr", "expected ko or en"),
            (
                "DISCORD_GUILD_ID",
                "my-server",
                "expected a server id (a number)",
            ),
            (
                "QUIZBOT_DAILY_TICK",
                "1m",
                "expected a duration from 1ms to 30s, such as 10s",
            ),
            (
                "QUIZBOT_LIVE_PAUSE",
                "10ms",
                "expected a duration from 500ms to 60s, such as 5s",
            ),
        ] {
            let err = load(&[(name, value)]).unwrap_err();
            assert_eq!(err.to_string(), format!("{name}={value}: {expected}"));
        }
    }

    #[test]
    fn the_environment_wins_over_a_bad_value_in_the_file_only_when_set() {
        let file = settings_file("locale = \"fr\"\n");
        let path = file.path().to_str().expect("a UTF-8 path");

        let config = load(&[("QUIZBOT_CONFIG", path), ("QUIZBOT_LOCALE", "ko")]).unwrap();
        assert_eq!(config.locale, Locale::Korean);

        let err = load(&[("QUIZBOT_CONFIG", path)]).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("locale = \"fr\": expected ko or en"),
            "{err}"
        );
    }

    #[test]
    fn a_file_key_that_is_no_file_setting_is_refused() {
        // Arrange: the HTTP address is read from the environment only.
        let file = settings_file("http_addr = \"0.0.0.0:9000\"\n");
        let path = file.path().to_str().expect("a UTF-8 path");

        // Act
        let err = load(&[("QUIZBOT_CONFIG", path)]).unwrap_err();

        // Assert
        assert!(
            err.to_string().starts_with(&format!(
                "{path}: unknown field `http_addr`, expected one of"
            )),
            "{err}"
        );
    }

    #[test]
    fn a_missing_or_broken_file_is_refused_naming_it() {
        let err = load(&[("QUIZBOT_CONFIG", "/nonexistent/quizbot.toml")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/quizbot.toml: "),
            "{err}"
        );

        let file = settings_file("locale = \n");
        let path = file.path().to_str().expect("a UTF-8 path");
        let err = load(&[("QUIZBOT_CONFIG", path)]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read {path}: ")),
            "{err}"
        );
    }

    #[test]
    fn every_setting_fills_a_field_of_the_config() {
        // Arrange: a value each setting accepts.
        let env: Vec<(&str, &str)> = SETTINGS
            .iter()
            .map(|setting| {
                let value = match setting.variable {
                    "QUIZBOT_LOCALE" => "en",
                    "QUIZBOT_TIMEZONE" => "Europe/Berlin",
                    "QUIZBOT_DAILY_TICK" => "2s",
                    "QUIZBOT_LIVE_PAUSE" => "1s",
                    "DISCORD_GUILD_ID" => "42",
                    "QUIZBOT_DISCORD_SHARDS" => "4",
                    "QUIZBOT_DISCORD_SHARD_ID" => "3",
                    "DISCORD_API_BASE" | "SLACK_API_BASE" => "http://127.0.0.1:9/",
                    "SLACK_ADMINS" => "U1, U2,",
                    _ => "set",
                };
                (setting.variable, value)
            })
            .collect();

        // Act
        let config = load(&env).unwrap();

        // Assert
        use secrecy::ExposeSecret;
        let secret = |s: &Option<SecretString>| s.as_ref().map(|s| s.expose_secret().to_string());
        assert_eq!(config.database_url, "set");
        assert_eq!(config.questions_dir, PathBuf::from("set"));
        assert_eq!(config.notes_dir, PathBuf::from("set"));
        assert_eq!(config.locale, Locale::English);
        assert_eq!(config.time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(config.http_addr, "set");
        assert_eq!(config.daily_tick, Duration::from_secs(2));
        assert_eq!(config.live_pause, Duration::from_secs(1));
        assert_eq!(secret(&config.discord.token).as_deref(), Some("set"));
        assert_eq!(config.discord.guild_id, Some(42));
        assert_eq!(
            config.discord.api_base.as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(config.discord.shard, ShardPlan { id: 3, total: 4 });
        assert_eq!(secret(&config.slack.bot_token).as_deref(), Some("set"));
        assert_eq!(secret(&config.slack.app_token).as_deref(), Some("set"));
        assert_eq!(secret(&config.slack.signing_secret).as_deref(), Some("set"));
        assert_eq!(config.slack.api_base.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(config.slack.admins, ["U1", "U2"]);
    }
}
