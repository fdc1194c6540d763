//! Slack: a custom status (`status_text`, `status_emoji` as `:name:`, ended by Slack at
//! `status_expiration`), presence (`auto` or a manual `away`) and do not disturb (a
//! notification snooze of some minutes, ended by Slack). One account is one user in one
//! workspace, with a user token (`xoxp-…`).
//! Sources: <https://docs.slack.dev/apis/web-api/user-presence-and-status>,
//! <https://docs.slack.dev/reference/methods/users.profile.set>,
//! <https://docs.slack.dev/reference/methods/users.setPresence>,
//! <https://docs.slack.dev/reference/methods/dnd.setSnooze>,
//! <https://docs.slack.dev/reference/methods/emoji.list>.

mod auth;
mod client;
mod config;
mod oauth;

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

pub use auth::NewCredentials;
use client::{Args, CallError, SlackApi};
pub use config::{SlackSettings, DEFAULT_REDIRECT_PORT, SLACK_BASE};
pub use oauth::USER_SCOPES;

use super::{
    partly, AvailabilityMapping, Capabilities, Connect, EmojiShown, Identity, Provider, Service,
    ServiceSettings, ShownStatus, SignInAgain, Target, TextLimit, TextUnit, TimedAvailability,
};
use crate::emoji::{shown_for_shortcode, Emoji};
use crate::error::{AccountLabel, ProviderError};
use crate::oauth::TokenKeeper;
use crate::preset::{Availability, Status};
use crate::preview::check_text;

/// The account's settings in the service registry.
pub type Settings = SlackSettings;

/// The user token (and, with token rotation, its refresh token and end), one JSON secret.
pub const TOKENS: &str = "tokens";
pub(crate) const SECRET_NAMES: &[&str] = &[TOKENS];

/// `status_text` takes at most 100 characters (`too_long` beyond). How Slack counts them is
/// UNCONFIRMED: UTF-16 units are counted, the stricter reading (an emoji outside the Basic
/// Multilingual Plane counts twice), so what the preview passes Slack never refuses.
pub const TEXT_LIMIT: TextLimit = TextLimit {
    max: 100,
    unit: TextUnit::Utf16Units,
    trims_whitespace: false,
};

/// The longest snooze Presently asks for: Slack's own maximum of `num_minutes` is not
/// documented (UNCONFIRMED), so a do not disturb without an end is a day.
pub const MAX_SNOOZE_MINUTES: u32 = 24 * 60;

impl ServiceSettings for SlackSettings {
    fn validate(&self, account_id: &str) -> crate::Result<()> {
        SlackSettings::validate(self, account_id)
    }

    fn describe(&self) -> String {
        let who = if self.user.is_empty() {
            "?"
        } else {
            &self.user
        };
        let team = if self.team.is_empty() {
            &self.base
        } else {
            &self.team
        };
        format!("{who} in {team} (Slack)")
    }

