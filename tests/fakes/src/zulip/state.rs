//! The fake's mutable state (statuses, presence, recorded requests, pending faults, rate
//! counters) behind one mutex, shared by the server and the [`super::FakeZulip`] handle.

use std::collections::HashMap;

use super::config::{UserStatus, ZulipFakeConfig, ZulipUser};
use super::rate_limit::RateLimiter;
use super::recorded::RecordedRequest;
use super::status_rules::StatusChange;
use crate::faults::FaultQueues;

/// Feature level from which `away` is just `!presence_enabled`.
pub(crate) const AWAY_IS_PRESENCE_FL: u32 = 148;

#[derive(Debug)]
pub(crate) struct State {
    pub config: ZulipFakeConfig,
    statuses: HashMap<u64, UserStatus>,
    presence_enabled: HashMap<u64, bool>,
    pub requests: Vec<RecordedRequest>,
    /// Untargeted ones for the next request under `/api/v1`.
    pub faults: FaultQueues,
    pub limiter: RateLimiter,
    /// Open event queues (`POST /register`), and how many were ever opened.
    queues: Vec<String>,
    queues_opened: u64,
    base_url: String,
}

impl State {
    pub(crate) fn new(config: ZulipFakeConfig) -> Self {
        let presence_enabled = config.users.iter().map(|u| (u.user_id, true)).collect();
        State {
            config,
            statuses: HashMap::new(),
            presence_enabled,
            requests: Vec::new(),
            faults: FaultQueues::default(),
            limiter: RateLimiter::default(),
            queues: Vec::new(),
            queues_opened: 0,
            base_url: String::new(),
        }
    }

    pub(crate) fn set_base_url(&mut self, url: &str) {
        url.clone_into(&mut self.base_url);
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn open_queue(&mut self) -> String {
        self.queues_opened += 1;
        let id = format!("1517975029:{}", self.queues_opened);
        self.queues.push(id.clone());
        id
    }

    /// Whether `id` was open.
    pub(crate) fn close_queue(&mut self, id: &str) -> bool {
        let before = self.queues.len();
        self.queues.retain(|q| q != id);
        self.queues.len() != before
    }

    /// Event queues opened and not deleted.
    pub fn open_queues(&self) -> usize {
        self.queues.len()
    }

    pub(crate) fn user(&self, user_id: u64) -> Option<&ZulipUser> {
        self.config.users.iter().find(|u| u.user_id == user_id)
    }

    fn away_is_presence(&self) -> bool {
        self.config.feature_level >= AWAY_IS_PRESENCE_FL
    }

    /// `false` for unknown users.
    pub(crate) fn presence_enabled(&self, user_id: u64) -> bool {
        self.presence_enabled
            .get(&user_id)
            .copied()
            .unwrap_or(false)
    }

    pub(crate) fn set_presence_enabled(&mut self, user_id: u64, enabled: bool) {
        if self.user(user_id).is_some() {
            self.presence_enabled.insert(user_id, enabled);
        }
    }

    /// The stored status; `away` derived from presence on FL >= 148. Default for unknown users.
    pub(crate) fn status_of(&self, user_id: u64) -> UserStatus {
        let mut status = self.statuses.get(&user_id).cloned().unwrap_or_default();
        if self.away_is_presence() {
            status.away = self.user(user_id).is_some() && !self.presence_enabled(user_id);
        }
        status
    }

    /// Replaces a user's whole status (test setup). No-op for unknown users.
    pub(crate) fn set_status(&mut self, user_id: u64, status: UserStatus) {
        let change = StatusChange {
            away: Some(status.away),
            status_text: Some(status.status_text),
            emoji: Some((status.emoji_name, status.emoji_code, status.reaction_type)),
        };
        self.apply(user_id, change);
    }

    /// Stores what a valid status request changes (`do_update_user_status`).
    pub(crate) fn apply(&mut self, user_id: u64, change: StatusChange) {
        if self.user(user_id).is_none() {
            return;
        }
        let away_is_presence = self.away_is_presence();
        if let (Some(away), true) = (change.away, away_is_presence) {
            self.set_presence_enabled(user_id, !away);
        }
        let status = self.statuses.entry(user_id).or_default();
        if let (Some(away), false) = (change.away, away_is_presence) {
            status.away = away;
        }
        if let Some(text) = change.status_text {
            status.status_text = text;
        }
        if let Some((name, code, kind)) = change.emoji {
            // Zulip stores reaction_type "unicode_emoji" for a cleared emoji; the API never
            // shows it, so the fake reports a cleared emoji as all-empty.
            let cleared = name.is_empty();
            status.emoji_name = name;
            status.emoji_code = if cleared { String::new() } else { code };
            status.reaction_type = if cleared { String::new() } else { kind };
        }
    }
}

impl crate::runtime::FakeState for State {
    type Recorded = RecordedRequest;

    fn requests_mut(&mut self) -> &mut Vec<RecordedRequest> {
        &mut self.requests
    }

    fn faults_mut(&mut self) -> &mut FaultQueues {
        &mut self.faults
    }
}

/// Everything the request handlers need.
pub(crate) type Shared = crate::runtime::Shared<State>;
