//! Zulip: status text, emoji (Unicode and the organization's custom emoji) and visibility.
//!
//! Zulip has no away, busy or do-not-disturb a user can pick (since feature level 148
//! `away` only means invisible), and no expiry: those are mapped in documented ways and
//! expiry is kept by Presently.

mod auth;
mod client;
mod config;
mod emoji;

use async_trait::async_trait;
use secrecy::SecretString;
use std::sync::Arc;
use tokio::sync::OnceCell;

pub use auth::NewCredentials;
pub(crate) use client::ServerSettings;
pub(crate) use config::read_zuliprc;
pub use config::ZulipSettings;

use super::{
    AvailabilityMapping, Capabilities, Connect, EmojiShown, Identity, Provider, Service,
    ServiceSettings, ShownStatus, Target, TextLimit, TextUnit,
};
use crate::emoji::Emoji;
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Status};
use crate::secrets::SecretKey;
use crate::server_cache::ServerCache;
use client::ZulipClient;
use emoji::{EmojiNames, Resolved};

/// The account's settings in the service registry.
pub type Settings = ZulipSettings;

pub const API_KEY: &str = "api_key";
pub(crate) const SECRET_NAMES: &[&str] = &[API_KEY];

impl ServiceSettings for ZulipSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        ZulipSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        format!("{} on {}", self.email, self.site)
    }

    fn learn(&mut self, identity: &Identity) {
        self.user_id = identity.user_id.parse().ok();
    }

    fn secret_names(&self) -> &'static [&'static str] {
        SECRET_NAMES
    }

    fn connect(
        &self,
        account: &AccountLabel,
        with: &Connect,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(Zulip::connect(account, self, with)?))
    }
}

/// Feature levels that change what Presently can do (<https://zulip.com/api/changelog>).
const FL_STATUS_EMOJI: u32 = 86;
const FL_AWAY_MEANS_INVISIBLE: u32 = 148;
const FL_READ_STATUS: u32 = 262;
const FL_SET_OTHERS_STATUS: u32 = 407;
/// How long a level below [`FL_AWAY_MEANS_INVISIBLE`] is trusted: one change's worth.
const OLD_LEVEL_TRUSTED_SECONDS: i64 = 30;

pub const TEXT_LIMIT: TextLimit = TextLimit {
    max: 60,
    unit: TextUnit::CodePoints,
    trims_whitespace: true,
};

#[derive(Debug)]
pub(crate) struct Zulip {
    label: AccountLabel,
    client: ZulipClient,
    /// `GET /server_settings` and when it was asked, kept a day here and in [`ServerCache`].
    server: std::sync::Mutex<Option<(ServerSettings, chrono::DateTime<chrono::Utc>)>>,
    servers: ServerCache,
    cache_key: String,
    own_user: OnceCell<client::OwnUser>,
    /// The user's id as learned when the account was checked (`user_id` in the config).
    known_user_id: Option<u64>,
    /// The server's emoji names, once known in this process; with when a fallback to the
    /// built-in names was taken because the server could not say (asked again later).
    emoji_names: std::sync::Mutex<Option<(Arc<EmojiNames>, Option<std::time::Instant>)>>,
    /// The organization's active custom emoji and when they were asked.
    custom_emoji: std::sync::Mutex<Option<(Vec<String>, std::time::Instant)>>,
}

/// Feature level that added `server_emoji_data_url` (<https://zulip.com/api/register-queue>).
const FL_SERVER_EMOJI_DATA: u32 = 140;
/// How long the organization's custom emoji are trusted within one process.
const CUSTOM_EMOJI_TRUSTED: std::time::Duration = std::time::Duration::from_secs(300);

/// What `servers.json` keeps of a server's emoji data: its URL (which changes with the
/// data); the names are kept apart (`server-data/`, see `server_cache.rs`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct CachedEmojiData {
    url: String,
}

impl Zulip {
    pub(crate) fn connect(
        account: &AccountLabel,
        settings: &ZulipSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let key = with
            .secrets
            .get(&SecretKey::new(&account.id, API_KEY))
            .map_err(ProviderError::Secret)?
            .ok_or(ProviderError::MissingSecret)?;
        Self::with_key(account, settings, key, with)
    }

    fn with_key(
        account: &AccountLabel,
        settings: &ZulipSettings,
        api_key: SecretString,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let site = crate::http::provider_url(&settings.site)?;
        Ok(Zulip {
            label: account.clone(),
            cache_key: format!("zulip {}", site.as_str().trim_end_matches('/')),
            client: ZulipClient::new(
                with.http.clone(),
                &site,
                settings.email.clone(),
                api_key,
                with.timeout,
            )?,
            server: std::sync::Mutex::new(None),
            servers: with.servers.clone(),
            own_user: OnceCell::new(),
            known_user_id: settings.user_id.map(u64::from),
            emoji_names: std::sync::Mutex::new(None),
            custom_emoji: std::sync::Mutex::new(None),
        })
    }

