//! A fake Rocket.Chat 7.x workspace: the REST endpoints Presently uses (`/api/info`, login
//! with password and TOTP/email second factor, logout, `/me`, `users.setStatus/getStatus/info`,
//! `custom-user-status.*`), `X-Auth-Token`/`X-User-Id` auth with login tokens and personal
//! access tokens, permissions, workspace settings, the per-route-and-IP rate limiter, and
//! injectable faults (the same [`Fault`] kinds as the fake Zulip).
//!
//! Start one with [`FakeRocketChat::start`]; inspect it with [`FakeRocketChat::status_of`],
//! [`FakeRocketChat::requests`], or over HTTP with `GET /__fake/state` (no auth).
//!
//! Wire format and rules follow Rocket.Chat's REST API docs (<https://developer.rocket.chat/apidocs>) and server code (RocketChat/Rocket.Chat `apps/meteor/app/api/server/v1/users.ts`), and where the contract
//! lists fields without quoting bytes, the server code it cites (`ApiClass.ts`,
//! `users.ts`, `custom-user-status.ts`, `insertOrUpdateUserStatus.ts`, the 2FA checks).
//! Choices that go beyond the sources are marked UNCONFIRMED or APPROXIMATE where they are made.

mod auth;
mod config;
mod control;
mod custom_status;
mod dispatch;
mod endpoints;
mod error;
mod params;
mod rate_limit;
mod recorded;
mod reply;
mod routes;
mod server;
mod state;
mod text;

pub use crate::faults::Fault;
pub use config::{
    CustomStatus, RcFakeConfig, RcStatus, RcUser, PERM_CREATE_PERSONAL_ACCESS_TOKENS,
    PERM_EDIT_OTHER_USER_INFO, PERM_MANAGE_USER_STATUS,
};
pub use recorded::{RecordedRequest, Truncation};
pub use server::FakeRocketChat;
