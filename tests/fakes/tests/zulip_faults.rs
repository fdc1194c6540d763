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

const OWN_STATUS: &str = "/api/v1/users/me/status";

#[test]
fn a_targeted_fault_waits_for_its_method_and_path() {
    let zulip = start(Default::default());
    zulip.inject_on(
        "POST",
        OWN_STATUS,
        Fault::RateLimit {
            retry_after_secs: 0.5,
        },
    );
    zulip.inject_on("POST", OWN_STATUS, Fault::ServerError);
    zulip.inject_on("PATCH", "/api/v1/settings", Fault::Garbage);

    // Other paths, other methods on the path, and a query string do not match.
    assert_eq!(
        call("GET", &zulip, "/api/v1/server_settings").send().status,
        200
    );
    assert_eq!(
        call("GET", &zulip, "/api/v1/users/me")
            .auth(ALICE)
            .send()
            .status,
        200
    );
    assert_eq!(
        call("GET", &zulip, "/api/v1/users/8/status")
            .auth(ALICE)
            .send()
            .status,
        200
    );
    let settings = call("PATCH", &zulip, "/api/v1/settings")
        .auth(ALICE)
        .form(&[("presence_enabled", "false")]);
    assert_eq!(
        (settings.status, settings.body.as_str()),
        (200, "<html>not json")
    );
    assert!(
        zulip.presence_enabled(8),
        "the faulted PATCH changed nothing"
    );

    // The two POST faults apply in order, one per matching request.
    let limited = set_status(&zulip, ALICE, &[("status_text", "one")]);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("Retry-After"), Some("0.5"));
    assert_eq!(limited.json()["code"], "RATE_LIMIT_HIT");
    let error = set_status(&zulip, ALICE, &[("status_text", "two")]);
    assert_eq!(error.status, 500);
    assert_eq!(zulip.status_of(8), UserStatus::default());
    let ok = set_status(&zulip, ALICE, &[("status_text", "three")]);
    assert_eq!(ok.status, 200);
    assert_eq!(zulip.status_of(8).status_text, "three");

    let statuses: Vec<(String, String, Option<u16>)> = zulip
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.status))
        .collect();
    let expected = [
        ("GET", "/api/v1/server_settings", 200),
        ("GET", "/api/v1/users/me", 200),
        ("GET", "/api/v1/users/8/status", 200),
        ("PATCH", "/api/v1/settings", 200),
        ("POST", OWN_STATUS, 429),
        ("POST", OWN_STATUS, 500),
        ("POST", OWN_STATUS, 200),
    ]
    .map(|(m, p, s)| (m.to_owned(), p.to_owned(), Some(s)));
    assert_eq!(statuses, expected);
}

#[test]
fn a_targeted_fault_can_hit_a_path_outside_the_api_and_hang() {
    let zulip = start(Default::default());
    zulip.inject_on("GET", "/", Fault::Hang);
    // Untargeted faults never touch non-API paths; a targeted one does.
    let hung = call_with_timeout("GET", &zulip, "/", Duration::from_millis(300)).raw();
    assert!(hung.is_err(), "the targeted hang must not answer");
    assert_eq!(call("GET", &zulip, "/").send().status, 404);
}

#[test]
fn a_pending_untargeted_fault_is_for_the_very_next_request() {
    let zulip = start(Default::default());
    zulip.inject_on("POST", OWN_STATUS, Fault::ServerError);
    zulip.inject(Fault::Garbage);
    // The untargeted fault takes the next API request, even one the targeted fault matches;
    // the targeted one waits for the following match.
    let first = set_status(&zulip, ALICE, &[("status_text", "x")]);
    assert_eq!((first.status, first.body.as_str()), (200, "<html>not json"));
    let second = set_status(&zulip, ALICE, &[("status_text", "x")]);
    assert_eq!(second.status, 500);
    let third = set_status(&zulip, ALICE, &[("status_text", "x")]);
    assert_eq!(third.status, 200);
}

#[test]
#[should_panic(expected = "must be an absolute path without query")]
fn a_targeted_fault_that_could_never_fire_is_refused() {
    let zulip = start(Default::default());
    zulip.inject_on("POST", "api/v1/users/me/status", Fault::Hang);
}

#[test]
fn targeted_faults_over_http_control_endpoint() {
    let zulip = start(Default::default());
    let fault = |body: serde_json::Value| call("POST", &zulip, "/__fake/fault").send_json(&body);
    let reply = fault(serde_json::json!({
        "kind": "rate_limit", "retry_after": 2, "method": "POST", "path": OWN_STATUS,
    }));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = fault(serde_json::json!({
        "kind": "redirect", "location": "http://127.0.0.1:1/",
        "method": "PATCH", "path": "/api/v1/settings",
    }));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply =
        fault(serde_json::json!({"kind": "hang", "method": "GET", "path": "/api/v1/users/me"}));
    assert_eq!(reply.status, 200, "{}", reply.body);

    for (body, why) in [
        (
            serde_json::json!({"kind": "hang", "method": "POST"}),
            "give both \"method\" and \"path\", or neither",
        ),
        (
            serde_json::json!({"kind": "hang", "path": OWN_STATUS}),
            "give both \"method\" and \"path\", or neither",
        ),
        (
            serde_json::json!({"kind": "hang", "method": "post", "path": OWN_STATUS}),
            "upper-case HTTP method",
        ),
        (
            serde_json::json!({"kind": "hang", "method": "POST", "path": "/api/v1/x?y=1"}),
            "without query",
        ),
        (
            serde_json::json!({"kind": "nope", "method": "POST", "path": OWN_STATUS}),
            "bad fault",
        ),
    ] {
        let reply = fault(body.clone());
        assert_eq!(reply.status, 400, "{body}");
        let msg = reply.json()["msg"].as_str().unwrap_or_default().to_owned();
        assert!(msg.contains(why), "{body}: {msg}");
    }

    let state = call("GET", &zulip, "/__fake/state").send().json();
    assert_eq!(state["pending_faults"], serde_json::json!([]));
    assert_eq!(
        state["pending_targeted_faults"],
        serde_json::json!([
            {"method": "POST", "path": OWN_STATUS, "kind": "rate_limit", "retry_after": 2.0},
            {"method": "PATCH", "path": "/api/v1/settings", "kind": "redirect",
             "location": "http://127.0.0.1:1/"},
            {"method": "GET", "path": "/api/v1/users/me", "kind": "hang"},
        ])
    );

    let limited = set_status(&zulip, ALICE, &[("status_text", "x")]);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("Retry-After"), Some("2.0"));
    let redirect = call("PATCH", &zulip, "/api/v1/settings")
        .auth(ALICE)
        .form(&[("presence_enabled", "false")]);
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("Location"), Some("http://127.0.0.1:1/"));
    let state = call("GET", &zulip, "/__fake/state").send().json();
    assert_eq!(
        state["pending_targeted_faults"].as_array().map(Vec::len),
        Some(1),
        "applied faults are gone"
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
