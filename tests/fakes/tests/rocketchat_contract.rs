//! Contract tests for the fake Rocket.Chat: every documented error body byte-for-byte
//! (`JSON.stringify` framing: compact, server key order, no trailing newline), login with both
//! second factors, auth with login tokens and personal access tokens, permissions, the
//! 120-UTF-16-unit truncation, custom statuses, the per-route-and-IP rate limiter, faults.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::Reply;
use presently_fakes::rocketchat::{FakeRocketChat, Fault, RcFakeConfig, RcStatus};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const ALICE_ID: &str = "aliceid0000000001";
const BOB_ID: &str = "bobid000000000002";
const CAROL_ID: &str = "carolid0000000003";
const ALICE_PAT: &str = "alice-pat-0123456789";

const NOT_LOGGED_IN: &str = "{\"success\":false,\"error\":\"You must be logged in to do this.\",\"status\":\"error\",\"message\":\"You must be logged in to do this.\"}";
const LOGIN_UNAUTHORIZED: &str =
    "{\"success\":false,\"error\":\"Unauthorized\",\"status\":\"error\",\"message\":\"Unauthorized\"}";
const SUCCESS: &str = "{\"success\":true}";

impl Reply {
    #[track_caller]
    fn is(&self, status: u16, body: &str) {
        assert_eq!((self.status, self.body.as_str()), (status, body));
    }
}

/// A fake without rate limiting (most tests call it often).
fn start() -> FakeRocketChat {
    start_with(|_| {})
}

fn start_with(f: impl FnOnce(&mut RcFakeConfig)) -> FakeRocketChat {
    let mut config = RcFakeConfig {
        rate_limit_per_minute: 0,
        ..RcFakeConfig::default()
    };
    f(&mut config);
    FakeRocketChat::start(config).expect("fake Rocket.Chat starts")
}

struct Call {
    req: ureq::Request,
}

fn call(method: &str, rc: &FakeRocketChat, path: &str) -> Call {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build();
    Call {
        req: agent.request(method, &format!("{}{path}", rc.url())),
    }
}

impl Call {
    fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.set(name, value);
        self
    }

    /// `X-User-Id` + `X-Auth-Token`.
    fn auth(self, user_id: &str, token: &str) -> Self {
        self.header("X-User-Id", user_id)
            .header("X-Auth-Token", token)
    }

    fn reply(result: Result<ureq::Response, ureq::Error>) -> Reply {
        let resp = match result {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
            Err(err) => panic!("transport error: {err}"),
        };
        Reply::read(resp)
    }

    fn send(self) -> Reply {
        Self::reply(self.req.call())
    }

    fn json(self, body: &Value) -> Reply {
        Self::reply(
            self.req
                .set("Content-Type", "application/json")
                .send_string(&body.to_string()),
        )
    }

    fn form(self, form: &[(&str, &str)]) -> Reply {
        Self::reply(self.req.send_form(form))
    }
}

fn login(rc: &FakeRocketChat, body: &Value) -> Reply {
    call("POST", rc, "/api/v1/login").json(body)
}

