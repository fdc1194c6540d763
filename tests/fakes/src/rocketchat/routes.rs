//! The modelled routes, and what the server does with any other request.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Info,
    Login,
    Logout,
    Me,
    SetStatus,
    GetStatus,
    UsersInfo,
    CustomList,
    CustomCreate,
    CustomUpdate,
    CustomDelete,
}

/// A matched route: the endpoint, whether it needs a login, and its rate-limiter rule name
/// (`/api/v1/<route><method>`; `None` for `/api/info`, which has no version and no limiter).
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub endpoint: Endpoint,
    pub auth_required: bool,
    pub rate_rule: Option<String>,
}

const V1: &str = "/api/v1/";

/// The route for `method path`. Express routing: case-insensitive, a trailing slash allowed,
/// `HEAD` served by `GET` routes (a `HEAD` has no limiter rule of its own, so none applies).
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let path = path.strip_suffix('/').unwrap_or(path).to_ascii_lowercase();
    let is_get = *method == Method::GET || *method == Method::HEAD;
    let is_post = *method == Method::POST;
    if path == "/api/info" {
        return is_get.then_some(Route {
            endpoint: Endpoint::Info,
            auth_required: false,
            rate_rule: None,
        });
    }
    let name = path.strip_prefix(V1)?;
    let (endpoint, ok) = match name {
        "login" => (Endpoint::Login, is_post),
        // Restivus' deprecated `GET /logout` still exists.
        "logout" => (Endpoint::Logout, is_post || is_get),
        "me" => (Endpoint::Me, is_get),
        "users.setstatus" => (Endpoint::SetStatus, is_post),
        "users.getstatus" => (Endpoint::GetStatus, is_get),
        "users.info" => (Endpoint::UsersInfo, is_get),
        "custom-user-status.list" => (Endpoint::CustomList, is_get),
        "custom-user-status.create" => (Endpoint::CustomCreate, is_post),
        "custom-user-status.update" => (Endpoint::CustomUpdate, is_post),
        "custom-user-status.delete" => (Endpoint::CustomDelete, is_post),
        _ => return None,
    };
    if !ok {
        return None;
    }
    let canonical = match endpoint {
        Endpoint::Login => "login",
        Endpoint::Logout => "logout",
        Endpoint::Me => "me",
        Endpoint::SetStatus => "users.setStatus",
        Endpoint::GetStatus => "users.getStatus",
        Endpoint::UsersInfo => "users.info",
        Endpoint::CustomList => "custom-user-status.list",
        Endpoint::CustomCreate => "custom-user-status.create",
        Endpoint::CustomUpdate => "custom-user-status.update",
        Endpoint::CustomDelete => "custom-user-status.delete",
        Endpoint::Info => "info",
    };
    let rate_rule = (*method != Method::HEAD)
        .then(|| format!("{V1}{canonical}{}", method.as_str().to_ascii_lowercase()));
    Some(Route {
        endpoint,
        auth_required: endpoint != Endpoint::Login,
        rate_rule,
    })
}

/// The stand-in for the web client's HTML page.
const BOILERPLATE: &str = "<!DOCTYPE html>\n<html><head><title>Rocket.Chat</title></head>\
<body><noscript>You need to enable JavaScript to run this app.</noscript></body></html>\n";

/// A request no REST route takes (unknown path, or a known path with another method) falls
/// through the API router to Meteor's web app, which serves the web client's HTML page for
/// `GET`/`HEAD` (200 `text/html`, so a client parsing JSON fails) and answers other methods
/// with 405 and `Allow: OPTIONS, GET, HEAD`. UNCONFIRMED against a 7.x server: from
/// Meteor's `webapp` behaviour, not observed.
pub(crate) fn fall_through(method: &Method) -> Response {
    if *method == Method::GET || *method == Method::HEAD {
        let mut resp = (StatusCode::OK, BOILERPLATE).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    if *method == Method::OPTIONS {
        return StatusCode::OK.into_response();
    }
    let mut resp = StatusCode::METHOD_NOT_ALLOWED.into_response();
    resp.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_static("OPTIONS, GET, HEAD"),
    );
    resp
}
