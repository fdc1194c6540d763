//! The browser half of an OAuth sign-in (RFC 8252 §7.3, loopback redirect): a one-shot
//! listener on `127.0.0.1` that receives the service's redirect, checks `state`, and hands
//! the code to the provider, which exchanges it (with the PKCE verifier) for tokens.

use secrecy::SecretString;
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::tokens::{random_token, Pkce, TokenSet};
use crate::error::ProviderError;
use crate::providers::{Service, SignInPrompt};

/// A service's authorization-code grant (RFC 6749 §4.1 with PKCE): where the browser goes,
/// and how the code it brings back becomes tokens.
#[async_trait::async_trait]
pub(crate) trait CodeGrant: Send + Sync {
    fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> Result<Url, ProviderError>;

    async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, ProviderError>;
}

/// Where the service sends the browser back: `http://{host}:{port}{path}`.
pub(crate) struct Redirect {
    pub host: &'static str,
    pub port: u16,
    pub path: &'static str,
}

/// The whole browser sign-in: listens on the redirect port, lets the face open the
/// browser, waits up to `wait` for the service's answer and trades the code for tokens.
/// Returns them and the port listened on (the free one given for port 0).
///
/// # Errors
/// As [`Loopback::begin`] and [`Loopback::finish`]; [`ProviderError::Local`] when the face
/// could not start the sign-in.
pub(crate) async fn sign_in_with_browser(
    service: Service,
    grant: &dyn CodeGrant,
    redirect: Redirect,
    prompt: &dyn SignInPrompt,
    wait: Duration,
) -> Result<(TokenSet, u16), ProviderError> {
    let loopback = Loopback::begin(service, redirect.host, redirect.port, redirect.path).await?;
    let port = loopback.port();
    let redirect_uri = loopback.redirect_uri().to_owned();
    let url =
        grant.authorization_url(&redirect_uri, loopback.state(), loopback.code_challenge())?;
    prompt
        .open_browser(service, &url, &redirect_uri)
        .await
        .map_err(|e| ProviderError::Local(format!("the sign-in did not start: {e}")))?;
    let verifier = loopback.code_verifier();
    let tokens = loopback
        .finish(wait, |code| async move {
            grant.exchange_code(&code, &redirect_uri, &verifier).await
        })
        .await?;
    Ok((tokens, port))
}

/// A request head larger than this is not a sign-in redirect.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// One slow or silent connection must not hold the sign-in up.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A sign-in in progress: the listener is bound before the URL is shown, so the browser
/// can never come back to a closed port.
pub(crate) struct Loopback {
    service: Service,
    listener: TcpListener,
    path: &'static str,
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

impl Loopback {
    /// Listens on `127.0.0.1:port` (0: any free port) for a redirect to
    /// `http://{host}:{port}{path}`; `host` is how the service's app registers it
    /// ("127.0.0.1" for Zoom, "localhost" for Slack).
    ///
    /// # Errors
    /// [`ProviderError::Unreachable`] when the port is taken.
    pub(crate) async fn begin(
        service: Service,
        host: &str,
        port: u16,
        path: &'static str,
    ) -> Result<Loopback, ProviderError> {
        let name = service.display_name();
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            ProviderError::Unreachable(format!(
                "cannot listen on 127.0.0.1:{port} for {name}'s redirect ({e}); is another \
                 sign-in running? Pick another port with --redirect-port and register it with \
                 the {name} app"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| ProviderError::Unreachable(e.to_string()))?
            .port();
        Ok(Loopback {
            service,
            listener,
            path,
            redirect_uri: format!("http://{host}:{port}{path}"),
            state: random_token()?,
            pkce: Pkce::new()?,
        })
    }

    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `state` the authorization URL must carry.
    pub(crate) fn state(&self) -> &str {
        &self.state
    }

    /// The PKCE challenge the authorization URL must carry (method S256).
    pub(crate) fn code_challenge(&self) -> &str {
        &self.pkce.challenge
    }

    /// The PKCE verifier the code exchange must send.
    pub(crate) fn code_verifier(&self) -> SecretString {
        self.pkce.verifier.clone()
    }

    /// The loopback port listened on (the one asked for, or the free one given for 0).
    pub(crate) fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Waits up to `wait` for the browser, then trades the code for tokens with `exchange`
    /// and tells the browser how that went. Visits with a wrong `state` are answered and
    /// ignored: they did not come from this sign-in. Each connection is read on its own, so
    /// a browser's idle preconnect holds nothing up.
    ///
    /// # Errors
    /// [`ProviderError::Timeout`] when nobody came back in time; `AuthRejected` when the
    /// person declined; whatever `exchange` returns.
    pub(crate) async fn finish<T, Fut>(
        self,
        wait: Duration,
        exchange: impl FnOnce(String) -> Fut,
    ) -> Result<T, ProviderError>
    where
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let deadline = tokio::time::Instant::now() + wait;
        let (visits, mut arrived) = tokio::sync::mpsc::channel::<(TcpStream, Visit)>(4);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((mut stream, _)) = accepted else { continue };
                    let visits = visits.clone();
                    let state = self.state.clone();
                    let (path, service) = (self.path, self.service);
                    tokio::spawn(async move {
                        let visit = visit(&mut stream, &state, path, service).await;
                        if !matches!(visit, Visit::Stray) {
                            let _ = visits.send((stream, visit)).await;
                        }
                    });
                }
                Some((mut stream, visit)) = arrived.recv() => {
                    return self.conclude(&mut stream, visit, exchange).await;
                }
                () = tokio::time::sleep_until(deadline) => {
                    return Err(ProviderError::Timeout { seconds: wait.as_secs() });
                }
            }
        }
    }

    async fn conclude<T, Fut>(
        &self,
        stream: &mut TcpStream,
        visit: Visit,
        exchange: impl FnOnce(String) -> Fut,
    ) -> Result<T, ProviderError>
    where
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let name = self.service.display_name();
        match visit {
            Visit::Stray => Err(ProviderError::Protocol("no sign-in arrived".into())),
            Visit::Denied(error) => {
                respond(
                    stream,
                    200,
                    "Sign-in cancelled",
                    &format!("Presently was not signed in to {name}. You can close this tab."),
                )
                .await;
                Err(ProviderError::AuthRejected {
                    reason: format!(
                        "the {name} sign-in was not completed ({})",
                        crate::http::untrusted(&error)
                    ),
                })
            }
            Visit::Code(code) => {
                let exchanged = exchange(code).await;
                match &exchanged {
                    Ok(_) => {
                        respond(
                            stream,
                            200,
                            "Signed in",
                            &format!("Presently is signed in to {name}. You can close this tab."),
                        )
                        .await
                    }
                    Err(e) => {
                        respond(
                            stream,
                            200,
                            "Sign-in failed",
                            &format!("Presently could not finish signing in to {name}: {e}"),
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
async fn visit(stream: &mut TcpStream, state: &str, path: &str, service: Service) -> Visit {
    let url = match tokio::time::timeout(READ_TIMEOUT, read_target(stream)).await {
        Ok(Ok(Some(target))) => Url::parse(&format!("http://127.0.0.1{target}")).ok(),
        _ => None,
    };
    let Some(url) = url else {
        respond(
            stream,
            400,
            "Bad request",
            &format!("This is not a {} sign-in redirect.", service.display_name()),
        )
        .await;
        return Visit::Stray;
    };
    if url.path() != path {
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
            let said = format!("{} sent no code.", service.display_name());
            respond(stream, 400, "Bad request", &said).await;
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
