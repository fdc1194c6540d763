//! The `presently` binary against the fake Zoom and the real keyring: the browser sign-in
//! (authorization code with PKCE on a loopback redirect, the test playing the browser),
//! Server-to-Server apps, presence for presets, the one-change-a-minute rule across
//! processes (waiting, handing over to the app, giving up), Zoom's documented errors,
//! renewing (also by several processes at once) and losing the sign-in, and secrets never
//! leaving the keyring. Run with `bash tests/with-keyring.sh cargo test -p presently-cli`.

mod common;

use chrono::{Local, Timelike, Utc};
use common::{Cli, Out, Running};
use presently_fakes::zoom::{
    pkce_s256_challenge, FakeZoom, RecordedRequest, ZoomFakeConfig, DEFAULT_ACCOUNT,
    S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET, USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET,
};
use serde_json::{json, Value};
use std::fs::{File, OpenOptions};
use std::time::Duration;
use url::Url;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const DAVE: &str = "dave@example.com";
const OWN_PRESENCE: &str = "/v2/users/me/presence_status";
const TOKEN: &str = "/oauth/token";
const DND: &str = "Do_Not_Disturb";
/// The line `account add zoom` and `account signin` print before the address.
const SIGN_IN_MARKER: &str = "Sign in to Zoom at this address:";

fn fake() -> FakeZoom {
    FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom starts")
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    socket.local_addr().expect("local address").port()
}

fn redirect_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/oauth/callback")
}

/// Picks a loopback port and registers its redirect URL with the fake's user-managed app,
/// as the README tells the user to do on Zoom's Marketplace.
fn register_redirect(zoom: &FakeZoom) -> u16 {
    let port = free_port();
    zoom.add_redirect_url(USER_APP_CLIENT_ID, &redirect_url(port));
    port
}

