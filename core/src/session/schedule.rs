//! The one place that answers "what is due next": statuses that run out (kept in
//! `state.json`) and changes waiting for their turn on paced services (`pacing.json`).
//! The tray app sleeps until [`Context::next_due`] and then calls [`Context::run_due`];
//! the CLI sends its own waiting change with [`Context::send_due`].

use chrono::{DateTime, Utc};
use std::sync::PoisonError;

use super::context::Context;
use super::order::Order;
use super::{Report, Request};
use crate::dispatch::{self, summarize, Job, Outcome};
use crate::error::{AccountLabel, ProviderError, Result};
use crate::paced::Claimed;
use crate::pacing::{Wish, WishTurn};
use crate::preset::Status;
use crate::providers::{ShownStatus, Target};

/// After an expiry that failed, or could reach no account, wait this long before the
/// failed accounts are tried again.
pub(crate) const RETRY_AFTER_FAILURE: chrono::Duration = chrono::Duration::seconds(60);

impl Context {
    /// Changes waiting for their turn on paced services, soonest first. Those whose owner
    /// is gone are dropped first (`waiter.rs`).
    pub(crate) fn pending(&self) -> Result<Vec<Wish>> {
        let mut wishes = self.pacing.pending()?;
        let mut orphans = Vec::new();
        wishes.retain(|wish| {
            let orphan = self.is_orphan(wish);
            if orphan {
                orphans.push(wish.clone());
            }
            !orphan
        });
        for orphan in &orphans {
            tracing::info!(
                "{}: a waiting change whose process is gone is dropped",
                orphan.account
            );
            self.withdraw(orphan)?;
        }
        Ok(wishes)
    }

    /// Whether `wish` belongs to a process that is gone (never this one's own).
    fn is_orphan(&self, wish: &Wish) -> bool {
        let ours = self.waiter.as_ref().map(crate::waiter::Waiter::name);
        match &wish.owner {
            Some(owner) if Some(owner.as_str()) != ours => crate::waiter::is_gone(&self.dir, owner),
            _ => false,
        }
    }