/// Logs in with a password (no second factor) and returns the auth token.
fn token_for(rc: &FakeRocketChat, user: &str) -> String {
    let reply = login(
        rc,
        &json!({"user": user, "password": format!("{user}-password")}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["data"]["authToken"]
        .as_str()
        .expect("authToken")
        .to_owned()
}

fn alice(rc: &FakeRocketChat, method: &str, path: &str) -> Call {
    call(method, rc, path).auth(ALICE_ID, ALICE_PAT)
}

/// Bob has TOTP, so he logs in with his code.
fn bob_token(rc: &FakeRocketChat) -> String {
    let reply = login(
        rc,
        &json!({"user": "bob", "password": "bob-password", "code": "123456"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["data"]["authToken"]
        .as_str()
        .expect("authToken")
        .to_owned()
}

fn set_status(rc: &FakeRocketChat, user_id: &str, token: &str, body: &Value) -> Reply {
    call("POST", rc, "/api/v1/users.setStatus")
        .auth(user_id, token)
        .json(body)
}

fn meteor_error(error: &str, error_type: &str, details: Option<&str>) -> String {
    let details = details
        .map(|d| format!(",\"details\":{d}"))
        .unwrap_or_default();
    format!(
        "{{\"success\":false,\"error\":{},\"errorType\":\"{error_type}\"{details}}}",
        Value::from(error)
    )
}

fn failure(error: &str) -> String {
    format!("{{\"success\":false,\"error\":{}}}", Value::from(error))
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis()
}

// ---------------------------------------------------------------- server info, routing

#[test]
fn info_is_public_and_shows_only_major_minor() {
    let rc = start_with(|c| c.rate_limit_per_minute = 10);
    let reply = call("GET", &rc, "/api/info").send();
    reply.is(200, "{\"version\":\"7.4\",\"success\":true}");
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
    // /api/info has no version segment, hence no rate-limiter rule.
    assert_eq!(reply.header("X-RateLimit-Limit"), None);
}

#[test]
fn unrouted_requests_fall_through_to_the_web_app() {
    let rc = start();
    // There is no /api/v1/info: the web client's HTML page answers, not JSON.
    let html = call("GET", &rc, "/api/v1/info").send();
    assert_eq!(html.status, 200);
    assert!(html
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("text/html")));
    assert!(html.body.starts_with("<!DOCTYPE html>"));
    // A known path with the wrong method is not routed either.
    let get_set = alice(&rc, "GET", "/api/v1/users.setStatus").send();
    assert_eq!(get_set.status, 200);
    assert!(get_set.body.starts_with("<!DOCTYPE html>"));
    let post_me = alice(&rc, "POST", "/api/v1/me").json(&json!({}));
    assert_eq!((post_me.status, post_me.body.as_str()), (405, ""));
    assert_eq!(post_me.header("Allow"), Some("OPTIONS, GET, HEAD"));
}

// ---------------------------------------------------------------- login

#[test]
fn login_by_username_email_and_form_returns_token_user_id_and_me() {
    let rc = start();
    let reply = login(&rc, &json!({"user": "alice", "password": "alice-password"}));
    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["status"], "success");
    assert_eq!(json["success"], true);
    assert_eq!(json["data"]["userId"], ALICE_ID);
    let token = json["data"]["authToken"].as_str().expect("token");
    assert_eq!(token.len(), 43);
    assert_eq!(json["data"]["me"]["_id"], ALICE_ID);
    assert_eq!(json["data"]["me"]["username"], "alice");
    assert_eq!(json["data"]["me"]["name"], "Alice Admin");
    assert_eq!(json["data"]["me"]["status"], "online");
    assert_eq!(
        json["data"]["me"]["emails"],
        json!([{"address": "alice@example.com", "verified": true}])
    );
    assert!(reply.body.starts_with(
        "{\"status\":\"success\",\"data\":{\"userId\":\"aliceid0000000001\",\"authToken\":"
    ));

    let me = call("GET", &rc, "/api/v1/me").auth(ALICE_ID, token).send();
    assert_eq!(me.status, 200);

    let by_email = login(
        &rc,
        &json!({"user": "ALICE@example.com", "password": "alice-password"}),
    );
    assert_eq!(by_email.status, 200);
    let by_username_key = login(
        &rc,
        &json!({"username": "Alice", "password": "alice-password"}),
    );
    assert_eq!(by_username_key.status, 200);
    let meteor_form = login(
        &rc,
        &json!({"user": {"email": "alice@example.com"}, "password": "alice-password"}),
    );
    assert_eq!(meteor_form.status, 200);
    let form = call("POST", &rc, "/api/v1/login")
        .form(&[("user", "alice"), ("password", "alice-password")]);
    assert_eq!(form.status, 200);
    // Every login is a new token.
    assert_ne!(form.json()["data"]["authToken"], json["data"]["authToken"]);
}

#[test]
fn failed_logins_are_all_unauthorized() {
    let rc = start();
    for body in [
        json!({"user": "alice", "password": "wrong"}),
        json!({"user": "nobody", "password": "alice-password"}),
        json!({"user": "nobody@example.com", "password": "x"}),
        json!({"user": "alice"}),
        json!({}),
        json!({"user": "alice", "password": "alice-password", "extra": 1}),
        json!({"user": "alice", "password": {"digest": "abc", "algorithm": "sha-256"}}),
        json!({"resume": "not-a-token"}),
    ] {
        login(&rc, &body).is(401, LOGIN_UNAUTHORIZED);
    }
    // No body at all.
    call("POST", &rc, "/api/v1/login")
        .send()
        .is(401, LOGIN_UNAUTHORIZED);
}

#[test]
fn resume_logs_in_with_an_existing_token() {
    let rc = start();
    let token = token_for(&rc, "alice");
    let reply = login(&rc, &json!({"resume": token}));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["data"]["userId"], ALICE_ID);
}

#[test]
fn totp_login_needs_the_code_in_body_or_header() {
    let rc = start();
    let details = "{\"method\":\"totp\",\"codeGenerated\":false,\"availableMethods\":[\"totp\"]}";
    login(&rc, &json!({"user": "bob", "password": "bob-password"})).is(
        401,
        &format!(
            "{{\"success\":false,\"error\":\"totp-required\",\"status\":\"error\",\"details\":{details},\"message\":\"TOTP Required\"}}"
        ),
    );
    login(
        &rc,
        &json!({"user": "bob", "password": "bob-password", "code": "000000"}),
    )
    .is(
        401,
        &format!(
            "{{\"success\":false,\"error\":\"totp-invalid\",\"status\":\"error\",\"details\":{details},\"message\":\"TOTP Invalid\"}}"
        ),
    );
    // The password is checked first: a wrong one never reveals the second factor.
    login(
        &rc,
        &json!({"user": "bob", "password": "nope", "code": "123456"}),
    )
    .is(401, LOGIN_UNAUTHORIZED);

    let body_code = login(
        &rc,
        &json!({"user": "bob", "password": "bob-password", "code": "123456"}),
    );
    assert_eq!(body_code.status, 200);
    assert_eq!(body_code.json()["data"]["userId"], BOB_ID);

    let header_code = call("POST", &rc, "/api/v1/login")
        .header("x-2fa-code", "123456")
        .json(&json!({"user": "bob", "password": "bob-password"}));
    assert_eq!(header_code.status, 200);

    // A user without 2FA may send a code: it is ignored.
    let alice = login(
        &rc,
        &json!({"user": "alice", "password": "alice-password", "code": "999999"}),
    );
    assert_eq!(alice.status, 200);
}

#[test]
fn email_login_mails_a_code_then_accepts_it_once() {
    let rc = start();
    let no_code = json!({"user": "carol", "password": "carol-password"});
    login(&rc, &no_code).is(
        401,
        "{\"success\":false,\"error\":\"totp-required\",\"status\":\"error\",\"details\":{\"method\":\"email\",\"codeGenerated\":true,\"emailOrUsername\":\"carol\",\"availableMethods\":[\"email\"]},\"message\":\"TOTP Required\"}",
    );
    // Asked again while the code is valid: no new mail, the expiry instead.
    let again = login(&rc, &no_code);
    assert_eq!(again.status, 401);
    let details = &again.json()["details"];
    assert_eq!(details["method"], "email");
    assert_eq!(details["codeGenerated"], false);
    assert_eq!(details["emailOrUsername"], "carol");
    let expires = details["codeExpires"].as_str().expect("codeExpires");
    assert!(expires.ends_with('Z') && expires.len() == 24, "{expires}");
    // processInvalidCode's key order for a live code.
    assert!(
        again.body.find("\"emailOrUsername\"") < again.body.find("\"codeGenerated\""),
        "{}",
        again.body
    );

    let wrong = login(
        &rc,
        &json!({"user": "carol", "password": "carol-password", "code": "111111"}),
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"], "totp-invalid");
    assert_eq!(wrong.json()["message"], "TOTP Invalid");
    assert_eq!(wrong.json()["details"]["codeGenerated"], false);

    // Non-digits are stripped (the mail shows "654-321").
    let ok = login(
        &rc,
        &json!({"user": "carol", "password": "carol-password", "code": "654-321"}),
    );
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["data"]["userId"], CAROL_ID);

    // The code is used up: the next attempt with it mails a new one and fails.
    let reused = login(
        &rc,
        &json!({"user": "carol", "password": "carol-password", "code": "654321"}),
    );
    assert_eq!(reused.status, 401);
    assert_eq!(reused.json()["error"], "totp-invalid");
    assert_eq!(reused.json()["details"]["codeGenerated"], true);
    // ... and with that fresh code mailed, the right code works again.
    let second = login(
        &rc,
        &json!({"user": "carol", "password": "carol-password", "code": "654321"}),
    );
    assert_eq!(second.status, 200);
}

// ---------------------------------------------------------------- auth, logout, tokens

#[test]
fn missing_bad_and_foreign_tokens_are_not_logged_in() {
    let rc = start_with(|c| c.rate_limit_per_minute = 10);
    let token = token_for(&rc, "alice");
    let me = |user: Option<&str>, token: Option<&str>| {
        let mut c = call("GET", &rc, "/api/v1/me");
        if let Some(user) = user {
            c = c.header("X-User-Id", user);
        }
        if let Some(token) = token {
            c = c.header("X-Auth-Token", token);
        }
        c.send()
    };
    for (user, tok) in [
        (None, None),
        (Some(ALICE_ID), None),
        (None, Some(token.as_str())),
        (Some(ALICE_ID), Some("bogus")),
        (Some(BOB_ID), Some(token.as_str())),
        (Some(ALICE_ID), Some("")),
    ] {
        let reply = me(user, tok);
        reply.is(401, NOT_LOGGED_IN);
        // The login check runs before the rate limiter.
        assert_eq!(reply.header("X-RateLimit-Remaining"), None);
    }
    assert_eq!(me(Some(ALICE_ID), Some(&token)).status, 200);
}

#[test]
fn logout_invalidates_only_that_token() {
    let rc = start();
    let first = token_for(&rc, "alice");
    let second = token_for(&rc, "alice");
    call("POST", &rc, "/api/v1/logout")
        .auth(ALICE_ID, &first)
        .send()
        .is(
            200,
            "{\"status\":\"success\",\"data\":{\"message\":\"You've been logged out!\"}}",
        );
    call("GET", &rc, "/api/v1/me")
        .auth(ALICE_ID, &first)
        .send()
        .is(401, NOT_LOGGED_IN);
    call("POST", &rc, "/api/v1/logout")
        .auth(ALICE_ID, &first)
        .send()
        .is(401, NOT_LOGGED_IN);
    assert_eq!(
        call("GET", &rc, "/api/v1/me")
            .auth(ALICE_ID, &second)
            .send()
            .status,
        200
    );
}

#[test]
fn personal_access_token_works_until_tokens_are_revoked() {
    let rc = start();
    let me = alice(&rc, "GET", "/api/v1/me").send();
    assert_eq!(me.status, 200);
    // A PAT is only valid with its owner's id.
    call("GET", &rc, "/api/v1/me")
        .auth(BOB_ID, ALICE_PAT)
        .send()
        .is(401, NOT_LOGGED_IN);
    let token = token_for(&rc, "alice");
    let bob = bob_token(&rc);

    rc.revoke_tokens(ALICE_ID);
    alice(&rc, "GET", "/api/v1/me")
        .send()
        .is(401, NOT_LOGGED_IN);
    call("GET", &rc, "/api/v1/me")
        .auth(ALICE_ID, &token)
        .send()
        .is(401, NOT_LOGGED_IN);
    // Other users keep theirs; a new login works.
    assert_eq!(
        call("GET", &rc, "/api/v1/me")
            .auth(BOB_ID, &bob)
            .send()
            .status,
        200
    );
    let fresh = token_for(&rc, "alice");
    assert_eq!(
        call("GET", &rc, "/api/v1/me")
            .auth(ALICE_ID, &fresh)
            .send()
            .status,
        200
    );
}

#[test]
fn me_has_the_profile_and_status_text_once_set() {
    let rc = start();
    let me = alice(&rc, "GET", "/api/v1/me").send();
    assert_eq!(me.status, 200);
    let json = me.json();
    assert_eq!(json["_id"], ALICE_ID);
    assert_eq!(json["username"], "alice");
    assert_eq!(json["name"], "Alice Admin");
    assert_eq!(json["status"], "online");
    assert_eq!(json["roles"], json!(["user", "admin"]));
    assert_eq!(json["success"], true);
    assert!(me.body.ends_with(",\"success\":true}"));
    // A fresh user document has no statusText at all.
    assert!(json.get("statusText").is_none());

    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"message": "Lunch"})).is(200, SUCCESS);
    let json = alice(&rc, "GET", "/api/v1/me").send().json();
    assert_eq!(json["statusText"], "Lunch");

    let bob = bob_token(&rc);
    let bob_me = call("GET", &rc, "/api/v1/me")
        .auth(BOB_ID, &bob)
        .send()
        .json();
    assert_eq!(bob_me["roles"], json!(["user"]));
}

