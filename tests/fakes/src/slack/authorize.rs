//! `GET /oauth/v2/authorize`: Slack's consent page, played for the person signed in to "the
//! browser" (<https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>). Parameters: `client_id`,
//! `user_scope` (comma-separated user scopes), `scope` (bot scopes), `redirect_uri`,
//! `state`, `team`, `code_challenge`, `code_challenge_method`.
//!
//! Consent: a 302 to `redirect_uri?code=…&state=…` (the code lives 10 minutes); declined:
//! `redirect_uri?error=access_denied&state=…`. A request that cannot be trusted with a
//! redirect gets an HTML error page instead (status 400; UNCONFIRMED: Slack's page status and
//! wording): an unknown client, a redirect the app did not register (see
//! [`super::redirect`]), bot scopes on a desktop redirect, a PKCE app's custom-scheme
//! redirect without `code_challenge`, a challenge method other than `S256`, a user scope the
//! app may not ask for (`invalid_scope`), no scopes at all.
//!
//! The fake's apps have no bot user, so `scope` on a web redirect is refused as
//! `invalid_scope` too.

use axum::http::StatusCode;
use axum::response::Response;

use super::pkce::S256;
use super::redirect;
use super::reply;
use super::state::State;
use super::tokens::{AuthCode, CODE_TTL};
use crate::form;

/// `redirect_uri` plus `pairs`, `?` or `&` as the URL needs, values form-encoded.
fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", query.finish())
}

/// Slack's page for an install that cannot go on.
fn error_page(message: &str) -> Response {
    let message = reply::escape(message);
    reply::html(
        StatusCode::BAD_REQUEST,
        format!(
            "<!DOCTYPE html><html><head><title>Slack</title></head><body>\
             <div class=\"oauth_error\"><h1>Oops, something went wrong.</h1>\
             <p>{message}</p></div></body></html>"
        ),
    )
}

/// A comma- (or space-) separated scope list.
fn scopes(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn handle(state: &mut State, query: Option<&str>) -> Response {
    let params = form::query_pairs(query);
    let get = |name: &str| form::last(&params, name).filter(|v| !v.is_empty());
    let client_id = get("client_id").unwrap_or_default();
    let Some(app) = state.app(client_id).cloned() else {
        return error_page(&format!("Invalid client_id parameter: {client_id}"));
    };
    let sent_redirect = get("redirect_uri").map(str::to_owned);
    let Some(redirect_uri) = sent_redirect
        .clone()
        .or_else(|| app.redirect_urls.first().cloned())
    else {
        return error_page("The app has no Redirect URL configured");
    };
    let kind = match redirect::check(&app, &redirect_uri) {
        Ok(kind) => kind,
        Err(reason) => return error_page(&format!("bad_redirect_uri: {reason}")),
    };
    let bot_scopes = scopes(get("scope"));
    if !bot_scopes.is_empty() {
        return error_page(if kind.desktop {
            "invalid_scope: a desktop redirect may not request bot scopes"
        } else {
            "invalid_scope: this app has no bot user"
        });
    }
    let user_scopes = scopes(get("user_scope"));
    if user_scopes.is_empty() {
        return error_page("invalid_scope: no scopes requested");
    }
    if let Some(bad) = user_scopes
        .iter()
        .find(|s| !app.user_scopes_allowed.contains(s))
    {
        return error_page(&format!("invalid_scope: {bad}"));
    }
    let challenge = get("code_challenge").map(str::to_owned);
    if challenge.is_some() && get("code_challenge_method") != Some(S256) {
        return error_page("invalid code_challenge_method: use S256");
    }
    if app.pkce && kind.custom_scheme && challenge.is_none() {
        return error_page("code_challenge is required for this redirect_uri");
    }
    let state_param = get("state").map(str::to_owned);
    let answer = |first: (&'static str, String)| {
        let mut pairs = vec![first];
        if let Some(s) = &state_param {
            pairs.push(("state", s.clone()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        reply::found(&with_query(&redirect_uri, &pairs))
    };
    if state.config.decline_consent {
        return answer(("error", "access_denied".to_owned()));
    }
    let browser_user = state.config.browser_user.clone();
    if state.user(&browser_user).is_none_or(|u| u.is_bot) {
        return error_page("Sign in to your workspace to continue");
    }
    let code = format!(
        "{}.{}.{}",
        state.team_digits(),
        state.random.digits(13),
        state.random.hex(64)
    );
    let now = state.now();
    state.tokens.codes.push(AuthCode {
        code: code.clone(),
        client_id: app.client_id.clone(),
        user_id: browser_user,
        redirect_uri: sent_redirect,
        challenge,
        scopes: user_scopes,
        desktop: kind.desktop,
        custom_scheme: kind.custom_scheme,
        expires_at: now + CODE_TTL,
        used: false,
    });
    answer(("code", code))
}
