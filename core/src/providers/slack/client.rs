//! Calls to Slack's Web API (`https://slack.com/api/<method>`), one method per URL, the
//! token in `Authorization: Bearer`. Every answer is HTTP 200 with `{"ok": true, …}` or
//! `{"ok": false, "error": "<code>"}`, except a rate limit: HTTP 429 with `Retry-After`.
//! Sources: <https://docs.slack.dev/apis/web-api/>, the method pages under
//! <https://docs.slack.dev/reference/methods/>, <https://docs.slack.dev/apis/web-api/rate-limits>.

use chrono::Utc;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;
use url::Url;

use crate::error::ProviderError;
use crate::http::{read_capped, snippet, untrusted};

/// A `Retry-After` beyond this is not believed; Slack's windows are a minute.
const MAX_RETRY_AFTER_SECONDS: i64 = 3600;

#[derive(Debug, Clone)]
pub(crate) struct SlackApi {
    http: reqwest::Client,
    api: Url,
    timeout: Duration,
}

/// What a failed call means to the caller.
#[derive(Debug)]
pub(crate) enum CallError {
    /// `token_expired`: a rotating token past its 12 hours; renew and try once more.
    TokenExpired,
    /// `token_revoked`, `account_inactive`: Slack ended this sign-in for good.
    SignInEnded(ProviderError),
    Other(ProviderError),
}

impl From<ProviderError> for CallError {
    fn from(e: ProviderError) -> Self {
        CallError::Other(e)
    }
}

