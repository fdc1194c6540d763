//! Changes to one account happen in the order they were asked for, across every Presently
//! process (the tray app, several CLI runs): the newest wanted wins, on the server and in
//! `state.json`.
//!
//! - Each change is numbered when asked for ([`State::issue`], under the state file's lock).
//! - Sending to an account and recording what was sent happen under that account's own
//!   lock file (`locks/account-<id>.lock`), so two processes never interleave them; the
//!   OS releases the lock when its holder dies.
//! - Under the lock, a change older than the newest one already sent is not sent at all
//!   ("replaced"), so a response that arrives late never overwrites a newer record.
//! - An ending (an expiry, a waiting change whose turn came) goes out only while the
//!   account still holds the very change it ends or sends; otherwise it is dropped.
//! - A change being sent is written down first (`State::in_flight`). If its process dies
//!   before the answer, the next process to take the account's lock (or to look, see
//!   [`Context::recover_cut_off`]) finds it: the server may or may not hold that change,
//!   so Presently stops claiming the account's status (`State::cut_off`) rather than show
//!   or later end a guess.

use std::collections::BTreeMap;
use std::future::Future;

use super::context::Context;
use crate::dispatch::Outcome;
use crate::error::{AccountLabel, ProviderError, Result};
use crate::state_file::State;

/// What lets a change go out on an account.
#[derive(Debug, Clone)]
pub(crate) enum Order {
    /// A change asked for now, with its number: goes out unless a newer one went out.
    Want(u64),
    /// Goes out only on accounts still holding the change with this number (an ending, or
    /// a waiting change sent at its turn); an account not listed is left alone.
    Still(BTreeMap<String, u64>),
}

impl Order {
    /// The number of the change this lets out on `id`.
    fn number(&self, id: &str) -> u64 {
        match self {
            Order::Want(number) => *number,
            Order::Still(numbers) => numbers.get(id).copied().unwrap_or(0),
        }
    }

    fn allows(&self, id: &str, newest: u64) -> bool {
        match self {
            Order::Want(number) => *number >= newest,
            Order::Still(numbers) => numbers.get(id) == Some(&newest),
        }
    }
}

/// What is said for a change that did not go out because a newer one had (not a failure).
pub(crate) const REPLACED: &str = "not sent: a newer change to this account went out first";

impl Context {
    /// Numbers a change asked for now.
    pub(crate) fn want(&self) -> Result<Order> {
        Ok(Order::Want(self.state_file.update(State::issue)?))
    }

    /// Runs `send` for `account` under the account's lock if `order` allows it, and
    /// records a success with `record` in the same turn. A change not allowed is not sent
    /// and says so.
    pub(crate) async fn in_order(
        &self,
        account: &AccountLabel,
        order: &Order,
        send: impl Future<Output = Outcome>,
        record: impl Fn(&mut State, &Outcome),
    ) -> Outcome {
        let mut outcomes = self
            .all_in_order(order, vec![(account.clone(), send)], record)
            .await;
        outcomes.pop().unwrap_or_else(|| {
            Outcome::failed(
                account.clone(),
                ProviderError::Local("nothing was run".into()),
            )
        })
    }

