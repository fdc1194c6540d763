//! The client credentials of `oauth.v2.access`: `client_id` and `client_secret` as form
//! fields or, as Slack prefers, HTTP Basic `base64(client_id:client_secret)`
//! (<https://docs.slack.dev/authentication/installing-with-oauth>).

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::args::Args;

/// `(client_id, client_secret)`: the Basic header's, else the form's (each may be absent).
pub(crate) fn credentials(headers: &HeaderMap, args: &Args) -> (Option<String>, Option<String>) {
    if let Some((id, secret)) = basic(headers) {
        return (Some(id), Some(secret).filter(|s| !s.is_empty()));
    }
    let field = |name: &str| args.get(name).filter(|v| !v.is_empty());
    (field("client_id"), field("client_secret"))
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}
