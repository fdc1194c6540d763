//! The `presently` binary end to end: real HTTP to a fake Zulip on 127.0.0.1 and the real
//! OS keyring. Run with `bash tests/with-keyring.sh cargo test -p presently-cli`.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use presently_fakes::zulip::{FakeZulip, Fault, RecordedRequest, UserStatus};

// ---------------------------------------------------------------------------------------------
// Accounts

#[test]
fn add_with_key_on_stdin_keeps_the_key_in_the_keyring_only() {
    let zulip = fake();
    let cli = Cli::new("add-stdin");

    let out = cli.add(&zulip, "alice", ALICE_EMAIL, ALICE_KEY);
    out.code(0)
        .says("Account alice added: signed in as Alice Admin (user 8, administrator)")
        .says("feature level 420")
        .never_says(ALICE_KEY);

    let config = cli.config_text();
    assert!(
        config.contains(&format!("site = \"{}\"", zulip.url())),
        "{config}"
    );
    assert!(config.contains("email = \"alice@example.com\""), "{config}");
    assert!(cli.files_containing(ALICE_KEY).is_empty());
    assert_eq!(cli.secret("alice").as_deref(), Some(ALICE_KEY));

    // The key went to the server as HTTP Basic for alice.
    let me = requests_to(&zulip, "GET", "/api/v1/users/me");
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].auth_email.as_deref(), Some(ALICE_EMAIL));

    let added = cli.run_with_stdin(
        &[
            "--json",
            "account",
            "add",
            "zulip",
            "bob",
            "--site",
            &zulip.url(),
            "--email",
            BOB_EMAIL,
        ],
        BOB_KEY,
    );
    added.code(0).never_says(BOB_KEY);
    let json = added.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["account"], "bob");
    assert_eq!(json["identity"]["user_id"], "9");
    assert_eq!(json["identity"]["is_admin"], false);

    let list = cli.run(&["--json", "account", "list"]);
    list.code(0).never_says(ALICE_KEY).never_says(BOB_KEY);
    let accounts = list.json()["accounts"].clone();
    assert_eq!(accounts[0]["id"], "alice");
    assert_eq!(accounts[0]["service"], "zulip");
    assert_eq!(accounts[0]["email"], ALICE_EMAIL);
    assert_eq!(accounts[0]["site"], zulip.url());
    assert_eq!(accounts[1]["id"], "bob");

    cli.run(&["account", "list"])
        .code(0)
        .says("alice")
        .says("alice@example.com on http://127.0.0.1:");

    let set = cli.run(&["--json", "set", "lunch"]);
    set.code(0).never_says(ALICE_KEY).never_says(BOB_KEY);
    assert!(cli.files_containing(ALICE_KEY).is_empty());
    assert!(cli.files_containing(BOB_KEY).is_empty());

    cli.run(&["account", "test", "alice"])
        .code(0)
        .says("Account alice works: signed in as Alice Admin");
}

#[test]
fn add_with_a_wrong_key_stores_nothing() {
    let zulip = fake();
    let cli = Cli::new("add-wrong");
    let out = cli.add(&zulip, "alice", ALICE_EMAIL, WRONG_KEY);
    out.code(1)
        .says("Zulip (alice): credentials rejected")
        .says("Invalid API key")
        .never_says(WRONG_KEY);
    assert!(cli.account_ids().is_empty());
    assert_eq!(cli.secret("alice"), None);
    assert!(cli.files_containing(WRONG_KEY).is_empty());

    // The right key for someone else's e-mail is just as wrong.
    cli.add(&zulip, "alice", ALICE_EMAIL, BOB_KEY)
        .code(1)
        .says("Invalid API key");
    assert_eq!(cli.secret("alice"), None);
}

#[test]
fn add_with_a_malformed_key_says_so() {
    let zulip = fake();
    let cli = Cli::new("add-malformed");
    cli.add(&zulip, "alice", ALICE_EMAIL, "short")
        .code(1)
        .says("credentials rejected")
        .says("Malformed API key");
    assert!(cli.account_ids().is_empty());
    assert_eq!(cli.secret("alice"), None);
}

#[test]
fn add_with_a_bots_key_is_refused() {
    let zulip = fake();
    let cli = Cli::new("add-bot");
    cli.add(&zulip, "bot", BOT_EMAIL, BOT_KEY)
        .code(1)
        .says("belongs to a bot")
        .says("Zulip does not let bots set a status")
        .says("use your own key");
    assert!(cli.account_ids().is_empty());
    assert_eq!(cli.secret("bot"), None);
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
}

#[test]
fn add_with_empty_stdin_is_a_usage_error() {
    let zulip = fake();
    let cli = Cli::new("add-empty");
    cli.add(&zulip, "alice", ALICE_EMAIL, "")
        .code(2)
        .says("no secret given on stdin");
    assert!(zulip.requests().is_empty());
}

#[test]
fn add_from_a_zuliprc_file() {
    let zulip = fake();
    let cli = Cli::new("add-zuliprc");
    let rc_dir = tempfile::tempdir().expect("tempdir");
    let rc = rc_dir.path().join("zuliprc");
    std::fs::write(
        &rc,
        format!(
            "[api]\nemail={BOB_EMAIL}\nkey={BOB_KEY}\nsite={}\n",
            zulip.url()
        ),
    )
    .expect("write zuliprc");
    let rc_path = rc.to_str().expect("utf-8 path");

    cli.run(&["account", "add", "zulip", "rc", "--zuliprc", rc_path])
        .code(0)
        .says("Account rc added: signed in as Bob Member (user 9)")
        .never_says("administrator");
    assert_eq!(cli.secret("rc").as_deref(), Some(BOB_KEY));
    let config = cli.config_text();
    assert!(config.contains(&format!("site = \"{}\"", zulip.url())));
    assert!(config.contains("email = \"bob@example.com\""));
    assert!(cli.files_containing(BOB_KEY).is_empty());

    // A zuliprc without a key is refused before anything is sent.
    std::fs::write(&rc, format!("[api]\nemail={BOB_EMAIL}\n")).expect("write zuliprc");
    let before = zulip.requests().len();
    cli.run(&["account", "add", "zulip", "carol", "--zuliprc", rc_path])
        .code(2)
        .says("no key=");
    assert_eq!(zulip.requests().len(), before);
}

#[test]
fn with_no_accounts_set_and_clear_say_how_to_add_one() {
    let cli = Cli::new("no-accounts");
    cli.run(&["clear"])
        .code(2)
        .says("no accounts yet; add one with `presently account add zulip");
    cli.run(&["set", "lunch"]).code(2).says("no accounts yet");
    cli.run(&["account", "list"])
        .code(0)
        .says("No accounts yet; add one with `presently account add zulip");
    cli.run(&["status"]).code(0).says("No accounts yet");
}

