//! The settings window runs as its own short-lived process (`presently-tray --window`), a
//! face over the same core like the CLI: the tray starts it, and when the window closes the
//! process ends, taking WebKit and its helper processes with it, so the tray never holds a
//! web view. The two follow each other through the config directory (the file watcher on
//! either side) and, while the window records a shortcut, through a lock file the tray waits
//! on (see [`PausedHotkeys`]).
//!
//! A second `--window` hands over to the first, which comes to the front (the
//! single-instance plugin on a D-Bus name of its own).

use std::fs::File;
use std::path::Path;
use std::process::ExitCode;

use tauri::{AppHandle, Manager};

use crate::app_state::{AppState, Role};
use crate::{commands, events, watcher};

pub const LABEL: &str = "settings";

/// The tray's "Settings…": starts the window's process (or brings its window to the front,
/// when one runs). The child's stdin is a pipe the tray keeps open while both run: when the
/// tray ends (Quit, or a crash), the window sees it closed and ends too. The child is waited
/// for on a thread of its own, so none is left a zombie.
pub fn open(app: &AppHandle) {
    let started = own_program().and_then(|exe| {
        std::process::Command::new(exe)
            .args(["--window", FROM_TRAY])
            .stdin(std::process::Stdio::piped())
            .spawn()
    });
    match started {
        Ok(mut child) => {
            events::log("settings:starting");
            let pid = child.id();
            let state = app.state::<AppState>();
            let mut lifelines = state
                .window_lifelines
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            lifelines.extend(child.stdin.take().map(|pipe| (pid, pipe)));
            let app = app.clone();
            std::thread::spawn(move || {
                let ended = child.wait();
                app.state::<AppState>()
                    .window_lifelines
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .retain(|(child, _)| *child != pid);
                events::log(&format!("settings:ended:{ended:?}"));
            });
        }
        Err(e) => {
            events::log(&format!("settings-error:{e}"));
            crate::actions::alert(
                app,
                &presently_core::dispatch::Summary {
                    title: "The settings window did not open".into(),
                    body: e.to_string(),
                    all_succeeded: false,
                },
            );
        }
    }
}

/// This program, to start again as the window. On Linux the running file itself
/// (`/proc/self/exe`), which stays right when a package upgrade replaced the path meanwhile.
fn own_program() -> std::io::Result<std::path::PathBuf> {
    let running = Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && running.exists() {
        return Ok(running.to_path_buf());
    }
    std::env::current_exe()
}

/// Given by the tray to the window's process: its stdin is the tray's lifeline.
const FROM_TRAY: &str = "--from-tray";

/// `presently-tray --window`: the settings window alone; the process ends with it, and with
/// the tray that started it (`--from-tray`).
pub fn run(args: &[String]) -> ExitCode {
    let from_tray = args.iter().any(|a| a == FROM_TRAY);
    let state = match AppState::open_window() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("presently-tray: {e}");
            events::log(&format!("settings-error:{e}"));
            crate::report_startup_error(&e.to_string());
            return ExitCode::from(2);
        }
    };
    let bindings = commands::builder();
    let result = tauri::Builder::default()
        .plugin(
            crate::single_instance(".window")
                .callback(|app, _args, _cwd| {
                    events::log("settings:to-front");
                    show(app);
                })
                .build(),
        )
        .plugin(crate::log_file())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .invoke_handler(bindings.invoke_handler())
        .manage(state)
        .setup(move |app| {
            bindings.mount_events(app);
            match watcher::start(app.handle()) {
                Ok(watching) => {
                    app.manage(watching);
                }
                Err(e) => events::log(&format!("watch-error:{e}")),
            }
            create(app.handle())?;
            show(app.handle());
            if from_tray {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    // Nothing is ever written: this returns when the tray's end closes it.
                    let _ = std::io::Read::read(&mut std::io::stdin(), &mut [0u8; 1]);
                    events::log("settings:tray-gone");
                    handle.exit(0);
                });
            }
            Ok(())
        })
        .build(crate::context());
    match result {
        Ok(app) => {
            let code = app.run_return(|app, event| {
                // The window closed: the process ends, but not in the middle of a change
                // the person started from it (the tray shows its end; the notification says
                // how it went).
                if let tauri::RunEvent::ExitRequested {
                    code: None, api, ..
                } = event
                {
                    let state = app.state::<AppState>();
                    if state.in_flight.busy() {
                        api.prevent_exit();
                        events::log("settings:finishing");
                        let app = app.clone();
                        tauri::async_runtime::spawn(async move {
                            app.state::<AppState>().in_flight.idle().await;
                            app.exit(0);
                        });
                    }
                }
            });
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("presently-tray: {e}");
            ExitCode::from(1)
        }
    }
}

