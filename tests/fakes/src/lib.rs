//! Faithful fake chat servers for Presently's tests and demo mode.
//!
//! Each fake listens on `127.0.0.1` on its own thread with its own tokio runtime, so plain
//! `#[test]` functions and non-async callers can use it. The fakes implement the
//! vendors' documented behaviour exactly (each module names its source), including their
//! rejections: a fake that accepts what the vendor rejects is a bug.
//!
//! See [`zulip`], [`rocketchat`], [`zoom`], [`mattermost`] and [`slack`]; [`fault_proxy`] goes in front of any of them
//! for faults of the connection itself.

pub mod fault_proxy;
pub use runtime::set_latency;
mod faults;
mod form;
pub mod mattermost;
mod ordered_json;
mod rate_headers;
pub mod rocketchat;
mod runtime;
pub mod slack;
pub mod synapse;
pub mod zoom;
pub mod zulip;
