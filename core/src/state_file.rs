//! Remembers which status is in effect and when it runs out, in a small state file beside
//! the config, so a timed status is ended on time even if the app restarted in between.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::write_atomically;
use crate::error::{Error, Result};
use crate::pacing::WishedStatus;

pub(crate) const FILE_NAME: &str = "state.json";
const LOCK_FILE: &str = "state.lock";

/// What Presently last set on one of the user's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub preset_id: Option<String>,
    pub label: String,
    pub set_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The lasting preset Presently had set on the account before this timed status, to go
    /// back to when it ends (`settings.restore_previous`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// What was sent to this account, so an expiry can tell whether the account still
    /// shows it or someone changed it elsewhere since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<WishedStatus>,
    /// What the account showed before this timed status, read from its server, to put
    /// back when it ends (`settings.restore_previous`); none where it showed nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<WishedStatus>,
    /// This change waits for its turn (Zoom) and has not gone out yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub waiting: bool,
    /// While `waiting`: what the account held before (none: nothing), put back if the
    /// change is dropped instead of sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_over: Option<Box<Entry>>,
}

/// The status most recently set, as the tray and the window show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Active {
    pub preset_id: Option<String>,
    pub label: String,
    /// The accounts it was set on.
    pub accounts: Vec<String>,
    pub set_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Active {
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// One entry per account, so statuses set on different accounts each end on time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(default)]
    pub accounts: BTreeMap<String, Entry>,
    /// The number given to the last change asked for, by any Presently process: a change
    /// asked for later has a larger number (see `session/order.rs`).
    #[serde(default)]
    pub issued: u64,
    /// Per account, the number of the newest change that went out (or waits for its turn):
    /// an older one arriving late never goes out over it.
    #[serde(default)]
    pub applied: BTreeMap<String, u64>,
    /// Per account, the number of a change being sent right now (written just before it
    /// goes out, removed when its answer came). One found with nobody holding the
    /// account's lock was cut off mid-way (the process was killed): whether the server
    /// took it is unknown (see `session/order.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub in_flight: BTreeMap<String, u64>,
}

impl State {
    /// Numbers a new change.
    pub(crate) fn issue(&mut self) -> u64 {
        self.issued += 1;
        self.issued
    }

    /// A change to `id` was cut off mid-way: the server may or may not hold it, so Presently
    /// no longer claims what it recorded there (an ending would otherwise act on a guess),
    /// and nothing older than the cut-off change may go out after it.
    pub(crate) fn cut_off(&mut self, id: &str) {
        if let Some(number) = self.in_flight.remove(id) {
            self.accounts.remove(id);
            let newest = self.newest(id).max(number);
            self.applied.insert(id.to_owned(), newest);
        }
    }

    /// The number of the newest change that went out on `id` (0: none known).
    pub(crate) fn newest(&self, id: &str) -> u64 {
        self.applied.get(id).copied().unwrap_or(0)
    }

    pub(crate) fn record(&mut self, accounts: &[String], entry: &Entry) {
        for id in accounts {
            let mut entry = entry.clone();
            if entry.expires_at.is_some() {
                // What to go back to: the lasting status before, through any timed ones.
                entry.previous = self.accounts.get(id).and_then(|before| {
                    if before.expires_at.is_none() {
                        before.preset_id.clone()
                    } else {
                        before.previous.clone()
                    }
                });
            }
            self.accounts.insert(id.clone(), entry);
        }
    }

    /// The preset to go back to on each account when its status ends.
    pub(crate) fn previous(&self, id: &str) -> Option<String> {
        self.accounts.get(id).and_then(|e| e.previous.clone())
    }

    /// Records `entry` on `id` as a change waiting for its turn: what the account held
    /// (the last change sent, through any that waited) is kept to come back if it is dropped.
    pub(crate) fn record_waiting(&mut self, id: &str, entry: &Entry) {
        let held = match self.accounts.get(id) {
            Some(e) if e.waiting => e.waiting_over.clone(),
            Some(e) => Some(Box::new(e.clone())),
            None => None,
        };
        self.record(&[id.to_owned()], entry);
        if let Some(recorded) = self.accounts.get_mut(id) {
            recorded.waiting = true;
            recorded.waiting_over = held;
        }
    }

    /// The change waiting on `id` went out: it is what the account holds now.
    pub(crate) fn sent_at_turn(&mut self, id: &str) {
        if let Some(entry) = self.accounts.get_mut(id) {
            entry.waiting = false;
            entry.waiting_over = None;
        }
    }

    /// The change waiting on `id` is dropped: what the account held comes back (nothing,
    /// if it held nothing). An entry that is not waiting (it went out) is left as it is.
    pub(crate) fn dropped(&mut self, id: &str) {
        if !self.accounts.get(id).is_some_and(|e| e.waiting) {
            return;
        }
        if let Some(held) = self.accounts.remove(id).and_then(|e| e.waiting_over) {
            self.accounts.insert(id.to_owned(), *held);
        }
    }

