//! The fake's Unicode emoji name table: Zulip's own, all of it.
//!
//! The data is zulip/zulip `tools/setup/emoji/emoji_names.py` (`EMOJI_NAME_MAPS`: code →
//! canonical name + aliases) as checked in by `scripts/zulip-emoji-names.py`; it is
//! Zulip's data, so the fake reads the same file. These are not GitHub's gemoji names
//! that most emoji crates use: 🎄 is `holiday_tree`, 🤧 `sneezing`, 📅 `calendar`. Codes are
//! dash-separated lowercase hex with at least four digits per code point (`0023-20e3`), and
//! there are no skin-tone variants. The same table is served at `server_emoji_data_url`.

use std::collections::HashMap;
use std::sync::LazyLock;

const DATA: &str = include_str!("../../../../core/src/providers/zulip/emoji_names.tsv");

struct Table {
    /// `(code, canonical name, aliases)` in Zulip's order.
    rows: Vec<(&'static str, &'static str, Vec<&'static str>)>,
    by_name: HashMap<&'static str, &'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let rows: Vec<(&'static str, &'static str, Vec<&'static str>)> = DATA
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let code = fields.next()?;
            let canonical = fields.next()?;
            let aliases: Vec<&'static str> = fields
                .next()
                .unwrap_or_default()
                .split(',')
                .filter(|a| !a.is_empty())
                .collect();
            Some((code, canonical, aliases))
        })
        .collect();
    let mut by_name = HashMap::new();
    for (code, canonical, aliases) in &rows {
        for name in std::iter::once(canonical).chain(aliases.iter()) {
            by_name.insert(*name, *code);
        }
    }
    Table { rows, by_name }
});

/// Zulip's `name_to_codepoint`: canonical names and aliases.
pub(crate) fn code_for_name(name: &str) -> Option<&'static str> {
    TABLE.by_name.get(name).copied()
}

/// Zulip's `codepoint_to_name` membership test.
pub(crate) fn is_known_code(code: &str) -> bool {
    TABLE.rows.iter().any(|(c, _, _)| *c == code)
}

/// The body served at `server_emoji_data_url`: `{"code_to_names": {code: [canonical, aliases…]}}`.
pub(crate) fn code_to_names_json() -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = TABLE
        .rows
        .iter()
        .map(|(code, canonical, aliases)| {
            let names: Vec<&str> = std::iter::once(*canonical)
                .chain(aliases.iter().copied())
                .collect();
            ((*code).to_owned(), serde_json::json!(names))
        })
        .collect();
    serde_json::json!({ "code_to_names": map })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zulips_names_and_code_format() {
        assert_eq!(code_for_name("holiday_tree"), Some("1f384"));
        assert_eq!(code_for_name("christmas_tree"), None);
        assert_eq!(code_for_name("sneezing"), Some("1f927"));
        assert_eq!(code_for_name("sneezing_face"), None);
        assert_eq!(code_for_name("calendar"), Some("1f4c5"));
        assert_eq!(code_for_name("hash"), Some("0023-20e3"));
        assert!(!is_known_code("23-20e3"));
        assert!(TABLE.rows.len() > 1800);
        assert!(TABLE.rows.iter().all(|(code, _, _)| code
            .split('-')
            .all(|cp| cp.len() >= 4 && cp != "fe0f" && cp.bytes().all(|b| b.is_ascii_hexdigit()))));
    }
}
