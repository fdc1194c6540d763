//! What servers said about themselves (Zulip's version and feature level), kept beside the
//! config in `servers.json` for a day, so a `presently set` does not ask again every time.
//! Only public facts are kept here: never a secret, never a user's status.
//!
//! Large answers (Zulip's emoji data, ~140 KB per server) are kept apart, in
//! `server-data/<SHA-256>.json`, once for all the servers that give the same: `servers.json`
//! stays small enough to read on every change, and a change to twenty servers of one Zulip
//! version reads and builds one table, not twenty.
//!
//! Losing the files costs one request; a broken file is ignored and rewritten.

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
/// Beside the config: the large answers, each named by the SHA-256 of its bytes.
pub(crate) const DATA_DIR: &str = "server-data";
/// Largest kept answer Presently reads back (as [`crate::http::MAX_BODY_BYTES`]).
const MAX_DATA_BYTES: u64 = crate::http::MAX_BODY_BYTES as u64;
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
    /// The SHA-256 (hex) of the large answer kept with it in [`DATA_DIR`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

/// The cache of one config directory.
#[derive(Clone)]
pub(crate) struct ServerCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    /// The file as last parsed, with the modification time and size it had: a change to
    /// many accounts reads each server's facts (Zulip's emoji data is large) without
    /// parsing the whole file again for each.
    parsed: Arc<std::sync::Mutex<Option<Parsed>>>,
}

/// What tells one version of the file from another.
type Stamp = (Option<std::time::SystemTime>, u64);

