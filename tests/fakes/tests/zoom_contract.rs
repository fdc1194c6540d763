//! Contract tests for the fake Zoom: the OAuth authorization page (PKCE, redirect URL,
//! consent), the token endpoint's grants and errors byte for byte, access-token expiry on the
//! fake clock, `GET /users/{userId}`, and every rule and error of `presence_status`, plus the
//! `/__fake` control endpoints and faults.

mod common;

use std::time::Duration;

use base64::Engine;
use common::Reply;
use presently_fakes::zoom::{
    pkce_s256_challenge, FakeZoom, Fault, ZoomApp, ZoomAppKind, ZoomFakeConfig, ALICE_ID, BOB_ID,
    CAROL_ID, DAVE_ID, S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET, USER_APP_CLIENT_ID,
    USER_APP_CLIENT_SECRET,
};
use serde_json::{json, Value};

// ---------------------------------------------------------------- helpers

const REDIRECT: &str = "http://127.0.0.1:45678/oauth/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

const INVALID_TOKEN: &str = r#"{"code":124,"message":"Invalid access token."}"#;
const EXPIRED_TOKEN: &str = r#"{"code":124,"message":"Access token is expired."}"#;
const INVALID_CLIENT: &str =
    r#"{"reason":"Invalid client_id or client_secret","error":"invalid_client"}"#;
const INVALID_CODE: &str = r#"{"reason":"Invalid authorization code","error":"invalid_grant"}"#;
const INVALID_REFRESH: &str = r#"{"reason":"Invalid Token!","error":"invalid_grant"}"#;
const UNSUPPORTED_GRANT: &str =
    r#"{"reason":"unsupported grant type","error":"unsupported_grant_type"}"#;
const FAILED_5301: &str =
    r#"{"code":5301,"message":"Request to update the presence status of this user failed."}"#;
const NO_PERMISSION_5411: &str = r#"{"code":5411,"message":"Unauthorized request. You do not have permission to update the presence status of this user."}"#;
const TOO_MANY: &str = r#"{"code":429,"message":"Too many requests submitted to update the presence status of this user. Please wait for the request to be processed and try again later."}"#;

impl Reply {
    #[track_caller]
    fn is(&self, status: u16, body: &str) {
        assert_eq!((self.status, self.body.as_str()), (status, body));
    }

    #[track_caller]
    fn is_json_error(&self, status: u16, body: &str) {
        self.is(status, body);
        assert!(
            self.header("Content-Type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "{:?}",
            self.header("Content-Type")
        );
    }
}

fn start() -> FakeZoom {
    start_with(ZoomFakeConfig::default().with_redirect_url(REDIRECT))
}

fn start_with(config: ZoomFakeConfig) -> FakeZoom {
    FakeZoom::start(config).expect("fake Zoom starts")
}

struct Call {
    req: ureq::Request,
}

fn call(method: &str, zoom: &FakeZoom, path: &str) -> Call {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build();
    Call {
        req: agent.request(method, &format!("{}{path}", zoom.url())),
    }
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

impl Call {
    fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.set(name, value);
        self
    }

    fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    fn client(self, id: &str, secret: &str) -> Self {
        self.header("Authorization", &basic(id, secret))
    }

    fn reply(result: Result<ureq::Response, ureq::Error>) -> Reply {
        match result {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => Reply::read(resp),
            Err(err) => panic!("transport error: {err}"),
        }
    }

    fn send(self) -> Reply {
        Self::reply(self.req.call())
    }

    fn form(self, form: &[(&str, &str)]) -> Reply {
        Self::reply(self.req.send_form(form))
    }

    fn json(self, body: &Value) -> Reply {
        self.raw("application/json", &body.to_string())
    }

    fn raw(self, content_type: &str, body: &str) -> Reply {
        Self::reply(self.req.set("Content-Type", content_type).send_string(body))
    }
}

/// `GET /oauth/authorize` with these query parameters.
fn authorize(zoom: &FakeZoom, params: &[(&str, &str)]) -> Reply {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    call("GET", zoom, &format!("/oauth/authorize?{query}")).send()
}

/// The standard PKCE S256 request for the default user-managed app.
fn pkce_params(state: &str) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", USER_APP_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", state),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

/// The query of a 302's `Location`, split off the redirect URL it must start with.
fn redirected(reply: &Reply) -> Vec<(String, String)> {
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("Location").expect("Location");
    let query = location
        .strip_prefix(&format!("{REDIRECT}?"))
        .unwrap_or_else(|| panic!("redirect to {location}"));
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Runs the consent page and returns the code.
fn code(zoom: &FakeZoom) -> String {
    let query = redirected(&authorize(zoom, &pkce_params("st")));
    query
        .iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.clone())
        .expect("code")
}

fn token_request(zoom: &FakeZoom, form: &[(&str, &str)]) -> Reply {
    call("POST", zoom, "/oauth/token")
        .client(USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET)
        .form(form)
}

