//! How a Slack account gets its token: the user's own Slack app signs them in through the
//! browser (OAuth v2 with PKCE on a loopback redirect, no client secret), or the user
//! pastes a user token (`xoxp-…`) from the app's OAuth & Permissions page. Either way the
//! token is checked with `auth.test` before it is kept. Several workspaces are several
//! accounts. Sources: <https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

use super::client::{Args, CallError};
use super::config::REDIRECT_PATH;
use super::oauth::SlackOAuth;
use super::{api_for, Slack, SlackSettings, TOKENS};
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::oauth::{sign_in_with_browser, Redirect, TokenSet};
use crate::providers::{
    AccountSettings, Connect, ObtainCredentials, Obtained, Service, SignInAgain, SignInPrompt,
};

/// Slack's authorization codes live ten minutes; the person gets five.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// What a face collected to add a Slack account.
pub enum NewCredentials {
    /// A user token pasted from the app's settings; whose it is, `auth.test` says.
    Token { base: String, token: SecretString },
    /// Sign in through the browser with the user's own Slack app (PKCE switched on, the
    /// redirect URL `http://localhost:PORT/slack/callback` registered).
    Browser {
        base: String,
        client_id: String,
        redirect_port: u16,
    },
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        label: &AccountLabel,
        with: &Connect,
        prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let for_account = |e: ProviderError| e.for_account(label.clone());
        let (settings, tokens) = match self {
            NewCredentials::Token { base, token } => {
                let token = SecretString::from(token.expose_secret().trim().to_owned());
                check_token_kind(&token)?;
                let settings = SlackSettings::new(&base);
                settings.validate(&label.id)?;
                (
                    settings,
                    TokenSet::issued(token.expose_secret().to_owned(), None, None, String::new()),
                )
            }
            NewCredentials::Browser {
                base,
                client_id,
                redirect_port,
            } => {
                let mut settings = SlackSettings::new(&base);
                settings.client_id = client_id.trim().to_owned();
                settings.redirect_port = redirect_port;
                settings.validate(&label.id)?;
                if settings.client_id.is_empty() {
                    return Err(Error::invalid(
                        "the Slack app's client id is needed (Basic Information → App Credentials)",
                    ));
                }
                let oauth = oauth_for(&settings, with).map_err(for_account)?;
                let (tokens, port) = browser_sign_in(&oauth, settings.redirect_port, prompt)
                    .await
                    .map_err(for_account)?;
                settings.redirect_port = port;
                (settings, tokens)
            }
        };
        Ok(Obtained {
            settings: AccountSettings::Slack(settings),
            secrets: vec![(TOKENS, tokens.to_secret())],
        })
    }
}

/// A bot token (`xoxb-`) or an app-level token (`xapp-`) can never carry a status.
fn check_token_kind(token: &SecretString) -> Result<()> {
    let token = token.expose_secret();
    if token.starts_with("xoxb-") || token.starts_with("xapp-") {
        return Err(Error::invalid(
            "this is a bot or app-level token; a status belongs to a person: paste the User OAuth Token (xoxp-…) from OAuth & Permissions",
        ));
    }
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "the Slack token is empty or has spaces in it",
        ));
    }
    Ok(())
}

pub(crate) fn oauth_for(
    settings: &SlackSettings,
    with: &Connect,
) -> std::result::Result<SlackOAuth, ProviderError> {
    let base = crate::http::provider_url(&settings.base)?;
    Ok(SlackOAuth {
        api: api_for(&settings.base, with.http.clone(), with.timeout)?,
        base,
        client_id: settings.client_id.clone(),
        team_id: settings.team_id.clone(),
    })
}

/// The browser sign-in on a `http://localhost:PORT` redirect, which Slack takes only from
/// PKCE apps, as a desktop redirect. Returns the tokens and the port listened on.
async fn browser_sign_in(
    oauth: &SlackOAuth,
    port: u16,
    prompt: &dyn SignInPrompt,
) -> std::result::Result<(TokenSet, u16), ProviderError> {
    let redirect = Redirect {
        host: "localhost",
        port,
        path: REDIRECT_PATH,
    };
    sign_in_with_browser(Service::Slack, oauth, redirect, prompt, SIGN_IN_WAIT).await
}

#[async_trait]
impl SignInAgain for Slack {
    async fn sign_in_again(
        &self,
        prompt: &dyn SignInPrompt,
    ) -> std::result::Result<Vec<(&'static str, SecretString)>, ProviderError> {
        let Some(oauth) = &self.oauth else {
            return Err(ProviderError::InvalidSetting {
                field: "token",
                message: "this account uses a pasted token; add the account again with a new one"
                    .into(),
            });
        };
        let (tokens, _) = browser_sign_in(oauth, self.redirect_port, prompt).await?;
        // The browser may have been signed in to another workspace, or as someone else:
        // then this account would quietly point there. Checked before anything is stored.
        let who = self
            .api
            .call(
                "auth.test",
                Some(&tokens.access_token),
                Args::Form(Vec::new()),
            )
            .await
            .map_err(|e| match e {
                CallError::TokenExpired => ProviderError::SignInAgain {
                    reason: "Slack gave a token that had already expired".into(),
                },
                CallError::SignInEnded(e) | CallError::Other(e) => e,
            })?;
        let said = |name: &str| {
            who.get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
        };
        let same_team = self.team_id.is_empty() || said("team_id") == self.team_id;
        let same_user = self.user_id.is_empty() || said("user_id") == self.user_id;
        if !(same_team && same_user) {
            // The other person's token is of no use here: handed back at once.
            let revoked = self
                .api
                .call(
                    "auth.revoke",
                    Some(&tokens.access_token),
                    Args::Form(Vec::new()),
                )
                .await;
            if let Err(e) = revoked {
                tracing::debug!("auth.revoke of the other token: {e:?}");
            }
            return Err(ProviderError::AuthRejected {
                reason: format!(
                    "the browser signed in as {} in workspace {}, not as this account's user in its workspace; sign in there, or add that workspace as another account",
                    crate::http::untrusted(said("user")),
                    crate::http::untrusted(said("team"))
                ),
            });
        }
        Ok(vec![(TOKENS, tokens.to_secret())])
    }
}
