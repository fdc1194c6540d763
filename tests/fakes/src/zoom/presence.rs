//! `GET` and `PUT /v2/users/{userId}/presence_status` [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>], [rivet users.d.ts].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;

use super::api_auth::{Caller, READ_PRESENCE, UPDATE_PRESENCE};
use super::clock::iso;
use super::error::ApiError;
use super::presence_rules::{self, DND};
use super::reply::{self, J};
use super::state::State;
use super::users::{resolve, same_account};

/// The one-update-per-minute rule, per user.
const MIN_INTERVAL: Duration = Duration::seconds(60);

/// [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>], verbatim.
const FAILED: &str = "Request to update the presence status of this user failed.";
const NO_PERMISSION: &str =
    "Unauthorized request. You do not have permission to update the presence status of this user.";
const TOO_MANY: &str = "Too many requests submitted to update the presence status of this user. \
                        Please wait for the request to be processed and try again later.";

/// `{"status": ...}`, or for the caller's own DND with an end also `end_time` (ISO 8601 UTC)
/// and `remaining_time` (SDKs document these only for a user asking about itself).
/// UNCONFIRMED: `remaining_time` is whole minutes left (rounded up); the unit is not
/// documented. UNCONFIRMED: the DND status is spelled `Do_Not_Disturb` here (the newest
/// SDK schema spells this variant `Do_No_Disturb`).
pub(crate) fn get(state: &State, caller: &Caller, user_ref: &str) -> Response {
    let result = resolve(state, caller, user_ref).and_then(|target| {
        caller.require(READ_PRESENCE, &target)?;
        same_account(caller, &target, user_ref)?;
        let presence = state.presence(&target.id);
        let mut pairs = vec![("status", J::from(presence.status))];
        if let (Some(end), true) = (presence.end_time, caller.is(&target)) {
            let left = (end - state.now()).num_seconds().max(0);
            pairs.push(("end_time", J::from(iso(end))));
            pairs.push(("remaining_time", J::from((left + 59) / 60)));
        }
        Ok(reply::json(StatusCode::OK, &J::obj(pairs)))
    });
    result.unwrap_or_else(IntoResponse::into_response)
}

fn failed() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, 5301, FAILED)
}

/// `PUT`: 204 on success. Checks, in this order (UNCONFIRMED beyond the errors themselves):
/// scope (4711), body (300), user (404 1001), permission (5411: another user needs the admin
/// scope and the same account), signed in to a client (5301), client-version transition
/// (5301), one accepted update per user per 60 s (429; refused requests do not count).
pub(crate) fn put(state: &mut State, caller: &Caller, user_ref: &str, body: &[u8]) -> Response {
    put_inner(state, caller, user_ref, body).unwrap_or_else(IntoResponse::into_response)
}

fn put_inner(
    state: &mut State,
    caller: &Caller,
    user_ref: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    if !caller.has_any(UPDATE_PRESENCE) {
        return Err(ApiError::missing_scopes(&[
            UPDATE_PRESENCE.admin,
            UPDATE_PRESENCE.own,
        ]));
    }
    let update = presence_rules::parse_body(body, state.config.dnd_spelling)?;
    let target = resolve(state, caller, user_ref)?;
    let allowed = caller.is(&target)
        || (caller.has_admin(UPDATE_PRESENCE) && caller.user.account_id == target.account_id);
    if !allowed {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, 5411, NO_PERMISSION));
    }
    if !target.signed_in_to_client {
        return Err(failed());
    }
    let current = state.presence(&target.id).status;
    if !presence_rules::transition_allowed(&target.client_version, &current, update.status) {
        return Err(failed());
    }
    let now = state.now();
    if state
        .last_update(&target.id)
        .is_some_and(|last| now - last < MIN_INTERVAL)
    {
        // UNCONFIRMED: the `code` (the documentation gives none) and no `Retry-After`.
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, 429, TOO_MANY));
    }
    debug_assert!(update.status != DND || update.duration.is_some());
    state.apply(&target.id, &update);
    Ok(reply::no_content())
}
