//! Slack's rate limits on the fake clock (<https://docs.slack.dev/apis/web-api/rate-limits>,
//! <https://docs.slack.dev/reference/methods/users.profile.set>):
//!
//! - every method has a tier: so many calls per minute, per method, per workspace, per app
//!   (one workspace per fake, so per method and app);
//! - profile writes have an extra rule: one token may update one person's profile at most
//!   10 times a minute, and at most 30 different profiles a minute.
//!
//! Over a limit: HTTP 429, `Retry-After` = whole seconds until the window lets the next
//! call through, `{"ok":false,"error":"ratelimited"}`. Windows slide (each call counts for
//! the 60 seconds after it; Slack does not say whether its windows slide or are fixed
//! minutes, and sliding is the stricter reading). A refused call does not count; a call the
//! limiter let through counts even if the method then refuses it (UNCONFIRMED; stricter).

use std::collections::{HashMap, VecDeque};

use super::error::SlackError;

const WINDOW: f64 = 60.0;
/// Writes of one profile per token per minute.
pub(crate) const PROFILE_WRITES_PER_MINUTE: usize = 10;
/// Different profiles one token may write per minute.
pub(crate) const PROFILES_PER_MINUTE: usize = 30;

#[derive(Debug, Default)]
pub(crate) struct Limiter {
    /// (method, app id) → when its calls came (fake-clock seconds), oldest first.
    calls: HashMap<(String, String), VecDeque<f64>>,
    /// (token, profile's user id) → when it was written.
    writes: HashMap<(String, String), VecDeque<f64>>,
}

fn prune(log: &mut VecDeque<f64>, now: f64) {
    while log.front().is_some_and(|at| at + WINDOW <= now) {
        log.pop_front();
    }
}

/// Whole seconds until `at` leaves the window (at least 1).
fn wait_for(at: f64, now: f64) -> u64 {
    let secs = (at + WINDOW - now).ceil();
    if secs.is_finite() && secs >= 1.0 {
        secs as u64
    } else {
        1
    }
}

impl Limiter {
    /// Counts a call of `method` by `app_id`, or refuses it when `limit` calls are in the
    /// window already.
    pub(crate) fn call(
        &mut self,
        method: &str,
        app_id: &str,
        limit: usize,
        now: f64,
    ) -> Result<(), SlackError> {
        let log = self
            .calls
            .entry((method.to_owned(), app_id.to_owned()))
            .or_default();
        prune(log, now);
        if log.len() >= limit {
            let oldest = log.front().copied().unwrap_or(now);
            return Err(SlackError::ratelimited(wait_for(oldest, now)));
        }
        log.push_back(now);
        Ok(())
    }

    /// Counts a write of `user_id`'s profile with `token`, or refuses it: 10 writes of that
    /// profile, or 30 other profiles, in the window already.
    pub(crate) fn profile_write(
        &mut self,
        token: &str,
        user_id: &str,
        now: f64,
    ) -> Result<(), SlackError> {
        for ((t, _), log) in self.writes.iter_mut() {
            if t == token {
                prune(log, now);
            }
        }
        let key = (token.to_owned(), user_id.to_owned());
        let own = self.writes.get(&key).map(VecDeque::len).unwrap_or(0);
        if own >= PROFILE_WRITES_PER_MINUTE {
            let oldest = self.writes[&key].front().copied().unwrap_or(now);
            return Err(SlackError::ratelimited(wait_for(oldest, now)));
        }
        if own == 0 {
            // A new profile for this token: the others written in the window, and when the
            // first of them leaves it (its latest write).
            let others: Vec<f64> = self
                .writes
                .iter()
                .filter(|((t, u), log)| t == token && u != user_id && !log.is_empty())
                .filter_map(|(_, log)| log.back().copied())
                .collect();
            if others.len() >= PROFILES_PER_MINUTE {
                let frees = others.iter().copied().fold(f64::INFINITY, f64::min);
                return Err(SlackError::ratelimited(wait_for(frees, now)));
            }
        }
        self.writes.entry(key).or_default().push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_write_waits_for_the_first_to_leave_the_window() {
        let mut limiter = Limiter::default();
        for i in 0..10 {
            limiter
                .profile_write("t", "U1", f64::from(i))
                .expect("within the limit");
        }
        let refused = limiter.profile_write("t", "U1", 10.5).expect_err("11th");
        assert_eq!(refused.retry_after, Some(50));
        limiter
            .profile_write("t", "U1", 60.0)
            .expect("the first left");
        // Another token has its own count.
        limiter.profile_write("u", "U1", 60.0).expect("other token");
    }

    #[test]
    fn thirty_profiles_a_minute() {
        let mut limiter = Limiter::default();
        for i in 0..30 {
            limiter
                .profile_write("t", &format!("U{i}"), 1.0)
                .expect("within the limit");
        }
        let refused = limiter.profile_write("t", "U30", 2.0).expect_err("31st");
        assert_eq!(refused.retry_after, Some(59));
        limiter.profile_write("t", "U0", 2.0).expect("a known one");
        limiter
            .profile_write("t", "U30", 61.0)
            .expect("window moved");
    }

    #[test]
    fn tiers_count_per_method_and_app() {
        let mut limiter = Limiter::default();
        for _ in 0..20 {
            limiter.call("m", "A", 20, 5.0).expect("in");
        }
        assert_eq!(
            limiter
                .call("m", "A", 20, 6.0)
                .expect_err("21st")
                .retry_after,
            Some(59)
        );
        limiter.call("m", "B", 20, 6.0).expect("other app");
        limiter.call("n", "A", 20, 6.0).expect("other method");
    }
}
