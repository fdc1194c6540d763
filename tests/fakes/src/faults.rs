//! Injectable faults, the same for every fake: each applies once, before routing and
//! authentication, as a misbehaving proxy or server would. An untargeted fault hits the next
//! API request (under `/api/v1` for Zulip, `/api/` for Rocket.Chat); a [`TargetedFault`] waits
//! for the next request with its exact method and path. [`FaultQueues`] holds both kinds, and
//! [`parse_request`] reads the body of `POST /__fake/fault`.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// Size of the [`Fault::Huge`] body before the final `{}`.
pub(crate) const HUGE_BODY_BYTES: usize = 50 * 1024 * 1024;

/// JSON form (for `POST /__fake/fault`): `{"kind":"rate_limit","retry_after":2.5}`,
/// `{"kind":"hang"}`, `{"kind":"garbage"}`, `{"kind":"huge"}`,
/// `{"kind":"redirect","location":"http://..."}`, `{"kind":"server_error"}`,
/// `{"kind":"ok200","body":"null"}`, `{"kind":"late","seconds":2}`.
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
    /// 200 `application/json` with exactly this body (`""`, `null`, `[]`,
    /// `{"success":false}`): a success status that is not the service saying success.
    Ok200 { body: String },
    /// The request is handled as usual (its change takes effect at once), and the answer
    /// leaves this many seconds later: a response that arrives late.
    Late { seconds: f64 },
}

/// A [`Fault::Late`] taken out of `fault`: how long to hold the normal answer back, and
/// any other fault, which replaces the answer.
pub(crate) fn split_late(fault: Option<Fault>) -> (Option<std::time::Duration>, Option<Fault>) {
    match fault {
        Some(Fault::Late { seconds }) => (
            Some(std::time::Duration::from_secs_f64(
                seconds.clamp(0.0, 600.0),
            )),
            None,
        ),
        other => (None, other),
    }
}

/// Holds an answer back for `late`, or until the fake shuts down.
pub(crate) async fn hold_back(
    late: Option<std::time::Duration>,
    mut shutdown: watch::Receiver<bool>,
) {
    if let Some(late) = late {
        tokio::select! {
            () = tokio::time::sleep(late) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => {}
        }
    }
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

/// The faults waiting for requests.
#[derive(Debug, Default)]
pub(crate) struct FaultQueues {
    /// For the next API request, oldest first.
    pub pending: VecDeque<Fault>,
    /// Each for the next request with its method and path, oldest first.
    pub targeted: Vec<TargetedFault>,
}

impl FaultQueues {
    /// Queues `fault` for the next API request.
    pub(crate) fn push(&mut self, fault: Fault) {
        self.pending.push_back(fault);
    }

    /// Queues `targeted` for the next request to its method and path.
    pub(crate) fn push_targeted(&mut self, targeted: TargetedFault) {
        self.targeted.push(targeted);
    }

    /// Queues what `POST /__fake/fault` asked for.
    pub(crate) fn queue(&mut self, order: FaultOrder) {
        match order {
            FaultOrder::Next(fault) => self.push(fault),
            FaultOrder::Targeted(targeted) => self.push_targeted(targeted),
        }
    }

    /// The fault for a request, removed from its queue: the next untargeted one if the
    /// request is an API request (it is "the next request"), else the oldest one targeted at
    /// exactly this method and path.
    pub(crate) fn take(&mut self, method: &str, path: &str, is_api: bool) -> Option<Fault> {
        if is_api {
            if let Some(fault) = self.pending.pop_front() {
                return Some(fault);
            }
        }
        let index = self.targeted.iter().position(|t| t.matches(method, path))?;
        Some(self.targeted.remove(index).fault)
    }
}

/// The body of `POST /__fake/fault`: a [`Fault`] plus, to target it, both `method` and `path`.
#[derive(Deserialize)]
struct FaultRequest {
    method: Option<String>,
    path: Option<String>,
    #[serde(flatten)]
    fault: Fault,
}

/// A fault asked for over `POST /__fake/fault`, and which queue it goes on.
#[derive(Debug)]
pub(crate) enum FaultOrder {
    Next(Fault),
    Targeted(TargetedFault),
}

/// Reads the body of `POST /__fake/fault`: a JSON [`Fault`], e.g.
/// `{"kind":"rate_limit","retry_after":2.5}`, for the next API request, or with `"method"` and
/// `"path"` for the next request to exactly that, e.g.
/// `{"kind":"hang","method":"POST","path":"/api/v1/users/me/status"}`. `Err` is the message
/// for the 400 (`bad fault: ...`).
pub(crate) fn parse_request(body: &[u8]) -> Result<FaultOrder, String> {
    let request =
        serde_json::from_slice::<FaultRequest>(body).map_err(|err| format!("bad fault: {err}"))?;
    match (request.method, request.path) {
        (None, None) => Ok(FaultOrder::Next(request.fault)),
        (Some(method), Some(path)) => TargetedFault::new(&method, &path, request.fault)
            .map(FaultOrder::Targeted)
            .map_err(|err| format!("bad fault: {err}")),
        _ => Err("bad fault: give both \"method\" and \"path\", or neither".into()),
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

/// The response for `fault`, with the vendor's own 429 from `rate_limited(retry_after_secs)`;
/// every other kind looks the same whatever the vendor. `shutdown` ends a hang when the fake
/// stops.
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
        // Split off by the fakes before they answer (see `split_late`); answered at once here.
        Fault::Late { .. } => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "late fault not split off",
        ),
        Fault::Ok200 { body } => {
            let mut resp = (StatusCode::OK, body).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            resp
        }
    }
}
