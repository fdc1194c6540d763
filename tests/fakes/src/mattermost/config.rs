//! What a fake Mattermost server starts with: its version and settings, its users (with
//! passwords and MFA codes), their personal access tokens and the custom emoji.

use serde::{Deserialize, Serialize};

/// One user of the fake server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmUser {
    /// 26 lower-case letters and digits, as Mattermost's `NewId()`.
    pub id: String,
    pub username: String,
    pub email: String,
    pub password: String,
    /// The MFA code the user's authenticator shows (a fixed one: the fake has no TOTP
    /// clock); `None` for a user without MFA.
    pub mfa_code: Option<String>,
    /// Space-separated, e.g. "system_user" or "system_user system_admin" (a system admin
    /// may change other users' statuses: `edit_other_users`).
    pub roles: String,
    pub is_bot: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MmFakeConfig {
    /// The server version, "9.11.2"; features older servers lack follow it (custom status
    /// 5.33, its expiry 5.37, timed do not disturb 6.1).
    pub version: String,
    pub users: Vec<MmUser>,
    /// Personal access tokens: (user id, token).
    pub personal_access_tokens: Vec<(String, String)>,
    /// `ServiceSettings.EnableUserAccessTokens`: personal access tokens work only when on.
    pub enable_user_access_tokens: bool,
    /// `TeamSettings.EnableCustomUserStatuses` (default true): off, the custom-status
    /// routes answer 501.
    pub enable_custom_statuses: bool,
    /// `ServiceSettings.EnableUserStatuses` (default true): off, status writes are ignored
    /// and answer 404 "User not found.".
    pub enable_user_statuses: bool,
    /// `ServiceSettings.EnableCustomEmoji`: off, the emoji routes answer 501.
    pub enable_custom_emoji: bool,
    /// The server's custom emoji names.
    pub custom_emoji: Vec<String>,
    /// `RateLimitSettings`: `Some((per_second, max_burst))` when on (off by default, as on
    /// a new server); keyed by client address.
    pub rate_limit: Option<(u32, u32)>,
}

impl Default for MmFakeConfig {
    fn default() -> Self {
        MmFakeConfig {
            version: "9.11.2".into(),
            users: vec![
                MmUser {
                    id: "k7q3x9m2p8w4n6r1t5y0z3a8bc".into(),
                    username: "alice".into(),
                    email: "alice@example.com".into(),
                    password: "alice-password".into(),
                    mfa_code: None,
                    roles: "system_user".into(),
                    is_bot: false,
                },
                MmUser {
                    id: "a1b2c3d4e5f6g7h8i9j0k1l2mn".into(),
                    username: "root".into(),
                    email: "root@example.com".into(),
                    password: "root-password".into(),
                    mfa_code: Some("123456".into()),
                    roles: "system_user system_admin".into(),
                    is_bot: false,
                },
                MmUser {
                    id: "b0tb0tb0tb0tb0tb0tb0tb0tb0".into(),
                    username: "statusbot".into(),
                    email: "statusbot@localhost".into(),
                    password: String::new(),
                    mfa_code: None,
                    roles: "system_user".into(),
                    is_bot: true,
                },
            ],
            personal_access_tokens: vec![
                (
                    "k7q3x9m2p8w4n6r1t5y0z3a8bc".into(),
                    "pat-alice-3f9s8d7f6g5h4j3k2l1".into(),
                ),
                (
                    "b0tb0tb0tb0tb0tb0tb0tb0tb0".into(),
                    "pat-bot-0a9s8d7f6g5h4j3k2l1z".into(),
                ),
            ],
            enable_user_access_tokens: true,
            enable_custom_statuses: true,
            enable_user_statuses: true,
            enable_custom_emoji: true,
            custom_emoji: vec!["our_logo".into(), "shipit".into()],
            rate_limit: None,
        }
    }
}
