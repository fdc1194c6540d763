//! HTTP calls to one Mattermost server's REST API (`/api/v4`), with shapes and error ids
//! named as in its API reference (<https://developers.mattermost.com/api-documentation/>)
//! and server code (`server/channels/api4/status.go`, `server/public/model/custom_status.go`).

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, snippet, untrusted};

#[derive(Debug)]
pub(crate) struct MattermostClient {
    http: reqwest::Client,
    api: Url,
    timeout: Duration,
}

/// What `POST /users/login` answered.
#[derive(Debug)]
pub(crate) enum Login {
    /// The session token (response header `Token`) and whose it is.
    SignedIn { token: SecretString, me: Me },
    /// The user has multi-factor authentication: the same login again with the code.
    NeedsCode,
}

/// `GET /users/me` and `GET /users/{user_id}`: the fields Presently reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Me {
    pub id: String,
    #[serde(default)]
    pub username: String,
    /// Space-separated: "system_user system_admin".
    #[serde(default)]
    pub roles: String,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub props: Option<Value>,
}

/// The custom status as the server keeps it: in the user's `props.customStatus`, a JSON
/// string (`""` once cleared).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct CustomStatus {
    #[serde(default)]
    pub emoji: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Me {
    /// The custom status as the server holds it, also one whose `expires_at` passed: the
    /// server keeps it until the next change (Mattermost's apps hide it, and Presently,
    /// which set it, ends it on time with the availability).
    pub(crate) fn custom_status(&self) -> CustomStatus {
        self.props
            .as_ref()
            .and_then(|p| p.get("customStatus"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| serde_json::from_str::<CustomStatus>(s).ok())
            .unwrap_or_default()
    }
}

/// `GET /users/{user_id}/status`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserStatus {
    pub status: String,
}

/// `GET /emoji` and `GET /emoji/name/{name}`: a custom emoji.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CustomEmoji {
    pub name: String,
}

/// What a call answered, and the server's version from `X-Version-Id`.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub value: Value,
    pub version: Option<String>,
}

impl MattermostClient {
    pub(crate) fn new(
        http: reqwest::Client,
        server: &Url,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let base = server.as_str().trim_end_matches('/');
        let api = Url::parse(&format!("{base}/api/v4/"))
            .map_err(|e| ProviderError::Protocol(format!("bad server URL: {e}")))?;
        Ok(MattermostClient { http, api, timeout })
    }

