//! One line per thing that happened, appended to `$PRESENTLY_EVENTS_LOG` when set.
//! Tests wait on it ("ready", "applied:…") instead of sleeping. Never holds secrets.

use std::io::Write;

pub fn log(line: &str) {
    tracing::info!("{line}");
    let Some(path) = std::env::var_os("PRESENTLY_EVENTS_LOG") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{}", line.replace('\n', " | ")));
    if let Err(e) = written {
        eprintln!("presently-tray: cannot write the events log: {e}");
    }
}
