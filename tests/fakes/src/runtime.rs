//! What every fake shares around its vendor logic: the state behind one mutex ([`Shared`]),
//! and the server lifecycle ([`Running`]): an axum [`Router`] on `127.0.0.1` on its own thread
//! with its own current-thread tokio runtime, shut down (and the thread joined) on drop.

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use tokio::sync::watch;

/// How long shutdown waits for in-flight connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Everything the request handlers need: the fake's state `S` and how it is reached.
#[derive(Debug)]
pub(crate) struct Shared<S> {
    state: Mutex<S>,
    /// Flips to `true` when the fake shuts down (ends hanging requests).
    pub shutdown: watch::Receiver<bool>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl<S> Shared<S> {
    /// Locks the state; a panic in another holder does not make it unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, S> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether handlers see the client's address (as `ConnectInfo<SocketAddr>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientAddr {
    Unused,
    ConnectInfo,
}

/// A fake serving on `127.0.0.1`, and the handle to its state. Dropping it shuts the server
/// down and joins its thread.
#[derive(Debug)]
pub(crate) struct Running<S> {
    shared: Arc<Shared<S>>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl<S> Running<S> {
    /// Binds `127.0.0.1:port` (0 picks a free port), makes the state with `state` and the
    /// app with `app`, and serves it on a thread named `{name}-{port}`. Returns once the
    /// socket is listening.
    pub(crate) fn start(
        name: &str,
        port: u16,
        client_addr: ClientAddr,
        state: impl FnOnce() -> S,
        app: impl FnOnce(Arc<Shared<S>>) -> Router,
    ) -> io::Result<Self> {
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
        let shared = Arc::new(Shared {
            state: Mutex::new(state()),
            shutdown: stopping.clone(),
            base_url: format!("http://{addr}"),
        });
        let app = app(shared.clone());
        let thread = std::thread::Builder::new()
            .name(format!("{name}-{}", addr.port()))
            .spawn(move || serve(runtime, listener, app, client_addr, stopping))?;
        Ok(Running {
            shared,
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Locks the state (see [`Shared::lock`]).
    pub(crate) fn lock(&self) -> MutexGuard<'_, S> {
        self.shared.lock()
    }
}

impl<S> Drop for Running<S> {
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
    client_addr: ClientAddr,
    stopping: watch::Receiver<bool>,
) {
    runtime.block_on(async move {
        let signal = {
            let mut stopping = stopping.clone();
            async move {
                let _ = stopping.wait_for(|s| *s).await;
            }
        };
        let deadline = async move {
            let mut stopping = stopping;
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        match client_addr {
            ClientAddr::Unused => {
                let server = axum::serve(listener, app)
                    .with_graceful_shutdown(signal)
                    .into_future();
                first_of(server, deadline).await;
            }
            ClientAddr::ConnectInfo => {
                let server = axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(signal)
                .into_future();
                first_of(server, deadline).await;
            }
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}

/// Runs until either future finishes.
async fn first_of(a: impl Future, b: impl Future) {
    tokio::select! {
        _ = a => {}
        _ = b => {}
    }
}
