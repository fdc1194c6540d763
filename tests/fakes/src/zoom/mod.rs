//! A fake Zoom for presence: the OAuth host (`/oauth/authorize` consent page with PKCE,
//! `/oauth/token` with the `authorization_code`, rotating `refresh_token` and Server-to-Server
//! `account_credentials` grants) and the API host (`/v2/users/{userId}`,
//! `/v2/users/{userId}/presence_status` GET and PUT) on one port, a fake clock, and
//! injectable faults (the same [`Fault`] kinds as the other fakes).
//!
//! Start one with [`FakeZoom::start`]; the client's `api_base` is [`FakeZoom::api_base`]
//! (`{url}/v2`) and its `auth_base` is [`FakeZoom::auth_base`] (`{url}`). Inspect it with
//! [`FakeZoom::presence_of`], [`FakeZoom::presence_updates`], [`FakeZoom::requests`], or over
//! HTTP with `GET /__fake/state` (no auth; see the `control` module for the other `/__fake`
//! endpoints).
//!
//! Rules follow <https://developers.zoom.us/docs/api/users/#tag/users/PUT/users/{userId}/presence_status>; wire bytes the sources do
//! not give are marked UNCONFIRMED where they are chosen.
//!
//! # Defaults ([`ZoomFakeConfig::default`])
//!
//! | user | id | email | account | role | signed in to the client |
//! |---|---|---|---|---|---|
//! | alice | `aliceZ00m0000000000001` | `alice@example.com` | `acct-0001` | Owner | yes |
//! | bob | `bobZ00m000000000000002` | `bob@example.com` | `acct-0001` | Member | yes |
//! | carol | `carolZ00m0000000000003` | `carol@example.com` | `acct-0001` | Member | **no** |
//! | dave | `daveZ00m00000000000004` | `dave@example.com` | `acct-0002` | Owner | yes |
//!
//! Everyone runs client `6.2.0` and starts `Available`.
//!
//! | app | client id | secret | kind | scopes |
//! |---|---|---|---|---|
//! | user-managed | `presently-user-app` | `user-app-secret-0123456789` | General, no redirect URLs (add with [`ZoomFakeConfig::with_redirect_url`] or [`FakeZoom::add_redirect_url`]) | `user:read:user user:read:presence_status user:update:presence_status` |
//! | Server-to-Server | `presently-s2s-app` | `s2s-secret-0123456789` | account `acct-0001`, owner alice | `user:read:user:admin user:read:presence_status:admin user:update:presence_status:admin` |
//!
//! The browser at `/oauth/authorize` is signed in as alice and consents.
//!
//! # Choices worth knowing
//!
//! - Access tokens live 1 hour of the fake clock (`expires_in` 3599); then `401
//!   {"code":124,"message":"Access token is expired."}`. Unknown tokens and a missing header:
//!   `401 {"code":124,"message":"Invalid access token."}`.
//! - Every token-endpoint error is HTTP 400 `{"reason":..,"error":..}`, bad client
//!   credentials included (Zoom's observed behaviour, not RFC 6749's 401).
//! - A timed DND that runs out falls back to the status before it.
//! - The fake clock runs in real time too; [`FakeZoom::advance_clock`] adds to it.

mod api_auth;
mod authorize;
mod client_auth;
mod clock;
mod config;
mod control;
mod dispatch;
mod error;
mod params;
mod pkce;
mod presence;
mod presence_rules;
mod random;
mod recorded;
mod reply;
mod routes;
mod server;
mod state;
mod token_endpoint;
mod tokens;
mod users;

pub use crate::faults::Fault;
pub use config::{
    DndSpelling, ZoomApp, ZoomAppKind, ZoomFakeConfig, ZoomPresence, ZoomUser, ALICE_ID, BOB_ID,
    CAROL_ID, DAVE_ID, DEFAULT_ACCOUNT, OTHER_ACCOUNT, S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET,
    USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET,
};
pub use pkce::s256 as pkce_s256_challenge;
pub use recorded::RecordedRequest;
pub use server::FakeZoom;
