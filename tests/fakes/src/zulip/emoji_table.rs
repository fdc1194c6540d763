//! The fake's Unicode emoji name table: a subset of Zulip's own names.
//!
//! These are ZULIP's names, from zulip/zulip `tools/setup/emoji/emoji_names.py`
//! (`EMOJI_NAME_MAPS`: code → canonical name + aliases), not GitHub's gemoji names that most
//! emoji crates use. Where they differ, a client that sends the gemoji name gets
//! `Emoji 'NAME' does not exist` (or the wrong emoji) from a real server:
//!
//! | code    | Zulip                      | gemoji                               |
//! |---------|----------------------------|--------------------------------------|
//! | `263a`  | `smile` (alias `relaxed`)  | `relaxed`                            |
//! | `1f604` | `big_smile`                | `smile`                              |
//! | `1f4c5` | `calendar`                 | `date`                               |
//! | `1f4c6` | `date`                     | `calendar`                           |
//! | `2705`  | `check`                    | `white_check_mark`                   |
//! | `2714`  | `check_mark`               | `heavy_check_mark`                   |
//! | `1f642` | `slight_smile`             | `slightly_smiling_face`              |
//! | `1f590` | `high_five` (alias `palm`) | `raised_hand_with_fingers_splayed`   |
//! | `1f912` | `sick`                     | `face_with_thermometer` (Zulip alias)|
//! | `1f5d3` | none (excluded by Zulip)   | `spiral_calendar`                    |
//!
//! Only names checked against that file are listed; anything missing here is treated by the
//! fake as unknown, which is the safe direction for tests.

/// `(code, canonical name, aliases)`. Codes are Zulip's `emoji_code`: dash-separated
/// lowercase hex code points without variation selectors.
pub(crate) const UNICODE_EMOJI: &[(&str, &str, &[&str])] = &[
    ("1f600", "grinning", &["happy"]),
    ("1f603", "smiley", &[]),
    ("1f604", "big_smile", &[]),
    ("1f606", "laughing", &["lol"]),
    ("263a", "smile", &["relaxed"]),
    ("1f642", "slight_smile", &[]),
    ("1f60e", "sunglasses", &[]),
    ("1f913", "nerd", &["geek"]),
    ("1f917", "hug", &["arms_open"]),
    ("1f62c", "grimacing", &["nervous", "anxious"]),
    ("1f62a", "sleepy", &[]),
    ("1f634", "sleeping", &[]),
    ("1f914", "thinking", &[]),
    ("1f912", "sick", &["flu", "face_with_thermometer"]),
    ("1f915", "hurt", &["head_bandage", "injured"]),
    ("1f44d", "+1", &["thumbs_up"]),
    ("1f44e", "-1", &["thumbs_down"]),
    ("1f44c", "ok", &["got_it"]),
    ("1f44f", "clap", &["applause"]),
    ("1f64f", "pray", &["welcome", "thank_you", "namaste"]),
    ("1f590", "high_five", &["palm"]),
    ("1f44b", "wave", &["hello", "hi"]),
    ("1f4aa", "muscle", &[]),
    ("1f440", "eyes", &["looking"]),
    ("1f3c3", "running", &["runner"]),
    ("1f3cb", "lift", &["work_out", "weight_lift", "gym"]),
    ("1f419", "octopus", &[]),
    ("1f334", "palm_tree", &[]),
    ("1f319", "moon", &[]),
    ("2600", "sunny", &[]),
    ("1f327", "rainy", &["soaked", "drenched"]),
    ("2744", "snowflake", &[]),
    ("1f525", "fire", &["lit", "hot", "flame"]),
    ("1f354", "hamburger", &[]),
    ("1f355", "pizza", &[]),
    ("1f372", "food", &["soup", "stew"]),
    ("1f370", "cake", &[]),
    ("1f382", "birthday", &[]),
    ("2615", "coffee", &[]),
    ("1f375", "tea", &[]),
    ("1f37a", "beer", &[]),
    ("1f3a7", "headphones", &[]),
    ("1f697", "car", &[]),
    ("1f695", "taxi", &["rideshare"]),
    ("1f68c", "bus", &["school_bus"]),
    ("1f682", "train", &["steam_locomotive"]),
    ("1f6b2", "bike", &["bicycle"]),
    ("2708", "airplane", &[]),
    ("1f680", "rocket", &[]),
    ("26f1", "beach_umbrella", &[]),
    ("1f3d6", "beach", &[]),
    ("1f3dd", "island", &[]),
    ("1f3e0", "house", &[]),
    ("1f3e2", "office", &[]),
    ("1f3e5", "hospital", &[]),
    ("1f3eb", "school", &[]),
    ("1f393", "graduate", &["mortar_board"]),
    ("1f4bb", "computer", &["laptop"]),
    (
        "1f4f1",
        "mobile_phone",
        &["smartphone", "iphone", "android"],
    ),
    ("260e", "phone", &["telephone"]),
    ("1f4bc", "briefcase", &[]),
    ("1f4c5", "calendar", &[]),
    ("1f4c6", "date", &[]),
    ("1f557", "time", &["clock"]),
    ("23f0", "alarm_clock", &[]),
    ("23f3", "time_ticking", &["hourglass"]),
    ("1f4da", "books", &[]),
    ("1f4dd", "memo", &["note"]),
    ("270f", "pencil", &[]),
    ("1f6e0", "working_on_it", &["hammer_and_wrench", "tools"]),
    ("1f381", "gift", &["present"]),
    ("1f389", "tada", &["congratulations"]),
    ("2764", "heart", &["love", "love_you"]),
    ("1f4ac", "umm", &["speech_balloon"]),
    ("1f507", "mute", &["no_sound"]),
    ("26a0", "warning", &["caution", "danger"]),
    ("26d4", "no_entry", &["wrong_way"]),
    ("1f6d1", "stop_sign", &["octagonal_sign"]),
    ("274c", "cross_mark", &["incorrect", "wrong"]),
    ("2705", "check", &["all_good", "approved"]),
    ("2714", "check_mark", &[]),
    ("1f534", "red_circle", &[]),
    ("1f4a4", "zzz", &[]),
];

/// Zulip's `name_to_codepoint`: canonical names and aliases.
pub(crate) fn code_for_name(name: &str) -> Option<&'static str> {
    UNICODE_EMOJI
        .iter()
        .find(|(_, canonical, aliases)| *canonical == name || aliases.contains(&name))
        .map(|(code, _, _)| *code)
}

/// Zulip's `codepoint_to_name` membership test.
pub(crate) fn is_known_code(code: &str) -> bool {
    UNICODE_EMOJI.iter().any(|(c, _, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_are_unique_and_well_formed() {
        let mut names: Vec<&str> = UNICODE_EMOJI
            .iter()
            .flat_map(|(_, c, a)| std::iter::once(*c).chain(a.iter().copied()))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "a name maps to two codes");
        for (code, _, _) in UNICODE_EMOJI {
            assert!(
                code.split('-').all(|cp| !cp.is_empty()
                    && cp
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))),
                "{code}"
            );
            assert_eq!(
                UNICODE_EMOJI.iter().filter(|(c, _, _)| c == code).count(),
                1,
                "{code} listed twice"
            );
        }
    }
}
