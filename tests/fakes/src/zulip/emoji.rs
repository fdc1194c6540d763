//! Zulip's emoji validation (`zerver/lib/emoji.py`): `get_emoji_data` fills a missing code or
//! type from a name, `check_emoji_request` validates a full (name, code, type) triple.

use super::emoji_table;
use super::error::ApiError;

pub(crate) const UNICODE_EMOJI: &str = "unicode_emoji";
pub(crate) const REALM_EMOJI: &str = "realm_emoji";
pub(crate) const ZULIP_EXTRA_EMOJI: &str = "zulip_extra_emoji";

/// The realm's custom emoji: `(id, name, deactivated)`.
pub(crate) type RealmEmoji = [(u64, String, bool)];

/// Name → (code, type). Active custom emoji win, then `zulip`, then Unicode names.
/// Deactivated custom emoji do not exist for new use.
pub(crate) fn get_emoji_data(
    realm: &RealmEmoji,
    renames: &[(String, String)],
    name: &str,
) -> Result<(String, &'static str), ApiError> {
    if let Some((id, _, _)) = realm
        .iter()
        .find(|(_, n, deactivated)| n == name && !deactivated)
    {
        return Ok((id.to_string(), REALM_EMOJI));
    }
    if name == "zulip" {
        return Ok((name.to_owned(), ZULIP_EXTRA_EMOJI));
    }
    if let Some(code) = emoji_table::code_for_name(name, renames) {
        return Ok((code.to_owned(), UNICODE_EMOJI));
    }
    Err(ApiError::bad_request(format!(
        "Emoji '{name}' does not exist"
    )))
}

/// Checks that `code` is a valid emoji of type `kind` for new use under `name`.
pub(crate) fn check_emoji_request(
    realm: &RealmEmoji,
    renames: &[(String, String)],
    name: &str,
    code: &str,
    kind: &str,
) -> Result<(), ApiError> {
    match kind {
        REALM_EMOJI => {
            // Looked up by id among ALL custom emoji, deactivated included.
            let Some((_, emoji_name, deactivated)) =
                realm.iter().find(|(id, _, _)| id.to_string() == code)
            else {
                return Err(ApiError::bad_request("Invalid custom emoji."));
            };
            if emoji_name != name {
                return Err(ApiError::bad_request("Invalid custom emoji name."));
            }
            if *deactivated {
                return Err(ApiError::bad_request(
                    "This custom emoji has been deactivated.",
                ));
            }
            Ok(())
        }
        ZULIP_EXTRA_EMOJI => {
            if code != "zulip" {
                return Err(ApiError::bad_request("Invalid emoji code."));
            }
            if name != code {
                return Err(ApiError::bad_request("Invalid emoji name."));
            }
            Ok(())
        }
        UNICODE_EMOJI => {
            if !emoji_table::is_known_code(code) {
                return Err(ApiError::bad_request("Invalid emoji code."));
            }
            if emoji_table::code_for_name(name, renames) != Some(code) {
                return Err(ApiError::bad_request("Invalid emoji name."));
            }
            Ok(())
        }
        _ => Err(ApiError::bad_request("Invalid emoji type.")),
    }
}
