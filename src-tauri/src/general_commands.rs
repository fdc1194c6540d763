//! The settings window's General page: start at login (tauri-plugin-autostart, off until
//! the person says yes; asked on the first run), notifications, what happens when a timed
//! status ends. The values live in the config's `[settings]`; autostart follows them.

use presently_core::config::Settings;
use presently_core::error::ErrorReport;
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;

use crate::app_state::AppState;
use crate::events;

#[tauri::command]
#[specta::specta]
pub async fn general_settings(state: State<'_, AppState>) -> Result<Settings, ErrorReport> {
    Ok(state.session.config().settings.clone())
}

/// Saves the general settings and makes start-at-login match them.
#[tauri::command]
#[specta::specta]
pub async fn save_general_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<(), ErrorReport> {
    let before = state.session.config().settings.clear_hotkey.clone();
    if let Some(hotkey) = settings
        .clear_hotkey
        .as_ref()
        .filter(|h| Some(*h) != before.as_ref())
    {
        crate::hotkeys::check(&app, hotkey, None)
            .await
            .map_err(|message| {
                presently_core::Error::InvalidField {
                    field: "clear_hotkey",
                    message,
                }
                .report()
            })?;
    }
    let changed_hotkey = settings.clear_hotkey != before;
    state
        .session
        .save_settings(settings)
        .map_err(|e| e.report())?;
    follow_start_at_login(&app);
    if changed_hotkey {
        crate::hotkeys::register_all(&app).await;
    }
    Ok(())
}

/// Makes the system's login items say what the settings say (nothing until asked).
pub fn follow_start_at_login(app: &AppHandle) {
    use tauri::Manager;
    let wanted = app
        .state::<AppState>()
        .session
        .config()
        .settings
        .start_at_login;
    let Some(wanted) = wanted else { return };
    let launcher = app.autolaunch();
    let result = match (wanted, launcher.is_enabled()) {
        (true, Ok(false)) => launcher.enable(),
        (false, Ok(true)) => launcher.disable(),
        (_, Ok(_)) => Ok(()),
        (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => events::log(&format!("autostart:{wanted}")),
        Err(e) => events::log(&format!("autostart-error:{e}")),
    }
}
