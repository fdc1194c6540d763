//! The list of services: one line each in [`services!`] below. Everything else about a
//! service lives in its own folder, behind [`ServiceSettings`] (its account settings),
//! [`ObtainCredentials`] (how a face's form becomes stored credentials) and
//! [`super::Provider`] (what it does on the server).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::{matrix, mattermost, rocketchat, slack, zoom, zulip};
use super::{Connect, Identity, ObtainCredentials, Obtained, Provider, SignInPrompt};
use crate::error::{AccountLabel, ProviderError, Result};

/// What every service's account settings can do; implemented in each provider folder.
pub(crate) trait ServiceSettings {
    /// Checks what the config file cannot, naming the account in the message.
    fn validate(&self, account_id: &str) -> Result<()>;
    /// Where the account lives, for listings: "alice@example.org on https://chat.example.org".
    fn describe(&self) -> String;
    /// Keeps what verifying the credentials told that the user did not type (Zoom: the e-mail).
    fn learn(&mut self, _identity: &Identity) {}
    /// The keyring entries the account owns, so removing it removes them all.
    fn secret_names(&self) -> &'static [&'static str];
    /// The provider for this account, its secrets read from `with.secrets`.
    fn connect(
        &self,
        account: &AccountLabel,
        with: &Connect,
    ) -> std::result::Result<Arc<dyn Provider>, ProviderError>;
    /// The server the account lives on, where it matters beyond the credentials (custom
    /// status ids belong to one server).
    fn server(&self) -> Option<&str> {
        None
    }
    /// Custom statuses Presently created on the server: preset id → server id.
    fn custom_status_ids(&self) -> Option<&BTreeMap<String, String>> {
        None
    }
    fn custom_status_ids_mut(&mut self) -> Option<&mut BTreeMap<String, String>> {
        None
    }
}

macro_rules! services {
    ($($variant:ident => $module:ident, $key:literal, $name:literal;)*) => {
        /// A service Presently can set a status on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        pub enum Service {
            $(#[serde(rename = $key)] $variant,)*
        }

        impl Service {
            pub const ALL: &'static [Service] = &[$(Service::$variant),*];

            /// The service's own name: "Rocket.Chat".
            pub fn display_name(self) -> &'static str {
                match self { $(Service::$variant => $name,)* }
            }

            /// The name in the config file and in `--json`: "rocketchat".
            pub fn key(self) -> &'static str {
                match self { $(Service::$variant => $key,)* }
            }
        }

        /// The non-secret settings of an account, per service (`service = "…"` in the config).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(tag = "service")]
        pub enum AccountSettings {
            $(#[serde(rename = $key)] $variant($module::Settings),)*
        }

        impl AccountSettings {
            pub fn service(&self) -> Service {
                match self { $(AccountSettings::$variant(_) => Service::$variant,)* }
            }

            pub(crate) fn get(&self) -> &dyn ServiceSettings {
                match self { $(AccountSettings::$variant(settings) => settings,)* }
            }

            pub(crate) fn get_mut(&mut self) -> &mut dyn ServiceSettings {
                match self { $(AccountSettings::$variant(settings) => settings,)* }
            }
        }

        /// What a face collected to add an account of one service: its form, file or flow
        /// (see each provider's `auth.rs`).
        pub enum NewCredentials {
            $($variant($module::NewCredentials),)*
        }

        impl NewCredentials {
            pub fn service(&self) -> Service {
                match self { $(NewCredentials::$variant(_) => Service::$variant,)* }
            }

            pub(crate) async fn obtain(
                self,
                account: &AccountLabel,
                with: &Connect,
                prompt: &dyn SignInPrompt,
            ) -> Result<Obtained> {
                match self {
                    $(NewCredentials::$variant(new) => new.obtain(account, with, prompt).await,)*
                }
            }
        }
    };
}

services! {
    Zulip => zulip, "zulip", "Zulip";
    RocketChat => rocketchat, "rocketchat", "Rocket.Chat";
    Zoom => zoom, "zoom", "Zoom";
    Mattermost => mattermost, "mattermost", "Mattermost";
    Matrix => matrix, "matrix", "Matrix";
    Slack => slack, "slack", "Slack";
}

impl AccountSettings {
    pub fn validate(&self, account_id: &str) -> Result<()> {
        self.get().validate(account_id)
    }

    /// Where the account lives, for listings.
    pub fn describe(&self) -> String {
        self.get().describe()
    }

    pub(crate) fn learn(&mut self, identity: &Identity) {
        self.get_mut().learn(identity);
    }

    pub(crate) fn secret_names(&self) -> &'static [&'static str] {
        self.get().secret_names()
    }
}
