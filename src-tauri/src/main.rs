//! Presently's tray app: a thin Tauri shell over `presently-core`.
//!
//! # Layout
//! - [`app_state`]: the shared session and what the shell needs beside it.
//! - [`actions`]: apply / clear, then notify and refresh the tray (one path for every trigger).
//! - [`tray`]: the tray menu, built from the presets.
//! - [`hotkeys`]: the presets' global shortcuts.
//! - [`scheduler`]: sleeps until core says something is due (an expiry, a waiting change).
//! - [`commands`]: what the settings window may call, with generated TypeScript bindings.
//! - [`account_commands`]: the window's account forms (add, test, sign in again, remove).
//! - [`general_commands`]: the window's General page (start at login, notifications, endings).
//! - [`preset_commands`]: the window's preset editor (preview a draft, save, delete, reorder).
//! - [`settings_window`]: the settings window, a process of its own (`--window`) the tray
//!   starts, so the tray never holds a web view.
//! - [`watcher`]: notices edits to the config and state files made outside the app.
//! - [`events`]: a line log that tests read (`PRESENTLY_EVENTS_LOG`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod account_commands;
mod actions;
mod app_state;
mod badge;
mod commands;
mod events;
mod general_commands;
mod hotkeys;
mod preset_commands;
mod scheduler;
mod settings_window;
mod tray;
mod watcher;

use std::process::ExitCode;
use tauri::Manager;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(path) = flag_value(&args, "--export-bindings") {
        return match commands::export_bindings(&path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("presently-tray: cannot write bindings to {path}: {e}");
                ExitCode::from(1)
            }
        };
    }
    if args.iter().any(|a| a == "--window") {
        return settings_window::run(&args);
    }
    let open_settings = args.iter().any(|a| a == "--settings");

    let state = match app_state::AppState::open() {
        Ok(state) => state,
        Err(app_state::OpenError::AlreadyRunning) => {
            events::log("startup:already-running");
            // The running app opens its settings window (and this process ends there).
            hand_over_to_running();
            eprintln!("presently-tray: Presently is already running; its menu is in the tray");
            return ExitCode::SUCCESS;
        }
        Err(app_state::OpenError::Failed(e)) => {
            eprintln!("presently-tray: {e}");
            events::log(&format!("startup-error:{e}"));
            report_startup_error(&e.to_string());
            return ExitCode::from(2);
        }
    };

    let bindings = commands::builder();
    let result = tauri::Builder::default()
        // First: a second launch is handed to this app, which shows its settings window.
        .plugin(
            single_instance("")
                .callback(|app, _args, _cwd| {
                    events::log("second-launch");
                    settings_window::open(app);
                })
                .build(),
        )
        .plugin(log_file())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .plugin(hotkeys::plugin())
        .invoke_handler(bindings.invoke_handler())
        .manage(state)
        .setup(move |app| {
            bindings.mount_events(app);
            tray::create(app.handle())?;
            tauri::async_runtime::block_on(hotkeys::register_all(app.handle()));
            // A window that records a shortcut may already hold the keys.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { hotkeys::pause_while_held(&handle).await });
            general_commands::follow_start_at_login(app.handle());
            scheduler::spawn(app.handle().clone());
            match watcher::start(app.handle()) {
                Ok(watching) => {
                    app.manage(watching);
                }
                Err(e) => events::log(&format!("watch-error:{e}")),
            }
            // A first run, with no account yet, opens on the Accounts page with a welcome.
            let first_run = app
                .state::<app_state::AppState>()
                .session
                .config()
                .accounts
                .is_empty();
            if open_settings || first_run {
                settings_window::open(app.handle());
            }
            events::log("ready");
            Ok(())
        })
        .build(context());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("presently-tray: {e}");
            return ExitCode::from(1);
        }
    };
    let code = app.run_return(|_, event| {
        // The app lives in the tray, with no window: only Quit ends it, with an exit code.
        if let tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The app's log: `presently.log` in the platform's log directory (on Linux
/// `$XDG_DATA_HOME/org.presently.app/logs/`), at most 1 MB, the three latest kept. What
/// happened in words at `info`; `RUST_LOG=debug` or `trace` says more. The libraries that
/// could carry a secret stay at `info` whatever is asked (`presently_core::logging`).
pub(crate) fn log_file() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    use tauri_plugin_log::{
        log::LevelFilter, RotationStrategy, Target, TargetKind, TimezoneStrategy,
    };
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::Info);
    let mut builder = tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(TargetKind::LogDir {
            file_name: Some("presently".into()),
        }))
        .max_file_size(1_000_000)
        .rotation_strategy(RotationStrategy::KeepSome(3))
        .timezone_strategy(TimezoneStrategy::UseLocal)
        .level(LevelFilter::Warn);
    for krate in presently_core::logging::OWN {
        builder = builder.level_for(*krate, level);
    }
    for krate in presently_core::logging::CAPPED {
        builder = builder.level_for(*krate, level.min(LevelFilter::Info));
    }
    builder.build()
}

/// Started from a desktop launcher there is no terminal to read stderr, so a broken config
/// or a missing keyring is also shown as a notification before the app gives up.
pub(crate) fn report_startup_error(message: &str) {
    use tauri_plugin_notification::NotificationExt;
    let message = message.to_owned();
    let shown = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let body = format!("{message}\nPresently did not start.");
            if let Err(e) = app
                .notification()
                .builder()
                .title("Presently cannot start")
                .body(body)
                .show()
            {
                eprintln!("presently-tray: cannot show a notification: {e}");
            }
            app.handle().exit(2);
            Ok(())
        })
        .run(context());
    if let Err(e) = shown {
        eprintln!("presently-tray: {e}");
    }
}

pub(crate) fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// One app per config directory: the D-Bus name the single-instance plugin holds carries
/// the directory, so a demo (its own directory) runs beside the real app. `face` tells the
/// tray's name ("") from the settings window's (".window").
pub(crate) fn single_instance(face: &str) -> tauri_plugin_single_instance::Builder<tauri::Wry> {
    let mut id = "org.presently.app".to_owned();
    if let Ok(dir) = presently_core::paths::config_dir() {
        if std::env::var_os(presently_core::paths::CONFIG_DIR_ENV).is_some() {
            let digest = dir
                .to_string_lossy()
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                });
            id.push_str(&format!(".c{digest:016x}"));
        }
    }
    id.push_str(face);
    tauri_plugin_single_instance::Builder::new().dbus_id(id)
}

/// Asks the running app to show its window: the plugin forwards this launch and ends the
/// process. It returns only when no running app answered (no session bus).
fn hand_over_to_running() {
    let handed = tauri::Builder::default()
        .plugin(single_instance("").build())
        .setup(|app| {
            app.handle().exit(0);
            Ok(())
        })
        .build(context());
    if let Err(e) = handed {
        events::log(&format!("startup:hand-over-failed:{e}"));
    }
}

fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}
