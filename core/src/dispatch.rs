//! Applies one status to many accounts at once: concurrently, each with its own deadline,
//! one result per account, and one sentence that sums it up.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::error::{local_time_precise, AccountLabel, ProviderError};
use crate::pacing::{Pacing, Turn, Wish};
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
pub struct Job {
    pub provider: Arc<dyn Provider>,
    pub status: Status,
    /// The turn was taken already (a waiting wish whose moment came).
    pub claimed: Option<Claimed>,
}

/// A turn taken in the shared book at `at`; `previous` gives it back if the send fails.
#[derive(Debug, Clone, Copy)]
pub struct Claimed {
    pub at: DateTime<Utc>,
    pub previous: Option<DateTime<Utc>>,
}

/// What to do with a change that must wait for its turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WhenPaced {
    /// Keep it as the account's newest wish; something will send it at its turn.
    #[default]
    Queue,
    /// Refuse it, naming when it could be sent.
    Refuse,
}

/// The shared book of turns, and what to do when a change must wait.
pub struct Pacer<'a> {
    pub pacing: &'a Pacing,
    pub clock: &'a dyn Clock,
    pub when_paced: WhenPaced,
}

impl Pacer<'_> {
    fn local(e: crate::Error) -> ProviderError {
        ProviderError::Local(e.to_string())
    }

    /// Queues or refuses a change that may not go out before `at`.
    fn wait_for_turn(
        &self,
        account: &AccountLabel,
        target: &Target,
        status: &Status,
        at: DateTime<Utc>,
        interval: Duration,
    ) -> Result<Sent, ProviderError> {
        match self.when_paced {
            WhenPaced::Refuse => Err(ProviderError::Paced { at }),
            WhenPaced::Queue => {
                let mut wish = Wish::new(&account.id, target, status, self.clock.now(), at);
                wish.interval_seconds = interval.as_secs();
                self.pacing.defer(wish.clone()).map_err(Self::local)?;
                Ok(Sent {
                    notes: vec![format!(
                        "pending: {} takes one change a minute, so this goes out at {}",
                        account.service.display_name(),
                        local_time_precise(&at)
                    )],
                    queued: Some(wish),
                })
            }
        }
    }
}

/// Notes, and the wish left waiting when the change must wait for its turn.
struct Sent {
    notes: Vec<String>,
    queued: Option<Wish>,
}

impl Sent {
    fn now(notes: Vec<String>) -> Self {
        Sent {
            notes,
            queued: None,
        }
    }
}

/// Runs every job at once. A rate limit that lifts before the deadline is waited out once.
pub async fn apply(
    jobs: Vec<Job>,
    target: &Target,
    timeout: Duration,
    pacer: &Pacer<'_>,
) -> Vec<Outcome> {
    let runs = jobs.into_iter().map(|job| async move {
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
    });
    futures::future::join_all(runs).await
}

async fn apply_one(
    job: Job,
    target: &Target,
    timeout: Duration,
    pacer: &Pacer<'_>,
) -> Result<Sent, ProviderError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let caps = by_deadline(deadline, timeout, job.provider.capabilities()).await?;
    let within_deadline = |fut| by_deadline(deadline, timeout, fut);
    check_text(&job.status, &caps)?;
    let send = || job.provider.set_status(&job.status, target);
    let Some(interval) = caps.min_update_interval_seconds else {
        return match within_deadline(send()).await {
            Err(ProviderError::RateLimited { retry_at }) => {
                let wait = (retry_at - Utc::now()).to_std().unwrap_or_default();
                if tokio::time::Instant::now() + wait >= deadline {
                    return Err(ProviderError::RateLimited { retry_at });
                }
                tokio::time::sleep(wait).await;
                within_deadline(send()).await.map(Sent::now)
            }
            other => other.map(Sent::now),
        };
    };
    // Paced services: never a second change inside the interval, in any process.
    let label = job.provider.label().clone();
    let account = label.id.clone();
    let target = &job.provider.paced_target(target);
    let interval = Duration::from_secs(interval.into());
    let claimed = match job.claimed {
        Some(claimed) => claimed,
        None => {
            let now = pacer.clock.now();
            match pacer
                .pacing
                .claim(&account, target, interval, now)
                .map_err(Pacer::local)?
            {
                Turn::Later { at } => {
                    return pacer.wait_for_turn(&label, target, &job.status, at, interval);
                }
                Turn::Now { previous } => Claimed { at: now, previous },
            }
        }
    };
    match within_deadline(send()).await {
        Ok(notes) => {
            pacer
                .pacing
                .sent(&account, target, claimed.at, pacer.clock.now())
                .map_err(Pacer::local)?;
            Ok(Sent::now(notes))
        }
        // The service counted a change we did not make (another app, the user's own
        // client): wait a whole interval from now.
        Err(ProviderError::RateLimited { retry_at }) => {
            let whole = chrono::Duration::from_std(interval).unwrap_or_default();
            let at = retry_at.max(pacer.clock.now() + whole);
            pacer.wait_for_turn(&label, target, &job.status, at, interval)
        }
        // It may have reached the service: the turn stays used.
        Err(e @ ProviderError::Timeout { .. }) => Err(e),
        Err(e) => {
            pacer
                .pacing
                .release(&account, target, claimed.at, claimed.previous)
                .map_err(Pacer::local)?;
            Err(e)
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
