//! The errors the fake answers with: API errors `{"code":..,"message":..}`, token-endpoint
//! errors `{"reason":..,"error":..}`, and the authorization page's HTML error page.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::reply::{self, J};

/// An API error: `{"code": <int>, "message": "<text>"}`, plus `errors` for validation.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    /// `(field, message)` for a 300 "Validation Failed.".
    pub errors: Vec<(String, String)>,
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// 401 124 for a missing, unknown or revoked access token. The body is Zoom's [3p, many
    /// fixtures and a live probe]; UNCONFIRMED: that a missing `Authorization` header gets
    /// the same body.
    pub(crate) fn invalid_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 124, "Invalid access token.")
    }

    /// 401 124 for an expired access token [3p test fixtures].
    pub(crate) fn expired_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 124, "Access token is expired.")
    }

    /// 400 4711 naming the scopes the token lacks, e.g. `scopes:[user:read:user:admin,
    /// user:read:user].` [3p, bodies quoted from production].
    pub(crate) fn missing_scopes(scopes: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            4711,
            format!(
                "Invalid access token, does not contain scopes:[{}].",
                scopes.join(", ")
            ),
        )
    }

    /// 404 1001 with the id exactly as the request gave it [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>].
    pub(crate) fn user_does_not_exist(user_ref: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            1001,
            format!("User does not exist: {user_ref}."),
        )
    }

    /// 400 300 "Validation Failed." with one field error. The frame is Zoom's [3p, a Zoom
    /// Phone body]; UNCONFIRMED: the per-field messages for this endpoint.
    pub(crate) fn validation(field: &str, message: &str) -> Self {
        let mut err = Self::new(StatusCode::BAD_REQUEST, 300, "Validation Failed.");
        err.errors.push((field.to_owned(), message.to_owned()));
        err
    }

    /// 400 300 for a body that is not a JSON object [3p documentation of Zoom's API].
    pub(crate) fn not_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            300,
            "Request Body should be a valid JSON object.",
        )
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut pairs = vec![
            ("code", J::from(self.code)),
            ("message", J::from(self.message)),
        ];
        if !self.errors.is_empty() {
            let errors = self
                .errors
                .into_iter()
                .map(|(field, message)| {
                    J::obj([("field", J::from(field)), ("message", J::from(message))])
                })
                .collect();
            pairs.push(("errors", J::A(errors)));
        }
        let mut resp = reply::json(self.status, &J::obj(pairs));
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

/// A token-endpoint error, `{"reason": ..., "error": ...}` (that key order), HTTP 400.
///
/// Zoom answers 400 even for bad client credentials [3p: `400 Bad Request` with
/// `{"reason":"Invalid client_id or client_secret","error":"invalid_client"}`], not the
/// 401 RFC 6749 suggests.
#[derive(Clone, Debug)]
pub(crate) struct OAuthError {
    pub reason: String,
    pub error: &'static str,
}

impl OAuthError {
    pub(crate) fn new(error: &'static str, reason: impl Into<String>) -> Self {
        OAuthError {
            reason: reason.into(),
            error,
        }
    }

    /// Missing or wrong Basic credentials [3p, verbatim]. UNCONFIRMED: the same body for a
    /// missing `Authorization` header (Zoom's error table lists 4706 "Client ID or client
    /// secret is missing." without a body).
    pub(crate) fn invalid_client() -> Self {
        Self::new("invalid_client", "Invalid client_id or client_secret")
    }

    /// [3p, verbatim]. UNCONFIRMED: the same body for a missing `grant_type`.
    pub(crate) fn unsupported_grant_type() -> Self {
        Self::new("unsupported_grant_type", "unsupported grant type")
    }

    /// Unknown or already used code [3p, verbatim since 2025; older answers appended the code].
    pub(crate) fn invalid_code() -> Self {
        Self::new("invalid_grant", "Invalid authorization code")
    }

    /// Unknown, used (rotated) or revoked refresh token [3p, verbatim].
    pub(crate) fn invalid_refresh_token() -> Self {
        Self::new("invalid_grant", "Invalid Token!")
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = J::obj([
            ("reason", J::from(self.reason)),
            ("error", J::from(self.error)),
        ]);
        reply::json(StatusCode::BAD_REQUEST, &body)
    }
}

/// The error page `/oauth/authorize` shows instead of redirecting (bad client id, redirect
/// URL, response type). The messages and codes follow what users report Zoom showing
/// (`Invalid client_id: …` 4702, `Invalid redirect url` 4700 [3p]); UNCONFIRMED: the page
/// layout, the 400 status and the other messages.
pub(crate) fn authorize_error_page(message: &str, code: u32) -> Response {
    let message = reply::escape(message);
    let code = format!("{},{:03}", code / 1000, code % 1000);
    reply::html(
        StatusCode::BAD_REQUEST,
        format!(
            "<!DOCTYPE html><html><head><title>Error - Zoom</title></head><body>\
             <div class=\"error-page\"><h1>{message}</h1>\
             <p class=\"error-code\">Error code: {code}</p></div></body></html>"
        ),
    )
}
