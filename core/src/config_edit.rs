//! Saving the config by editing the TOML document the user has, not by writing a new one:
//! values that did not change keep their place, formatting and comments; presets and
//! accounts are matched by `id`, so a comment above a `[[presets]]` table stays with it when
//! the list is reordered, and only what changed is rewritten.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

/// Makes `old` say what `new` says, keeping `old`'s comments and layout wherever the two
/// agree.
pub(crate) fn merge(old: &mut DocumentMut, new: &DocumentMut) {
    merge_table(old.as_table_mut(), new.as_table());
}

fn merge_table(old: &mut Table, new: &Table) {
    let gone: Vec<String> = old
        .iter()
        .map(|(key, _)| key.to_owned())
        .filter(|key| !new.contains_key(key))
        .collect();
    for key in gone {
        old.remove(&key);
    }
    for (key, new_item) in new.iter() {
        match (old.get_mut(key), new_item) {
            (Some(Item::Table(old_table)), Item::Table(new_table)) => {
                merge_table(old_table, new_table);
            }
            (Some(Item::ArrayOfTables(old_array)), Item::ArrayOfTables(new_array)) => {
                merge_array(old_array, new_array);
            }
            (Some(Item::Value(old_value)), Item::Value(new_value)) => {
                if bare(old_value) != bare(new_value) {
                    let decor = old_value.decor().clone();
                    *old_value = new_value.clone();
                    *old_value.decor_mut() = decor;
                }
            }
            (Some(old_item), _) => *old_item = new_item.clone(),
            (None, _) => {
                old.insert(key, new_item.clone());
            }
        }
    }
}

/// Tables with an `id` are matched by it; the new order wins.
fn merge_array(old: &mut ArrayOfTables, new: &ArrayOfTables) {
    let id = |table: &Table| table.get("id").and_then(Item::as_str).map(str::to_owned);
    let mut merged = ArrayOfTables::new();
    for (index, new_table) in new.iter().enumerate() {
        let matching = match id(new_table) {
            Some(wanted) => old
                .iter()
                .find(|t| id(t).as_deref() == Some(wanted.as_str())),
            None => old.get(index),
        };
        let mut table = match matching {
            Some(old_table) => {
                let mut kept = old_table.clone();
                merge_table(&mut kept, new_table);
                kept
            }
            None => new_table.clone(),
        };
        // Written where the array is, in its new order (a parsed table remembers its old
        // place in the file, which would undo a reordering).
        forget_positions(&mut table);
        merged.push(table);
    }
    *old = merged;
}

fn forget_positions(table: &mut Table) {
    table.set_position(None);
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(nested) => forget_positions(nested),
            Item::ArrayOfTables(array) => array.iter_mut().for_each(forget_positions),
            _ => {}
        }
    }
}

/// A value as TOML writes it, without the spaces and comments around it.
fn bare(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(old: &str, new: &str) -> String {
        let mut doc: DocumentMut = old.parse().expect("old parses");
        merge(&mut doc, &new.parse().expect("new parses"));
        doc.to_string()
    }

    #[test]
    fn comments_and_unchanged_values_stay_where_the_user_put_them() {
        let old = "\
# my presets
[settings]
timeout_seconds = 10 # seconds

# the one I use most
[[presets]]
id = \"lunch\"
name = \"Lunch\"   # aligned by hand

[[presets]]
id = \"focus\"
name = \"Focus\"
";
        let new = "\
[settings]
timeout_seconds = 10

[[presets]]
id = \"focus\"
name = \"Deep work\"

[[presets]]
id = \"lunch\"
name = \"Lunch\"

[[presets]]
id = \"brb\"
name = \"Be right back\"
";
        let out = merged(old, new);
        assert!(out.starts_with("# my presets\n"), "{out}");
        assert!(out.contains("timeout_seconds = 10 # seconds"), "{out}");
        assert!(
            out.contains("name = \"Lunch\"   # aligned by hand"),
            "{out}"
        );
        assert!(out.contains("name = \"Deep work\""), "{out}");
        let focus = out.find("id = \"focus\"").expect("focus");
        let lunch = out.find("id = \"lunch\"").expect("lunch");
        let brb = out.find("id = \"brb\"").expect("brb");
        assert!(focus < lunch && lunch < brb, "the new order: {out}");
        let comment = out.find("# the one I use most").expect("the comment stays");
        assert!(
            comment > focus && comment < lunch,
            "it moves with its preset: {out}"
        );
        let out = merged(&out, "[settings]\ntimeout_seconds = 5\n");
        assert!(!out.contains("[[presets]]"), "removed: {out}");
        assert!(out.contains("timeout_seconds = 5 # seconds"), "{out}");
    }
}