    /// The next moment something is due: a status that runs out (unless a failed expiry
    /// is waiting to be retried) or a waiting change's turn.
    pub(crate) fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let expiry = match self.expiry_retry_at() {
            Some(retry_at) => self
                .state_file
                .load()?
                .next_expiry()
                .map(|at| at.max(retry_at)),
            None => self.state_file.load()?.next_expiry(),
        };
        Ok(expiry.into_iter().chain(self.pacing.next_due()?).min())
    }

    fn expiry_retry_at(&self) -> Option<DateTime<Utc>> {
        *self
            .expiry_retry_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn set_expiry_retry_at(&self, at: Option<DateTime<Utc>>) {
        *self
            .expiry_retry_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// A new status was set: a failed expiry's wait no longer applies.
    pub(crate) fn status_changed(&self) {
        self.set_expiry_retry_at(None);
    }

    /// Does whatever is due now: sends waiting changes whose turn came, then ends statuses
    /// that ran out. One report per change made. A failure of one never stops the other.
    pub(crate) async fn run_due(&self) -> Result<Vec<Report>> {
        // The CLI may have added or removed an account meanwhile.
        let reloaded = self.reload_if_changed();
        let sent = self.send_due().await;
        let ended = self.end_due().await;
        reloaded?;
        let mut reports: Vec<Report> = sent?.into_iter().map(|(_, report)| report).collect();
        reports.extend(ended?);
        Ok(reports)
    }

    /// Ends what ran out, unless a failed attempt waits to be retried.
    async fn end_due(&self) -> Result<Option<Report>> {
        let now = self.clock.now();
        if self.expiry_retry_at().is_some_and(|at| now < at) {
            return Ok(None);
        }
        let retry_later = Some(now + RETRY_AFTER_FAILURE);
        match self.expire_if_due().await {
            // Nothing could be done (e.g. only accounts that need a new sign-in).
            Ok(Some(report)) if report.outcomes.is_empty() && report.left_alone.is_empty() => {
                self.set_expiry_retry_at(retry_later);
                Ok(None)
            }
            Ok(Some(report)) => {
                self.set_expiry_retry_at(if report.all_succeeded() {
                    None
                } else {
                    retry_later
                });
                Ok(Some(report))
            }
            Ok(None) => {
                self.set_expiry_retry_at(None);
                Ok(None)
            }
            Err(e) => {
                self.set_expiry_retry_at(retry_later);
                Err(e)
            }
        }
    }

    /// Gives up a change that waited for its turn: it will not be sent, and Presently no
    /// longer counts it as the status in effect on that account (it was recorded as set
    /// when it was queued).
    pub(crate) fn withdraw(&self, wish: &Wish) -> Result<()> {
        let removed = self
            .pacing
            .withdraw(&wish.account, &wish.target(), wish.wanted_at)?;
        // Not removed: another process took its turn; what it records stands.
        if removed && wish.user.is_none() {
            // Unless a newer change to the account was recorded since.
            self.state_file.update(|state| {
                if state.newest(&wish.account) == wish.number {
                    state.dropped(&wish.account);
                }
            })?;
        }
        Ok(())
    }

    /// Sends the waiting changes whose turn has come, each with its report. A wish another
    /// process took, or a newer wish replaced, is left alone.
    pub(crate) async fn send_due(&self) -> Result<Vec<(Wish, Report)>> {
        let _one_at_a_time = self.changing.lock().await;
        let config = self.config();
        let mut sent = Vec::new();
        let now = self.clock.now();
        let due: Vec<Wish> = self
            .pending()?
            .into_iter()
            .filter(|w| w.not_before <= now)
            .collect();
        for wish in due {
            let Some(account) = config.account(&wish.account) else {
                self.pacing.forget_account(&wish.account)?;
                continue;
            };
            let status = match wish.status.to_status() {
                Ok(status) => status,
                Err(e) => {
                    // A change that can no longer be read (an emoji this version refuses)
                    // is given up, so it does not block the ones behind it.
                    tracing::warn!("{}: waiting change given up: {e}", account.label());
                    self.withdraw(&wish)?;
                    continue;
                }
            };
            let provider = match self.provider(account) {
                // Nothing can be sent until the user signs in again; the account says so.
                Ok(provider) if provider.sign_in_needed() => {
                    self.withdraw(&wish)?;
                    continue;
                }
                other => other,
            };
            // A newer change to the account went out (or waits) since: this one never will.
            if wish.user.is_none() && self.state_file.load()?.newest(&wish.account) != wish.number {
                self.pacing
                    .withdraw(&wish.account, &wish.target(), wish.wanted_at)?;
                continue;
            }
            let now = self.clock.now();
            let previous = match self.pacing.take_turn(&wish, now)? {
                WishTurn::Go { previous } => previous,
                WishTurn::Later { .. } | WishTurn::Gone => continue,
            };
            let outcomes = match provider {
                Ok(provider) => {
                    let job = Job {
                        provider,
                        status,
                        claimed: Some(Claimed { at: now, previous }),
                        number: wish.number,
                    };
                    let target = wish.target();
                    let (timeout, pacer) = (self.timeout(), self.pacer());
                    let send = dispatch::run(job, &target, timeout, &pacer);
                    let outcome = if wish.user.is_none() {
                        let still = Order::Still([(wish.account.clone(), wish.number)].into());
                        let id = wish.account.clone();
                        let outcome = self
                            .in_order(&account.label(), &still, send, |state, _| {
                                state.sent_at_turn(&id)
                            })
                            .await;
                        match &outcome.result {
                            // Not sent after all: the turn is given back.
                            Ok(notes) if notes.iter().any(|n| n == super::order::REPLACED) => {
                                self.pacing.release(&id, &target, now, previous)?;
                            }
                            // Refused for good: it never goes out, so what the account held
                            // comes back.
                            Err(e) if !e.may_have_landed() => {
                                self.state_file.update(|state| {
                                    if state.newest(&id) == wish.number {
                                        state.dropped(&id);
                                    }
                                })?;
                            }
                            _ => {}
                        }
                        outcome
                    } else {
                        send.await
                    };
                    vec![outcome]
                }
                Err(cause) => vec![Outcome::failed(account.label(), cause)],
            };
            self.forget_failed(&outcomes);
            self.note_outcomes(&outcomes);
            let (label, verb) = if wish.status.label == Status::cleared().label {
                ("Status".to_owned(), "cleared")
            } else {
                (wish.status.label.clone(), "set")
            };
            let summary = summarize(&label, verb, &outcomes);
            let report = Report {
                label,
                verb: verb.to_owned(),
                outcomes,
                skipped: Vec::new(),
                needs_sign_in: Vec::new(),
                left_alone: Vec::new(),
                summary,
                change: None,
            };
            sent.push((wish, report));
        }
        Ok(sent)
    }

    /// Ends the statuses whose time has come: restores the user's default preset on those
    /// accounts, or clears them. Accounts that fail stay due and are tried again.
    pub(crate) async fn expire_if_due(&self) -> Result<Option<Report>> {
        let _one_at_a_time = self.changing.lock().await;
        let config = self.config();
        let now = self.clock.now();
        let due = self.state_file.update(|state| {
            let (due, removed): (Vec<String>, Vec<String>) = state
                .due(now)
                .into_iter()
                .partition(|id| config.account(id).is_some());
            state.forget(&removed);
            due
        })?;
        // An empty list would mean every account, including ones Presently never set.
        if due.is_empty() {
            return Ok(None);
        }
        let state = self.state_file.load()?;
        // What each account holds now: the ending goes out only where that is still so
        // (a change made meanwhile, by any Presently process, is never ended).
        let holds: std::collections::BTreeMap<String, u64> = due
            .iter()
            .map(|id| (id.clone(), state.newest(id)))
            .collect();
        let order = Order::Still(holds.clone());
        // A status someone changed elsewhere since (by hand, in the service's own app) is
        // theirs now: it is left as it is, and said once.
        let (due, left_alone, unread) = self.still_ours(&config, &state, due).await;
        if !left_alone.is_empty() {
            self.state_file.update(|state| {
                for label in &left_alone {
                    if holds.get(&label.id) == Some(&state.newest(&label.id)) {
                        state.forget(std::slice::from_ref(&label.id));
                    }
                }
            })?;
        }
        for label in &left_alone {
            tracing::info!("{label}: its status ran out but was changed elsewhere; left as is");
        }
        if due.is_empty() && unread.is_empty() && left_alone.is_empty() {
            return Ok(None);
        }
        // What each account goes back to: a chosen preset; or what it showed before (read
        // from its server, else the lasting preset Presently had set); or nothing (cleared).
        // Accounts going to the same preset go together.
        let mut plan: Vec<(Option<String>, Vec<String>)> = Vec::new();
        let mut put_back: Vec<(String, Status)> = Vec::new();
        for id in due {
            let target = if let Some(preset) = &config.settings.restore_preset {
                Some(preset.clone())
            } else if config.settings.restore_previous {
                let before = state
                    .accounts
                    .get(&id)
                    .and_then(|e| e.before.as_ref())
                    .and_then(|before| before.to_status().ok());
                if let Some(before) = before {
                    put_back.push((id, before));
                    continue;
                }
                state.previous(&id).filter(|p| config.preset(p).is_some())
            } else {
                None
            };
            match plan.iter_mut().find(|(to, _)| *to == target) {
                Some((_, ids)) => ids.push(id),
                None => plan.push((target, vec![id])),
            }
        }
        let mut parts = Vec::new();
        if !put_back.is_empty() {
            parts.push(self.put_back(put_back, &order).await?);
        }
        for (target, accounts) in plan {
            parts.push(self.end_on(target, accounts, &order).await?);
        }
        let mut report: Option<Report> = None;
        for part in parts {
            report = Some(match report {
                None => part,
                Some(mut all) => {
                    all.label = format!("{} / {}", all.label, part.label);
                    all.outcomes.extend(part.outcomes);
                    all.needs_sign_in.extend(part.needs_sign_in);
                    all.summary = summarize(&all.label, "set", &all.outcomes);
                    all
                }
            });
        }
        let mut report = report.unwrap_or_else(|| Report {
            label: "Status".into(),
            verb: "cleared".into(),
            outcomes: Vec::new(),
            skipped: Vec::new(),
            needs_sign_in: Vec::new(),
            left_alone: Vec::new(),
            summary: summarize("Status", "cleared", &[]),
            change: None,
        });
        // An account that could not be read stays due, to be tried again.
        report.outcomes.extend(unread);
        report.summary = summarize(&report.label, &report.verb, &report.outcomes);
        if !left_alone.is_empty() {
            let lines: Vec<String> = left_alone
                .iter()
                .map(|l| format!("{l}: changed elsewhere, left as is"))
                .collect();
            if report.outcomes.is_empty() {
                report.summary.title = lines.join("; ");
                report.summary.all_succeeded = true;
            } else {
                report.summary.body = [report.summary.body.clone(), lines.join("\n")]
                    .into_iter()
                    .filter(|b| !b.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            report.left_alone = left_alone;
        }
        // An account whose sign-in ended cannot be changed; keeping it due would retry it
        // forever. The tray shows "Sign in again" for it instead.
        if !report.needs_sign_in.is_empty() {
            let ids: Vec<String> = report.needs_sign_in.iter().map(|l| l.id.clone()).collect();
            self.state_file.update(|state| state.forget(&ids))?;
        }
        Ok(Some(report))
    }

    /// Splits accounts whose status ran out into those that still show what Presently sent
    /// (read back from each server, all at once), those changed elsewhere since, and
    /// failures to read (which stay due). Where a server cannot say (an old Zulip), or
    /// nothing was kept of what was sent, the status is taken to be Presently's.
    async fn still_ours(
        &self,
        config: &crate::config::Config,
        state: &crate::state_file::State,
        due: Vec<String>,
    ) -> (Vec<String>, Vec<AccountLabel>, Vec<Outcome>) {
        let now = self.clock.now();
        let checks = due.into_iter().map(|id| async move {
            let sent = state
                .accounts
                .get(&id)
                .and_then(|e| e.sent.as_ref())
                .and_then(|sent| sent.to_status().ok());
            let (Some(account), Some(sent)) = (config.account(&id), sent) else {
                return (id, Ok(true));
            };
            let provider = match self.provider(account) {
                // Reported once as "sign in again" by the ending itself, not read each minute.
                Ok(provider) if provider.sign_in_needed() => return (id, Ok(true)),
                Ok(provider) => provider,
                Err(e) => return (id, Err(Outcome::failed(account.label(), e))),
            };
            let shown = match self
                .within_deadline(provider.read_status(&Target::Me))
                .await
            {
                Ok(shown) => shown,
                Err(ProviderError::Unsupported(_)) => return (id, Ok(true)),
                Err(e) => return (id, Err(Outcome::failed(account.label(), e))),
            };
            match self
                .shows_what_was_sent(provider.as_ref(), &sent, &shown, now)
                .await
            {
                Ok(ours) => (id, Ok(ours)),
                Err(e) => (id, Err(Outcome::failed(account.label(), e))),
            }
        });
        let mut ours = Vec::new();
        let mut changed = Vec::new();
        let mut unread = Vec::new();
        for (id, result) in futures::future::join_all(checks).await {
            match result {
                Ok(true) => ours.push(id),
                Ok(false) => changed.extend(config.account(&id).map(|a| a.label())),
                Err(outcome) => unread.push(outcome),
            }
        }
        (ours, changed, unread)
    }

    /// Puts back on each account what it showed before its timed status. That is the
    /// user's own status again: Presently forgets it and never ends it.
    async fn put_back(&self, statuses: Vec<(String, Status)>, order: &Order) -> Result<Report> {
        let config = self.config();
        let statuses = statuses
            .into_iter()
            .filter_map(|(id, status)| Some((config.account(&id)?, Some(status))))
            .collect();
        let forget = |state: &mut crate::state_file::State, outcome: &Outcome| {
            state.forget(std::slice::from_ref(&outcome.account.id));
        };
        Ok(self
            .fan_out(
                "What was there before",
                "set",
                statuses,
                &Target::Me,
                Some(order),
                &forget,
            )
            .await)
    }

    /// Whether `shown` (read back from the account) is still what Presently sent there, as
    /// the preview said it would look; also when the service ended it by itself on time
    /// (Rocket.Chat's `expiresAt`, Zoom's timed do-not-disturb) and shows nothing now.
    pub(super) async fn shows_what_was_sent(
        &self,
        provider: &dyn crate::providers::Provider,
        sent: &Status,
        shown: &ShownStatus,
        now: DateTime<Utc>,
    ) -> std::result::Result<bool, ProviderError> {
        let expected = self.preview_on(provider, sent, now).await?;
        let caps = self.within_deadline(provider.capabilities()).await?;
        let service_ends = caps.native_expiry
            || caps
                .timed
                .as_ref()
                .is_some_and(|t| t.availabilities.contains(&sent.availability));
        if service_ends && sent.duration.is_some() && shows_nothing(shown) {
            return Ok(true);
        }
        // Slack cleared the text at its end, as asked; the availability is Presently's to end.
        let text_gone = shown.text.trim().is_empty() && shown.emoji.is_none();
        if caps.text_ends_itself && sent.duration.is_some() && text_gone {
            return Ok(true);
        }
        Ok(still_shows(&expected, &caps, sent, shown))
    }

    /// Ends the statuses on `accounts`: `target` preset there, or cleared. Apply and clear
    /// record the accounts that succeed; failed ones stay due.
    async fn end_on(
        &self,
        target: Option<String>,
        accounts: Vec<String>,
        order: &Order,
    ) -> Result<Report> {
        let mut report = match target {
            Some(preset) => {
                let request = Request {
                    preset: Some(preset),
                    accounts,
                    ..Request::default()
                };
                self.apply_now(&request, Some(order.clone())).await?
            }
            None => {
                self.clear_now(&accounts, &Target::Me, Some(order.clone()))
                    .await?
            }
        };
        // The preset may skip an account; its ended status is cleared instead, or it would
        // stay due forever.
        if !report.skipped.is_empty() {
            let skipped = std::mem::take(&mut report.skipped);
            let cleared = self
                .clear_now(&skipped, &Target::Me, Some(order.clone()))
                .await?;
            report.outcomes.extend(cleared.outcomes);
            report.summary = summarize(&report.label, "set", &report.outcomes);
        }
        Ok(report)
    }
}

/// No text, no emoji, and available (or no word for it).
fn shows_nothing(shown: &ShownStatus) -> bool {
    let available = shown.availability.as_deref().is_none_or(|word| {
        let word = word.to_lowercase();
        word == "available" || word == "online"
    });
    shown.text.trim().is_empty() && shown.emoji.is_none() && available
}

/// Whether an account still shows what Presently sent (`expected`, as the preview said it
/// would look). Text and emoji where the service has them, else the presence word.
fn still_shows(
    expected: &crate::preview::Preview,
    caps: &crate::providers::Capabilities,
    sent: &Status,
    shown: &ShownStatus,
) -> bool {
    let bare = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '\u{fe0f}' | '\u{fe0e}'))
            .collect()
    };
    if caps.text_limit.is_some() {
        let emoji_field = !caps.emoji_in_text && (caps.unicode_emoji || caps.custom_emoji);
        let same_emoji =
            !emoji_field || expected.emoji.as_deref().map(bare) == shown.emoji.as_deref().map(bare);
        return bare(expected.text.trim()) == bare(shown.text.trim()) && same_emoji;
    }
    match (caps.availability(sent.availability), &shown.availability) {
        (Some(mapping), Some(now)) => now.starts_with(&mapping.shown),
        _ => true,
    }
}
