//! HTTP calls to Zoom's REST API (`/v2`), with Zoom's error codes turned into sentences.

use chrono::Utc;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, send, snippet};

#[derive(Debug)]
pub(crate) struct ZoomApi {
    http: reqwest::Client,
    base: Url,
    timeout: Duration,
}

/// `GET /v2/users/{userId}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ZoomUser {
    pub id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub role_name: String,
}

/// `GET /v2/users/{userId}/presence_status`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Presence {
    pub status: String,
    #[serde(default)]
    pub end_time: Option<String>,
}

/// Why a call failed, before it is put into words: a rejected token is retried once.
pub(crate) enum CallError {
    TokenRejected,
    /// 400 with code 300: a field Zoom does not accept (e.g. one spelling of a value).
    InvalidField(ProviderError),
    Other(ProviderError),
}

impl From<ProviderError> for CallError {
    fn from(e: ProviderError) -> Self {
        CallError::Other(e)
    }
}

impl ZoomApi {
    pub(crate) fn new(
        http: reqwest::Client,
        api_base: &str,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let base = crate::http::provider_url(api_base)?;
        Ok(ZoomApi {
            http,
            base,
            timeout,
        })
    }

    /// `users/{user}[/rest]`, with the user id or e-mail escaped as one path segment.
    fn user_url(&self, user: &str, rest: Option<&str>) -> Result<Url, ProviderError> {
        let mut url = self.base.clone();
        {
            let mut segments = url.path_segments_mut().map_err(|()| {
                ProviderError::Protocol("the Zoom API URL cannot take a path".into())
            })?;
            segments.pop_if_empty().push("users").push(user);
            if let Some(rest) = rest {
                segments.push(rest);
            }
        }
        Ok(url)
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<Value>,
        user: &str,
    ) -> Result<Vec<u8>, CallError> {
        self.call_answering(method, url, token, body, user)
            .await
            .map(|(_, body)| body)
    }

    /// The call's success status and body, or its error.
    async fn call_answering(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<Value>,
        user: &str,
    ) -> Result<(StatusCode, Vec<u8>), CallError> {
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(token.expose_secret());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = send(request, self.timeout).await?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        let body = read_capped(response, self.timeout).await?;
        if status.is_success() {
            return Ok((status, body));
        }
        Err(api_error(status, &body, user, retry_after))
    }

    pub(crate) async fn user(
        &self,
        token: &SecretString,
        user: &str,
    ) -> Result<ZoomUser, CallError> {
        let body = self
            .call(Method::GET, self.user_url(user, None)?, token, None, user)
            .await?;
        Ok(serde_json::from_slice(&body).map_err(|_| {
            ProviderError::Protocol(format!("Zoom answered {} for a user", snippet(&body)))
        })?)
    }

    pub(crate) async fn set_presence(
        &self,
        token: &SecretString,
        user: &str,
        status: &str,
        duration_minutes: Option<u32>,
    ) -> Result<(), CallError> {
        let mut body = json!({ "status": status });
        if let Some(minutes) = duration_minutes {
            body["duration"] = json!(minutes);
        }
        let url = self.user_url(user, Some("presence_status"))?;
        let (status, body) = self
            .call_answering(Method::PUT, url, token, Some(body), user)
            .await?;
        // Zoom's one success answer: "204 Status updated successfully". Anything else (a
        // proxy's page, say) is not Zoom saying it changed the presence.
        if status != StatusCode::NO_CONTENT {
            return Err(CallError::Other(ProviderError::Protocol(format!(
                "Zoom answered HTTP {} {} instead of 204 No Content; the presence may not have changed",
                status.as_u16(),
                snippet(&body)
            ))));
        }
        Ok(())
    }

    pub(crate) async fn presence(
        &self,
        token: &SecretString,
        user: &str,
    ) -> Result<Presence, CallError> {
        let url = self.user_url(user, Some("presence_status"))?;
        let body = self.call(Method::GET, url, token, None, user).await?;
        Ok(serde_json::from_slice(&body).map_err(|_| {
            ProviderError::Protocol(format!("Zoom answered {} for a presence", snippet(&body)))
        })?)
    }
}

