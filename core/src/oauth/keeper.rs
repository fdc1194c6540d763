//! Keeps an account's OAuth tokens usable (Zoom, Slack with token rotation): renews them a
//! minute before they expire, replaces the single-use refresh token in one keyring write,
//! and remembers when only a new sign-in can help, so later clicks do not each fail the
//! same way. Several Presently processes share the tokens through the keyring.

use async_trait::async_trait;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

use super::tokens::TokenSet;
use crate::error::ProviderError;
use crate::providers::Service;
use crate::secrets::{SecretKey, SecretStore};

/// A service's token endpoint, as far as renewing goes.
#[async_trait]
pub(crate) trait TokenEndpoint: Send + Sync + std::fmt::Debug {
    /// Trades a refresh token (single use) for new tokens.
    ///
    /// # Errors
    /// [`ProviderError::SignInAgain`] when the service refuses the refresh token for good.
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, ProviderError>;

    /// New tokens without a refresh token, where the service has such a grant (Zoom's
    /// Server-to-Server apps); `None` otherwise.
    async fn without_refresh_token(&self) -> Option<Result<TokenSet, ProviderError>> {
        None
    }
}

/// How long a refused refresh waits for another process's renewed tokens to reach the
/// keyring (its keyring write follows Zoom's answer within milliseconds).
const WINNER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
const WINNER_POLL: std::time::Duration = std::time::Duration::from_millis(50);

#[derive(Debug)]
pub(crate) struct TokenKeeper {
    account: String,
    service: Service,
    /// The keyring entry of the account that holds the tokens.
    entry: &'static str,
    endpoint: Arc<dyn TokenEndpoint>,
    secrets: Arc<dyn SecretStore>,
    current: tokio::sync::Mutex<Option<TokenSet>>,
    /// Renewed tokens the keyring would not take, said once with the next result.
    unsaved: std::sync::Mutex<Option<String>>,
}

fn same(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}

impl TokenKeeper {
    pub(crate) fn new(
        account: &str,
        service: Service,
        entry: &'static str,
        endpoint: Arc<dyn TokenEndpoint>,
        secrets: Arc<dyn SecretStore>,
    ) -> Self {
        TokenKeeper {
            account: account.to_owned(),
            service,
            entry,
            endpoint,
            secrets,
            current: tokio::sync::Mutex::new(None),
            unsaved: std::sync::Mutex::new(None),
        }
    }

    /// Renewed tokens that could not be stored since last asked, in words; the change
    /// that renewed them reports it.
    pub(crate) fn take_unsaved(&self) -> Option<String> {
        self.unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn key(&self) -> SecretKey {
        SecretKey::new(&self.account, self.entry)
    }

    /// The tokens in the keyring: the one copy every Presently process shares.
    pub(crate) fn stored(&self) -> Result<Option<TokenSet>, ProviderError> {
        self.secrets
            .get(&self.key())
            .map_err(ProviderError::Secret)?
            .map(|secret| TokenSet::from_secret(&secret))
            .transpose()
    }

    fn save(&self, tokens: &TokenSet) -> Result<(), ProviderError> {
        self.secrets
            .set(&self.key(), &tokens.to_secret())
            .map_err(ProviderError::Secret)
    }

    /// Whether the last refresh failed for good (read from the keyring, no network).
    /// The tokens read here are kept for the call that usually follows, so asking first
    /// costs no second keyring read.
    pub(crate) fn sign_in_needed(&self) -> Result<bool, ProviderError> {
        let stored = self.stored()?;
        let needed = stored.as_ref().is_some_and(|t| t.sign_in_needed);
        if let Ok(mut current) = self.current.try_lock() {
            // A provider lives as long as the config is unchanged: a sign-in made since
            // (by this process or the CLI) replaces tokens that needed one.
            if current.as_ref().is_none_or(|t| t.sign_in_needed) {
                *current = stored;
            }
        }
        Ok(needed)
    }

    /// The service ended the sign-in `used` belongs to (Slack: `token_revoked`): marked in
    /// the keyring, once, so later clicks leave the account out until it signs in again.
    /// Tokens renewed meanwhile are newer and stay as they are.
    pub(crate) async fn ended(&self, used: &SecretString, why: &str) -> ProviderError {
        let mut current = self.current.lock().await;
        match self.stored() {
            Ok(Some(mut tokens)) if same(&tokens.access_token, used) => {
                tokens.sign_in_needed = true;
                if let Err(e) = self.save(&tokens) {
                    tracing::warn!("{}: the ended sign-in was not noted: {e}", self.account);
                }
                *current = Some(tokens);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("{}: {e}", self.account),
        }
        self.sign_in_again(why)
    }

    fn sign_in_again(&self, why: &str) -> ProviderError {
        ProviderError::SignInAgain {
            reason: format!(
                "{why}; run `presently account signin {}` (or use Sign in again in the app)",
                self.account
            ),
        }
    }

    fn ended_earlier(&self) -> ProviderError {
        let name = self.service.display_name();
        self.sign_in_again(&format!("{name} ended the sign-in earlier"))
    }

    /// A token that is good for at least another minute.
    pub(crate) async fn access_token(&self) -> Result<SecretString, ProviderError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.stored()?;
        }
        if let Some(tokens) = current.as_ref() {
            if tokens.sign_in_needed {
                return Err(self.ended_earlier());
            }
            if tokens.fresh_at(Utc::now()) {
                return Ok(tokens.access_token.clone());
            }
        }
        let renewed = self.renew(None).await?;
        let token = renewed.access_token.clone();
        *current = Some(renewed);
        Ok(token)
    }

