//! One module per service behind one small trait.
//!
//! A provider does only what the service alone can do: check credentials, show a status,
//! read it back. Mapping checks, previews, dispatch and expiry are written once elsewhere.

pub mod rocketchat;
pub mod zoom;
pub mod zulip;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::error::{AccountLabel, ProviderError, Result};
use crate::preset::{Availability, Status};
use crate::secrets::SecretStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Zulip,
    #[serde(rename = "rocketchat")]
    RocketChat,
    Zoom,
}

impl Service {
    pub fn display_name(self) -> &'static str {
        match self {
            Service::Zulip => "Zulip",
            Service::RocketChat => "Rocket.Chat",
            Service::Zoom => "Zoom",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Service::Zulip => "zulip",
            Service::RocketChat => "rocketchat",
            Service::Zoom => "zoom",
        }
    }
}

/// The non-secret settings of an account, per service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "service", rename_all = "lowercase")]
pub enum AccountSettings {
    Zulip(zulip::ZulipSettings),
    #[serde(rename = "rocketchat")]
    RocketChat(rocketchat::RocketChatSettings),
    Zoom(zoom::ZoomSettings),
}

impl AccountSettings {
    pub fn service(&self) -> Service {
        match self {
            AccountSettings::Zulip(_) => Service::Zulip,
            AccountSettings::RocketChat(_) => Service::RocketChat,
            AccountSettings::Zoom(_) => Service::Zoom,
        }
    }

    pub fn validate(&self, account_id: &str) -> Result<()> {
        match self {
            AccountSettings::Zulip(settings) => settings.validate(account_id),
            AccountSettings::RocketChat(settings) => settings.validate(account_id),
            AccountSettings::Zoom(settings) => settings.validate(account_id),
        }
    }

    /// Where the account lives, for listings: "alice@example.org on https://chat.example.org".
    pub fn describe(&self) -> String {
        match self {
            AccountSettings::Zulip(z) => format!("{} on {}", z.email, z.site),
            AccountSettings::RocketChat(r) => format!("{} on {}", r.user, r.server),
            AccountSettings::Zoom(z) => {
                let who = z.user.as_deref().unwrap_or(&z.email);
                match z.auth {
                    zoom::ZoomAuth::User => format!("{who} (signed in)"),
                    zoom::ZoomAuth::ServerToServer => format!("{who} (Server-to-Server app)"),
                }
            }
        }
    }

    /// Keeps what verifying the credentials told about the account that the user did not
    /// type in (Zoom: whose e-mail it is, for listings).
    pub fn learn(&mut self, identity: &Identity) {
        if let (AccountSettings::Zoom(zoom), Some(email)) = (self, &identity.email) {
            if zoom.email.is_empty() {
                zoom.email.clone_from(email);
            }
        }
    }

    /// The keyring entries this account owns, so removing it removes them all.
    pub fn secret_names(&self) -> &'static [&'static str] {
        match self {
            AccountSettings::Zulip(_) => zulip::SECRET_NAMES,
            AccountSettings::RocketChat(_) => rocketchat::SECRET_NAMES,
            AccountSettings::Zoom(_) => zoom::SECRET_NAMES,
        }
    }
}

/// Whose status to change: the signed-in user, or (for admins) someone else.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    Me,
    User(String),
}

/// How a service counts the length of status text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TextUnit {
    /// Unicode scalar values (Python `len()`, Go runes).
    CodePoints,
    /// UTF-16 code units (JavaScript `length`).
    Utf16Units,
}

