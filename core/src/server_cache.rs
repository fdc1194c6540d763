//! What servers said about themselves (Zulip's version and feature level), kept beside the
//! config in `servers.json` for a day, so a `presently set` does not ask again every time.
//! Only public facts are kept here: never a secret, never a user's status.
//!
//! Losing the file costs one request; a broken file is ignored and rewritten.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::write_atomically;
use crate::file_lock;

pub(crate) const FILE_NAME: &str = "servers.json";
const LOCK_FILE: &str = "servers.lock";
/// How long an answer is trusted. A server upgraded meanwhile is seen a day later at most,
/// and at once by `presently account test` (which always asks).
pub(crate) const TIME_TO_LIVE: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Entries {
    #[serde(default)]
    servers: BTreeMap<String, Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    fetched_at: DateTime<Utc>,
    value: serde_json::Value,
}

/// The cache of one config directory.
#[derive(Clone)]
pub(crate) struct ServerCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ServerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCache")
            .field("dir", &self.dir)
            .finish()
    }
}

impl ServerCache {
    pub(crate) fn in_dir(dir: &Path, clock: Arc<dyn Clock>) -> Self {
        ServerCache {
            dir: dir.to_path_buf(),
            clock,
        }
    }

    fn read(path: &Path) -> Entries {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Whether something fetched at `at` may still be trusted.
    pub(crate) fn fresh(&self, at: DateTime<Utc>) -> bool {
        let age = self.clock.now() - at;
        age >= chrono::Duration::zero() && age <= TIME_TO_LIVE
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// What `key` (e.g. "zulip https://chat.example.org") said less than a day ago, and when.
    pub(crate) fn get<T: DeserializeOwned>(&self, key: &str) -> Option<(T, DateTime<Utc>)> {
        let entries = Self::read(&self.dir.join(FILE_NAME));
        let entry = entries.servers.get(key)?;
        if !self.fresh(entry.fetched_at) {
            return None;
        }
        let value = serde_json::from_value(entry.value.clone()).ok()?;
        Some((value, entry.fetched_at))
    }

    /// What `key` said, however long ago: for facts that carry their own version (Zulip's
    /// emoji data is keyed by a URL that changes with it).
    pub(crate) fn get_any_age<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let entries = Self::read(&self.dir.join(FILE_NAME));
        serde_json::from_value(entries.servers.get(key)?.value.clone()).ok()
    }

    /// Keeps what `key` said now. Best effort: a failure only costs a request later.
    pub(crate) fn put<T: Serialize>(&self, key: &str, value: &T) {
        let dir = &self.dir;
        let Ok(value) = serde_json::to_value(value) else {
            return;
        };
        let written = file_lock::exclusive(dir, LOCK_FILE)
            .map_err(|e| e.to_string())
            .and_then(|_lock| {
                let path = dir.join(FILE_NAME);
                let mut entries = Self::read(&path);
                entries.servers.insert(
                    key.to_owned(),
                    Entry {
                        fetched_at: self.clock.now(),
                        value,
                    },
                );
                let bytes = serde_json::to_vec_pretty(&entries).map_err(|e| e.to_string())?;
                write_atomically(&path, &bytes).map_err(|e| e.to_string())
            });
        if let Err(e) = written {
            tracing::warn!("cannot keep what {key} said in {FILE_NAME}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn answers_are_kept_for_a_day_and_not_longer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let cache = ServerCache::in_dir(dir.path(), clock.clone());
        let get = |key| cache.get::<u32>(key).map(|(value, _)| value);
        assert_eq!(get("zulip a"), None);
        cache.put("zulip a", &420u32);
        assert_eq!(get("zulip a"), Some(420));
        assert_eq!(get("zulip b"), None);
        clock.advance(TIME_TO_LIVE + chrono::Duration::seconds(1));
        assert_eq!(get("zulip a"), None, "stale after a day");
        std::fs::write(dir.path().join(FILE_NAME), b"{not json").expect("write");
        assert_eq!(get("zulip a"), None);
        cache.put("zulip a", &421u32);
        assert_eq!(get("zulip a"), Some(421), "a broken file is rewritten");
    }
}
