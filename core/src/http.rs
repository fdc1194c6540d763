//! The HTTP rules every provider shares: one client, bounded time and size, no redirects
//! (credentials go to the configured server and nowhere else), https except on loopback,
//! the operating system's certificate store, proxies from the environment except for
//! loopback.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Response;
use url::Url;

use crate::error::{Error, ProviderError, Result};

/// Largest response body Presently reads; status APIs answer in a few hundred bytes.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .proxy(proxy_from_env())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("Presently/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::invalid(format!("cannot start the HTTP client (TLS): {e}")))
}

/// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (or their lower-case forms) and `NO_PROXY` as
/// curl reads them, except that a server on this machine (loopback) is always reached
/// directly: a stray proxy setting must not receive a local server's credentials.
fn proxy_from_env() -> reqwest::Proxy {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    };
    let usable = |name: &str, value: Option<String>| {
        value.filter(|v| match Url::parse(v) {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!("the proxy setting {name}={v:?} is not a URL ({e}); ignored");
                false
            }
        })
    };
    let https = usable(
        "HTTPS_PROXY",
        var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]),
    );
    let http = usable(
        "HTTP_PROXY",
        var(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]),
    );
    let no_proxy = var(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
    reqwest::Proxy::custom(move |url| {
        let host = url.host_str().unwrap_or_default();
        if is_loopback(url) || bypasses(host, &no_proxy) {
            return None;
        }
        match url.scheme() {
            "https" => https.clone(),
            _ => http.clone(),
        }
    })
}

/// Whether `NO_PROXY` (comma-separated, as curl reads it) names `host`: `*`; a domain,
/// matching it and every name under it (a leading `.` changes nothing); an IP address; or
/// a range of them (`10.0.0.0/8`, `fd00::/8`). A `:port` on an entry is ignored.
fn bypasses(host: &str, no_proxy: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let address = host.parse::<IpAddr>().ok();
    no_proxy.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('.').to_ascii_lowercase();
        if let Some((network, bits)) = entry.split_once('/') {
            let (Ok(network), Ok(bits), Some(address)) =
                (network.parse::<IpAddr>(), bits.parse::<u32>(), address)
            else {
                return false;
            };
            return in_range(address, network, bits);
        }
        let name = match entry.rsplit_once(':') {
            Some((name, port))
                if port.chars().all(|c| c.is_ascii_digit()) && !name.contains(':') =>
            {
                name
            }
            _ => entry.as_str(),
        };
        match (name.parse::<IpAddr>(), address) {
            (Ok(ip), Some(address)) => ip == address,
            (Ok(_), None) => false,
            (Err(_), _) => {
                !name.is_empty() && (host == name || host.ends_with(&format!(".{name}")))
            }
        }
    })
}

