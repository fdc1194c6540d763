//! The tray menu: one entry per preset (the one in effect is checked), the changes waiting
//! for their turn, accounts to sign in again, then "Clear status", "Settings…" and "Quit".
//! Rebuilt whenever the status changes.

use presently_core::error::{local_time, local_time_precise};
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

use crate::actions::{self, Action};
use crate::app_state::AppState;
use crate::events;

pub const TRAY_ID: &str = "presently";
pub const SETTINGS_WINDOW: &str = "settings";

/// Menu ids: presets are "preset:<id>", the rest are fixed.
const PRESET_PREFIX: &str = "preset:";
const CLEAR: &str = "clear";
const SETTINGS: &str = "settings";
const QUIT: &str = "quit";
const SIGN_IN_PREFIX: &str = "signin:";
const PENDING_PREFIX: &str = "pending:";

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let (menu, tooltip) = tauri::async_runtime::block_on(build_menu(app))?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip(tooltip)
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

async fn build_menu(app: &AppHandle) -> tauri::Result<(Menu<Wry>, String)> {
    let state = app.state::<AppState>();
    let session = &state.session;
    let active = session.active().ok().flatten();
    let active_id = active.as_ref().and_then(|a| a.preset_id.clone());
    let menu = Menu::new(app)?;
    let config = session.config();
    for preset in &config.presets {
        let checked = active_id.as_deref() == Some(preset.id.as_str());
        let item = CheckMenuItem::with_id(
            app,
            format!("{PRESET_PREFIX}{}", preset.id),
            preset.title(),
            true,
            checked,
            None::<&str>,
        )?;
        menu.append(&item)?;
    }
    let pending = session.pending().unwrap_or_default();
    let sign_ins = session.needs_sign_in();
    if !pending.is_empty() || !sign_ins.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
    }
    for wish in &pending {
        let service = config
            .account(&wish.account)
            .map(|a| a.service().display_name())
            .unwrap_or("");
        let line = format!(
            "{} on {service} ({}): pending, sent at {}",
            wish.status.label,
            wish.account,
            local_time_precise(&wish.not_before)
        );
        let id = format!("{PENDING_PREFIX}{}", wish.account);
        menu.append(&MenuItem::with_id(app, id, line, false, None::<&str>)?)?;
    }
    for label in &sign_ins {
        let id = format!("{SIGN_IN_PREFIX}{}", label.id);
        let line = format!("Sign in again to {label}…");
        menu.append(&MenuItem::with_id(app, id, line, true, None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        CLEAR,
        "Clear status",
        true,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        SETTINGS,
        "Settings…",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?)?;
    let mut tooltip = match active {
        Some(a) => match a.expires_at {
            Some(at) => format!("Presently: {} until {}", a.label, local_time(&at)),
            None => format!("Presently: {}", a.label),
        },
        None => "Presently".to_owned(),
    };
    if let Some(first) = pending.first() {
        tooltip.push_str(&format!(
            " ({} pending until {})",
            first.account,
            local_time_precise(&first.not_before)
        ));
    }
    Ok((menu, tooltip))
}

/// Rebuilds the menu so the check mark follows the status in effect.
pub async fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match build_menu(app).await {
        Ok((menu, tooltip)) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                events::log(&format!("tray-error:{e}"));
            }
            if let Err(e) = tray.set_tooltip(Some(tooltip)) {
                events::log(&format!("tray-error:{e}"));
            }
        }
        Err(e) => events::log(&format!("tray-error:{e}")),
    }
}

fn on_menu(app: &AppHandle, id: &str) {
    let action = match id {
        QUIT => {
            events::log("tray:quit");
            app.exit(0);
            return;
        }
        SETTINGS => {
            show_settings(app);
            return;
        }
        CLEAR => Action::Clear,
        other if other.starts_with(SIGN_IN_PREFIX) => {
            let id = other[SIGN_IN_PREFIX.len()..].to_owned();
            let app = app.clone();
            tauri::async_runtime::spawn(async move { actions::sign_in_again(&app, &id).await });
            return;
        }
        other => match other.strip_prefix(PRESET_PREFIX) {
            Some(preset) => Action::Preset(preset.to_owned()),
            None => {
                events::log(&format!("tray:unknown:{other}"));
                return;
            }
        },
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        actions::run(&app, action, "tray").await;
    });
}

/// Opens the settings window, creating it first: it exists only while shown, so the idle
/// app carries no webview.
pub fn show_settings(app: &AppHandle) {
    let window = match app.get_webview_window(SETTINGS_WINDOW) {
        Some(window) => Ok(window),
        None => create_settings(app),
    };
    let shown = window.and_then(|window| window.show().and_then(|()| window.set_focus()));
    match shown {
        Ok(()) => events::log("settings:shown"),
        Err(e) => events::log(&format!("settings-error:{e}")),
    }
}

fn create_settings(app: &AppHandle) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == SETTINGS_WINDOW)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let window = tauri::WebviewWindowBuilder::from_config(app, &config)?.build()?;
    window.on_window_event(|event| {
        if let tauri::WindowEvent::Destroyed = event {
            events::log("settings:closed");
        }
    });
    Ok(window)
}
