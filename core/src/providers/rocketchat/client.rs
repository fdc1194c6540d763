//! HTTP calls to one Rocket.Chat server, with shapes named as in its REST API.

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, snippet};

/// Credentials for every authenticated call: `X-Auth-Token` and `X-User-Id`.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub auth_token: SecretString,
    pub user_id: String,
}

#[derive(Debug)]
pub(crate) struct RocketChatClient {
    http: reqwest::Client,
    api: Url,
    timeout: Duration,
}

/// What `POST /api/v1/login` answered.
#[derive(Debug)]
pub(crate) enum Login {
    SignedIn(Credentials),
    /// The server wants a second factor: "totp" (an authenticator app) or "email".
    NeedsCode {
        method: String,
    },
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Me {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// `GET /api/v1/users.getStatus`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserStatus {
    #[serde(default)]
    pub status: String,
}

/// One of the admin-defined statuses users can pick in Rocket.Chat's own menu.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct CustomStatus {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    #[serde(rename = "statusType")]
    pub status_type: String,
}

#[derive(Debug, Deserialize)]
struct StatusPage {
    statuses: Vec<CustomStatus>,
    #[serde(default)]
    total: usize,
}

#[derive(Debug, Deserialize)]
struct UserInfo {
    user: UserInfoUser,
}

#[derive(Debug, Deserialize)]
struct UserInfoUser {
    #[serde(rename = "statusText", default)]
    status_text: String,
}

impl RocketChatClient {
    pub(crate) fn new(
        http: reqwest::Client,
        server: &Url,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let base = server.as_str().trim_end_matches('/');
        let api = Url::parse(&format!("{base}/api/v1/"))
            .map_err(|e| ProviderError::Protocol(format!("bad server URL: {e}")))?;
        Ok(RocketChatClient { http, api, timeout })
    }

    /// Signs in with a password (and a second-factor code when the server asked for one).
    pub(crate) async fn login(
        &self,
        user: &str,
        password: &SecretString,
        code: Option<&str>,
    ) -> Result<Login, ProviderError> {
        let mut body = json!({ "user": user, "password": password.expose_secret() });
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        let (status, value) = self.send(Method::POST, "login", Some(body), None).await?;
        if status.is_success() {
            let data = &value["data"];
            let token = data["authToken"].as_str();
            let user_id = data["userId"].as_str();
            return match (token, user_id) {
                (Some(token), Some(user_id)) => Ok(Login::SignedIn(Credentials {
                    auth_token: SecretString::from(token.to_owned()),
                    user_id: user_id.to_owned(),
                })),
                _ => Err(ProviderError::Protocol(
                    "the login answer has no authToken or userId".into(),
                )),
            };
        }
        match value["error"].as_str() {
            Some("totp-required") => Ok(Login::NeedsCode {
                method: value["details"]["method"]
                    .as_str()
                    .unwrap_or("totp")
                    .to_owned(),
            }),
            Some("totp-invalid") => Err(ProviderError::AuthRejected {
                reason: "the second-factor code was not accepted; try a fresh one".into(),
            }),
            _ if status == StatusCode::UNAUTHORIZED => Err(ProviderError::AuthRejected {
                reason: "wrong user name or password".into(),
            }),
            _ => Err(error_for(status, &value)),
        }
    }

    /// `POST /logout`: `{"status":"success",…}` (some 8.x servers: an empty body).
    pub(crate) async fn logout(&self, credentials: &Credentials) -> Result<(), ProviderError> {
        let (status, value) = self
            .send(Method::POST, "logout", Some(json!({})), Some(credentials))
            .await?;
        if !status.is_success() {
            return Err(error_for(status, &value));
        }
        let signed_out = value.is_null()
            || value["status"] == "success"
            || value["success"] == Value::Bool(true);
        if !signed_out {
            return Err(unexpected_answer(status, &value));
        }
        Ok(())
    }

    /// `GET /api/info` (outside `/api/v1`): public, answers the server's version.
    pub(crate) async fn server_version(&self) -> Result<String, ProviderError> {
        let (status, value) = self.send(Method::GET, "../info", None, None).await?;
        if !status.is_success() {
            return Err(error_for(status, &value));
        }
        Ok(value["info"]["version"]
            .as_str()
            .or(value["version"].as_str())
            .unwrap_or("")
            .to_owned())
    }

