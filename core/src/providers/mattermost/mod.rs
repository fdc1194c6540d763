//! Mattermost: a custom status (emoji name and text, ended by the server at `expires_at`,
//! 5.37+) and an availability (online, away, do not disturb until `dnd_end_time` (6.1+),
//! offline). Features follow the server's version, read from `X-Version-Id` and kept a day.
//! Sources: <https://developers.mattermost.com/api-documentation/#/tag/status>, server code
//! `server/channels/api4/status.go` and `server/public/model/custom_status.go`.

mod auth;
mod client;
mod config;

use async_trait::async_trait;
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;

pub use auth::NewCredentials;
use client::{major_minor, MattermostClient};
pub use config::MattermostSettings;

use super::{
    partly, AvailabilityMapping, Capabilities, Connect, EmojiShown, Identity, Provider, Service,
    ServiceSettings, ShownStatus, Target, TextLimit, TextUnit,
};
use crate::emoji::Emoji;
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Status};
use crate::preview::check_text;
use crate::secrets::SecretKey;

/// The account's settings in the service registry.
pub type Settings = MattermostSettings;

/// The session token or personal access token, sent as `Authorization: Bearer`.
pub const TOKEN: &str = "token";
pub(crate) const SECRET_NAMES: &[&str] = &[TOKEN];

/// The server cuts longer text to 100 runes without a word (`CustomStatus.PreSave`), so
/// Presently refuses it first.
pub const TEXT_LIMIT: TextLimit = TextLimit {
    max: 100,
    unit: TextUnit::CodePoints,
    trims_whitespace: false,
};

/// Custom status (`PUT /users/{id}/status/custom`), 5.33.
const CUSTOM_STATUS_SINCE: (u32, u32) = (5, 33);
/// Its end (`duration`, `expires_at`), 5.37.
const EXPIRY_SINCE: (u32, u32) = (5, 37);
/// Do not disturb with an end (`dnd_end_time`), 6.1.
const TIMED_DND_SINCE: (u32, u32) = (6, 1);

impl ServiceSettings for MattermostSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        MattermostSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        if self.user.is_empty() {
            self.server.clone()
        } else {
            format!("{} on {}", self.user, self.server)
        }
    }

    fn learn(&mut self, identity: &Identity) {
        if self.user_id.is_empty() {
            self.user_id.clone_from(&identity.user_id);
        }
        if self.user.is_empty() {
            self.user.clone_from(&identity.name);
        }
    }

    fn secret_names(&self) -> &'static [&'static str] {
        SECRET_NAMES
    }

    fn connect(
        &self,
        account: &AccountLabel,
        with: &Connect,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(Mattermost::connect(account, self, with)?))
    }

    fn server(&self) -> Option<&str> {
        Some(&self.server)
    }
}

/// The service's word for an availability, and a note when it is not an exact match.
fn status_word(availability: Availability) -> (&'static str, Option<&'static str>) {
    match availability {
        Availability::Available => ("online", None),
        Availability::Away => ("away", None),
        Availability::Busy => (
            "dnd",
            Some("Mattermost has no busy; shown as do not disturb (notifications muted)"),
        ),
        Availability::DoNotDisturb => ("dnd", None),
        Availability::AppearOffline => ("offline", None),
    }
}

/// The word Mattermost's own apps show for a status value (another value as the server
/// sent it: faces escape what servers say).
fn shown_word(status: &str) -> String {
    match status {
        "dnd" => "do not disturb".into(),
        other => other.to_owned(),
    }
}

