//! Slack's wire framing: every Web API answer is HTTP 200 `application/json; charset=utf-8`
//! with `"ok"` first, except a rate limit (HTTP 429 with `Retry-After`); the browser-facing
//! consent page answers HTML or a 302 (<https://docs.slack.dev/apis/web-api/>).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use crate::ordered_json::J;

/// The members of a success body after `"ok": true`, in Slack's order.
pub(crate) type Fields = Vec<(&'static str, J)>;

const JSON_TYPE: &str = "application/json; charset=utf-8";

pub(crate) fn json(status: StatusCode, body: &J) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    resp
}

/// `{"ok":true, …fields}`, plus Slack's request warning (`missing_charset`,
/// `superfluous_charset`) as `warning` and `response_metadata.warnings` when there is one.
pub(crate) fn ok(fields: Fields, warning: Option<&'static str>) -> Response {
    let mut pairs: Vec<(&str, J)> = vec![("ok", J::from(true))];
    pairs.extend(fields);
    if let Some(warning) = warning {
        pairs.push(("warning", J::from(warning)));
        pairs.push((
            "response_metadata",
            J::obj([("warnings", J::A(vec![J::from(warning)]))]),
        ));
    }
    json(StatusCode::OK, &J::obj(pairs))
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

pub(crate) fn found(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    match HeaderValue::from_str(location) {
        Ok(v) => {
            resp.headers_mut().insert(header::LOCATION, v);
            resp
        }
        Err(_) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "bad redirect location".to_owned(),
        ),
    }
}

/// Escapes text for an HTML page.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Sets `x-oauth-scopes` (the calling token's scopes, comma-separated; empty without a
/// valid token), which every Web API answer carries.
pub(crate) fn with_scopes(mut resp: Response, scopes: &[String]) -> Response {
    if let Ok(v) = HeaderValue::from_str(&scopes.join(",")) {
        resp.headers_mut().insert("x-oauth-scopes", v);
    }
    resp
}