fn exchange(zoom: &FakeZoom, code: &str, verifier: &str) -> Reply {
    token_request(
        zoom,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
}

struct Tokens {
    access: String,
    refresh: String,
}

/// The whole user flow: authorize with PKCE, exchange the code.
fn user_tokens(zoom: &FakeZoom) -> Tokens {
    let code = code(zoom);
    let reply = exchange(zoom, &code, VERIFIER);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json = reply.json();
    Tokens {
        access: json["access_token"].as_str().expect("access").to_owned(),
        refresh: json["refresh_token"].as_str().expect("refresh").to_owned(),
    }
}

/// An access token for whoever the browser is signed in as.
fn user_token(zoom: &FakeZoom) -> String {
    user_tokens(zoom).access
}

fn refresh(zoom: &FakeZoom, refresh_token: &str) -> Reply {
    token_request(
        zoom,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

fn s2s_request(zoom: &FakeZoom, query: &str, form: &[(&str, &str)]) -> Reply {
    call("POST", zoom, &format!("/oauth/token{query}"))
        .client(S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET)
        .form(form)
}

/// A Server-to-Server token of the default account (alice's).
fn s2s_token(zoom: &FakeZoom) -> String {
    let reply = s2s_request(
        zoom,
        "",
        &[
            ("grant_type", "account_credentials"),
            ("account_id", "acct-0001"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"]
        .as_str()
        .expect("access")
        .to_owned()
}

fn get(zoom: &FakeZoom, token: &str, path: &str) -> Reply {
    call("GET", zoom, &format!("/v2{path}"))
        .bearer(token)
        .send()
}

fn put_presence(zoom: &FakeZoom, token: &str, user: &str, body: &Value) -> Reply {
    call("PUT", zoom, &format!("/v2/users/{user}/presence_status"))
        .bearer(token)
        .json(body)
}

fn set(zoom: &FakeZoom, token: &str, user: &str, status: &str) -> Reply {
    put_presence(zoom, token, user, &json!({ "status": status }))
}

fn minute(zoom: &FakeZoom) {
    zoom.advance_clock(Duration::from_secs(60));
}

fn validation(field: &str, message: &str) -> String {
    format!(
        r#"{{"code":300,"message":"Validation Failed.","errors":[{{"field":"{field}","message":"{message}"}}]}}"#
    )
}

// ---------------------------------------------------------------- the authorization page

#[test]
fn authorize_redirects_with_a_code_and_the_state_untouched() {
    let zoom = start();
    let state = "a b&c=d/é+%20?";
    let reply = authorize(&zoom, &pkce_params(state));
    let query = redirected(&reply);
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state"]);
    assert_eq!(query[1].1, state);
    assert!(query[0].1.len() >= 20, "{:?}", query[0]);
    // Properly encoded: nothing in the Location would split the query differently.
    let location = reply.header("Location").unwrap_or_default();
    assert!(!location.contains(' ') && location.matches('&').count() == 1);
}

#[test]
fn authorize_without_state_omits_it() {
    let zoom = start();
    let reply = authorize(
        &zoom,
        &[
            ("response_type", "code"),
            ("client_id", USER_APP_CLIENT_ID),
            ("redirect_uri", REDIRECT),
        ],
    );
    let query = redirected(&reply);
    assert_eq!(query.len(), 1);
    assert_eq!(query[0].0, "code");
}

#[track_caller]
fn assert_error_page(reply: &Reply, text: &str) {
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.header("Location"), None);
    assert!(reply
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("text/html")));
    assert!(reply.body.contains(text), "{}", reply.body);
}

#[test]
fn authorize_refuses_unknown_clients_and_server_to_server_apps() {
    let zoom = start();
    let mut params = pkce_params("s");
    params[1].1 = "nope";
    let reply = authorize(&zoom, &params);
    assert_error_page(&reply, "Invalid client_id: nope");
    assert!(reply.body.contains("4,702"), "{}", reply.body);
    params[1].1 = S2S_APP_CLIENT_ID;
    assert_error_page(
        &authorize(&zoom, &params),
        "Invalid client_id: presently-s2s-app",
    );
}

#[test]
fn authorize_needs_an_exactly_registered_redirect_url() {
    let zoom = start();
    for wrong in [
        "http://127.0.0.1:45678/oauth/callback/",
        "http://127.0.0.1:45679/oauth/callback",
        "http://localhost:45678/oauth/callback",
        "HTTP://127.0.0.1:45678/oauth/callback",
        "",
    ] {
        let mut params = pkce_params("s");
        params[2].1 = wrong;
        let reply = authorize(&zoom, &params);
        assert_error_page(&reply, "Invalid redirect url");
        assert!(reply.body.contains("4,700"), "{wrong}: {}", reply.body);
    }
    // Nothing registered by default.
    let bare = start_with(ZoomFakeConfig::default());
    assert_error_page(&authorize(&bare, &pkce_params("s")), "Invalid redirect url");
    // Registered at run time (the client picks its loopback port late).
    bare.add_redirect_url(USER_APP_CLIENT_ID, REDIRECT);
    assert_eq!(authorize(&bare, &pkce_params("s")).status, 302);
}

#[test]
fn authorize_needs_response_type_code_and_a_known_challenge_method() {
    let zoom = start();
    for response_type in ["token", "", "CODE"] {
        let mut params = pkce_params("s");
        params[0].1 = response_type;
        assert_error_page(&authorize(&zoom, &params), "Invalid response_type");
    }
    let mut params = pkce_params("s");
    params[5].1 = "s256";
    assert_error_page(&authorize(&zoom, &params), "Invalid code_challenge_method");
}

#[test]
fn a_declined_consent_redirects_with_access_denied() {
    let zoom = start();
    zoom.set_deny_consent(true);
    let query = redirected(&authorize(&zoom, &pkce_params("xyz")));
    assert_eq!(
        query,
        [
            ("error".to_owned(), "access_denied".to_owned()),
            ("state".to_owned(), "xyz".to_owned()),
        ]
    );
    zoom.set_deny_consent(false);
    assert_eq!(authorize(&zoom, &pkce_params("xyz")).status, 302);
}

#[test]
fn the_browser_user_is_who_the_token_acts_for() {
    let zoom = start();
    zoom.set_browser_user("bob@example.com");
    let token = user_token(&zoom);
    let me = get(&zoom, &token, "/users/me").json();
    assert_eq!(me["id"], BOB_ID);
    zoom.set_browser_user(ALICE_ID);
    let me = get(&zoom, &user_token(&zoom), "/users/me").json();
    assert_eq!(me["id"], ALICE_ID);
}

// ---------------------------------------------------------------- the token endpoint

#[test]
fn full_pkce_flow_returns_zooms_token_shape() {
    let zoom = start();
    let code = code(&zoom);
    let reply = exchange(&zoom, &code, VERIFIER);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .header("Content-Type")
        .is_some_and(|ct| ct.starts_with("application/json")));
    let json = reply.json();
    let keys: Vec<&str> = json
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys.len(),
        6,
        "access_token, token_type, refresh_token, expires_in, scope, api_url: {keys:?}"
    );
    assert!(reply.body.starts_with(r#"{"access_token":""#));
    assert_eq!(json["token_type"], "bearer");
    assert_eq!(json["expires_in"], 3599);
    assert_eq!(
        json["scope"],
        "user:read:user user:read:presence_status user:update:presence_status"
    );
    assert_eq!(json["api_url"], zoom.url());
    assert_ne!(json["access_token"], json["refresh_token"]);
    let me = get(
        &zoom,
        json["access_token"].as_str().unwrap_or_default(),
        "/users/me",
    );
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], "alice@example.com");
}

#[test]
fn the_s256_challenge_is_base64url_of_sha256() {
    assert_eq!(pkce_s256_challenge(VERIFIER), CHALLENGE);
}

#[test]
fn a_wrong_or_missing_verifier_is_invalid_grant_and_keeps_the_code() {
    let zoom = start();
    let code = code(&zoom);
    let mismatch = r#"{"reason":"Invalid code verifier","error":"invalid_grant"}"#;
    exchange(&zoom, &code, "not-the-verifier-not-the-verifier-not-the-ve")
        .is_json_error(400, mismatch);
    // The challenge itself is not the verifier for S256.
    exchange(&zoom, &code, CHALLENGE).is_json_error(400, mismatch);
    token_request(
        &zoom,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .is_json_error(400, mismatch);
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
}

#[test]
fn plain_is_the_default_challenge_method() {
    let zoom = start();
    let params = [
        ("response_type", "code"),
        ("client_id", USER_APP_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        (
            "code_challenge",
            "plain-verifier-0123456789-0123456789-0123456789",
        ),
    ];
    let query = redirected(&authorize(&zoom, &params));
    let code = &query[0].1;
    assert_eq!(exchange(&zoom, code, VERIFIER).status, 400);
    let ok = exchange(
        &zoom,
        code,
        "plain-verifier-0123456789-0123456789-0123456789",
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[test]
fn a_code_works_once() {
    let zoom = start();
    let code = code(&zoom);
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
    exchange(&zoom, &code, VERIFIER).is_json_error(400, INVALID_CODE);
    exchange(&zoom, "made-up", VERIFIER).is_json_error(400, INVALID_CODE);
    token_request(&zoom, &[("grant_type", "authorization_code")]).is_json_error(400, INVALID_CODE);
}

#[test]
fn a_code_expires_after_five_minutes() {
    let zoom = start();
    let fresh = code(&zoom);
    zoom.advance_clock(Duration::from_secs(290));
    assert_eq!(exchange(&zoom, &fresh, VERIFIER).status, 200);
    let stale = code(&zoom);
    zoom.advance_clock(Duration::from_secs(301));
    exchange(&zoom, &stale, VERIFIER).is_json_error(
        400,
        r#"{"reason":"Code is expired","error":"invalid_grant"}"#,
    );
}

#[test]
fn the_token_request_must_repeat_the_redirect_uri() {
    let zoom = start();
    let code = code(&zoom);
    let mismatch = r#"{"reason":"Redirect URI mismatch.","error":"invalid_grant"}"#;
    for redirect in ["http://127.0.0.1:45678/oauth/callback/", ""] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", VERIFIER),
        ];
        if !redirect.is_empty() {
            form.push(("redirect_uri", redirect));
        }
        token_request(&zoom, &form).is_json_error(400, mismatch);
    }
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
}

#[test]
fn a_code_belongs_to_its_client() {
    let mut config = ZoomFakeConfig::default().with_redirect_url(REDIRECT);
    config.apps.push(ZoomApp {
        client_id: "other-app".into(),
        client_secret: "other-secret".into(),
        kind: ZoomAppKind::UserManaged {
            redirect_urls: vec![REDIRECT.into()],
        },
        scopes: vec!["user:read:user".into()],
        owner: ALICE_ID.into(),
    });
    let zoom = start_with(config);
    let code = code(&zoom);
    call("POST", &zoom, "/oauth/token")
        .client("other-app", "other-secret")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .is_json_error(400, INVALID_CODE);
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
}

#[test]
fn client_credentials_go_in_basic_auth() {
    let zoom = start();
    let code = code(&zoom);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let post = || call("POST", &zoom, "/oauth/token");
    post()
        .client(USER_APP_CLIENT_ID, "wrong-secret")
        .form(&form)
        .is_json_error(400, INVALID_CLIENT);
    post()
        .client("unknown-app", USER_APP_CLIENT_SECRET)
        .form(&form)
        .is_json_error(400, INVALID_CLIENT);
    post().form(&form).is_json_error(400, INVALID_CLIENT);
    post()
        .header("Authorization", "Basic !!!")
        .form(&form)
        .is_json_error(400, INVALID_CLIENT);
    // In the body instead of the header: not accepted.
    let mut in_body = form.to_vec();
    in_body.push(("client_id", USER_APP_CLIENT_ID));
    in_body.push(("client_secret", USER_APP_CLIENT_SECRET));
    post().form(&in_body).is_json_error(400, INVALID_CLIENT);
    // None of that used the code up.
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
}

#[test]
fn refresh_tokens_rotate_and_work_once() {
    let zoom = start();
    let first = user_tokens(&zoom);
    let reply = refresh(&zoom, &first.refresh);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json = reply.json();
    let second_refresh = json["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second_access = json["access_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(json["token_type"], "bearer");
    assert_eq!(json["expires_in"], 3599);
    assert_eq!(
        json["scope"],
        "user:read:user user:read:presence_status user:update:presence_status"
    );
    assert!(!second_refresh.is_empty() && second_refresh != first.refresh);
    assert_ne!(second_access, first.access);
    assert_eq!(
        get(&zoom, &second_access, "/users/me").json()["id"],
        ALICE_ID
    );
    // The old one is spent; the new one works (once).
    refresh(&zoom, &first.refresh).is_json_error(400, INVALID_REFRESH);
    assert_eq!(refresh(&zoom, &second_refresh).status, 200);
    refresh(&zoom, &second_refresh).is_json_error(400, INVALID_REFRESH);
    refresh(&zoom, "made-up").is_json_error(400, INVALID_REFRESH);
}

#[test]
fn a_refresh_token_belongs_to_its_client() {
    let zoom = start();
    let tokens = user_tokens(&zoom);
    s2s_request(
        &zoom,
        "",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh),
        ],
    )
    .is_json_error(400, INVALID_REFRESH);
    assert_eq!(refresh(&zoom, &tokens.refresh).status, 200);
}

#[test]
fn revoked_refresh_tokens_are_invalid_grant() {
    let zoom = start();
    let tokens = user_tokens(&zoom);
    zoom.revoke_refresh_tokens();
    refresh(&zoom, &tokens.refresh).is_json_error(400, INVALID_REFRESH);
    // The access token itself still works until it expires.
    assert_eq!(get(&zoom, &tokens.access, "/users/me").status, 200);
}

#[test]
fn server_to_server_tokens_come_from_account_credentials() {
    let zoom = start();
    for (query, form) in [
        (
            "?grant_type=account_credentials&account_id=acct-0001",
            vec![],
        ),
        (
            "",
            vec![
                ("grant_type", "account_credentials"),
                ("account_id", "acct-0001"),
            ],
        ),
        (
            "?account_id=acct-0001",
            vec![("grant_type", "account_credentials")],
        ),
    ] {
        let reply = s2s_request(&zoom, query, &form);
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        let json = reply.json();
        assert_eq!(json.get("refresh_token"), None);
        assert_eq!(json["token_type"], "bearer");
        assert_eq!(json["expires_in"], 3599);
        let scope = json["scope"].as_str().unwrap_or_default();
        for needed in ["user:update:presence_status:admin", "user:read:user:admin"] {
            assert!(scope.split(' ').any(|s| s == needed), "{scope}");
        }
        let token = json["access_token"].as_str().unwrap_or_default();
        // `me` is the app's owner, an admin of the account.
        let me = get(&zoom, token, "/users/me").json();
        assert_eq!(
            (&me["id"], &me["role_name"]),
            (&json!(ALICE_ID), &json!("Owner"))
        );
    }
}

#[test]
fn several_server_to_server_tokens_coexist() {
    let zoom = start();
    let first = s2s_token(&zoom);
    let second = s2s_token(&zoom);
    assert_ne!(first, second);
    assert_eq!(get(&zoom, &first, "/users/me").status, 200);
    assert_eq!(get(&zoom, &second, "/users/me").status, 200);
}

#[test]
fn account_credentials_need_the_apps_own_account() {
    let zoom = start();
    let invalid = r#"{"reason":"Invalid account_id","error":"invalid_request"}"#;
    s2s_request(
        &zoom,
        "",
        &[
            ("grant_type", "account_credentials"),
            ("account_id", "acct-0002"),
        ],
    )
    .is_json_error(400, invalid);
    s2s_request(&zoom, "", &[("grant_type", "account_credentials")]).is_json_error(400, invalid);
    // A user-managed app cannot use this grant.
    token_request(
        &zoom,
        &[
            ("grant_type", "account_credentials"),
            ("account_id", "acct-0001"),
        ],
    )
    .is_json_error(400, UNSUPPORTED_GRANT);
    // Wrong secret: the client check comes first.
    call(
        "POST",
        &zoom,
        "/oauth/token?grant_type=account_credentials&account_id=acct-0001",
    )
    .client(S2S_APP_CLIENT_ID, "nope")
    .form(&[])
    .is_json_error(400, INVALID_CLIENT);
}

#[test]
fn other_grant_types_are_unsupported() {
    let zoom = start();
    for form in [
        vec![("grant_type", "password")],
        vec![("grant_type", "client_credentials")],
        vec![],
    ] {
        token_request(&zoom, &form).is_json_error(400, UNSUPPORTED_GRANT);
    }
}

// ---------------------------------------------------------------- access tokens on the API

#[test]
fn access_tokens_expire_after_an_hour_of_the_fake_clock() {
    let zoom = start();
    let tokens = user_tokens(&zoom);
    let s2s = s2s_token(&zoom);
    zoom.advance_clock(Duration::from_secs(3590));
    assert_eq!(get(&zoom, &tokens.access, "/users/me").status, 200);
    zoom.advance_clock(Duration::from_secs(10));
    get(&zoom, &tokens.access, "/users/me").is_json_error(401, EXPIRED_TOKEN);
    get(&zoom, &s2s, "/users/me").is_json_error(401, EXPIRED_TOKEN);
    set(&zoom, &tokens.access, "me", "Away").is_json_error(401, EXPIRED_TOKEN);
    // The refresh token still works and its access token is fresh.
    let renewed = refresh(&zoom, &tokens.refresh).json();
    let access = renewed["access_token"].as_str().unwrap_or_default();
    assert_eq!(get(&zoom, access, "/users/me").status, 200);
    assert_eq!(get(&zoom, &s2s_token(&zoom), "/users/me").status, 200);
}

#[test]
fn expire_tokens_ends_every_access_token_but_not_refresh() {
    let zoom = start();
    let tokens = user_tokens(&zoom);
    zoom.expire_tokens();
    get(&zoom, &tokens.access, "/users/me").is_json_error(401, EXPIRED_TOKEN);
    let renewed = refresh(&zoom, &tokens.refresh).json();
    let access = renewed["access_token"].as_str().unwrap_or_default();
    assert_eq!(get(&zoom, access, "/users/me").status, 200);
}

#[test]
fn missing_malformed_and_unknown_tokens_are_401_124() {
    let zoom = start();
    call("GET", &zoom, "/v2/users/me")
        .send()
        .is_json_error(401, INVALID_TOKEN);
    for header in ["Bearer made-up", "Bearer ", "Basic Zm9vOmJhcg==", "made-up"] {
        call("GET", &zoom, "/v2/users/me")
            .header("Authorization", header)
            .send()
            .is_json_error(401, INVALID_TOKEN);
    }
    call("PUT", &zoom, "/v2/users/me/presence_status")
        .json(&json!({"status": "Away"}))
        .is_json_error(401, INVALID_TOKEN);
    // A refresh token is not an access token.
    let tokens = user_tokens(&zoom);
    get(&zoom, &tokens.refresh, "/users/me").is_json_error(401, INVALID_TOKEN);
}

// ---------------------------------------------------------------- users

#[test]
fn users_me_has_the_user_object() {
    let zoom = start();
    let reply = get(&zoom, &user_token(&zoom), "/users/me");
    assert_eq!(reply.status, 200);
    assert!(reply
        .body
        .starts_with(r#"{"id":"aliceZ00m0000000000001","first_name":"Alice","last_name":"Owner","display_name":"Alice Owner","email":"alice@example.com","type":2,"role_name":"Owner","#));
    let me = reply.json();
    assert_eq!(me["account_id"], "acct-0001");
    assert_eq!(me["status"], "active");
    assert_eq!(me["role_id"], "0");
}

#[test]
fn a_user_token_reads_itself_by_id_or_email_but_nobody_else() {
    let zoom = start();
    let token = user_token(&zoom);
    for own in [
        ALICE_ID,
        "alice@example.com",
        "ALICE@example.com",
        "alice%40example.com",
    ] {
        let reply = get(&zoom, &token, &format!("/users/{own}"));
        assert_eq!(
            (reply.status, &reply.json()["id"]),
            (200, &json!(ALICE_ID)),
            "{own}"
        );
    }
    let no_admin_scope = r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:user:admin]."}"#;
    get(&zoom, &token, &format!("/users/{BOB_ID}")).is_json_error(400, no_admin_scope);
    get(&zoom, &token, "/users/dave@example.com").is_json_error(400, no_admin_scope);
}

#[test]
fn an_admin_token_reads_its_account_only() {
    let zoom = start();
    let token = s2s_token(&zoom);
    let bob = get(&zoom, &token, "/users/bob@example.com");
    assert_eq!((bob.status, &bob.json()["id"]), (200, &json!(BOB_ID)));
    assert_eq!(
        get(&zoom, &token, &format!("/users/{CAROL_ID}")).status,
        200
    );
    get(&zoom, &token, &format!("/users/{DAVE_ID}")).is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: daveZ00m00000000000004."}"#,
    );
}

#[test]
fn unknown_users_are_404_1001_with_the_id_as_given() {
    let zoom = start();
    let token = s2s_token(&zoom);
    get(&zoom, &token, "/users/nobody@example.com").is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: nobody@example.com."}"#,
    );
    get(&zoom, &user_token(&zoom), "/users/XyZ123").is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: XyZ123."}"#,
    );
}

/// A default config whose user-managed app has only `scopes`.
fn app_with_scopes(scopes: &[&str]) -> ZoomFakeConfig {
    let mut config = ZoomFakeConfig::default().with_redirect_url(REDIRECT);
    config.apps[0].scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    config
}

#[test]
fn missing_read_scope_is_4711() {
    let zoom = start_with(app_with_scopes(&["user:update:presence_status"]));
    let token = user_token(&zoom);
    get(&zoom, &token, "/users/me").is_json_error(
        400,
        r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:user:admin, user:read:user]."}"#,
    );
    get(&zoom, &token, "/users/me/presence_status").is_json_error(
        400,
        r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:presence_status:admin, user:read:presence_status]."}"#,
    );
    // Classic scopes count too.
    let classic = start_with(app_with_scopes(&["user:read", "user:write"]));
    let token = user_token(&classic);
    assert_eq!(get(&classic, &token, "/users/me").status, 200);
    assert_eq!(set(&classic, &token, "me", "Away").status, 204);
}