impl TextUnit {
    pub fn count(self, text: &str) -> usize {
        match self {
            TextUnit::CodePoints => text.chars().count(),
            TextUnit::Utf16Units => text.encode_utf16().count(),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            TextUnit::CodePoints => "Unicode code points",
            TextUnit::Utf16Units => "UTF-16 code units",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TextLimit {
    pub max: u32,
    pub unit: TextUnit,
    /// The server strips surrounding whitespace before counting.
    pub trims_whitespace: bool,
}

/// What one neutral availability becomes on a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AvailabilityMapping {
    pub wanted: Availability,
    /// The service's own word for what others see.
    pub shown: String,
    /// Set when the service cannot show `wanted` as such.
    pub note: Option<String>,
}

/// Availabilities the service ends by itself after the minutes sent with them (Zoom's
/// Do not disturb).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimedAvailability {
    pub availabilities: Vec<Availability>,
    pub max_minutes: u32,
}

impl TimedAvailability {
    /// The minutes to send for a status lasting `duration`, and a note when they are not
    /// the status's own length: no end means the longest the service allows.
    pub fn minutes_for(
        &self,
        service: Service,
        duration: Option<std::time::Duration>,
    ) -> (u32, Option<String>) {
        let max = self.max_minutes;
        let name = service.display_name();
        match duration {
            None => (
                max,
                Some(format!(
                    "no end is set; {name} ends it after {max} min at most, so {max} is sent"
                )),
            ),
            Some(d) => {
                let minutes = d.as_secs().div_ceil(60).max(1);
                if minutes > u64::from(max) {
                    (
                        max,
                        Some(format!(
                            "it lasts {minutes} min; {name} allows at most {max}, so {max} is sent"
                        )),
                    )
                } else {
                    (minutes as u32, None)
                }
            }
        }
    }
}

/// What a service can show, so the UI can preview each account exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    pub service: Service,
    /// `None` when the service shows no status text.
    pub text_limit: Option<TextLimit>,
    pub unicode_emoji: bool,
    pub custom_emoji: bool,
    /// The service has no emoji field: the emoji is written at the start of the text
    /// and counts towards its limit.
    pub emoji_in_text: bool,
    pub availabilities: Vec<AvailabilityMapping>,
    /// The server clears the status itself; otherwise Presently does.
    pub native_expiry: bool,
    /// Availabilities sent with a number of minutes, after which the service ends them.
    pub timed: Option<TimedAvailability>,
    /// The service takes one change per user this often; quicker changes wait their turn.
    pub min_update_interval_seconds: Option<u32>,
    /// Why some of the above is missing, e.g. an old server version.
    pub notes: Vec<String>,
}

impl Capabilities {
    pub fn availability(&self, wanted: Availability) -> Option<&AvailabilityMapping> {
        self.availabilities.iter().find(|m| m.wanted == wanted)
    }
}

/// Who the credentials belong to, from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Identity {
    pub user_id: String,
    pub name: String,
    pub is_admin: bool,
    /// e.g. "Zulip 11.2 (feature level 420)".
    pub server: String,
    /// The e-mail the server reports, where the account's settings do not already say it.
    pub email: Option<String>,
}

/// A status as the service shows it, read back from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShownStatus {
    pub text: String,
    /// A glyph, or ":name:" for a custom emoji.
    pub emoji: Option<String>,
    /// The service's own word, when it reports one.
    pub availability: Option<String>,
}

#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    fn label(&self) -> &AccountLabel;

    /// Whose turn a change to `target` takes on a service that paces changes per user: the
    /// same person must get one slot however they are named.
    fn paced_target(&self, target: &Target) -> Target {
        target.clone()
    }

    /// The service ended the sign-in and only the user can renew it; known without asking
    /// the server, so a click does not report the same failure again.
    fn sign_in_needed(&self) -> bool {
        false
    }

    /// What this account can show; may sharpen once the server's version is known.
    async fn capabilities(&self) -> Result<Capabilities, ProviderError>;

    /// Checks the credentials with the server and says whose they are.
    async fn verify(&self) -> Result<Identity, ProviderError>;

    /// Shows `status` (already checked against the capabilities). Returns notes on what
    /// the service could not show as asked.
    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError>;

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError>;
}

/// Builds the provider for one configured account, reading its secrets from the keyring.
pub fn connect(
    account: &crate::config::Account,
    secrets: &Arc<dyn SecretStore>,
    http: reqwest::Client,
    timeout: std::time::Duration,
) -> Result<Arc<dyn Provider>, ProviderError> {
    match &account.settings {
        AccountSettings::Zulip(settings) => Ok(Arc::new(zulip::Zulip::connect(
            &account.id,
            settings,
            secrets.as_ref(),
            http,
            timeout,
        )?)),
        AccountSettings::RocketChat(settings) => Ok(Arc::new(rocketchat::RocketChat::connect(
            &account.id,
            settings,
            secrets.as_ref(),
            http,
            timeout,
        )?)),
        AccountSettings::Zoom(settings) => Ok(Arc::new(zoom::Zoom::connect(
            &account.id,
            settings,
            secrets,
            http,
            timeout,
        )?)),
    }
}
