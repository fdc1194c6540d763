//! Contract tests for the fake Mattermost: what the server rejects, the fake rejects, with
//! the server's own error ids and status codes; login with MFA; the body's `user_id`; the
//! custom status's duration rules and its silent cut at 100 runes; version gates; the
//! settings that switch features off; the plain-text 429; `X-Version-Id` everywhere.

mod common;

use std::time::Duration;

use common::Reply;
use presently_fakes::mattermost::{FakeMattermost, Fault, MmFakeConfig};
use serde_json::{json, Value};

const ALICE: &str = "k7q3x9m2p8w4n6r1t5y0z3a8bc";
const ROOT: &str = "a1b2c3d4e5f6g7h8i9j0k1l2mn";
const ALICE_PAT: &str = "pat-alice-3f9s8d7f6g5h4j3k2l1";

fn start_with(f: impl FnOnce(&mut MmFakeConfig)) -> FakeMattermost {
    let mut config = MmFakeConfig::default();
    f(&mut config);
    FakeMattermost::start(config).expect("fake Mattermost starts")
}

fn send(
    mm: &FakeMattermost,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build();
    let mut req = agent.request(method, &format!("{}{path}", mm.url()));
    if let Some(token) = token {
        req = req.set("Authorization", &format!("Bearer {token}"));
    }
    let result = match body {
        Some(body) => req
            .set("Content-Type", "application/json")
            .send_string(&body.to_string()),
        None => req.call(),
    };
    match result {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => Reply::read(resp),
        Err(err) => panic!("transport error: {err}"),
    }
}

#[track_caller]
fn error_id(reply: &Reply, status: u16, id: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["id"], id, "{}", reply.body);
    assert_eq!(body["status_code"], status);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn every_api_answer_carries_the_version() {
    let mm = start_with(|_| {});
    let ping = send(&mm, "GET", "/api/v4/system/ping", None, None);
    assert_eq!(ping.status, 200);
    assert_eq!(ping.json()["status"], "OK");
    let version = ping.header("x-version-id").expect("X-Version-Id");
    assert!(version.starts_with("9.11.2."), "{version}");
    assert!(version.ends_with(".true"), "{version}");
    let refused = send(&mm, "GET", "/api/v4/users/me", None, None);
    error_id(&refused, 401, "api.context.session_expired.app_error");
    assert!(refused.header("x-version-id").is_some());
}

#[test]
fn login_gives_a_token_in_a_header_and_asks_for_mfa() {
    let mm = start_with(|_| {});
    let wrong = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "alice", "password": "nope"})),
    );
    error_id(
        &wrong,
        401,
        "api.user.login.invalid_credentials_email_username",
    );
    let ok = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "ALICE@example.com", "password": "alice-password"})),
    );
    assert_eq!(ok.status, 200);
    let token = ok.header("token").expect("Token header").to_owned();
    assert_eq!(ok.json()["id"], ALICE);
    assert!(ok.json().get("password").is_none(), "sanitized");
    let me = send(&mm, "GET", "/api/v4/users/me", Some(&token), None);
    assert_eq!(me.json()["username"], "alice");
    // MFA: without the code, then with a wrong one, then right.
    let no_code = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "root", "password": "root-password"})),
    );
    error_id(&no_code, 401, "api.user.check_user_mfa.bad_code.app_error");
    let bad = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "root", "password": "root-password", "token": "000000"})),
    );
    error_id(&bad, 401, "api.user.check_user_mfa.bad_code.app_error");
    let good = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "root", "password": "root-password", "token": "123456"})),
    );
    assert_eq!(good.status, 200);
    let bot = send(
        &mm,
        "POST",
        "/api/v4/users/login",
        None,
        Some(json!({"login_id": "statusbot", "password": ""})),
    );
    error_id(&bot, 401, "api.user.login.bot_login_forbidden.app_error");
    // The password is never recorded.
    assert!(mm
        .requests()
        .iter()
        .all(|r| r.body.get("password").is_none_or(|p| p == "<redacted>")));
    // Logout ends the session.
    assert_eq!(
        send(
            &mm,
            "POST",
            "/api/v4/users/logout",
            Some(&token),
            Some(json!({}))
        )
        .json()["status"],
        "OK"
    );
    error_id(
        &send(&mm, "GET", "/api/v4/users/me", Some(&token), None),
        401,
        "api.context.session_expired.app_error",
    );
}

