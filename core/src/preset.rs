//! Service-neutral presets: what the user wants to be shown, before any service maps it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

use crate::emoji::Emoji;
use crate::error::{Error, Result};
use crate::until::Until;

/// How available the user is, in words every service can map from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Available,
    Away,
    Busy,
    #[serde(rename = "dnd", alias = "do_not_disturb")]
    DoNotDisturb,
    #[serde(rename = "offline", alias = "appear_offline")]
    AppearOffline,
}

impl Availability {
    pub const ALL: [Availability; 5] = [
        Availability::Available,
        Availability::Away,
        Availability::Busy,
        Availability::DoNotDisturb,
        Availability::AppearOffline,
    ];

    /// The spelling used in the config file and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Away => "away",
            Availability::Busy => "busy",
            Availability::DoNotDisturb => "dnd",
            Availability::AppearOffline => "offline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Away => "away",
            Availability::Busy => "busy",
            Availability::DoNotDisturb => "do not disturb",
            Availability::AppearOffline => "appear offline",
        }
    }

    pub fn parse(input: &str) -> Result<Self> {
        let wanted = input.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Availability::ALL
            .into_iter()
            .find(|a| a.key() == wanted || a.label().replace(' ', "_") == wanted)
            .or(match wanted.as_str() {
                "do_not_disturb" => Some(Availability::DoNotDisturb),
                "invisible" => Some(Availability::AppearOffline),
                _ => None,
            })
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown availability {input:?}; use one of available, away, busy, dnd, offline"
                ))
            })
    }
}

/// Per-account changes to a preset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct AccountOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// Leave this account alone when the preset is applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Stable key used by the CLI (`presently set lunch`) and in the state file.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(default)]
    pub text: String,
    pub availability: Availability,
    /// How long the status lasts, e.g. "1h" or "15m"; none means until changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "duration_text"
    )]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub duration: Option<Duration>,
    /// Instead of a duration: "today", "week" or a moment (see [`Until`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Until>,
    /// A global shortcut such as "Ctrl+Alt+1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, AccountOverride>,
}

/// One status to show on one account: a preset after its overrides, or a one-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub preset_id: Option<String>,
    pub label: String,
    pub emoji: Option<Emoji>,
    pub text: String,
    pub availability: Availability,
    pub duration: Option<Duration>,
    /// The status this replaces on the account was Presently's "appear offline": a service
    /// that keeps visibility as a setting of its own (Zulip's invisible mode) is made
    /// visible again. Otherwise such a setting is left as the user chose it.
    pub undo_appear_offline: bool,
}

impl Status {
    /// The empty status: no text, no emoji, available.
    pub fn cleared() -> Self {
        Status {
            preset_id: None,
            label: "Clear status".into(),
            emoji: None,
            text: String::new(),
            availability: Availability::Available,
            duration: None,
            undo_appear_offline: false,
        }
    }

    pub fn is_clear(&self) -> bool {
        self.emoji.is_none() && self.text.trim().is_empty()
    }
}

