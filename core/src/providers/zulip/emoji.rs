//! Zulip's names for emoji, and how an emoji becomes the fields of a status change.
//!
//! Zulip names Unicode emoji its own way (🎄 is `holiday_tree`, 🤧 `sneezing`, 📅
//! `calendar`), writes each code point of `emoji_code` with at least four hex digits
//! (`0023-20e3` for #️⃣) and without U+FE0F, and has no skin-tone variants
//! (<https://zulip.com/api/update-status>). The names come from the server itself where it
//! publishes them (`server_emoji_data_url`, <https://zulip.com/api/register-queue>, feature
//! level 140); otherwise from `emoji_names.tsv`, generated from Zulip's own data by
//! `scripts/zulip-emoji-names.py`. Custom emoji are the organization's (`GET /realm/emoji`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};

use crate::emoji::Emoji;
use crate::error::ProviderError;

const BUILT_IN: &str = include_str!("emoji_names.tsv");

/// Skin-tone modifiers (U+1F3FB–U+1F3FF): Zulip has no variants with them.
fn is_skin_tone(c: char) -> bool {
    ('\u{1f3fb}'..='\u{1f3ff}').contains(&c)
}

/// Zulip's Unicode emoji names, one row per emoji as `emoji_names.tsv` has them: code, tab,
/// canonical name, tab, aliases separated by commas. Kept as that text and searched when
/// asked: a change asks for one or two emoji, so reading a server's table (1,800 rows) costs
/// no more than reading the text, where building maps of it took milliseconds per change.
#[derive(Debug)]
pub(crate) struct EmojiNames {
    rows: std::borrow::Cow<'static, str>,
    len: usize,
}

static BUILT_IN_NAMES: LazyLock<Arc<EmojiNames>> =
    LazyLock::new(|| Arc::new(EmojiNames::from_text(BUILT_IN.into())));

/// Tables read from kept server data, by the data's SHA-256: accounts on servers that
/// publish the same data (one Zulip version) share one table in a process.
static FROM_KEPT: LazyLock<Mutex<HashMap<String, Weak<EmojiNames>>>> =
    LazyLock::new(Mutex::default);

impl EmojiNames {
    /// The table generated from Zulip's data, for servers that do not publish theirs.
    pub(crate) fn built_in() -> Arc<EmojiNames> {
        BUILT_IN_NAMES.clone()
    }

    /// The server's `code_to_names` (canonical name first). A code or name holding a tab,
    /// comma or line break (no Zulip name does) is left out: it could not be sent anyway.
    pub(crate) fn from_server(code_to_names: &BTreeMap<String, Vec<String>>) -> EmojiNames {
        let plain = |text: &str| !text.is_empty() && !text.contains(['\t', ',', '\n', '\r']);
        let mut rows = String::new();
        for (code, names) in code_to_names {
            let mut names = names.iter().filter(|n| plain(n));
            let (true, Some(canonical)) = (plain(code), names.next()) else {
                continue;
            };
            let aliases: Vec<&str> = names.map(String::as_str).collect();
            rows.push_str(&format!("{code}\t{canonical}\t{}\n", aliases.join(",")));
        }
        EmojiNames::from_text(rows.into())
    }

    fn from_text(rows: std::borrow::Cow<'static, str>) -> EmojiNames {
        let mut table = EmojiNames { rows, len: 0 };
        table.len = table.rows().count();
        table
    }

    /// A table [`Self::to_kept`] wrote, `digest` naming its bytes; read once per process
    /// for each digest while an account uses it. `None` when `read` finds no bytes or they
    /// hold no rows.
    pub(crate) fn from_kept(
        digest: &str,
        read: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Option<Arc<EmojiNames>> {
        let mut tables = FROM_KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(table) = tables.get(digest).and_then(Weak::upgrade) {
            return Some(table);
        }
        let rows = String::from_utf8(read()?).ok()?;
        let table = Arc::new(EmojiNames::from_text(rows.into()));
        if table.len() == 0 {
            return None;
        }
        tables.retain(|_, table| table.strong_count() > 0);
        tables.insert(digest.to_owned(), Arc::downgrade(&table));
        Some(table)
    }

    /// The bytes [`Self::from_kept`] reads: the rows.
    pub(crate) fn to_kept(&self) -> Vec<u8> {
        self.rows.as_bytes().to_vec()
    }

    /// Each emoji's code, canonical name and aliases (comma-separated), in table order.
    fn rows(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.rows
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let code = fields.next()?;
                let canonical = fields.next().filter(|n| !n.is_empty())?;
                Some((code, canonical, fields.next().unwrap_or_default()))
            })
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn name_for(&self, code: &str) -> Option<&str> {
        self.rows()
            .find(|(c, _, _)| *c == code)
            .map(|(_, canonical, _)| canonical)
    }

