//! Zulip's wire format for JSON bodies: compact, keys in insertion order, `result` and `msg`
//! first, and a trailing newline (`orjson.dumps(..., option=OPT_APPEND_NEWLINE)`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their key order (serde_json's own map sorts keys).
#[derive(Clone, Debug)]
pub(crate) enum J {
    V(Value),
    O(Vec<(String, J)>),
}

impl J {
    pub(crate) fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, J)>) -> J {
        J::O(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl<T: Into<Value>> From<T> for J {
    fn from(v: T) -> J {
        J::V(v.into())
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::V(v) => v.serialize(s),
            J::O(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

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