    /// `POST /users/login` with a password and, when the user has MFA, its code.
    pub(crate) async fn login(
        &self,
        login_id: &str,
        password: &SecretString,
        code: Option<&str>,
    ) -> Result<Login, ProviderError> {
        let mut body = json!({ "login_id": login_id, "password": password.expose_secret() });
        if let Some(code) = code {
            body["token"] = json!(code);
        }
        let (answer, headers) = self
            .send_with_headers(Method::POST, &["users", "login"], Some(body), None)
            .await?;
        if answer.status.is_success() {
            let token = headers
                .get("token")
                .and_then(|v| v.to_str().ok())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ProviderError::Protocol("the login answer has no Token header".into())
                })?;
            let me: Me = serde_json::from_value(answer.value)
                .map_err(|e| ProviderError::Protocol(format!("POST users/login: {e}")))?;
            return Ok(Login::SignedIn {
                token: SecretString::from(token.to_owned()),
                me,
            });
        }
        match error_id(&answer.value) {
            "api.user.check_user_mfa.bad_code.app_error" if code.is_none() => Ok(Login::NeedsCode),
            "api.user.check_user_mfa.bad_code.app_error" => Err(ProviderError::AuthRejected {
                reason: "the MFA code was not accepted; try a fresh one".into(),
            }),
            "api.user.login.use_auth_service.app_error" => Err(ProviderError::AuthRejected {
                reason: format!(
                    "{}; this account signs in through a single sign-on service, so use a personal access token",
                    message(&answer.value)
                ),
            }),
            id if id.starts_with("api.user.login.invalid_credentials") => {
                Err(ProviderError::AuthRejected {
                    reason: "wrong e-mail, user name or password".into(),
                })
            }
            "api.user.login.inactive.app_error"
            | "api.user.check_user_login_attempts.too_many.app_error"
            | "api.user.login.not_verified.app_error"
            | "api.user.login.bot_login_forbidden.app_error" => Err(ProviderError::AuthRejected {
                reason: message(&answer.value),
            }),
            _ => Err(error_for(&answer, "")),
        }
    }

    /// `POST /users/logout`: ends the session of `token`.
    pub(crate) async fn logout(&self, token: &SecretString) -> Result<(), ProviderError> {
        let answer = self
            .send(
                Method::POST,
                &["users", "logout"],
                Some(json!({})),
                Some(token),
            )
            .await?;
        ok_status(&answer, "POST users/logout")
    }

    /// `GET /system/ping` (no sign-in): the server's version, from `X-Version-Id`.
    pub(crate) async fn server_version(&self) -> Result<String, ProviderError> {
        let answer = self
            .send(Method::GET, &["system", "ping"], None, None)
            .await?;
        if !answer.status.is_success() {
            return Err(error_for(&answer, ""));
        }
        answer.version.ok_or_else(|| {
            ProviderError::Protocol(
                "the server sent no X-Version-Id; is the URL a Mattermost server?".into(),
            )
        })
    }

    /// `GET /users/{user_id}` (`me` for the signed-in user).
    pub(crate) async fn user(
        &self,
        token: &SecretString,
        user_id: &str,
    ) -> Result<Answer, ProviderError> {
        let answer = self
            .send(Method::GET, &["users", user_id], None, Some(token))
            .await?;
        if !answer.status.is_success() {
            return Err(error_for(&answer, user_id));
        }
        Ok(answer)
    }

    /// `PUT /users/{user_id}/status`: `online`, `away`, `dnd` (until `dnd_end_time`, Unix
    /// seconds, 6.1+) or `offline`. Success is the status object naming what was sent.
    pub(crate) async fn set_availability(
        &self,
        token: &SecretString,
        user_id: &str,
        status: &str,
        dnd_end_time: Option<i64>,
    ) -> Result<(), ProviderError> {
        let mut body = json!({ "user_id": user_id, "status": status });
        if let Some(end) = dnd_end_time {
            body["dnd_end_time"] = json!(end);
        }
        let answer = self
            .send(
                Method::PUT,
                &["users", user_id, "status"],
                Some(body),
                Some(token),
            )
            .await?;
        if !answer.status.is_success() {
            return Err(error_for(&answer, user_id));
        }
        if answer.value["status"].as_str() != Some(status) {
            return Err(unexpected(&answer, "the status object it set"));
        }
        Ok(())
    }

    /// `GET /users/{user_id}/status`.
    pub(crate) async fn availability(
        &self,
        token: &SecretString,
        user_id: &str,
    ) -> Result<UserStatus, ProviderError> {
        let answer = self
            .send(
                Method::GET,
                &["users", user_id, "status"],
                None,
                Some(token),
            )
            .await?;
        if !answer.status.is_success() {
            return Err(error_for(&answer, user_id));
        }
        serde_json::from_value(answer.value)
            .map_err(|e| ProviderError::Protocol(format!("GET users/status: {e}")))
    }

    /// `PUT /users/{user_id}/status/custom` (5.33+); `expires_at` with `duration`
    /// "date_and_time" (5.37+). `Ok(false)`: the server has custom statuses switched off
    /// (501 `api.custom_status.disabled`).
    pub(crate) async fn set_custom_status(
        &self,
        token: &SecretString,
        user_id: &str,
        emoji: &str,
        text: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<bool, ProviderError> {
        let mut body = json!({ "emoji": emoji, "text": text });
        if let Some(at) = expires_at {
            body["duration"] = json!("date_and_time");
            body["expires_at"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        let answer = self
            .send(
                Method::PUT,
                &["users", user_id, "status", "custom"],
                Some(body),
                Some(token),
            )
            .await?;
        custom_applied(&answer, "PUT users/status/custom")
    }

    /// `DELETE /users/{user_id}/status/custom`; `Ok(false)` as for setting it.
    pub(crate) async fn clear_custom_status(
        &self,
        token: &SecretString,
        user_id: &str,
    ) -> Result<bool, ProviderError> {
        let answer = self
            .send(
                Method::DELETE,
                &["users", user_id, "status", "custom"],
                None,
                Some(token),
            )
            .await?;
        custom_applied(&answer, "DELETE users/status/custom")
    }

    /// `GET /emoji/name/{name}`: whether the server has this custom emoji.
    pub(crate) async fn custom_emoji_exists(
        &self,
        token: &SecretString,
        name: &str,
    ) -> Result<bool, ProviderError> {
        let answer = self
            .send(Method::GET, &["emoji", "name", name], None, Some(token))
            .await?;
        match answer.status.as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(error_for(&answer, "")),
        }
    }

    /// `GET /emoji?page=N&per_page=200&sort=name`, page by page (at most 10 pages).
    pub(crate) async fn custom_emoji(
        &self,
        token: &SecretString,
    ) -> Result<Vec<String>, ProviderError> {
        const PER_PAGE: usize = 200;
        let mut names = Vec::new();
        for page in 0..10 {
            let path = format!("emoji?page={page}&per_page={PER_PAGE}&sort=name");
            let url = self
                .api
                .join(&path)
                .map_err(|e| ProviderError::Protocol(format!("bad API path: {e}")))?;
            let answer = self.send_url(Method::GET, url, None, Some(token)).await?.0;
            if answer.status == StatusCode::NOT_IMPLEMENTED {
                return Ok(names); // custom emoji are off on this server
            }
            if !answer.status.is_success() {
                return Err(error_for(&answer, ""));
            }
            let emoji: Vec<CustomEmoji> = serde_json::from_value(answer.value)
                .map_err(|e| ProviderError::Protocol(format!("GET emoji: {e}")))?;
            let got = emoji.len();
            names.extend(emoji.into_iter().map(|e| e.name));
            if got < PER_PAGE {
                break;
            }
        }
        Ok(names)
    }

    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Value>,
        token: Option<&SecretString>,
    ) -> Result<Answer, ProviderError> {
        Ok(self
            .send_with_headers(method, segments, body, token)
            .await?
            .0)
    }

    /// Each of `segments` becomes one path segment, escaped: a user id can never reach
    /// another route.
    async fn send_with_headers(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Value>,
        token: Option<&SecretString>,
    ) -> Result<(Answer, HeaderMap), ProviderError> {
        let mut url = self.api.clone();
        url.path_segments_mut()
            .map_err(|()| ProviderError::Protocol("the server URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        self.send_url(method, url, body, token).await
    }

    async fn send_url(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        token: Option<&SecretString>,
    ) -> Result<(Answer, HeaderMap), ProviderError> {
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
        let version = headers
            .get("x-version-id")
            .and_then(|v| v.to_str().ok())
            .map(version_of);
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(rate_limited(&headers));
        }
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            return Err(ProviderError::ServerError {
                status: status.as_u16(),
            });
        }
        let bytes = read_capped(response, self.timeout).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            ProviderError::Protocol(format!(
                "HTTP {} but the body is not Mattermost's JSON: {}; is the URL a Mattermost server?",
                status.as_u16(),
                snippet(&bytes)
            ))
        })?;
        Ok((
            Answer {
                status,
                value,
                version,
            },
            headers,
        ))
    }
}

