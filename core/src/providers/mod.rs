//! One module per service behind one small trait.
//!
//! A provider does only what the service alone can do: check credentials, show a status,
//! read it back. Mapping checks, previews, dispatch and expiry are written once elsewhere.

mod auth;
pub mod custom_statuses;
pub mod matrix;
pub mod mattermost;
mod registry;
pub mod rocketchat;
pub mod slack;
pub mod zoom;
pub mod zulip;

use async_trait::async_trait;
use serde::Serialize;

use crate::emoji::Emoji;
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Status};

pub(crate) use auth::{Connect, ObtainCredentials, Obtained};
pub use auth::{SignInAgain, SignInPrompt, Unattended};
pub use custom_statuses::{CustomStatuses, SyncChange};
pub(crate) use registry::ServiceSettings;
pub use registry::{AccountSettings, NewCredentials, Service};

/// One of a change's requests failed after another went through: the error says what the
/// account shows now ("the availability changed, the custom status did not"). Kinds
/// without a reason of their own (a rate limit, a timeout) stay as they are.
pub(crate) fn partly(error: ProviderError, what: &str) -> ProviderError {
    match error {
        ProviderError::Rejected { reason } => ProviderError::Rejected {
            reason: format!("{reason}; {what}"),
        },
        ProviderError::Forbidden { reason } => ProviderError::Forbidden {
            reason: format!("{reason}; {what}"),
        },
        ProviderError::NotFound { reason } => ProviderError::NotFound {
            reason: format!("{reason}; {what}"),
        },
        ProviderError::InvalidStatus(reason) => {
            ProviderError::InvalidStatus(format!("{reason}; {what}"))
        }
        ProviderError::Protocol(reason) => ProviderError::Protocol(format!("{reason}; {what}")),
        other => other,
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
    /// The server clears the status text and emoji itself at the end sent with them, while
    /// the availability stays for Presently to end (Slack's `status_expiration`): a text
    /// gone at the end is that, not a change made by hand.
    pub text_ends_itself: bool,
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

/// How one service will show an emoji (see [`Provider::emoji_shown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmojiShown {
    /// A glyph, or ":name:" for a custom emoji.
    pub shown: String,
    /// Where it differs from what was asked, in words.
    pub note: Option<String>,
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

    /// How the service will show `emoji` in its emoji field: the glyph or `:name:` it gets,
    /// and a note where that differs from what was asked (Zulip has no skin tones); an
    /// error where the service has no such emoji. Preview and send both go through it, so
    /// they never disagree.
    async fn emoji_shown(&self, emoji: &Emoji) -> Result<EmojiShown, ProviderError> {
        Ok(EmojiShown {
            shown: emoji.to_string(),
            note: None,
        })
    }

    /// Optional: the organization's own emoji, by name without colons (Zulip's custom
    /// emoji), for the emoji picker; none where the service has no such thing.
    async fn custom_emoji_names(&self) -> Result<Vec<String>, ProviderError> {
        Ok(Vec::new())
    }

    /// Optional: the service signs in through the browser again when it ends a sign-in (Zoom).
    fn sign_in_again(&self) -> Option<&dyn SignInAgain> {
        None
    }

    /// Optional: the server keeps a list of custom statuses an admin can publish the
    /// presets to (Rocket.Chat).
    fn custom_statuses(&self) -> Option<&dyn CustomStatuses> {
        None
    }

    /// Ends the server-side session of credentials that came from signing in, so they
    /// stop working when the account is removed; nothing where the service has no such thing.
    async fn sign_out(&self) -> Result<(), ProviderError> {
        Ok(())
    }
}
