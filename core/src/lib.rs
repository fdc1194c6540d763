//! Presently's core: everything the tray app and the CLI share, with no UI in it.
//!
//! It builds and tests without a display, a webview or Tauri, so the CLI and the
//! tests of every provider stay fast on a two-core machine.
//!
//! # Layout
//! - [`preset`]: service-neutral presets, availabilities, durations, the defaults.
//! - [`config`]: the TOML config file (accounts, presets, settings), written atomically.
//! - [`secrets`]: the OS keyring behind a small trait (plus an in-memory store for tests).
//! - [`providers`]: one module per service behind the [`providers::Provider`] trait,
//!   each declaring what it can show ([`providers::Capabilities`]).
//! - [`preview`]: what a preset will look like on one account, before anything is sent.
//! - [`dispatch`]: apply a status to many accounts at once, one result per account.
//! - [`expiry`]: remembers when a status runs out and what to do then, across restarts.
//! - [`pacing`]: one change a minute per user where a service demands it (Zoom), across processes.
//! - [`app_lock`]: tells the CLI whether the tray app is running.
//! - [`http`]: the one HTTP client (timeouts, no redirects, size caps, https rules).
//! - [`error`]: typed errors that name the account, the service and the cause.

pub mod app_lock;
pub mod clock;
pub mod config;
pub mod dispatch;
pub mod emoji;
pub mod error;
pub mod expiry;
pub mod file_lock;
pub mod http;
pub mod pacing;
pub mod paths;
pub mod preset;
pub mod preview;
pub mod providers;
pub mod secrets;
pub mod session;

pub use error::{Error, Result};
