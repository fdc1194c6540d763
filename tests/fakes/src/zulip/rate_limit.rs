//! Per-user sliding-window rate limit (Zulip's `api_by_user` rule: N requests per 60 s) and
//! the `X-RateLimit-*` headers.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;

pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The outcome of counting one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window frees up.
    pub secs_to_freedom: f64,
    /// True if this request was refused.
    pub over_limit: bool,
}

impl RateInfo {
    /// What an unauthenticated request reports (nothing used).
    pub(crate) fn unused(limit: u32) -> Self {
        RateInfo {
            limit,
            remaining: limit,
            secs_to_freedom: 0.0,
            over_limit: false,
        }
    }

    /// `X-RateLimit-Limit`, `-Remaining`, and `-Reset` (epoch seconds, truncated).
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let reset = (now + self.secs_to_freedom) as u64;
        crate::rate_headers::set(headers, self.limit, self.remaining, reset);
    }
}

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    hits: HashMap<u64, VecDeque<Instant>>,
}

impl RateLimiter {
    /// Counts a request by `user_id` at `now` unless the user is over `limit`.
    pub(crate) fn hit(&mut self, user_id: u64, limit: u32, now: Instant) -> RateInfo {
        let hits = self.hits.entry(user_id).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            hits.pop_front();
        }
        let over_limit = hits.len() >= limit as usize;
        if !over_limit {
            hits.push_back(now);
        }
        let secs_to_freedom = hits
            .front()
            .map(|t| (WINDOW.saturating_sub(now.duration_since(*t))).as_secs_f64())
            .unwrap_or(WINDOW.as_secs_f64());
        let used = u32::try_from(hits.len()).unwrap_or(u32::MAX);
        RateInfo {
            limit,
            remaining: limit.saturating_sub(used),
            secs_to_freedom,
            over_limit,
        }
    }
}
