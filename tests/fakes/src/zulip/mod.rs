//! A fake Zulip server: `/api/v1` status, profile, emoji and settings endpoints, HTTP Basic
//! auth, per-user rate limits, feature-level gating, and injectable faults.
//!
//! Start one with [`FakeZulip::start`]; inspect it with [`FakeZulip::status_of`],
//! [`FakeZulip::requests`], or over HTTP with `GET /__fake/state` (no auth).

mod auth;
mod config;
mod control;
mod dispatch;
mod emoji;
mod emoji_table;
mod endpoints;
mod error;
mod json;
mod params;
mod rate_limit;
mod recorded;
mod routes;
mod server;
mod state;
mod status;
mod status_rules;

pub use crate::faults::Fault;
pub use config::{UserStatus, ZulipFakeConfig, ZulipUser};
pub use recorded::RecordedRequest;
pub use server::FakeZulip;
