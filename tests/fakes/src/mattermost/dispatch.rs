//! Every request outside `/__fake`: record, faults, routing, the bearer token, the rate
//! limiter (when on), the endpoint; `X-Version-Id` on every API answer, as the server's
//! handler (`server/channels/web/handlers.go`) puts it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::error::MmError;
use super::state::{RecordedRequest, State};
use crate::faults;
use crate::runtime::FakeState;

pub(crate) type Shared = crate::runtime::Shared<State>;

/// The routes Presently uses, under `/api/v4`.
enum Route {
    Ping,
    Login,
    Logout,
    User(String),
    Status(String),
    CustomStatus(String),
    EmojiByName(String),
    EmojiList,
}

fn route(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/api/v4/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let m = method.as_str();
    Some(match (m, parts.as_slice()) {
        ("GET", ["system", "ping"]) => Route::Ping,
        ("POST", ["users", "login"]) => Route::Login,
        ("POST", ["users", "logout"]) => Route::Logout,
        ("GET", ["users", id]) => Route::User((*id).to_owned()),
        ("GET" | "PUT", ["users", id, "status"]) => Route::Status((*id).to_owned()),
        ("PUT" | "DELETE", ["users", id, "status", "custom"]) => {
            Route::CustomStatus((*id).to_owned())
        }
        ("GET", ["emoji", "name", name]) => Route::EmojiByName((*name).to_owned()),
        ("GET", ["emoji"]) => Route::EmojiList,
        _ => return None,
    })
}

/// `Authorization: Bearer <token>` (or the older `Token <token>`).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("BEARER "))
        .or_else(|| value.strip_prefix("Token "))
        .map(str::trim)
}

/// A user id in a path: `me`, or 26 letters and digits (`model.IsValidId`).
fn resolve(id: &str, caller: &super::config::MmUser) -> Result<String, MmError> {
    if id == "me" {
        return Ok(caller.id.clone());
    }
    if id.len() == 26 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id.to_owned())
    } else {
        Err(MmError::InvalidUrlParam("user_id"))
    }
}

/// `SessionHasPermissionToUser(..., edit_other_users)`.
fn may_edit(caller: &super::config::MmUser, user_id: &str) -> Result<(), MmError> {
    let admin = caller.roles.split_whitespace().any(|r| r == "system_admin");
    if caller.id == user_id || admin {
        Ok(())
    } else {
        Err(MmError::Permissions)
    }
}

/// The token bucket of `RateLimitSettings` (per second, burst), keyed by client address:
/// `Err` is the refusal; `Ok` the remaining calls, for the headers of every answer.
fn rate_limited(state: &mut State, ip: std::net::IpAddr) -> Result<Option<(u32, u32)>, MmError> {
    let Some((per_second, burst)) = state.config.rate_limit else {
        return Ok(None);
    };
    let now = Instant::now();
    let (tokens, last) = state.buckets.entry(ip).or_insert((f64::from(burst), now));
    let refill = now.duration_since(*last).as_secs_f64() * f64::from(per_second);
    *tokens = (*tokens + refill).min(f64::from(burst));
    *last = now;
    if *tokens >= 1.0 {
        *tokens -= 1.0;
        Ok(Some((per_second, *tokens as u32)))
    } else {
        Err(MmError::TooManyRequests {
            retry_after: 1,
            limit: per_second,
        })
    }
}

fn ok() -> Response {
    Json(json!({ "status": "OK" })).into_response()
}