    /// The server's feature level: remembered for a day (here and in `servers.json`), else
    /// asked. A level below 148 is always asked: there `away` means "away", above it means
    /// "invisible", so a server upgraded meanwhile must not be sent the old meaning.
    async fn feature_level(&self) -> Result<u32, ProviderError> {
        let trusted = |(server, at): &(ServerSettings, chrono::DateTime<chrono::Utc>)| {
            self.servers.fresh(*at) && server.zulip_feature_level >= FL_AWAY_MEANS_INVISIBLE
        };
        // An old level asked moments ago still serves the rest of this change.
        let just_asked = |(_, at): &(ServerSettings, chrono::DateTime<chrono::Utc>)| {
            (self.servers.now() - *at).num_seconds().abs() < OLD_LEVEL_TRUSTED_SECONDS
        };
        let remembered = self
            .server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .filter(|known| trusted(known) || just_asked(known));
        if let Some((server, _)) = remembered {
            return Ok(server.zulip_feature_level);
        }
        if let Some(known) = self
            .servers
            .get::<ServerSettings>(&self.cache_key)
            .filter(trusted)
        {
            let level = known.0.zulip_feature_level;
            *self
                .server
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(known);
            return Ok(level);
        }
        Ok(self.ask_server().await?.zulip_feature_level)
    }

    async fn ask_server(&self) -> Result<ServerSettings, ProviderError> {
        let asked = self.client.server_settings().await?;
        self.servers.put(&self.cache_key, &asked);
        *self
            .server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((asked.clone(), self.servers.now()));
        Ok(asked)
    }

    async fn own_user(&self) -> Result<&client::OwnUser, ProviderError> {
        self.own_user
            .get_or_try_init(|| self.client.own_user())
            .await
    }

    fn other_user_id(user: &str) -> Result<u64, ProviderError> {
        user.trim().parse().map_err(|_| {
            ProviderError::InvalidStatus(format!(
                "Zulip identifies users by number (see their profile); {user:?} is not one"
            ))
        })
    }

    /// The server's Unicode emoji names: from the server where it publishes them (kept in
    /// `servers.json` with their URL, which changes with the data, and asked again when the
    /// account is added or tested), else the table built from Zulip's data. A server that
    /// cannot say costs nothing but the built-in table.
    async fn emoji_names(&self) -> Arc<EmojiNames> {
        let known = self
            .emoji_names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .filter(|(_, fell_back)| {
                fell_back.is_none_or(|at| at.elapsed() < CUSTOM_EMOJI_TRUSTED)
            });
        if let Some((names, _)) = known {
            return names;
        }
        let started = std::time::Instant::now();
        let (names, fell_back) = match self.server_emoji_names().await {
            Ok(Some(names)) => (names, None),
            Ok(None) => (EmojiNames::built_in(), None),
            Err(e) => {
                tracing::warn!(
                    "{}: emoji names not read from the server ({e}); using Zulip's built-in names",
                    self.label
                );
                (EmojiNames::built_in(), Some(std::time::Instant::now()))
            }
        };
        tracing::debug!(
            "{}: emoji names ready in {:?}",
            self.label,
            started.elapsed()
        );
        *self
            .emoji_names
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((names.clone(), fell_back));
        names
    }

    async fn server_emoji_names(&self) -> Result<Option<Arc<EmojiNames>>, ProviderError> {
        if self.feature_level().await? < FL_SERVER_EMOJI_DATA {
            return Ok(None);
        }
        let key = format!("zulip-emoji {}", self.cache_key);
        if let Some(names) = self.kept_emoji_names(&key).map(|(_, names)| names) {
            return Ok(Some(names));
        }
        self.fetch_emoji_names(&key, None).await
    }

    /// The emoji names kept for `key`, with the URL they came from.
    fn kept_emoji_names(&self, key: &str) -> Option<(String, Arc<EmojiNames>)> {
        let (cached, kept) = self.servers.get_with_data::<CachedEmojiData>(key)?;
        let names = EmojiNames::from_kept(&kept.digest, || kept.read())?;
        Some((cached.url, names))
    }

    /// Asks the server where its emoji data is, and fetches it unless it is `known` there.
    async fn fetch_emoji_names(
        &self,
        key: &str,
        known: Option<(String, Arc<EmojiNames>)>,
    ) -> Result<Option<Arc<EmojiNames>>, ProviderError> {
        let Some(url) = self.client.server_emoji_data_url().await? else {
            return Ok(None);
        };
        if let Some((_, names)) = known.filter(|(known, _)| *known == url) {
            return Ok(Some(names));
        }
        let code_to_names = self.client.emoji_data(&url).await?;
        let names = EmojiNames::from_server(&code_to_names);
        if names.len() == 0 {
            return Ok(None);
        }
        self.servers
            .put_with_data(key, &CachedEmojiData { url }, &names.to_kept());
        Ok(Some(Arc::new(names)))
    }

