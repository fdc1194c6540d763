//! The non-secret fields of a Mattermost account.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct MattermostSettings {
    /// The server's URL, e.g. "https://chat.example.com" (the API is under `/api/v4`).
    pub server: String,
    /// The user name, for listings; learned from the server when a token was given.
    #[serde(default)]
    pub user: String,
    /// The user's 26-character id: `PUT /users/{user_id}/status` needs the real id in its
    /// body. Learned when the account is checked; asked again (`GET /users/me`) when missing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// The token came from signing in with a password (and is signed out on removal), not
    /// a personal access token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in: bool,
}

impl MattermostSettings {
    pub fn validate(&self, account_id: &str) -> Result<()> {
        crate::http::server_url(&self.server)
            .map_err(|e| Error::invalid(format!("account {account_id:?}: {e}")))?;
        let id_ok = self.user_id.is_empty()
            || (self.user_id.len() == 26
                && self.user_id.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !id_ok {
            return Err(Error::invalid(format!(
                "account {account_id:?}: user_id {:?} is not a Mattermost user id (26 letters and digits)",
                crate::http::untrusted(&self.user_id)
            )));
        }
        Ok(())
    }
}
