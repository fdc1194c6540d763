//! Zoom's OAuth endpoints: the authorization URL with PKCE, and the token endpoint's three
//! grants (authorization code, refresh token, account credentials).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Utc;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;
use url::Url;

use async_trait::async_trait;

use super::config::{ZoomAuth, ZoomSettings};
use crate::error::ProviderError;
use crate::http::{read_capped, send, snippet};
use crate::oauth::{TokenEndpoint, TokenSet};

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
        code_challenge: &str,
    ) -> Result<Url, ProviderError> {
        let mut url = self.endpoint("authorize")?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
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
            return Ok(TokenSet::issued(
                answer.access_token,
                answer.refresh_token,
                Some(answer.expires_in.unwrap_or(3600)),
                answer.scope,
            ));
        }
        Err(token_error(status, &body))
    }
}

#[async_trait]
impl crate::oauth::CodeGrant for OAuthClient {
    fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> Result<Url, ProviderError> {
        OAuthClient::authorization_url(self, redirect_uri, state, code_challenge)
    }

    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, ProviderError> {
        OAuthClient::exchange_code(self, code, redirect_uri, verifier).await
    }
}

/// Renewing a Zoom account's tokens: the refresh grant for a signed-in user, the account
/// credentials grant again for a Server-to-Server app.
#[derive(Debug)]
pub(crate) struct ZoomRenewal {
    pub oauth: OAuthClient,
    pub auth: ZoomAuth,
    pub zoom_account_id: Option<String>,
}

#[async_trait]
impl TokenEndpoint for ZoomRenewal {
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, ProviderError> {
        self.oauth.refresh(refresh_token).await
    }

    async fn without_refresh_token(&self) -> Option<Result<TokenSet, ProviderError>> {
        match self.auth {
            ZoomAuth::ServerToServer => {
                let account_id = self.zoom_account_id.as_deref().unwrap_or_default();
                Some(self.oauth.account_credentials(account_id).await)
            }
            ZoomAuth::User => None,
        }
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