    /// Checks whether the server's emoji data moved (a server upgrade), at most one
    /// `GET` of it when it did. Best effort: an account check must not fail for it.
    async fn refresh_emoji_names(&self, level: u32) {
        if level < FL_SERVER_EMOJI_DATA {
            return;
        }
        let key = format!("zulip-emoji {}", self.cache_key);
        let known = self.kept_emoji_names(&key);
        match self.fetch_emoji_names(&key, known).await {
            Ok(Some(names)) => {
                *self
                    .emoji_names
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((names, None));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("{}: emoji names not refreshed: {e}", self.label),
        }
    }

    /// The organization's active custom emoji, asked at most every few minutes.
    async fn custom_emoji(&self) -> Result<Vec<String>, ProviderError> {
        let known = self
            .custom_emoji
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .filter(|(_, at)| at.elapsed() < CUSTOM_EMOJI_TRUSTED);
        if let Some((names, _)) = known {
            return Ok(names);
        }
        let names = self.client.realm_emoji().await?;
        *self
            .custom_emoji
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((names.clone(), std::time::Instant::now()));
        Ok(names)
    }

    /// The fields and the shown emoji one change sends; the preview asks the same.
    async fn resolve_emoji(&self, emoji: Option<&Emoji>) -> Result<Resolved, ProviderError> {
        let names = self.emoji_names().await;
        emoji::resolve(emoji, &names, || self.custom_emoji()).await
    }
}

/// What Zulip shows for each availability at a feature level.
pub(crate) fn capabilities_at(feature_level: u32) -> Capabilities {
    let modern = feature_level >= FL_AWAY_MEANS_INVISIBLE;
    let availabilities = Availability::ALL
        .into_iter()
        .map(|wanted| {
            let (shown, note) = match (wanted, modern) {
                (Availability::Available, _) => ("visible", None),
                (Availability::AppearOffline, true) => ("invisible", None),
                (Availability::AppearOffline, false) => (
                    "away",
                    Some("this Zulip server (before 6.0) has no invisible mode; shown as away"),
                ),
                (_, true) => (
                    "visible",
                    Some("Zulip has no away, busy or do-not-disturb; the status text and emoji say it"),
                ),
                (Availability::Away, false) => ("away", None),
                (_, false) => (
                    "away",
                    Some("Zulip has no busy or do-not-disturb; shown as away"),
                ),
            };
            AvailabilityMapping {
                wanted,
                shown: shown.to_owned(),
                note: note.map(str::to_owned),
            }
        })
        .collect();
    let emoji = feature_level >= FL_STATUS_EMOJI;
    let mut notes = vec!["Zulip has no status expiry; Presently clears it on time".to_owned()];
    if !emoji {
        notes.push(format!(
            "status emoji need Zulip 5.0 (feature level {FL_STATUS_EMOJI}); this server is at {feature_level}"
        ));
    }
    Capabilities {
        service: Service::Zulip,
        text_limit: Some(TEXT_LIMIT),
        unicode_emoji: emoji,
        custom_emoji: emoji,
        emoji_in_text: false,
        availabilities,
        timed: None,
        min_update_interval_seconds: None,
        native_expiry: false,
        text_ends_itself: false,
        notes,
    }
}

fn shown_emoji(status: &client::UserStatus) -> Option<String> {
    match status.reaction_type.as_str() {
        _ if status.emoji_name.is_empty() => None,
        "unicode_emoji" => status
            .emoji_code
            .split('-')
            .map(|hex| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32))
            .collect::<Option<String>>()
            .or_else(|| Some(format!(":{}:", status.emoji_name))),
        _ => Some(format!(":{}:", status.emoji_name)),
    }
}

