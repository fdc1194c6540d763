//! JavaScript string semantics the server applies to a status text:
//! `statusText.trim().substr(0, 120)` (`setStatusText.ts`).

/// Maximum stored status text length in UTF-16 code units.
pub(crate) const STATUS_TEXT_MAX_UTF16: usize = 120;

/// `String.prototype.trim`'s white space: WhiteSpace + LineTerminator (not U+0085, which
/// Rust's `char::is_whitespace` includes; U+FEFF, which Rust excludes, is included).
fn js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(js_whitespace)
}

pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `s.substr(0, max)` counted in UTF-16 code units. A cut through a surrogate pair leaves a
/// lone high surrogate, which the server's UTF-8 encoding (BSON) stores as U+FFFD; the
/// result is then still `max` units long, ending in `\u{FFFD}`.
pub(crate) fn js_substr(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        let n = c.len_utf16();
        if units + n > max {
            if units < max {
                out.push('\u{FFFD}');
            }
            break;
        }
        out.push(c);
        units += n;
    }
    out
}

/// What `setStatusText` stores for `sent`.
pub(crate) fn stored_status_text(sent: &str) -> String {
    js_substr(js_trim(sent), STATUS_TEXT_MAX_UTF16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_like_javascript() {
        assert_eq!(js_trim("\u{FEFF} a \u{3000}"), "a");
        assert_eq!(js_trim("\u{85}a"), "\u{85}a");
    }

    #[test]
    fn substr_counts_utf16_units() {
        let text = format!("{}{}", "a".repeat(119), "😀");
        assert_eq!(
            js_substr(&text, 120),
            format!("{}\u{FFFD}", "a".repeat(119))
        );
        let text = format!("{}{}", "a".repeat(118), "😀b");
        assert_eq!(js_substr(&text, 120), format!("{}😀", "a".repeat(118)));
        assert_eq!(js_substr("short", 120), "short");
    }
}