    fn learn(&mut self, identity: &Identity) {
        self.user_id.clone_from(&identity.user_id);
        self.user.clone_from(&identity.name);
        // "Slack workspace Acme (T0123)": the name between the words and the id.
        if let Some(team) = identity.server.strip_prefix("Slack workspace ") {
            if let Some((name, id)) = team.rsplit_once(" (") {
                self.team = name.to_owned();
                self.team_id = id.trim_end_matches(')').to_owned();
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
        Ok(Arc::new(Slack::connect(account, self, with)?))
    }

    fn server(&self) -> Option<&str> {
        Some(&self.base)
    }
}

/// What Slack shows for an availability, and a note when it is not an exact match.
fn shown_for(availability: Availability) -> (&'static str, Option<&'static str>) {
    match availability {
        Availability::Available => ("active", None),
        Availability::Away => ("away", None),
        Availability::Busy => (
            "active",
            Some("Slack has no busy; the status text and emoji say it, presence stays automatic"),
        ),
        Availability::DoNotDisturb => ("do not disturb", None),
        Availability::AppearOffline => (
            "away",
            Some("Slack cannot appear offline through its API; shown as away"),
        ),
    }
}

/// What Slack can show: the same for every workspace.
pub(crate) fn capabilities() -> Capabilities {
    Capabilities {
        service: Service::Slack,
        text_limit: Some(TEXT_LIMIT),
        unicode_emoji: true,
        custom_emoji: true,
        emoji_in_text: false,
        availabilities: Availability::ALL
            .into_iter()
            .map(|wanted| {
                let (shown, note) = shown_for(wanted);
                AvailabilityMapping {
                    wanted,
                    shown: shown.to_owned(),
                    note: note.map(str::to_owned),
                }
            })
            .collect(),
        // Away has no end on Slack, so Presently ends timed statuses; Slack ends the
        // status text and the snooze by itself as well.
        native_expiry: false,
        text_ends_itself: true,
        timed: Some(TimedAvailability {
            availabilities: vec![Availability::DoNotDisturb],
            max_minutes: MAX_SNOOZE_MINUTES,
        }),
        min_update_interval_seconds: None,
        notes: vec![
            "Slack ends the status text and do not disturb itself, even with this computer off"
                .to_owned(),
            "Slack takes 10 status changes a minute per person; more wait for Slack's turn"
                .to_owned(),
        ],
    }
}

#[derive(Debug)]
pub(crate) struct Slack {
    label: AccountLabel,
    api: SlackApi,
    tokens: TokenKeeper,
    /// Present when the account signed in through the browser.
    oauth: Option<oauth::SlackOAuth>,
    redirect_port: u16,
    /// Who the account is (from the settings): signing in again must be the same person in
    /// the same workspace.
    team_id: String,
    user_id: String,
    timeout: Duration,
    /// The workspace's custom emoji names (and aliases), listed once per process.
    custom_emoji: OnceCell<HashSet<String>>,
}

pub(crate) fn api_for(
    base: &str,
    http: reqwest::Client,
    timeout: Duration,
) -> Result<SlackApi, ProviderError> {
    SlackApi::new(http, &crate::http::provider_url(base)?, timeout)
}

/// No renewal for a pasted token: when Slack refuses it, only a new one helps.
#[derive(Debug)]
struct NoRenewal;

#[async_trait]
impl crate::oauth::TokenEndpoint for NoRenewal {
    async fn refresh(&self, _: &SecretString) -> Result<crate::oauth::TokenSet, ProviderError> {
        Err(ProviderError::SignInAgain {
            reason: "a pasted token cannot be renewed".into(),
        })
    }
}

impl Slack {
    fn connect(
        account: &AccountLabel,
        settings: &SlackSettings,
        with: &Connect,
    ) -> Result<Self, ProviderError> {
        let oauth = if settings.client_id.is_empty() {
            None
        } else {
            Some(auth::oauth_for(settings, with)?)
        };
        let endpoint: Arc<dyn crate::oauth::TokenEndpoint> = match &oauth {
            Some(oauth) => Arc::new(oauth.clone()),
            None => Arc::new(NoRenewal),
        };
        Ok(Slack {
            label: account.clone(),
            api: api_for(&settings.base, with.http.clone(), with.timeout)?,
            tokens: TokenKeeper::new(
                &account.id,
                Service::Slack,
                TOKENS,
                endpoint,
                with.secrets.clone(),
            ),
            oauth,
            redirect_port: settings.redirect_port,
            team_id: settings.team_id.clone(),
            user_id: settings.user_id.clone(),
            timeout: with.timeout,
            custom_emoji: OnceCell::new(),
        })
    }

    /// Calls `method` with a fresh token; an expired rotating token is renewed and the call
    /// made once more; a rate limit that lifts within the deadline is waited out once.
    async fn call(
        &self,
        method: &str,
        args: impl Fn() -> Args + Send + Sync,
    ) -> Result<Value, ProviderError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        crate::http::retry_once_after_rate_limit(deadline, || async {
            let token = self.tokens.access_token().await?;
            let (used, answer) = match self.api.call(method, Some(&token), args()).await {
                Err(CallError::TokenExpired) => {
                    let renewed = self.tokens.renew_after_rejection(&token).await?;
                    let answer = self.api.call(method, Some(&renewed), args()).await;
                    (renewed, answer)
                }
                answer => (token, answer),
            };
            match answer {
                Ok(value) => Ok(value),
                Err(CallError::TokenExpired) => Err(ProviderError::SignInAgain {
                    reason: "Slack refused the renewed token as expired".into(),
                }),
                // A browser sign-in is marked as ended, once: later clicks leave the account
                // out until it signs in again. A pasted token stays a plain refusal (a new
                // one is pasted, there is nothing to mark).
                Err(CallError::SignInEnded(e)) if self.oauth.is_some() => {
                    tracing::debug!("{}: {e}", self.label.id);
                    let why = "Slack ended the sign-in (the app was removed, the token revoked or the user deactivated)";
                    Err(self.tokens.ended(&used, why).await)
                }
                Err(CallError::SignInEnded(e) | CallError::Other(e)) => Err(e),
            }
        })
        .await
    }

    async fn custom_emoji(&self) -> Result<&HashSet<String>, ProviderError> {
        self.custom_emoji
            .get_or_try_init(|| async {
                let value = self.call("emoji.list", || Args::Query(Vec::new())).await?;
                Ok(value
                    .get("emoji")
                    .and_then(Value::as_object)
                    .map(|map| map.keys().cloned().collect())
                    .unwrap_or_default())
            })
            .await
    }

    /// The `:name:` Slack stores for `emoji`, and how it shows.
    async fn emoji_name(&self, emoji: &Emoji) -> Result<(String, EmojiShown), ProviderError> {
        match emoji {
            Emoji::Unicode(glyph) => {
                let (name, note) = crate::emoji::shortcode_for(glyph, "Slack")?;
                Ok((
                    format!(":{name}:"),
                    EmojiShown {
                        shown: shown_for_shortcode(name),
                        note,
                    },
                ))
            }
            Emoji::Named(name) if emojis::get_by_shortcode(name).is_some() => Ok((
                format!(":{name}:"),
                EmojiShown {
                    shown: shown_for_shortcode(name),
                    note: None,
                },
            )),
            Emoji::Named(name) => {
                if !self.custom_emoji().await?.contains(name) {
                    return Err(ProviderError::InvalidStatus(format!(
                        "this Slack workspace has no emoji :{name}:"
                    )));
                }
                Ok((
                    format!(":{name}:"),
                    EmojiShown {
                        shown: format!(":{name}:"),
                        note: None,
                    },
                ))
            }
        }
    }
}

#[async_trait]
impl Provider for Slack {
    fn label(&self) -> &AccountLabel {
        &self.label
    }