// ---------------------------------------------------------------- users.setStatus

#[test]
fn set_own_status_and_read_it_back() {
    let rc = start();
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"message": "In a meeting", "status": "busy"}),
    )
    .is(200, SUCCESS);
    assert_eq!(
        rc.status_of(ALICE_ID),
        RcStatus {
            message: "In a meeting".into(),
            status: "busy".into()
        }
    );
    alice(&rc, "GET", "/api/v1/users.getStatus").send().is(
        200,
        "{\"_id\":\"aliceid0000000001\",\"connectionStatus\":\"online\",\"status\":\"busy\",\"success\":true}",
    );
    let info = alice(&rc, "GET", "/api/v1/users.info?userId=aliceid0000000001").send();
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["user"]["statusText"], "In a meeting");
    assert_eq!(info.json()["user"]["status"], "busy");

    // Only the fields sent change; "" clears the text; an empty status is ignored.
    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"status": "away"})).is(200, SUCCESS);
    assert_eq!(rc.status_of(ALICE_ID).message, "In a meeting");
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"message": "", "status": ""}),
    )
    .is(200, SUCCESS);
    assert_eq!(
        rc.status_of(ALICE_ID),
        RcStatus {
            message: String::new(),
            status: "away".into()
        }
    );
    // Form bodies work too; offline (invisible) is allowed by default.
    call("POST", &rc, "/api/v1/users.setStatus")
        .auth(ALICE_ID, ALICE_PAT)
        .form(&[("status", "offline"), ("message", "hidden")])
        .is(200, SUCCESS);
    assert_eq!(rc.status_of(ALICE_ID).status, "offline");
}

