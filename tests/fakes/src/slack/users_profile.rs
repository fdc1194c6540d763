//! `users.profile.set` and `users.profile.get`
//! (<https://docs.slack.dev/reference/methods/users.profile.set>). Both answer the whole
//! profile; `set` also `username`, as the method's response schema requires. `user` (another
//! person) is for workspace admins on paid plans only: anyone else gets `not_admin`, a bot
//! `user_is_bot`, another admin `cannot_update_admin_user`.

use super::api_auth::Caller;
use super::args::Args;
use super::config::SlackUser;
use super::error::SlackError;
use super::profile;
use super::profile_rules;
use super::reply::{Fields, J};
use super::state::State;

/// The person named by `user`, or the caller.
pub(crate) fn target(state: &State, caller: &Caller, args: &Args) -> Result<SlackUser, SlackError> {
    match args.get("user").filter(|u| !u.is_empty()) {
        None => Ok(caller.user.clone()),
        Some(id) => state
            .user(&id)
            .cloned()
            .ok_or_else(|| SlackError::new("user_not_found")),
    }
}

pub(crate) fn set(state: &mut State, caller: &Caller, args: &Args) -> Result<Fields, SlackError> {
    let target = target(state, caller, args)?;
    if target.id != caller.user.id {
        if !caller.user.is_admin {
            return Err(SlackError::new("not_admin"));
        }
        if target.is_bot {
            return Err(SlackError::new("user_is_bot"));
        }
        if target.is_admin {
            return Err(SlackError::new("cannot_update_admin_user"));
        }
    }
    let change = profile_rules::parse(args)?;
    if state.config.rate_limits {
        let now = state.clock.seconds();
        state
            .limiter
            .profile_write(&caller.token, &target.id, now)?;
    }
    let current = state.profile(&target.id);
    let updated = profile_rules::apply(&current, change, &state.config.custom_emoji)?;
    state.set_profile(&target.id, updated, true);
    let profile = state.profile(&target.id);
    Ok(vec![
        ("username", J::from(target.name.clone())),
        (
            "profile",
            profile::json(&target, &profile, &state.config.team_id),
        ),
    ])
}

pub(crate) fn get(state: &State, caller: &Caller, args: &Args) -> Result<Fields, SlackError> {
    let target = target(state, caller, args)?;
    let profile = state.profile(&target.id);
    Ok(vec![(
        "profile",
        profile::json(&target, &profile, &state.config.team_id),
    )])
}
