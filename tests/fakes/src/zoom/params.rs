//! Request parameters: form fields from an `application/x-www-form-urlencoded` body and the
//! query string (the body wins when both carry a name; the last occurrence wins in each).

use axum::http::{header, HeaderMap};

#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pub body: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn last<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Params {
    pub(crate) fn parse(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Params {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        Params {
            body: if is_form { pairs(body) } else { Vec::new() },
            query: query.map(|q| pairs(q.as_bytes())).unwrap_or_default(),
        }
    }

    /// Only the query string (for `GET /oauth/authorize`).
    pub(crate) fn query_only(query: Option<&str>) -> Params {
        Params {
            body: Vec::new(),
            query: query.map(|q| pairs(q.as_bytes())).unwrap_or_default(),
        }
    }

    /// The field from the body, else from the query string; empty counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        last(&self.body, name)
            .or_else(|| last(&self.query, name))
            .filter(|v| !v.is_empty())
    }
}
