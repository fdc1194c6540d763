//! A fake Mattermost server: the REST routes Presently uses under `/api/v4` (`system/ping`,
//! `users/login` with MFA, `users/logout`, `users/{id}`, `users/{id}/status`,
//! `users/{id}/status/custom`, `emoji/name/{name}`, `emoji`), bearer tokens (sessions and
//! personal access tokens), `X-Version-Id` on every answer with features gated by version,
//! the server's settings that switch statuses, custom statuses, emoji and personal access
//! tokens off, the optional rate limiter, and injectable faults (the same [`Fault`] kinds as
//! every fake).
//!
//! Wire format and rules follow the API reference
//! (<https://developers.mattermost.com/api-documentation/>) and the server code it is built
//! from (`server/channels/api4/status.go`, `server/channels/app/platform/status.go`,
//! `server/public/model/custom_status.go`, `server/channels/app/ratelimit.go`).

mod config;
mod dispatch;
mod error;
mod state;

use std::io;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

pub use crate::faults::Fault;
pub use config::{MmFakeConfig, MmUser};
pub use state::{MmCustomStatus, MmStatus, RecordedRequest};

use crate::runtime::{ClientAddr, Running};
use state::State;

/// A running fake Mattermost server on `127.0.0.1`. Dropping it shuts it down.
#[derive(Debug)]
pub struct FakeMattermost {
    running: Running<State>,
}

impl FakeMattermost {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: MmFakeConfig) -> io::Result<FakeMattermost> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: MmFakeConfig, port: u16) -> io::Result<FakeMattermost> {
        let running = Running::start(
            "fake-mattermost",
            port,
            ClientAddr::ConnectInfo,
            || State::new(config),
            |shared| {
                Router::new()
                    .route("/__fake/state", get(dispatch::get_state))
                    .route("/__fake/fault", post(dispatch::post_fault))
                    .fallback(dispatch::any_request)
                    .with_state(shared)
            },
        )?;
        Ok(FakeMattermost { running })
    }

    /// The server URL, `http://127.0.0.1:PORT`; the API is under `/api/v4`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// A user's status now (a do-not-disturb past its end is over).
    pub fn status_of(&self, user_id: &str) -> MmStatus {
        self.running.lock().status_of(user_id)
    }

    /// A user's stored custom status (`props.customStatus`), `None` when there is none.
    pub fn custom_status_of(&self, user_id: &str) -> Option<MmCustomStatus> {
        let stored = self.running.lock().custom_of(user_id);
        serde_json::from_str(&stored).ok()
    }

    /// The user changes their status in Mattermost's own app (test setup).
    pub fn set_by_hand(&self, user_id: &str, status: &str, emoji: &str, text: &str) {
        let mut state = self.running.lock();
        let _ = state.set_status(user_id, status, 0);
        let body = serde_json::json!({ "emoji": emoji, "text": text });
        let _ = state.set_custom(user_id, &body);
    }

    /// Ends every session of the user and revokes their personal access tokens, as
    /// "Log out of all sessions" and revoking the tokens do.
    pub fn revoke_tokens(&self, user_id: &str) {
        let mut state = self.running.lock();
        state.sessions.retain(|_, user| user != user_id);
        state
            .config
            .personal_access_tokens
            .retain(|(user, _)| user != user_id);
    }

    /// Moves the fake's clock on (ends of custom statuses and of do not disturb).
    pub fn advance_clock(&self, by: Duration) {
        self.running.lock().advance(by);
    }

    /// How many sessions (password sign-ins) are open.
    pub fn sessions(&self) -> usize {
        self.running.lock().sessions.len()
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.requests()
    }

    /// Queues `fault` for the next request under `/api/`.
    pub fn inject(&self, fault: Fault) {
        self.running.inject(fault);
    }

    /// Queues `fault` for the next request to exactly `method` and `path`.
    ///
    /// # Panics
    /// If `method` is not upper case or `path` is not an absolute path without a query.
    pub fn inject_on(&self, method: &str, path: &str, fault: Fault) {
        self.running.inject_on(method, path, fault);
    }

    /// Drops every fault still waiting.
    pub fn clear_faults(&self) {
        self.running.clear_faults();
    }

    /// `{"mattermost": URL, "mattermost_users": [...], "mattermost_tokens": [...]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.running.lock();
        serde_json::json!({
            "mattermost": self.url(),
            "mattermost_users": state.config.users,
            "mattermost_tokens": state.config.personal_access_tokens,
        })
    }
}