/// "9.11.2.9.11.2.1a2b3c.true" (or, older, three more parts) → "9.11.2".
pub(crate) fn version_of(header: &str) -> String {
    header
        .trim()
        .split('.')
        .take(3)
        .collect::<Vec<_>>()
        .join(".")
}

/// "9.11.2" → (9, 11); anything unreadable → (0, 0), an old server.
pub(crate) fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version
        .split('.')
        .map(|p| p.trim().parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// A custom-status route's answer: applied, or switched off on this server.
fn custom_applied(answer: &Answer, call: &str) -> Result<bool, ProviderError> {
    if answer.status == StatusCode::NOT_IMPLEMENTED
        && error_id(&answer.value) == "api.custom_status.disabled"
    {
        return Ok(false);
    }
    ok_status(answer, call).map(|()| true)
}

/// Success of the custom-status routes and logout: 200 `{"status":"OK"}`.
fn ok_status(answer: &Answer, call: &str) -> Result<(), ProviderError> {
    if answer.status == StatusCode::NOT_FOUND
        && error_id(&answer.value) == "api.context.404.app_error"
    {
        // The route is not there at all: custom statuses came with 5.33.
        return Err(ProviderError::Unsupported(
            "Mattermost 5.33 or newer shows custom statuses".into(),
        ));
    }
    if !answer.status.is_success() {
        return Err(error_for(answer, ""));
    }
    if answer.value["status"].as_str() != Some("OK") {
        return Err(unexpected(
            answer,
            &format!("{call}'s {{\"status\":\"OK\"}}"),
        ));
    }
    Ok(())
}

fn unexpected(answer: &Answer, wanted: &str) -> ProviderError {
    let came = match &answer.value {
        Value::Null => "null".to_owned(),
        other => snippet(&serde_json::to_vec(other).unwrap_or_default()),
    };
    ProviderError::Protocol(format!(
        "HTTP {} with {came}, not {wanted}; the status may not have changed",
        answer.status.as_u16()
    ))
}

fn error_id(value: &Value) -> &str {
    value["id"].as_str().unwrap_or_default()
}

fn message(value: &Value) -> String {
    untrusted(value["message"].as_str().unwrap_or_default())
}

/// A 429: `Retry-After` in seconds (its body is plain text, `limit exceeded`). A missing
/// or absurd value gets a minute; any is kept within an hour.
fn rate_limited(headers: &HeaderMap) -> ProviderError {
    let seconds = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(60, |s| s.clamp(1, 3600));
    ProviderError::RateLimited {
        retry_at: Utc::now() + chrono::Duration::seconds(seconds),
    }
}

/// Turns Mattermost's error body (`{"id","message","detailed_error","status_code"}`) into
/// a sentence, matching on `id` as the API reference asks.
pub(crate) fn error_for(answer: &Answer, user_id: &str) -> ProviderError {
    let value = &answer.value;
    let id = error_id(value);
    let said = message(value);
    match (answer.status.as_u16(), id) {
        (401, _) => ProviderError::AuthRejected {
            reason: format!(
                "signed out ({said}); sign in again (`presently account signin ACCOUNT`, or Sign in again in the settings window)"
            ),
        },
        (403, _) => ProviderError::Forbidden {
            reason: format!(
                "{said} (changing another user's status needs the permission edit_other_users)"
            ),
        },
        (404, "api.status.user_not_found.app_error") => ProviderError::Rejected {
            reason: format!(
                "{said}: this server has user statuses switched off (ServiceSettings.EnableUserStatuses)"
            ),
        },
        (404, _) if !user_id.is_empty() && user_id != "me" => ProviderError::NotFound {
            reason: format!("Mattermost has no user {:?} ({said})", untrusted(user_id)),
        },
        (404, _) => ProviderError::NotFound { reason: said },
        (501, "api.custom_status.disabled") => ProviderError::Rejected {
            reason: "custom statuses are switched off on this server (TeamSettings.EnableCustomUserStatuses)".into(),
        },
        (_, _) if said.is_empty() => ProviderError::Protocol(format!(
            "HTTP {} {}",
            answer.status.as_u16(),
            snippet(&serde_json::to_vec(value).unwrap_or_default())
        )),
        (status, id) => ProviderError::Rejected {
            reason: format!("{said} ({}, HTTP {status})", untrusted(id)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).expect("a status"),
            value: serde_json::from_str(body).expect("JSON"),
            version: None,
        }
    }

    #[test]
    fn the_version_is_the_first_three_parts_of_x_version_id() {
        assert_eq!(version_of("9.11.2.9.11.2.abc123.true"), "9.11.2");
        assert_eq!(version_of("5.36.0.5.36.0.h.false"), "5.36.0");
        assert_eq!(major_minor("9.11.2"), (9, 11));
        assert_eq!(major_minor("garbage"), (0, 0));
    }

    #[test]
    fn errors_read_as_sentences_by_their_id() {
        let e = error_for(
            &answer(
                401,
                r#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","detailed_error":"","request_id":"x","status_code":401}"#,
            ),
            "me",
        );
        assert!(matches!(e, ProviderError::AuthRejected { .. }), "{e}");
        let e = error_for(
            &answer(
                501,
                r#"{"id":"api.custom_status.disabled","message":"Custom status feature has been disabled. Please contact your system administrator for details.","status_code":501}"#,
            ),
            "me",
        );
        assert!(
            e.to_string().contains("custom statuses are switched off"),
            "{e}"
        );
        let e = error_for(
            &answer(
                404,
                r#"{"id":"api.status.user_not_found.app_error","message":"User not found.","status_code":404}"#,
            ),
            "me",
        );
        assert!(e.to_string().contains("EnableUserStatuses"), "{e}");
        let e = error_for(
            &answer(
                400,
                r#"{"id":"api.context.invalid_body_param.app_error","message":"Invalid or missing custom_status in request body.\u001b[2J","status_code":400}"#,
            ),
            "me",
        );
        assert!(e.to_string().contains("\\u{1b}"), "escaped: {e}");
    }

    #[test]
    fn the_custom_status_is_read_as_the_server_holds_it() {
        let me = |status: &str| Me {
            id: "x".into(),
            username: String::new(),
            roles: String::new(),
            is_bot: false,
            props: Some(json!({ "customStatus": status })),
        };
        let over = me(
            r#"{"emoji":"palm_tree","text":"Away","duration":"date_and_time","expires_at":"2026-12-01T11:00:00Z"}"#,
        );
        assert_eq!(
            over.custom_status().text,
            "Away",
            "kept until the next change"
        );
        assert_eq!(me("").custom_status(), CustomStatus::default());
        assert_eq!(me("{not json").custom_status(), CustomStatus::default());
    }

    #[test]
    fn a_retry_after_is_kept_within_an_hour() {
        let at = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                reqwest::header::RETRY_AFTER,
                value.parse().expect("a header"),
            );
            match rate_limited(&headers) {
                ProviderError::RateLimited { retry_at } => (retry_at - Utc::now()).num_seconds(),
                other => panic!("{other}"),
            }
        };
        assert!((0..=1).contains(&at("0")));
        assert!((29..=30).contains(&at("30")));
        assert!((3599..=3600).contains(&at("7200")));
        assert!((59..=60).contains(&at("soon")));
    }
}