/// What a server of `version` shows ("9.11.2"; "" when unknown: the newest is assumed).
pub(crate) fn capabilities_at(version: &str) -> Capabilities {
    let at = if version.is_empty() {
        (u32::MAX, 0)
    } else {
        major_minor(version)
    };
    let custom = at >= CUSTOM_STATUS_SINCE;
    let mut notes = Vec::new();
    if custom {
        notes.push(
            "Mattermost cuts status text over 100 characters without a word; Presently refuses it instead"
                .to_owned(),
        );
    } else {
        notes.push(format!(
            "Mattermost {version} shows no custom status; it needs 5.33 or newer"
        ));
    }
    // Away and offline have no end on Mattermost, so Presently ends timed statuses; the
    // server ends the custom status (5.37+) and do not disturb (6.1+) itself as well.
    if at >= EXPIRY_SINCE {
        notes.push(
            "Mattermost also ends the custom status itself, even with this computer off".to_owned(),
        );
    }
    Capabilities {
        service: Service::Mattermost,
        text_limit: custom.then_some(TEXT_LIMIT),
        unicode_emoji: custom,
        custom_emoji: custom,
        emoji_in_text: false,
        availabilities: Availability::ALL
            .into_iter()
            .map(|wanted| {
                let (word, note) = status_word(wanted);
                AvailabilityMapping {
                    wanted,
                    shown: shown_word(word),
                    note: note.map(str::to_owned),
                }
            })
            .collect(),
        native_expiry: false,
        text_ends_itself: false,
        timed: None,
        min_update_interval_seconds: None,
        notes,
    }
}

#[derive(Debug)]
pub(crate) struct Mattermost {
    label: AccountLabel,
    client: MattermostClient,
    token: SecretString,
    /// From the settings, else asked once (`GET /users/me`).
    user_id: OnceCell<String>,
    signed_in: bool,
    timeout: Duration,
    version: OnceCell<String>,
    /// The server's version, kept a day in `servers.json` under `cache_key`.
    servers: crate::server_cache::ServerCache,
    cache_key: String,
    /// Custom emoji names already looked up on the server in this process.
    custom_emoji_known: Mutex<HashMap<String, bool>>,
}

fn client_for(
    server: &str,
    http: reqwest::Client,
    timeout: Duration,
) -> Result<MattermostClient, ProviderError> {
    let url = crate::http::provider_url(server)?;
    MattermostClient::new(http, &url, timeout)
}

impl Mattermost {
    fn connect(
        account: &AccountLabel,
        settings: &MattermostSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let token = with
            .secrets
            .get(&SecretKey::new(&account.id, TOKEN))
            .map_err(ProviderError::Secret)?
            .ok_or(ProviderError::MissingSecret)?;
        let user_id = OnceCell::new();
        if !settings.user_id.is_empty() {
            let _ = user_id.set(settings.user_id.clone());
        }
        Ok(Mattermost {
            label: account.clone(),
            client: client_for(&settings.server, with.http.clone(), with.timeout)?,
            token,
            user_id,
            signed_in: settings.signed_in,
            timeout: with.timeout,
            version: OnceCell::new(),
            servers: with.servers.clone(),
            cache_key: format!("mattermost {}", settings.server.trim_end_matches('/')),
            custom_emoji_known: Mutex::new(HashMap::new()),
        })
    }

    /// The server's version: asked once a day (`GET /system/ping`), else from `servers.json`.
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

    async fn at_least(&self, since: (u32, u32)) -> Result<bool, ProviderError> {
        Ok(major_minor(self.version().await?) >= since)
    }

    async fn own_id(&self) -> Result<&String, ProviderError> {
        self.user_id
            .get_or_try_init(|| async {
                let answer = self.client.user(&self.token, "me").await?;
                let me: client::Me = serde_json::from_value(answer.value)
                    .map_err(|e| ProviderError::Protocol(format!("GET users/me: {e}")))?;
                Ok(me.id)
            })
            .await
    }

