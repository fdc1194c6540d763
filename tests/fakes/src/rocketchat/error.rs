//! The error answers of Rocket.Chat's REST layer (`ApiClass.ts`): what a thrown `Meteor.Error`,
//! a failed `check()` (`Match.Error`), `API.v1.failure(msg)`, `API.v1.unauthorized()`, a
//! missing login and the rate limiter become on the wire.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::reply::{self, obj, J};

/// The text every auth-required route answers when `X-Auth-Token`/`X-User-Id` are missing,
/// wrong, or revoked.
pub(crate) const NOT_LOGGED_IN: &str = "You must be logged in to do this.";

#[derive(Clone, Debug)]
pub(crate) enum RcError {
    /// A thrown `new Meteor.Error(error, reason, details)`: HTTP 400
    /// `{"success":false,"error":"<reason> [<error>]","errorType":"<error>","details":{..}}`
    /// (`API.v1.failure(e.message, e.error, undefined, e)`). Without a reason, Meteor's
    /// message is `[<error>]`; without details the key is absent.
    Meteor {
        error: &'static str,
        reason: Option<String>,
        details: Option<J>,
    },
    /// A failed `check()`: `Match.Error` has no `error` field, so only
    /// `{"success":false,"error":"Match error: <msg>"}` (HTTP 400).
    Match(String),
    /// `API.v1.failure("<msg>")`: `{"success":false,"error":"<msg>"}` (HTTP 400).
    Failure(String),
    /// `API.v1.unauthorized()`: 401 `{"success":false,"error":"unauthorized"}`.
    Unauthorized,
    /// An auth-required route without a valid login. `API.v1.unauthorized(msg)` plus, for the
    /// "old API" before 8.0, `status` and `message`: 401
    /// `{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}`.
    /// The docs (<https://developer.rocket.chat/apidocs/create-custom-user-status>) show only `status` and `message`; the server code
    /// (`ApiClass.ts` `_internalRouteActionHandler`) sends all four keys.
    NotLoggedIn,
    /// The REST rate limiter (`enforceRateLimit` throws `error-too-many-requests`, the catch
    /// answers `API.v1.tooManyRequests(e.message)`): 429
    /// `{"success":false,"error":"Error, too many requests. Please slow down. You must wait N seconds before trying this endpoint again. [error-too-many-requests]"}`.
    /// No `errorType`: `tooManyRequests` only sets `success` and `error`.
    TooManyRequests { seconds: u64 },
}

impl RcError {
    pub(crate) fn meteor(error: &'static str, reason: impl Into<String>) -> Self {
        RcError::Meteor {
            error,
            reason: Some(reason.into()),
            details: None,
        }
    }

    pub(crate) fn meteor_with(error: &'static str, reason: impl Into<String>, details: J) -> Self {
        RcError::Meteor {
            error,
            reason: Some(reason.into()),
            details: Some(details),
        }
    }

    /// `{"method": method}`, the usual `details`.
    pub(crate) fn method_details(method: &str) -> J {
        obj([("method", J::from(method))])
    }

    pub(crate) fn too_many_requests_text(seconds: u64) -> String {
        format!(
            "Error, too many requests. Please slow down. You must wait {seconds} seconds before \
             trying this endpoint again. [error-too-many-requests]"
        )
    }
}

impl IntoResponse for RcError {
    fn into_response(self) -> Response {
        let fail = |error: J| vec![("success", J::from(false)), ("error", error)];
        match self {
            RcError::Meteor {
                error,
                reason,
                details,
            } => {
                let message = match reason {
                    Some(reason) => format!("{reason} [{error}]"),
                    None => format!("[{error}]"),
                };
                let mut pairs = fail(J::from(message));
                pairs.push(("errorType", J::from(error)));
                if let Some(details) = details {
                    pairs.push(("details", details));
                }
                reply::json(StatusCode::BAD_REQUEST, &obj(pairs))
            }
            RcError::Match(msg) => reply::json(
                StatusCode::BAD_REQUEST,
                &obj(fail(J::from(format!("Match error: {msg}")))),
            ),
            RcError::Failure(msg) => reply::json(StatusCode::BAD_REQUEST, &obj(fail(J::from(msg)))),
            RcError::Unauthorized => reply::json(
                StatusCode::UNAUTHORIZED,
                &obj(fail(J::from("unauthorized"))),
            ),
            RcError::NotLoggedIn => {
                let mut pairs = fail(J::from(NOT_LOGGED_IN));
                pairs.push(("status", J::from("error")));
                pairs.push(("message", J::from(NOT_LOGGED_IN)));
                reply::json(StatusCode::UNAUTHORIZED, &obj(pairs))
            }
            RcError::TooManyRequests { seconds } => reply::json(
                StatusCode::TOO_MANY_REQUESTS,
                &obj(fail(J::from(Self::too_many_requests_text(seconds)))),
            ),
        }
    }
}
