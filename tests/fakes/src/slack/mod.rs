//! A fake Slack workspace for custom status: the Web API methods Presently uses
//! (`auth.test`, `auth.revoke`, `users.profile.set`/`get`, `users.setPresence`/`getPresence`,
//! `dnd.setSnooze`/`endSnooze`/`info`, `emoji.list`) under `/api/<method>`, OAuth v2 (the
//! consent page `/oauth/v2/authorize` with PKCE and desktop redirects, `oauth.v2.access`
//! with the code and, with token rotation, the refresh grant), Slack's token errors and
//! scopes (`x-oauth-scopes` on every answer), its rate tiers and the profile-write rule on
//! a fake clock, and injectable faults (the same [`Fault`] kinds as every fake).
//!
//! Start one with [`FakeSlack::start`]; Presently's base URL is [`FakeSlack::url`]. Inspect
//! it with [`FakeSlack::profile_of`], [`FakeSlack::presence_of`],
//! [`FakeSlack::snooze_end_of`], [`FakeSlack::requests`], or over HTTP with
//! `GET /__fake/state` (no auth; see the `control` module for the other `/__fake` endpoints).
//!
//! Sources (those the project's vendor-API contract for Slack cites):
//! <https://docs.slack.dev/apis/web-api/user-presence-and-status.md>,
//! <https://docs.slack.dev/reference/methods/users.profile.set>,
//! <https://docs.slack.dev/reference/methods/users.getPresence/>,
//! <https://docs.slack.dev/reference/methods/dnd.setSnooze>,
//! <https://docs.slack.dev/reference/methods/emoji.list/>,
//! <https://docs.slack.dev/apis/web-api/rate-limits>,
//! <https://docs.slack.dev/authentication/installing-with-oauth>,
//! <https://docs.slack.dev/authentication/using-pkce>,
//! <https://docs.slack.dev/authentication/using-token-rotation>,
//! <https://docs.slack.dev/changelog/2026/03/30/pkce>. Where the sources leave a rule open
//! the fake takes the stricter reading and says so with UNCONFIRMED at the rule.
//!
//! # Defaults ([`SlackFakeConfig::default`])
//!
//! Team `T0PRESENT` "Presently Test" (`https://presently-test.slack.com/`).
//!
//! | person | id | pasted token | scopes |
//! |---|---|---|---|
//! | alice | [`ALICE_ID`] | `xoxp-…` | every user scope Presently uses, and `users:read` |
//! | bob | [`BOB_ID`] | `xoxp-…` | `users.profile:read`, `emoji:read` |
//! | statusbot (bot) | [`BOT_ID`] | `xoxb-…` | `users.profile:read`, `users:read`, `emoji:read` |
//!
//! | app | client id | PKCE | rotation | redirect URLs |
//! |---|---|---|---|---|
//! | desktop | [`DESKTOP_CLIENT_ID`] | yes | yes | `http://localhost:53682/slack/callback` (any port), `presently://slack/callback` |
//! | web | [`WEB_CLIENT_ID`] | no | no | `https://presently.example.com/oauth/slack` |
//!
//! Custom emoji `acme_logo`, `party_parrot` and `shipit` (an alias of `acme_logo`). alice is
//! signed in to the browser and consents. Rate limits are on.
//!
//! # Choices worth knowing
//!
//! - `status_text` counts UTF-16 units (≤ 100); `num_minutes` ≤ 1440; a snooze with a
//!   non-positive or non-numeric length is `invalid_arguments`; `:name::skin-tone-N:` is not
//!   emoji syntax; clearing one of text and emoji while the other stays set is refused.
//! - People have Slack open: `auto` presence reads as `active`.
//! - The fake clock runs in real time too; [`FakeSlack::advance_clock`] adds to it.

mod api;
mod api_auth;
mod args;
mod auth_methods;
mod authorize;
mod client_auth;
mod clock;
mod config;
mod control;
mod dispatch;
mod dnd;
mod emoji;
mod error;
mod methods;
mod pkce;
mod presence;
mod profile;
mod profile_rules;
mod random;
mod rate_limit;
mod recorded;
mod redirect;
mod reply;
mod server;
mod state;
mod token_endpoint;
mod tokens;
mod users_profile;

pub use crate::faults::Fault;
pub use config::{
    SlackApp, SlackFakeConfig, SlackUser, ALICE_ID, BOB_ID, BOT_ID, DESKTOP_CLIENT_ID,
    PASTED_TOKEN_APP_ID, USER_SCOPES, WEB_CLIENT_ID,
};
pub use pkce::s256 as pkce_s256_challenge;
pub use server::FakeSlack;
pub use state::{RecordedRequest, SlackProfile};