    /// The user id for the routes and the body: `PUT /users/{id}/status` needs the real
    /// 26-character id in its body, so `me` is resolved and anything else refused here.
    async fn user_id_of<'a>(&'a self, target: &'a Target) -> Result<&'a str, ProviderError> {
        match target {
            Target::Me => Ok(self.own_id().await?.as_str()),
            Target::User(user) if user == "me" => Ok(self.own_id().await?.as_str()),
            Target::User(user)
                if user.len() == 26 && user.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                Ok(user.as_str())
            }
            Target::User(user) => Err(ProviderError::InvalidStatus(format!(
                "{:?} is not a Mattermost user id; give the 26-character id (System Console → Users, or GET /api/v4/users/username/NAME)",
                crate::http::untrusted(user)
            ))),
        }
    }

    /// The name Mattermost stores for `emoji` (without colons), and how it shows.
    async fn emoji_name(&self, emoji: &Emoji) -> Result<(String, EmojiShown), ProviderError> {
        match emoji {
            Emoji::Unicode(glyph) => {
                let (name, note) = crate::emoji::shortcode_for(glyph, "Mattermost")?;
                let shown = shown_emoji(name);
                Ok((name.to_owned(), EmojiShown { shown, note }))
            }
            Emoji::Named(name) if emojis::get_by_shortcode(name).is_some() => Ok((
                name.clone(),
                EmojiShown {
                    shown: shown_emoji(name),
                    note: None,
                },
            )),
            Emoji::Named(name) => {
                let known = self
                    .custom_emoji_known
                    .lock()
                    .ok()
                    .and_then(|m| m.get(name).copied());
                let exists = match known {
                    Some(exists) => exists,
                    None => {
                        let exists = self.client.custom_emoji_exists(&self.token, name).await?;
                        if let Ok(mut m) = self.custom_emoji_known.lock() {
                            m.insert(name.clone(), exists);
                        }
                        exists
                    }
                };
                if !exists {
                    return Err(ProviderError::InvalidStatus(format!(
                        "this Mattermost server has no emoji :{name}:"
                    )));
                }
                Ok((
                    name.clone(),
                    EmojiShown {
                        shown: format!(":{name}:"),
                        note: None,
                    },
                ))
            }
        }
    }
}

use crate::emoji::shown_for_shortcode as shown_emoji;

