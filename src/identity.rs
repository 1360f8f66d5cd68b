//! Who is who: the platforms a community lives on and the platforms' own
//! ids for communities and users, kept as text (a Discord snowflake, a Slack
//! team or user id, a terminal user name) and converted here only; and the
//! one rule for any text a platform hands us before it is stored
//! ([`storable`]).

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
        let id = id.into();
        if id.chars().any(is_unstorable) {
            return Self(storable(&id));
        }
        Self(id)
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

/// Most characters of a display name kept (Slack allows 80, Discord 32).
pub const DISPLAY_NAME_MAX: usize = 80;

/// `text` as the store can keep it: without NUL, which Postgres text cannot
/// hold, nor other control characters, which no one means to type; line
/// breaks and tabs stay.
pub fn storable(text: &str) -> String {
    text.chars().filter(|c| !is_unstorable(*c)).collect()
}

fn is_unstorable(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// A member's name as shown on boards: storable, on one line, trimmed,
/// at most [`DISPLAY_NAME_MAX`] characters; `fallback` (their id) when
/// nothing is left.
pub fn display_name(name: &str, fallback: &str) -> String {
    let name: String = storable(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(DISPLAY_NAME_MAX)
        .collect();
    if name.is_empty() {
        storable(fallback)
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_control_characters_are_not_stored() {
        assert_eq!(storable("a\0b\u{1b}c\nd\te"), "abc\nd\te");
        assert_eq!(ExternalId::new("U1\0").as_str(), "U1");
    }

    #[test]
    fn a_display_name_is_one_trimmed_line_or_the_id() {
        assert_eq!(display_name("  Ana\0 \n Kim ", "u1"), "Ana Kim");
        assert_eq!(display_name("\0\0", "u1"), "u1");
        assert_eq!(
            display_name(&"가".repeat(200), "u1").chars().count(),
            DISPLAY_NAME_MAX
        );
    }
}