    fn sign_in_needed(&self) -> bool {
        self.tokens.sign_in_needed().unwrap_or(false)
    }

    async fn capabilities(&self) -> Result<Capabilities, ProviderError> {
        Ok(capabilities())
    }

    async fn verify(&self) -> Result<Identity, ProviderError> {
        let value = self.call("auth.test", || Args::Form(Vec::new())).await?;
        let field = |name: &str| {
            crate::http::untrusted(value.get(name).and_then(Value::as_str).unwrap_or_default())
        };
        if value
            .get("bot_id")
            .and_then(Value::as_str)
            .is_some_and(|b| !b.is_empty())
        {
            return Err(ProviderError::AuthRejected {
                reason: "this token belongs to a bot, and a bot has no status of its own; use a user token (xoxp-…)".into(),
            });
        }
        let (user_id, team_id) = (field("user_id"), field("team_id"));
        let id_like = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !id_like(&user_id) || !id_like(&team_id) {
            return Err(ProviderError::Protocol(
                "unexpected answer from the server to auth.test: no user or team id".into(),
            ));
        }
        Ok(Identity {
            user_id,
            name: field("user"),
            is_admin: false,
            server: format!("Slack workspace {} ({team_id})", field("team")),
            email: None,
        })
    }

    async fn emoji_shown(&self, emoji: &Emoji) -> Result<EmojiShown, ProviderError> {
        Ok(self.emoji_name(emoji).await?.1)
    }

    async fn custom_emoji_names(&self) -> Result<Vec<String>, ProviderError> {
        let mut names: Vec<String> = self.custom_emoji().await?.iter().cloned().collect();
        names.sort();
        Ok(names)
    }