#[test]
fn set_status_match_error_when_neither_field_is_a_string() {
    let rc = start();
    let match_error =
        failure("Match error: Failed Match.OneOf, Match.Maybe or Match.Optional validation");
    for body in [
        json!({}),
        json!({"message": 5}),
        json!({"status": 5}),
        json!({"message": null, "status": null}),
        json!({"message": "x", "status": 5}),
        json!({"userId": BOB_ID}),
    ] {
        set_status(&rc, ALICE_ID, ALICE_PAT, &body).is(400, &match_error);
    }
    // Not JSON at all: an empty body.
    call("POST", &rc, "/api/v1/users.setStatus")
        .auth(ALICE_ID, ALICE_PAT)
        .send()
        .is(400, &match_error);
    assert_eq!(rc.status_of(ALICE_ID), RcStatus::default());
}

#[test]
fn set_status_refused_when_status_changes_are_off() {
    let rc = start_with(|c| c.allow_status_message_change = false);
    let not_allowed = meteor_error(
        "Change status is not allowed [error-not-allowed]",
        "error-not-allowed",
        Some("{\"method\":\"users.setStatus\"}"),
    );
    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"message": "hi"})).is(400, &not_allowed);
    // Even for the availability alone.
    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"status": "away"})).is(400, &not_allowed);
    assert_eq!(rc.status_of(ALICE_ID), RcStatus::default());
}

#[test]
fn invisible_refused_when_the_option_is_off() {
    let rc = start_with(|c| c.allow_invisible = false);
    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"status": "offline"})).is(
        400,
        &meteor_error(
            "Invisible status is disabled [error-status-not-allowed]",
            "error-status-not-allowed",
            Some("{\"method\":\"users.setStatus\"}"),
        ),
    );
    assert_eq!(rc.status_of(ALICE_ID).status, "online");
    set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"status": "busy"})).is(200, SUCCESS);
}

#[test]
fn expires_at_must_be_in_the_future_from_8_6_and_is_ignored_before() {
    let past = "2020-01-01T00:00:00.000Z";
    let future = "2999-01-01T00:00:00.000Z";
    let refused = meteor_error(
        "expiresAt must be a future date [error-invalid-date]",
        "error-invalid-date",
        None,
    );
    let rc = start_with(|c| c.version = "8.6.0".into());
    let body = |at: &str| json!({"message": "Lunch", "status": "away", "expiresAt": at});
    set_status(&rc, ALICE_ID, ALICE_PAT, &body(past)).is(400, &refused);
    set_status(&rc, ALICE_ID, ALICE_PAT, &body("tomorrow")).is(400, &refused);
    assert_eq!(rc.status_of(ALICE_ID).status, "online", "nothing changed");
    set_status(&rc, ALICE_ID, ALICE_PAT, &body(future)).is(200, SUCCESS);
    assert_eq!(rc.status_of(ALICE_ID).status, "away");
    // A 7.x server does not know the key.
    let old = start();
    set_status(&old, ALICE_ID, ALICE_PAT, &body(past)).is(200, SUCCESS);
}

#[test]
fn invalid_status_is_refused_after_the_text_was_stored() {
    let rc = start();
    let invalid = meteor_error(
        "Valid status types include online, away, offline, and busy. [error-invalid-status]",
        "error-invalid-status",
        Some("{\"method\":\"users.setStatus\"}"),
    );
    for status in ["dnd", "Busy", "invisible"] {
        set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"status": status})).is(400, &invalid);
    }
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"message": "Out", "status": "gone"}),
    )
    .is(400, &invalid);
    // As on the server: setStatusText ran before the status was checked.
    assert_eq!(
        rc.status_of(ALICE_ID),
        RcStatus {
            message: "Out".into(),
            status: "online".into()
        }
    );
}

#[test]
fn other_users_status_needs_edit_other_user_info() {
    let rc = start();
    let bob = bob_token(&rc);
    for target in [json!({"userId": ALICE_ID}), json!({"username": "alice"})] {
        let mut body = target.clone();
        body["message"] = json!("hacked");
        set_status(&rc, BOB_ID, &bob, &body)
            .is(401, "{\"success\":false,\"error\":\"unauthorized\"}");
    }
    assert_eq!(rc.status_of(ALICE_ID), RcStatus::default());
    // Naming oneself is not "another user".
    set_status(
        &rc,
        BOB_ID,
        &bob,
        &json!({"userId": BOB_ID, "message": "mine"}),
    )
    .is(200, SUCCESS);
    set_status(
        &rc,
        BOB_ID,
        &bob,
        &json!({"username": "bob", "status": "away"}),
    )
    .is(200, SUCCESS);
    assert_eq!(
        rc.status_of(BOB_ID),
        RcStatus {
            message: "mine".into(),
            status: "away".into()
        }
    );

    // Alice has the permission.
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"userId": BOB_ID, "message": "set by admin", "status": "busy"}),
    )
    .is(200, SUCCESS);
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"username": "CAROL", "message": "also"}),
    )
    .is(200, SUCCESS);
    assert_eq!(
        rc.status_of(BOB_ID),
        RcStatus {
            message: "set by admin".into(),
            status: "busy".into()
        }
    );
    assert_eq!(rc.status_of(CAROL_ID).message, "also");
    assert_eq!(rc.status_of(ALICE_ID), RcStatus::default());
    set_status(
        &rc,
        ALICE_ID,
        ALICE_PAT,
        &json!({"userId": "nosuchuser0000000", "message": "x"}),
    )
    .is(
        400,
        &meteor_error(
            "The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]",
            "error-invalid-user",
            None,
        ),
    );
}

