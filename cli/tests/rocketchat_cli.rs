//! The `presently` binary against the fake Rocket.Chat and the real keyring: signing in
//! (password, second factor by app or e-mail, personal access token), setting, reading and
//! clearing the status, the server's errors, and signing out on removal.

mod common;

use common::{Cli, ALICE_EMAIL, ALICE_KEY};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};

const ALICE: &str = "aliceid0000000001";
const BOB: &str = "bobid000000000002";
const ALICE_PAT: &str = "alice-pat-0123456789";

fn fake() -> FakeRocketChat {
    FakeRocketChat::start(RcFakeConfig::default()).expect("fake Rocket.Chat starts")
}

fn requests(fake: &FakeRocketChat, method: &str, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn sign_in(
    cli: &Cli,
    fake: &FakeRocketChat,
    id: &str,
    user: &str,
    password: &str,
    code: Option<&str>,
) -> common::Out {
    let url = fake.url();
    let mut args = vec![
        "account",
        "add",
        "rocketchat",
        id,
        "--server",
        &url,
        "--user",
        user,
    ];
    if let Some(code) = code {
        args.extend(["--code", code]);
    }
    cli.run_with_stdin(&args, &format!("{password}\n"))
}

#[test]
fn password_sign_in_keeps_only_the_token_and_sets_the_status() {
    let rc = fake();
    let cli = Cli::new("rc-sign-in");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None)
        .code(0)
        .says("Account team added: signed in as Alice Admin")
        .says("on Rocket.Chat 7.4.");
    let token = cli
        .secret_named("team", "auth_token")
        .expect("token in the keyring");
    assert_eq!(cli.secret_named("team", "user_id").as_deref(), Some(ALICE));
    assert!(
        cli.files_containing("alice-password").is_empty(),
        "the password was written down"
    );
    assert!(
        cli.files_containing(&token).is_empty(),
        "the token was written to a file"
    );
    assert!(cli.config_text().contains("signed_in = true"));

    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(0).never_says(&token);
    assert_eq!(out.json()["summary"], "Lunch set on 1 of 1 account");
    let shown = rc.status_of(ALICE);
    assert_eq!(
        (shown.message.as_str(), shown.status.as_str()),
        ("🍔 Lunch", "away")
    );

    cli.run(&["status"])
        .code(0)
        .says("Rocket.Chat (team): 🍔 Lunch (away)");
}

#[test]
fn wrong_password_stores_nothing() {
    let rc = fake();
    let cli = Cli::new("rc-wrong-password");
    sign_in(&cli, &rc, "team", "alice", "not-her-password", None)
        .code(1)
        .says("Rocket.Chat (team): credentials rejected: wrong user name or password");
    assert!(cli.account_ids().is_empty());
    assert_eq!(cli.secret_named("team", "auth_token"), None);
}

#[test]
fn an_authenticator_code_is_asked_for_and_checked() {
    let rc = fake();
    let cli = Cli::new("rc-totp");
    sign_in(&cli, &rc, "team", "bob", "bob-password", None)
        .code(2)
        .says("the server asks for a second factor (totp); run again with --code")
        .says("authenticator app");
    assert!(cli.account_ids().is_empty());
    sign_in(&cli, &rc, "team", "bob", "bob-password", Some("000000"))
        .code(1)
        .says("not accepted");
    sign_in(&cli, &rc, "team", "bob", "bob-password", Some("123456"))
        .code(0)
        .says("signed in as Bob Member");
    assert_eq!(cli.secret_named("team", "user_id").as_deref(), Some(BOB));
}

#[test]
fn an_email_code_is_taken_on_the_second_run() {
    let rc = fake();
    let cli = Cli::new("rc-email-code");
    sign_in(&cli, &rc, "team", "carol", "carol-password", None)
        .code(2)
        .says("second factor (email)")
        .says("sent by e-mail");
    sign_in(&cli, &rc, "team", "carol", "carol-password", Some("654321"))
        .code(0)
        .says("signed in as Carol Member");
}

#[test]
fn a_personal_access_token_is_verified_and_never_signed_out() {
    let rc = fake();
    let cli = Cli::new("rc-pat");
    let url = rc.url();
    cli.run_with_stdin(
        &[
            "account",
            "add",
            "rocketchat",
            "pat",
            "--server",
            &url,
            "--user-id",
            ALICE,
            "--token-stdin",
        ],
        &format!("{ALICE_PAT}\n"),
    )
    .code(0)
    .says("signed in as Alice Admin");
    assert_eq!(
        cli.secret_named("pat", "auth_token").as_deref(),
        Some(ALICE_PAT)
    );
    assert!(!cli.config_text().contains("signed_in"));

    cli.run(&["account", "remove", "pat"]).code(0);
    assert_eq!(
        requests(&rc, "POST", "/api/v1/logout"),
        0,
        "a PAT must not be signed out"
    );
    assert_eq!(cli.secret_named("pat", "auth_token"), None);

    cli.run_with_stdin(
        &[
            "account",
            "add",
            "rocketchat",
            "pat",
            "--server",
            &url,
            "--user-id",
            ALICE,
            "--token-stdin",
        ],
        "not-a-token\n",
    )
    .code(1)
    .says("You must be logged in to do this.");
}

