//! HTTP calls to one Matrix homeserver's client-server API, with shapes and error codes as
//! in the spec (<https://spec.matrix.org/v1.15/client-server-api/>): login, whoami, logout,
//! presence, versions, and the MSC4426 status profile field.

use chrono::Utc;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, snippet, untrusted};

#[derive(Debug)]
pub(crate) struct MatrixClient {
    http: reqwest::Client,
    /// The homeserver base URL, without a trailing slash.
    base: Url,
    timeout: Duration,
}

/// `POST /login` answered: the token and whose it is.
#[derive(Debug)]
pub(crate) struct LoggedIn {
    pub user_id: String,
    pub access_token: SecretString,
}

/// `GET /presence/{userId}/status`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Presence {
    pub presence: String,
    /// Absent when empty (Synapse does not return "").
    #[serde(default)]
    pub status_msg: Option<String>,
}

/// What `GET /_matrix/client/versions` says about the server, kept a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ServerFeatures {
    /// The newest spec version it speaks, e.g. "v1.15".
    pub newest: String,
    /// `org.matrix.msc3026.busy_presence`: "busy" is a presence.
    pub busy: bool,
    /// MSC4426's status profile field, where advertised (name UNCONFIRMED:
    /// `org.matrix.msc4426`).
    pub rich_status: bool,
}

impl MatrixClient {
    pub(crate) fn new(
        http: reqwest::Client,
        homeserver: &Url,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let trimmed = homeserver.as_str().trim_end_matches('/');
        let base = Url::parse(trimmed)
            .map_err(|e| ProviderError::Protocol(format!("bad homeserver URL: {e}")))?;
        Ok(MatrixClient {
            http,
            base,
            timeout,
        })
    }

