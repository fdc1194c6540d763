//! [`FakeSlack`]: the server on its own thread and runtime, and the handle tests hold.

use std::io;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use super::config::SlackFakeConfig;
use super::control;
use super::dispatch;
use super::profile::SlackProfile;
use super::recorded::RecordedRequest;
use super::state::State;
use crate::faults::Fault;
use crate::runtime::{ClientAddr, Running};

/// A running fake Slack workspace on `127.0.0.1`: the Web API under `/api/<method>` and the
/// consent page at `/oauth/v2/authorize`. Dropping it shuts the server down and joins its
/// thread.
#[derive(Debug)]
pub struct FakeSlack {
    running: Running<State>,
}

impl FakeSlack {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: SlackFakeConfig) -> io::Result<FakeSlack> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: SlackFakeConfig, port: u16) -> io::Result<FakeSlack> {
        let running = Running::start(
            "fake-slack",
            port,
            ClientAddr::Unused,
            || State::new(config),
            |shared| {
                Router::new()
                    .route("/__fake/state", get(control::get_state))
                    .route("/__fake/fault", post(control::post_fault))
                    .route("/__fake/clock", post(control::post_clock))
                    .route("/__fake/status", post(control::post_status))
                    .route("/__fake/revoke", post(control::post_revoke))
                    .route("/__fake/expire_tokens", post(control::post_expire_tokens))
                    .fallback(dispatch::any_request)
                    .with_state(shared)
            },
        )?;
        Ok(FakeSlack { running })
    }

    /// `http://127.0.0.1:PORT` (Slack: `https://slack.com`): the Web API is at
    /// `{url}/api/<method>`, the consent page at `{url}/oauth/v2/authorize`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// The person's custom status now; an expired one reads as cleared (Slack clears it
    /// itself). Empty for an unknown id.
    pub fn profile_of(&self, user_id: &str) -> SlackProfile {
        self.running.lock().profile(user_id)
    }

    /// `auto` or `away`, as `users.setPresence` last set it (`auto` at first).
    pub fn presence_of(&self, user_id: &str) -> String {
        self.running.lock().presence(user_id)
    }

    /// When the person's do-not-disturb snooze ends (Unix seconds), while one runs.
    pub fn snooze_end_of(&self, user_id: &str) -> Option<i64> {
        self.running.lock().snooze_end(user_id)
    }

    /// The person sets a status in Slack's own app: no rule, limit or write count.
    pub fn set_by_hand(&self, user_id: &str, text: &str, emoji: &str, expiration: i64) {
        let profile = SlackProfile {
            status_text: text.to_owned(),
            status_emoji: emoji.to_owned(),
            status_expiration: expiration,
        };
        self.running.lock().set_profile(user_id, profile, false);
    }

    /// The app is uninstalled for the person: every token of theirs (pasted, issued,
    /// refresh) stops working; calls answer `token_revoked`.
    pub fn revoke_tokens(&self, user_id: &str) {
        self.running.lock().tokens.revoke_user(user_id);
    }

    /// Someone else is signed in to "the browser" now: the consent page approves for them.
    pub fn set_browser_user(&self, user_id: &str) {
        self.running.lock().config.browser_user = user_id.to_owned();
    }

    /// Every rotating access token issued so far is past its 12 hours: calls answer
    /// `token_expired` (refresh tokens keep working; pasted tokens never expire).
    pub fn expire_access_tokens(&self) {
        let mut state = self.running.lock();
        let now = state.now();
        state.tokens.expire_rotating(now);
    }

    /// Moves the fake clock forward: status expiry, snooze ends, code and token lifetimes
    /// and the rate-limit windows all follow it.
    pub fn advance_clock(&self, by: Duration) {
        self.running.lock().clock.advance(by);
    }

    /// How many `users.profile.set` calls changed the person's profile so far.
    pub fn profile_writes(&self, user_id: &str) -> usize {
        self.running.lock().profile_writes(user_id)
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.requests()
    }

    /// Queues `fault` for the next request under `/api/` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.running.inject(fault);
    }

    /// Queues `fault` for the next request whose method and path are exactly `method` and
    /// `path`, e.g. `("POST", "/api/users.profile.set")`. A fault from [`FakeSlack::inject`]
    /// still pending takes precedence for requests under `/api/`.
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

    /// `{"slack": URL, "slack_team": {..}, "slack_users": [..], "slack_tokens": [[user,
    /// token, scopes]..], "slack_apps": [apps with their secrets and redirect URLs],
    /// "slack_browser_user": ".."}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.running.lock();
        let config = &state.config;
        serde_json::json!({
            "slack": self.url(),
            "slack_team": {
                "id": config.team_id,
                "name": config.team_name,
                "domain": config.team_domain,
            },
            "slack_users": config.users,
            "slack_tokens": config.tokens,
            "slack_apps": config.apps,
            "slack_browser_user": config.browser_user,
        })
    }
}
