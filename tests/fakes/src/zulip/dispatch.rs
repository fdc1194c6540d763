//! Request pipeline for everything outside `/__fake`: record, faults (untargeted ones only
//! under `/api/v1`, targeted ones wherever they point), routing (404/405 before
//! auth, like Zulip's `rest_dispatch`), authentication, rate limit, endpoint, and the
//! `X-RateLimit-*` headers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::auth;
use super::endpoints::{self, Endpoint};
use super::error::ApiError;
use super::params::Params;
use super::rate_limit::RateInfo;
use super::recorded::RecordedRequest;
use super::routes::{method_not_allowed, not_found, routes};
use super::state::Shared;
use crate::faults::{self, Fault};
use crate::runtime::FakeState;

const API_PREFIX: &str = "/api/v1/";

/// Routes one API request (already recorded, no fault) to its endpoint.
fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Response {
    let mut state = shared.lock();
    let limit = state.config.rate_limit_per_minute;
    if state.base_url().is_empty() {
        state.set_base_url(&shared.base_url);
    }
    let Some(routes) = path
        .strip_prefix(API_PREFIX)
        .and_then(|p| routes(p, state.config.feature_level))
    else {
        let mut resp = not_found();
        RateInfo::unused(limit).apply(resp.headers_mut());
        return resp;
    };
    let wanted = if *method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let Some(endpoint) = routes
        .iter()
        .find(|(m, _)| *m == wanted)
        .map(|(_, e)| e.clone())
    else {
        let mut allowed: Vec<Method> = routes.iter().map(|(m, _)| m.clone()).collect();
        if allowed.contains(&Method::GET) {
            allowed.push(Method::HEAD);
        }
        let mut resp = method_not_allowed(&allowed);
        RateInfo::unused(limit).apply(resp.headers_mut());
        return resp;
    };
    if endpoint == Endpoint::ServerSettings {
        let mut resp = endpoints::server_settings(&state, &shared.base_url);
        RateInfo::unused(limit).apply(resp.headers_mut());
        return resp;
    }
    let user = match auth::authenticate(&state, headers) {
        Ok(user) => user,
        Err(err) => {
            let mut resp = err.into_response();
            RateInfo::unused(limit).apply(resp.headers_mut());
            return resp;
        }
    };
    let rate = state.limiter.hit(user.user_id, limit, Instant::now());
    let mut resp = if rate.over_limit {
        ApiError::rate_limited(rate.secs_to_freedom).into_response()
    } else {
        endpoints::call(&mut state, &user, endpoint, params)
    };
    rate.apply(resp.headers_mut());
    resp
}

fn record(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    params: &Params,
) -> usize {
    shared.lock().record(RecordedRequest {
        at: chrono::Utc::now().to_rfc3339(),
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        form: params.body.clone(),
        auth_email: auth::email_hint(headers),
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
    let params = Params::parse(&headers, uri.query(), &body);
    let index = record(&shared, &method, &uri, &headers, &params);
    let path = uri.path();
    let is_api = path.starts_with(API_PREFIX);
    let (pending, limit) = {
        let mut state = shared.lock();
        (
            state.faults.take(method.as_str(), path, is_api),
            state.config.rate_limit_per_minute,
        )
    };
    let (late, pending) = faults::split_late(pending);
    let resp = match pending {
        Some(fault) => {
            // An injected 429 looks like a real one, headers included.
            let rate = match &fault {
                Fault::RateLimit { retry_after_secs } => Some(RateInfo {
                    limit,
                    remaining: 0,
                    secs_to_freedom: *retry_after_secs,
                    over_limit: true,
                }),
                _ => None,
            };
            let mut resp = faults::respond_with(fault, shared.shutdown.clone(), |secs| {
                ApiError::rate_limited(secs).into_response()
            })
            .await;
            if let Some(rate) = rate {
                rate.apply(resp.headers_mut());
            }
            resp
        }
        // The emoji data is a static file: no authentication, no rate limit.
        None if path == endpoints::EMOJI_DATA_PATH
            && matches!(method, Method::GET | Method::HEAD) =>
        {
            let renames = shared.lock().config.unicode_renames.clone();
            axum::Json(super::emoji_table::code_to_names_json(&renames)).into_response()
        }
        None if !is_api => (StatusCode::NOT_FOUND, "Not Found").into_response(),
        None => handle(&shared, &method, path, &headers, &params),
    };
    faults::hold_back(late, shared.shutdown.clone()).await;
    shared.answered(index, &resp);
    resp
}
