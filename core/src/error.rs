//! Typed errors. Each one reads as a sentence a person understands and names
//! the account, the service and the cause: "Zulip (work): credentials rejected: Invalid API key".

use chrono::{DateTime, Local, Utc};
use std::path::PathBuf;

use crate::providers::Service;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which account an error is about, printed as "Zulip (work)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    pub service: Service,
    pub id: String,
}

impl std::fmt::Display for AccountLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.service.display_name(), self.id)
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
            Error::ConfigInvalid { .. } | Error::ConfigIo { .. } | Error::InvalidInput(_)
        )
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

    #[error("no answer within {seconds} s")]
    Timeout { seconds: u64 },

    #[error("unexpected answer from the server: {0}")]
    Protocol(String),

    #[error("sign in again: {reason}")]
    SignInAgain { reason: String },

    #[error(
        "takes one change a minute; this one could be sent at {} (not sent)",
        local_time_precise(at)
    )]
    Paced { at: DateTime<Utc> },

    #[error("no credentials for this account in the keyring; add the account again")]
    MissingSecret,

    #[error("{0}")]
    Secret(SecretError),

    /// Presently's own files, e.g. the shared pacing book.
    #[error("{0}")]
    Local(String),
}

impl ProviderError {
    pub fn for_account(self, account: AccountLabel) -> Error {
        Error::Account {
            account,
            cause: self,
        }
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
