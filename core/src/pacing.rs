//! Services that take one change per user a minute (Zoom). Every Presently process shares
//! one book of when each account last sent and the newest change waiting for its turn,
//! kept in `pacing.json` under an OS file lock, so the CLI and the tray app together never
//! send faster than the service allows. A newer wish replaces an older one: only the
//! newest is sent, at the first allowed moment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::write_atomically;
use crate::emoji::Emoji;
use crate::error::{Error, Result};
use crate::file_lock;
use crate::preset::{Availability, Status};
use crate::providers::Target;

pub(crate) const FILE_NAME: &str = "pacing.json";
const LOCK_FILE: &str = "pacing.lock";

/// A status as the book keeps it until its turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishedStatus {
    pub preset_id: Option<String>,
    pub label: String,
    pub emoji: Option<String>,
    pub text: String,
    pub availability: Availability,
    pub duration_seconds: Option<u64>,
}

impl From<&Status> for WishedStatus {
    fn from(status: &Status) -> Self {
        WishedStatus {
            preset_id: status.preset_id.clone(),
            label: status.label.clone(),
            emoji: status.emoji.as_ref().map(Emoji::to_string),
            text: status.text.clone(),
            availability: status.availability,
            duration_seconds: status.duration.map(|d| d.as_secs()),
        }
    }
}

impl WishedStatus {
    pub(crate) fn to_status(&self) -> Result<Status> {
        Ok(Status {
            preset_id: self.preset_id.clone(),
            label: self.label.clone(),
            emoji: self.emoji.as_deref().map(Emoji::parse).transpose()?,
            text: self.text.clone(),
            availability: self.availability,
            duration: self.duration_seconds.map(Duration::from_secs),
            undo_appear_offline: false,
        })
    }
}

/// A change waiting for its turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wish {
    pub account: String,
    /// Someone else's id or e-mail; `None` for the account's own user.
    pub user: Option<String>,
    pub status: WishedStatus,
    pub wanted_at: DateTime<Utc>,
    /// The first moment the service takes it.
    pub not_before: DateTime<Utc>,
    /// The service's interval, to move the turn on if someone else sends first.
    #[serde(default = "default_interval")]
    pub interval_seconds: u64,
    /// The change's number (`session/order.rs`): sent at its turn only while the account
    /// still holds it, so a newer change made meanwhile is never overwritten.
    #[serde(default)]
    pub number: u64,
    /// The process waiting to send it itself (`waiter.rs`); none for the tray app's.
    /// Dropped, not sent, once that process is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

fn default_interval() -> u64 {
    60
}

