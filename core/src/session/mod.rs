//! The operations a face (the CLI, the tray app, the settings window) may ask for, on one
//! config directory. `Session` is a thin face over a shared [`context::Context`]; each job
//! lives in its own module:
//! - [`status`]: request → statuses → fan-out → report → remember; read back; preview.
//! - [`schedule`]: what is due next (statuses that run out, changes waiting their turn).
//! - [`accounts`]: add, test, sign in again, custom statuses, remove.
//! - [`presets`]: preview a draft, save, delete, reorder.
//!
//! Every method takes `&self`, so the tray shares one `Session` without a lock: a click is
//! never queued behind an admin's sync or a sign-in waiting for the browser. Status changes
//! run one at a time (an expiry must not undo a click).

mod accounts;
mod context;
mod order;
mod presets;
mod schedule;
mod status;

use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::dispatch::{Outcome, Summary};
use crate::error::{AccountLabel, ErrorReport, ProviderError, Result};
use crate::paced::WhenPaced;
use crate::pacing::Wish;
use crate::preset::{Availability, Preset};
use crate::preview::Preview;
use crate::providers::{Identity, NewCredentials, ShownStatus, SignInPrompt, SyncChange, Target};
use crate::secrets::SecretStore;
use crate::state_file::Active;
use context::Context;
pub use presets::CustomEmoji;

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
    /// Accounts whose status ran out but was changed elsewhere meanwhile (by hand, in the
    /// service's own app): Presently leaves them as they are.
    pub left_alone: Vec<AccountLabel>,
    pub summary: Summary,
    /// The number this change was given when asked for, among every Presently process's
    /// changes (`session/order.rs`): a change asked for later has a larger one. `None` for
    /// endings and changes to other users.
    pub change: Option<u64>,
}

impl Report {
    /// Every account asked succeeded; a change that reached no account at all, because
    /// every one needs a new sign-in, did not.
    pub fn all_succeeded(&self) -> bool {
        let nothing_done = self.outcomes.is_empty() && !self.needs_sign_in.is_empty();
        self.outcomes.iter().all(Outcome::succeeded) && !nothing_done
    }
}

/// What a changed file beside the config means for a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The config: accounts, presets, settings.
    Config,
    /// The status in effect, or a change waiting for its turn.
    Status,
}

/// Presently on one config directory: what every face calls.
pub struct Session {
    context: Context,
}

