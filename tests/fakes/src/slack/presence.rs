//! `users.setPresence` (`auto` lets Slack decide from activity; `away` is a manual away
//! that stays until `auto`; anything else `invalid_presence`) and `users.getPresence`
//! (`active` or `away`; for the caller also `online`, `auto_away`, `manual_away`,
//! `connection_count`, `last_activity`)
//! (<https://docs.slack.dev/reference/methods/users.getPresence/>,
//! <https://docs.slack.dev/apis/web-api/user-presence-and-status.md>).
//!
//! The fake's people have Slack open and active, so `auto` reads as `active`.

use super::api_auth::Caller;
use super::args::Args;
use super::error::SlackError;
use super::reply::{Fields, J};
use super::state::State;
use super::users_profile::target;

pub(crate) fn set(state: &mut State, caller: &Caller, args: &Args) -> Result<Fields, SlackError> {
    let presence = args.get("presence").unwrap_or_default();
    if presence != "auto" && presence != "away" {
        return Err(SlackError::new("invalid_presence"));
    }
    state.set_presence(&caller.user.id, &presence);
    Ok(Vec::new())
}

pub(crate) fn get(state: &State, caller: &Caller, args: &Args) -> Result<Fields, SlackError> {
    let target = target(state, caller, args)?;
    let away = state.presence(&target.id) == "away";
    let mut fields: Fields = vec![("presence", J::from(if away { "away" } else { "active" }))];
    if target.id == caller.user.id {
        fields.extend([
            ("online", J::from(true)),
            ("auto_away", J::from(false)),
            ("manual_away", J::from(away)),
            ("connection_count", J::from(1)),
            ("last_activity", J::from(state.now())),
        ]);
    }
    Ok(fields)
}