#[test]
fn removing_a_signed_in_account_signs_its_token_out() {
    let rc = fake();
    let cli = Cli::new("rc-remove");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    cli.run(&["account", "remove", "team"])
        .code(0)
        .says("Removed account team");
    assert_eq!(requests(&rc, "POST", "/api/v1/logout"), 1);
    assert_eq!(cli.secret_named("team", "auth_token"), None);
    assert_eq!(cli.secret_named("team", "user_id"), None);
}

#[test]
fn an_expired_token_says_sign_in_again() {
    let rc = fake();
    let cli = Cli::new("rc-expired");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    rc.revoke_tokens(ALICE);
    cli.run(&["set", "lunch"])
        .code(1)
        .says("Rocket.Chat (team): credentials rejected: signed out (You must be logged in to do this.)")
        .says("sign in again");
    cli.run(&["account", "test", "team"])
        .code(1)
        .says("signed out");
}

#[test]
fn signing_in_again_keeps_the_account_its_overrides_and_custom_statuses() {
    // Alice, an admin who manages custom statuses, with an authenticator app.
    let mut config = RcFakeConfig::default();
    config.users[0].totp_code = Some("123456".into());
    let rc = FakeRocketChat::start(config).expect("fake Rocket.Chat");
    let cli = Cli::new("rc-signin-again");
    sign_in(&cli, &rc, "team", "alice", "alice-password", Some("123456")).code(0);
    cli.run(&["sync", "rocketchat", "team"]).code(0);
    // An override written by hand, as a user would.
    let config = cli.config_text();
    let lunch = config.find("id = \"lunch\"").expect("the lunch preset");
    let next = lunch
        + config[lunch..]
            .find("[[presets]]")
            .expect("a preset after lunch");
    let with_override = format!(
        "{}[presets.overrides.team]\ntext = \"Out for food\"\n\n{}",
        &config[..next],
        &config[next..]
    );
    std::fs::write(cli.config_path(), &with_override).expect("write config");
    let before = cli.config_text();
    assert!(before.contains("[accounts.custom_statuses]"), "{before}");

    rc.revoke_tokens(ALICE);
    cli.run(&["set", "lunch"]).code(1).says("sign in again");
    // The advice works: the password again, and the authenticator code the server asks for.
    cli.run_with_stdin(&["account", "signin", "team"], "alice-password\n")
        .code(2)
        .says("run again with --code");
    cli.run_with_stdin(
        &["account", "signin", "team", "--code", "654321"],
        "alice-password\n",
    )
    .code(1)
    .says("not accepted");
    cli.run_with_stdin(
        &["account", "signin", "team", "--code", "123456"],
        "alice-password\n",
    )
    .code(0)
    .says("Account team signed in again");
    assert_eq!(
        cli.config_text(),
        before,
        "id, override and custom status ids kept"
    );
    cli.run(&["set", "lunch"]).code(0);
    assert_eq!(rc.status_of(ALICE).message, "🍔 Out for food");
}

#[test]
fn text_over_120_utf16_units_is_refused_before_the_server_cuts_it() {
    let rc = fake();
    let cli = Cli::new("rc-too-long");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    // "🍔 " is three UTF-16 units: 117 letters fit, 118 do not.
    let fits = "x".repeat(117);
    cli.run(&["set", "--emoji", "🍔", "--text", &fits]).code(0);
    assert_eq!(rc.status_of(ALICE).message, format!("🍔 {fits}"));
    let posts = requests(&rc, "POST", "/api/v1/users.setStatus");
    cli.run(&["set", "--emoji", "🍔", "--text", &"x".repeat(118)])
        .code(1)
        .says("status text is 121 characters long; Rocket.Chat allows 120 (UTF-16 code units)");
    assert_eq!(
        requests(&rc, "POST", "/api/v1/users.setStatus"),
        posts,
        "nothing may be sent"
    );
}

