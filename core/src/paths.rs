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
