//! `POST /api/oauth.v2.access`: a code for a user token, or (token rotation) a refresh token
//! for a new pair (<https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>,
//! <https://docs.slack.dev/authentication/using-token-rotation>).
//!
//! - Code: `code`, `redirect_uri` (the authorize step's, when it sent one), `client_id`, and
//!   `client_secret` (form or HTTP Basic) or, on a PKCE app, `code_verifier` (S256). Codes are
//!   single use and live 10 minutes. UNCONFIRMED: that a PKCE app's exchange is accepted
//!   without the secret (the page's example was not retrieved); the fake accepts it, as
//!   Presently relies on. A code is used up only by a successful exchange (UNCONFIRMED).
//! - Refresh: `grant_type=refresh_token`, `refresh_token`, `client_id`, plus the secret
//!   unless the token came from a PKCE app's desktop redirect. The answer is flat; the old
//!   refresh token is revoked. A PKCE app's refresh tokens end 30 days after the sign-in
//!   (UNCONFIRMED whether renewing restarts the 30 days; the fake does not, the stricter
//!   reading).
//! - Errors: `invalid_grant_type`, `invalid_client_id`, `bad_client_secret`,
//!   `pkce_not_allowed`, `invalid_code`, `bad_redirect_uri`, `invalid_code_verifier`,
//!   `invalid_refresh_token`.

use axum::http::HeaderMap;

use super::args::Args;
use super::client_auth;
use super::config::SlackApp;
use super::error::SlackError;
use super::methods::{lookup, ACCESS};
use super::pkce;
use super::reply::{Fields, J};
use super::state::State;
use super::tokens::{AccessToken, Kind, RefreshState, RefreshToken, ACCESS_TTL, PKCE_REFRESH_TTL};

enum Grant {
    Code,
    Refresh,
}

pub(crate) fn handle(
    state: &mut State,
    headers: &HeaderMap,
    args: &Args,
) -> Result<Fields, SlackError> {
    let grant = match args.get("grant_type").as_deref() {
        None | Some("" | "authorization_code") => Grant::Code,
        Some("refresh_token") => Grant::Refresh,
        Some(_) => return Err(SlackError::new("invalid_grant_type")),
    };
    let (client_id, secret) = client_auth::credentials(headers, args);
    let app = client_id
        .and_then(|id| state.app(&id).cloned())
        .ok_or_else(|| SlackError::new("invalid_client_id"))?;
    if state.config.rate_limits {
        let per_minute = lookup(ACCESS).map_or(100, |m| m.tier.per_minute());
        let now = state.clock.seconds();
        state.limiter.call(ACCESS, &app.app_id, per_minute, now)?;
    }
    if secret.as_ref().is_some_and(|s| *s != app.client_secret) {
        return Err(SlackError::new("bad_client_secret"));
    }
    match grant {
        Grant::Code => code_grant(state, &app, secret.is_some(), args),
        Grant::Refresh => refresh_grant(state, &app, secret.is_some(), args),
    }
}