/// Refuses status text with a character that would act rather than show: control
/// characters (NUL, BEL, ESC, line breaks…) and the invisible bidirectional overrides that
/// reorder what others read. The message names the character and never echoes it.
///
/// # Errors
/// `InvalidField { field: "text" }` naming the first such character.
pub fn check_status_text(text: &str) -> Result<()> {
    let acts = |c: char| {
        c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    let Some(c) = text.chars().find(|c| acts(*c)) else {
        return Ok(());
    };
    let name = match c {
        '\0' => " (NUL)",
        '\u{7}' => " (BEL)",
        '\u{8}' => " (BACKSPACE)",
        '\t' => " (TAB)",
        '\n' => " (LINE FEED)",
        '\r' => " (CARRIAGE RETURN)",
        '\u{1b}' => " (ESC)",
        '\u{7f}' => " (DELETE)",
        '\u{202e}' => " (RIGHT-TO-LEFT OVERRIDE)",
        '\u{202d}' => " (LEFT-TO-RIGHT OVERRIDE)",
        '\u{2066}'..='\u{2069}' | '\u{202a}'..='\u{202c}' => " (a bidirectional control)",
        _ => "",
    };
    Err(Error::InvalidField {
        field: "text",
        message: format!(
            "the status text holds the invisible character U+{:04X}{name}; remove it",
            c as u32
        ),
    })
}

impl Preset {
    /// The label shown in menus: "🍔 Lunch".
    pub fn title(&self) -> String {
        match &self.emoji {
            Some(emoji) if !emoji.is_empty() => format!("{emoji} {}", self.name),
            _ => self.name.clone(),
        }
    }

    /// What this preset means for one account, or `None` when that account is skipped.
    pub fn status_for(&self, account_id: &str) -> Result<Option<Status>> {
        let over = self.overrides.get(account_id);
        if over.is_some_and(|o| o.skip) {
            return Ok(None);
        }
        let emoji_spec = over
            .and_then(|o| o.emoji.as_deref())
            .or(self.emoji.as_deref());
        let emoji = match emoji_spec {
            Some(spec) if !spec.trim().is_empty() => Some(Emoji::parse(spec)?),
            _ => None,
        };
        let text = over
            .and_then(|o| o.text.clone())
            .unwrap_or_else(|| self.text.clone());
        check_status_text(&text)?;
        Ok(Some(Status {
            preset_id: Some(self.id.clone()),
            label: self.name.clone(),
            emoji,
            text,
            availability: self.availability,
            duration: self.duration,
            undo_appear_offline: false,
        }))
    }

    /// How long a status set from this preset `now` lasts: its duration, or until its end.
    pub fn lasts(&self, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
        self.until
            .map_or(self.duration, |until| until.remaining(now))
    }

    pub fn matches(&self, wanted: &str) -> bool {
        self.id.eq_ignore_ascii_case(wanted) || self.name.eq_ignore_ascii_case(wanted)
    }
}

/// The presets a new user starts with.
pub fn default_presets() -> Vec<Preset> {
    let preset =
        |id: &str, emoji: Option<&str>, name: &str, availability, minutes: Option<u64>| Preset {
            id: id.into(),
            name: name.into(),
            emoji: emoji.map(Into::into),
            text: if id == "available" {
                String::new()
            } else {
                name.into()
            },
            availability,
            duration: minutes.map(|m| Duration::from_secs(m * 60)),
            until: None,
            hotkey: None,
            overrides: BTreeMap::new(),
        };
    use Availability::*;
    vec![
        preset("available", None, "Available", Available, None),
        preset("lunch", Some("🍔"), "Lunch", Away, Some(60)),
        preset("focus", Some("🎧"), "Focus", DoNotDisturb, Some(120)),
        preset("meeting", Some("📅"), "In a meeting", Busy, None),
        preset("brb", Some("☕"), "Be right back", Away, Some(15)),
        preset("vacation", Some("🌴"), "Vacation", Away, None),
        preset("done", Some("🏠"), "Done for the day", Away, None),
    ]
}

/// Longest duration a status may have; longer ones are surely typos.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Parses "30m", "1h", "1h 30m", "90s" into a duration of at least one minute.
pub fn parse_duration(input: &str) -> Result<Duration> {
    let duration = humantime::parse_duration(input.trim()).map_err(|e| {
        Error::invalid(format!(
            "cannot read duration {input:?} ({e}); write it like 30m, 1h or 1h 30m"
        ))
    })?;
    if duration > MAX_DURATION {
        return Err(Error::invalid(format!(
            "duration {input:?} is longer than a year; leave it out for a status that stays"
        )));
    }
    if duration < Duration::from_secs(60) {
        return Err(Error::invalid(format!(
            "duration {input:?} is shorter than a minute"
        )));
    }
    Ok(duration)
}

pub fn format_duration(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// `Option<Duration>` as human text ("1h 30m") in the config file.
mod duration_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_str(&super::format_duration(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| super::parse_duration(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_text_that_acts_is_refused_by_name() {
        assert!(check_status_text("🍔 Lunch — back at 1").is_ok());
        for (text, named) in [
            ("nul\0here", "U+0000 (NUL)"),
            ("\u{1b}[2J", "U+001B (ESC)"),
            ("\u{2067}isolate", "U+2067 (a bidirectional control)"),
        ] {
            let e = check_status_text(text).expect_err(text);
            assert!(e.to_string().contains(named), "{e}");
            assert!(!e.to_string().contains(text), "the character is not echoed");
        }
    }

    use super::*;

    #[test]
    fn defaults_match_the_brief() {
        let presets = default_presets();
        let lunch = presets.iter().find(|p| p.id == "lunch").expect("lunch");
        assert_eq!(lunch.title(), "🍔 Lunch");
        assert_eq!(lunch.availability, Availability::Away);
        assert_eq!(lunch.duration, Some(Duration::from_secs(3600)));
        let focus = presets.iter().find(|p| p.id == "focus").expect("focus");
        assert_eq!(focus.availability, Availability::DoNotDisturb);
        assert_eq!(focus.duration, Some(Duration::from_secs(7200)));
        let vacation = presets
            .iter()
            .find(|p| p.id == "vacation")
            .expect("vacation");
        assert_eq!(vacation.duration, None);
        assert_eq!(presets.len(), 7);
    }

    #[test]
    fn overrides_replace_text_and_emoji_or_skip() {
        let mut lunch = default_presets().remove(1);
        lunch.overrides.insert(
            "work".into(),
            AccountOverride {
                text: Some("Out for lunch".into()),
                emoji: Some(":burrito:".into()),
                skip: false,
            },
        );
        lunch.overrides.insert(
            "club".into(),
            AccountOverride {
                skip: true,
                ..Default::default()
            },
        );
        let work = lunch
            .status_for("work")
            .expect("valid")
            .expect("not skipped");
        assert_eq!(work.text, "Out for lunch");
        assert_eq!(work.emoji, Some(Emoji::Named("burrito".into())));
        assert!(lunch.status_for("club").expect("valid").is_none());
        let other = lunch
            .status_for("other")
            .expect("valid")
            .expect("not skipped");
        assert_eq!(other.text, "Lunch");
        assert_eq!(other.emoji, Some(Emoji::Unicode("🍔".into())));
    }

    #[test]
    fn availability_spellings() {
        assert_eq!(
            Availability::parse("dnd").ok(),
            Some(Availability::DoNotDisturb)
        );
        assert_eq!(
            Availability::parse("Do not disturb").ok(),
            Some(Availability::DoNotDisturb)
        );
        assert_eq!(
            Availability::parse("offline").ok(),
            Some(Availability::AppearOffline)
        );
        let err = Availability::parse("sleepy").expect_err("unknown");
        assert!(err
            .to_string()
            .contains("available, away, busy, dnd, offline"));
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("30m").ok(), Some(Duration::from_secs(1800)));
        assert_eq!(
            parse_duration("1h 30m").ok(),
            Some(Duration::from_secs(5400))
        );
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("10s").is_err());
        assert!(parse_duration("300000y").is_err());
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
    }
}
