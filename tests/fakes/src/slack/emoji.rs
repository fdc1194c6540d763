//! Emoji as Slack names them: `:name:` of a standard emoji (the gemoji shortcodes, from the
//! `emojis` crate) or of one of the workspace's custom emoji (an image, or `alias:<other>`),
//! and `emoji.list`, which lists the custom ones only
//! (<https://docs.slack.dev/reference/methods/emoji.list/>,
//! <https://docs.slack.dev/apis/web-api/user-presence-and-status.md>).

use std::collections::BTreeMap;

use super::args::Args;
use super::error::SlackError;
use super::reply::{Fields, J};

/// The name inside `:name:`, or `None` when `value` is not in that form. Slack's own
/// characters for names are lower-case letters, digits, `-`, `_`, `+` and `'`.
/// UNCONFIRMED: whether `:name::skin-tone-N:` is taken; the contract documents `:name:`
/// alone, so the fake refuses it as not emoji syntax (the stricter reading).
pub(crate) fn name_in(value: &str) -> Option<&str> {
    let name = value.strip_prefix(':')?.strip_suffix(':')?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_+'".contains(c));
    valid.then_some(name)
}

/// Whether `name` is an emoji of the workspace: a standard one, or a custom one whose alias
/// chain ends at an image or a standard emoji.
pub(crate) fn exists(custom: &BTreeMap<String, String>, name: &str) -> bool {
    let mut name = name;
    // An alias chain longer than the map has entries is a loop.
    for _ in 0..=custom.len() {
        match custom.get(name) {
            None => return emojis::get_by_shortcode(name).is_some(),
            Some(target) => match target.strip_prefix("alias:") {
                Some(other) => name = other,
                None => return true,
            },
        }
    }
    false
}

/// `status_emoji` as `users.profile.set` checks it: `""` (none), or `:name:` of an emoji
/// the workspace has. Not `:name:` (a raw "🌴", `palm_tree`) is
/// `profile_status_set_failed_not_emoji_syntax`; an unknown name is
/// `profile_status_set_failed_not_valid_emoji`. Both codes are observed, not documented, and
/// their exact triggers are UNCONFIRMED; the documented `invalid_emoji_not_allowed` is not
/// used by the fake.
pub(crate) fn check_status_emoji(
    custom: &BTreeMap<String, String>,
    value: &str,
) -> Result<(), SlackError> {
    if value.is_empty() {
        return Ok(());
    }
    let name = name_in(value)
        .ok_or_else(|| SlackError::new("profile_status_set_failed_not_emoji_syntax"))?;
    if exists(custom, name) {
        Ok(())
    } else {
        Err(SlackError::new("profile_status_set_failed_not_valid_emoji"))
    }
}

/// The category names of `include_categories` (UNCONFIRMED: Slack's own category names and
/// version; the fake lists the Unicode groups under snake_case names).
fn categories() -> J {
    let groups = emojis::Group::iter()
        .map(|group| {
            let name = match group {
                emojis::Group::SmileysAndEmotion => "smileys_and_emotion",
                emojis::Group::PeopleAndBody => "people_and_body",
                emojis::Group::AnimalsAndNature => "animals_and_nature",
                emojis::Group::FoodAndDrink => "food_and_drink",
                emojis::Group::TravelAndPlaces => "travel_and_places",
                emojis::Group::Activities => "activities",
                emojis::Group::Objects => "objects",
                emojis::Group::Symbols => "symbols",
                emojis::Group::Flags => "flags",
            };
            let names = group
                .emojis()
                .filter_map(emojis::Emoji::shortcode)
                .map(J::from)
                .collect();
            J::obj([("name", J::from(name)), ("emoji_names", J::A(names))])
        })
        .collect();
    J::A(groups)
}

/// `emoji.list`: `{"ok":true,"emoji":{name: URL or "alias:…"},"cache_ts":"…"}`, plus
/// `categories_version` and `categories` with `include_categories`.
pub(crate) fn list(custom: &BTreeMap<String, String>, args: &Args, started: i64) -> Fields {
    let emoji = J::obj(custom.iter().map(|(k, v)| (k.clone(), J::from(v.clone()))));
    let mut fields: Fields = vec![
        ("emoji", emoji),
        ("cache_ts", J::from(format!("{started}.000000"))),
    ];
    if args.flag("include_categories") {
        fields.push(("categories_version", J::from("5")));
        fields.push(("categories", categories()));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_standard_custom_and_aliases() {
        let custom: BTreeMap<String, String> = [
            ("logo", "https://x/logo.png"),
            ("ship", "alias:logo"),
            ("yes", "alias:thumbsup"),
            ("loop_a", "alias:loop_b"),
            ("loop_b", "alias:loop_a"),
            ("gone", "alias:nothing_here"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert!(exists(&custom, "palm_tree"));
        assert!(exists(&custom, "logo"));
        assert!(exists(&custom, "ship"));
        assert!(exists(&custom, "yes"));
        assert!(!exists(&custom, "loop_a"));
        assert!(!exists(&custom, "gone"));
        assert_eq!(name_in(":palm_tree:"), Some("palm_tree"));
        assert_eq!(name_in("🌴"), None);
        assert_eq!(name_in(":wave::skin-tone-2:"), None);
        assert_eq!(name_in("::"), None);
    }
}
