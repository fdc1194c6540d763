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
        if emojis::get(spec).is_some() {
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

    /// Code points as dash-separated lowercase hex without variation selectors ("2615" for ☕).
    pub fn code_points_hex(&self) -> Option<String> {
        let glyph = self.glyph()?;
        let parts: Vec<String> = glyph
            .chars()
            .filter(|c| *c != '\u{fe0f}')
            .map(|c| format!("{:x}", c as u32))
            .collect();
        Some(parts.join("-"))
    }
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
        assert!(Emoji::parse(":bad name:").is_err());
    }

    #[test]
    fn code_points_drop_variation_selectors() {
        assert_eq!(
            Emoji::Unicode("☕".into()).code_points_hex().as_deref(),
            Some("2615")
        );
        assert_eq!(
            Emoji::Unicode("🍔".into()).code_points_hex().as_deref(),
            Some("1f354")
        );
        assert_eq!(
            Emoji::Named("car".into()).code_points_hex().as_deref(),
            Some("1f697")
        );
        assert_eq!(Emoji::Named("our_logo".into()).code_points_hex(), None);
    }
}
