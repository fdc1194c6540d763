//! Request pipeline for everything outside `/__fake`: record, faults (untargeted ones only
//! under `/v2/`, targeted ones wherever they point), routing, then the OAuth endpoints or
//! bearer authentication and the API endpoint.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::api_auth;
use super::authorize;
use super::clock::iso;
use super::error::ApiError;
use super::params::Params;
use super::presence;
use super::recorded::RecordedRequest;
use super::reply;
use super::routes::{route, Route, API_PREFIX};
use super::state::Shared;
use super::token_endpoint;
use super::users;
use crate::faults;
use crate::runtime::FakeState;

/// Zoom's per-second 429 [3p, verbatim body]. UNCONFIRMED: that it carries `Retry-After`
/// (whole seconds, rounded up); Zoom documents the header for daily limits.
fn rate_limited(retry_after_secs: f64) -> Response {
    let secs = if retry_after_secs.is_finite() {
        retry_after_secs.clamp(0.0, 1e9).ceil()
    } else {
        0.0
    };
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        429,
        "You have reached the maximum per-second rate limit for this API. Try again later.",
    )
    .with_header(HeaderName::from_static("retry-after"), format!("{secs:.0}"))
    .into_response()
}

/// Routes one request (already recorded, no fault).
fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let mut state = shared.lock();
    let path = uri.path();
    let api = |route: Route, state: &mut super::state::State| {
        let caller = match api_auth::authenticate(state, headers) {
            Ok(caller) => caller,
            Err(err) => return err.into_response(),
        };
        match route {
            Route::GetUser(id) => users::get(state, &caller, &id),
            Route::GetPresence(id) => presence::get(state, &caller, &id),
            Route::PutPresence(id) => presence::put(state, &caller, &id, body),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    };
    match route(method, path) {
        Route::Authorize => authorize::handle(&mut state, uri.query()),
        Route::Token => {
            let params = Params::parse(headers, uri.query(), body);
            token_endpoint::handle(&mut state, headers, &params, &shared.base_url)
        }
        r @ (Route::GetUser(_) | Route::GetPresence(_) | Route::PutPresence(_)) => {
            api(r, &mut state)
        }
        // UNCONFIRMED: Zoom's answers for unknown paths and methods.
        Route::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        Route::NotFound if path.starts_with(API_PREFIX) => {
            ApiError::new(StatusCode::NOT_FOUND, 404, "Not Found").into_response()
        }
        Route::NotFound => reply::html(StatusCode::NOT_FOUND, "Not Found".to_owned()),
    }
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> usize {
    let mut state = shared.lock();
    let at = iso(state.now());
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
        None => handle(&shared, &method, &uri, &headers, &body),
    };
    faults::hold_back(late, shared.shutdown.clone()).await;
    shared.answered(index, &resp);
    resp
}
