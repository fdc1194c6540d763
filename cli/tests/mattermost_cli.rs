//! The `presently` binary against the fake Mattermost and the real keyring: a personal access
//! token and a password sign-in with MFA, setting, reading and clearing the status, text the
//! server would cut, an emoji the server does not have, and signing out on removal.

mod common;

use common::Cli;
use presently_fakes::mattermost::{FakeMattermost, MmFakeConfig};

const ALICE: &str = "k7q3x9m2p8w4n6r1t5y0z3a8bc";
const ROOT: &str = "a1b2c3d4e5f6g7h8i9j0k1l2mn";
const ALICE_PAT: &str = "pat-alice-3f9s8d7f6g5h4j3k2l1";

fn fake() -> FakeMattermost {
    FakeMattermost::start(MmFakeConfig::default()).expect("fake Mattermost starts")
}

fn add_token(cli: &Cli, mm: &FakeMattermost, id: &str, token: &str) -> common::Out {
    let url = mm.url();
    cli.run_with_stdin(
        &[
            "account",
            "add",
            "mattermost",
            id,
            "--server",
            &url,
            "--token-stdin",
        ],
        &format!("{token}\n"),
    )
}

#[test]
fn a_personal_access_token_sets_reads_and_clears_the_status() {
    let mm = fake();
    let cli = Cli::new("mm-token");
    add_token(&cli, &mm, "chat", ALICE_PAT)
        .code(0)
        .says("Account chat added: signed in as alice")
        .says("on Mattermost 9.11.2");
    assert!(
        cli.files_containing(ALICE_PAT).is_empty(),
        "the token was written to a file"
    );
    let config = cli.config_text();
    assert!(
        config.contains(&format!("user_id = \"{ALICE}\"")),
        "{config}"
    );

    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(0).never_says(ALICE_PAT);
    assert_eq!(out.json()["summary"], "Lunch set on 1 of 1 account");
    assert_eq!(mm.status_of(ALICE).status, "away");
    let custom = mm.custom_status_of(ALICE).expect("a custom status");
    assert_eq!(
        (custom.emoji.as_str(), custom.text.as_str()),
        ("hamburger", "Lunch")
    );
    assert_eq!(custom.duration, "date_and_time", "the server ends it");
    // A status without an end (nothing to read back first) is two routes, sent together,
    // and nothing else: the version and the user id were learned when the account was added.
    let before = mm.requests().len();
    cli.run(&[
        "set",
        "--text",
        "Reviewing",
        "--emoji",
        "👀",
        "--availability",
        "away",
    ])
    .code(0);
    let mut sent: Vec<String> = mm.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            format!("PUT /api/v4/users/{ALICE}/status"),
            format!("PUT /api/v4/users/{ALICE}/status/custom"),
        ]
    );

    cli.run(&["status"]).code(0).says("👀 Reviewing (away)");
    cli.run(&["set", "focus"]).code(0);
    let dnd = mm.status_of(ALICE);
    assert_eq!(dnd.status, "dnd");
    assert!(dnd.dnd_end_time > 0, "do not disturb has its end: {dnd:?}");
    cli.run(&["clear"]).code(0);
    assert_eq!(mm.status_of(ALICE).status, "online");
    assert_eq!(mm.custom_status_of(ALICE), None, "cleared");
}

#[test]
fn text_the_server_would_cut_and_an_emoji_it_lacks_are_refused_before_sending() {
    let mm = fake();
    let cli = Cli::new("mm-refuse");
    add_token(&cli, &mm, "chat", ALICE_PAT).code(0);
    let before = mm.requests().len();
    let long = "x".repeat(101);
    cli.run(&["set", "--text", &long])
        .code(1)
        .says("Mattermost allows 100");
    assert_eq!(mm.requests().len(), before, "nothing was sent");
    cli.run(&["set", "--text", "Shipping", "--emoji", ":no_such_emoji:"])
        .code(1)
        .says("has no emoji :no_such_emoji:");
    let sent_status = mm
        .requests()
        .iter()
        .skip(before)
        .any(|r| r.path.ends_with("/status") || r.path.ends_with("/custom"));
    assert!(!sent_status, "nothing was set");
    cli.run(&["set", "--text", "Shipping", "--emoji", ":shipit:"])
        .code(0);
    assert_eq!(
        mm.custom_status_of(ALICE).map(|c| c.emoji).as_deref(),
        Some("shipit")
    );
}

#[test]
fn a_password_sign_in_with_mfa_keeps_only_the_session_and_signs_it_out_on_removal() {
    let mm = fake();
    let cli = Cli::new("mm-mfa");
    let url = mm.url();
    let args = [
        "account",
        "add",
        "mattermost",
        "admin",
        "--server",
        url.as_str(),
        "--user",
        "root",
    ];
    cli.run_with_stdin(&args, "root-password\n")
        .code(2)
        .says("run again with --code");
    let with_code = [&args[..], &["--code", "123456"]].concat();
    cli.run_with_stdin(&with_code, "root-password\n")
        .code(0)
        .says("signed in as root");
    assert!(cli.files_containing("root-password").is_empty());
    assert!(cli.config_text().contains("signed_in = true"));
    assert_eq!(mm.sessions(), 1);
    cli.run(&["set", "lunch"]).code(0);
    assert_eq!(mm.status_of(ROOT).status, "away");
    cli.run(&["account", "remove", "admin"]).code(0);
    assert_eq!(mm.sessions(), 0, "the session was signed out");
}

#[test]
fn another_user_is_named_by_id_and_me_is_the_signed_in_user() {
    let mm = fake();
    let cli = Cli::new("mm-user");
    add_token(&cli, &mm, "chat", ALICE_PAT).code(0);
    cli.run(&["set", "lunch", "--account", "chat", "--user", "me"])
        .code(0);
    assert_eq!(mm.status_of(ALICE).status, "away");
    let before = mm.requests().len();
    cli.run(&["set", "lunch", "--account", "chat", "--user", "root"])
        .code(1)
        .says("is not a Mattermost user id; give the 26-character id");
    assert_eq!(mm.requests().len(), before, "nothing was sent");
    // A user may not change someone else's status: the server's refusal, in words.
    cli.run(&["set", "meeting", "--account", "chat", "--user", ROOT])
        .code(1)
        .says("edit_other_users");
}

#[test]
fn a_revoked_token_says_sign_in_again() {
    let mm = fake();
    let cli = Cli::new("mm-revoked");
    add_token(&cli, &mm, "chat", ALICE_PAT).code(0);
    mm.revoke_tokens(ALICE);
    cli.run(&["set", "lunch"])
        .code(1)
        .says("Mattermost (chat): credentials rejected")
        .says("sign in again");
}