fn requests(zoom: &FakeZoom, method: &str, path: &str) -> Vec<RecordedRequest> {
    zoom.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

fn token_requests(zoom: &FakeZoom, grant_type: &str) -> Vec<RecordedRequest> {
    requests(zoom, "POST", TOKEN)
        .into_iter()
        .filter(|r| r.form_field("grant_type").as_deref() == Some(grant_type))
        .collect()
}

/// Every `PUT .../presence_status`, whoever it was for.
fn presence_puts(zoom: &FakeZoom) -> Vec<RecordedRequest> {
    zoom.requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/presence_status"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Playing the browser

/// One page as a browser that does not follow redirects sees it.
#[derive(Debug)]
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

#[track_caller]
fn browse(url: &str) -> Page {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(20))
        .build();
    let response = match agent.get(url).call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("GET {url}: {e}"),
    };
    Page {
        status: response.status(),
        location: response.header("Location").map(str::to_owned),
        body: response.into_string().unwrap_or_default(),
    }
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Opens the sign-in address: Zoom's consent page answers with a redirect to the loopback
/// URL, which is returned (not followed).
#[track_caller]
fn consent(sign_in_url: &Url, port: u16) -> Url {
    let page = browse(sign_in_url.as_str());
    assert_eq!(page.status, 302, "the consent page: {page:?}");
    let location = page.location.expect("a Location header");
    assert!(
        location.starts_with(&format!("{}?", redirect_url(port))),
        "Zoom sends the browser to {location}"
    );
    Url::parse(&location).expect("the redirect is a URL")
}

fn user_add_args(zoom: &FakeZoom, id: &str, port: u16) -> Vec<String> {
    [
        "account",
        "add",
        "zoom",
        id,
        "--client-id",
        USER_APP_CLIENT_ID,
        "--redirect-port",
        &port.to_string(),
        "--no-browser",
        "--api-base",
        &zoom.api_base(),
        "--auth-base",
        &zoom.auth_base(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Starts `account add zoom <id> …` with `secret` on stdin and reads the sign-in address.
fn start_add(cli: &Cli, zoom: &FakeZoom, id: &str, port: u16, secret: &str) -> (Running, Url) {
    let args = user_add_args(zoom, id, port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut running = cli.spawn_with_stdin(&args, &format!("{secret}\n"));
    let line = running.line_after(SIGN_IN_MARKER);
    let url = Url::parse(line.trim()).unwrap_or_else(|e| panic!("{line:?} is no URL: {e}"));
    (running, url)
}

/// The whole browser sign-in of alice as account "zoom"; returns the redirect port.
#[track_caller]
fn sign_in_alice(cli: &Cli, zoom: &FakeZoom) -> u16 {
    let port = register_redirect(zoom);
    let (running, url) = start_add(cli, zoom, "zoom", port, USER_APP_CLIENT_SECRET);
    let back = consent(&url, port);
    let page = browse(back.as_str());
    assert_eq!(page.status, 200, "{page:?}");
    running
        .finish()
        .code(0)
        .says("Account zoom added: signed in as Alice Owner <alice@example.com>");
    port
}

/// Adds the Server-to-Server app as account `id`, acting for `user`.
fn add_s2s(cli: &Cli, zoom: &FakeZoom, id: &str, account_id: &str, user: &str) -> Out {
    add_s2s_with(
        cli,
        zoom,
        id,
        account_id,
        user,
        S2S_APP_CLIENT_SECRET,
        false,
    )
}

fn add_s2s_with(
    cli: &Cli,
    zoom: &FakeZoom,
    id: &str,
    account_id: &str,
    user: &str,
    secret: &str,
    json: bool,
) -> Out {
    let (api, auth) = (zoom.api_base(), zoom.auth_base());
    let mut args = vec![
        "account",
        "add",
        "zoom",
        id,
        "--server-to-server",
        "--account-id",
        account_id,
        "--client-id",
        S2S_APP_CLIENT_ID,
        "--user",
        user,
        "--api-base",
        &api,
        "--auth-base",
        &auth,
    ];
    if json {
        args.insert(0, "--json");
    }
    cli.run_with_stdin(&args, &format!("{secret}\n"))
}

// ---------------------------------------------------------------------------------------------
// Keyring, pacing book and app lock

/// The access and refresh token the keyring holds for an account.
fn stored_tokens(cli: &Cli, id: &str) -> (String, Option<String>, Value) {
    let raw = cli
        .secret_named(id, "tokens")
        .unwrap_or_else(|| panic!("no tokens for {id} in the keyring"));
    let value: Value = serde_json::from_str(&raw).expect("the tokens entry is JSON");
    let access = value["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let refresh = value["refresh_token"].as_str().map(str::to_owned);
    (access, refresh, value)
}

fn pacing_book(cli: &Cli) -> Value {
    let text =
        std::fs::read_to_string(cli.dir().join("pacing.json")).expect("pacing.json readable");
    serde_json::from_str(&text).expect("pacing.json is JSON")
}

/// Pretends the slot's last change went out `seconds` ago (the other process that sent it
/// would have written exactly this).
fn backdate(cli: &Cli, slot: &str, seconds: i64) {
    let mut book = pacing_book(cli);
    let when = Utc::now() - chrono::Duration::seconds(seconds);
    assert!(
        book["slots"][slot].is_object(),
        "no slot {slot:?} in {book}"
    );
    book["slots"][slot]["last_sent"] = json!(when.to_rfc3339());
    std::fs::write(
        cli.dir().join("pacing.json"),
        serde_json::to_vec_pretty(&book).expect("JSON"),
    )
    .expect("write pacing.json");
}

/// Plays "the tray app is running": holds `app.lock` as `core/src/app_lock.rs` does.
fn hold_app_lock(cli: &Cli) -> File {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(cli.dir().join("app.lock"))
        .expect("open app.lock");
    file.lock().expect("lock app.lock");
    file
}

// ---------------------------------------------------------------------------------------------
// Times in the output

/// The first `HH:MM:SS` after `after` in `text`.
#[track_caller]
fn time_after(text: &str, after: &str) -> (u32, u32, u32) {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} not in {text:?}"));
    let rest = &text.as_bytes()[start + after.len()..];
    for i in 0..rest.len().saturating_sub(7) {
        let w = &rest[i..i + 8];
        let digits = [0, 1, 3, 4, 6, 7].iter().all(|&j| w[j].is_ascii_digit());
        if digits && w[2] == b':' && w[5] == b':' {
            let n = |j: usize| u32::from(w[j] - b'0') * 10 + u32::from(w[j + 1] - b'0');
            return (n(0), n(3), n(6));
        }
    }
    panic!("no HH:MM:SS after {after:?} in {text:?}");
}

/// Seconds from `reference` (local time) to the local wall-clock time `hms`, across midnight.
fn seconds_from(reference: chrono::DateTime<Local>, (h, m, s): (u32, u32, u32)) -> i64 {
    let then = i64::from(h * 3600 + m * 60 + s);
    let now = i64::from(reference.num_seconds_from_midnight());
    let diff = (then - now).rem_euclid(86_400);
    if diff > 43_200 {
        diff - 86_400
    } else {
        diff
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// Every secret this test's Presently has had: both client secrets, every bearer token the
/// fake saw, every refresh token sent to it, and what the keyring holds now.
fn secrets_in_play(cli: &Cli, zoom: &FakeZoom) -> Vec<String> {
    let mut found = vec![
        USER_APP_CLIENT_SECRET.to_owned(),
        S2S_APP_CLIENT_SECRET.to_owned(),
    ];
    for request in zoom.requests() {
        if let Some(token) = request
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
        {
            found.push(token.to_owned());
        }
        found.extend(request.form_field("refresh_token"));
    }
    for id in ["zoom", "staff"] {
        if cli.has_secret(id, "tokens") {
            let (access, refresh, _) = stored_tokens(cli, id);
            found.push(access);
            found.extend(refresh);
        }
    }
    found.retain(|s| s.len() >= 8);
    found.sort();
    found.dedup();
    found
}

#[track_caller]
fn assert_no_secrets(out: &Out, secrets: &[String]) {
    for secret in secrets {
        out.never_says(secret);
    }
}

#[track_caller]
fn assert_no_secret_files(cli: &Cli, secrets: &[String]) {
    for secret in secrets {
        let files = cli.files_containing(secret);
        assert!(files.is_empty(), "a secret was written to {files:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Signing in through the browser

#[test]
fn browser_sign_in_with_pkce_keeps_the_secret_and_tokens_in_the_keyring_only() {
    let zoom = fake();
    let cli = Cli::new("zoom-sign-in");
    let port = register_redirect(&zoom);
    let (mut running, url) = start_add(&cli, &zoom, "zoom", port, USER_APP_CLIENT_SECRET);

    // The address: Zoom's authorize endpoint, this app, the loopback redirect, PKCE S256.
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/oauth/authorize", zoom.auth_base()).as_str())
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&url, "client_id").as_deref(),
        Some(USER_APP_CLIENT_ID)
    );
    assert_eq!(param(&url, "redirect_uri"), Some(redirect_url(port)));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let state = param(&url, "state").expect("a state");
    assert!(state.len() >= 16, "state {state:?} is too guessable");
    let challenge = param(&url, "code_challenge").expect("a code challenge");
    assert_eq!(challenge.len(), 43, "S256 challenge {challenge:?}");
    assert!(running.is_running(), "the CLI waits for the browser");

    let back = consent(&url, port);
    assert_eq!(param(&back, "state"), Some(state.clone()));
    let code = param(&back, "code").expect("a code");
    let page = browse(back.as_str());
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("Signed in"), "{}", page.body);

    let out = running.finish();
    out.code(0)
        .says("Account zoom added: signed in as Alice Owner <alice@example.com>")
        .says("administrator")
        .says("on Zoom (signed in)");

    // The code went to the token endpoint with the verifier of the challenge.
    let exchanges = token_requests(&zoom, "authorization_code");
    assert_eq!(exchanges.len(), 1);
    let exchange = &exchanges[0];
    assert_eq!(exchange.form_field("code"), Some(code));
    assert_eq!(
        exchange.form_field("redirect_uri"),
        Some(redirect_url(port))
    );
    let verifier = exchange.form_field("code_verifier").expect("a verifier");
    assert_eq!(pkce_s256_challenge(&verifier), challenge);
    assert!(exchange
        .header("authorization")
        .is_some_and(|h| h.starts_with("Basic ")));
    assert_eq!(exchange.form_field("client_secret"), None);

    // Secret and tokens: in the keyring, nowhere else.
    assert_eq!(
        cli.secret_named("zoom", "client_secret").as_deref(),
        Some(USER_APP_CLIENT_SECRET)
    );
    let (access, refresh, _) = stored_tokens(&cli, "zoom");
    let refresh = refresh.expect("a refresh token");
    let secrets = vec![USER_APP_CLIENT_SECRET.to_owned(), access, refresh];
    assert_no_secrets(&out, &secrets);
    assert_no_secret_files(&cli, &secrets);
    assert_no_secret_files(&cli, &[verifier]);

    let config = cli.config_text();
    assert!(config.contains("service = \"zoom\""), "{config}");
    assert!(
        config.contains(&format!("client_id = \"{USER_APP_CLIENT_ID}\"")),
        "{config}"
    );
    assert!(
        config.contains(&format!("redirect_port = {port}")),
        "{config}"
    );
    // Whose account it is, learnt when the sign-in was verified, for listings.
    assert!(config.contains("email = \"alice@example.com\""), "{config}");
    assert_eq!(cli.account_ids(), ["zoom"]);
    cli.run(&["account", "test", "zoom"])
        .code(0)
        .says("Account zoom works: signed in as Alice Owner");
}

#[test]
fn a_callback_with_a_wrong_state_is_refused_and_does_not_end_the_sign_in() {
    let zoom = fake();
    let cli = Cli::new("zoom-wrong-state");
    let port = register_redirect(&zoom);
    let (running, url) = start_add(&cli, &zoom, "zoom", port, USER_APP_CLIENT_SECRET);
    let back = consent(&url, port);

    // A forged return: the real code, someone else's state.
    let mut forged = back.clone();
    let code = param(&back, "code").expect("code");
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "not-the-state-presently-made");
    let page = browse(forged.as_str());
    assert_eq!(page.status, 400, "{page:?}");
    assert!(
        page.body.contains("not started by this Presently"),
        "{}",
        page.body
    );
    // No state at all, and another path, are refused too.
    assert_eq!(
        browse(&format!("{}?code={code}", redirect_url(port))).status,
        400
    );
    assert_eq!(
        browse(&format!("http://127.0.0.1:{port}/elsewhere")).status,
        404
    );
    assert!(token_requests(&zoom, "authorization_code").is_empty());
    assert!(cli.account_ids().is_empty());

    // The real return still works.
    assert_eq!(browse(back.as_str()).status, 200);
    running
        .finish()
        .code(0)
        .says("Account zoom added: signed in as Alice Owner");
    assert!(cli.has_secret("zoom", "tokens"));
}

#[test]
fn declined_consent_ends_the_sign_in_and_stores_nothing() {
    let zoom = fake();
    zoom.set_deny_consent(true);
    let cli = Cli::new("zoom-denied");
    let port = register_redirect(&zoom);
    let (running, url) = start_add(&cli, &zoom, "zoom", port, USER_APP_CLIENT_SECRET);
    let back = consent(&url, port);
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    let page = browse(back.as_str());
    assert!(page.body.contains("cancelled"), "{page:?}");
    running
        .finish()
        .code(1)
        .says("Zoom (zoom)")
        .says("the Zoom sign-in was not completed (access_denied)");
    assert!(cli.account_ids().is_empty());
    assert!(!cli.has_secret("zoom", "client_secret"));
    assert!(!cli.has_secret("zoom", "tokens"));
    assert!(requests(&zoom, "POST", TOKEN).is_empty());
}

#[test]
fn a_wrong_client_secret_is_named_and_nothing_is_stored() {
    let zoom = fake();
    let cli = Cli::new("zoom-wrong-secret");
    let port = register_redirect(&zoom);
    let wrong = "not-the-app-secret-0000";
    let (running, url) = start_add(&cli, &zoom, "zoom", port, wrong);
    let back = consent(&url, port);
    let page = browse(back.as_str());
    assert!(page.body.contains("could not finish"), "{page:?}");
    let out = running.finish();
    out.code(1)
        .says("Zoom (zoom)")
        .says("Zoom does not accept the client id and secret")
        .never_says(wrong);
    assert!(cli.account_ids().is_empty());
    assert!(!cli.has_secret("zoom", "client_secret"));
    assert!(!cli.has_secret("zoom", "tokens"));
    assert!(cli.files_containing(wrong).is_empty());
}

#[test]
fn a_redirect_port_in_use_is_named() {
    let zoom = fake();
    let cli = Cli::new("zoom-busy-port");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port();
    zoom.add_redirect_url(USER_APP_CLIENT_ID, &redirect_url(port));
    let args = user_add_args(&zoom, "zoom", port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli.run_with_stdin(&args, &format!("{USER_APP_CLIENT_SECRET}\n"))
        .code(1)
        .says(&format!("cannot listen on 127.0.0.1:{port}"))
        .says("--redirect-port")
        .never_says(SIGN_IN_MARKER);
    assert!(cli.account_ids().is_empty());
    assert!(!cli.has_secret("zoom", "client_secret"));
}

// ---------------------------------------------------------------------------------------------
// 2. Presence for presets

#[test]
fn do_not_disturb_falls_back_to_the_schema_spelling_when_zoom_refuses_the_prose_one() {
    // Which spelling Zoom takes is unconfirmed (Zoom's docs spell it two ways): send the prose's first,
    // then the schema enum's when the first is refused as an invalid field.
    let config = ZoomFakeConfig {
        dnd_spelling: presently_fakes::zoom::DndSpelling::SchemaOnly,
        ..ZoomFakeConfig::default()
    };
    let zoom = FakeZoom::start(config).expect("fake Zoom starts");
    let cli = Cli::new("zoom-dnd-spelling");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "focus"])
        .code(0)
        .says("Focus set on 1 of 1 account");
    let puts: Vec<(Option<u16>, Value)> = presence_puts(&zoom)
        .iter()
        .map(|r| (r.status, serde_json::from_str(&r.body).expect("JSON body")))
        .collect();
    assert_eq!(
        puts,
        [
            (
                Some(400),
                json!({"status": "Do_Not_Disturb", "duration": 120})
            ),
            (
                Some(204),
                json!({"status": "Do_No_Disturb", "duration": 120})
            ),
        ]
    );
    assert_eq!(zoom.presence_of(ALICE).status, "Do_Not_Disturb");
}

#[test]
fn presets_set_zoom_presence_and_do_not_disturb_carries_its_minutes() {
    let zoom = fake();
    let cli = Cli::new("zoom-presets");
    sign_in_alice(&cli, &zoom);

    cli.run(&["set", "lunch"])
        .code(0)
        .says("Lunch set on 1 of 1 account")
        .never_says("pending");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
    assert_eq!(zoom.presence_updates(ALICE), [("Away".to_owned(), None)]);
    let put = &requests(&zoom, "PUT", OWN_PRESENCE)[0];
    let body: Value = serde_json::from_str(&put.body).expect("JSON body");
    assert_eq!(body, json!({"status": "Away"}));

    cli.run(&["status"]).code(0).says("Zoom (zoom): Away");

    let preview = cli.run(&["preview", "focus"]);
    preview
        .code(0)
        .says("Zoom (zoom):")
        .says("[Do not disturb for 120 min]")
        .says("Zoom shows no status text")
        .never_says("🎧");
    assert_eq!(presence_puts(&zoom).len(), 1, "a preview must send nothing");

    // After the minute (as another process would have seen it).
    backdate(&cli, "zoom", 61);
    zoom.advance_clock(Duration::from_secs(61));
    cli.run(&["set", "focus"])
        .code(0)
        .says("Focus set on 1 of 1 account")
        .never_says("pending");
    assert_eq!(
        zoom.presence_updates(ALICE),
        [("Away".to_owned(), None), (DND.to_owned(), Some(120))]
    );
    let put = &requests(&zoom, "PUT", OWN_PRESENCE)[1];
    let body: Value = serde_json::from_str(&put.body).expect("JSON body");
    assert_eq!(body, json!({"status": DND, "duration": 120}));
    cli.run(&["status"])
        .code(0)
        .says("Zoom (zoom): Do not disturb until ");

    backdate(&cli, "zoom", 61);
    zoom.advance_clock(Duration::from_secs(61));
    cli.run(&["clear"])
        .code(0)
        .says("Status cleared on 1 of 1 account");
    assert_eq!(zoom.presence_of(ALICE).status, "Available");
    cli.run(&["status"]).code(0).says("Zoom (zoom): Available");
}

// ---------------------------------------------------------------------------------------------
// 3. One change a minute

/// A `pacing.json` that cannot be read is kept aside, and Zoom's minute is counted as if a
/// change had just gone out: a lost book never lets a second change out inside the minute.
#[test]
fn a_corrupt_pacing_book_is_kept_aside_and_counted_conservatively() {
    let zoom = fake();
    let cli = Cli::new("zoom-corrupt-pacing");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    let book = cli.dir().join("pacing.json");
    std::fs::write(&book, "{ not json").expect("corrupt the book");
    cli.run(&["set", "focus", "--no-wait"])
        .code(1)
        .says("takes one change a minute")
        .says("Presently's record of each service's turns (pacing.json) could not be read and is kept as ")
        .says("pacing.json.broken-");
    assert_eq!(
        presence_puts(&zoom).len(),
        1,
        "no second change inside the minute"
    );
    let kept: Vec<_> = std::fs::read_dir(cli.dir())
        .expect("config dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("pacing.json.broken-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the unreadable book is kept aside");
    assert_eq!(
        std::fs::read_to_string(kept[0].path()).expect("kept"),
        "{ not json"
    );
}

#[test]
fn a_second_change_inside_the_minute_with_no_wait_names_the_time() {
    let zoom = fake();
    let cli = Cli::new("zoom-no-wait");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    let before = Local::now();
    let out = cli.run(&["set", "focus", "--no-wait"]);
    out.code(1)
        .says("Zoom (zoom): takes one change a minute; this one could be sent at ")
        .says("(not sent)");
    let at = time_after(&out.all(), "could be sent at ");
    let wait = seconds_from(before, at);
    assert!((55..=61).contains(&wait), "could be sent in {wait} s");
    assert_eq!(presence_puts(&zoom).len(), 1, "Zoom got a second change");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
    // Refused means refused: nothing waits.
    let book = pacing_book(&cli);
    assert!(book["slots"]["zoom"]["pending"].is_null(), "{book}");

    let json = cli.run(&["--json", "set", "focus", "--no-wait"]);
    json.code(1);
    let account = &json.json()["accounts"][0];
    assert_eq!(account["error"]["kind"], "rate_limited");
    assert_eq!(account["error"]["reason"], "paced");
    assert!(account["error"]["retry_at"].is_string(), "{account}");
}

#[test]
fn without_the_app_set_waits_for_the_turn_then_sends() {
    let zoom = fake();
    let cli = Cli::new("zoom-wait");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    // 58 of the 60 seconds have passed, for Presently and for Zoom.
    backdate(&cli, "zoom", 58);
    zoom.advance_clock(Duration::from_secs(58));

    let before = Local::now();
    let out = cli.run(&["set", "focus"]);
    out.code(0)
        .says("Zoom (zoom) takes one change a minute; waiting until ")
        .says("Focus set on 1 of 1 account")
        .never_says("pending)");
    let until = time_after(&out.stderr, "waiting until ");
    assert!((1..=3).contains(&seconds_from(before, until)), "{until:?}");
    assert!(
        out.elapsed >= Duration::from_millis(1500) && out.elapsed < Duration::from_secs(15),
        "took {:?}",
        out.elapsed
    );
    assert_eq!(zoom.presence_of(ALICE).status, DND);
    assert_eq!(presence_puts(&zoom).len(), 2);
    assert!(
        presence_puts(&zoom).iter().all(|r| r.status == Some(204)),
        "Zoom refused a change"
    );
    let book = pacing_book(&cli);
    assert!(book["slots"]["zoom"]["pending"].is_null(), "{book}");
}

#[test]
fn a_change_zoom_refuses_after_the_wait_is_waited_for_once_more() {
    let zoom = fake();
    let cli = Cli::new("zoom-wait-again");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    // Presently's book says the minute is nearly up; Zoom's says it has just begun (the
    // user changed the presence in the Zoom app): the waited-for send gets a 429.
    backdate(&cli, "zoom", 58);
    let out = cli
        .spawn(&["set", "focus"])
        .finish_within(Duration::from_secs(100));
    out.code(0)
        .says("Focus set on 1 of 1 account")
        .never_says("pending");
    let statuses: Vec<_> = presence_puts(&zoom).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(204), Some(429), Some(204)]);
    assert_eq!(zoom.presence_of(ALICE).status, DND);
    assert_eq!(
        out.stderr.matches("waiting until").count(),
        2,
        "{}",
        out.stderr
    );
    assert!(out.elapsed >= Duration::from_secs(60), "{:?}", out.elapsed);
    assert!(pacing_book(&cli)["slots"]["zoom"]["pending"].is_null());
}

#[test]
fn interrupting_the_wait_or_closing_its_terminal_leaves_no_change_behind() {
    for signal in ["-INT", "-TERM", "-HUP"] {
        let zoom = fake();
        let cli = Cli::new("zoom-interrupt");
        sign_in_alice(&cli, &zoom);
        cli.run(&["set", "lunch"]).code(0);
        backdate(&cli, "zoom", 30);
        let mut running = cli.spawn(&["set", "focus"]);
        // Once the change waits in the book, the user gives up with Ctrl-C (or a kill, or
        // by closing the terminal).
        running.wait_for_stderr("waiting until");
        assert!(!pacing_book(&cli)["slots"]["zoom"]["pending"].is_null());
        let sent = std::process::Command::new("kill")
            .args([signal, &running.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let out = running.finish();
        out.code(1)
            .says("Focus set on 0 of 1 account")
            .says("interrupted while waiting for its turn; not sent");
        assert!(
            out.elapsed < Duration::from_secs(20),
            "{signal}: {:?}",
            out.elapsed
        );
        // Nothing is left for the app to send later, and nothing was sent.
        let book = pacing_book(&cli);
        assert!(
            book["slots"]["zoom"]["pending"].is_null(),
            "{signal}: {book}"
        );
        // Nor does Presently count the withdrawn change as the status in effect.
        cli.run(&["status"])
            .code(0)
            .never_says("Waiting for its turn")
            .never_says("Set by Presently: Focus")
            .says("Set by Presently: Lunch");
        assert_eq!(presence_puts(&zoom).len(), 1, "{signal}");
        assert_eq!(zoom.presence_of(ALICE).status, "Away", "{signal}");
    }
}

#[test]
fn a_waiting_change_whose_process_was_killed_is_dropped_not_sent() {
    let zoom = fake();
    let cli = Cli::new("zoom-killed");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    backdate(&cli, "zoom", 30);
    let mut running = cli.spawn(&["set", "focus"]);
    running.wait_for_stderr("waiting until");
    let pending = pacing_book(&cli)["slots"]["zoom"]["pending"].clone();
    assert!(
        pending["owner"]
            .as_str()
            .is_some_and(|o| o.starts_with("waiter-")),
        "the change belongs to the waiting process: {pending}"
    );
    // No chance to withdraw it: SIGKILL.
    let sent = std::process::Command::new("kill")
        .args(["-KILL", &running.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    running.finish();
    // The next Presently process to look finds its owner gone and drops it.
    cli.run(&["status"])
        .code(0)
        .never_says("Waiting for its turn")
        .never_says("Set by Presently: Focus")
        .says("Set by Presently: Lunch");
    let book = pacing_book(&cli);
    assert!(book["slots"]["zoom"]["pending"].is_null(), "{book}");
    assert_eq!(presence_puts(&zoom).len(), 1);
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
}

#[test]
fn giving_up_a_wait_keeps_a_newer_change_of_another_process() {
    let zoom = fake();
    let cli = Cli::new("zoom-interrupt-other");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    backdate(&cli, "zoom", 50);
    zoom.advance_clock(Duration::from_secs(50));
    let mut first = cli.spawn(&["set", "focus"]);
    first.wait_for_stderr("waiting until");
    // A second terminal wants something newer; it replaces the first wish in the book.
    let mut second = cli.spawn(&["set", "available"]);
    second.wait_for_stderr("waiting until");
    let pending = &pacing_book(&cli)["slots"]["zoom"]["pending"];
    assert_eq!(pending["status"]["label"], "Available", "{pending}");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &first.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    first
        .finish()
        .code(1)
        .says("interrupted while waiting for its turn; not sent");
    let pending = &pacing_book(&cli)["slots"]["zoom"]["pending"];
    assert_eq!(pending["status"]["label"], "Available", "{pending}");
    second
        .finish()
        .code(0)
        .says("Available set on 1 of 1 account");
    assert_eq!(
        zoom.presence_updates(ALICE),
        [("Away".to_owned(), None), ("Available".to_owned(), None)]
    );
}

#[test]
fn with_the_app_running_changes_are_handed_over_and_only_the_newest_waits() {
    let zoom = fake();
    let cli = Cli::new("zoom-hand-off");
    sign_in_alice(&cli, &zoom);
    let _app = hold_app_lock(&cli);

    cli.run(&["set", "lunch"])
        .code(0)
        .says("Lunch set on 1 of 1 account")
        .never_says("pending");
    let focus = cli.run(&["set", "focus"]);
    focus
        .code(0)
        .says("Focus set on 1 of 1 account (1 pending)")
        .says("pending: Zoom takes one change a minute, so this goes out at ")
        .says("The Presently app sends the waiting change at ");
    assert!(
        focus.elapsed < Duration::from_secs(5),
        "the CLI waited {:?} although the app runs",
        focus.elapsed
    );
    let json = cli.run(&["--json", "set", "focus"]);
    json.code(0);
    let report = json.json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["summary"], "Focus set on 1 of 1 account (1 pending)");
    assert!(
        report["accounts"][0]["pending_until"].is_string(),
        "{report}"
    );
    let brb = cli.run(&["set", "brb"]);
    brb.code(0)
        .says("Be right back set on 1 of 1 account (1 pending)")
        .says("The Presently app sends the waiting change at ");
    assert_eq!(presence_puts(&zoom).len(), 1, "only lunch went out");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");

    // The book keeps the newest wish only.
    let book = pacing_book(&cli);
    let slots = book["slots"].as_object().expect("slots");
    assert_eq!(slots.len(), 1, "{book}");
    let pending = &book["slots"]["zoom"]["pending"];
    assert_eq!(pending["status"]["label"], "Be right back", "{book}");
    assert_eq!(pending["status"]["availability"], "away", "{book}");

    let status = cli.run(&["status"]);
    status
        .code(0)
        .says("Zoom (zoom): Away")
        .says("Waiting for its turn: Be right back on zoom at ")
        .never_says("Focus on zoom");
    let when = time_after(&status.stdout, "Be right back on zoom at ");
    let hand_off = time_after(&brb.all(), "sends the waiting change at ");
    assert_eq!(when, hand_off);

    let json = cli.run(&["--json", "status"]);
    json.code(0);
    let pending = json.json()["pending"].clone();
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
    assert_eq!(pending[0]["account"], "zoom");
    assert_eq!(pending[0]["label"], "Be right back");
    assert_eq!(pending[0]["availability"], "away");
    assert!(pending[0]["not_before"].is_string());

    // With the app running, --no-wait also hands over (the app sends it).
    cli.run(&["set", "focus", "--no-wait"])
        .code(0)
        .says("(1 pending)");
    assert_eq!(
        pacing_book(&cli)["slots"]["zoom"]["pending"]["status"]["label"],
        "Focus"
    );
}

#[test]
fn a_rate_limit_presently_did_not_expect_names_a_time_a_minute_on() {
    let zoom = fake();
    let cli = Cli::new("zoom-429");
    sign_in_alice(&cli, &zoom);
    cli.run(&["set", "lunch"]).code(0);
    // Another device changed the presence: Presently's book knows nothing of it.
    std::fs::remove_file(cli.dir().join("pacing.json")).expect("remove pacing.json");

    let before = Local::now();
    let out = cli.run(&["set", "focus", "--no-wait"]);
    out.code(1)
        .says("Zoom (zoom): takes one change a minute; this one could be sent at ")
        .never_says("server error")
        .never_says("protocol");
    let wait = seconds_from(before, time_after(&out.all(), "could be sent at "));
    assert!((59..=65).contains(&wait), "could be sent in {wait} s");
    let puts = presence_puts(&zoom);
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[1].status, Some(429));
    assert_eq!(zoom.presence_of(ALICE).status, "Away");

    // The refusal is remembered: the next try does not ask Zoom again inside the minute.
    cli.run(&["set", "focus", "--no-wait"])
        .code(1)
        .says("could be sent at ");
    assert_eq!(presence_puts(&zoom).len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 4. Zoom's documented errors

#[test]
fn not_signed_in_to_the_zoom_app_says_to_open_zoom() {
    let zoom = fake();
    let cli = Cli::new("zoom-5301");
    sign_in_alice(&cli, &zoom);
    zoom.set_signed_in_to_client(ALICE, false);
    cli.run(&["set", "lunch"])
        .code(1)
        .says("Lunch set on 0 of 1 account")
        .says("Zoom (zoom):")
        .says("while you are signed in to the Zoom app")
        .says("open Zoom, sign in, and try again")
        .says("5301");
    // A failed change does not use up the minute.
    zoom.set_signed_in_to_client(ALICE, true);
    cli.run(&["set", "lunch", "--no-wait"])
        .code(0)
        .says("Lunch set on 1 of 1 account");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
}

#[test]
fn a_signed_in_user_has_no_permission_for_someone_else() {
    let zoom = fake();
    let cli = Cli::new("zoom-5411");
    sign_in_alice(&cli, &zoom);
    let out = cli.run(&["set", "lunch", "--account", "zoom", "--user", BOB]);
    out.code(1)
        .says("no permission to change bob@example.com's presence")
        .says("5411");
    assert_eq!(
        requests(&zoom, "PUT", "/v2/users/bob@example.com/presence_status").len(),
        1
    );
}

#[test]
fn an_expired_access_token_is_renewed_once_and_the_refresh_token_rotates() {
    let zoom = fake();
    let cli = Cli::new("zoom-refresh");
    sign_in_alice(&cli, &zoom);
    let (old_access, old_refresh, _) = stored_tokens(&cli, "zoom");
    let old_refresh = old_refresh.expect("refresh token");
    zoom.expire_tokens();

    let out = cli.run(&["set", "vacation"]);
    out.code(0).says("Vacation set on 1 of 1 account");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
    let puts = requests(&zoom, "PUT", OWN_PRESENCE);
    assert_eq!(
        puts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(401), Some(204)]
    );
    let refreshes = token_requests(&zoom, "refresh_token");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        refreshes[0].form_field("refresh_token"),
        Some(old_refresh.clone())
    );

    let (new_access, new_refresh, stored) = stored_tokens(&cli, "zoom");
    let new_refresh = new_refresh.expect("refresh token");
    assert_ne!(new_access, old_access);
    assert_ne!(
        new_refresh, old_refresh,
        "the single-use refresh token was kept"
    );
    assert_eq!(stored["sign_in_needed"], false);
    assert_eq!(
        puts[1].header("authorization"),
        Some(format!("Bearer {new_access}").as_str())
    );
    let secrets = vec![old_access, old_refresh, new_access, new_refresh];
    assert_no_secrets(&out, &secrets);
    assert_no_secret_files(&cli, &secrets);

    // The next process uses the stored new token without renewing again.
    cli.run(&["status"]).code(0).says("Zoom (zoom): Away");
    assert_eq!(token_requests(&zoom, "refresh_token").len(), 1);
}

#[test]
fn processes_renewing_at_once_all_keep_the_sign_in() {
    let zoom = fake();
    let cli = Cli::new("zoom-renew-race");
    sign_in_alice(&cli, &zoom);
    // The refresh token works once: when several processes renew together, one wins and
    // the others must adopt its tokens, never mark the account "sign in again" nor put
    // the spent tokens back. Racing four processes a few times makes the losers show up.
    for round in 0..25 {
        zoom.expire_tokens();
        let runs: Vec<Running> = (0..4).map(|_| cli.spawn(&["status"])).collect();
        for out in runs.into_iter().map(Running::finish) {
            assert_eq!(
                out.code, 0,
                "round {round}: a process lost the sign-in\n{}{}",
                out.stdout, out.stderr
            );
            out.says("Zoom (zoom): Available");
        }
        let (_, refresh, stored) = stored_tokens(&cli, "zoom");
        assert_eq!(stored["sign_in_needed"], false, "round {round}");
        let spent = token_requests(&zoom, "refresh_token")
            .iter()
            .any(|r| r.form_field("refresh_token") == refresh);
        assert!(
            !spent,
            "round {round}: the keyring holds a spent refresh token"
        );
    }
    assert!(token_requests(&zoom, "refresh_token").len() >= 25);
    cli.run(&["set", "lunch"]).code(0);
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
}

#[test]
fn a_dead_refresh_token_asks_once_to_sign_in_again_and_signin_fixes_it() {
    let zoom = fake();
    let cli = Cli::new("zoom-sign-in-again");
    let port = sign_in_alice(&cli, &zoom);
    zoom.expire_tokens();
    zoom.revoke_refresh_tokens();

    cli.run(&["set", "vacation"])
        .code(1)
        .says("Zoom (zoom): sign in again")
        .says("presently account signin zoom");
    assert_eq!(token_requests(&zoom, "refresh_token").len(), 1);
    let (_, _, stored) = stored_tokens(&cli, "zoom");
    assert_eq!(stored["sign_in_needed"], true);

    // Later changes leave the account out without asking Zoom; with no other account,
    // nothing was done, so the exit code says so (the tray says nothing per click).
    let requests_before = zoom.requests().len();
    let second = cli.run(&["set", "focus"]);
    second
        .code(1)
        .says("Zoom (zoom): left out until you sign in again (`presently account signin zoom`)")
        .never_says("✗");
    let json = cli.run(&["--json", "set", "brb"]);
    json.code(1);
    assert_eq!(json.json()["ok"], json!(false));
    assert_eq!(json.json()["needs_sign_in"], json!(["zoom"]));
    assert_eq!(json.json()["accounts"], json!([]));
    assert_eq!(
        zoom.requests().len(),
        requests_before,
        "Zoom was asked again"
    );
    assert_eq!(token_requests(&zoom, "refresh_token").len(), 1);

    // Signing in again, the test playing the browser once more.
    let mut running = cli.spawn(&["account", "signin", "zoom", "--no-browser"]);
    let line = running.line_after(SIGN_IN_MARKER);
    let url = Url::parse(line.trim()).expect("sign-in URL");
    assert_eq!(param(&url, "redirect_uri"), Some(redirect_url(port)));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let back = consent(&url, port);
    assert_eq!(browse(back.as_str()).status, 200);
    running
        .finish()
        .code(0)
        .says("Account zoom signed in again: signed in as Alice Owner");
    let (_, _, stored) = stored_tokens(&cli, "zoom");
    assert_eq!(stored["sign_in_needed"], false);
    assert_eq!(
        cli.secret_named("zoom", "client_secret").as_deref(),
        Some(USER_APP_CLIENT_SECRET)
    );

    cli.run(&["set", "focus"])
        .code(0)
        .says("Focus set on 1 of 1 account")
        .never_says("left out");
    assert_eq!(zoom.presence_updates(ALICE), [(DND.to_owned(), Some(120))]);
}

// ---------------------------------------------------------------------------------------------
// 5. Server-to-Server

#[test]
fn a_server_to_server_app_changes_its_user_and_reaches_the_account() {
    let zoom = fake();
    let cli = Cli::new("zoom-s2s");
    let out = add_s2s(&cli, &zoom, "staff", DEFAULT_ACCOUNT, BOB);
    out.code(0)
        .says("Account staff added: signed in as Bob Member <bob@example.com>")
        .says("Zoom (Server-to-Server app)")
        .never_says(S2S_APP_CLIENT_SECRET);
    assert_eq!(token_requests(&zoom, "account_credentials").len(), 1);
    assert!(requests(&zoom, "GET", "/oauth/authorize").is_empty());
    assert_eq!(
        cli.secret_named("staff", "client_secret").as_deref(),
        Some(S2S_APP_CLIENT_SECRET)
    );
    let (access, refresh, _) = stored_tokens(&cli, "staff");
    assert_eq!(refresh, None, "Server-to-Server apps get no refresh token");
    assert_no_secret_files(&cli, &[S2S_APP_CLIENT_SECRET.to_owned(), access]);
    let config = cli.config_text();
    assert!(config.contains("auth = \"server_to_server\""), "{config}");
    assert!(config.contains("account_id = \"acct-0001\""), "{config}");
    assert!(config.contains("user = \"bob@example.com\""), "{config}");

    cli.run(&["set", "focus"])
        .code(0)
        .says("Focus set on 1 of 1 account");
    assert_eq!(zoom.presence_updates(BOB), [(DND.to_owned(), Some(120))]);
    assert_eq!(zoom.presence_of(ALICE).status, "Available");

    cli.run(&["set", "lunch", "--account", "staff", "--user", CAROL])
        .code(1)
        .says("Zoom changes presence only while carol@example.com is signed in to the Zoom app")
        .says("open Zoom, sign in");
    cli.run(&["set", "lunch", "--account", "staff", "--user", DAVE])
        .code(1)
        .says("no permission to change dave@example.com's presence");
    cli.run(&[
        "set",
        "lunch",
        "--account",
        "staff",
        "--user",
        "nobody@example.com",
    ])
    .code(1)
    .says("Zoom has no user \"nobody@example.com\"");

    // A token past its hour: a new one from the account credentials, no sign-in.
    zoom.expire_tokens();
    cli.run(&["set", "lunch", "--account", "staff", "--user", ALICE])
        .code(0)
        .says("Lunch set on 1 of 1 account");
    assert_eq!(zoom.presence_of(ALICE).status, "Away");
    assert_eq!(token_requests(&zoom, "account_credentials").len(), 2);

    cli.run(&["account", "signin", "staff", "--no-browser"])
        .code(2)
        .says("does not sign in through the browser");

    cli.run(&["account", "remove", "staff"])
        .code(0)
        .says("Removed account staff");
    assert!(!cli.has_secret("staff", "client_secret"));
    assert!(!cli.has_secret("staff", "tokens"));
    assert!(cli.account_ids().is_empty());
}

#[test]
fn a_server_to_server_app_with_wrong_credentials_stores_nothing() {
    let zoom = fake();
    let cli = Cli::new("zoom-s2s-wrong");
    add_s2s(&cli, &zoom, "staff", "acct-9999", BOB)
        .code(1)
        .says("Zoom (staff)")
        .says("Invalid account_id");
    add_s2s_with(
        &cli,
        &zoom,
        "staff",
        DEFAULT_ACCOUNT,
        BOB,
        "wrong-secret-000",
        false,
    )
    .code(1)
    .says("Zoom does not accept the client id and secret")
    .never_says("wrong-secret-000");
    // The app's account does not hold this user.
    add_s2s(&cli, &zoom, "staff", DEFAULT_ACCOUNT, DAVE)
        .code(1)
        .says("Zoom (staff)");
    assert!(cli.account_ids().is_empty());
    assert!(!cli.has_secret("staff", "client_secret"));
    assert!(!cli.has_secret("staff", "tokens"));
    assert!(cli.files_containing("wrong-secret-000").is_empty());
}

// ---------------------------------------------------------------------------------------------
// 6. --json never carries a secret

#[test]
fn json_outputs_never_carry_the_client_secret_or_tokens() {
    let zoom = fake();
    let cli = Cli::new("zoom-json");
    let port = register_redirect(&zoom);
    let args = user_add_args(&zoom, "zoom", port);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args.insert(0, "--json");
    let mut running = cli.spawn_with_stdin(&args, &format!("{USER_APP_CLIENT_SECRET}\n"));
    // The address comes first, as JSON a script can read.
    let line = running.line_where("the sign-in URL", |l| l.contains("\"sign_in_url\""));
    let field: Value = serde_json::from_str(&format!("{{{line}}}")).expect("JSON field");
    let url = Url::parse(field["sign_in_url"].as_str().expect("string")).expect("URL");
    let back = consent(&url, port);
    assert_eq!(browse(back.as_str()).status, 200);
    let added = running.finish();
    added.code(0);
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&added.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("stdout is JSON documents");
    assert_eq!(documents.len(), 2, "{}", added.stdout);
    assert_eq!(documents[1]["ok"], true);
    assert_eq!(documents[1]["account"], "zoom");

    add_s2s_with(
        &cli,
        &zoom,
        "staff",
        DEFAULT_ACCOUNT,
        BOB,
        S2S_APP_CLIENT_SECRET,
        true,
    )
    .code(0);

    let mut outs = vec![added];
    outs.push(cli.run(&["--json", "set", "lunch"]));
    outs.push(cli.run(&["--json", "set", "focus", "--no-wait"]));
    outs.push(cli.run(&["--json", "status"]));
    outs.push(cli.run(&["--json", "account", "list"]));
    outs.push(cli.run(&["--json", "account", "test", "zoom"]));
    outs.push(cli.run(&["--json", "account", "test", "staff"]));
    outs.push(cli.run(&["--json", "preview", "focus"]));
    zoom.expire_tokens();
    outs.push(cli.run(&["--json", "status"]));
    zoom.revoke_refresh_tokens();
    zoom.expire_tokens();
    outs.push(cli.run(&["--json", "status"]));
    outs.push(cli.run(&["--json", "set", "brb", "--no-wait"]));
    outs.push(cli.run(&["--json", "account", "remove", "staff"]));

    let secrets = secrets_in_play(&cli, &zoom);
    assert!(
        secrets.len() >= 6,
        "too few secrets seen: {}",
        secrets.len()
    );
    for out in &outs {
        assert_no_secrets(out, &secrets);
    }
    assert_no_secret_files(&cli, &secrets);
    let list = &outs[4];
    let accounts = list.json()["accounts"].clone();
    assert_eq!(accounts[0]["service"], "zoom");
    assert_eq!(accounts[0]["client_id"], USER_APP_CLIENT_ID);
}
