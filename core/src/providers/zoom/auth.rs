//! How a Zoom account gets its tokens: a user signs in through the browser (authorization
//! code with PKCE on a loopback redirect, see [`super::signin`]), or an admin's
//! Server-to-Server app uses the account credentials grant. Signing in again after Zoom
//! ended a sign-in is the same browser flow with the stored app secret.
//! Sources: <https://developers.zoom.us/docs/integrations/oauth/>,
//! <https://developers.zoom.us/docs/internal-apps/s2s-oauth/>.

use async_trait::async_trait;
use secrecy::SecretString;
use std::time::Duration;

use super::config::REDIRECT_PATH;
use super::oauth::OAuthClient;
use super::{Zoom, ZoomAuth, ZoomSettings, CLIENT_SECRET, TOKENS};
use crate::error::{AccountLabel, ProviderError, Result};
use crate::oauth::{sign_in_with_browser, Redirect, TokenSet};
use crate::providers::{
    AccountSettings, Connect, ObtainCredentials, Obtained, Service, SignInAgain, SignInPrompt,
};

/// Zoom's authorization codes live five minutes; the person gets as long to finish.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// What a face collected to add a Zoom account: the app's settings (client id, and for
/// Server-to-Server the account id and user) and the app's client secret.
pub struct NewCredentials {
    pub settings: ZoomSettings,
    pub client_secret: SecretString,
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        label: &AccountLabel,
        with: &Connect,
        prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let mut settings = self.settings;
        settings.validate(&label.id)?;
        let for_account = |e: ProviderError| e.for_account(label.clone());
        let oauth = OAuthClient::new(
            with.http.clone(),
            &settings,
            self.client_secret.clone(),
            with.timeout,
        )
        .map_err(for_account)?;
        let tokens = match settings.auth {
            ZoomAuth::ServerToServer => oauth
                .account_credentials(settings.account_id.as_deref().unwrap_or_default())
                .await
                .map_err(for_account)?,
            ZoomAuth::User => {
                let (tokens, port) = browser_sign_in(oauth, settings.redirect_port, prompt)
                    .await
                    .map_err(for_account)?;
                // Port 0 asked for any free port; the one used is the one registered.
                settings.redirect_port = port;
                tokens
            }
        };
        Ok(Obtained {
            settings: AccountSettings::Zoom(settings),
            secrets: vec![
                (CLIENT_SECRET, self.client_secret),
                (TOKENS, tokens.to_secret()),
            ],
        })
    }
}

/// The browser sign-in on `127.0.0.1:port` (Zoom's registered redirect). Returns the
/// tokens and the port listened on.
async fn browser_sign_in(
    oauth: OAuthClient,
    port: u16,
    prompt: &dyn SignInPrompt,
) -> Result<(TokenSet, u16), ProviderError> {
    let redirect = Redirect {
        host: "127.0.0.1",
        port,
        path: REDIRECT_PATH,
    };
    sign_in_with_browser(Service::Zoom, &oauth, redirect, prompt, SIGN_IN_WAIT).await
}

#[async_trait]
impl SignInAgain for Zoom {
    async fn sign_in_again(
        &self,
        prompt: &dyn SignInPrompt,
    ) -> Result<Vec<(&'static str, SecretString)>, ProviderError> {
        if self.settings.auth != ZoomAuth::User {
            return Err(ProviderError::InvalidSetting {
                field: "auth",
                message: "a Server-to-Server app does not sign in through the browser; add \
                          the account again to change its credentials"
                    .into(),
            });
        }
        let (tokens, _) =
            browser_sign_in(self.oauth.clone(), self.settings.redirect_port, prompt).await?;
        Ok(vec![(TOKENS, tokens.to_secret())])
    }
}
