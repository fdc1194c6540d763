//! Test control over HTTP, without auth, under `/__fake` (no Zulip path starts with it):
//! `GET /__fake/state` and `POST /__fake/fault` (optionally aimed at one method and path).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::{self, Shared};

/// The state document served at `GET /__fake/state`.
pub(crate) fn state_json(state: &state::State) -> serde_json::Value {
    let users: Vec<serde_json::Value> = state
        .config
        .users
        .iter()
        .map(|u| {
            json!({
                "user_id": u.user_id,
                "email": u.email,
                "full_name": u.full_name,
                "presence_enabled": state.presence_enabled(u.user_id),
                "status": state.status_of(u.user_id),
            })
        })
        .collect();
    json!({
        "zulip_feature_level": state.config.feature_level,
        "users": users,
        "pending_faults": state.faults.pending,
        "pending_targeted_faults": state.faults.targeted,
        "requests": state.requests,
    })
}

/// `GET /__fake/state`.
pub(crate) async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(state_json(&shared.lock())).into_response()
}

/// `POST /__fake/fault` with a JSON [`crate::zulip::Fault`] (see [`crate::faults::parse_request`]),
/// e.g. `{"kind":"hang","method":"POST","path":"/api/v1/users/me/status"}`.
pub(crate) async fn post_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match shared.queue_fault(&body) {
        Ok(()) => Json(json!({"result": "success"})).into_response(),
        Err(msg) => bad_fault(msg),
    }
}

fn bad_fault(msg: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"result": "error", "msg": msg})),
    )
        .into_response()
}
