//! The `presently` binary against a real Synapse and the real keyring: a password sign-in
//! (only the access token kept), setting, reading and clearing the status, a wrong password
//! in words, and the device signed out on removal.

mod common;

use common::Cli;
use presently_fakes::synapse::{password, Synapse};

fn synapse() -> Option<Synapse> {
    match Synapse::start(&[]) {
        Ok(Some(synapse)) => Some(synapse),
        Ok(None) => {
            assert!(
                std::env::var_os("PRESENTLY_REQUIRE_SYNAPSE").is_none(),
                "Synapse is required (PRESENTLY_REQUIRE_SYNAPSE) but not installed: run scripts/setup.sh"
            );
            eprintln!("SKIPPED: no Synapse installed (scripts/setup.sh installs it)");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_password_sign_in_sets_reads_and_clears_the_status() {
    let Some(synapse) = synapse() else {
        return;
    };
    let cli = Cli::new("mx-password");
    let alice = synapse.user_id("alice");
    let add = |pw: &str| {
        cli.run_with_stdin(
            &[
                "account",
                "add",
                "matrix",
                "mx",
                "--user",
                &alice,
                "--homeserver",
                &synapse.url,
            ],
            &format!("{pw}\n"),
        )
    };
    add("not-her-password")
        .code(1)
        .says("Matrix (mx): credentials rejected: Invalid username or password");
    add(&password("alice"))
        .code(0)
        .says(&format!("Account mx added: signed in as {alice}"));
    assert!(cli.files_containing(&password("alice")).is_empty());
    let token = cli
        .secret_named("mx", "access_token")
        .expect("a token in the keyring");
    assert!(
        cli.files_containing(&token).is_empty(),
        "the token was written to a file"
    );

    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(0).never_says(&token);
    assert_eq!(out.json()["summary"], "Lunch set on 1 of 1 account");
    cli.run(&["status"])
        .code(0)
        .says("🍔 Lunch")
        .says("unavailable");
    cli.run(&["clear"]).code(0);
    cli.run(&["status"]).code(0).says("online");

    cli.run(&["account", "remove", "mx"]).code(0);
    let status = ureq::get(&format!("{}/_matrix/client/v3/account/whoami", synapse.url))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .map(|r| r.status())
        .unwrap_or_else(|e| match e {
            ureq::Error::Status(status, _) => status,
            other => panic!("{other}"),
        });
    assert_eq!(status, 401, "the device was signed out");
}
