//! The one path every trigger (tray click, hotkey, settings window) takes: apply or clear,
//! tell the user in one notification, refresh the tray mark, re-arm the expiry timer.

use async_trait::async_trait;
use presently_core::dispatch::Summary;
use presently_core::providers::{Service, SignInPrompt, Target};
use presently_core::session::{Report, Request};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::app_state::AppState;
use crate::events;

pub enum Action {
    Preset(String),
    Clear,
}

pub async fn run(app: &AppHandle, action: Action, source: &str) -> Summary {
    let state = app.state::<AppState>();
    let _running = state.in_flight.start();
    reload_config(app).await;
    let session = &state.session;
    let result = match &action {
        Action::Preset(id) => {
            let request = Request {
                preset: Some(id.clone()),
                ..Request::default()
            };
            session.apply(&request).await
        }
        Action::Clear => session.clear(&[], &Target::Me).await,
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
    let reloaded = state.session.reload_if_changed();
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

/// After the window added, signed in or removed an account: the tray's menu (its "Sign in
/// again" lines) follows.
pub async fn after_accounts_changed(app: &AppHandle) {
    events::log("accounts:changed");
    crate::tray::refresh(app).await;
}

/// After the window saved, deleted or reordered presets: the hotkeys and the tray menu
/// follow at once.
pub async fn after_presets_changed(app: &AppHandle) {
    events::log("presets:changed");
    crate::hotkeys::register_all(app).await;
    crate::tray::refresh(app).await;
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

/// A change's summary as a notification, unless the person turned them off; failures are
/// always shown.
pub fn notify(app: &AppHandle, summary: &Summary) {
    let wanted = app
        .state::<AppState>()
        .session
        .config()
        .settings
        .notifications;
    if wanted || !summary.all_succeeded {
        alert(app, summary);
    } else {
        events::log(&format!("notification-off:{}", summary.title));
    }
}

/// A notification that is always shown (something needs the person).
pub fn alert(app: &AppHandle, summary: &Summary) {
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

/// The tray's answers to a sign-in: the system browser, or a notification with the
/// address when none opens. It has no field to type a code into.
struct Desktop<'a> {
    app: &'a AppHandle,
}

#[async_trait]
impl SignInPrompt for Desktop<'_> {
    async fn code(&self, method: &str) -> presently_core::Result<String> {
        Err(presently_core::Error::invalid(format!(
            "the server asks for a second factor ({method}); sign in with `presently account signin` in a terminal"
        )))
    }

    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        _redirect_uri: &str,
    ) -> presently_core::Result<()> {
        // Not the URL: its `state` guards this sign-in and belongs to nobody's log.
        events::log(&format!("signin:started:{}", url.host_str().unwrap_or("")));
        if let Err(e) = webbrowser::open(url.as_str()) {
            events::log(&format!("signin:no-browser:{e}"));
            alert(
                self.app,
                &Summary {
                    title: format!("Open this address to sign in to {}", service.display_name()),
                    body: url.to_string(),
                    all_succeeded: true,
                },
            );
        }
        Ok(())
    }
}

/// Signs an account in again through its service's flow, from the tray or the window.
/// Nothing is locked while the person is in the browser: clicks go on meanwhile.
pub async fn sign_in_again(app: &AppHandle, id: &str) {
    let state = app.state::<AppState>();
    let signed_in = state
        .session
        .sign_in_again(id, None, &Desktop { app })
        .await;
    let summary = match signed_in {
        Ok(identity) => Summary {
            title: format!("Signed in again as {}", identity.name),
            body: String::new(),
            all_succeeded: true,
        },
        Err(e) => Summary {
            title: "Sign-in did not finish".into(),
            body: e.to_string(),
            all_succeeded: false,
        },
    };
    events::log(&format!("signin:{}", summary.title));
    notify(app, &summary);
    crate::tray::refresh(app).await;
}