#[test]
fn remove_deletes_the_account_and_its_keyring_entry() {
    let zulip = fake();
    let cli = Cli::new("remove");
    cli.add_alice(&zulip);
    cli.add_bob(&zulip);
    assert_eq!(cli.secret("alice").as_deref(), Some(ALICE_KEY));

    cli.run(&["account", "remove", "alice"])
        .code(0)
        .says("Removed account alice and its keyring entries.");
    assert_eq!(cli.account_ids(), vec!["bob".to_owned()]);
    assert_eq!(cli.secret("alice"), None);
    assert_eq!(cli.secret("bob").as_deref(), Some(BOB_KEY));
    assert!(!cli.config_text().contains(ALICE_EMAIL));

    cli.run(&["account", "test", "alice"])
        .code(2)
        .says("no account called \"alice\"");
    cli.run(&["account", "remove", "alice"]).code(2);
    cli.run(&["set", "lunch", "--account", "alice"])
        .code(2)
        .says("no account called \"alice\"");
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
}

#[test]
fn a_label_names_the_account_in_messages_and_the_id_stays() {
    let zulip = fake();
    let cli = Cli::new("label");
    cli.run_with_stdin(
        &[
            "account",
            "add",
            "zulip",
            "alice",
            "--label",
            "Work chat",
            "--site",
            &zulip.url(),
            "--email",
            ALICE_EMAIL,
        ],
        &format!("{ALICE_KEY}\n"),
    )
    .code(0);
    assert!(cli.config_text().contains("label = \"Work chat\""));
    cli.run(&["account", "list"]).code(0).says("\"Work chat\"");
    cli.store_secret("alice", WRONG_KEY);
    cli.run(&["account", "test", "alice"])
        .code(1)
        .says("Zulip (Work chat): credentials rejected");

    cli.run(&["account", "rename", "alice", "Home"])
        .code(0)
        .says("alice is now shown as \"Home\".");
    cli.run(&["account", "test", "alice"])
        .code(1)
        .says("Zulip (Home): credentials rejected");
    cli.run(&["account", "rename", "alice", "bad\u{1b}[31m"])
        .code(2)
        .says("the label of account \"alice\" holds the control character U+001B")
        .never_says("\u{1b}");
    cli.run(&["account", "rename", "alice"])
        .code(0)
        .says("alice is shown by its id again.");
    cli.run(&["account", "test", "alice"])
        .code(1)
        .says("Zulip (alice): credentials rejected");
    assert!(
        !cli.config_text().contains("label ="),
        "{}",
        cli.config_text()
    );
    // The key, the id and what the keyring holds under it never changed.
    assert_eq!(cli.secret("alice").as_deref(), Some(WRONG_KEY));
}

#[test]
fn account_test_reports_a_key_revoked_since() {
    let zulip = fake();
    let cli = Cli::new("account-test");
    cli.add_alice(&zulip);
    cli.run(&["account", "test", "alice"]).code(0).says("works");
    cli.store_secret("alice", WRONG_KEY);
    cli.run(&["account", "test", "alice"])
        .code(1)
        .says("Zulip (alice): credentials rejected: Invalid API key");
    cli.run(&["account", "test", "nobody"])
        .code(2)
        .says("no account called \"nobody\"");
}

// ---------------------------------------------------------------------------------------------
// Setting presets and one-off statuses

#[test]
fn set_lunch_shows_zulips_emoji_and_ends_in_an_hour() {
    let zulip = fake();
    let cli = Cli::new("set-lunch");
    cli.add_alice(&zulip);

    let out = cli.run(&["set", "lunch"]);
    out.code(0)
        .says("Presently ends it at")
        .says("✓ Zulip (alice)");
    assert_eq!(out.first_line(), "Lunch set on 1 of 1 account");
    assert_eq!(
        zulip.status_of(ALICE_ID),
        UserStatus {
            status_text: "Lunch".into(),
            emoji_name: "hamburger".into(),
            emoji_code: "1f354".into(),
            reaction_type: "unicode_emoji".into(),
            away: false,
        }
    );
    assert!(zulip.presence_enabled(ALICE_ID));
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    assert_eq!(posts.len(), 1);
    assert_eq!(field(&posts[0], "status_text"), Some("Lunch"));
    assert_eq!(field(&posts[0], "emoji_name"), Some("hamburger"));
    assert_eq!(posts[0].status, Some(200));
    // Visibility is the user's own setting: Lunch leaves it alone (no `away`, which is
    // `!presence_enabled` since FL 148) and needs no second request.
    assert_eq!(field(&posts[0], "away"), None);
    assert!(requests_to(&zulip, "PATCH", "/api/v1/settings").is_empty());

    let before = Utc::now();
    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(0);
    let json = out.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["label"], "Lunch");
    assert_eq!(json["summary"], "Lunch set on 1 of 1 account");
    assert_eq!(json["accounts"][0]["account"], "alice");
    assert_eq!(json["accounts"][0]["service"], "zulip");
    assert_eq!(json["accounts"][0]["ok"], true);
    let expires: DateTime<Utc> = json["expires_at"]
        .as_str()
        .expect("lunch has an end")
        .parse()
        .expect("RFC 3339");
    let hour = chrono::Duration::hours(1);
    assert!(
        expires >= before + hour && expires <= Utc::now() + hour,
        "{expires}"
    );
}

#[test]
fn set_meeting_uses_zulips_name_calendar_not_gemojis_date() {
    let zulip = fake();
    let cli = Cli::new("set-meeting");
    cli.add_alice(&zulip);
    let out = cli.run(&["set", "meeting"]);
    out.code(0).never_says("Presently ends it");
    assert_eq!(out.first_line(), "In a meeting set on 1 of 1 account");
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(status.status_text, "In a meeting");
    assert_eq!(status.emoji_name, "calendar");
    assert_eq!(status.emoji_code, "1f4c5");
    assert_eq!(status.reaction_type, "unicode_emoji");

    let json = cli.run(&["--json", "set", "meeting"]).json();
    assert_eq!(json["expires_at"], serde_json::Value::Null);
}

#[test]
fn status_text_is_limited_to_60_code_points_after_trimming() {
    let zulip = fake();
    let cli = Cli::new("text-limit");
    cli.add_alice(&zulip);

    // 30 flags are 60 code points (120 bytes, 30 graphemes): exactly the limit.
    let flags = "🇩🇪".repeat(30);
    let too_long = format!("x{flags}");
    let out = cli.run(&["set", "--text", &too_long]);
    out.code(1)
        .says("status text is 61 characters long; Zulip allows 60 (Unicode code points)");
    assert!(out.first_line().ends_with("set on 0 of 1 account"));
    assert!(
        requests_to(&zulip, "POST", OWN_STATUS).is_empty(),
        "nothing may be sent when the text cannot fit"
    );

    let padded = format!("   {flags}  ");
    cli.run(&["set", "--text", &padded]).code(0);
    assert_eq!(zulip.status_of(ALICE_ID).status_text, flags);
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    assert_eq!(posts.len(), 1);
    assert_eq!(field(&posts[0], "status_text"), Some(flags.as_str()));
}

