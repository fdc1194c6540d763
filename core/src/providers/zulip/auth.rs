//! How a Zulip account gets its credentials: the user's own API key with the site and
//! e-mail, typed in or read from a zuliprc file (Settings → Account & privacy → Manage your
//! API key → Download zuliprc). The key is checked with the server before it is stored.
//! Source: <https://zulip.com/api/api-keys>, <https://zulip.com/api/configuring-python-bindings>.

use secrecy::SecretString;
use std::path::PathBuf;

use super::{read_zuliprc, ZulipSettings, API_KEY};
use crate::error::{AccountLabel, Error, Result};
use crate::providers::{AccountSettings, Connect, ObtainCredentials, Obtained, SignInPrompt};

/// What a face collected to add a Zulip account.
pub enum NewCredentials {
    /// Site, e-mail and API key as typed.
    ApiKey {
        site: String,
        email: String,
        api_key: SecretString,
    },
    /// A zuliprc file; `site` and `email` given here win over the file's.
    Zuliprc {
        path: PathBuf,
        site: Option<String>,
        email: Option<String>,
    },
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        _account: &AccountLabel,
        _with: &Connect,
        _prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let (site, email, key) = match self {
            NewCredentials::ApiKey {
                site,
                email,
                api_key,
            } => (Some(site), email, api_key),
            NewCredentials::Zuliprc { path, site, email } => {
                let rc = read_zuliprc(&path)?;
                (site.or(rc.site), email.unwrap_or(rc.email), rc.key)
            }
        };
        let site = site
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Error::InvalidField {
                field: "site",
                message: "give the site URL (--site URL; the zuliprc has no site=)".into(),
            })?;
        Ok(Obtained {
            settings: AccountSettings::Zulip(ZulipSettings {
                site: site.trim().to_owned(),
                email: email.trim().to_owned(),
                user_id: None,
            }),
            secrets: vec![(API_KEY, key)],
        })
    }
}
