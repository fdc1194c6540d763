//! Contract tests for the fake Slack, over real HTTP: the Web API's framing (HTTP 200
//! `{"ok":…}`, `x-oauth-scopes`, 429 `ratelimited` with `Retry-After`), the token errors and
//! scopes, every rule of `users.profile.set` (JSON and form `profile`, `too_long`, emoji
//! syntax and names, clearing both, expiry), presence, the do-not-disturb snooze,
//! `emoji.list`, `auth.revoke`, the rate tiers and the profile-write rule on the fake clock,
//! OAuth v2 (consent page, PKCE, desktop redirects, code exchange, token rotation), the
//! `/__fake` endpoints and faults. Rules from the project's vendor-API contract for Slack.

mod common;

use std::time::Duration;

use base64::Engine;
use common::Reply;
use presently_fakes::slack::{
    pkce_s256_challenge, FakeSlack, Fault, SlackApp, SlackFakeConfig, SlackUser, ALICE_ID, BOB_ID,
    BOT_ID, DESKTOP_CLIENT_ID, USER_SCOPES, WEB_CLIENT_ID,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// A loopback redirect on another port than the registered `localhost:53682`.
const LOOPBACK: &str = "http://localhost:41234/slack/callback";
const WEB_REDIRECT: &str = "https://presently.example.com/oauth/slack";
const PRESENTLY_SCOPES: &str =
    "users.profile:write,users.profile:read,users:write,dnd:write,dnd:read,emoji:read";

fn start() -> FakeSlack {
    start_with(|_| {})
}

fn start_with(f: impl FnOnce(&mut SlackFakeConfig)) -> FakeSlack {
    let mut config = SlackFakeConfig::default();
    f(&mut config);
    FakeSlack::start(config).expect("fake Slack starts")
}

fn token_of(user: &str) -> String {
    SlackFakeConfig::default()
        .tokens
        .into_iter()
        .find(|(u, _, _)| u == user)
        .map(|(_, t, _)| t)
        .expect("a pasted token")
}

fn alice() -> String {
    token_of(ALICE_ID)
}

fn app(client_id: &str) -> SlackApp {
    SlackFakeConfig::default()
        .apps
        .into_iter()
        .find(|a| a.client_id == client_id)
        .expect("a default app")
}

enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(Value),
    Raw(&'a str, &'a str),
}

/// One request; `headers` as given; 4xx/5xx are answers.
fn send(
    slack: &FakeSlack,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build();
    let mut req = agent.request(method, &format!("{}{path}", slack.url()));
    for (name, value) in headers {
        req = req.set(name, value);
    }
    let result = match body {
        Body::None => req.call(),
        Body::Form(form) => req.send_form(form),
        Body::Json(value) => req
            .set("Content-Type", "application/json; charset=utf-8")
            .send_string(&value.to_string()),
        Body::Raw(content_type, text) => req.set("Content-Type", content_type).send_string(text),
    };
    match result {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => Reply::read(resp),
        Err(err) => panic!("transport error: {err}"),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `POST /api/<method>` with a form body and the token in the header.
fn post(slack: &FakeSlack, method: &str, token: &str, form: &[(&str, &str)]) -> Reply {
    let auth = bearer(token);
    send(
        slack,
        "POST",
        &format!("/api/{method}"),
        &[("Authorization", &auth)],
        Body::Form(form),
    )
}

/// `POST /api/<method>` with a JSON body and the token in the header.
fn post_json(slack: &FakeSlack, method: &str, token: &str, body: Value) -> Reply {
    let auth = bearer(token);
    send(
        slack,
        "POST",
        &format!("/api/{method}"),
        &[("Authorization", &auth)],
        Body::Json(body),
    )
}

/// `GET /api/<method>?query` with the token in the header.
fn get(slack: &FakeSlack, method: &str, token: &str, query: &str) -> Reply {
    let auth = bearer(token);
    send(
        slack,
        "GET",
        &format!("/api/{method}?{query}"),
        &[("Authorization", &auth)],
        Body::None,
    )
}

/// `users.profile.set` with `profile` as a JSON object.
fn set_profile(slack: &FakeSlack, token: &str, profile: Value) -> Reply {
    post_json(
        slack,
        "users.profile.set",
        token,
        json!({ "profile": profile }),
    )
}

fn set_status(slack: &FakeSlack, text: &str, emoji: &str) -> Reply {
    set_profile(
        slack,
        &alice(),
        json!({"status_text": text, "status_emoji": emoji, "status_expiration": 0}),
    )
}

/// HTTP 200, `"ok": true`; the body.
#[track_caller]
fn ok(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["ok"], true, "{}", reply.body);
    body
}

/// HTTP 200, exactly `{"ok":false,"error":"<code>"}`.
#[track_caller]
fn refused(reply: &Reply, code: &str) {
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, format!(r#"{{"ok":false,"error":"{code}"}}"#).as_str())
    );
}

/// HTTP 200, `"ok": false` with this `error` (and maybe more members).
#[track_caller]
fn refused_with(reply: &Reply, code: &str) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!((&body["ok"], &body["error"]), (&json!(false), &json!(code)));
    body
}

