//! One request as the fake saw it, for test assertions. Never holds the API key.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// When it arrived, RFC 3339 UTC.
    pub at: String,
    pub method: String,
    /// Path without the query string, e.g. `/api/v1/users/me/status`.
    pub path: String,
    /// Raw query string, empty if none.
    pub query: String,
    /// Decoded `application/x-www-form-urlencoded` body fields, in order.
    pub form: Vec<(String, String)>,
    /// The email half of a decodable HTTP Basic `Authorization` header (never the key).
    pub auth_email: Option<String>,
    /// Response status; `None` while unanswered (e.g. a [`super::Fault::Hang`]).
    pub status: Option<u16>,
}

impl crate::runtime::Recorded for RecordedRequest {
    fn set_status(&mut self, status: u16) {
        self.status = Some(status);
    }
}
