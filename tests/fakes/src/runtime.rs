//! What every fake shares around its vendor logic: the state behind one mutex ([`Shared`]),
//! the server lifecycle ([`Running`]): an axum [`Router`] on `127.0.0.1` on its own thread
//! with its own current-thread tokio runtime, shut down (and the thread joined) on drop, and
//! the recorded requests and injected faults every fake's state holds ([`FakeState`]).

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::response::Response;
use axum::Router;
use tokio::sync::watch;

use crate::faults::{self, Fault, FaultQueues, TargetedFault};

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

/// One request as a fake recorded it (each fake has its own `RecordedRequest`).
pub(crate) trait Recorded: Clone {
    /// Notes the response status once the request is answered.
    fn set_status(&mut self, status: u16);
}

/// The part of a fake's state that is the same for every fake: the requests it received and
/// the faults waiting for requests.
pub(crate) trait FakeState {
    type Recorded: Recorded;

    /// Every request received so far, oldest first (`/__fake` requests excluded).
    fn requests_mut(&mut self) -> &mut Vec<Self::Recorded>;

    /// The injected faults still waiting.
    fn faults_mut(&mut self) -> &mut FaultQueues;

    /// Appends `request` to the record; returns its index (for [`Shared::answered`]).
    fn record(&mut self, request: Self::Recorded) -> usize {
        let requests = self.requests_mut();
        requests.push(request);
        requests.len() - 1
    }
}

impl<S: FakeState> Shared<S> {
    /// Notes the status of `response` on the recorded request at `index`.
    pub(crate) fn answered(&self, index: usize, response: &Response) {
        if let Some(entry) = self.lock().requests_mut().get_mut(index) {
            entry.set_status(response.status().as_u16());
        }
    }

    /// Does what `POST /__fake/fault` asks (see [`faults::parse_request`]): queues the fault.
    /// `Err` is the message for the 400 (`bad fault: ...`); each fake answers in its own
    /// control-API JSON.
    pub(crate) fn queue_fault(&self, body: &[u8]) -> Result<(), String> {
        let order = faults::parse_request(body)?;
        self.lock().faults_mut().queue(order);
        Ok(())
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

impl<S: FakeState> Running<S> {
    /// Every request received so far, oldest first (`/__fake` requests excluded).
    pub(crate) fn requests(&self) -> Vec<S::Recorded> {
        self.lock().requests_mut().clone()
    }

    /// Queues `fault` for the next API request.
    pub(crate) fn inject(&self, fault: Fault) {
        self.lock().faults_mut().push(fault);
    }

    /// Drops every fault still waiting for a request, targeted or not.
    pub(crate) fn clear_faults(&self) {
        *self.lock().faults_mut() = FaultQueues::default();
    }

    /// Queues `fault` for the next request to exactly `method` and `path`.
    ///
    /// # Panics
    /// If the target is not one a request can have (see [`TargetedFault::new`]).
    pub(crate) fn inject_on(&self, method: &str, path: &str, fault: Fault) {
        let targeted = TargetedFault::new(method, path, fault).unwrap_or_else(|e| panic!("{e}"));
        self.lock().faults_mut().push_targeted(targeted);
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

/// How long every fake in this process holds each answer back, in milliseconds: the
/// network's round trip to a real server, for benchmarks (`presently-fakes --latency-ms`).
/// The fakes' own control endpoints (`/__fake/...`) answer at once.
static LATENCY_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sets [`LATENCY_MS`] for every fake started in this process.
pub fn set_latency(latency: Duration) {
    let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    LATENCY_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

async fn with_latency(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let control = request.uri().path().starts_with("/__fake");
    let response = next.run(request).await;
    let ms = LATENCY_MS.load(std::sync::atomic::Ordering::Relaxed);
    if ms > 0 && !control {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    response
}

/// The server thread: serve until shutdown, then give connections [`SHUTDOWN_GRACE`].
fn serve(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: Router,
    client_addr: ClientAddr,
    stopping: watch::Receiver<bool>,
) {
    // Answers go out at once on kept-alive connections (no Nagle delay of the fake's own).
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = app.layer(axum::middleware::from_fn(with_latency));
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
