//! What OAuth sign-ins share: the tokens as the keyring keeps them (one JSON secret, so a
//! rotated refresh token is replaced in one write) and PKCE (RFC 7636, S256).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::ProviderError;

/// Access and refresh tokens as the keyring keeps them.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub access_token: SecretString,
    /// Single use: each refresh answers a new one (none for Server-to-Server).
    pub refresh_token: Option<SecretString>,
    /// `None`: the token does not expire (Slack without token rotation).
    pub expires_at: Option<DateTime<Utc>>,
    pub scope: String,
    /// Refreshing failed for good: the user must sign in again. Kept so every later click
    /// does not try (and report) the same failure.
    pub sign_in_needed: bool,
}

impl TokenSet {
    /// Good for at least another minute (Zoom's own SDK renews a minute early; so does
    /// Presently).
    pub(crate) fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        !self.sign_in_needed
            && self
                .expires_at
                .is_none_or(|at| now + chrono::Duration::seconds(60) < at)
    }

    /// Tokens as a token endpoint gave them: `expires_in` seconds from now (clamped to a
    /// year), or no end when the service gave none.
    pub(crate) fn issued(
        access_token: String,
        refresh_token: Option<String>,
        expires_in: Option<i64>,
        scope: String,
    ) -> Self {
        TokenSet {
            access_token: SecretString::from(access_token),
            refresh_token: refresh_token.map(SecretString::from),
            expires_at: expires_in
                .map(|s| Utc::now() + chrono::Duration::seconds(s.clamp(0, 86_400 * 366))),
            scope,
            sign_in_needed: false,
        }
    }

    pub(crate) fn to_secret(&self) -> SecretString {
        let value = serde_json::json!({
            "access_token": self.access_token.expose_secret(),
            "refresh_token": self.refresh_token.as_ref().map(|t| t.expose_secret()),
            "expires_at": self.expires_at,
            "scope": self.scope,
            "sign_in_needed": self.sign_in_needed,
        });
        SecretString::from(value.to_string())
    }

    /// # Errors
    /// [`ProviderError::Protocol`] when the keyring holds something else.
    pub(crate) fn from_secret(secret: &SecretString) -> Result<Self, ProviderError> {
        #[derive(Deserialize)]
        struct Stored {
            access_token: String,
            refresh_token: Option<String>,
            #[serde(default)]
            expires_at: Option<DateTime<Utc>>,
            #[serde(default)]
            scope: String,
            #[serde(default)]
            sign_in_needed: bool,
        }
        let stored: Stored = serde_json::from_str(secret.expose_secret()).map_err(|_| {
            ProviderError::Protocol(
                "the tokens in the keyring are unreadable; sign in again".into(),
            )
        })?;
        Ok(TokenSet {
            access_token: SecretString::from(stored.access_token),
            refresh_token: stored.refresh_token.map(SecretString::from),
            expires_at: stored.expires_at,
            scope: stored.scope,
            sign_in_needed: stored.sign_in_needed,
        })
    }
}

/// A PKCE pair: the verifier stays here, its S256 challenge goes to the browser.
pub(crate) struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

/// Random URL-safe text: 32 bytes give a 43-character PKCE verifier (RFC 7636 allows 43–128).
pub(crate) fn random_token() -> Result<String, ProviderError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ProviderError::Protocol(format!("no randomness from the OS: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl Pkce {
    pub(crate) fn new() -> Result<Self, ProviderError> {
        let verifier = random_token()?;
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Ok(Pkce {
            verifier: SecretString::from(verifier),
            challenge,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_base64url_sha256_of_the_verifier() {
        let pkce = Pkce::new().expect("random");
        let verifier = pkce.verifier.expose_secret();
        assert_eq!(verifier.len(), 43);
        assert!(verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(
            pkce.challenge,
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        );
        assert_ne!(Pkce::new().expect("random").challenge, pkce.challenge);
    }

    #[test]
    fn tokens_round_trip_through_the_keyring_form_and_debug_hides_them() {
        let tokens = TokenSet {
            access_token: SecretString::from("access-xyz".to_owned()),
            refresh_token: Some(SecretString::from("refresh-xyz".to_owned())),
            expires_at: Some(Utc::now()),
            scope: "user:read:user".into(),
            sign_in_needed: true,
        };
        let back = TokenSet::from_secret(&tokens.to_secret()).expect("parses");
        assert_eq!(back.access_token.expose_secret(), "access-xyz");
        assert_eq!(
            back.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some("refresh-xyz")
        );
        assert!(back.sign_in_needed);
        assert!(!format!("{back:?}").contains("xyz"));
    }
}
