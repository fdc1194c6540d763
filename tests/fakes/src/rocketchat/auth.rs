//! Authentication: `X-Auth-Token` + `X-User-Id` on every auth-required route, and
//! `POST /api/v1/login` (password, optional second factor, or `resume`), as `ApiClass.ts`,
//! Meteor's password handler, Rocket.Chat's `loginErrorMessageOverride` and the 2FA
//! `onValidateLogin` callback do it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{Duration as ChronoDuration, Utc};
use serde_json::Value;

use super::config::RcUser;
use super::endpoints::user_info;
use super::params::{truthy, Params};
use super::reply::{self, js_date, obj, J};
use super::state::{State, Token};

/// `Accounts_TwoFactorAuthentication_By_Email_Code_Expiration` default: 3600 s.
const EMAIL_CODE_SECONDS: i64 = 3600;

/// Body keys `loginCompatibility` understands; any other key sends the body to Meteor as is.
const COMPAT_KEYS: [&str; 5] = ["user", "username", "email", "password", "code"];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// The `X-User-Id` header as sent (request log only).
pub(crate) fn user_id_hint(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-user-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The caller of an auth-required route and the token it used, if `X-User-Id` and
/// `X-Auth-Token` are both present and the token (login token or PAT) belongs to that user.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Option<(RcUser, String)> {
    let user_id = header(headers, "x-user-id")?;
    let token = header(headers, "x-auth-token")?;
    let owner = state.token_owner(token)?;
    if owner.user_id != user_id {
        return None;
    }
    Some((state.user(user_id)?.clone(), token.to_owned()))
}

/// Why a login failed, and its 401 body.
enum LoginError {
    /// Unknown user, wrong password, malformed body: since Rocket.Chat 7.0 every Meteor error
    /// from the login handlers becomes `Meteor.Error(401, 'User not found')`
    /// (`loginErrorMessageOverride`), which the REST login turns into
    /// `error: "Unauthorized", message: "Unauthorized"`.
    Unauthorized,
    /// `totp-required` / `totp-invalid` from the 2FA login validator.
    TwoFactor {
        error: &'static str,
        message: &'static str,
        details: J,
    },
}

/// The 401 body of a failed login: `API.v1.unauthorized()` (`success`, `error`) with
/// `Object.assign({status: 'error', error, details, message})`, hence the key order
/// `success, error, status, details, message` (`details` absent when undefined).
fn login_failure(err: LoginError) -> Response {
    let (error, message, details) = match err {
        LoginError::Unauthorized => ("Unauthorized", "Unauthorized", None),
        LoginError::TwoFactor {
            error,
            message,
            details,
        } => (error, message, Some(details)),
    };
    let mut pairs = vec![
        ("success", J::from(false)),
        ("error", J::from(error)),
        ("status", J::from("error")),
    ];
    if let Some(details) = details {
        pairs.push(("details", details));
    }
    pairs.push(("message", J::from(message)));
    reply::json(StatusCode::UNAUTHORIZED, &obj(pairs))
}

