//! [`FakeZoom`]: the server on its own thread and runtime, and the handle tests hold.

use std::io;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use super::clock::iso;
use super::config::{ZoomAppKind, ZoomFakeConfig, ZoomPresence};
use super::control;
use super::dispatch;
use super::presence_rules::DND;
use super::recorded::RecordedRequest;
use super::state::State;
use crate::faults::Fault;
use crate::runtime::{ClientAddr, Running};

/// A running fake Zoom (OAuth host and API host on one port) on `127.0.0.1`. Dropping it
/// shuts the server down and joins its thread.
#[derive(Debug)]
pub struct FakeZoom {
    running: Running<State>,
}

impl FakeZoom {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: ZoomFakeConfig) -> io::Result<FakeZoom> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: ZoomFakeConfig, port: u16) -> io::Result<FakeZoom> {
        let running = Running::start(
            "fake-zoom",
            port,
            ClientAddr::Unused,
            || State::new(config),
            |shared| {
                Router::new()
                    .route("/__fake/state", get(control::get_state))
                    .route("/__fake/fault", post(control::post_fault))
                    .route("/__fake/clock", post(control::post_clock))
                    .route("/__fake/user", post(control::post_user))
                    .route("/__fake/browser", post(control::post_browser))
                    .route("/__fake/redirect_url", post(control::post_redirect_url))
                    .route("/__fake/expire_tokens", post(control::post_expire_tokens))
                    .route(
                        "/__fake/revoke_refresh_tokens",
                        post(control::post_revoke_refresh_tokens),
                    )
                    .fallback(dispatch::any_request)
                    .with_state(shared)
            },
        )?;
        Ok(FakeZoom { running })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// Where the REST API lives: `{url}/v2` (Zoom: `https://api.zoom.us/v2`).
    pub fn api_base(&self) -> String {
        format!("{}/v2", self.url())
    }

    /// Where `/oauth/authorize` and `/oauth/token` live: `{url}` (Zoom: `https://zoom.us`).
    pub fn auth_base(&self) -> String {
        self.url()
    }

    /// Moves the fake clock forward: code and token expiry, the one-update-per-minute rule
    /// and the end of a timed DND all follow it.
    pub fn advance_clock(&self, by: Duration) {
        self.running.lock().clock.advance(by);
    }

    /// A user's presence now (`Available` for a user nobody set).
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn presence_of(&self, user: &str) -> ZoomPresence {
        let state = self.running.lock();
        let id = Self::id_in(&state, user);
        state.presence(&id)
    }

    /// Every accepted `PUT .../presence_status` of a user, oldest first: the stored status
    /// (`Do_No_Disturb` reads as `Do_Not_Disturb`) and, for DND, the duration in minutes
    /// (20 when none was sent).
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn presence_updates(&self, user: &str) -> Vec<(String, Option<u32>)> {
        let state = self.running.lock();
        let id = Self::id_in(&state, user);
        state.updates(&id)
    }

    /// Test setup: sets a user's status without any rule, limit or history (a DND set this
    /// way has no end).
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn set_presence(&self, user: &str, status: &str) {
        let mut state = self.running.lock();
        let id = Self::id_in(&state, user);
        let status = if status == "Do_No_Disturb" {
            DND
        } else {
            status
        };
        state.force_status(&id, status);
    }

    /// Logs the user in to (or out of) the Zoom client; presence updates for a logged-out
    /// user fail with 400 5301.
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn set_signed_in_to_client(&self, user: &str, signed_in: bool) {
        let mut state = self.running.lock();
        let id = Self::id_in(&state, user);
        if let Some(u) = state.user_mut(&id) {
            u.signed_in_to_client = signed_in;
        }
    }

    /// Sets the user's Zoom client version (below `5.3.0` only `Away`/`Available` → DND).
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn set_client_version(&self, user: &str, version: &str) {
        let mut state = self.running.lock();
        let id = Self::id_in(&state, user);
        if let Some(u) = state.user_mut(&id) {
            version.clone_into(&mut u.client_version);
        }
    }

    /// Who is signed in to zoom.us in the browser that opens `/oauth/authorize`.
    ///
    /// # Panics
    /// If no user has this id or email.
    pub fn set_browser_user(&self, user: &str) {
        let mut state = self.running.lock();
        let id = Self::id_in(&state, user);
        state.config.browser_user = id;
    }

    /// Whether the browser user declines the consent page (redirect with
    /// `error=access_denied`).
    pub fn set_deny_consent(&self, deny: bool) {
        self.running.lock().config.deny_consent = deny;
    }

    /// Registers another redirect URL on a user-managed app.
    ///
    /// # Panics
    /// If `client_id` is not a user-managed app.
    pub fn add_redirect_url(&self, client_id: &str, url: &str) {
        assert!(
            self.running.lock().add_redirect_url(client_id, url),
            "no user-managed app {client_id:?}"
        );
    }

    /// Every access token issued so far stops working (401 124 "Access token is expired.");
    /// refresh tokens keep working.
    pub fn expire_tokens(&self) {
        let mut state = self.running.lock();
        let now = state.now();
        state.tokens.expire_access(now);
    }

    /// Every refresh token issued so far is revoked (refreshing gets `invalid_grant`).
    pub fn revoke_refresh_tokens(&self) {
        self.running.lock().tokens.revoke_refresh();
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.running.requests()
    }

    /// Queues `fault` for the next request under `/v2/` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.running.inject(fault);
    }

    /// Queues `fault` for the next request whose method and path are exactly `method` and
    /// `path`, e.g. `("POST", "/oauth/token")`; other requests pass untouched. Several faults
    /// on one target apply one per matching request, in order. A fault from
    /// [`FakeZoom::inject`] still pending takes precedence for requests under `/v2/`.
    ///
    /// # Panics
    /// If `method` is not upper case (`"PUT"`) or `path` is not an absolute path without a
    /// query string: such a fault could never fire.
    pub fn inject_on(&self, method: &str, path: &str, fault: Fault) {
        self.running.inject_on(method, path, fault);
    }

    /// `{"zoom": URL, "zoom_api_base": .., "zoom_auth_base": .., "zoom_users": [..],
    /// "zoom_apps": [apps with their secrets, redirect URLs or account id]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.running.lock();
        let apps: Vec<serde_json::Value> = state
            .config
            .apps
            .iter()
            .map(|app| {
                let (kind, redirect_urls, account_id) = match &app.kind {
                    ZoomAppKind::UserManaged { redirect_urls } => {
                        ("user_managed", Some(redirect_urls.clone()), None)
                    }
                    ZoomAppKind::ServerToServer { account_id } => {
                        ("server_to_server", None, Some(account_id.clone()))
                    }
                };
                serde_json::json!({
                    "client_id": app.client_id,
                    "client_secret": app.client_secret,
                    "kind": kind,
                    "redirect_urls": redirect_urls,
                    "account_id": account_id,
                    "scopes": app.scopes,
                    "owner": app.owner,
                })
            })
            .collect();
        serde_json::json!({
            "zoom": self.url(),
            "zoom_api_base": self.api_base(),
            "zoom_auth_base": self.auth_base(),
            "zoom_now": iso(state.now()),
            "zoom_users": state.config.users,
            "zoom_apps": apps,
        })
    }

    fn id_in(state: &State, user: &str) -> String {
        state
            .user(user)
            .map(|u| u.id.clone())
            .unwrap_or_else(|| panic!("the fake Zoom has no user {user:?}"))
    }
}
