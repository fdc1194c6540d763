//! Zoom's wire framing: compact JSON in server key order, `application/json;charset=UTF-8`,
//! 204 with no body, HTML pages for the browser-facing OAuth endpoints, 302 redirects.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use crate::ordered_json::J;

/// UNCONFIRMED: the exact `Content-Type` parameters Zoom sends.
pub(crate) const JSON_TYPE: &str = "application/json;charset=UTF-8";

pub(crate) fn json(status: StatusCode, body: &J) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    resp
}

pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
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
