//! Do not disturb as a notification snooze: `dnd.setSnooze` (`num_minutes` from now; starts
//! a snooze or changes the running one), `dnd.endSnooze`, `dnd.info`
//! (<https://docs.slack.dev/reference/methods/dnd.setSnooze>,
//! <https://api.slack.com/methods/dnd.setSnooze>). Scheduled do not disturb is not modelled:
//! `dnd_enabled` is false and `next_dnd_*_ts` are 1, as Slack answers without a schedule.

use super::api_auth::Caller;
use super::args::Args;
use super::error::SlackError;
use super::reply::{Fields, J};
use super::state::State;
use super::users_profile::target;

/// The longest snooze, in minutes. Slack's maximum is UNCONFIRMED; a day is the stricter of
/// the readings Presently relies on (it never asks for more), longer is `too_long`.
pub(crate) const MAX_MINUTES: i64 = 24 * 60;

fn schedule() -> Fields {
    vec![
        ("dnd_enabled", J::from(false)),
        ("next_dnd_start_ts", J::from(1)),
        ("next_dnd_end_ts", J::from(1)),
    ]
}

/// `num_minutes` is read from a form body or the query only (the page lists form encoding).
/// Missing or empty: `missing_duration`. Not a whole number, or not positive:
/// `invalid_arguments` (UNCONFIRMED: the page lists no code for these; Slack's common
/// `invalid_arguments` is the fake's choice). Over [`MAX_MINUTES`]: `too_long`.
pub(crate) fn set_snooze(
    state: &mut State,
    caller: &Caller,
    args: &Args,
) -> Result<Fields, SlackError> {
    let raw = args
        .form_or_query("num_minutes")
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| SlackError::new("missing_duration"))?;
    let minutes = raw
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| *m > 0)
        .ok_or_else(|| SlackError::new("invalid_arguments"))?;
    if minutes > MAX_MINUTES {
        return Err(SlackError::new("too_long"));
    }
    let end = state.now() + minutes * 60;
    state.set_snooze_end(&caller.user.id, Some(end));
    Ok(vec![
        ("snooze_enabled", J::from(true)),
        ("snooze_endtime", J::from(end)),
        ("snooze_remaining", J::from(minutes * 60)),
        ("snooze_is_indefinite", J::from(false)),
    ])
}

/// Ending when no snooze runs: `snooze_not_active` (the 2021 spec's code).
pub(crate) fn end_snooze(state: &mut State, caller: &Caller) -> Result<Fields, SlackError> {
    if state.snooze_end(&caller.user.id).is_none() {
        return Err(SlackError::new("snooze_not_active"));
    }
    state.set_snooze_end(&caller.user.id, None);
    let mut fields = schedule();
    fields.push(("snooze_enabled", J::from(false)));
    Ok(fields)
}

/// The schedule, and for the caller the snooze (end and seconds left while one runs).
pub(crate) fn info(state: &State, caller: &Caller, args: &Args) -> Result<Fields, SlackError> {
    let target = target(state, caller, args)?;
    let mut fields = schedule();
    if target.id == caller.user.id {
        let end = state.snooze_end(&target.id);
        fields.push(("snooze_enabled", J::from(end.is_some())));
        if let Some(end) = end {
            fields.push(("snooze_endtime", J::from(end)));
            fields.push(("snooze_remaining", J::from(end - state.now())));
            fields.push(("snooze_is_indefinite", J::from(false)));
        }
    }
    Ok(fields)
}
