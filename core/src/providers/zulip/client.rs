//! HTTP calls to one Zulip server, with request and response shapes named as in its API docs.

use chrono::Utc;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, snippet};

#[derive(Debug)]
pub(crate) struct ZulipClient {
    http: reqwest::Client,
    api: Url,
    email: String,
    api_key: SecretString,
    timeout: Duration,
}

/// `GET /server_settings` (the part Presently keeps in its server cache).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub(crate) struct ServerSettings {
    #[serde(default)]
    pub zulip_version: String,
    /// Missing on servers older than feature levels (before Zulip 3.0): level 0.
    #[serde(default)]
    pub zulip_feature_level: u32,
}

/// `GET /users/me`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct OwnUser {
    pub user_id: u64,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub is_admin: bool,
}

/// `UserStatus` in `GET /users/{user_id}/status`; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserStatus {
    #[serde(default)]
    pub status_text: String,
    #[serde(default)]
    pub emoji_name: String,
    #[serde(default)]
    pub emoji_code: String,
    #[serde(default)]
    pub reaction_type: String,
    #[serde(default)]
    pub away: bool,
}

#[derive(Debug, Deserialize)]
struct StatusResponse {
    #[serde(default)]
    status: UserStatus,
}

/// The error shape of every endpoint: `{"result": "error", "msg": ..., "code": ...}`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    msg: String,
    #[serde(default)]
    code: String,
    #[serde(rename = "retry-after")]
    retry_after: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    result: String,
}

impl ZulipClient {
    pub(crate) fn new(
        http: reqwest::Client,
        site: &Url,
        email: String,
        api_key: SecretString,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let base = site.as_str().trim_end_matches('/');
        let api = Url::parse(&format!("{base}/api/v1/"))
            .map_err(|e| ProviderError::Protocol(format!("bad site URL: {e}")))?;
        Ok(ZulipClient {
            http,
            api,
            email,
            api_key,
            timeout,
        })
    }

    pub(crate) async fn server_settings(&self) -> Result<ServerSettings, ProviderError> {
        self.call(Method::GET, "server_settings", &[], false).await
    }

    pub(crate) async fn own_user(&self) -> Result<OwnUser, ProviderError> {
        self.call(Method::GET, "users/me", &[], true).await
    }

    /// `POST /users/me/status` or, for another user, `POST /users/{user_id}/status`.
    pub(crate) async fn update_status(
        &self,
        user_id: Option<u64>,
        form: &[(&str, String)],
    ) -> Result<Vec<String>, ProviderError> {
        #[derive(Deserialize)]
        struct Ok {
            #[serde(default)]
            ignored_parameters_unsupported: Vec<String>,
        }
        let path = match user_id {
            Some(id) => format!("users/{id}/status"),
            None => "users/me/status".to_owned(),
        };
        let ok: Ok = self.call(Method::POST, &path, form, true).await?;
        Ok(ok.ignored_parameters_unsupported)
    }

    pub(crate) async fn user_status(&self, user_id: u64) -> Result<UserStatus, ProviderError> {
        let response: StatusResponse = self
            .call(Method::GET, &format!("users/{user_id}/status"), &[], true)
            .await?;
        Ok(response.status)
    }

    /// `server_emoji_data_url` from `POST /register` (<https://zulip.com/api/register-queue>),
    /// fetching only the realm's part; the event queue it opens is deleted at once
    /// (`DELETE /events`, best effort: an unused queue expires by itself).
    pub(crate) async fn server_emoji_data_url(&self) -> Result<Option<String>, ProviderError> {
        #[derive(Deserialize)]
        struct Registered {
            #[serde(default)]
            queue_id: Option<String>,
            #[serde(default)]
            server_emoji_data_url: Option<String>,
        }
        let realm = r#"["realm"]"#.to_owned();
        let registered: Registered = self
            .call(
                Method::POST,
                "register",
                &[("event_types", realm.clone()), ("fetch_event_types", realm)],
                true,
            )
            .await?;
        if let Some(queue_id) = registered.queue_id {
            let deleted: Result<serde_json::Value, _> = self
                .call(Method::DELETE, "events", &[("queue_id", queue_id)], true)
                .await;
            if let Err(e) = deleted {
                tracing::debug!("event queue not deleted: {e}");
            }
        }
        Ok(registered.server_emoji_data_url)
    }