#[test]
fn emoji_by_name_are_zulips_or_the_organizations() {
    let zulip = fake();
    let cli = Cli::new("emoji-names");
    cli.add_alice(&zulip);

    // Neither Zulip's name nor a custom emoji: refused before anything is sent.
    cli.run(&["set", "--text", "Shipping", "--emoji", ":nonexistent:"])
        .code(1)
        .says("Zulip (alice): Zulip has no emoji called :nonexistent:");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "");
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());

    cli.run(&["set", "--text", "Shipping", "--emoji", ":presently:"])
        .code(0);
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(status.status_text, "Shipping");
    assert_eq!(status.emoji_name, "presently");
    assert_eq!(status.emoji_code, "1");
    assert_eq!(status.reaction_type, "realm_emoji");

    // A deactivated custom emoji no longer exists for new use.
    cli.run(&["set", "--text", "Old times", "--emoji", ":old_logo:"])
        .code(1)
        .says("Zulip has no emoji called :old_logo:");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Shipping");
    assert_eq!(zulip.status_of(ALICE_ID).emoji_name, "presently");

    // A standard shortcode resolves on the server to Zulip's own code.
    cli.run(&["set", "--text", "Driving", "--emoji", ":car:"])
        .code(0);
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(
        (status.emoji_code.as_str(), status.reaction_type.as_str()),
        ("1f697", "unicode_emoji")
    );
}

/// Zulip's own names and code format, from the server's emoji data: the cases people
/// reported (🎄 is `holiday_tree`, 🤧 `sneezing`, keycaps `0023-20e3`, ☕️ with U+FE0F),
/// and a skin tone Zulip does not have, said in the preview and dropped in the request.
#[test]
fn emoji_go_out_as_the_server_names_them() {
    let zulip = fake();
    let cli = Cli::new("emoji-server-names");
    cli.add_alice(&zulip);
    // Adding the account read where the server keeps its emoji data, once, and left no
    // event queue open.
    assert_eq!(requests_to(&zulip, "POST", "/api/v1/register").len(), 1);
    assert_eq!(zulip.open_queues(), 0);
    let data = |zulip: &FakeZulip| {
        zulip
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/static/generated/emoji/"))
            .count()
    };
    assert_eq!(data(&zulip), 1);

    for (emoji, name, code) in [
        ("🎄", "holiday_tree", "1f384"),
        ("🤧", "sneezing", "1f927"),
        ("#️⃣", "hash", "0023-20e3"),
        ("\u{2615}\u{fe0f}", "coffee", "2615"),
    ] {
        cli.run(&["set", "--text", "Festive", "--emoji", emoji])
            .code(0);
        let status = zulip.status_of(ALICE_ID);
        assert_eq!(
            (status.emoji_name.as_str(), status.emoji_code.as_str()),
            (name, code),
            "{emoji}"
        );
    }

    // A preset with a toned emoji: the preview shows what goes out, and says why.
    cli.edit_config("emoji = \"☕\"", "emoji = \"👍🏽\"");
    let preview = cli.run(&["--json", "preview", "brb"]);
    preview.code(0);
    let shown = &preview.json()["accounts"][0]["preview"];
    assert_eq!(shown["emoji"], "👍", "{shown}");
    assert!(
        shown["notes"].to_string().contains("no skin tones"),
        "{shown}"
    );
    cli.run(&["set", "--text", "Approved", "--emoji", "👍🏽"])
        .code(0);
    assert_eq!(zulip.status_of(ALICE_ID).emoji_name, "+1");

    // An emoji newer than the server's table is refused before sending, in the preview too.
    let before = requests_to(&zulip, "POST", OWN_STATUS).len();
    cli.edit_config("emoji = \"🌴\"", "emoji = \"🫩\"");
    cli.run(&["preview", "vacation"])
        .says("Zulip has no emoji 🫩");
    cli.run(&["set", "--text", "Tired", "--emoji", "🫩"])
        .code(1)
        .says("Zulip has no emoji 🫩");
    assert_eq!(requests_to(&zulip, "POST", OWN_STATUS).len(), before);
    // Every change used the kept data: no more `register`, no second download.
    assert_eq!(requests_to(&zulip, "POST", "/api/v1/register").len(), 1);
    assert_eq!(data(&zulip), 1);
}

/// The servers' emoji data is kept apart from `servers.json`, once for every server that
/// publishes the same: a change to many accounts reads it once. A kept copy that is not what
/// its name says is fetched again, not trusted.
#[test]
fn emoji_data_is_kept_once_for_servers_that_publish_the_same() {
    let (first, second) = (fake(), fake());
    let cli = Cli::new("emoji-data-shared");
    cli.add(&first, "one", ALICE_EMAIL, ALICE_KEY).code(0);
    cli.add(&second, "two", ALICE_EMAIL, ALICE_KEY).code(0);
    let kept = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(cli.dir().join("server-data"))
            .map(|files| files.flatten().map(|f| f.path()).collect())
            .unwrap_or_default()
    };
    assert_eq!(kept().len(), 1, "one copy for two servers: {:?}", kept());
    let listing = std::fs::read_to_string(cli.dir().join("servers.json")).expect("servers.json");
    assert!(
        !listing.contains("holiday_tree"),
        "the names are not in servers.json"
    );
    assert!(
        listing.len() < 4096,
        "servers.json stays small: {} bytes",
        listing.len()
    );

    cli.run(&["set", "--text", "Festive", "--emoji", "🎄"])
        .code(0);
    for zulip in [&first, &second] {
        assert_eq!(zulip.status_of(ALICE_ID).emoji_name, "holiday_tree");
    }
    // A copy changed behind Presently's back: fetched again from the server, then used.
    let copy = kept().remove(0);
    std::fs::write(&copy, br#"{"1f384":["wrong_tree"]}"#).expect("tamper");
    let fetched = |zulip: &FakeZulip| {
        zulip
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/static/generated/emoji/"))
            .count()
    };
    cli.run(&["set", "--text", "Festive", "--emoji", "🎄"])
        .code(0);
    assert_eq!(
        fetched(&first) + fetched(&second),
        2 + 2,
        "both asked once more"
    );
    for zulip in [&first, &second] {
        assert_eq!(zulip.status_of(ALICE_ID).emoji_name, "holiday_tree");
    }
    assert_eq!(kept().len(), 1);
    let restored = std::fs::read_to_string(&kept()[0]).expect("kept again");
    assert!(restored.contains("holiday_tree"));
    cli.run(&["set", "--text", "Festive", "--emoji", "🎄"])
        .code(0);
    assert_eq!(fetched(&first) + fetched(&second), 4, "then kept again");
}

/// A server whose names differ from Presently's built-in table (here an older Zulip that
/// still calls 🎄 `christmas_tree`): its own emoji data decides, so the change is one it
/// accepts. With the built-in name it would answer "Invalid emoji name.".
#[test]
fn the_servers_own_emoji_names_win_over_the_built_in_table() {
    let zulip = fake_with(|c| {
        c.unicode_renames = vec![("1f384".into(), "christmas_tree".into())];
    });
    let cli = Cli::new("emoji-older-server");
    cli.add_alice(&zulip);
    cli.run(&["set", "--text", "Festive", "--emoji", "🎄"])
        .code(0);
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(
        (status.emoji_name.as_str(), status.emoji_code.as_str()),
        ("christmas_tree", "1f384")
    );
    // The built-in name is not this server's: refused before anything is sent.
    cli.run(&["set", "--text", "Festive", "--emoji", ":holiday_tree:"])
        .code(1)
        .says("Zulip has no emoji called :holiday_tree:");
}

