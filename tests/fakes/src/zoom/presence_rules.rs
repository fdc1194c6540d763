//! The rules of `PUT /users/{userId}/presence_status` that do not depend on who asks
//! [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>]: the status values, DND's `duration`, and which changes a client version allows.

use serde_json::Value;

use super::config::DndSpelling;
use super::error::ApiError;

pub(crate) const DND: &str = "Do_Not_Disturb";
pub(crate) const AVAILABLE: &str = "Available";
pub(crate) const AWAY: &str = "Away";

/// The values the documentation lists. The schema enum spells DND `Do_No_Disturb`; both are
/// accepted and stored as `Do_Not_Disturb` (UNCONFIRMED which one the server takes).
/// UNCONFIRMED: newer SDK schemas also list `Out_of_Office` and `Busy`; the fake rejects them
/// like any other unlisted value.
const STATUSES: [&str; 7] = [
    AWAY,
    DND,
    AVAILABLE,
    "In_Calendar_Event",
    "Presenting",
    "In_A_Zoom_Meeting",
    "On_A_Call",
];

/// Default DND duration in minutes when none is sent.
pub(crate) const DEFAULT_DND_MINUTES: u32 = 20;
/// Largest DND duration; the smallest is not documented (1 assumed, UNCONFIRMED).
pub(crate) const MAX_DND_MINUTES: u32 = 1440;

/// A valid update: the stored status and, for DND, its duration in minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Update {
    pub status: &'static str,
    pub duration: Option<u32>,
}

/// The canonical spelling of a status value, for the DND spellings this server takes.
fn canonical(raw: &str, dnd: DndSpelling) -> Option<&'static str> {
    match (raw, dnd) {
        ("Do_No_Disturb", DndSpelling::Both | DndSpelling::SchemaOnly) => return Some(DND),
        ("Do_Not_Disturb", DndSpelling::SchemaOnly) => return None,
        _ => {}
    }
    STATUSES.iter().copied().find(|s| *s == raw)
}

/// Reads and validates the JSON body. `duration` is only read for DND (ignored otherwise,
/// UNCONFIRMED); it must be a whole number of minutes in 1..=1440.
pub(crate) fn parse_body(body: &[u8], dnd: DndSpelling) -> Result<Update, ApiError> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(ApiError::not_json());
    };
    let status = match fields.get("status") {
        None | Some(Value::Null) => return Err(ApiError::validation("status", "Missing field.")),
        Some(Value::String(raw)) => canonical(raw, dnd),
        Some(_) => None,
    }
    .ok_or_else(|| ApiError::validation("status", "Invalid field."))?;
    if status != DND {
        return Ok(Update {
            status,
            duration: None,
        });
    }
    let duration = match fields.get("duration") {
        None | Some(Value::Null) => DEFAULT_DND_MINUTES,
        Some(value) => value
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| (1..=MAX_DND_MINUTES).contains(d))
            .ok_or_else(|| ApiError::validation("duration", "Invalid field."))?,
    };
    Ok(Update {
        status,
        duration: Some(duration),
    })
}

/// `major.minor.patch` (missing parts are 0, anything unparsable counts as current).
fn below_5_3_0(version: &str) -> bool {
    let mut parts = version
        .split(['.', ' ', '('])
        .map(|p| p.parse::<u32>().ok());
    let mut next = || parts.next().flatten().unwrap_or(0);
    let (major, minor, patch) = (next(), next(), next());
    (major, minor, patch) < (5, 3, 0)
}

/// Clients below 5.3.0 only take `Away` → DND and `Available` → DND [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>]. From 5.3.0
/// on, every listed value is accepted from every status (the documentation names four more
/// transitions; UNCONFIRMED whether Zoom refuses the others).
pub(crate) fn transition_allowed(client_version: &str, from: &str, to: &str) -> bool {
    if !below_5_3_0(client_version) {
        return true;
    }
    to == DND && (from == AWAY || from == AVAILABLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(below_5_3_0("5.2.9"));
        assert!(below_5_3_0("4.6"));
        assert!(!below_5_3_0("5.3.0"));
        assert!(!below_5_3_0("6.2.0.12345(mac)"));
        assert!(!below_5_3_0("10.0"));
    }
}
