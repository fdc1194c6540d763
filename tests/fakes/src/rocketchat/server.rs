//! [`FakeRocketChat`]: the server on its own thread and runtime, and the handle tests hold.

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::watch;

use super::config::{CustomStatus, RcFakeConfig, RcStatus};
use super::control;
use super::dispatch;
use super::recorded::RecordedRequest;
use super::state::{Shared, State};
use crate::zulip::fault::{Fault, TargetedFault};

/// How long shutdown waits for in-flight connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running fake Rocket.Chat server on `127.0.0.1`. Dropping it shuts the server down and
/// joins its thread.
#[derive(Debug)]
pub struct FakeRocketChat {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeRocketChat {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: RcFakeConfig) -> io::Result<FakeRocketChat> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: RcFakeConfig, port: u16) -> io::Result<FakeRocketChat> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let (shutdown, stopping) = watch::channel(false);
        let shared = Arc::new(Shared::new(
            State::new(config, Instant::now()),
            stopping.clone(),
            format!("http://{addr}"),
        ));
        let app = Router::new()
            .route("/__fake/state", get(control::get_state))
            .route("/__fake/fault", post(control::post_fault))
            .fallback(dispatch::any_request)
            .with_state(shared.clone());
        let thread = std::thread::Builder::new()
            .name(format!("fake-rocketchat-{}", addr.port()))
            .spawn(move || serve(runtime, listener, app, stopping))?;
        Ok(FakeRocketChat {
            shared,
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    /// The workspace URL, `http://127.0.0.1:PORT`; the REST API is under `/api/v1`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A user's current status (`statusText` as `message`, and `status`). Default (no text,
    /// `online`) for unknown ids.
    pub fn status_of(&self, user_id: &str) -> RcStatus {
        self.shared.lock().status_of(user_id)
    }

    /// The custom statuses, sorted by name (as `custom-user-status.list` returns them).
    pub fn custom_statuses(&self) -> Vec<CustomStatus> {
        self.shared
            .lock()
            .custom_sorted()
            .iter()
            .map(|c| c.public())
            .collect()
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Queues `fault` for the next request under `/api/` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
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
        let targeted = TargetedFault::new(method, path, fault).unwrap_or_else(|e| panic!("{e}"));
        self.shared.lock().targeted_faults.push(targeted);
    }

    /// Drops every login token **and personal access token** of the user, as the server's
    /// "log out everywhere" (`users.logout` for another user, `Users.unsetLoginTokens`) does;
    /// the next call with any of them gets 401 "You must be logged in to do this.".
    pub fn revoke_tokens(&self, user_id: &str) {
        self.shared.lock().revoke_tokens(user_id);
    }

    /// Replaces a user's status (test setup; afterwards the user has a `statusText`). No-op
    /// for unknown ids.
    pub fn set_status(&self, user_id: &str, status: RcStatus) {
        self.shared.lock().set_status(user_id, status);
    }

    /// Adds a custom status without validation (test setup); returns its id.
    pub fn add_custom_status(&self, name: &str, status_type: &str) -> String {
        self.shared.lock().insert_custom(name, status_type)
    }

    /// `{"rocketchat": URL, "rocketchat_users": [users with passwords, codes, permissions and
    /// their "personal_access_tokens"]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.shared.lock();
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

impl Drop for FakeRocketChat {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: serve until shutdown, then give connections [`SHUTDOWN_GRACE`].
fn serve(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Router,
    stopping: watch::Receiver<bool>,
) {
    runtime.block_on(async move {
        let signal = {
            let mut stopping = stopping.clone();
            async move {
                let _ = stopping.wait_for(|s| *s).await;
            }
        };
        let server = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .into_future();
        let deadline = async move {
            let mut stopping = stopping;
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            _ = server => {}
            _ = deadline => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}
