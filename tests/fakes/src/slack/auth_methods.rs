//! `auth.test` (who the token is; `bot_id` for bot tokens, `expires_in` for rotating ones)
//! and `auth.revoke` (`test=1` is a dry run)
//! (<https://docs.slack.dev/tools/node-slack-sdk/reference/web-api/type-aliases/AuthTestResponse>,
//! <https://docs.slack.dev/authentication/installing-with-oauth>).

use super::api_auth::Caller;
use super::args::Args;
use super::reply::{Fields, J};
use super::state::State;
use super::tokens::Kind;

pub(crate) fn test(state: &State, caller: &Caller) -> Fields {
    let config = &state.config;
    let mut fields: Fields = vec![
        (
            "url",
            J::from(format!("https://{}.slack.com/", config.team_domain)),
        ),
        ("team", J::from(config.team_name.clone())),
        ("user", J::from(caller.user.name.clone())),
        ("team_id", J::from(config.team_id.clone())),
        ("user_id", J::from(caller.user.id.clone())),
    ];
    if caller.kind == Kind::Bot {
        let bot_id = format!("B{}", caller.user.id.trim_start_matches('U'));
        fields.push(("bot_id", J::from(bot_id)));
    }
    fields.push(("is_enterprise_install", J::from(false)));
    if let Some(end) = caller.expires_at {
        fields.push(("expires_in", J::from((end - state.now()).max(0))));
    }
    fields
}

pub(crate) fn revoke(state: &mut State, caller: &Caller, args: &Args) -> Fields {
    let dry_run = args.flag("test");
    if !dry_run {
        state.tokens.revoke_token(&caller.token);
    }
    vec![("revoked", J::from(!dry_run))]
}
