//! Typed errors. Each one reads as a sentence a person understands and names
//! the account, the service and the cause: "Zulip (work): credentials rejected: Invalid API key".

use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use std::path::PathBuf;

use crate::providers::Service;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which account an error is about, printed as "Zulip (work)": the account's label
/// when it has one ("Zulip (Work chat)"), else its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    pub service: Service,
    pub id: String,
    /// The name the person gave the account (`label` in the config), if any.
    pub name: Option<String>,
}

impl std::fmt::Display for AccountLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.name.as_deref().unwrap_or(&self.id);
        write!(f, "{} ({name})", self.service.display_name())
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("config file {path} is not valid: {message}")]
    ConfigInvalid { path: PathBuf, message: String },

    #[error("config file {path}: {action} failed: {source}")]
    ConfigIo {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    InvalidInput(String),

    /// Input that is wrong in one named field ("site", "server", "text").
    #[error("{message}")]
    InvalidField {
        field: &'static str,
        message: String,
    },

    #[error("{0}")]
    Secret(#[from] SecretError),

    #[error("{account}: {cause}")]
    Account {
        account: AccountLabel,
        #[source]
        cause: ProviderError,
    },
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// Whether the error is the user's input or config (exit code 2) rather than an account failing (1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::ConfigInvalid { .. }
                | Error::ConfigIo { .. }
                | Error::InvalidInput(_)
                | Error::InvalidField { .. }
                | Error::Account {
                    cause: ProviderError::InvalidSetting { .. },
                    ..
                }
        )
    }

    /// The error in the one shape every face shows (CLI `--json`, the settings window).
    pub fn report(&self) -> ErrorReport {
        let message = self.to_string();
        let local = |kind, reason: &str| ErrorReport::new(kind, reason, None, message.clone());
        match self {
            Error::ConfigInvalid { .. } => {
                local(ErrorKind::InvalidInput, "config_invalid").with_field("config")
            }
            Error::ConfigIo { .. } => local(ErrorKind::Local, "file"),
            Error::InvalidInput(_) => local(ErrorKind::InvalidInput, "usage"),
            Error::InvalidField { field, .. } => {
                local(ErrorKind::InvalidInput, "usage").with_field(field)
            }
            Error::Secret(_) => local(ErrorKind::Keyring, "keyring"),
            Error::Account { account, cause } => cause.report(Some(account)),
        }
    }
}

/// What kind of failure an error is, so a face can say what to do about it: sign in again,
/// wait, fix a field, check the network. Stable names (snake_case) in `--json` and the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The credentials were refused: add the account again with working ones.
    Auth,
    /// The service ended the sign-in; only signing in again helps.
    SignInNeeded,
    /// The credentials work but may not do this (a permission, a scope).
    Forbidden,
    /// Too many changes: it can go out at `retry_at`.
    RateLimited,
    /// What was asked cannot be done as given; `field` names the culprit when known.
    InvalidInput,
    /// The server failed or answered something Presently does not understand.
    Server,
    /// The server could not be reached in time.
    Network,
    /// The OS keyring is missing, locked or lacks the account's entry.
    Keyring,
    /// Presently's own files (config, state, pacing book).
    Local,
}

/// One error as every face shows it. `message` is the whole sentence, with the account
/// ("Zoom (work): rate limited by the server, try again after 14:31"); `reason` is the
/// finer cause within the kind (e.g. "paced" or "rate_limited" for [`ErrorKind::RateLimited`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub reason: String,
    pub account: Option<String>,
    pub service: Option<Service>,
    pub message: String,
    /// When a rate-limited change may be sent (RFC 3339 in JSON).
    pub retry_at: Option<DateTime<Utc>>,
    pub field: Option<String>,
}

impl ErrorReport {
    fn new(kind: ErrorKind, reason: &str, account: Option<&AccountLabel>, message: String) -> Self {
        ErrorReport {
            kind,
            reason: reason.to_owned(),
            account: account.map(|a| a.id.clone()),
            service: account.map(|a| a.service),
            message,
            retry_at: None,
            field: None,
        }
    }

    fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

/// What went wrong talking to one service, by category the UI and CLI can act on.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProviderError {
    #[error("credentials rejected: {reason}")]
    AuthRejected { reason: String },

    #[error("not allowed: {reason}")]
    Forbidden { reason: String },

    #[error("not found: {reason}")]
    NotFound { reason: String },

    #[error("rate limited by the server, try again after {}", local_time(retry_at))]
    RateLimited { retry_at: DateTime<Utc> },

    #[error("the server refused it: {reason}")]
    Rejected { reason: String },

    #[error("{0}")]
    InvalidStatus(String),

    #[error("needs a newer server: {0}")]
    Unsupported(String),

    #[error("server error (HTTP {status})")]
    ServerError { status: u16 },