#[async_trait]
impl Provider for Mattermost {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(capabilities_at(self.version().await?))
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        let answer = self.client.user(&self.token, "me").await?;
        // Always asked: checking an account is also how a server upgrade is noticed.
        let version = match answer.version.clone() {
            Some(v) => v,
            None => self.client.server_version().await?,
        };
        self.servers.put(&self.cache_key, &version);
        let me: client::Me = serde_json::from_value(answer.value)
            .map_err(|e| ProviderError::Protocol(format!("GET users/me: {e}")))?;
        if me.is_bot {
            return Err(ProviderError::AuthRejected {
                reason: "this token belongs to a bot, and a bot has no status of its own; use your own personal access token".into(),
            });
        }
        let _ = self.user_id.set(me.id.clone());
        Ok(Identity {
            user_id: me.id,
            name: me.username,
            is_admin: me.roles.split_whitespace().any(|r| r == "system_admin"),
            server: format!("Mattermost {version}"),
            email: None,
        })
    }

    async fn emoji_shown(&self, emoji: &Emoji) -> Result<EmojiShown, ProviderError> {
        if !self.at_least(CUSTOM_STATUS_SINCE).await? {
            return Ok(EmojiShown {
                shown: emoji.to_string(),
                note: None,
            });
        }
        Ok(self.emoji_name(emoji).await?.1)
    }

    async fn custom_emoji_names(&self) -> Result<Vec<String>, ProviderError> {
        self.client.custom_emoji(&self.token).await
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        let caps = self.capabilities().await?;
        let text = check_text(status, &caps)?;
        let user_id = self.user_id_of(target).await?;
        let mut notes = Vec::new();
        let (word, note) = status_word(status.availability);
        notes.extend(note.map(str::to_owned));
        let ends_at = status
            .duration
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| chrono::Utc::now() + d);
        // The server ends these itself, so they end even with this computer off;
        // Presently's own timer stays as the safety net. Only the user's own: Presently
        // does not end statuses it sets for others.
        let own = *target == Target::Me;
        let dnd_end = match ends_at {
            Some(at) if own && word == "dnd" && self.at_least(TIMED_DND_SINCE).await? => {
                Some(at.timestamp())
            }
            _ => None,
        };
        let availability = self
            .client
            .set_availability(&self.token, user_id, word, dnd_end);
        if caps.text_limit.is_none() {
            if !text.is_empty() || status.emoji.is_some() {
                notes.push(format!(
                    "this server shows no custom status (Mattermost {} needs 5.33)",
                    self.version().await?
                ));
            }
            availability.await?;
            return Ok(notes);
        }
        let emoji = match &status.emoji {
            Some(emoji) => {
                let (name, shown) = self.emoji_name(emoji).await?;
                notes.extend(shown.note);
                name
            }
            None => String::new(),
        };
        let expires_at = match ends_at {
            Some(at) if own && self.at_least(EXPIRY_SINCE).await? => Some(at),
            _ => None,
        };
        // Two routes, two requests: sent at once, so a change costs one round trip.
        let custom = async {
            if text.is_empty() && emoji.is_empty() {
                self.client.clear_custom_status(&self.token, user_id).await
            } else {
                self.client
                    .set_custom_status(&self.token, user_id, &emoji, &text, expires_at)
                    .await
            }
        };
        let (custom, availability) = tokio::join!(custom, availability);
        match (custom, availability) {
            (Ok(applied), Ok(())) => {
                let wanted = !text.is_empty() || !emoji.is_empty();
                if wanted && !applied {
                    notes.push(
                        "custom statuses are switched off on this server (TeamSettings.EnableCustomUserStatuses): only the availability changed"
                            .to_owned(),
                    );
                }
                Ok(notes)
            }
            (Err(e), Ok(())) => Err(partly(
                e,
                "the availability changed, the custom status did not",
            )),
            (Ok(_), Err(e)) => Err(partly(
                e,
                "the custom status changed, the availability did not",
            )),
            (Err(e), Err(_)) => Err(e),
        }
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        let user_id = self.user_id_of(target).await?;
        let (user, availability) = tokio::join!(
            self.client.user(&self.token, user_id),
            self.client.availability(&self.token, user_id)
        );
        let me: client::Me = serde_json::from_value(user?.value)
            .map_err(|e| ProviderError::Protocol(format!("GET users: {e}")))?;
        let custom = me.custom_status();
        Ok(ShownStatus {
            text: custom.text,
            emoji: (!custom.emoji.is_empty()).then(|| shown_emoji(&custom.emoji)),
            availability: Some(shown_word(&availability?.status)),
        })
    }

    async fn sign_out(&self) -> Result<(), ProviderError> {
        if !self.signed_in {
            // A personal access token is the user's to revoke, not Presently's.
            return Ok(());
        }
        crate::http::within(self.timeout, self.client.logout(&self.token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_follow_the_version() {
        let old = capabilities_at("5.30.0");
        assert_eq!(old.text_limit, None);
        let custom = capabilities_at("5.33.0");
        assert_eq!(custom.text_limit, Some(TEXT_LIMIT));
        let now = capabilities_at("9.11.2");
        // Away and offline do not end by themselves there: Presently ends timed statuses.
        assert!(!now.native_expiry);
        assert!(now
            .notes
            .iter()
            .any(|n| n.contains("ends the custom status itself")));
        let busy = now.availability(Availability::Busy).expect("mapped");
        assert_eq!(busy.shown, "do not disturb");
        assert!(busy.note.is_some());
    }

    #[test]
    fn text_counts_in_code_points_up_to_100() {
        let caps = capabilities_at("9.11.2");
        let status = |text: String| Status {
            emoji: Some(Emoji::Unicode("🌴".into())),
            text,
            ..Status::cleared()
        };
        // The emoji has a field of its own: it does not count.
        assert!(check_text(&status("é".repeat(100)), &caps).is_ok());
        let err = check_text(&status("é".repeat(101)), &caps).expect_err("101 runes");
        assert!(err.to_string().contains("Mattermost allows 100"), "{err}");
    }
}
