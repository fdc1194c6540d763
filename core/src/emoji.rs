//! An emoji as the user wrote it: a Unicode glyph ("🍔") or a name (":palm_tree:", ":our_logo:").
//! Which names a service knows is the provider's business.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emoji {
    /// One Unicode emoji, e.g. "🍔".
    Unicode(String),
    /// A name without colons: a standard shortcode or a server's custom emoji.
    Named(String),
}

impl Emoji {
    pub fn parse(spec: &str) -> Result<Emoji> {
        let spec = spec.trim();
        if let Some(name) = spec.strip_prefix(':').and_then(|s| s.strip_suffix(':')) {
            return Self::named(name, spec);
        }
        // Keyboards and pickers add or leave out the invisible U+FE0F (☕️ is U+2615 U+FE0F):
        // both spellings are the same emoji.
        let bare: String = spec.chars().filter(|c| *c != '\u{fe0f}').collect();
        if emojis::get(spec).is_some() || emojis::get(&bare).is_some() {
            return Ok(Emoji::Unicode(spec.to_owned()));
        }
        if spec.is_ascii() && !spec.is_empty() {
            return Self::named(spec, spec);
        }
        Err(Error::invalid(format!(
            "unknown emoji {spec:?}: use one emoji such as 🍔 or a name such as :palm_tree:"
        )))
    }

    fn named(name: &str, spec: &str) -> Result<Emoji> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'));
        if valid {
            Ok(Emoji::Named(name.to_ascii_lowercase()))
        } else {
            Err(Error::invalid(format!(
                "unknown emoji {spec:?}: names use letters, digits, _, - and +, like :palm_tree:"
            )))
        }
    }

    /// The Unicode glyph, when there is one (a known shortcode has one, a custom emoji does not).
    pub fn glyph(&self) -> Option<&str> {
        match self {
            Emoji::Unicode(glyph) => Some(glyph),
            Emoji::Named(name) => emojis::get_by_shortcode(name).map(|e| e.as_str()),
        }
    }
}

/// The shortcode (GitHub's gemoji names, which Slack and Mattermost use for the standard
/// emoji) a service stores for a Unicode `glyph`, without its skin tone: the name, and a
/// note when a skin tone was dropped. `service` names the service in the messages.
///
/// # Errors
/// [`crate::error::ProviderError::InvalidStatus`] when the glyph is not a known emoji or
/// has no shortcode.
pub(crate) fn shortcode_for(
    glyph: &str,
    service: &str,
) -> std::result::Result<(&'static str, Option<String>), crate::error::ProviderError> {
    use crate::error::ProviderError;
    let bare: String = glyph.chars().filter(|c| *c != '\u{fe0f}').collect();
    let found = emojis::get(glyph)
        .or_else(|| emojis::get(&bare))
        .ok_or_else(|| {
            ProviderError::InvalidStatus(format!("{glyph} is not an emoji Presently knows"))
        })?;
    let base = found
        .with_skin_tone(emojis::SkinTone::Default)
        .unwrap_or(found);
    let note =
        (base != found).then(|| format!("{service} is sent the emoji without its skin tone"));
    let name = base.shortcode().ok_or_else(|| {
        ProviderError::InvalidStatus(format!(
            "{glyph} has no name {service} knows; pick another emoji"
        ))
    })?;
    Ok((name, note))
}

/// How a stored shortcode shows: the glyph of a standard name, else ":name:".
pub(crate) fn shown_for_shortcode(name: &str) -> String {
    emojis::get_by_shortcode(name)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|| format!(":{name}:"))
}

impl std::fmt::Display for Emoji {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Emoji::Unicode(glyph) => f.write_str(glyph),
            Emoji::Named(name) => write!(f, ":{name}:"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_names_and_garbage() {
        assert_eq!(Emoji::parse("🍔").ok(), Some(Emoji::Unicode("🍔".into())));
        assert_eq!(
            Emoji::parse(":Palm_Tree:").ok(),
            Some(Emoji::Named("palm_tree".into()))
        );
        assert_eq!(
            Emoji::parse("our_logo").ok(),
            Some(Emoji::Named("our_logo".into()))
        );
        assert!(Emoji::parse("ü").is_err());
        for typed in ["☕\u{fe0f}", "☕", "#️⃣", "#\u{20e3}", "👍🏽", "❤️", "❤"] {
            assert!(Emoji::parse(typed).is_ok(), "{typed:?}");
        }
        assert!(Emoji::parse(":bad name:").is_err());
    }
}

/// One emoji the picker offers: the glyph and its name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EmojiChoice {
    pub glyph: String,
    /// The Unicode name, e.g. "hamburger".
    pub name: String,
    /// The common shortcode without colons, e.g. "hamburger", when it has one.
    pub shortcode: Option<String>,
}

/// Emoji whose name or shortcode contains every word of `query` (case-insensitive), in
/// Unicode's order, at most `limit`. An empty query gives the first `limit`.
pub fn search(query: &str, limit: usize) -> Vec<EmojiChoice> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.trim_matches(':').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    emojis::iter()
        .filter(|e| {
            let shortcodes: Vec<&str> = e.shortcodes().collect();
            words.iter().all(|w| {
                e.name().to_lowercase().contains(w.as_str())
                    || shortcodes.iter().any(|s| s.contains(w.as_str()))
            })
        })
        .take(limit)
        .map(|e| EmojiChoice {
            glyph: e.as_str().to_owned(),
            name: e.name().to_owned(),
            shortcode: e.shortcode().map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn finds_by_name_and_shortcode() {
        let burger = search("hamburger", 5);
        assert_eq!(burger.first().map(|e| e.glyph.as_str()), Some("🍔"));
        let palm = search(":palm_tree:", 5);
        assert!(palm.iter().any(|e| e.glyph == "🌴"), "{palm:?}");
        assert!(search("headphone", 5).iter().any(|e| e.glyph == "🎧"));
        assert_eq!(search("", 3).len(), 3);
        assert!(search("no such emoji at all", 5).is_empty());
    }
}
