//! The browser half of signing in: a one-shot listener on `127.0.0.1` that receives Zoom's
//! redirect, checks `state`, and exchanges the code (with the PKCE verifier) for tokens.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::config::REDIRECT_PATH;
use super::oauth::{random_token, OAuthClient, Pkce, TokenSet};
use crate::error::ProviderError;

/// A request head larger than this is not Zoom's redirect.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// One slow or silent connection must not hold the sign-in up.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A sign-in in progress: the listener is bound before the URL is shown, so the browser
/// can never come back to a closed port.
pub(crate) struct SignIn {
    oauth: OAuthClient,
    listener: TcpListener,
    redirect_uri: String,
    state: String,
    pkce: Pkce,
}

/// What one connection to the listener brought.
enum Visit {
    Code(String),
    Denied(String),
    Stray,
}

impl SignIn {
    /// Listens on `127.0.0.1:port` and builds the URL to open in the browser.
    pub(crate) async fn begin(
        oauth: OAuthClient,
        port: u16,
    ) -> Result<(SignIn, Url), ProviderError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            ProviderError::Unreachable(format!(
                "cannot listen on 127.0.0.1:{port} for Zoom's redirect ({e}); is another \
                 sign-in running? Pick another port with --redirect-port and register it with \
                 the Zoom app"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| ProviderError::Unreachable(e.to_string()))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}{REDIRECT_PATH}");
        let state = random_token()?;
        let pkce = Pkce::new()?;
        let url = oauth.authorization_url(&redirect_uri, &state, &pkce)?;
        Ok((
            SignIn {
                oauth,
                listener,
                redirect_uri,
                state,
                pkce,
            },
            url,
        ))
    }

    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The loopback port listened on (the one asked for, or the free one given for 0).
    pub(crate) fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Waits up to `wait` for the browser, then trades the code for tokens. Visits with a
    /// wrong `state` are answered and ignored: they did not come from this sign-in. Each
    /// connection is read on its own, so a browser's idle preconnect holds nothing up.
    pub(crate) async fn finish(self, wait: Duration) -> Result<TokenSet, ProviderError> {
        let deadline = tokio::time::Instant::now() + wait;
        let (visits, mut arrived) = tokio::sync::mpsc::channel::<(TcpStream, Visit)>(4);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((mut stream, _)) = accepted else { continue };
                    let visits = visits.clone();
                    let state = self.state.clone();
                    tokio::spawn(async move {
                        let visit = visit(&mut stream, &state).await;
                        if !matches!(visit, Visit::Stray) {
                            let _ = visits.send((stream, visit)).await;
                        }
                    });
                }
                Some((mut stream, visit)) = arrived.recv() => {
                    return self.conclude(&mut stream, visit).await;
                }
                () = tokio::time::sleep_until(deadline) => {
                    return Err(ProviderError::Timeout { seconds: wait.as_secs() });
                }
            }
        }
    }

    async fn conclude(
        &self,
        stream: &mut TcpStream,
        visit: Visit,
    ) -> Result<TokenSet, ProviderError> {
        match visit {
            Visit::Stray => Err(ProviderError::Protocol("no sign-in arrived".into())),
            Visit::Denied(error) => {
                respond(
                    stream,
                    200,
                    "Sign-in cancelled",
                    "Presently was not signed in to Zoom. You can close this tab.",
                )
                .await;
                Err(ProviderError::AuthRejected {
                    reason: format!("the Zoom sign-in was not completed ({error})"),
                })
            }
            Visit::Code(code) => {
                let exchanged = self
                    .oauth
                    .exchange_code(&code, &self.redirect_uri, &self.pkce.verifier)
                    .await;
                match &exchanged {
                    Ok(_) => {
                        respond(
                            stream,
                            200,
                            "Signed in",
                            "Presently is signed in to Zoom. You can close this tab.",
                        )
                        .await
                    }
                    Err(e) => {
                        respond(
                            stream,
                            200,
                            "Sign-in failed",
                            &format!("Presently could not finish signing in to Zoom: {e}"),
                        )
                        .await
                    }
                }
                exchanged
            }
        }
    }
}

/// Reads one visit to the listener and answers the ones that are not this sign-in's return.
async fn visit(stream: &mut TcpStream, state: &str) -> Visit {
    let url = match tokio::time::timeout(READ_TIMEOUT, read_target(stream)).await {
        Ok(Ok(Some(target))) => Url::parse(&format!("http://127.0.0.1{target}")).ok(),
        _ => None,
    };
    let Some(url) = url else {
        respond(
            stream,
            400,
            "Bad request",
            "This is not a Zoom sign-in redirect.",
        )
        .await;
        return Visit::Stray;
    };
    if url.path() != REDIRECT_PATH {
        respond(stream, 404, "Not found", "Nothing here.").await;
        return Visit::Stray;
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        respond(
            stream,
            400,
            "Unknown sign-in",
            "This sign-in was not started by this Presently; it is ignored.",
        )
        .await;
        return Visit::Stray;
    }
    if let Some(error) = param("error") {
        return Visit::Denied(error);
    }
    match param("code") {
        Some(code) if !code.is_empty() => Visit::Code(code),
        _ => {
            respond(stream, 400, "Bad request", "Zoom sent no code.").await;
            Visit::Stray
        }
    }
}

/// The request target of `GET <target> HTTP/1.1`, once the head has arrived.
async fn read_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_HEAD_BYTES {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Presently: {t}</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{t}</h1><p>{m}</p>",
        t = escape(title),
        m = escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the sign-in's result does not depend on this page.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