/// Status text that would act instead of show (a terminal escape, a bell, NUL, a bidi
/// override that reorders what others read) is refused before sending, naming the
/// character without echoing it; a preset holding one makes the config invalid the same way.
#[test]
fn control_characters_in_status_text_are_refused_by_name() {
    let zulip = fake();
    let cli = Cli::new("control-text");
    cli.add_alice(&zulip);
    for (text, named) in [
        ("Lunch\u{1b}]0;pwned\u{7}", "U+001B (ESC)"),
        ("ding\u{7}", "U+0007 (BEL)"),
        ("\u{202e}gnp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("two\nlines", "U+000A (LINE FEED)"),
    ] {
        cli.run(&["set", "--text", text])
            .code(2)
            .says(&format!(
                "the status text holds the invisible character {named}"
            ))
            .never_says("\u{1b}")
            .never_says("\u{7}");
    }
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
    cli.edit_config("text = \"Lunch\"", "text = \"Lunch\\u001b[2J\"");
    cli.run(&["set", "lunch"]).code(2).says("U+001B (ESC)");
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
}

/// Inputs that would hang, fill memory or step out of their place are refused with a
/// message, and nothing is sent: a zuliprc that never ends, a config that is a FIFO, a
/// timeout of a billion seconds, a preset without a name, a user id of `..`.
#[test]
fn hostile_files_and_values_are_refused() {
    let zulip = fake();
    let cli = Cli::new("hostile-inputs");
    cli.run(&["account", "add", "zulip", "z", "--zuliprc", "/dev/zero"])
        .code(2)
        .says("it is not a regular file");
    cli.add_alice(&zulip);

    cli.edit_config("timeout_seconds = 10", "timeout_seconds = 1000000000");
    cli.run(&["set", "meeting"])
        .code(2)
        .says("settings.timeout_seconds is 1000000000; give 1 to 300 seconds");
    cli.edit_config("timeout_seconds = 1000000000", "timeout_seconds = 10");
    cli.edit_config("name = \"Lunch\"", "name = \"  \"");
    cli.run(&["set", "meeting"])
        .code(2)
        .says("preset \"lunch\" has a blank name");
    cli.edit_config("name = \"  \"", "name = \"Lunch\"");

    for user in ["..", ".", "a/b", "9?x=1", ""] {
        cli.run(&["set", "--text", "Hi", "--account", "alice", "--user", user])
            .code(2)
            .says("is not a user id or e-mail");
    }
    assert!(requests_to(&zulip, "POST", "/api/v1/users/9/status").is_empty());

    // A config that is a FIFO would block a reader forever.
    let config = cli.config_path();
    std::fs::remove_file(&config).expect("remove the config");
    let made = std::process::Command::new("mkfifo")
        .arg(&config)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    cli.run(&["status"])
        .code(2)
        .says("it is not a regular file");
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
}

/// A status someone else wrote on the server, with a terminal escape that would retitle the
/// terminal and a bell, is shown inert by `presently status`.
#[test]
fn what_a_server_says_is_shown_inert() {
    let zulip = fake();
    let cli = Cli::new("inert");
    cli.add_alice(&zulip);
    zulip.set_status(
        ALICE_ID,
        UserStatus {
            status_text: "Lunch\u{1b}]0;pwned\u{7}\u{202e}".into(),
            ..UserStatus::default()
        },
    );
    cli.run(&["status"])
        .code(0)
        .says("Zulip (alice): Lunch\\u{1b}]0;pwned\\u{7}\\u{202e}")
        .never_says("\u{1b}")
        .never_says("\u{7}")
        .never_says("\u{202e}");
}

/// "METHOD /path" of each request the fake got after the first `before`.
fn requests_since(zulip: &FakeZulip, before: usize) -> Vec<String> {
    zulip.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn one_set_is_one_request_once_the_server_level_is_known() {
    let zulip = fake();
    let cli = Cli::new("one-request");
    cli.add_alice(&zulip);
    for set in [["set", "meeting"], ["set", "vacation"]] {
        let before = zulip.requests().len();
        cli.run(&set).code(0);
        let made = requests_since(&zulip, before);
        assert_eq!(made, [format!("POST {OWN_STATUS}")], "{set:?}");
    }
    // A timed preset first reads what is shown, to put it back when it ends (the user's
    // id was learned when the account was added: no `GET /users/me`).
    cli.run(&["clear"]).code(0);
    let before = zulip.requests().len();
    cli.run(&["set", "lunch"]).code(0);
    assert_eq!(
        requests_since(&zulip, before),
        [
            format!("GET /api/v1/users/{ALICE_ID}/status"),
            format!("POST {OWN_STATUS}")
        ]
    );
    // A day later the level is asked again, once.
    let cache = cli.dir().join("servers.json");
    let text = std::fs::read_to_string(&cache).expect("servers.json beside the config");
    assert!(text.contains("zulip_feature_level"), "{text}");
    assert!(!text.contains(ALICE_KEY), "no secret in the cache");
    std::fs::write(
        &cache,
        text.replace("\"fetched_at\": \"20", "\"fetched_at\": \"19"),
    )
    .expect("age the cache");
    let before = zulip.requests().len();
    cli.run(&["set", "meeting"]).code(0);
    let made = requests_since(&zulip, before);
    assert_eq!(
        made,
        [
            "GET /api/v1/server_settings".to_owned(),
            format!("POST {OWN_STATUS}")
        ]
    );
}

#[test]
fn a_regenerated_api_key_is_replaced_by_signing_in_again() {
    let zulip = fake();
    let cli = Cli::new("signin-zulip");
    cli.add_alice(&zulip);
    let before = cli.config_text();
    let new_key = "NEWkey0123456789abcdef0123456789";
    zulip.regenerate_api_key(ALICE_ID, new_key);
    cli.run(&["set", "lunch"]).code(1).says("Invalid API key");
    cli.run_with_stdin(
        &["account", "signin", "alice"],
        "wrong0123456789abcdef0123456789x\n",
    )
    .code(1)
    .says("Invalid API key");
    assert_eq!(
        cli.secret("alice").as_deref(),
        Some(ALICE_KEY),
        "a refused key is not kept"
    );
    cli.run_with_stdin(&["account", "signin", "alice"], &format!("{new_key}\n"))
        .code(0)
        .says("Account alice signed in again")
        .never_says(new_key);
    assert_eq!(cli.secret("alice").as_deref(), Some(new_key));
    assert_eq!(cli.config_text(), before);
    cli.run(&["set", "lunch"]).code(0);
}

#[test]
fn a_server_before_level_148_is_asked_its_level_every_time() {
    // There `away` means away; from 148 on it means invisible. A server upgraded since the
    // level was kept must not be sent the old meaning, so an old level is never trusted.
    let zulip = fake_with(|config| config.feature_level = 100);
    let cli = Cli::new("old-level");
    cli.add_alice(&zulip);
    let before = zulip.requests().len();
    cli.run(&["set", "lunch"]).code(0);
    let made = requests_since(&zulip, before);
    assert_eq!(
        made,
        [
            "GET /api/v1/server_settings".to_owned(),
            format!("POST {OWN_STATUS}")
        ]
    );
    assert_eq!(field(&zulip.requests()[before + 1], "away"), Some("true"));
}

#[test]
fn availability_offline_hides_presence_and_available_restores_it() {
    let zulip = fake();
    let cli = Cli::new("availability");
    cli.add_alice(&zulip);
    assert!(zulip.presence_enabled(ALICE_ID));

    cli.run(&["set", "--text", "Heads down", "--availability", "offline"])
        .code(0)
        .never_says("no away");
    assert!(!zulip.presence_enabled(ALICE_ID));
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Heads down");
    cli.run(&["status"])
        .code(0)
        .says("Zulip (alice): Heads down (invisible)");

    cli.run(&["set", "--text", "Back", "--availability", "available"])
        .code(0);
    assert!(zulip.presence_enabled(ALICE_ID));

    let out = cli.run(&["set", "focus"]);
    out.code(0)
        .says("Zulip has no away, busy or do-not-disturb; the status text and emoji say it");
    assert_eq!(out.first_line(), "Focus set on 1 of 1 account");
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(
        (status.status_text.as_str(), status.emoji_name.as_str()),
        ("Focus", "headphones")
    );
    assert!(
        zulip.presence_enabled(ALICE_ID),
        "do-not-disturb is not invisible"
    );
}

/// Invisible mode is a privacy setting the user chose in Zulip: presets leave it alone
/// (no `away` is sent), only "appear offline" changes it, and what replaces Presently's
/// "appear offline" gives visibility back.
#[test]
fn invisible_mode_chosen_in_zulip_is_left_alone() {
    let zulip = fake();
    let cli = Cli::new("invisible");
    cli.add_alice(&zulip);
    zulip.set_presence_enabled(ALICE_ID, false);
    for set in [&["set", "meeting"][..], &["set", "lunch"], &["clear"]] {
        let before = requests_to(&zulip, "POST", OWN_STATUS).len();
        cli.run(set).code(0);
        let posts = requests_to(&zulip, "POST", OWN_STATUS);
        assert_eq!(posts.len(), before + 1, "{set:?}");
        assert_eq!(field(&posts[before], "away"), None, "{set:?}");
        assert!(
            !zulip.presence_enabled(ALICE_ID),
            "still invisible after {set:?}"
        );
    }

    zulip.set_presence_enabled(ALICE_ID, true);
    cli.run(&["set", "--text", "Heads down", "--availability", "offline"])
        .code(0);
    assert!(!zulip.presence_enabled(ALICE_ID));
    cli.run(&["set", "meeting"]).code(0);
    assert!(
        zulip.presence_enabled(ALICE_ID),
        "visible again after appear offline"
    );
    cli.run(&["set", "vacation"]).code(0);
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    assert_eq!(field(posts.last().expect("a post"), "away"), None);
}

#[test]
fn duration_override_and_bad_values() {
    let zulip = fake();
    let cli = Cli::new("durations");
    cli.add_alice(&zulip);

    let before = Utc::now();
    let json = cli
        .run(&["--json", "set", "--text", "Errand", "--for", "30m"])
        .json();
    let expires: DateTime<Utc> = json["expires_at"]
        .as_str()
        .expect("has an end")
        .parse()
        .expect("RFC 3339");
    let half_hour = chrono::Duration::minutes(30);
    assert!(expires >= before + half_hour && expires <= Utc::now() + half_hour);

    // An end given as a date: through that day, in local time.
    let json = cli
        .run(&[
            "--json",
            "set",
            "--text",
            "Away for the holidays",
            "--until",
            "2099-12-24",
        ])
        .json();
    let ends: DateTime<chrono::Local> = json["expires_at"]
        .as_str()
        .expect("has an end")
        .parse::<DateTime<Utc>>()
        .expect("RFC 3339")
        .with_timezone(&chrono::Local);
    assert_eq!(
        ends.format("%Y-%m-%d %H:%M").to_string(),
        "2099-12-25 00:00"
    );
    cli.run(&["set", "--text", "Errand", "--until", "2000-01-01 17:00"])
        .code(2)
        .says("2000-01-01 17:00 has passed (it is ");
    cli.run(&["set", "--text", "Errand", "--until", "soon"])
        .code(2)
        .says("cannot read the end \"soon\": use \"today\", \"this week\", \"17:00\", \"tomorrow 09:00\"");
    cli.run(&["set", "--text", "Errand", "--until", "17:00", "--for", "1h"])
        .code(2);

    for args in [
        &["set", "lunch", "--for", "soon"][..],
        &["set", "lunch", "--for", "10s"],
        &["set", "lunch", "--availability", "sleepy"],
        &["set", "nap"],
        &["set"],
    ] {
        cli.run(args).code(2);
    }
    cli.run(&["set", "lunch", "--for", "soon"])
        .says("cannot read duration \"soon\"");
    cli.run(&["set", "lunch", "--availability", "sleepy"])
        .says("use one of available, away, busy, dnd, offline");
    cli.run(&["set", "nap"]).says("no preset called \"nap\"");
    assert_eq!(
        requests_to(&zulip, "POST", OWN_STATUS).len(),
        2,
        "usage errors send nothing"
    );
    let json = cli.run(&["--json", "set", "nap"]);
    json.code(2);
    assert_eq!(json.json()["error"]["kind"], "invalid_input");
    assert_eq!(json.json()["error"]["reason"], "usage");
}

#[test]
fn clear_empties_text_and_emoji() {
    let zulip = fake();
    let cli = Cli::new("clear");
    cli.add_alice(&zulip);
    cli.run(&["set", "lunch", "--availability", "offline"])
        .code(0);
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
    assert!(!zulip.presence_enabled(ALICE_ID));

    let out = cli.run(&["clear"]);
    out.code(0).never_says("Presently ends it");
    assert_eq!(out.first_line(), "Status cleared on 1 of 1 account");
    let status = zulip.status_of(ALICE_ID);
    assert_eq!(status.status_text, "");
    assert_eq!(status.emoji_name, "");
    assert_eq!(status.emoji_code, "");
    assert!(zulip.presence_enabled(ALICE_ID));
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    let last = posts.last().expect("a clearing POST");
    assert_eq!(field(last, "status_text"), Some(""));
    assert_eq!(field(last, "emoji_name"), Some(""));

    let json = cli.run(&["--json", "status"]).json();
    assert_eq!(json["active"], serde_json::Value::Null);
    assert_eq!(json["accounts"][0]["text"], "");
    cli.run(&["status"])
        .code(0)
        .says("Zulip (alice): no status");
}

#[test]
fn status_reads_back_from_the_server() {
    let zulip = fake();
    let cli = Cli::new("status");
    cli.add_alice(&zulip);
    cli.run(&["set", "lunch"]).code(0);

    cli.run(&["status"])
        .code(0)
        .says("Zulip (alice): 🍔 Lunch\n")
        .says("Set by Presently: Lunch, until ");
    let json = cli.run(&["--json", "status"]).json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["accounts"][0]["account"], "alice");
    assert_eq!(json["accounts"][0]["text"], "Lunch");
    assert_eq!(json["accounts"][0]["emoji"], "🍔");
    assert_eq!(json["active"]["preset_id"], "lunch");
    assert_eq!(json["active"]["accounts"][0], "alice");
    assert!(json["active"]["expires_at"].is_string());
    assert_eq!(json["expired_now"], serde_json::Value::Null);

    // Changed elsewhere (e.g. in Zulip's web app): the server's word wins.
    zulip.set_status(
        ALICE_ID,
        UserStatus {
            status_text: "On the road".into(),
            emoji_name: "car".into(),
            emoji_code: "1f697".into(),
            reaction_type: "unicode_emoji".into(),
            away: false,
        },
    );
    cli.run(&["status"])
        .code(0)
        .says("Zulip (alice): 🚗 On the road\n");
    // Three reads by `status`, and one by `set lunch` (what to put back when it ends).
    assert_eq!(
        requests_to(&zulip, "GET", "/api/v1/users/8/status").len(),
        4
    );

    // Reading someone else's status.
    cli.run(&["status", "--user", "9"])
        .code(2)
        .says("--user needs exactly one --account");
    cli.run(&["status", "--account", "alice", "--user", "9"])
        .code(0)
        .says("Zulip (alice): no status")
        .never_says("Set by Presently");
}

#[test]
fn preview_and_preset_list_send_nothing() {
    let zulip = fake();
    let cli = Cli::new("preview");
    cli.add_alice(&zulip);

    let list = cli.run(&["--json", "preset", "list"]);
    list.code(0);
    let ids: Vec<String> = list.json()["presets"]
        .as_array()
        .expect("presets")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "available",
            "lunch",
            "focus",
            "meeting",
            "brb",
            "vacation",
            "done"
        ]
    );
    cli.run(&["preset", "list"])
        .code(0)
        .says("lunch")
        .says("🍔 Lunch (away, 1h)");

    cli.run(&["preview", "focus"])
        .code(0)
        .says("Zulip (alice): 🎧 Focus [visible]")
        .says("Presently ends it on Zulip at")
        .says("Zulip has no away, busy or do-not-disturb");
    cli.run(&["preview", "nap"]).code(2);
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
    assert!(requests_to(&zulip, "PATCH", "/api/v1/settings").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Someone else's status (administrators)

#[test]
fn admins_set_other_users_status_and_members_cannot() {
    let zulip = fake();
    let cli = Cli::new("admin");
    cli.add_alice(&zulip);
    cli.add_bob(&zulip);
    cli.run(&["set", "lunch", "--account", "alice"]).code(0);

    let out = cli.run(&[
        "set",
        "--text",
        "Out sick",
        "--account",
        "alice",
        "--user",
        "9",
    ]);
    out.code(0).never_says("Presently ends it");
    assert_eq!(out.first_line(), "Out sick set on 1 of 1 account");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "Out sick");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
    let posts = requests_to(&zulip, "POST", "/api/v1/users/9/status");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].auth_email.as_deref(), Some(ALICE_EMAIL));
    assert_eq!(field(&posts[0], "away"), None, "no away for other users");

    // The expiry of alice's own lunch is not the expiry of bob's status.
    let json = cli
        .run(&[
            "--json",
            "set",
            "--text",
            "Out sick",
            "--account",
            "alice",
            "--user",
            "9",
        ])
        .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["expires_at"], serde_json::Value::Null);
    let json = cli.run(&["--json", "status"]).json();
    assert_eq!(
        json["active"]["preset_id"], "lunch",
        "alice's own status is still the one to end"
    );

    // A preset with an end, set for someone else: said, never silently dropped.
    cli.run(&["set", "brb", "--account", "alice", "--user", "9"])
        .code(0)
        .says("not ended on time: Presently ends only your own statuses");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "Be right back");

    cli.run(&["set", "--text", "Hi", "--account", "bob", "--user", "8"])
        .code(1)
        .says("Zulip (bob): not allowed: Insufficient permission");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");

    cli.run(&[
        "set",
        "--text",
        "Hi",
        "--account",
        "alice",
        "--user",
        "12345",
    ])
    .code(1)
    .says("not found: No such user");

    cli.run(&["set", "--text", "Hi", "--account", "alice", "--user", "abc"])
        .code(1)
        .says("Zulip identifies users by number")
        .says("\"abc\" is not one");
    assert!(requests_to(&zulip, "POST", "/api/v1/users/abc/status").is_empty());
}

