//! The status endpoints: `POST /users/me/status`, `GET /users/{id}/status` and the admin-only
//! `POST /users/{id}/status`.

use axum::response::Response;

use super::config::ZulipUser;
use super::endpoints::{human_only, success_ignoring};
use super::error::ApiError;
use super::json::{self, J};
use super::params::Params;
use super::state::State;
use super::status_rules;

/// `POST /users/me/status`.
pub(crate) fn set_own(
    state: &mut State,
    user: &ZulipUser,
    params: &Params,
) -> Result<Response, ApiError> {
    human_only(user)?;
    let validated = status_rules::validate(
        params,
        state.config.feature_level,
        !state.config.away_removed,
    )?;
    let processed = validated.processed.clone();
    let change = status_rules::apply(
        validated,
        &state.config.realm_emoji,
        &state.config.unicode_renames,
    )?;
    state.apply(user.user_id, change);
    Ok(success_ignoring(state, params, &processed))
}

/// `access_user_by_id`: the target must exist, be human and active; with `for_admin` set,
/// that caller must be an organization administrator.
fn access_user(
    state: &State,
    target: Option<u64>,
    for_admin: Option<&ZulipUser>,
) -> Result<ZulipUser, ApiError> {
    let target = target
        .and_then(|id| state.user(id))
        .ok_or_else(|| ApiError::bad_request("No such user"))?;
    if target.is_bot {
        return Err(ApiError::bad_request("No such user"));
    }
    if !target.is_active {
        return Err(ApiError::bad_request("User is deactivated"));
    }
    if for_admin.is_some_and(|caller| !caller.is_admin()) {
        return Err(ApiError::bad_request("Insufficient permission"));
    }
    Ok(target.clone())
}

/// `POST /users/{id}/status` (FL 407+): like the own-status endpoint, without `away`.
pub(crate) fn set_other(
    state: &mut State,
    caller: &ZulipUser,
    target: Option<u64>,
    params: &Params,
) -> Result<Response, ApiError> {
    human_only(caller)?;
    let validated = status_rules::validate(params, state.config.feature_level, false)?;
    let target = access_user(state, target, Some(caller))?;
    let processed = validated.processed.clone();
    let change = status_rules::apply(
        validated,
        &state.config.realm_emoji,
        &state.config.unicode_renames,
    )?;
    state.apply(target.user_id, change);
    Ok(success_ignoring(state, params, &processed))
}

/// `GET /users/{id}/status` (FL 262+): only the keys that are set.
pub(crate) fn get(state: &State, target: Option<u64>) -> Result<Response, ApiError> {
    let target = access_user(state, target, None)?;
    let status = state.status_of(target.user_id);
    let mut fields: Vec<(String, J)> = Vec::new();
    if status.away {
        fields.push(("away".into(), true.into()));
    }
    if !status.status_text.is_empty() {
        fields.push(("status_text".into(), status.status_text.into()));
    }
    if !status.emoji_name.is_empty() {
        fields.push(("emoji_name".into(), status.emoji_name.into()));
        fields.push(("emoji_code".into(), status.emoji_code.into()));
        fields.push(("reaction_type".into(), status.reaction_type.into()));
    }
    Ok(json::success(vec![("status".into(), J::O(fields))]))
}
