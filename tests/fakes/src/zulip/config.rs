//! The fake's configuration: server version, users, custom emoji, realm state and limits.

use serde::{Deserialize, Serialize};

/// Zulip role numbers (`role` in `GET /users/me`).
pub(crate) const ROLE_OWNER: u32 = 100;
pub(crate) const ROLE_ADMIN: u32 = 200;
pub(crate) const ROLE_GUEST: u32 = 600;

/// One account on the fake server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZulipUser {
    pub user_id: u64,
    pub email: String,
    pub api_key: String,
    pub full_name: String,
    /// 100 owner, 200 admin, 300 moderator, 400 member, 600 guest.
    pub role: u32,
    pub is_bot: bool,
    pub is_active: bool,
}

impl ZulipUser {
    /// Zulip's `is_realm_admin`: owners and administrators.
    pub(crate) fn is_admin(&self) -> bool {
        self.role == ROLE_OWNER || self.role == ROLE_ADMIN
    }
}

/// A user's status as the server stores it. Empty strings mean "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    pub status_text: String,
    pub emoji_name: String,
    pub emoji_code: String,
    pub reaction_type: String,
    /// From feature level 148 on this is `!presence_enabled`.
    pub away: bool,
}

/// How the fake behaves. [`Default`] is a Zulip 11.2 server (feature level 420) with an admin
/// (alice), a member (bob), a bot, and two custom emoji (one deactivated).
#[derive(Clone, Debug)]
pub struct ZulipFakeConfig {
    pub feature_level: u32,
    pub zulip_version: String,
    pub users: Vec<ZulipUser>,
    /// `(id, name, deactivated)`; the author of every custom emoji is the first user.
    pub realm_emoji: Vec<(u64, String, bool)>,
    /// `(code, name)`: this server's own name for a Unicode emoji where it differs from the
    /// current table (an older or newer Zulip); its validation and its emoji data say so.
    pub unicode_renames: Vec<(String, String)>,
    pub realm_deactivated: bool,
    /// Per-user API requests allowed in any 60-second window (Zulip's default is 200).
    pub rate_limit_per_minute: u32,
    /// A server that dropped the deprecated `away` of `POST /users/me/status` ("To be
    /// removed in a future release", zulip.yaml): it is ignored and reported in
    /// `ignored_parameters_unsupported`, as any parameter a view does not read.
    pub away_removed: bool,
}

impl Default for ZulipFakeConfig {
    fn default() -> Self {
        let user = |user_id, name: &str, full_name: &str, api_key: &str, role, is_bot| ZulipUser {
            user_id,
            email: format!("{name}@example.com"),
            api_key: api_key.to_owned(),
            full_name: full_name.to_owned(),
            role,
            is_bot,
            is_active: true,
        };
        ZulipFakeConfig {
            feature_level: 420,
            zulip_version: "11.2".to_owned(),
            users: vec![
                user(
                    8,
                    "alice",
                    "Alice Admin",
                    "aliceKEY0123456789abcdef01234567",
                    ROLE_ADMIN,
                    false,
                ),
                user(
                    9,
                    "bob",
                    "Bob Member",
                    "bobKEY0123456789abcdef0123456789",
                    400,
                    false,
                ),
                user(
                    10,
                    "bot",
                    "Status Bot",
                    "botKEY0123456789abcdef0123456789",
                    400,
                    true,
                ),
            ],
            realm_emoji: vec![
                (1, "presently".to_owned(), false),
                (2, "old_logo".to_owned(), true),
            ],
            unicode_renames: Vec::new(),
            realm_deactivated: false,
            rate_limit_per_minute: 200,
            away_removed: false,
        }
    }
}
