//! What every operation shares: the config as one snapshot swapped whole when the file
//! changes, the keyring, one HTTP client, the clock, the state and pacing files, and the
//! connected providers, kept until the config or one of their secrets changes.
//!
//! No lock here is held across a network call except `changing`, which only status changes
//! take; an admin's sync or a sign-in waiting for the browser never blocks a click.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;
use crate::config::{Account, Config, ConfigFile};
use crate::dispatch::Outcome;
use crate::error::{AccountLabel, Error, ErrorKind, ErrorReport, ProviderError, Result};
use crate::paced::WhenPaced;
use crate::pacing::Pacing;
use crate::providers::{Connect, Provider};
use crate::secrets::SecretStore;
use crate::server_cache::ServerCache;
use crate::state_file::StateFile;

#[derive(Default)]
struct Providers {
    /// Bumped whenever the config is swapped: a provider built from an older snapshot is
    /// never cached.
    generation: u64,
    connected: HashMap<String, Arc<dyn Provider>>,
}

struct Snapshot {
    config: Arc<Config>,
    /// When the file was read, to notice edits made by hand or by another process.
    modified: Option<SystemTime>,
}

pub(crate) struct Context {
    pub dir: PathBuf,
    pub config_file: ConfigFile,
    snapshot: RwLock<Snapshot>,
    /// One read-change-save of the config at a time in this process.
    config_writes: Mutex<()>,
    pub state_file: StateFile,
    pub pacing: Pacing,
    pub secrets: Arc<dyn SecretStore>,
    pub http: reqwest::Client,
    pub clock: Arc<dyn Clock>,
    pub servers: ServerCache,
    pub when_paced: WhenPaced,
    /// This process, when it waits for its own changes' turns (`waiter.rs`).
    pub waiter: Option<crate::waiter::Waiter>,
    /// Connected providers by account id, with the config generation they were built from.
    providers: Mutex<Providers>,
    /// One status change at a time: an expiry must not clear what a click just set.
    pub changing: tokio::sync::Mutex<()>,
    /// When a failed expiry is tried again (see `schedule.rs`).
    pub expiry_retry_at: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// Each account's last failure, until it next succeeds (for the window's account rows).
    last_errors: Mutex<HashMap<String, ErrorReport>>,
}

impl Context {
    pub(crate) fn open(
        dir: &Path,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let started = std::time::Instant::now();
        let config_file = ConfigFile::in_dir(dir);
        let config = config_file.load_or_create()?;
        let timeout = Duration::from_secs(config.settings.timeout_seconds.into());
        tracing::debug!("config read in {:?}", started.elapsed());
        let http = crate::http::client(timeout)?;
        tracing::debug!(
            "HTTP client ready (system certificates read) at {:?}",
            started.elapsed()
        );
        Ok(Context {
            dir: dir.to_path_buf(),
            snapshot: RwLock::new(Snapshot {
                modified: config_file.modified(),
                config: Arc::new(config),
            }),
            config_file,
            config_writes: Mutex::new(()),
            state_file: StateFile::in_dir(dir),
            pacing: Pacing::in_dir(dir),
            secrets,
            http,
            servers: ServerCache::in_dir(dir, clock.clone()),
            clock,
            when_paced: WhenPaced::Queue,
            waiter: None,
            providers: Mutex::new(Providers::default()),
            changing: tokio::sync::Mutex::new(()),
            expiry_retry_at: Mutex::new(None),
            last_errors: Mutex::new(HashMap::new()),
        })
    }

