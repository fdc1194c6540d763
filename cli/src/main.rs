//! `presently`: the command-line face of Presently. All logic is in `presently-core`;
//! this crate parses arguments, prints results and picks the exit code
//! (0 every account succeeded, 1 an account failed, 2 usage or config error).

mod accounts;
mod args;
mod demo;
mod launch;
mod output;
mod prompt;
mod status;

use clap::Parser;
use presently_core::clock::SystemClock;
use presently_core::config::ConfigFile;
use presently_core::secrets::KeyringStore;
use presently_core::session::Session;
use presently_core::Error;
use std::process::ExitCode;
use std::sync::Arc;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    start_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("presently: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            let code = if error.is_usage() { 2 } else { 1 };
            if json {
                output::print_json(&serde_json::json!({
                    "ok": false,
                    "error": error.report(),
                }));
            } else {
                eprintln!("presently: {error}");
            }
            ExitCode::from(code)
        }
    }
}

/// Logs to stderr: warnings by default, more with `-v` (see `presently_core::logging`), or
/// what `RUST_LOG` asks; the libraries that could carry a secret never below `info`.
fn start_logging(verbosity: u8) {
    use presently_core::logging;
    use std::io::IsTerminal;
    use tracing_subscriber::filter::{Directive, EnvFilter, LevelFilter};
    // A directive naming a capped library (or a module in it), or a span, is left out: a
    // more specific directive would win over the cap.
    let asked = std::env::var("RUST_LOG")
        .ok()
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|directive| {
                    let target = directive.split(['=', '[']).next().unwrap_or_default();
                    !directive.contains('[')
                        && !logging::CAPPED.iter().any(|krate| {
                            target == *krate || target.starts_with(&format!("{krate}::"))
                        })
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|v| !v.trim().is_empty());
    let mut filter = match asked.as_deref().filter(|_| verbosity == 0) {
        Some(directives) => EnvFilter::try_new(directives).unwrap_or_else(|e| {
            eprintln!("presently: RUST_LOG is not understood ({e}); logging warnings only");
            EnvFilter::new("warn")
        }),
        None => {
            let own = logging::level(verbosity);
            logging::OWN
                .iter()
                .fold(EnvFilter::new("warn"), |filter, krate| {
                    match format!("{krate}={own}").parse::<Directive>() {
                        Ok(directive) => filter.add_directive(directive),
                        Err(_) => filter,
                    }
                })
        }
    };
    if filter
        .max_level_hint()
        .is_none_or(|most| most > LevelFilter::INFO)
    {
        for krate in logging::CAPPED {
            if let Ok(directive) = format!("{krate}=info").parse::<Directive>() {
                filter = filter.add_directive(directive);
            }
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    let json = cli.json;
    match cli.command.unwrap_or(Command::Tray) {
        Command::Account(command) => accounts::run(command, json).await,
        Command::Preset(args::PresetCommand::List) => status::list_presets(json),
        Command::Set(set) => status::set(set, json).await,
        Command::Clear { target, pacing } => status::clear(target, pacing, json).await,
        Command::Status(target) => status::show(target, json).await,
        Command::Preview { preset } => status::preview(&preset, json).await,
        Command::Sync(args::SyncCommand::RocketChat { id, dry_run }) => {
            accounts::sync(&id, dry_run, json).await
        }
        Command::Tray => launch::tray(),
        Command::Demo => demo::run(json).await,
    }
}

/// The config file in `$PRESENTLY_CONFIG_DIR` or the platform config dir.
pub fn config_file() -> Result<ConfigFile, Error> {
    Ok(ConfigFile::in_dir(&presently_core::paths::config_dir()?))
}

/// A session on the real keyring; refuses clearly when there is none.
pub fn open_session() -> Result<Session, Error> {
    let dir = presently_core::paths::config_dir()?;
    // The keyring connects while the config is read and the certificates load.
    let keyring = Arc::new(KeyringStore::opening());
    let session = Session::open(&dir, keyring.clone(), Arc::new(SystemClock));
    // Waited for even when the config is refused: a process should not leave with a call to
    // the Secret Service unanswered (gnome-keyring-daemon has been reported to abort when a
    // client disconnects mid-call; see secrets.rs).
    let connected = keyring.wait_open();
    let session = session?;
    connected?;
    Ok(session)
}

pub fn exit_for(all_succeeded: bool) -> ExitCode {
    if all_succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
