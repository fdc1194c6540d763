//! The non-secret fields of a Slack account: one workspace, one user.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Slack's own address (GovSlack: `https://slack-gov.com`); the Web API is under `/api/`,
/// the consent page under `/oauth/v2/authorize`.
pub const SLACK_BASE: &str = "https://slack.com";
/// The loopback port of the app's redirect URL `http://localhost:PORT/slack/callback`,
/// registered under OAuth & Permissions → Redirect URLs. Whether Slack matches a desktop
/// redirect on any port is UNCONFIRMED, so one port is used and registered.
pub const DEFAULT_REDIRECT_PORT: u16 = 47616;
pub const REDIRECT_PATH: &str = "/slack/callback";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    /// Where Slack is: "https://slack.com" unless GovSlack (or a test's stand-in).
    #[serde(default = "default_base", skip_serializing_if = "is_default_base")]
    pub base: String,
    /// The workspace's name, learned from `auth.test`, for listings.
    #[serde(default)]
    pub team: String,
    /// The workspace's id ("T…"), learned from `auth.test`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub team_id: String,
    /// The user's name, learned from `auth.test`.
    #[serde(default)]
    pub user: String,
    /// The user's id ("U…"), learned from `auth.test`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// The Slack app's client id when the account signed in through the browser (OAuth v2
    /// with PKCE, no client secret); empty for a pasted user token.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    /// The loopback port of the app's redirect URL (browser sign-in only).
    #[serde(
        default = "default_redirect_port",
        skip_serializing_if = "is_default_redirect_port"
    )]
    pub redirect_port: u16,
}

fn default_base() -> String {
    SLACK_BASE.to_owned()
}

fn is_default_base(value: &str) -> bool {
    value == SLACK_BASE
}

fn default_redirect_port() -> u16 {
    DEFAULT_REDIRECT_PORT
}

fn is_default_redirect_port(value: &u16) -> bool {
    *value == DEFAULT_REDIRECT_PORT
}

impl SlackSettings {
    /// Settings for a workspace on `base`, the rest learned when the token is checked.
    pub fn new(base: &str) -> Self {
        SlackSettings {
            base: base.trim().to_owned(),
            team: String::new(),
            team_id: String::new(),
            user: String::new(),
            user_id: String::new(),
            client_id: String::new(),
            redirect_port: DEFAULT_REDIRECT_PORT,
        }
    }

    pub fn validate(&self, account_id: &str) -> Result<()> {
        crate::http::server_url(&self.base)
            .map_err(|e| Error::invalid(format!("account {account_id:?}: {e}")))?;
        let id_like = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !id_like(&self.team_id) || !id_like(&self.user_id) {
            return Err(Error::invalid(format!(
                "account {account_id:?}: team_id and user_id are Slack ids (letters and digits, like T0123ABCD)"
            )));
        }
        let client_ok = self
            .client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.');
        if !client_ok {
            return Err(Error::invalid(format!(
                "account {account_id:?}: client_id {:?} is not a Slack client id (digits and a dot, from Basic Information → App Credentials)",
                crate::http::untrusted(&self.client_id)
            )));
        }
        Ok(())
    }
}