/// The 429 exactly as Slack sends it; the `Retry-After` seconds.
#[track_caller]
fn ratelimited(reply: &Reply) -> u64 {
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (429, r#"{"ok":false,"error":"ratelimited"}"#)
    );
    assert!(reply.header("x-oauth-scopes").is_some());
    reply
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `GET /oauth/v2/authorize` with these query parameters.
fn authorize(slack: &FakeSlack, params: &[(&str, &str)]) -> Reply {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    send(
        slack,
        "GET",
        &format!("/oauth/v2/authorize?{query}"),
        &[],
        Body::None,
    )
}

/// Query parameters of the consent page.
type Params = Vec<(&'static str, &'static str)>;

/// The desktop app's PKCE request on a loopback redirect.
fn desktop_params(state: &str) -> Vec<(&str, &str)> {
    vec![
        ("client_id", DESKTOP_CLIENT_ID),
        ("user_scope", PRESENTLY_SCOPES),
        ("redirect_uri", LOOPBACK),
        ("state", state),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// The query of a 302's `Location`, which must start with `redirect_uri?`.
#[track_caller]
fn redirected(reply: &Reply, redirect_uri: &str) -> Vec<(String, String)> {
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("Location").expect("Location");
    let query = location
        .strip_prefix(&format!("{redirect_uri}?"))
        .unwrap_or_else(|| panic!("redirect to {location}"));
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// An HTML error page and no redirect.
#[track_caller]
fn error_page(reply: &Reply, text: &str) {
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.header("Location").is_none());
    assert!(
        reply
            .header("Content-Type")
            .is_some_and(|ct| ct.starts_with("text/html")),
        "{:?}",
        reply.header("Content-Type")
    );
    assert!(reply.body.contains(text), "{}", reply.body);
}

/// A code from the consent page for the desktop app (loopback redirect).
fn desktop_code(slack: &FakeSlack) -> String {
    let pairs = redirected(&authorize(slack, &desktop_params("st")), LOOPBACK);
    param(&pairs, "code").expect("code")
}

/// `POST /api/oauth.v2.access` with a form and no token.
fn access(slack: &FakeSlack, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Reply {
    send(
        slack,
        "POST",
        "/api/oauth.v2.access",
        headers,
        Body::Form(form),
    )
}

fn desktop_exchange(slack: &FakeSlack, code: &str, verifier: &str) -> Reply {
    access(
        slack,
        &[],
        &[
            ("code", code),
            ("redirect_uri", LOOPBACK),
            ("client_id", DESKTOP_CLIENT_ID),
            ("code_verifier", verifier),
        ],
    )
}

struct Tokens {
    access: String,
    refresh: String,
}

/// The whole desktop sign-in: consent, exchange with the verifier.
fn desktop_tokens(slack: &FakeSlack) -> Tokens {
    let code = desktop_code(slack);
    let body = ok(&desktop_exchange(slack, &code, VERIFIER));
    Tokens {
        access: body["authed_user"]["access_token"]
            .as_str()
            .expect("access")
            .to_owned(),
        refresh: body["authed_user"]["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned(),
    }
}

fn refresh_desktop(slack: &FakeSlack, refresh: &str) -> Reply {
    access(
        slack,
        &[],
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", DESKTOP_CLIENT_ID),
        ],
    )
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

// ---------------------------------------------------------------- framing and tokens

#[test]
fn auth_test_says_who_and_every_answer_carries_the_scopes() {
    let slack = start();
    let reply = post(&slack, "auth.test", &alice(), &[]);
    assert!(reply
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("application/json")));
    assert_eq!(
        reply.header("x-oauth-scopes"),
        Some(USER_SCOPES.join(",").as_str())
    );
    let body = ok(&reply);
    assert_eq!(body["url"], "https://presently-test.slack.com/");
    assert_eq!(body["team"], "Presently Test");
    assert_eq!(body["team_id"], "T0PRESENT");
    assert_eq!(body["user"], "alice");
    assert_eq!(body["user_id"], ALICE_ID);
    assert!(
        body.get("expires_in").is_none(),
        "a pasted token never ends"
    );
    assert!(body.get("bot_id").is_none());
    // A refusal is HTTP 200 too, and carries the header (empty without a valid token).
    let refusal = post(&slack, "auth.test", "xoxp-nobody", &[]);
    refused(&refusal, "invalid_auth");
    assert_eq!(refusal.header("x-oauth-scopes"), Some(""));
    // A bot token is who it is.
    let bot = ok(&post(&slack, "auth.test", &token_of(BOT_ID), &[]));
    assert_eq!(bot["user_id"], BOT_ID);
    assert!(bot["bot_id"].as_str().is_some_and(|b| b.starts_with('B')));
}

#[test]
fn token_errors_are_slacks_common_ones() {
    let slack = start();
    let none = send(&slack, "POST", "/api/auth.test", &[], Body::Form(&[]));
    refused(&none, "not_authed");
    refused(
        &post(&slack, "auth.test", "xoxp-1-2-3-nope", &[]),
        "invalid_auth",
    );
    // A `token` form field works as well as the header.
    let token = alice();
    let form = send(
        &slack,
        "POST",
        "/api/auth.test",
        &[],
        Body::Form(&[("token", token.as_str())]),
    );
    assert_eq!(ok(&form)["user_id"], ALICE_ID);
    // Not in the query string, and not in a JSON body (a JSON body needs the header).
    let query = send(
        &slack,
        "GET",
        &format!("/api/auth.test?token={token}"),
        &[],
        Body::None,
    );
    refused(&query, "not_authed");
    let in_json = send(
        &slack,
        "POST",
        "/api/users.profile.set",
        &[],
        Body::Json(json!({"token": token, "profile": {"status_text": "x"}})),
    );
    refused(&in_json, "not_authed");
    // Uninstalled: every token of the person is revoked.
    slack.revoke_tokens(ALICE_ID);
    refused(&post(&slack, "auth.test", &token, &[]), "token_revoked");
    ok(&post(&slack, "auth.test", &token_of(BOB_ID), &[]));
}

#[test]
fn unknown_methods_and_bodies_slack_cannot_read() {
    let slack = start();
    refused(
        &post(&slack, "users.setStatus", &alice(), &[]),
        "unknown_method",
    );
    let auth = bearer(&alice());
    let headers = [("Authorization", auth.as_str())];
    let broken = send(
        &slack,
        "POST",
        "/api/users.profile.set",
        &headers,
        Body::Raw("application/json", "{not json"),
    );
    refused(&broken, "invalid_json");
    let array = send(
        &slack,
        "POST",
        "/api/users.profile.set",
        &headers,
        Body::Raw("application/json", "[1,2]"),
    );
    refused(&array, "json_not_object");
    let xml = send(
        &slack,
        "POST",
        "/api/auth.test",
        &headers,
        Body::Raw("application/xml", "<a/>"),
    );
    refused(&xml, "invalid_post_type");
}

#[test]
fn json_without_charset_is_taken_with_a_warning() {
    let slack = start();
    let auth = bearer(&alice());
    let reply = send(
        &slack,
        "POST",
        "/api/users.profile.set",
        &[("Authorization", auth.as_str())],
        Body::Raw(
            "application/json",
            r#"{"profile":{"status_text":"Hi","status_emoji":""}}"#,
        ),
    );
    let body = ok(&reply);
    assert_eq!(body["warning"], "missing_charset");
    assert_eq!(
        body["response_metadata"]["warnings"],
        json!(["missing_charset"])
    );
    let clean = ok(&set_status(&slack, "Hi", ""));
    assert!(clean.get("warning").is_none());
}

#[test]
fn a_missing_scope_names_the_needed_one_and_what_the_token_has() {
    let slack = start();
    let reply = set_profile(&slack, &token_of(BOB_ID), json!({"status_text": "x"}));
    let body = refused_with(&reply, "missing_scope");
    assert_eq!(body["needed"], "users.profile:write");
    assert_eq!(body["provided"], "users.profile:read,emoji:read");
    assert_eq!(
        reply.header("x-oauth-scopes"),
        Some("users.profile:read,emoji:read")
    );
    let presence = post(
        &slack,
        "users.setPresence",
        &token_of(BOB_ID),
        &[("presence", "away")],
    );
    assert_eq!(
        refused_with(&presence, "missing_scope")["needed"],
        "users:write"
    );
    let dnd = post(
        &slack,
        "dnd.setSnooze",
        &token_of(BOB_ID),
        &[("num_minutes", "5")],
    );
    assert_eq!(refused_with(&dnd, "missing_scope")["needed"], "dnd:write");
}

#[test]
fn a_bot_token_cannot_set_a_persons_status() {
    let slack = start();
    let bot = token_of(BOT_ID);
    refused(
        &set_profile(
            &slack,
            &bot,
            json!({"status_text": "x", "status_emoji": ""}),
        ),
        "not_allowed_token_type",
    );
    refused(
        &post(&slack, "users.setPresence", &bot, &[("presence", "away")]),
        "not_allowed_token_type",
    );
    refused(
        &post(&slack, "dnd.setSnooze", &bot, &[("num_minutes", "5")]),
        "not_allowed_token_type",
    );
    // Reading is allowed with the scope.
    ok(&get(
        &slack,
        "users.profile.get",
        &bot,
        &format!("user={ALICE_ID}"),
    ));
}

// ---------------------------------------------------------------- users.profile.set

#[test]
fn a_status_set_with_a_json_profile_answers_the_whole_profile() {
    let slack = start();
    let until = now() + 3600;
    let reply = set_profile(
        &slack,
        &alice(),
        json!({"status_text": "Lunch", "status_emoji": ":hamburger:", "status_expiration": until}),
    );
    let body = ok(&reply);
    assert_eq!(body["username"], "alice");
    let profile = &body["profile"];
    assert_eq!(profile["status_text"], "Lunch");
    assert_eq!(profile["status_emoji"], ":hamburger:");
    assert_eq!(profile["status_expiration"], until);
    assert_eq!(profile["real_name"], "Alice Example");
    assert_eq!(profile["team"], "T0PRESENT");
    let held = slack.profile_of(ALICE_ID);
    assert_eq!(
        (
            held.status_text.as_str(),
            held.status_emoji.as_str(),
            held.status_expiration
        ),
        ("Lunch", ":hamburger:", until)
    );
    assert_eq!(slack.profile_writes(ALICE_ID), 1);
    // Read back with a GET and query arguments.
    let read = ok(&get(&slack, "users.profile.get", &alice(), ""));
    assert_eq!(read["profile"]["status_text"], "Lunch");
    assert_eq!(read["profile"]["status_expiration"], until);
}

#[test]
fn a_form_profile_is_url_encoded_json_and_name_value_sets_one_field() {
    let slack = start();
    let profile = json!({"status_text": "Commuting", "status_emoji": ":car:"}).to_string();
    let body = ok(&post(
        &slack,
        "users.profile.set",
        &alice(),
        &[("profile", profile.as_str())],
    ));
    assert_eq!(body["profile"]["status_emoji"], ":car:");
    assert_eq!(body["profile"]["status_expiration"], 0);
    ok(&post(
        &slack,
        "users.profile.set",
        &alice(),
        &[("name", "status_text"), ("value", "Driving")],
    ));
    let held = slack.profile_of(ALICE_ID);
    assert_eq!(
        (held.status_text.as_str(), held.status_emoji.as_str()),
        ("Driving", ":car:")
    );
}

#[test]
fn a_profile_that_is_not_a_json_object_is_invalid_profile() {
    let slack = start();
    let token = alice();
    for bad in [
        "not json",
        "[1]",
        r#"{"status_text": 5}"#,
        r#"{"status_expiration": "soon"}"#,
    ] {
        refused(
            &post(&slack, "users.profile.set", &token, &[("profile", bad)]),
            "invalid_profile",
        );
    }
    refused(
        &post_json(&slack, "users.profile.set", &token, json!({"profile": 7})),
        "invalid_profile",
    );
    refused(
        &post(&slack, "users.profile.set", &token, &[]),
        "invalid_profile",
    );
    assert_eq!(slack.profile_writes(ALICE_ID), 0);
}

#[test]
fn status_text_is_at_most_100_characters() {
    let slack = start();
    let hundred = "a".repeat(100);
    ok(&set_status(&slack, &hundred, ""));
    let reply = set_status(&slack, &"a".repeat(101), "");
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (
            200,
            r#"{"ok":false,"error":"too_long","field":"status_text","limit":100}"#
        )
    );
    // UTF-16 units (the stricter reading): 51 palm trees are 102 units.
    let palms = set_status(&slack, &"🌴".repeat(51), "");
    refused_with(&palms, "too_long");
    ok(&set_status(&slack, &"🌴".repeat(50), ""));
    assert_eq!(slack.profile_of(ALICE_ID).status_text, "🌴".repeat(50));
}

#[test]
fn status_emoji_is_the_colon_name_of_a_workspace_emoji() {
    let slack = start();
    for good in [":palm_tree:", ":+1:", ":acme_logo:", ":shipit:"] {
        ok(&set_status(&slack, "Out", good));
        assert_eq!(slack.profile_of(ALICE_ID).status_emoji, good);
    }
    for syntax in [
        "🌴",
        "palm_tree",
        ":palm_tree",
        ":wave::skin-tone-2:",
        ":Palm Tree:",
    ] {
        refused(
            &set_status(&slack, "Out", syntax),
            "profile_status_set_failed_not_emoji_syntax",
        );
    }
    refused(
        &set_status(&slack, "Out", ":no_such_emoji_here:"),
        "profile_status_set_failed_not_valid_emoji",
    );
    assert_eq!(slack.profile_of(ALICE_ID).status_emoji, ":shipit:");
}

#[test]
fn clearing_one_of_text_and_emoji_while_the_other_stays_is_refused() {
    let slack = start();
    ok(&set_status(&slack, "Lunch", ":hamburger:"));
    let token = alice();
    for half in [
        json!({"status_text": ""}),
        json!({"status_emoji": ""}),
        json!({"status_text": "Out", "status_emoji": ""}),
        json!({"status_text": "", "status_emoji": ":car:"}),
    ] {
        refused(
            &set_profile(&slack, &token, half),
            "must_clear_both_status_text_and_status_emoji",
        );
    }
    assert_eq!(slack.profile_of(ALICE_ID).status_text, "Lunch");
    ok(&set_status(&slack, "", ""));
    assert_eq!(slack.profile_of(ALICE_ID), Default::default());
    // From an empty status, text alone is a status.
    ok(&set_status(&slack, "Text only", ""));
}

#[test]
fn an_expired_status_reads_as_cleared() {
    let slack = start();
    let until = now() + 30;
    ok(&set_profile(
        &slack,
        &alice(),
        json!({"status_text": "Brb", "status_emoji": ":coffee:", "status_expiration": until}),
    ));
    assert_eq!(slack.profile_of(ALICE_ID).status_text, "Brb");
    slack.advance_clock(Duration::from_secs(31));
    assert_eq!(slack.profile_of(ALICE_ID), Default::default());
    let read = ok(&get(&slack, "users.profile.get", &alice(), ""));
    assert_eq!(
        (
            &read["profile"]["status_text"],
            &read["profile"]["status_emoji"],
            &read["profile"]["status_expiration"]
        ),
        (&json!(""), &json!(""), &json!(0))
    );
}

#[test]
fn a_status_set_by_hand_reads_back_and_is_no_write() {
    let slack = start();
    slack.set_by_hand(ALICE_ID, "Commuting", ":car:", 0);
    let read = ok(&get(&slack, "users.profile.get", &alice(), ""));
    assert_eq!(read["profile"]["status_text"], "Commuting");
    assert_eq!(slack.profile_writes(ALICE_ID), 0);
    // bob may read alice's profile; an unknown person is user_not_found.
    let other = ok(&get(
        &slack,
        "users.profile.get",
        &token_of(BOB_ID),
        &format!("user={ALICE_ID}"),
    ));
    assert_eq!(other["profile"]["status_emoji"], ":car:");
    refused(
        &get(&slack, "users.profile.get", &alice(), "user=U0NOBODY1"),
        "user_not_found",
    );
}

#[test]
fn only_an_admin_sets_another_persons_profile() {
    let slack = start_with(|c| c.users[1].is_admin = true);
    let token = alice();
    let other = post_json(
        &slack,
        "users.profile.set",
        &token,
        json!({"user": BOB_ID, "profile": {"status_text": "x"}}),
    );
    refused(&other, "not_admin");
    let slack = start_with(|c| c.users[0].is_admin = true);
    let set = ok(&post_json(
        &slack,
        "users.profile.set",
        &token,
        json!({"user": BOB_ID, "profile": {"status_text": "Set by admin", "status_emoji": ""}}),
    ));
    assert_eq!(set["username"], "bob");
    assert_eq!(slack.profile_of(BOB_ID).status_text, "Set by admin");
    refused(
        &post_json(
            &slack,
            "users.profile.set",
            &token,
            json!({"user": BOT_ID, "profile": {"status_text": "x"}}),
        ),
        "user_is_bot",
    );
    refused(
        &post_json(
            &slack,
            "users.profile.set",
            &token,
            json!({"user": "U0NOBODY1", "profile": {"status_text": "x"}}),
        ),
        "user_not_found",
    );
}

// ---------------------------------------------------------------- presence and snooze

#[test]
fn presence_is_auto_or_a_manual_away() {
    let slack = start();
    let token = alice();
    assert_eq!(slack.presence_of(ALICE_ID), "auto");
    ok(&post(
        &slack,
        "users.setPresence",
        &token,
        &[("presence", "away")],
    ));
    assert_eq!(slack.presence_of(ALICE_ID), "away");
    let mine = ok(&get(&slack, "users.getPresence", &token, ""));
    assert_eq!(mine["presence"], "away");
    assert_eq!(mine["manual_away"], true);
    assert_eq!(mine["online"], true);
    ok(&post(
        &slack,
        "users.setPresence",
        &token,
        &[("presence", "auto")],
    ));
    let mine = ok(&get(&slack, "users.getPresence", &token, ""));
    assert_eq!(
        (&mine["presence"], &mine["manual_away"]),
        (&json!("active"), &json!(false))
    );
    for bad in ["active", "dnd", "AWAY", ""] {
        refused(
            &post(&slack, "users.setPresence", &token, &[("presence", bad)]),
            "invalid_presence",
        );
    }
    refused(
        &post(&slack, "users.setPresence", &token, &[]),
        "invalid_presence",
    );
    assert_eq!(slack.presence_of(ALICE_ID), "auto");
    // Someone else's presence: just `presence`.
    let bob = ok(&get(
        &slack,
        "users.getPresence",
        &token,
        &format!("user={BOB_ID}"),
    ));
    assert_eq!(bob, json!({"ok": true, "presence": "active"}));
    refused(
        &get(&slack, "users.getPresence", &token, "user=U0NOBODY1"),
        "user_not_found",
    );
}

#[test]
fn a_snooze_runs_num_minutes_and_answers_seconds() {
    let slack = start();
    let token = alice();
    let before = now();
    let body = ok(&post(
        &slack,
        "dnd.setSnooze",
        &token,
        &[("num_minutes", "1")],
    ));
    assert_eq!(body["snooze_enabled"], true);
    assert_eq!(body["snooze_remaining"], 60);
    assert_eq!(body["snooze_is_indefinite"], false);
    let end = body["snooze_endtime"].as_i64().expect("endtime");
    assert!((before + 60..=now() + 60).contains(&end), "{end}");
    assert_eq!(slack.snooze_end_of(ALICE_ID), Some(end));
    let info = ok(&get(&slack, "dnd.info", &token, ""));
    assert_eq!(
        (&info["snooze_enabled"], &info["snooze_endtime"]),
        (&json!(true), &json!(end))
    );
    // A new length replaces the running one.
    let longer = ok(&post(
        &slack,
        "dnd.setSnooze",
        &token,
        &[("num_minutes", "1440")],
    ));
    assert_eq!(longer["snooze_remaining"], 86_400);
    // Slack ends it itself.
    slack.advance_clock(Duration::from_secs(86_401));
    assert_eq!(slack.snooze_end_of(ALICE_ID), None);
    assert_eq!(
        ok(&get(&slack, "dnd.info", &token, ""))["snooze_enabled"],
        false
    );
    refused(
        &post(&slack, "dnd.endSnooze", &token, &[]),
        "snooze_not_active",
    );
}

#[test]
fn ending_a_snooze_and_the_refused_lengths() {
    let slack = start();
    let token = alice();
    ok(&post(
        &slack,
        "dnd.setSnooze",
        &token,
        &[("num_minutes", "30")],
    ));
    let ended = ok(&post(&slack, "dnd.endSnooze", &token, &[]));
    assert_eq!(ended["snooze_enabled"], false);
    assert_eq!(ended["dnd_enabled"], false);
    assert_eq!(slack.snooze_end_of(ALICE_ID), None);
    refused(
        &post(&slack, "dnd.endSnooze", &token, &[]),
        "snooze_not_active",
    );
    refused(
        &post(&slack, "dnd.setSnooze", &token, &[]),
        "missing_duration",
    );
    refused(
        &post(&slack, "dnd.setSnooze", &token, &[("num_minutes", "")]),
        "missing_duration",
    );
    for bad in ["0", "-5", "abc", "1.5"] {
        refused(
            &post(&slack, "dnd.setSnooze", &token, &[("num_minutes", bad)]),
            "invalid_arguments",
        );
    }
    refused(
        &post(&slack, "dnd.setSnooze", &token, &[("num_minutes", "1441")]),
        "too_long",
    );
    // Form fields only: a JSON body's num_minutes is not read.
    refused(
        &post_json(&slack, "dnd.setSnooze", &token, json!({"num_minutes": 5})),
        "missing_duration",
    );
    assert_eq!(slack.snooze_end_of(ALICE_ID), None);
}

// ---------------------------------------------------------------- emoji.list, auth.revoke

#[test]
fn emoji_list_lists_the_custom_emoji_only() {
    let slack = start();
    let body = ok(&get(&slack, "emoji.list", &alice(), ""));
    let expected: serde_json::Map<String, Value> = SlackFakeConfig::default()
        .custom_emoji
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
    assert_eq!(body["emoji"], Value::Object(expected));
    assert_eq!(body["emoji"]["shipit"], "alias:acme_logo");
    assert!(body["emoji"].get("palm_tree").is_none());
    assert!(body["cache_ts"].is_string());
    assert!(body.get("categories").is_none());
    let with = ok(&get(
        &slack,
        "emoji.list",
        &alice(),
        "include_categories=true",
    ));
    assert!(with["categories"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn auth_revoke_revokes_and_test_is_a_dry_run() {
    let slack = start();
    let token = alice();
    let dry = ok(&post(&slack, "auth.revoke", &token, &[("test", "1")]));
    assert_eq!(dry["revoked"], false);
    ok(&post(&slack, "auth.test", &token, &[]));
    let done = ok(&post(&slack, "auth.revoke", &token, &[]));
    assert_eq!(done["revoked"], true);
    refused(&post(&slack, "auth.test", &token, &[]), "token_revoked");
}

// ---------------------------------------------------------------- rate limits

#[test]
fn a_tier_2_method_takes_20_calls_a_minute() {
    let slack = start();
    let token = alice();
    for n in 0..20 {
        let reply = post(&slack, "users.setPresence", &token, &[("presence", "auto")]);
        assert_eq!(reply.status, 200, "call {n}: {}", reply.body);
    }
    let wait = ratelimited(&post(
        &slack,
        "users.setPresence",
        &token,
        &[("presence", "away")],
    ));
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        slack.presence_of(ALICE_ID),
        "auto",
        "the refused call did nothing"
    );
    // Other methods are not affected.
    ok(&get(&slack, "users.getPresence", &token, ""));
    slack.advance_clock(Duration::from_secs(wait));
    ok(&post(
        &slack,
        "users.setPresence",
        &token,
        &[("presence", "away")],
    ));
}

#[test]
fn auth_test_is_generous_and_limits_can_be_switched_off() {
    let slack = start();
    let token = alice();
    for n in 0..150 {
        let reply = post(&slack, "auth.test", &token, &[]);
        assert_eq!(reply.status, 200, "call {n}");
    }
    let free = start_with(|c| c.rate_limits = false);
    for n in 0..25 {
        let reply = post(&free, "users.setPresence", &token, &[("presence", "auto")]);
        assert_eq!(reply.status, 200, "call {n}");
    }
}

#[test]
fn ten_profile_writes_a_minute_per_person_and_token() {
    let slack = start();
    for n in 0..10 {
        ok(&set_status(&slack, &format!("Change {n}"), ""));
    }
    let wait = ratelimited(&set_status(&slack, "One too many", ""));
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(slack.profile_writes(ALICE_ID), 10);
    assert_eq!(slack.profile_of(ALICE_ID).status_text, "Change 9");
    slack.advance_clock(Duration::from_secs(61));
    ok(&set_status(&slack, "Later", ""));
    assert_eq!(slack.profile_writes(ALICE_ID), 11);
}

#[test]
fn thirty_different_profiles_a_minute_per_token() {
    let slack = start_with(|c| {
        c.users[0].is_admin = true;
        for i in 0..31 {
            let id = format!("U0MANY{i:04}");
            c.users
                .push(SlackUser::new(&id, &format!("many{i}"), "Many People"));
        }
    });
    let token = alice();
    let write = |id: &str| {
        post_json(
            &slack,
            "users.profile.set",
            &token,
            json!({"user": id, "profile": {"status_text": "Team offsite", "status_emoji": ":tent:"}}),
        )
    };
    for i in 0..30 {
        ok(&write(&format!("U0MANY{i:04}")));
    }
    let wait = ratelimited(&write("U0MANY0030"));
    assert!((1..=60).contains(&wait), "{wait}");
    // One already written this minute is still fine.
    ok(&write("U0MANY0000"));
    slack.advance_clock(Duration::from_secs(61));
    ok(&write("U0MANY0030"));
}

// ---------------------------------------------------------------- OAuth v2

#[test]
fn the_desktop_sign_in_uses_pkce_a_loopback_port_and_no_secret() {
    let slack = start();
    let pairs = redirected(&authorize(&slack, &desktop_params("xyz-state")), LOOPBACK);
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz-state"));
    let code = param(&pairs, "code").expect("code");
    let reply = desktop_exchange(&slack, &code, VERIFIER);
    assert!(
        !format!("{:?}", slack.requests()).contains(&app(DESKTOP_CLIENT_ID).client_secret),
        "no secret was needed"
    );
    let body = ok(&reply);
    assert_eq!(body["app_id"], "A0DESKTOP1");
    assert_eq!(
        body["team"],
        json!({"id": "T0PRESENT", "name": "Presently Test"})
    );
    assert_eq!(body["enterprise"], Value::Null);
    assert_eq!(body["is_enterprise_install"], false);
    let user = &body["authed_user"];
    assert_eq!(user["id"], ALICE_ID);
    assert_eq!(user["scope"], PRESENTLY_SCOPES);
    assert_eq!(user["token_type"], "user");
    assert_eq!(user["expires_in"], 43_200);
    assert!(user["access_token"]
        .as_str()
        .is_some_and(|t| t.contains("xoxp-")));
    assert!(user["refresh_token"]
        .as_str()
        .is_some_and(|t| t.starts_with("xoxe-1-")));
    let token = user["access_token"].as_str().expect("token");
    let who = ok(&post(&slack, "auth.test", token, &[]));
    assert_eq!(who["user_id"], ALICE_ID);
    assert!(who["expires_in"]
        .as_i64()
        .is_some_and(|s| (43_000..=43_200).contains(&s)));
    // The token has the granted scopes.
    assert_eq!(
        post(&slack, "auth.test", token, &[]).header("x-oauth-scopes"),
        Some(PRESENTLY_SCOPES)
    );
    // Codes are single use.
    refused(&desktop_exchange(&slack, &code, VERIFIER), "invalid_code");
}

#[test]
fn rotating_tokens_expire_and_renew_with_a_single_use_refresh_token() {
    let slack = start();
    let first = desktop_tokens(&slack);
    slack.advance_clock(Duration::from_secs(43_200));
    refused(
        &post(&slack, "auth.test", &first.access, &[]),
        "token_expired",
    );
    let reply = refresh_desktop(&slack, &first.refresh);
    let body = ok(&reply);
    assert!(
        body.get("authed_user").is_none(),
        "the refresh answer is flat"
    );
    assert_eq!(body["token_type"], "user");
    assert_eq!(body["expires_in"], 43_200);
    let access = body["access_token"].as_str().expect("access");
    let refresh = body["refresh_token"].as_str().expect("refresh");
    assert_ne!(access, first.access);
    assert_ne!(refresh, first.refresh);
    assert_eq!(
        ok(&post(&slack, "auth.test", access, &[]))["user_id"],
        ALICE_ID
    );
    // The old refresh token was revoked by the renewal.
    refused(
        &refresh_desktop(&slack, &first.refresh),
        "invalid_refresh_token",
    );
    // expire_access_tokens ends rotating tokens only; pasted ones never end.
    slack.expire_access_tokens();
    refused(&post(&slack, "auth.test", access, &[]), "token_expired");
    ok(&post(&slack, "auth.test", &alice(), &[]));
    ok(&refresh_desktop(&slack, refresh));
}

#[test]
fn a_pkce_apps_refresh_tokens_end_after_30_days() {
    let slack = start();
    let tokens = desktop_tokens(&slack);
    slack.advance_clock(Duration::from_secs(30 * 24 * 3600));
    refused(
        &refresh_desktop(&slack, &tokens.refresh),
        "invalid_refresh_token",
    );
}

#[test]
fn revoked_tokens_cannot_be_renewed() {
    let slack = start();
    let tokens = desktop_tokens(&slack);
    slack.revoke_tokens(ALICE_ID);
    refused(
        &post(&slack, "auth.test", &tokens.access, &[]),
        "token_revoked",
    );
    refused(
        &refresh_desktop(&slack, &tokens.refresh),
        "invalid_refresh_token",
    );
}

#[test]
fn the_exchange_checks_verifier_redirect_client_and_code() {
    let slack = start();
    let code = desktop_code(&slack);
    refused(
        &desktop_exchange(&slack, &code, "wrong-verifier-0123456789012345678901234"),
        "invalid_code_verifier",
    );
    let other_redirect = access(
        &slack,
        &[],
        &[
            ("code", &code),
            ("redirect_uri", "http://localhost:41234/slack/other"),
            ("client_id", DESKTOP_CLIENT_ID),
            ("code_verifier", VERIFIER),
        ],
    );
    refused(&other_redirect, "bad_redirect_uri");
    let no_client = access(&slack, &[], &[("code", &code), ("code_verifier", VERIFIER)]);
    refused(&no_client, "invalid_client_id");
    let unknown = access(
        &slack,
        &[],
        &[
            ("code", &code),
            ("client_id", "999.999"),
            ("code_verifier", VERIFIER),
        ],
    );
    refused(&unknown, "invalid_client_id");
    let grant = access(
        &slack,
        &[],
        &[("grant_type", "password"), ("client_id", DESKTOP_CLIENT_ID)],
    );
    refused(&grant, "invalid_grant_type");
    // Neither secret nor verifier.
    let bare = access(
        &slack,
        &[],
        &[
            ("code", &code),
            ("redirect_uri", LOOPBACK),
            ("client_id", DESKTOP_CLIENT_ID),
        ],
    );
    refused(&bare, "bad_client_secret");
    // The failed attempts did not use the code up; ten minutes do.
    slack.advance_clock(Duration::from_secs(600));
    refused(&desktop_exchange(&slack, &code, VERIFIER), "invalid_code");
    let fresh = desktop_code(&slack);
    ok(&desktop_exchange(&slack, &fresh, VERIFIER));
}

#[test]
fn a_web_app_exchanges_with_its_secret_and_pkce_is_not_allowed() {
    let slack = start();
    let web = app(WEB_CLIENT_ID);
    let code = |slack: &FakeSlack, extra: &[(&str, &str)]| {
        let mut params = vec![
            ("client_id", WEB_CLIENT_ID),
            ("user_scope", "users.profile:write"),
            ("redirect_uri", WEB_REDIRECT),
        ];
        params.extend_from_slice(extra);
        param(
            &redirected(&authorize(slack, &params), WEB_REDIRECT),
            "code",
        )
        .expect("code")
    };
    let first = code(&slack, &[]);
    // A verifier instead of the secret: the secret is missing.
    let verifier_only = access(
        &slack,
        &[],
        &[
            ("code", &first),
            ("client_id", WEB_CLIENT_ID),
            ("code_verifier", VERIFIER),
        ],
    );
    refused(&verifier_only, "bad_client_secret");
    // With the secret and a verifier: PKCE is not this app's.
    let both = access(
        &slack,
        &[],
        &[
            ("code", &first),
            ("client_id", WEB_CLIENT_ID),
            ("client_secret", &web.client_secret),
            ("code_verifier", VERIFIER),
        ],
    );
    refused(&both, "pkce_not_allowed");
    let wrong = access(
        &slack,
        &[("Authorization", &basic(WEB_CLIENT_ID, "nope"))],
        &[("code", &first)],
    );
    refused(&wrong, "bad_client_secret");
    // HTTP Basic, no redirect_uri needed... except the authorize step sent one.
    let auth = basic(WEB_CLIENT_ID, &web.client_secret);
    let missing = access(&slack, &[("Authorization", &auth)], &[("code", &first)]);
    refused(&missing, "bad_redirect_uri");
    let body = ok(&access(
        &slack,
        &[("Authorization", &auth)],
        &[("code", &first), ("redirect_uri", WEB_REDIRECT)],
    ));
    let user = &body["authed_user"];
    assert!(user.get("refresh_token").is_none() && user.get("expires_in").is_none());
    let token = user["access_token"].as_str().expect("token");
    assert!(token.starts_with("xoxp-"), "{token}");
    slack.advance_clock(Duration::from_secs(30 * 24 * 3600));
    ok(&post(&slack, "auth.test", token, &[]));
    // A challenge sent to a non-PKCE app's consent page: the exchange refuses it.
    let challenged = code(
        &slack,
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let refused_pkce = access(
        &slack,
        &[("Authorization", &auth)],
        &[("code", &challenged), ("redirect_uri", WEB_REDIRECT)],
    );
    refused(&refused_pkce, "pkce_not_allowed");
}

#[test]
fn a_web_redirect_with_rotation_renews_only_with_the_secret() {
    let slack = start_with(|c| c.apps[1].token_rotation = true);
    let web = app(WEB_CLIENT_ID);
    let params = [
        ("client_id", WEB_CLIENT_ID),
        ("user_scope", "users.profile:write"),
        ("redirect_uri", WEB_REDIRECT),
    ];
    let code = param(
        &redirected(&authorize(&slack, &params), WEB_REDIRECT),
        "code",
    )
    .expect("code");
    let body = ok(&access(
        &slack,
        &[],
        &[
            ("code", &code),
            ("redirect_uri", WEB_REDIRECT),
            ("client_id", WEB_CLIENT_ID),
            ("client_secret", &web.client_secret),
        ],
    ));
    let refresh = body["authed_user"]["refresh_token"]
        .as_str()
        .expect("refresh");
    let without = access(
        &slack,
        &[],
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", WEB_CLIENT_ID),
        ],
    );
    refused(&without, "bad_client_secret");
    ok(&access(
        &slack,
        &[],
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", WEB_CLIENT_ID),
            ("client_secret", &web.client_secret),
        ],
    ));
}

#[test]
fn custom_scheme_installs_of_a_pkce_app_always_rotate() {
    let slack = start_with(|c| c.apps[0].token_rotation = false);
    let custom = "presently://slack/callback";
    let mut params = desktop_params("s");
    params[2] = ("redirect_uri", custom);
    let code = param(&redirected(&authorize(&slack, &params), custom), "code").expect("code");
    let body = ok(&access(
        &slack,
        &[],
        &[
            ("code", &code),
            ("redirect_uri", custom),
            ("client_id", DESKTOP_CLIENT_ID),
            ("code_verifier", VERIFIER),
        ],
    ));
    assert_eq!(body["authed_user"]["expires_in"], 43_200);
    // The loopback install of the same app, rotation off: a token that never ends.
    let loopback = ok(&desktop_exchange(&slack, &desktop_code(&slack), VERIFIER));
    assert!(loopback["authed_user"].get("refresh_token").is_none());
}

#[test]
fn a_declined_consent_redirects_with_access_denied() {
    let slack = start_with(|c| c.decline_consent = true);
    let pairs = redirected(&authorize(&slack, &desktop_params("keep-me")), LOOPBACK);
    assert_eq!(
        pairs,
        vec![
            ("error".to_owned(), "access_denied".to_owned()),
            ("state".to_owned(), "keep-me".to_owned())
        ]
    );
}

#[test]
fn the_consent_page_refuses_what_it_cannot_redirect() {
    let slack = start();
    let with = |change: &dyn Fn(&mut Params)| {
        let mut params = desktop_params("s");
        change(&mut params);
        authorize(&slack, &params)
    };
    error_page(&with(&|p| p[0] = ("client_id", "999.999")), "client_id");
    error_page(
        &with(&|p| p[2] = ("redirect_uri", "http://localhost:41234/elsewhere")),
        "did not match any configured URIs",
    );
    error_page(
        &with(&|p| p[2] = ("redirect_uri", "http://127.0.0.1:41234/slack/callback")),
        "HTTPS",
    );
    error_page(
        &with(&|p| p[2] = ("redirect_uri", "https://evil.example.com/slack/callback")),
        "did not match",
    );
    error_page(&with(&|p| p.push(("scope", "chat:write"))), "bot scopes");
    error_page(
        &with(&|p| p[1] = ("user_scope", "users.profile:write,admin")),
        "invalid_scope",
    );
    error_page(&with(&|p| p[1] = ("user_scope", "")), "no scopes");
    error_page(
        &with(&|p| p[5] = ("code_challenge_method", "plain")),
        "S256",
    );
    // A custom scheme needs the challenge.
    error_page(
        &with(&|p| {
            p[2] = ("redirect_uri", "presently://slack/callback");
            p.truncate(4);
        }),
        "code_challenge is required",
    );
    // http://localhost is a desktop redirect only for a PKCE app.
    let web = authorize(
        &slack,
        &[
            ("client_id", WEB_CLIENT_ID),
            ("user_scope", "users.profile:write"),
            ("redirect_uri", "http://localhost:41234/oauth/slack"),
        ],
    );
    error_page(&web, "PKCE");
    // A loopback without PKCE parameters is a desktop redirect still; its code then needs
    // the secret.
    let no_challenge = with(&|p| p.truncate(4));
    let code = param(&redirected(&no_challenge, LOOPBACK), "code").expect("code");
    refused(
        &desktop_exchange(&slack, &code, VERIFIER),
        "invalid_code_verifier",
    );
}

#[test]
fn the_s256_challenge_is_base64url_of_sha256() {
    assert_eq!(pkce_s256_challenge(VERIFIER), CHALLENGE);
}

// ---------------------------------------------------------------- faults and control

#[test]
fn faults_hit_the_next_api_request_once() {
    let slack = start();
    let token = alice();
    slack.inject(Fault::RateLimit {
        retry_after_secs: 2.5,
    });
    assert_eq!(ratelimited(&post(&slack, "auth.test", &token, &[])), 3);
    ok(&post(&slack, "auth.test", &token, &[]));
    slack.inject(Fault::ServerError);
    assert_eq!(post(&slack, "auth.test", &token, &[]).status, 500);
    slack.inject(Fault::Ok200 {
        body: "null".into(),
    });
    assert_eq!(post(&slack, "auth.test", &token, &[]).body, "null");
    // Targeted: only that method and path.
    slack.inject_on("POST", "/api/users.setPresence", Fault::Garbage);
    ok(&post(&slack, "auth.test", &token, &[]));
    let garbage = post(&slack, "users.setPresence", &token, &[("presence", "away")]);
    assert_eq!(garbage.body, "<html>not json");
    assert_eq!(
        slack.presence_of(ALICE_ID),
        "auto",
        "a fault replaces the call"
    );
    slack.inject(Fault::ServerError);
    slack.clear_faults();
    ok(&post(&slack, "auth.test", &token, &[]));
}

#[test]
fn requests_are_recorded_with_the_caller_and_status() {
    let slack = start();
    ok(&set_status(&slack, "Hi", ""));
    refused(&post(&slack, "auth.test", "xoxp-x", &[]), "invalid_auth");
    let requests = slack.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/api/users.profile.set");
    assert_eq!(requests[0].api_method(), Some("users.profile.set"));
    assert_eq!(requests[0].user_id.as_deref(), Some(ALICE_ID));
    assert_eq!(requests[0].status, Some(200));
    assert!(requests[0].body.contains("status_text"));
    assert_eq!(requests[1].user_id, None);
}

#[test]
fn the_control_endpoints_show_and_change_the_workspace() {
    let slack = start();
    let control = |path: &str, body: Value| {
        send(
            &slack,
            "POST",
            &format!("/__fake/{path}"),
            &[],
            Body::Json(body),
        )
    };
    assert_eq!(
        control(
            "status",
            json!({"user": ALICE_ID, "status_text": "Away", "status_emoji": ":x:"})
        )
        .status,
        200
    );
    assert_eq!(slack.profile_of(ALICE_ID).status_text, "Away");
    assert_eq!(control("status", json!({"user": "U0NOBODY1"})).status, 400);
    assert_eq!(
        control(
            "fault",
            json!({"kind": "server_error", "method": "POST", "path": "/api/auth.test"})
        )
        .status,
        200
    );
    assert_eq!(post(&slack, "auth.test", &alice(), &[]).status, 500);
    let state = send(&slack, "GET", "/__fake/state", &[], Body::None).json();
    assert_eq!(state["team"]["id"], "T0PRESENT");
    assert_eq!(state["users"][0]["profile"]["status_text"], "Away");
    assert_eq!(control("revoke", json!({"user": ALICE_ID})).status, 200);
    refused(&post(&slack, "auth.test", &alice(), &[]), "token_revoked");
    assert_eq!(control("clock", json!({"advance_seconds": 10})).status, 200);
    // /__fake requests are not recorded.
    assert!(slack
        .requests()
        .iter()
        .all(|r| !r.path.starts_with("/__fake")));
    let described = slack.describe();
    assert_eq!(described["slack"], slack.url());
    assert_eq!(described["slack_users"][0]["id"], ALICE_ID);
}