/// One routed request; `Err` becomes the server's error answer.
fn handle(
    state: &mut State,
    method: &Method,
    route: Route,
    headers: &HeaderMap,
    query: &str,
    body: &Value,
    index: usize,
) -> Result<Response, MmError> {
    if let Route::Ping = route {
        return Ok(
            Json(json!({"ActiveSearchBackend": "database", "status": "OK"})).into_response(),
        );
    }
    if let Route::Login = route {
        return login(state, body);
    }
    // A route an older server does not have is not there at all, signed in or not.
    if matches!(route, Route::CustomStatus(_)) && !state.at_least((5, 33)) {
        return Err(MmError::NoSuchRoute);
    }
    let token = bearer(headers).unwrap_or_default().to_owned();
    let caller = state.authenticate(&token).ok_or(MmError::SessionExpired)?;
    if let Some(entry) = state.requests.get_mut(index) {
        entry.user_id = Some(caller.id.clone());
    }
    match route {
        Route::Ping | Route::Login => Err(MmError::NoSuchRoute),
        Route::Logout => {
            state.sessions.remove(&token);
            Ok(ok())
        }
        Route::User(id) => {
            let id = resolve(&id, &caller)?;
            let user = state.user(&id).cloned().ok_or(MmError::MissingAccount)?;
            Ok(Json(state.user_json(&user)).into_response())
        }
        Route::Status(id) => {
            let id = resolve(&id, &caller)?;
            if *method == Method::GET {
                if state.user(&id).is_none() || !state.config.enable_user_statuses {
                    return Err(MmError::UserStatusNotFound);
                }
                return Ok(Json(state.status_of(&id)).into_response());
            }
            // `model.StatusFromJSON`: a body that does not decode into a Status (not an
            // object, a field of the wrong type) is "Invalid or missing status".
            let typed = body.is_object()
                && [("user_id", Value::is_string), ("status", Value::is_string)]
                    .iter()
                    .all(|(name, ok)| body.get(*name).is_none_or(ok))
                && body.get("dnd_end_time").is_none_or(|v| v.is_i64());
            if !typed {
                return Err(MmError::InvalidBodyParam("status"));
            }
            // The body's user_id must be the path's, `me` resolved; then the permission
            // (`updateUserStatus`).
            if body["user_id"].as_str() != Some(id.as_str()) {
                return Err(MmError::InvalidBodyParam("user_id"));
            }
            may_edit(&caller, &id)?;
            let word = body["status"].as_str().unwrap_or_default();
            if !["online", "away", "offline", "dnd"].contains(&word) {
                return Err(MmError::InvalidBodyParam("status"));
            }
            let end = body["dnd_end_time"].as_i64().unwrap_or(0);
            let status = state.set_status(&id, word, end)?;
            Ok(Json(status).into_response())
        }
        Route::CustomStatus(id) => {
            if !state.config.enable_custom_statuses {
                return Err(MmError::CustomStatusDisabled);
            }
            let id = resolve(&id, &caller)?;
            may_edit(&caller, &id)?;
            if *method == Method::DELETE {
                state.custom.insert(id, String::new());
                return Ok(ok());
            }
            if !body.is_object() {
                return Err(MmError::InvalidBodyParam("custom_status"));
            }
            let cut = state.set_custom(&id, body)?;
            if let Some(entry) = state.requests.get_mut(index) {
                entry.cut_text = cut;
            }
            Ok(ok())
        }
        Route::EmojiByName(name) => {
            if !state.config.enable_custom_emoji {
                return Err(MmError::EmojiDisabled);
            }
            if state.config.custom_emoji.contains(&name) {
                Ok(Json(emoji_json(&name)).into_response())
            } else {
                Err(MmError::NoEmoji)
            }
        }
        Route::EmojiList => {
            if !state.config.enable_custom_emoji {
                return Err(MmError::EmojiDisabled);
            }
            let mut names = state.config.custom_emoji.clone();
            names.sort();
            // `page` (from 0) and `per_page` (default 60, at most 200).
            let page = query_number(query, "page").unwrap_or(0);
            let per_page = query_number(query, "per_page").unwrap_or(60).min(200);
            let shown: Vec<Value> = names
                .iter()
                .skip(page.saturating_mul(per_page))
                .take(per_page)
                .map(|n| emoji_json(n))
                .collect();
            Ok(Json(shown).into_response())
        }
    }
}

fn query_number(query: &str, name: &str) -> Option<usize> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn emoji_json(name: &str) -> Value {
    json!({
        "id": format!("{:0<26}", name.chars().filter(char::is_ascii_alphanumeric).collect::<String>()).chars().take(26).collect::<String>(),
        "creator_id": "a1b2c3d4e5f6g7h8i9j0k1l2mn",
        "name": name,
        "create_at": 1_700_000_000_000_i64,
        "update_at": 1_700_000_000_000_i64,
        "delete_at": 0,
    })
}