    /// [`Context::in_order`] for one change to many accounts: their locks are taken in one
    /// order (by id, so two processes never wait on each other crosswise), what may go out
    /// is decided and written down in one write of `state.json`, the sends run at once, and
    /// every answer is recorded in one more write. Outcomes come back in the order given.
    pub(crate) async fn all_in_order<F: Future<Output = Outcome>>(
        &self,
        order: &Order,
        sends: Vec<(AccountLabel, F)>,
        record: impl Fn(&mut State, &Outcome),
    ) -> Vec<Outcome> {
        let local = |account: &AccountLabel, e: &crate::Error| {
            Outcome::failed(account.clone(), ProviderError::Local(e.to_string()))
        };
        let mut ids: Vec<String> = sends.iter().map(|(a, _)| a.id.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut turns = Vec::with_capacity(ids.len());
        for id in &ids {
            match self.account_lock(id).await {
                Ok(lock) => turns.push(lock),
                Err(e) => return sends.iter().map(|(a, _)| local(a, &e)).collect(),
            }
        }
        // Under the locks: a change still marked as being sent was cut off mid-way.
        let allowed = self.state_file.update(|state| {
            ids.iter()
                .filter(|id| {
                    state.cut_off(id);
                    let allowed = order.allows(id, state.newest(id));
                    if allowed {
                        state.in_flight.insert((*id).clone(), order.number(id));
                    }
                    allowed
                })
                .cloned()
                .collect::<std::collections::HashSet<String>>()
        });
        let allowed = match allowed {
            Ok(allowed) => allowed,
            Err(e) => return sends.iter().map(|(a, _)| local(a, &e)).collect(),
        };
        let runs = sends.into_iter().map(|(account, send)| {
            let go = allowed.contains(&account.id);
            async move {
                if go {
                    send.await
                } else {
                    Outcome {
                        account,
                        result: Ok(vec![REPLACED.to_owned()]),
                        pending_until: None,
                        queued: None,
                    }
                }
            }
        });
        let outcomes = futures::future::join_all(runs).await;
        let recorded = self.state_file.update(|state| {
            for outcome in outcomes.iter().filter(|o| allowed.contains(&o.account.id)) {
                let id = &outcome.account.id;
                state.in_flight.remove(id);
                match &outcome.result {
                    Ok(_) => {
                        if let Order::Want(number) = order {
                            state.applied.insert(id.clone(), *number);
                        }
                        record(state, outcome);
                    }
                    Err(e) if e.may_have_landed() => state.unsure(id, order.number(id)),
                    Err(_) => {}
                }
            }
        });
        drop(turns);
        match recorded {
            Ok(()) => outcomes,
            Err(e) => outcomes.iter().map(|o| local(&o.account, &e)).collect(),
        }
    }

    /// Finds changes cut off mid-way (marked as being sent, their account's lock free: the
    /// process that sent them is gone) and stops claiming those accounts' statuses.
    pub(crate) fn recover_cut_off(&self) -> Result<()> {
        let sending: Vec<String> = self.state_file.load()?.in_flight.into_keys().collect();
        for id in sending {
            let dir = self.dir.join("locks");
            if let Some(_free) = crate::file_lock::try_exclusive(&dir, &lock_name(&id))? {
                self.state_file.update(|state| state.cut_off(&id))?;
            }
        }
        Ok(())
    }

    /// Waits for the account's lock file (held across processes; released when dropped,
    /// or by the OS when its holder dies).
    async fn account_lock(&self, id: &str) -> Result<std::fs::File> {
        let dir = self.dir.join("locks");
        let name = lock_name(id);
        tokio::task::spawn_blocking(move || crate::file_lock::exclusive(&dir, &name))
            .await
            .map_err(|e| crate::Error::invalid(format!("waiting for an account's turn: {e}")))?
    }
}

fn lock_name(id: &str) -> String {
    format!("account-{}.lock", file_safe(id))
}

/// An account id as part of a file name: letters, digits, `-` and `_` as they are, anything
/// else (`.` included) as its code, so no id can step out of the directory.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_string()
            } else {
                format!("%{:x}", u32::from(c))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_want_goes_out_unless_a_newer_one_did() {
        assert!(Order::Want(3).allows("a", 0));
        assert!(Order::Want(3).allows("a", 3));
        assert!(!Order::Want(3).allows("a", 4));
    }

    #[test]
    fn an_ending_goes_out_only_while_the_account_holds_what_it_ends() {
        let ending = Order::Still(BTreeMap::from([("a".to_owned(), 5)]));
        assert!(ending.allows("a", 5));
        assert!(!ending.allows("a", 6));
        assert!(!ending.allows("b", 5));
    }

    #[test]
    fn ids_cannot_leave_the_lock_directory() {
        assert_eq!(file_safe("work-1_a"), "work-1_a");
        assert_eq!(file_safe("../x"), "%2e%2e%2fx");
    }
}
