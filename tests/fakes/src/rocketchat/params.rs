//! `this.bodyParams` and `this.queryParams` as the server's body parsers produce them: a JSON
//! object for `application/json`, string fields for `application/x-www-form-urlencoded`
//! (a repeated field becomes an array, like `qs`), nothing for any other body.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::form;

/// Body fields never recorded: the password and a `resume` login token.
const SECRET_FIELDS: [&str; 2] = ["password", "resume"];

#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pub body: Map<String, Value>,
    /// Query fields in request order.
    pub query: Vec<(String, String)>,
}

impl Params {
    /// UNCONFIRMED: a JSON body that does not parse (or is not an object) is taken as `{}`,
    /// so each endpoint answers with its own missing-parameter error.
    pub(crate) fn parse(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Params {
        let content_type = form::content_type(headers);
        let body = if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            let mut map = Map::new();
            for (k, v) in form_urlencoded::parse(body) {
                let v = Value::from(v.into_owned());
                match map.get_mut(k.as_ref()) {
                    Some(Value::Array(items)) => items.push(v),
                    Some(existing) => *existing = Value::Array(vec![existing.take(), v]),
                    None => {
                        map.insert(k.into_owned(), v);
                    }
                }
            }
            map
        } else {
            Map::new()
        };
        Params {
            body,
            query: form::query_pairs(query),
        }
    }

    /// The body with secrets replaced by `"<redacted>"`, for the request log.
    pub(crate) fn recorded_body(&self) -> Value {
        let mut body = self.body.clone();
        for name in SECRET_FIELDS {
            if let Some(v) = body.get_mut(name) {
                *v = Value::from("<redacted>");
            }
        }
        Value::Object(body)
    }

    /// A query field (the last one if repeated).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A body field that is a string.
    pub(crate) fn body_str(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }
}

/// JavaScript truthiness of an optional JSON value (`undefined` is `None`).
pub(crate) fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// `typeof value` as Meteor's `check` names it in "Expected string, got <type>".
pub(crate) fn js_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) | Value::Object(_) => "object",
    }
}