#[async_trait]
impl Provider for Zulip {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(capabilities_at(self.feature_level().await?))
    }

    async fn custom_emoji_names(&self) -> Result<Vec<String>, ProviderError> {
        self.custom_emoji().await
    }

    async fn emoji_shown(&self, emoji: &Emoji) -> Result<EmojiShown, ProviderError> {
        let resolved = self.resolve_emoji(Some(emoji)).await?;
        Ok(EmojiShown {
            shown: resolved.shown.unwrap_or_else(|| emoji.to_string()),
            note: resolved.note,
        })
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        // Always asked: checking an account is also how a server upgrade is noticed at once.
        let fresh = self.ask_server().await?;
        let level = fresh.zulip_feature_level;
        let user = self.client.own_user().await?;
        if user.is_bot {
            return Err(ProviderError::AuthRejected {
                reason: "this API key belongs to a bot, and Zulip does not let bots set a status; \
                         use your own key (Settings → Account & privacy → Manage your API key)"
                    .into(),
            });
        }
        let is_admin = user.is_admin;
        let _ = self.own_user.set(user.clone());
        self.refresh_emoji_names(level).await;
        let version = fresh.zulip_version;
        Ok(Identity {
            user_id: user.user_id.to_string(),
            name: user.full_name,
            is_admin,
            server: format!("Zulip {version} (feature level {level})"),
            email: None,
        })
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        let level = self.feature_level().await?;
        let caps = capabilities_at(level);
        let mut notes: Vec<String> = caps
            .availability(status.availability)
            .and_then(|m| m.note.clone())
            .into_iter()
            .collect();
        let mut form = vec![("status_text", status.text.trim().to_owned())];
        if caps.unicode_emoji {
            form.extend(self.resolve_emoji(status.emoji.as_ref()).await?.fields);
        } else if status.emoji.is_some() {
            notes.extend(caps.notes.iter().skip(1).cloned());
        }
        let wants_visible = status.availability != Availability::AppearOffline;
        let user_id = match target {
            Target::Me => {
                // Before feature level 148 `away` is the away flag; since then it is
                // `presence_enabled = !away` (<https://zulip.com/api/update-status>), so visibility rides along in
                // the same request instead of a second `PATCH /settings`. Invisible mode is
                // the user's own privacy choice: it is changed only to appear offline, and
                // given back when Presently's "appear offline" is replaced.
                let away = if level < FL_AWAY_MEANS_INVISIBLE {
                    Some(status.availability != Availability::Available)
                } else if !wants_visible {
                    Some(true)
                } else if status.undo_appear_offline {
                    Some(false)
                } else {
                    None
                };
                if let Some(away) = away {
                    form.push(("away", away.to_string()));
                }
                None
            }
            Target::User(user) => {
                if level < FL_SET_OTHERS_STATUS {
                    return Err(ProviderError::Unsupported(format!(
                        "setting another user's status needs Zulip 11.0 (feature level \
                         {FL_SET_OTHERS_STATUS}); this server is at {level}"
                    )));
                }
                if status.availability != Availability::Available {
                    notes.push("Zulip cannot change another user's availability; only text and emoji were set".into());
                }
                Some(Self::other_user_id(user)?)
            }
        };
        let ignored = self.client.update_status(user_id, &form).await?;
        let (away, others): (Vec<String>, Vec<String>) =
            ignored.into_iter().partition(|name| name == "away");
        let away_ignored = !away.is_empty();
        if !others.is_empty() {
            notes.push(format!("the server ignored: {}", others.join(", ")));
        }
        // A server that dropped the deprecated `away` says so; then visibility is set the
        // current way, `PATCH /settings`.
        if target == &Target::Me && level >= FL_AWAY_MEANS_INVISIBLE && away_ignored {
            // The status is already shown; a failed visibility change must not hide that.
            if let Err(e) = self.client.set_presence_enabled(wants_visible).await {
                notes.push(format!("status set; visibility unchanged: {e}"));
            }
        }
        Ok(notes)
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        let level = self.feature_level().await?;
        if level < FL_READ_STATUS {
            return Err(ProviderError::Unsupported(format!(
                "reading a status back needs Zulip 9.0 (feature level {FL_READ_STATUS}); this server is at {level}"
            )));
        }
        let user_id = match target {
            Target::Me => match self.known_user_id {
                Some(id) => id,
                None => self.own_user().await?.user_id,
            },
            Target::User(user) => Self::other_user_id(user)?,
        };
        let status = self.client.user_status(user_id).await?;
        Ok(ShownStatus {
            text: status.status_text.clone(),
            emoji: shown_emoji(&status),
            // Since feature level 148, `away` reads back the invisible setting.
            availability: status.away.then(|| {
                if level >= FL_AWAY_MEANS_INVISIBLE {
                    "invisible"
                } else {
                    "away"
                }
                .to_owned()
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_servers_degrade_in_documented_ways() {
        let modern = capabilities_at(420);
        assert_eq!(
            modern
                .availability(Availability::AppearOffline)
                .map(|m| m.shown.as_str()),
            Some("invisible")
        );
        assert!(modern
            .availability(Availability::DoNotDisturb)
            .and_then(|m| m.note.as_ref())
            .is_some());
        let old = capabilities_at(100);
        assert_eq!(
            old.availability(Availability::Away)
                .map(|m| m.shown.as_str()),
            Some("away")
        );
        assert!(old.unicode_emoji);
        let ancient = capabilities_at(50);
        assert!(!ancient.unicode_emoji);
        assert!(ancient.notes.iter().any(|n| n.contains("Zulip 5.0")));
    }
}
