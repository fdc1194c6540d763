//! The paths the fake serves outside `/__fake`: both hosts' (`zoom.us` OAuth, `api.zoom.us`
//! REST) on one port.

use axum::http::Method;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Authorize,
    Token,
    GetUser(String),
    GetPresence(String),
    PutPresence(String),
    /// A known path, another method.
    MethodNotAllowed,
    NotFound,
}

/// The prefix of the REST API.
pub(crate) const API_PREFIX: &str = "/v2/";

pub(crate) fn route(method: &Method, path: &str) -> Route {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match (segments.as_slice(), method.as_str()) {
        (["oauth", "authorize"], "GET") => Route::Authorize,
        (["oauth", "token"], "POST") => Route::Token,
        (["v2", "users", id], "GET") if !id.is_empty() => Route::GetUser(decode(id)),
        (["v2", "users", id, "presence_status"], "GET") if !id.is_empty() => {
            Route::GetPresence(decode(id))
        }
        (["v2", "users", id, "presence_status"], "PUT") if !id.is_empty() => {
            Route::PutPresence(decode(id))
        }
        (["oauth", "authorize" | "token"], _) => Route::MethodNotAllowed,
        (["v2", "users", id] | ["v2", "users", id, "presence_status"], _) if !id.is_empty() => {
            Route::MethodNotAllowed
        }
        _ => Route::NotFound,
    }
}

/// A percent-decoded path segment (an email may arrive as `alice%40example.com`).
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route(&Method::GET, "/v2/users/alice%40example.com"),
            Route::GetUser("alice@example.com".into())
        );
        assert_eq!(
            route(&Method::PUT, "/v2/users/me/presence_status"),
            Route::PutPresence("me".into())
        );
        assert_eq!(
            route(&Method::POST, "/v2/users/me/presence_status"),
            Route::MethodNotAllowed
        );
        assert_eq!(route(&Method::GET, "/v2/users/"), Route::NotFound);
        assert_eq!(route(&Method::GET, "/oauth/token"), Route::MethodNotAllowed);
    }
}
