//! Accounts: add (a service's own sign-in, then the server's check, then the keyring and
//! the config), test, sign in again, publish custom statuses, remove. Service-specific
//! steps are reached through the provider's capabilities; nothing here names a service.

use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

use super::context::Context;
use crate::config::Account;
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::providers::{Identity, NewCredentials, SignInPrompt, SyncChange};
use crate::secrets::{MemoryStore, SecretKey, SecretStore};

impl Context {
    fn refuse_taken(&self, id: &str) -> Result<()> {
        if self.config().account(id).is_some() {
            return Err(Error::InvalidField {
                field: "id",
                message: format!(
                    "an account called {id:?} exists; remove it first or pick another id"
                ),
            });
        }
        Ok(())
    }

    /// Runs the service's sign-in with what the face collected, then adds the account.
    pub(crate) async fn add_account(
        &self,
        id: &str,
        label: Option<String>,
        credentials: NewCredentials,
        prompt: &dyn SignInPrompt,
    ) -> Result<Identity> {
        // Before any sign-in: a browser round trip must not end in "that id is taken".
        self.refuse_taken(id)?;
        crate::config::check_id("account", id)?;
        let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
        if let Some(label) = &label {
            crate::config::check_label(id, label)?;
        }
        let connect = self.connect_with(self.secrets.clone());
        let shown = AccountLabel {
            service: credentials.service(),
            id: id.to_owned(),
            name: label.clone(),
        };
        let obtained = credentials.obtain(&shown, &connect, prompt).await?;
        let account = Account {
            id: id.to_owned(),
            label,
            settings: obtained.settings,
        };
        self.add_verified(account, obtained.secrets).await
    }

