//! Lock files beside the config: the state file, the pacing book and the running app each
//! take one, so Presently processes on the same config directory take turns.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::error::{Error, Result};

/// Opens (creating it, and its directory, if need be) the lock file `name` in `dir`.
pub(crate) fn open(dir: &Path, name: &str) -> Result<File> {
    std::fs::create_dir_all(dir).map_err(|source| Error::ConfigIo {
        path: dir.to_path_buf(),
        action: "creating the directory",
        source,
    })?;
    let path = dir.join(name);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::ConfigIo {
            path,
            action: "opening the lock",
            source,
        })
}

/// The exclusive lock on `name` in `dir` if nobody holds it now (`None` if someone does).
pub(crate) fn try_exclusive(dir: &Path, name: &str) -> Result<Option<File>> {
    let file = open(dir, name)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(source)) => Err(Error::ConfigIo {
            path: dir.join(name),
            action: "locking",
            source,
        }),
    }
}

/// Waits for the exclusive lock on `name` in `dir`; it is released when the file is dropped.
pub(crate) fn exclusive(dir: &Path, name: &str) -> Result<File> {
    let file = open(dir, name)?;
    file.lock().map_err(|source| Error::ConfigIo {
        path: dir.join(name),
        action: "locking",
        source,
    })?;
    Ok(file)
}
