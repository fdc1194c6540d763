//! Sleeps until core says something is due (a status that runs out, also one that ran out
//! while the app was closed; a change waiting for its turn, also one the CLI handed over),
//! then has core do it and tells the user. What is due and how a failure is retried is
//! core's (`session/schedule.rs`); this loop only waits and notifies.

use chrono::Utc;
use std::time::Duration;
use tauri::{AppHandle, Manager};

use crate::actions;
use crate::app_state::AppState;

/// Look again at least this often: a suspended laptop or a changed clock must not make the
/// app miss a deadline. A change the CLI hands over wakes the loop through the file watcher.
const MAX_SLEEP: Duration = Duration::from_secs(15);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        loop {
            let wait = match state.session.next_due() {
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
            match state.session.run_due().await {
                Ok(reports) => {
                    for report in &reports {
                        actions::log_report("due", report);
                        actions::notify(&app, &report.summary);
                    }
                    if !reports.is_empty() {
                        crate::tray::refresh(&app).await;
                    }
                }
                Err(e) => crate::events::log(&format!("due-error:{e}")),
            }
        }
    });
}
