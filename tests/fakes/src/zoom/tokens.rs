//! What the authorization server has handed out: authorization codes (5 minutes, single use),
//! access tokens (1 hour) and refresh tokens (rotating, single use).

use chrono::{DateTime, Duration, Utc};

use super::pkce::Challenge;
use super::random::Random;

/// How long a code from `/oauth/authorize` can be exchanged.
pub(crate) const CODE_TTL: Duration = Duration::minutes(5);
/// How long an access token works.
pub(crate) const ACCESS_TTL: Duration = Duration::hours(1);
/// `expires_in` as the token endpoint reports it.
pub(crate) const EXPIRES_IN: i64 = 3599;

#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub code: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub challenge: Option<Challenge>,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct AccessToken {
    pub token: String,
    /// Who the token acts as: the authorizing user, or a Server-to-Server app's owner.
    pub user_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub server_to_server: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefreshState {
    Live,
    /// Exchanged once already (rotation).
    Used,
    Revoked,
}

#[derive(Clone, Debug)]
pub(crate) struct RefreshToken {
    pub token: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub state: RefreshState,
}

/// Everything issued, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub codes: Vec<AuthCode>,
    pub access: Vec<AccessToken>,
    pub refresh: Vec<RefreshToken>,
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

    /// A new access token (Zoom's are long JWTs; these are opaque strings of similar use).
    pub(crate) fn issue_access(
        &mut self,
        random: &mut Random,
        now: DateTime<Utc>,
        ttl: Duration,
        template: AccessToken,
    ) -> String {
        let token = format!("fzat.{}", random.string(64));
        self.access.push(AccessToken {
            token: token.clone(),
            expires_at: now + ttl,
            ..template
        });
        token
    }

    pub(crate) fn issue_refresh(
        &mut self,
        random: &mut Random,
        client_id: &str,
        user_id: &str,
        scopes: &[String],
    ) -> String {
        let token = format!("fzrt.{}", random.string(64));
        self.refresh.push(RefreshToken {
            token: token.clone(),
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            scopes: scopes.to_vec(),
            state: RefreshState::Live,
        });
        token
    }

    /// Every access token stops working now (refresh tokens keep working).
    pub(crate) fn expire_access(&mut self, now: DateTime<Utc>) {
        for token in &mut self.access {
            token.expires_at = token.expires_at.min(now);
        }
    }

    pub(crate) fn revoke_refresh(&mut self) {
        for token in &mut self.refresh {
            token.state = RefreshState::Revoked;
        }
    }
}