#[test]
fn setting_another_users_status_needs_feature_level_407() {
    let zulip = fake_with(|c| {
        c.feature_level = 300;
        c.zulip_version = "9.4".into();
    });
    let cli = Cli::new("admin-old-server");
    cli.add_alice(&zulip);
    cli.run(&[
        "set",
        "--text",
        "Out sick",
        "--account",
        "alice",
        "--user",
        "9",
    ])
    .code(1)
    .says("needs a newer server")
    .says("feature level 407")
    .says("this server is at 300");
    assert!(requests_to(&zulip, "POST", "/api/v1/users/9/status").is_empty());
    assert_eq!(zulip.status_of(BOB_ID).status_text, "");

    // The user's own status still works there.
    cli.run(&["set", "lunch"]).code(0);
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
}

// ---------------------------------------------------------------------------------------------
// Rate limits and misbehaving servers

// Every run starts with the unauthenticated `GET server_settings`, so each fault is aimed at
// the authenticated request it is about with `inject_on`, not at "the next request".

/// The recorded statuses of the requests to `method path`, oldest first (`None`: no answer).
fn statuses_of(zulip: &FakeZulip, method: &str, path: &str) -> Vec<Option<u16>> {
    requests_to(zulip, method, path)
        .iter()
        .map(|r| r.status)
        .collect()
}