#[derive(Deserialize, Default)]
struct ApiError {
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

/// Every error the presence endpoint documents, in words that say what to do.
fn api_error(status: StatusCode, body: &[u8], user: &str, retry_after: Option<i64>) -> CallError {
    let parsed: ApiError = serde_json::from_slice(body).unwrap_or_default();
    let message = if parsed.message.is_empty() {
        snippet(body)
    } else {
        crate::http::untrusted(&parsed.message)
    };
    let who = if user == "me" { "you" } else { user };
    let error = match (status.as_u16(), parsed.code) {
        (_, Some(4711)) => ProviderError::Forbidden {
            reason: format!(
                "the Zoom app lacks a scope it needs; add user:update:presence_status and \
                 user:read:user to it (4711: {message})"
            ),
        },
        (401, Some(124) | None) => return CallError::TokenRejected,
        (400, Some(300)) => {
            return CallError::InvalidField(ProviderError::Rejected {
                reason: format!("{message} (Zoom code 300)"),
            })
        }
        (400, Some(5301)) => ProviderError::Rejected {
            reason: format!(
                "Zoom changes presence only while {who} {} signed in to the Zoom app \
                 (desktop or mobile, version 5.3.0 or later); open Zoom, sign in, and try again \
                 (5301: {message})",
                if who == "you" { "are" } else { "is" }
            ),
        },
        (400, Some(5411)) | (403, Some(5411)) => ProviderError::Forbidden {
            reason: format!(
                "no permission to change {who}'s presence; an admin app needs the scope \
                 user:write:admin (user:update:presence_status:admin) and the user must be in \
                 its Zoom account (5411: {message})"
            ),
        },
        (404, Some(1001)) | (404, None) => ProviderError::NotFound {
            reason: format!("Zoom has no user {user:?} ({message})"),
        },
        (429, _) => ProviderError::RateLimited {
            // A minute is Zoom's rule; an absurd Retry-After is capped at an hour.
            retry_at: Utc::now()
                + chrono::Duration::seconds(retry_after.unwrap_or(60).clamp(60, 3600)),
        },
        (s, _) if s >= 500 => ProviderError::ServerError { status: s },
        (s, Some(code)) => ProviderError::Rejected {
            reason: format!("{message} (Zoom code {code}, HTTP {s})"),
        },
        (s, None) => ProviderError::Protocol(format!("Zoom answered HTTP {s} {}", snippet(body))),
    };
    CallError::Other(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str, user: &str) -> String {
        match api_error(
            StatusCode::from_u16(status).expect("status"),
            body.as_bytes(),
            user,
            None,
        ) {
            CallError::TokenRejected => "token rejected".into(),
            CallError::Other(e) | CallError::InvalidField(e) => e.to_string(),
        }
    }

    #[test]
    fn each_documented_error_has_its_own_words() {
        let not_signed_in = error(
            400,
            r#"{"code":5301,"message":"Request to update the presence status of this user failed."}"#,
            "me",
        );
        assert!(
            not_signed_in.contains("while you are signed in to the Zoom app"),
            "{not_signed_in}"
        );
        assert!(not_signed_in.contains("open Zoom, sign in, and try again"));
        let forbidden = error(
            400,
            r#"{"code":5411,"message":"Unauthorized request. You do not have permission to update the presence status of this user."}"#,
            "bob@example.com",
        );
        assert!(
            forbidden
                .starts_with("not allowed: no permission to change bob@example.com's presence"),
            "{forbidden}"
        );
        let missing = error(
            404,
            r#"{"code":1001,"message":"User does not exist: nobody@example.com."}"#,
            "nobody@example.com",
        );
        assert!(
            missing.contains(r#"Zoom has no user "nobody@example.com""#),
            "{missing}"
        );
        assert_eq!(
            error(
                401,
                r#"{"code":124,"message":"Invalid access token."}"#,
                "me"
            ),
            "token rejected"
        );
        assert!(error(429, "", "me").starts_with("rate limited"));
        assert!(
            error(400, r#"{"code":300,"message":"Invalid field."}"#, "me")
                .contains("Invalid field. (Zoom code 300")
        );
    }
}
