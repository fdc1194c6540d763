//! The operations a user can ask for, shared by the CLI and the tray app: apply a preset
//! or a one-off status, clear, read back, end timed statuses, add and remove accounts.

use chrono::Utc;
use secrecy::SecretString;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::{Account, Config, ConfigFile};
use crate::dispatch::{self, summarize, Claimed, Job, Outcome, Pacer, Summary, WhenPaced};
use crate::emoji::Emoji;
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::expiry::{Active, Entry, StateFile};
use crate::pacing::{Pacing, Wish, WishTurn};
use crate::preset::{Availability, Status};
use crate::preview::{preview, Preview};
use crate::providers::{self, AccountSettings, Identity, Provider, ShownStatus, Target};
use crate::secrets::{MemoryStore, SecretKey, SecretStore};

pub use crate::providers::rocketchat::sync::Change as SyncChange;

/// What the user asked to show. Fields set here override the preset's.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub preset: Option<String>,
    pub text: Option<String>,
    pub emoji: Option<String>,
    pub availability: Option<Availability>,
    pub duration: Option<Duration>,
    /// Empty means every configured account.
    pub accounts: Vec<String>,
    pub target: Target,
}

/// The result of one apply or clear: per-account outcomes and their summary.
#[derive(Debug, Clone)]
pub struct Report {
    pub label: String,
    /// "set" or "cleared", for summaries made again later.
    pub verb: String,
    pub outcomes: Vec<Outcome>,
    /// Accounts the preset leaves alone (`skip = true`).
    pub skipped: Vec<String>,
    /// Accounts left out because the user must sign in again; reported once, when the
    /// sign-in ended, not on every change.
    pub needs_sign_in: Vec<AccountLabel>,
    pub summary: Summary,
}

/// The server id a successful sync change leaves behind for its preset.
fn change_id(
    change: &SyncChange,
    result: &Result<Option<String>, ProviderError>,
) -> Option<String> {
    match (change, result) {
        (SyncChange::Create { .. }, Ok(Some(created))) => Some(created.clone()),
        (SyncChange::Update { id, .. }, Ok(_)) => Some(id.clone()),
        _ => None,
    }
}

fn succeeded_accounts(report: &Report) -> Vec<String> {
    report
        .outcomes
        .iter()
        .filter(|o| o.succeeded())
        .map(|o| o.account.id.clone())
        .collect()
}

impl Report {
    /// Every account asked succeeded; a change that reached no account at all, because
    /// every one needs a new sign-in, did not.
    pub fn all_succeeded(&self) -> bool {
        let nothing_done = self.outcomes.is_empty() && !self.needs_sign_in.is_empty();
        self.outcomes.iter().all(Outcome::succeeded) && !nothing_done
    }
}

/// One account and the status it gets (`None`: the preset skips it).
type AccountStatus<'a> = (&'a Account, Option<Status>);

pub struct Session {
    config_file: ConfigFile,
    config: Config,
    state_file: StateFile,
    secrets: Arc<dyn SecretStore>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// One change at a time: an expiry must not clear what a click just set.
    changing: tokio::sync::Mutex<()>,
    /// When the config was read, to notice edits made by hand or by the CLI.
    config_modified: Option<std::time::SystemTime>,
    /// Turns for services that take one change a minute, shared with other processes.
    pacing: Pacing,
    when_paced: WhenPaced,
    dir: std::path::PathBuf,
}

impl Session {
    pub fn open(dir: &Path, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        let config_file = ConfigFile::in_dir(dir);
        let config = config_file.load_or_create()?;
        let timeout = Duration::from_secs(config.settings.timeout_seconds);
        Ok(Session {
            config_modified: config_file.modified(),
            config_file,
            config,
            state_file: StateFile::in_dir(dir),
            secrets,
            http: crate::http::client(timeout)?,
            clock,
            changing: tokio::sync::Mutex::new(()),
            pacing: Pacing::in_dir(dir),
            when_paced: WhenPaced::Queue,
            dir: dir.to_path_buf(),
        })
    }

