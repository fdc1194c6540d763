//! Fault injection, the `/__fake` control endpoints, request recording and shutdown.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use presently_fakes::zulip::{Fault, UserStatus};

#[test]
fn injected_rate_limit_looks_like_zulips_and_applies_once() {
    let zulip = start(Default::default());
    zulip.inject(Fault::RateLimit {
        retry_after_secs: 2.5,
    });
    let reply = call("GET", &zulip, "/api/v1/users/me").auth(ALICE).send();
    assert_eq!(reply.status, 429);
    assert_eq!(
        reply.body,
        "{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":2.5}\n"
    );
    // Zulip sends str(float) here, not an integer.
    assert_eq!(reply.header("Retry-After"), Some("2.5"));
    assert_eq!(reply.header("X-RateLimit-Remaining"), Some("0"));
    assert_eq!(
        call("GET", &zulip, "/api/v1/users/me")
            .auth(ALICE)
            .send()
            .status,
        200
    );
}

#[test]
fn garbage_server_error_and_redirect() {
    let zulip = start(Default::default());
    zulip.inject(Fault::Garbage);
    zulip.inject(Fault::ServerError);
    zulip.inject(Fault::Redirect {
        location: "http://127.0.0.1:1/elsewhere".into(),
    });

    let garbage = set_status(&zulip, ALICE, &[("status_text", "x")]);
    assert_eq!(
        (garbage.status, garbage.body.as_str()),
        (200, "<html>not json")
    );
    assert!(garbage
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("text/html")));

    let error = call("GET", &zulip, "/api/v1/server_settings").send();
    assert_eq!(
        (error.status, error.body.as_str()),
        (500, "<html><body>Internal Server Error</body></html>")
    );

    let redirect = call("GET", &zulip, "/api/v1/users/me").auth(ALICE).send();
    assert_eq!(redirect.status, 302);
    assert_eq!(
        redirect.header("Location"),
        Some("http://127.0.0.1:1/elsewhere")
    );

    // Faults did not reach the endpoints.
    assert_eq!(zulip.status_of(8), UserStatus::default());
    assert_eq!(
        call("GET", &zulip, "/api/v1/users/me")
            .auth(ALICE)
            .send()
            .status,
        200
    );
}

#[test]
fn huge_body_is_50_mib_of_spaces_then_an_object() {
    let zulip = start(Default::default());
    zulip.inject(Fault::Huge);
    let resp = call("GET", &zulip, "/api/v1/users/me").raw().expect("200");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.content_type(), "application/json");
    let mut reader = resp.into_reader();
    let (mut total, mut tail, mut buf) = (0usize, Vec::new(), vec![0u8; 1 << 16]);
    loop {
        let n = reader.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        total += n;
        tail.extend_from_slice(&buf[..n]);
        let keep = tail.len().saturating_sub(4);
        tail.drain(..keep);
    }
    assert_eq!(total, 50 * 1024 * 1024 + 2);
    assert!(tail.ends_with(b" {}"));
}

#[test]
fn hang_never_answers_and_does_not_block_shutdown() {
    let zulip = start(Default::default());
    zulip.inject(Fault::Hang);
    let result = call_with_timeout(
        "GET",
        &zulip,
        "/api/v1/users/me",
        Duration::from_millis(300),
    )
    .auth(ALICE)
    .raw();
    assert!(result.is_err(), "a hung request must time out");
    let recorded = zulip.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].status, None);
    drop(zulip); // returns: the hang ends when the fake shuts down
}

#[test]
fn faults_over_http_control_endpoint() {
    let zulip = start(Default::default());
    let reply = call("POST", &zulip, "/__fake/fault")
        .send_json(&serde_json::json!({"kind": "rate_limit", "retry_after": 1.0}));
    assert_eq!(reply.status, 200);
    let limited = call("GET", &zulip, "/api/v1/users/me").auth(ALICE).send();
    assert_eq!(limited.header("Retry-After"), Some("1.0"));
    assert_eq!(limited.json()["retry-after"], 1.0);

    for kind in ["hang", "garbage", "huge", "server_error"] {
        let reply =
            call("POST", &zulip, "/__fake/fault").send_json(&serde_json::json!({ "kind": kind }));
        assert_eq!(reply.status, 200, "{kind}");
    }
    let state = call("GET", &zulip, "/__fake/state").send().json();
    let kinds: Vec<&str> = state["pending_faults"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["hang", "garbage", "huge", "server_error"]);

    let bad = call("POST", &zulip, "/__fake/fault").send_json(&serde_json::json!({"kind": "nope"}));
    assert_eq!(bad.status, 400);
    let redirect = serde_json::json!({"kind": "redirect", "location": "http://x/"});
    assert_eq!(
        call("POST", &zulip, "/__fake/fault")
            .send_json(&redirect)
            .status,
        200
    );
}

#[test]
fn state_endpoint_and_recorded_requests() {
    let zulip = start(Default::default());
    set_status(
        &zulip,
        ALICE,
        &[
            ("status_text", "lunch"),
            ("emoji_name", "hamburger"),
            ("away", "true"),
        ],
    );

    let state = call("GET", &zulip, "/__fake/state").send().json();
    let alice = &state["users"][0];
    assert_eq!(alice["user_id"], 8);
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["presence_enabled"], false);
    assert_eq!(alice["status"]["status_text"], "lunch");
    assert_eq!(alice["status"]["emoji_code"], "1f354");
    assert_eq!(alice["status"]["away"], true);
    assert_eq!(
        state["requests"].as_array().map(Vec::len),
        Some(1),
        "/__fake calls are not recorded"
    );

    let recorded = zulip.requests();
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/v1/users/me/status")
    );
    assert_eq!(
        request.form[0],
        ("status_text".to_owned(), "lunch".to_owned())
    );
    assert_eq!(request.auth_email.as_deref(), Some("alice@example.com"));
    assert_eq!(request.status, Some(200));
    let dump = serde_json::to_string(&recorded).expect("serializable");
    assert!(!dump.contains(ALICE.1), "the API key is never recorded");
}

#[test]
fn set_status_for_test_setup() {
    let zulip = start(Default::default());
    let status = UserStatus {
        status_text: "in a meeting".into(),
        emoji_name: "calendar".into(),
        emoji_code: "1f4c5".into(),
        reaction_type: "unicode_emoji".into(),
        away: true,
    };
    zulip.set_status(9, status.clone());
    assert_eq!(zulip.status_of(9), status);
    assert!(!zulip.presence_enabled(9));
    let json = call("GET", &zulip, "/api/v1/users/9/status")
        .auth(ALICE)
        .send()
        .json();
    assert_eq!(json["status"]["emoji_code"], "1f4c5");
    zulip.set_status(999, status); // unknown: ignored
    assert_eq!(zulip.status_of(999), UserStatus::default());
}
