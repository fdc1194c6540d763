//! A Web API call's arguments and token, read as Slack reads them
//! (<https://docs.slack.dev/apis/web-api/>, <https://docs.slack.dev/authentication/installing-with-oauth>):
//!
//! - query parameters on any call; on a `POST`, an `application/x-www-form-urlencoded` body
//!   or an `application/json` object (body members win over the query);
//! - the token from `Authorization: Bearer …`, else a `token` field of a form body. A JSON
//!   body's `token` is never read (a JSON body needs the header), and neither is a query
//!   string's (Slack stopped reading tokens there for newer apps; UNCONFIRMED which apps,
//!   so the fake takes the stricter reading: never);
//! - a JSON body that does not parse is `invalid_json`, one that is not an object
//!   `json_not_object`; a body without `Content-Type` is `missing_post_type`, one of another
//!   type `invalid_post_type` (UNCONFIRMED: Slack also lists `multipart/form-data` and
//!   `text/plain` as valid; the fake parses neither);
//! - JSON without `charset` and a form with one are accepted with the warnings
//!   `missing_charset` / `superfluous_charset`.

use axum::http::{header, HeaderMap, Method};
use serde_json::{Map, Value};

use super::error::SlackError;
use crate::form;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    None,
    Form,
    Json,
}

#[derive(Clone, Debug)]
pub(crate) struct Args {
    pub kind: BodyKind,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    json: Map<String, Value>,
    /// `missing_charset` / `superfluous_charset`, for the success body.
    pub warning: Option<&'static str>,
    bearer: Option<String>,
}

/// The token of `Authorization: Bearer <token>` (empty when the header says only `Bearer`).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// A JSON scalar as an argument string (Slack reads `"num_minutes": 5` like `"5"`).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Args {
    pub(crate) fn parse(
        method: &Method,
        headers: &HeaderMap,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Args, SlackError> {
        let mut args = Args {
            kind: BodyKind::None,
            query: form::query_pairs(query),
            form: Vec::new(),
            json: Map::new(),
            warning: None,
            bearer: bearer(headers),
        };
        if *method != Method::POST || body.is_empty() {
            return Ok(args);
        }
        let content_type = form::content_type(headers);
        let has_charset = content_type.contains("charset");
        if content_type.is_empty() {
            return Err(SlackError::new("missing_post_type"));
        }
        if form::is_urlencoded(headers) {
            args.kind = BodyKind::Form;
            args.form = form::pairs(body);
            args.warning = has_charset.then_some("superfluous_charset");
        } else if content_type.starts_with("application/json") {
            let value: Value =
                serde_json::from_slice(body).map_err(|_| SlackError::new("invalid_json"))?;
            let Value::Object(map) = value else {
                return Err(SlackError::new("json_not_object"));
            };
            args.kind = BodyKind::Json;
            args.json = map;
            args.warning = (!has_charset).then_some("missing_charset");
        } else {
            return Err(SlackError::new("invalid_post_type"));
        }
        Ok(args)
    }

    /// The token: the bearer header, else a form body's `token` field.
    pub(crate) fn token(&self) -> Option<String> {
        self.bearer
            .clone()
            .or_else(|| form::last(&self.form, "token").map(str::to_owned))
            .filter(|t| !t.is_empty())
    }

    /// An argument from the body (form field or JSON scalar), else the query string.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        form::last(&self.form, name)
            .map(str::to_owned)
            .or_else(|| self.json.get(name).and_then(scalar))
            .or_else(|| form::last(&self.query, name).map(str::to_owned))
    }

    /// An argument from a form body or the query string only (`dnd.setSnooze`'s page lists
    /// form encoding alone; UNCONFIRMED whether JSON works, so the fake does not read it).
    pub(crate) fn form_or_query(&self, name: &str) -> Option<String> {
        form::last(&self.form, name)
            .or_else(|| form::last(&self.query, name))
            .map(str::to_owned)
    }

    /// A member of a JSON body as sent (objects included).
    pub(crate) fn json_member(&self, name: &str) -> Option<&Value> {
        self.json.get(name)
    }

    /// `1`/`true` as Slack's booleans.
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(self.get(name).as_deref(), Some("1" | "true"))
    }
}