fn code_grant(
    state: &mut State,
    app: &SlackApp,
    has_secret: bool,
    args: &Args,
) -> Result<Fields, SlackError> {
    let verifier = args.get("code_verifier").filter(|v| !v.is_empty());
    // Without a secret only a PKCE app's verifier authenticates the client.
    let public_client = app.pkce && verifier.is_some();
    if !(has_secret || public_client) {
        return Err(SlackError::new("bad_client_secret"));
    }
    if !app.pkce && verifier.is_some() {
        return Err(SlackError::new("pkce_not_allowed"));
    }
    let now = state.now();
    let code = args.get("code").unwrap_or_default();
    let found = state
        .tokens
        .code_mut(&code)
        .filter(|c| !c.used && c.client_id == app.client_id && c.expires_at > now)
        .ok_or_else(|| SlackError::new("invalid_code"))?;
    if !app.pkce && found.challenge.is_some() {
        return Err(SlackError::new("pkce_not_allowed"));
    }
    let sent = args.get("redirect_uri").filter(|r| !r.is_empty());
    let redirect_ok = match &found.redirect_uri {
        Some(first) => sent.as_deref() == Some(first.as_str()),
        None => sent.is_none_or(|r| app.redirect_urls.first() == Some(&r)),
    };
    if !redirect_ok {
        return Err(SlackError::new("bad_redirect_uri"));
    }
    let verified = match (&found.challenge, &verifier) {
        (Some(challenge), Some(v)) => pkce::verifies(challenge, v),
        (None, None) => true,
        _ => false,
    };
    if !verified {
        return Err(SlackError::new("invalid_code_verifier"));
    }
    found.used = true;
    let code = found.clone();
    // Custom-scheme installs of a PKCE app always rotate.
    let rotating = app.token_rotation || (app.pkce && code.custom_scheme);
    let grant = state.tokens.new_grant();
    let refresh_template = RefreshToken {
        token: String::new(),
        client_id: app.client_id.clone(),
        user_id: code.user_id.clone(),
        scopes: code.scopes.clone(),
        desktop: app.pkce && code.desktop,
        expires_at: app.pkce.then_some(now + PKCE_REFRESH_TTL),
        state: RefreshState::Live,
        grant,
    };
    let (access, refresh) = issue(state, app, refresh_template, rotating);
    let mut user: Vec<(&str, J)> = vec![
        ("id", J::from(code.user_id.clone())),
        ("scope", J::from(code.scopes.join(","))),
        ("access_token", J::from(access)),
        ("token_type", J::from("user")),
    ];
    if let Some(refresh) = refresh {
        user.push(("refresh_token", J::from(refresh)));
        user.push(("expires_in", J::from(ACCESS_TTL)));
    }
    let mut fields: Fields = vec![
        ("app_id", J::from(app.app_id.clone())),
        ("authed_user", J::obj(user)),
    ];
    fields.extend(team(state));
    Ok(fields)
}

fn refresh_grant(
    state: &mut State,
    app: &SlackApp,
    has_secret: bool,
    args: &Args,
) -> Result<Fields, SlackError> {
    let now = state.now();
    let token = args.get("refresh_token").unwrap_or_default();
    let found = state
        .tokens
        .refresh_mut(&token)
        .filter(|t| {
            t.client_id == app.client_id
                && t.state == RefreshState::Live
                && t.expires_at.is_none_or(|end| end > now)
        })
        .ok_or_else(|| SlackError::new("invalid_refresh_token"))?;
    if !has_secret && !found.desktop {
        return Err(SlackError::new("bad_client_secret"));
    }
    found.state = RefreshState::Used;
    let template = found.clone();
    let (access, refresh) = issue(state, app, template.clone(), true);
    let mut fields: Fields = vec![
        ("app_id", J::from(app.app_id.clone())),
        ("scope", J::from(template.scopes.join(","))),
        ("token_type", J::from("user")),
        ("access_token", J::from(access)),
        ("refresh_token", J::from(refresh.unwrap_or_default())),
        ("expires_in", J::from(ACCESS_TTL)),
        ("user_id", J::from(template.user_id.clone())),
    ];
    fields.extend(team(state));
    Ok(fields)
}

/// A user token for the grant of `template` and, when `rotating`, a refresh token.
fn issue(
    state: &mut State,
    app: &SlackApp,
    template: RefreshToken,
    rotating: bool,
) -> (String, Option<String>) {
    let now = state.now();
    let digits = state.team_digits();
    let access = AccessToken {
        token: String::new(),
        user_id: template.user_id.clone(),
        scopes: template.scopes.clone(),
        app_id: app.app_id.clone(),
        kind: Kind::User,
        expires_at: rotating.then_some(now + ACCESS_TTL),
        revoked: false,
        grant: Some(template.grant),
    };
    let access = state
        .tokens
        .issue_access(&mut state.random, access, &digits);
    let refresh = rotating.then(|| {
        let template = RefreshToken {
            state: RefreshState::Live,
            ..template
        };
        state.tokens.issue_refresh(&mut state.random, template)
    });
    (access, refresh)
}

/// `team`, `enterprise` (null) and `is_enterprise_install` (false): a workspace install.
fn team(state: &State) -> Fields {
    vec![
        (
            "team",
            J::obj([
                ("id", J::from(state.config.team_id.clone())),
                ("name", J::from(state.config.team_name.clone())),
            ]),
        ),
        ("enterprise", J::V(serde_json::Value::Null)),
        ("is_enterprise_install", J::from(false)),
    ]
}
