//! Presets: preview a draft exactly as each account will show it, save one (new or
//! changed), delete, reorder. Nothing invalid reaches the config: a preset is saved only
//! when every account can show it.

use super::context::Context;
use crate::config::check_id;
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::preset::Preset;
use crate::preset::Status;
use crate::preview::{preview, Preview};
use crate::providers::Provider;

/// One of an organization's own emoji, for the picker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CustomEmoji {
    /// Without colons; a preset says it as ":name:".
    pub name: String,
    /// The accounts that have it: "Zulip (work)".
    pub accounts: Vec<String>,
}
use chrono::{DateTime, Utc};

impl Context {
    /// How a preset that may not be saved yet will look on each account (skipped accounts
    /// are left out). Checks what the service itself refuses, e.g. an emoji it has no name for.
    pub(crate) async fn preview_draft(
        &self,
        draft: &Preset,
    ) -> Result<Vec<(AccountLabel, Result<Preview, ProviderError>)>> {
        let config = self.config();
        let now = self.clock.now();
        let mut statuses = Vec::new();
        for account in &config.accounts {
            let Some(mut status) = draft.status_for(&account.id)? else {
                continue;
            };
            status.duration = draft.lasts(now);
            statuses.push((account, status));
        }
        let previews = statuses.into_iter().map(|(account, status)| async move {
            let shown = match self.provider(account) {
                Ok(provider) => self.preview_on(provider.as_ref(), &status, now).await,
                Err(e) => Err(e),
            };
            (account.label(), shown)
        });
        Ok(futures::future::join_all(previews).await)
    }

    /// The accounts' own emoji (Zulip's custom emoji) whose name has every word of `query`,
    /// with the accounts that have each, at most `limit`. An account that cannot say is
    /// left out: the picker is a help, and sending checks the name again.
    pub(crate) async fn custom_emoji(&self, query: &str, limit: usize) -> Vec<CustomEmoji> {
        let config = self.config();
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| w.trim_matches(':').to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        let asked = config.accounts.iter().map(|account| async move {
            let names = match self.provider(account) {
                Ok(provider) => self
                    .within_deadline(provider.custom_emoji_names())
                    .await
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            (account.label().to_string(), names)
        });
        let mut found: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (account, names) in futures::future::join_all(asked).await {
            for name in names {
                if words
                    .iter()
                    .all(|w| name.to_lowercase().contains(w.as_str()))
                {
                    found.entry(name).or_default().push(account.clone());
                }
            }
        }
        found
            .into_iter()
            .take(limit)
            .map(|(name, accounts)| CustomEmoji { name, accounts })
            .collect()
    }

    /// What `status` will look like on one account: its declared capabilities, then what
    /// the service makes of the emoji (the same call sending makes, so the two agree).
    pub(crate) async fn preview_on(
        &self,
        provider: &dyn Provider,
        status: &Status,
        now: DateTime<Utc>,
    ) -> Result<Preview, ProviderError> {
        let caps = self.within_deadline(provider.capabilities()).await?;
        let mut shown = preview(status, &caps, now);
        let has_field = !caps.emoji_in_text && (caps.unicode_emoji || caps.custom_emoji);
        if let (Some(emoji), true) = (&status.emoji, has_field) {
            match self.within_deadline(provider.emoji_shown(emoji)).await {
                Ok(emoji) => {
                    shown.emoji = Some(emoji.shown);
                    shown.notes.extend(emoji.note);
                }
                Err(e) => {
                    shown.problem.get_or_insert_with(|| e.to_string());
                }
            }
        }
        Ok(shown)
    }

    /// Saves `preset`, replacing the one called `replacing` (keeping its place) or adding it
    /// at the end. Refused, naming the field, when an account cannot show it.
    pub(crate) async fn save_preset(&self, replacing: Option<&str>, preset: Preset) -> Result<()> {
        check_id("preset", &preset.id).map_err(|e| Error::InvalidField {
            field: "id",
            message: e.to_string(),
        })?;
        if preset.name.trim().is_empty() {
            return Err(Error::InvalidField {
                field: "name",
                message: "a preset needs a name".into(),
            });
        }
        if let Some(until) = preset.until {
            if until.remaining(self.clock.now()).is_none() {
                return Err(Error::InvalidField {
                    field: "until",
                    message: "the chosen end has passed; pick a later time".into(),
                });
            }
        }
        for (label, shown) in self.preview_draft(&preset).await? {
            match shown {
                Ok(Preview {
                    problem: Some(problem),
                    ..
                }) => {
                    return Err(Error::InvalidField {
                        field: "text",
                        message: format!("{label}: {problem}"),
                    })
                }
                Ok(_) => {}
                // Nothing unchecked reaches the config: an account that cannot say what it
                // can show now is asked again when the preset is saved again.
                Err(e) => {
                    return Err(Error::InvalidField {
                        field: "text",
                        message: format!(
                            "{label}: cannot check what it can show now ({e}); save again once it answers"
                        ),
                    })
                }
            }
        }
        self.update_config(|config| {
            let taken = config
                .presets
                .iter()
                .any(|p| p.id == preset.id && Some(p.id.as_str()) != replacing);
            if taken {
                return Err(Error::InvalidField {
                    field: "id",
                    message: format!("another preset is called {:?}", preset.id),
                });
            }
            match replacing.and_then(|id| config.presets.iter().position(|p| p.id == id)) {
                Some(index) => {
                    let old_id = config.presets[index].id.clone();
                    if config.settings.restore_preset.as_deref() == Some(old_id.as_str()) {
                        config.settings.restore_preset = Some(preset.id.clone());
                    }
                    config.presets[index] = preset.clone();
                }
                None => config.presets.push(preset.clone()),
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Deletes a preset; a `restore_preset` naming it is dropped (statuses are cleared then).
    pub(crate) fn delete_preset(&self, id: &str) -> Result<()> {
        self.update_config(|config| {
            let before = config.presets.len();
            config.presets.retain(|p| p.id != id);
            if config.presets.len() == before {
                return Err(Error::invalid(format!("no preset called {id:?}")));
            }
            if config.settings.restore_preset.as_deref() == Some(id) {
                config.settings.restore_preset = None;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Replaces the general settings (what happens when a status ends, notifications,
    /// start at login, the per-request timeout).
    pub(crate) fn save_settings(&self, settings: crate::config::Settings) -> Result<()> {
        self.update_config(|config| {
            config.settings = settings;
            Ok(())
        })?;
        Ok(())
    }

    /// Puts the presets in the order of `ids` (the tray menu follows); every preset once.
    pub(crate) fn reorder_presets(&self, ids: &[String]) -> Result<()> {
        self.update_config(|config| {
            let mut ordered = Vec::with_capacity(config.presets.len());
            for id in ids {
                let index = config
                    .presets
                    .iter()
                    .position(|p| &p.id == id)
                    .ok_or_else(|| Error::invalid(format!("no preset called {id:?}")))?;
                ordered.push(config.presets.remove(index));
            }
            if !config.presets.is_empty() {
                return Err(Error::invalid(
                    "the new order must name every preset once; reload and try again",
                ));
            }
            config.presets = ordered;
            Ok(())
        })?;
        Ok(())
    }
}
