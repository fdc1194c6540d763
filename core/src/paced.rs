//! The one owner of "one change a minute" (Zoom): claims a turn in the shared book
//! ([`crate::pacing`]), sends, and records the turn as used or gives it back. A change that
//! must wait is queued as the account's newest wish, or refused with when it could go.
//! Dispatch stays plain fan-out: it hands paced accounts' sends to [`Pacer::send`].

use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::clock::Clock;
use crate::error::{local_time_precise, AccountLabel, ProviderError};
use crate::pacing::{Pacing, Turn, Wish};
use crate::preset::Status;
use crate::providers::Target;

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
pub(crate) struct Pacer<'a> {
    pub pacing: &'a Pacing,
    pub clock: &'a dyn Clock,
    pub when_paced: WhenPaced,
    /// Who a change left waiting belongs to (`waiter.rs`): this process if it waits
    /// itself, else nobody (the tray app sends it).
    pub owner: Option<&'a str>,
}

/// Notes, and the wish left waiting when the change must wait for its turn.
pub(crate) struct Sent {
    pub notes: Vec<String>,
    pub queued: Option<Wish>,
}

impl Sent {
    pub(crate) fn now(notes: Vec<String>) -> Self {
        Sent {
            notes,
            queued: None,
        }
    }
}

fn local(e: crate::Error) -> ProviderError {
    ProviderError::Local(e.to_string())
}

/// One change to a paced account: its status, a turn taken already (a waiting wish whose
/// moment came), and its number (`session/order.rs`), kept with it if it must wait.
pub(crate) struct PacedChange<'a> {
    pub status: &'a Status,
    pub claimed: Option<Claimed>,
    pub number: u64,
}

impl Pacer<'_> {
    /// Sends `change` to `target` (already the paced slot's name) at most once per
    /// `interval`, across processes.
    pub(crate) async fn send<F, Fut>(
        &self,
        account: &AccountLabel,
        target: &Target,
        change: PacedChange<'_>,
        interval: Duration,
        send: F,
    ) -> Result<Sent, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<String>, ProviderError>>,
    {
        let PacedChange {
            status,
            claimed,
            number,
        } = change;
        let id = &account.id;
        let claimed = match claimed {
            Some(claimed) => claimed,
            None => {
                let now = self.clock.now();
                match self
                    .pacing
                    .claim(id, target, interval, now)
                    .map_err(local)?
                {
                    Turn::Later { at, because } => {
                        let change = PacedChange {
                            status,
                            claimed: None,
                            number,
                        };
                        return self.wait_for_turn(account, target, change, at, because, interval);
                    }
                    Turn::Now { previous } => Claimed { at: now, previous },
                }
            }
        };
        match send().await {
            Ok(notes) => {
                self.pacing
                    .sent(id, target, claimed.at, self.clock.now())
                    .map_err(local)?;
                Ok(Sent::now(notes))
            }
            // The service counted a change we did not make (another app, the user's own
            // client): wait a whole interval from now.
            Err(ProviderError::RateLimited { retry_at }) => {
                let whole = chrono::Duration::from_std(interval).unwrap_or_default();
                let at = retry_at.max(self.clock.now() + whole);
                let change = PacedChange {
                    status,
                    claimed: None,
                    number,
                };
                self.wait_for_turn(account, target, change, at, None, interval)
            }
            // It may have reached the service (no answer, or one Presently cannot read):
            // the turn stays used.
            Err(e) if e.may_have_landed() => Err(e),
            Err(e) => {
                self.pacing
                    .release(id, target, claimed.at, claimed.previous)
                    .map_err(local)?;
                Err(e)
            }
        }
    }

    /// Queues or refuses a change that may not go out before `at`.
    fn wait_for_turn(
        &self,
        account: &AccountLabel,
        target: &Target,
        change: PacedChange<'_>,
        at: DateTime<Utc>,
        because: Option<String>,
        interval: Duration,
    ) -> Result<Sent, ProviderError> {
        let PacedChange { status, number, .. } = change;
        match self.when_paced {
            WhenPaced::Refuse => Err(ProviderError::Paced { at, because }),
            WhenPaced::Queue => {
                let mut wish = Wish::new(&account.id, target, status, self.clock.now(), at);
                wish.interval_seconds = interval.as_secs();
                wish.number = number;
                wish.owner = self.owner.map(str::to_owned);
                self.pacing.defer(wish.clone()).map_err(local)?;
                let mut notes = vec![format!(
                    "pending: {} takes one change a minute, so this goes out at {}",
                    account.service.display_name(),
                    local_time_precise(&at)
                )];
                notes.extend(because);
                Ok(Sent {
                    notes,
                    queued: Some(wish),
                })
            }
        }
    }
}
