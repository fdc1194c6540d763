//! Matrix: presence (`online`, `unavailable`, `offline`) with a status message that carries
//! the emoji and the text, re-sent whole with every change (a presence write without
//! `status_msg` clears it); MSC4426's status profile field as well where the homeserver
//! advertises it. A homeserver with presence switched off answers 200 and keeps nothing:
//! every change is read back, and that is said plainly. No expiry of its own: Presently
//! ends timed statuses. Sources: <https://spec.matrix.org/v1.15/client-server-api/#presence>,
//! Synapse's `synapse/rest/client/presence.py` and `synapse/handlers/presence.py`.

mod auth;
mod client;
mod config;

use async_trait::async_trait;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

pub use auth::NewCredentials;
use client::{MatrixClient, ServerFeatures};
pub use config::MatrixSettings;

use super::{
    AvailabilityMapping, Capabilities, Connect, Identity, Provider, Service, ServiceSettings,
    ShownStatus, Target, TextLimit, TextUnit,
};
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Status};
use crate::preview::check_text;
use crate::secrets::SecretKey;

/// The account's settings in the service registry.
pub type Settings = MatrixSettings;

/// The access token, sent as `Authorization: Bearer`.
pub const ACCESS_TOKEN: &str = "access_token";
pub(crate) const SECRET_NAMES: &[&str] = &[ACCESS_TOKEN];

/// Neither the spec nor Synapse limits `status_msg`; Presently keeps messages to what
/// MSC4426 allows for its `text` (256 bytes is its rule; counted here in code points,
/// the emoji and its space included) so one message fits every client.
pub const TEXT_LIMIT: TextLimit = TextLimit {
    max: 256,
    unit: TextUnit::CodePoints,
    trims_whitespace: true,
};

/// The domain of a user id, "@alice:example.org" → "example.org".
pub(crate) fn user_domain(user_id: &str) -> Option<&str> {
    let (local, domain) = user_id.strip_prefix('@')?.split_once(':')?;
    (!local.is_empty() && !domain.is_empty() && !domain.contains(['/', '?', '#', '@', ' ']))
        .then_some(domain)
}

impl ServiceSettings for MatrixSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        MatrixSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        if self.user_id.is_empty() {
            self.homeserver.clone()
        } else {
            format!("{} on {}", self.user_id, self.homeserver)
        }
    }

    fn learn(&mut self, identity: &Identity) {
        if self.user_id.is_empty() {
            self.user_id.clone_from(&identity.user_id);
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
        Ok(Arc::new(Matrix::connect(account, self, with)?))
    }

    fn server(&self) -> Option<&str> {
        Some(&self.homeserver)
    }
}

/// The presence for an availability, and a note where Matrix cannot show it as such.
fn presence_word(availability: Availability, busy: bool) -> (&'static str, Option<&'static str>) {
    match availability {
        Availability::Available => ("online", None),
        Availability::Away => ("unavailable", None),
        Availability::Busy if busy => ("org.matrix.msc3026.busy", None),
        Availability::Busy => (
            "unavailable",
            Some("Matrix has no busy; shown as unavailable, the message says it"),
        ),
        Availability::DoNotDisturb => (
            "unavailable",
            Some("Matrix has no do-not-disturb; shown as unavailable, the message says it"),
        ),
        Availability::AppearOffline => (
            "offline",
            Some("Matrix shows offline only while none of your Matrix apps is open"),
        ),
    }
}

/// How Matrix apps word a presence.
fn shown_word(presence: &str) -> String {
    match presence {
        "org.matrix.msc3026.busy" => "busy".into(),
        other => other.to_owned(),
    }
}