impl Session {
    /// Opens the config in `dir` (written with defaults when missing).
    ///
    /// # Errors
    /// The config cannot be read or is invalid; the HTTP client cannot start.
    pub fn open(dir: &Path, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Session {
            context: Context::open(dir, secrets, clock)?,
        })
    }

    /// What to do with a change a paced service cannot take yet (default: queue it).
    pub fn with_when_paced(mut self, when_paced: WhenPaced) -> Self {
        self.context.when_paced = when_paced;
        self
    }

    /// This process waits for the turns of the changes it queues and sends them itself (the
    /// CLI without the tray app): they are its own, and are dropped, not sent, by any other
    /// Presently process once this one is gone (ended, killed, its terminal closed).
    pub fn waiting_here(mut self) -> Result<Self> {
        self.context.waiter = Some(crate::waiter::Waiter::register(&self.context.dir)?);
        Ok(self)
    }

    /// The directory holding the config and Presently's state files.
    pub fn dir(&self) -> &Path {
        &self.context.dir
    }

    pub fn config_path(&self) -> &Path {
        self.context.config_file.path()
    }

    /// What a change to `path` (reported by a file watcher on [`Session::dir`], which is
    /// not recursive) means, if it is one of Presently's files.
    pub fn what_changed(&self, path: &Path) -> Option<Changed> {
        // Only file names are compared: the watcher reports paths as the OS spells them.
        let name = path.file_name()?;
        if name == crate::config::FILE_NAME {
            Some(Changed::Config)
        } else if name == crate::state_file::FILE_NAME || name == crate::pacing::FILE_NAME {
            Some(Changed::Status)
        } else {
            None
        }
    }

    /// The config as last read: a snapshot that never changes under the caller.
    pub fn config(&self) -> Arc<Config> {
        self.context.config()
    }

    /// Re-reads the config when the file changed (an account added with the CLI, a preset
    /// edited by hand). Returns whether it changed.
    pub fn reload_if_changed(&self) -> Result<bool> {
        self.context.reload_if_changed()
    }

    /// The per-account deadline of every server call.
    pub fn timeout(&self) -> Duration {
        self.context.timeout()
    }

    // The main job (status.rs).

    /// Shows the requested status on every selected account at once.
    pub async fn apply(&self, request: &Request) -> Result<Report> {
        let _one_at_a_time = self.context.changing.lock().await;
        let report = self.context.apply_now(request, None).await?;
        self.context.status_changed();
        Ok(report)
    }

    /// Clears text and emoji and makes the user available again.
    pub async fn clear(&self, accounts: &[String], target: &Target) -> Result<Report> {
        let _one_at_a_time = self.context.changing.lock().await;
        let report = self.context.clear_now(accounts, target, None).await?;
        self.context.status_changed();
        Ok(report)
    }

    /// What each selected account shows now, read back from its server.
    pub async fn read_statuses(
        &self,
        accounts: &[String],
        target: &Target,
    ) -> Result<Vec<(AccountLabel, Result<ShownStatus, ProviderError>)>> {
        self.context.read_statuses(accounts, target).await
    }

    /// How a preset will look on each account (skipped accounts are left out).
    pub async fn previews(
        &self,
        preset: &str,
    ) -> Result<Vec<(AccountLabel, Result<Preview, ProviderError>)>> {
        self.context.previews(preset).await
    }

    /// The status Presently set last, as the tray and the window show it.
    pub fn active(&self) -> Result<Option<Active>> {
        // A waiting change whose process is gone is not in effect, nor one cut off mid-way.
        self.context.pending()?;
        self.context.recover_cut_off()?;
        Ok(self.context.state_file.load()?.latest())
    }

    // Presets (presets.rs).

    /// How a preset that is not saved yet will look on each account, with what each
    /// service refuses (text too long as it counts, an emoji it has no name for).
    pub async fn preview_draft(
        &self,
        draft: &Preset,
    ) -> Result<Vec<(AccountLabel, Result<Preview, ProviderError>)>> {
        self.context.preview_draft(draft).await
    }

    /// The accounts' own emoji (Zulip's custom emoji) matching every word of `query`, at
    /// most `limit`, for the emoji picker. Accounts that cannot say are left out.
    pub async fn custom_emoji(&self, query: &str, limit: usize) -> Vec<CustomEmoji> {
        self.context.custom_emoji(query, limit).await
    }

    /// Saves a preset, replacing the one called `replacing` in place or adding it.
    ///
    /// # Errors
    /// `InvalidField` naming the field (id, name, text, hotkey, until) when the preset is
    /// not valid or an account cannot show it; the config is unchanged then.
    pub async fn save_preset(&self, replacing: Option<&str>, preset: Preset) -> Result<()> {
        self.context.save_preset(replacing, preset).await
    }

    /// Replaces the general settings.
    ///
    /// # Errors
    /// A `restore_preset` that is not a preset, a zero timeout; the config is unchanged then.
    pub fn save_settings(&self, settings: crate::config::Settings) -> Result<()> {
        self.context.save_settings(settings)
    }

    /// Deletes a preset.
    pub fn delete_preset(&self, id: &str) -> Result<()> {
        self.context.delete_preset(id)
    }

    /// Orders the presets as `ids` lists them (every preset once).
    pub fn reorder_presets(&self, ids: &[String]) -> Result<()> {
        self.context.reorder_presets(ids)
    }

    // Scheduling (schedule.rs).

    /// The next moment something is due: a status that runs out or a waiting change.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        self.context.next_due()
    }

    /// Does whatever is due now; one report per change made.
    pub async fn run_due(&self) -> Result<Vec<Report>> {
        self.context.run_due().await
    }

    /// Changes waiting for their turn on paced services, soonest first.
    pub fn pending(&self) -> Result<Vec<Wish>> {
        self.context.pending()
    }

    /// Sends the waiting changes whose turn has come, each with its report.
    pub async fn send_due(&self) -> Result<Vec<(Wish, Report)>> {
        self.context.send_due().await
    }

    /// Ends the statuses whose time has come (restore preset, else clear).
    pub async fn expire_if_due(&self) -> Result<Option<Report>> {
        self.context.expire_if_due().await
    }

    /// Gives up a waiting change: it will not be sent.
    pub fn withdraw(&self, wish: &Wish) -> Result<()> {
        self.context.withdraw(wish)
    }

    // Accounts (accounts.rs).

    /// Runs the service's own sign-in with what the face collected (`prompt` answers its
    /// questions: a second-factor code, a browser to open), has the server check the
    /// credentials, then keeps the secrets in the keyring and the account in the config.
    ///
    /// # Errors
    /// The id is taken or malformed, a field is wrong, the sign-in or the check failed
    /// (nothing is stored then), or the keyring or config cannot be written.
    pub async fn add_account(
        &self,
        id: &str,
        label: Option<String>,
        credentials: NewCredentials,
        prompt: &dyn SignInPrompt,
    ) -> Result<Identity> {
        self.context
            .add_account(id, label, credentials, prompt)
            .await
    }

    /// Renames an account (`label` in the config; `None` or blank: shown by its id).
    /// Errors: no such account, a label that is too long or holds control characters.
    pub fn rename_account(&self, id: &str, label: Option<String>) -> Result<()> {
        self.context.rename_account(id, label)
    }

    /// Checks an account's stored credentials against its server.
    pub async fn test_account(&self, id: &str) -> Result<Identity> {
        self.context.test_account(id).await
    }

    /// The account's last failure (a change, a test), until it next succeeds.
    pub fn last_error(&self, id: &str) -> Option<ErrorReport> {
        self.context.last_error(id)
    }

    /// Accounts whose sign-in the service ended; only the user can renew it.
    pub fn needs_sign_in(&self) -> Vec<AccountLabel> {
        self.context.needs_sign_in()
    }

    /// Signs an account in again, keeping its id, preset overrides and custom statuses:
    /// with new `credentials` (an API key, a password and second factor, a token), or
    /// without, through the service's own flow (Zoom: the browser).
    ///
    /// # Errors
    /// The account is unknown, the credentials are for another service, the sign-in or
    /// the server's check failed (the old credentials stay then).
    pub async fn sign_in_again(
        &self,
        id: &str,
        credentials: Option<NewCredentials>,
        prompt: &dyn SignInPrompt,
    ) -> Result<Identity> {
        self.context.sign_in_again(id, credentials, prompt).await
    }

    /// Publishes the presets as the server's custom statuses (Rocket.Chat); `dry_run` plans only.
    pub async fn sync_custom_statuses(
        &self,
        id: &str,
        dry_run: bool,
    ) -> Result<Vec<(SyncChange, Result<(), ProviderError>)>> {
        self.context.sync_custom_statuses(id, dry_run).await
    }

    /// Removes the account and its keyring entries; returns notes on what could not be done.
    pub async fn remove_account(&self, id: &str) -> Result<Vec<String>> {
        self.context.remove_account(id).await
    }
}
