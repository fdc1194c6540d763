//! Zulip's `JsonableError`: an error response `{"result":"error","msg":..,"code":..}` with an
//! HTTP status, optional extra body fields and extra headers.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::json::{self, J};

#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub msg: String,
    pub data: Vec<(String, J)>,
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            msg: msg.into(),
            data: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The common case: HTTP 400, code `BAD_REQUEST`.
    pub(crate) fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", msg)
    }

    /// `UnauthorizedError`: 401 `UNAUTHORIZED` with `WWW-Authenticate: Basic realm="zulip"`.
    pub(crate) fn unauthorized(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", msg).with_header(
            HeaderName::from_static("www-authenticate"),
            "Basic realm=\"zulip\"",
        )
    }

    /// `RateLimitedError`: 429 with `retry-after` in the body and the `Retry-After` header.
    ///
    /// Zulip sets the header to `str(secs_to_freedom)`, a Python float such as `2.5` or
    /// `59.998`, not an integer; clients must parse it as a float.
    pub(crate) fn rate_limited(secs_to_freedom: f64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_HIT",
            "API usage exceeded rate limit",
        )
        .with_header(
            HeaderName::from_static("retry-after"),
            python_float(secs_to_freedom),
        );
        err.data
            .push(("retry-after".to_owned(), J::from(secs_to_freedom)));
        err
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Python's `str(float)` for the values we produce (`2.0`, `2.5`, `0.123`).
pub(crate) fn python_float(v: f64) -> String {
    format!("{v:?}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut data = vec![("code".to_owned(), J::from(self.code))];
        data.extend(self.data);
        let mut resp = json::response(self.status, "error", &self.msg, data);
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}
