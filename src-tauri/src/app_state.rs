//! What the shell shares between tray, hotkeys, commands and the expiry task.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use presently_core::app_lock::AppLock;
use presently_core::clock::SystemClock;
use presently_core::secrets::{KeyringStore, SecretStore};
use presently_core::session::Session;
use tokio::sync::Notify;

pub struct AppState {
    /// Shared without a lock: every session method takes `&self`.
    pub session: Session,
    /// Woken when the status in effect changes, so the expiry task re-reads its deadline.
    pub expiry_changed: Notify,
    /// Woken by the window's Cancel: a sign-in waiting for the browser gives up.
    pub cancel_sign_in: Notify,
    /// Global shortcut id → preset id.
    pub hotkeys: Mutex<HashMap<u32, String>>,
    /// Held while the shortcuts are registered again.
    pub registering_hotkeys: tokio::sync::Mutex<()>,
    /// Started by `presently demo`: accounts are local stand-ins.
    pub demo: bool,
    /// Held while the app runs: one app per config directory, and the CLI hands it the
    /// changes that wait for their turn.
    _app_lock: AppLock,
}

/// Why the app does not start.
pub enum OpenError {
    AlreadyRunning,
    Failed(presently_core::Error),
}

impl From<presently_core::Error> for OpenError {
    fn from(e: presently_core::Error) -> Self {
        OpenError::Failed(e)
    }
}

impl AppState {
    pub fn open() -> Result<Self, OpenError> {
        let dir = presently_core::paths::config_dir()?;
        let app_lock = AppLock::acquire(&dir)?.ok_or(OpenError::AlreadyRunning)?;
        let secrets: Arc<dyn SecretStore> =
            Arc::new(KeyringStore::open().map_err(presently_core::Error::from)?);
        let session = Session::open(&dir, secrets, Arc::new(SystemClock))?;
        Ok(AppState {
            session,
            expiry_changed: Notify::new(),
            cancel_sign_in: Notify::new(),
            hotkeys: Mutex::new(HashMap::new()),
            registering_hotkeys: tokio::sync::Mutex::new(()),
            demo: std::env::var_os("PRESENTLY_DEMO").is_some_and(|v| v == "1"),
            _app_lock: app_lock,
        })
    }
}
