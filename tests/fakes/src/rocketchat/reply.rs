//! Rocket.Chat's wire format: `JSON.stringify` of the result (compact, keys in insertion
//! order, no trailing newline), `Content-Type: application/json`, `Cache-Control: no-store`,
//! `Pragma: no-cache`; `API.v1.success` appends `"success": true` to an object result.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use crate::ordered_json::J;

/// `pairs` as an ordered JSON object.
pub(crate) fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, J)>) -> J {
    J::obj(pairs)
}

/// A JSON response with the REST API's headers.
pub(crate) fn json(status: StatusCode, body: &J) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// `API.v1.success(result)`: 200, the result's keys then `"success": true`.
pub(crate) fn success(mut pairs: Vec<(String, J)>) -> Response {
    pairs.push(("success".to_owned(), J::from(true)));
    json(StatusCode::OK, &J::O(pairs))
}

/// `API.v1.success()`: `{"success":true}`.
pub(crate) fn ok() -> Response {
    success(Vec::new())
}

/// `new Date().toJSON()`: ISO 8601 UTC with milliseconds, e.g. `2023-11-04T11:44:23.366Z`.
pub(crate) fn js_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn now_js_date() -> String {
    js_date(chrono::Utc::now())
}