    /// The code of the first emoji called `name`, canonically or as an alias.
    fn code_for(&self, name: &str) -> Option<&str> {
        self.rows()
            .find(|(_, canonical, aliases)| {
                *canonical == name || aliases.split(',').any(|alias| alias == name)
            })
            .map(|(code, _, _)| code)
    }
}

/// A glyph's `emoji_code` as Zulip writes it, and whether a skin tone was dropped.
pub(crate) fn zulip_code(glyph: &str) -> (String, bool) {
    let mut toned = false;
    let parts: Vec<String> = glyph
        .chars()
        .filter(|c| !matches!(c, '\u{fe0f}' | '\u{fe0e}'))
        .filter(|c| {
            let tone = is_skin_tone(*c);
            toned |= tone;
            !tone
        })
        .map(|c| format!("{:04x}", c as u32))
        .collect();
    (parts.join("-"), toned)
}

fn glyph_of(code: &str) -> Option<String> {
    code.split('-')
        .map(|hex| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32))
        .collect()
}

/// What one status change sends for its emoji, what Zulip will show, and a note where that
/// differs from what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub fields: Vec<(&'static str, String)>,
    pub shown: Option<String>,
    pub note: Option<String>,
}

/// Resolves `emoji` against the server's names; `custom` lists the organization's active
/// custom emoji and is asked only for a name that is not a Unicode emoji's.
pub(crate) async fn resolve<F, Fut>(
    emoji: Option<&Emoji>,
    names: &EmojiNames,
    custom: F,
) -> Result<Resolved, ProviderError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>, ProviderError>>,
{
    let unicode = |name: &str, code: &str| {
        vec![
            ("emoji_name", name.to_owned()),
            ("emoji_code", code.to_owned()),
            ("reaction_type", "unicode_emoji".to_owned()),
        ]
    };
    match emoji {
        // An empty name clears the emoji (<https://zulip.com/api/update-status>).
        None => Ok(Resolved {
            fields: vec![("emoji_name", String::new())],
            shown: None,
            note: None,
        }),
        Some(Emoji::Unicode(glyph)) => {
            let (code, toned) = zulip_code(glyph);
            let Some(name) = names.name_for(&code) else {
                return Err(ProviderError::InvalidStatus(format!(
                    "Zulip has no emoji {glyph} (code {code}); pick another, or one of your \
                     organization's custom emoji by :name:"
                )));
            };
            let shown = glyph_of(&code).unwrap_or_else(|| format!(":{name}:"));
            let note =
                toned.then(|| format!("Zulip has no skin tones: {glyph} is shown as {shown}"));
            Ok(Resolved {
                fields: unicode(name, &code),
                shown: Some(shown),
                note,
            })
        }
        Some(Emoji::Named(name)) => {
            if let Some(code) = names.code_for(name) {
                return Ok(Resolved {
                    fields: unicode(name, code),
                    shown: Some(glyph_of(code).unwrap_or_else(|| format!(":{name}:"))),
                    note: None,
                });
            }
            // Zulip's own logo is an emoji of its own type; the server fills in the rest.
            if name == "zulip" || custom().await?.iter().any(|n| n == name) {
                return Ok(Resolved {
                    fields: vec![("emoji_name", name.clone())],
                    shown: Some(format!(":{name}:")),
                    note: None,
                });
            }
            Err(ProviderError::InvalidStatus(format!(
                "Zulip has no emoji called :{name}: (neither one of its own names nor one of \
                 this organization's custom emoji)"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(emoji: &str) -> Result<Resolved, ProviderError> {
        let emoji = Emoji::parse(emoji).expect("parses");
        let names = EmojiNames::built_in();
        futures::executor::block_on(resolve(Some(&emoji), &names, || async {
            Ok(vec!["our_logo".to_owned()])
        }))
    }

    fn fields(emoji: &str) -> Vec<(&'static str, String)> {
        resolved(emoji).expect("known").fields
    }

    #[test]
    fn zulips_own_names_not_githubs() {
        assert_eq!(fields("🎄")[0].1, "holiday_tree");
        assert_eq!(fields("🤧")[0].1, "sneezing");
        assert_eq!(fields("📅")[0].1, "calendar");
        assert_eq!(fields(":calendar:")[1].1, "1f4c5");
        assert_eq!(fields(":thumbs_up:")[1].1, "1f44d", "an alias");
    }

    #[test]
    fn keycaps_have_four_digit_code_points() {
        for (glyph, code) in [
            ("#️⃣", "0023-20e3"),
            ("*️⃣", "002a-20e3"),
            ("0️⃣", "0030-20e3"),
        ] {
            assert_eq!(fields(glyph)[1].1, code, "{glyph}");
        }
    }

    #[test]
    fn variation_selectors_are_dropped_and_skin_tones_said() {
        assert_eq!(fields("☕\u{fe0f}"), fields("☕"));
        let toned = resolved("👍🏽").expect("base emoji");
        assert_eq!(toned.fields, fields("👍"));
        assert_eq!(toned.shown.as_deref(), Some("👍"));
        assert!(toned.note.is_some_and(|n| n.contains("no skin tones")));
    }

    /// Every emoji Unicode has (`emojis` knows Unicode 17), each skin tone too: what the
    /// preview shows is what the request sends, and the request is one Zulip's own table
    /// accepts (the name is Zulip's for exactly that code, the code in Zulip's format);
    /// otherwise it is refused before sending, naming the emoji.
    #[test]
    fn every_unicode_emoji_is_sent_as_zulip_accepts_it_or_refused() {
        let names = EmojiNames::built_in();
        let (mut sent, mut refused) = (0, 0);
        let every = emojis::iter()
            .flat_map(|e| std::iter::once(e).chain(e.skin_tones().into_iter().flatten()));
        for e in every {
            let glyph = e.as_str();
            let emoji = Emoji::parse(glyph).unwrap_or_else(|err| panic!("{glyph:?}: {err}"));
            let custom = || async { Ok(Vec::new()) };
            match futures::executor::block_on(resolve(Some(&emoji), &names, custom)) {
                Ok(resolved) => {
                    sent += 1;
                    let [(_, name), (_, code), (_, kind)] = resolved.fields.as_slice() else {
                        panic!("{glyph}: {:?}", resolved.fields);
                    };
                    assert_eq!(kind, "unicode_emoji");
                    assert_eq!(names.code_for(name), Some(code.as_str()), "{glyph}");
                    assert_eq!(names.name_for(code), Some(name.as_str()), "{glyph}");
                    assert!(
                        code.split('-').all(|cp| cp.len() >= 4 && cp != "fe0f"),
                        "{code}"
                    );
                    // The preview's glyph is what the code encodes; sending it again is the
                    // same request.
                    let shown = resolved.shown.expect("a glyph");
                    assert_eq!(zulip_code(&shown).0, *code, "{glyph}");
                    let again = Emoji::parse(&shown).expect("parses");
                    let custom = || async { Ok(Vec::new()) };
                    let twice = futures::executor::block_on(resolve(Some(&again), &names, custom));
                    assert_eq!(twice.map(|r| r.fields).ok(), Some(resolved.fields.clone()));
                    assert_eq!(resolved.note.is_some(), zulip_code(glyph).1, "{glyph}");
                }
                Err(e) => {
                    refused += 1;
                    assert!(e.to_string().contains(glyph), "{e}");
                }
            }
        }
        assert!(sent > 1800 && refused > 0, "sent {sent}, refused {refused}");
        eprintln!("{sent} emoji sent as Zulip names them, {refused} refused before sending");
    }

    #[test]
    fn names_are_zulips_or_the_organizations() {
        assert_eq!(
            fields(":our_logo:"),
            vec![("emoji_name", "our_logo".to_owned())]
        );
        assert_eq!(fields(":zulip:"), vec![("emoji_name", "zulip".to_owned())]);
        let unknown = resolved(":christmas_tree:").expect_err("GitHub's name");
        assert!(
            unknown.to_string().contains(":christmas_tree:"),
            "{unknown}"
        );
    }
}