#[test]
fn status_text_is_trimmed_and_silently_cut_to_120_utf16_units() {
    let rc = start();
    let send = |message: &str| {
        set_status(&rc, ALICE_ID, ALICE_PAT, &json!({ "message": message })).is(200, SUCCESS);
        rc.status_of(ALICE_ID).message
    };
    assert_eq!(send("  padded \u{3000}"), "padded");
    assert!(rc.requests().last().expect("request").truncation.is_none());

    let long = "x".repeat(130);
    assert_eq!(send(&long), "x".repeat(120));
    let cut = rc
        .requests()
        .last()
        .expect("request")
        .truncation
        .clone()
        .expect("truncation recorded");
    assert_eq!(
        (cut.sent.as_str(), cut.sent_utf16_units, cut.stored.as_str()),
        (long.as_str(), 130, "x".repeat(120).as_str())
    );

    // An astral emoji is 2 UTF-16 units: 118 + 2 = 120 fits exactly.
    let fits = format!("{}😀", "a".repeat(118));
    assert_eq!(send(&fits), fits);
    assert!(rc.requests().last().expect("request").truncation.is_none());
    // 119 + 2 does not: substr keeps half the pair, stored as U+FFFD.
    let split = format!("{}😀", "a".repeat(119));
    assert_eq!(send(&split), format!("{}\u{FFFD}", "a".repeat(119)));
    assert_eq!(
        rc.requests()
            .last()
            .and_then(|r| r.truncation.clone())
            .map(|t| t.sent_utf16_units),
        Some(121)
    );
    // 60 emoji = 120 units: all kept; 61 are cut to 60.
    assert_eq!(send(&"😀".repeat(60)), "😀".repeat(60));
    assert_eq!(send(&"😀".repeat(61)), "😀".repeat(60));
    // Trim first, then cut.
    let padded = format!("   {}   ", "b".repeat(120));
    assert_eq!(send(&padded), "b".repeat(120));
}

#[test]
fn get_status_of_another_user_has_no_connection_status() {
    let rc = start();
    rc.set_status(
        BOB_ID,
        RcStatus {
            message: "hi".into(),
            status: "away".into(),
        },
    );
    alice(
        &rc,
        "GET",
        "/api/v1/users.getStatus?userId=bobid000000000002",
    )
    .send()
    .is(
        200,
        "{\"_id\":\"bobid000000000002\",\"status\":\"away\",\"success\":true}",
    );
    alice(&rc, "GET", "/api/v1/users.getStatus?username=bob")
        .send()
        .is(
            200,
            "{\"_id\":\"bobid000000000002\",\"status\":\"away\",\"success\":true}",
        );
    alice(&rc, "GET", "/api/v1/users.getStatus?userId=nobody")
        .send()
        .is(
            400,
            &meteor_error(
                "The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]",
                "error-invalid-user",
                None,
            ),
        );
}

#[test]
fn users_info_lookup_errors() {
    let rc = start();
    alice(&rc, "GET", "/api/v1/users.info").send().is(
        400,
        &meteor_error(
            "must have required property 'userId'\n must have required property 'username'\n must have required property 'importId'\n must match a schema in anyOf [invalid-params]",
            "invalid-params",
            None,
        ),
    );
    alice(&rc, "GET", "/api/v1/users.info?userId=nobody")
        .send()
        .is(400, &failure("User not found."));
    let by_name = alice(&rc, "GET", "/api/v1/users.info?username=carol").send();
    assert_eq!(by_name.status, 200);
    let user = &by_name.json()["user"];
    assert_eq!(user["_id"], CAROL_ID);
    assert!(user.get("statusText").is_none());
}

// ---------------------------------------------------------------- custom statuses

fn custom(rc: &FakeRocketChat, op: &str, body: &Value) -> Reply {
    alice(rc, "POST", &format!("/api/v1/custom-user-status.{op}")).json(body)
}

const METHOD_IOUS: &str = "\"method\":\"insertOrUpdateUserStatus\"";

