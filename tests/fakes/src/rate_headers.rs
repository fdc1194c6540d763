//! The `X-RateLimit-*` headers Zulip and Rocket.Chat put on their answers. What `-Reset`
//! counts (epoch seconds or milliseconds) is each vendor's own and stays with its fake.

use std::fmt::Display;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Sets `X-RateLimit-Limit`, `-Remaining` and `-Reset`.
pub(crate) fn set(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: impl Display) {
    for (name, value) in [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}
