//! Zoom's OAuth endpoints: the authorization URL with PKCE, and the token endpoint's three
//! grants (authorization code, refresh token, account credentials).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use url::Url;

use super::config::ZoomSettings;
use crate::error::ProviderError;
use crate::http::{read_capped, send, snippet};

/// Access and refresh tokens as the keyring keeps them.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub access_token: SecretString,
    /// Single use: each refresh answers a new one (none for Server-to-Server).
    pub refresh_token: Option<SecretString>,
    pub expires_at: DateTime<Utc>,
    pub scope: String,
    /// Refreshing failed for good: the user must sign in again. Kept so every later click
    /// does not try (and report) the same failure.
    pub sign_in_needed: bool,
}

impl TokenSet {
    /// Zoom's own SDK renews a minute early; so does Presently.
    pub(crate) fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        !self.sign_in_needed && now + chrono::Duration::seconds(60) < self.expires_at
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

    pub(crate) fn from_secret(secret: &SecretString) -> Result<Self, ProviderError> {
        #[derive(Deserialize)]
        struct Stored {
            access_token: String,
            refresh_token: Option<String>,
            expires_at: DateTime<Utc>,
            #[serde(default)]
            scope: String,
            #[serde(default)]
            sign_in_needed: bool,
        }
        let stored: Stored = serde_json::from_str(secret.expose_secret()).map_err(|_| {
            ProviderError::Protocol(
                "the Zoom tokens in the keyring are unreadable; sign in again".into(),
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

#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    http: reqwest::Client,
    auth_base: Url,
    client_id: String,
    client_secret: SecretString,
    timeout: Duration,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    #[serde(default)]
    scope: String,
}

#[derive(Deserialize, Default)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    reason: String,
}

impl OAuthClient {
    /// The sign-in endpoint and app of an account's settings, with the app's secret.
    pub(crate) fn new(
        http: reqwest::Client,
        settings: &ZoomSettings,
        client_secret: SecretString,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        Ok(OAuthClient {
            http,
            auth_base: crate::http::provider_url(&settings.auth_base)?,
            client_id: settings.client_id.clone(),
            client_secret,
            timeout,
        })
    }

    fn endpoint(&self, path: &str) -> Result<Url, ProviderError> {
        let base = self.auth_base.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/oauth/{path}"))
            .map_err(|e| ProviderError::Protocol(format!("bad Zoom sign-in URL: {e}")))
    }

    /// Where the browser goes to sign in. `code_challenge_method` defaults to `plain` at
    /// Zoom, so `S256` is always named.
    pub(crate) fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        pkce: &Pkce,
    ) -> Result<Url, ProviderError> {
        let mut url = self.endpoint("authorize")?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }

    pub(crate) async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, ProviderError> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.expose_secret()),
        ])
        .await
    }

    pub(crate) async fn refresh(
        &self,
        refresh_token: &SecretString,
    ) -> Result<TokenSet, ProviderError> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ])
        .await
    }

    pub(crate) async fn account_credentials(
        &self,
        account_id: &str,
    ) -> Result<TokenSet, ProviderError> {
        self.token(&[
            ("grant_type", "account_credentials"),
            ("account_id", account_id),
        ])
        .await
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<TokenSet, ProviderError> {
        let basic = STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose_secret()
        ));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .http
            .post(self.endpoint("token")?)
            .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        let response = send(request, self.timeout).await?;
        let status = response.status();
        let body = read_capped(response, self.timeout).await?;
        if status.is_success() {
            let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
                ProviderError::Protocol(format!(
                    "Zoom's token endpoint answered {} instead of tokens",
                    snippet(&body)
                ))
            })?;
            let lifetime = answer.expires_in.unwrap_or(3600).clamp(0, 86_400 * 366);
            return Ok(TokenSet {
                access_token: SecretString::from(answer.access_token),
                refresh_token: answer.refresh_token.map(SecretString::from),
                expires_at: Utc::now() + chrono::Duration::seconds(lifetime),
                scope: answer.scope,
                sign_in_needed: false,
            });
        }
        Err(token_error(status, &body))
    }
}

fn token_error(status: StatusCode, body: &[u8]) -> ProviderError {
    let parsed: TokenError = serde_json::from_slice(body).unwrap_or_default();
    let reason = if parsed.reason.is_empty() {
        snippet(body)
    } else {
        parsed.reason.clone()
    };
    match parsed.error.as_str() {
        "invalid_client" => ProviderError::AuthRejected {
            reason: format!("Zoom does not accept the client id and secret ({reason})"),
        },
        "invalid_grant" => ProviderError::SignInAgain { reason },
        "invalid_request" | "unsupported_grant_type" | "unauthorized_client" => {
            ProviderError::Rejected {
                reason: format!("Zoom's sign-in refused the request: {reason}"),
            }
        }
        _ if status.is_server_error() => ProviderError::ServerError {
            status: status.as_u16(),
        },
        _ if status == StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited {
            retry_at: Utc::now() + chrono::Duration::seconds(60),
        },
        _ => ProviderError::Protocol(format!(
            "Zoom's token endpoint answered HTTP {} {}",
            status.as_u16(),
            snippet(body)
        )),
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
            expires_at: Utc::now(),
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

    #[test]
    fn token_errors_read_as_what_to_do() {
        let grant = token_error(
            StatusCode::BAD_REQUEST,
            br#"{"reason":"Invalid Token!","error":"invalid_grant"}"#,
        );
        assert!(
            matches!(grant, ProviderError::SignInAgain { .. }),
            "{grant}"
        );
        let client = token_error(
            StatusCode::UNAUTHORIZED,
            br#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#,
        );
        assert!(
            client.to_string().contains("client id and secret"),
            "{client}"
        );
    }
}