#[test]
fn availabilities_map_and_clear_goes_back_online() {
    let rc = fake();
    let cli = Cli::new("rc-availability");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    cli.run(&["set", "focus"])
        .code(0)
        .says("Rocket.Chat has no do-not-disturb; shown as busy");
    assert_eq!(rc.status_of(ALICE).status, "busy");
    assert_eq!(rc.status_of(ALICE).message, "🎧 Focus");
    cli.run(&["set", "--text", "Heads down", "--availability", "offline"])
        .code(0);
    assert_eq!(rc.status_of(ALICE).status, "offline");
    cli.run(&["clear"])
        .code(0)
        .says("Status cleared on 1 of 1 account");
    let shown = rc.status_of(ALICE);
    assert_eq!(
        (shown.message.as_str(), shown.status.as_str()),
        ("", "online")
    );
}

#[test]
fn other_users_need_the_edit_permission() {
    let rc = fake();
    let cli = Cli::new("rc-others");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    sign_in(&cli, &rc, "bob", "bob", "bob-password", Some("123456")).code(0);
    cli.run(&[
        "set",
        "--text",
        "Out sick",
        "--account",
        "team",
        "--user",
        BOB,
    ])
    .code(0);
    assert_eq!(rc.status_of(BOB).message, "Out sick");
    cli.run(&["set", "--text", "Hi", "--account", "bob", "--user", ALICE])
        .code(1)
        .says("not allowed")
        .says("edit-other-user-info");
    assert_eq!(rc.status_of(ALICE).message, "");
}

#[test]
fn one_preset_lands_on_zulip_and_rocket_chat_at_once() {
    let rc = fake();
    let zulip = FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip starts");
    let cli = Cli::new("rc-and-zulip");
    cli.add(&zulip, "alice", ALICE_EMAIL, ALICE_KEY).code(0);
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    let out = cli.run(&["set", "brb"]);
    out.code(0);
    assert_eq!(out.first_line(), "Be right back set on 2 of 2 accounts");
    assert_eq!(zulip.status_of(8).status_text, "Be right back");
    assert_eq!(rc.status_of(ALICE).message, "☕ Be right back");
}

fn custom_changes(fake: &FakeRocketChat) -> usize {
    ["create", "update", "delete"]
        .iter()
        .map(|op| requests(fake, "POST", &format!("/api/v1/custom-user-status.{op}")))
        .sum()
}

#[test]
fn sync_publishes_the_presets_once_and_then_changes_nothing() {
    let rc = fake();
    let cli = Cli::new("rc-sync");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);

    cli.run(&["sync", "rocketchat", "team", "--dry-run"])
        .code(0)
        .says("would create \"Lunch\" (away)");
    assert_eq!(custom_changes(&rc), 0, "a dry run sends nothing");
    assert!(rc.custom_statuses().is_empty());

    cli.run(&["sync", "rocketchat", "team"])
        .code(0)
        .says("create \"Focus\" (busy)")
        .says("create \"In a meeting\" (busy)");
    let on_server = rc.custom_statuses();
    assert_eq!(on_server.len(), 7);
    let lunch = on_server
        .iter()
        .find(|s| s.name == "Lunch")
        .expect("Lunch published");
    assert_eq!(lunch.status_type, "away");
    // The server's ids are remembered, not just the names.
    assert!(cli
        .config_text()
        .contains(&format!("lunch = \"{}\"", lunch.id)));

    let before = custom_changes(&rc);
    cli.run(&["sync", "rocketchat", "team"])
        .code(0)
        .says("already match the presets; nothing to change");
    assert_eq!(
        custom_changes(&rc),
        before,
        "a second run sends no create, update or delete"
    );
}

#[test]
fn sync_updates_renamed_presets_and_deletes_only_its_own() {
    let rc = fake();
    let foreign = rc.add_custom_status("Commuting", "away");
    let cli = Cli::new("rc-sync-changes");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    cli.edit_config("name = \"Be right back\"", "name = \"Commuting\"");
    cli.run(&["sync", "rocketchat", "team"])
        .code(0)
        .says("leave \"Commuting\" alone: it exists on the server but Presently did not create it");

    cli.edit_config("name = \"Lunch\"", "name = \"Lunch break\"");
    cli.edit_config(
        "id = \"focus\"\nname = \"Focus\"\nemoji = \"🎧\"\ntext = \"Focus\"\navailability = \"dnd\"",
        "id = \"focus\"\nname = \"Focus\"\nemoji = \"🎧\"\ntext = \"Focus\"\navailability = \"away\"",
    );
    cli.edit_config("id = \"vacation\"", "id = \"holiday\"");
    let out = cli.run(&["sync", "rocketchat", "team"]);
    out.code(0)
        .says("update \"Lunch break\" (away)")
        .says("update \"Focus\" (away)")
        .says("update \"Vacation\" (away)")
        .never_says("delete");
    // The renamed preset now owns the status; nothing is left to do.
    cli.run(&["sync", "rocketchat", "team"])
        .code(0)
        .never_says("create \"")
        .never_says("update \"");
    let names: Vec<String> = rc.custom_statuses().into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"Lunch break".to_owned()) && !names.contains(&"Lunch".to_owned()));
    assert!(
        rc.custom_statuses().iter().any(|s| s.id == foreign),
        "someone else's status stays"
    );
}

