//! One request as the fake saw it, for test assertions. Never holds an `X-Auth-Token` value,
//! a password or a `resume` token.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// When it arrived, RFC 3339 UTC.
    pub at: String,
    pub method: String,
    /// Path without the query string, e.g. `/api/v1/users.setStatus`.
    pub path: String,
    /// Raw query string, empty if none.
    pub query: String,
    /// The parsed body (JSON object, or form fields as strings; `{}` if none), with
    /// `password` and `resume` replaced by `"<redacted>"`.
    pub body: serde_json::Value,
    /// The `X-User-Id` header as sent (whether or not the login was valid).
    pub auth_user_id: Option<String>,
    /// Response status; `None` while unanswered (e.g. a [`super::Fault::Hang`]).
    pub status: Option<u16>,
    /// Set when `users.setStatus` silently cut the status text (trim, then 120 UTF-16 units).
    pub truncation: Option<Truncation>,
}

/// A status text the server shortened without saying so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncation {
    /// The `message` as sent.
    pub sent: String,
    /// Its length in UTF-16 code units (what the server counts).
    pub sent_utf16_units: usize,
    /// What was stored (`statusText`).
    pub stored: String,
}

impl crate::runtime::Recorded for RecordedRequest {
    fn set_status(&mut self, status: u16) {
        self.status = Some(status);
    }
}