#[test]
fn create_custom_status_and_its_documented_errors() {
    let rc = start();
    let created = custom(
        &rc,
        "create",
        &json!({"name": "caught up", "statusType": "busy"}),
    );
    assert_eq!(created.status, 200);
    let json = created.json();
    let id = json["customUserStatus"]["_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let prefix = format!(
        "{{\"customUserStatus\":{{\"_id\":\"{id}\",\"name\":\"caught up\",\"statusType\":\"busy\",\"_updatedAt\":\""
    );
    assert!(created.body.starts_with(&prefix), "{}", created.body);
    assert!(created.body.ends_with("Z\"},\"success\":true}"));
    assert_eq!(rc.custom_statuses().len(), 1);
    assert_eq!(rc.custom_statuses()[0].status_type, "busy");

    custom(&rc, "create", &json!({"name": "", "statusType": "busy"})).is(
        400,
        &meteor_error(
            "The field Name is required [error-the-field-is-required]",
            "error-the-field-is-required",
            Some(&format!("{{{METHOD_IOUS},\"field\":\"Name\"}}")),
        ),
    );
    custom(&rc, "create", &json!({"name": "   ", "statusType": "busy"})).is(
        400,
        &meteor_error(
            "The field Name is required [error-the-field-is-required]",
            "error-the-field-is-required",
            Some(&format!("{{{METHOD_IOUS},\"field\":\"Name\"}}")),
        ),
    );
    custom(&rc, "create", &json!({"name": "a<b", "statusType": "busy"})).is(
        400,
        &meteor_error(
            "a<b is not a valid name [error-input-is-not-a-valid-field]",
            "error-input-is-not-a-valid-field",
            Some(&format!(
                "{{{METHOD_IOUS},\"input\":\"a<b\",\"field\":\"Name\"}}"
            )),
        ),
    );
    custom(&rc, "create", &json!({"name": "caught up", "statusType": "away"})).is(
        400,
        &meteor_error(
            "The custom user status name is already in use [Custom_User_Status_Error_Name_Already_In_Use]",
            "Custom_User_Status_Error_Name_Already_In_Use",
            Some(&format!("{{{METHOD_IOUS}}}")),
        ),
    );
    // Seed 002's own example: "Offline" (capitalised) is not a status type.
    custom(
        &rc,
        "create",
        &json!({"name": "gone", "statusType": "Offline"}),
    )
    .is(
        400,
        &meteor_error(
            "Offline is not a valid status type [error-input-is-not-a-valid-field]",
            "error-input-is-not-a-valid-field",
            Some(&format!(
                "{{{METHOD_IOUS},\"input\":\"Offline\",\"field\":\"StatusType\"}}"
            )),
        ),
    );
    // check() failures.
    custom(&rc, "create", &json!({"statusType": "busy"}))
        .is(400, &failure("Match error: Missing key 'name'"));
    custom(&rc, "create", &json!({"name": 5})).is(
        400,
        &failure("Match error: Expected string, got number in field name"),
    );
    custom(&rc, "create", &json!({"name": "x", "emoji": ":)"}))
        .is(400, &failure("Match error: Unknown key in field emoji"));
    assert_eq!(rc.custom_statuses().len(), 1);

    // Without statusType: stored as "".
    let no_type = custom(&rc, "create", &json!({"name": "plain"}));
    assert_eq!(no_type.status, 200);
    assert_eq!(no_type.json()["customUserStatus"]["statusType"], "");
}

#[test]
fn custom_statuses_need_manage_user_status() {
    let rc = start();
    let id = rc.add_custom_status("Lunch", "away");
    let bob = bob_token(&rc);
    let not_authorized =
        "{\"success\":false,\"error\":\"[not_authorized]\",\"errorType\":\"not_authorized\"}";
    let as_bob = |op: &str, body: &Value| {
        call("POST", &rc, &format!("/api/v1/custom-user-status.{op}"))
            .auth(BOB_ID, &bob)
            .json(body)
    };
    as_bob("create", &json!({"name": "x", "statusType": "busy"})).is(400, not_authorized);
    as_bob(
        "update",
        &json!({"_id": id, "name": "y", "statusType": "busy"}),
    )
    .is(400, not_authorized);
    as_bob("delete", &json!({"customUserStatusId": id})).is(400, not_authorized);
    // The id is looked up before the permission check.
    as_bob("update", &json!({"_id": "nope", "name": "y"})).is(
        400,
        &failure("No custom user status found with the id of \"nope\"."),
    );
    // Listing needs only a login.
    let list = call("GET", &rc, "/api/v1/custom-user-status.list")
        .auth(BOB_ID, &bob)
        .send();
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["total"], 1);
    assert_eq!(rc.custom_statuses()[0].name, "Lunch");
}

#[test]
fn update_and_delete_custom_statuses() {
    let rc = start();
    let id = rc.add_custom_status("Férias", "away");
    // Seed 000's error, byte for byte.
    custom(
        &rc,
        "update",
        &json!({"_id": "SeZHHb77QXWRbnDh", "name": "x", "statusType": "busy"}),
    )
    .is(
        400,
        "{\"success\":false,\"error\":\"No custom user status found with the id of \\\"SeZHHb77QXWRbnDh\\\".\"}",
    );
    // Seed 000 sends a form body.
    let updated = alice(&rc, "POST", "/api/v1/custom-user-status.update").form(&[
        ("_id", id.as_str()),
        ("name", "Férias"),
        ("statusType", "busy"),
    ]);
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["customUserStatus"]["_id"], id.as_str());
    assert_eq!(updated.json()["customUserStatus"]["statusType"], "busy");
    // Without statusType the type stays.
    let renamed = custom(&rc, "update", &json!({"_id": id, "name": "Vacation"}));
    assert_eq!(renamed.status, 200);
    assert_eq!(rc.custom_statuses()[0].name, "Vacation");
    assert_eq!(rc.custom_statuses()[0].status_type, "busy");
    // Keeping one's own name is not "in use"; taking another's is.
    let other = rc.add_custom_status("Lunch", "away");
    assert_eq!(
        custom(
            &rc,
            "update",
            &json!({"_id": id, "name": "Vacation", "statusType": "away"})
        )
        .status,
        200
    );
    assert_eq!(
        custom(&rc, "update", &json!({"_id": other, "name": "Vacation"})).json()["errorType"],
        "Custom_User_Status_Error_Name_Already_In_Use"
    );
    custom(&rc, "update", &json!({"name": "x"}))
        .is(400, &failure("Match error: Missing key '_id'"));

    custom(&rc, "delete", &json!({})).is(
        400,
        "{\"success\":false,\"error\":\"The \\\"customUserStatusId\\\" params is required!\"}",
    );
    custom(&rc, "delete", &json!({"customUserStatusId": "nope"})).is(
        400,
        &meteor_error(
            "Invalid user status [Custom_User_Status_Error_Invalid_User_Status]",
            "Custom_User_Status_Error_Invalid_User_Status",
            Some("{\"method\":\"deleteCustomUserStatus\"}"),
        ),
    );
    custom(&rc, "delete", &json!({"customUserStatusId": id})).is(200, SUCCESS);
    let names: Vec<String> = rc.custom_statuses().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Lunch"]);
}

