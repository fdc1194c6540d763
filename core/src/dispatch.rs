//! Applies a status to one account within its deadline (the caller runs many at once), one
//! result per account, and one sentence that sums them up.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{AccountLabel, ProviderError};
use crate::paced::{Claimed, PacedChange, Pacer, Sent};
use crate::pacing::Wish;
use crate::preset::Status;
use crate::preview::check_text;
use crate::providers::{Provider, Target};

/// What happened on one account.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub account: AccountLabel,
    pub result: Result<Vec<String>, ProviderError>,
    /// Accepted but waiting for the service's next allowed moment (Zoom: one a minute).
    pub pending_until: Option<DateTime<Utc>>,
    /// The wish left waiting in the shared book, to find or withdraw exactly it later.
    pub queued: Option<Wish>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    pub fn failed(account: AccountLabel, cause: ProviderError) -> Self {
        Outcome {
            account,
            result: Err(cause),
            pending_until: None,
            queued: None,
        }
    }
}

/// One account's share of the work: the provider and the status meant for it.
pub(crate) struct Job {
    pub provider: Arc<dyn Provider>,
    pub status: Status,
    /// The turn was taken already (a waiting wish whose moment came).
    pub claimed: Option<Claimed>,
    /// The change's number (`session/order.rs`), kept with it if it must wait its turn.
    pub number: u64,
}

/// Runs one job: a rate limit that lifts before the deadline is waited out once. The
/// caller runs many at once (`Context::fan_out`).
pub(crate) async fn run(
    job: Job,
    target: &Target,
    timeout: Duration,
    pacer: &Pacer<'_>,
) -> Outcome {
    let account = job.provider.label().clone();
    let (result, queued) = match apply_one(job, target, timeout, pacer).await {
        Ok(sent) => (Ok(sent.notes), sent.queued),
        Err(e) => (Err(e), None),
    };
    Outcome {
        account,
        result,
        pending_until: queued.as_ref().map(|w| w.not_before),
        queued,
    }
}

async fn apply_one(
    job: Job,
    target: &Target,
    timeout: Duration,
    pacer: &Pacer<'_>,
) -> Result<Sent, ProviderError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let caps = by_deadline(deadline, timeout, job.provider.capabilities()).await?;
    check_text(&job.status, &caps)?;
    match caps.min_update_interval_seconds {
        Some(interval) => {
            let interval = Duration::from_secs(interval.into());
            let send = || {
                by_deadline(
                    deadline,
                    timeout,
                    job.provider.set_status(&job.status, target),
                )
            };
            pacer
                .send(
                    job.provider.label(),
                    &job.provider.paced_target(target),
                    PacedChange {
                        status: &job.status,
                        claimed: job.claimed,
                        number: job.number,
                    },
                    interval,
                    send,
                )
                .await
        }
        None => {
            let send = || {
                by_deadline(
                    deadline,
                    timeout,
                    job.provider.set_status(&job.status, target),
                )
            };
            crate::http::retry_once_after_rate_limit(deadline, send)
                .await
                .map(Sent::now)
        }
    }
}

async fn by_deadline<T>(
    deadline: tokio::time::Instant,
    timeout: Duration,
    call: impl std::future::Future<Output = Result<T, ProviderError>>,
) -> Result<T, ProviderError> {
    tokio::time::timeout_at(deadline, call)
        .await
        .unwrap_or(Err(ProviderError::Timeout {
            seconds: timeout.as_secs().max(1),
        }))
}

/// A summary fit for a desktop notification: "Lunch set on 3 of 3 accounts".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Summary {
    pub title: String,
    pub body: String,
    pub all_succeeded: bool,
}

pub fn summarize(what: &str, verb: &str, outcomes: &[Outcome]) -> Summary {
    let total = outcomes.len();
    let ok = outcomes.iter().filter(|o| o.succeeded()).count();
    let accounts = if total == 1 { "account" } else { "accounts" };
    let pending = outcomes
        .iter()
        .filter(|o| o.pending_until.is_some())
        .count();
    let mut title = if total == 0 {
        format!("{what} {verb} on no account")
    } else {
        format!("{what} {verb} on {ok} of {total} {accounts}")
    };
    if pending > 0 {
        title.push_str(&format!(" ({pending} pending)"));
    }
    let body = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Err(e) => Some(format!("{}: {e}", o.account)),
            Ok(notes) if !notes.is_empty() => Some(format!("{}: {}", o.account, notes.join("; "))),
            Ok(_) => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    Summary {
        title,
        body,
        all_succeeded: ok == total,
    }
}
