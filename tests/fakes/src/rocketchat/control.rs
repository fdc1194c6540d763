//! Test control over HTTP, without auth, under `/__fake` (no Rocket.Chat path starts with
//! it): `GET /__fake/state` and `POST /__fake/fault` (optionally aimed at one method and path),
//! with the same JSON as the fake Zulip's.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::{self, Shared};

/// The state document served at `GET /__fake/state` (token values are never shown).
pub(crate) fn state_json(state: &state::State) -> serde_json::Value {
    let users: Vec<serde_json::Value> = state
        .config
        .users
        .iter()
        .map(|u| {
            let status = state.user_status(&u.user_id);
            let tokens = state.tokens.iter().filter(|t| t.user_id == u.user_id);
            let (personal, login): (Vec<_>, Vec<_>) = tokens.partition(|t| t.personal);
            json!({
                "user_id": u.user_id,
                "username": u.username,
                "email": u.email,
                "name": u.name,
                "permissions": u.permissions,
                "status": status.status,
                "status_text_set": status.text_set,
                "login_tokens": login.len(),
                "personal_access_tokens": personal.len(),
                "email_code_pending": state.email_codes.contains_key(&u.user_id),
            })
        })
        .collect();
    let custom: Vec<serde_json::Value> = state
        .custom_sorted()
        .iter()
        .map(|c| {
            json!({"_id": c.id, "name": c.name, "statusType": c.status_type, "_updatedAt": c.updated_at})
        })
        .collect();
    json!({
        "version": state.config.version,
        "settings": {
            "Accounts_AllowUserStatusMessageChange": state.config.allow_status_message_change,
            "Accounts_AllowInvisibleStatusOption": state.config.allow_invisible,
            "API_Enable_Rate_Limiter_Limit_Calls_Default": state.config.rate_limit_per_minute,
        },
        "users": users,
        "custom_statuses": custom,
        "pending_faults": state.faults.pending,
        "pending_targeted_faults": state.faults.targeted,
        "requests": state.requests,
    })
}

/// `GET /__fake/state`.
pub(crate) async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(state_json(&shared.lock())).into_response()
}

/// `POST /__fake/fault` with a JSON [`crate::rocketchat::Fault`] (see
/// [`crate::faults::parse_request`]), e.g. `{"kind":"hang","method":"POST","path":"/api/v1/users.setStatus"}`.
pub(crate) async fn post_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match shared.queue_fault(&body) {
        Ok(()) => Json(json!({"success": true})).into_response(),
        Err(error) => bad_fault(error),
    }
}

fn bad_fault(error: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"success": false, "error": error})),
    )
        .into_response()
}