#[test]
fn a_member_cannot_grant_admin_scopes() {
    let mut config =
        app_with_scopes(&["user:read:user:admin", "user:update:presence_status:admin"]);
    config.browser_user = BOB_ID.into();
    let zoom = start_with(config);
    let code = code(&zoom);
    let json = exchange(&zoom, &code, VERIFIER).json();
    assert_eq!(json["scope"], "");
    let token = json["access_token"].as_str().unwrap_or_default();
    assert_eq!(get(&zoom, token, "/users/me").status, 400);
}

// ---------------------------------------------------------------- presence: success

#[test]
fn put_presence_is_204_and_get_reads_it_back() {
    let zoom = start();
    let token = user_token(&zoom);
    get(&zoom, &token, "/users/me/presence_status").is(200, r#"{"status":"Available"}"#);
    let reply = set(&zoom, &token, "me", "Away");
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    get(&zoom, &token, "/users/me/presence_status").is(200, r#"{"status":"Away"}"#);
    get(&zoom, &token, &format!("/users/{ALICE_ID}/presence_status"))
        .is(200, r#"{"status":"Away"}"#);
    assert_eq!(zoom.presence_of("alice@example.com").status, "Away");
    assert_eq!(zoom.presence_of(ALICE_ID).end_time, None);
    assert_eq!(zoom.presence_updates(ALICE_ID), [("Away".to_owned(), None)]);
}

#[test]
fn every_listed_status_is_accepted() {
    let zoom = start();
    let token = user_token(&zoom);
    for status in [
        "Away",
        "Do_Not_Disturb",
        "Available",
        "In_Calendar_Event",
        "Presenting",
        "In_A_Zoom_Meeting",
        "On_A_Call",
    ] {
        let reply = set(&zoom, &token, "me", status);
        assert_eq!(reply.status, 204, "{status}: {}", reply.body);
        assert_eq!(zoom.presence_of(ALICE_ID).status, status);
        minute(&zoom);
    }
    assert_eq!(zoom.presence_updates(ALICE_ID).len(), 7);
}

#[test]
fn the_schema_spelling_do_no_disturb_is_stored_as_do_not_disturb() {
    let zoom = start();
    let token = user_token(&zoom);
    let reply = put_presence(
        &zoom,
        &token,
        "me",
        &json!({"status": "Do_No_Disturb", "duration": 30}),
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(zoom.presence_of(ALICE_ID).status, "Do_Not_Disturb");
    assert_eq!(
        zoom.presence_updates(ALICE_ID),
        [("Do_Not_Disturb".to_owned(), Some(30))]
    );
}

#[test]
fn a_server_told_to_take_one_dnd_spelling_refuses_the_other_as_an_invalid_field() {
    use presently_fakes::zoom::DndSpelling;
    for (spelling, taken, refused) in [
        (DndSpelling::ProseOnly, "Do_Not_Disturb", "Do_No_Disturb"),
        (DndSpelling::SchemaOnly, "Do_No_Disturb", "Do_Not_Disturb"),
    ] {
        let mut config = ZoomFakeConfig::default().with_redirect_url(REDIRECT);
        config.dnd_spelling = spelling;
        let zoom = start_with(config);
        let token = user_token(&zoom);
        let reply = set(&zoom, &token, "me", refused);
        assert_eq!(reply.status, 400, "{spelling:?}");
        assert_eq!(reply.body, validation("status", "Invalid field."));
        // A refused request does not use up the minute.
        assert_eq!(set(&zoom, &token, "me", taken).status, 204, "{spelling:?}");
        assert_eq!(zoom.presence_of(ALICE_ID).status, "Do_Not_Disturb");
    }
}

#[test]
fn dnd_defaults_to_20_minutes_and_reports_its_end_to_the_user() {
    let zoom = start();
    let token = user_token(&zoom);
    assert_eq!(set(&zoom, &token, "me", "Do_Not_Disturb").status, 204);
    let presence = zoom.presence_of(ALICE_ID);
    assert_eq!(presence.duration_minutes, Some(20));
    let end = presence.end_time.expect("end");
    let json = get(&zoom, &token, "/users/me/presence_status").json();
    assert_eq!(json["status"], "Do_Not_Disturb");
    assert_eq!(
        json["end_time"],
        end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(json["remaining_time"], 20);
    assert_eq!(
        zoom.presence_updates(ALICE_ID),
        [("Do_Not_Disturb".to_owned(), Some(20))]
    );
    zoom.advance_clock(Duration::from_secs(5 * 60 + 30));
    assert_eq!(
        get(&zoom, &token, "/users/me/presence_status").json()["remaining_time"],
        15
    );
    // Someone else (an admin) sees the status only; the user itself sees the end.
    let admin = s2s_token(&zoom);
    assert_eq!(set(&zoom, &admin, BOB_ID, "Do_Not_Disturb").status, 204);
    get(&zoom, &admin, &format!("/users/{BOB_ID}/presence_status"))
        .is(200, r#"{"status":"Do_Not_Disturb"}"#);
    zoom.set_browser_user(BOB_ID);
    let bob = get(&zoom, &user_token(&zoom), "/users/me/presence_status").json();
    assert_eq!(bob["remaining_time"], 20);
}

#[test]
fn a_timed_dnd_ends_by_itself_back_to_the_status_before() {
    let zoom = start();
    let token = user_token(&zoom);
    assert_eq!(set(&zoom, &token, "me", "Away").status, 204);
    minute(&zoom);
    let dnd = put_presence(
        &zoom,
        &token,
        "me",
        &json!({"status": "Do_Not_Disturb", "duration": 2}),
    );
    assert_eq!(dnd.status, 204);
    zoom.advance_clock(Duration::from_secs(115));
    assert_eq!(zoom.presence_of(ALICE_ID).status, "Do_Not_Disturb");
    zoom.advance_clock(Duration::from_secs(5));
    assert_eq!(
        zoom.presence_of(ALICE_ID),
        presently_fakes::zoom::ZoomPresence {
            status: "Away".into(),
            duration_minutes: None,
            end_time: None,
        }
    );
    get(&zoom, &token, "/users/me/presence_status").is(200, r#"{"status":"Away"}"#);
}

#[test]
fn duration_bounds_are_1_to_1440_minutes() {
    let zoom = start();
    let token = user_token(&zoom);
    let invalid = validation("duration", "Invalid field.");
    for duration in [
        json!(0),
        json!(1441),
        json!(-5),
        json!("30"),
        json!(2.5),
        json!(true),
    ] {
        put_presence(
            &zoom,
            &token,
            "me",
            &json!({"status": "Do_Not_Disturb", "duration": duration}),
        )
        .is_json_error(400, &invalid);
    }
    for duration in [1, 1440] {
        let reply = put_presence(
            &zoom,
            &token,
            "me",
            &json!({"status": "Do_Not_Disturb", "duration": duration}),
        );
        assert_eq!(reply.status, 204, "{duration}: {}", reply.body);
        assert_eq!(zoom.presence_of(ALICE_ID).duration_minutes, Some(duration));
        minute(&zoom);
    }
}

#[test]
fn duration_is_ignored_for_other_statuses() {
    let zoom = start();
    let token = user_token(&zoom);
    let reply = put_presence(
        &zoom,
        &token,
        "me",
        &json!({"status": "Away", "duration": 5000}),
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(zoom.presence_updates(ALICE_ID), [("Away".to_owned(), None)]);
}

#[test]
fn an_admin_token_sets_users_of_its_account_by_id_or_email() {
    let zoom = start();
    let token = s2s_token(&zoom);
    assert_eq!(set(&zoom, &token, BOB_ID, "Away").status, 204);
    assert_eq!(set(&zoom, &token, "alice@example.com", "Away").status, 204);
    assert_eq!(set(&zoom, &token, "me", "Available").status, 429);
    assert_eq!(zoom.presence_of("bob@example.com").status, "Away");
    assert_eq!(zoom.presence_of(ALICE_ID).status, "Away");
}

// ---------------------------------------------------------------- presence: errors

#[test]
fn unknown_and_malformed_status_values_fail_validation() {
    let zoom = start();
    let token = user_token(&zoom);
    let invalid = validation("status", "Invalid field.");
    for status in [
        json!("Busy"),
        json!("Out_of_Office"),
        json!("away"),
        json!("Offline"),
        json!(""),
        json!(3),
    ] {
        put_presence(&zoom, &token, "me", &json!({ "status": status }))
            .is_json_error(400, &invalid);
    }
    put_presence(&zoom, &token, "me", &json!({"duration": 10}))
        .is_json_error(400, &validation("status", "Missing field."));
    let not_json = r#"{"code":300,"message":"Request Body should be a valid JSON object."}"#;
    call("PUT", &zoom, "/v2/users/me/presence_status")
        .bearer(&token)
        .raw("application/json", "status=Away")
        .is_json_error(400, not_json);
    call("PUT", &zoom, "/v2/users/me/presence_status")
        .bearer(&token)
        .raw("application/json", r#"["Away"]"#)
        .is_json_error(400, not_json);
    assert!(zoom.presence_updates(ALICE_ID).is_empty());
    // Refused requests do not start the one-minute window.
    assert_eq!(set(&zoom, &token, "me", "Away").status, 204);
}

#[test]
fn a_user_not_signed_in_to_the_client_cannot_be_updated() {
    let zoom = start();
    let admin = s2s_token(&zoom);
    set(&zoom, &admin, CAROL_ID, "Away").is_json_error(400, FAILED_5301);
    zoom.set_signed_in_to_client(BOB_ID, false);
    set(&zoom, &admin, "bob@example.com", "Away").is_json_error(400, FAILED_5301);
    zoom.set_signed_in_to_client("bob@example.com", true);
    assert_eq!(set(&zoom, &admin, BOB_ID, "Away").status, 204);
    // The user's own token gets the same refusal.
    zoom.set_browser_user(CAROL_ID);
    set(&zoom, &user_token(&zoom), "me", "Away").is_json_error(400, FAILED_5301);
    assert!(zoom.presence_updates(CAROL_ID).is_empty());
}

#[test]
fn setting_someone_else_needs_an_admin_token_of_their_account() {
    let zoom = start();
    let alice = user_token(&zoom);
    set(&zoom, &alice, BOB_ID, "Away").is_json_error(400, NO_PERMISSION_5411);
    set(&zoom, &alice, "dave@example.com", "Away").is_json_error(400, NO_PERMISSION_5411);
    zoom.set_browser_user(BOB_ID);
    let bob = user_token(&zoom);
    set(&zoom, &bob, ALICE_ID, "Away").is_json_error(400, NO_PERMISSION_5411);
    let admin = s2s_token(&zoom);
    set(&zoom, &admin, DAVE_ID, "Away").is_json_error(400, NO_PERMISSION_5411);
    assert!(zoom.presence_updates(BOB_ID).is_empty());
    assert!(zoom.presence_updates(ALICE_ID).is_empty());
    assert!(zoom.presence_updates(DAVE_ID).is_empty());
}

#[test]
fn unknown_users_are_404_1001_on_presence() {
    let zoom = start();
    let admin = s2s_token(&zoom);
    set(&zoom, &admin, "nobody@example.com", "Away").is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: nobody@example.com."}"#,
    );
    set(&zoom, &user_token(&zoom), "Zz9", "Away").is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: Zz9."}"#,
    );
    get(&zoom, &admin, "/users/Zz9/presence_status").is_json_error(
        404,
        r#"{"code":1001,"message":"User does not exist: Zz9."}"#,
    );
}

#[test]
fn missing_presence_scope_is_4711() {
    let zoom = start_with(app_with_scopes(&["user:read:user"]));
    set(&zoom, &user_token(&zoom), "me", "Away").is_json_error(
        400,
        r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:update:presence_status:admin, user:update:presence_status]."}"#,
    );
    assert!(zoom.presence_updates(ALICE_ID).is_empty());
}

#[test]
fn old_clients_only_take_away_or_available_to_dnd() {
    let zoom = start();
    let admin = s2s_token(&zoom);
    zoom.set_client_version(BOB_ID, "5.2.9");
    set(&zoom, &admin, BOB_ID, "Away").is_json_error(400, FAILED_5301);
    set(&zoom, &admin, BOB_ID, "Available").is_json_error(400, FAILED_5301);
    assert_eq!(set(&zoom, &admin, BOB_ID, "Do_Not_Disturb").status, 204);
    minute(&zoom);
    set(&zoom, &admin, BOB_ID, "Available").is_json_error(400, FAILED_5301);
    set(&zoom, &admin, BOB_ID, "Do_Not_Disturb").is_json_error(400, FAILED_5301);
    zoom.set_presence(BOB_ID, "Away");
    assert_eq!(set(&zoom, &admin, BOB_ID, "Do_Not_Disturb").status, 204);
    // From 5.3.0 on, DND → Available is fine.
    zoom.set_client_version(BOB_ID, "5.3.0");
    minute(&zoom);
    assert_eq!(set(&zoom, &admin, BOB_ID, "Available").status, 204);
}

#[test]
fn one_update_per_user_per_minute() {
    let zoom = start();
    let token = user_token(&zoom);
    assert_eq!(set(&zoom, &token, "me", "Away").status, 204);
    let limited = set(&zoom, &token, "me", "Available");
    limited.is_json_error(429, TOO_MANY);
    assert_eq!(limited.header("Retry-After"), None);
    zoom.advance_clock(Duration::from_secs(57));
    set(&zoom, &token, "me", "Available").is_json_error(429, TOO_MANY);
    // Refused updates do not count: a minute after the accepted one it works.
    zoom.advance_clock(Duration::from_secs(3));
    assert_eq!(set(&zoom, &token, "me", "Available").status, 204);
    assert_eq!(
        zoom.presence_updates(ALICE_ID),
        [("Away".to_owned(), None), ("Available".to_owned(), None)]
    );
    assert_eq!(zoom.presence_of(ALICE_ID).status, "Available");
}

#[test]
fn the_minute_is_per_user() {
    let zoom = start();
    let admin = s2s_token(&zoom);
    assert_eq!(set(&zoom, &admin, ALICE_ID, "Away").status, 204);
    assert_eq!(set(&zoom, &admin, BOB_ID, "Away").status, 204);
    set(&zoom, &admin, "alice@example.com", "Available").is_json_error(429, TOO_MANY);
    // The same user through another app shares the limit.
    set(&zoom, &user_token(&zoom), "me", "Available").is_json_error(429, TOO_MANY);
}

#[test]
fn presence_reads_follow_the_same_visibility_as_users() {
    let zoom = start();
    let alice = user_token(&zoom);
    get(&zoom, &alice, &format!("/users/{BOB_ID}/presence_status")).is_json_error(
        400,
        r#"{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:presence_status:admin]."}"#,
    );
    let admin = s2s_token(&zoom);
    get(&zoom, &admin, "/users/bob@example.com/presence_status")
        .is(200, r#"{"status":"Available"}"#);
    assert_eq!(
        get(&zoom, &admin, &format!("/users/{DAVE_ID}/presence_status")).status,
        404
    );
}

// ---------------------------------------------------------------- routing

#[test]
fn unknown_paths_and_methods() {
    let zoom = start();
    let token = user_token(&zoom);
    let reply = get(&zoom, &token, "/meetings");
    assert_eq!(reply.status, 404);
    assert_eq!(
        call("POST", &zoom, "/v2/users/me/presence_status")
            .bearer(&token)
            .json(&json!({"status": "Away"}))
            .status,
        405
    );
    assert_eq!(call("GET", &zoom, "/oauth/token").send().status, 405);
}

// ---------------------------------------------------------------- control, faults, recording

#[test]
fn control_endpoints_drive_clock_users_and_browser() {
    let zoom = start_with(ZoomFakeConfig::default());
    let post = |path: &str, body: Value| call("POST", &zoom, path).json(&body);
    assert_eq!(
        post(
            "/__fake/redirect_url",
            json!({"client_id": USER_APP_CLIENT_ID, "url": REDIRECT})
        )
        .status,
        200
    );
    assert_eq!(
        post(
            "/__fake/redirect_url",
            json!({"client_id": S2S_APP_CLIENT_ID, "url": REDIRECT})
        )
        .status,
        400
    );
    assert_eq!(
        post("/__fake/browser", json!({"user": "bob@example.com"})).status,
        200
    );
    let token = user_token(&zoom);
    assert_eq!(get(&zoom, &token, "/users/me").json()["id"], BOB_ID);
    assert_eq!(post("/__fake/browser", json!({"deny": true})).status, 200);
    let query = redirected(&authorize(&zoom, &pkce_params("s")));
    assert_eq!(query[0], ("error".to_owned(), "access_denied".to_owned()));
    assert_eq!(
        post("/__fake/browser", json!({"user": "nobody"})).status,
        400
    );

    assert_eq!(
        post(
            "/__fake/user",
            json!({"id": BOB_ID, "signed_in_to_client": false})
        )
        .status,
        200
    );
    set(&zoom, &token, "me", "Away").is_json_error(400, FAILED_5301);
    assert_eq!(
        post(
            "/__fake/user",
            json!({"id": "bob@example.com", "signed_in_to_client": true, "client_version": "5.0.0"})
        )
        .status,
        200
    );
    set(&zoom, &token, "me", "Away").is_json_error(400, FAILED_5301);
    assert_eq!(set(&zoom, &token, "me", "Do_Not_Disturb").status, 204);
    assert_eq!(post("/__fake/user", json!({"id": "nobody"})).status, 400);

    assert!(zoom.presence_of(BOB_ID).end_time.is_some());
    let clock = post("/__fake/clock", json!({"advance_seconds": 1200})).json();
    assert_eq!(clock["ok"], true);
    assert!(clock["now"].as_str().is_some());
    assert_eq!(zoom.presence_of(BOB_ID).status, "Available");
    assert_eq!(
        post("/__fake/clock", json!({"advance_seconds": -1})).status,
        400
    );

    let state = call("GET", &zoom, "/__fake/state").send().json();
    let bob = &state["users"][1];
    assert_eq!(bob["id"], BOB_ID);
    assert_eq!(bob["presence"]["status"], "Available");
    assert_eq!(bob["signed_in_to_client"], true);
    assert_eq!(bob["client_version"], "5.0.0");
    assert!(bob["last_update"].as_str().is_some());
    assert_eq!(bob["updates"], json!([["Do_Not_Disturb", 20]]));
    assert_eq!(state["users"][2]["signed_in_to_client"], false);
    assert_eq!(state["access_tokens_issued"], 1);
    assert_eq!(state["refresh_tokens_issued"], 1);
    assert_eq!(state["browser_user"], BOB_ID);
    assert!(state["requests"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn token_control_endpoints() {
    let zoom = start();
    let tokens = user_tokens(&zoom);
    assert_eq!(
        call("POST", &zoom, "/__fake/expire_tokens").send().status,
        200
    );
    get(&zoom, &tokens.access, "/users/me").is_json_error(401, EXPIRED_TOKEN);
    assert_eq!(
        call("POST", &zoom, "/__fake/revoke_refresh_tokens")
            .send()
            .status,
        200
    );
    refresh(&zoom, &tokens.refresh).is_json_error(400, INVALID_REFRESH);
    let state = call("GET", &zoom, "/__fake/state").send().json();
    assert_eq!(state["access_tokens_valid"], 0);
    assert_eq!(state["refresh_tokens_live"], 0);
}

#[test]
fn requests_keep_where_the_credentials_went() {
    let zoom = start();
    let token = user_token(&zoom);
    assert_eq!(set(&zoom, &token, "me", "Away").status, 204);
    let requests = zoom.requests();
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("GET", "/oauth/authorize"),
            ("POST", "/oauth/token"),
            ("PUT", "/v2/users/me/presence_status"),
        ]
    );
    assert!(requests[0].query.contains("code_challenge_method=S256"));
    assert_eq!(requests[0].status, Some(302));
    let token_request = &requests[1];
    assert_eq!(
        token_request.header("Authorization"),
        Some(basic(USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET).as_str())
    );
    assert_eq!(
        token_request.form_field("code_verifier").as_deref(),
        Some(VERIFIER)
    );
    assert_eq!(token_request.form_field("client_secret"), None);
    let put = &requests[2];
    assert_eq!(
        put.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(put.body, r#"{"status":"Away"}"#);
    assert_eq!(put.status, Some(204));
}

#[test]
fn injected_rate_limit_looks_like_zooms_and_applies_once() {
    let zoom = start();
    let token = user_token(&zoom);
    zoom.inject(Fault::RateLimit {
        retry_after_secs: 1.5,
    });
    let limited = get(&zoom, &token, "/users/me");
    limited.is_json_error(
        429,
        r#"{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}"#,
    );
    assert_eq!(limited.header("Retry-After"), Some("2"));
    assert_eq!(get(&zoom, &token, "/users/me").status, 200);
}

#[test]
fn untargeted_faults_skip_the_oauth_host_and_targeted_ones_reach_it() {
    let zoom = start();
    zoom.inject(Fault::ServerError);
    // The OAuth dance passes; the fault waits for the API.
    let token = user_token(&zoom);
    let failed = get(&zoom, &token, "/users/me");
    assert_eq!(
        (failed.status, failed.body.as_str()),
        (500, "<html><body>Internal Server Error</body></html>")
    );
    zoom.inject_on("POST", "/oauth/token", Fault::Garbage);
    let garbage = token_request(&zoom, &[("grant_type", "refresh_token")]);
    assert_eq!(
        (garbage.status, garbage.body.as_str()),
        (200, "<html>not json")
    );
    zoom.inject_on(
        "PUT",
        "/v2/users/me/presence_status",
        Fault::Redirect {
            location: "http://127.0.0.1:1/elsewhere".into(),
        },
    );
    assert_eq!(get(&zoom, &token, "/users/me").status, 200);
    let moved = set(&zoom, &token, "me", "Away");
    assert_eq!(moved.status, 302);
    assert!(zoom.presence_updates(ALICE_ID).is_empty());
    assert_eq!(set(&zoom, &token, "me", "Away").status, 204);
}

#[test]
fn faults_over_http() {
    let zoom = start();
    let reply = call("POST", &zoom, "/__fake/fault").json(&json!({
        "kind": "server_error", "method": "POST", "path": "/oauth/token"
    }));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let state = call("GET", &zoom, "/__fake/state").send().json();
    assert_eq!(
        state["pending_targeted_faults"],
        json!([{"method": "POST", "path": "/oauth/token", "kind": "server_error"}])
    );
    assert_eq!(
        call("POST", &zoom, "/__fake/fault")
            .json(&json!({"kind": "nope"}))
            .status,
        400
    );
    let code = code(&zoom);
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 500);
    assert_eq!(exchange(&zoom, &code, VERIFIER).status, 200);
}