impl Wish {
    pub(crate) fn new(
        account: &str,
        target: &Target,
        status: &Status,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> Self {
        Wish {
            account: account.to_owned(),
            user: user_of(target),
            status: status.into(),
            wanted_at: now,
            not_before,
            interval_seconds: default_interval(),
            number: 0,
            owner: None,
        }
    }

    /// Whether `other` is this very wish (not merely one for the same account).
    pub fn is(&self, other: &Wish) -> bool {
        self.account == other.account
            && self.user == other.user
            && self.wanted_at == other.wanted_at
    }

    pub fn target(&self) -> Target {
        self.user.clone().map_or(Target::Me, Target::User)
    }
}

fn user_of(target: &Target) -> Option<String> {
    match target {
        Target::Me => None,
        Target::User(user) => Some(user.clone()),
    }
}

fn slot_key(account: &str, user: Option<&str>) -> String {
    match user {
        None => account.to_owned(),
        Some(user) => format!("{account} as {user}"),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Slot {
    #[serde(default)]
    last_sent: Option<DateTime<Utc>>,
    #[serde(default)]
    pending: Option<Wish>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Book {
    #[serde(default)]
    slots: BTreeMap<String, Slot>,
    /// When the book was found unreadable and started afresh: every slot counts as used
    /// then, so a lost book never lets a second change out inside a service's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_at: Option<DateTime<Utc>>,
    /// Where the unreadable book was kept, to say so while the reset holds a change back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reset_kept: Option<String>,
}

/// What became of a waiting wish at its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WishTurn {
    /// Send it now; the slot says "sent at now" (`previous` puts it back on failure).
    Go { previous: Option<DateTime<Utc>> },
    /// Someone sent meanwhile: it waits on, until `at`.
    Later { at: DateTime<Utc> },
    /// A newer wish replaced it, or another process already took it.
    Gone,
}

/// Whether a change may go out now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Go; the slot now says "sent at now". `previous` puts it back if the send fails.
    Now { previous: Option<DateTime<Utc>> },
    /// Not before `at`; `because` says why when it is not a change sent before (the book
    /// was unreadable and is counted from when that was found).
    Later {
        at: DateTime<Utc>,
        because: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Pacing {
    dir: PathBuf,
}

impl Pacing {
    pub(crate) fn in_dir(dir: &Path) -> Self {
        Pacing {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn io_error(&self, action: &'static str, source: std::io::Error) -> Error {
        Error::ConfigIo {
            path: self.path(),
            action,
            source,
        }
    }

    /// Copies an unreadable book aside (`pacing.json.broken-<hash>`), once per content.
    fn keep_aside(&self, bytes: &[u8]) -> String {
        match crate::config::keep_broken(&self.path(), bytes) {
            Ok(backup) => backup.display().to_string(),
            Err(e) => format!("nothing ({e})"),
        }
    }

    /// Reads, changes and writes the book while holding the lock, so two processes never
    /// both see a free slot.
    fn locked<T>(&self, change: impl FnOnce(&mut Book) -> T) -> Result<T> {
        let lock = file_lock::exclusive(&self.dir, LOCK_FILE)?;
        let before = match std::fs::read(self.path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(self.io_error("reading", e)),
        };
        let mut book: Book = if before.is_empty() {
            Book::default()
        } else {
            serde_json::from_slice(&before).unwrap_or_else(|e| {
                // Kept aside like a broken config, and counted conservatively: as if every
                // slot had just been used.
                let kept = self.keep_aside(&before);
                tracing::warn!(
                    "{} is unreadable ({e}); kept as {kept}; each service's interval is counted from now",
                    self.path().display()
                );
                Book {
                    slots: BTreeMap::new(),
                    reset_kept: Some(kept),
                    reset_at: Some(Utc::now()),
                }
            })
        };
        let result = change(&mut book);
        if book
            .reset_at
            .is_some_and(|at| Utc::now() - at > chrono::Duration::days(1))
        {
            book.reset_at = None;
            book.reset_kept = None;
        }
        book.slots
            .retain(|_, slot| slot.last_sent.is_some() || slot.pending.is_some());
        let bytes = serde_json::to_vec_pretty(&book)
            .map_err(|e| Error::invalid(format!("pacing cannot be written: {e}")))?;
        // Most calls only read; the app asks every second.
        if bytes != before {
            write_atomically(&self.path(), &bytes).map_err(|e| self.io_error("writing", e))?;
        }
        drop(lock);
        Ok(result)
    }

    /// Takes the slot when `interval` has passed since the last send; a waiting wish for
    /// the same user is dropped, since the change sent now is newer.
    pub(crate) fn claim(
        &self,
        account: &str,
        target: &Target,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> Result<Turn> {
        let interval = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX);
        let key = slot_key(account, user_of(target).as_deref());
        self.locked(|book| {
            let (reset_at, reset_kept) = (book.reset_at, book.reset_kept.clone());
            let slot = book.slots.entry(key).or_default();
            let free_at = slot.last_sent.max(reset_at).map(|last| {
                last.checked_add_signed(interval)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            });
            let waiting = slot.pending.as_ref().map(|w| w.not_before);
            // Held back by the reset itself, not by a change sent since.
            let because = reset_at
                .filter(|reset| {
                    Some(*reset) > slot.last_sent
                        && reset
                            .checked_add_signed(interval)
                            .is_none_or(|free| free > now)
                })
                .map(|reset| {
                    format!(
                        "Presently's record of each service's turns (pacing.json) could not be \
                         read and is kept as {}; the interval counts from {}, when that was found",
                        reset_kept.as_deref().unwrap_or("nothing"),
                        crate::error::local_time_precise(&reset)
                    )
                });
            match free_at.into_iter().chain(waiting).max() {
                Some(at) if at > now => Turn::Later { at, because },
                _ => {
                    let previous = slot.last_sent.replace(now);
                    slot.pending = None;
                    Turn::Now { previous }
                }
            }
        })
    }

    /// Takes the turn for exactly `wish`, if it still waits: two processes waking at the same
    /// moment must not both send it, nor send it over a newer wish.
    pub(crate) fn take_turn(&self, wish: &Wish, now: DateTime<Utc>) -> Result<WishTurn> {
        let key = slot_key(&wish.account, wish.user.as_deref());
        let interval = chrono::Duration::seconds(wish.interval_seconds.min(86_400) as i64);
        self.locked(|book| {
            let Some(slot) = book.slots.get_mut(&key) else {
                return WishTurn::Gone;
            };
            let Some(pending) = slot.pending.as_mut().filter(|p| p.is(wish)) else {
                return WishTurn::Gone;
            };
            let free_at = slot.last_sent.map(|last| {
                last.checked_add_signed(interval)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
            });
            match free_at.filter(|at| *at > now) {
                Some(at) => {
                    pending.not_before = at;
                    WishTurn::Later { at }
                }
                None => {
                    slot.pending = None;
                    WishTurn::Go {
                        previous: slot.last_sent.replace(now),
                    }
                }
            }
        })
    }

    /// The send claimed at `claimed_at` finished at `done_at`: the service counts its minute
    /// from when it took the change, so the next turn is counted from then.
    pub(crate) fn sent(
        &self,
        account: &str,
        target: &Target,
        claimed_at: DateTime<Utc>,
        done_at: DateTime<Utc>,
    ) -> Result<()> {
        let key = slot_key(account, user_of(target).as_deref());
        self.locked(|book| {
            if let Some(slot) = book.slots.get_mut(&key) {
                if slot.last_sent == Some(claimed_at) {
                    slot.last_sent = Some(done_at.max(claimed_at));
                }
            }
        })
    }

    /// A claimed send never reached the service: give the slot back.
    pub(crate) fn release(
        &self,
        account: &str,
        target: &Target,
        claimed_at: DateTime<Utc>,
        previous: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let key = slot_key(account, user_of(target).as_deref());
        self.locked(|book| {
            if let Some(slot) = book.slots.get_mut(&key) {
                if slot.last_sent == Some(claimed_at) {
                    slot.last_sent = previous;
                }
            }
        })
    }

    /// Keeps `wish` for its turn, replacing an older wish for the same user.
    pub(crate) fn defer(&self, wish: Wish) -> Result<()> {
        let key = slot_key(&wish.account, wish.user.as_deref());
        self.locked(|book| {
            book.slots.entry(key).or_default().pending = Some(wish);
        })
    }

    /// Drops the waiting wish of an account (e.g. a wait the user gave up), if it is still
    /// the one made at `wanted_at`. Says whether it did (another process may have taken
    /// its turn already).
    pub(crate) fn withdraw(
        &self,
        account: &str,
        target: &Target,
        wanted_at: DateTime<Utc>,
    ) -> Result<bool> {
        let key = slot_key(account, user_of(target).as_deref());
        self.locked(|book| {
            let slot = book.slots.get_mut(&key);
            match slot {
                Some(slot)
                    if slot
                        .pending
                        .as_ref()
                        .is_some_and(|w| w.wanted_at == wanted_at) =>
                {
                    slot.pending = None;
                    true
                }
                _ => false,
            }
        })
    }

    /// Drops every entry of an account that no longer exists.
    pub(crate) fn forget_account(&self, account: &str) -> Result<()> {
        self.locked(|book| {
            book.slots
                .retain(|_, slot| slot.pending.as_ref().is_none_or(|w| w.account != account));
            book.slots
                .retain(|key, _| key != account && !key.starts_with(&format!("{account} as ")));
        })
    }

    /// Every waiting wish, soonest first.
    pub(crate) fn pending(&self) -> Result<Vec<Wish>> {
        let mut wishes: Vec<Wish> = self.locked(|book| {
            book.slots
                .values()
                .filter_map(|s| s.pending.clone())
                .collect()
        })?;
        wishes.sort_by_key(|w| w.not_before);
        Ok(wishes)
    }

    /// The wishes whose turn has come (the session drops orphans first, see
    /// `Context::send_due`).
    #[cfg(test)]
    pub(crate) fn due(&self, now: DateTime<Utc>) -> Result<Vec<Wish>> {
        Ok(self
            .pending()?
            .into_iter()
            .filter(|w| w.not_before <= now)
            .collect())
    }

    pub(crate) fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.pending()?.first().map(|w| w.not_before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("time")
    }

    fn status(label: &str) -> Status {
        Status {
            label: label.into(),
            ..Status::cleared()
        }
    }

    #[test]
    fn one_send_a_minute_and_the_newest_wish_waits() {
        let dir = tempfile::tempdir().expect("dir");
        let pacing = Pacing::in_dir(dir.path());
        let me = Target::Me;
        assert_eq!(
            pacing.claim("z", &me, MINUTE, at(0)).expect("claim"),
            Turn::Now { previous: None }
        );
        assert_eq!(
            pacing.claim("z", &me, MINUTE, at(10)).expect("claim"),
            Turn::Later {
                at: at(60),
                because: None
            }
        );
        pacing
            .defer(Wish::new("z", &me, &status("Lunch"), at(10), at(60)))
            .expect("defer");
        pacing
            .defer(Wish::new("z", &me, &status("Focus"), at(20), at(60)))
            .expect("defer");
        // Another user of the same account has a slot of its own.
        assert!(matches!(
            pacing
                .claim("z", &Target::User("bob".into()), MINUTE, at(30))
                .expect("claim"),
            Turn::Now { .. }
        ));
        assert!(pacing.due(at(59)).expect("due").is_empty());
        let due = pacing.due(at(60)).expect("due");
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].status.label, "Focus");
        assert_eq!(pacing.next_due().expect("next"), Some(at(60)));
        // Sending at the allowed moment takes the slot and clears the wish.
        assert_eq!(
            pacing.claim("z", &me, MINUTE, at(60)).expect("claim"),
            Turn::Now {
                previous: Some(at(0))
            }
        );
        assert!(pacing.pending().expect("pending").is_empty());
    }

    #[test]
    fn a_wish_is_sent_once_and_never_over_a_newer_one() {
        let dir = tempfile::tempdir().expect("dir");
        let pacing = Pacing::in_dir(dir.path());
        let me = Target::Me;
        pacing.claim("z", &me, MINUTE, at(0)).expect("claim");
        let lunch = Wish::new("z", &me, &status("Lunch"), at(10), at(60));
        pacing.defer(lunch.clone()).expect("defer");
        // Someone sent at 30 s: the wish waits on, and is no longer due at 60 s.
        pacing.sent("z", &me, at(0), at(30)).expect("sent");
        assert_eq!(
            pacing.take_turn(&lunch, at(60)).expect("turn"),
            WishTurn::Later { at: at(90) }
        );
        assert!(pacing.due(at(60)).expect("due").is_empty());
        // Two processes waking at once: one sends it, the other finds it gone.
        assert_eq!(
            pacing.take_turn(&lunch, at(90)).expect("turn"),
            WishTurn::Go {
                previous: Some(at(30))
            }
        );
        assert_eq!(
            pacing.take_turn(&lunch, at(90)).expect("turn"),
            WishTurn::Gone
        );
        // A wish replaced by a newer one is gone too.
        let focus = Wish::new("z", &me, &status("Focus"), at(100), at(150));
        let brb = Wish::new("z", &me, &status("Be right back"), at(110), at(150));
        pacing.defer(focus.clone()).expect("defer");
        pacing.defer(brb.clone()).expect("defer");
        assert_eq!(
            pacing.take_turn(&focus, at(150)).expect("turn"),
            WishTurn::Gone
        );
        assert!(matches!(
            pacing.take_turn(&brb, at(150)).expect("turn"),
            WishTurn::Go { .. }
        ));
    }

    #[test]
    fn a_failed_send_gives_the_slot_back() {
        let dir = tempfile::tempdir().expect("dir");
        let pacing = Pacing::in_dir(dir.path());
        let Turn::Now { previous } = pacing
            .claim("z", &Target::Me, MINUTE, at(0))
            .expect("claim")
        else {
            panic!("free slot");
        };
        pacing
            .release("z", &Target::Me, at(0), previous)
            .expect("release");
        assert!(matches!(
            pacing
                .claim("z", &Target::Me, MINUTE, at(1))
                .expect("claim"),
            Turn::Now { .. }
        ));
    }

    #[test]
    fn a_wish_round_trips_through_the_file_and_a_broken_file_starts_afresh() {
        let dir = tempfile::tempdir().expect("dir");
        let pacing = Pacing::in_dir(dir.path());
        let focus = Status {
            emoji: Some(Emoji::Unicode("🎧".into())),
            text: "Focus".into(),
            availability: Availability::DoNotDisturb,
            duration: Some(Duration::from_secs(7200)),
            ..status("Focus")
        };
        pacing
            .defer(Wish::new("z", &Target::Me, &focus, at(0), at(60)))
            .expect("defer");
        let back = pacing.pending().expect("pending")[0]
            .status
            .to_status()
            .expect("status");
        assert_eq!(back, focus);
        std::fs::write(dir.path().join(FILE_NAME), b"{not json").expect("write");
        assert!(pacing.pending().expect("pending").is_empty());
    }
}