    /// The server's emoji data at `url`: `{"code_to_names": {code: [canonical, aliases…]}}`.
    /// Unauthenticated, as Zulip's clients fetch it. The URL is usually a path on the site
    /// (`/static/generated/emoji/emoji_api.<hash>.json`); it may be on another host (a
    /// CDN), so no credential is sent, and it must be HTTPS (or HTTP on this computer).
    pub(crate) async fn emoji_data(
        &self,
        url: &str,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, ProviderError> {
        #[derive(Deserialize)]
        struct EmojiData {
            code_to_names: std::collections::BTreeMap<String, Vec<String>>,
        }
        let url = self
            .api
            .join(url)
            .map_err(|e| ProviderError::Protocol(format!("bad emoji data URL {url:?}: {e}")))?;
        let url = crate::http::provider_url(url.as_str())?;
        let request = self.http.get(url).timeout(self.timeout);
        let response = crate::http::send(request, self.timeout).await?;
        let status = response.status();
        let body = read_capped(response, self.timeout).await?;
        if !status.is_success() {
            return Err(ProviderError::Protocol(format!(
                "the server's emoji data answered HTTP {}",
                status.as_u16()
            )));
        }
        let data: EmojiData = serde_json::from_slice(&body).map_err(|e| {
            ProviderError::Protocol(format!(
                "the server's emoji data is not what Zulip sends ({e})"
            ))
        })?;
        Ok(data.code_to_names)
    }

    /// `GET /realm/emoji`: the names of the organization's active custom emoji.
    pub(crate) async fn realm_emoji(&self) -> Result<Vec<String>, ProviderError> {
        #[derive(Deserialize)]
        struct RealmEmoji {
            name: String,
            #[serde(default)]
            deactivated: bool,
        }
        #[derive(Deserialize)]
        struct Response {
            #[serde(default)]
            emoji: std::collections::BTreeMap<String, RealmEmoji>,
        }
        let response: Response = self.call(Method::GET, "realm/emoji", &[], true).await?;
        Ok(response
            .emoji
            .into_values()
            .filter(|e| !e.deactivated)
            .map(|e| e.name)
            .collect())
    }

    /// `PATCH /settings` (feature level 80 and later; Presently only uses it from 148 on).
    pub(crate) async fn set_presence_enabled(&self, enabled: bool) -> Result<(), ProviderError> {
        let _: serde_json::Value = self
            .call(
                Method::PATCH,
                "settings",
                &[("presence_enabled", enabled.to_string())],
                true,
            )
            .await?;
        Ok(())
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, String)],
        authenticated: bool,
    ) -> Result<T, ProviderError> {
        let url = self
            .api
            .join(path)
            .map_err(|e| ProviderError::Protocol(format!("bad API path {path}: {e}")))?;
        // Zulip translates `msg`; asking for English keeps the few messages that share the
        // code BAD_REQUEST (e.g. "Insufficient permission") recognisable.
        let mut request = self
            .http
            .request(method.clone(), url)
            .timeout(self.timeout)
            .header(reqwest::header::ACCEPT_LANGUAGE, "en");
        if authenticated {
            request = request.basic_auth(&self.email, Some(self.api_key.expose_secret()));
        }
        if !form.is_empty() {
            request = request.form(form);
        }
        let response = crate::http::send(request, self.timeout).await?;
        let status = response.status();
        let retry_after_header = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok());
        let body = read_capped(response, self.timeout).await?;
        if status.is_success() {
            let envelope: Envelope =
                serde_json::from_slice(&body).map_err(|_| not_json(status, &body))?;
            if envelope.result != "success" {
                return Err(ProviderError::Protocol(format!(
                    "HTTP {status} with result {:?}",
                    envelope.result
                )));
            }
            return serde_json::from_slice(&body).map_err(|e| {
                ProviderError::Protocol(format!("{method} {path}: unexpected JSON ({e})"))
            });
        }
        Err(error_for(status, &body, retry_after_header))
    }
}

fn not_json(status: StatusCode, body: &[u8]) -> ProviderError {
    ProviderError::Protocol(format!(
        "HTTP {} but the body is not Zulip's JSON: {}; is the site URL a Zulip server?",
        status.as_u16(),
        snippet(body)
    ))
}

/// Maps Zulip's documented errors by HTTP status and `code` (the `msg` is translated,
/// so it is only shown, except for the few 400s that share the code BAD_REQUEST).
fn error_for(status: StatusCode, body: &[u8], retry_after_header: Option<f64>) -> ProviderError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let seconds = retry_after_header
            .or(parsed.as_ref().and_then(|b| b.retry_after))
            .unwrap_or(60.0)
            .clamp(0.0, 86_400.0);
        return ProviderError::RateLimited {
            retry_at: Utc::now() + chrono::Duration::milliseconds((seconds * 1000.0).ceil() as i64),
        };
    }
    if status.is_server_error() {
        return ProviderError::ServerError {
            status: status.as_u16(),
        };
    }
    let Some(error) = parsed else {
        return not_json(status, body);
    };
    let reason = if error.msg.is_empty() {
        format!("HTTP {}", status.as_u16())
    } else {
        crate::http::untrusted(&error.msg)
    };
    match (status.as_u16(), error.code.as_str()) {
        (401, "USER_DEACTIVATED") | (403, "USER_DEACTIVATED") => ProviderError::Forbidden {
            reason: format!("{reason} (the Zulip account was deactivated)"),
        },
        (401, "REALM_DEACTIVATED") => ProviderError::Forbidden {
            reason: format!("{reason} (the whole organization is deactivated)"),
        },
        (401, _) => ProviderError::AuthRejected {
            reason: format!("{reason}; check the e-mail and API key (Settings → Account & privacy → Manage your API key)"),
        },
        (403, _) => ProviderError::Forbidden { reason },
        (404, _) | (405, _) => ProviderError::NotFound { reason },
        (_, "BAD_REQUEST") if error.msg == "Insufficient permission" => ProviderError::Forbidden {
            reason: format!("{reason}: only organization administrators can set another user's status"),
        },
        (_, "BAD_REQUEST") if error.msg == "No such user" => ProviderError::NotFound { reason },
        (_, "BAD_REQUEST") if error.msg == "This endpoint does not accept bot requests." => {
            ProviderError::Rejected {
                reason: format!("{reason} Use your own API key, not a bot's"),
            }
        }
        (_, "BAD_REQUEST") if error.msg == "Account is not associated with this subdomain" => {
            ProviderError::AuthRejected {
                reason: format!("{reason}; the key belongs to another organization URL"),
            }
        }
        _ => ProviderError::Rejected { reason },
    }
}
