//! What a status will look like on one account, computed from the provider's declared
//! capabilities before anything is sent. The same check guards sending.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{local_time, ProviderError};
use crate::preset::Status;
use crate::providers::Capabilities;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preview {
    pub text: String,
    pub emoji: Option<String>,
    /// The service's word for the availability others will see.
    pub availability: String,
    /// Who ends the status and when, e.g. "Rocket.Chat ends it at 17:00" or "Presently ends
    /// it on Zulip at 17:00 if this computer is on".
    pub expiry: Option<String>,
    /// What the service cannot show as asked.
    pub notes: Vec<String>,
    /// Set when the status cannot be sent as it is (e.g. text over the limit).
    pub problem: Option<String>,
}

/// The text the service will store: with the emoji in front where the service has no
/// emoji field of its own.
pub fn composed_text(status: &Status, caps: &Capabilities) -> String {
    match &status.emoji {
        Some(emoji) if caps.emoji_in_text => {
            let emoji = emoji
                .glyph()
                .map(str::to_owned)
                .unwrap_or_else(|| emoji.to_string());
            format!("{emoji} {}", status.text.trim())
        }
        _ => status.text.clone(),
    }
}

/// Text as the service will count it, or why it does not fit.
pub fn check_text(status: &Status, caps: &Capabilities) -> Result<String, ProviderError> {
    let Some(limit) = caps.text_limit else {
        return Ok(String::new());
    };
    let composed = composed_text(status, caps);
    let text = if limit.trims_whitespace {
        composed.trim()
    } else {
        composed.as_str()
    };
    let length = limit.unit.count(text);
    if length > limit.max as usize {
        return Err(ProviderError::InvalidStatus(format!(
            "status text is {length} characters long; {} allows {} ({})",
            caps.service.display_name(),
            limit.max,
            limit.unit.describe()
        )));
    }
    Ok(text.to_owned())
}

pub fn preview(status: &Status, caps: &Capabilities, now: DateTime<Utc>) -> Preview {
    let mut notes = Vec::new();
    let (text, problem) = match check_text(status, caps) {
        Ok(text) => (text, None),
        Err(e) => (composed_text(status, caps), Some(e.to_string())),
    };
    if caps.text_limit.is_none() && !status.text.trim().is_empty() {
        notes.push(format!(
            "{} shows no status text",
            caps.service.display_name()
        ));
    }
    let emoji_shown = match &status.emoji {
        Some(_) if caps.emoji_in_text => None,
        Some(emoji) if caps.unicode_emoji || caps.custom_emoji => Some(emoji.to_string()),
        Some(_) => {
            notes.push(format!(
                "{} shows no status emoji",
                caps.service.display_name()
            ));
            None
        }
        None => None,
    };
    let mut availability = match caps.availability(status.availability) {
        Some(mapping) => {
            notes.extend(mapping.note.clone());
            mapping.shown.clone()
        }
        None => status.availability.label().to_owned(),
    };
    if let Some(timed) = caps
        .timed
        .as_ref()
        .filter(|t| t.availabilities.contains(&status.availability))
    {
        let (minutes, note) = timed.minutes_for(caps.service, status.duration);
        availability = format!("{availability} for {minutes} min");
        notes.extend(note);
    }
    let expiry = status
        .duration
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| {
            let at = local_time(&(now + d));
            if caps.native_expiry {
                format!("{} ends it at {at}", caps.service.display_name())
            } else {
                format!(
                    "Presently ends it on {} at {at} if this computer is on",
                    caps.service.display_name()
                )
            }
        });
    Preview {
        text,
        emoji: emoji_shown,
        availability,
        expiry,
        notes,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{default_presets, Availability};
    use crate::providers::zulip::capabilities_at;

    fn status(text: &str) -> Status {
        Status {
            text: text.into(),
            ..Status::cleared()
        }
    }

    #[test]
    fn zulip_counts_code_points_after_trimming() {
        let caps = capabilities_at(420);
        assert!(check_text(&status(&"x".repeat(60)), &caps).is_ok());
        assert!(check_text(&status(&format!("  {}  ", "x".repeat(60))), &caps).is_ok());
        let err = check_text(&status(&"x".repeat(61)), &caps).expect_err("61");
        assert_eq!(
            err.to_string(),
            "status text is 61 characters long; Zulip allows 60 (Unicode code points)"
        );
        // A flag is two code points: 30 flags fit, 31 do not.
        assert!(check_text(&status(&"🇩🇪".repeat(30)), &caps).is_ok());
        assert!(check_text(&status(&"🇩🇪".repeat(31)), &caps).is_err());
        // Bytes are not the unit: 60 two-byte letters fit.
        assert!(check_text(&status(&"é".repeat(60)), &caps).is_ok());
    }

    #[test]
    fn preview_of_focus_on_zulip_explains_the_mapping() {
        let focus = default_presets().remove(2);
        let status = focus
            .status_for("work")
            .expect("valid")
            .expect("not skipped");
        assert_eq!(status.availability, Availability::DoNotDisturb);
        let shown = preview(&status, &capabilities_at(420), Utc::now());
        assert_eq!(shown.text, "Focus");
        assert_eq!(shown.emoji.as_deref(), Some("🎧"));
        assert_eq!(shown.availability, "visible");
        assert!(shown
            .notes
            .iter()
            .any(|n| n.contains("no away, busy or do-not-disturb")));
        assert!(shown
            .expiry
            .as_deref()
            .is_some_and(|e| e.starts_with("Presently ends it on Zulip at")));
        assert_eq!(shown.problem, None);
    }
}