pub(crate) fn capabilities_with(features: &ServerFeatures) -> Capabilities {
    Capabilities {
        service: Service::Matrix,
        text_limit: Some(TEXT_LIMIT),
        unicode_emoji: true,
        custom_emoji: false,
        emoji_in_text: true,
        availabilities: Availability::ALL
            .into_iter()
            .map(|wanted| {
                let (word, note) = presence_word(wanted, features.busy);
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
        notes: vec![
            "Matrix has no emoji field; the emoji leads the status message".to_owned(),
            "Matrix presence is per device: while a Matrix app of yours is open it wins, and without one the presence fades to offline within about 30 s; the message stays".to_owned(),
            "Presently ends timed statuses itself".to_owned(),
        ],
    }
}

#[derive(Debug)]
pub(crate) struct Matrix {
    label: AccountLabel,
    client: MatrixClient,
    token: SecretString,
    /// From the settings, else asked once (`GET /account/whoami`).
    user_id: OnceCell<String>,
    signed_in: bool,
    timeout: Duration,
    features: OnceCell<ServerFeatures>,
    /// What `/versions` said, kept a day in `servers.json` under `cache_key`.
    servers: crate::server_cache::ServerCache,
    cache_key: String,
}

impl Matrix {
    fn connect(
        account: &AccountLabel,
        settings: &MatrixSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let token = with
            .secrets
            .get(&SecretKey::new(&account.id, ACCESS_TOKEN))
            .map_err(ProviderError::Secret)?
            .ok_or(ProviderError::MissingSecret)?;
        let homeserver = crate::http::provider_url(&settings.homeserver)?;
        let user_id = OnceCell::new();
        if !settings.user_id.is_empty() {
            let _ = user_id.set(settings.user_id.clone());
        }
        Ok(Matrix {
            label: account.clone(),
            client: MatrixClient::new(with.http.clone(), &homeserver, with.timeout)?,
            token,
            user_id,
            signed_in: settings.signed_in,
            timeout: with.timeout,
            features: OnceCell::new(),
            servers: with.servers.clone(),
            cache_key: format!("matrix {}", settings.homeserver.trim_end_matches('/')),
        })
    }

    async fn features(&self) -> Result<&ServerFeatures, ProviderError> {
        self.features
            .get_or_try_init(|| async {
                if let Some((known, _)) = self.servers.get::<ServerFeatures>(&self.cache_key) {
                    return Ok(known);
                }
                let asked = self.client.features().await?;
                self.servers.put(&self.cache_key, &asked);
                Ok(asked)
            })
            .await
    }

    async fn own_id(&self) -> Result<&String, ProviderError> {
        self.user_id
            .get_or_try_init(|| self.client.whoami(&self.token))
            .await
    }

    async fn user_of<'a>(&'a self, target: &'a Target) -> Result<&'a str, ProviderError> {
        match target {
            Target::Me => Ok(self.own_id().await?.as_str()),
            Target::User(user) if user_domain(user).is_some() => Ok(user.as_str()),
            Target::User(user) => Err(ProviderError::InvalidStatus(format!(
                "{:?} is not a Matrix user id; write it like @alice:example.org",
                crate::http::untrusted(user)
            ))),
        }
    }
}

#[async_trait]
impl Provider for Matrix {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(capabilities_with(self.features().await?))
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        let user_id = self.client.whoami(&self.token).await?;
        // Always asked: checking an account is also how a server upgrade is noticed.
        let features = self.client.features().await?;
        self.servers.put(&self.cache_key, &features);
        let _ = self.user_id.set(user_id.clone());
        Ok(Identity {
            name: user_id.clone(),
            user_id,
            is_admin: false,
            server: format!("Matrix homeserver (spec {})", features.newest),
            email: None,
        })
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        let features = self.features().await?.clone();
        let caps = capabilities_with(&features);
        let message = check_text(status, &caps)?;
        let user = self.user_of(target).await?;
        let (word, note) = presence_word(status.availability, features.busy);
        let mut notes: Vec<String> = note.map(str::to_owned).into_iter().collect();
        self.client
            .set_presence(&self.token, user, word, &message)
            .await?;
        if features.rich_status {
            let emoji = status.emoji.as_ref().and_then(|e| e.glyph()).unwrap_or("");
            let rich = (!message.is_empty()).then_some((status.text.trim(), emoji));
            self.client.set_rich_status(&self.token, user, rich).await?;
        }
        // A homeserver with presence switched off answers 200 and keeps nothing: read back.
        let shown = self.client.presence(&self.token, user).await?;
        let kept_message = shown.status_msg.as_deref().unwrap_or("") == message;
        let ignored = if message.is_empty() {
            word == "online" && shown.presence == "offline"
        } else {
            !kept_message
        };
        if ignored {
            return Err(ProviderError::Rejected {
                reason: "the homeserver answered 200 but keeps no presence: presence is switched off there (Synapse: presence.enabled), so it cannot show a status".into(),
            });
        }
        if shown.presence != word {
            notes.push(format!(
                "another Matrix app of yours shows you as {}, which wins over Presently's {}",
                shown_word(&shown.presence),
                shown_word(word)
            ));
        }
        Ok(notes)
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        let user = self.user_of(target).await?;
        let shown = self.client.presence(&self.token, user).await?;
        Ok(ShownStatus {
            text: shown.status_msg.unwrap_or_default(),
            emoji: None,
            availability: Some(shown_word(&shown.presence)),
        })
    }

    async fn sign_out(&self) -> Result<(), ProviderError> {
        if !self.signed_in {
            // An access token the user gave is theirs to end, not Presently's.
            return Ok(());
        }
        crate::http::within(self.timeout, self.client.logout(&self.token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emoji::Emoji;

    #[test]
    fn user_ids_name_their_domain() {
        assert_eq!(user_domain("@alice:example.org"), Some("example.org"));
        assert_eq!(user_domain("@alice:127.0.0.1:8448"), Some("127.0.0.1:8448"));
        assert_eq!(user_domain("alice"), None);
        assert_eq!(user_domain("@alice:"), None);
        assert_eq!(user_domain("@:example.org"), None);
        assert_eq!(user_domain("@alice:evil.org/x"), None);
    }

    #[test]
    fn the_emoji_leads_the_message_and_busy_needs_the_server() {
        let caps = capabilities_with(&ServerFeatures::default());
        let status = Status {
            emoji: Some(Emoji::Unicode("🍔".into())),
            text: "Lunch".into(),
            ..Status::cleared()
        };
        assert_eq!(check_text(&status, &caps).ok().as_deref(), Some("🍔 Lunch"));
        let busy = caps.availability(Availability::Busy).expect("mapped");
        assert_eq!(busy.shown, "unavailable");
        assert!(busy.note.is_some());
        let with_busy = capabilities_with(&ServerFeatures {
            busy: true,
            ..ServerFeatures::default()
        });
        assert_eq!(
            with_busy
                .availability(Availability::Busy)
                .map(|m| m.shown.as_str()),
            Some("busy")
        );
    }
}
