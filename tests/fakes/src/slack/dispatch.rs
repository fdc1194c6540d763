//! Request pipeline for everything outside `/__fake`: record, faults (untargeted ones only
//! for requests under `/api/`, targeted ones wherever they point), then the consent page
//! (`/oauth/v2/authorize`) or a Web API call (`/api/<method>`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::api::{self, Call};
use super::authorize;
use super::clock::iso;
use super::error::SlackError;
use super::recorded::RecordedRequest;
use super::reply;
use super::state::Shared;
use crate::faults;
use crate::runtime::FakeState;

/// The prefix of the Web API.
pub(crate) const API_PREFIX: &str = "/api/";

/// A [`faults::Fault::RateLimit`]: Slack's own 429 (`Retry-After` in whole seconds, rounded
/// up).
fn rate_limited(retry_after_secs: f64) -> Response {
    let secs = if retry_after_secs.is_finite() {
        retry_after_secs.clamp(0.0, 1e9).ceil() as u64
    } else {
        0
    };
    let mut resp = SlackError::ratelimited(secs).into_response();
    resp.headers_mut()
        .insert("x-oauth-scopes", axum::http::HeaderValue::from_static(""));
    resp
}

/// Routes one request (already recorded, no fault).
fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    index: usize,
) -> Response {
    let mut state = shared.lock();
    let path = uri.path();
    if path == "/oauth/v2/authorize" {
        return if *method == Method::GET {
            authorize::handle(&mut state, uri.query())
        } else {
            StatusCode::METHOD_NOT_ALLOWED.into_response()
        };
    }
    let Some(name) = path.strip_prefix(API_PREFIX) else {
        return reply::html(StatusCode::NOT_FOUND, "Not Found".to_owned());
    };
    // UNCONFIRMED: Slack's answer to other HTTP methods.
    if *method != Method::GET && *method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let call = Call {
        method,
        name,
        headers,
        query: uri.query(),
        body,
        index,
    };
    api::answer(&mut state, &call)
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> usize {
    let mut state = shared.lock();
    let at = iso(state.clock.now());
    state.record(RecordedRequest {
        at,
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(body).into_owned(),
        user_id: None,
        status: None,
    })
}

/// The axum fallback handler: every request outside `/__fake`.
pub(crate) async fn any_request(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = record(&shared, &method, &uri, &headers, &body);
    let path = uri.path();
    let pending = shared
        .lock()
        .faults
        .take(method.as_str(), path, path.starts_with(API_PREFIX));
    let (late, pending) = faults::split_late(pending);
    let resp = match pending {
        Some(fault) => faults::respond_with(fault, shared.shutdown.clone(), rate_limited).await,
        None => handle(&shared, &method, &uri, &headers, &body, index),
    };
    faults::hold_back(late, shared.shutdown.clone()).await;
    shared.answered(index, &resp);
    resp
}