#[test]
fn list_custom_statuses_paginates_filters_and_sorts() {
    let rc = start();
    for (name, kind) in [
        ("brb", "away"),
        ("Zoom call", "busy"),
        ("Lunch", "away"),
        ("Focus", "busy"),
    ] {
        rc.add_custom_status(name, kind);
    }
    let list = |query: &str| {
        alice(
            &rc,
            "GET",
            &format!("/api/v1/custom-user-status.list{query}"),
        )
        .send()
        .json()
    };
    let names = |json: &Value| -> Vec<String> {
        json["statuses"]
            .as_array()
            .expect("statuses")
            .iter()
            .map(|s| s["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let all = list("");
    // Mongo's binary order: upper case first.
    assert_eq!(names(&all), ["Focus", "Lunch", "Zoom call", "brb"]);
    assert_eq!(
        (
            all["count"].clone(),
            all["offset"].clone(),
            all["total"].clone()
        ),
        (json!(4), json!(0), json!(4))
    );
    let first = &all["statuses"][0];
    let keys: Vec<&str> = first
        .as_object()
        .expect("obj")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(first["statusType"], "busy");

    let page = list("?count=2&offset=1");
    assert_eq!(names(&page), ["Lunch", "Zoom call"]);
    assert_eq!(
        (
            page["count"].clone(),
            page["offset"].clone(),
            page["total"].clone()
        ),
        (json!(2), json!(1), json!(4))
    );
    assert_eq!(names(&list("?name=LU")), ["Lunch"]);
    assert_eq!(
        names(&list("?sort=%7B%22name%22%3A-1%7D")),
        ["brb", "Zoom call", "Lunch", "Focus"]
    );
    let raw = alice(&rc, "GET", "/api/v1/custom-user-status.list").send();
    assert!(raw.body.starts_with("{\"statuses\":[{\"_id\":\""));
    assert!(raw
        .body
        .ends_with(",\"count\":4,\"offset\":0,\"total\":4,\"success\":true}"));
    alice(&rc, "GET", "/api/v1/custom-user-status.list?bogus=1")
        .send()
        .is(
            400,
            &meteor_error(
                "must NOT have additional properties [invalid-params]",
                "invalid-params",
                None,
            ),
        );
}

// ---------------------------------------------------------------- rate limit

#[test]
fn rate_limit_is_per_route_with_millisecond_reset_then_429() {
    let rc = start_with(|c| c.rate_limit_per_minute = 10);
    for i in 1..=10u32 {
        let before = now_ms();
        let reply = alice(&rc, "GET", "/api/v1/me").send();
        assert_eq!(reply.status, 200, "call {i}");
        assert_eq!(reply.header("X-RateLimit-Limit"), Some("10"));
        assert_eq!(
            reply.header("X-RateLimit-Remaining"),
            Some((10 - i).to_string().as_str())
        );
        let reset: u128 = reply
            .header("X-RateLimit-Reset")
            .expect("reset")
            .parse()
            .expect("integer");
        // Epoch milliseconds, within the 60 s window.
        assert!(
            reset > before && reset <= now_ms() + 60_000,
            "{reset} vs {before}"
        );
    }
    let refused = alice(&rc, "GET", "/api/v1/me").send();
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("X-RateLimit-Remaining"), Some("0"));
    assert_eq!(refused.header("Retry-After"), None);
    let secs = refused.json()["error"]
        .as_str()
        .and_then(|e| e.strip_prefix("Error, too many requests. Please slow down. You must wait "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .expect("seconds in the message");
    assert!((1..=60).contains(&secs));
    refused.is(
        429,
        &failure(&format!(
            "Error, too many requests. Please slow down. You must wait {secs} seconds before trying this endpoint again. [error-too-many-requests]"
        )),
    );
    // Other routes (and the same path with another method) have their own counters.
    let status = alice(&rc, "GET", "/api/v1/users.getStatus").send();
    assert_eq!(
        (status.status, status.header("X-RateLimit-Remaining")),
        (200, Some("9"))
    );
    // Login is limited too, and errors count like successes.
    for _ in 0..10 {
        assert_eq!(
            login(&rc, &json!({"user": "alice", "password": "x"})).status,
            401
        );
    }
    let limited = login(&rc, &json!({"user": "alice", "password": "alice-password"}));
    assert_eq!(limited.status, 429);
    // /api/info is never limited.
    for _ in 0..12 {
        assert_eq!(call("GET", &rc, "/api/info").send().status, 200);
    }
}

#[test]
fn rate_limit_zero_means_off_without_headers() {
    let rc = start();
    for _ in 0..30 {
        let reply = alice(&rc, "GET", "/api/v1/me").send();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("X-RateLimit-Limit"), None);
    }
}

// ---------------------------------------------------------------- faults, control, recording

#[test]
fn injected_faults_apply_once_in_order() {
    let rc = start_with(|c| c.rate_limit_per_minute = 10);
    rc.inject(Fault::RateLimit {
        retry_after_secs: 2.5,
    });
    rc.inject(Fault::Garbage);
    rc.inject(Fault::ServerError);
    rc.inject(Fault::Redirect {
        location: "http://127.0.0.1:1/elsewhere".into(),
    });
    let before = now_ms();
    let limited = alice(&rc, "GET", "/api/v1/me").send();
    limited.is(
        429,
        &failure("Error, too many requests. Please slow down. You must wait 3 seconds before trying this endpoint again. [error-too-many-requests]"),
    );
    let reset: u128 = limited
        .header("X-RateLimit-Reset")
        .and_then(|r| r.parse().ok())
        .expect("reset");
    assert!(reset >= before + 2_500 && reset <= now_ms() + 2_500);
    assert_eq!(limited.header("X-RateLimit-Limit"), Some("10"));

    let garbage = call("GET", &rc, "/api/info").send();
    assert_eq!(
        (garbage.status, garbage.body.as_str()),
        (200, "<html>not json")
    );
    let error = set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"message": "x"}));
    assert_eq!(error.status, 500);
    let redirect = alice(&rc, "GET", "/api/v1/me").send();
    assert_eq!(redirect.status, 302);
    assert_eq!(
        redirect.header("Location"),
        Some("http://127.0.0.1:1/elsewhere")
    );
    // The faulted set never reached the endpoint.
    assert_eq!(rc.status_of(ALICE_ID), RcStatus::default());
    assert_eq!(alice(&rc, "GET", "/api/v1/me").send().status, 200);
}