    /// `GET /_matrix/client/versions` (no sign-in).
    pub(crate) async fn features(&self) -> Result<ServerFeatures, ProviderError> {
        let value = self
            .call(Method::GET, &["_matrix", "client", "versions"], None, None)
            .await?;
        let versions: Vec<&str> = value["versions"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if versions.is_empty() {
            return Err(ProviderError::Protocol(
                "the server lists no Matrix versions; is the URL a Matrix homeserver?".into(),
            ));
        }
        let newest = versions
            .iter()
            .filter_map(|v| {
                let (major, minor) = v.strip_prefix('v')?.split_once('.')?;
                Some(((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?), *v))
            })
            .max()
            .map(|(_, v)| v.to_owned())
            .unwrap_or_else(|| versions[versions.len() - 1].to_owned());
        let flag = |name: &str| value["unstable_features"][name] == Value::Bool(true);
        Ok(ServerFeatures {
            newest: untrusted(&newest),
            busy: flag("org.matrix.msc3026.busy_presence"),
            rich_status: flag("org.matrix.msc4426"),
        })
    }

    /// `POST /login` with `m.login.password`, without refresh tokens (the token lasts the
    /// whole session); the device is named "Presently".
    pub(crate) async fn login(
        &self,
        user: &str,
        password: &SecretString,
    ) -> Result<LoggedIn, ProviderError> {
        let body = json!({
            "type": "m.login.password",
            "identifier": { "type": "m.id.user", "user": user },
            "password": password.expose_secret(),
            "initial_device_display_name": "Presently",
        });
        let result = self
            .call(Method::POST, &client_path(&["login"]), Some(body), None)
            .await;
        let value = match result {
            Ok(value) => value,
            Err(ProviderError::Forbidden { reason }) => {
                return Err(ProviderError::AuthRejected { reason })
            }
            Err(ProviderError::Unsupported(_)) => return Err(ProviderError::AuthRejected {
                reason:
                    "this homeserver signs in only through OAuth 2.0; give an access token instead"
                        .into(),
            }),
            Err(e) => return Err(e),
        };
        match (value["user_id"].as_str(), value["access_token"].as_str()) {
            (Some(user_id), Some(token)) => Ok(LoggedIn {
                user_id: user_id.to_owned(),
                access_token: SecretString::from(token.to_owned()),
            }),
            _ => Err(ProviderError::Protocol(
                "the login answer has no user_id or access_token".into(),
            )),
        }
    }

    /// `GET /account/whoami`: the user the token belongs to.
    pub(crate) async fn whoami(&self, token: &SecretString) -> Result<String, ProviderError> {
        let value = self
            .call(
                Method::GET,
                &client_path(&["account", "whoami"]),
                None,
                Some(token),
            )
            .await?;
        value["user_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::Protocol("whoami answered no user_id".into()))
    }

    /// `POST /logout`: ends the token's device.
    pub(crate) async fn logout(&self, token: &SecretString) -> Result<(), ProviderError> {
        self.call(
            Method::POST,
            &client_path(&["logout"]),
            Some(json!({})),
            Some(token),
        )
        .await
        .map(|_| ())
    }

    /// `PUT /presence/{userId}/status` with the whole state: a write without `status_msg`
    /// clears the message, so it always goes along.
    pub(crate) async fn set_presence(
        &self,
        token: &SecretString,
        user_id: &str,
        presence: &str,
        status_msg: &str,
    ) -> Result<(), ProviderError> {
        let body = json!({ "presence": presence, "status_msg": status_msg });
        let answer = self
            .call(
                Method::PUT,
                &client_path(&["presence", user_id, "status"]),
                Some(body),
                Some(token),
            )
            .await?;
        // The spec's answer is `{}`: anything else under a 200 is not the server saying so.
        if answer.as_object().is_some_and(serde_json::Map::is_empty) {
            Ok(())
        } else {
            Err(ProviderError::Protocol(format!(
                "HTTP 200 with {}, not Matrix's {{}}; the status may not have changed",
                snippet(&serde_json::to_vec(&answer).unwrap_or_default())
            )))
        }
    }

    /// `GET /presence/{userId}/status`.
    pub(crate) async fn presence(
        &self,
        token: &SecretString,
        user_id: &str,
    ) -> Result<Presence, ProviderError> {
        let value = self
            .call(
                Method::GET,
                &client_path(&["presence", user_id, "status"]),
                None,
                Some(token),
            )
            .await?;
        serde_json::from_value(value)
            .map_err(|e| ProviderError::Protocol(format!("GET presence: {e}")))
    }

    /// MSC4426: `PUT /profile/{userId}/org.matrix.msc4426.status` (the value under the
    /// field's own key, as the spec's profile route requires), or `DELETE` to clear.
    pub(crate) async fn set_rich_status(
        &self,
        token: &SecretString,
        user_id: &str,
        status: Option<(&str, &str)>,
    ) -> Result<(), ProviderError> {
        const FIELD: &str = "org.matrix.msc4426.status";
        let path = client_path(&["profile", user_id, FIELD]);
        match status {
            Some((text, emoji)) => {
                let body = json!({ FIELD: { "text": text, "emoji": emoji } });
                self.call(Method::PUT, &path, Some(body), Some(token)).await
            }
            None => self.call(Method::DELETE, &path, None, Some(token)).await,
        }
        .map(|_| ())
    }

    /// One call: each of `segments` one escaped path segment. Success is a 2xx with a JSON
    /// object (every route here answers one, `{}` at least).
    async fn call(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Value>,
        token: Option<&SecretString>,
    ) -> Result<Value, ProviderError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ProviderError::Protocol("the homeserver URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        let mut request = self.http.request(method, url).timeout(self.timeout);
        if let Some(token) = token {
            // reqwest marks the header sensitive, so it never shows in a debug print.
            request = request.bearer_auth(token.expose_secret());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = crate::http::send(request, self.timeout).await?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_server_error() {
            return Err(ProviderError::ServerError {
                status: status.as_u16(),
            });
        }
        let bytes = read_capped(response, self.timeout).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            ProviderError::Protocol(format!(
                "HTTP {} but the body is not Matrix JSON: {}; is the URL a Matrix homeserver?",
                status.as_u16(),
                snippet(&bytes)
            ))
        })?;
        if status.is_success() {
            if !value.is_object() {
                return Err(ProviderError::Protocol(format!(
                    "HTTP {} with {}, not a JSON object; the status may not have changed",
                    status.as_u16(),
                    snippet(&bytes)
                )));
            }
            return Ok(value);
        }
        Err(error_for(status, &headers, &value))
    }
}

/// `/_matrix/client/v3/<rest>`.
fn client_path<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec!["_matrix", "client", "v3"];
    path.extend_from_slice(rest);
    path
}