    /// The directory holding the config and Presently's state files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What to do with a change a paced service cannot take yet (default: queue it).
    pub fn set_when_paced(&mut self, when_paced: WhenPaced) {
        self.when_paced = when_paced;
    }

    fn pacer(&self) -> Pacer<'_> {
        Pacer {
            pacing: &self.pacing,
            clock: self.clock.as_ref(),
            when_paced: self.when_paced,
        }
    }

    /// Changes waiting for their turn on paced services, soonest first.
    pub fn pending(&self) -> Result<Vec<Wish>> {
        self.pacing.pending()
    }

    /// When the next waiting change may go out.
    pub fn next_pending(&self) -> Result<Option<chrono::DateTime<Utc>>> {
        self.pacing.next_due()
    }

    /// Gives up a change that waited for its turn: it will not be sent, and Presently no
    /// longer counts it as the status in effect on that account (it was recorded as set
    /// when it was queued).
    pub fn withdraw(&self, wish: &Wish) -> Result<()> {
        self.pacing
            .withdraw(&wish.account, &wish.target(), wish.wanted_at)?;
        if wish.user.is_none() {
            self.state_file
                .update(|state| state.forget(std::slice::from_ref(&wish.account)))?;
        }
        Ok(())
    }

    /// Sends the waiting changes whose turn has come, each with its report. A wish another
    /// process took, or a newer wish replaced, is left alone.
    pub async fn send_due(&self) -> Result<Vec<(Wish, Report)>> {
        let _one_at_a_time = self.changing.lock().await;
        let mut sent = Vec::new();
        for wish in self.pacing.due(self.clock.now())? {
            let Some(account) = self.config.account(&wish.account) else {
                self.pacing.forget_account(&wish.account)?;
                continue;
            };
            let status = wish.status.to_status()?;
            let provider = match self.provider(account) {
                // Nothing can be sent until the user signs in again; the account says so.
                Ok(provider) if provider.sign_in_needed() => {
                    self.withdraw(&wish)?;
                    continue;
                }
                Ok(provider) => Ok(provider),
                Err(cause) => Err(cause),
            };
            let now = self.clock.now();
            let previous = match self.pacing.take_turn(&wish, now)? {
                WishTurn::Go { previous } => previous,
                WishTurn::Later { .. } | WishTurn::Gone => continue,
            };
            let outcomes = match provider {
                Ok(provider) => {
                    let job = Job {
                        provider,
                        status,
                        claimed: Some(Claimed { at: now, previous }),
                    };
                    dispatch::apply(vec![job], &wish.target(), self.timeout(), &self.pacer()).await
                }
                Err(cause) => vec![Outcome::failed(account.label(), cause)],
            };
            let (label, verb) = if wish.status.label == Status::cleared().label {
                ("Status".to_owned(), "cleared")
            } else {
                (wish.status.label.clone(), "set")
            };
            let summary = summarize(&label, verb, &outcomes);
            let report = Report {
                label,
                verb: verb.to_owned(),
                outcomes,
                skipped: Vec::new(),
                needs_sign_in: Vec::new(),
                summary,
            };
            sent.push((wish, report));
        }
        Ok(sent)
    }

    /// Re-reads the config when the file changed since it was read (an account added
    /// with the CLI, a preset edited by hand). Returns whether it changed.
    pub fn reload_if_changed(&mut self) -> Result<bool> {
        let modified = self.config_file.modified();
        if modified == self.config_modified {
            return Ok(false);
        }
        self.config = self.config_file.load_or_create()?;
        self.config_modified = modified;
        Ok(true)
    }

    /// Runs a provider call within the per-account deadline.
    async fn within_deadline<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        tokio::time::timeout(self.timeout(), call)
            .await
            .unwrap_or(Err(ProviderError::Timeout {
                seconds: self.timeout().as_secs(),
            }))
    }

    /// Another user's id means something different on each server, so it needs one account.
    fn check_target(&self, target: &Target, accounts: &[String]) -> Result<()> {
        if matches!(target, Target::User(_)) && accounts.len() != 1 {
            return Err(Error::invalid(
                "--user needs exactly one --account: user ids differ from server to server",
            ));
        }
        Ok(())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn config_path(&self) -> &Path {
        self.config_file.path()
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.settings.timeout_seconds)
    }

    pub fn active(&self) -> Result<Option<Active>> {
        Ok(self.state_file.load()?.latest())
    }

    fn require_accounts(&self) -> Result<()> {
        if self.config.accounts.is_empty() {
            return Err(Error::invalid(
                "no accounts yet; add one with `presently account add zulip ID --site URL --email EMAIL`",
            ));
        }
        Ok(())
    }

    fn selected(&self, ids: &[String]) -> Result<Vec<&Account>> {
        if ids.is_empty() {
            return Ok(self.config.accounts.iter().collect());
        }
        ids.iter()
            .map(|id| {
                self.config.account(id).ok_or_else(|| {
                    Error::invalid(format!(
                        "no account called {id:?}; `presently account list` shows them"
                    ))
                })
            })
            .collect()
    }

    pub fn provider(&self, account: &Account) -> Result<Arc<dyn Provider>, ProviderError> {
        providers::connect(account, &self.secrets, self.http.clone(), self.timeout())
    }

    /// The status each selected account gets for a request, after presets, overrides and
    /// command-line fields; `None` for accounts the preset skips.
    fn statuses_for(&self, request: &Request) -> Result<(String, Vec<AccountStatus<'_>>)> {
        let preset = match &request.preset {
            Some(wanted) => Some(self.config.preset(wanted).ok_or_else(|| {
                Error::invalid(format!(
                    "no preset called {wanted:?}; `presently preset list` shows them"
                ))
            })?),
            None => None,
        };
        if preset.is_none() && request.text.is_none() && request.emoji.is_none() {
            return Err(Error::invalid(
                "say what to set: a preset name, or --text and/or --emoji",
            ));
        }
        let label = preset
            .map(|p| p.name.clone())
            .or_else(|| request.text.clone())
            .or_else(|| request.emoji.clone())
            .unwrap_or_default();
        let emoji_override = request
            .emoji
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(Emoji::parse)
            .transpose()?;
        let mut out = Vec::new();
        for account in self.selected(&request.accounts)? {
            let base = match preset {
                Some(p) => p.status_for(&account.id)?,
                None => Some(Status {
                    label: label.clone(),
                    ..Status::cleared()
                }),
            };
            let status = base.map(|mut status| {
                if let Some(text) = &request.text {
                    status.text = text.clone();
                }
                if request.emoji.is_some() {
                    status.emoji = emoji_override.clone();
                }
                if let Some(availability) = request.availability {
                    status.availability = availability;
                }
                if request.duration.is_some() {
                    status.duration = request.duration;
                }
                status
            });
            out.push((account, status));
        }
        Ok((label, out))
    }

    /// Shows the requested status on every selected account at once.
    pub async fn apply(&self, request: &Request) -> Result<Report> {
        let _one_at_a_time = self.changing.lock().await;
        self.apply_now(request).await
    }

    async fn apply_now(&self, request: &Request) -> Result<Report> {
        self.require_accounts()?;
        self.check_target(&request.target, &request.accounts)?;
        if matches!(request.target, Target::User(_)) && request.duration.is_some() {
            return Err(Error::invalid(
                "--for cannot be used with --user: Presently only ends your own statuses",
            ));
        }
        // Read the state first: a broken state file must stop us before anything is sent.
        self.state_file.load()?;
        let (label, statuses) = self.statuses_for(request)?;
        let duration = statuses.iter().find_map(|(_, s)| s.as_ref()?.duration);
        let preset_id = request
            .preset
            .as_ref()
            .and_then(|p| self.config.preset(p))
            .map(|p| p.id.clone());
        let report = self.run(&label, "set", statuses, &request.target).await;
        if request.target == Target::Me {
            self.remember(preset_id, &label, &report, duration)?;
        }
        Ok(report)
    }

    /// Clears text and emoji and makes the user available again.
    pub async fn clear(&self, accounts: &[String], target: &Target) -> Result<Report> {
        let _one_at_a_time = self.changing.lock().await;
        self.clear_now(accounts, target).await
    }

    async fn clear_now(&self, accounts: &[String], target: &Target) -> Result<Report> {
        self.require_accounts()?;
        self.check_target(target, accounts)?;
        self.state_file.load()?;
        let statuses = self
            .selected(accounts)?
            .into_iter()
            .map(|account| (account, Some(Status::cleared())))
            .collect();
        let report = self.run("Status", "cleared", statuses, target).await;
        if target == &Target::Me {
            self.forget(&report)?;
        }
        Ok(report)
    }

    async fn run(
        &self,
        label: &str,
        verb: &str,
        statuses: Vec<AccountStatus<'_>>,
        target: &Target,
    ) -> Report {
        let mut skipped = Vec::new();
        let mut needs_sign_in = Vec::new();
        let mut jobs = Vec::new();
        let mut early = Vec::new();
        for (account, status) in statuses {
            let Some(status) = status else {
                skipped.push(account.id.clone());
                continue;
            };
            match self.provider(account) {
                Ok(provider) if provider.sign_in_needed() => needs_sign_in.push(account.label()),
                Ok(provider) => jobs.push(Job {
                    provider,
                    status,
                    claimed: None,
                }),
                Err(cause) => early.push(Outcome::failed(account.label(), cause)),
            }
        }
        let mut outcomes = dispatch::apply(jobs, target, self.timeout(), &self.pacer()).await;
        outcomes.extend(early);
        let summary = summarize(label, verb, &outcomes);
        Report {
            label: label.to_owned(),
            verb: verb.to_owned(),
            outcomes,
            skipped,
            needs_sign_in,
            summary,
        }
    }

    fn remember(
        &self,
        preset_id: Option<String>,
        label: &str,
        report: &Report,
        duration: Option<Duration>,
    ) -> Result<()> {
        let succeeded = succeeded_accounts(report);
        if succeeded.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let entry = Entry {
            preset_id,
            label: label.to_owned(),
            set_at: now,
            expires_at: duration
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| now + d),
        };
        self.state_file
            .update(|state| state.record(&succeeded, &entry))
    }

    fn forget(&self, report: &Report) -> Result<()> {
        self.state_file
            .update(|state| state.forget(&succeeded_accounts(report)))
    }

    /// When the next status set by Presently runs out, if one does.
    pub fn next_expiry(&self) -> Result<Option<chrono::DateTime<Utc>>> {
        Ok(self.state_file.load()?.next_expiry())
    }

    /// Ends the statuses whose time has come: restores the user's default preset on those
    /// accounts, or clears them. Accounts that fail stay due and are tried again.
    pub async fn expire_if_due(&self) -> Result<Option<Report>> {
        let _one_at_a_time = self.changing.lock().await;
        let now = self.clock.now();
        let due = self.state_file.update(|state| {
            let (due, removed): (Vec<String>, Vec<String>) = state
                .due(now)
                .into_iter()
                .partition(|id| self.config.account(id).is_some());
            state.forget(&removed);
            due
        })?;
        // An empty list would mean every account, including ones Presently never set.
        if due.is_empty() {
            return Ok(None);
        }
        // apply and clear record the accounts that succeed; failed ones stay due.
        let mut report = match self.config.settings.restore_preset.clone() {
            Some(preset) => {
                let request = Request {
                    preset: Some(preset),
                    accounts: due,
                    ..Request::default()
                };
                self.apply_now(&request).await?
            }
            None => self.clear_now(&due, &Target::Me).await?,
        };
        // The restore preset may skip an account; its ended status is cleared instead,
        // or it would stay due forever.
        if !report.skipped.is_empty() {
            let skipped = std::mem::take(&mut report.skipped);
            let cleared = self.clear_now(&skipped, &Target::Me).await?;
            report.outcomes.extend(cleared.outcomes);
            report.summary = summarize(&report.label, "set", &report.outcomes);
        }
        // An account whose sign-in ended cannot be changed; keeping it due would retry it
        // forever. The tray shows "Sign in again" for it instead.
        if !report.needs_sign_in.is_empty() {
            let ids: Vec<String> = report.needs_sign_in.iter().map(|l| l.id.clone()).collect();
            self.state_file.update(|state| state.forget(&ids))?;
        }
        Ok(Some(report))
    }

    /// What each selected account shows now, read back from its server.
    pub async fn read_statuses(
        &self,
        accounts: &[String],
        target: &Target,
    ) -> Result<Vec<(AccountLabel, Result<ShownStatus, ProviderError>)>> {
        self.check_target(target, accounts)?;
        let reads = self
            .selected(accounts)?
            .into_iter()
            .map(|account| async move {
                let result = match self.provider(account) {
                    Ok(provider) => self.within_deadline(provider.read_status(target)).await,
                    Err(e) => Err(e),
                };
                (account.label(), result)
            });
        Ok(futures::future::join_all(reads).await)
    }

    /// How a preset will look on each account (skipped accounts are left out).
    pub async fn previews(
        &self,
        preset: &str,
    ) -> Result<Vec<(AccountLabel, Result<Preview, ProviderError>)>> {
        let request = Request {
            preset: Some(preset.to_owned()),
            ..Request::default()
        };
        let (_, statuses) = self.statuses_for(&request)?;
        let now = self.clock.now();
        let previews = statuses.into_iter().filter_map(|(account, status)| {
            let status = status?;
            Some(async move {
                let caps = match self.provider(account) {
                    Ok(provider) => self.within_deadline(provider.capabilities()).await,
                    Err(e) => Err(e),
                };
                (
                    account.label(),
                    caps.map(|caps| preview(&status, &caps, now)),
                )
            })
        });
        Ok(futures::future::join_all(previews).await)
    }

    /// Checks an account's stored credentials against its server.
    pub async fn test_account(&self, id: &str) -> Result<Identity> {
        let account = self.selected(&[id.to_owned()])?[0];
        let provider = self
            .provider(account)
            .map_err(|e| e.for_account(account.label()))?;
        self.within_deadline(provider.verify())
            .await
            .map_err(|e| e.for_account(account.label()))
    }

    /// Verifies new credentials with the server, then stores the secret in the keyring and
    /// the account in the config. Nothing is stored when verification fails.
    pub async fn add_account(
        &mut self,
        account: Account,
        secrets: Vec<(&'static str, SecretString)>,
    ) -> Result<Identity> {
        if self.config.account(&account.id).is_some() {
            return Err(Error::invalid(format!(
                "an account called {:?} exists; remove it first or pick another id",
                account.id
            )));
        }
        let mut next = self.config.clone();
        next.accounts.push(account.clone());
        next.validate()?;
        let label = account.label();
        // Verify through the same provider code that will use the secrets later, reading
        // them from a staging store so nothing reaches the keyring before the server agrees.
        let staged: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        for (name, value) in &secrets {
            staged.set(&SecretKey::new(&account.id, name), value)?;
        }
        let provider = providers::connect(&account, &staged, self.http.clone(), self.timeout())
            .map_err(|e| e.for_account(label.clone()))?;
        let identity = self
            .within_deadline(provider.verify())
            .await
            .map_err(|e| e.for_account(label.clone()))?;
        if let Some(added) = next.accounts.last_mut() {
            added.settings.learn(&identity);
        }
        for (name, value) in &secrets {
            self.secrets
                .set(&SecretKey::new(&account.id, name), value)?;
        }
        if let Err(e) = self.config_file.save(&next) {
            // Leave no orphaned secret behind an account the config does not list.
            for (name, _) in &secrets {
                let _ = self.secrets.delete(&SecretKey::new(&account.id, name));
            }
            return Err(e);
        }
        self.config_modified = self.config_file.modified();
        self.config = next;
        Ok(identity)
    }

    /// Replaces some of an account's secrets (new tokens after signing in again) once the
    /// server accepts them; until then the old ones stay.
    pub async fn replace_secrets(
        &self,
        id: &str,
        secrets: Vec<(&'static str, SecretString)>,
    ) -> Result<Identity> {
        let account = self.selected(&[id.to_owned()])?[0];
        let label = account.label();
        let staged: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        for name in account.settings.secret_names() {
            let key = SecretKey::new(id, name);
            if let Some(value) = self.secrets.get(&key)? {
                staged.set(&key, &value)?;
            }
        }
        for (name, value) in &secrets {
            staged.set(&SecretKey::new(id, name), value)?;
        }
        let provider = providers::connect(account, &staged, self.http.clone(), self.timeout())
            .map_err(|e| e.for_account(label.clone()))?;
        let identity = self
            .within_deadline(provider.verify())
            .await
            .map_err(|e| e.for_account(label.clone()))?;
        for (name, value) in &secrets {
            self.secrets.set(&SecretKey::new(id, name), value)?;
        }
        Ok(identity)
    }

    /// Accounts whose sign-in the service ended; only the user can renew it.
    pub fn needs_sign_in(&self) -> Vec<AccountLabel> {
        self.config
            .accounts
            .iter()
            // Only Zoom signs in through the browser; the others need no keyring read here.
            .filter(|a| matches!(a.settings, AccountSettings::Zoom(_)))
            .filter(|a| self.provider(a).is_ok_and(|p| p.sign_in_needed()))
            .map(Account::label)
            .collect()
    }

    /// Starts signing a Zoom account in again: listens for the browser's return and gives
    /// the address to open.
    pub async fn begin_sign_in(
        &self,
        id: &str,
    ) -> Result<(providers::zoom::signin::SignIn, url::Url)> {
        use providers::zoom::{self, signin::SignIn, ZoomAuth};
        let account = self.selected(&[id.to_owned()])?[0];
        let label = account.label();
        let settings = match &account.settings {
            AccountSettings::Zoom(settings) if settings.auth == ZoomAuth::User => settings,
            _ => {
                return Err(Error::invalid(format!(
                    "{label} does not sign in through the browser; add it again to change its credentials"
                )))
            }
        };
        let oauth = zoom::oauth_client(
            id,
            settings,
            self.secrets.as_ref(),
            self.http.clone(),
            self.timeout(),
        )
        .map_err(|e| e.for_account(label.clone()))?;
        SignIn::begin(oauth, settings.redirect_port)
            .await
            .map_err(|e| e.for_account(label))
    }

    /// Waits for the browser, then keeps the new tokens once Zoom accepts them.
    pub async fn finish_sign_in(
        &self,
        id: &str,
        sign_in: providers::zoom::signin::SignIn,
        wait: Duration,
    ) -> Result<Identity> {
        let label = self.selected(&[id.to_owned()])?[0].label();
        let tokens = sign_in
            .finish(wait)
            .await
            .map_err(|e| e.for_account(label))?;
        self.replace_secrets(id, vec![(providers::zoom::TOKENS, tokens.to_secret())])
            .await
    }

    /// Publishes the presets as the Rocket.Chat server's custom statuses (see
    /// [`providers::rocketchat::sync`]). With `dry_run`, only plans. The ids of statuses
    /// Presently creates are remembered in the config.
    pub async fn sync_custom_statuses(
        &mut self,
        id: &str,
        dry_run: bool,
    ) -> Result<Vec<(SyncChange, Result<(), ProviderError>)>> {
        use providers::rocketchat::{sync, RocketChat};
        let account = self.selected(&[id.to_owned()])?[0].clone();
        let AccountSettings::RocketChat(settings) = &account.settings else {
            return Err(Error::invalid(format!(
                "{} is a {} account; custom statuses are a Rocket.Chat feature",
                id,
                account.service().display_name()
            )));
        };
        let label = account.label();
        let provider = RocketChat::connect(
            id,
            settings,
            self.secrets.as_ref(),
            self.http.clone(),
            self.timeout(),
        )
        .map_err(|e| e.for_account(label.clone()))?;
        let (client, credentials) = (provider.client(), provider.credentials());
        let server = self
            .within_deadline(client.custom_statuses(credentials))
            .await
            .map_err(|e| e.for_account(label.clone()))?;
        let changes = sync::plan(&self.config.presets, &settings.custom_statuses, &server);
        if dry_run {
            return Ok(changes.into_iter().map(|c| (c, Ok(()))).collect());
        }
        let mut known = settings.custom_statuses.clone();
        let mut results = Vec::new();
        for change in changes {
            let result = self.sync_one(client, credentials, &change).await;
            if result.is_ok() {
                match &change {
                    SyncChange::Create { preset, .. } | SyncChange::Update { preset, .. } => {
                        if let Some(id) = change_id(&change, &result) {
                            known.retain(|_, known_id| known_id != &id);
                            known.insert(preset.clone(), id);
                        }
                    }
                    SyncChange::Delete { preset, .. } => {
                        known.remove(preset);
                    }
                    SyncChange::Foreign { .. } => {}
                }
            }
            results.push((change, result.map(|_| ())));
        }
        if known != settings.custom_statuses {
            let mut next = self.config.clone();
            if let Some(AccountSettings::RocketChat(saved)) = next
                .accounts
                .iter_mut()
                .find(|a| a.id == id)
                .map(|a| &mut a.settings)
            {
                saved.custom_statuses = known;
            }
            self.config_file.save(&next)?;
            self.config_modified = self.config_file.modified();
            self.config = next;
        }
        Ok(results)
    }

    /// Sends one sync change; returns the status id a create made. A short rate limit is
    /// waited out once: an admin's sync is a batch, and Rocket.Chat allows 10 calls a minute.
    async fn sync_one(
        &self,
        client: &providers::rocketchat::RocketChatClient,
        credentials: &providers::rocketchat::Credentials,
        change: &SyncChange,
    ) -> Result<Option<String>, ProviderError> {
        const LONGEST_WAIT: Duration = Duration::from_secs(65);
        let send = || async {
            match change {
                SyncChange::Create {
                    name, status_type, ..
                } => self
                    .within_deadline(client.create_custom_status(credentials, name, status_type))
                    .await
                    .map(Some),
                SyncChange::Update {
                    id,
                    name,
                    status_type,
                    ..
                } => self
                    .within_deadline(client.update_custom_status(
                        credentials,
                        id,
                        name,
                        status_type,
                    ))
                    .await
                    .map(|()| None),
                SyncChange::Delete { id, .. } => self
                    .within_deadline(client.delete_custom_status(credentials, id))
                    .await
                    .map(|()| None),
                SyncChange::Foreign { .. } => Ok(None),
            }
        };
        match send().await {
            Err(ProviderError::RateLimited { retry_at }) => {
                let wait = (retry_at - Utc::now()).to_std().unwrap_or_default();
                if wait > LONGEST_WAIT {
                    return Err(ProviderError::RateLimited { retry_at });
                }
                tokio::time::sleep(wait).await;
                send().await
            }
            other => other,
        }
    }

    /// Removes the account from the config and deletes its keyring entries; a token that
    /// came from signing in is signed out first. Returns notes on what could not be done.
    pub async fn remove_account(&mut self, id: &str) -> Result<Vec<String>> {
        let account = self.selected(&[id.to_owned()])?[0].clone();
        let mut notes = Vec::new();
        if let AccountSettings::RocketChat(settings) = &account.settings {
            if settings.signed_in {
                let signed_out = match providers::rocketchat::RocketChat::connect(
                    id,
                    settings,
                    self.secrets.as_ref(),
                    self.http.clone(),
                    self.timeout(),
                ) {
                    Ok(provider) => self.within_deadline(provider.sign_out()).await,
                    Err(e) => Err(e),
                };
                match signed_out {
                    // Already signed out on the server: nothing left to revoke.
                    Ok(()) | Err(ProviderError::AuthRejected { .. }) => {}
                    Err(e) => notes.push(format!(
                        "could not sign the token out on the server ({e}); it is deleted here"
                    )),
                }
            }
        }
        let mut next = self.config.clone();
        next.accounts.retain(|a| a.id != id);
        for preset in &mut next.presets {
            preset.overrides.remove(id);
        }
        // Config first: if it cannot be saved, the account keeps its working credentials.
        self.config_file.save(&next)?;
        self.config_modified = self.config_file.modified();
        self.config = next;
        self.pacing.forget_account(id)?;
        for name in account.settings.secret_names() {
            self.secrets.delete(&SecretKey::new(id, name))?;
        }
        Ok(notes)
    }
}
