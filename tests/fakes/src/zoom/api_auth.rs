//! `Authorization: Bearer <access_token>` on `/v2`, and what the token may do: its user
//! (`me`), its scopes, and whether it reaches other users of the account.

use axum::http::{header, HeaderMap};

use super::config::ZoomUser;
use super::error::ApiError;
use super::state::State;

/// Who is calling, from a valid access token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// `me`: the authorizing user, or a Server-to-Server app's owner.
    pub user: ZoomUser,
    pub scopes: Vec<String>,
}

/// The scopes one operation needs: `own` for the caller's own user, `admin` for anyone in
/// the caller's account (the admin scope also covers the caller). Classic scopes
/// (`user:read`, `user:write`, and their `:admin` forms) count as well [<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Need {
    pub own: &'static str,
    pub admin: &'static str,
    pub classic_own: &'static str,
    pub classic_admin: &'static str,
}

pub(crate) const READ_USER: Need = Need {
    own: "user:read:user",
    admin: "user:read:user:admin",
    classic_own: "user:read",
    classic_admin: "user:read:admin",
};

pub(crate) const READ_PRESENCE: Need = Need {
    own: "user:read:presence_status",
    admin: "user:read:presence_status:admin",
    classic_own: "user:read",
    classic_admin: "user:read:admin",
};

pub(crate) const UPDATE_PRESENCE: Need = Need {
    own: "user:update:presence_status",
    admin: "user:update:presence_status:admin",
    classic_own: "user:write",
    classic_admin: "user:write:admin",
};

impl Caller {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub(crate) fn has_admin(&self, need: Need) -> bool {
        self.has(need.admin) || self.has(need.classic_admin)
    }

    pub(crate) fn has_any(&self, need: Need) -> bool {
        self.has_admin(need) || self.has(need.own) || self.has(need.classic_own)
    }

    pub(crate) fn is(&self, user: &ZoomUser) -> bool {
        self.user.id == user.id
    }

    /// 4711 unless the token may do `need` to `target`: its own user with any fitting scope,
    /// another user with the admin scope. The message lists the granular scopes, admin first
    /// (as Zoom's real answer for `GET /users/me` does); for another user only the admin one
    /// (UNCONFIRMED).
    pub(crate) fn require(&self, need: Need, target: &ZoomUser) -> Result<(), ApiError> {
        if self.is(target) {
            if self.has_any(need) {
                return Ok(());
            }
            return Err(ApiError::missing_scopes(&[need.admin, need.own]));
        }
        if self.has_admin(need) {
            Ok(())
        } else {
            Err(ApiError::missing_scopes(&[need.admin]))
        }
    }
}

/// The bearer token of the request, if the header is `Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The caller, or 401 124 (`Access token is expired.` for a token past its hour,
/// `Invalid access token.` for anything else).
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let token = bearer(headers).ok_or_else(ApiError::invalid_token)?;
    let issued = state
        .tokens
        .access(&token)
        .ok_or_else(ApiError::invalid_token)?;
    if issued.expires_at <= state.now() {
        return Err(ApiError::expired_token());
    }
    let user = state
        .user(&issued.user_id)
        .cloned()
        .ok_or_else(ApiError::invalid_token)?;
    Ok(Caller {
        user,
        scopes: issued.scopes.clone(),
    })
}
