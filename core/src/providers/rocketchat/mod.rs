//! Rocket.Chat: a status message (with any emoji written into it) and an availability
//! (online, away, busy, offline = invisible). Expiry is kept by Presently.

mod auth;
mod client;
mod config;
mod sync;

use async_trait::async_trait;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

pub use auth::NewCredentials;
use client::{Credentials, Login, RocketChatClient};
pub use config::RocketChatSettings;

use super::{
    AvailabilityMapping, Capabilities, Connect, CustomStatuses, Identity, Provider, Service,
    ServiceSettings, ShownStatus, SyncChange, Target, TextLimit, TextUnit,
};
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Preset, Status};
use crate::preview::check_text;
use crate::secrets::SecretKey;

/// The account's settings in the service registry.
pub type Settings = RocketChatSettings;

pub const AUTH_TOKEN: &str = "auth_token";
pub const USER_ID: &str = "user_id";
pub(crate) const SECRET_NAMES: &[&str] = &[AUTH_TOKEN, USER_ID];

/// An admin's sync is a batch and Rocket.Chat allows 10 calls a minute per route: a limit
/// that lifts within this long is waited out once.
const SYNC_LONGEST_WAIT: Duration = Duration::from_secs(65);

impl ServiceSettings for RocketChatSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        RocketChatSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        format!("{} on {}", self.user, self.server)
    }

    fn secret_names(&self) -> &'static [&'static str] {
        SECRET_NAMES
    }

    fn connect(
        &self,
        account: &AccountLabel,
        with: &Connect,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(RocketChat::connect(account, self, with)?))
    }

    fn server(&self) -> Option<&str> {
        Some(&self.server)
    }

    fn custom_status_ids(&self) -> Option<&BTreeMap<String, String>> {
        Some(&self.custom_statuses)
    }

    fn custom_status_ids_mut(&mut self) -> Option<&mut BTreeMap<String, String>> {
        Some(&mut self.custom_statuses)
    }
}

/// The server cuts longer messages without a word, so Presently checks first.
pub const TEXT_LIMIT: TextLimit = TextLimit {
    max: 120,
    unit: TextUnit::Utf16Units,
    trims_whitespace: true,
};

#[derive(Debug)]
pub(crate) struct RocketChat {
    label: AccountLabel,
    client: RocketChatClient,
    credentials: Credentials,
    /// The token came from signing in, so removing the account signs it out.
    signed_in: bool,
    timeout: Duration,
    version: OnceCell<String>,
    /// The server's version, kept a day in `servers.json` under `cache_key`.
    servers: crate::server_cache::ServerCache,
    cache_key: String,
}

/// The first version whose `users.setStatus` takes `expiresAt`
/// (<https://developer.rocket.chat/apidocs/set-user-status>, 8.6.0).
const EXPIRES_AT_SINCE: (u32, u32) = (8, 6);

/// "8.6.0" or "8.6" → (8, 6); anything unreadable → (0, 0), an old server.
fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version
        .trim()
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The service's word for an availability, and a note when it is not an exact match.
fn status_word(availability: Availability) -> (&'static str, Option<&'static str>) {
    match availability {
        Availability::Available => ("online", None),
        Availability::Away => ("away", None),
        Availability::Busy => ("busy", None),
        Availability::DoNotDisturb => (
            "busy",
            Some("Rocket.Chat has no do-not-disturb; shown as busy"),
        ),
        Availability::AppearOffline => ("offline", None),
    }
}

pub(crate) fn capabilities() -> Capabilities {
    Capabilities {
        service: Service::RocketChat,
        text_limit: Some(TEXT_LIMIT),
        unicode_emoji: true,
        custom_emoji: true,
        emoji_in_text: true,
        availabilities: Availability::ALL
            .into_iter()
            .map(|wanted| {
                let (shown, note) = status_word(wanted);
                AvailabilityMapping {
                    wanted,
                    shown: if wanted == Availability::AppearOffline {
                        "offline (invisible)".to_owned()
                    } else {
                        shown.to_owned()
                    },
                    note: note.map(str::to_owned),
                }
            })
            .collect(),
        timed: None,
        min_update_interval_seconds: None,
        native_expiry: false,
        text_ends_itself: false,
        notes: vec![
            "Rocket.Chat has no emoji field; the emoji leads the status message".to_owned(),
            "Presently ends timed statuses itself".to_owned(),
        ],
    }
}

