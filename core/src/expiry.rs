//! Remembers which status is in effect and when it runs out, in a small state file beside
//! the config, so a timed status is ended on time even if the app restarted in between.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::config::write_atomically;
use crate::error::{Error, Result};

pub const FILE_NAME: &str = "state.json";

/// The status Presently last set on the user's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Active {
    pub preset_id: Option<String>,
    pub label: String,
    /// The accounts it was set on (and will be ended on).
    pub accounts: Vec<String>,
    pub set_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Active {
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub active: Option<Active>,
}

#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn in_dir(dir: &Path) -> Self {
        StateFile {
            path: dir.join(FILE_NAME),
        }
    }

    /// A missing file is an empty state. An unreadable one is reported, not reset, since
    /// it may hold an expiry the user is counting on.
    pub fn load(&self) -> Result<State> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::ConfigInvalid {
                path: self.path.clone(),
                message: format!("{e}; delete the file to forget the status in effect"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(Error::ConfigIo {
                path: self.path.clone(),
                action: "reading",
                source,
            }),
        }
    }

    pub fn save(&self, state: &State) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(state)
            .map_err(|e| Error::invalid(format!("state cannot be written: {e}")))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::ConfigIo {
                path: dir.to_path_buf(),
                action: "creating the directory",
                source,
            })?;
        }
        write_atomically(&self.path, &bytes).map_err(|source| Error::ConfigIo {
            path: self.path.clone(),
            action: "writing",
            source,
        })
    }
}