fn recorded_at(request: &RecordedRequest) -> DateTime<Utc> {
    request.at.parse().expect("RFC 3339")
}

#[test]
fn a_short_rate_limit_is_waited_out_once() {
    let zulip = fake();
    let cli = Cli::new("rate-short");
    cli.add_alice(&zulip);
    zulip.inject_on(
        "POST",
        OWN_STATUS,
        Fault::RateLimit {
            retry_after_secs: 0.3,
        },
    );

    cli.run(&["set", "lunch"])
        .code(0)
        .says("Lunch set on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");

    // Exactly two POSTs: the limited one, then one after the wait that went through.
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(429), Some(200)],
        "{posts:#?}"
    );
    let waited = recorded_at(&posts[1]) - recorded_at(&posts[0]);
    assert!(
        waited >= chrono::Duration::milliseconds(300),
        "retried {} ms after the 429",
        waited.num_milliseconds()
    );
    assert!(statuses_of(&zulip, "PATCH", SETTINGS).is_empty());
}

#[test]
fn a_long_rate_limit_fails_with_when_to_try_again() {
    let zulip = fake();
    let cli = Cli::new("rate-long");
    cli.add_alice(&zulip);
    zulip.inject_on(
        "POST",
        OWN_STATUS,
        Fault::RateLimit {
            retry_after_secs: 120.0,
        },
    );

    let out = cli.run(&["set", "lunch"]);
    out.code(1)
        .says("Zulip (alice): rate limited by the server, try again after ");
    assert_eq!(out.first_line(), "Lunch set on 0 of 1 account");
    assert!(
        out.elapsed < std::time::Duration::from_secs(10),
        "no waiting for 2 minutes"
    );
    assert_eq!(
        statuses_of(&zulip, "POST", OWN_STATUS),
        [Some(429)],
        "the limited POST is not retried"
    );
    assert!(
        requests_to(&zulip, "PATCH", SETTINGS).is_empty(),
        "no visibility change for a status that was not set"
    );
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "");

    zulip.inject_on(
        "POST",
        OWN_STATUS,
        Fault::RateLimit {
            retry_after_secs: 120.0,
        },
    );
    let start = Utc::now();
    let out = cli.run(&["--json", "set", "lunch"]);
    out.code(1);
    let account = &out.json()["accounts"][0];
    assert_eq!(account["ok"], false);
    let error = &account["error"];
    let retry_at: DateTime<Utc> = error["retry_at"]
        .as_str()
        .expect("retry_at")
        .parse()
        .expect("RFC 3339");
    // The one error shape of every face, pinned: kind, reason, account, service, message, when.
    let fields: Vec<&String> = error.as_object().expect("an object").keys().collect();
    assert_eq!(
        fields,
        ["account", "field", "kind", "message", "reason", "retry_at", "service"]
    );
    assert_eq!(error["kind"], "rate_limited");
    assert_eq!(error["reason"], "rate_limited");
    assert_eq!(error["account"], "alice");
    assert_eq!(error["service"], "zulip");
    assert_eq!(error["field"], serde_json::Value::Null);
    assert!(
        error["message"].as_str().is_some_and(
            |m| m.starts_with("Zulip (alice): rate limited by the server, try again after ")
        ),
        "{error}"
    );
    assert!(retry_at >= start + chrono::Duration::seconds(119));
    assert_eq!(
        statuses_of(&zulip, "POST", OWN_STATUS),
        [Some(429), Some(429)]
    );
}