fn show(app: &AppHandle) {
    let shown = match app.get_webview_window(LABEL) {
        Some(window) => Ok(window),
        // Asked again while the window closed but a change still finishes.
        None => create(app),
    }
    .and_then(|window| window.show().and_then(|()| window.set_focus()));
    match shown {
        Ok(()) => events::log("settings:shown"),
        Err(e) => events::log(&format!("settings-error:{e}")),
    }
}

fn create(app: &AppHandle) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == LABEL)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    let window = tauri::WebviewWindowBuilder::from_config(app, &config)?.build()?;
    let app = app.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::Destroyed = event {
            events::log("settings:closed");
            // Nothing the window started waits on it: a recording's hold on the tray's
            // keys ends, a sign-in waiting for the browser gives up.
            crate::hotkeys::resume(&app);
            app.state::<AppState>().cancel_sign_in.notify_waiters();
        }
    });
    Ok(window)
}

/// Name of the lock file, in the config directory, that the window holds while it records a
/// shortcut: the tray lets go of its keys (else pressing them would set a preset instead of
/// reaching the window) until the lock is released, by the window or by its end however it
/// comes (the system releases a dead process's locks).
pub const PAUSED_HOTKEYS: &str = "hotkeys-paused.lock";

/// Name of the file the tray writes once it let go of its keys for the window.
pub const LET_GO: &str = "hotkeys-let-go";

/// The window's hold on [`PAUSED_HOTKEYS`].
pub struct PausedHotkeys(#[allow(dead_code)] File);

impl PausedHotkeys {
    /// Takes the lock (waiting for none: a second recording in the same window keeps the
    /// first hold) and so asks the tray, through its file watcher, to let go of its keys.
    pub fn take(dir: &Path) -> std::io::Result<Option<PausedHotkeys>> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(dir.join(PAUSED_HOTKEYS))?;
        match file.try_lock() {
            Ok(()) => {
                // Written after locking: the tray's watcher sees the file change while held.
                std::io::Write::write_all(&mut &file, std::process::id().to_string().as_bytes())?;
                Ok(Some(PausedHotkeys(file)))
            }
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// Whether a window holds the lock now (the tray asks when the file changed).
    pub fn held(dir: &Path) -> bool {
        let Ok(file) = File::open(dir.join(PAUSED_HOTKEYS)) else {
            return false;
        };
        matches!(
            file.try_lock_shared(),
            Err(std::fs::TryLockError::WouldBlock)
        )
    }

    /// In the tray, once it let go of its keys: tells the window, whose watcher sees
    /// [`LET_GO`] change.
    pub fn say_let_go(dir: &Path) -> std::io::Result<()> {
        std::fs::write(dir.join(LET_GO), std::process::id().to_string())
    }

    /// Waits (blocking: run it on a blocking thread) until no window holds the lock.
    pub fn wait_released(dir: &Path) -> std::io::Result<()> {
        File::open(dir.join(PAUSED_HOTKEYS))?.lock_shared()
    }
}

/// Which face this process is.
pub fn is_window(app: &AppHandle) -> bool {
    app.state::<AppState>().role == Role::Window
}
