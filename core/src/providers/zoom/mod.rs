//! Zoom: presence only. Available, Away and Do not disturb (which Zoom ends by itself after
//! the minutes sent with it); no status text or emoji. Zoom takes one presence change a
//! minute per user, which [`crate::pacing`] enforces across processes.
//!
//! Tokens come from a browser sign-in (authorization code with PKCE, see [`signin`]) or,
//! for admins, a Server-to-Server app (account credentials). Source: <https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>.

mod auth;
mod client;
mod config;
mod oauth;

use async_trait::async_trait;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

use crate::oauth::TokenKeeper;
pub use auth::{NewCredentials, SIGN_IN_WAIT};
use client::{CallError, ZoomApi};
pub use config::{
    ZoomAuth, ZoomSettings, DEFAULT_API_BASE, DEFAULT_AUTH_BASE, DEFAULT_REDIRECT_PORT,
    REDIRECT_PATH,
};
use oauth::{OAuthClient, ZoomRenewal};

use super::{
    AvailabilityMapping, Capabilities, Connect, Identity, Provider, Service, ServiceSettings,
    ShownStatus, SignInAgain, Target, TimedAvailability,
};
use crate::error::{AccountLabel, ProviderError};
use crate::preset::{Availability, Status};
use crate::secrets::{SecretKey, SecretStore};

/// The account's settings in the service registry.
pub type Settings = ZoomSettings;

pub const CLIENT_SECRET: &str = "client_secret";
pub const TOKENS: &str = "tokens";
pub(crate) const SECRET_NAMES: &[&str] = &[CLIENT_SECRET, TOKENS];

impl ServiceSettings for ZoomSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        ZoomSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        let who = self.user.as_deref().unwrap_or(&self.email);
        match self.auth {
            ZoomAuth::User => format!("{who} (signed in)"),
            ZoomAuth::ServerToServer => format!("{who} (Server-to-Server app)"),
        }
    }

    fn learn(&mut self, identity: &Identity) {
        if let Some(email) = &identity.email {
            if self.email.is_empty() {
                self.email.clone_from(email);
            }
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
        Ok(Arc::new(Zoom::connect(account, self, with)?))
    }
}

/// "The default value is 20 minutes and the maximum allowed value is 1440 minutes" (<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>).
pub const DND_MAX_MINUTES: u32 = 1440;
/// "A user's status cannot be updated more than once per minute" (<https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>).
pub const UPDATE_INTERVAL_SECONDS: u32 = 60;

const DO_NOT_DISTURB: &str = "Do_Not_Disturb";
/// The spelling in the endpoint's schema enum.
const DO_NOT_DISTURB_SCHEMA: &str = "Do_No_Disturb";

/// Zoom's presence value for an availability, and a note when it is not an exact match.
fn presence_value(availability: Availability) -> (&'static str, Option<&'static str>) {
    match availability {
        Availability::Available => ("Available", None),
        Availability::Away => ("Away", None),
        Availability::Busy => (
            DO_NOT_DISTURB,
            Some("Zoom has no busy presence that apps can set; Do not disturb is sent"),
        ),
        Availability::DoNotDisturb => (DO_NOT_DISTURB, None),
        Availability::AppearOffline => (
            "Away",
            Some("Zoom cannot make you appear offline; Away is sent"),
        ),
    }
}

/// How Zoom's own apps show a presence value.
fn presence_words(value: &str) -> String {
    match value {
        "Do_Not_Disturb" | "Do_No_Disturb" => "Do not disturb".to_owned(),
        "In_Calendar_Event" => "In a calendar event".to_owned(),
        "In_A_Zoom_Meeting" => "In a Zoom meeting".to_owned(),
        "On_A_Call" => "On a call".to_owned(),
        other => other.replace('_', " "),
    }
}

pub(crate) fn capabilities() -> Capabilities {
    Capabilities {
        service: Service::Zoom,
        text_limit: None,
        unicode_emoji: false,
        custom_emoji: false,
        emoji_in_text: false,
        availabilities: Availability::ALL
            .into_iter()
            .map(|wanted| {
                let (value, note) = presence_value(wanted);
                AvailabilityMapping {
                    wanted,
                    shown: presence_words(value),
                    note: note.map(str::to_owned),
                }
            })
            .collect(),
        native_expiry: false,
        text_ends_itself: false,
        timed: Some(TimedAvailability {
            availabilities: vec![Availability::Busy, Availability::DoNotDisturb],
            max_minutes: DND_MAX_MINUTES,
        }),
        min_update_interval_seconds: Some(UPDATE_INTERVAL_SECONDS),
        notes: vec![
            "Zoom shows no status text or emoji; only the presence changes".to_owned(),
            "Zoom takes one presence change a minute; a quicker change waits its turn".to_owned(),
        ],
    }
}

