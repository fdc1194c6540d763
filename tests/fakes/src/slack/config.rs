//! What a fake Slack workspace starts with: the team, its people, the user tokens they
//! pasted, the workspace's custom emoji, the Slack apps that can sign people in (OAuth v2,
//! PKCE, token rotation), who is signed in to "the browser", and whether rate limits apply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// alice: the default browser user, with a pasted token that has every scope Presently uses.
pub const ALICE_ID: &str = "U0ALICE001";
/// bob: a pasted token with only `users.profile:read` and `emoji:read`.
pub const BOB_ID: &str = "U0BOB00002";
/// A bot user; its token (`xoxb-…`) is a bot token.
pub const BOT_ID: &str = "U0BOT00003";
/// The app a pasted token belongs to (the person's own app, installed by hand): the key of
/// its per-app rate limits.
pub const PASTED_TOKEN_APP_ID: &str = "A0PASTED01";
/// The default desktop app: PKCE on (a public client), token rotation on.
pub const DESKTOP_CLIENT_ID: &str = "1000000001.2000000001";
/// The default web app: a confidential client (secret), no PKCE, no rotation.
pub const WEB_CLIENT_ID: &str = "1000000001.2000000002";

/// Every user scope Presently asks for, and `users:read` (`users.getPresence`).
pub const USER_SCOPES: [&str; 7] = [
    "users.profile:write",
    "users.profile:read",
    "users:write",
    "users:read",
    "dnd:write",
    "dnd:read",
    "emoji:read",
];

/// One member of the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackUser {
    /// `U…`.
    pub id: String,
    /// The handle (`auth.test`'s `user`).
    pub name: String,
    pub real_name: String,
    /// Bots have no profile status of their own and only bot tokens.
    pub is_bot: bool,
    /// A workspace admin (on a paid plan) may set other people's profiles with
    /// `users.profile.set`'s `user` argument.
    pub is_admin: bool,
}

impl SlackUser {
    /// A person who is neither a bot nor an admin.
    pub fn new(id: &str, name: &str, real_name: &str) -> SlackUser {
        SlackUser {
            id: id.to_owned(),
            name: name.to_owned(),
            real_name: real_name.to_owned(),
            is_bot: false,
            is_admin: false,
        }
    }
}

/// A Slack app that can sign people in (`/oauth/v2/authorize` + `oauth.v2.access`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackApp {
    /// `A…`, as `oauth.v2.access` answers it.
    pub app_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The Redirect URLs of the app's OAuth & Permissions page. A `redirect_uri` must equal
    /// one or be a subdirectory of one; `http://localhost…` and custom schemes only work
    /// when `pkce` is on.
    pub redirect_urls: Vec<String>,
    /// PKCE switched on: the app is a public client (`code_verifier` instead of the secret).
    pub pkce: bool,
    /// Token rotation switched on: access tokens end after 12 hours and come with a
    /// refresh token.
    pub token_rotation: bool,
    /// The user scopes the app may ask for in `user_scope`.
    pub user_scopes_allowed: Vec<String>,
}

/// How the fake workspace behaves. [`Default`] gives a usable one: team `T0PRESENT`
/// "Presently Test", alice (pasted token with every scope), bob (a narrow token), a bot,
/// three custom emoji (one an alias), a PKCE desktop app with token rotation and a
/// classic web app; alice is signed in to the browser and consents; rate limits on.
#[derive(Clone, Debug)]
pub struct SlackFakeConfig {
    pub team_id: String,
    pub team_name: String,
    /// `https://{team_domain}.slack.com/` is the workspace URL `auth.test` answers.
    pub team_domain: String,
    pub users: Vec<SlackUser>,
    /// Pasted tokens: (user id, token, scopes). `xoxp-…` are user tokens; `xoxb-…` (or any
    /// token of a bot user) are bot tokens. They never expire.
    pub tokens: Vec<(String, String, Vec<String>)>,
    /// Custom emoji: name → image URL, or `alias:<other name>`.
    pub custom_emoji: BTreeMap<String, String>,
    pub apps: Vec<SlackApp>,
    /// Who is signed in to Slack in the browser that opens `/oauth/v2/authorize`.
    pub browser_user: String,
    /// The browser user clicks "Cancel" instead of "Allow" (redirect with
    /// `error=access_denied`).
    pub decline_consent: bool,
    /// Slack's per-minute limits (tiers and the profile-write rule); on by default.
    pub rate_limits: bool,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for SlackFakeConfig {
    fn default() -> Self {
        let mut bot = SlackUser::new(BOT_ID, "statusbot", "Status Bot");
        bot.is_bot = true;
        let custom_emoji = [
            (
                "acme_logo",
                "https://emoji.slack-edge.com/T0PRESENT/acme_logo/0a1b2c3d4e5f6071.png",
            ),
            (
                "party_parrot",
                "https://emoji.slack-edge.com/T0PRESENT/party_parrot/8192a3b4c5d6e7f8.gif",
            ),
            ("shipit", "alias:acme_logo"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        SlackFakeConfig {
            team_id: "T0PRESENT".into(),
            team_name: "Presently Test".into(),
            team_domain: "presently-test".into(),
            users: vec![
                SlackUser::new(ALICE_ID, "alice", "Alice Example"),
                SlackUser::new(BOB_ID, "bob", "Bob Example"),
                bot,
            ],
            tokens: vec![
                (
                    ALICE_ID.into(),
                    "xoxp-1000000001-1000000002-1000000003-0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
                    strings(&USER_SCOPES),
                ),
                (
                    BOB_ID.into(),
                    "xoxp-1000000001-1000000004-1000000005-f9e8d7c6b5a4039281706f5e4d3c2b1a".into(),
                    strings(&["users.profile:read", "emoji:read"]),
                ),
                (
                    BOT_ID.into(),
                    "xoxb-1000000001-1000000006-B0tT0kenPresently0123456".into(),
                    strings(&["users.profile:read", "users:read", "emoji:read"]),
                ),
            ],
            custom_emoji,
            apps: vec![
                SlackApp {
                    app_id: "A0DESKTOP1".into(),
                    client_id: DESKTOP_CLIENT_ID.into(),
                    client_secret: "d3sktop0app0secret0000000000000a".into(),
                    redirect_urls: strings(&[
                        "http://localhost:53682/slack/callback",
                        "presently://slack/callback",
                    ]),
                    pkce: true,
                    token_rotation: true,
                    user_scopes_allowed: strings(&USER_SCOPES),
                },
                SlackApp {
                    app_id: "A0WEBAPP02".into(),
                    client_id: WEB_CLIENT_ID.into(),
                    client_secret: "w3b0app0secret000000000000000000".into(),
                    redirect_urls: strings(&["https://presently.example.com/oauth/slack"]),
                    pkce: false,
                    token_rotation: false,
                    user_scopes_allowed: strings(&USER_SCOPES),
                },
            ],
            browser_user: ALICE_ID.into(),
            decline_consent: false,
            rate_limits: true,
        }
    }
}