    #[error("could not reach the server: {0}")]
    Unreachable(String),

    /// The request went out and the connection broke before the whole answer came: the
    /// server may have acted on it.
    #[error("the connection broke before the server's answer came ({0}); the status may or may not have changed")]
    Interrupted(String),

    #[error("no answer within {seconds} s")]
    Timeout { seconds: u64 },

    #[error("unexpected answer from the server: {0}")]
    Protocol(String),

    #[error("sign in again: {reason}")]
    SignInAgain { reason: String },

    #[error(
        "takes one change a minute; this one could be sent at {} (not sent){}",
        local_time_precise(at),
        because.as_deref().map(|b| format!("; {b}")).unwrap_or_default()
    )]
    Paced {
        at: DateTime<Utc>,
        /// Why, when it is not a change sent before (Presently's pacing record was unreadable).
        because: Option<String>,
    },

    #[error("no credentials for this account in the keyring; add the account again")]
    MissingSecret,

    #[error("{0}")]
    Secret(SecretError),

    /// An account setting that cannot work, e.g. a server URL over plain http.
    #[error("{message}")]
    InvalidSetting {
        field: &'static str,
        message: String,
    },

    /// Presently's own files, e.g. the shared pacing book.
    #[error("{0}")]
    Local(String),
}

impl ProviderError {
    /// The request may have reached the service and been acted on although no success
    /// came back: no answer in time, the connection broke, or an answer Presently cannot
    /// read.
    pub fn may_have_landed(&self) -> bool {
        matches!(
            self,
            ProviderError::Timeout { .. }
                | ProviderError::Interrupted(_)
                | ProviderError::Protocol(_)
        )
    }

    pub fn for_account(self, account: AccountLabel) -> Error {
        Error::Account {
            account,
            cause: self,
        }
    }

    /// The kind of failure and its finer reason.
    pub fn kind(&self) -> (ErrorKind, &'static str) {
        use ErrorKind as K;
        match self {
            ProviderError::AuthRejected { .. } => (K::Auth, "auth_rejected"),
            ProviderError::Forbidden { .. } => (K::Forbidden, "forbidden"),
            ProviderError::NotFound { .. } => (K::InvalidInput, "not_found"),
            ProviderError::RateLimited { .. } => (K::RateLimited, "rate_limited"),
            ProviderError::Paced { .. } => (K::RateLimited, "paced"),
            ProviderError::Rejected { .. } => (K::InvalidInput, "rejected"),
            ProviderError::InvalidStatus(_) => (K::InvalidInput, "invalid_status"),
            ProviderError::InvalidSetting { .. } => (K::InvalidInput, "invalid_setting"),
            ProviderError::Unsupported(_) => (K::InvalidInput, "unsupported"),
            ProviderError::ServerError { .. } => (K::Server, "server_error"),
            ProviderError::Protocol(_) => (K::Server, "protocol"),
            ProviderError::Unreachable(_) => (K::Network, "unreachable"),
            ProviderError::Interrupted(_) => (K::Network, "interrupted"),
            ProviderError::Timeout { .. } => (K::Network, "timeout"),
            ProviderError::SignInAgain { .. } => (K::SignInNeeded, "sign_in_again"),
            ProviderError::MissingSecret => (K::Keyring, "missing_secret"),
            ProviderError::Secret(_) => (K::Keyring, "keyring"),
            ProviderError::Local(_) => (K::Local, "local"),
        }
    }

    /// This error in the shape every face shows, about `account` when given.
    pub fn report(&self, account: Option<&AccountLabel>) -> ErrorReport {
        let (kind, reason) = self.kind();
        let message = match account {
            Some(label) => format!("{label}: {self}"),
            None => self.to_string(),
        };
        let mut report = ErrorReport::new(kind, reason, account, message);
        match self {
            ProviderError::RateLimited { retry_at: at } | ProviderError::Paced { at, .. } => {
                report.retry_at = Some(*at);
            }
            ProviderError::InvalidSetting { field, .. } => report.field = Some((*field).to_owned()),
            _ => {}
        }
        report
    }
}

/// Local wall-clock "14:31" for messages; the date is added only when it is not today.
pub fn local_time(at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&Local);
    if local.date_naive() == Local::now().date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// Local wall-clock "14:31:05", for waits shorter than a minute.
pub fn local_time_precise(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M:%S").to_string()
}

/// Keyring failures. Never carries a secret value.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum SecretError {
    #[error(
        "no usable OS keyring ({0}); Presently keeps credentials only in the keyring and will not \
         fall back to a file. On Linux, start a Secret Service such as gnome-keyring and unlock it"
    )]
    Unavailable(String),

    #[error("the keyring refused access to {entry}: {reason}")]
    Refused { entry: String, reason: String },
}
