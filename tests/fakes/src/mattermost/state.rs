//! The fake server's state and the rules of its status routes, as the server code keeps
//! them: `server/channels/api4/status.go` (who may write, the body's `user_id`),
//! `server/channels/app/platform/status.go` (`manual`, `dnd_end_time` cut to the minute,
//! the status restored when do not disturb ends) and `server/public/model/custom_status.go`
//! (`AreDurationAndExpirationTimeValid`, text cut to 100 runes in `PreSave`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::config::{MmFakeConfig, MmUser};
use super::error::MmError;
use crate::faults::FaultQueues;
use crate::runtime::FakeState;

/// Longest custom status text the server keeps (`CustomStatusTextMaxRunes`).
pub(crate) const TEXT_MAX_RUNES: usize = 100;
/// The durations a custom status may name (`model/custom_status.go`).
const DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];

/// One request as the fake saw it, for test assertions; never a token or a password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub at: String,
    pub method: String,
    /// Path without the query string, e.g. `/api/v4/users/me/status/custom`.
    pub path: String,
    pub query: String,
    /// The JSON body with `password` replaced by `"<redacted>"` (`{}` if none).
    pub body: Value,
    /// The user the bearer token belonged to, if it was valid.
    pub user_id: Option<String>,
    pub status: Option<u16>,
    /// Set when the server cut the custom status text to 100 runes without a word.
    pub cut_text: Option<String>,
}

impl crate::runtime::Recorded for RecordedRequest {
    fn set_status(&mut self, status: u16) {
        self.status = Some(status);
    }
}

/// `model.Status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MmStatus {
    pub user_id: String,
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
    /// Unix seconds; 0 = no end.
    pub dnd_end_time: i64,
    #[serde(skip)]
    pub prev_status: String,
}

/// `model.CustomStatus` as stored (JSON text in the user's `props.customStatus`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmCustomStatus {
    pub emoji: String,
    pub text: String,
    pub duration: String,
    pub expires_at: String,
}

#[derive(Debug)]
pub(crate) struct State {
    pub config: MmFakeConfig,
    started: Instant,
    started_utc: DateTime<Utc>,
    offset: Duration,
    /// Session token → user id.
    pub sessions: HashMap<String, String>,
    pub statuses: HashMap<String, MmStatus>,
    /// User id → `props.customStatus` (`""` once cleared).
    pub custom: HashMap<String, String>,
    pub requests: Vec<RecordedRequest>,
    pub faults: FaultQueues,
    /// Client address → (tokens, last refill) for the rate limiter.
    pub buckets: HashMap<std::net::IpAddr, (f64, Instant)>,
    next_id: u64,
}

impl FakeState for State {
    type Recorded = RecordedRequest;

    fn requests_mut(&mut self) -> &mut Vec<RecordedRequest> {
        &mut self.requests
    }

    fn faults_mut(&mut self) -> &mut FaultQueues {
        &mut self.faults
    }
}

impl State {
    pub(crate) fn new(config: MmFakeConfig) -> State {
        State {
            config,
            started: Instant::now(),
            started_utc: Utc::now(),
            offset: Duration::ZERO,
            sessions: HashMap::new(),
            statuses: HashMap::new(),
            custom: HashMap::new(),
            requests: Vec::new(),
            faults: FaultQueues::default(),
            buckets: HashMap::new(),
            next_id: 0,
        }
    }

    /// The fake's wall clock: real time plus what tests added.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started.elapsed().saturating_add(self.offset);
        chrono::Duration::from_std(elapsed)
            .ok()
            .and_then(|d| self.started_utc.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }

    /// "9.11.2" → (9, 11).
    pub(crate) fn at_least(&self, since: (u32, u32)) -> bool {
        let mut parts = self
            .config
            .version
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= since
    }

