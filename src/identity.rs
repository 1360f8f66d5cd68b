//! Who is who: the platforms a community lives on and the platforms' own
//! ids for communities and users, kept as text (a Discord snowflake, a Slack
//! team or user id, a terminal user name) and converted here only.

use std::fmt;

/// Where a community lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Terminal,
    Discord,
    Slack,
}

impl Platform {
    pub fn code(self) -> &'static str {
        match self {
            Platform::Terminal => "terminal",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
        }
    }

    /// The platform's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Terminal => "terminal",
            Platform::Discord => "Discord",
            Platform::Slack => "Slack",
        }
    }

    pub fn parse(text: &str) -> Option<Platform> {
        match text {
            "terminal" => Some(Platform::Terminal),
            "discord" => Some(Platform::Discord),
            "slack" => Some(Platform::Slack),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A platform's own id for a community or a user (a Discord snowflake, a
/// Slack team or user id, a terminal user name), kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who is playing: a user in a community on a platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub platform: Platform,
    pub community: ExternalId,
    pub user: ExternalId,
}
