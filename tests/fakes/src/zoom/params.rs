//! Request parameters: form fields from an `application/x-www-form-urlencoded` body and the
//! query string (the body wins when both carry a name; the last occurrence wins in each).

use axum::http::HeaderMap;

use crate::form;

#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    pub body: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Params {
        Params {
            body: if form::is_urlencoded(headers) {
                form::pairs(body)
            } else {
                Vec::new()
            },
            query: form::query_pairs(query),
        }
    }

    /// Only the query string (for `GET /oauth/authorize`).
    pub(crate) fn query_only(query: Option<&str>) -> Params {
        Params {
            body: Vec::new(),
            query: form::query_pairs(query),
        }
    }

    /// The field from the body, else from the query string; empty counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        form::last(&self.body, name)
            .or_else(|| form::last(&self.query, name))
            .filter(|v| !v.is_empty())
    }
}
