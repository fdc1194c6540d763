//! A small HTTP/1.1 proxy in front of any fake, for faults a server cannot make by answering:
//! a connection reset before or after the request reached the server, a response cut off
//! mid-body, a response that trickles in a byte at a time, a redirect of any code, any
//! status. Every other request passes through unchanged.
//!
//! Each connection carries one request (`Connection: close` is added on the way in), so the
//! proxy knows where each request and response ends. The fault is armed for the next
//! request whose method is `method` and whose path ends with `path`.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does to the armed request.
#[derive(Clone, Debug, PartialEq)]
pub enum ProxyFault {
    /// Reads the request and resets the connection; the server never sees it.
    ResetBefore,
    /// Passes the request on (the server acts on it) and resets the connection instead of
    /// answering.
    ResetAfter,
    /// Passes the request on and sends back only the response head and half its body.
    Truncate,
    /// Passes the request on and sends the response back one byte every `every`.
    Trickle { every: Duration },
    /// Answers with this status and `Location` itself; the server never sees the request.
    Redirect { status: u16, location: String },
    /// Answers with this status, content type and body itself.
    Answer {
        status: u16,
        content_type: String,
        body: String,
    },
}

#[derive(Default)]
struct Armed {
    faults: Vec<(String, String, ProxyFault)>,
    /// First lines of the requests passed on to the server.
    forwarded: Vec<String>,
}

/// The proxy, listening on `127.0.0.1`; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    armed: Arc<Mutex<Armed>>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// A proxy in front of the server at `backend` (`http://127.0.0.1:PORT`).
    pub fn start(backend: &str) -> io::Result<FaultProxy> {
        let backend: SocketAddr = backend
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{backend}: {e}")))?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let armed = Arc::new(Mutex::new(Armed::default()));
        let (stop, mut stopping) = watch::channel(false);
        let shared = armed.clone();
        let thread = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(listener) else {
                    return;
                };
                loop {
                    tokio::select! {
                        accepted = listener.accept() => {
                            let Ok((client, _)) = accepted else { break };
                            let armed = shared.clone();
                            tokio::spawn(async move {
                                let _ = serve(client, backend, armed).await;
                            });
                        }
                        _ = stopping.wait_for(|stop| *stop) => break,
                    }
                }
            });
        });
        Ok(FaultProxy {
            addr,
            armed,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` of the proxy.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Arms `fault` for the next request with `method` whose path ends with `path`.
    pub fn arm(&self, method: &str, path: &str, fault: ProxyFault) {
        self.lock()
            .faults
            .push((method.to_owned(), path.to_owned(), fault));
    }

    /// The first lines (`POST /api/v1/users/me/status HTTP/1.1`) of the requests that
    /// reached the server through the proxy, oldest first.
    pub fn forwarded(&self) -> Vec<String> {
        self.lock().forwarded.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Armed> {
        self.armed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head and its `Content-Length` body.
async fn read_request(client: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    Ok((head, buffer[head_end..head_end + length].to_vec()))
}

/// The head with `Connection: close` in place of any `Connection` header.
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|line| {
            !line
                .split_once(':')
                .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("connection"))
        })
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

/// Closes with a reset (RST), not an orderly close.
fn reset(stream: TcpStream) {
    // A zero linger resets at once on drop; it never blocks (what the deprecation is about).
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn serve(
    mut client: TcpStream,
    backend: SocketAddr,
    armed: Arc<Mutex<Armed>>,
) -> io::Result<()> {
    let (head, body) = read_request(&mut client).await?;
    let first = head.lines().next().unwrap_or_default().to_owned();
    let mut words = first.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    let path = path.split('?').next().unwrap_or_default();
    let fault = {
        let mut armed = armed.lock().unwrap_or_else(|p| p.into_inner());
        let index = armed
            .faults
            .iter()
            .position(|(m, p, _)| m == method && path.ends_with(p.as_str()));
        index.map(|i| armed.faults.remove(i).2)
    };
    match &fault {
        Some(ProxyFault::ResetBefore) => {
            reset(client);
            return Ok(());
        }
        Some(ProxyFault::Redirect { status, location }) => {
            let answer = format!(
                "HTTP/1.1 {status} Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            client.write_all(answer.as_bytes()).await?;
            return Ok(());
        }
        Some(ProxyFault::Answer {
            status,
            content_type,
            body,
        }) => {
            let answer = format!(
                "HTTP/1.1 {status} Answer\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(answer.as_bytes()).await?;
            return Ok(());
        }
        _ => {}
    }
    let mut server = TcpStream::connect(backend).await?;
    server.write_all(closing(&head).as_bytes()).await?;
    server.write_all(&body).await?;
    armed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .forwarded
        .push(first);
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    match fault {
        Some(ProxyFault::ResetAfter) => reset(client),
        Some(ProxyFault::Truncate) => {
            let head_end = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(response.len(), |at| at + 4);
            // Half the body; an answer without one (Zoom's 204) loses half its head.
            let cut = if response.len() > head_end {
                head_end + (response.len() - head_end) / 2
            } else {
                head_end / 2
            };
            client.write_all(&response[..cut]).await?;
            client.flush().await?;
            drop(client);
        }
        Some(ProxyFault::Trickle { every }) => {
            for byte in response {
                if client.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(every).await;
            }
        }
        _ => client.write_all(&response).await?,
    }
    Ok(())
}