#[test]
fn personal_access_tokens_work_only_when_the_server_allows_them() {
    let mm = start_with(|_| {});
    assert_eq!(
        send(&mm, "GET", "/api/v4/users/me", Some(ALICE_PAT), None).status,
        200
    );
    let off = start_with(|c| c.enable_user_access_tokens = false);
    error_id(
        &send(&off, "GET", "/api/v4/users/me", Some(ALICE_PAT), None),
        401,
        "api.context.session_expired.app_error",
    );
}

#[test]
fn the_status_body_must_name_the_real_user_id() {
    let mm = start_with(|_| {});
    let me = send(
        &mm,
        "PUT",
        "/api/v4/users/me/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": "me", "status": "away"})),
    );
    error_id(&me, 400, "api.context.invalid_body_param.app_error");
    assert_eq!(
        me.json()["message"],
        "Invalid or missing user_id in request body."
    );
    let ooo = send(
        &mm,
        "PUT",
        "/api/v4/users/me/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": ALICE, "status": "ooo"})),
    );
    assert_eq!(
        ooo.json()["message"],
        "Invalid or missing status in request body."
    );
    let away = send(
        &mm,
        "PUT",
        "/api/v4/users/me/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": ALICE, "status": "away"})),
    );
    assert_eq!(away.status, 200);
    assert_eq!(
        (away.json()["status"].clone(), away.json()["manual"].clone()),
        (json!("away"), json!(true))
    );
    // Another user's status needs edit_other_users.
    let other = send(
        &mm,
        "PUT",
        &format!("/api/v4/users/{ROOT}/status"),
        Some(ALICE_PAT),
        Some(json!({"user_id": ROOT, "status": "away"})),
    );
    error_id(&other, 403, "api.context.permissions.app_error");
    let bad_id = send(
        &mm,
        "PUT",
        "/api/v4/users/..%2Fx/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": "x", "status": "away"})),
    );
    assert_eq!(bad_id.status, 400, "{}", bad_id.body);
}

#[test]
fn do_not_disturb_ends_on_the_minute_and_brings_the_status_before_back() {
    let mm = start_with(|_| {});
    let put = |body: Value| {
        send(
            &mm,
            "PUT",
            "/api/v4/users/me/status",
            Some(ALICE_PAT),
            Some(body),
        )
    };
    assert_eq!(put(json!({"user_id": ALICE, "status": "away"})).status, 200);
    let end = chrono::Utc::now().timestamp() + 300;
    let dnd = put(json!({"user_id": ALICE, "status": "dnd", "dnd_end_time": end}));
    assert_eq!(
        dnd.json()["dnd_end_time"],
        end - end % 60,
        "cut to the minute"
    );
    mm.advance_clock(Duration::from_secs(301));
    assert_eq!(mm.status_of(ALICE).status, "away");
    // Before 6.1 there is no end.
    let old = start_with(|c| c.version = "6.0.0".into());
    let dnd = send(
        &old,
        "PUT",
        "/api/v4/users/me/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": ALICE, "status": "dnd", "dnd_end_time": end})),
    );
    assert_eq!(dnd.json()["dnd_end_time"], 0);
}

