//! The rules of `POST /users/me/status` and `POST /users/{id}/status`
//! (`update_user_status_backend` in zerver/views/presence.py), in the server's order:
//! parameter validation (`away` JSON, `status_text` trimmed then at most 60 code points),
//! "no new values", emoji name/code/type resolution, emoji validation.

use super::emoji::{self, RealmEmoji};
use super::error::ApiError;
use super::params::Params;

/// `status_text` limit, in Unicode code points after trimming.
pub(crate) const STATUS_TEXT_MAX: usize = 60;
/// Feature level that added `emoji_name`, `emoji_code`, `reaction_type`.
pub(crate) const EMOJI_PARAMS_FL: u32 = 86;

/// The validated parameters of one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct StatusParams {
    pub away: Option<bool>,
    pub status_text: Option<String>,
    pub emoji_name: Option<String>,
    pub emoji_code: Option<String>,
    pub reaction_type: Option<String>,
    /// Parameter names this endpoint reads (the rest are "ignored").
    pub processed: Vec<&'static str>,
}

/// What a valid request changes; `None` leaves the stored value alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatusChange {
    pub away: Option<bool>,
    pub status_text: Option<String>,
    /// `(name, code, reaction_type)`; all empty to clear.
    pub emoji: Option<(String, String, String)>,
}

/// Step 1: typed parameter validation. `accept_away` is false for the admin endpoint.
pub(crate) fn validate(
    params: &Params,
    feature_level: u32,
    accept_away: bool,
) -> Result<StatusParams, ApiError> {
    let mut out = StatusParams::default();
    if accept_away {
        out.away = params.json_bool("away", feature_level)?;
        out.processed.push("away");
    }
    if feature_level >= EMOJI_PARAMS_FL {
        out.emoji_name = params.get("emoji_name").map(str::to_owned);
        out.emoji_code = params.get("emoji_code").map(str::to_owned);
        out.reaction_type = params.get("reaction_type").map(str::to_owned);
        out.processed
            .extend(["emoji_name", "emoji_code", "reaction_type"]);
    }
    out.status_text = params
        .get("status_text")
        .map(check_status_text)
        .transpose()?;
    out.processed.push("status_text");
    Ok(out)
}

/// pydantic's `strip_whitespace` (Rust `trim`), the 60-code-point limit, then the view's own
/// Python `str.strip()` (which also strips U+001C..U+001F).
fn check_status_text(raw: &str) -> Result<String, ApiError> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > STATUS_TEXT_MAX {
        return Err(ApiError::bad_request(format!(
            "status_text is too long (limit: {STATUS_TEXT_MAX} characters)"
        )));
    }
    Ok(trimmed
        .trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
        .to_owned())
}

/// Step 2: the view's rules on validated parameters.
pub(crate) fn apply(
    p: StatusParams,
    realm: &RealmEmoji,
    renames: &[(String, String)],
) -> Result<StatusChange, ApiError> {
    if p.away.is_none() && p.status_text.is_none() && p.emoji_name.is_none() {
        return Err(ApiError::bad_request("Client did not pass any new values."));
    }
    let emoji = match p.emoji_name {
        Some(name) if name.is_empty() => Some((String::new(), String::new(), String::new())),
        Some(name) => {
            let (mut code, mut kind) = (p.emoji_code, p.reaction_type);
            if code.is_none() || kind.is_none() {
                let (data_code, data_kind) = emoji::get_emoji_data(realm, renames, &name)?;
                code.get_or_insert(data_code);
                kind.get_or_insert_with(|| data_kind.to_owned());
            }
            let (code, kind) = (code.unwrap_or_default(), kind.unwrap_or_default());
            emoji::check_emoji_request(realm, renames, &name, &code, &kind)?;
            Some((name, code, kind))
        }
        None => {
            let sent = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
            if sent(&p.emoji_code) || sent(&p.reaction_type) {
                return Err(ApiError::bad_request(
                    "Client must pass emoji_name if they pass either emoji_code or reaction_type.",
                ));
            }
            None
        }
    };
    Ok(StatusChange {
        away: p.away,
        status_text: p.status_text,
        emoji,
    })
}
