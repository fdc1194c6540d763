//! The non-secret fields of a Zoom account.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Zoom's own endpoints; an account may point elsewhere (tests, the demo).
pub const DEFAULT_API_BASE: &str = "https://api.zoom.us/v2";
pub const DEFAULT_AUTH_BASE: &str = "https://zoom.us";
/// The loopback port Zoom sends the browser back to after sign-in. It is fixed because
/// Zoom only redirects to an address registered with the OAuth app.
pub const DEFAULT_REDIRECT_PORT: u16 = 47615;
pub const REDIRECT_PATH: &str = "/oauth/callback";

/// How the account gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ZoomAuth {
    /// A user signed in through the browser (authorization code with PKCE).
    User,
    /// An admin's Server-to-Server app (account credentials), for other users' presence.
    ServerToServer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct ZoomSettings {
    pub auth: ZoomAuth,
    pub client_id: String,
    /// The Zoom account id of a Server-to-Server app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Whose presence this account changes when no `--user` is given: a Zoom user id or
    /// e-mail (Server-to-Server only; a signed-in user always changes their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Who signed in, for listings.
    #[serde(default)]
    pub email: String,
    #[serde(
        default = "default_api_base",
        skip_serializing_if = "is_default_api_base"
    )]
    pub api_base: String,
    #[serde(
        default = "default_auth_base",
        skip_serializing_if = "is_default_auth_base"
    )]
    pub auth_base: String,
    #[serde(
        default = "default_redirect_port",
        skip_serializing_if = "is_default_redirect_port"
    )]
    pub redirect_port: u16,
}

fn default_api_base() -> String {
    DEFAULT_API_BASE.to_owned()
}
fn default_auth_base() -> String {
    DEFAULT_AUTH_BASE.to_owned()
}
fn default_redirect_port() -> u16 {
    DEFAULT_REDIRECT_PORT
}
fn is_default_api_base(value: &String) -> bool {
    value == DEFAULT_API_BASE
}
fn is_default_auth_base(value: &String) -> bool {
    value == DEFAULT_AUTH_BASE
}
fn is_default_redirect_port(value: &u16) -> bool {
    *value == DEFAULT_REDIRECT_PORT
}

impl ZoomSettings {
    pub fn new(auth: ZoomAuth, client_id: &str) -> Self {
        ZoomSettings {
            auth,
            client_id: client_id.to_owned(),
            account_id: None,
            user: None,
            email: String::new(),
            api_base: default_api_base(),
            auth_base: default_auth_base(),
            redirect_port: DEFAULT_REDIRECT_PORT,
        }
    }

    pub fn validate(&self, account_id: &str) -> Result<()> {
        let invalid =
            |message: String| Error::invalid(format!("account {account_id:?}: {message}"));
        for url in [&self.api_base, &self.auth_base] {
            crate::http::server_url(url).map_err(|e| invalid(e.to_string()))?;
        }
        if self.client_id.trim().is_empty() {
            return Err(invalid("the Zoom client id is empty".into()));
        }
        match self.auth {
            ZoomAuth::ServerToServer
                if self
                    .account_id
                    .as_deref()
                    .is_none_or(|a| a.trim().is_empty()) =>
            {
                Err(invalid(
                    "a Server-to-Server Zoom app needs its account id (--account-id)".into(),
                ))
            }
            ZoomAuth::User if self.user.is_some() => Err(invalid(
                "a signed-in Zoom user changes only their own presence; `user` is for \
                 Server-to-Server apps"
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    /// The address Zoom sends the browser back to; register it with the OAuth app.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{REDIRECT_PATH}", self.redirect_port)
    }
}
