//! The non-secret fields of a Zulip account, and reading a zuliprc file.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct ZulipSettings {
    /// The organization's URL, e.g. "https://chat.example.org".
    pub site: String,
    pub email: String,
    /// The user's id on the server, learned when the account is checked, so reading the
    /// own status back needs no `GET /users/me` first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
}

impl ZulipSettings {
    pub fn validate(&self, account_id: &str) -> Result<()> {
        crate::http::server_url(&self.site)
            .map_err(|e| Error::invalid(format!("account {account_id:?}: {e}")))?;
        if !self.email.contains('@') {
            return Err(Error::invalid(format!(
                "account {account_id:?}: {:?} is not an e-mail address",
                self.email
            )));
        }
        Ok(())
    }
}

/// What a zuliprc file gives: the `[api]` section's site, email and key.
pub struct Zuliprc {
    pub site: Option<String>,
    pub email: String,
    pub key: SecretString,
}

pub fn read_zuliprc(path: &Path) -> Result<Zuliprc> {
    let shown = path.display();
    let text = crate::paths::read_small_text(path, 64 * 1024)
        .map_err(|e| Error::invalid(format!("cannot read zuliprc {shown}: {e}")))?;
    let ini = ini::Ini::load_from_str(&text)
        .map_err(|e| Error::invalid(format!("zuliprc {shown} is not an INI file: {e}")))?;
    let api = ini
        .section(Some("api"))
        .ok_or_else(|| Error::invalid(format!("zuliprc {shown} has no [api] section")))?;
    let field = |name: &str| api.get(name).map(str::trim).filter(|v| !v.is_empty());
    let missing = |name: &str| Error::invalid(format!("zuliprc {shown} has no {name}= in [api]"));
    Ok(Zuliprc {
        site: field("site").map(str::to_owned),
        email: field("email").ok_or_else(|| missing("email"))?.to_owned(),
        key: SecretString::from(field("key").ok_or_else(|| missing("key"))?.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn reads_the_api_section() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("zuliprc");
        std::fs::write(
            &path,
            "[api]\nemail=alice@example.org\nkey=abcdefghijklmnopqrstuvwxyz012345\nsite=https://chat.example.org\n",
        )
        .expect("write");
        let rc = read_zuliprc(&path).expect("parse");
        assert_eq!(rc.email, "alice@example.org");
        assert_eq!(rc.site.as_deref(), Some("https://chat.example.org"));
        assert_eq!(rc.key.expose_secret(), "abcdefghijklmnopqrstuvwxyz012345");

        std::fs::write(&path, "[api]\nemail=alice@example.org\n").expect("write");
        let err = read_zuliprc(&path).err().expect("no key");
        assert!(err.to_string().contains("no key="));
    }
}
