//! What the shell shares between tray, hotkeys, commands and the expiry task, in the tray's
//! process; and what the settings window's own process shares between its commands.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use presently_core::app_lock::AppLock;
use presently_core::clock::SystemClock;
use presently_core::secrets::{KeyringStore, SecretStore};
use presently_core::session::Session;
use tokio::sync::Notify;

/// Which face a process is: the tray (menu, hotkeys, schedule) or the settings window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Tray,
    Window,
}

pub struct AppState {
    pub role: Role,
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
    /// In the tray: held while it follows the window's hold on the keys.
    pub following_hold: tokio::sync::Mutex<()>,
    /// In the window's process: woken when the tray let go of its keys.
    pub hotkeys_let_go: Notify,
    /// Started by `presently demo`: accounts are local stand-ins.
    pub demo: bool,
    /// In the tray: the stdin of each settings window's process it started, by process id;
    /// closed when the tray ends, which ends the window (`settings_window::open`).
    pub window_lifelines: Mutex<Vec<(u32, std::process::ChildStdin)>>,
    /// Changes under way (tray click, hotkey, window button): the window's process does not
    /// end with its window before they are done.
    pub in_flight: InFlight,
    /// In the window's process, while it records a shortcut: the tray lets go of its keys.
    pub paused_hotkeys: Mutex<Option<crate::settings_window::PausedHotkeys>>,
    /// Held while the tray runs: one app per config directory, and the CLI hands it the
    /// changes that wait for their turn. The window's process holds none.
    _app_lock: Option<AppLock>,
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
    /// The tray's state: refuses when a tray already runs on this config directory.
    pub fn open() -> Result<Self, OpenError> {
        let dir = presently_core::paths::config_dir()?;
        let app_lock = AppLock::acquire(&dir)?.ok_or(OpenError::AlreadyRunning)?;
        Ok(Self::with(Role::Tray, Some(app_lock))?)
    }

    /// The settings window's state: a session like the CLI's, beside the tray's.
    pub fn open_window() -> Result<Self, presently_core::Error> {
        Self::with(Role::Window, None)
    }

    fn with(role: Role, app_lock: Option<AppLock>) -> Result<Self, presently_core::Error> {
        let dir = presently_core::paths::config_dir()?;
        let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::open()?);
        let session = Session::open(&dir, secrets, Arc::new(SystemClock))?;
        Ok(AppState {
            role,
            session,
            expiry_changed: Notify::new(),
            cancel_sign_in: Notify::new(),
            hotkeys: Mutex::new(HashMap::new()),
            registering_hotkeys: tokio::sync::Mutex::new(()),
            following_hold: tokio::sync::Mutex::new(()),
            hotkeys_let_go: Notify::new(),
            demo: std::env::var_os("PRESENTLY_DEMO").is_some_and(|v| v == "1"),
            window_lifelines: Mutex::new(Vec::new()),
            in_flight: InFlight::default(),
            paused_hotkeys: Mutex::new(None),
            _app_lock: app_lock,
        })
    }
}

/// Counts the changes under way; [`InFlight::idle`] waits until there are none.
#[derive(Default)]
pub struct InFlight {
    count: Mutex<usize>,
    done: Notify,
}

/// One change under way, counted until dropped (finished, failed or cancelled).
pub struct Running<'a>(&'a InFlight);

impl InFlight {
    pub fn start(&self) -> Running<'_> {
        *self
            .count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        Running(self)
    }

    pub fn busy(&self) -> bool {
        *self
            .count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            > 0
    }

    /// Returns once no change is under way.
    pub async fn idle(&self) {
        loop {
            let done = self.done.notified();
            if !self.busy() {
                return;
            }
            done.await;
        }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut count = self
            .0
            .count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.0.done.notify_waiters();
        }
    }
}
