//! [`FakeZulip`]: the server on its own thread and runtime, and the handle tests hold.

use std::io;

use axum::routing::{get, post};
use axum::Router;

use super::config::{UserStatus, ZulipFakeConfig};
use super::control;
use super::dispatch;
use super::recorded::RecordedRequest;
use super::state::State;
use crate::faults::Fault;
use crate::runtime::{ClientAddr, Running};

/// A running fake Zulip server on `127.0.0.1`. Dropping it shuts the server down and joins
/// its thread.
#[derive(Debug)]
pub struct FakeZulip {
    running: Running<State>,
}

impl FakeZulip {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: ZulipFakeConfig) -> io::Result<FakeZulip> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: ZulipFakeConfig, port: u16) -> io::Result<FakeZulip> {
        let running = Running::start(
            "fake-zulip",
            port,
            ClientAddr::Unused,
            || State::new(config),
            |shared| {
                Router::new()
                    .route("/__fake/state", get(control::get_state))
                    .route("/__fake/fault", post(control::post_fault))
                    .fallback(dispatch::any_request)
                    .with_state(shared)
            },
        )?;
        Ok(FakeZulip { running })
    }

    /// The site URL, `http://127.0.0.1:PORT`; the API is under `/api/v1`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// A user's current status (`away` is `!presence_enabled` on FL >= 148). Default for
    /// unknown ids.
    pub fn status_of(&self, user_id: u64) -> UserStatus {
        self.running.lock().status_of(user_id)
    }

    /// The user's `presence_enabled` setting; `false` for unknown ids.
    pub fn presence_enabled(&self, user_id: u64) -> bool {
        self.running.lock().presence_enabled(user_id)
    }

    /// The user turns invisible mode on or off in Zulip's own settings.
    pub fn set_presence_enabled(&self, user_id: u64, enabled: bool) {
        self.running.lock().set_presence_enabled(user_id, enabled);
    }

    /// Event queues opened with `POST /register` and not deleted since.
    pub fn open_queues(&self) -> usize {
        self.running.lock().open_queues()
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.requests()
    }

    /// Queues `fault` for the next request under `/api/v1` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.running.inject(fault);
    }

    /// Drops every fault still waiting for a request (from `inject` and `inject_on`).
    pub fn clear_faults(&self) {
        self.running.clear_faults();
    }

    /// Queues `fault` for the next request whose method and path are exactly `method` and
    /// `path`, e.g. `("POST", "/api/v1/users/me/status")`; other requests pass untouched.
    /// Several faults on one target apply one per matching request, in order. A fault from
    /// [`FakeZulip::inject`] still pending takes precedence: it is for the very next request.
    ///
    /// # Panics
    /// If `method` is not upper case (`"POST"`) or `path` is not an absolute path without a
    /// query string: such a fault could never fire.
    pub fn inject_on(&self, method: &str, path: &str, fault: Fault) {
        self.running.inject_on(method, path, fault);
    }

    /// "Generate new API key" (Settings → Account & privacy): the user gets `new_key` and
    /// the old key stops working at once (<https://zulip.com/api/api-keys>). No-op for
    /// unknown ids.
    pub fn regenerate_api_key(&self, user_id: u64, new_key: &str) {
        let mut state = self.running.lock();
        if let Some(user) = state.config.users.iter_mut().find(|u| u.user_id == user_id) {
            user.api_key = new_key.to_owned();
        }
    }

    /// Replaces a user's status (test setup); `away` sets `presence_enabled = !away` on
    /// FL >= 148. No-op for unknown ids.
    pub fn set_status(&self, user_id: u64, status: UserStatus) {
        self.running.lock().set_status(user_id, status);
    }

    /// `{"zulip": URL, "zulip_users": [users with their API keys]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.running.lock();
        serde_json::json!({ "zulip": self.url(), "zulip_users": state.config.users })
    }
}
