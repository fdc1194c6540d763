//! The non-secret fields of a Matrix account.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct MatrixSettings {
    /// The homeserver's client-server API base URL, e.g. "https://matrix.example.org"
    /// (given, or found from the user id's domain through `/.well-known/matrix/client`).
    pub homeserver: String,
    /// The full user id, "@alice:example.org"; learned from the server for an access token.
    #[serde(default)]
    pub user_id: String,
    /// The token came from a password login (its device is signed out on removal), not an
    /// access token the user gave.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in: bool,
}

impl MatrixSettings {
    pub fn validate(&self, account_id: &str) -> Result<()> {
        crate::http::server_url(&self.homeserver)
            .map_err(|e| Error::invalid(format!("account {account_id:?}: {e}")))?;
        if !self.user_id.is_empty() && super::user_domain(&self.user_id).is_none() {
            return Err(Error::invalid(format!(
                "account {account_id:?}: {:?} is not a Matrix user id; write it like @alice:example.org",
                crate::http::untrusted(&self.user_id)
            )));
        }
        Ok(())
    }
}
