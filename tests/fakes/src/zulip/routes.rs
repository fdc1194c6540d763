//! Zulip's URL table for the modelled endpoints, gated by feature level, and the 404/405
//! answers `rest_dispatch` gives before any authentication.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::endpoints::Endpoint;
use super::json;

/// Feature levels that added routes.
const GET_USER_STATUS_FL: u32 = 262;
const ADMIN_SET_STATUS_FL: u32 = 407;
const SETTINGS_PRESENCE_FL: u32 = 80;

/// The methods a path supports at this feature level, or `None` if Zulip has no such path.
pub(crate) fn routes(path: &str, feature_level: u32) -> Option<Vec<(Method, Endpoint)>> {
    let segments: Vec<&str> = path.split('/').collect();
    let routes = match segments.as_slice() {
        ["server_settings"] => vec![(Method::GET, Endpoint::ServerSettings)],
        ["users", "me"] => vec![(Method::GET, Endpoint::OwnProfile)],
        ["users", "me", "status"] => vec![(Method::POST, Endpoint::SetOwnStatus)],
        ["users", id, "status"] if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            // Django's <int:user_id>; an id too large for u64 is simply nobody.
            let id = id.parse::<u64>().ok();
            let mut routes = Vec::new();
            if feature_level >= GET_USER_STATUS_FL {
                routes.push((Method::GET, Endpoint::GetUserStatus(id)));
            }
            if feature_level >= ADMIN_SET_STATUS_FL {
                routes.push((Method::POST, Endpoint::SetUserStatus(id)));
            }
            routes
        }
        ["realm", "emoji"] => vec![(Method::GET, Endpoint::RealmEmoji)],
        ["register"] => vec![(Method::POST, Endpoint::Register)],
        ["events"] => vec![(Method::DELETE, Endpoint::DeleteQueue)],
        ["settings"] => {
            vec![(
                Method::PATCH,
                Endpoint::Settings {
                    presence: feature_level >= SETTINGS_PRESENCE_FL,
                },
            )]
        }
        ["settings", "notifications"] => {
            vec![(Method::PATCH, Endpoint::Settings { presence: true })]
        }
        _ => Vec::new(),
    };
    (!routes.is_empty()).then_some(routes)
}

pub(crate) fn not_found() -> Response {
    json::response(
        StatusCode::NOT_FOUND,
        "error",
        "Not Found",
        vec![("code".to_owned(), "BAD_REQUEST".into())],
    )
}

/// Django's `HttpResponseNotAllowed` with Zulip's JSON body (no newline, text/html type).
pub(crate) fn method_not_allowed(allowed: &[Method]) -> Response {
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    let body = json::J::obj([
        ("result", "error".into()),
        ("msg", "Method Not Allowed".into()),
        ("allowed_methods", serde_json::json!(names).into()),
    ]);
    let mut resp = (
        StatusCode::METHOD_NOT_ALLOWED,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
        .into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::ALLOW, v);
    }
    resp
}
