//! Presently's core: everything the tray app and the CLI share, with no UI in it.
//!
//! It builds and tests without a display, a webview or Tauri, so the CLI and the
//! tests of every provider stay fast on a two-core machine.
//!
//! # Layout (see ARCHITECTURE.md)
//! - [`session`]: what a face may call: apply, clear, read back, preview, schedule, accounts.
//! - [`providers`]: one folder per service behind one small trait, listed once in the
//!   service registry; each declares what it can show and owns its sign-in (`auth.rs`).
//! - [`preset`], [`config`]: service-neutral presets; the TOML config, written atomically.
//! - [`preview`]: what a preset will look like on one account, before anything is sent.
//! - [`dispatch`]: one status to many accounts at once, one outcome per account.
//! - [`state_file`]: which status is in effect and when it ends (`state.json`).
//! - [`pacing`] and `paced`: one change a minute where a service demands it (Zoom);
//!   `waiter`: a waiting change belongs to a live process, or to the tray app.
//! - [`secrets`]: the OS keyring. [`error`]: one error shape for every face.
//! - `http`: the one HTTP client (timeouts, no redirects, size caps, https rules).
//! - `oauth`: what browser sign-ins share (tokens in the keyring, PKCE, the loopback
//!   redirect, renewing rotated tokens), used by Zoom and Slack.
//! - [`logging`]: how much is logged, and which libraries never below `info`.

pub mod app_lock;
pub mod clock;
pub mod config;
mod config_edit;
pub mod dispatch;
pub mod emoji;
pub mod error;
mod file_lock;
mod http;
pub mod logging;
mod oauth;
mod paced;
pub mod pacing;
pub mod paths;
pub mod preset;
pub mod preview;
pub mod providers;
pub mod secrets;
mod server_cache;
pub mod session;
pub mod state_file;
pub mod until;
mod waiter;
pub mod wall_clock;

pub use error::{Error, Result};
pub use http::untrusted;
pub use paced::WhenPaced;