    async fn set_status(
        &self,
        status: &Status,
        target: &Target,
    ) -> Result<Vec<String>, ProviderError> {
        if let Target::User(user) = target {
            return Err(ProviderError::Unsupported(format!(
                "Presently sets Slack statuses only for the signed-in user, not {:?} (Slack lets only Enterprise admins change others' profiles)",
                crate::http::untrusted(user)
            )));
        }
        let caps = capabilities();
        let text = check_text(status, &caps)?;
        let mut notes = Vec::new();
        notes.extend(shown_for(status.availability).1.map(str::to_owned));
        let emoji = match &status.emoji {
            Some(emoji) => {
                let (name, shown) = self.emoji_name(emoji).await?;
                notes.extend(shown.note);
                name
            }
            None => String::new(),
        };
        let expiration = status
            .duration
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| (chrono::Utc::now() + d).timestamp())
            .unwrap_or(0);
        // Both fields always: clearing one alone is refused
        // (`must_clear_both_status_text_and_status_emoji`).
        let profile = json!({ "profile": {
            "status_text": text,
            "status_emoji": emoji,
            "status_expiration": if text.is_empty() && emoji.is_empty() { 0 } else { expiration },
        }});
        let presence = match status.availability {
            Availability::Away | Availability::AppearOffline => "away",
            _ => "auto",
        };
        // The status first: it is what Slack refuses most (its text and emoji rules, ten
        // changes a minute). Refused, nothing else changed, and the change failed cleanly.
        self.call("users.profile.set", move || Args::Json(profile.clone()))
            .await?;
        let snooze = async {
            match status.availability {
                Availability::DoNotDisturb => {
                    let timed = caps
                        .timed
                        .as_ref()
                        .map(|t| t.minutes_for(Service::Slack, status.duration));
                    let (minutes, note) = timed.unwrap_or((MAX_SNOOZE_MINUTES, None));
                    let minutes = minutes.to_string();
                    self.call("dnd.setSnooze", move || {
                        Args::Form(vec![("num_minutes", minutes.clone())])
                    })
                    .await
                    .map(|_| note)
                }
                // Available (and a clear) ends a snooze; none running is no failure. Away and
                // the rest leave one alone: it may be the user's own, and Slack ends
                // Presently's at its end anyway.
                Availability::Available => {
                    match self.call("dnd.endSnooze", || Args::Form(Vec::new())).await {
                        Ok(_) => Ok(None),
                        Err(ProviderError::Rejected { reason })
                            if reason.ends_with("snooze_not_active")
                                || reason.ends_with("snooze_end_failed") =>
                        {
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    }
                }
                _ => Ok(None),
            }
        };
        let presence_call = self.call("users.setPresence", move || {
            Args::Form(vec![("presence", presence.to_owned())])
        });
        // Presence and do not disturb are independent: sent together after the status.
        let (presence, snooze) = tokio::join!(presence_call, snooze);
        match (presence, snooze) {
            (Ok(_), Ok(note)) => {
                notes.extend(note);
                Ok(notes)
            }
            (Err(e), Ok(_)) => Err(partly(e, "the status text changed, the presence did not")),
            (Ok(_), Err(e)) => Err(partly(
                e,
                "the status text and presence changed, do not disturb did not",
            )),
            (Err(e), Err(_)) => Err(partly(
                e,
                "the status text changed, the presence and do not disturb did not",
            )),
        }
    }

