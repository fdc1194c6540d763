//! Ends timed statuses on time, including one that ran out while the app was closed.

use chrono::Utc;
use std::time::Duration;
use tauri::{AppHandle, Manager};

use crate::actions;
use crate::state::AppState;

/// Re-check at least this often, so a suspended laptop or a changed clock cannot make
/// the app miss a deadline.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// After a failed attempt, wait before trying the failed accounts again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        loop {
            let next = state.session.read().await.next_expiry();
            let wait = match next {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .min(MAX_SLEEP),
                Ok(None) | Err(_) => MAX_SLEEP,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = state.expiry_changed.notified() => continue,
            }
            let ended = state.session.read().await.expire_if_due().await;
            match ended {
                Ok(Some(report)) if report.outcomes.is_empty() => {}
                Ok(Some(report)) => {
                    actions::log_report("expiry", &report);
                    actions::notify(&app, &report.summary);
                    crate::tray::refresh(&app).await;
                    if !report.all_succeeded() {
                        tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    crate::events::log(&format!("expiry-error:{e}"));
                    tokio::time::sleep(RETRY_AFTER_FAILURE).await;
                }
            }
        }
    });
}