/// Alice on a fake with `timeout_seconds = 2`, then `set lunch` with `fault` on the status
/// POST. Checks the fault hit that POST, the only one, and that nothing followed it.
fn set_with_fault_on_the_post(name: &str, fault: Fault) -> (Out, FakeZulip) {
    let zulip = fake();
    let cli = Cli::new(name);
    cli.add_alice(&zulip);
    cli.set_timeout(2);
    zulip.inject_on("POST", OWN_STATUS, fault);
    let out = cli.run(&["set", "lunch"]);
    out.code(1).says("Lunch set on 0 of 1 account");
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    assert_eq!(posts.len(), 1, "one POST, no retry: {posts:#?}");
    assert_eq!(
        posts[0].auth_email.as_deref(),
        Some(ALICE_EMAIL),
        "the faulted request is the authenticated one"
    );
    assert!(
        requests_to(&zulip, "PATCH", SETTINGS).is_empty(),
        "no visibility change after a failed POST"
    );
    assert_eq!(zulip.status_of(ALICE_ID), UserStatus::default());
    (out, zulip)
}

#[test]
fn a_hanging_server_times_out() {
    let (out, zulip) = set_with_fault_on_the_post("fault-hang", Fault::Hang);
    out.says("Zulip (alice): no answer within 2 s");
    assert!(
        out.elapsed < std::time::Duration::from_secs(8),
        "{:?}",
        out.elapsed
    );
    assert_eq!(
        statuses_of(&zulip, "POST", OWN_STATUS),
        [None],
        "the POST never got an answer"
    );
}

#[test]
fn a_non_json_answer_is_reported() {
    let (out, zulip) = set_with_fault_on_the_post("fault-garbage", Fault::Garbage);
    out.says("unexpected answer from the server")
        .says("not Zulip's JSON")
        .says("<html>not json");
    assert_eq!(statuses_of(&zulip, "POST", OWN_STATUS), [Some(200)]);
}

#[test]
fn a_huge_answer_is_cut_off() {
    let (out, zulip) = set_with_fault_on_the_post("fault-huge", Fault::Huge);
    out.says("the response is larger than 1024 KiB");
    assert_eq!(statuses_of(&zulip, "POST", OWN_STATUS), [Some(200)]);
}

#[test]
fn a_server_error_is_reported() {
    let (out, zulip) = set_with_fault_on_the_post("fault-500", Fault::ServerError);
    out.says("Zulip (alice): server error (HTTP 500)");
    assert_eq!(statuses_of(&zulip, "POST", OWN_STATUS), [Some(500)]);
}

#[test]
fn a_redirect_is_reported_and_not_followed() {
    // The redirect points at a second, working Zulip that accepts alice's key: following it
    // would send her credentials there and succeed.
    let elsewhere = fake();
    let location = format!("{}{OWN_STATUS}", elsewhere.url());
    let (out, zulip) = set_with_fault_on_the_post(
        "fault-redirect",
        Fault::Redirect {
            location: location.clone(),
        },
    );
    out.says("✗ Zulip (alice)")
        .says(&format!("the server redirects to {location} (HTTP 302)"))
        .says("does not follow redirects");
    assert_eq!(statuses_of(&zulip, "POST", OWN_STATUS), [Some(302)]);
    let seen = elsewhere.requests();
    assert!(
        seen.is_empty(),
        "the redirect target got requests (and alice's credentials): {seen:#?}"
    );
    assert_eq!(elsewhere.status_of(ALICE_ID), UserStatus::default());
}

#[test]
fn a_failed_visibility_change_after_the_status_is_set_is_a_note() {
    // A server that dropped the deprecated `away` gets visibility by `PATCH /settings`.
    let zulip = fake_with(|config| config.away_removed = true);
    let cli = Cli::new("fault-patch");
    cli.add_alice(&zulip);
    let set = ["set", "--text", "Heads down", "--availability", "offline"];

    zulip.inject_on("PATCH", SETTINGS, Fault::ServerError);
    let out = cli.run(&set);
    out.code(0)
        .says("set on 1 of 1 account")
        .says("✓ Zulip (alice)")
        .says("visibility unchanged")
        .says("server error (HTTP 500)");
    assert_eq!(statuses_of(&zulip, "POST", OWN_STATUS), [Some(200)]);
    assert_eq!(statuses_of(&zulip, "PATCH", SETTINGS), [Some(500)]);
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Heads down");
    assert!(
        zulip.presence_enabled(ALICE_ID),
        "the failed PATCH left alice visible"
    );

    zulip.inject_on("PATCH", SETTINGS, Fault::ServerError);
    let out = cli.run(&[&["--json"], &set[..]].concat());
    out.code(0);
    let json = out.json();
    assert_eq!(json["ok"], true);
    let account = &json["accounts"][0];
    assert_eq!(account["ok"], true);
    let notes = account["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains("visibility"))),
        "{notes:?}"
    );
    assert!(zulip.presence_enabled(ALICE_ID));

    // Without the fault the same command hides her.
    cli.run(&set).code(0).never_says("visibility unchanged");
    assert!(!zulip.presence_enabled(ALICE_ID));
}

#[test]
fn a_server_that_is_down_cannot_be_reached() {
    let zulip = fake();
    let cli = Cli::new("server-down");
    cli.add_alice(&zulip);
    cli.set_timeout(2);
    drop(zulip);
    cli.run(&["set", "lunch"])
        .code(1)
        .says("Zulip (alice): could not reach the server");
    let json = cli.run(&["--json", "set", "lunch"]).json();
    assert_eq!(json["accounts"][0]["error"]["kind"], "network");
    assert_eq!(json["accounts"][0]["error"]["reason"], "unreachable");
    cli.run(&["status"])
        .code(1)
        .says("Zulip (alice): could not reach the server");
}

// ---------------------------------------------------------------------------------------------
// Many accounts

