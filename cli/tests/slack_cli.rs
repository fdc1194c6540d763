//! The `presently` binary against the fake Slack and the real keyring: a pasted user token
//! and the browser sign-in (PKCE, the test playing the browser), setting, reading and
//! clearing the status, and what Slack cannot do said plainly.

mod common;

use std::time::Duration;

use common::Cli;
use presently_fakes::slack::{FakeSlack, SlackFakeConfig};
use url::Url;

const SIGN_IN_MARKER: &str = "Sign in to Slack at this address:";

fn fake() -> (FakeSlack, SlackFakeConfig) {
    let config = SlackFakeConfig::default();
    (
        FakeSlack::start(config.clone()).expect("fake Slack starts"),
        config,
    )
}

fn add_token(cli: &Cli, slack: &FakeSlack, id: &str, token: &str) -> common::Out {
    let url = slack.url();
    cli.run_with_stdin(
        &[
            "account",
            "add",
            "slack",
            id,
            "--base",
            &url,
            "--token-stdin",
        ],
        &format!("{token}\n"),
    )
}

/// One page as a browser that does not follow redirects sees it: status and Location.
#[track_caller]
fn browse(url: &str) -> (u16, Option<String>) {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(20))
        .build();
    let response = match agent.get(url).call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("GET {url}: {e}"),
    };
    (
        response.status(),
        response.header("Location").map(str::to_owned),
    )
}

#[test]
fn a_pasted_user_token_sets_reads_and_clears_the_status() {
    let (slack, config) = fake();
    let (user, token, _) = config.tokens[0].clone();
    let cli = Cli::new("slack-token");
    add_token(&cli, &slack, "acme", &token)
        .code(0)
        .says("Account acme added: signed in as")
        .never_says(&token);
    assert!(
        cli.files_containing(&token).is_empty(),
        "the token was written to a file"
    );
    let config_text = cli.config_text();
    assert!(config_text.contains("service = \"slack\""), "{config_text}");
    assert!(
        config_text.contains(&format!("user_id = \"{user}\"")),
        "{config_text}"
    );

    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(0).never_says(&token);
    assert_eq!(out.json()["summary"], "Lunch set on 1 of 1 account");
    let profile = slack.profile_of(&user);
    assert_eq!(
        (profile.status_text.as_str(), profile.status_emoji.as_str()),
        ("Lunch", ":hamburger:")
    );
    assert_eq!(slack.presence_of(&user), "away");
    cli.run(&["status"]).code(0).says("Lunch");

    // Busy: Slack has no such thing, and the preview says so before anything is sent.
    cli.run(&["preview", "meeting"])
        .code(0)
        .says("Slack has no busy");

    cli.run(&["clear"]).code(0);
    let profile = slack.profile_of(&user);
    assert_eq!(
        (profile.status_text.as_str(), profile.status_emoji.as_str()),
        ("", "")
    );
    assert_eq!(slack.presence_of(&user), "auto");

    // Someone else's status: only Enterprise admins may, and Presently does not try.
    let before = slack.requests().len();
    cli.run(&["set", "lunch", "--account", "acme", "--user", "U0BOB00002"])
        .code(1)
        .says("only for the signed-in user");
    assert_eq!(slack.requests().len(), before, "nothing was sent");

    cli.run(&["account", "remove", "acme"]).code(0);
    assert!(cli.secret_named("acme", "tokens").is_none());
}

#[test]
fn a_revoked_token_says_to_sign_in_again() {
    let (slack, config) = fake();
    let (user, token, _) = config.tokens[0].clone();
    let cli = Cli::new("slack-revoked");
    add_token(&cli, &slack, "acme", &token).code(0);
    slack.revoke_tokens(&user);
    cli.run(&["set", "lunch"])
        .code(1)
        .says("Slack (acme)")
        .says("token_revoked")
        .says("sign in again");
}

#[test]
fn the_browser_sign_in_uses_pkce_and_no_client_secret() {
    let (slack, config) = fake();
    let app = config
        .apps
        .iter()
        .find(|a| a.pkce)
        .expect("a PKCE app")
        .clone();
    let cli = Cli::new("slack-browser");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port();
    let url = slack.url();
    let port_text = port.to_string();
    let mut running = cli.spawn(&[
        "account",
        "add",
        "slack",
        "acme",
        "--client-id",
        &app.client_id,
        "--redirect-port",
        &port_text,
        "--base",
        &url,
        "--no-browser",
    ]);
    let line = running.line_after(SIGN_IN_MARKER);
    let sign_in = Url::parse(line.trim()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let param = |name: &str| {
        sign_in
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("client_id").as_deref(), Some(app.client_id.as_str()));
    assert!(param("user_scope").is_some_and(|s| s.contains("users.profile:write")));
    assert!(param("scope").is_none(), "no bot scopes");
    assert_eq!(
        param("redirect_uri"),
        Some(format!("http://localhost:{port}/slack/callback"))
    );
    let (status, location) = browse(sign_in.as_str());
    assert_eq!(status, 302);
    let back = location.expect("the way back");
    // Presently listens on 127.0.0.1; the registered name is localhost.
    let back = back.replacen("localhost", "127.0.0.1", 1);
    let (status, _) = browse(&back);
    assert_eq!(status, 200);
    running.finish().code(0).says("Account acme added");
    let exchange: Vec<_> = slack
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/oauth.v2.access")
        .collect();
    assert_eq!(exchange.len(), 1, "one code exchange");
    assert!(
        !format!("{:?}", exchange[0]).contains(&app.client_secret),
        "the client secret was never sent"
    );
    cli.run(&["set", "focus"]).code(0);
}
