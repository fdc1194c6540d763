//! [`FakeRocketChat`]: the server on its own thread and runtime, and the handle tests hold.

use std::io;
use std::time::Instant;

use axum::routing::{get, post};
use axum::Router;

use super::config::{CustomStatus, RcFakeConfig, RcStatus};
use super::control;
use super::dispatch;
use super::recorded::RecordedRequest;
use super::state::State;
use crate::faults::Fault;
use crate::runtime::{ClientAddr, Running};

/// A running fake Rocket.Chat server on `127.0.0.1`. Dropping it shuts the server down and
/// joins its thread.
#[derive(Debug)]
pub struct FakeRocketChat {
    running: Running<State>,
}

impl FakeRocketChat {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: RcFakeConfig) -> io::Result<FakeRocketChat> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: RcFakeConfig, port: u16) -> io::Result<FakeRocketChat> {
        let running = Running::start(
            "fake-rocketchat",
            port,
            ClientAddr::ConnectInfo,
            || State::new(config, Instant::now()),
            |shared| {
                Router::new()
                    .route("/__fake/state", get(control::get_state))
                    .route("/__fake/fault", post(control::post_fault))
                    .fallback(dispatch::any_request)
                    .with_state(shared)
            },
        )?;
        Ok(FakeRocketChat { running })
    }

    /// The workspace URL, `http://127.0.0.1:PORT`; the REST API is under `/api/v1`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// A user's current status (`statusText` as `message`, and `status`). Default (no text,
    /// `online`) for unknown ids.
    pub fn status_of(&self, user_id: &str) -> RcStatus {
        self.running.lock().status_of(user_id)
    }

    /// The custom statuses, sorted by name (as `custom-user-status.list` returns them).
    pub fn custom_statuses(&self) -> Vec<CustomStatus> {
        self.running
            .lock()
            .custom_sorted()
            .iter()
            .map(|c| c.public())
            .collect()
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.requests()
    }

    /// Queues `fault` for the next request under `/api/` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.running.inject(fault);
    }

    /// Drops every fault still waiting for a request (from `inject` and `inject_on`).
    pub fn clear_faults(&self) {
        self.running.clear_faults();
    }

    /// Queues `fault` for the next request whose method and path are exactly `method` and
    /// `path`, e.g. `("POST", "/api/v1/users.setStatus")`; other requests pass untouched.
    /// Several faults on one target apply one per matching request, in order. A fault from
    /// [`FakeRocketChat::inject`] still pending takes precedence.
    ///
    /// # Panics
    /// If `method` is not upper case (`"POST"`) or `path` is not an absolute path without a
    /// query string: such a fault could never fire.
    pub fn inject_on(&self, method: &str, path: &str, fault: Fault) {
        self.running.inject_on(method, path, fault);
    }

    /// Drops every login token **and personal access token** of the user, as the server's
    /// "log out everywhere" (`users.logout` for another user, `Users.unsetLoginTokens`) does;
    /// the next call with any of them gets 401 "You must be logged in to do this.".
    pub fn revoke_tokens(&self, user_id: &str) {
        self.running.lock().revoke_tokens(user_id);
    }

    /// Replaces a user's status (test setup; afterwards the user has a `statusText`). No-op
    /// for unknown ids.
    pub fn set_status(&self, user_id: &str, status: RcStatus) {
        self.running.lock().set_status(user_id, status);
    }

    /// Adds a custom status without validation (test setup); returns its id.
    pub fn add_custom_status(&self, name: &str, status_type: &str) -> String {
        self.running.lock().insert_custom(name, status_type)
    }

    /// `{"rocketchat": URL, "rocketchat_users": [users with passwords, codes, permissions and
    /// their "personal_access_tokens"]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.running.lock();
        let users: Vec<serde_json::Value> = state
            .config
            .users
            .iter()
            .map(|u| {
                let mut value = serde_json::to_value(u).unwrap_or_default();
                let pats: Vec<&str> = state
                    .config
                    .personal_access_tokens
                    .iter()
                    .filter(|(id, _)| *id == u.user_id)
                    .map(|(_, token)| token.as_str())
                    .collect();
                if let Some(map) = value.as_object_mut() {
                    map.insert("personal_access_tokens".into(), pats.into());
                }
                value
            })
            .collect();
        serde_json::json!({ "rocketchat": self.url(), "rocketchat_users": users })
    }
}
