//! Applies one status to many accounts at once: concurrently, each with its own deadline,
//! one result per account, and one sentence that sums it up.

use chrono::Utc;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{AccountLabel, ProviderError};
use crate::preset::Status;
use crate::preview::check_text;
use crate::providers::{Provider, Target};

/// What happened on one account.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub account: AccountLabel,
    pub result: Result<Vec<String>, ProviderError>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.result.is_ok()
    }
}

/// One account's share of the work: the provider and the status meant for it.
pub struct Job {
    pub provider: Arc<dyn Provider>,
    pub status: Status,
}

/// Runs every job at once. A rate limit that lifts before the deadline is waited out once.
pub async fn apply(jobs: Vec<Job>, target: &Target, timeout: Duration) -> Vec<Outcome> {
    let runs = jobs.into_iter().map(|job| async move {
        let account = job.provider.label().clone();
        let result = apply_one(job, target, timeout).await;
        Outcome { account, result }
    });
    futures::future::join_all(runs).await
}

async fn apply_one(
    job: Job,
    target: &Target,
    timeout: Duration,
) -> Result<Vec<String>, ProviderError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let attempt = || async {
        let caps = job.provider.capabilities().await?;
        check_text(&job.status, &caps)?;
        job.provider.set_status(&job.status, target).await
    };
    let within_deadline = |fut| async move {
        tokio::time::timeout_at(deadline, fut)
            .await
            .unwrap_or(Err(ProviderError::Timeout {
                seconds: timeout.as_secs().max(1),
            }))
    };
    match within_deadline(attempt()).await {
        Err(ProviderError::RateLimited { retry_at }) => {
            let wait = (retry_at - Utc::now()).to_std().unwrap_or_default();
            if tokio::time::Instant::now() + wait >= deadline {
                return Err(ProviderError::RateLimited { retry_at });
            }
            tokio::time::sleep(wait).await;
            within_deadline(attempt()).await
        }
        other => other,
    }
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
    let title = if total == 0 {
        format!("{what} {verb} on no account")
    } else {
        format!("{what} {verb} on {ok} of {total} {accounts}")
    };
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
