//! The fake's configuration: accounts and their users, the Marketplace apps (a user-managed
//! OAuth app and a Server-to-Server app), and what [`ZoomPresence`] reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The account of alice, bob and carol.
pub const DEFAULT_ACCOUNT: &str = "acct-0001";
/// The account of dave.
pub const OTHER_ACCOUNT: &str = "acct-0002";
/// alice's user id (owner of [`DEFAULT_ACCOUNT`] and of both default apps).
pub const ALICE_ID: &str = "aliceZ00m0000000000001";
pub const BOB_ID: &str = "bobZ00m000000000000002";
pub const CAROL_ID: &str = "carolZ00m0000000000003";
pub const DAVE_ID: &str = "daveZ00m00000000000004";
/// The default user-managed (General, user-level OAuth) app.
pub const USER_APP_CLIENT_ID: &str = "presently-user-app";
pub const USER_APP_CLIENT_SECRET: &str = "user-app-secret-0123456789";
/// The default Server-to-Server OAuth app (account [`DEFAULT_ACCOUNT`], owner alice).
pub const S2S_APP_CLIENT_ID: &str = "presently-s2s-app";
pub const S2S_APP_CLIENT_SECRET: &str = "s2s-secret-0123456789";

/// One Zoom user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoomUser {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_id: String,
    /// `Owner`, `Admin` or `Member` (Zoom's built-in roles); owners and admins are admins.
    pub role_name: String,
    /// Zoom's user `type`: 1 Basic, 2 Licensed.
    pub user_type: u32,
    /// Logged in to a Zoom desktop/mobile client; if not, presence updates fail with 5301.
    pub signed_in_to_client: bool,
    /// The client version, e.g. `6.2.0`; below 5.3.0 only `Away`/`Available` → DND is allowed.
    pub client_version: String,
}

impl ZoomUser {
    /// Owners and admins manage other users of their account.
    pub fn is_admin(&self) -> bool {
        self.role_name == "Owner" || self.role_name == "Admin"
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// What kind of Marketplace app a client id belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ZoomAppKind {
    /// A General app authorized per user (authorization code grant, PKCE, refresh tokens).
    /// `/oauth/authorize` accepts exactly these redirect URLs (exact string match).
    UserManaged { redirect_urls: Vec<String> },
    /// A Server-to-Server OAuth app: `account_credentials` grant for this account only.
    ServerToServer { account_id: String },
}

/// A Marketplace app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoomApp {
    pub client_id: String,
    pub client_secret: String,
    #[serde(flatten)]
    pub kind: ZoomAppKind,
    /// Granular scopes the app was created with, e.g. `user:update:presence_status`. Scopes
    /// ending in `:admin` reach other users of the account.
    pub scopes: Vec<String>,
    /// The user id of the app's creator: for a Server-to-Server app, who `me` is.
    pub owner: String,
}

/// A user's presence as the fake holds it (after any DND with an end has run out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoomPresence {
    /// `Available`, `Away`, `Do_Not_Disturb` (also when set as `Do_No_Disturb`), ...
    pub status: String,
    /// The DND duration of the update that set it (20 when none was sent).
    pub duration_minutes: Option<u32>,
    /// When the DND ends.
    pub end_time: Option<DateTime<Utc>>,
}

/// How the fake behaves. [`Default`] is documented in [`crate::zoom`].
#[derive(Clone, Debug)]
pub struct ZoomFakeConfig {
    pub users: Vec<ZoomUser>,
    pub apps: Vec<ZoomApp>,
    /// Who is signed in to zoom.us in "the browser" that opens `/oauth/authorize` (id or
    /// email); alice by default.
    pub browser_user: String,
    /// The browser user clicks "Decline" instead of "Allow".
    pub deny_consent: bool,
    /// Which spelling of do-not-disturb the server takes. The seed's prose says
    /// `Do_Not_Disturb`, its schema enum `Do_No_Disturb`; which one Zoom accepts is
    /// UNCONFIRMED, so the fake takes both by default and either alone when told.
    pub dnd_spelling: DndSpelling,
    /// How long an access token from the authorization-code grant works, when not Zoom's
    /// hour: zero models one that has run out by its first use (short-lived tokens, or a
    /// skewed clock). Renewed tokens always get the hour.
    pub code_grant_access_ttl: Option<chrono::Duration>,
}

/// The do-not-disturb spellings a fake server accepts (see [`ZoomFakeConfig::dnd_spelling`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DndSpelling {
    #[default]
    Both,
    /// Only `Do_Not_Disturb` (the seed's prose).
    ProseOnly,
    /// Only `Do_No_Disturb` (the seed's schema enum).
    SchemaOnly,
}

impl ZoomFakeConfig {
    /// Adds `url` to the redirect URLs of the first user-managed app (the default
    /// `presently-user-app`).
    ///
    /// # Panics
    /// If there is no user-managed app.
    pub fn with_redirect_url(mut self, url: &str) -> Self {
        let redirect_urls = self
            .apps
            .iter_mut()
            .find_map(|app| match &mut app.kind {
                ZoomAppKind::UserManaged { redirect_urls } => Some(redirect_urls),
                ZoomAppKind::ServerToServer { .. } => None,
            })
            .expect("the config has a user-managed app");
        redirect_urls.push(url.to_owned());
        self
    }
}

fn user(id: &str, name: &str, last: &str, account: &str, role: &str, signed_in: bool) -> ZoomUser {
    let first = name[..1].to_uppercase() + &name[1..];
    ZoomUser {
        id: id.to_owned(),
        email: format!("{name}@example.com"),
        first_name: first,
        last_name: last.to_owned(),
        account_id: account.to_owned(),
        role_name: role.to_owned(),
        user_type: 2,
        signed_in_to_client: signed_in,
        client_version: "6.2.0".to_owned(),
    }
}

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for ZoomFakeConfig {
    fn default() -> Self {
        ZoomFakeConfig {
            users: vec![
                user(ALICE_ID, "alice", "Owner", DEFAULT_ACCOUNT, "Owner", true),
                user(BOB_ID, "bob", "Member", DEFAULT_ACCOUNT, "Member", true),
                user(
                    CAROL_ID,
                    "carol",
                    "Member",
                    DEFAULT_ACCOUNT,
                    "Member",
                    false,
                ),
                user(DAVE_ID, "dave", "Elsewhere", OTHER_ACCOUNT, "Owner", true),
            ],
            apps: vec![
                ZoomApp {
                    client_id: USER_APP_CLIENT_ID.to_owned(),
                    client_secret: USER_APP_CLIENT_SECRET.to_owned(),
                    kind: ZoomAppKind::UserManaged {
                        redirect_urls: Vec::new(),
                    },
                    scopes: scopes(&[
                        "user:read:user",
                        "user:read:presence_status",
                        "user:update:presence_status",
                    ]),
                    owner: ALICE_ID.to_owned(),
                },
                ZoomApp {
                    client_id: S2S_APP_CLIENT_ID.to_owned(),
                    client_secret: S2S_APP_CLIENT_SECRET.to_owned(),
                    kind: ZoomAppKind::ServerToServer {
                        account_id: DEFAULT_ACCOUNT.to_owned(),
                    },
                    scopes: scopes(&[
                        "user:read:user:admin",
                        "user:read:presence_status:admin",
                        "user:update:presence_status:admin",
                    ]),
                    owner: ALICE_ID.to_owned(),
                },
            ],
            browser_user: ALICE_ID.to_owned(),
            deny_consent: false,
            dnd_spelling: DndSpelling::Both,
            code_grant_access_ttl: None,
        }
    }
}
