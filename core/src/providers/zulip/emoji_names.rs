//! Zulip's own names for common status emoji.
//!
//! Zulip names Unicode emoji its own way (📅 is `calendar` there but `date` on GitHub),
//! and the server rejects a name that does not match the code sent with it. These are
//! the names Zulip's emoji set uses; anything else falls back to the standard shortcode,
//! and a mismatch comes back as the server's own "Invalid emoji name." error.

/// (code points as Zulip writes them, Zulip's canonical name)
const ZULIP_NAMES: &[(&str, &str)] = &[
    ("1f354", "hamburger"),
    ("1f3a7", "headphones"),
    ("1f4c5", "calendar"),
    ("1f4c6", "date"),
    ("2615", "coffee"),
    ("1f334", "palm_tree"),
    ("1f3e0", "house"),
    ("1f697", "car"),
    ("1f600", "grinning"),
    ("263a", "smile"),
    ("1f642", "slight_smile"),
    ("1f44d", "+1"),
    ("1f389", "tada"),
    ("1f634", "sleeping"),
    ("1f914", "thinking"),
    ("1f4bb", "computer"),
    ("1f912", "sick"),
];

/// The name Zulip uses for a Unicode emoji given as dash-separated code points.
pub(crate) fn zulip_name(code: &str, fallback_shortcode: Option<&str>) -> Option<String> {
    ZULIP_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| (*name).to_owned())
        .or_else(|| fallback_shortcode.map(str::to_owned))
}
