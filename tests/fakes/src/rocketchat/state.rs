//! The fake's mutable state (statuses, login tokens, custom statuses, pending email codes,
//! recorded requests, pending faults, rate counters) behind one mutex, shared by the server and
//! the [`super::FakeRocketChat`] handle.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::config::{CustomStatus, RcFakeConfig, RcStatus, RcUser};
use super::rate_limit::RateLimiter;
use super::recorded::RecordedRequest;
use super::reply::js_date;
use crate::faults::FaultQueues;

/// `Random.secret()`'s alphabet (login tokens are 43 of these).
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A token in `services.resume.loginTokens`: a login token, or a personal access token (PATs
/// live in the same list, so logout and "log out everywhere" drop them too).
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub token: String,
    pub user_id: String,
    pub personal: bool,
}

/// What the server stores per user for statuses.
#[derive(Clone, Debug, Default)]
pub(crate) struct UserStatus {
    pub status: RcStatus,
    /// `statusText` exists in the user document (set once, even to `""`); a user who never
    /// set one has no `statusText` key in `/me` and `users.info`.
    pub text_set: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct CustomRecord {
    pub id: String,
    pub name: String,
    pub status_type: String,
    pub updated_at: String,
}

impl CustomRecord {
    pub(crate) fn public(&self) -> CustomStatus {
        CustomStatus {
            id: self.id.clone(),
            name: self.name.clone(),
            status_type: self.status_type.clone(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub config: RcFakeConfig,
    statuses: HashMap<String, UserStatus>,
    pub tokens: Vec<Token>,
    /// Insertion order; the list endpoint sorts.
    pub custom: Vec<CustomRecord>,
    /// user id → expiry of the emailed 2FA code that is pending.
    pub email_codes: HashMap<String, DateTime<Utc>>,
    pub requests: Vec<RecordedRequest>,
    /// Untargeted ones for the next request under `/api/`.
    pub faults: FaultQueues,
    pub limiter: RateLimiter,
    random: RandomState,
    counter: u64,
}

impl State {
    pub(crate) fn new(config: RcFakeConfig, created: Instant) -> Self {
        let tokens = config
            .personal_access_tokens
            .iter()
            .map(|(user_id, token)| Token {
                token: token.clone(),
                user_id: user_id.clone(),
                personal: true,
            })
            .collect();
        State {
            config,
            statuses: HashMap::new(),
            tokens,
            custom: Vec::new(),
            email_codes: HashMap::new(),
            requests: Vec::new(),
            faults: FaultQueues::default(),
            limiter: RateLimiter::new(created),
            random: RandomState::new(),
            counter: 0,
        }
    }

    fn next_random(&mut self) -> u64 {
        self.counter += 1;
        let mut hasher = self.random.build_hasher();
        hasher.write_u64(self.counter);
        hasher.finish()
    }

    /// A fresh `Random.secret()`-style login token (43 characters).
    pub(crate) fn new_secret(&mut self) -> String {
        let mut out = String::with_capacity(43);
        while out.len() < 43 {
            let mut bits = self.next_random();
            for _ in 0..10 {
                if out.len() == 43 {
                    break;
                }
                out.push(char::from(SECRET_ALPHABET[(bits & 63) as usize]));
                bits >>= 6;
            }
        }
        out
    }

    /// A fresh ObjectId-style id: 8 hex digits of epoch seconds, then 16 of randomness.
    pub(crate) fn new_object_id(&mut self) -> String {
        let secs = u32::try_from(Utc::now().timestamp().max(0)).unwrap_or(u32::MAX);
        format!("{secs:08x}{:016x}", self.next_random())
    }

    pub(crate) fn user(&self, user_id: &str) -> Option<&RcUser> {
        self.config.users.iter().find(|u| u.user_id == user_id)
    }

    /// Meteor's username lookup ignores case.
    pub(crate) fn user_by_username(&self, username: &str) -> Option<&RcUser> {
        self.config
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&RcUser> {
        self.config
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub(crate) fn user_status(&self, user_id: &str) -> UserStatus {
        self.statuses.get(user_id).cloned().unwrap_or_default()
    }

    pub(crate) fn status_of(&self, user_id: &str) -> RcStatus {
        self.user_status(user_id).status
    }

    /// Replaces a user's status (test setup). No-op for unknown users.
    pub(crate) fn set_status(&mut self, user_id: &str, status: RcStatus) {
        if self.user(user_id).is_some() {
            self.statuses.insert(
                user_id.to_owned(),
                UserStatus {
                    status,
                    text_set: true,
                },
            );
        }
    }

    /// `Users.updateStatusText`.
    pub(crate) fn set_status_text(&mut self, user_id: &str, text: String) {
        let entry = self.statuses.entry(user_id.to_owned()).or_default();
        entry.status.message = text;
        entry.text_set = true;
    }

    /// `$set: {status, statusDefault}`.
    pub(crate) fn set_presence(&mut self, user_id: &str, status: &str) {
        let entry = self.statuses.entry(user_id.to_owned()).or_default();
        status.clone_into(&mut entry.status.status);
    }

    /// The user a login token or PAT belongs to.
    pub(crate) fn token_owner(&self, token: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.token == token)
    }

    pub(crate) fn remove_token(&mut self, token: &str) {
        self.tokens.retain(|t| t.token != token);
    }

    /// `Users.unsetLoginTokens`: every login token and personal access token of the user.
    pub(crate) fn revoke_tokens(&mut self, user_id: &str) {
        self.tokens.retain(|t| t.user_id != user_id);
    }

    pub(crate) fn custom_by_id(&self, id: &str) -> Option<&CustomRecord> {
        self.custom.iter().find(|c| c.id == id)
    }

    /// Inserts a custom status without any validation (test setup and the create endpoint).
    pub(crate) fn insert_custom(&mut self, name: &str, status_type: &str) -> String {
        let id = self.new_object_id();
        self.custom.push(CustomRecord {
            id: id.clone(),
            name: name.to_owned(),
            status_type: status_type.to_owned(),
            updated_at: js_date(Utc::now()),
        });
        id
    }

    /// Custom statuses sorted by name, as `custom-user-status.list` returns them by default.
    pub(crate) fn custom_sorted(&self) -> Vec<CustomRecord> {
        let mut all = self.custom.clone();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
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
