//! The tray icon (with the availability in effect as a badge, see [`crate::badge`]) and
//! its menu: one entry per preset (the one in effect is checked), the changes waiting
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

/// Menu ids: presets are "preset:<id>", the rest are fixed.
const PRESET_PREFIX: &str = "preset:";
const CLEAR: &str = "clear";
const SETTINGS: &str = "settings";
const QUIT: &str = "quit";
const SIGN_IN_PREFIX: &str = "signin:";
const PENDING_PREFIX: &str = "pending:";

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let shown = model(app);
    let menu = build_menu(app, &shown)?;
    let tooltip = shown.tooltip.clone();
    *SHOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((0, shown));
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip(tooltip)
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    let availability = SHOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .and_then(|(_, model)| model.availability);
    match crate::badge::icon(availability, crate::badge::dark_panel()) {
        Ok(icon) => builder = builder.icon(icon),
        Err(e) => {
            events::log(&format!("tray-error:{e}"));
            if let Some(icon) = app.default_window_icon() {
                builder = builder.icon(icon.clone());
            }
        }
    }
    builder.build(app)?;
    Ok(())
}

/// One line of the menu, as data: two equal models make the same menu, so a refresh that
/// changes nothing leaves the open menu (and its item ids) alone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Preset {
        id: String,
        title: String,
        checked: bool,
    },
    Info {
        id: String,
        text: String,
    },
    Action {
        id: String,
        text: String,
    },
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    lines: Vec<Line>,
    tooltip: String,
    /// The availability in effect, shown as the icon's badge.
    availability: Option<presently_core::preset::Availability>,
}

/// The last model shown and when it was read, to skip refreshes that change nothing and
/// models read before it.
static SHOWN: std::sync::Mutex<Option<(u64, Model)>> = std::sync::Mutex::new(None);
static NEXT_READ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn model(app: &AppHandle) -> Model {
    let state = app.state::<AppState>();
    let session = &state.session;
    let active = session.active().ok().flatten();
    let active_id = active.as_ref().and_then(|a| a.preset_id.clone());
    let config = session.config();
    let mut lines: Vec<Line> = config
        .presets
        .iter()
        .map(|preset| Line::Preset {
            id: format!("{PRESET_PREFIX}{}", preset.id),
            title: preset.title(),
            checked: active_id.as_deref() == Some(preset.id.as_str()),
        })
        .collect();
    let pending = session.pending().unwrap_or_default();
    let sign_ins = session.needs_sign_in();
    if !pending.is_empty() || !sign_ins.is_empty() {
        lines.push(Line::Separator);
    }
    for wish in &pending {
        let service = config
            .account(&wish.account)
            .map(|a| a.service().display_name())
            .unwrap_or("");
        lines.push(Line::Info {
            id: format!("{PENDING_PREFIX}{}", wish.account),
            text: format!(
                "{} on {service} ({}): pending, sent at {}",
                wish.status.label,
                wish.account,
                local_time_precise(&wish.not_before)
            ),
        });
    }
    for label in &sign_ins {
        lines.push(Line::Action {
            id: format!("{SIGN_IN_PREFIX}{}", label.id),
            text: format!("Sign in again to {label}…"),
        });
    }
    let action = |id: &str, text: &str| Line::Action {
        id: id.to_owned(),
        text: text.to_owned(),
    };
    lines.extend([
        Line::Separator,
        action(CLEAR, "Clear status"),
        Line::Separator,
        action(SETTINGS, "Settings…"),
        action(QUIT, "Quit"),
    ]);
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
    let availability = active_id
        .as_deref()
        .and_then(|id| config.preset(id))
        .map(|preset| preset.availability);
    Model {
        lines,
        tooltip,
        availability,
    }
}

fn build_menu(app: &AppHandle, model: &Model) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    for line in &model.lines {
        match line {
            Line::Preset { id, title, checked } => menu.append(&CheckMenuItem::with_id(
                app,
                id,
                title,
                true,
                *checked,
                None::<&str>,
            )?)?,
            Line::Info { id, text } => {
                menu.append(&MenuItem::with_id(app, id, text, false, None::<&str>)?)?
            }
            Line::Action { id, text } => {
                menu.append(&MenuItem::with_id(app, id, text, true, None::<&str>)?)?
            }
            Line::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
        }
    }
    Ok(menu)
}

/// Rebuilds the menu when what it shows changed, so the check mark follows the status in
/// effect; an unchanged menu is left as it is. The model is read here; the menu is built
/// and handed over on the main thread (GTK is not thread-safe), newest model last: a model
/// read earlier never replaces one read later.
pub async fn refresh(app: &AppHandle) {
    if crate::settings_window::is_window(app) {
        return;
    }
    let read = NEXT_READ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let next = model(app);
    let handle = app.clone();
    let dispatched = app.run_on_main_thread(move || {
        let Some(tray) = handle.tray_by_id(TRAY_ID) else {
            return;
        };
        let mut shown = SHOWN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if shown
            .as_ref()
            .is_some_and(|(at, model)| *at > read || *model == next)
        {
            return;
        }
        match build_menu(&handle, &next) {
            Ok(menu) => {
                if let Err(e) = tray.set_menu(Some(menu)) {
                    events::log(&format!("tray-error:{e}"));
                }
                if let Err(e) = tray.set_tooltip(Some(next.tooltip.clone())) {
                    events::log(&format!("tray-error:{e}"));
                }
                let badge = crate::badge::icon(next.availability, crate::badge::dark_panel());
                if let Err(e) = badge.and_then(|icon| tray.set_icon(Some(icon))) {
                    events::log(&format!("tray-error:{e}"));
                }
                *shown = Some((read, next));
            }
            Err(e) => events::log(&format!("tray-error:{e}")),
        }
    });
    if let Err(e) = dispatched {
        events::log(&format!("tray-error:{e}"));
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
            crate::settings_window::open(app);
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
