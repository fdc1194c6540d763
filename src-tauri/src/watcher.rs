//! Notices what changes Presently's files from outside the app, by a file watcher (notify)
//! on the config directory rather than by polling: the config edited by hand or by the CLI
//! (the menu, the hotkeys and the window follow within a second), and the status or a
//! waiting change written by the CLI (the schedule and the window follow). Which file means
//! what is the core's to say (`Session::what_changed`); the settings window's hold on the
//! shortcuts is the shell's (`settings_window::PAUSED_HOTKEYS`). The tray and the window's
//! process each watch.

use presently_core::session::Changed;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::actions;
use crate::app_state::AppState;
use crate::events;

/// Sent to the window when the config changed (from anywhere): read the overview again.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ConfigChanged;

/// Sent to the window when the status in effect or a waiting change changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct StatusChanged;

/// Keeps the watcher alive as long as the app runs.
pub struct Watching(#[allow(dead_code)] notify::RecommendedWatcher);

pub fn start(app: &AppHandle) -> notify::Result<Watching> {
    use notify::Watcher;
    let (sender, mut changes) = tokio::sync::mpsc::unbounded_channel::<notify::Event>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = sender.send(event);
        }
    })?;
    let dir = app.state::<AppState>().session.dir().to_path_buf();
    watcher.watch(&dir, notify::RecursiveMode::NonRecursive)?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(first) = changes.recv().await {
            // An atomic save is a burst (temp file, rename): what is queued belongs to it.
            let mut events = vec![first];
            while let Ok(more) = changes.try_recv() {
                events.push(more);
            }
            let state = app.state::<AppState>();
            let (mut config, mut status, mut hold, mut let_go) = (false, false, false, false);
            if events.iter().any(notify::Event::need_rescan) {
                // The system dropped events: anything may have changed.
                (config, status, hold) = (true, true, true);
            }
            for path in events
                .iter()
                .filter(|e| changes_content(e))
                .flat_map(|e| e.paths.iter())
            {
                if path.file_name()
                    == Some(std::ffi::OsStr::new(crate::settings_window::PAUSED_HOTKEYS))
                {
                    hold = true;
                    continue;
                }
                if path.file_name() == Some(std::ffi::OsStr::new(crate::settings_window::LET_GO)) {
                    let_go = true;
                    continue;
                }
                match state.session.what_changed(path) {
                    Some(Changed::Config) => config = true,
                    Some(Changed::Status) => status = true,
                    None => {}
                }
            }
            if config {
                actions::reload_config(&app).await;
                emit(&app, ConfigChanged);
            }
            if status {
                state.expiry_changed.notify_one();
                crate::tray::refresh(&app).await;
                emit(&app, StatusChanged);
            }
            if let_go && crate::settings_window::is_window(&app) {
                state.hotkeys_let_go.notify_waiters();
            }
            if hold && !crate::settings_window::is_window(&app) {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    crate::hotkeys::pause_while_held(&app).await;
                });
            }
        }
    });
    Ok(Watching(watcher))
}

/// Whether an event can mean a file's content changed. Reading a file is an event too
/// (inotify's open and close-after-read): counting those would make every reaction, which
/// reads the files, cause the next one, and the app would never be idle.
fn changes_content(event: &notify::Event) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Other => true,
    }
}

fn emit(app: &AppHandle, event: impl Event + Serialize + Clone) {
    if let Err(e) = event.emit(app) {
        events::log(&format!("watch:emit-error:{e}"));
    }
}
