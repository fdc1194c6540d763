//! Who a change waiting for its turn belongs to. A `presently set` that waits for Zoom's
//! turn itself (no tray app running) holds a lock file for as long as it lives; the changes
//! it leaves in the pacing book name that file. Once the process is gone (it ended, was
//! killed, its terminal closed) the OS releases the lock, and any Presently process that
//! finds the change drops it instead of sending it: the person's command is gone too.
//! Changes the tray app queues name no owner: the app sends them at their turn, also after
//! a restart.

use std::fs::{File, TryLockError};
use std::path::Path;

use crate::error::Result;

const DIR: &str = "locks";
const PREFIX: &str = "waiter-";

/// This process, as the owner of the changes it queues.
#[derive(Debug)]
pub(crate) struct Waiter {
    name: String,
    /// Where the lock file is, removed when this process ends normally.
    path: std::path::PathBuf,
    /// Locked for this process's life; the OS lets go when it ends.
    _lock: File,
}

impl Drop for Waiter {
    /// A process that ends normally leaves no lock file behind (still holding the lock
    /// while removing it, so nobody reads "gone" from a file about to disappear wrongly:
    /// its changes are withdrawn or sent by then).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Waiter {
    /// Takes a lock file of its own under `dir/locks`.
    pub(crate) fn register(dir: &Path) -> Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("{PREFIX}{}-{nanos}", std::process::id());
        let lock = crate::file_lock::exclusive(&dir.join(DIR), &format!("{name}.lock"))?;
        Ok(Waiter {
            path: Self::path(dir, &name),
            name,
            _lock: lock,
        })
    }

    fn path(dir: &Path, name: &str) -> std::path::PathBuf {
        dir.join(DIR).join(format!("{name}.lock"))
    }

    /// The name the pacing book keeps with this process's changes.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// Whether the process that queued a change as `owner` is gone. A name that is not one
/// Presently makes (the book is a file anyone can edit) counts as gone. The lock file of
/// a gone owner is removed.
pub(crate) fn is_gone(dir: &Path, owner: &str) -> bool {
    let well_formed = owner.strip_prefix(PREFIX).is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '-')
    });
    if !well_formed {
        return true;
    }
    let path = dir.join(DIR).join(format!("{owner}.lock"));
    let Ok(file) = File::options().write(true).open(&path) else {
        return true;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = std::fs::remove_file(&path);
            true
        }
        Err(TryLockError::WouldBlock) => false,
        // Cannot tell: keep the change rather than drop one its owner still waits for.
        Err(TryLockError::Error(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_alive_while_its_lock_is_held_and_gone_after() {
        let dir = tempfile::tempdir().expect("dir");
        let waiter = Waiter::register(dir.path()).expect("register");
        let name = waiter.name().to_owned();
        assert!(!is_gone(dir.path(), &name));
        drop(waiter);
        assert!(is_gone(dir.path(), &name));
        assert!(!dir.path().join(DIR).join(format!("{name}.lock")).exists());
    }

    #[test]
    fn names_presently_never_makes_count_as_gone() {
        let dir = tempfile::tempdir().expect("dir");
        for odd in ["", "waiter-", "../config", "waiter-1/../../x", "other-1"] {
            assert!(is_gone(dir.path(), odd), "{odd:?}");
        }
    }
}