    /// The answer to a change to `id` was lost (no answer in time, the connection broke, an
    /// answer Presently cannot read): the server may hold it. As for a change cut off, the
    /// account's status is no longer claimed and nothing older may go out after it.
    pub(crate) fn unsure(&mut self, id: &str, number: u64) {
        self.accounts.remove(id);
        let newest = self.newest(id).max(number);
        self.applied.insert(id.to_owned(), newest);
    }

    pub(crate) fn forget(&mut self, accounts: &[String]) {
        for id in accounts {
            self.accounts.remove(id);
        }
    }

    pub(crate) fn next_expiry(&self) -> Option<DateTime<Utc>> {
        self.accounts.values().filter_map(|e| e.expires_at).min()
    }

    /// Accounts whose status has run out by `now`.
    pub(crate) fn due(&self, now: DateTime<Utc>) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|(_, e)| e.expires_at.is_some_and(|at| at <= now))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The most recently set status and every account it is on.
    pub(crate) fn latest(&self) -> Option<Active> {
        let newest = self.accounts.values().max_by_key(|e| e.set_at)?;
        Some(Active {
            preset_id: newest.preset_id.clone(),
            label: newest.label.clone(),
            accounts: self
                .accounts
                .iter()
                .filter(|(_, e)| e.set_at == newest.set_at && e.label == newest.label)
                .map(|(id, _)| id.clone())
                .collect(),
            set_at: newest.set_at,
            expires_at: newest.expires_at,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub(crate) fn in_dir(dir: &Path) -> Self {
        StateFile {
            path: dir.join(FILE_NAME),
        }
    }

    /// A missing file is an empty state. An unreadable one is reported, not reset, since
    /// it may hold an expiry the user is counting on; a copy is kept aside (like a broken
    /// config) and the file itself is never overwritten.
    pub(crate) fn load(&self) -> Result<State> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                let kept = match crate::config::keep_broken(&self.path, &bytes) {
                    Ok(copy) => format!("a copy is kept as {}", copy.display()),
                    Err(why) => format!("no copy could be kept ({why})"),
                };
                Error::ConfigInvalid {
                    path: self.path.clone(),
                    message: format!(
                        "{e}; {kept}; delete the file to start afresh (Presently then forgets \
                         the status in effect and when it ends)"
                    ),
                }
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(Error::ConfigIo {
                path: self.path.clone(),
                action: "reading",
                source,
            }),
        }
    }

    /// Reads, changes and writes the state under a file lock, so the CLI and the tray app
    /// changing it at the same moment cannot undo each other.
    pub(crate) fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<T> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let lock = crate::file_lock::exclusive(dir, LOCK_FILE)?;
        let mut state = self.load()?;
        let before = state.clone();
        let result = change(&mut state);
        // The app asks every second; most asks change nothing.
        if state != before {
            self.save(&state)?;
        }
        drop(lock);
        Ok(result)
    }

    pub(crate) fn save(&self, state: &State) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str) -> Entry {
        Entry {
            preset_id: None,
            label: label.to_owned(),
            set_at: Utc::now(),
            expires_at: None,
            previous: None,
            sent: None,
            before: None,
            waiting: false,
            waiting_over: None,
        }
    }

    #[test]
    fn a_dropped_waiting_change_gives_back_what_was_held_and_only_that() {
        let id = "zoom";
        // Nothing held: two waiting changes, then the newest dropped: nothing again.
        let mut state = State::default();
        state.record_waiting(id, &entry("W1"));
        state.record_waiting(id, &entry("W2"));
        state.dropped(id);
        assert!(!state.accounts.contains_key(id), "{state:?}");
        // Lunch held: waiting changes come and go, Lunch comes back.
        let mut state = State::default();
        state.record(&[id.to_owned()], &entry("Lunch"));
        state.record_waiting(id, &entry("W1"));
        state.record_waiting(id, &entry("W2"));
        state.dropped(id);
        assert_eq!(state.accounts[id].label, "Lunch");
        // A change that went out is not undone by a late drop.
        state.record_waiting(id, &entry("W3"));
        state.sent_at_turn(id);
        state.dropped(id);
        assert_eq!(state.accounts[id].label, "W3");
    }

    #[test]
    fn writers_at_the_same_moment_do_not_undo_each_other() {
        let dir = tempfile::tempdir().expect("dir");
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let file = StateFile::in_dir(dir.path());
                std::thread::spawn(move || {
                    for round in 0..25 {
                        let entry = entry(&format!("{writer}-{round}"));
                        let account = format!("account-{writer}-{round}");
                        file.update(|state| state.record(&[account], &entry))
                            .expect("update");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        let state = StateFile::in_dir(dir.path()).load().expect("load");
        let written = serde_json::to_string(&state).expect("json");
        for writer in 0..4 {
            for round in 0..25 {
                let account = format!("account-{writer}-{round}");
                assert!(written.contains(&account), "{account} was lost");
            }
        }
    }
}
