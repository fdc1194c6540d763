//! A refused Web API call: `{"ok":false,"error":"<code>"}` with HTTP 200 (plus the extra
//! members some codes carry: `needed`/`provided` for `missing_scope`, `field`/`limit` for
//! `too_long`), or the one exception, `ratelimited` with HTTP 429 and `Retry-After`.
//! Codes are Slack's, from the method pages and the common-errors table
//! (<https://docs.slack.dev/apis/web-api/>, <https://docs.slack.dev/apis/web-api/rate-limits>).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::reply::{self, J};

#[derive(Clone, Debug)]
pub(crate) struct SlackError {
    pub code: &'static str,
    /// Members after `"error"`, in order.
    pub extra: Vec<(&'static str, J)>,
    /// `Some(seconds)` makes it a 429 with `Retry-After`.
    pub retry_after: Option<u64>,
}

impl SlackError {
    pub(crate) fn new(code: &'static str) -> Self {
        SlackError {
            code,
            extra: Vec::new(),
            retry_after: None,
        }
    }

    pub(crate) fn with(mut self, name: &'static str, value: impl Into<J>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    /// `{"ok":false,"error":"missing_scope","needed":"<scope>","provided":"<comma list>"}`
    /// (<https://docs.slack.dev/tools/node-slack-sdk/reference/web-api/type-aliases/UsersProfileSetResponse>).
    pub(crate) fn missing_scope(needed: &str, provided: &[String]) -> Self {
        Self::new("missing_scope")
            .with("needed", needed)
            .with("provided", provided.join(","))
    }

    /// HTTP 429, `Retry-After: <seconds>`, body `{"ok":false,"error":"ratelimited"}`.
    pub(crate) fn ratelimited(retry_after: u64) -> Self {
        SlackError {
            retry_after: Some(retry_after.max(1)),
            ..Self::new("ratelimited")
        }
    }
}

impl IntoResponse for SlackError {
    fn into_response(self) -> Response {
        let mut pairs: Vec<(&str, J)> = vec![("ok", J::from(false)), ("error", J::from(self.code))];
        pairs.extend(self.extra);
        let status = if self.retry_after.is_some() {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::OK
        };
        let mut resp = reply::json(status, &J::obj(pairs));
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