    /// After the service rejected `rejected` (Zoom: 401, code 124; Slack: `token_expired`): a new token, unless one that differs
    /// is already at hand.
    pub(crate) async fn renew_after_rejection(
        &self,
        rejected: &SecretString,
    ) -> Result<SecretString, ProviderError> {
        let mut current = self.current.lock().await;
        if let Some(tokens) = current.as_ref() {
            if !same(&tokens.access_token, rejected) && tokens.fresh_at(Utc::now()) {
                return Ok(tokens.access_token.clone());
            }
        }
        let renewed = self.renew(Some(rejected)).await?;
        let token = renewed.access_token.clone();
        *current = Some(renewed);
        Ok(token)
    }

    async fn renew(&self, rejected: Option<&SecretString>) -> Result<TokenSet, ProviderError> {
        if let Some(issued) = self.endpoint.without_refresh_token().await {
            let tokens = issued?;
            self.save(&tokens)?;
            return Ok(tokens);
        }
        self.refresh(rejected).await
    }

    /// The tokens another process got with `used`, the service's answer to it having been the
    /// rotated refresh token. That process stores them moments after Zoom answered it, so
    /// the keyring is watched for [`WINNER_GRACE`] before the refresh token counts as dead.
    async fn winner_of(&self, used: &SecretString) -> Result<Option<TokenSet>, ProviderError> {
        let deadline = tokio::time::Instant::now() + WINNER_GRACE;
        loop {
            if let Some(winner) = self.stored()? {
                let rotated = winner
                    .refresh_token
                    .as_ref()
                    .is_some_and(|t| !same(t, used));
                if rotated && !winner.sign_in_needed {
                    return Ok(Some(winner));
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(WINNER_POLL).await;
        }
    }

    async fn refresh(&self, rejected: Option<&SecretString>) -> Result<TokenSet, ProviderError> {
        // Another Presently process may have refreshed already; its tokens are the good ones.
        let stored = self.stored()?;
        if stored.as_ref().is_some_and(|t| t.sign_in_needed) {
            return Err(self.ended_earlier());
        }
        if let Some(tokens) = &stored {
            let was_rejected = rejected.is_some_and(|r| same(r, &tokens.access_token));
            if tokens.fresh_at(Utc::now()) && !was_rejected {
                return Ok(tokens.clone());
            }
        }
        let Some(refresh_token) = stored.as_ref().and_then(|t| t.refresh_token.clone()) else {
            return Err(self.sign_in_again("there is no refresh token"));
        };
        let name = self.service.display_name();
        match self.endpoint.refresh(&refresh_token).await {
            Ok(mut tokens) => {
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token);
                }
                // The old refresh token is spent: losing the new one to a passing keyring
                // error would end the sign-in. This process keeps using them; the next
                // renewal tries the keyring again.
                if let Err(e) = self.save(&tokens) {
                    tracing::warn!("{}: renewed {name} tokens not stored: {e}", self.account);
                    *self
                        .unsaved
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!(
                        "the renewed {name} sign-in could not be kept in the keyring ({e}); \
                         if the next change asks to sign in again, run `presently account signin {}`",
                        self.account
                    ));
                }
                Ok(tokens)
            }
            Err(ProviderError::SignInAgain { reason }) => {
                // Losing a race to another process looks the same as a dead refresh token;
                // the keyring tells them apart once the winner has stored its tokens.
                if let Some(winner) = self.winner_of(&refresh_token).await? {
                    return Ok(winner);
                }
                // Mark the tokens we tried, and only those: never overwrite newer ones.
                if let Some(mut tokens) = self.stored()? {
                    let unchanged = tokens
                        .refresh_token
                        .as_ref()
                        .is_some_and(|t| same(t, &refresh_token));
                    if unchanged && !tokens.sign_in_needed {
                        tokens.sign_in_needed = true;
                        self.save(&tokens)?;
                    }
                }
                Err(self.sign_in_again(&format!("{name} refused to renew the sign-in ({reason})")))
            }
            Err(other) => Err(other),
        }
    }
}