#[test]
fn targeted_faults_and_the_control_endpoints() {
    let rc = start();
    rc.inject_on("POST", "/api/v1/users.setStatus", Fault::ServerError);
    assert_eq!(alice(&rc, "GET", "/api/v1/me").send().status, 200);
    assert_eq!(
        set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"message": "x"})).status,
        500
    );
    assert_eq!(
        set_status(&rc, ALICE_ID, ALICE_PAT, &json!({"message": "x"})).status,
        200
    );

    let ok = call("POST", &rc, "/__fake/fault").json(&json!({"kind": "garbage"}));
    assert_eq!((ok.status, ok.body.as_str()), (200, SUCCESS));
    let targeted = call("POST", &rc, "/__fake/fault").json(
        &json!({"kind": "rate_limit", "retry_after": 1.0, "method": "GET", "path": "/api/v1/users.getStatus"}),
    );
    assert_eq!(targeted.status, 200);
    let bad = call("POST", &rc, "/__fake/fault").json(&json!({"kind": "nope"}));
    assert_eq!(bad.status, 400);
    let half = call("POST", &rc, "/__fake/fault").json(&json!({"kind": "hang", "method": "GET"}));
    assert_eq!(half.status, 400);

    let state = call("GET", &rc, "/__fake/state").send().json();
    assert_eq!(state["pending_faults"], json!([{"kind": "garbage"}]));
    assert_eq!(
        state["pending_targeted_faults"][0]["path"],
        "/api/v1/users.getStatus"
    );
    assert_eq!(state["version"], "7.4.0");
    let alice_state = &state["users"][0];
    assert_eq!(alice_state["user_id"], ALICE_ID);
    assert_eq!(
        alice_state["status"],
        json!({"message": "x", "status": "online"})
    );
    assert_eq!(alice_state["personal_access_tokens"], 1);
    assert!(state["requests"].as_array().is_some_and(|r| r.len() == 3));

    assert_eq!(
        alice(&rc, "GET", "/api/v1/me").send().body,
        "<html>not json"
    );
    let limited = alice(&rc, "GET", "/api/v1/users.getStatus").send();
    assert_eq!(limited.status, 429);
}

#[test]
fn hang_never_answers_and_does_not_block_shutdown() {
    let rc = start();
    rc.inject(Fault::Hang);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_millis(300))
        .build();
    let result = agent.get(&format!("{}/api/info", rc.url())).call();
    assert!(matches!(result, Err(ureq::Error::Transport(_))));
    assert_eq!(rc.requests()[0].status, None);
    drop(rc);
}

#[test]
fn recorded_requests_never_hold_secrets() {
    let rc = start();
    let token = token_for(&rc, "alice");
    login(&rc, &json!({"resume": token}));
    call("GET", &rc, "/api/v1/me").auth(ALICE_ID, &token).send();
    alice(&rc, "GET", "/api/v1/me").send();
    let requests = rc.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/api/v1/login");
    assert_eq!(
        requests[0].body,
        json!({"user": "alice", "password": "<redacted>"})
    );
    assert_eq!(requests[1].body, json!({"resume": "<redacted>"}));
    assert_eq!(requests[2].auth_user_id.as_deref(), Some(ALICE_ID));
    assert_eq!(requests[2].status, Some(200));
    let all = serde_json::to_string(&requests).expect("json");
    for secret in ["alice-password", token.as_str(), ALICE_PAT] {
        assert!(!all.contains(secret), "{secret} leaked");
    }
    let state = call("GET", &rc, "/__fake/state").send().body;
    for secret in ["alice-password", token.as_str(), ALICE_PAT] {
        assert!(
            !state.contains(secret),
            "{secret} leaked into /__fake/state"
        );
    }
}

#[test]
fn describe_lists_url_users_and_personal_access_tokens() {
    let rc = start();
    let described = rc.describe();
    assert_eq!(described["rocketchat"], rc.url());
    let users = described["rocketchat_users"].as_array().expect("users");
    assert_eq!(users.len(), 3);
    assert_eq!(users[0]["username"], "alice");
    assert_eq!(users[0]["password"], "alice-password");
    assert_eq!(users[0]["personal_access_tokens"], json!([ALICE_PAT]));
    assert_eq!(users[1]["totp_code"], "123456");
    assert_eq!(users[2]["email_code"], "654321");
    assert_eq!(users[2]["personal_access_tokens"], json!([]));
}

#[test]
fn set_status_and_custom_status_setup_helpers() {
    let rc = start();
    rc.set_status(
        CAROL_ID,
        RcStatus {
            message: "preset".into(),
            status: "busy".into(),
        },
    );
    let info = alice(&rc, "GET", "/api/v1/users.info?userId=carolid0000000003").send();
    assert_eq!(info.json()["user"]["statusText"], "preset");
    rc.set_status("unknown", RcStatus::default());
    assert_eq!(rc.status_of("unknown"), RcStatus::default());
    let id = rc.add_custom_status("Meeting", "busy");
    assert_eq!(rc.custom_statuses()[0].id, id);
}