    async fn read_status(&self, target: &Target) -> Result<ShownStatus, ProviderError> {
        if let Target::User(_) = target {
            return Err(ProviderError::Unsupported(
                "Presently reads Slack statuses only for the signed-in user".into(),
            ));
        }
        let (profile, dnd) = tokio::join!(
            self.call("users.profile.get", || Args::Query(Vec::new())),
            self.call("dnd.info", || Args::Query(Vec::new()))
        );
        let profile = profile?;
        let field = |name: &str| {
            profile
                .pointer(&format!("/profile/{name}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        // A status past its `status_expiration` is Slack's to clear; it shows nothing.
        let expiration = profile
            .pointer("/profile/status_expiration")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let expired = expiration != 0 && expiration <= chrono::Utc::now().timestamp();
        let emoji = field("status_emoji");
        let name = emoji.trim_matches(':');
        // dnd.info needs dnd:read, which a pasted token may lack: then the snooze is unknown,
        // and the status is read all the same.
        let snoozed = match dnd {
            Ok(info) => info
                .get("snooze_enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            Err(e) => {
                tracing::debug!("{}: dnd.info: {e}", self.label.id);
                false
            }
        };
        Ok(ShownStatus {
            text: if expired {
                String::new()
            } else {
                field("status_text")
            },
            emoji: (!expired && !name.is_empty()).then(|| shown_for_shortcode(name)),
            availability: snoozed.then(|| "do not disturb".to_owned()),
        })
    }

    /// A token from the browser sign-in is revoked (`auth.revoke`) when the account is
    /// removed; a pasted one is the user's own, in their app's settings.
    async fn sign_out(&self) -> Result<(), ProviderError> {
        if self.oauth.is_none() {
            return Ok(());
        }
        match self.call("auth.revoke", || Args::Form(Vec::new())).await {
            Ok(_) => Ok(()),
            // Already dead is signed out.
            Err(ProviderError::AuthRejected { .. } | ProviderError::SignInAgain { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn sign_in_again(&self) -> Option<&dyn SignInAgain> {
        self.oauth.as_ref().map(|_| self as &dyn SignInAgain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availabilities_say_where_slack_differs() {
        let caps = capabilities();
        assert!(!caps.native_expiry, "away has no end on Slack");
        assert!(caps
            .notes
            .iter()
            .any(|n| n.contains("ends the status text")));
        let busy = caps.availability(Availability::Busy).expect("mapped");
        assert_eq!(busy.shown, "active");
        assert!(busy.note.as_deref().is_some_and(|n| n.contains("no busy")));
        let offline = caps
            .availability(Availability::AppearOffline)
            .expect("mapped");
        assert_eq!(offline.shown, "away");
        assert!(offline.note.is_some());
        let timed = caps.timed.expect("do not disturb is a snooze of minutes");
        assert_eq!(
            timed.minutes_for(Service::Slack, Some(Duration::from_secs(90))),
            (2, None)
        );
        let (minutes, note) = timed.minutes_for(Service::Slack, None);
        assert_eq!(minutes, MAX_SNOOZE_MINUTES);
        assert!(note.is_some());
    }

    #[test]
    fn text_counts_in_utf16_units_up_to_100() {
        let caps = capabilities();
        let status = |text: String| Status {
            emoji: Some(Emoji::Unicode("🌴".into())),
            text,
            ..Status::cleared()
        };
        assert!(check_text(&status("é".repeat(100)), &caps).is_ok());
        let err = check_text(&status("é".repeat(101)), &caps).expect_err("101");
        assert!(err.to_string().contains("Slack allows 100"), "{err}");
        // 🎉 is two UTF-16 units: 50 fit, 51 do not.
        assert!(check_text(&status("🎉".repeat(50)), &caps).is_ok());
        assert!(check_text(&status("🎉".repeat(51)), &caps).is_err());
    }

    #[test]
    fn the_workspace_and_user_are_learned_from_auth_test() {
        let mut settings = SlackSettings::new(SLACK_BASE);
        settings.learn(&Identity {
            user_id: "U0ALICE".into(),
            name: "alice".into(),
            is_admin: false,
            server: "Slack workspace Acme (Tokyo) (T0ACME)".into(),
            email: None,
        });
        assert_eq!(settings.team, "Acme (Tokyo)");
        assert_eq!(settings.team_id, "T0ACME");
        assert_eq!(settings.user_id, "U0ALICE");
        assert_eq!(settings.describe(), "alice in Acme (Tokyo) (Slack)");
        assert!(settings.validate("acme").is_ok());
        let toml = toml::to_string(&settings).expect("toml");
        assert!(
            !toml.contains("base"),
            "the default address is left out: {toml}"
        );
    }
}
