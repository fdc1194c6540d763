//! Starting the tray app, which is a separate binary so this one stays free of WebKit.

use presently_core::Error;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

pub const TRAY_BINARY: &str = "presently-tray";

/// `presently-tray` beside this executable, else on the PATH.
pub fn tray_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(TRAY_BINARY))
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(TRAY_BINARY))
}

pub fn tray_command() -> Command {
    Command::new(tray_binary())
}

/// Why the tray app did not start, and how to get it.
pub fn start_failed(cause: std::io::Error) -> Error {
    Error::invalid(format!(
        "cannot start the tray app {} ({cause}); build it with `cargo build -p presently-app`",
        tray_binary().display()
    ))
}

pub fn tray() -> Result<ExitCode, Error> {
    let status = tray_command().status().map_err(start_failed)?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
