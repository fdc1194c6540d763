//! The REST rate limiter (`ApiClass.ts` `enforceRateLimit` on Meteor's `RateLimiter`): one
//! rule per route (`/api/v1/<name><method>`), counters keyed by client IP, N calls per
//! 60-second window. As in Meteor's `RateLimiter`, the window belongs to the rule: it starts
//! when the rule is created (server start) and restarts, for every IP at once, at the first
//! call after it ran out. Refused calls still count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;

/// `API_Enable_Rate_Limiter_Limit_Time_Default`: 60000 ms.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The outcome of counting one call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    pub time_to_reset: Duration,
    pub allowed: bool,
}

impl RateInfo {
    /// `Math.ceil(timeToReset / 1000)`, the N in "You must wait N seconds".
    pub(crate) fn seconds_to_reset(&self) -> u64 {
        let ms = self.time_to_reset.as_millis();
        u64::try_from(ms.div_ceil(1000)).unwrap_or(u64::MAX)
    }

    /// `X-RateLimit-Limit`, `-Remaining`, and `-Reset` = now + timeToReset in epoch
    /// **milliseconds**.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let reset = now_ms + self.time_to_reset.as_millis();
        crate::rate_headers::set(headers, self.limit, self.remaining, reset);
    }
}

#[derive(Debug)]
struct Rule {
    last_reset: Instant,
    counters: HashMap<IpAddr, u32>,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    created: Instant,
    rules: HashMap<String, Rule>,
}

impl RateLimiter {
    pub(crate) fn new(created: Instant) -> Self {
        RateLimiter {
            created,
            rules: HashMap::new(),
        }
    }

    /// `increment` then `check` for one call to `route` from `ip`.
    pub(crate) fn hit(&mut self, route: &str, ip: IpAddr, limit: u32, now: Instant) -> RateInfo {
        let created = self.created;
        let rule = self.rules.entry(route.to_owned()).or_insert_with(|| Rule {
            last_reset: created,
            counters: HashMap::new(),
        });
        if now.duration_since(rule.last_reset) > WINDOW {
            rule.last_reset = now;
            rule.counters.clear();
        }
        let count = rule.counters.entry(ip).or_insert(0);
        *count = count.saturating_add(1);
        let time_to_reset = WINDOW.saturating_sub(now.duration_since(rule.last_reset));
        let allowed = *count <= limit;
        RateInfo {
            limit,
            remaining: if allowed { limit - *count } else { 0 },
            time_to_reset,
            allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleventh_call_in_the_window_is_refused_and_the_window_restarts() {
        let t0 = Instant::now();
        let ip: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        let mut limiter = RateLimiter::new(t0);
        for i in 1..=10 {
            let info = limiter.hit("/api/v1/mepost", ip, 10, t0 + Duration::from_secs(1));
            assert!(info.allowed);
            assert_eq!(info.remaining, 10 - i);
        }
        let refused = limiter.hit("/api/v1/mepost", ip, 10, t0 + Duration::from_secs(2));
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert_eq!(refused.seconds_to_reset(), 58);
        // Other routes and other IPs count separately.
        assert!(limiter.hit("/api/v1/meget", ip, 10, t0).allowed);
        assert!(limiter.hit("/api/v1/mepost", other, 10, t0).allowed);
        let later = limiter.hit("/api/v1/mepost", ip, 10, t0 + Duration::from_secs(61));
        assert!(later.allowed);
        assert_eq!(later.remaining, 9);
    }
}
