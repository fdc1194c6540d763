//! What every service's sign-in shares: what a provider needs to connect, how a face
//! answers when a sign-in needs the person (a code, a browser), and what a sign-in yields.
//! How each service signs in lives in its folder's `auth.rs`.

use async_trait::async_trait;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use super::{AccountSettings, Service};
use crate::error::{AccountLabel, ProviderError, Result};
use crate::secrets::SecretStore;
use crate::server_cache::ServerCache;

/// What a provider needs to connect: the keyring (or a staging store while credentials
/// are checked), the one HTTP client, the per-call deadline and what servers said before.
#[derive(Clone)]
pub(crate) struct Connect {
    pub secrets: Arc<dyn SecretStore>,
    pub http: reqwest::Client,
    pub timeout: Duration,
    pub servers: ServerCache,
}

/// A face's answers when a sign-in needs the person. The CLI prompts on the terminal;
/// the window shows a field or a "waiting for the browser" line.
#[async_trait]
pub trait SignInPrompt: Send + Sync {
    /// The server asks for a second-factor code sent by `method` ("totp" for an
    /// authenticator app, "email"). An error ends the sign-in.
    async fn code(&self, method: &str) -> Result<String>;

    /// Open `url` in a browser to sign in to `service`; the service sends the browser back
    /// to `redirect_uri`, where Presently is listening already. An error ends the sign-in
    /// (a face that can only show the address should show it and return `Ok`).
    async fn open_browser(&self, service: Service, url: &Url, redirect_uri: &str) -> Result<()>;
}

/// A face's answer when nobody is there to ask: credentials that need no person (an API
/// key, a token, a Server-to-Server app). A second factor is refused; no browser opens.
pub struct Unattended;

#[async_trait]
impl SignInPrompt for Unattended {
    async fn code(&self, method: &str) -> Result<String> {
        Err(crate::Error::invalid(format!(
            "the server asks for a second factor ({method}), and nobody is there to give it"
        )))
    }

    async fn open_browser(&self, service: Service, _url: &Url, _redirect_uri: &str) -> Result<()> {
        Err(crate::Error::invalid(format!(
            "{} signs in through a browser, and nobody is there to use one",
            service.display_name()
        )))
    }
}

/// What a sign-in yields: the account's settings and the secrets to keep in the keyring,
/// not stored until the server accepts them.
pub(crate) struct Obtained {
    pub settings: AccountSettings,
    pub secrets: Vec<(&'static str, SecretString)>,
}

/// How one service turns what a face collected into [`Obtained`]; implemented in each
/// provider folder's `auth.rs`.
pub(crate) trait ObtainCredentials {
    async fn obtain(
        self,
        account: &AccountLabel,
        with: &Connect,
        prompt: &dyn SignInPrompt,
    ) -> Result<Obtained>;
}

/// Optional capability: sign an account in again after the service ended its sign-in.
/// Returns the secrets to replace, not stored until the server accepts them.
#[async_trait]
pub trait SignInAgain: Send + Sync {
    async fn sign_in_again(
        &self,
        prompt: &dyn SignInPrompt,
    ) -> Result<Vec<(&'static str, SecretString)>, ProviderError>;
}
