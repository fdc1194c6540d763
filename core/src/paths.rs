//! Where Presently keeps its files.

use std::path::PathBuf;

use crate::error::{Error, Result};

pub const CONFIG_DIR_ENV: &str = "PRESENTLY_CONFIG_DIR";

/// `$PRESENTLY_CONFIG_DIR`, else the platform's config dir (`~/.config/presently` on Linux).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Presently", "presently")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or_else(|| {
            Error::invalid(format!(
                "cannot find a home directory for the config; set {CONFIG_DIR_ENV}"
            ))
        })
}

/// Reads a small text file Presently owns or is pointed at (the config, a zuliprc), refusing
/// what is not a regular file (a FIFO would block forever, `/dev/zero` never ends) and what
/// is larger than `max_bytes`.
///
/// # Errors
/// The file's own error (`NotFound` included, so callers can tell), or `InvalidData` for
/// something that is not a regular file, too large, or not UTF-8.
pub(crate) fn read_small_text(path: &std::path::Path, max_bytes: u64) -> std::io::Result<String> {
    use std::io::Read;
    let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidData, message);
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(invalid("it is not a regular file".into()));
    }
    if meta.len() > max_bytes {
        return Err(invalid(format!(
            "it is {} bytes; at most {max_bytes} are read",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(invalid(format!(
            "it grew past {max_bytes} bytes while read"
        )));
    }
    String::from_utf8(bytes).map_err(|_| invalid("it is not UTF-8 text".into()))
}
