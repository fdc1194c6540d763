//! `application/x-www-form-urlencoded` fields, from a request body or a query string, read the
//! same way by every fake.

use axum::http::{header, HeaderMap};

/// The request's `Content-Type`, leading spaces dropped and lower-cased; empty if absent or
/// not text.
pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start()
        .to_ascii_lowercase()
}

/// Whether the body is `application/x-www-form-urlencoded`.
pub(crate) fn is_urlencoded(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/x-www-form-urlencoded")
}

/// The decoded fields, in order.
pub(crate) fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The decoded fields of a query string, in order; none without one.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query.map(|q| pairs(q.as_bytes())).unwrap_or_default()
}

/// The last value of the field `name`.
pub(crate) fn last<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