#[test]
fn one_failing_account_never_stops_the_others() {
    let zulip = fake();
    let cli = Cli::new("two-accounts");
    cli.add_alice(&zulip);
    cli.add_bob(&zulip);

    let out = cli.run(&["set", "lunch"]);
    out.code(0).says("✓ Zulip (alice)").says("✓ Zulip (bob)");
    assert_eq!(out.first_line(), "Lunch set on 2 of 2 accounts");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "Lunch");

    // Bob's key is revoked: alice still gets her status.
    cli.store_secret("bob", WRONG_KEY);
    let out = cli.run(&["set", "meeting"]);
    out.code(1)
        .says("✓ Zulip (alice)")
        .says("✗ Zulip (bob): credentials rejected: Invalid API key");
    assert_eq!(out.first_line(), "In a meeting set on 1 of 2 accounts");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "In a meeting");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "Lunch");
    let json = cli.run(&["--json", "set", "meeting"]);
    json.code(1);
    let json = json.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["summary"], "In a meeting set on 1 of 2 accounts");
    let bob = json["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["account"] == "bob")
        .expect("bob's outcome")
        .clone();
    assert_eq!(bob["ok"], false);
    assert_eq!(bob["error"]["kind"], "auth");
    assert_eq!(bob["error"]["reason"], "auth_rejected");

    // Only alice's account is asked for.
    cli.store_secret("bob", BOB_KEY);
    cli.run(&["clear", "--account", "alice"])
        .code(0)
        .says("Status cleared on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "Lunch");
}

#[test]
fn a_preset_override_can_skip_an_account() {
    let zulip = fake();
    let cli = Cli::new("override-skip");
    cli.add_alice(&zulip);
    cli.add_bob(&zulip);
    // As the config header describes: a [presets.overrides.<id>] table under the preset.
    cli.edit_config(
        "[[presets]]\nid = \"focus\"",
        "[presets.overrides.bob]\nskip = true\n\n[[presets]]\nid = \"focus\"",
    );
    let bob_requests = || {
        zulip
            .requests()
            .iter()
            .filter(|r| r.auth_email.as_deref() == Some(BOB_EMAIL))
            .count()
    };
    let bob_before = bob_requests();

    let out = cli.run(&["set", "lunch"]);
    out.code(0).says("– bob: skipped by the preset");
    assert_eq!(out.first_line(), "Lunch set on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "");
    assert_eq!(bob_requests(), bob_before, "bob's account is left alone");
    let json = cli.run(&["--json", "set", "lunch"]).json();
    assert_eq!(json["skipped"][0], "bob");

    // Other presets still reach bob.
    cli.run(&["set", "meeting"])
        .code(0)
        .says("set on 2 of 2 accounts");
    assert_eq!(zulip.status_of(BOB_ID).status_text, "In a meeting");

    // Removing bob removes his override too, and the config stays valid.
    cli.run(&["account", "remove", "bob"]).code(0);
    let config = cli.config_text();
    assert!(!config.contains("[presets.overrides.bob]"), "{config}");
    assert!(!config.contains("\nskip = true"), "{config}");
    cli.run(&["set", "lunch"])
        .code(0)
        .says("Lunch set on 1 of 1 account");
}

// ---------------------------------------------------------------------------------------------
// Config and keyring trouble

#[test]
fn a_corrupt_config_is_reported_kept_and_never_overwritten() {
    let zulip = fake();
    let cli = Cli::new("corrupt-config");
    cli.add_alice(&zulip);
    let broken = "[settings]\ntimeout_seconds = 10\n[[accounts]\nid = \"alice\"\n";
    std::fs::write(cli.config_path(), broken).expect("write config");
    let path = cli.config_path().display().to_string();

    for args in [
        &["set", "lunch"][..],
        &["account", "list"],
        &["status"],
        &["preset", "list"],
        &["clear"],
    ] {
        cli.run(args)
            .code(2)
            .says(&format!("config file {path} is not valid: line 3"))
            .says("a copy is kept at")
            .says("Presently will not overwrite it");
    }
    assert_eq!(cli.config_text(), broken);
    let backups: Vec<_> = std::fs::read_dir(cli.dir())
        .expect("list config dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("config.toml.broken-")
        })
        .collect();
    assert_eq!(backups.len(), 1, "one copy per distinct content");
    assert_eq!(
        std::fs::read_to_string(backups[0].path()).expect("read backup"),
        broken
    );
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());

    let json = cli.run(&["--json", "account", "list"]);
    json.code(2);
    assert_eq!(json.json()["error"]["kind"], "invalid_input");
    assert_eq!(json.json()["error"]["reason"], "config_invalid");
    assert_eq!(json.json()["error"]["field"], "config");
}

#[test]
fn a_corrupt_state_file_is_reported_kept_aside_and_never_overwritten() {
    let zulip = fake();
    let cli = Cli::new("corrupt-state");
    cli.add_alice(&zulip);
    let path = cli.dir().join("state.json");
    std::fs::write(&path, "{ not json").expect("corrupt the state");
    let posts = requests_to(&zulip, "POST", OWN_STATUS).len();
    cli.run(&["set", "lunch"])
        .code(2)
        .says("state.json")
        .says("a copy is kept as ")
        .says("state.json.broken-")
        .says("delete the file to start afresh");
    assert_eq!(
        requests_to(&zulip, "POST", OWN_STATUS).len(),
        posts,
        "nothing is sent while the state cannot be read"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("state"), "{ not json");
    let kept: Vec<_> = std::fs::read_dir(cli.dir())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.json.broken-")
        })
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        std::fs::read_to_string(kept[0].path()).expect("kept"),
        "{ not json"
    );
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let cli = Cli::new("https-only");
    let out = cli.run_with_stdin(
        &[
            "account",
            "add",
            "zulip",
            "alice",
            "--site",
            "http://chat.example.org",
            "--email",
            ALICE_EMAIL,
        ],
        ALICE_KEY,
    );
    out.code(2)
        .says("http://chat.example.org uses plain http")
        .says("only over https");
    assert!(cli.account_ids().is_empty());
    assert_eq!(cli.secret("alice"), None);
}

#[test]
fn without_a_keyring_nothing_is_stored_in_plain_text() {
    let zulip = fake();
    let cli = Cli::new("no-keyring");
    let no_bus = |args: &[&str], stdin: Option<&str>| {
        let mut command = cli.command(args);
        command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
        if stdin.is_some() {
            command.stdin(std::process::Stdio::piped());
        }
        run(command, stdin)
    };

    let out = no_bus(
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
        Some(ALICE_KEY),
    );
    assert_ne!(out.code, 0, "{out:?}");
    out.says("no usable OS keyring")
        .says("will not fall back to a file")
        .never_says(ALICE_KEY);
    assert!(cli.files_containing(ALICE_KEY).is_empty());
    assert!(cli.account_ids().is_empty());

    // An account added with the keyring up is not usable while it is gone.
    cli.add_alice(&zulip);
    let out = no_bus(&["set", "lunch"], None);
    assert_ne!(out.code, 0, "{out:?}");
    out.says("no usable OS keyring");
    assert!(requests_to(&zulip, "POST", OWN_STATUS).is_empty());
    assert!(cli.files_containing(ALICE_KEY).is_empty());
}