fn in_range(address: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Parses a server URL given by the user: https anywhere, plain http only on loopback.
pub(crate) fn server_url(input: &str) -> Result<Url> {
    let input = input.trim();
    if input.chars().any(char::is_control) {
        return Err(Error::invalid(
            "the server address holds a control character; type it again",
        ));
    }
    let url = Url::parse(input).map_err(|e| {
        Error::invalid(format!(
            "{input:?} is not a URL ({e}); write it like https://chat.example.org"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid(format!(
                "{input} uses plain http; Presently sends credentials only over https \
                 (http is allowed for 127.0.0.1 and localhost)"
            )))
        }
        other => {
            return Err(Error::invalid(format!(
                "{input} has scheme {other:?}; use https://"
            )))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!("{input} has no host")));
    }
    // Never echo these back: what follows the host may be a password or a key.
    let host = url.host_str().unwrap_or_default();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(format!(
            "the address of {host} contains a user name or password; give credentials separately"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(format!(
            "the address of {host} has a ?query or #fragment; give just the server, like https://{host}"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// [`server_url`] for a provider about to connect: a bad URL is this account's problem,
/// in its server field.
pub(crate) fn provider_url(input: &str) -> std::result::Result<Url, ProviderError> {
    server_url(input).map_err(|e| ProviderError::InvalidSetting {
        field: "server",
        message: e.to_string(),
    })
}

/// Runs a call within `timeout`; past it, [`ProviderError::Timeout`].
pub(crate) async fn within<T>(
    timeout: Duration,
    call: impl std::future::Future<Output = std::result::Result<T, ProviderError>>,
) -> std::result::Result<T, ProviderError> {
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(ProviderError::Timeout {
            seconds: timeout.as_secs().max(1),
        }))
}

/// Runs `send`; a rate limit that lifts before `deadline` is waited out once and the call
/// made again. A later limit is returned as it is, with when to try again.
pub(crate) async fn retry_once_after_rate_limit<T, F, Fut>(
    deadline: tokio::time::Instant,
    send: F,
) -> std::result::Result<T, ProviderError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, ProviderError>>,
{
    match send().await {
        Err(ProviderError::RateLimited { retry_at }) => {
            let wait = (retry_at - chrono::Utc::now()).to_std().unwrap_or_default();
            if tokio::time::Instant::now() + wait >= deadline {
                return Err(ProviderError::RateLimited { retry_at });
            }
            tokio::time::sleep(wait).await;
            send().await
        }
        other => other,
    }
}

/// Turns a failed send into words: refused, timed out, TLS.
pub(crate) fn send_error(error: reqwest::Error, timeout: Duration) -> ProviderError {
    if error.is_timeout() {
        return ProviderError::Timeout {
            seconds: timeout.as_secs().max(1),
        };
    }
    if let Some(refused) = certificate_refused(&error) {
        return ProviderError::Unreachable(refused);
    }
    let mut cause: &dyn std::error::Error = &error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    if error.is_connect() {
        ProviderError::Unreachable(format!("connection failed ({cause})"))
    } else {
        ProviderError::Interrupted(cause.to_string())
    }
}

/// A certificate the TLS stack refused, said in words with the server's name.
fn certificate_refused(error: &reqwest::Error) -> Option<String> {
    use rustls::CertificateError as C;
    let host = error
        .url()
        .and_then(|u| u.host_str())
        .map_or_else(|| "the server".to_owned(), |h| h.to_owned());
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = next {
        if let Some(rustls::Error::InvalidCertificate(refused)) =
            cause.downcast_ref::<rustls::Error>()
        {
            let why = match refused {
                C::UnknownIssuer => "is not trusted by this computer: its issuer is in none of \
                     the system's certificate authorities (for an organisation's own \
                     authority, add it to the system's store or point SSL_CERT_FILE at it)"
                    .to_owned(),
                C::Expired | C::ExpiredContext { .. } => "has expired".to_owned(),
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "is made out to another name".to_owned()
                }
                C::Revoked => "has been revoked".to_owned(),
                other => format!("was refused ({other:?})"),
            };
            return Some(format!("the certificate of {host} {why}"));
        }
        // An I/O error carries the TLS error inside it rather than as its source.
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}

/// Reads a body up to [`MAX_BODY_BYTES`], failing instead of filling memory.
pub(crate) async fn read_capped(
    mut response: Response,
    timeout: Duration,
) -> Result<Vec<u8>, ProviderError> {
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| send_error(e, timeout))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_big() -> ProviderError {
    ProviderError::Protocol(format!(
        "the response is larger than {} KiB; is the URL a chat server?",
        MAX_BODY_BYTES / 1024
    ))
}

/// Sends a request, turning a failed send into words and refusing any redirect. Each one
/// is logged at `debug` as method, address without its query, status and time taken (never
/// a header or a body: they carry the credentials).
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Response, ProviderError> {
    let (client, request) = request.build_split();
    let request = request.map_err(|e| send_error(e, timeout))?;
    let (method, url) = (request.method().clone(), request.url().clone());
    let shown = format!(
        "{method} {}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path();
    let started = std::time::Instant::now();
    let response = client.execute(request).await.map_err(|e| {
        let error = send_error(e, timeout);
        tracing::debug!("{shown}: {error}");
        error
    })?;
    tracing::debug!(
        "{shown} → {} in {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    if response.status().is_redirection() {
        return Err(redirect_error(&response));
    }
    Ok(response)
}

/// A redirect is reported, never followed: following could hand credentials to another host.
pub(crate) fn redirect_error(response: &Response) -> ProviderError {
    let to = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("somewhere else");
    ProviderError::Protocol(format!(
        "the server redirects to {to} (HTTP {}); Presently does not follow redirects with \
         credentials, so put the final address in the account's URL",
        response.status().as_u16()
    ))
}

/// The first bytes of a body that was not what we expected, for the error message.
/// A string a server sent, made inert for a terminal, a notification or the window: control
/// characters and bidirectional overrides become `\u{…}` escapes (they could retitle a
/// terminal, forge a "✓" line or reorder what is read), and it is cut to 300 characters.
pub fn untrusted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1200));
    for (shown, c) in text.chars().enumerate() {
        if shown == 300 {
            out.push('…');
            break;
        }
        let acts = c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        if acts {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(60)]);
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    format!("{:?}", text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_names_hosts_domains_addresses_and_ranges() {
        let list = "intranet.example, .corp.example, 10.0.0.0/8, 192.168.1.7, fd00::/8, cache:3128";
        for host in [
            "intranet.example",
            "chat.intranet.example",
            "corp.example",
            "a.corp.example",
            "10.1.2.3",
            "192.168.1.7",
            "[fd12::1]",
            "cache",
        ] {
            assert!(bypasses(host, list), "{host}");
        }
        for host in [
            "example",
            "notintranet.example",
            "11.0.0.1",
            "192.168.1.8",
            "[fe80::1]",
            "chat.example.org",
        ] {
            assert!(!bypasses(host, list), "{host}");
        }
        assert!(bypasses("anything", "*"));
        assert!(!bypasses("anything", ""));
    }

    #[test]
    fn server_words_are_made_inert() {
        assert_eq!(untrusted("Invalid API key"), "Invalid API key");
        assert_eq!(
            untrusted("bad\u{1b}]0;pwned\u{7}\n✓ done\u{202e}"),
            "bad\\u{1b}]0;pwned\\u{7}\\u{a}✓ done\\u{202e}"
        );
        assert_eq!(untrusted(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(server_url("https://chat.example.org").is_ok());
        assert!(server_url("http://127.0.0.1:8080").is_ok());
        assert!(server_url("http://localhost:9").is_ok());
        assert!(server_url("http://[::1]:9").is_ok());
        let err = server_url("http://chat.example.org").expect_err("plain http");
        assert!(err.to_string().contains("only over https"));
        assert!(server_url("ftp://chat.example.org").is_err());
        let with_password = server_url("https://alice:s3cret@chat.example.org")
            .expect_err("credentials in the URL");
        assert!(
            !with_password.to_string().contains("s3cret"),
            "{with_password}"
        );
        let with_key = server_url("https://chat.example.org/?api_key=K3Y").expect_err("query");
        assert!(!with_key.to_string().contains("K3Y"), "{with_key}");
        assert!(server_url("https://chat.example.org/#x").is_err());
        assert!(server_url("https://chat.exa\u{1b}mple.org").is_err());
        assert!(
            server_url("  https://chat.example.org  ").is_ok(),
            "trimmed"
        );
        assert!(server_url("chat.example.org").is_err());
    }
}