#[test]
fn sync_reports_each_server_refusal_in_words() {
    // Several syncs in a row; the rate limit has its own test.
    let rc = FakeRocketChat::start(RcFakeConfig {
        rate_limit_per_minute: 0,
        ..RcFakeConfig::default()
    })
    .expect("fake Rocket.Chat starts");
    let cli = Cli::new("rc-sync-errors");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    sign_in(&cli, &rc, "bob", "bob", "bob-password", Some("123456")).code(0);

    cli.run(&["sync", "rocketchat", "bob"])
        .code(1)
        .says("manage-user-status");
    assert!(rc.custom_statuses().is_empty());

    cli.edit_config("name = \"Done for the day\"", "name = \"Bob's day off\"");
    // (A blank name never gets this far: the config refuses it, see the Zulip tests.)
    cli.run(&["sync", "rocketchat", "team"])
        .code(1)
        .says("✗ create \"Bob's day off\" (away): the server refused it: Bob's day off is not a valid name [error-input-is-not-a-valid-field]")
        .says("\ncreate \"Lunch\" (away)\n");

    // Two presets that would share a name: the server keeps names unique.
    cli.edit_config("name = \"Be right back\"", "name = \"Lunch\"");
    cli.run(&["sync", "rocketchat", "team"])
        .code(1)
        .says("The custom user status name is already in use [Custom_User_Status_Error_Name_Already_In_Use]");

    cli.run(&["sync", "rocketchat", "nobody"]).code(2);
    rc.revoke_tokens(ALICE);
    cli.run(&["sync", "rocketchat", "team"])
        .code(1)
        .says("signed out (You must be logged in to do this.)");
}

#[test]
fn sync_waits_out_a_short_rate_limit() {
    let rc = fake();
    let cli = Cli::new("rc-sync-rate-limit");
    sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
    rc.inject_on(
        "POST",
        "/api/v1/custom-user-status.create",
        presently_fakes::rocketchat::Fault::RateLimit {
            retry_after_secs: 0.4,
        },
    );
    cli.run(&["sync", "rocketchat", "team"])
        .code(0)
        .never_says("✗");
    assert_eq!(rc.custom_statuses().len(), 7);
    assert_eq!(
        requests(&rc, "POST", "/api/v1/custom-user-status.create"),
        8,
        "one 429, then 7 creates"
    );
}

/// Rocket.Chat 8.6+ ends a status by itself (`expiresAt`), so it ends even with this
/// computer off; the preview says who ends it. Older servers never get the field, and
/// Presently's own timer ends the status there.
#[test]
fn a_server_that_ends_statuses_itself_gets_the_end_with_the_status() {
    for (version, native) in [("8.6.0", true), ("7.4.0", false)] {
        let rc = FakeRocketChat::start(RcFakeConfig {
            version: version.to_owned(),
            ..RcFakeConfig::default()
        })
        .expect("fake Rocket.Chat starts");
        let cli = Cli::new(&format!("rc-expires-{version}"));
        sign_in(&cli, &rc, "team", "alice", "alice-password", None).code(0);
        let preview = cli.run(&["preview", "lunch"]);
        if native {
            preview.says("Rocket.Chat ends it at");
        } else {
            preview
                .says("Presently ends it on Rocket.Chat at")
                .says("if this computer is on");
        }
        let before = chrono::Utc::now();
        cli.run(&["set", "lunch"]).code(0);
        let set = rc
            .requests()
            .into_iter()
            .rfind(|r| r.path == "/api/v1/users.setStatus")
            .expect("a status change");
        match set.body["expiresAt"].as_str() {
            Some(at) => {
                assert!(native, "{version} got expiresAt");
                let at: chrono::DateTime<chrono::Utc> = at.parse().expect("ISO 8601");
                let hour = chrono::Duration::hours(1);
                assert!(
                    at >= before + hour && at <= chrono::Utc::now() + hour,
                    "{at}"
                );
            }
            None => assert!(!native, "{version}: no expiresAt in {}", set.body),
        }
        // Presently keeps its own timer either way, as the safety net.
        let json = cli.run(&["--json", "status"]).json();
        assert!(json["active"]["expires_at"].is_string(), "{json}");
    }
}