#[derive(Debug)]
pub(crate) struct Zoom {
    label: AccountLabel,
    settings: ZoomSettings,
    api: ZoomApi,
    oauth: OAuthClient,
    tokens: TokenKeeper,
}

/// The OAuth client for an account's app, with its secret from `secrets`.
fn oauth_client(
    account_id: &str,
    settings: &ZoomSettings,
    secrets: &dyn SecretStore,
    http: reqwest::Client,
    timeout: Duration,
) -> Result<OAuthClient, ProviderError> {
    let secret = secrets
        .get(&SecretKey::new(account_id, CLIENT_SECRET))
        .map_err(ProviderError::Secret)?
        .ok_or(ProviderError::MissingSecret)?;
    OAuthClient::new(http, settings, secret, timeout)
}

impl Zoom {
    fn connect(
        account: &AccountLabel,
        settings: &ZoomSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let oauth = oauth_client(
            &account.id,
            settings,
            with.secrets.as_ref(),
            with.http.clone(),
            with.timeout,
        )?;
        Ok(Zoom {
            label: account.clone(),
            settings: settings.clone(),
            api: ZoomApi::new(with.http.clone(), &settings.api_base, with.timeout)?,
            oauth: oauth.clone(),
            tokens: TokenKeeper::new(
                &account.id,
                Service::Zoom,
                TOKENS,
                Arc::new(ZoomRenewal {
                    oauth,
                    auth: settings.auth,
                    zoom_account_id: settings.account_id.clone(),
                }),
                with.secrets.clone(),
            ),
        })
    }

    /// Whose presence a target means: "me" for a signed-in user, the account's user for a
    /// Server-to-Server app.
    fn user<'a>(&'a self, target: &'a Target) -> &'a str {
        match target {
            Target::User(user) => user,
            Target::Me => self.settings.user.as_deref().unwrap_or("me"),
        }
    }

    /// Runs a call with a fresh token; a rejected token is renewed and the call tried once more.
    async fn with_token<T, F, Fut>(&self, call: F) -> Result<T, ProviderError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<T, CallError>>,
    {
        let token = self.tokens.access_token().await?;
        match call(token.clone()).await {
            Ok(value) => Ok(value),
            Err(CallError::Other(e) | CallError::InvalidField(e)) => Err(e),
            Err(CallError::TokenRejected) => {
                let renewed = self.tokens.renew_after_rejection(&token).await?;
                match call(renewed).await {
                    Ok(value) => Ok(value),
                    Err(CallError::Other(e) | CallError::InvalidField(e)) => Err(e),
                    Err(CallError::TokenRejected) => Err(ProviderError::AuthRejected {
                        reason: "Zoom rejects even a renewed access token (Invalid access token.)"
                            .into(),
                    }),
                }
            }
        }
    }
}

/// The minutes Do not disturb is sent with, and a note when that differs from the status.
pub(crate) fn dnd_minutes(status: &Status) -> Option<(u32, Option<String>)> {
    let timed = capabilities().timed?;
    timed
        .availabilities
        .contains(&status.availability)
        .then(|| timed.minutes_for(Service::Zoom, status.duration))
}

#[async_trait]
impl Provider for Zoom {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    /// A Server-to-Server account's own user and the same person given with `--user` share
    /// one slot; e-mail addresses are compared without case.
    fn paced_target(&self, target: &Target) -> Target {
        match self.user(target) {
            "me" => Target::Me,
            user => Target::User(user.to_lowercase()),
        }
    }

    fn sign_in_needed(&self) -> bool {
        self.tokens.sign_in_needed().unwrap_or(false)
    }

