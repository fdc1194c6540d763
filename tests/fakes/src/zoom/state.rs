//! The fake's mutable state behind one mutex, shared by the server and the
//! [`super::FakeZoom`] handle: configuration (users' flags change at run time), the fake
//! clock, presence, issued codes and tokens, recorded requests and pending faults.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::clock::Clock;
use super::config::{ZoomApp, ZoomAppKind, ZoomFakeConfig, ZoomPresence, ZoomUser};
use super::presence_rules::{Update, AVAILABLE, DND};
use super::random::Random;
use super::recorded::RecordedRequest;
use super::tokens::Tokens;
use crate::faults::FaultQueues;

/// A user's presence record.
#[derive(Clone, Debug)]
pub(crate) struct Presence {
    pub status: String,
    pub duration: Option<u32>,
    pub end: Option<DateTime<Utc>>,
    /// What a DND with an end falls back to: the status before it (choice: Zoom's behaviour
    /// when a timed DND runs out is UNCONFIRMED).
    pub before_dnd: String,
    /// When the last accepted update arrived (for the one-update-per-minute rule).
    pub last_update: Option<DateTime<Utc>>,
    /// Every accepted update: `(status, duration)`.
    pub updates: Vec<(String, Option<u32>)>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            status: AVAILABLE.to_owned(),
            duration: None,
            end: None,
            before_dnd: AVAILABLE.to_owned(),
            last_update: None,
            updates: Vec::new(),
        }
    }
}

impl Presence {
    /// Ends a DND whose time is up.
    fn settle(&mut self, now: DateTime<Utc>) {
        if self.end.is_some_and(|end| end <= now) {
            self.status = self.before_dnd.clone();
            self.duration = None;
            self.end = None;
        }
    }

    fn public(&self) -> ZoomPresence {
        ZoomPresence {
            status: self.status.clone(),
            duration_minutes: self.duration,
            end_time: self.end,
        }
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub config: ZoomFakeConfig,
    pub clock: Clock,
    presence: HashMap<String, Presence>,
    pub tokens: Tokens,
    pub requests: Vec<RecordedRequest>,
    /// Untargeted ones for the next request under `/v2/`.
    pub faults: FaultQueues,
    pub random: Random,
}

impl State {
    pub(crate) fn new(config: ZoomFakeConfig) -> Self {
        State {
            config,
            clock: Clock::new(),
            presence: HashMap::new(),
            tokens: Tokens::default(),
            requests: Vec::new(),
            faults: FaultQueues::default(),
            random: Random::default(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// By id (exact) or email (any case), as the API's `{userId}` takes either.
    pub(crate) fn user(&self, id_or_email: &str) -> Option<&ZoomUser> {
        self.config
            .users
            .iter()
            .find(|u| u.id == id_or_email || u.email.eq_ignore_ascii_case(id_or_email))
    }

    pub(crate) fn user_mut(&mut self, id_or_email: &str) -> Option<&mut ZoomUser> {
        self.config
            .users
            .iter_mut()
            .find(|u| u.id == id_or_email || u.email.eq_ignore_ascii_case(id_or_email))
    }

    pub(crate) fn app(&self, client_id: &str) -> Option<&ZoomApp> {
        self.config.apps.iter().find(|a| a.client_id == client_id)
    }

    /// Adds a redirect URL to a user-managed app; `false` if there is no such app.
    pub(crate) fn add_redirect_url(&mut self, client_id: &str, url: &str) -> bool {
        let app = self
            .config
            .apps
            .iter_mut()
            .find(|a| a.client_id == client_id);
        match app.map(|a| &mut a.kind) {
            Some(ZoomAppKind::UserManaged { redirect_urls }) => {
                if !redirect_urls.iter().any(|u| u == url) {
                    redirect_urls.push(url.to_owned());
                }
                true
            }
            _ => false,
        }
    }

    fn presence_mut(&mut self, user_id: &str) -> &mut Presence {
        let now = self.now();
        let presence = self.presence.entry(user_id.to_owned()).or_default();
        presence.settle(now);
        presence
    }

    /// The user's presence now (a timed DND that ran out is over).
    pub(crate) fn presence(&self, user_id: &str) -> ZoomPresence {
        let mut presence = self.presence.get(user_id).cloned().unwrap_or_default();
        presence.settle(self.now());
        presence.public()
    }

    /// When the last accepted update of the user arrived.
    pub(crate) fn last_update(&self, user_id: &str) -> Option<DateTime<Utc>> {
        self.presence.get(user_id).and_then(|p| p.last_update)
    }

    pub(crate) fn updates(&self, user_id: &str) -> Vec<(String, Option<u32>)> {
        self.presence
            .get(user_id)
            .map(|p| p.updates.clone())
            .unwrap_or_default()
    }

    /// Stores an accepted update.
    pub(crate) fn apply(&mut self, user_id: &str, update: &Update) {
        let now = self.now();
        let presence = self.presence_mut(user_id);
        if update.status == DND {
            if presence.status != DND {
                presence.before_dnd = presence.status.clone();
            }
            presence.end = update
                .duration
                .map(|minutes| now + Duration::minutes(i64::from(minutes)));
        } else {
            presence.end = None;
        }
        presence.status = update.status.to_owned();
        presence.duration = update.duration;
        presence.last_update = Some(now);
        presence
            .updates
            .push((update.status.to_owned(), update.duration));
    }

    /// Test setup: sets a status without rules, limits or history (DND without an end).
    pub(crate) fn force_status(&mut self, user_id: &str, status: &str) {
        let presence = self.presence_mut(user_id);
        if status == DND && presence.status != DND {
            presence.before_dnd = presence.status.clone();
        }
        presence.status = status.to_owned();
        presence.duration = None;
        presence.end = None;
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
