//! What `-v` and `RUST_LOG` show: each step in words on stderr, and never a secret, at the
//! most verbose level there is, for every command an account goes through. Real processes,
//! the fakes on 127.0.0.1, the real keyring. Run with
//! `bash tests/with-keyring.sh cargo test -p presently-cli`.

mod common;

use common::*;
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};

#[test]
fn verbose_says_what_happened_on_stderr_and_json_stays_clean() {
    let zulip = fake();
    let cli = Cli::new("log-words");
    cli.add_alice(&zulip);
    let out = cli.run(&["-v", "--json", "set", "lunch"]);
    out.code(0);
    assert!(
        out.stderr.contains("Zulip (alice): Lunch set"),
        "{}",
        out.stderr
    );
    // stdout is still one JSON document.
    assert_eq!(out.json()["ok"], true);
    // Without -v, a success logs nothing.
    let quiet = cli.run(&["set", "lunch"]);
    quiet.code(0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn no_secret_reaches_the_output_or_the_log_at_the_most_verbose_level() {
    let zulip = fake();
    let rocketchat = FakeRocketChat::start(RcFakeConfig::default()).expect("fake Rocket.Chat");
    let cli = Cli::new("log-secrets");
    let mut all = String::new();
    all += &cli.run_loudest(
        &[
            "account",
            "add",
            "zulip",
            "alice",
            "--site",
            &zulip.url(),
            "--email",
            ALICE_EMAIL,
        ],
        Some(&format!("{ALICE_KEY}\n")),
    );
    all += &cli.run_loudest(
        &[
            "account",
            "add",
            "rocketchat",
            "team",
            "--server",
            &rocketchat.url(),
            "--user",
            "alice",
        ],
        Some("alice-password\n"),
    );
    let token = cli
        .secret_named("team", "auth_token")
        .expect("the Rocket.Chat token is in the keyring");
    for args in [
        &["account", "list"][..],
        &["account", "test", "alice"],
        &["account", "test", "team"],
        &["preview", "lunch"],
        &["set", "lunch"],
        &["set", "focus", "--for", "10m"],
        &["status"],
        &["clear"],
        &["--json", "status"],
        &["account", "rename", "team", "Team chat"],
    ] {
        all += &cli.run_loudest(args, None);
    }
    all += &cli.run_loudest(
        &["account", "signin", "alice"],
        Some(&format!("{ALICE_KEY}\n")),
    );
    all += &cli.run_loudest(&["account", "remove", "team"], None);
    all += &cli.run_loudest(&["account", "remove", "alice"], None);
    assert!(
        all.contains("TRACE") || all.contains("DEBUG"),
        "the loudest level was on"
    );
    assert_no_secret(&all, &[ALICE_KEY, "alice-password", &token]);
}
