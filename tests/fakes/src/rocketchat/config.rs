//! The fake's configuration: server version, users (passwords, second factors, permissions),
//! workspace settings, rate limit and personal access tokens.

use serde::{Deserialize, Serialize};

/// Permission to set other users' statuses (`users.setStatus` with `userId`/`username`).
pub const PERM_EDIT_OTHER_USER_INFO: &str = "edit-other-user-info";
/// Permission for `custom-user-status.create/update/delete`.
pub const PERM_MANAGE_USER_STATUS: &str = "manage-user-status";
/// Permission to create personal access tokens (informational: the fake has no endpoint for it).
pub const PERM_CREATE_PERSONAL_ACCESS_TOKENS: &str = "create-personal-access-tokens";

/// One account on the fake server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcUser {
    /// Meteor-style 17-character id, e.g. `aliceid0000000001`.
    pub user_id: String,
    pub username: String,
    pub email: String,
    /// Display name.
    pub name: String,
    pub password: String,
    /// `Some(code)`: two-factor authentication by authenticator app (TOTP) is enabled and this
    /// is the only code the fake accepts.
    pub totp_code: Option<String>,
    /// `Some(code)`: two-factor authentication by email is enabled; this is the code the fake
    /// "mails" (it is never sent anywhere).
    pub email_code: Option<String>,
    /// Permission names, e.g. `edit-other-user-info`, `manage-user-status`,
    /// `create-personal-access-tokens`.
    pub permissions: Vec<String>,
}

impl RcUser {
    pub(crate) fn can(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// Roles shown in `/me`: `user`, plus `admin` for a user who may manage statuses or edit
    /// other users (the fake has no role model; permissions decide everything).
    pub(crate) fn roles(&self) -> Vec<&'static str> {
        if self.can(PERM_EDIT_OTHER_USER_INFO) || self.can(PERM_MANAGE_USER_STATUS) {
            vec!["user", "admin"]
        } else {
            vec!["user"]
        }
    }
}

/// A user's status as the server stores it: `statusText` and `status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcStatus {
    /// `statusText`; empty means none.
    pub message: String,
    /// `online`, `away`, `busy` or `offline` (offline = invisible).
    pub status: String,
}

impl Default for RcStatus {
    /// No text, `online` (a user with a client open).
    fn default() -> Self {
        RcStatus {
            message: String::new(),
            status: "online".to_owned(),
        }
    }
}

/// An admin-defined custom status preset (`custom-user-status.*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomStatus {
    /// 24 hex digits, like the Mongo ObjectIds Rocket.Chat uses for these.
    pub id: String,
    pub name: String,
    /// `online`, `away`, `busy`, `offline`, or empty (create without `statusType`).
    pub status_type: String,
}

/// How the fake behaves. [`Default`] is a Rocket.Chat 7.4.0 workspace with an admin (alice), a
/// member with TOTP (bob), a member with email 2FA (carol), one personal access token for
/// alice, and the server's default rate limit of 10 calls per route and IP per minute.
#[derive(Clone, Debug)]
pub struct RcFakeConfig {
    /// Full server version, e.g. `7.4.0` (`GET /api/info` shows only `7.4` to anonymous callers).
    pub version: String,
    pub users: Vec<RcUser>,
    /// Setting `Accounts_AllowUserStatusMessageChange` (server default `true`).
    pub allow_status_message_change: bool,
    /// Setting `Accounts_AllowInvisibleStatusOption` (server default `true`).
    pub allow_invisible: bool,
    /// `API_Enable_Rate_Limiter_Limit_Calls_Default`: calls per route and client IP per
    /// 60-second window (server default 10). `0` turns the limiter off (no `X-RateLimit-*`
    /// headers at all, as on a server with the limiter disabled).
    pub rate_limit_per_minute: u32,
    /// `(user_id, token)`: personal access tokens, usable as `X-Auth-Token`.
    pub personal_access_tokens: Vec<(String, String)>,
}

impl Default for RcFakeConfig {
    fn default() -> Self {
        let user = |id: &str, username: &str, name: &str, permissions: &[&str]| RcUser {
            user_id: id.to_owned(),
            username: username.to_owned(),
            email: format!("{username}@example.com"),
            name: name.to_owned(),
            password: format!("{username}-password"),
            totp_code: None,
            email_code: None,
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        };
        let alice = user(
            "aliceid0000000001",
            "alice",
            "Alice Admin",
            &[
                PERM_EDIT_OTHER_USER_INFO,
                PERM_MANAGE_USER_STATUS,
                PERM_CREATE_PERSONAL_ACCESS_TOKENS,
            ],
        );
        let bob = RcUser {
            totp_code: Some("123456".to_owned()),
            ..user("bobid000000000002", "bob", "Bob Member", &[])
        };
        let carol = RcUser {
            email_code: Some("654321".to_owned()),
            ..user("carolid0000000003", "carol", "Carol Member", &[])
        };
        RcFakeConfig {
            version: "7.4.0".to_owned(),
            users: vec![alice, bob, carol],
            allow_status_message_change: true,
            allow_invisible: true,
            rate_limit_per_minute: 10,
            personal_access_tokens: vec![(
                "aliceid0000000001".to_owned(),
                "alice-pat-0123456789".to_owned(),
            )],
        }
    }
}
