//! One request as the fake saw it, for test assertions. Headers are kept as sent, the
//! `Authorization` header included, so tests can check where credentials went (as the fake
//! Zoom records them).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// When it arrived on the fake clock, RFC 3339 UTC.
    pub at: String,
    pub method: String,
    /// Path without the query string, e.g. `/api/users.profile.set`.
    pub path: String,
    /// Raw query string, empty if none.
    pub query: String,
    /// Header names lower-case, in request order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// The user whose valid token made the call, once known.
    pub user_id: Option<String>,
    /// Response status; `None` while unanswered (e.g. a [`super::Fault::Hang`]).
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// The Web API method, `users.profile.set` for `/api/users.profile.set`.
    pub fn api_method(&self) -> Option<&str> {
        self.path.strip_prefix("/api/")
    }

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
