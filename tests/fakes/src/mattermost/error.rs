//! Mattermost's error answers: `model.AppError` as JSON
//! (`{"id","message","detailed_error","request_id","status_code"}`, match on `id`), and
//! the rate limiter's plain-text 429. Ids and English messages from `server/i18n/en.json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Clone, Debug)]
pub(crate) enum MmError {
    /// 401 on any route without a valid token.
    SessionExpired,
    /// 401 from login: unknown user or wrong password.
    InvalidCredentials,
    /// 401 from login: MFA code missing or wrong.
    BadMfaCode,
    /// 401 from login: bots cannot sign in.
    BotLoginForbidden,
    /// 403: another user's status without `edit_other_users`.
    Permissions,
    /// 400 `Invalid or missing {name} in request body.`
    InvalidBodyParam(&'static str),
    /// 400 `Invalid or missing {name} parameter in request URL.`
    InvalidUrlParam(&'static str),
    /// 404 when user statuses are off (`EnableUserStatuses`).
    UserStatusNotFound,
    /// 404 for an unknown user id.
    MissingAccount,
    /// 404 for a route the server does not have (an older version).
    NoSuchRoute,
    /// 404 from `GET /emoji/name/{name}`.
    NoEmoji,
    /// 501 on every custom-status route when they are off.
    CustomStatusDisabled,
    /// 501 on the emoji routes when custom emoji are off.
    EmojiDisabled,
    /// 429 from the rate limiter, `Retry-After` seconds.
    TooManyRequests { retry_after: u64, limit: u32 },
}

impl MmError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            MmError::SessionExpired => (
                StatusCode::UNAUTHORIZED,
                "api.context.session_expired.app_error",
                "Invalid or expired session, please login again.".into(),
            ),
            MmError::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "api.user.login.invalid_credentials_email_username",
                "Enter a valid email or username and/or password.".into(),
            ),
            MmError::BadMfaCode => (
                StatusCode::UNAUTHORIZED,
                "api.user.check_user_mfa.bad_code.app_error",
                "Invalid MFA token.".into(),
            ),
            MmError::BotLoginForbidden => (
                StatusCode::UNAUTHORIZED,
                "api.user.login.bot_login_forbidden.app_error",
                "Bot login is forbidden.".into(),
            ),
            MmError::Permissions => (
                StatusCode::FORBIDDEN,
                "api.context.permissions.app_error",
                "You do not have the appropriate permissions.".into(),
            ),
            MmError::InvalidBodyParam(name) => (
                StatusCode::BAD_REQUEST,
                "api.context.invalid_body_param.app_error",
                format!("Invalid or missing {name} in request body."),
            ),
            MmError::InvalidUrlParam(name) => (
                StatusCode::BAD_REQUEST,
                "api.context.invalid_url_param.app_error",
                format!("Invalid or missing {name} parameter in request URL."),
            ),
            MmError::UserStatusNotFound => (
                StatusCode::NOT_FOUND,
                "api.status.user_not_found.app_error",
                "User not found.".into(),
            ),
            MmError::MissingAccount => (
                StatusCode::NOT_FOUND,
                "app.user.missing_account.const",
                "Unable to find the user.".into(),
            ),
            MmError::NoSuchRoute => (
                StatusCode::NOT_FOUND,
                "api.context.404.app_error",
                "Sorry, we could not find the page.".into(),
            ),
            MmError::NoEmoji => (
                StatusCode::NOT_FOUND,
                "app.emoji.get_by_name.no_result",
                "Unable to find the emoji.".into(),
            ),
            MmError::CustomStatusDisabled => (
                StatusCode::NOT_IMPLEMENTED,
                "api.custom_status.disabled",
                "Custom status feature has been disabled. Please contact your system administrator for details.".into(),
            ),
            MmError::EmojiDisabled => (
                StatusCode::NOT_IMPLEMENTED,
                "api.emoji.disabled.app_error",
                "Custom emoji have been disabled by the system admin.".into(),
            ),
            MmError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "", "limit exceeded".into())
            }
        }
    }
}

impl IntoResponse for MmError {
    fn into_response(self) -> Response {
        if let MmError::TooManyRequests { retry_after, limit } = self {
            // Go's `http.Error(w, "limit exceeded", 429)`: plain text with a newline.
            let mut resp = (StatusCode::TOO_MANY_REQUESTS, "limit exceeded\n").into_response();
            let headers = resp.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            // `X-RateLimit-Reset` counts seconds from now (`ratelimit.go`).
            crate::rate_headers::set(headers, limit, 0, retry_after);
            return resp;
        }
        let (status, id, message) = self.parts();
        let body = json!({
            "id": id,
            "message": message,
            "detailed_error": "",
            "request_id": "p9xq4m7nfjgr8bzy3sw1kd6t5e",
            "status_code": status.as_u16(),
        });
        (status, axum::Json(body)).into_response()
    }
}
