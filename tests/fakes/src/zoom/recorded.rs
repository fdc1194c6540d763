//! One request as the fake saw it, for test assertions. Headers are kept as sent, the
//! `Authorization` header included, so tests can check where credentials went.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// When it arrived on the fake clock, RFC 3339 UTC.
    pub at: String,
    pub method: String,
    /// Path without the query string, e.g. `/v2/users/me/presence_status`.
    pub path: String,
    /// Raw query string, empty if none.
    pub query: String,
    /// Header names lower-case, in request order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// Response status; `None` while unanswered (e.g. a [`super::Fault::Hang`]).
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A decoded field of an `application/x-www-form-urlencoded` body (last one wins).
    pub fn form_field(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.body.as_bytes())
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .last()
    }
}

impl crate::runtime::Recorded for RecordedRequest {
    fn set_status(&mut self, status: u16) {
        self.status = Some(status);
    }
}
