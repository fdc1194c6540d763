//! `GET /api/info`, `GET /me`, and the status endpoints `users.setStatus`,
//! `users.getStatus`, `users.info` (rules from the server's `users.ts`, `setStatusText.ts`,
//! `getUserFromParams.ts`, `isUserFromParams.ts`).

use axum::response::Response;
use serde_json::Value;

use super::config::{RcUser, PERM_EDIT_OTHER_USER_INFO};
use super::error::RcError;
use super::params::{js_type, truthy, Params};
use super::recorded::Truncation;
use super::reply::{self, obj, J};
use super::state::State;
use super::text::{stored_status_text, utf16_len};

const VALID_STATUSES: [&str; 4] = ["online", "away", "offline", "busy"];
/// `statusConnection`: the fake's users have a client connected.
const CONNECTION_STATUS: &str = "online";

/// `getUserInfo(user)`: the profile in `/me` and in a login's `data.me`. `statusText` only
/// once the user has one (the key is absent from a fresh user document).
pub(crate) fn user_info(state: &State, user: &RcUser, base_url: &str) -> J {
    let status = state.user_status(&user.user_id);
    let mut pairs = vec![
        ("_id", J::from(user.user_id.clone())),
        ("username", J::from(user.username.clone())),
        (
            "emails",
            J::V(serde_json::json!([{ "address": user.email, "verified": true }])),
        ),
        ("status", J::from(status.status.status.clone())),
        ("statusConnection", J::from(CONNECTION_STATUS)),
    ];
    if status.text_set {
        pairs.push(("statusText", J::from(status.status.message.clone())));
    }
    pairs.extend([
        ("utcOffset", J::from(0)),
        ("active", J::from(true)),
        ("name", J::from(user.name.clone())),
        ("roles", J::from(user.roles())),
        (
            "settings",
            obj([("preferences", obj(Vec::<(String, J)>::new()))]),
        ),
        (
            "avatarUrl",
            J::from(format!("{base_url}/avatar/{}", user.username)),
        ),
    ]);
    obj(pairs)
}

/// `GET /api/info` (no version segment, no auth, no rate limit): `getServerInfo` for an
/// anonymous caller shows the version without its patch level (`7.4.0` → `7.4`). The real
/// body also has `minimumClientVersions` (and `supportedVersions` on cloud-registered
/// workspaces); their values are not known, so the fake leaves them out.
pub(crate) fn info(state: &State) -> Response {
    let version = &state.config.version;
    let major_minor: String = {
        let mut parts = version.splitn(3, '.');
        match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) => format!("{major}.{minor}"),
            _ => version.clone(),
        }
    };
    reply::success(vec![("version".into(), J::from(major_minor))])
}

/// `GET /api/v1/me`.
pub(crate) fn me(state: &State, user: &RcUser, base_url: &str) -> Response {
    let J::O(pairs) = user_info(state, user, base_url) else {
        return reply::ok();
    };
    reply::success(pairs)
}

/// Whether `params` (the body for POST, the query for GET) name the caller or nobody.
fn is_user_from_params(get: &dyn Fn(&str) -> Option<Value>, caller: &RcUser) -> bool {
    let user_id = get("userId");
    let username = get("username");
    let user = get("user");
    if !truthy(user_id.as_ref()) && !truthy(username.as_ref()) && !truthy(user.as_ref()) {
        return true;
    }
    let is =
        |v: &Option<Value>, own: &str| truthy(v.as_ref()) && v.as_ref() == Some(&Value::from(own));
    is(&user_id, &caller.user_id) || is(&username, &caller.username) || is(&user, &caller.username)
}

/// `getUserFromParams`: `userId`, else `username`, else `user` (usernames ignore case).
fn user_from_params(state: &State, get: &dyn Fn(&str) -> Option<Value>) -> Result<RcUser, RcError> {
    let nonblank = |name: &str| -> Option<String> {
        match get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        }
    };
    let found = if let Some(id) = nonblank("userId") {
        state.user(&id)
    } else if let Some(name) = nonblank("username").or_else(|| nonblank("user")) {
        state.user_by_username(&name)
    } else {
        return Err(RcError::meteor(
            "error-user-param-not-provided",
            "The required \"userId\" or \"username\" param was not provided",
        ));
    };
    found.cloned().ok_or_else(|| {
        RcError::meteor(
            "error-invalid-user",
            "The required \"userId\" or \"username\" param provided does not match any users",
        )
    })
}

/// `check(bodyParams, Match.OneOf(ObjectIncluding({status: Maybe(String), message: String}),
/// ObjectIncluding({status: String, message: Maybe(String)})))`.
fn check_set_status(params: &Params) -> Result<(), RcError> {
    let is_string = |v: Option<&Value>| matches!(v, Some(Value::String(_)));
    let maybe_string = |v: Option<&Value>| matches!(v, None | Some(Value::Null | Value::String(_)));
    let message = params.body.get("message");
    let status = params.body.get("status");
    let first = is_string(message) && maybe_string(status);
    let second = is_string(status) && maybe_string(message);
    if first || second {
        Ok(())
    } else {
        Err(RcError::Match(
            "Failed Match.OneOf, Match.Maybe or Match.Optional validation".into(),
        ))
    }
}