/// `POST /users/login`: password first, then the MFA code (`authenticateUser`,
/// `CheckUserMfa`); the session token in the `Token` header.
fn login(state: &mut State, body: &Value) -> Result<Response, MmError> {
    let login_id = body["login_id"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();
    let user = state
        .config
        .users
        .iter()
        .find(|u| {
            u.username.eq_ignore_ascii_case(login_id) || u.email.eq_ignore_ascii_case(login_id)
        })
        .cloned()
        .ok_or(MmError::InvalidCredentials)?;
    if user.is_bot {
        return Err(MmError::BotLoginForbidden);
    }
    if user.password.is_empty() || user.password != password {
        return Err(MmError::InvalidCredentials);
    }
    if let Some(code) = &user.mfa_code {
        if body["token"].as_str() != Some(code.as_str()) {
            return Err(MmError::BadMfaCode);
        }
    }
    let token = state.new_id();
    state.sessions.insert(token.clone(), user.id.clone());
    let mut resp = Json(state.user_json(&user)).into_response();
    if let Ok(value) = HeaderValue::from_str(&token) {
        resp.headers_mut().insert("token", value);
    }
    Ok(resp)
}

/// The axum fallback handler: every request outside `/__fake`.
pub(crate) async fn any_request(
    AxumState(shared): AxumState<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let parsed: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    };
    let mut recorded_body = parsed.clone();
    if recorded_body.get("password").is_some() {
        recorded_body["password"] = json!("<redacted>");
    }
    let (index, pending, version) = {
        let mut state = shared.lock();
        let index = state.record(RecordedRequest {
            at: chrono::Utc::now().to_rfc3339(),
            method: method.to_string(),
            path: path.clone(),
            query: uri.query().unwrap_or_default().to_owned(),
            body: recorded_body,
            user_id: None,
            status: None,
            cut_text: None,
        });
        let pending = state
            .faults
            .take(method.as_str(), &path, path.starts_with("/api/"));
        let v = state.config.version.clone();
        (index, pending, format!("{v}.{v}.4f2a9c1e.true"))
    };
    let (late, pending) = faults::split_late(pending);
    let mut resp = match pending {
        Some(fault) => {
            faults::respond_with(fault, shared.shutdown.clone(), |secs| {
                MmError::TooManyRequests {
                    retry_after: secs.clamp(0.0, 1e9).ceil() as u64,
                    limit: 10,
                }
                .into_response()
            })
            .await
        }
        None => {
            let mut state = shared.lock();
            match rate_limited(&mut state, peer.ip()) {
                Err(limited) => limited.into_response(),
                Ok(rate) => {
                    let mut resp = match route(&method, &path) {
                        None if path.starts_with("/api/") => MmError::NoSuchRoute.into_response(),
                        // The web app answers everything else.
                        None => (
                            StatusCode::OK,
                            "<!doctype html><html><body>Mattermost</body></html>",
                        )
                            .into_response(),
                        Some(route) => handle(
                            &mut state,
                            &method,
                            route,
                            &headers,
                            uri.query().unwrap_or_default(),
                            &parsed,
                            index,
                        )
                        .unwrap_or_else(IntoResponse::into_response),
                    };
                    if let Some((limit, remaining)) = rate {
                        // `X-RateLimit-Reset`: seconds until a call is free again.
                        crate::rate_headers::set(
                            resp.headers_mut(),
                            limit,
                            remaining,
                            u32::from(remaining == 0),
                        );
                    }
                    resp
                }
            }
        }
    };
    if path.starts_with("/api/") {
        if let Ok(value) = HeaderValue::from_str(&version) {
            resp.headers_mut().insert("x-version-id", value);
        }
    }
    faults::hold_back(late, shared.shutdown.clone()).await;
    shared.answered(index, &resp);
    resp
}

/// `GET /__fake/state`: users with their status and custom status, the requests.
pub(crate) async fn get_state(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let mut state = shared.lock();
    let ids: Vec<String> = state.config.users.iter().map(|u| u.id.clone()).collect();
    let users: Vec<Value> = ids
        .iter()
        .map(|id| {
            let status = state.status_of(id);
            json!({ "id": id, "status": status, "custom_status": state.custom_of(id) })
        })
        .collect();
    Json(json!({
        "version": state.config.version,
        "users": users,
        "sessions": state.sessions.len(),
        "pending_faults": state.faults.pending,
        "requests": state.requests,
    }))
    .into_response()
}

/// `POST /__fake/fault`, as for every fake (see [`crate::faults::parse_request`]).
pub(crate) async fn post_fault(AxumState(shared): AxumState<Arc<Shared>>, body: Bytes) -> Response {
    match shared.queue_fault(&body) {
        Ok(()) => Json(json!({"status": "OK"})).into_response(),
        Err(error) => (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response(),
    }
}