#[test]
fn custom_status_rules_of_the_server() {
    let mm = start_with(|_| {});
    let put = |body: Value| {
        send(
            &mm,
            "PUT",
            "/api/v4/users/me/status/custom",
            Some(ALICE_PAT),
            Some(body),
        )
    };
    let empty = put(json!({"emoji": "", "text": ""}));
    error_id(&empty, 400, "api.context.invalid_body_param.app_error");
    assert_eq!(
        empty.json()["message"],
        "Invalid or missing custom_status in request body."
    );
    // A duration without a future expires_at is refused; the server computes nothing.
    error_id(
        &put(json!({"emoji": "x", "text": "a", "duration": "one_hour"})),
        400,
        "api.context.invalid_body_param.app_error",
    );
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    error_id(
        &put(json!({"text": "a", "duration": "date_and_time", "expires_at": past})),
        400,
        "api.context.invalid_body_param.app_error",
    );
    error_id(
        &put(json!({"text": "a", "expires_at": ""})),
        400,
        "api.context.invalid_body_param.app_error",
    );
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let ok = put(json!({"emoji": "palm_tree", "text": "é".repeat(101), "expires_at": future}));
    assert_eq!((ok.status, ok.json()), (200, json!({"status": "OK"})));
    let stored = mm.custom_status_of(ALICE).expect("stored");
    assert_eq!(
        stored.text.chars().count(),
        100,
        "cut silently to 100 runes"
    );
    assert_eq!(stored.duration, "date_and_time", "set by the server");
    let recorded = mm
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PUT")
        .expect("recorded");
    assert_eq!(recorded.cut_text.map(|t| t.chars().count()), Some(101));
    // Read back through the user's props, as a JSON string.
    let me = send(&mm, "GET", "/api/v4/users/me", Some(ALICE_PAT), None).json();
    let props: Value =
        serde_json::from_str(me["props"]["customStatus"].as_str().expect("a string"))
            .expect("JSON");
    assert_eq!(props["emoji"], "palm_tree");
    let cleared = send(
        &mm,
        "DELETE",
        "/api/v4/users/me/status/custom",
        Some(ALICE_PAT),
        None,
    );
    assert_eq!(cleared.json(), json!({"status": "OK"}));
    let me = send(&mm, "GET", "/api/v4/users/me", Some(ALICE_PAT), None).json();
    assert_eq!(me["props"]["customStatus"], "");
}

#[test]
fn switched_off_and_old_servers_answer_as_the_server_does() {
    let off = start_with(|c| c.enable_custom_statuses = false);
    let reply = send(
        &off,
        "PUT",
        "/api/v4/users/me/status/custom",
        Some(ALICE_PAT),
        Some(json!({"text": "a"})),
    );
    error_id(&reply, 501, "api.custom_status.disabled");
    let old = start_with(|c| c.version = "5.30.0".into());
    let reply = send(
        &old,
        "PUT",
        "/api/v4/users/me/status/custom",
        Some(ALICE_PAT),
        Some(json!({"text": "a"})),
    );
    error_id(&reply, 404, "api.context.404.app_error");
    let no_statuses = start_with(|c| c.enable_user_statuses = false);
    let reply = send(
        &no_statuses,
        "PUT",
        "/api/v4/users/me/status",
        Some(ALICE_PAT),
        Some(json!({"user_id": ALICE, "status": "away"})),
    );
    error_id(&reply, 404, "api.status.user_not_found.app_error");
    let no_emoji = start_with(|c| c.enable_custom_emoji = false);
    error_id(
        &send(
            &no_emoji,
            "GET",
            "/api/v4/emoji/name/our_logo",
            Some(ALICE_PAT),
            None,
        ),
        501,
        "api.emoji.disabled.app_error",
    );
    let mm = start_with(|_| {});
    assert_eq!(
        send(
            &mm,
            "GET",
            "/api/v4/emoji/name/our_logo",
            Some(ALICE_PAT),
            None
        )
        .json()["name"],
        "our_logo"
    );
    error_id(
        &send(&mm, "GET", "/api/v4/emoji/name/nope", Some(ALICE_PAT), None),
        404,
        "app.emoji.get_by_name.no_result",
    );
}

#[test]
fn the_rate_limiter_answers_in_plain_text_with_retry_after() {
    let mm = start_with(|c| c.rate_limit = Some((1, 2)));
    let replies: Vec<Reply> = (0..3)
        .map(|_| send(&mm, "GET", "/api/v4/users/me", Some(ALICE_PAT), None))
        .collect();
    assert_eq!(replies[0].status, 200);
    assert_eq!(
        replies[0].header("x-ratelimit-limit"),
        Some("1"),
        "every limited answer says so"
    );
    let limited = &replies[2];
    assert_eq!(
        (limited.status, limited.body.as_str()),
        (429, "limit exceeded\n")
    );
    assert!(limited
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain")));
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    // An injected one looks the same.
    let mm = start_with(|_| {});
    mm.inject(Fault::RateLimit {
        retry_after_secs: 30.0,
    });
    let injected = send(&mm, "GET", "/api/v4/users/me", Some(ALICE_PAT), None);
    assert_eq!(
        (injected.status, injected.header("retry-after")),
        (429, Some("30"))
    );
}
