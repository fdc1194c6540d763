//! The non-secret fields of a Rocket.Chat account.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct RocketChatSettings {
    /// The workspace URL, e.g. "https://chat.example.com".
    pub server: String,
    /// The user name or e-mail signed in with (for display; the server knows the user by id).
    pub user: String,
    /// The token came from signing in (and is signed out on removal), not a personal access token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in: bool,
    /// Custom statuses Presently created on the server: preset id → the server's `_id`.
    /// Only these are ever updated or deleted by `presently sync`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub custom_statuses: BTreeMap<String, String>,
}

impl RocketChatSettings {
    pub fn validate(&self, account_id: &str) -> Result<()> {
        crate::http::server_url(&self.server)
            .map_err(|e| Error::invalid(format!("account {account_id:?}: {e}")))?;
        if self.user.trim().is_empty() {
            return Err(Error::invalid(format!(
                "account {account_id:?}: the Rocket.Chat user name is empty"
            )));
        }
        Ok(())
    }
}
