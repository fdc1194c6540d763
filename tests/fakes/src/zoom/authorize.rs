//! `GET /oauth/authorize`: Zoom's consent page, played for the user signed in to "the
//! browser". On success a 302 to `redirect_uri?code=…&state=…`; a declined consent redirects
//! with `error=access_denied`; a request that cannot be trusted with a redirect (unknown
//! client, unregistered redirect URL, bad response type or challenge method) gets an HTML
//! error page instead.

use axum::response::Response;

use super::config::ZoomAppKind;
use super::error::authorize_error_page;
use super::params::Params;
use super::pkce::{Challenge, Method};
use super::reply;
use super::state::State;
use super::tokens::{AuthCode, CODE_TTL};

/// `redirect_uri` plus `pairs`, `?` or `&` as the URL needs, values form-encoded.
fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", query.finish())
}

/// The scopes a user grants: all of the app's, except that only owners and admins can grant
/// `:admin` scopes (UNCONFIRMED: Zoom asks an admin to authorize those instead).
fn granted_scopes(scopes: &[String], admin: bool) -> Vec<String> {
    scopes
        .iter()
        .filter(|s| admin || !s.ends_with(":admin"))
        .cloned()
        .collect()
}

pub(crate) fn handle(state: &mut State, query: Option<&str>) -> Response {
    let params = Params::query_only(query);
    let client_id = params.get("client_id").unwrap_or_default();
    // A Server-to-Server app has no authorization page either.
    let Some(app) = state.app(client_id).cloned() else {
        return authorize_error_page(&format!("Invalid client_id: {client_id}"), 4702);
    };
    let ZoomAppKind::UserManaged { redirect_urls } = &app.kind else {
        return authorize_error_page(&format!("Invalid client_id: {client_id}"), 4702);
    };
    let redirect_uri = params.get("redirect_uri").unwrap_or_default().to_owned();
    if !redirect_urls.contains(&redirect_uri) {
        return authorize_error_page("Invalid redirect url", 4700);
    }
    // UNCONFIRMED: Zoom's messages for these two.
    if params.get("response_type") != Some("code") {
        return authorize_error_page("Invalid response_type", 4700);
    }
    let Some(method) = Method::parse(params.get("code_challenge_method")) else {
        return authorize_error_page("Invalid code_challenge_method", 4700);
    };
    let state_param = params.get("state").map(str::to_owned);
    let echo_state = |mut pairs: Vec<(&'static str, String)>| {
        if let Some(s) = &state_param {
            pairs.push(("state", s.clone()));
        }
        pairs
    };
    if state.config.deny_consent {
        // UNCONFIRMED: no `error_description`.
        let pairs = echo_state(vec![("error", "access_denied".to_owned())]);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return reply::found(&with_query(&redirect_uri, &pairs));
    }
    let browser_user = state.config.browser_user.clone();
    let Some(user) = state.user(&browser_user).cloned() else {
        return authorize_error_page(&format!("User does not exist: {browser_user}"), 1001);
    };
    let code = state.random.string(32);
    let now = state.now();
    state.tokens.codes.push(AuthCode {
        code: code.clone(),
        client_id: app.client_id.clone(),
        user_id: user.id.clone(),
        redirect_uri: redirect_uri.clone(),
        challenge: params.get("code_challenge").map(|value| Challenge {
            value: value.to_owned(),
            method,
        }),
        scopes: granted_scopes(&app.scopes, user.is_admin()),
        expires_at: now + CODE_TTL,
        used: false,
    });
    let pairs = echo_state(vec![("code", code)]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    reply::found(&with_query(&redirect_uri, &pairs))
}