/// How the body names the account.
enum Lookup<'a> {
    Username(&'a str),
    Email(&'a str),
    Id(&'a str),
}

/// `loginCompatibility`, or Meteor's own `{user: {username|email|id}, password}` form.
fn lookup(body: &serde_json::Map<String, Value>) -> Option<Lookup<'_>> {
    let compat = body.keys().all(|k| COMPAT_KEYS.contains(&k.as_str()));
    if compat {
        match body.get("user") {
            Some(Value::String(user)) if user.contains('@') => return Some(Lookup::Email(user)),
            Some(Value::String(user)) => return Some(Lookup::Username(user)),
            _ => {}
        }
        if truthy(body.get("username")) {
            return body.get("username")?.as_str().map(Lookup::Username);
        }
        if truthy(body.get("email")) {
            return body.get("email")?.as_str().map(Lookup::Email);
        }
    }
    // Passed to Meteor unchanged: only its password handler's exact shape logs in.
    if !body.keys().all(|k| k == "user" || k == "password") {
        return None;
    }
    let Some(Value::Object(user)) = body.get("user") else {
        return None;
    };
    let [(key, Value::String(value))] = user.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    match key.as_str() {
        "username" => Some(Lookup::Username(value)),
        "email" => Some(Lookup::Email(value)),
        "id" => Some(Lookup::Id(value)),
        _ => None,
    }
}

/// The second factor the request carries: `code` in the body (simple form only), else the
/// `x-2fa-code` header.
fn second_factor(body: &serde_json::Map<String, Value>, headers: &HeaderMap) -> Option<String> {
    let compat = body.keys().all(|k| COMPAT_KEYS.contains(&k.as_str()));
    if !compat {
        return None;
    }
    match body.get("code") {
        Some(Value::String(code)) if !code.is_empty() => Some(code.clone()),
        _ => header(headers, "x-2fa-code").map(str::to_owned),
    }
}

/// `checkCodeForUser` for a login (`disablePasswordFallback: true`): the first enabled method
/// (TOTP before email), its `processInvalidCode` data, then verification of `code`.
fn check_second_factor(
    state: &mut State,
    user: &RcUser,
    code: Option<&str>,
) -> Result<(), LoginError> {
    let mut available = Vec::new();
    if user.totp_code.is_some() {
        available.push("totp");
    }
    if user.email_code.is_some() {
        available.push("email");
    }
    let Some(&method) = available.first() else {
        return Ok(());
    };
    let now = Utc::now();
    let mut data: Vec<(&str, J)> = Vec::new();
    // Whether a code was waiting before this request (a code mailed just now cannot match).
    let mut had_pending_code = false;
    if method == "totp" {
        data.push(("codeGenerated", J::from(false)));
    } else {
        // EmailCheck.processInvalidCode: drop an expired code, reuse a live one, else mail one.
        if state
            .email_codes
            .get(&user.user_id)
            .is_some_and(|e| *e < now)
        {
            state.email_codes.remove(&user.user_id);
        }
        match state.email_codes.get(&user.user_id) {
            Some(expires) => {
                had_pending_code = true;
                data.push(("emailOrUsername", J::from(user.username.clone())));
                data.push(("codeGenerated", J::from(false)));
                data.push(("codeExpires", J::from(js_date(*expires))));
            }
            None => {
                let expires = now + ChronoDuration::seconds(EMAIL_CODE_SECONDS);
                state.email_codes.insert(user.user_id.clone(), expires);
                data.push(("codeGenerated", J::from(true)));
                data.push(("emailOrUsername", J::from(user.username.clone())));
            }
        }
    }
    let mut details = vec![("method", J::from(method))];
    details.extend(data);
    details.push(("availableMethods", J::from(available.clone())));
    let details = obj(details);
    let Some(code) = code else {
        return Err(LoginError::TwoFactor {
            error: "totp-required",
            message: "TOTP Required",
            details,
        });
    };
    let valid = if method == "totp" {
        user.totp_code.as_deref() == Some(code)
    } else {
        // EmailCheck.verify strips non-digits first.
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        had_pending_code && user.email_code.as_deref() == Some(digits.as_str())
    };
    if !valid {
        return Err(LoginError::TwoFactor {
            error: "totp-invalid",
            message: "TOTP Invalid",
            details,
        });
    }
    if method == "email" {
        state.email_codes.remove(&user.user_id);
    }
    Ok(())
}

/// Runs the login; `Ok` is `(user, token)`.
fn attempt(
    state: &mut State,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(RcUser, String), LoginError> {
    let body = &params.body;
    let password = body.get("password").filter(|p| !p.is_null());
    let Some(password) = password else {
        // `{resume: token}`: Meteor's resume handler; no second factor for resumes.
        // APPROXIMATE: the fake answers with the same token.
        if let Some(Value::String(resume)) = body.get("resume") {
            if let Some(Token { token, user_id, .. }) = state.token_owner(resume).cloned() {
                if let Some(user) = state.user(&user_id).cloned() {
                    return Ok((user, token));
                }
            }
        }
        return Err(LoginError::Unauthorized);
    };
    let user = match lookup(body).ok_or(LoginError::Unauthorized)? {
        Lookup::Username(name) => state.user_by_username(name),
        Lookup::Email(email) => state.user_by_email(email),
        Lookup::Id(id) => state.user(id),
    }
    .cloned()
    .ok_or(LoginError::Unauthorized)?;
    // A SHA-256 `{digest, algorithm}` password is not modelled: only the plain string.
    if password.as_str() != Some(user.password.as_str()) {
        return Err(LoginError::Unauthorized);
    }
    let code = second_factor(body, headers);
    check_second_factor(state, &user, code.as_deref())?;
    let token = state.new_secret();
    state.tokens.push(Token {
        token: token.clone(),
        user_id: user.user_id.clone(),
        personal: false,
    });
    Ok((user, token))
}

/// `POST /api/v1/login`.
pub(crate) fn login(
    state: &mut State,
    headers: &HeaderMap,
    params: &Params,
    base_url: &str,
) -> Response {
    match attempt(state, headers, params) {
        Ok((user, token)) => {
            let me = user_info(state, &user, base_url);
            reply::success(vec![
                ("status".into(), J::from("success")),
                (
                    "data".into(),
                    obj([
                        ("userId", J::from(user.user_id.clone())),
                        ("authToken", J::from(token)),
                        ("me", me),
                    ]),
                ),
            ])
        }
        Err(err) => login_failure(err),
    }
}

/// `POST /api/v1/logout` (also `GET`): drops the token used for this call.
pub(crate) fn logout(state: &mut State, token: &str) -> Response {
    state.remove_token(token);
    reply::json(
        StatusCode::OK,
        &obj([
            ("status", J::from("success")),
            (
                "data",
                obj([("message", J::from("You've been logged out!"))]),
            ),
        ]),
    )
}
