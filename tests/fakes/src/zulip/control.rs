//! Test control over HTTP, without auth, under `/__fake` (no Zulip path starts with it):
//! `GET /__fake/state` and `POST /__fake/fault` (optionally aimed at one method and path).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::fault::{Fault, TargetedFault};
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
        "pending_faults": state.faults,
        "pending_targeted_faults": state.targeted_faults,
        "requests": state.requests,
    })
}

/// `GET /__fake/state`.
pub(crate) async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(state_json(&shared.lock())).into_response()
}

/// The body of `POST /__fake/fault`: a [`Fault`] plus, to target it, both `method` and `path`.
#[derive(Deserialize)]
struct FaultRequest {
    method: Option<String>,
    path: Option<String>,
    #[serde(flatten)]
    fault: Fault,
}

/// `POST /__fake/fault` with a JSON [`Fault`], e.g. `{"kind":"rate_limit","retry_after":2.5}`
/// for the next API request, or with `"method"` and `"path"` for the next request to exactly
/// that, e.g. `{"kind":"hang","method":"POST","path":"/api/v1/users/me/status"}`.
pub(crate) async fn post_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match serde_json::from_slice::<FaultRequest>(&body) {
        Ok(request) => request,
        Err(err) => return bad_fault(format!("bad fault: {err}")),
    };
    match (request.method, request.path) {
        (None, None) => shared.lock().faults.push_back(request.fault),
        (Some(method), Some(path)) => match TargetedFault::new(&method, &path, request.fault) {
            Ok(targeted) => shared.lock().targeted_faults.push(targeted),
            Err(err) => return bad_fault(format!("bad fault: {err}")),
        },
        _ => return bad_fault("bad fault: give both \"method\" and \"path\", or neither".into()),
    }
    Json(json!({"result": "success"})).into_response()
}

fn bad_fault(msg: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"result": "error", "msg": msg})),
    )
        .into_response()
}