    /// The config as last read; an `Arc`, so it is never half-updated under a reader.
    pub(crate) fn config(&self) -> Arc<Config> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .config
            .clone()
    }

    fn swap(&self, config: Config, modified: Option<SystemTime>) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Snapshot {
            config: Arc::new(config),
            modified,
        };
        // Providers were built from the old settings.
        let mut providers = self
            .providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        providers.generation += 1;
        providers.connected.clear();
    }

    /// Re-reads the config when the file changed since it was read. Returns whether it did.
    pub(crate) fn reload_if_changed(&self) -> Result<bool> {
        // Not between another writer's save and its swap: that is our own change.
        let _no_writer = self
            .config_writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let modified = self.config_file.modified();
        let known = self
            .snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .modified;
        if modified == known {
            return Ok(false);
        }
        let config = self.config_file.load_or_create()?;
        self.swap(config, modified);
        Ok(true)
    }

    /// Reads the config file afresh (never a stale snapshot over another process's edit),
    /// changes it, checks it and saves it atomically; the new snapshot is returned.
    pub(crate) fn update_config<T>(
        &self,
        change: impl FnOnce(&mut Config) -> Result<T>,
    ) -> Result<(T, Arc<Config>)> {
        let _one_writer = self
            .config_writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut next = self.config_file.load_or_create()?;
        let value = change(&mut next)?;
        next.validate()?;
        self.config_file.save(&next)?;
        self.swap(next, self.config_file.modified());
        Ok((value, self.config()))
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.config().settings.timeout_seconds.into())
    }

    /// What a provider needs to connect, reading secrets from `secrets`.
    pub(crate) fn connect_with(&self, secrets: Arc<dyn SecretStore>) -> Connect {
        Connect {
            secrets,
            http: self.http.clone(),
            timeout: self.timeout(),
            servers: self.servers.clone(),
        }
    }

    /// The account's provider, connected once and kept until the config changes. Connecting
    /// (a keyring read) happens outside the lock, so a slow keyring holds up no other click.
    pub fn provider(&self, account: &Account) -> Result<Arc<dyn Provider>, ProviderError> {
        self.provider_reading(account, self.secrets.clone())
    }

    /// [`Self::provider`], its secrets read from `secrets` (the keyring read ahead, when
    /// many accounts connect at once).
    pub(crate) fn provider_reading(
        &self,
        account: &Account,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Arc<dyn Provider>, ProviderError> {
        let generation = {
            let providers = self
                .providers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(provider) = providers.connected.get(&account.id) {
                return Ok(provider.clone());
            }
            providers.generation
        };
        let provider = account
            .settings
            .get()
            .connect(&account.label(), &self.connect_with(secrets))?;
        let mut providers = self
            .providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Built from the snapshot the caller holds: kept only if no newer one arrived since.
        let current = self.config();
        let unchanged =
            providers.generation == generation && current.account(&account.id) == Some(account);
        if unchanged {
            let kept = providers
                .connected
                .entry(account.id.clone())
                .or_insert(provider);
            return Ok(kept.clone());
        }
        Ok(provider)
    }

    /// The account's provider if it is connected already (no keyring read).
    pub(crate) fn connected(&self, account: &Account) -> Option<Arc<dyn Provider>> {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connected
            .get(&account.id)
            .cloned()
    }

    /// Drops an account's provider, so the next use reads its secrets again: after they
    /// changed, or after the server refused them (another process may have replaced them).
    pub fn forget_provider(&self, id: &str) {
        self.providers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connected
            .remove(id);
    }

    /// Forgets providers whose failure may mean their secrets changed elsewhere.
    pub(crate) fn forget_after(&self, id: &str, error: &ProviderError) {
        if matches!(
            error.kind().0,
            ErrorKind::Auth | ErrorKind::SignInNeeded | ErrorKind::Keyring
        ) {
            self.forget_provider(id);
        }
    }

    /// Keeps what happened on an account: its error until it next succeeds.
    pub fn note(&self, account: &AccountLabel, result: std::result::Result<(), &ProviderError>) {
        let mut errors = self
            .last_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => {
                errors.remove(&account.id);
            }
            Err(e) => {
                errors.insert(account.id.clone(), e.report(Some(account)));
            }
        }
    }

    /// Keeps what a change did on each account.
    pub fn note_outcomes(&self, outcomes: &[Outcome]) {
        for outcome in outcomes {
            self.note(&outcome.account, outcome.result.as_ref().map(|_| ()));
        }
    }

    /// The account's last failure since it last succeeded.
    pub fn last_error(&self, id: &str) -> Option<ErrorReport> {
        self.last_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// Runs a provider call within the per-account deadline.
    pub(crate) async fn within_deadline<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        crate::http::within(self.timeout(), call).await
    }

    /// The accounts named (all when none are), or which name is unknown.
    pub(crate) fn selected<'c>(
        &self,
        config: &'c Config,
        ids: &[String],
    ) -> Result<Vec<&'c Account>> {
        if ids.is_empty() {
            return Ok(config.accounts.iter().collect());
        }
        ids.iter()
            .map(|id| {
                config.account(id).ok_or_else(|| {
                    Error::invalid(format!(
                        "no account called {id:?}; `presently account list` shows them"
                    ))
                })
            })
            .collect()
    }

    /// One account by id, cloned out of the snapshot.
    pub(crate) fn account(&self, id: &str) -> Result<Account> {
        let config = self.config();
        Ok(self.selected(&config, &[id.to_owned()])?[0].clone())
    }
}