impl RocketChat {
    fn connect(
        account: &AccountLabel,
        settings: &RocketChatSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let read = |name| {
            with.secrets
                .get(&SecretKey::new(&account.id, name))
                .map_err(ProviderError::Secret)?
                .ok_or(ProviderError::MissingSecret)
        };
        let credentials = Credentials {
            auth_token: read(AUTH_TOKEN)?,
            user_id: secrecy::ExposeSecret::expose_secret(&read(USER_ID)?).to_owned(),
        };
        Ok(RocketChat {
            label: account.clone(),
            client: client_for(&settings.server, with.http.clone(), with.timeout)?,
            credentials,
            signed_in: settings.signed_in,
            timeout: with.timeout,
            version: OnceCell::new(),
            servers: with.servers.clone(),
            cache_key: format!("rocketchat {}", settings.server.trim_end_matches('/')),
        })
    }

    /// The server's version: asked once a day (`GET /api/info`), else from `servers.json`.
    async fn version(&self) -> Result<&String, ProviderError> {
        self.version
            .get_or_try_init(|| async {
                if let Some((known, _)) = self.servers.get::<String>(&self.cache_key) {
                    return Ok(known);
                }
                let asked = self.client.server_version().await?;
                self.servers.put(&self.cache_key, &asked);
                Ok(asked)
            })
            .await
    }

    /// Whether the server ends a status by itself (`expiresAt`); an old or unreadable
    /// version means Presently's timer alone.
    async fn ends_statuses(&self) -> bool {
        self.version()
            .await
            .is_ok_and(|v| major_minor(v) >= EXPIRES_AT_SINCE)
    }

    async fn within_deadline<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        crate::http::within(self.timeout, call).await
    }
}

fn client_for(
    server: &str,
    http: reqwest::Client,
    timeout: Duration,
) -> Result<RocketChatClient, ProviderError> {
    let url = crate::http::provider_url(server)?;
    RocketChatClient::new(http, &url, timeout)
}

/// The user id and token as keyring entries.
fn secrets_of(credentials: &Credentials) -> Vec<(&'static str, SecretString)> {
    vec![
        (AUTH_TOKEN, credentials.auth_token.clone()),
        (USER_ID, SecretString::from(credentials.user_id.clone())),
    ]
}

/// Publishing the presets as the server's custom user statuses (admins; see [`sync`]).
#[async_trait]
impl CustomStatuses for RocketChat {
    async fn plan(
        &self,
        presets: &[Preset],
        known: &BTreeMap<String, String>,
    ) -> Result<Vec<SyncChange>, ProviderError> {
        let server = self
            .within_deadline(self.client.custom_statuses(&self.credentials))
            .await?;
        Ok(sync::plan(presets, known, &server))
    }

    async fn send(&self, change: &SyncChange) -> Result<Option<String>, ProviderError> {
        let credentials = &self.credentials;
        let send = || async {
            match change {
                SyncChange::Create {
                    name, status_type, ..
                } => self
                    .within_deadline(self.client.create_custom_status(
                        credentials,
                        name,
                        status_type,
                    ))
                    .await
                    .map(Some),
                SyncChange::Update {
                    id,
                    name,
                    status_type,
                    ..
                } => self
                    .within_deadline(self.client.update_custom_status(
                        credentials,
                        id,
                        name,
                        status_type,
                    ))
                    .await
                    .map(|()| None),
                SyncChange::Delete { id, .. } => self
                    .within_deadline(self.client.delete_custom_status(credentials, id))
                    .await
                    .map(|()| None),
                SyncChange::Foreign { .. } => Ok(None),
            }
        };
        let deadline = tokio::time::Instant::now() + SYNC_LONGEST_WAIT;
        crate::http::retry_once_after_rate_limit(deadline, send).await
    }
}

