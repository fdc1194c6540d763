//! The tray app holds a lock file for as long as it runs. A second copy sees it and stays
//! out; the CLI sees it and hands waiting changes to the app instead of waiting itself.

use std::fs::{File, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};
use crate::file_lock;

pub const FILE_NAME: &str = "app.lock";

/// Held while the app runs; released when dropped or when the process ends.
#[derive(Debug)]
pub struct AppLock {
    _file: File,
}

impl AppLock {
    /// `None` when another copy of the app holds it.
    pub fn acquire(dir: &Path) -> Result<Option<AppLock>> {
        let file = file_lock::open(dir, FILE_NAME)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(AppLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(Error::ConfigIo {
                path: dir.join(FILE_NAME),
                action: "locking",
                source,
            }),
        }
    }
}

/// Whether a tray app is running on this config directory.
pub fn app_running(dir: &Path) -> bool {
    match file_lock::open(dir, FILE_NAME) {
        Ok(file) => matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_others_can_tell() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(!app_running(dir.path()));
        let held = AppLock::acquire(dir.path()).expect("lock").expect("free");
        assert!(app_running(dir.path()));
        assert!(AppLock::acquire(dir.path()).expect("lock").is_none());
        drop(held);
        assert!(!app_running(dir.path()));
    }
}
