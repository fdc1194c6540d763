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

/// Whether `hotkey` can be a preset's shortcut: one Presently understands and not another
/// preset's (or Clear status's). `editing` is the preset it is for, whose own current
/// shortcut is free to keep. Asked by the settings window's process, which grabs no key
/// itself: a key it grabbed and let go would stay held (the X11 hotkey library does not send
/// the release at once), so the tray could not take it. Whether another app holds the key
/// is found when the tray registers it, and said in a notification.
pub async fn check(app: &AppHandle, hotkey: &str, editing: Option<&str>) -> Result<(), String> {
    let state = app.state::<AppState>();
    let shortcut = hotkey
        .parse::<Shortcut>()
        .map_err(|e| format!("{hotkey} is not a shortcut Presently understands ({e})"))?;
    let same = |other: &str| {
        other
            .parse::<Shortcut>()
            .is_ok_and(|o| o.id() == shortcut.id())
    };
    let config = state.session.config();
    let ours = config
        .presets
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.hotkey.as_deref()?)))
        .chain(config.settings.clear_hotkey.as_deref().map(|h| (CLEAR, h)))
        .find(|(_, other)| same(other))
        .map(|(id, _)| id.to_owned());
    match ours {
        Some(preset) if Some(preset.as_str()) == editing => Ok(()),
        Some(preset) if preset == CLEAR => {
            Err(format!("{hotkey} is already the shortcut of Clear status"))
        }
        Some(preset) => Err(format!(
            "{hotkey} is already the shortcut of another preset ({preset})"
        )),
        None => Ok(()),
    }
}

/// While the window records a new shortcut, the tray lets go of every shortcut, so the keys
/// pressed reach the window instead of setting a preset; [`resume`] takes them back. The
/// window's process asks through a lock file (`settings_window::PausedHotkeys`); the tray
/// lets go when it sees it held ([`pause_while_held`]) and says so in another file, which
/// this waits for (a second at most: without a tray, nobody holds the keys).
pub async fn pause(app: &AppHandle) {
    let state = app.state::<AppState>();
    let let_go = state.hotkeys_let_go.notified();
    tokio::pin!(let_go);
    let_go.as_mut().enable();
    let taken = {
        let mut held = state
            .paused_hotkeys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.is_some() {
            return;
        }
        match crate::settings_window::PausedHotkeys::take(state.session.dir()) {
            Ok(hold) => {
                let taken = hold.is_some();
                *held = hold;
                taken
            }
            Err(e) => {
                events::log(&format!("hotkey-error:pausing:{e}"));
                false
            }
        }
    };
    if taken {
        events::log("hotkeys:pausing");
        match tokio::time::timeout(std::time::Duration::from_secs(1), let_go).await {
            Ok(()) => events::log("hotkeys:tray-let-go"),
            Err(_) => events::log("hotkeys:no-answer"),
        }
    }
}

/// After recording: the window lets go of its hold and the tray takes its keys back.
pub fn resume(app: &AppHandle) {
    let state = app.state::<AppState>();
    let hold = state
        .paused_hotkeys
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    if hold.is_some() {
        events::log("hotkeys:resuming");
    }
}

/// In the tray, when the window's hold may have changed (and once at start): lets go of
/// every key while it is held, says so ([`crate::settings_window::LET_GO`]), and registers
/// them again once it is released (by the window, or by the window's end). Notices wait
/// their turn, so one that comes while the keys are taken back is not lost.
pub async fn pause_while_held(app: &AppHandle) {
    use crate::settings_window::PausedHotkeys;
    let state = app.state::<AppState>();
    let dir = state.session.dir().to_path_buf();
    let _one_follower = state.following_hold.lock().await;
    let mut paused = false;
    while PausedHotkeys::held(&dir) {
        {
            let _one_at_a_time = state.registering_hotkeys.lock().await;
            if let Err(e) = app.global_shortcut().unregister_all() {
                events::log(&format!("hotkey-error:pausing:{e}"));
            }
            if let Ok(mut map) = state.hotkeys.lock() {
                map.clear();
            }
        }
        if !paused {
            events::log("hotkeys:paused");
            paused = true;
        }
        if let Err(e) = PausedHotkeys::say_let_go(&dir) {
            events::log(&format!("hotkey-error:saying:{e}"));
        }
        let waiting = dir.clone();
        let waited =
            tokio::task::spawn_blocking(move || PausedHotkeys::wait_released(&waiting)).await;
        if let Ok(Err(e)) | Err(e) = waited.map_err(std::io::Error::other) {
            events::log(&format!("hotkey-error:waiting:{e}"));
            break;
        }
    }
    if paused {
        register_all(app).await;
    }
}

/// Registers the presets' shortcuts, replacing any registered before.
pub async fn register_all(app: &AppHandle) {
    if crate::settings_window::is_window(app) {
        return; // the tray holds the keys
    }
    let state = app.state::<AppState>();
    // One registration at a time: two interleaved would undo each other's keys.
    let _one_at_a_time = state.registering_hotkeys.lock().await;
    if crate::settings_window::PausedHotkeys::held(state.session.dir()) {
        return; // the window records a shortcut: they are registered after it
    }
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