/// The file's entries and the version of the file they were parsed from.
type Parsed = (Stamp, Arc<Entries>);

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
            parsed: Arc::default(),
        }
    }

    fn read(path: &Path) -> Entries {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The file's entries, parsed again only when the file changed since.
    fn entries(&self) -> Arc<Entries> {
        let path = self.dir.join(FILE_NAME);
        let stamp: Stamp = match std::fs::metadata(&path) {
            Ok(meta) => (meta.modified().ok(), meta.len()),
            Err(_) => return Arc::default(),
        };
        let mut parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, entries)) = parsed.as_ref() {
            if *seen == stamp && stamp.0.is_some() {
                return entries.clone();
            }
        }
        let entries = Arc::new(Self::read(&path));
        *parsed = Some((stamp, entries.clone()));
        entries
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
        let entries = self.entries();
        let entry = entries.servers.get(key)?;
        if !self.fresh(entry.fetched_at) {
            return None;
        }
        let value = serde_json::from_value(entry.value.clone()).ok()?;
        Some((value, entry.fetched_at))
    }

    /// Keeps what `key` said now. Best effort: a failure only costs a request later.
    pub(crate) fn put<T: Serialize>(&self, key: &str, value: &T) {
        self.put_entry(key, value, None);
    }

    /// Keeps what `key` said now with a large answer, `data`, stored apart (see the module
    /// docs); answers no entry names any more are removed. Best effort, as [`Self::put`].
    pub(crate) fn put_with_data<T: Serialize>(&self, key: &str, value: &T, data: &[u8]) {
        self.put_entry(key, value, Some(data));
    }

    /// What `key` said, however long ago, with its large answer (see [`Self::put_with_data`])
    /// as the SHA-256 it is known by and a way to read it (`None` if it is gone or too large).
    pub(crate) fn get_with_data<T: DeserializeOwned>(&self, key: &str) -> Option<(T, KeptData)> {
        let entries = self.entries();
        let entry = entries.servers.get(key)?;
        let digest = entry.data.clone()?;
        let value = serde_json::from_value(entry.value.clone()).ok()?;
        let path = self.dir.join(DATA_DIR).join(format!("{digest}.json"));
        Some((value, KeptData { digest, path }))
    }

    fn put_entry<T: Serialize>(&self, key: &str, value: &T, data: Option<&[u8]>) {
        let dir = &self.dir;
        let Ok(value) = serde_json::to_value(value) else {
            return;
        };
        let written = file_lock::exclusive(dir, LOCK_FILE)
            .map_err(|e| e.to_string())
            .and_then(|_lock| {
                let data = match data {
                    Some(bytes) => Some(self.keep_data(bytes).map_err(|e| e.to_string())?),
                    None => None,
                };
                let path = dir.join(FILE_NAME);
                let mut entries = Self::read(&path);
                entries.servers.insert(
                    key.to_owned(),
                    Entry {
                        fetched_at: self.clock.now(),
                        value,
                        data,
                    },
                );
                let bytes = serde_json::to_vec_pretty(&entries).map_err(|e| e.to_string())?;
                write_atomically(&path, &bytes).map_err(|e| e.to_string())?;
                self.remove_unnamed_data(&entries);
                Ok(())
            });
        if let Err(e) = written {
            tracing::warn!("cannot keep what {key} said in {FILE_NAME}: {e}");
        }
    }

    /// Writes `bytes` as `server-data/<SHA-256>.json` unless they are there; returns the
    /// digest.
    fn keep_data(&self, bytes: &[u8]) -> std::io::Result<String> {
        let digest = sha256_hex(bytes);
        let dir = self.dir.join(DATA_DIR);
        let kept = KeptData {
            path: dir.join(format!("{digest}.json")),
            digest,
        };
        if kept.read().is_none() {
            std::fs::create_dir_all(&dir)?;
            write_atomically(&kept.path, bytes)?;
        }
        Ok(kept.digest)
    }

    /// Removes the kept answers no entry names (a server upgraded, an account removed).
    fn remove_unnamed_data(&self, entries: &Entries) {
        let Ok(files) = std::fs::read_dir(self.dir.join(DATA_DIR)) else {
            return;
        };
        let named: std::collections::HashSet<String> = entries
            .servers
            .values()
            .filter_map(|e| e.data.as_ref().map(|d| format!("{d}.json")))
            .collect();
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if !named.contains(&name) {
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
}

/// A large answer kept apart: its SHA-256 (hex), which names its content, and its file.
#[derive(Debug, Clone)]
pub(crate) struct KeptData {
    pub digest: String,
    path: PathBuf,
}

impl KeptData {
    /// The bytes, or `None` when the file is gone, larger than any answer kept, or no longer
    /// what its name says (then it is asked for again).
    pub(crate) fn read(&self) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(&self.path)
            .ok()?
            .take(MAX_DATA_BYTES + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        (bytes.len() as u64 <= MAX_DATA_BYTES && sha256_hex(&bytes) == self.digest).then_some(bytes)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

    #[test]
    fn large_answers_are_kept_once_and_removed_when_no_server_names_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = ServerCache::in_dir(dir.path(), Arc::new(ManualClock::new(Utc::now())));
        let files = || std::fs::read_dir(dir.path().join(DATA_DIR)).map_or(0, |d| d.count());
        cache.put_with_data("zulip a", &"v1", b"table one");
        cache.put_with_data("zulip b", &"v1", b"table one");
        assert_eq!(files(), 1, "the same answer once");
        let (value, kept) = cache.get_with_data::<String>("zulip a").expect("kept");
        assert_eq!(
            (value.as_str(), kept.read()),
            ("v1", Some(b"table one".to_vec()))
        );
        cache.put_with_data("zulip a", &"v2", b"table two");
        assert_eq!(files(), 2);
        cache.put_with_data("zulip b", &"v2", b"table two");
        assert_eq!(files(), 1, "table one is named by no server any more");
        let (_, kept) = cache.get_with_data::<String>("zulip b").expect("kept");
        std::fs::write(&kept.path, b"table three").expect("tamper");
        assert_eq!(kept.read(), None, "not what its name says");
        assert!(cache.get_with_data::<String>("zulip c").is_none());
    }
}
