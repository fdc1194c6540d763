//! A tiny blocking HTTP client for the fake-server contract tests.

#![allow(dead_code)]

use std::time::Duration;

use base64::Engine;
use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};

mod reply;
pub use reply::Reply;

pub const ALICE: (&str, &str) = ("alice@example.com", "aliceKEY0123456789abcdef01234567");
pub const BOB: (&str, &str) = ("bob@example.com", "bobKEY0123456789abcdef0123456789");
pub const BOT: (&str, &str) = ("bot@example.com", "botKEY0123456789abcdef0123456789");

pub fn start(config: ZulipFakeConfig) -> FakeZulip {
    FakeZulip::start(config).expect("fake Zulip starts")
}

pub fn config_with(f: impl FnOnce(&mut ZulipFakeConfig)) -> ZulipFakeConfig {
    let mut config = ZulipFakeConfig::default();
    f(&mut config);
    config
}

pub fn basic(email: &str, key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{key}"))
    )
}

/// A request builder: method, URL (site URL + path), optional raw Authorization header.
pub struct Call {
    agent: ureq::Agent,
    req: ureq::Request,
}

pub fn call(method: &str, zulip: &FakeZulip, path: &str) -> Call {
    call_with_timeout(method, zulip, path, Duration::from_secs(30))
}

pub fn call_with_timeout(method: &str, zulip: &FakeZulip, path: &str, timeout: Duration) -> Call {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(timeout)
        .build();
    let req = agent.request(method, &format!("{}{path}", zulip.url()));
    Call { agent, req }
}

impl Call {
    pub fn auth(self, (email, key): (&str, &str)) -> Self {
        self.header("Authorization", &basic(email, key))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.set(name, value);
        self
    }

    /// 4xx/5xx answers are answers; only transport failures are errors.
    fn finish(result: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, String> {
        match result {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => Ok(resp),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Sends `form` as `application/x-www-form-urlencoded` (no body for an empty form on GET).
    pub fn form(self, form: &[(&str, &str)]) -> Reply {
        let _keep = &self.agent;
        let result = if form.is_empty() {
            self.req.call()
        } else {
            self.req.send_form(form)
        };
        Reply::read(Self::finish(result).expect("transport ok"))
    }

    pub fn send(self) -> Reply {
        self.form(&[])
    }

    pub fn send_json(self, body: &serde_json::Value) -> Reply {
        let result = self
            .req
            .set("Content-Type", "application/json")
            .send_string(&body.to_string());
        Reply::read(Self::finish(result).expect("transport ok"))
    }

    /// The raw result, for transport-level expectations (timeouts, huge bodies).
    pub fn raw(self) -> Result<ureq::Response, String> {
        Self::finish(self.req.call())
    }
}

/// `{"result":"error","msg":MSG,"code":CODE}` plus newline, Zulip's exact bytes.
pub fn error_body(msg: &str, code: &str) -> String {
    format!(
        "{{\"result\":\"error\",\"msg\":{},\"code\":\"{code}\"}}\n",
        serde_json::Value::from(msg)
    )
}

pub const SUCCESS: &str = "{\"result\":\"success\",\"msg\":\"\"}\n";

/// POST /api/v1/users/me/status as `who`.
pub fn set_status(zulip: &FakeZulip, who: (&str, &str), form: &[(&str, &str)]) -> Reply {
    call("POST", zulip, "/api/v1/users/me/status")
        .auth(who)
        .form(form)
}

/// Asserts a 400 BAD_REQUEST with exactly `msg`.
#[track_caller]
pub fn assert_bad_request(reply: &Reply, msg: &str) {
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (400, error_body(msg, "BAD_REQUEST").as_str())
    );
}
