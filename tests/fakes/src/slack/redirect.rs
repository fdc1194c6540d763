//! Which `redirect_uri` an app may send people back to
//! (<https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>):
//!
//! - it must equal one of the app's Redirect URLs or be a subdirectory of one, and carry no
//!   `#fragment`;
//! - it must be HTTPS, except on an app with PKCE switched on: there `http://localhost…`
//!   and custom schemes (`myapp://auth`) are *desktop redirects*.
//!
//! UNCONFIRMED: whether a loopback redirect's port must match the registered one. The fake
//! lets a registered `http://localhost:PORT/path` (or `http://localhost/path`) match
//! `http://localhost:<any port>/path…`, since a desktop app listens on a free port. Only the
//! name `localhost` is a desktop redirect host (not `127.0.0.1`; the stricter reading). A
//! query string is only allowed when the whole URL equals a registered one.

use super::config::SlackApp;

/// What kind of redirect a matched `redirect_uri` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// `http://localhost…` or a custom scheme on a PKCE app.
    pub desktop: bool,
    pub custom_scheme: bool,
}

/// scheme, host (lower case, without port), port, path.
struct Parts<'a> {
    scheme: String,
    host: String,
    port: Option<&'a str>,
    path: &'a str,
}

fn parts(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (authority, None),
    };
    if scheme.is_empty() {
        return None;
    }
    Some(Parts {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_ascii_lowercase(),
        port,
        path,
    })
}

/// `path` is `base` or below it.
fn below(path: &str, base: &str) -> bool {
    let base = base.trim_end_matches('/');
    path == base
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `requested` matches the registered URL `registered` for `app`.
fn matches(app: &SlackApp, requested: &str, registered: &str) -> bool {
    if requested == registered {
        return true;
    }
    if requested.contains('?') {
        return false;
    }
    let (Some(want), Some(have)) = (parts(requested), parts(registered)) else {
        return false;
    };
    if want.scheme != have.scheme || want.host != have.host {
        return false;
    }
    let loopback = app.pkce && want.scheme == "http" && want.host == "localhost";
    (loopback || want.port == have.port) && below(want.path, have.path)
}

/// The kind of a `redirect_uri` the app may use, or the reason it may not.
pub(crate) fn check(app: &SlackApp, requested: &str) -> Result<Redirect, String> {
    if requested.contains('#') {
        return Err("redirect_uri may not contain a fragment (#)".into());
    }
    let Some(parts) = parts(requested) else {
        return Err(format!("bad redirect_uri: {requested}"));
    };
    let custom_scheme = parts.scheme != "http" && parts.scheme != "https";
    let desktop = custom_scheme || (parts.scheme == "http" && parts.host == "localhost");
    if desktop && !app.pkce {
        return Err(
            "redirect_uri must be HTTPS: http://localhost and custom schemes need PKCE".into(),
        );
    }
    if parts.scheme == "http" && !desktop {
        return Err("redirect_uri must be HTTPS".into());
    }
    if !app.redirect_urls.iter().any(|r| matches(app, requested, r)) {
        return Err(format!(
            "redirect_uri did not match any configured URIs. Passed URI: {requested}"
        ));
    }
    Ok(Redirect {
        desktop,
        custom_scheme,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(pkce: bool, urls: &[&str]) -> SlackApp {
        SlackApp {
            app_id: "A1".into(),
            client_id: "1.2".into(),
            client_secret: "s".into(),
            redirect_urls: urls.iter().map(|u| (*u).to_owned()).collect(),
            pkce,
            token_rotation: false,
            user_scopes_allowed: Vec::new(),
        }
    }

    #[test]
    fn web_redirects_equal_or_below() {
        let web = app(false, &["https://example.com/oauth"]);
        assert!(check(&web, "https://example.com/oauth").is_ok());
        assert!(check(&web, "https://example.com/oauth/slack").is_ok());
        assert!(check(&web, "https://example.com/oauthx").is_err());
        assert!(check(&web, "https://example.com:8443/oauth").is_err());
        assert!(check(&web, "https://example.com/oauth#x").is_err());
        assert!(check(&web, "http://example.com/oauth").is_err());
        assert!(check(&web, "http://localhost/oauth").is_err());
    }

    #[test]
    fn desktop_redirects_need_pkce_and_take_any_port() {
        let desktop = app(
            true,
            &["http://localhost:3118/slack/callback", "myapp://auth"],
        );
        let loopback = check(&desktop, "http://localhost:40001/slack/callback").expect("port");
        assert!(loopback.desktop && !loopback.custom_scheme);
        assert!(check(&desktop, "http://127.0.0.1:3118/slack/callback").is_err());
        assert!(check(&desktop, "http://localhost:3118/other").is_err());
        let custom = check(&desktop, "myapp://auth/done").expect("below");
        assert!(custom.desktop && custom.custom_scheme);
        let classic = app(false, &["myapp://auth"]);
        assert!(check(&classic, "myapp://auth").is_err());
    }
}