    pub(crate) async fn me(&self, credentials: &Credentials) -> Result<Me, ProviderError> {
        let value = self.call(Method::GET, "me", None, credentials).await?;
        serde_json::from_value(value).map_err(|e| ProviderError::Protocol(format!("GET me: {e}")))
    }

    /// `POST /api/v1/users.setStatus`; `user_id` sets someone else's status.
    pub(crate) async fn set_status(
        &self,
        credentials: &Credentials,
        message: &str,
        status: &str,
        user_id: Option<&str>,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), ProviderError> {
        let mut body = json!({ "message": message, "status": status });
        if let Some(user_id) = user_id {
            body["userId"] = json!(user_id);
        }
        if let Some(at) = expires_at {
            body["expiresAt"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        }
        self.call(Method::POST, "users.setStatus", Some(body), credentials)
            .await
            .map(|_| ())
    }

    pub(crate) async fn status_of(
        &self,
        credentials: &Credentials,
        user_id: &str,
    ) -> Result<(String, String), ProviderError> {
        let status: UserStatus = serde_json::from_value(
            self.call(
                Method::GET,
                &format!("users.getStatus?userId={user_id}"),
                None,
                credentials,
            )
            .await?,
        )
        .map_err(|e| ProviderError::Protocol(format!("GET users.getStatus: {e}")))?;
        let info: UserInfo = serde_json::from_value(
            self.call(
                Method::GET,
                &format!("users.info?userId={user_id}"),
                None,
                credentials,
            )
            .await?,
        )
        .map_err(|e| ProviderError::Protocol(format!("GET users.info: {e}")))?;
        Ok((info.user.status_text, status.status))
    }

    /// Every custom status on the server (`custom-user-status.list`, page by page).
    pub(crate) async fn custom_statuses(
        &self,
        credentials: &Credentials,
    ) -> Result<Vec<CustomStatus>, ProviderError> {
        const PAGE: usize = 100;
        let mut all = Vec::new();
        loop {
            let value = self
                .call(
                    Method::GET,
                    &format!("custom-user-status.list?count={PAGE}&offset={}", all.len()),
                    None,
                    credentials,
                )
                .await?;
            let page: StatusPage = serde_json::from_value(value).map_err(|e| {
                ProviderError::Protocol(format!("GET custom-user-status.list: {e}"))
            })?;
            let got = page.statuses.len();
            all.extend(page.statuses);
            if got == 0 || all.len() >= page.total {
                return Ok(all);
            }
        }
    }

    /// `custom-user-status.create`; returns the new status's `_id`.
    pub(crate) async fn create_custom_status(
        &self,
        credentials: &Credentials,
        name: &str,
        status_type: &str,
    ) -> Result<String, ProviderError> {
        let body = json!({ "name": name, "statusType": status_type });
        let value = self
            .call(
                Method::POST,
                "custom-user-status.create",
                Some(body),
                credentials,
            )
            .await?;
        value["customUserStatus"]["_id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::Protocol("the created status has no _id".into()))
    }

    pub(crate) async fn update_custom_status(
        &self,
        credentials: &Credentials,
        id: &str,
        name: &str,
        status_type: &str,
    ) -> Result<(), ProviderError> {
        let body = json!({ "_id": id, "name": name, "statusType": status_type });
        self.call(
            Method::POST,
            "custom-user-status.update",
            Some(body),
            credentials,
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn delete_custom_status(
        &self,
        credentials: &Credentials,
        id: &str,
    ) -> Result<(), ProviderError> {
        let body = json!({ "customUserStatusId": id });
        self.call(
            Method::POST,
            "custom-user-status.delete",
            Some(body),
            credentials,
        )
        .await
        .map(|_| ())
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        credentials: &Credentials,
    ) -> Result<Value, ProviderError> {
        let (status, value) = self.send(method, path, body, Some(credentials)).await?;
        if !status.is_success() {
            return Err(error_for(status, &value));
        }
        // Success only when Rocket.Chat says so (`API.v1.success()`): an empty body, `null`,
        // `[]` or `"success": false` under a 2xx is not a change made.
        if value["success"] != Value::Bool(true) {
            return Err(unexpected_answer(status, &value));
        }
        Ok(value)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        credentials: Option<&Credentials>,
    ) -> Result<(StatusCode, Value), ProviderError> {
        let url = self
            .api
            .join(path)
            .map_err(|e| ProviderError::Protocol(format!("bad API path {path}: {e}")))?;
        let mut request = self.http.request(method, url).timeout(self.timeout);
        if let Some(credentials) = credentials {
            let mut token =
                reqwest::header::HeaderValue::from_str(credentials.auth_token.expose_secret())
                    .map_err(|_| ProviderError::AuthRejected {
                        reason: "the stored token is not valid header text".into(),
                    })?;
            token.set_sensitive(true);
            request = request
                .header("X-Auth-Token", token)
                .header("X-User-Id", &credentials.user_id);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = crate::http::send(request, self.timeout).await?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(rate_limited(&response));
        }
        if status.is_server_error() {
            return Err(ProviderError::ServerError {
                status: status.as_u16(),
            });
        }
        let bytes = read_capped(response, self.timeout).await?;
        // Some servers answer logout with an empty body.
        if bytes.iter().all(u8::is_ascii_whitespace) && status.is_success() {
            return Ok((status, Value::Null));
        }
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            ProviderError::Protocol(format!(
                "HTTP {} but the body is not Rocket.Chat's JSON: {}; is the URL a Rocket.Chat server?",
                status.as_u16(),
                snippet(&bytes)
            ))
        })?;
        Ok((status, value))
    }
}

/// A 2xx that is not Rocket.Chat's success, with a short escaped excerpt of what came.
fn unexpected_answer(status: StatusCode, value: &Value) -> ProviderError {
    let came = match value {
        Value::Null => "an empty body (or null)".to_owned(),
        other => snippet(&serde_json::to_vec(other).unwrap_or_default()),
    };
    ProviderError::Protocol(format!(
        "HTTP {} with {came}, not Rocket.Chat's \"success\": true; the status may not have changed",
        status.as_u16()
    ))
}

/// `X-RateLimit-Reset` is epoch milliseconds; there is no `Retry-After`.
fn rate_limited(response: &reqwest::Response) -> ProviderError {
    let reset = response
        .headers()
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    ProviderError::RateLimited {
        retry_at: sane_reset(reset, Utc::now()),
    }
}

/// When to try again after a 429, from `X-RateLimit-Reset` (epoch milliseconds). A server
/// that sends nonsense (0, negative, seconds instead of milliseconds, years away) gets a
/// minute; any answer is kept within an hour of `now`.
fn sane_reset(reset: Option<i64>, now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    let fallback = now + chrono::Duration::seconds(60);
    let Some(ms) = reset.filter(|ms| *ms > 0) else {
        return fallback;
    };
    // Seconds since 1970 are below 10^11 until the year 5138; milliseconds are above.
    let ms = if ms < 100_000_000_000 {
        ms.saturating_mul(1000)
    } else {
        ms
    };
    match Utc.timestamp_millis_opt(ms).single() {
        Some(at) if at <= now => now,
        Some(at) if at <= now + chrono::Duration::hours(1) => at,
        _ => fallback,
    }
}

/// Maps Rocket.Chat's two error shapes: `{"status":"error","message"}` for sign-in
/// problems and Meteor errors `{"success":false,"error","errorType"}`.
fn error_for(status: StatusCode, value: &Value) -> ProviderError {
    let message = value["message"].as_str().unwrap_or_default();
    let error = value["error"].as_str().unwrap_or_default();
    let error_type = value["errorType"].as_str().unwrap_or_default();
    let reason = crate::http::untrusted(if error.is_empty() { message } else { error });
    let message = crate::http::untrusted(message);
    match (status.as_u16(), error_type, error) {
        (401, _, "unauthorized") => ProviderError::Forbidden {
            reason: "not allowed to change other users' statuses (needs the permission edit-other-user-info)".into(),
        },
        (401, _, _) => ProviderError::AuthRejected {
            reason: format!("signed out ({message}); sign in again (`presently account signin ACCOUNT`, or Sign in again in the settings window)"),
        },
        (403, _, _) => ProviderError::Forbidden { reason },
        (404, _, _) => ProviderError::NotFound { reason },
        (_, "error-not-allowed", _) => ProviderError::Forbidden {
            reason: format!("{reason}: this server does not let users change their status message"),
        },
        (_, "not_authorized", _) => ProviderError::Forbidden {
            reason: "not authorized on this server (managing custom statuses needs the permission manage-user-status)".into(),
        },
        (_, "totp-required", _) => ProviderError::AuthRejected {
            reason: "the server asks for a second factor for this call; use a personal access token".into(),
        },
        (_, _, _) if reason.is_empty() => ProviderError::Protocol(format!("HTTP {} without a reason", status.as_u16())),
        _ => ProviderError::Rejected { reason },
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_rate_limit_reset_is_kept_sane() {
        let now = Utc
            .timestamp_millis_opt(1_790_000_000_000)
            .single()
            .expect("a time");
        let minute = now + chrono::Duration::seconds(60);
        let in_ms = |secs: i64| Some(now.timestamp_millis() + secs * 1000);
        assert_eq!(
            sane_reset(in_ms(30), now),
            now + chrono::Duration::seconds(30)
        );
        assert_eq!(
            sane_reset(Some(now.timestamp() + 30), now),
            now + chrono::Duration::seconds(30),
            "seconds"
        );
        assert_eq!(sane_reset(Some(0), now), minute);
        assert_eq!(sane_reset(Some(-5), now), minute);
        assert_eq!(sane_reset(None, now), minute);
        assert_eq!(sane_reset(in_ms(-30), now), now, "already passed");
        assert_eq!(
            sane_reset(in_ms(86_400 * 365 * 30), now),
            minute,
            "years away"
        );
    }

    use super::*;

    fn mapped(status: u16, body: &str) -> String {
        let value: Value = serde_json::from_str(body).expect("a JSON body");
        error_for(StatusCode::from_u16(status).expect("status"), &value).to_string()
    }

    /// The documented errors of `custom-user-status.create` and `.update` (seeds 002, 000).
    #[test]
    fn custom_status_errors_read_as_sentences() {
        assert_eq!(
            mapped(
                400,
                r#"{"success":false,"error":"The field Name is required [error-the-field-is-required]","errorType":"error-the-field-is-required"}"#
            ),
            "the server refused it: The field Name is required [error-the-field-is-required]"
        );
        assert_eq!(
            mapped(400, r#"{"success":false,"error":"The custom user status name is already in use [Custom_User_Status_Error_Name_Already_In_Use]","errorType":"Custom_User_Status_Error_Name_Already_In_Use"}"#),
            "the server refused it: The custom user status name is already in use [Custom_User_Status_Error_Name_Already_In_Use]"
        );
        assert_eq!(
            mapped(400, r#"{"success":false,"error":"Offline is not a valid status type [error-input-is-not-a-valid-field]","errorType":"error-input-is-not-a-valid-field"}"#),
            "the server refused it: Offline is not a valid status type [error-input-is-not-a-valid-field]"
        );
        assert_eq!(
            mapped(
                400,
                r#"{"success":false,"error":"No custom user status found with the id of \"abc\"."}"#
            ),
            "the server refused it: No custom user status found with the id of \"abc\"."
        );
        assert!(mapped(
            400,
            r#"{"success":false,"error":"[not_authorized]","errorType":"not_authorized"}"#
        )
        .contains("needs the permission manage-user-status"));
        assert!(mapped(
            401,
            r#"{"status":"error","message":"You must be logged in to do this."}"#
        )
        .starts_with("credentials rejected: signed out (You must be logged in to do this.)"));
        assert!(mapped(401, r#"{"success":false,"error":"unauthorized"}"#)
            .contains("edit-other-user-info"));
    }

    #[test]
    fn set_status_errors_keep_the_servers_words() {
        assert!(mapped(400, r#"{"success":false,"error":"Change status is not allowed [error-not-allowed]","errorType":"error-not-allowed"}"#)
            .contains("does not let users change their status message"));
        assert_eq!(
            mapped(
                400,
                r#"{"success":false,"error":"Invisible status is disabled [error-status-not-allowed]","errorType":"error-status-not-allowed"}"#
            ),
            "the server refused it: Invisible status is disabled [error-status-not-allowed]"
        );
    }
}
