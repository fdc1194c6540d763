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
use presently_core::secrets::{KeyringStore, SecretStore};
use presently_core::session::Session;
use presently_core::Error;
use std::process::ExitCode;
use std::sync::Arc;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
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
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::open()?);
    Session::open(&dir, secrets, Arc::new(SystemClock))
}

pub fn exit_for(all_succeeded: bool) -> ExitCode {
    if all_succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