    fn sign_in_again(&self) -> Option<&dyn SignInAgain> {
        Some(self)
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(capabilities())
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        let user = self.user(&Target::Me).to_owned();
        let found = self
            .with_token(|token| {
                let user = user.clone();
                async move { self.api.user(&token, &user).await }
            })
            .await?;
        let name = [
            found.display_name.trim(),
            &format!("{} {}", found.first_name, found.last_name),
        ]
        .into_iter()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .unwrap_or(&found.email)
        .to_owned();
        let how = match self.settings.auth {
            ZoomAuth::User => "signed in",
            ZoomAuth::ServerToServer => "Server-to-Server app",
        };
        Ok(Identity {
            user_id: found.id,
            name: if found.email.is_empty() {
                name
            } else {
                format!("{name} <{}>", found.email)
            },
            is_admin: self.settings.auth == ZoomAuth::ServerToServer
                || found.role_name.contains("Admin")
                || found.role_name.contains("Owner"),
            server: format!("Zoom ({how})"),
            email: Some(found.email).filter(|e| !e.is_empty()),
        })
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        let (value, note) = presence_value(status.availability);
        let mut notes: Vec<String> = note.map(str::to_owned).into_iter().collect();
        let minutes = dnd_minutes(status).map(|(minutes, note)| {
            notes.extend(note);
            minutes
        });
        let user = self.user(target).to_owned();
        self.with_token(|token| {
            let user = user.clone();
            async move {
                match self.api.set_presence(&token, &user, value, minutes).await {
                    // The docs spell DND two ways (the endpoint's prose and its schema enum, <https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>): the schema's spelling is
                    // tried when the prose's is refused as an invalid field.
                    Err(CallError::InvalidField(_)) if value == DO_NOT_DISTURB => {
                        self.api
                            .set_presence(&token, &user, DO_NOT_DISTURB_SCHEMA, minutes)
                            .await
                    }
                    other => other,
                }
            }
        })
        .await?;
        notes.extend(self.tokens.take_unsaved());
        Ok(notes)
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        let user = self.user(target).to_owned();
        let presence = self
            .with_token(|token| {
                let user = user.clone();
                async move { self.api.presence(&token, &user).await }
            })
            .await?;
        let mut shown = presence_words(&presence.status);
        if let Some(end) = presence
            .end_time
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        {
            shown = format!(
                "{shown} until {}",
                crate::error::local_time(&end.with_timezone(&chrono::Utc))
            );
        }
        Ok(ShownStatus {
            text: String::new(),
            emoji: None,
            availability: Some(shown),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(availability: Availability, minutes: Option<u64>) -> Status {
        Status {
            availability,
            duration: minutes.map(|m| Duration::from_secs(m * 60)),
            ..Status::cleared()
        }
    }

    #[test]
    fn availabilities_map_to_zoom_presence_values() {
        assert_eq!(presence_value(Availability::Available).0, "Available");
        assert_eq!(presence_value(Availability::Away).0, "Away");
        assert_eq!(
            presence_value(Availability::DoNotDisturb),
            ("Do_Not_Disturb", None)
        );
        let busy = presence_value(Availability::Busy);
        assert_eq!(busy.0, "Do_Not_Disturb");
        assert!(busy.1.is_some());
        assert_eq!(presence_value(Availability::AppearOffline).0, "Away");
        let caps = capabilities();
        assert_eq!(caps.text_limit, None);
        assert_eq!(
            caps.availability(Availability::DoNotDisturb)
                .map(|m| m.shown.as_str()),
            Some("Do not disturb")
        );
    }

    #[test]
    fn do_not_disturb_carries_whole_minutes_within_zoom_range() {
        assert_eq!(dnd_minutes(&status(Availability::Away, Some(30))), None);
        assert_eq!(
            dnd_minutes(&status(Availability::DoNotDisturb, Some(120))),
            Some((120, None))
        );
        let long =
            dnd_minutes(&status(Availability::DoNotDisturb, Some(3 * 24 * 60))).expect("dnd");
        assert_eq!(long.0, 1440);
        assert!(long.1.is_some_and(|n| n.contains("at most 1440")));
        let endless = dnd_minutes(&status(Availability::DoNotDisturb, None)).expect("dnd");
        assert_eq!(endless.0, 1440);
        assert!(endless.1.is_some_and(|n| n.contains("no end")));
        let short = Status {
            duration: Some(Duration::from_secs(90)),
            ..status(Availability::DoNotDisturb, None)
        };
        assert_eq!(dnd_minutes(&short), Some((2, None)));
    }
}
