//! What the workspace has handed out: authorization codes (10 minutes, single use), access
//! tokens (pasted ones and issued ones; rotating ones end after 12 hours) and refresh tokens
//! (single use; a PKCE app's end after 30 days)
//! (<https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-token-rotation>,
//! <https://docs.slack.dev/changelog/2026/03/30/pkce>).

use super::random::Random;

/// How long a code from `/oauth/v2/authorize` can be exchanged, in seconds.
pub(crate) const CODE_TTL: i64 = 10 * 60;
/// How long a rotating access token works (`expires_in`).
pub(crate) const ACCESS_TTL: i64 = 43_200;
/// How long a PKCE app's refresh token works.
pub(crate) const PKCE_REFRESH_TTL: i64 = 30 * 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Bot,
}

#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub token: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// The app whose per-app rate limits the token's calls count against.
    pub app_id: String,
    pub kind: Kind,
    /// Unix seconds; `None` for a token that never expires.
    pub expires_at: Option<i64>,
    pub revoked: bool,
    /// The sign-in it came from (shared with its refresh tokens); `None` when pasted.
    pub grant: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefreshState {
    Live,
    /// Exchanged once already: rotation revoked it.
    Used,
    Revoked,
}

#[derive(Clone, Debug)]
pub(crate) struct RefreshToken {
    pub token: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// From a desktop redirect (localhost or custom scheme) of a PKCE app: renewing needs
    /// no client secret.
    pub desktop: bool,
    pub expires_at: Option<i64>,
    pub state: RefreshState,
    pub grant: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub code: String,
    pub client_id: String,
    pub user_id: String,
    /// The `redirect_uri` the authorize request sent; `None` when it sent none (the app's
    /// first Redirect URL was used).
    pub redirect_uri: Option<String>,
    pub challenge: Option<String>,
    pub scopes: Vec<String>,
    pub desktop: bool,
    pub custom_scheme: bool,
    pub expires_at: i64,
    pub used: bool,
}

/// Everything issued, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub codes: Vec<AuthCode>,
    pub access: Vec<AccessToken>,
    pub refresh: Vec<RefreshToken>,
    next_grant: u64,
}

impl Tokens {
    pub(crate) fn access(&self, token: &str) -> Option<&AccessToken> {
        self.access.iter().find(|t| t.token == token)
    }

    pub(crate) fn refresh_mut(&mut self, token: &str) -> Option<&mut RefreshToken> {
        self.refresh.iter_mut().find(|t| t.token == token)
    }

    pub(crate) fn code_mut(&mut self, code: &str) -> Option<&mut AuthCode> {
        self.codes.iter_mut().find(|c| c.code == code)
    }

    pub(crate) fn new_grant(&mut self) -> u64 {
        self.next_grant += 1;
        self.next_grant
    }

    /// A new user token: `xoxp-…`, or for rotating tokens `xoxe.xoxp-…` (the prefix of
    /// rotating user tokens is UNCONFIRMED; clients treat tokens as opaque).
    pub(crate) fn issue_access(
        &mut self,
        random: &mut Random,
        template: AccessToken,
        team_digits: &str,
    ) -> String {
        let body = format!(
            "xoxp-{team_digits}-{}-{}-{}",
            random.digits(13),
            random.digits(13),
            random.hex(32)
        );
        let token = if template.expires_at.is_some() {
            format!("xoxe.{body}")
        } else {
            body
        };
        self.access.push(AccessToken {
            token: token.clone(),
            ..template
        });
        token
    }

    /// A new refresh token, `xoxe-1-…` as in Slack's examples.
    pub(crate) fn issue_refresh(&mut self, random: &mut Random, template: RefreshToken) -> String {
        let token = format!("xoxe-1-{}", random.hex(96));
        self.refresh.push(RefreshToken {
            token: token.clone(),
            ..template
        });
        token
    }

    /// Every rotating access token stops working now (`token_expired`).
    pub(crate) fn expire_rotating(&mut self, now: i64) {
        for token in &mut self.access {
            if let Some(end) = &mut token.expires_at {
                *end = (*end).min(now);
            }
        }
    }

    /// Every token of `user_id` answers `token_revoked`; its refresh tokens stop working.
    pub(crate) fn revoke_user(&mut self, user_id: &str) {
        for token in self.access.iter_mut().filter(|t| t.user_id == user_id) {
            token.revoked = true;
        }
        for token in self.refresh.iter_mut().filter(|t| t.user_id == user_id) {
            token.state = RefreshState::Revoked;
        }
    }

    /// `auth.revoke`: the token, and with it the rest of its sign-in (its refresh token and
    /// the access tokens renewed from it). UNCONFIRMED: that revoking a rotating access token
    /// also kills its refresh token; the fake takes the stricter reading.
    pub(crate) fn revoke_token(&mut self, token: &str) {
        let grant = self.access(token).and_then(|t| t.grant);
        for t in &mut self.access {
            if t.token == token || (grant.is_some() && t.grant == grant) {
                t.revoked = true;
            }
        }
        if let Some(grant) = grant {
            for t in self.refresh.iter_mut().filter(|t| t.grant == grant) {
                t.state = RefreshState::Revoked;
            }
        }
    }
}
