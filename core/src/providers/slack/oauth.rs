//! Slack's OAuth v2 for a desktop app: the consent page with PKCE (S256) and a loopback
//! redirect, the code exchanged at `oauth.v2.access` with the verifier instead of a client
//! secret (a PKCE app is a public client), and, with token rotation, the refresh grant.
//! Sources: <https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>,
//! <https://docs.slack.dev/authentication/using-token-rotation>.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::client::{Args, CallError, SlackApi};
use crate::error::ProviderError;
use crate::oauth::{TokenEndpoint, TokenSet};

/// The user scopes Presently asks for: set and read the status, set presence, snooze
/// notifications and read their state, list the workspace's custom emoji.
pub const USER_SCOPES: &str =
    "users.profile:write,users.profile:read,users:write,dnd:write,dnd:read,emoji:read";

#[derive(Debug, Clone)]
pub(crate) struct SlackOAuth {
    pub api: SlackApi,
    pub base: Url,
    pub client_id: String,
    /// The workspace to preselect on the consent page (`team`), when signing in again.
    pub team_id: String,
}

/// What `oauth.v2.access` answers for a code: the user token is under `authed_user`.
#[derive(Deserialize)]
struct CodeAnswer {
    authed_user: AuthedUser,
}

#[derive(Deserialize)]
struct AuthedUser {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    #[serde(default)]
    scope: String,
}

/// What it answers for a refresh token: flat.
#[derive(Deserialize)]
struct RefreshAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    #[serde(default)]
    scope: String,
}

fn oauth_error(e: CallError) -> ProviderError {
    match e {
        CallError::TokenExpired => ProviderError::SignInAgain {
            reason: "Slack says the sign-in expired".into(),
        },
        CallError::SignInEnded(e) => ProviderError::SignInAgain {
            reason: e.to_string(),
        },
        CallError::Other(ProviderError::Rejected { reason })
            if reason.contains("invalid_refresh_token") || reason.contains("invalid_code") =>
        {
            ProviderError::SignInAgain { reason }
        }
        CallError::Other(other) => other,
    }
}

impl SlackOAuth {
    /// Where the browser goes: `user_scope` asks for a user token (no bot scopes, which a
    /// desktop redirect may not ask for). `code_challenge_method=S256` is the standard
    /// value (Slack's table of values is UNCONFIRMED).
    pub(crate) fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> Result<Url, ProviderError> {
        let base = self.base.as_str().trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}/oauth/v2/authorize"))
            .map_err(|e| ProviderError::Protocol(format!("bad Slack URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("user_scope", USER_SCOPES)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        if !self.team_id.is_empty() {
            url.query_pairs_mut().append_pair("team", &self.team_id);
        }
        Ok(url)
    }

    /// Trades the code for the user's tokens, with the PKCE verifier and no client secret.
    pub(crate) async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, ProviderError> {
        let form = vec![
            ("code", code.to_owned()),
            ("redirect_uri", redirect_uri.to_owned()),
            ("client_id", self.client_id.clone()),
            ("code_verifier", verifier.expose_secret().to_owned()),
        ];
        let value = self
            .api
            .call("oauth.v2.access", None, Args::Form(form))
            .await
            .map_err(oauth_error)?;
        let answer: CodeAnswer = parse(value)?;
        let user = answer.authed_user;
        let access_token = user.access_token.ok_or_else(|| {
            ProviderError::Protocol(
                "Slack gave no user token; the app must ask for user scopes".into(),
            )
        })?;
        Ok(TokenSet::issued(
            access_token,
            user.refresh_token,
            user.expires_in,
            user.scope,
        ))
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ProviderError> {
    serde_json::from_value(value).map_err(|e| {
        ProviderError::Protocol(format!(
            "unexpected answer from the server to oauth.v2.access: {e}"
        ))
    })
}

#[async_trait]
impl crate::oauth::CodeGrant for SlackOAuth {
    fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> Result<Url, ProviderError> {
        SlackOAuth::authorization_url(self, redirect_uri, state, code_challenge)
    }

    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, ProviderError> {
        SlackOAuth::exchange_code(self, code, redirect_uri, verifier).await
    }
}

#[async_trait]
impl TokenEndpoint for SlackOAuth {
    /// `grant_type=refresh_token` with the client id and no secret (a PKCE app's tokens).
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, ProviderError> {
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose_secret().to_owned()),
            ("client_id", self.client_id.clone()),
        ];
        let value = self
            .api
            .call("oauth.v2.access", None, Args::Form(form))
            .await
            .map_err(oauth_error)?;
        let answer: RefreshAnswer = parse(value)?;
        Ok(TokenSet::issued(
            answer.access_token,
            answer.refresh_token,
            answer.expires_in,
            answer.scope,
        ))
    }
}
