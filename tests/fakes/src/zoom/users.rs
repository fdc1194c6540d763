//! `GET /v2/users/{userId}`: `me`, an id or an email; and how every `{userId}` is resolved.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::api_auth::{Caller, READ_USER};
use super::clock::iso;
use super::config::ZoomUser;
use super::error::ApiError;
use super::reply::{self, J};
use super::state::State;

/// The user `{userId}` names: `me` is the caller. 404 1001 (with the id as given) for
/// nobody.
pub(crate) fn resolve(
    state: &State,
    caller: &Caller,
    user_ref: &str,
) -> Result<ZoomUser, ApiError> {
    if user_ref == "me" {
        return Ok(caller.user.clone());
    }
    state
        .user(user_ref)
        .cloned()
        .ok_or_else(|| ApiError::user_does_not_exist(user_ref))
}

/// Another account's user is invisible: 404 1001. UNCONFIRMED: Zoom has also been seen
/// answering 400 1010 "User not found on this account" for an email outside the account.
pub(crate) fn same_account(
    caller: &Caller,
    target: &ZoomUser,
    user_ref: &str,
) -> Result<(), ApiError> {
    if caller.user.account_id == target.account_id {
        Ok(())
    } else {
        Err(ApiError::user_does_not_exist(user_ref))
    }
}

/// Zoom's role ids for the built-in roles.
fn role_id(role_name: &str) -> &'static str {
    match role_name {
        "Owner" => "0",
        "Admin" => "1",
        _ => "2",
    }
}

/// A stable 10-digit personal meeting id from the user id.
fn pmi(user: &ZoomUser) -> u64 {
    let sum = user.id.bytes().fold(0u64, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    1_000_000_000 + sum % 9_000_000_000
}

/// The user object, fields in the order of Zoom's documented example.
pub(crate) fn user_json(state: &State, user: &ZoomUser) -> J {
    let pmi = pmi(user);
    let created = iso(state.clock.started());
    J::obj([
        ("id", J::from(user.id.clone())),
        ("first_name", J::from(user.first_name.clone())),
        ("last_name", J::from(user.last_name.clone())),
        ("display_name", J::from(user.display_name())),
        ("email", J::from(user.email.clone())),
        ("type", J::from(user.user_type)),
        ("role_name", J::from(user.role_name.clone())),
        ("pmi", J::from(pmi)),
        ("use_pmi", J::from(false)),
        (
            "personal_meeting_url",
            J::from(format!("https://zoom.us/j/{pmi}")),
        ),
        ("timezone", J::from("Europe/Berlin")),
        ("verified", J::from(1)),
        ("dept", J::from("")),
        ("created_at", J::from(created.clone())),
        ("last_login_time", J::from(created.clone())),
        (
            "last_client_version",
            J::from(format!("{}(mac)", user.client_version)),
        ),
        ("language", J::from("en-US")),
        ("status", J::from("active")),
        ("role_id", J::from(role_id(&user.role_name))),
        ("account_id", J::from(user.account_id.clone())),
        ("account_number", J::from(1000)),
        ("cluster", J::from("us01")),
        ("user_created_at", J::from(created)),
    ])
}

/// `GET /v2/users/{userId}`: the caller needs `user:read:user` for itself and
/// `user:read:user:admin` for others of its account.
pub(crate) fn get(state: &State, caller: &Caller, user_ref: &str) -> Response {
    let result = resolve(state, caller, user_ref).and_then(|target| {
        caller.require(READ_USER, &target)?;
        same_account(caller, &target, user_ref)?;
        Ok(reply::json(StatusCode::OK, &user_json(state, &target)))
    });
    result.unwrap_or_else(IntoResponse::into_response)
}
