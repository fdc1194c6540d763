//! [`FakeZulip`]: the server on its own thread and runtime, and the handle tests hold.

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::watch;

use super::config::{UserStatus, ZulipFakeConfig};
use super::control;
use super::dispatch;
use super::fault::{Fault, TargetedFault};
use super::recorded::RecordedRequest;
use super::state::{Shared, State};

/// How long shutdown waits for in-flight connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running fake Zulip server on `127.0.0.1`. Dropping it shuts the server down and joins
/// its thread.
#[derive(Debug)]
pub struct FakeZulip {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeZulip {
    /// Starts on a free port. Returns once the socket is listening.
    pub fn start(config: ZulipFakeConfig) -> io::Result<FakeZulip> {
        Self::start_on_port(config, 0)
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start_on_port(config: ZulipFakeConfig, port: u16) -> io::Result<FakeZulip> {
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
            State::new(config),
            stopping.clone(),
            format!("http://{addr}"),
        ));
        let app = Router::new()
            .route("/__fake/state", get(control::get_state))
            .route("/__fake/fault", post(control::post_fault))
            .fallback(dispatch::any_request)
            .with_state(shared.clone());
        let thread = std::thread::Builder::new()
            .name(format!("fake-zulip-{}", addr.port()))
            .spawn(move || serve(runtime, listener, app, stopping))?;
        Ok(FakeZulip {
            shared,
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    /// The site URL, `http://127.0.0.1:PORT`; the API is under `/api/v1`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A user's current status (`away` is `!presence_enabled` on FL >= 148). Default for
    /// unknown ids.
    pub fn status_of(&self, user_id: u64) -> UserStatus {
        self.shared.lock().status_of(user_id)
    }

    /// The user's `presence_enabled` setting; `false` for unknown ids.
    pub fn presence_enabled(&self, user_id: u64) -> bool {
        self.shared.lock().presence_enabled(user_id)
    }

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Queues `fault` for the next request under `/api/v1` (one fault per request, in order).
    pub fn inject(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
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
        let targeted = TargetedFault::new(method, path, fault).unwrap_or_else(|e| panic!("{e}"));
        self.shared.lock().targeted_faults.push(targeted);
    }

    /// Replaces a user's status (test setup); `away` sets `presence_enabled = !away` on
    /// FL >= 148. No-op for unknown ids.
    pub fn set_status(&self, user_id: u64, status: UserStatus) {
        self.shared.lock().set_status(user_id, status);
    }

    /// `{"zulip": URL, "zulip_users": [users with their API keys]}`.
    pub fn describe(&self) -> serde_json::Value {
        let state = self.shared.lock();
        serde_json::json!({ "zulip": self.url(), "zulip_users": state.config.users })
    }
}

impl Drop for FakeZulip {
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
        let server = axum::serve(listener, app)
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
