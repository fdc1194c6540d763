//! The fake workspace's mutable state behind one mutex, shared by the server and the
//! [`super::FakeSlack`] handle: configuration, the fake clock, each person's profile status,
//! presence and snooze, issued codes and tokens, the rate limiter, recorded requests and
//! pending faults.

use std::collections::HashMap;

use super::clock::Clock;
use super::config::{SlackApp, SlackFakeConfig, SlackUser, PASTED_TOKEN_APP_ID};
use super::random::Random;
use super::rate_limit::Limiter;
use super::tokens::{AccessToken, Kind, Tokens};
use crate::faults::FaultQueues;

pub use super::profile::SlackProfile;
pub use super::recorded::RecordedRequest;

/// What Slack keeps about one person.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    profile: SlackProfile,
    /// `auto` or `away`, as `users.setPresence` last set it.
    pub presence: String,
    /// When the running snooze ends (Unix seconds).
    snooze_end: Option<i64>,
    /// Accepted `users.profile.set` calls that changed this profile.
    pub writes: usize,
}

impl Default for Person {
    fn default() -> Self {
        Person {
            profile: SlackProfile::default(),
            presence: "auto".into(),
            snooze_end: None,
            writes: 0,
        }
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub config: SlackFakeConfig,
    pub clock: Clock,
    people: HashMap<String, Person>,
    pub tokens: Tokens,
    pub limiter: Limiter,
    pub requests: Vec<RecordedRequest>,
    /// Untargeted ones for the next request under `/api/`.
    pub faults: FaultQueues,
    pub random: Random,
}

/// A pasted token is a bot token when it looks like one (`xoxb-`) or is a bot user's.
fn pasted_kind(config: &SlackFakeConfig, user_id: &str, token: &str) -> Kind {
    let bot_user = config.users.iter().any(|u| u.id == user_id && u.is_bot);
    if token.starts_with("xoxb-") || bot_user {
        Kind::Bot
    } else {
        Kind::User
    }
}

impl State {
    pub(crate) fn new(config: SlackFakeConfig) -> Self {
        let mut tokens = Tokens::default();
        for (user_id, token, scopes) in &config.tokens {
            tokens.access.push(AccessToken {
                token: token.clone(),
                user_id: user_id.clone(),
                scopes: scopes.clone(),
                app_id: PASTED_TOKEN_APP_ID.to_owned(),
                kind: pasted_kind(&config, user_id, token),
                expires_at: None,
                revoked: false,
                grant: None,
            });
        }
        State {
            config,
            clock: Clock::new(),
            people: HashMap::new(),
            tokens,
            limiter: Limiter::default(),
            requests: Vec::new(),
            faults: FaultQueues::default(),
            random: Random::default(),
        }
    }

    /// Unix seconds on the fake clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.unix()
    }

    pub(crate) fn user(&self, id: &str) -> Option<&SlackUser> {
        self.config.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn app(&self, client_id: &str) -> Option<&SlackApp> {
        self.config.apps.iter().find(|a| a.client_id == client_id)
    }

    /// The team id's digits, for token shapes (`T0PRESENT` → `0`).
    pub(crate) fn team_digits(&self) -> String {
        let digits: String = self
            .config
            .team_id
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            "1".into()
        } else {
            digits
        }
    }

    fn person_mut(&mut self, user_id: &str) -> &mut Person {
        let now = self.now();
        let person = self.people.entry(user_id.to_owned()).or_default();
        person.profile = std::mem::take(&mut person.profile).settled(now);
        if person.snooze_end.is_some_and(|end| end <= now) {
            person.snooze_end = None;
        }
        person
    }

    fn person(&self, user_id: &str) -> Person {
        self.people.get(user_id).cloned().unwrap_or_default()
    }

    /// The profile status now (an expired one reads as cleared).
    pub(crate) fn profile(&self, user_id: &str) -> SlackProfile {
        self.person(user_id).profile.settled(self.now())
    }

    /// Stores a profile status; `counted` for an accepted `users.profile.set`.
    pub(crate) fn set_profile(&mut self, user_id: &str, profile: SlackProfile, counted: bool) {
        let person = self.person_mut(user_id);
        person.profile = profile;
        if counted {
            person.writes += 1;
        }
    }

    pub(crate) fn profile_writes(&self, user_id: &str) -> usize {
        self.person(user_id).writes
    }

    pub(crate) fn presence(&self, user_id: &str) -> String {
        self.person(user_id).presence
    }

    pub(crate) fn set_presence(&mut self, user_id: &str, presence: &str) {
        presence.clone_into(&mut self.person_mut(user_id).presence);
    }

    /// When the running snooze ends; `None` without one (or once it ended).
    pub(crate) fn snooze_end(&self, user_id: &str) -> Option<i64> {
        let now = self.now();
        self.person(user_id).snooze_end.filter(|end| *end > now)
    }

    pub(crate) fn set_snooze_end(&mut self, user_id: &str, end: Option<i64>) {
        self.person_mut(user_id).snooze_end = end;
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