/// The spec's error body `{"errcode": "M_…", "error": "…"}` in words.
pub(crate) fn error_for(status: StatusCode, headers: &HeaderMap, value: &Value) -> ProviderError {
    let code = value["errcode"].as_str().unwrap_or_default();
    let said = untrusted(value["error"].as_str().unwrap_or_default());
    match (status.as_u16(), code) {
        (429, _) | (_, "M_LIMIT_EXCEEDED") => ProviderError::RateLimited {
            retry_at: Utc::now() + chrono::Duration::milliseconds(retry_after_ms(headers, value)),
        },
        (_, "M_UNKNOWN_TOKEN") if value["soft_logout"] == Value::Bool(true) => {
            ProviderError::AuthRejected {
                reason: format!("the access token expired ({said}); sign in again"),
            }
        }
        (_, "M_UNKNOWN_TOKEN" | "M_MISSING_TOKEN") | (401, _) => ProviderError::AuthRejected {
            reason: format!(
                "signed out ({said}); sign in again (`presently account signin ACCOUNT`, or Sign in again in the settings window)"
            ),
        },
        (_, "M_USER_DEACTIVATED") => ProviderError::AuthRejected {
            reason: format!("the account is deactivated ({said})"),
        },
        (_, "M_FORBIDDEN") | (403, _) => ProviderError::Forbidden { reason: said },
        (404, "M_UNRECOGNIZED") => ProviderError::Unsupported(format!(
            "this homeserver does not have that ({said})"
        )),
        (404, _) => ProviderError::NotFound { reason: said },
        (_, _) if said.is_empty() => ProviderError::Protocol(format!(
            "HTTP {} {}",
            status.as_u16(),
            snippet(&serde_json::to_vec(value).unwrap_or_default())
        )),
        (s, code) => ProviderError::Rejected {
            reason: format!("{said} ({}, HTTP {s})", untrusted(code)),
        },
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds; the spec's choice since v1.10), else
/// `retry_after_ms` (Synapse's presence route sends only that), else ten seconds, Synapse's
/// presence rule; kept between a second and an hour.
fn retry_after_ms(headers: &HeaderMap, value: &Value) -> i64 {
    let header = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|s| s.saturating_mul(1000));
    header
        .or_else(|| value["retry_after_ms"].as_i64())
        .unwrap_or(10_000)
        .clamp(1_000, 3_600_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> ProviderError {
        error_for(
            StatusCode::from_u16(status).expect("a status"),
            &HeaderMap::new(),
            &serde_json::from_str(body).expect("JSON"),
        )
    }

    #[test]
    fn errors_read_as_sentences() {
        assert!(matches!(
            error(
                401,
                r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed.","soft_logout":false}"#
            ),
            ProviderError::AuthRejected { .. }
        ));
        assert!(error(
            401,
            r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Access token has expired","soft_logout":true}"#
        )
        .to_string()
        .contains("expired"));
        assert!(matches!(
            error(
                403,
                r#"{"errcode":"M_FORBIDDEN","error":"Can only set your own presence state"}"#
            ),
            ProviderError::Forbidden { .. }
        ));
        let limited = error(
            429,
            r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":9000}"#,
        );
        match limited {
            ProviderError::RateLimited { retry_at } => {
                let wait = (retry_at - Utc::now()).num_milliseconds();
                assert!((8_000..=9_000).contains(&wait), "{wait}");
            }
            other => panic!("{other}"),
        }
        assert!(error(
            400,
            r#"{"errcode":"M_UNKNOWN","error":"Invalid presence state\u001b]0;x\u0007"}"#
        )
        .to_string()
        .contains("\\u{1b}"));
    }
}
