//! Request parameters the way Django/Zulip see them: form fields from an
//! `application/x-www-form-urlencoded` body (POST/PATCH) merged with the query string, the
//! last occurrence winning; non-string values JSON-encoded inside the field.

use std::collections::BTreeSet;

use axum::http::HeaderMap;

use super::error::ApiError;
use crate::form;

/// Feature level from which the fake words validation errors like Zulip's pydantic-based
/// `typed_endpoint` (`away is not valid JSON`) instead of the older `REQ` style
/// (`Argument "away" is not valid JSON.`). APPROXIMATE: the exact level of the migration
/// of these two views is not documented.
pub(crate) const TYPED_ENDPOINT_FL: u32 = 250;

#[derive(Clone, Debug, Default)]
pub(crate) struct Params {
    /// Body fields then query fields, each in request order.
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

    /// `request.POST.get(name)` falling back to `request.GET.get(name)`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        form::last(&self.body, name).or_else(|| form::last(&self.query, name))
    }

    /// Every parameter name sent, sorted (for `ignored_parameters_unsupported`).
    pub(crate) fn names(&self) -> BTreeSet<String> {
        self.body
            .iter()
            .chain(self.query.iter())
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// A `Json[bool]` parameter.
    pub(crate) fn json_bool(
        &self,
        name: &str,
        feature_level: u32,
    ) -> Result<Option<bool>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Bool(b)) => Ok(Some(b)),
            Ok(_) => Err(ApiError::bad_request(format!("{name} is not a boolean"))),
            Err(_) if feature_level >= TYPED_ENDPOINT_FL => {
                Err(ApiError::bad_request(format!("{name} is not valid JSON")))
            }
            Err(_) => Err(ApiError::bad_request(format!(
                "Argument \"{name}\" is not valid JSON."
            ))),
        }
    }
}