/// How a request carries its arguments.
pub(crate) enum Args {
    /// Query parameters of a `GET` (the read methods).
    Query(Vec<(&'static str, String)>),
    /// Form fields of a `POST` (`dnd.setSnooze` takes only these).
    Form(Vec<(&'static str, String)>),
    /// A JSON body of a `POST` (`users.profile.set`'s `profile` object).
    Json(Value),
}

impl SlackApi {
    /// The Web API of Slack at `base` ("https://slack.com").
    pub(crate) fn new(
        http: reqwest::Client,
        base: &Url,
        timeout: Duration,
    ) -> Result<Self, ProviderError> {
        let base = base.as_str().trim_end_matches('/');
        let api = Url::parse(&format!("{base}/api/"))
            .map_err(|e| ProviderError::Protocol(format!("bad Slack URL: {e}")))?;
        Ok(SlackApi { http, api, timeout })
    }

    pub(crate) fn method_url(&self, method: &str) -> Result<Url, ProviderError> {
        self.api
            .join(method)
            .map_err(|e| ProviderError::Protocol(format!("bad Slack method {method}: {e}")))
    }

    /// Calls `method` with `token` (none for `oauth.v2.access`); the answer's body when
    /// Slack said `ok: true`.
    pub(crate) async fn call(
        &self,
        method: &str,
        token: Option<&SecretString>,
        args: Args,
    ) -> Result<Value, CallError> {
        let url = self.method_url(method)?;
        let mut request = match args {
            Args::Query(pairs) => self.http.get(url).query(&pairs),
            Args::Form(pairs) => self.http.post(url).form(&pairs),
            Args::Json(body) => self.http.post(url).json(&body),
        };
        request = request.timeout(self.timeout);
        if let Some(token) = token {
            // reqwest marks the header sensitive, so it never shows in a debug print.
            request = request.bearer_auth(token.expose_secret());
        }
        let response = crate::http::send(request, self.timeout).await?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let seconds = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(60)
                .clamp(1, MAX_RETRY_AFTER_SECONDS);
            return Err(ProviderError::RateLimited {
                retry_at: Utc::now() + chrono::Duration::seconds(seconds),
            }
            .into());
        }
        if status.is_server_error() {
            return Err(ProviderError::ServerError {
                status: status.as_u16(),
            }
            .into());
        }
        let body = read_capped(response, self.timeout).await?;
        let value: Option<Value> = serde_json::from_slice(&body).ok();
        match value
            .as_ref()
            .and_then(|v| v.get("ok"))
            .and_then(Value::as_bool)
        {
            Some(true) if status == StatusCode::OK => Ok(value.unwrap_or_default()),
            Some(false) => Err(refusal(method, value.as_ref().unwrap_or(&Value::Null))),
            // An OAuth answer may hold tokens: none of it is quoted.
            _ if method.starts_with("oauth.") => Err(ProviderError::Protocol(format!(
                "unexpected answer from the server to {method}: HTTP {}",
                status.as_u16()
            ))
            .into()),
            _ => Err(ProviderError::Protocol(format!(
                "unexpected answer from the server to {method}: HTTP {} {}",
                status.as_u16(),
                snippet(&body)
            ))
            .into()),
        }
    }
}

/// The `error` code of a refusal, made inert.
fn code_of(value: &Value) -> String {
    untrusted(
        value
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )
}

/// Slack's error codes in words a person can act on. Codes are matched exactly, as the
/// method pages list them; an unknown one is named as Slack said it.
pub(crate) fn refusal(method: &str, value: &Value) -> CallError {
    let code = code_of(value);
    let again = "sign in again (`presently account signin ACCOUNT`, or Sign in again in the settings window)";
    let error = match code.as_str() {
        "token_expired" => return CallError::TokenExpired,
        "not_authed" | "invalid_auth" => ProviderError::AuthRejected {
            reason: format!("Slack does not accept the token ({code}); {again}"),
        },
        "token_revoked" | "account_inactive" => {
            return CallError::SignInEnded(ProviderError::AuthRejected {
                reason: format!(
                    "Slack ended this sign-in ({code}: the app was removed, the token revoked or the user deactivated); {again}"
                ),
            })
        }
        "not_allowed_token_type" => ProviderError::AuthRejected {
            reason: "this is not a user token (xoxp-…); a bot has no status of its own".into(),
        },
        "missing_scope" => {
            let needed = untrusted(value.get("needed").and_then(Value::as_str).unwrap_or("?"));
            ProviderError::Forbidden {
                reason: format!(
                    "the Slack app lacks the user scope {needed}; add it under OAuth & Permissions → User Token Scopes, reinstall the app and {again}"
                ),
            }
        }
        "too_long" => ProviderError::InvalidStatus(format!(
            "Slack refused the {} as too long ({method})",
            if method == "dnd.setSnooze" { "do-not-disturb length" } else { "status text" }
        )),
        "invalid_emoji_not_allowed"
        | "profile_status_set_failed_not_valid_emoji"
        | "profile_status_set_failed_not_emoji_syntax" => ProviderError::InvalidStatus(format!(
            "Slack refused the emoji ({code}); pick one this workspace has"
        )),
        "ratelimited" => ProviderError::RateLimited {
            retry_at: Utc::now() + chrono::Duration::seconds(60),
        },
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            ProviderError::Rejected {
                reason: format!(
                    "Slack had a problem of its own with {method} ({code}); part of the change may have taken effect, try again"
                ),
            }
        }
        "no_permission" | "not_admin" | "permission_denied" | "access_denied"
        | "team_access_not_granted" | "ekm_access_denied" | "sudo_required" => {
            ProviderError::Forbidden {
                reason: format!("Slack refused {method}: {code}"),
            }
        }
        "user_not_found" | "user_not_visible" => ProviderError::NotFound {
            reason: format!("Slack has no such user ({code})"),
        },
        _ => ProviderError::Rejected {
            reason: format!("Slack refused {method}: {code}"),
        },
    };
    CallError::Other(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(value: Value) -> String {
        match refusal("users.profile.set", &value) {
            CallError::Other(e) | CallError::SignInEnded(e) => e.to_string(),
            CallError::TokenExpired => "token expired".into(),
        }
    }

    #[test]
    fn codes_become_words_and_expiry_asks_for_a_renewal() {
        assert_eq!(
            words(json!({"ok": false, "error": "token_expired"})),
            "token expired"
        );
        let scope =
            words(json!({"ok": false, "error": "missing_scope", "needed": "users.profile:write"}));
        assert!(scope.contains("users.profile:write"), "{scope}");
        let revoked = words(json!({"ok": false, "error": "token_revoked"}));
        assert!(revoked.contains("sign in again"), "{revoked}");
        let odd = words(json!({"ok": false, "error": "weird\u{1b}[2J"}));
        assert!(!odd.contains('\u{1b}'), "{odd}");
    }
}
