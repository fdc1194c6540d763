//! Injectable faults: each applies once, before routing and authentication, as a misbehaving
//! proxy or server would. An untargeted fault hits the next request under `/api/v1`; a
//! [`TargetedFault`] waits for the next request with its exact method and path.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::error::ApiError;

/// Size of the [`Fault::Huge`] body before the final `{}`.
pub(crate) const HUGE_BODY_BYTES: usize = 50 * 1024 * 1024;

/// JSON form (for `POST /__fake/fault`): `{"kind":"rate_limit","retry_after":2.5}`,
/// `{"kind":"hang"}`, `{"kind":"garbage"}`, `{"kind":"huge"}`,
/// `{"kind":"redirect","location":"http://..."}`, `{"kind":"server_error"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// A 429 exactly as the vendor sends it, with this `retry-after`: for Zulip
    /// `RATE_LIMIT_HIT` with `Retry-After`; for Rocket.Chat `error-too-many-requests` with
    /// `X-RateLimit-Reset` this far ahead.
    RateLimit {
        #[serde(rename = "retry_after")]
        retry_after_secs: f64,
    },
    /// Accept the request and never answer (until the fake shuts down).
    Hang,
    /// 200 `text/html` with body `<html>not json`.
    Garbage,
    /// 200 `application/json`, 50 MiB of spaces streamed, then `{}`.
    Huge,
    /// 302 with this `Location`.
    Redirect { location: String },
    /// 500 `text/html` `<html><body>Internal Server Error</body></html>`.
    ServerError,
}

/// A fault waiting for the next request whose method and path are exactly these, e.g.
/// `POST` `/api/v1/users/me/status` (the path without query string). In `GET /__fake/state`
/// it shows as `{"method":"POST","path":"/api/v1/users/me/status","kind":"hang"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct TargetedFault {
    pub method: String,
    pub path: String,
    #[serde(flatten)]
    pub fault: Fault,
}

impl TargetedFault {
    /// Checks the target is one a request can have, so a typo fails loudly instead of the
    /// fault silently never firing.
    pub(crate) fn new(method: &str, path: &str, fault: Fault) -> Result<Self, String> {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "fault method {method:?} must be an upper-case HTTP method such as \"POST\""
            ));
        }
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(format!(
                "fault path {path:?} must be an absolute path without query, such as \
                 \"/api/v1/users/me/status\""
            ));
        }
        Ok(TargetedFault {
            method: method.to_owned(),
            path: path.to_owned(),
            fault,
        })
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }
}

fn html(status: StatusCode, body: &'static str) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// The response for `fault`. `shutdown` ends a hang when the fake stops.
pub(crate) async fn respond(fault: Fault, shutdown: watch::Receiver<bool>) -> Response {
    respond_with(fault, shutdown, |retry_after_secs| {
        ApiError::rate_limited(retry_after_secs).into_response()
    })
    .await
}

/// The response for `fault`, with the vendor's own 429 from `rate_limited(retry_after_secs)`;
/// every other kind looks the same whatever the vendor (shared with the other fakes).
pub(crate) async fn respond_with(
    fault: Fault,
    mut shutdown: watch::Receiver<bool>,
    rate_limited: impl FnOnce(f64) -> Response,
) -> Response {
    match fault {
        Fault::RateLimit { retry_after_secs } => rate_limited(retry_after_secs),
        Fault::Hang => {
            // Either the fake shuts down or the sender is gone: both mean "stop hanging".
            let _ = shutdown.wait_for(|stopping| *stopping).await;
            html(StatusCode::SERVICE_UNAVAILABLE, "")
        }
        Fault::Garbage => html(StatusCode::OK, "<html>not json"),
        Fault::Huge => {
            let chunk = Bytes::from(vec![b' '; 1024 * 1024]);
            let chunks = (0..HUGE_BODY_BYTES / chunk.len())
                .map(move |_| chunk.clone())
                .chain(std::iter::once(Bytes::from_static(b"{}")))
                .map(Ok::<Bytes, std::convert::Infallible>);
            let mut resp = Body::from_stream(futures_util::stream::iter(chunks)).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            resp
        }
        Fault::Redirect { location } => {
            let mut resp = StatusCode::FOUND.into_response();
            match HeaderValue::from_str(&location) {
                Ok(v) => {
                    resp.headers_mut().insert(header::LOCATION, v);
                }
                Err(_) => return html(StatusCode::INTERNAL_SERVER_ERROR, "bad redirect location"),
            }
            resp
        }
        Fault::ServerError => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><body>Internal Server Error</body></html>",
        ),
    }
}
