//! The main job: a request becomes one status per account (presets, overrides, one-off
//! fields), fans out to every account at once, is summed up in a report, and what was set
//! on the user's own accounts is remembered (with when it ends). Also reading back what
//! each account shows and previewing a preset.

use std::collections::HashMap;
use std::sync::Arc;

use super::context::Context;
use super::order::Order;
use super::{Report, Request};
use crate::config::{Account, Config};
use crate::dispatch::{self, summarize, Job, Outcome};
use crate::emoji::Emoji;
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::paced::Pacer;

use crate::pacing::WishedStatus;
use crate::preset::{Availability, Status};
use crate::preview::Preview;
use crate::providers::{ShownStatus, Target};
use crate::state_file::{Entry, State};

/// How many accounts connecting at once make reading the keyring in one batch worth it.
const READ_AHEAD_FROM: usize = 8;

/// One account and the status it gets (`None`: the preset skips it).
pub(crate) type AccountStatus<'a> = (&'a Account, Option<Status>);

impl Context {
    pub(crate) fn pacer(&self) -> Pacer<'_> {
        Pacer {
            pacing: &self.pacing,
            clock: self.clock.as_ref(),
            when_paced: self.when_paced,
            owner: self.waiter.as_ref().map(crate::waiter::Waiter::name),
        }
    }

    /// Another user's id means something different on each server, so it needs one account.
    pub(crate) fn check_target(&self, target: &Target, accounts: &[String]) -> Result<()> {
        // A user id becomes one path segment (Zoom) or query value (Rocket.Chat): nothing
        // that could step out of it.
        if let Target::User(user) = target {
            let odd = user.is_empty()
                || user == "."
                || user == ".."
                || user
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || "/\\?#%&".contains(c));
            if odd {
                return Err(Error::InvalidField {
                    field: "user",
                    message: format!(
                        "--user {user:?} is not a user id or e-mail: it may not be empty, . or .., \
                         nor hold spaces, control characters or / \\ ? # % &"
                    ),
                });
            }
        }
        if matches!(target, Target::User(_)) && accounts.len() != 1 {
            return Err(Error::invalid(
                "--user needs exactly one --account: user ids differ from server to server",
            ));
        }
        Ok(())
    }

    fn require_accounts(config: &Config) -> Result<()> {
        if config.accounts.is_empty() {
            return Err(Error::invalid(
                "no accounts yet; add one with `presently account add zulip ID --site URL --email EMAIL`",
            ));
        }
        Ok(())
    }

    /// The status each selected account gets for a request, after presets, overrides and
    /// command-line fields; `None` for accounts the preset skips.
    pub(crate) fn statuses_for<'c>(
        &self,
        config: &'c Config,
        request: &Request,
    ) -> Result<(String, Vec<AccountStatus<'c>>)> {
        let preset = match &request.preset {
            Some(wanted) => Some(config.preset(wanted).ok_or_else(|| {
                Error::invalid(format!(
                    "no preset called {wanted:?}; `presently preset list` shows them"
                ))
            })?),
            None => None,
        };
        if preset.is_none() && request.text.is_none() && request.emoji.is_none() {
            return Err(Error::invalid(
                "say what to set: a preset name, or --text and/or --emoji",
            ));
        }
        let label = preset
            .map(|p| p.name.clone())
            .or_else(|| request.text.clone())
            .or_else(|| request.emoji.clone())
            .unwrap_or_default();
        if let Some(text) = &request.text {
            crate::preset::check_status_text(text)?;
        }
        let emoji_override = request
            .emoji
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(Emoji::parse)
            .transpose()?;
        let now = self.clock.now();
        if let Some(p) = preset {
            if p.until.is_some() && p.lasts(now).is_none() && request.duration.is_none() {
                return Err(Error::invalid(format!(
                    "preset {:?} ends at a time that has passed; edit its end",
                    p.name
                )));
            }
        }
        let mut out = Vec::new();
        for account in self.selected(config, &request.accounts)? {
            let base = match preset {
                Some(p) => p.status_for(&account.id)?.map(|mut status| {
                    status.duration = p.lasts(now);
                    status
                }),
                None => Some(Status {
                    label: label.clone(),
                    ..Status::cleared()
                }),
            };
            let status = base.map(|mut status| {
                if let Some(text) = &request.text {
                    status.text = text.clone();
                }
                if request.emoji.is_some() {
                    status.emoji = emoji_override.clone();
                }
                if let Some(availability) = request.availability {
                    status.availability = availability;
                }
                if request.duration.is_some() {
                    status.duration = request.duration;
                }
                status
            });
            out.push((account, status));
        }
        Ok((label, out))
    }

    /// Shows the requested status on the selected accounts; the caller holds `changing`.
    /// `order` is `None` for a change asked for now (it is numbered here), or what an
    /// ending may still change.
    pub(crate) async fn apply_now(
        &self,
        request: &Request,
        order: Option<Order>,
    ) -> Result<Report> {
        let config = self.config();
        Self::require_accounts(&config)?;
        self.check_target(&request.target, &request.accounts)?;
        if matches!(request.target, Target::User(_)) && request.duration.is_some() {
            return Err(Error::invalid(
                "--for and --until cannot be used with --user: Presently only ends your own statuses",
            ));
        }
        // Read the state first: a broken state file must stop us before anything is sent.
        self.state_file.load()?;
        let (label, statuses) = self.statuses_for(&config, request)?;
        let order = match (&request.target, order) {
            (Target::Me, Some(order)) => Some(order),
            (Target::Me, None) => Some(self.want()?),
            (Target::User(_), _) => None,
        };
        let duration = statuses.iter().find_map(|(_, s)| s.as_ref()?.duration);
        let preset_id = request
            .preset
            .as_ref()
            .and_then(|p| config.preset(p))
            .map(|p| p.id.clone());
        let sent: HashMap<String, WishedStatus> = statuses
            .iter()
            .filter_map(|(account, status)| {
                Some((account.id.clone(), WishedStatus::from(status.as_ref()?)))
            })
            .collect();
        let before = if request.target == Target::Me {
            self.read_before(&config, &statuses).await?
        } else {
            HashMap::new()
        };
        let now = self.clock.now();
        let entry = Entry {
            preset_id,
            label: label.clone(),
            set_at: now,
            expires_at: duration
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| now + d),
            previous: None,
            sent: None,
            before: None,
            waiting: false,
            waiting_over: None,
        };
        // What was set on each of the user's own accounts, recorded as it succeeds.
        let remember = |state: &mut State, outcome: &Outcome| {
            let id = &outcome.account.id;
            let entry = Entry {
                sent: sent.get(id).cloned(),
                before: before.get(id).cloned(),
                ..entry.clone()
            };
            if outcome.queued.is_some() {
                state.record_waiting(id, &entry);
            } else {
                state.record(std::slice::from_ref(id), &entry);
            }
        };
        let mut report = self
            .fan_out(
                &label,
                "set",
                statuses,
                &request.target,
                order.as_ref(),
                &remember,
            )
            .await;
        if request.target != Target::Me && duration.is_some() {
            // Said, never silent: only the user's own statuses are ended on time.
            for outcome in report.outcomes.iter_mut() {
                if let Ok(notes) = &mut outcome.result {
                    notes.push(
                        "not ended on time: Presently ends only your own statuses; it stays until changed"
                            .into(),
                    );
                }
            }
            report.summary = summarize(&report.label, &report.verb, &report.outcomes);
        }
        Ok(report)
    }

    /// What each account shows before a timed status replaces it, to put back when that
    /// ends (`settings.restore_previous`): read from the servers at once, only for timed
    /// statuses and only when going back is the choice. Where the account still shows what
    /// Presently set, a timed one passes on what it had kept and a lasting one is known by
    /// its preset; anything else there is the user's own and is what comes back. An
    /// account that cannot say, or shows nothing, has nothing to put back.
    async fn read_before(
        &self,
        config: &Config,
        statuses: &[AccountStatus<'_>],
    ) -> Result<HashMap<String, WishedStatus>> {
        if !config.settings.restore_previous || config.settings.restore_preset.is_some() {
            return Ok(HashMap::new());
        }
        let state = self.state_file.load()?;
        let timed = statuses
            .iter()
            .filter(|(_, status)| status.as_ref().is_some_and(|s| s.duration.is_some()))
            .map(|(account, _)| *account);
        let now = self.clock.now();
        let reads = timed.map(|account| {
            let kept = state.accounts.get(&account.id).cloned();
            async move {
                let Ok(provider) = self.provider(account) else {
                    return (account.id.clone(), None);
                };
                let Ok(shown) = self
                    .within_deadline(provider.read_status(&Target::Me))
                    .await
                else {
                    return (account.id.clone(), None);
                };
                let sent = kept
                    .as_ref()
                    .and_then(|e| e.sent.as_ref())
                    .and_then(|sent| sent.to_status().ok());
                let still_presentlys = match &sent {
                    Some(sent) => self
                        .shows_what_was_sent(provider.as_ref(), sent, &shown, now)
                        .await
                        .unwrap_or(false),
                    None => false,
                };
                let before = match kept {
                    Some(entry) if still_presentlys && entry.expires_at.is_some() => entry.before,
                    Some(_) if still_presentlys => None,
                    _ => shown_as_status(&shown),
                };
                (account.id.clone(), before)
            }
        });
        Ok(futures::future::join_all(reads)
            .await
            .into_iter()
            .filter_map(|(id, before)| Some((id, before?)))
            .collect())
    }

    /// Clears text and emoji and makes the user available again; the caller holds `changing`.
    /// `order` as for [`Context::apply_now`].
    pub(crate) async fn clear_now(
        &self,
        accounts: &[String],
        target: &Target,
        order: Option<Order>,
    ) -> Result<Report> {
        let config = self.config();
        Self::require_accounts(&config)?;
        self.check_target(target, accounts)?;
        self.state_file.load()?;
        let statuses = self
            .selected(&config, accounts)?
            .into_iter()
            .map(|account| (account, Some(Status::cleared())))
            .collect();
        let order = match (target, order) {
            (Target::Me, Some(order)) => Some(order),
            (Target::Me, None) => Some(self.want()?),
            (Target::User(_), _) => None,
        };
        let forget = |state: &mut State, outcome: &Outcome| {
            state.forget(std::slice::from_ref(&outcome.account.id));
        };
        Ok(self
            .fan_out(
                "Status",
                "cleared",
                statuses,
                target,
                order.as_ref(),
                &forget,
            )
            .await)
    }

    /// Sends each account its status at once and sums it up. On the user's own accounts
    /// (`order` given) each account's send and its `record` happen in order with every
    /// other Presently process (`session/order.rs`).
    pub(super) async fn fan_out(
        &self,
        label: &str,
        verb: &str,
        statuses: Vec<AccountStatus<'_>>,
        target: &Target,
        order: Option<&Order>,
        record: &(dyn Fn(&mut State, &Outcome) + Sync),
    ) -> Report {
        let mut skipped = Vec::new();
        let mut needs_sign_in = Vec::new();
        let mut jobs = Vec::new();
        let mut early = Vec::new();
        // Which of the user's accounts Presently made appear offline (their visibility is
        // given back when something else replaces that).
        let state = match target {
            Target::Me => self.state_file.load().unwrap_or_default(),
            Target::User(_) => Default::default(),
        };
        let accounts: Vec<&Account> = statuses
            .iter()
            .filter(|(_, status)| status.is_some())
            .map(|(account, _)| *account)
            .collect();
        let mut connected = self.connect_all(&accounts).into_iter();
        for (account, status) in statuses {
            let Some(mut status) = status else {
                skipped.push(account.id.clone());
                continue;
            };
            let was_offline = state
                .accounts
                .get(&account.id)
                .and_then(|e| e.sent.as_ref())
                .is_some_and(|sent| sent.availability == Availability::AppearOffline);
            status.undo_appear_offline =
                was_offline && status.availability != Availability::AppearOffline;
            let provider = connected.next().unwrap_or_else(|| self.provider(account));
            match provider {
                Ok(provider) if provider.sign_in_needed() => needs_sign_in.push(account.label()),
                Ok(provider) => jobs.push(Job {
                    provider,
                    status,
                    claimed: None,
                    number: match order {
                        Some(Order::Want(number)) => *number,
                        Some(Order::Still(numbers)) => {
                            numbers.get(&account.id).copied().unwrap_or(0)
                        }
                        None => 0,
                    },
                }),
                Err(cause) => early.push(Outcome::failed(account.label(), cause)),
            }
        }
        let (timeout, pacer) = (self.timeout(), self.pacer());
        let sends: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let account = job.provider.label().clone();
                (account, dispatch::run(job, target, timeout, &pacer))
            })
            .collect();
        let mut outcomes = match order {
            Some(order) => self.all_in_order(order, sends, record).await,
            None => futures::future::join_all(sends.into_iter().map(|(_, send)| send)).await,
        };
        outcomes.extend(early);
        for outcome in &outcomes {
            match &outcome.result {
                Ok(notes) if notes.is_empty() => {
                    tracing::info!("{}: {label} {verb}", outcome.account)
                }
                Ok(notes) => {
                    tracing::info!("{}: {label} {verb} ({})", outcome.account, notes.join("; "))
                }
                Err(e) => tracing::warn!("{}: {label} not {verb}: {e}", outcome.account),
            }
        }
        self.forget_failed(&outcomes);
        self.note_outcomes(&outcomes);
        let summary = summarize(label, verb, &outcomes);
        Report {
            label: label.to_owned(),
            verb: verb.to_owned(),
            outcomes,
            skipped,
            needs_sign_in,
            left_alone: Vec::new(),
            summary,
            change: match order {
                Some(Order::Want(number)) => Some(*number),
                _ => None,
            },
        }
    }

    /// Each account's provider, connected side by side: connecting reads the keyring, a
    /// D-Bus round trip or more per account, so one after the other would hold up a change
    /// to many accounts before anything goes out. At most 16 at a time; providers
    /// connected already (the tray keeps them) are taken as they are, with no thread.
    pub(crate) fn connect_all(
        &self,
        accounts: &[&Account],
    ) -> Vec<Result<Arc<dyn crate::providers::Provider>, ProviderError>> {
        let known: Vec<_> = accounts.iter().map(|a| self.connected(a)).collect();
        if known.iter().all(Option::is_some) {
            return known.into_iter().flatten().map(Ok).collect();
        }
        let started = std::time::Instant::now();
        // Reading ahead opens a second keyring session (about 10 ms); one at a time costs
        // about 1.5 ms per account, so it pays from about eight accounts on.
        let unconnected = known.iter().filter(|k| k.is_none()).count();
        let ahead = if unconnected >= READ_AHEAD_FROM {
            crate::secrets::ReadAheadStore::over(&self.secrets)
        } else {
            None
        };
        let secrets: Arc<dyn crate::secrets::SecretStore> = match &ahead {
            Some(ahead) => ahead.clone(),
            None => self.secrets.clone(),
        };
        let mut connected = Vec::with_capacity(accounts.len());
        for group in accounts.chunks(16) {
            std::thread::scope(|scope| {
                let started: Vec<_> = group
                    .iter()
                    .map(|account| {
                        let secrets = secrets.clone();
                        scope.spawn(move || self.provider_reading(account, secrets))
                    })
                    .collect();
                for (account, handle) in group.iter().zip(started) {
                    connected.push(handle.join().unwrap_or_else(|_| {
                        Err(ProviderError::Local(format!(
                            "{}: connecting failed unexpectedly",
                            account.label()
                        )))
                    }));
                }
            });
        }
        if let Some(ahead) = ahead {
            ahead.done();
        }
        tracing::debug!(
            "{} accounts connected (keyring read) in {:?}",
            accounts.len(),
            started.elapsed()
        );
        connected
    }

    pub(crate) fn forget_failed(&self, outcomes: &[Outcome]) {
        for outcome in outcomes {
            if let Err(e) = &outcome.result {
                self.forget_after(&outcome.account.id, e);
            }
        }
    }

    /// What each selected account shows now, read back from its server.
    pub(crate) async fn read_statuses(
        &self,
        accounts: &[String],
        target: &Target,
    ) -> Result<Vec<(AccountLabel, Result<ShownStatus, ProviderError>)>> {
        self.check_target(target, accounts)?;
        let config = self.config();
        let reads = self
            .selected(&config, accounts)?
            .into_iter()
            .map(|account| async move {
                let result = match self.provider(account) {
                    Ok(provider) => self.within_deadline(provider.read_status(target)).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = &result {
                    self.forget_after(&account.id, e);
                }
                (account.label(), result)
            });
        Ok(futures::future::join_all(reads).await)
    }

    /// How a preset will look on each account (skipped accounts are left out).
    pub(crate) async fn previews(
        &self,
        preset: &str,
    ) -> Result<Vec<(AccountLabel, Result<Preview, ProviderError>)>> {
        let request = Request {
            preset: Some(preset.to_owned()),
            ..Request::default()
        };
        let config = self.config();
        let (_, statuses) = self.statuses_for(&config, &request)?;
        let now = self.clock.now();
        let previews = statuses.into_iter().filter_map(|(account, status)| {
            let status = status?;
            Some(async move {
                let shown = match self.provider(account) {
                    Ok(provider) => self.preview_on(provider.as_ref(), &status, now).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = &shown {
                    self.forget_after(&account.id, e);
                }
                (account.label(), shown)
            })
        });
        Ok(futures::future::join_all(previews).await)
    }
}

/// A status read back as one Presently can send again; `None` for an empty one. Of the
/// availability only what a person chooses and keeps is taken: "busy" (Rocket.Chat) and
/// "invisible" (Zulip's setting). Away and offline follow the connection on Rocket.Chat and
/// Zoom, and Zoom's do-not-disturb ends by itself, so those are not put back.
pub(crate) fn shown_as_status(shown: &ShownStatus) -> Option<WishedStatus> {
    let availability = shown
        .availability
        .as_deref()
        .map(|word| match word.to_lowercase().as_str() {
            "busy" => Availability::Busy,
            "invisible" => Availability::AppearOffline,
            _ => Availability::Available,
        })
        .unwrap_or(Availability::Available);
    let empty = shown.text.trim().is_empty() && shown.emoji.is_none();
    if empty && availability == Availability::Available {
        return None;
    }
    Some(WishedStatus {
        preset_id: None,
        label: "What was there before".into(),
        emoji: shown.emoji.clone(),
        text: shown.text.clone(),
        availability,
        duration_seconds: None,
    })
}
