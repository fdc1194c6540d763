//! HTTP Basic authentication as Zulip's `get_basic_credentials` + `validate_api_key` do it,
//! with the same errors in the same order.

use axum::http::{header, HeaderMap, StatusCode};
use base64::alphabet;
use base64::engine::{general_purpose::GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::config::ZulipUser;
use super::error::ApiError;
use super::state::State;

/// Feature level from which deactivated users/realms get 401 instead of 403.
pub(crate) const DEACTIVATED_401_FL: u32 = 76;

/// Python's lenient `base64.b64decode`: padding required, trailing bits ignored.
const PY_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Python's `str.strip()` whitespace.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// `(email, api_key)` from the `Authorization` header, or Zulip's error for a bad header.
pub(crate) fn credentials(headers: &HeaderMap) -> Result<(String, String), ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "Not logged in: API authentication or user session required",
        ));
    };
    let invalid = || ApiError::unauthorized("Invalid authorization header for basic auth");
    let value = String::from_utf8_lossy(value.as_bytes());
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [auth_type, encoded] = parts.as_slice() else {
        return Err(invalid());
    };
    if !auth_type.eq_ignore_ascii_case("basic") {
        return Err(ApiError::bad_request(
            "This endpoint requires HTTP basic authentication.",
        ));
    }
    // b64decode(validate=False) drops characters outside the alphabet first.
    let cleaned: String = encoded
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+/=".contains(*c))
        .collect();
    let decoded = PY_B64.decode(cleaned).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let fields: Vec<&str> = decoded.split(':').collect();
    let [email, api_key] = fields.as_slice() else {
        return Err(invalid());
    };
    Ok(((*email).to_owned(), (*api_key).to_owned()))
}

/// The email from a decodable Basic header, for request recording only.
pub(crate) fn email_hint(headers: &HeaderMap) -> Option<String> {
    credentials(headers).ok().map(|(email, _)| email)
}

/// The authenticated user, or the error Zulip returns.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<ZulipUser, ApiError> {
    let (email, api_key) = credentials(headers)?;
    let (email, api_key) = (py_strip(&email), py_strip(&api_key));
    let well_formed = api_key.len() == 32 && api_key.bytes().all(|b| b.is_ascii_alphanumeric());
    if !well_formed {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Malformed API key",
        ));
    }
    let invalid = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Invalid API key",
        )
    };
    let user = state
        .config
        .users
        .iter()
        .find(|u| u.api_key == api_key)
        .ok_or_else(invalid)?;
    if user.email.to_lowercase() != email.to_lowercase() {
        return Err(invalid());
    }
    let status = if state.config.feature_level >= DEACTIVATED_401_FL {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::FORBIDDEN
    };
    if state.config.realm_deactivated {
        return Err(ApiError::new(
            status,
            "REALM_DEACTIVATED",
            "This organization has been deactivated",
        ));
    }
    if !user.is_active {
        return Err(ApiError::new(
            status,
            "USER_DEACTIVATED",
            "Account is deactivated",
        ));
    }
    Ok(user.clone())
}
