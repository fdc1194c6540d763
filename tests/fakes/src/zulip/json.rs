//! Zulip's wire format for JSON bodies: compact, keys in insertion order, `result` and `msg`
//! first, and a trailing newline (`orjson.dumps(..., option=OPT_APPEND_NEWLINE)`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) use crate::ordered_json::J;

/// `{"result": result, "msg": msg, ...data}` plus the trailing newline.
pub(crate) fn body(result: &str, msg: &str, data: Vec<(String, J)>) -> Vec<u8> {
    let mut pairs = vec![
        ("result".to_owned(), J::from(result)),
        ("msg".to_owned(), J::from(msg)),
    ];
    pairs.extend(data);
    let mut out = serde_json::to_vec(&J::O(pairs)).unwrap_or_default();
    out.push(b'\n');
    out
}

/// An `application/json` response with Zulip's framing.
pub(crate) fn response(
    status: StatusCode,
    result: &str,
    msg: &str,
    data: Vec<(String, J)>,
) -> Response {
    let mut resp = (status, body(result, msg, data)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `json_success(data)`.
pub(crate) fn success(data: Vec<(String, J)>) -> Response {
    response(StatusCode::OK, "success", "", data)
}