    /// A new id: 26 lower-case letters and digits.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id += 1;
        let mut n = self.next_id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995;
        (0..26)
            .map(|_| {
                let c = b"abcdefghijklmnopqrstuvwxyz0123456789"[(n % 36) as usize];
                n = n / 36 + 7_919 * (c as u64);
                c as char
            })
            .collect()
    }

    pub(crate) fn user(&self, id: &str) -> Option<&MmUser> {
        self.config.users.iter().find(|u| u.id == id)
    }

    /// The user a bearer token belongs to: a session, or a personal access token while the
    /// server allows them.
    pub(crate) fn authenticate(&self, token: &str) -> Option<MmUser> {
        let user_id = self.sessions.get(token).cloned().or_else(|| {
            self.config
                .enable_user_access_tokens
                .then(|| {
                    self.config
                        .personal_access_tokens
                        .iter()
                        .find(|(_, t)| t == token)
                        .map(|(u, _)| u.clone())
                })
                .flatten()
        })?;
        self.user(&user_id).cloned()
    }

    /// A user's status at the fake's now: a do-not-disturb whose end passed is over, and
    /// the status before it is back (`UpdateExpiredDNDStatuses`, which the server runs
    /// every minute).
    pub(crate) fn status_of(&mut self, user_id: &str) -> MmStatus {
        let now = self.now().timestamp();
        let status = self
            .statuses
            .entry(user_id.to_owned())
            .or_insert_with(|| MmStatus {
                user_id: user_id.to_owned(),
                status: "offline".into(),
                manual: false,
                last_activity_at: 0,
                dnd_end_time: 0,
                prev_status: String::new(),
            });
        if status.status == "dnd" && status.dnd_end_time > 0 && status.dnd_end_time <= now {
            status.status = if status.prev_status.is_empty() {
                "online".into()
            } else {
                std::mem::take(&mut status.prev_status)
            };
            status.dnd_end_time = 0;
            status.manual = false;
        }
        status.clone()
    }

    /// `PUT /users/{user_id}/status` after the route's checks: `online` lets activity
    /// decide again; `away`, `offline` and `dnd` are manual; `dnd` remembers what was
    /// before and its end is cut to the minute (`truncateDNDEndTime`).
    pub(crate) fn set_status(
        &mut self,
        user_id: &str,
        word: &str,
        dnd_end_time: i64,
    ) -> Result<MmStatus, MmError> {
        if !self.config.enable_user_statuses {
            // The write is dropped and the read-back finds nothing.
            return Err(MmError::UserStatusNotFound);
        }
        let previous = self.status_of(user_id);
        let now = self.now();
        let timed_dnd = self.at_least((6, 1));
        let status = self.statuses.entry(user_id.to_owned()).or_insert(previous);
        if word == "dnd" {
            if status.status != "dnd" {
                status.prev_status = status.status.clone();
            }
            // Before 6.1 the field is unknown and do not disturb has no end.
            status.dnd_end_time = if timed_dnd && dnd_end_time > 0 {
                dnd_end_time - dnd_end_time.rem_euclid(60)
            } else {
                0
            };
        } else {
            status.dnd_end_time = 0;
            status.prev_status.clear();
        }
        status.status = word.to_owned();
        status.manual = word != "online";
        status.last_activity_at = now.timestamp_millis();
        Ok(status.clone())
    }

    /// The stored `props.customStatus` of a user.
    pub(crate) fn custom_of(&self, user_id: &str) -> String {
        self.custom.get(user_id).cloned().unwrap_or_default()
    }

    /// `PUT /users/{user_id}/status/custom` after the route's checks. Returns the text as
    /// sent when the server cut it.
    pub(crate) fn set_custom(
        &mut self,
        user_id: &str,
        body: &Value,
    ) -> Result<Option<String>, MmError> {
        let field = |name: &str| -> Result<String, MmError> {
            match &body[name] {
                Value::Null => Ok(String::new()),
                Value::String(s) => Ok(s.clone()),
                _ => Err(MmError::InvalidBodyParam("custom_status")),
            }
        };
        let (emoji, text) = (field("emoji")?, field("text")?);
        // `expires_at` is a Go `time.Time`: "" does not decode, absent is the zero time.
        if body
            .get("expires_at")
            .is_some_and(|v| v.as_str() == Some(""))
        {
            return Err(MmError::InvalidBodyParam("custom_status"));
        }
        let (mut duration, expires_at) = if self.at_least((5, 37)) {
            (field("duration")?, field("expires_at")?)
        } else {
            (String::new(), String::new())
        };
        if emoji.is_empty() && text.is_empty() {
            return Err(MmError::InvalidBodyParam("custom_status"));
        }
        // `AreDurationAndExpirationTimeValid`.
        let now = self.now();
        let expiry = if expires_at.is_empty() {
            None
        } else {
            Some(
                DateTime::parse_from_rfc3339(&expires_at)
                    .map_err(|_| MmError::InvalidBodyParam("custom_status"))?
                    .with_timezone(&Utc),
            )
        };
        // Go's zero time, 0001-01-01T00:00:00Z, is "no expiry".
        let zero = |at: DateTime<Utc>| at.timestamp() == -62_135_596_800;
        let zero_or_future = expiry.is_none_or(|at| zero(at) || at > now);
        let valid = if duration.is_empty() {
            zero_or_future
        } else {
            DURATIONS.contains(&duration.as_str()) && expiry.is_some_and(|at| at > now)
        };
        if !valid {
            return Err(MmError::InvalidBodyParam("custom_status"));
        }
        if duration.is_empty() && expiry.is_some_and(|at| at > now) {
            duration = "date_and_time".into();
        }
        let kept: String = text.chars().take(TEXT_MAX_RUNES).collect();
        let cut = (kept != text).then_some(text);
        let stored = MmCustomStatus {
            emoji,
            text: kept,
            duration,
            expires_at: expiry
                .filter(|at| !zero(*at))
                .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
        };
        let json = serde_json::to_string(&stored).unwrap_or_default();
        self.custom.insert(user_id.to_owned(), json);
        Ok(cut)
    }

    /// The user object a route answers (`User.Sanitize`: no password, no MFA secret).
    pub(crate) fn user_json(&self, user: &MmUser) -> Value {
        json!({
            "id": user.id,
            "create_at": self.started_utc.timestamp_millis(),
            "update_at": self.started_utc.timestamp_millis(),
            "delete_at": 0,
            "username": user.username,
            "auth_data": "",
            "auth_service": "",
            "email": user.email,
            "nickname": "",
            "first_name": "",
            "last_name": "",
            "position": "",
            "roles": user.roles,
            "is_bot": user.is_bot,
            "props": { "customStatus": self.custom_of(&user.id) },
            "locale": "en",
            "mfa_active": user.mfa_code.is_some(),
        })
    }
}
