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

/// This server's `name_to_codepoint`: canonical names and aliases, after its `renames`
/// (`(code, name)`: a renamed code's old canonical name is gone).
pub(crate) fn code_for_name(name: &str, renames: &[(String, String)]) -> Option<&'static str> {
    if let Some((code, _)) = renames.iter().find(|(_, n)| n == name) {
        return TABLE.rows.iter().map(|(c, _, _)| *c).find(|c| c == code);
    }
    let code = TABLE.by_name.get(name).copied()?;
    let renamed_away = renames.iter().any(|(c, _)| c == code)
        && TABLE
            .rows
            .iter()
            .any(|(c, canonical, _)| *c == code && *canonical == name);
    (!renamed_away).then_some(code)
}

/// Zulip's `codepoint_to_name` membership test.
pub(crate) fn is_known_code(code: &str) -> bool {
    TABLE.rows.iter().any(|(c, _, _)| *c == code)
}

/// The body served at `server_emoji_data_url`: `{"code_to_names": {code: [canonical, aliases…]}}`.
pub(crate) fn code_to_names_json(renames: &[(String, String)]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = TABLE
        .rows
        .iter()
        .map(|(code, canonical, aliases)| {
            let canonical = renames
                .iter()
                .find(|(c, _)| c == code)
                .map_or(*canonical, |(_, name)| name.as_str());
            let names: Vec<&str> = std::iter::once(canonical)
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
        assert_eq!(code_for_name("holiday_tree", &[]), Some("1f384"));
        assert_eq!(code_for_name("christmas_tree", &[]), None);
        assert_eq!(code_for_name("sneezing", &[]), Some("1f927"));
        assert_eq!(code_for_name("sneezing_face", &[]), None);
        assert_eq!(code_for_name("calendar", &[]), Some("1f4c5"));
        assert_eq!(code_for_name("hash", &[]), Some("0023-20e3"));
        assert!(!is_known_code("23-20e3"));
        let older = [("1f384".to_owned(), "christmas_tree".to_owned())];
        assert_eq!(code_for_name("christmas_tree", &older), Some("1f384"));
        assert_eq!(code_for_name("holiday_tree", &older), None);
        assert!(TABLE.rows.len() > 1800);
        assert!(TABLE.rows.iter().all(|(code, _, _)| code
            .split('-')
            .all(|cp| cp.len() >= 4 && cp != "fe0f" && cp.bytes().all(|b| b.is_ascii_hexdigit()))));
    }
}
