//! How much Presently logs, one rule for the CLI (`-v`, `RUST_LOG`) and the tray app (its
//! log file). Presently's own crates say what happened in words and never log a secret;
//! libraries whose detailed logs can carry request headers or D-Bus messages (the keyring's
//! secret service) are held at `info` whatever is asked, so no verbosity reaches a secret.

/// Presently's own crates, whose level the verbosity sets.
pub const OWN: &[&str] = &["presently_core", "presently", "presently_tray"];

/// Libraries never logged below `info`: HTTP (headers), TLS, D-Bus and the keyring.
pub const CAPPED: &[&str] = &[
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "zbus",
    "keyring",
    "keyring_core",
    "zbus_secret_service",
    "zbus_secret_service_keyring_store",
    "secret_service",
];

/// The level for Presently's own crates: warnings by default, then `info`, `debug`,
/// `trace` for `-v`, `-vv`, `-vvv`.
pub fn level(verbosity: u8) -> tracing::Level {
    match verbosity {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    }
}
