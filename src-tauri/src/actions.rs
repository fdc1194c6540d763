//! The one path every trigger (tray click, hotkey, settings window) takes: apply or clear,
//! tell the user in one notification, refresh the tray mark, re-arm the expiry timer.

use presently_core::dispatch::Summary;
use presently_core::providers::Target;
use presently_core::session::{Report, Request};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::events;
use crate::state::AppState;

pub enum Action {
    Preset(String),
    Clear,
}

pub async fn run(app: &AppHandle, action: Action, source: &str) -> Summary {
    let state = app.state::<AppState>();
    reload_config(app).await;
    let result = {
        let session = state.session.read().await;
        match &action {
            Action::Preset(id) => {
                let request = Request {
                    preset: Some(id.clone()),
                    ..Request::default()
                };
                session.apply(&request).await
            }
            Action::Clear => session.clear(&[], &Target::Me).await,
        }
    };
    let summary = match result {
        Ok(report) => {
            log_report(source, &report);
            report.summary
        }
        Err(e) => {
            events::log(&format!("{source}:error:{e}"));
            Summary {
                title: "Presently could not do that".into(),
                body: e.to_string(),
                all_succeeded: false,
            }
        }
    };
    notify(app, &summary);
    state.expiry_changed.notify_one();
    crate::tray::refresh(app).await;
    summary
}

/// Picks up edits to the config (an account added with the CLI, a preset changed by
/// hand); when it changed, the tray and the hotkeys are rebuilt from it.
pub async fn reload_config(app: &AppHandle) {
    let state = app.state::<AppState>();
    let reloaded = state.session.write().await.reload_if_changed();
    match reloaded {
        Ok(false) => {}
        Ok(true) => {
            events::log("config:reloaded");
            crate::hotkeys::register_all(app).await;
            crate::tray::refresh(app).await;
        }
        Err(e) => {
            events::log(&format!("config-error:{e}"));
            notify(
                app,
                &Summary {
                    title: "Presently keeps the settings it had".into(),
                    body: e.to_string(),
                    all_succeeded: false,
                },
            );
        }
    }
}

pub fn log_report(source: &str, report: &Report) {
    events::log(&format!(
        "{source}:{}:{}",
        report.label, report.summary.title
    ));
    for outcome in &report.outcomes {
        match &outcome.result {
            Ok(_) => events::log(&format!("  ok:{}", outcome.account)),
            Err(e) => events::log(&format!("  failed:{}: {e}", outcome.account)),
        }
    }
}

pub fn notify(app: &AppHandle, summary: &Summary) {
    let shown = app
        .notification()
        .builder()
        .title(&summary.title)
        .body(&summary.body)
        .show();
    if let Err(e) = shown {
        events::log(&format!("notify-error:{e}"));
    }
}
