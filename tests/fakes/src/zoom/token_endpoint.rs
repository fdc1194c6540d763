//! `POST /oauth/token`: the `authorization_code` (with PKCE), `refresh_token` (rotating) and
//! `account_credentials` (Server-to-Server) grants. Every error is a 400
//! `{"reason":..,"error":..}` (see [`OAuthError`]).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::config::{ZoomApp, ZoomAppKind};
use super::error::OAuthError;
use super::params::Params;
use super::reply::{self, J};
use super::state::State;
use super::tokens::{AccessToken, RefreshState, ACCESS_TTL, EXPIRES_IN};

/// The success body. Zoom's documented fields in its order, then `api_url` (UNCONFIRMED:
/// recent Zoom answers add the API host there; the fake gives its own URL, without `/v2`).
fn token_body(
    access: String,
    refresh: Option<String>,
    scopes: &[String],
    api_url: &str,
) -> Response {
    let mut pairs = vec![
        ("access_token", J::from(access)),
        ("token_type", J::from("bearer")),
    ];
    if let Some(refresh) = refresh {
        pairs.push(("refresh_token", J::from(refresh)));
    }
    pairs.push(("expires_in", J::from(EXPIRES_IN)));
    pairs.push(("scope", J::from(scopes.join(" "))));
    pairs.push(("api_url", J::from(api_url)));
    reply::json(StatusCode::OK, &J::obj(pairs))
}

/// Issues an access token and, for user grants, a refresh token.
#[allow(clippy::too_many_arguments)]
fn issue(
    state: &mut State,
    ttl: chrono::Duration,
    app: &ZoomApp,
    user_id: &str,
    scopes: &[String],
    with_refresh: bool,
    api_url: &str,
) -> Response {
    let now = state.now();
    let template = AccessToken {
        token: String::new(),
        user_id: user_id.to_owned(),
        scopes: scopes.to_vec(),
        expires_at: now,
        server_to_server: !with_refresh,
    };
    let access = state
        .tokens
        .issue_access(&mut state.random, now, ttl, template);
    let refresh = with_refresh.then(|| {
        state
            .tokens
            .issue_refresh(&mut state.random, &app.client_id, user_id, scopes)
    });
    token_body(access, refresh, scopes, api_url)
}

/// `authorization_code`: the code must be this client's, unused, under 5 minutes old, asked
/// for with this exact `redirect_uri`, and its PKCE challenge must verify. The code is only
/// used up by a successful exchange (UNCONFIRMED).
fn authorization_code(
    state: &mut State,
    app: &ZoomApp,
    params: &Params,
    api_url: &str,
) -> Result<Response, OAuthError> {
    let now = state.now();
    let code = params.get("code").unwrap_or_default();
    let found = state
        .tokens
        .code_mut(code)
        .filter(|c| !c.used && c.client_id == app.client_id)
        .ok_or_else(OAuthError::invalid_code)?;
    if found.expires_at <= now {
        // UNCONFIRMED body; the reason is Zoom's error-table text for 4733.
        return Err(OAuthError::new("invalid_grant", "Code is expired"));
    }
    if params.get("redirect_uri") != Some(found.redirect_uri.as_str()) {
        // UNCONFIRMED body; the reason is Zoom's error-table text for 4709.
        return Err(OAuthError::new("invalid_grant", "Redirect URI mismatch."));
    }
    if let Some(challenge) = &found.challenge {
        let verified = params
            .get("code_verifier")
            .is_some_and(|v| challenge.verifies(v));
        if !verified {
            // Zoom documents `invalid_grant`; UNCONFIRMED: the reason text.
            return Err(OAuthError::new("invalid_grant", "Invalid code verifier"));
        }
    }
    found.used = true;
    let (user_id, scopes) = (found.user_id.clone(), found.scopes.clone());
    let ttl = state.config.code_grant_access_ttl.unwrap_or(ACCESS_TTL);
    Ok(issue(state, ttl, app, &user_id, &scopes, true, api_url))
}

/// `refresh_token`: single use, this client's only; the answer carries a new one.
fn refresh_token(
    state: &mut State,
    app: &ZoomApp,
    params: &Params,
    api_url: &str,
) -> Result<Response, OAuthError> {
    let token = params.get("refresh_token").unwrap_or_default();
    let found = state
        .tokens
        .refresh_mut(token)
        .filter(|t| t.state == RefreshState::Live && t.client_id == app.client_id)
        .ok_or_else(OAuthError::invalid_refresh_token)?;
    found.state = RefreshState::Used;
    let (user_id, scopes) = (found.user_id.clone(), found.scopes.clone());
    Ok(issue(
        state, ACCESS_TTL, app, &user_id, &scopes, true, api_url,
    ))
}

/// `account_credentials`: Server-to-Server apps only, for their own account; no refresh
/// token; several access tokens may coexist.
fn account_credentials(
    state: &mut State,
    app: &ZoomApp,
    params: &Params,
    api_url: &str,
) -> Result<Response, OAuthError> {
    let ZoomAppKind::ServerToServer { account_id } = &app.kind else {
        // UNCONFIRMED: what Zoom answers a user-managed app asking for this grant.
        return Err(OAuthError::unsupported_grant_type());
    };
    if params.get("account_id") != Some(account_id.as_str()) {
        // UNCONFIRMED body.
        return Err(OAuthError::new("invalid_request", "Invalid account_id"));
    }
    Ok(issue(
        state,
        ACCESS_TTL,
        app,
        &app.owner,
        &app.scopes,
        false,
        api_url,
    ))
}

pub(crate) fn handle(
    state: &mut State,
    headers: &HeaderMap,
    params: &Params,
    api_url: &str,
) -> Response {
    let app = match client_auth::authenticate(state, headers) {
        Ok(app) => app,
        Err(err) => return err.into_response(),
    };
    let user_managed = matches!(app.kind, ZoomAppKind::UserManaged { .. });
    let result = match params.get("grant_type") {
        Some("authorization_code") if user_managed => {
            authorization_code(state, &app, params, api_url)
        }
        Some("refresh_token") if user_managed => refresh_token(state, &app, params, api_url),
        // A Server-to-Server app has no codes or refresh tokens to exchange.
        Some("authorization_code") => Err(OAuthError::invalid_code()),
        Some("refresh_token") => Err(OAuthError::invalid_refresh_token()),
        Some("account_credentials") => account_credentials(state, &app, params, api_url),
        _ => Err(OAuthError::unsupported_grant_type()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}