    /// Verifies credentials with the server, then stores the secrets in the keyring and
    /// the account in the config. Nothing is stored when verification fails.
    pub(crate) async fn add_verified(
        &self,
        mut account: Account,
        secrets: Vec<(&'static str, SecretString)>,
    ) -> Result<Identity> {
        self.refuse_taken(&account.id)?;
        account.settings.validate(&account.id)?;
        let label = account.label();
        let (identity, secrets) = self.verify_staged(&account, &[], &secrets).await?;
        account.settings.learn(&identity);
        for (name, value) in &secrets {
            self.secrets
                .set(&SecretKey::new(&account.id, name), value)?;
        }
        let added = self.update_config(|config| {
            if config.account(&account.id).is_some() {
                return Err(Error::invalid(format!(
                    "an account called {:?} was added meanwhile; remove it first or pick another id",
                    account.id
                )));
            }
            config.accounts.push(account.clone());
            Ok(())
        });
        if let Err(e) = added {
            // Leave no orphaned secret behind an account the config does not list, but never
            // one another process stored meanwhile for an account of the same id.
            for (name, value) in &secrets {
                let key = SecretKey::new(&account.id, name);
                let ours = self
                    .secrets
                    .get(&key)
                    .ok()
                    .flatten()
                    .is_some_and(|stored| stored.expose_secret() == value.expose_secret());
                if ours {
                    let _ = self.secrets.delete(&key);
                }
            }
            return Err(e);
        }
        tracing::info!("{label}: added");
        Ok(identity)
    }

    /// Checks credentials through the same provider code that will use them later, reading
    /// them from a staging store (the account's `kept` secrets from the keyring, overlaid
    /// with `new` ones) so nothing reaches the keyring before the server agrees. Returns
    /// the secrets to store: `new` as the check left them, since checking may renew them
    /// (Zoom's short-lived tokens rotate the refresh token; the spent one must not be kept).
    async fn verify_staged(
        &self,
        account: &Account,
        kept: &[&'static str],
        new: &[(&'static str, SecretString)],
    ) -> Result<(Identity, Vec<(&'static str, SecretString)>)> {
        let label = account.label();
        let staged: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        for name in kept {
            let key = SecretKey::new(&account.id, name);
            if let Some(value) = self.secrets.get(&key)? {
                staged.set(&key, &value)?;
            }
        }
        for (name, value) in new {
            staged.set(&SecretKey::new(&account.id, name), value)?;
        }
        let provider = account
            .settings
            .get()
            .connect(&label, &self.connect_with(staged.clone()))
            .map_err(|e| e.for_account(label.clone()))?;
        let identity = self
            .within_deadline(provider.verify())
            .await
            .map_err(|e| e.for_account(label))?;
        let mut newest = Vec::with_capacity(new.len());
        for (name, value) in new {
            let now = staged.get(&SecretKey::new(&account.id, name))?;
            newest.push((*name, now.unwrap_or_else(|| value.clone())));
        }
        // Renewed secrets the form did not carry (kept ones the check replaced).
        for name in kept {
            if newest.iter().any(|(n, _)| n == name) {
                continue;
            }
            let key = SecretKey::new(&account.id, name);
            if let (Some(now), before) = (staged.get(&key)?, self.secrets.get(&key)?) {
                if before.is_none_or(|b| b.expose_secret() != now.expose_secret()) {
                    newest.push((*name, now));
                }
            }
        }
        Ok((identity, newest))
    }

    /// Checks an account's stored credentials against its server.
    pub(crate) async fn test_account(&self, id: &str) -> Result<Identity> {
        let account = self.account(id)?;
        let label = account.label();
        // Always connected afresh: the point is to read the keyring and ask the server now.
        self.forget_provider(id);
        let provider = self
            .provider(&account)
            .map_err(|e| e.for_account(label.clone()))?;
        let verified = self.within_deadline(provider.verify()).await;
        if let Err(e) = &verified {
            self.forget_after(id, e);
        }
        self.note(&label, verified.as_ref().map(|_| ()));
        verified.map_err(|e| e.for_account(label))
    }

    /// Replaces some of an account's secrets once the server accepts them; until then the
    /// old ones stay.
    async fn replace_secrets(
        &self,
        account: &Account,
        secrets: Vec<(&'static str, SecretString)>,
    ) -> Result<Identity> {
        let (identity, secrets) = self
            .verify_staged(account, account.settings.secret_names(), &secrets)
            .await?;
        for (name, value) in &secrets {
            self.secrets
                .set(&SecretKey::new(&account.id, name), value)?;
        }
        self.forget_provider(&account.id);
        self.note(&account.label(), Ok(()));
        Ok(identity)
    }

    /// Accounts whose sign-in the service ended; only the user can renew it.
    pub(crate) fn needs_sign_in(&self) -> Vec<AccountLabel> {
        self.config()
            .accounts
            .iter()
            .filter(|a| self.provider(a).is_ok_and(|p| p.sign_in_needed()))
            .map(Account::label)
            .collect()
    }

    /// Signs an account in again, keeping its id, its preset overrides and the custom
    /// statuses it made. With `credentials` (a new API key, a password and second factor,
    /// a token), the service's sign-in runs with them; without, the service's own flow for
    /// signing in again (Zoom: the browser with the stored app secret). The new secrets
    /// replace the old only once the server accepts them.
    pub(crate) async fn sign_in_again(
        &self,
        id: &str,
        credentials: Option<NewCredentials>,
        prompt: &dyn SignInPrompt,
    ) -> Result<Identity> {
        let account = self.account(id)?;
        let label = account.label();
        let Some(credentials) = credentials else {
            let provider = self
                .provider(&account)
                .map_err(|e| e.for_account(label.clone()))?;
            let Some(flow) = provider.sign_in_again() else {
                return Err(Error::invalid(format!(
                    "{label} signs in again with new credentials (an API key, a password or a token), not in a browser"
                )));
            };
            let secrets = flow
                .sign_in_again(prompt)
                .await
                .map_err(|e| e.for_account(label))?;
            return self.replace_secrets(&account, secrets).await;
        };
        if credentials.service() != account.service() {
            return Err(Error::invalid(format!(
                "{label} is a {} account, not {}",
                account.service().display_name(),
                credentials.service().display_name()
            )));
        }
        let connect = self.connect_with(self.secrets.clone());
        let obtained = credentials.obtain(&label, &connect, prompt).await?;
        let mut renewed = Account {
            id: id.to_owned(),
            label: account.label.clone(),
            settings: obtained.settings,
        };
        // Custom statuses Presently made stay its own, on the same server only.
        let same_server = account.settings.get().server() == renewed.settings.get().server();
        if let (Some(kept), true) = (
            account.settings.get().custom_status_ids().cloned(),
            same_server,
        ) {
            if let Some(ids) = renewed.settings.get_mut().custom_status_ids_mut() {
                *ids = kept;
            }
        }
        renewed.settings.validate(id)?;
        let (identity, secrets) = self.verify_staged(&renewed, &[], &obtained.secrets).await?;
        renewed.settings.learn(&identity);
        for (name, value) in &secrets {
            self.secrets.set(&SecretKey::new(id, name), value)?;
        }
        self.update_config(|config| {
            let Some(stored) = config.accounts.iter_mut().find(|a| a.id == id) else {
                return Err(Error::invalid(format!(
                    "{label} was removed meanwhile; add it again"
                )));
            };
            stored.settings = renewed.settings.clone();
            Ok(())
        })?;
        self.note(&renewed.label(), Ok(()));
        Ok(identity)
    }

    /// Gives an account another name in messages, the tray and the window (`None`: its
    /// id). The id, secrets, overrides and custom statuses stay as they are.
    pub(crate) fn rename_account(&self, id: &str, label: Option<String>) -> Result<()> {
        let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
        if let Some(label) = &label {
            crate::config::check_label(id, label)?;
        }
        self.update_config(|config| {
            let Some(stored) = config.accounts.iter_mut().find(|a| a.id == id) else {
                return Err(Error::invalid(format!("there is no account called {id:?}")));
            };
            stored.label = label.clone();
            Ok(())
        })?;
        self.forget_provider(id);
        Ok(())
    }

    /// Publishes the presets as the server's custom statuses, where the service has them.
    /// With `dry_run`, only plans. The ids of statuses Presently creates are remembered in
    /// the account's settings. No lock a click needs is held meanwhile.
    pub(crate) async fn sync_custom_statuses(
        &self,
        id: &str,
        dry_run: bool,
    ) -> Result<Vec<(SyncChange, Result<(), ProviderError>)>> {
        let account = self.account(id)?;
        let label = account.label();
        let not_offered = || {
            Error::invalid(format!(
                "{id} is a {} account; custom statuses are a Rocket.Chat feature",
                account.service().display_name()
            ))
        };
        let known = account
            .settings
            .get()
            .custom_status_ids()
            .cloned()
            .ok_or_else(not_offered)?;
        let provider = self
            .provider(&account)
            .map_err(|e| e.for_account(label.clone()))?;
        let statuses = provider.custom_statuses().ok_or_else(not_offered)?;
        let changes = statuses
            .plan(&self.config().presets, &known)
            .await
            .map_err(|e| e.for_account(label.clone()))?;
        if dry_run {
            return Ok(changes.into_iter().map(|c| (c, Ok(()))).collect());
        }
        let mut now_known = known.clone();
        let mut results = Vec::new();
        for change in changes {
            let result = statuses.send(&change).await;
            if let Ok(created) = &result {
                match &change {
                    SyncChange::Create { preset, .. } | SyncChange::Update { preset, .. } => {
                        if let Some(id) = change.resulting_id(created.as_ref()) {
                            now_known.retain(|_, known_id| known_id != &id);
                            now_known.insert(preset.clone(), id);
                        }
                    }
                    SyncChange::Delete { preset, .. } => {
                        now_known.remove(preset);
                    }
                    SyncChange::Foreign { .. } => {}
                }
            }
            results.push((change, result.map(|_| ())));
        }
        if now_known != known {
            self.update_config(|config| {
                if let Some(ids) = config
                    .accounts
                    .iter_mut()
                    .find(|a| a.id == id)
                    .and_then(|a| a.settings.get_mut().custom_status_ids_mut())
                {
                    *ids = now_known;
                }
                Ok(())
            })?;
        }
        Ok(results)
    }

    /// Removes the account from the config and deletes its keyring entries; credentials
    /// that came from signing in are signed out first. Returns notes on what could not be done.
    pub(crate) async fn remove_account(&self, id: &str) -> Result<Vec<String>> {
        let account = self.account(id)?;
        let mut notes = Vec::new();
        let signed_out = match self.provider(&account) {
            Ok(provider) => self.within_deadline(provider.sign_out()).await,
            Err(e) => Err(e),
        };
        match signed_out {
            // Already signed out on the server, or no secret left to sign out with.
            Ok(())
            | Err(ProviderError::AuthRejected { .. })
            | Err(ProviderError::MissingSecret) => {}
            Err(e) => notes.push(format!(
                "could not sign the token out on the server ({e}); it is deleted here"
            )),
        }
        // Config first: if it cannot be saved, the account keeps its working credentials.
        self.update_config(|config| {
            config.accounts.retain(|a| a.id != id);
            for preset in &mut config.presets {
                preset.overrides.remove(id);
            }
            Ok(())
        })?;
        self.forget_provider(id);
        self.pacing.forget_account(id)?;
        self.state_file
            .update(|state| state.forget(&[id.to_owned()]))?;
        for name in account.settings.secret_names() {
            self.secrets.delete(&SecretKey::new(id, name))?;
        }
        Ok(notes)
    }
}
