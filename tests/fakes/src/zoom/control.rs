//! Test control over HTTP, without auth, under `/__fake` (no Zoom path starts with it):
//!
//! - `GET /__fake/state`: users (presence, last update, flags), the browser, issued codes
//!   and tokens (counts only), pending faults, recorded requests.
//! - `POST /__fake/fault`: a [`crate::zoom::Fault`], optionally aimed at one method and path.
//! - `POST /__fake/clock` `{"advance_seconds": N}`: moves the fake clock forward.
//! - `POST /__fake/user` `{"id": "<id or email>", "signed_in_to_client": bool,
//!   "client_version": "5.2.0"}` (both flags optional).
//! - `POST /__fake/browser` `{"user": "<id or email>", "deny": bool}` (both optional).
//! - `POST /__fake/redirect_url` `{"client_id": "...", "url": "..."}`: registers a redirect
//!   URL on a user-managed app.
//! - `POST /__fake/expire_tokens`, `POST /__fake/revoke_refresh_tokens`.
//!
//! Success is `{"ok": true}` (with `"now"` for the clock); a bad request is 400
//! `{"ok": false, "error": "..."}`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::clock::iso;
use super::state::{self, Shared};
use super::tokens::RefreshState;

/// The state document served at `GET /__fake/state` (token values are never shown).
pub(crate) fn state_json(state: &state::State) -> Value {
    let now = state.now();
    let users: Vec<Value> = state
        .config
        .users
        .iter()
        .map(|u| {
            let presence = state.presence(&u.id);
            json!({
                "id": u.id,
                "email": u.email,
                "account_id": u.account_id,
                "role_name": u.role_name,
                "signed_in_to_client": u.signed_in_to_client,
                "client_version": u.client_version,
                "presence": {
                    "status": presence.status,
                    "duration_minutes": presence.duration_minutes,
                    "end_time": presence.end_time.map(iso),
                },
                "last_update": state.last_update(&u.id).map(iso),
                "updates": state.updates(&u.id),
            })
        })
        .collect();
    let tokens = &state.tokens;
    json!({
        "now": iso(now),
        "users": users,
        "apps": state.config.apps,
        "browser_user": state.config.browser_user,
        "deny_consent": state.config.deny_consent,
        "codes_issued": tokens.codes.len(),
        "access_tokens_issued": tokens.access.len(),
        "access_tokens_valid": tokens.access.iter().filter(|t| t.expires_at > now).count(),
        "server_to_server_tokens_issued": tokens.access.iter().filter(|t| t.server_to_server).count(),
        "refresh_tokens_issued": tokens.refresh.len(),
        "refresh_tokens_live": tokens.refresh.iter().filter(|t| t.state == RefreshState::Live).count(),
        "pending_faults": state.faults.pending,
        "pending_targeted_faults": state.faults.targeted,
        "requests": state.requests,
    })
}

fn ok(extra: Value) -> Response {
    let mut body = json!({"ok": true});
    if let (Some(all), Value::Object(extra)) = (body.as_object_mut(), extra) {
        all.extend(extra);
    }
    Json(body).into_response()
}

fn bad(error: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"ok": false, "error": error.into()})),
    )
        .into_response()
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|err| format!("bad request: {err}"))
}

/// `GET /__fake/state`.
pub(crate) async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(state_json(&shared.lock())).into_response()
}

/// `POST /__fake/fault` (see [`crate::faults::parse_request`]).
pub(crate) async fn post_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match shared.queue_fault(&body) {
        Ok(()) => ok(Value::Null),
        Err(error) => bad(error),
    }
}

#[derive(Deserialize)]
struct ClockRequest {
    advance_seconds: f64,
}

/// `POST /__fake/clock`.
pub(crate) async fn post_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse::<ClockRequest>(&body) {
        Ok(r) => r,
        Err(error) => return bad(error),
    };
    let Ok(by) = Duration::try_from_secs_f64(request.advance_seconds) else {
        return bad("advance_seconds must be a non-negative number");
    };
    let mut state = shared.lock();
    state.clock.advance(by);
    ok(json!({"now": iso(state.now())}))
}

#[derive(Deserialize)]
struct UserRequest {
    id: String,
    signed_in_to_client: Option<bool>,
    client_version: Option<String>,
}

/// `POST /__fake/user`.
pub(crate) async fn post_user(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse::<UserRequest>(&body) {
        Ok(r) => r,
        Err(error) => return bad(error),
    };
    let mut state = shared.lock();
    let Some(user) = state.user_mut(&request.id) else {
        return bad(format!("no user {:?}", request.id));
    };
    if let Some(signed_in) = request.signed_in_to_client {
        user.signed_in_to_client = signed_in;
    }
    if let Some(version) = request.client_version {
        user.client_version = version;
    }
    ok(Value::Null)
}

#[derive(Deserialize)]
struct BrowserRequest {
    user: Option<String>,
    deny: Option<bool>,
}

/// `POST /__fake/browser`.
pub(crate) async fn post_browser(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse::<BrowserRequest>(&body) {
        Ok(r) => r,
        Err(error) => return bad(error),
    };
    let mut state = shared.lock();
    if let Some(user) = request.user {
        let Some(id) = state.user(&user).map(|u| u.id.clone()) else {
            return bad(format!("no user {user:?}"));
        };
        state.config.browser_user = id;
    }
    if let Some(deny) = request.deny {
        state.config.deny_consent = deny;
    }
    ok(Value::Null)
}

#[derive(Deserialize)]
struct RedirectRequest {
    client_id: String,
    url: String,
}

/// `POST /__fake/redirect_url`.
pub(crate) async fn post_redirect_url(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse::<RedirectRequest>(&body) {
        Ok(r) => r,
        Err(error) => return bad(error),
    };
    if shared
        .lock()
        .add_redirect_url(&request.client_id, &request.url)
    {
        ok(Value::Null)
    } else {
        bad(format!("no user-managed app {:?}", request.client_id))
    }
}

/// `POST /__fake/expire_tokens`.
pub(crate) async fn post_expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let mut state = shared.lock();
    let now = state.now();
    state.tokens.expire_access(now);
    ok(Value::Null)
}

/// `POST /__fake/revoke_refresh_tokens`.
pub(crate) async fn post_revoke_refresh_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().tokens.revoke_refresh();
    ok(Value::Null)
}