#[async_trait]
impl Provider for RocketChat {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        let mut caps = capabilities();
        caps.native_expiry = self.ends_statuses().await;
        Ok(caps)
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        let me = self.client.me(&self.credentials).await?;
        // Always asked: checking an account is also how a server upgrade is noticed.
        let asked = self.client.server_version().await?;
        self.servers.put(&self.cache_key, &asked);
        let version = &asked;
        Ok(Identity {
            user_id: me.id,
            name: if me.name.is_empty() {
                me.username
            } else {
                me.name
            },
            is_admin: me.roles.iter().any(|r| r == "admin"),
            server: format!("Rocket.Chat {version}"),
            email: None,
        })
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        let caps = capabilities();
        let message = check_text(status, &caps)?;
        let (word, note) = status_word(status.availability);
        let user = match target {
            Target::Me => None,
            Target::User(user) => Some(user.as_str()),
        };
        // The server ends it by itself too (8.6+), so it ends even with this computer off;
        // Presently's own timer stays as the safety net.
        // Only the user's own: Presently does not end statuses it sets for others.
        let expires_at = match (status.duration, target) {
            (Some(duration), Target::Me) if self.ends_statuses().await => {
                chrono::Duration::from_std(duration)
                    .ok()
                    .map(|d| chrono::Utc::now() + d)
            }
            _ => None,
        };
        self.client
            .set_status(&self.credentials, &message, word, user, expires_at)
            .await?;
        Ok(note.map(str::to_owned).into_iter().collect())
    }

    fn custom_statuses(&self) -> Option<&dyn CustomStatuses> {
        Some(self)
    }

    async fn sign_out(&self) -> Result<(), ProviderError> {
        if !self.signed_in {
            // A personal access token is the user's to revoke, not Presently's.
            return Ok(());
        }
        self.client.logout(&self.credentials).await
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        let user = match target {
            Target::Me => self.credentials.user_id.as_str(),
            Target::User(user) => user.as_str(),
        };
        let (text, status) = self.client.status_of(&self.credentials, user).await?;
        Ok(ShownStatus {
            text,
            emoji: None,
            availability: Some(status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emoji::Emoji;
    use crate::preview::check_text;

    #[test]
    fn the_emoji_leads_the_message_and_counts_in_utf16_units() {
        let caps = capabilities();
        let status = Status {
            emoji: Some(Emoji::Unicode("🍔".into())),
            text: "Lunch".into(),
            ..Status::cleared()
        };
        assert_eq!(check_text(&status, &caps).ok().as_deref(), Some("🍔 Lunch"));
        // "🍔 " is 3 UTF-16 units, so 117 more fit and 118 do not.
        let fits = Status {
            text: "x".repeat(117),
            ..status.clone()
        };
        assert!(check_text(&fits, &caps).is_ok());
        let too_long = Status {
            text: "x".repeat(118),
            ..status
        };
        let err = check_text(&too_long, &caps).expect_err("121 units");
        assert!(
            err.to_string()
                .contains("Rocket.Chat allows 120 (UTF-16 code units)"),
            "{err}"
        );
    }

    /// Every Unicode emoji (each skin tone too): the preview's message is the message sent
    /// (the emoji as typed, then the text), and it is refused before sending exactly when
    /// its UTF-16 length passes the 120 units the server keeps.
    #[test]
    fn every_emoji_leads_the_message_as_previewed_and_counts_in_utf16_units() {
        let caps = capabilities();
        let every = emojis::iter()
            .flat_map(|e| std::iter::once(e).chain(e.skin_tones().into_iter().flatten()));
        for e in every {
            let glyph = e.as_str();
            let emoji = Emoji::parse(glyph).unwrap_or_else(|err| panic!("{glyph:?}: {err}"));
            let status = Status {
                emoji: Some(emoji),
                text: "x".repeat(100),
                ..Status::cleared()
            };
            let previewed = crate::preview::preview(&status, &caps, chrono::Utc::now());
            let sent = check_text(&status, &caps);
            let units = format!("{glyph} {}", status.text).encode_utf16().count();
            match sent {
                Ok(message) => {
                    assert!(units <= 120, "{glyph}: {units} units accepted");
                    assert_eq!(message, format!("{glyph} {}", status.text));
                    assert_eq!(previewed.text, message, "{glyph}");
                    assert_eq!(previewed.problem, None, "{glyph}");
                }
                Err(e) => {
                    assert!(units > 120, "{glyph}: refused at {units} units: {e}");
                    assert!(previewed.problem.is_some(), "{glyph}: the preview says so");
                }
            }
        }
    }

    #[test]
    fn do_not_disturb_is_busy_with_a_note() {
        let caps = capabilities();
        let dnd = caps
            .availability(Availability::DoNotDisturb)
            .expect("mapped");
        assert_eq!(dnd.shown, "busy");
        assert!(dnd.note.is_some());
        assert_eq!(status_word(Availability::AppearOffline).0, "offline");
    }
}
