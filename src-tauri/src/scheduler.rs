//! Sleeps until core says something is due (a status that runs out, also one that ran out
//! while the app was closed; a change waiting for its turn, also one the CLI handed over),
//! then has core do it and tells the user. What is due and how a failure is retried is
//! core's (`session/schedule.rs`); this loop only waits and notifies.

use std::time::Duration;
use tauri::{AppHandle, Manager};

use crate::actions;
use crate::app_state::AppState;

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        // Failures in a row: each waits longer (a second, doubling up to five minutes), or
        // until a change, so a state file that cannot be read or a due change that keeps
        // failing does not keep the app busy.
        let mut failures = 0u32;
        loop {
            // Asleep until the moment something is due, or until a change (from the window,
            // the CLI or a click) may have moved it; nothing due, nothing to wake for.
            match state.session.next_due() {
                Ok(Some(at)) => {
                    tokio::select! {
                        slept = presently_core::wall_clock::sleep_until(at) => {
                            if let Err(e) = slept {
                                crate::events::log(&format!("due-error:timer:{e}"));
                                failures += 1;
                                after_failure(&state, failures).await;
                            }
                        }
                        () = state.expiry_changed.notified() => continue,
                    }
                }
                Ok(None) => {
                    state.expiry_changed.notified().await;
                    continue;
                }
                Err(e) => {
                    crate::events::log(&format!("due-error:{e}"));
                    failures += 1;
                    after_failure(&state, failures).await;
                    continue;
                }
            }
            match state.session.run_due().await {
                Ok(reports) => {
                    failures = 0;
                    for report in &reports {
                        actions::log_report("due", report);
                        actions::notify(&app, &report.summary);
                    }
                    if !reports.is_empty() {
                        crate::tray::refresh(&app).await;
                    }
                }
                Err(e) => {
                    crate::events::log(&format!("due-error:{e}"));
                    failures += 1;
                    after_failure(&state, failures).await;
                }
            }
        }
    });
}

/// Waits after the `failures`-th failure in a row, or until a change.
async fn after_failure(state: &AppState, failures: u32) {
    let seconds = 1u64 << failures.saturating_sub(1).min(9);
    let wait = Duration::from_secs(seconds.min(300));
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        () = state.expiry_changed.notified() => {}
    }
}
