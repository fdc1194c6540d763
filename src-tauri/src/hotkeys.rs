//! Global shortcuts named by presets (`hotkey = "Ctrl+Alt+1"`) and for Clear status
//! (`settings.clear_hotkey`). Pressing one does exactly what clicking the same line in the
//! tray does. One that cannot be registered is reported.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use crate::actions::{self, Action};
use crate::app_state::AppState;
use crate::events;
use presently_core::dispatch::Summary;

pub fn plugin() -> TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, shortcut, event| {
            if event.state() != ShortcutState::Pressed {
                return;
            }
            let preset = app
                .state::<AppState>()
                .hotkeys
                .lock()
                .ok()
                .and_then(|map| map.get(&shortcut.id()).cloned());
            if let Some(preset) = preset {
                let action = if preset == CLEAR {
                    Action::Clear
                } else {
                    Action::Preset(preset)
                };
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    actions::run(&app, action, "hotkey").await;
                });
            }
        })
        .build()
}

/// What the map of registered shortcuts holds for Clear status (preset ids cannot be empty).
pub const CLEAR: &str = "";

/// Whether `hotkey` can be a preset's shortcut: one Presently understands, and one the
/// system lets it register (another app may hold it). `editing` is the preset it is for,
/// whose own current shortcut is free to keep.
pub async fn check(app: &AppHandle, hotkey: &str, editing: Option<&str>) -> Result<(), String> {
    let state = app.state::<AppState>();
    let _one_at_a_time = state.registering_hotkeys.lock().await;
    let shortcut = hotkey
        .parse::<Shortcut>()
        .map_err(|e| format!("{hotkey} is not a shortcut Presently understands ({e})"))?;
    let ours = state
        .hotkeys
        .lock()
        .ok()
        .and_then(|map| map.get(&shortcut.id()).cloned());
    match ours {
        Some(preset) if Some(preset.as_str()) == editing => Ok(()),
        Some(preset) => Err(format!(
            "{hotkey} is already the shortcut of another preset ({preset})"
        )),
        None => {
            let shortcuts = app.global_shortcut();
            shortcuts.register(shortcut).map_err(|e| {
                format!("{hotkey} could not be registered; another app may hold it ({e})")
            })?;
            shortcuts
                .unregister(shortcut)
                .map_err(|e| format!("{hotkey}: {e}"))
        }
    }
}

/// Lets go of every shortcut while the window records a new one, so the keys pressed reach
/// the window instead of setting a preset; `register_all` takes them back.
pub async fn pause(app: &AppHandle) {
    let state = app.state::<AppState>();
    let _one_at_a_time = state.registering_hotkeys.lock().await;
    match app.global_shortcut().unregister_all() {
        Ok(()) => events::log("hotkeys:paused"),
        Err(e) => events::log(&format!("hotkey-error:pausing:{e}")),
    }
}

/// Registers the presets' shortcuts, replacing any registered before.
pub async fn register_all(app: &AppHandle) {
    let state = app.state::<AppState>();
    // One registration at a time: two interleaved would undo each other's keys.
    let _one_at_a_time = state.registering_hotkeys.lock().await;
    let presets: Vec<(String, String, String)> = {
        let config = state.session.config();
        let clear = config
            .settings
            .clear_hotkey
            .clone()
            .map(|hotkey| (CLEAR.to_owned(), "Clear status".to_owned(), hotkey));
        config
            .presets
            .iter()
            .filter_map(|p| Some((p.id.clone(), p.name.clone(), p.hotkey.clone()?)))
            .chain(clear)
            .collect()
    };
    if let Err(e) = app.global_shortcut().unregister_all() {
        events::log(&format!("hotkey-error:unregistering:{e}"));
    }
    if let Ok(mut map) = state.hotkeys.lock() {
        map.clear();
    }
    let mut problems = Vec::new();
    for (id, name, hotkey) in presets {
        let registered = hotkey
            .parse::<Shortcut>()
            .map_err(|e| format!("is not a shortcut Presently understands ({e})"))
            .and_then(|shortcut| {
                app.global_shortcut()
                    .register(shortcut)
                    .map(|()| shortcut)
                    .map_err(|e| {
                        format!("could not be registered, maybe another app holds it ({e})")
                    })
            });
        match registered {
            Ok(shortcut) => {
                if let Ok(mut map) = state.hotkeys.lock() {
                    map.insert(shortcut.id(), id.clone());
                }
                events::log(&format!("hotkey-registered:{hotkey}:{id}"));
            }
            Err(reason) => {
                events::log(&format!("hotkey-error:{hotkey}:{id}:{reason}"));
                problems.push(format!("{hotkey} for {name} {reason}"));
            }
        }
    }
    if !problems.is_empty() {
        actions::alert(
            app,
            &Summary {
                title: "Some hotkeys do not work".into(),
                body: problems.join("\n"),
                all_succeeded: false,
            },
        );
    }
}
