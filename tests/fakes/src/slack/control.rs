//! Test control over HTTP, without auth, under `/__fake` (no Slack path starts with it):
//!
//! - `GET /__fake/state`: the team, people (profile status, presence, snooze end, accepted
//!   profile writes), the browser user, issued codes and tokens (counts only), pending
//!   faults, recorded requests.
//! - `POST /__fake/fault`: a [`crate::slack::Fault`], optionally aimed at one method and path.
//! - `POST /__fake/clock` `{"advance_seconds": N}`: moves the fake clock forward.
//! - `POST /__fake/status` `{"user": "U…", "status_text": "…", "status_emoji": ":x:",
//!   "status_expiration": 0}`: the person sets a status in Slack's own app.
//! - `POST /__fake/revoke` `{"user": "U…"}`: every token of the person answers
//!   `token_revoked` (the app was uninstalled).
//! - `POST /__fake/expire_tokens`: rotating access tokens answer `token_expired`.
//!
//! Success is `{"ok": true}`; a bad request is 400 `{"ok": false, "error": "..."}`.

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
use super::profile::SlackProfile;
use super::state::{self, Shared};
use super::tokens::RefreshState;

/// The state document served at `GET /__fake/state` (token values are never shown).
pub(crate) fn state_json(state: &state::State) -> Value {
    let now = state.now();
    let people: Vec<Value> = state
        .config
        .users
        .iter()
        .map(|u| {
            json!({
                "id": u.id,
                "name": u.name,
                "is_bot": u.is_bot,
                "profile": state.profile(&u.id),
                "presence": state.presence(&u.id),
                "snooze_end": state.snooze_end(&u.id),
                "profile_writes": state.profile_writes(&u.id),
            })
        })
        .collect();
    let tokens = &state.tokens;
    let live =
        |t: &&super::tokens::AccessToken| !t.revoked && t.expires_at.is_none_or(|end| end > now);
    json!({
        "now": iso(state.clock.now()),
        "team": {"id": state.config.team_id, "name": state.config.team_name},
        "users": people,
        "custom_emoji": state.config.custom_emoji,
        "apps": state.config.apps.iter().map(|a| json!({
            "app_id": a.app_id,
            "client_id": a.client_id,
            "redirect_urls": a.redirect_urls,
            "pkce": a.pkce,
            "token_rotation": a.token_rotation,
        })).collect::<Vec<_>>(),
        "browser_user": state.config.browser_user,
        "decline_consent": state.config.decline_consent,
        "rate_limits": state.config.rate_limits,
        "codes_issued": tokens.codes.len(),
        "access_tokens": tokens.access.len(),
        "access_tokens_live": tokens.access.iter().filter(live).count(),
        "refresh_tokens_live": tokens.refresh.iter().filter(|t| t.state == RefreshState::Live).count(),
        "pending_faults": state.faults.pending,
        "pending_targeted_faults": state.faults.targeted,
        "requests": state.requests,
    })
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
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
        Ok(()) => ok(),
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
    shared.lock().clock.advance(by);
    ok()
}

#[derive(Deserialize)]
struct StatusRequest {
    user: String,
    #[serde(default)]
    status_text: String,
    #[serde(default)]
    status_emoji: String,
    #[serde(default)]
    status_expiration: i64,
}

/// `POST /__fake/status`.
pub(crate) async fn post_status(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse::<StatusRequest>(&body) {
        Ok(r) => r,
        Err(error) => return bad(error),
    };
    let mut state = shared.lock();
    if state.user(&request.user).is_none() {
        return bad(format!("no user {:?}", request.user));
    }
    let profile = SlackProfile {
        status_text: request.status_text,
        status_emoji: request.status_emoji,
        status_expiration: request.status_expiration,
    };
    state.set_profile(&request.user, profile, false);
    ok()
}

#[derive(Deserialize)]
struct RevokeRequest {
    user: String,
}

/// `POST /__fake/revoke`.
pub(crate) async fn post_revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<RevokeRequest>(&body) {
        Ok(r) => {
            shared.lock().tokens.revoke_user(&r.user);
            ok()
        }
        Err(error) => bad(error),
    }
}

/// `POST /__fake/expire_tokens`.
pub(crate) async fn post_expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let mut state = shared.lock();
    let now = state.now();
    state.tokens.expire_rotating(now);
    ok()
}
