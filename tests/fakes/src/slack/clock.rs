//! The fake clock: wall-clock time that also runs in real time, plus whatever tests (or
//! `POST /__fake/clock`) added. Status expiry, snooze ends, code and token lifetimes and
//! the rate-limit windows all read it.

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug)]
pub(crate) struct Clock {
    started_utc: DateTime<Utc>,
    started: Instant,
    offset: Duration,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Clock {
            started_utc: Utc::now(),
            started: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started.elapsed().saturating_add(self.offset);
        chrono::Duration::from_std(elapsed)
            .ok()
            .and_then(|d| self.started_utc.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Unix seconds now.
    pub(crate) fn unix(&self) -> i64 {
        self.now().timestamp()
    }

    /// Seconds since the fake started, with fractions (for the rate-limit windows).
    pub(crate) fn seconds(&self) -> f64 {
        self.started
            .elapsed()
            .saturating_add(self.offset)
            .as_secs_f64()
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }
}

/// ISO 8601 UTC with seconds, e.g. `2026-05-04T10:20:30Z`.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
