//! Ends timed statuses on time, including one that ran out while the app was closed, and
//! sends the changes that waited for their turn (Zoom's one a minute), including those the
//! CLI handed over.

use chrono::Utc;
use std::time::Duration;
use tauri::{AppHandle, Manager};

use crate::actions;
use crate::state::AppState;

/// Re-check at least this often: a suspended laptop or a changed clock must not make the
/// app miss a deadline, and a change the CLI hands over must go out at its turn.
const MAX_SLEEP: Duration = Duration::from_secs(1);
/// After a failed attempt, wait before trying the failed accounts again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        // A failed expiry is retried later; waiting changes go out at their turn meanwhile.
        let mut expiry_retry_at: Option<tokio::time::Instant> = None;
        loop {
            let backing_off = expiry_retry_at.is_some_and(|at| tokio::time::Instant::now() < at);
            let next = {
                let session = state.session.read().await;
                let expiry = if backing_off {
                    Ok(None)
                } else {
                    session.next_expiry()
                };
                match (expiry, session.next_pending()) {
                    (Ok(expiry), Ok(pending)) => Ok(expiry.into_iter().chain(pending).min()),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            };
            let wait = match next {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .min(MAX_SLEEP),
                Ok(None) | Err(_) => MAX_SLEEP,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = state.expiry_changed.notified() => {
                    expiry_retry_at = None;
                    continue;
                }
            }
            send_due(&app).await;
            if backing_off {
                continue;
            }
            let ended = state.session.read().await.expire_if_due().await;
            let retry_later = || Some(tokio::time::Instant::now() + RETRY_AFTER_FAILURE);
            match ended {
                // Nothing could be done (e.g. only accounts that need a new sign-in).
                Ok(Some(report)) if report.outcomes.is_empty() => expiry_retry_at = retry_later(),
                Ok(Some(report)) => {
                    actions::log_report("expiry", &report);
                    actions::notify(&app, &report.summary);
                    crate::tray::refresh(&app).await;
                    expiry_retry_at = if report.all_succeeded() {
                        None
                    } else {
                        retry_later()
                    };
                }
                Ok(None) => expiry_retry_at = None,
                Err(e) => {
                    crate::events::log(&format!("expiry-error:{e}"));
                    expiry_retry_at = retry_later();
                }
            }
        }
    });
}

/// Sends the waiting changes whose turn has come, one notification per change.
async fn send_due(app: &AppHandle) {
    let state = app.state::<AppState>();
    let sent = state.session.read().await.send_due().await;
    match sent {
        Ok(sent) => {
            let reports: Vec<_> = sent.into_iter().map(|(_, report)| report).collect();
            for report in &reports {
                actions::log_report("turn", report);
                actions::notify(app, &report.summary);
            }
            if !reports.is_empty() {
                crate::tray::refresh(app).await;
            }
        }
        Err(e) => crate::events::log(&format!("turn-error:{e}")),
    }
}
