//! One Web API call, `GET`/`POST /api/<method>`, in Slack's order: arguments (body errors
//! first), the method (`unknown_method`), then for everything but `oauth.v2.access` the
//! token (`not_authed`, `invalid_auth`, `token_revoked`, `token_expired`), its kind
//! (`not_allowed_token_type` for a bot token on a person's method), its scopes
//! (`missing_scope` with `needed`/`provided`), the method's rate tier (429), and the method.
//! Every answer carries `x-oauth-scopes` (<https://docs.slack.dev/apis/web-api/>,
//! <https://docs.slack.dev/authentication/installing-with-oauth>).

use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};

use super::api_auth::{self, Caller};
use super::args::Args;
use super::auth_methods;
use super::dnd;
use super::emoji;
use super::error::SlackError;
use super::methods::{self, Spec, ACCESS};
use super::presence;
use super::reply::{self, Fields};
use super::state::State;
use super::token_endpoint;
use super::tokens::Kind;
use super::users_profile;

/// What a call needs from the request.
pub(crate) struct Call<'a> {
    pub method: &'a Method,
    pub name: &'a str,
    pub headers: &'a HeaderMap,
    pub query: Option<&'a str>,
    pub body: &'a [u8],
    /// Where the request was recorded (to note the caller).
    pub index: usize,
}

pub(crate) fn answer(state: &mut State, call: &Call<'_>) -> Response {
    let mut scopes = Vec::new();
    let resp = match run(state, call, &mut scopes) {
        Ok((fields, warning)) => reply::ok(fields, warning),
        Err(error) => error.into_response(),
    };
    reply::with_scopes(resp, &scopes)
}

fn run(
    state: &mut State,
    call: &Call<'_>,
    scopes: &mut Vec<String>,
) -> Result<(Fields, Option<&'static str>), SlackError> {
    let args = Args::parse(call.method, call.headers, call.query, call.body)?;
    let spec = methods::lookup(call.name).ok_or_else(|| SlackError::new("unknown_method"))?;
    if spec.name == ACCESS {
        let fields = token_endpoint::handle(state, call.headers, &args)?;
        return Ok((fields, args.warning));
    }
    let caller = api_auth::authenticate(state, args.token().as_deref())?;
    scopes.clone_from(&caller.scopes);
    if let Some(entry) = state.requests.get_mut(call.index) {
        entry.user_id = Some(caller.user.id.clone());
    }
    admit(state, spec, &caller)?;
    let fields = method(state, spec, &caller, &args)?;
    Ok((fields, args.warning))
}

/// Token kind, scope and rate tier.
fn admit(state: &mut State, spec: Spec, caller: &Caller) -> Result<(), SlackError> {
    if spec.user_token_only && caller.kind == Kind::Bot {
        return Err(SlackError::new("not_allowed_token_type"));
    }
    if let Some(scope) = spec.scope {
        if !caller.has(scope) {
            return Err(SlackError::missing_scope(scope, &caller.scopes));
        }
    }
    if state.config.rate_limits {
        let now = state.clock.seconds();
        state
            .limiter
            .call(spec.name, &caller.app_id, spec.tier.per_minute(), now)?;
    }
    Ok(())
}

fn method(
    state: &mut State,
    spec: Spec,
    caller: &Caller,
    args: &Args,
) -> Result<Fields, SlackError> {
    match spec.name {
        "auth.test" => Ok(auth_methods::test(state, caller)),
        "auth.revoke" => Ok(auth_methods::revoke(state, caller, args)),
        "users.profile.set" => users_profile::set(state, caller, args),
        "users.profile.get" => users_profile::get(state, caller, args),
        "users.setPresence" => presence::set(state, caller, args),
        "users.getPresence" => presence::get(state, caller, args),
        "dnd.setSnooze" => dnd::set_snooze(state, caller, args),
        "dnd.endSnooze" => dnd::end_snooze(state, caller),
        "dnd.info" => dnd::info(state, caller, args),
        "emoji.list" => {
            let started = state.clock.unix();
            Ok(emoji::list(&state.config.custom_emoji, args, started))
        }
        _ => Err(SlackError::new("unknown_method")),
    }
}
