//! Who is calling: the token's person, scopes, app and kind, or Slack's common errors for a
//! token that does not work (<https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-token-rotation>): `not_authed` (none sent),
//! `invalid_auth` (unknown), `token_revoked` (uninstalled, revoked), `token_expired` (a
//! rotating token past its 12 hours).

use super::config::SlackUser;
use super::error::SlackError;
use super::state::State;
use super::tokens::Kind;

#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub user: SlackUser,
    pub token: String,
    pub scopes: Vec<String>,
    pub app_id: String,
    pub kind: Kind,
    /// Unix seconds, for a rotating token.
    pub expires_at: Option<i64>,
}

impl Caller {
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

pub(crate) fn authenticate(state: &State, token: Option<&str>) -> Result<Caller, SlackError> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| SlackError::new("not_authed"))?;
    let issued = state
        .tokens
        .access(token)
        .ok_or_else(|| SlackError::new("invalid_auth"))?;
    if issued.revoked {
        return Err(SlackError::new("token_revoked"));
    }
    if issued.expires_at.is_some_and(|end| end <= state.now()) {
        return Err(SlackError::new("token_expired"));
    }
    let user = state
        .user(&issued.user_id)
        .cloned()
        .ok_or_else(|| SlackError::new("invalid_auth"))?;
    Ok(Caller {
        user,
        token: issued.token.clone(),
        scopes: issued.scopes.clone(),
        app_id: issued.app_id.clone(),
        kind: issued.kind,
        expires_at: issued.expires_at,
    })
}
