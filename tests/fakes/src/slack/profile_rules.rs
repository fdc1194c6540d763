//! The rules of a status change through `users.profile.set`
//! (<https://docs.slack.dev/reference/methods/users.profile.set>,
//! <https://docs.slack.dev/apis/web-api/user-presence-and-status.md>):
//!
//! - `profile` is a JSON object (in a JSON body) or a URL-encoded JSON string (form); or,
//!   without `profile`, `name` + `value` set one field. Not valid JSON, not an object, or a
//!   status field of the wrong type: `invalid_profile`;
//! - `status_text` at most 100 characters, else
//!   `{"ok":false,"error":"too_long","field":"status_text","limit":100}`;
//! - `status_emoji` `:name:` of a workspace emoji, or `""` (see [`super::emoji`]);
//! - clearing one of text and emoji while the other stays set:
//!   `must_clear_both_status_text_and_status_emoji`;
//! - `status_expiration` integer Unix seconds, 0 = none.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::args::{Args, BodyKind};
use super::emoji;
use super::error::SlackError;
use super::profile::SlackProfile;

/// The limit of `status_text`. The page says "100 characters" without saying how they are
/// counted (UNCONFIRMED: code points, UTF-16 units or graphemes, and whether emoji in the
/// text count as their `:shortcodes:`). The fake counts UTF-16 units, the stricter of the
/// plain readings: 100 code points of which some are outside the BMP (most emoji) are
/// refused.
pub(crate) const TEXT_LIMIT: usize = 100;

/// The status fields a call sets; `None` = not sent, left as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Change {
    pub text: Option<String>,
    pub emoji: Option<String>,
    pub expiration: Option<i64>,
}

fn invalid() -> SlackError {
    SlackError::new("invalid_profile")
}

/// `profile` (object or JSON text), else `name`/`value`. Neither: `invalid_profile`
/// (UNCONFIRMED: what Slack answers a call that sets nothing; the stricter reading).
pub(crate) fn parse(args: &Args) -> Result<Change, SlackError> {
    let object = match (args.kind, args.json_member("profile")) {
        (BodyKind::Json, Some(Value::Object(map))) => Some(map.clone()),
        (BodyKind::Json, Some(Value::String(text))) => Some(object_in(text)?),
        (BodyKind::Json, Some(_)) => return Err(invalid()),
        _ => match args.get("profile") {
            Some(text) => Some(object_in(&text)?),
            None => None,
        },
    };
    if let Some(object) = object {
        return from_object(&object);
    }
    let (Some(name), value) = (args.get("name"), args.get("value")) else {
        return Err(invalid());
    };
    let value = value.unwrap_or_default();
    let mut change = Change::default();
    match name.as_str() {
        "status_text" => change.text = Some(value),
        "status_emoji" => change.emoji = Some(value),
        "status_expiration" => {
            change.expiration = Some(if value.is_empty() {
                0
            } else {
                value.parse::<i64>().map_err(|_| invalid())?
            });
        }
        // Other profile fields are not modelled: accepted, nothing changes.
        _ => {}
    }
    Ok(change)
}

fn object_in(text: &str) -> Result<Map<String, Value>, SlackError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid()),
    }
}

/// The status fields of a `profile` object; other fields are not modelled (ignored).
fn from_object(object: &Map<String, Value>) -> Result<Change, SlackError> {
    let text = |name: &str| match object.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid()),
    };
    // An integer; a string or a negative number is refused (UNCONFIRMED whether Slack
    // reads "1700000000"; the contract says integer).
    let expiration = match object.get("status_expiration") {
        None => None,
        Some(Value::Number(n)) => Some(n.as_i64().filter(|s| *s >= 0).ok_or_else(invalid)?),
        Some(_) => return Err(invalid()),
    };
    Ok(Change {
        text: text("status_text")?,
        emoji: text("status_emoji")?,
        expiration,
    })
}

/// The profile after `change`, or the refusal. `current` is the profile now (settled).
pub(crate) fn apply(
    current: &SlackProfile,
    change: Change,
    custom_emoji: &BTreeMap<String, String>,
) -> Result<SlackProfile, SlackError> {
    if let Some(text) = &change.text {
        if text.encode_utf16().count() > TEXT_LIMIT {
            return Err(SlackError::new("too_long")
                .with("field", "status_text")
                .with("limit", TEXT_LIMIT as u64));
        }
    }
    if let Some(value) = &change.emoji {
        emoji::check_status_emoji(custom_emoji, value)?;
    }
    let text = change.text.clone().unwrap_or(current.status_text.clone());
    let emoji = change.emoji.clone().unwrap_or(current.status_emoji.clone());
    // "Clearing" = sending "" for a field that is set now. UNCONFIRMED which requests
    // Slack refuses; the fake refuses every call after which one of the two was cleared
    // and the other is still set (a text-only or emoji-only status can still be set from
    // an empty one).
    let cleared_text = change.text.as_deref() == Some("") && !current.status_text.is_empty();
    let cleared_emoji = change.emoji.as_deref() == Some("") && !current.status_emoji.is_empty();
    if (cleared_text && !emoji.is_empty()) || (cleared_emoji && !text.is_empty()) {
        return Err(SlackError::new(
            "must_clear_both_status_text_and_status_emoji",
        ));
    }
    let touched = change.text.is_some() || change.emoji.is_some();
    let expiration = match change.expiration {
        Some(at) => at,
        // A new status without an expiration never expires.
        None if touched => 0,
        None => current.status_expiration,
    };
    let cleared = text.is_empty() && emoji.is_empty();
    Ok(SlackProfile {
        status_text: text,
        status_emoji: emoji,
        status_expiration: if cleared { 0 } else { expiration },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(text: Option<&str>, emoji: Option<&str>) -> Change {
        Change {
            text: text.map(str::to_owned),
            emoji: emoji.map(str::to_owned),
            expiration: None,
        }
    }

    #[test]
    fn clearing_one_of_two_is_refused() {
        let set = SlackProfile {
            status_text: "Lunch".into(),
            status_emoji: ":hamburger:".into(),
            status_expiration: 0,
        };
        let none = BTreeMap::new();
        for (text, emoji) in [(Some(""), None), (None, Some("")), (Some("Out"), Some(""))] {
            let refused = apply(&set, change(text, emoji), &none).expect_err("one cleared");
            assert_eq!(refused.code, "must_clear_both_status_text_and_status_emoji");
        }
        let cleared = apply(&set, change(Some(""), Some("")), &none).expect("both");
        assert_eq!(cleared, SlackProfile::default());
        let empty = SlackProfile::default();
        apply(&empty, change(Some("Out"), Some("")), &none).expect("text only from empty");
    }

    #[test]
    fn text_counts_utf16_units() {
        let none = BTreeMap::new();
        let empty = SlackProfile::default();
        let ok = "a".repeat(100);
        apply(&empty, change(Some(&ok), None), &none).expect("100");
        let emoji = "🌴".repeat(51);
        let refused = apply(&empty, change(Some(&emoji), None), &none).expect_err("102 units");
        assert_eq!(refused.code, "too_long");
    }
}