/// "expiresAt must be a future date [error-invalid-date]" (8.6.0+, <https://developer.rocket.chat/apidocs/set-user-status>). An
/// unreadable date gets the same answer (UNCONFIRMED), as does the absence of details.
fn check_expires_at(version: &str, params: &Params) -> Result<(), RcError> {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < (8, 6) {
        return Ok(());
    }
    let Some(raw) = params.body.get("expiresAt").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let future = raw
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|at| at > chrono::Utc::now());
    if future {
        Ok(())
    } else {
        Err(RcError::meteor(
            "error-invalid-date",
            "expiresAt must be a future date",
        ))
    }
}

/// `POST /api/v1/users.setStatus`. The text is stored before the status is validated, so an
/// invalid status after a valid message still changes the text (as on the server).
///
/// `expiresAt` is checked from 8.6.0 on (before that it is an unknown key, ignored).
/// Not modelled: the old 5-changes-per-minute limit on status text (versions UNCONFIRMED).
pub(crate) fn set_status(
    state: &mut State,
    caller: &RcUser,
    params: &Params,
    index: usize,
) -> Result<Response, RcError> {
    check_set_status(params)?;
    check_expires_at(&state.config.version, params)?;
    if !state.config.allow_status_message_change {
        return Err(RcError::meteor_with(
            "error-not-allowed",
            "Change status is not allowed",
            RcError::method_details("users.setStatus"),
        ));
    }
    let get = |name: &str| params.body.get(name).cloned();
    let target = if is_user_from_params(&get, caller) {
        caller.clone()
    } else if caller.can(PERM_EDIT_OTHER_USER_INFO) {
        user_from_params(state, &get)?
    } else {
        return Err(RcError::Unauthorized);
    };
    if let Some(Value::String(message)) = params.body.get("message") {
        let stored = stored_status_text(message);
        if stored != *message {
            // Trimming alone is not worth reporting; cutting is.
            let trimmed = super::text::js_trim(message);
            if stored != trimmed {
                if let Some(entry) = state.requests.get_mut(index) {
                    entry.truncation = Some(Truncation {
                        sent: message.clone(),
                        sent_utf16_units: utf16_len(message),
                        stored: stored.clone(),
                    });
                }
            }
        }
        state.set_status_text(&target.user_id, stored);
    }
    if let Some(Value::String(status)) = params.body.get("status") {
        if !status.is_empty() {
            if !VALID_STATUSES.contains(&status.as_str()) {
                return Err(RcError::meteor_with(
                    "error-invalid-status",
                    "Valid status types include online, away, offline, and busy.",
                    RcError::method_details("users.setStatus"),
                ));
            }
            if status == "offline" && !state.config.allow_invisible {
                return Err(RcError::meteor_with(
                    "error-status-not-allowed",
                    "Invisible status is disabled",
                    RcError::method_details("users.setStatus"),
                ));
            }
            state.set_presence(&target.user_id, status);
        }
    }
    Ok(reply::ok())
}

fn query_getter(params: &Params) -> impl Fn(&str) -> Option<Value> + '_ {
    |name: &str| params.query(name).map(Value::from)
}

/// `GET /api/v1/users.getStatus[?userId=|username=]`: `connectionStatus` only for oneself;
/// never the status text.
pub(crate) fn get_status(
    state: &State,
    caller: &RcUser,
    params: &Params,
) -> Result<Response, RcError> {
    let get = query_getter(params);
    if is_user_from_params(&get, caller) {
        let status = state.status_of(&caller.user_id);
        return Ok(reply::success(vec![
            ("_id".into(), J::from(caller.user_id.clone())),
            ("connectionStatus".into(), J::from(CONNECTION_STATUS)),
            ("status".into(), J::from(status.status)),
        ]));
    }
    let user = user_from_params(state, &get)?;
    let status = state.status_of(&user.user_id);
    Ok(reply::success(vec![
        ("_id".into(), J::from(user.user_id)),
        ("status".into(), J::from(status.status)),
    ]))
}

/// `GET /api/v1/users.info?userId=|username=|importId=`.
pub(crate) fn users_info(state: &State, params: &Params) -> Result<Response, RcError> {
    let user_id = params.query("userId");
    let username = params.query("username");
    let import_id = params.query("importId");
    if user_id.is_none() && username.is_none() && import_id.is_none() {
        // The ajv `anyOf` of 7.x (`email` lookup came in 8.4.0).
        return Err(RcError::meteor(
            "invalid-params",
            "must have required property 'userId'\n must have required property 'username'\n \
             must have required property 'importId'\n must match a schema in anyOf",
        ));
    }
    let user = if let Some(id) = user_id {
        state.user(id)
    } else if let Some(name) = username {
        state.user_by_username(name)
    } else {
        None // no imported users
    };
    let Some(user) = user else {
        return Err(RcError::Failure("User not found.".into()));
    };
    let status = state.user_status(&user.user_id);
    let mut fields = vec![
        ("_id", J::from(user.user_id.clone())),
        ("type", J::from("user")),
        ("status", J::from(status.status.status.clone())),
        ("active", J::from(true)),
        ("name", J::from(user.name.clone())),
        ("utcOffset", J::from(0)),
        ("username", J::from(user.username.clone())),
    ];
    if status.text_set {
        fields.push(("statusText", J::from(status.status.message.clone())));
    }
    Ok(reply::success(vec![("user".into(), obj(fields))]))
}

/// `"Expected string, got <type>"` for Meteor's `check`.
pub(crate) fn expected_string(value: &Value) -> String {
    format!("Expected string, got {}", js_type(value))
}
