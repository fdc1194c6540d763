//! Request pipeline for everything outside `/__fake`, in `ApiClass.ts`'s order: record,
//! faults (untargeted ones only under `/api/`, targeted ones wherever they point), routing
//! (anything unrouted falls through to the web app), login check (401 before the rate
//! limiter, so without `X-RateLimit-*`), rate limit (per route and client IP; its headers
//! then go on every answer of the route), endpoint.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};

use super::auth;
use super::custom_status;
use super::endpoints;
use super::error::RcError;
use super::params::Params;
use super::rate_limit::RateInfo;
use super::recorded::RecordedRequest;
use super::routes::{fall_through, route, Endpoint};
use super::state::Shared;
use crate::faults;
use crate::runtime::FakeState;

/// The limit shown on an injected 429 when the fake's limiter is off.
const SHOWN_LIMIT_WHEN_OFF: u32 = 10;

struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    headers: &'a HeaderMap,
    params: &'a Params,
    ip: IpAddr,
    index: usize,
}

/// Routes one request (already recorded, no fault) to its endpoint.
fn handle(shared: &Shared, req: &Request<'_>) -> Response {
    let mut state = shared.lock();
    let Some(route) = route(req.method, req.path) else {
        return fall_through(req.method);
    };
    let caller = if route.auth_required {
        match auth::authenticate(&state, req.headers) {
            Some(caller) => Some(caller),
            None => return RcError::NotLoggedIn.into_response(),
        }
    } else {
        None
    };
    let limit = state.config.rate_limit_per_minute;
    let rate = match (&route.rate_rule, limit) {
        (Some(rule), 1..) => Some(state.limiter.hit(rule, req.ip, limit, Instant::now())),
        _ => None,
    };
    let mut resp = match rate {
        Some(rate) if !rate.allowed => RcError::TooManyRequests {
            seconds: rate.seconds_to_reset(),
        }
        .into_response(),
        _ => call(&mut state, shared, req, route.endpoint, caller),
    };
    if let Some(rate) = rate {
        rate.apply(resp.headers_mut());
    }
    resp
}

fn call(
    state: &mut super::state::State,
    shared: &Shared,
    req: &Request<'_>,
    endpoint: Endpoint,
    caller: Option<(super::config::RcUser, String)>,
) -> Response {
    let params = req.params;
    let result = match (endpoint, caller) {
        (Endpoint::Info, _) => Ok(endpoints::info(state)),
        (Endpoint::Login, _) => Ok(auth::login(state, req.headers, params, &shared.base_url)),
        (_, None) => Err(RcError::NotLoggedIn),
        (Endpoint::Logout, Some((_, token))) => Ok(auth::logout(state, &token)),
        (Endpoint::Me, Some((user, _))) => Ok(endpoints::me(state, &user, &shared.base_url)),
        (Endpoint::SetStatus, Some((user, _))) => {
            endpoints::set_status(state, &user, params, req.index)
        }
        (Endpoint::GetStatus, Some((user, _))) => endpoints::get_status(state, &user, params),
        (Endpoint::UsersInfo, Some(_)) => endpoints::users_info(state, params),
        (Endpoint::CustomList, Some(_)) => custom_status::list(state, params),
        (Endpoint::CustomCreate, Some((user, _))) => custom_status::create(state, &user, params),
        (Endpoint::CustomUpdate, Some((user, _))) => custom_status::update(state, &user, params),
        (Endpoint::CustomDelete, Some((user, _))) => custom_status::delete(state, &user, params),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Rocket.Chat's own 429 for an injected `Fault::RateLimit`, headers included.
fn injected_rate_limit(limit: u32, retry_after_secs: f64) -> Response {
    let secs = if retry_after_secs.is_finite() {
        retry_after_secs.clamp(0.0, 1e9)
    } else {
        0.0
    };
    let rate = RateInfo {
        limit: if limit == 0 {
            SHOWN_LIMIT_WHEN_OFF
        } else {
            limit
        },
        remaining: 0,
        time_to_reset: Duration::from_secs_f64(secs),
        allowed: false,
    };
    let mut resp = RcError::TooManyRequests {
        seconds: rate.seconds_to_reset(),
    }
    .into_response();
    rate.apply(resp.headers_mut());
    resp
}

/// The axum fallback handler: every request outside `/__fake`.
pub(crate) async fn any_request(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(&headers, uri.query(), &body);
    let path = uri.path();
    let is_api = path.starts_with("/api/");
    let (index, pending, limit) = {
        let mut state = shared.lock();
        let index = state.record(RecordedRequest {
            at: chrono::Utc::now().to_rfc3339(),
            method: method.to_string(),
            path: path.to_owned(),
            query: uri.query().unwrap_or_default().to_owned(),
            body: params.recorded_body(),
            auth_user_id: auth::user_id_hint(&headers),
            status: None,
            truncation: None,
        });
        let pending = state.faults.take(method.as_str(), path, is_api);
        (index, pending, state.config.rate_limit_per_minute)
    };
    let (late, pending) = faults::split_late(pending);
    let resp = match pending {
        Some(fault) => {
            faults::respond_with(fault, shared.shutdown.clone(), |secs| {
                injected_rate_limit(limit, secs)
            })
            .await
        }
        None => {
            let req = Request {
                method: &method,
                path,
                headers: &headers,
                params: &params,
                ip: peer.ip(),
                index,
            };
            handle(&shared, &req)
        }
    };
    faults::hold_back(late, shared.shutdown.clone()).await;
    shared.answered(index, &resp);
    resp
}
